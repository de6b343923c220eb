#!/usr/bin/env bats
# vde_switch black-box tests: options, management formats (the reference's), handshake
# (v3, v1, UML abstract, refused, malformed), forwarding and learning, big frames, counters,
# lifecycle (shutdown, signals, stale directories). Clients: tests/helpers/rawclient and
# Debian's vde_plug; management through a small python client that prints raw replies.

load ../helpers/common

export RAW="$HELPERS/rawclient"

setup() {
	command -v python3 >/dev/null || skip "python3 needed"
}

# swcmd NAME CMD: one management command; prints the reply without the prompt.
swcmd() {
	python3 - "$BATS_TEST_TMPDIR/$1.mgmt" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
def until_prompt():
    b = b""
    while not b.endswith(b"\nvde$ "):
        d = s.recv(65536)
        if not d:
            break
        b += d
    return b
until_prompt()
s.sendall(sys.argv[2].encode() + b"\n")
out = until_prompt()
if out.endswith(b"\nvde$ "):
    out = out[:-6]
sys.stdout.write(out.decode("utf-8", "replace"))
PY
}

# bg_fifo FIFO CMD...: CMD in the background reading FIFO (created here); the caller then
# holds the writing end open on fd 7 and closes it to send EOF.
bg_fifo() {
	local f=$1; shift
	mkfifo "$f"
	bg sh -c 'f=$1; shift; exec "$@" <"$f"' sh "$f" "$@"
	exec 7>"$f"
}

# fdcount: descriptors of the switch under test.
fdcount() {
	ls "/proc/$SWPID/fd" | wc -l
}

@test "--help lists every option and exits 0" {
	run "$SW" --help
	[ "$status" -eq 0 ]
	for o in --numports --hub --macaddr --hashsize --sock --vdesock --unix --mode --dirmode \
		--group --daemon --pidfile --rcfile --mgmt --mgmtmode --mgmtgroup --nostdin \
		--debugclients --version; do
		[[ "$output" == *"$o"* ]] || { echo "missing $o"; false; }
	done
}

@test "a bad option prints the usage and exits 1" {
	run "$SW" --no-such-option
	[ "$status" -eq 1 ]
	[[ "$output" == *"Usage: vde_switch"* ]]
	run "$SW" -n notanumber
	[ "$status" -eq 1 ]
	[[ "$output" == *"number of ports"* ]]
	run "$SW" --macaddr 1:2
	[ "$status" -eq 1 ]
}

@test "-v prints the version" {
	run "$SW" -v
	[ "$status" -eq 0 ]
	[[ "$output" == VDE* ]]
}

@test "single-dash long options are accepted" {
	bg "$SW" -nostdin -sock "$BATS_TEST_TMPDIR/s1" -mgmt "$BATS_TEST_TMPDIR/s1.mgmt" -hub \
		-numports 8
	SWPID=$BG_PID
	wait_for 5 test -S "$BATS_TEST_TMPDIR/s1.mgmt"
	run swcmd s1 port/showinfo
	[ "${lines[1]}" = "Numports=8" ]
	[ "${lines[2]}" = "HUB=true" ]
}

@test "info commands use the reference formats" {
	start_switch sw --macaddr 02:11:22:33:44:55
	run swcmd sw showinfo
	[ "${lines[0]}" = "0000 DATA END WITH '.'" ]
	[[ "${lines[1]}" == "VDE switch V."* ]]
	[ "${lines[2]}" = "(C) Virtual Square Team (coord. R. Davoli) 2005,2006,2007 - GPLv2" ]
	[[ "${lines[3]}" =~ ^pid\ $SWPID\ MAC\ 02:11:22:33:44:55\ uptime\ [0-9]+$ ]]
	[ "${lines[4]}" = "mgmt $BATS_TEST_TMPDIR/sw.mgmt perm 0600" ]
	[ "${lines[5]}" = "." ]
	[ "${lines[6]}" = "1000 Success" ]
	run swcmd sw ds/showinfo
	[ "${lines[1]}" = "ctl dir $BATS_TEST_TMPDIR/sw" ]
	[ "${lines[2]}" = "std mode 0600" ]
	run swcmd sw hash/showinfo
	[ "${lines[1]}" = "Hash size 128" ]
	[ "${lines[2]}" = "GC interval 2 secs" ]
	[ "${lines[3]}" = "GC expire 100 secs" ]
	[ "${lines[4]}" = "Min persistence 3 secs" ]
	run swcmd sw port/showinfo
	[ "${lines[1]}" = "Numports=32" ]
	[ "${lines[2]}" = "HUB=false" ]
	[ "${lines[3]}" = "counters=true" ]
}

