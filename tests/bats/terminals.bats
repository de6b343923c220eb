#!/usr/bin/env bats
# The management terminals: unixcmd (one command for scripts), unixterm (raw) and vdeterm
# (readline, driven through a pseudo-terminal by python3's pty module), against Debian's
# vde_switch, ours when it is built, and small fake servers for broken peers.

load ../helpers/common
bats_require_minimum_version 1.5.0

# fake_server NAME MODE: a python3 management server on $BATS_TEST_TMPDIR/NAME.mgmt that
# serves one connection according to MODE (see the script), then exits.
fake_server() {
	local sock="$BATS_TEST_TMPDIR/$1.mgmt"
	cat >"$BATS_TEST_TMPDIR/fake.py" <<'EOF'
import socket, sys, time
path, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
c, _ = s.accept()
if mode == "silent":
    time.sleep(30)
    sys.exit(0)
if mode == "noprompt-close":
    c.sendall(b"VDE fake\n")
    sys.exit(0)
c.sendall(b"VDE fake\n\nvde$ ")
cmd = c.recv(4096)
if mode == "cut":
    c.sendall(b"0000 DATA END WITH '.'\nfirst line\nsecond li")
elif mode == "garbage":
    c.sendall(b"\x00\xff\x1b[2J garbage\n12345\n$$$ \n1022 Invalid argument\n\nvde$ ")
elif mode == "escaped":
    c.sendall(b"0000 DATA END WITH '.'\n..\n..x\nplain\n.\n1000 Success\n\nvde$ ")
elif mode == "huge":
    lines = b"".join(b"%06d %s\n" % (i, b"x" * 200) for i in range(20000))
    c.sendall(b"0000 DATA END WITH '.'\n" + lines + b"y" * 100000 + b"\n.\n1000 Success\n\nvde$ ")
elif mode == "async":
    c.sendall(b"3021 port/+ 07\n0000 DATA END WITH '.'\ndata\n.\n1000 Success\n\nvde$ ")
elif mode == "reason":
    c.sendall(b"port 7 does not exist\n1002 No such file or directory\n\nvde$ ")
elif mode == "echo":
    c.sendall(b"0000 DATA END WITH '.'\n" + cmd + b".\n1000 Success\n\nvde$ ")
elif mode == "evil":
    while cmd:
        c.sendall(b"3023 port/descr \x1b[2J\n0000 DATA END WITH '.'\nbell\x07\n.\n"
                  b"1000 Success\n\nvde$ ")
        cmd = c.recv(4096)
time.sleep(1)
EOF
	bg python3 "$BATS_TEST_TMPDIR/fake.py" "$sock" "$2"
	wait_for 5 test -S "$sock"
}

# pty_run SCRIPT: runs python3 SCRIPT with helpers spawn/send/expect (see below); expect()
# fails the script with the screen so far when the pattern does not show up in time.
pty_run() {
	cat >"$BATS_TEST_TMPDIR/ptylib.py" <<'EOF'
import os, pty, re, select, signal, subprocess, sys, time
out = b""
pid = fd = None
def spawn(*argv):
    global pid, fd
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.environ["INPUTRC"] = "/dev/null"
        os.execv(argv[0], list(argv))
def pump(t):
    global out
    r, _, _ = select.select([fd], [], [], t)
    if r:
        try:
            d = os.read(fd, 65536)
        except OSError:
            d = b""
        out += d
        return len(d) > 0
    return True
def expect(pattern, timeout=5, since=0):
    end = time.time() + timeout
    while time.time() < end:
        m = re.search(pattern, out[since:], re.S)
        if m:
            return since + m.end()
        if not pump(0.05):
            break
    m = re.search(pattern, out[since:], re.S)
    if m:
        return since + m.end()
    sys.stderr.write("expected %r, got:\n%r\n" % (pattern, out))
    sys.exit(1)
def send(b):
    os.write(fd, b)
def wait_exit(timeout=5):
    end = time.time() + timeout
    while time.time() < end:
        pump(0.05)
        p, st = os.waitpid(pid, os.WNOHANG)
        if p:
            return os.waitstatus_to_exitcode(st)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    sys.stderr.write("did not exit, screen:\n%r\n" % out)
    sys.exit(1)
EOF
	cat >"$BATS_TEST_TMPDIR/pty_test.py"
	PYTHONPATH="$BATS_TEST_TMPDIR" run timeout 60 python3 "$BATS_TEST_TMPDIR/pty_test.py"
}

