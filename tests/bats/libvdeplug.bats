#!/usr/bin/env bats
# libvdeplug (ours, via tests/helpers/plugtest) against the references: Debian's vde_switch
# 2.3.2 and Debian's vde_plug (vdeplug4). Also the exported ABI and a program built against
# Debian's header and library running on ours.
load ../helpers/common

PT="$HELPERS/plugtest"
LIBDIR="$VDE_BIN/libvdeplug/.libs"

# hold NAME VNL [OPTS...]: a plugtest that stays connected; output in $BATS_TEST_TMPDIR/NAME.out.
hold() {
	local name=$1 vnl=$2; shift 2
	bg "$PT" -H "$@" "$vnl" </dev/null >"$BATS_TEST_TMPDIR/$name.out" 3>&-
	wait_for 12 grep -q '^ready$' "$BATS_TEST_TMPDIR/$name.out"
}

# ref_mgmt NAME CMD: one command on a switch's management socket (Debian's unixcmd needs an
# rc file it does not ship, so talk to the socket directly).
ref_mgmt() {
	local name=$1; shift
	echo "$*" | timeout 5 socat -t 2 - "unix-connect:$BATS_TEST_TMPDIR/$name.mgmt"
}

# exchange SIZE: a receiver and a sender on Debian's switch; all COUNT frames arrive intact.
exchange() {
	local size=$1 count=20
	start_ref_switch sw
	bg "$PT" -r $count -t 10 "$BATS_TEST_TMPDIR/sw" >"$BATS_TEST_TMPDIR/rx.out" 3>&-
	local rx=$BG_PID
	wait_for 5 bash -c "ls -a '$BATS_TEST_TMPDIR/sw' | grep -q '^\.[0-9]'"
	sleep 0.2
	run "$PT" -s $count -z "$size" "vde://$BATS_TEST_TMPDIR/sw"
	[ "$status" -eq 0 ]
	[ "$output" = "sent $count" ]
	wait "$rx"
	[ "$(grep -c "^frame $size [0-9]* ok$" "$BATS_TEST_TMPDIR/rx.out")" -eq $count ]
	# in order, none missing
	[ "$(awk '{print $3}' "$BATS_TEST_TMPDIR/rx.out" | tr '\n' ' ')" = "$(seq 0 $((count - 1)) | tr '\n' ' ')" ]
}

@test "60-byte frames between two of our clients through Debian's switch" {
	exchange 60
}

@test "1514-byte frames between two of our clients through Debian's switch" {
	exchange 1514
}

@test "PATH[N] and vde://PATH[N] get port N, with our description" {
	start_ref_switch sw
	hold a "$BATS_TEST_TMPDIR/sw[5]" -d "first"
	hold b "vde://$BATS_TEST_TMPDIR/sw[9]" -d "second"
	run ref_mgmt sw port/print
	[ "$status" -eq 0 ]
	echo "$output" | grep -A4 '^Port 0005' | grep -q "first user=$(id -un) PID=[0-9]"
	echo "$output" | grep -A4 '^Port 0009' | grep -q "second user=$(id -un) PID=[0-9]"
}

@test "PATH[0] asks for the management port 0" {
	start_ref_switch sw
	hold a "$BATS_TEST_TMPDIR/sw[0]"
	run ref_mgmt sw port/print
	echo "$output" | grep -A4 '^Port 0000' | grep -q 'plugtest user='
}

@test "open_args.port selects the port when the locator has none" {
	start_ref_switch sw
	hold a "$BATS_TEST_TMPDIR/sw" -P 7
	run ref_mgmt sw port/print
	echo "$output" | grep -A4 '^Port 0007' | grep -q 'plugtest user='
}

@test "open_args.port -1 asks for the management port 0, as vdeplug4 does" {
	start_ref_switch sw
	hold a "$BATS_TEST_TMPDIR/sw" -P -1
	run ref_mgmt sw port/print
	echo "$output" | grep -A4 '^Port 0000' | grep -q 'plugtest user='
}