@test "help lists the menus in the reference order" {
	start_switch sw
	run swcmd sw help
	[ "$status" -eq 0 ]
	# the reference's menus keep its order; menus of our own (tap) may follow them
	order=$(printf '%s\n' "${lines[@]}" | awk '$2 == "============" { print $1 }' |
		grep -xE 'ds|debug|plugin|hash|fstp|port|vlan' | tr '\n' ' ')
	exp=$(for m in ds debug plugin hash fstp port vlan; do
		if [[ " $order" == *" $m "* ]]; then printf "%s " "$m"; fi; done)
	[ "$order" = "$exp" ]
	[[ "$order" == "ds debug "*"hash "*"port "* ]]
	[ "${lines[3]}" = "ds                 ============    DATA SOCKET MENU" ]
	[ "${lines[4]}" = "ds/showinfo                        show ds info" ]
	[ "${lines[5]}" = "help               [arg]           Help (limited to arg when specified)" ]
	[[ "$output" == *"hash/find          MAC [VLAN]      MAC lookup"* ]]
	[[ "$output" == *"port/allprint      [N]             print the port/endpoint table (including inactive port)"* ]]
}

@test "port commands: create, allprint, ACL, allocatable, remove" {
	start_switch sw
	run swcmd sw "port/create 3"
	[ "$output" = "1000 Success" ]
	run swcmd sw "port/create 3"
	[ "$output" = "1017 File exists" ]
	run swcmd sw "port/allprint 3"
	[ "${lines[1]}" = "Port 0003 untagged_vlan=0000 INACTIVE - NOT Unnamed Allocatable" ]
	[ "${lines[2]}" = " Current User: NONE Access Control: (User: NONE - Group: NONE)" ]
	[ "${lines[3]}" = " IN:  pkts          0          bytes                    0" ]
	[ "${lines[4]}" = " OUT: pkts          0          bytes                    0" ]
	swcmd sw "port/setuser 3 root"
	swcmd sw "port/setgroup 3 root"
	swcmd sw "port/allocatable 3 1"
	run swcmd sw "port/allprint 3"
	[ "${lines[1]}" = "Port 0003 untagged_vlan=0000 INACTIVE - Unnamed Allocatable" ]
	[ "${lines[2]}" = " Current User: NONE Access Control: (User: root - Group: root)" ]
	run swcmd sw "port/print 3"
	[ "${lines[-1]}" = "1006 No such device or address" ]
	run swcmd sw "port/setvlan 3 7"
	[ "$output" = "1006 No such device or address" ]
	run swcmd sw "port/setvlan 3 4095"
	[ "$output" = "1000 Success" ]
	run swcmd sw "port/remove 3"
	[ "$output" = "1000 Success" ]
	run swcmd sw "port/remove 3"
	[ "$output" = "1006 No such device or address" ]
	run swcmd sw "port/createauto"
	[ "${lines[1]}" = "Port 0001" ]
}

@test "out-of-range arguments give 1022 Invalid argument" {
	start_switch sw
	for c in "port/create 33" "port/create 0" "port/setnumports 0" "port/sethub 2" \
		"hash/setsize 0" "hash/setgcint 0" "hash/setexpire -1" "port/setvlan 1" \
		"port/epclose 1" "port/print 99" "hash/find zz" "hash/find" "port/create x"; do
		run swcmd sw "$c"
		[ "${lines[-1]}" = "1022 Invalid argument" ] || { echo "$c: $output"; false; }
	done
	run swcmd sw "hash/find 02:00:00:00:00:09"
	[ "${lines[-1]}" = "1019 No such device" ]
	run swcmd sw "no/such/command"
	[ "$output" = "1038 Function not implemented" ]
}

