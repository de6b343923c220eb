#!/usr/bin/env bats
# dpipe: bidirectional plumbing, chains with ALTERNATE_STDIN/STDOUT, one-directional brackets,
# exit status (the last command's), pid/pgrp files, -n, signal forwarding, and two switches
# joined by "dpipe vde_plug A = vde_plug B".
load ../helpers/common

bats_require_minimum_version 1.5.0

setup() {
	T="$BATS_TEST_TMPDIR"
}

nchildren_is() { [ "$(pgrep -c -P "$1")" -eq "$2" ]; }
size_is() { [ "$(stat -c %s "$1" 2>/dev/null)" = "$2" ]; }
# ports_at_least DIR N: the switch at DIR (management socket DIR.mgmt) has N clients, whatever
# their transport (clients on shared-memory rings leave no socket file).
ports_at_least() { endpoints_atleast "$1.mgmt" "$2"; }

@test "--help exits 0, usage errors exit 1, every option is in the man page" {
	run "$DPIPE" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"=} cmd"* ]]
	for opt in $(grep -o -- '--[a-z]*' <<<"$output" | sort -u); do
		grep -q -- "${opt//-/\\\\-}" "$BATS_TEST_DIRNAME/../../man/dpipe.1" ||
			{ echo "man page lacks $opt"; return 1; }
	done
	run "$DPIPE" true
	[ "$status" -eq 1 ]
	run "$DPIPE" = true
	[ "$status" -eq 1 ]
	run "$DPIPE" true =
	[ "$status" -eq 1 ]
	run "$DPIPE" a =} b {= c
	[ "$status" -eq 1 ]
	[[ "$output" == *"does not match"* ]]
}

@test "exit status is the last command's, like the reference" {
	run "$DPIPE" false = true
	[ "$status" -eq 0 ]
	run "$DPIPE" true = false
	[ "$status" -eq 1 ]
	run "$DPIPE" sh -c 'exit 3' = sh -c 'sleep 0.2; exit 5'
	[ "$status" -eq 5 ]
	run -127 "$DPIPE" true = /nonexistent/cmd
	[[ "$output" == *"/nonexistent/cmd"* ]]
	run "$DPIPE" true = sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
}

@test "a = b: each one's stdout is the other's stdin" {
	run "$DPIPE" sh -c 'echo ping; read x; echo "A:$x" >&2' = sh -c 'read x; echo "B:$x" >&2; echo pong'
	[ "$status" -eq 0 ]
	[[ "$output" == *"B:ping"* ]]
	[[ "$output" == *"A:pong"* ]]
}

@test "a = b = c: the middle command reaches c through ALTERNATE_STDIN/STDOUT" {
	run "$DPIPE" sh -c 'echo hi; read x; echo "A:$x" >&2' \
		= sh -c 'echo "env:$ALTERNATE_STDIN,$ALTERNATE_STDOUT" >&2; read x; echo "mid:$x" >&"$ALTERNATE_STDOUT"; read y <&"$ALTERNATE_STDIN"; echo "b:$y"' \
		= sh -c 'read x; echo "C:$x env:${ALTERNATE_STDIN:-none}" >&2; echo "c:$x"'
	[ "$status" -eq 0 ]
	[[ "$output" == *"env:3,4"* ]]
	[[ "$output" == *"C:mid:hi env:none"* ]]
	[[ "$output" == *"A:b:c:mid:hi"* ]]
}