@test "PATH[NAME]: the port group socket PATH/NAME first, else PATH/ctl (vdeplug4)" {
	start_switch a
	start_ref_switch b
	# no a/blue: our switch's own ctl, the name taken for nothing
	hold x "$BATS_TEST_TMPDIR/a[blue]" -d blue
	run mgmt a port/print
	[[ "$output" == *"blue user="* ]]
	# a/green is a control socket (here Debian's switch b): the request goes there, with no
	# port number even if open_args has one
	ln -s "$BATS_TEST_TMPDIR/b/ctl" "$BATS_TEST_TMPDIR/a/green"
	hold y "vde://$BATS_TEST_TMPDIR/a[portgroup=green]" -d green -P 5
	run ref_mgmt b port/print
	echo "$output" | grep -A4 '^Port 0001' | grep -q "green user="
	run mgmt a port/print
	[[ "$output" != *"green user="* ]]
	# Debian's vde_plug on Debian's library (vdeplug4) reads the same locator the same way
	bg env -u LD_LIBRARY_PATH bash -c 'sleep 30 | exec "$0" -D refplug "$1"' "$REF_PLUG" \
		"$BATS_TEST_TMPDIR/a[green]"
	wait_for 5 bash -c "echo port/print | timeout 5 socat -t 2 - \
		'unix-connect:$BATS_TEST_TMPDIR/b.mgmt' | grep -q refplug"
	run "$PT" "$BATS_TEST_TMPDIR/a[.x]"
	[ "$output" = "open failed: Invalid argument" ]
}

@test "port 100 on a 32-port Debian switch fails with ETIMEDOUT instead of hanging" {
	start_ref_switch sw
	local t0=$EPOCHREALTIME t
	# VDEPLUG_TIMEOUT shortens the default 10 s wait; bad values fall back to the default
	run timeout 30 env VDEPLUG_TIMEOUT=2 "$PT" "$BATS_TEST_TMPDIR/sw[100]"
	[ "$status" -eq 3 ]
	[ "$output" = "open failed: Connection timed out" ]
	t=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
	[ "$t" -ge 1900 ]
	[ "$t" -le 6000 ]
	run timeout 3 env VDEPLUG_TIMEOUT=0 "$PT" "$BATS_TEST_TMPDIR/sw[100]"
	[ "$status" -eq 124 ] # still waiting after 3 s: the default applies
}

@test "a missing switch fails at once with ENOENT" {
	run timeout 5 "$PT" "$BATS_TEST_TMPDIR/nothere"
	[ "$status" -eq 3 ]
	[ "$output" = "open failed: No such file or directory" ]
}

@test "an unknown scheme fails with EPROTONOSUPPORT" {
	run "$PT" "nosuch://x"
	[ "$status" -eq 3 ]
	[ "$output" = "open failed: Protocol not supported" ]
}

@test "our data socket: mode 0 means 0700, never world-accessible, removed on close" {
	start_ref_switch sw
	hold a "$BATS_TEST_TMPDIR/sw" -m 0
	run stat -c %a "$BATS_TEST_TMPDIR"/sw/.[0-9]*
	[ "$output" = 700 ]
	kill_started
	start_ref_switch sw2
	hold b "$BATS_TEST_TMPDIR/sw2" -m 0777
	run stat -c %a "$BATS_TEST_TMPDIR"/sw2/.[0-9]*
	[ "$output" = 770 ]
	# vde_close unlinks it
	run "$PT" -s 1 "$BATS_TEST_TMPDIR/sw2"
	[ "$status" -eq 0 ]
	[ "$(ls -a "$BATS_TEST_TMPDIR/sw2" | grep -c '^\.[0-9]')" -eq 1 ]
}

@test "vde_ctlfd reports EOF when the switch closes our endpoint" {
	start_ref_switch sw
	hold a "$BATS_TEST_TMPDIR/sw[3]"
	sleep 0.3
	! grep -q 'ctl eof' "$BATS_TEST_TMPDIR/a.out"
	run ref_mgmt sw port/print
	id=$(echo "$output" | sed -n 's/.*endpoint ID 0*\([0-9][0-9]*\) .*/\1/p' | head -1)
	[ -n "$id" ]
	run ref_mgmt sw port/epclose 3 "$id"
	echo "$output" | grep -q '1000 Success'
	wait_for 5 grep -q '^ctl eof$' "$BATS_TEST_TMPDIR/a.out"
}