@test "setnumports, sethub and the hash settings take effect" {
	start_switch sw
	swcmd sw "port/setnumports 4"
	swcmd sw "port/sethub 1"
	swcmd sw "hash/setsize 100"
	swcmd sw "hash/setgcint 5"
	swcmd sw "hash/setexpire 50"
	swcmd sw "hash/setminper 1"
	run swcmd sw port/showinfo
	[ "${lines[1]}" = "Numports=4" ]
	[ "${lines[2]}" = "HUB=true" ]
	run swcmd sw hash/showinfo
	[ "${lines[1]}" = "Hash size 128" ]
	[ "${lines[2]}" = "GC interval 5 secs" ]
	[ "${lines[3]}" = "GC expire 50 secs" ]
	[ "${lines[4]}" = "Min persistence 1 secs" ]
	# a port above the new size in use blocks shrinking
	swcmd sw "port/create 4"
	run swcmd sw "port/setnumports 3"
	[ "$output" = "1098 Address already in use" ]
}

@test "port/print shows a connected client with its description escaped" {
	start_switch sw
	bg_fifo "$BATS_TEST_TMPDIR/in" "$RAW" -d $'vm one\x1b[31m' "$BATS_TEST_TMPDIR/sw"
	wait_for 5 bash -c "[[ \$(ls '$BATS_TEST_TMPDIR/sw') == *001.* ]]"
	run swcmd sw port/print
	[ "${lines[1]}" = "Port 0001 untagged_vlan=0000 ACTIVE - Unnamed Allocatable" ]
	[ "${lines[2]}" = " Current User: root Access Control: (User: NONE - Group: NONE)" ]
	[[ "${lines[5]}" =~ ^\ \ --\ endpoint\ ID\ [0-9]{4}\ module\ unix\ prog\ \ \ :\ vm\ one\\x1b\[31m$ ]]
	exec 7>&-
}

@test "Debian's vde_plug connects and shows up in port/print" {
	[ -x "$REF_PLUG" ] || skip "no reference vde_plug"
	start_switch sw
	bg_fifo "$BATS_TEST_TMPDIR/in" "$REF_PLUG" "vde://$BATS_TEST_TMPDIR/sw"
	# on our library it takes shared-memory rings (no socket file): ask the switch
	wait_for 5 endpoints_are "$BATS_TEST_TMPDIR/sw.mgmt" 1 1
	run swcmd sw port/print
	[[ "$output" == *"module unix prog   : vdeplug: user="* ]]
	exec 7>&-
	wait_for 5 endpoints_are "$BATS_TEST_TMPDIR/sw.mgmt" 0
}

@test "frames are flooded, then learned MACs go only to their port" {
	start_switch sw
	A=02:00:00:00:00:0a B=02:00:00:00:00:0b
	# C only listens: it must see the broadcast and nothing else
	( echo "expect 1 3000"; echo "quiet 1500" ) | "$RAW" -d C "$BATS_TEST_TMPDIR/sw" \
		>"$BATS_TEST_TMPDIR/c.out" &
	VDE_PIDS+=($!)
	( echo "expect 1 3000"; echo "sleep 300"; echo "send $A $B 100"; echo "sleep 500" ) |
		"$RAW" -d B "$BATS_TEST_TMPDIR/sw" >"$BATS_TEST_TMPDIR/b.out" &
	VDE_PIDS+=($!)
	wait_for 5 bash -c "[ \$(ls '$BATS_TEST_TMPDIR/sw' | grep -c '^00[12]\.') -eq 2 ]"
	run bash -c "( echo 'send ff:ff:ff:ff:ff:ff $A 60'; echo 'expect 1 3000' ) |
		'$RAW' -d A '$BATS_TEST_TMPDIR/sw'"
	[ "${lines[1]}" = "recv 100 $A $B OK" ]
	wait_for 5 bash -c "grep -q none '$BATS_TEST_TMPDIR/c.out'"
	run cat "$BATS_TEST_TMPDIR/c.out"
	[ "${lines[1]}" = "recv 60 ff:ff:ff:ff:ff:ff $A OK" ]
	[ "${lines[2]}" = "none" ]
	run cat "$BATS_TEST_TMPDIR/b.out"
	[ "${lines[1]}" = "recv 60 ff:ff:ff:ff:ff:ff $A OK" ]
}

@test "hash/print and hash/find report the port a MAC was learned on" {
	start_switch sw
	( echo "sleep 200"; echo "send ff:ff:ff:ff:ff:ff 02:00:00:00:00:01 60"; echo "sleep 3000" ) |
		"$RAW" -p 5 "$BATS_TEST_TMPDIR/sw" >/dev/null &
	VDE_PIDS+=($!)
	wait_for 5 bash -c "swcmd() { :; }; [[ \$(ls '$BATS_TEST_TMPDIR/sw') == *005.* ]]"
	sleep 0.5
	run swcmd sw "hash/find 02:00:00:00:00:01"
	[[ "${lines[1]}" =~ ^Hash:\ [0-9]{4}\ Addr:\ 02:00:00:00:00:01\ VLAN\ 0000\ to\ port:\ 005\ \ age\ [0-9]+\ secs$ ]]
	run swcmd sw "hash/print"
	[[ "${lines[1]}" == *"Addr: 02:00:00:00:00:01 VLAN 0000 to port: 005  age "* ]]
}

@test "9000 and 65535 byte frames cross intact; oversize and runts are counted" {
	start_switch sw
	( echo "expect 2 5000" ) | "$RAW" "$BATS_TEST_TMPDIR/sw" >"$BATS_TEST_TMPDIR/r.out" &
	VDE_PIDS+=($!)
	wait_for 5 bash -c "[[ \$(ls '$BATS_TEST_TMPDIR/sw') == *001.* ]]"
	( echo 'send ff:ff:ff:ff:ff:ff 02:00:00:00:00:02 9000'
	  echo 'send ff:ff:ff:ff:ff:ff 02:00:00:00:00:02 65535'; echo 'raw 65536'
	  echo 'raw 10'; echo 'raw 0'; echo 'sleep 5000' ) | "$RAW" "$BATS_TEST_TMPDIR/sw" >/dev/null &
	VDE_PIDS+=($!)
	wait_for 5 bash -c "[ \$(grep -c OK '$BATS_TEST_TMPDIR/r.out') -eq 2 ]"
	run cat "$BATS_TEST_TMPDIR/r.out"
	[ "${lines[1]}" = "recv 9000 ff:ff:ff:ff:ff:ff 02:00:00:00:00:02 OK" ]
	[ "${lines[2]}" = "recv 65535 ff:ff:ff:ff:ff:ff 02:00:00:00:00:02 OK" ]
	sleep 0.3
	run swcmd sw "port/stats 2"
	[ "${lines[1]}" = "Port 0002 drops: runt 1 oversize 1 vlan 0 queue 0" ]
	run swcmd sw "port/print 2"
	[ "${lines[3]}" = " IN:  pkts          2          bytes                74535" ]
}

@test "hub mode floods unicast to every other port" {
	start_switch sw --hub
	for n in 1 2; do
		( echo "expect 2 3000" ) | "$RAW" "$BATS_TEST_TMPDIR/sw" >"$BATS_TEST_TMPDIR/h$n.out" &
		VDE_PIDS+=($!)
	done
	wait_for 5 bash -c "[ \$(ls '$BATS_TEST_TMPDIR/sw' | grep -c '^00[12]\.') -eq 2 ]"
	( echo "send 02:00:00:00:00:01 02:00:00:00:00:03 60 2"; echo "sleep 300" ) |
		"$RAW" "$BATS_TEST_TMPDIR/sw" >/dev/null
	wait_for 5 bash -c "[ \$(cat '$BATS_TEST_TMPDIR'/h?.out | grep -c OK) -eq 4 ]"
}

@test "a refused request closes the connection promptly" {
	start_switch sw
	run timeout 3 "$RAW" -p 100 "$BATS_TEST_TMPDIR/sw" </dev/null
	[ "$status" -eq 2 ]
	[ "$output" = "refused" ]
	# the same port twice for the same user is fine (several endpoints on one port)
	bg_fifo "$BATS_TEST_TMPDIR/in" "$RAW" -p 7 "$BATS_TEST_TMPDIR/sw"
	wait_for 5 bash -c "[[ \$(ls '$BATS_TEST_TMPDIR/sw') == *007.* ]]"
	run timeout 3 "$RAW" -p 7 "$BATS_TEST_TMPDIR/sw" </dev/null
	[ "$status" -eq 0 ]
	exec 7>&-
}

@test "malformed, truncated, oversized and stalled handshakes are dropped without leaks" {
	start_switch sw
	base=$(fdcount)
	python3 - "$BATS_TEST_TMPDIR/sw/ctl" <<'PY'
import socket, struct, time, sys
ctl = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(ctl); return s
def closed(s):
    try:
        return s.recv(200) == b""
    except ConnectionResetError:
        return True
addr = struct.pack("<H", 1) + b"/nonexistent".ljust(108, b"\0")
cases = [
    struct.pack("<III", 0xdeadbeef, 3, 0) + addr,        # bad magic
    struct.pack("<III", 0xfeedface, 2, 0) + addr,        # bad version
    struct.pack("<III", 0xfeedface, 3, 0) + addr,        # socket does not exist
    struct.pack("<III", 0xfeedface, 3, 0) + addr + b"x" * 300,  # oversized
    struct.pack("<III", 0xfeedface, 3, 7) + addr,        # bad type
]
for c in cases:
    s = conn(); s.sendall(c)
    assert closed(s), c[:12]
    s.close()
# truncated: half a header then EOF, and half a header then silence (timeout)
s = conn(); s.sendall(struct.pack("<II", 0xfeedface, 3)); s.shutdown(socket.SHUT_WR)
assert closed(s)
s = conn(); s.sendall(struct.pack("<II", 0xfeedface, 3))
t = time.time(); assert closed(s); assert time.time() - t < 5
# a client killed mid-handshake
s = conn(); s.sendall(b"\xce\xfa"); s.close()
PY
	run timeout 3 "$RAW" "$BATS_TEST_TMPDIR/sw" </dev/null
	[ "$status" -eq 0 ]
	wait_for 5 bash -c "[ \$(ls /proc/$SWPID/fd | wc -l) -eq $base ]"
	kill -0 "$SWPID"
}

@test "legacy v1 requests and UML's abstract-socket requests are served" {
	start_switch sw
	python3 - "$BATS_TEST_TMPDIR/sw" <<'PY'
import socket, struct, sys, os
d = sys.argv[1]
# UML daemon transport: abstract data socket, 124-byte request, no description
u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
name = b"\0" + struct.pack("<ii", os.getpid(), 12345)
uaddr = name.ljust(108, b"\0")
u.bind(uaddr)
c = socket.socket(socket.AF_UNIX); c.settimeout(5); c.connect(d + "/ctl")
c.sendall(struct.pack("<III", 0xfeedface, 3, 0) + struct.pack("<H", 1) + uaddr + b"\0\0")
r = c.recv(200)
assert len(r) == 110, len(r)
sw = r[2:].split(b"\0")[0].decode()
# v1: magic, type, mac, sockaddr
p = d + "/.v1client"
v = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); v.bind(p)
c1 = socket.socket(socket.AF_UNIX); c1.settimeout(5); c1.connect(d + "/ctl")
c1.sendall(struct.pack("<II", 0xfeedface, 0) + b"\x02\0\0\0\0\1" +
           struct.pack("<H", 1) + p.encode().ljust(108, b"\0") + b"v1 client")
r1 = c1.recv(200)
assert len(r1) == 110
sw1 = r1[2:].split(b"\0")[0].decode()
frame = b"\xff" * 6 + b"\x02\0\0\0\0\x55" + b"\x08\0" + bytes(range(46))
u.settimeout(3); v.settimeout(3)
u.sendto(frame, sw)
assert v.recv(2000) == frame
v.sendto(frame[:6] + b"\x02\0\0\0\0\x66" + frame[12:], sw1)
assert u.recv(2000)[6:12] == b"\x02\0\0\0\0\x66"
os.unlink(p)
PY
}

