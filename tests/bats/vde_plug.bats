#!/usr/bin/env bats
# vde_plug: both command-line generations, stream <-> switch, coprocess, direct cable,
# seqpacket://FD, login-shell mode, garbage on stdin, switch shutdown, large frames, and the
# integrity of a batched stream cable under load.
load ../helpers/common

setup() {
	T="$BATS_TEST_TMPDIR"
	# The binary itself (libtool's wrapper script would hide a custom argv[0]).
	REAL_PLUG="$VDE_BIN/tools/.libs/vde_plug"
	[ -x "$REAL_PLUG" ] || REAL_PLUG="$PLUG"
	# Stream codec: "enc LEN..." writes frames (2-byte length + frame, contents a function of
	# LEN); "list LEN..." gives their "LEN SHA1"; "dec" lists the frames of a stream that way
	# and fails on a truncated tail.
	cat >"$T/codec.py" <<'EOF'
import hashlib, struct, sys
def frame(n):
    # an IPv4 header whose total length matches: jumbo frames must look like IP to the codec
    body = bytes((n * 7 + k) % 251 for k in range(n - 14))
    if n >= 34:
        body = bytes([0x45, 0, (n - 14) >> 8, (n - 14) & 255]) + bytes(16) + body[20:]
    return b'\xff' * 6 + bytes([2, 0, 0, 0, n >> 8 & 255, n & 255]) + b'\x08\x00' + body
if sys.argv[1] == 'enc':
    out = b''.join(struct.pack('>H', int(n)) + frame(int(n)) for n in sys.argv[2:])
    sys.stdout.buffer.write(out)
elif sys.argv[1] == 'list':
    for n in sys.argv[2:]:
        print(n, hashlib.sha1(frame(int(n))).hexdigest())
else:
    d = sys.stdin.buffer.read()
    i = 0
    while i + 2 <= len(d):
        n = struct.unpack('>H', d[i:i + 2])[0]
        if i + 2 + n > len(d):
            break
        print(n, hashlib.sha1(d[i + 2:i + 2 + n]).hexdigest())
        i += 2 + n
    sys.exit(0 if i == len(d) else 1)
EOF
}

enc() { python3 "$T/codec.py" enc "$@"; }
expect() { python3 "$T/codec.py" list "$@"; }
dec() { python3 "$T/codec.py" dec <"$1"; }

# Number of ports in use on a switch directory (the switch's data sockets are NNN.x).
# ports_at_least DIR N: the switch at DIR has N clients: asked on DIR.mgmt when there is one
# (clients on shared-memory rings leave no socket file), else counted from the data sockets.
ports_at_least() {
	if [ -S "$1.mgmt" ]; then
		endpoints_atleast "$1.mgmt" "$2"
	else
		[ "$(find "$1" -maxdepth 1 -name '[0-9][0-9][0-9].*' | wc -l)" -ge "$2" ]
	fi
}

# rx NAME VNL...: a receiving plug whose stdin stays open; stdout goes to $T/NAME.out.
rx() {
	local name=$1; shift
	bg bash -c 'sleep 60 | exec "$0" "$@"' "$PLUG" "$@" >"$T/$name.out" 2>"$T/$name.err" 3>&-
}

# got NAME LEN...: wait until NAME.out holds exactly the frames LEN... (in order).
got() {
	local name=$1; shift
	expect "$@" >"$T/$name.want"
	wait_for 5 cmp -s "$T/$name.want" <(dec "$T/$name.out")
}

# start_syslog: a syslog socket at $T/dev/log whose messages land in $T/syslog.txt.
# with_syslog CMD...: runs CMD in a private mount namespace where that socket is /dev/log.
# Both need root (see can_unshare).
start_syslog() {
	mkdir -p "$T/dev"
	for n in null zero urandom; do touch "$T/dev/$n"; done
	bg python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(4096).decode(errors="replace") + "\n")
        f.flush()' "$T/dev/log" "$T/syslog.txt" </dev/null >/dev/null 2>&1 3>&-
	wait_for 5 test -S "$T/dev/log"
}
with_syslog() {
	unshare -m --propagation private bash -c '
		for n in null zero urandom; do mount --bind /dev/$n "$0/dev/$n" || exit 99; done
		mount --rbind "$0/dev" /dev || exit 99
		exec "$@"' "$T" "$@"
}
can_unshare() { [ "$(id -u)" = 0 ] && unshare -m --propagation private true 2>/dev/null; }

