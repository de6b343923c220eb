#!/usr/bin/env bats
# vde_switch plugins and events: a plugin written from the VDE book's documentation compiles
# unchanged against vdeplugin.h and works (commands, a packet/in filter); events reach
# plugins with their arguments; packet/out filters rewrite; plugin/add is local-only unless
# --mgmt-allow-load; a careless plugin is cleaned up on plugin/del; the shipped dump, pdump
# (read back by tcpdump) and iplog plugins; Debian's binary plugins load too.

load ../helpers/common

SRCDIR="$BATS_TEST_DIRNAME/../.."
PLUGINS="$BUILDDIR/plugins/.libs"

setup() {
	command -v "${CC:-cc}" >/dev/null || skip "no C compiler"
}

# build NAME: compiles tests/plugins/NAME.c into $BATS_TEST_TMPDIR/NAME.so with default flags.
build() {
	"${CC:-cc}" -shared -fPIC -I"$SRCDIR/tools/vde_switch" -o "$BATS_TEST_TMPDIR/$1.so" \
		"$SRCDIR/tests/plugins/$1.c"
}

# rc LINES...: writes an rc file and prints its path.
rc() {
	printf '%s\n' "$@" >"$BATS_TEST_TMPDIR/rc"
	echo "$BATS_TEST_TMPDIR/rc"
}

# send VNL ARGS...: vde_pkt send through switch sw.
send() {
	"$PKT" send "vde://$BATS_TEST_TMPDIR/sw" -q "$@"
}

@test "the book's plugin compiles unchanged: commands and a packet/in ethertype filter" {
	build bookplugin
	start_switch sw -f "$(rc "plugin/add $BATS_TEST_TMPDIR/bookplugin.so")"
	run mgmt sw plugin/list
	[[ "$output" == *"test                   a simple plugin for vde"* ]]
	run mgmt sw help
	[[ "$output" == *"test/change        N               change value"* ]]
	run mgmt sw "test/change 42"
	[ "$status" -eq 0 ]
	run mgmt sw "test/change many"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Invalid argument"* ]]
	run mgmt sw test/print
	[ "$output" = "Test Plugin value 42 dropped 0" ]
	pkt_recv_bg "$BATS_TEST_TMPDIR/r.out" "vde://$BATS_TEST_TMPDIR/sw" --count 4 --timeout 4000
	send --type 0x88b5 --count 3 --size 60
	send --type 0x0800 --count 2 --size 60
	send --type 0x88b5 --count 3 --size 60
	send --type 0x86dd --count 2 --size 60
	wait "$PKT_PID"
	[ "$(grep -c 'type=0x88b5' "$BATS_TEST_TMPDIR/r.out")" -eq 0 ]
	[ "$(grep -c 'type=0x0800' "$BATS_TEST_TMPDIR/r.out")" -eq 2 ]
	[ "$(grep -c 'type=0x86dd' "$BATS_TEST_TMPDIR/r.out")" -eq 2 ]
	run mgmt sw test/print
	[ "$output" = "Test Plugin value 42 dropped 6" ]
	# unloaded: the commands and the filter are gone
	run mgmt sw "plugin/del test"
	[ "$status" -eq 0 ]
	run mgmt sw test/print
	[[ "$output" == *"Function not implemented"* ]]
	pkt_recv_bg "$BATS_TEST_TMPDIR/r2.out" "vde://$BATS_TEST_TMPDIR/sw" --count 2 --timeout 4000
	send --type 0x88b5 --count 2 --size 60
	wait "$PKT_PID"
}