# --- unixcmd -------------------------------------------------------------------------------

@test "unixcmd prints the data block of the reference switch and exits 0" {
	start_ref_switch sw
	run "$UNIXCMD" -s "$BATS_TEST_TMPDIR/sw.mgmt" showinfo
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "VDE switch V."* ]]
	[[ "$output" == *"pid $SWPID MAC "* ]]
	[[ "$output" == *"mgmt $BATS_TEST_TMPDIR/sw.mgmt perm 0600"* ]]
	[[ "$output" != *"0000 DATA"* ]]
	[[ "$output" != *"1000 Success"* ]]
	[[ "$output" != *"vde\$"* ]]
}

@test "unixcmd exit status is the errno of the reply, the text goes to stderr" {
	start_ref_switch sw
	run "$UNIXCMD" -s "$BATS_TEST_TMPDIR/sw.mgmt" port/setvlan x
	[ "$status" -eq 22 ]
	[ "$output" = "unixcmd: Invalid argument" ]
	run "$UNIXCMD" -s "$BATS_TEST_TMPDIR/sw.mgmt" no/such/command
	[ "$status" -eq 38 ]
	[ "$output" = "unixcmd: Function not implemented" ]
	run --separate-stderr "$UNIXCMD" -s "$BATS_TEST_TMPDIR/sw.mgmt" port/setvlan x
	[ "$output" = "" ]
	[ "$stderr" = "unixcmd: Invalid argument" ]
}

@test "unixcmd joins its arguments into one command" {
	start_ref_switch sw
	run "$UNIXCMD" -s "$BATS_TEST_TMPDIR/sw.mgmt" vlan/create 10
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	run "$UNIXCMD" -s "$BATS_TEST_TMPDIR/sw.mgmt" vlan/create 10
	[ "$status" -eq 17 ]
	run "$UNIXCMD" -s "$BATS_TEST_TMPDIR/sw.mgmt" "vlan/print"
	[ "$status" -eq 0 ]
	[[ "$output" == *"VLAN 0010"* ]]
	run "$UNIXCMD" -s "$BATS_TEST_TMPDIR/sw.mgmt" logout
	[ "$status" -eq 0 ]
}

@test "unixcmd -f runs Debian's vdecmd parse machine, printing what the reference prints" {
	[ -f /etc/vde2/vdecmd ] || skip "no /etc/vde2/vdecmd"
	start_ref_switch sw
	run --separate-stderr "$UNIXCMD" -f /etc/vde2/vdecmd -s "$BATS_TEST_TMPDIR/sw.mgmt" \
		hash/showinfo
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Hash size 128" ]
	[ "$stderr" = "" ]
	# the same lines as the reference (which ends each with a NUL byte, and exits 255 because
	# it does not know the file's EXITATOI)
	"$REF_UNIXCMD" -f /etc/vde2/vdecmd -s "$BATS_TEST_TMPDIR/sw.mgmt" hash/showinfo \
		>"$BATS_TEST_TMPDIR/ref.out" || true
	[ "$(tr -d '\0' <"$BATS_TEST_TMPDIR/ref.out")" = "$output" ]
	run "$UNIXCMD" -f /etc/vde2/vdecmd -s "$BATS_TEST_TMPDIR/sw.mgmt" port/setvlan x
	[ "$status" -eq 22 ]
	[ "$output" = "" ]
	# -v traces the states on stderr
	run --separate-stderr "$UNIXCMD" -v -f /etc/vde2/vdecmd -s "$BATS_TEST_TMPDIR/sw.mgmt" \
		hash/showinfo
	[[ "$stderr" == *'unixcmd: state 7 IF at "0000 DATA END WITH '* ]]
}

