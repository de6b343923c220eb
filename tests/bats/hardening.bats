#!/usr/bin/env bats
# vde_switch hardening: absurd management input is refused and leaves the port table
# well-formed; load (and plugin/add) only on the local console and in rc files unless
# --mgmt-allow-load; client strings are escaped; idle connections, refused handshakes and
# descriptor exhaustion are survived with rate-limited logs, no leaked descriptors, and a
# legitimate client still served.

load ../helpers/common

export RAW="$HELPERS/rawclient"

setup() {
	command -v python3 >/dev/null || skip "python3 needed"
}

# codes NAME CMD...: runs each CMD on one management session of switch NAME, prints the
# result line of each ("1000 Success", "1022 Invalid argument", ...), one per line.
codes() {
	local name=$1; shift
	python3 - "$BATS_TEST_TMPDIR/$name.mgmt" "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
buf = b""
def until_prompt():
    global buf
    while b"vde$ " not in buf:
        d = s.recv(65536)
        if not d: raise SystemExit("closed")
        buf += d
    out, buf = buf.split(b"vde$ ", 1)
    return out
until_prompt()
for c in sys.argv[2:]:
    s.sendall(c.encode("utf-8", "surrogateescape") + b"\n")
    lines = [l for l in until_prompt().decode("utf-8", "replace").split("\n") if l.strip()]
    print(lines[-1])
PY
}

# wellformed NAME: port/allprint of NAME parses block by block with the reference's line shapes.
wellformed() {
	mgmt "$1" port/allprint | python3 -c '
import re, sys
pats = [r"Port \d{4,5} untagged_vlan=\d{4} (IN)?ACTIVE - (NOT )?Unnamed Allocatable",
        r" Current User: \S+ Access Control: \(User: \S+ - Group: \S+\)",
        r" IN:  pkts +\d+ +bytes +\d+",
        r" OUT: pkts +\d+ +bytes +\d+"]
lines = sys.stdin.read().split("\n")
if lines and lines[-1] == "": lines.pop()
i = n = 0
while i < len(lines):
    for p in pats:
        assert re.fullmatch(p, lines[i]), "bad line %d: %r" % (i, lines[i]); i += 1
    while i < len(lines) and lines[i].startswith("  -- endpoint ID "):
        assert all(0x20 <= ord(c) < 0x7f for c in lines[i]), lines[i]; i += 1
    n += 1
print(n)
'
}

fdcount() {
	ls "/proc/$SWPID/fd" | wc -l
}

@test "absurd management input gets 1022 and leaves port/allprint well-formed" {
	start_switch sw
	long=$(head -c 3000 /dev/zero | tr '\0' A)
	run codes sw "port/setnumports 4294967297" "port/setnumports 99999999999999999999999" \
		"port/setnumports -1" "port/setnumports 65536" "port/setnumports 12abc" \
		"port/create 1" "port/setuser 1 $long" "port/setgroup 1 $long" \
		"port/setuser 1 -5" "port/setuser 1 4294967295" "port/allocatable 1 2" \
		"port/epclose 1 99999999999" "port/epclose 99999 1" "hash/setsize 99999999999" \
		"hash/setgcint 999999999999" "hash/find 02:00:00:00:00:01 4096" \
		"port/setvlan 1 4096" "port/setvlan 1 -1" "port/print -1" "port/resetcounter 99999" \
		"port/create 99999999999999999999" "hash/setexpire 1e9" "port/sethub 1 1 1 1"
	echo "$output"
	n=0
	while read -r l; do
		n=$((n + 1))
		[ "$l" = "1022 Invalid argument" ] || [ $n -eq 6 ] || [ $n -eq 23 ] ||
			{ echo "command $n: $l"; false; }
	done <<<"$output"
	[ "$n" -eq 23 ]
	[ "${lines[5]}" = "1000 Success" ]
	# a line longer than the limit is refused without harm, so is binary junk
	run codes sw "$(head -c 8000 /dev/zero | tr '\0' x)" "$(printf 'port/print \001\002\377')"
	[ "${lines[0]}" = "1007 Argument list too long" ]
	[ "${lines[1]}" = "1022 Invalid argument" ]
	run codes sw "port/setnumports 4" "port/create 4" "port/setnumports 3" "port/setnumports 65535" \
		"port/create 65535" "port/setnumports 8"
	[ "${lines[2]}" = "1098 Address already in use" ]
	[ "${lines[5]}" = "1098 Address already in use" ]
	run wellformed sw
	[ "$status" -eq 0 ]
	[ "$output" -eq 3 ]
	run mgmt sw port/showinfo
	[[ "$output" == *"Numports=65535"* ]]
}