# A switch for the test: ours when built, Debian's otherwise.
any_switch() {
	if [ -x "$SW" ]; then start_switch "$@"; else start_ref_switch "$@"; fi
}

@test "--help shows both syntaxes and every option is in the man page" {
	run "$PLUG" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"vde_plug_url = command"* ]]
	[[ "$output" == *"-s SOCK"* ]]
	for opt in $(grep -o -- '--[a-z0-9]*' <<<"$output" | sort -u); do
		grep -q -- "${opt//-/\\\\-}" "$BATS_TEST_DIRNAME/../../man/vde_plug.1" ||
			{ echo "man page lacks $opt"; return 1; }
	done
	run "$PLUG" --bogus
	[ "$status" -eq 1 ]
}

@test "a frame written into one plug comes out of another on the same switch (vdeplug4 syntax)" {
	any_switch sw
	rx b "$T/sw"
	wait_for 5 ports_at_least "$T/sw" 1
	enc 60 1000 1514 | "$PLUG" "vde://$T/sw"
	got b 60 1000 1514
}

@test "interop: the same through Debian's vde_switch" {
	start_ref_switch sw
	rx b "$T/sw"
	wait_for 5 ports_at_least "$T/sw" 1
	enc 60 1000 1514 | "$PLUG" "$T/sw"
	got b 60 1000 1514
}

@test "interop: a stream cable between Debian's vde_plug and ours carries frames both ways" {
	any_switch a
	any_switch b
	bg "$DPIPE" env -u LD_LIBRARY_PATH "$REF_PLUG" "$T/a" = "$PLUG" "$T/b" 3>&-
	rx ra "$T/a"
	rx rb "$T/b"
	wait_for 5 ports_at_least "$T/a" 2
	wait_for 5 ports_at_least "$T/b" 2
	enc 100 1500 | "$PLUG" "$T/a"
	got rb 100 1500
	enc 200 | "$PLUG" "$T/b"
	got ra 100 1500 200 # ra, on a, also saw the first two being sent
}

@test "VDE2 syntax: -s, --sock, sock; -p N is the port and must be > 0" {
	any_switch sw
	rx b -s "$T/sw"
	wait_for 5 ports_at_least "$T/sw" 1
	enc 100 | "$PLUG" --sock "$T/sw" -m 0700
	enc 100 200 | "$PLUG" -p 5 -g "$(id -gn)" "$T/sw"
	got b 100 100 200
	run "$PLUG" -p 0 "$T/sw"
	[ "$status" -eq 1 ]
	[[ "$output" == *"must be > 0"* ]]
	# port 5 really was used: keep a plug there and ask the switch
	bg bash -c 'sleep 60 | exec "$0" "$@"' "$PLUG" --port 5 "$T/sw" >/dev/null 3>&-
	wait_for 5 endpoints_are "$T/sw.mgmt" 1 5
}

@test "-D sets the description the switch shows (default vde_plug:)" {
	[ -x "$SW" ] && [ -x "$UNIXCMD" ] || skip "our vde_switch and unixcmd are not built"
	start_switch sw
	bg bash -c 'exec "$0" "$@" < <(sleep 60)' "$PLUG" -D "my cable" "$T/sw" >/dev/null 3>&-
	bg bash -c 'exec "$0" "$@" < <(sleep 60)' "$PLUG" "$T/sw" >/dev/null 3>&-
	wait_for 5 ports_at_least "$T/sw" 2
	run mgmt sw port/print
	[[ "$output" == *"my cable user="* ]]
	[[ "$output" == *"vde_plug: user="* ]]
}

@test "-p FILE (not a number) is the vdeplug4 pidfile" {
	any_switch sw
	bg bash -c 'sleep 60 | exec "$0" "$@"' "$PLUG" -p "$T/plug.pid" "$T/sw" 3>&-
	wait_for 5 test -s "$T/plug.pid"
	pid=$(cat "$T/plug.pid")
	kill -0 "$pid"
	kill -TERM "$pid"
	wait_for 5 test ! -e "$T/plug.pid"
}

@test "stream to a coprocess: frames from the command reach the switch, its status is returned" {
	any_switch sw
	rx b "$T/sw"
	wait_for 5 ports_at_least "$T/sw" 1
	run "$PLUG" "$T/sw" = sh -c "python3 '$T/codec.py' enc 100 200; sleep 0.3; exit 3"
	[ "$status" -eq 3 ]
	got b 100 200
}