@test "unixcmd -f: arguments, SHIFT, IF/GOTO, SKIP, RVATOI/EXITRV, TIMEOUT, OUTSHIFT" {
	start_ref_switch sw
	local M="$BATS_TEST_TMPDIR/m" S="$BATS_TEST_TMPDIR/sw.mgmt"
	cat >"$M" <<'EOF'
# a comment, then the constants and the states (out of order: they run by label)
TIMEOUT 2000
3 SEND '$*\n'
1 IN '$ ' 90
2 SHIFT
4 THROW
5 IN '\n' 90
6 IF '0000' 4
7 IF '10' 20
8 COPY
9 GOTO 4
20 SKIP 2
21 RVATOI
22 SEND 'logout\n'
23 EXITRV
90 EXIT 99
EOF
	run "$UNIXCMD" -f "$M" -s "$S" dropped showinfo
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "VDE switch V."* ]]
	[[ "$output" == *"pid $SWPID MAC "* ]]
	[ "${lines[-1]}" = "." ]
	run "$UNIXCMD" -f "$M" -s "$S" dropped port/setvlan x
	[ "$status" -eq 22 ]
	[ "$output" = "" ]
	# $N is argument N (counting from 0), the reply never matches: the IN times out
	cat >"$M" <<'EOF'
TIMEOUT 300
1 IN '$ ' 50
2 SEND 'vlan/create $1\n'
3 COPY
4 OUTSHIFT
5 IN 'never sent' 50
50 COPY
51 EXIT 7
EOF
	local t0=$SECONDS
	run "$UNIXCMD" -f "$M" -s "$S" ignored 12
	[ "$status" -eq 7 ]
	[ $((SECONDS - t0)) -le 3 ]
	# only what came before OUTSHIFT is printed: the banner, not the reply
	[[ "$output" == *'vde$'* ]]
	[[ "$output" != *"1000 Success"* ]]
	run "$UNIXCMD" -s "$S" vlan/print
	[[ "$output" == *"VLAN 0012"* ]]
}

# bad_machine TEXT MESSAGE: unixcmd -f on the machine TEXT (a printf format) exits 255 with
# "unixcmd: MESSAGE" ($M in MESSAGE: the machine's file name).
bad_machine() {
	local M="$BATS_TEST_TMPDIR/m"
	printf "$1" >"$M"
	run "$UNIXCMD" -f "$M" -s "$BATS_TEST_TMPDIR/sw.mgmt" showinfo
	[ "$status" -eq 255 ]
	[ "$output" = "unixcmd: ${2//\$M/$M}" ]
}

@test "unixcmd -f: a missing or broken machine, a missing label, a loop exit 255" {
	start_ref_switch sw
	run "$UNIXCMD" -f "$BATS_TEST_TMPDIR/none" -s "$BATS_TEST_TMPDIR/sw.mgmt" showinfo
	[ "$status" -eq 255 ]
	[ "$output" = "unixcmd: $BATS_TEST_TMPDIR/none: No such file or directory" ]
	bad_machine "1 IN '\$ ' 2\n2 JUMP 1\n" '$M:2: unknown instruction'
	bad_machine "1 SEND 'x\n" '$M:1: unterminated string'
	bad_machine "# nothing\n" '$M:1: no states'
	bad_machine "1 GOTO 42\n" 'the machine has no state 42'
	bad_machine "1 THROW\n2 GOTO 1\n" 'the machine loops without reading'
	bad_machine "1 THROW\n" 'the machine ran past its last state'
}

@test "unixcmd against our switch: data, EINVAL, ENOSYS" {
	[ -x "$SW" ] || skip "our vde_switch is not built"
	start_switch sw
	run "$UNIXCMD" -s "$BATS_TEST_TMPDIR/sw.mgmt" showinfo
	[ "$status" -eq 0 ]
	[[ "$output" == *"pid $SWPID"* ]]
	[[ "$output" != *"0000 DATA"* ]]
	run "$UNIXCMD" -s "$BATS_TEST_TMPDIR/sw.mgmt" port/setvlan x
	[ "$status" -eq 22 ]
	run "$UNIXCMD" -s "$BATS_TEST_TMPDIR/sw.mgmt" no/such/command
	[ "$status" -eq 38 ]
}