@test "debug categories report ports, endpoints and MACs" {
	start_switch sw
	python3 - "$BATS_TEST_TMPDIR" <<'PY' >"$BATS_TEST_TMPDIR/dbg.out"
import socket, subprocess, sys, time, os
t = sys.argv[1]
m = socket.socket(socket.AF_UNIX); m.settimeout(5); m.connect(t + "/sw.mgmt")
def until_prompt():
    b = b""
    while not b.endswith(b"\nvde$ "):
        b += m.recv(65536)
    return b
until_prompt()
for c in (b"debug/add port\n", b"debug/add hash\n"):
    m.sendall(c); until_prompt()
p = subprocess.run([os.environ["RAW"], "-p", "7", "-d", "dbg", t + "/sw"],
                   input=b"send ff:ff:ff:ff:ff:ff 02:00:00:00:00:01 60\nsleep 200\n",
                   stdout=subprocess.DEVNULL, timeout=10)
time.sleep(0.5)
m.setblocking(False)
try:
    sys.stdout.write(m.recv(65536).decode())
except BlockingIOError:
    pass
PY
	run cat "$BATS_TEST_TMPDIR/dbg.out"
	[[ "$output" == *"3021 port/+ 07"* ]]
	[[ "$output" =~ 3031\ port/ep/\+\ Port\ 07\ FD\ +[0-9]+ ]]
	[[ "$output" =~ 3023\ port/descr\ Port\ 07\ FD\ +[0-9]+\ -\>\ \"dbg\" ]]
	[[ "$output" == *"3011 hash/+ 02:00:00:00:00:01 VLAN 00:00 Port 7"* ]]
	[[ "$output" =~ 3032\ port/ep/-\ Port\ 07\ FD\ +[0-9]+ ]]
	[[ "$output" == *"3022 port/- 07"* ]]
	[[ "$output" == *"3012 hash/- 02:00:00:00:00:01 VLAN 00:00 Port 7"* ]]
}

@test "port/epclose drops an endpoint and the client sees EOF" {
	start_switch sw
	bg_fifo "$BATS_TEST_TMPDIR/in" "$RAW" "$BATS_TEST_TMPDIR/sw"
	wait_for 5 bash -c "[[ \$(ls '$BATS_TEST_TMPDIR/sw') == *001.* ]]"
	id=$(swcmd sw port/print | sed -n 's/.*endpoint ID \([0-9]*\).*/\1/p')
	run swcmd sw "port/epclose 1 $((10#$id))"
	[ "$output" = "1000 Success" ]
	run swcmd sw port/print
	[ "$output" = $'0000 DATA END WITH \'.\'\n.\n1000 Success' ]
	exec 7>&-
}

@test "shutdown removes the sockets, the directory and the pidfile" {
	start_switch sw -p "$BATS_TEST_TMPDIR/sw.pid"
	[ "$(cat "$BATS_TEST_TMPDIR/sw.pid")" = "$SWPID" ]
	run swcmd sw shutdown
	[[ "$output" == *"9999 END OF SESSION"* ]] || [ -z "$output" ]
	wait_for 5 bash -c "! kill -0 $SWPID"
	[ ! -e "$BATS_TEST_TMPDIR/sw" ]
	[ ! -e "$BATS_TEST_TMPDIR/sw.mgmt" ]
	[ ! -e "$BATS_TEST_TMPDIR/sw.pid" ]
}

@test "SIGTERM, SIGINT and SIGHUP clean up" {
	for sig in TERM INT HUP; do
		start_switch "sw$sig"
		bg_fifo "$BATS_TEST_TMPDIR/in$sig" "$RAW" "$BATS_TEST_TMPDIR/sw$sig"
		wait_for 5 bash -c "[[ \$(ls '$BATS_TEST_TMPDIR/sw$sig') == *001.* ]]"
		kill -$sig "$SWPID"
		wait_for 5 bash -c "! kill -0 $SWPID"
		[ ! -e "$BATS_TEST_TMPDIR/sw$sig" ]
		[ ! -e "$BATS_TEST_TMPDIR/sw$sig.mgmt" ]
		exec 7>&-
	done
}

@test "a stale directory is reused; a live switch on it is a clear error" {
	mkdir "$BATS_TEST_TMPDIR/sw"
	python3 -c '
import socket, sys
for n in ("ctl", "003.9"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM if n == "ctl" else socket.SOCK_DGRAM)
    s.bind(sys.argv[1] + "/" + n)
' "$BATS_TEST_TMPDIR/sw"
	start_switch sw
	[ ! -e "$BATS_TEST_TMPDIR/sw/003.9" ]
	run timeout 5 "$SW" --nostdin -s "$BATS_TEST_TMPDIR/sw" -M "$BATS_TEST_TMPDIR/other.mgmt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"another switch is running"* ]]
	[ -S "$BATS_TEST_TMPDIR/sw/ctl" ]
	run timeout 3 "$RAW" "$BATS_TEST_TMPDIR/sw" </dev/null
	[ "$status" -eq 0 ]
}

@test "EOF on the stdin console stops the switch unless --nostdin" {
	run timeout 5 "$SW" -s "$BATS_TEST_TMPDIR/sw" </dev/null
	[ "$status" -eq 0 ]
	[ ! -e "$BATS_TEST_TMPDIR/sw" ]
}

@test "an rc file runs at startup" {
	printf 'port/create 9\nport/setnumports 12\n' >"$BATS_TEST_TMPDIR/rc"
	start_switch sw -f "$BATS_TEST_TMPDIR/rc"
	run swcmd sw port/showinfo
	[ "${lines[1]}" = "Numports=12" ]
	run swcmd sw "port/allprint 9"
	[ "${lines[1]}" = "Port 0009 untagged_vlan=0000 INACTIVE - NOT Unnamed Allocatable" ]
}

@test "a receiver that does not read is queued, then dropped, alone" {
	start_switch sw
	( echo "sleep 8000" ) | "$RAW" -p 1 -d slow "$BATS_TEST_TMPDIR/sw" >/dev/null &
	VDE_PIDS+=($!)
	( echo "expect 10000 3000"; echo "sleep 5000" ) | "$RAW" -p 2 -d fast "$BATS_TEST_TMPDIR/sw" >"$BATS_TEST_TMPDIR/fast.out" &
	VDE_PIDS+=($!)
	wait_for 5 bash -c "[ \$(ls '$BATS_TEST_TMPDIR/sw' | grep -c '^00[12]\.') -eq 2 ]"
	# bursts of 500 frames: the slow reader's socket and queue hold about 4000 of them
	( for i in $(seq 20); do echo "send ff:ff:ff:ff:ff:ff 02:00:00:00:00:09 1000 500"
		echo "sleep 30"; done; echo "sleep 8000" ) |
		"$RAW" -p 3 -d sender "$BATS_TEST_TMPDIR/sw" >/dev/null &
	VDE_PIDS+=($!)
	wait_for 20 bash -c "[ \$(grep -c OK '$BATS_TEST_TMPDIR/fast.out') -eq 10000 ]"
	run swcmd sw "port/stats 1"
	[[ "${lines[1]}" =~ ^Port\ 0001\ drops:\ runt\ 0\ oversize\ 0\ vlan\ 0\ queue\ [1-9][0-9]*$ ]]
	[[ "${lines[2]}" =~ queued\ 256\ dropped ]]
	run swcmd sw "port/stats 2"
	[ "${lines[1]}" = "Port 0002 drops: runt 0 oversize 0 vlan 0 queue 0" ]
}

@test "REQ_NEW_PORT0 gets the management port 0" {
	start_switch sw
	bg_fifo "$BATS_TEST_TMPDIR/in" "$RAW" -0 -d mgmtclient "$BATS_TEST_TMPDIR/sw"
	wait_for 5 bash -c "[[ \$(ls '$BATS_TEST_TMPDIR/sw') == *000.* ]]"
	run swcmd sw "port/print 0"
	[ "${lines[1]}" = "Port 0000 untagged_vlan=0000 ACTIVE - Unnamed Allocatable" ]
	[[ "${lines[5]}" == *": mgmtclient" ]]
	exec 7>&-
}

@test "an administrator-created port becomes allocatable on request" {
	start_switch sw -n 2
	swcmd sw "port/create 1"
	swcmd sw "port/create 2"
	run timeout 3 "$RAW" "$BATS_TEST_TMPDIR/sw" </dev/null
	[ "$status" -eq 2 ]
	swcmd sw "port/allocatable 2 1"
	run timeout 3 "$RAW" "$BATS_TEST_TMPDIR/sw" </dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == "connected $BATS_TEST_TMPDIR/sw/002."* ]]
}