@test "vde_plug SW = cat reflects frames back to the sender" {
	any_switch sw
	bg "$PLUG" "$T/sw" = cat 3>&-
	wait_for 5 ports_at_least "$T/sw" 1
	(enc 300; sleep 3) | "$PLUG" "$T/sw" >"$T/a.out" &
	VDE_PIDS+=("$!")
	got a 300
}

@test "VNL1 VNL2: a direct cable between two switches" {
	any_switch sw1
	any_switch sw2
	bg "$PLUG" "$T/sw1" "vde://$T/sw2" 3>&-
	rx b "$T/sw2"
	wait_for 5 ports_at_least "$T/sw1" 1
	wait_for 5 ports_at_least "$T/sw2" 2
	enc 64 1400 | "$PLUG" "$T/sw1"
	got b 64 1400
}

@test "seqpacket://FD cable, the way User-Mode Linux runs it" {
	any_switch sw
	rx b "$T/sw"
	wait_for 5 ports_at_least "$T/sw" 1
	cat >"$T/uml.py" <<'EOF'
import os, socket, subprocess, sys, time
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
p = subprocess.Popen([sys.argv[1], '--descr', 'UML vde_transport', '--mod2', '0700',
                      'seqpacket://%d' % b.fileno(), sys.argv[2]], pass_fds=[b.fileno()])
b.close()
time.sleep(0.5)
frame = b'\xff' * 6 + b'\x02\x00\x00\x00\x00\x00\x08\x00' + bytes(range(46))
a.send(frame)
a.settimeout(5)
back = a.recv(65536)     # a frame sent by the other plug on the switch
print(len(back))
a.close()                # UML goes away: the plug must end
sys.exit(p.wait(timeout=5))
EOF
	(sleep 1.5; enc 90) | "$PLUG" "$T/sw" >/dev/null &
	VDE_PIDS+=("$!")
	run python3 "$T/uml.py" "$PLUG" "$T/sw"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = 90 ]
	# the UML side's frame reached the switch (b also sees the other plug's 90 bytes)
	wait_for 5 grep -q '^60 ' <(dec "$T/b.out")
}

@test "login shell: other commands and interactive logins are refused like the reference" {
	run "$PLUG" -c ls
	[ "$status" -eq 255 ]
	[ "${lines[0]}" = "This is a Virtual Distributed Ethernet (vde) tunnel broker. " ]
	[ "${lines[1]}" = "This is not a login shell, only vde_plug can be executed" ]
	run "$PLUG" -c "vde_plug = sh"
	[ "$status" -eq 255 ]
	[[ "$output" == *"not a login shell"* ]]
	run "$PLUG" -c vde_plug extra
	[ "$status" -eq 255 ]
	[[ "$output" == *"not a login shell"* ]]
	run bash -c 'exec -a -vde_plug "$0"' "$REAL_PLUG"
	[ "$status" -eq 255 ]
	[[ "$output" == *"not a login shell"* ]]
	# the reference (Debian's vde_plug, vdeplug4) refuses with the same status
	run ref env HOME="$T" "$REF_PLUG" -c ls
	[ "$status" -eq 255 ]
	[[ "$output" == *"not a login shell"* ]]
	# no switch was touched: there is none at the default places of this fake HOME
	run env HOME="$T" "$PLUG" -c ls
	[[ "$output" != *vde_open* ]]
}

@test "login shell: -c vde_plug plugs the session into the default switch" {
	any_switch sw
	mkdir "$T/home" "$T/home/.vde2"
	ln -s "$T/sw" "$T/home/.vde2/default.switch"
	rx b "$T/sw"
	wait_for 5 ports_at_least "$T/sw" 1
	enc 128 | HOME="$T/home" SSH_CLIENT="192.0.2.7 5555 22" "$PLUG" -c vde_plug
	got b 128
}