@test "unixcmd: unreachable socket, missing command, bad option exit 255" {
	run "$UNIXCMD" -s "$BATS_TEST_TMPDIR/none.mgmt" showinfo
	[ "$status" -eq 255 ]
	[[ "$output" == *"cannot connect to $BATS_TEST_TMPDIR/none.mgmt: No such file or directory"* ]]
	run "$UNIXCMD" -s "$BATS_TEST_TMPDIR/none.mgmt"
	[ "$status" -eq 255 ]
	[[ "$output" == *"Usage:"* ]]
	run "$UNIXCMD" --bogus -s x showinfo
	[ "$status" -eq 255 ]
	run "$UNIXCMD" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--timeout"* ]]
}

@test "unixcmd gives up after its timeout when no prompt comes" {
	fake_server f silent
	SECONDS=0
	run "$UNIXCMD" -t 1 -s "$BATS_TEST_TMPDIR/f.mgmt" showinfo
	[ "$status" -eq 255 ]
	[[ "$output" == *"no prompt from $BATS_TEST_TMPDIR/f.mgmt within 1 s"* ]]
	[ "$SECONDS" -lt 5 ]
}

@test "unixcmd: a server closing before the prompt or in the middle of a reply" {
	fake_server f noprompt-close
	run "$UNIXCMD" -s "$BATS_TEST_TMPDIR/f.mgmt" showinfo
	[ "$status" -eq 255 ]
	[[ "$output" == *"closed the connection before the prompt"* ]]
	kill_started
	rm -f "$BATS_TEST_TMPDIR/f.mgmt"
	fake_server f cut
	run --separate-stderr "$UNIXCMD" -s "$BATS_TEST_TMPDIR/f.mgmt" showinfo
	[ "$status" -eq 255 ]
	[[ "$output" == "first line"* ]]
	[[ "$stderr" == *"closed the connection before the reply"* ]]
}

@test "unixcmd survives garbage, prints text lines to stderr and finds the result" {
	fake_server f garbage
	run --separate-stderr "$UNIXCMD" -s "$BATS_TEST_TMPDIR/f.mgmt" showinfo
	[ "$status" -eq 22 ]
	[ "$output" = "" ]
	[[ "$stderr" == *'\x00\xff\x1b[2J garbage'* ]]
	[[ "$stderr" == *"unixcmd: Invalid argument" ]]
}

@test "unixcmd un-escapes dot lines, ignores debug lines, prints reason lines" {
	fake_server f escaped
	run "$UNIXCMD" -s "$BATS_TEST_TMPDIR/f.mgmt" x
	[ "$status" -eq 0 ]
	[ "$output" = $'.\n.x\nplain' ]
	kill_started
	rm -f "$BATS_TEST_TMPDIR/f.mgmt"
	fake_server f async
	run "$UNIXCMD" -s "$BATS_TEST_TMPDIR/f.mgmt" x
	[ "$status" -eq 0 ]
	[ "$output" = "data" ]
	kill_started
	rm -f "$BATS_TEST_TMPDIR/f.mgmt"
	fake_server f reason
	run --separate-stderr "$UNIXCMD" -s "$BATS_TEST_TMPDIR/f.mgmt" port/remove 7
	[ "$status" -eq 2 ]
	[ "$stderr" = $'port 7 does not exist\nunixcmd: No such file or directory' ]
}

@test "unixcmd copies a huge data block intact" {
	fake_server f huge
	"$UNIXCMD" -s "$BATS_TEST_TMPDIR/f.mgmt" x >"$BATS_TEST_TMPDIR/out"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 20001 ]
	[ "$(sed -n 20000p "$BATS_TEST_TMPDIR/out")" = "019999 $(printf 'x%.0s' $(seq 200))" ]
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/out" | tr -d '\n' | wc -c)" -eq 100000 ]
}

@test "unixcmd sends exactly the command line" {
	fake_server f echo
	run "$UNIXCMD" -s "$BATS_TEST_TMPDIR/f.mgmt" port/print "a  b" c
	[ "$status" -eq 0 ]
	[ "$output" = "port/print a  b c" ]
	run "$UNIXCMD" -s "$BATS_TEST_TMPDIR/f.mgmt" $'two\nlines'
	[ "$status" -eq 255 ]
}

# --- unixterm ------------------------------------------------------------------------------