@test "default switch: \$HOME/.vdeplug/default holding a locator" {
	start_ref_switch sw
	mkdir -p "$BATS_TEST_TMPDIR/home/.vdeplug"
	echo "vde://$BATS_TEST_TMPDIR/sw[6]" >"$BATS_TEST_TMPDIR/home/.vdeplug/default"
	HOME="$BATS_TEST_TMPDIR/home" hold a ""
	run ref_mgmt sw port/print
	echo "$output" | grep -A4 '^Port 0006' | grep -q 'plugtest user='
}

@test "default switch: \$HOME/.vde2/default.switch, and a PATH that is a file" {
	start_ref_switch sw
	mkdir -p "$BATS_TEST_TMPDIR/home/.vde2"
	ln -s "$BATS_TEST_TMPDIR/sw" "$BATS_TEST_TMPDIR/home/.vde2/default.switch"
	HOME="$BATS_TEST_TMPDIR/home" hold a "" -P 3
	echo "$BATS_TEST_TMPDIR/sw[4]" >"$BATS_TEST_TMPDIR/where"
	hold b "$BATS_TEST_TMPDIR/where"
	run ref_mgmt sw port/print
	echo "$output" | grep -A4 '^Port 0003' | grep -q 'plugtest user='
	echo "$output" | grep -A4 '^Port 0004' | grep -q 'plugtest user='
}

@test "ptp:// between two of our processes, 65535-byte frames" {
	bg "$PT" -r 5 -t 10 "ptp://$BATS_TEST_TMPDIR/link" >"$BATS_TEST_TMPDIR/rx.out" 3>&-
	local rx=$BG_PID
	wait_for 5 test -S "$BATS_TEST_TMPDIR/link"
	run "$PT" -s 5 -z 65535 "ptp://$BATS_TEST_TMPDIR/link"
	[ "$status" -eq 0 ]
	wait "$rx"
	# the largest frame, whole (no switch in the way to truncate it)
	[ "$(grep -c '^frame 65535 [0-9]* ok$' "$BATS_TEST_TMPDIR/rx.out")" -eq 5 ]
	[ ! -e "$BATS_TEST_TMPDIR/link+" ]
}

# stream_frames N SIZE: N plugtest-style frames in vde_plug's stream encoding on stdout.
stream_frames() {
	python3 -c '
import sys, struct
n, size = int(sys.argv[1]), int(sys.argv[2])
out = b""
for seq in range(n):
    f = bytearray((seq + i) & 255 for i in range(size))
    f[0:6] = b"\xff" * 6
    f[6:12] = b"\x02\x00\x00\x00\x00\x01"
    f[12:18] = bytes([8, 0, 0x45, 0]) + struct.pack(">H", size - 14)
    f[18:22] = struct.pack(">I", seq)
    out += struct.pack(">H", size) + bytes(f)
sys.stdout.buffer.write(out)' "$@"
}

@test "ptp:// interoperates with Debian's vde_plug (vdeplug4), both directions" {
	# ours first (binds PATH), Debian's second
	bg "$PT" -r 3 -t 10 "ptp://$BATS_TEST_TMPDIR/l1" >"$BATS_TEST_TMPDIR/rx.out" 3>&-
	local rx=$BG_PID
	wait_for 5 test -S "$BATS_TEST_TMPDIR/l1"
	stream_frames 3 1000 >"$BATS_TEST_TMPDIR/in"
	bg bash -c "(cat '$BATS_TEST_TMPDIR/in'; sleep 2) | env -u LD_LIBRARY_PATH $REF_PLUG ptp://$BATS_TEST_TMPDIR/l1 >/dev/null" 3>&-
	wait "$rx"
	[ "$(grep -c '^frame 1000 [0-9]* ok$' "$BATS_TEST_TMPDIR/rx.out")" -eq 3 ]
	# Debian's first, ours second
	bg bash -c "sleep 3 | env -u LD_LIBRARY_PATH $REF_PLUG ptp://$BATS_TEST_TMPDIR/l2 >'$BATS_TEST_TMPDIR/out2'" 3>&-
	wait_for 5 test -S "$BATS_TEST_TMPDIR/l2"
	run "$PT" -s 4 -z 100 "ptp://$BATS_TEST_TMPDIR/l2"
	[ "$status" -eq 0 ]
	wait_for 5 test "$(stat -c %s "$BATS_TEST_TMPDIR/out2")" -eq $((4 * 102))
	# the same frames as stream_frames makes, apart from the sender's MAC address
	cmp <(stream_frames 4 100 | od -An -v -tx1 -w102 | cut -c1-24,43-) \
		<(od -An -v -tx1 -w102 "$BATS_TEST_TMPDIR/out2" | cut -c1-24,43-)
}