@test "-L logs START, each new IP source address once, and STOP to syslog" {
	can_unshare || skip "needs root and unshare -m"
	start_syslog
	any_switch sw
	python3 - "$T/ipframes" <<'EOF'
import struct, sys
def ip4(src):
    f = b'\xff' * 6 + b'\x02\0\0\0\0\x05' + b'\x08\x00'
    f += bytes([0x45, 0, 0, 46, 0, 0, 0, 0, 64, 17, 0, 0]) + bytes(src) + bytes([10, 9, 9, 9])
    f += bytes(26)
    return struct.pack('>H', len(f)) + f
open(sys.argv[1], 'wb').write(ip4([10, 1, 2, 3]) * 3 + ip4([10, 1, 2, 4]))
EOF
	run with_syslog "$PLUG" -L "$T/sw" <"$T/ipframes"
	[ "$status" -eq 0 ]
	wait_for 5 grep -q STOP "$T/syslog.txt"
	cat "$T/syslog.txt"
	grep -q "START user=$(id -un) $T/sw" "$T/syslog.txt"
	[ "$(grep -c 'IPv4 10.1.2.3 vlan 0' "$T/syslog.txt")" -eq 1 ]
	grep -q 'IPv4 10.1.2.4 vlan 0' "$T/syslog.txt"
}

@test "login mode logs START/STOP with the user and the SSH client; refusals are logged" {
	can_unshare || skip "needs root and unshare -m"
	start_syslog
	any_switch sw
	mkdir "$T/home" "$T/home/.vde2"
	ln -s "$T/sw" "$T/home/.vde2/default.switch"
	run with_syslog env HOME="$T/home" SSH_CLIENT="192.0.2.7 5555 22" "$PLUG" -c vde_plug </dev/null
	[ "$status" -eq 0 ]
	run with_syslog env SSH_CLIENT="192.0.2.8 5555 22" "$PLUG" -c "rm -rf x"
	[ "$status" -eq 255 ]
	wait_for 5 grep -q 'refused' "$T/syslog.txt"
	cat "$T/syslog.txt"
	grep -q "START user=$(id -un) SSH=192.0.2.7" "$T/syslog.txt"
	grep -q "STOP user=$(id -un) SSH=192.0.2.7" "$T/syslog.txt"
	grep -q 'SSH=192.0.2.8: refused command "rm -rf x"' "$T/syslog.txt"
}

@test "the plug ends at once when the reader of its stdout goes away" {
	any_switch sw
	run timeout 5 bash -c '"$0" "$1" < <(sleep 10 2>/dev/null) | true; echo "plug ${PIPESTATUS[0]}"' "$PLUG" "$T/sw" 3>&-
	[ "$status" -eq 0 ]
	[ "$output" = "plug 0" ]
}

@test "1 MiB of random bytes on stdin: plug and switch survive, errors are rate-limited" {
	any_switch sw
	rx b "$T/sw"
	wait_for 5 ports_at_least "$T/sw" 1
	head -c 1048576 /dev/urandom >"$T/garbage"
	run timeout 20 "$PLUG" "$T/sw" <"$T/garbage"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -lt 30 ]
	kill -0 "$SWPID"
	# the stream resynchronises: a valid frame after the garbage still arrives
	(cat "$T/garbage"; enc 60 60 60 60 60 60 60 60) | timeout 20 "$PLUG" "$T/sw" 2>/dev/null
	kill -0 "$SWPID"
	: >"$T/b.out"
	enc 61 | "$PLUG" "$T/sw"
	wait_for 5 grep -q "^61 $(expect 61 | cut -d' ' -f2)\$" <(dec "$T/b.out" 2>/dev/null || true)
}

@test "the plug exits with status 0 when the switch shuts down" {
	any_switch sw
	bg bash -c '"$0" "$@" < <(sleep 60); echo "exit $?" >"$1.status"' "$PLUG" "$T/sw" 3>&-
	wait_for 5 ports_at_least "$T/sw" 1
	kill -TERM "$SWPID"
	wait_for 5 test -s "$T/sw.status"
	[ "$(cat "$T/sw.status")" = "exit 0" ]
}

@test "stdin EOF ends the plug cleanly; a slow reader gets whole frames" {
	any_switch sw
	bg bash -c 'sleep 60 | "$0" "$1" | (sleep 2; cat >"$2")' "$PLUG" "$T/sw" "$T/b.out" 3>&-
	wait_for 5 ports_at_least "$T/sw" 1
	sizes=$(for i in $(seq 300); do echo 1400; done)
	# shellcheck disable=SC2086
	enc $sizes | "$PLUG" "$T/sw"
	wait_for 10 test -s "$T/b.out"
	sleep 1
	n=$(dec "$T/b.out" | wc -l)
	[ "$n" -ge 100 ]
	run "$PLUG" "$T/sw" </dev/null
	[ "$status" -eq 0 ]
}