@test "unixterm copies piped commands and the raw replies" {
	start_ref_switch sw
	run timeout 20 "$UNIXTERM" "$BATS_TEST_TMPDIR/sw.mgmt" < <(printf 'hash/showinfo\nfoo\n\nport/showinfo')
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "VDE switch V."* ]]
	[[ "$output" == *"vde\$ 0000 DATA END WITH '.'"$'\n'"Hash size 128"* ]]
	[[ "$output" == *"1038 Function not implemented"* ]]
	[[ "$output" == *"Numports=32"$'\n'"HUB=false"* ]]
	[[ "$output" == *"1000 Success"$'\n\n'"vde\$ " ]]
}

@test "unixterm ends with the session on logout" {
	start_ref_switch sw
	run timeout 20 "$UNIXTERM" "$BATS_TEST_TMPDIR/sw.mgmt" < <(printf 'logout\nshowinfo\n')
	[ "$status" -eq 0 ]
	[[ "$output" == *"vde\$ 9999 END OF SESSION" ]]
	run "$UNIXTERM" "$BATS_TEST_TMPDIR/none.mgmt" </dev/null
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot connect"* ]]
}

@test "unixterm against our switch" {
	[ -x "$SW" ] || skip "our vde_switch is not built"
	start_switch sw
	run timeout 20 "$UNIXTERM" "$BATS_TEST_TMPDIR/sw.mgmt" < <(printf 'showinfo\nno/such\n')
	[ "$status" -eq 0 ]
	[[ "$output" == *"pid $SWPID"* ]]
	[[ "$output" == *"1038 "* ]]
}

# --- vdeterm -------------------------------------------------------------------------------

@test "vdeterm without a terminal: echoes commands, hides codes" {
	[ -x "$VDETERM" ] || skip "vdeterm not built (no readline)"
	start_ref_switch sw
	local m="$BATS_TEST_TMPDIR/sw.mgmt"
	run timeout 20 "$VDETERM" "$m" < <(printf 'hash/showinfo\nfoo\n\nport/setvlan x')
	[ "$status" -eq 0 ]
	[[ "$output" == *"vde[$m]: hash/showinfo"$'\n'"Hash size 128"$'\n'*"Min persistence 3 secs"$'\n'"Success"* ]]
	[[ "$output" == *"vde[$m]: foo"$'\n'"Function not implemented"* ]]
	[[ "$output" == *"vde[$m]: port/setvlan x"$'\n'"Invalid argument" ]]
	[[ "$output" != *"1000"* ]]
	[[ "$output" != *"0000 DATA"* ]]
}

@test "vdeterm does not pass control characters from the server to the terminal" {
	[ -x "$VDETERM" ] || skip "vdeterm not built (no readline)"
	fake_server f evil
	run timeout 20 "$VDETERM" "$BATS_TEST_TMPDIR/f.mgmt" < <(printf 'x\n')
	[ "$status" -eq 0 ]
	[[ "$output" == *'** DBG MSG: port/descr \x1b[2J'$'\n'* ]]
	[[ "$output" == *'bell\x07'$'\n''Success'* ]]
	[[ "$output" != *$'\x1b'* ]]
	[[ "$output" != *$'\x07'* ]]
}