@test "-d daemonizes with a pidfile and relative paths; shutdown cleans up" {
	cd "$BATS_TEST_TMPDIR"
	run "$SW" -d -s sw -M sw.mgmt -p sw.pid -m 0660
	[ "$status" -eq 0 ]
	wait_for 5 test -s sw.pid
	SWPID=$(cat sw.pid)
	VDE_PIDS+=("$SWPID")
	kill -0 "$SWPID"
	[ "$(stat -c %a sw/ctl)" = "660" ]
	[ "$(stat -c %a sw)" = "2770" ]
	run swcmd sw showinfo
	[ "${lines[4]}" = "mgmt $BATS_TEST_TMPDIR/sw.mgmt perm 0600" ]
	swcmd sw shutdown || true
	wait_for 5 bash -c "! kill -0 $SWPID"
	[ ! -e sw ]
	[ ! -e sw.mgmt ]
	[ ! -e sw.pid ]
}

@test "-d: a daemonized switch still obeys SIGTERM and cleans up" {
	cd "$BATS_TEST_TMPDIR"
	run "$SW" -d -s sw -M sw.mgmt -p sw.pid
	[ "$status" -eq 0 ]
	wait_for 5 test -s sw.pid
	SWPID=$(cat sw.pid)
	VDE_PIDS+=("$SWPID")
	kill -TERM "$SWPID"
	wait_for 5 bash -c "! kill -0 $SWPID"
	[ ! -e sw ]
	[ ! -e sw.mgmt ]
	[ ! -e sw.pid ]
}