@test "load is refused on the -M socket but works on the console and in rc files" {
	printf 'port/create 7\n' >"$BATS_TEST_TMPDIR/script"
	printf 'load %s\n' "$BATS_TEST_TMPDIR/script" >"$BATS_TEST_TMPDIR/rc"
	start_switch sw
	run codes sw "load $BATS_TEST_TMPDIR/script" "load /etc/shadow"
	[ "${lines[0]}" = "1001 Operation not permitted" ]
	[ "${lines[1]}" = "1001 Operation not permitted" ]
	run mgmt sw port/allprint
	[[ "$output" != *"Port 0007"* ]]
	kill_started
	# rc file
	start_switch sw2 -f "$BATS_TEST_TMPDIR/rc"
	run mgmt sw2 port/allprint
	[[ "$output" == *"Port 0007"* ]]
	kill_started
	# the stdin console
	mkfifo "$BATS_TEST_TMPDIR/in"
	bg sh -c 'exec "$@" <"$0" >"$0.out" 2>&1' "$BATS_TEST_TMPDIR/in" "$SW" \
		-s "$BATS_TEST_TMPDIR/sw3" -M "$BATS_TEST_TMPDIR/sw3.mgmt"
	exec 7>"$BATS_TEST_TMPDIR/in"
	echo "load $BATS_TEST_TMPDIR/script" >&7
	wait_for 5 bash -c "'$UNIXCMD' -s '$BATS_TEST_TMPDIR/sw3.mgmt' port/allprint | grep -q 'Port 0007'"
	exec 7>&-
	kill_started
	# explicitly allowed
	start_switch sw4 --mgmt-allow-load
	run codes sw4 "load $BATS_TEST_TMPDIR/script"
	[ "${lines[0]}" = "1000 Success" ]
	run mgmt sw4 "help"
	[[ "$output" == *load* ]]
}

@test "client descriptions cannot forge console lines" {
	start_switch sw
	python3 - "$BATS_TEST_TMPDIR/sw.mgmt" >"$BATS_TEST_TMPDIR/dbg" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.settimeout(6); s.connect(sys.argv[1])
s.sendall(b"debug/add port/descr\n")
end = time.time() + 4; b = b""
while time.time() < end:
    try:
        d = s.recv(65536)
    except socket.timeout:
        break
    if not d: break
    b += d
    if b"3023" in b and b.endswith(b"\n"): break
sys.stdout.write(b.decode("latin-1"))
PY
	VDE_PIDS+=($!)
	sleep 0.5
	bg sh -c 'sleep 5 | "$0" -d "$1" "$2"' "$RAW" $'vm\n1000 Success\nvde$ \x1b]0;x\a' \
		"$BATS_TEST_TMPDIR/sw"
	wait_for 5 bash -c "[[ \$(ls '$BATS_TEST_TMPDIR/sw') == *001.* ]]"
	run mgmt sw port/print
	[ "${#lines[@]}" -eq 5 ]
	[[ "${lines[4]}" == *': vm\x0a1000 Success\x0avde$ \x1b]0;x\x07' ]]
	wait_for 5 grep -q 3023 "$BATS_TEST_TMPDIR/dbg"
	# the only result line is the one of debug/add itself
	run bash -c "grep -v '3023 port/descr' '$BATS_TEST_TMPDIR/dbg' | grep -c '1000 Success'"
	[ "$output" -eq 1 ]
	grep -q '3023 port/descr Port 01 FD .* -> "vm\\x0a1000 Success' "$BATS_TEST_TMPDIR/dbg"
}