@test "seqpacket://FD carries one frame per packet and owns the fd" {
	run "$PT" -S
	[ "$status" -eq 0 ]
	[ "$output" = "seqpacket ok" ]
}

@test "the library exports only vde_* and vdestream_*, soname libvdeplug.so.2" {
	run bash -c "nm -D --defined-only '$LIBDIR/libvdeplug.so.2' | awk '{print \$3}'"
	[ "$status" -eq 0 ]
	[ -n "$output" ]
	! echo "$output" | grep -Ev '^(vde_|vdestream_)'
	for s in vde_open_real vde_recv vde_send vde_datafd vde_ctlfd vde_close \
		vdestream_open vdestream_send vdestream_recv vdestream_close; do
		echo "$output" | grep -qx "$s"
	done
	objdump -p "$LIBDIR/libvdeplug.so.2" | grep -q 'SONAME *libvdeplug.so.2$'
}

@test "a program built against Debian's libvdeplug runs on ours" {
	[ -f /usr/include/libvdeplug.h ] || skip "libvdeplug-dev (Debian's header) not installed"
	cat >"$BATS_TEST_TMPDIR/deb.c" <<'C'
#include <libvdeplug.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	struct vde_open_args a = {0, NULL, 0};
	unsigned char f[1514];
	VDECONN *c = vde_open(argv[1], "debprog", &a);
	int i;

	if (!c) {
		printf("open: %s\n", strerror(errno));
		return 1;
	}
	memset(f, 0xff, 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x07", 6);
	f[12] = 0x88; f[13] = 0xb5;
	for (i = 0; i < 3; i++)
		if (vde_send(c, f, sizeof(f), 0) != (ssize_t)sizeof(f))
			return 2;
	printf("fds %d %d\n", vde_datafd(c) >= 0, vde_ctlfd(c) >= 0);
	usleep(300000);
	return vde_close(c);
}
C
	gcc -o "$BATS_TEST_TMPDIR/deb" "$BATS_TEST_TMPDIR/deb.c" -lvdeplug
	# it really loads ours
	ldd "$BATS_TEST_TMPDIR/deb" | grep -q "$LIBDIR/libvdeplug.so.2"
	start_ref_switch sw
	bg "$PT" -r 3 -t 10 "$BATS_TEST_TMPDIR/sw" >"$BATS_TEST_TMPDIR/rx.out" 3>&-
	local rx=$BG_PID
	wait_for 5 bash -c "ls -a '$BATS_TEST_TMPDIR/sw' | grep -q '^\.[0-9]'"
	run env "${ON_OUR_LIB[@]}" "$BATS_TEST_TMPDIR/deb" "$BATS_TEST_TMPDIR/sw"
	[ "$status" -eq 0 ]
	[ "$output" = "fds 1 1" ]
	wait "$rx"
	[ "$(grep -c '^frame 1514 ' "$BATS_TEST_TMPDIR/rx.out")" -eq 3 ]
}