@test "a =} b }= c is a cycle; ={ {= runs right to left" {
	run "$DPIPE" sh -c 'echo x; read v; echo "A:$v" >&2' =} sed -u 's/$/b/' }= sh -c 'read v; echo "$v"c'
	[ "$status" -eq 0 ]
	[[ "$output" == *"A:xbc"* ]]
	# a -> b -> d -> c -> a, with e on d's alternate descriptors
	run "$DPIPE" sh -c 'echo x; read v; echo "A:$v" >&2' =} sed -u 's/$/b/' }={ sed -u 's/$/c/' {= \
		sh -c 'read v; echo "$v"d; read w <&3; echo "D:$w" >&2; echo bye >&4' = \
		sh -c 'echo e; read z; echo "E:$z" >&2'
	[ "$status" -eq 0 ]
	[[ "$output" == *"A:xbdc"* ]]
	[[ "$output" == *"D:e"* ]]
	[[ "$output" == *"E:bye"* ]]
}

@test "-p and -P write pid and negative pgrp, removed at the end" {
	bg "$DPIPE" -p "$T/pid" -P "$T/pgrp" sleep 30 = sleep 30 3>&-
	wait_for 5 test -s "$T/pgrp"
	[ "$(cat "$T/pid")" = "$BG_PID" ]
	[ "$(cat "$T/pgrp")" = "-$BG_PID" ]
	[ "$(ps -o pgid= -p "$BG_PID" | tr -d ' ')" = "$BG_PID" ]
	kill -TERM -- "$(cat "$T/pgrp")"
	wait_for 5 test ! -e "$T/pid"
	wait_for 5 test ! -e "$T/pgrp"
}

@test "SIGTERM to dpipe reaches every command" {
	bg "$DPIPE" sleep 31 = sleep 32 3>&-
	wait_for 5 nchildren_is "$BG_PID" 2
	kids=$(pgrep -P "$BG_PID")
	kill -TERM "$BG_PID"
	for k in $kids; do wait_for 5 bash -c "! kill -0 $k"; done
	wait_for 5 bash -c "! kill -0 $BG_PID"
}

@test "-n: dpipe becomes the last command; the cleanup process removes the pidfile" {
	bg "$DPIPE" -n -p "$T/pid" sleep 30 = sh -c 'echo $$ >"$0"; exec sleep 30' "$T/self" 3>&-
	wait_for 5 test -s "$T/self"
	[ "$(cat "$T/self")" = "$BG_PID" ]
	[ "$(cat "$T/pid")" = "$BG_PID" ]
	kill -TERM "$BG_PID"
	wait_for 5 test ! -e "$T/pid"
	bg "$DPIPE" -N -p "$T/pid2" sleep 30 = sleep 30 3>&-
	wait_for 5 test -s "$T/pid2"
	kill -TERM "$BG_PID"
	sleep 0.5
	[ -e "$T/pid2" ]
}

@test "-d daemonizes: the caller returns at once, the pidfile names the daemon" {
	run "$DPIPE" -d -p "$T/pid" sleep 30 = sleep 30
	[ "$status" -eq 0 ]
	wait_for 5 test -s "$T/pid"
	pid=$(cat "$T/pid")
	VDE_PIDS+=("$pid")
	kill -0 "$pid"
	kill -TERM "$pid"
	wait_for 5 test ! -e "$T/pid"
}

@test "dpipe vde_plug A = vde_plug B joins two switches" {
	if [ -x "$SW" ]; then start_switch a; start_switch b; else start_ref_switch a; start_ref_switch b; fi
	bg "$DPIPE" "$PLUG" "$T/a" = "$PLUG" "$T/b" 3>&-
	cable=$BG_PID
	# a receiver on b (stdin kept open), a sender on a
	bg bash -c '"$0" "$1" < <(sleep 60) >"$2"' "$PLUG" "$T/b" "$T/rx.out" 3>&-
	wait_for 5 ports_at_least "$T/b" 2
	python3 -c 'import sys; f=b"\xff"*6+b"\x02\0\0\0\0\x09\x08\x00"+b"z"*50; sys.stdout.buffer.write(len(f).to_bytes(2,"big")+f)' |
		"$PLUG" "$T/a"
	wait_for 5 size_is "$T/rx.out" 66
	grep -q zzzzzzzz "$T/rx.out"
	# switch b goes away: its plug ends, the other sees EOF and ends, dpipe exits 0
	kill -TERM "$SWPID"
	wait_for 5 bash -c "! kill -0 $cable"
	wait "$cable"
}