@test "vdeterm in a terminal: prompt, output, completion, debug lines while typing, Ctrl-D" {
	[ -x "$VDETERM" ] || skip "vdeterm not built (no readline)"
	start_ref_switch sw
	local m="$BATS_TEST_TMPDIR/sw.mgmt"
	VDETERM="$VDETERM" M="$m" CTL="$BATS_TEST_TMPDIR/sw" pty_run <<'EOF'
from ptylib import *
prompt = ("vde[%s]: " % os.environ["M"]).encode()
spawn(os.environ["VDETERM"], os.environ["M"])
p = expect(re.escape(prompt))
send(b"hash/showinfo\r")
p = expect(b"Hash size 128\r\n.*Success\r\n.*" + re.escape(prompt), since=p)
send(b"port/pr\t")
p = expect(re.escape(b"port/print"), since=p)
send(b"\r")
p = expect(b"Success\r\n.*" + re.escape(prompt), since=p)
send(b"debug/add port/\r")
p = expect(b"Success\r\n.*" + re.escape(prompt), since=p)
send(b"hash/show")
p = expect(b"hash/show", since=p)
# Debian's plug on Debian's library (ours may be a sanitizer build it cannot load)
env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
plug = subprocess.Popen(["/usr/bin/vde_plug", "vde://" + os.environ["CTL"]],
                        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env)
p = expect(re.escape(b"** DBG MSG: port/+ 01") + b".*" + re.escape(prompt + b"hash/show"), since=p)
send(b"info\r")
p = expect(b"Hash size 128\r\n", since=p)
expect(re.escape(prompt), since=p)
plug.kill()
plug.wait()
send(b"bogus/line")
p = expect(b"bogus/line", since=p)
send(b"\x03")
p = expect(re.escape(prompt), since=p)
send(b"hash/showinfo\r")
p = expect(b"Hash size 128\r\n", since=p)
send(b"\x04")
sys.exit(0 if wait_exit() == 0 else 1)
EOF
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "vdeterm completion learns the commands of a plugin added in the session" {
	[ -x "$VDETERM" ] || skip "vdeterm not built (no readline)"
	[ -f /usr/lib/vde2/plugins/dump.so ] || skip "Debian's vde2 dump plugin not installed"
	start_ref_switch sw
	VDETERM="$VDETERM" M="$BATS_TEST_TMPDIR/sw.mgmt" pty_run <<'EOF'
from ptylib import *
prompt = re.escape(("vde[%s]: " % os.environ["M"]).encode())
spawn(os.environ["VDETERM"], os.environ["M"])
p = expect(prompt)
send(b"dump/ac\t\r")
p = expect(b"Function not implemented\r\n" + prompt, since=p)
send(b"plugin/add /usr/lib/vde2/plugins/dump.so\r")
p = expect(b"Success\r\n" + prompt, since=p)
send(b"dump/ac\t\r")
p = expect(re.escape(b"dump/active \r\n") + b".*Success\r\n" + prompt, since=p)
send(b"plugin/del dump\r")
p = expect(b"Success\r\n" + prompt, since=p)
send(b"dump/ac\t\r")
p = expect(b"Function not implemented\r\n" + prompt, since=p)
send(b"logout\r")
sys.exit(0 if wait_exit() == 0 else 1)
EOF
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "vdeterm in a terminal: logout ends, a vanished switch is reported" {
	[ -x "$VDETERM" ] || skip "vdeterm not built (no readline)"
	start_ref_switch sw
	VDETERM="$VDETERM" M="$BATS_TEST_TMPDIR/sw.mgmt" pty_run <<'EOF'
from ptylib import *
spawn(os.environ["VDETERM"], os.environ["M"])
expect(b"\\]: ")
send(b"logout\r")
sys.exit(0 if wait_exit() == 0 else 1)
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	VDETERM="$VDETERM" M="$BATS_TEST_TMPDIR/sw.mgmt" SWPID="$SWPID" pty_run <<'EOF'
from ptylib import *
spawn(os.environ["VDETERM"], os.environ["M"])
expect(b"\\]: ")
send(b"hash/sh")
# the switch goes away under vdeterm
os.kill(int(os.environ["SWPID"]), signal.SIGTERM)
expect(b"connection closed by the server")
sys.exit(0 if wait_exit() == 1 else 1)
EOF
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "vdeterm against our switch: prompt and completion" {
	[ -x "$VDETERM" ] || skip "vdeterm not built (no readline)"
	[ -x "$SW" ] || skip "our vde_switch is not built"
	start_switch sw
	VDETERM="$VDETERM" M="$BATS_TEST_TMPDIR/sw.mgmt" pty_run <<'EOF'
from ptylib import *
prompt = ("vde[%s]: " % os.environ["M"]).encode()
spawn(os.environ["VDETERM"], os.environ["M"])
p = expect(re.escape(prompt))
send(b"port/pr\t")
p = expect(re.escape(b"port/print"), since=p)
send(b"\r")
p = expect(re.escape(prompt), since=p)
send(b"no/such\r")
p = expect(b"Function not implemented", since=p)
send(b"logout\r")
sys.exit(0 if wait_exit() == 0 else 1)
EOF
	echo "$output"
	[ "$status" -eq 0 ]
}