@test "plugin/add: local only unless --mgmt-allow-load; EEXIST, ENOENT, EINVAL" {
	build bookplugin
	start_switch sw
	run mgmt sw "plugin/add $BATS_TEST_TMPDIR/bookplugin.so"
	[[ "$output" == *"Operation not permitted"* ]]
	run mgmt sw plugin/list
	[[ "$output" != *"test "* ]]
	kill_started
	start_switch sw2 --mgmt-allow-load
	run mgmt sw2 "plugin/add $BATS_TEST_TMPDIR/bookplugin.so"
	[ "$status" -eq 0 ]
	run mgmt sw2 "plugin/add $BATS_TEST_TMPDIR/bookplugin"
	[[ "$output" == *"File exists"* ]]
	run mgmt sw2 "plugin/add $BATS_TEST_TMPDIR/nosuchplugin"
	[[ "$output" == *"No such file or directory"* ]]
	printf 'int notaplugin = 1;\n' >"$BATS_TEST_TMPDIR/np.c"
	"${CC:-cc}" -shared -fPIC -o "$BATS_TEST_TMPDIR/np.so" "$BATS_TEST_TMPDIR/np.c"
	run mgmt sw2 "plugin/add $BATS_TEST_TMPDIR/np.so"
	[[ "$output" == *"Invalid argument"* ]]
	run mgmt sw2 "plugin/del nosuch"
	[[ "$output" == *"No such file or directory"* ]]
	run mgmt sw2 "plugin/del te"
	[ "$status" -eq 0 ]
	run mgmt sw2 plugin/list
	[[ "$output" != *"test "* ]]
}

@test "events reach plugins; packet/out rewrites; a careless plugin is cleaned up on unload" {
	build evplugin
	start_switch sw -f "$(rc "plugin/add $BATS_TEST_TMPDIR/evplugin.so")"
	run mgmt sw debug/list
	[[ "$output" == *"evtest/tick"*"777"* ]]
	pkt_recv_bg "$BATS_TEST_TMPDIR/r.out" "vde://$BATS_TEST_TMPDIR/sw" --count 2 --timeout 4000 \
		--descr 'receiver'
	send --type 0x88b6 --src 02:00:00:00:00:42 --count 2 --size 100 --descr "sender one"
	wait "$PKT_PID"
	[ "$(grep -c 'type=0x88b7' "$BATS_TEST_TMPDIR/r.out")" -eq 2 ]
	wait_for 5 bash -c "'$UNIXCMD' -s '$BATS_TEST_TMPDIR/sw.mgmt' evtest/print | grep -q 'ticks [1-9]'"
	run mgmt sw evtest/print
	echo "$output"
	[[ "${lines[0]}" =~ ^port/\+\ [2-9]\ port/-\ [2-9]\ port/ep/\+\ [2-9]\ port/ep/-\ [2-9]\ port/descr\ [2-9]$ ]]
	[[ "${lines[1]}" == "hash/+ 1 hash/- 1 key 020000000042" ]]
	[[ "${lines[2]}" == "descr sender one user="* ]]
	[[ "${lines[3]}" == "rewritten 2 ticks "* ]]
	run mgmt sw "evtest/fd a b  c"
	[ "$output" = "fd set arg [a b  c]" ]
	run mgmt sw "plugin/del evtest"
	[ "$status" -eq 0 ]
	run mgmt sw help
	[[ "$output" != *evtest* ]]
	run mgmt sw debug/list
	[[ "$output" != *evtest* ]]
	# its subscriptions and timer went with it: traffic and time pass without a crash
	pkt_recv_bg "$BATS_TEST_TMPDIR/r2.out" "vde://$BATS_TEST_TMPDIR/sw" --count 1 --timeout 4000
	send --type 0x88b6 --count 1 --size 100
	wait "$PKT_PID"
	grep -q 'type=0x88b6' "$BATS_TEST_TMPDIR/r2.out"
	sleep 1.5
	kill -0 "$SWPID"
	run mgmt sw showinfo
	[ "$status" -eq 0 ]
}

@test "pdump writes a capture file that tcpdump reads" {
	command -v tcpdump >/dev/null || skip "no tcpdump"
	cap="$BATS_TEST_TMPDIR/cap.pcap"
	start_switch sw -f "$(rc "plugin/add $PLUGINS/pdump.so" "pdump/filename $cap" \
		"pdump/buffered 0" "pdump/active 1")"
	send --type 0x88b5 --dst 02:00:00:00:00:99 --src 02:00:00:00:00:11 --count 5 --size 200
	send --ipv4 --src 02:00:00:00:00:12 --count 2 --size 100
	wait_for 5 bash -c "'$UNIXCMD' -s '$BATS_TEST_TMPDIR/sw.mgmt' pdump/showinfo | grep -q 'frames 7'"
	run tcpdump -n -e -r "$cap"
	echo "$output"
	[ "$(grep -c '02:00:00:00:00:11 > 02:00:00:00:00:99, ethertype Unknown (0x88b5), length 200' <<<"$output")" -eq 5 ]
	[ "$(grep -c '192.0.2.1 > 192.0.2.2' <<<"$output")" -eq 2 ]
	run mgmt sw "pdump/filename /tmp/other"
	[[ "$output" == *"Device or resource busy"* ]]
	run mgmt sw "pdump/active 0"
	[ "$status" -eq 0 ]
	send --count 3 --size 60
	# one line per frame (unknown ethertypes add hex lines)
	[ "$(tcpdump -n -r "$cap" 2>/dev/null | grep -c '^[0-9][0-9]:')" -eq 7 ]
}