@test "Debian's vde_plug on our library: its stream, with a login banner in front, reaches the switch" {
	ldd "$REF_PLUG" | grep -q "$LIBDIR/libvdeplug.so.2"
	start_ref_switch sw
	bg "$PT" -r 3 -t 10 "$BATS_TEST_TMPDIR/sw" >"$BATS_TEST_TMPDIR/rx.out" 3>&-
	local rx=$BG_PID
	wait_for 5 bash -c "ls -a '$BATS_TEST_TMPDIR/sw' | grep -q '^\.[0-9]'"
	{ printf 'Welcome to Debian GNU/Linux 12 (bookworm)!\n\n'; stream_frames 3 1000; } \
		>"$BATS_TEST_TMPDIR/in"
	bg env "${ON_OUR_LIB[@]}" bash -c "(cat '$BATS_TEST_TMPDIR/in'; sleep 2) | $REF_PLUG '$BATS_TEST_TMPDIR/sw' >/dev/null" 3>&-
	wait "$rx"
	[ "$(grep -c '^frame 1000 [0-9]* ok$' "$BATS_TEST_TMPDIR/rx.out")" -eq 3 ]
}

@test "switch run by another user: our socket gets the switch's group, never world access" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run the switch as nobody"
	command -v setpriv >/dev/null || skip "setpriv not installed"
	NB=$(mktemp -d /tmp/vdeplug-nobody.XXXXXX)
	chmod 711 "$NB"
	mkdir "$NB/w"
	chown nobody:nogroup "$NB/w"
	bg setpriv --reuid=nobody --regid=nogroup --clear-groups \
		bash -c 'exec "$0" "$@" < <(exec sleep 3600)' "$REF_SW" -s "$NB/w/sw" 3>&-
	wait_for 5 test -S "$NB/w/sw/ctl"
	hold a "$NB/w/sw"
	run stat -c '%a %G' "$NB"/w/sw/.[0-9]*
	[ "$output" = "760 nogroup" ]
	bg "$PT" -r 2 -t 10 "$NB/w/sw" >"$BATS_TEST_TMPDIR/rx.out" 3>&-
	local rx=$BG_PID
	wait_for 5 bash -c "[ \$(ls -a '$NB/w/sw' | grep -c '^\.[0-9]') -eq 2 ]"
	run "$PT" -s 2 "$NB/w/sw"
	[ "$status" -eq 0 ]
	wait "$rx"
	[ "$(grep -c '^frame 60 [0-9]* ok$' "$BATS_TEST_TMPDIR/rx.out")" -eq 2 ]
}

teardown() {
	kill_started
	if [ -n "${NB:-}" ]; then
		rm -rf "$NB"
	fi
}

@test "relative switch path, chained locator files, outer port wins, loops end in ELOOP" {
	start_ref_switch sw
	cd "$BATS_TEST_TMPDIR"
	bg "$PT" -r 1 -t 10 sw >rx.out 3>&-
	local rx=$BG_PID
	wait_for 5 bash -c "ls -a sw | grep -q '^\.[0-9]'"
	# our socket name must be absolute: the switch resolves it from its own cwd
	ls -a sw | grep '^\.[0-9]' >/dev/null
	run "$PT" -s 1 sw
	[ "$status" -eq 0 ]
	wait "$rx"
	grep -q '^frame 60 0 ok$' rx.out
	echo 'sw[7]' >f1
	echo "$BATS_TEST_TMPDIR/f1" >f2
	hold a "$BATS_TEST_TMPDIR/f2"
	hold b "$BATS_TEST_TMPDIR/f2[9]"
	run ref_mgmt sw port/print
	echo "$output" | grep -q '^Port 0007'
	echo "$output" | grep -q '^Port 0009'
	echo "$BATS_TEST_TMPDIR/f3" >f3
	run "$PT" "$BATS_TEST_TMPDIR/f3"
	[ "$output" = "open failed: Too many levels of symbolic links" ]
}

@test "vde_send to a peer that never reads fails with EAGAIN after a short wait, never blocks" {
	hold a "ptp://$BATS_TEST_TMPDIR/l"
	local t0=$SECONDS
	run timeout 10 "$PT" -s 100000 -z 1514 "ptp://$BATS_TEST_TMPDIR/l"
	[ "$status" -eq 1 ]
	echo "$output" | grep -Eq '^send error at [0-9]+: Resource temporarily unavailable$'
	[ $((SECONDS - t0)) -le 5 ]
}