@test "running out of descriptors pauses accepting instead of spinning" {
	bg bash -c 'ulimit -n 48; exec "$0" "$@"' "$SW" --nostdin -s "$BATS_TEST_TMPDIR/sw" \
		-M "$BATS_TEST_TMPDIR/sw.mgmt"
	SWPID=$BG_PID
	wait_for 5 test -S "$BATS_TEST_TMPDIR/sw.mgmt"
	python3 - "$BATS_TEST_TMPDIR/sw/ctl" "$SWPID" <<'PY'
import socket, sys, time
def cpu():
    f = open("/proc/%s/stat" % sys.argv[2]).read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])
socks = []
for i in range(80):
    s = socket.socket(socket.AF_UNIX); s.setblocking(False)
    try:
        s.connect(sys.argv[1])
    except (BlockingIOError, ConnectionRefusedError, OSError):
        pass
    socks.append(s)
c0 = cpu(); time.sleep(2); c1 = cpu()
assert c1 - c0 < 50, "switch spun: %d ticks" % (c1 - c0)
for s in socks:
    s.close()
PY
	wait_for 8 bash -c "timeout 3 '$RAW' '$BATS_TEST_TMPDIR/sw' </dev/null >/dev/null"
}

@test "VLAN 4095 isolates a port; setsize keeps the table; resetcounter zeroes counters" {
	start_switch sw
	( echo "quiet 2500"; echo "sleep 1000" ) | "$RAW" -p 2 "$BATS_TEST_TMPDIR/sw" >"$BATS_TEST_TMPDIR/p2.out" &
	VDE_PIDS+=($!)
	( echo "expect 1 2500"; echo "sleep 3000" ) | "$RAW" -p 3 "$BATS_TEST_TMPDIR/sw" >"$BATS_TEST_TMPDIR/p3.out" &
	VDE_PIDS+=($!)
	wait_for 5 bash -c "[ \$(ls '$BATS_TEST_TMPDIR/sw' | grep -c '^00[23]\.') -eq 2 ]"
	run swcmd sw "port/setvlan 2 4095"
	[ "$output" = "1000 Success" ]
	( echo "send ff:ff:ff:ff:ff:ff 02:00:00:00:00:07 60"; echo "sleep 10000" ) |
		"$RAW" -p 1 "$BATS_TEST_TMPDIR/sw" >/dev/null &
	VDE_PIDS+=($!)
	wait_for 5 grep -q OK "$BATS_TEST_TMPDIR/p3.out"
	wait_for 5 grep -q none "$BATS_TEST_TMPDIR/p2.out"
	run swcmd sw "hash/setsize 1024"
	[ "$output" = "1000 Success" ]
	run swcmd sw "hash/find 02:00:00:00:00:07"
	[[ "${lines[1]}" == *"to port: 001"* ]]
	run swcmd sw "port/print 1"
	[ "${lines[3]}" = " IN:  pkts          1          bytes                   60" ]
	swcmd sw "port/resetcounter 1"
	run swcmd sw "port/print 1"
	[ "${lines[3]}" = " IN:  pkts          0          bytes                    0" ]
}