@test "dump writes frames in hex on its debug categories" {
	start_switch sw -f "$(rc "plugin/add $PLUGINS/dump.so" "dump/active 1")"
	python3 - "$BATS_TEST_TMPDIR/sw.mgmt" >"$BATS_TEST_TMPDIR/dbg" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.settimeout(6); s.connect(sys.argv[1])
s.sendall(b"debug/add dump/\n")
end = time.time() + 5; b = b""
while time.time() < end and b.count(b"3101 dump/packetin") < 5:
    try:
        d = s.recv(65536)
    except socket.timeout:
        break
    if not d: break
    b += d
sys.stdout.write(b.decode("latin-1"))
PY
	VDE_PIDS+=($!)
	sleep 0.5
	send --type 0x88b5 --dst ff:ff:ff:ff:ff:ff --src 02:00:00:00:00:21 --count 1 --size 60
	wait_for 6 bash -c "[ \$(grep -c '3101 dump/packetin' '$BATS_TEST_TMPDIR/dbg') -ge 5 ]"
	grep -q '3101 dump/packetin Port 0001 len 60 dst ff:ff:ff:ff:ff:ff src 02:00:00:00:00:21 type 0x88b5' \
		"$BATS_TEST_TMPDIR/dbg"
	grep -q '3101 dump/packetin   0000: ff ff ff ff ff ff 02 00 00 00 00 21 88 b5 ' \
		"$BATS_TEST_TMPDIR/dbg"
}

@test "iplog records which IP appears on which port and MAC" {
	start_switch sw -f "$(rc "plugin/add $PLUGINS/iplog.so" \
		"iplog/logfile $BATS_TEST_TMPDIR/ip.log")"
	send --ipv4 --src 02:00:00:00:00:33 --count 2 --size 100
	wait_for 5 bash -c "'$UNIXCMD' -s '$BATS_TEST_TMPDIR/sw.mgmt' iplog/list | grep -q 192.0.2.1"
	run mgmt sw iplog/list
	[[ "$output" =~ ip\ 192\.0\.2\.1\ +mac\ 02:00:00:00:00:33\ port\ 0001 ]]
	run mgmt sw "iplog/ipsearch 192.0.2.1"
	[[ "$output" == *"mac 02:00:00:00:00:33"* ]]
	run mgmt sw "iplog/ipsearch 192.0.2.9"
	[[ "$output" == *"No such file or directory"* ]]
	grep -q 'ip 192.0.2.1 mac 02:00:00:00:00:33 port 1' "$BATS_TEST_TMPDIR/ip.log"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/ip.log")" -eq 1 ]
	# ranges: only addresses inside them are tracked
	run mgmt sw "iplog/ipadd 10.0.0.0/8"
	[ "$status" -eq 0 ]
	run mgmt sw "iplog/ipadd 10.0.0.0/33"
	[ "$status" -ne 0 ]
	run mgmt sw iplog/iplist
	[ "$output" = "10.0.0.0/8" ]
	run mgmt sw "plugin/del iplog"
	[ "$status" -eq 0 ]
}

@test "Debian's binary plugins load into our switch" {
	[ -r /usr/lib/vde2/plugins/dump.so ] || skip "no Debian vde2 plugins"
	start_switch sw -f "$(rc "plugin/add /usr/lib/vde2/plugins/dump.so")"
	run mgmt sw plugin/list
	[[ "$output" == *"dump "* ]]
	run mgmt sw debug/list
	[[ "$output" == *"dump/packetin"* ]]
	run mgmt sw "dump/active 1"
	[ "$status" -eq 0 ]
	send --count 2 --size 60
	run mgmt sw "plugin/del dump"
	[ "$status" -eq 0 ]
	run mgmt sw showinfo
	[ "$status" -eq 0 ]
}