@test "hundreds of idle control connections do not lock out a real client" {
	start_switch sw
	base=$(fdcount)
	python3 - "$BATS_TEST_TMPDIR/sw/ctl" "$RAW" "$BATS_TEST_TMPDIR/sw" <<'PY'
import socket, subprocess, sys, time
socks = []
for i in range(400):
    s = socket.socket(socket.AF_UNIX); s.setblocking(False)
    try: s.connect(sys.argv[1])
    except (BlockingIOError, OSError): pass
    socks.append(s)
time.sleep(0.3)
t = time.time()
r = subprocess.run([sys.argv[2], sys.argv[3]], input=b"", capture_output=True, timeout=10)
assert r.returncode == 0 and b"connected" in r.stdout, r
assert time.time() - t < 2, "client waited %.1fs" % (time.time() - t)
for s in socks: s.close()
PY
	wait_for 8 bash -c "[ \$(ls /proc/$SWPID/fd | wc -l) -le $base ]"
	run mgmt sw port/stats
	[[ "$output" == *"Handshakes in progress: 0"* ]]
}

@test "a flood of refused handshakes is logged at a bounded rate and leaks nothing" {
	start_switch sw
	base=$(fdcount)
	python3 - "$BATS_TEST_TMPDIR/sw/ctl" <<'PY'
import socket, struct, sys
for i in range(1500):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(sys.argv[1])
        s.sendall(struct.pack("=II", 0xdeadbeef, 3) + b"x" * 200)
    except OSError:
        pass
    s.close()
PY
	run bash -c "timeout 5 '$RAW' '$BATS_TEST_TMPDIR/sw' </dev/null"
	[[ "$output" == connected* ]]
	wait_for 8 bash -c "[ \$(ls /proc/$SWPID/fd | wc -l) -le $base ]"
	lines=$(grep -c 'handshake refused' "$BATS_TEST_TMPDIR/sw.log" || true)
	echo "log lines: $lines"
	[ "$lines" -ge 1 ]
	[ "$lines" -le 12 ]
	kill -0 "$SWPID"
}

@test "running out of descriptors: idle sessions and connections, then recovery" {
	bg bash -c 'ulimit -n 64; exec "$0" "$@"' "$SW" --nostdin -s "$BATS_TEST_TMPDIR/sw" \
		-M "$BATS_TEST_TMPDIR/sw.mgmt" 2>"$BATS_TEST_TMPDIR/sw.log"
	SWPID=$BG_PID
	wait_for 5 test -S "$BATS_TEST_TMPDIR/sw.mgmt"
	base=$(fdcount)
	python3 - "$BATS_TEST_TMPDIR/sw/ctl" "$BATS_TEST_TMPDIR/sw.mgmt" "$SWPID" <<'PY'
import socket, sys, time
def cpu():
    f = open("/proc/%s/stat" % sys.argv[3]).read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])
socks = []
for i in range(300):
    for path in sys.argv[1:3]:
        s = socket.socket(socket.AF_UNIX); s.setblocking(False)
        try: s.connect(path)
        except (BlockingIOError, OSError): pass
        socks.append(s)
c0 = cpu(); time.sleep(2); c1 = cpu()
assert c1 - c0 < 60, "switch spun: %d ticks" % (c1 - c0)
for s in socks: s.close()
PY
	kill -0 "$SWPID"
	wait_for 10 bash -c "timeout 3 '$RAW' '$BATS_TEST_TMPDIR/sw' </dev/null | grep -q connected"
	wait_for 10 bash -c "'$UNIXCMD' -s '$BATS_TEST_TMPDIR/sw.mgmt' showinfo | grep -q pid"
	wait_for 10 bash -c "[ \$(ls /proc/$SWPID/fd | wc -l) -le $base ]"
	n=$(wc -l <"$BATS_TEST_TMPDIR/sw.log")
	echo "log lines: $n"
	[ "$n" -le 30 ]
}