@test "9000 and 65535-byte frames between two plugs (ptp:// and our switch)" {
	rx b "ptp://$T/ptp"
	wait_for 5 test -S "$T/ptp"
	enc 9000 65535 14 | "$PLUG" "ptp://$T/ptp"
	got b 9000 65535 14
	[ -x "$SW" ] || skip "our vde_switch is not built"
	start_switch sw
	rx c "$T/sw"
	wait_for 5 ports_at_least "$T/sw" 1
	enc 9000 65535 | "$PLUG" "$T/sw"
	got c 9000 65535
}

@test "-d needs a cable or a command; as a daemon the cable writes its pidfile" {
	run "$PLUG" -d "$T/sw"
	[ "$status" -eq 1 ]
	any_switch sw1
	any_switch sw2
	run "$PLUG" -d --pidfile "$T/cable.pid" "$T/sw1" "$T/sw2"
	[ "$status" -eq 0 ]
	wait_for 5 test -s "$T/cable.pid"
	pid=$(cat "$T/cable.pid")
	VDE_PIDS+=("$pid")
	wait_for 5 ports_at_least "$T/sw2" 1
	rx b "$T/sw2"
	wait_for 5 ports_at_least "$T/sw2" 2
	enc 70 | "$PLUG" "$T/sw1"
	got b 70
	kill -TERM "$pid"
	wait_for 5 test ! -e "$T/cable.pid"
}

@test "batching: 20000 frames each way through dpipe vde_plug A = vde_plug B, in order, none lost" {
	[ -x "$SW" ] || skip "our vde_switch is not built"
	# frames of 60..1514 bytes and some jumbo ones, each carrying its direction and sequence
	# number; "gen DIR" writes them as a stream in bursts of 50 (bursts beyond the switches'
	# per-port queues could be dropped by a switch, which is not the cable's fault); "check DIR
	# FILE" verifies a stream holds exactly frames 0..N-1 of DIR, in order, intact
	cat >"$T/seq.py" <<'EOF'
import struct, sys, time
N = 20000
PAT = bytes(k % 251 for k in range(251 + 65536))
def size(i):
    return 9014 if i % 997 == 500 else 65535 if i == 12345 else 60 + (i * 37) % 1455
def frame(d, i):
    n = size(i)
    body = struct.pack('>I', i) + PAT[i % 251:i % 251 + n - 38]
    ip = bytes([0x45, 0, (n - 14) >> 8, (n - 14) & 255]) + bytes(16)
    return b'\xff' * 6 + bytes([2, 0, 0, 0, d, 1]) + b'\x08\x00' + ip + body
d = int(sys.argv[2])
if sys.argv[1] == 'gen':
    out = sys.stdout.buffer
    for i in range(0, N, 50):
        out.write(b''.join(struct.pack('>H', size(j)) + frame(d, j) for j in range(i, i + 50)))
        out.flush()
        time.sleep(0.003)
    sys.exit(0)
data = open(sys.argv[3], 'rb').read()
pos, want = 0, 0
while pos + 2 <= len(data):
    n = struct.unpack('>H', data[pos:pos + 2])[0]
    f = data[pos + 2:pos + 2 + n]
    pos += 2 + n
    if len(f) < n or f[10] != d:
        continue
    if f != frame(d, want):
        print('frame %d: got seq %d (%d bytes)' % (want, struct.unpack('>I', f[34:38])[0], n))
        sys.exit(1)
    want += 1
print('%d of %d' % (want, N))
sys.exit(0 if want == N else 1)
EOF
	start_switch a
	start_switch b
	bg "$DPIPE" "$PLUG" "$T/a" = "$PLUG" "$T/b" 3>&-
	wait_for 5 ports_at_least "$T/a" 1
	wait_for 5 ports_at_least "$T/b" 1
	rx ra "$T/a"
	rx rb "$T/b"
	wait_for 5 ports_at_least "$T/a" 2
	wait_for 5 ports_at_least "$T/b" 2
	python3 "$T/seq.py" gen 10 | "$PLUG" "$T/a" >/dev/null 3>&- &
	gena=$!
	python3 "$T/seq.py" gen 11 | "$PLUG" "$T/b" >/dev/null 3>&-
	wait "$gena"
	wait_for 30 python3 "$T/seq.py" check 10 "$T/rb.out"
	wait_for 30 python3 "$T/seq.py" check 11 "$T/ra.out"
	run python3 "$T/seq.py" check 10 "$T/rb.out"
	[ "$output" = "20000 of 20000" ]
}
