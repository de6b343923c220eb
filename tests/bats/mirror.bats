#!/usr/bin/env bats
# vde_switch port mirroring (port/mirror SRC DST rx|tx|both, off) with at-most-once copies,
# MAC table caps (hash/setmaxport, hash/setmax) with refusal counters, the keyed hash and
# resizing without flushing.

load ../helpers/common

export RAW="$HELPERS/rawclient"

A=02:00:00:00:00:0a
B=02:00:00:00:00:0b

# scenario: clients A (port 1), B (port 2), M (port 3), C (port 4). B broadcasts once, then A
# sends 3 unicast frames to B and one broadcast. Prints the frames seen by "M B C".
scenario() {
	local d=$BATS_TEST_TMPDIR
	rm -f "$d"/{m,b,c}.out
	( echo "count 100 3500" ) | "$RAW" -p 3 "$d/sw" >"$d/m.out" &
	VDE_PIDS+=($!)
	( echo "count 100 3500" ) | "$RAW" -p 4 "$d/sw" >"$d/c.out" &
	VDE_PIDS+=($!)
	wait_for 5 bash -c "[ \$(ls '$d/sw' | grep -c '^00[34]\.') -eq 2 ]"
	( echo "sleep 100"; echo "send ff:ff:ff:ff:ff:ff $B 60"; echo "count 100 3200" ) |
		"$RAW" -p 2 "$d/sw" >"$d/b.out" &
	VDE_PIDS+=($!)
	wait_for 5 bash -c "[[ \$(ls '$d/sw') == *002.* ]]"
	( echo "sleep 500"; echo "send $B $A 60 3"; echo "send ff:ff:ff:ff:ff:ff $A 60"
	  echo "sleep 200" ) | "$RAW" -p 1 "$d/sw" >/dev/null
	wait_for 8 bash -c "grep -q count '$d/m.out' && grep -q count '$d/b.out' &&
		grep -q count '$d/c.out'"
	echo "$(sed -n 's/count //p' "$d/m.out") $(sed -n 's/count //p' "$d/b.out")" \
		"$(sed -n 's/count //p' "$d/c.out")"
	wait_for 5 bash -c "! ls '$d/sw' | grep -q '^00[1-4]\.'"
}

@test "port/mirror copies received, sent or both to another port, once, and turns off" {
	start_switch sw
	run scenario
	[ "$output" = "2 4 2" ]
	run mgmt sw "port/mirror 1 3 rx"
	[ "$status" -eq 0 ]
	run scenario
	[ "$output" = "5 4 2" ]
	run mgmt sw "port/mirror 1 off"
	run mgmt sw "port/mirror 2 3 tx"
	run scenario
	[ "$output" = "5 4 2" ]
	run mgmt sw port/mirrorprint
	[ "$output" = "Port 0002 tx   -> Port 0003" ]
	run mgmt sw "port/mirror 2 off"
	run mgmt sw "port/mirror 1 4"
	run scenario
	[ "$output" = "2 4 5" ]
	run mgmt sw "port/mirror 1 off"
	run mgmt sw port/mirrorprint
	[ -z "$output" ]
	run scenario
	[ "$output" = "2 4 2" ]
}

@test "port/mirror refuses bad arguments" {
	start_switch sw
	for c in "port/mirror 1 1" "port/mirror 1 33" "port/mirror 1 2 sideways" "port/mirror 1" \
		"port/mirror x 2" "port/mirror 1 2 rx 4"; do
		run mgmt sw "$c"
		[ "$status" -ne 0 ] || { echo "$c accepted"; false; }
		[[ "$output" == *"Invalid argument"* ]]
	done
}

@test "per-port and table MAC caps refuse and count, other ports keep learning" {
	start_switch sw
	run mgmt sw "hash/setmaxport 5"
	[ "$status" -eq 0 ]
	(
		for i in $(seq 10 29); do echo "send ff:ff:ff:ff:ff:ff 02:00:00:00:01:$i 60"; done
		echo "sleep 200"
	) | "$RAW" -p 1 "$BATS_TEST_TMPDIR/sw" >/dev/null
	( echo "send ff:ff:ff:ff:ff:ff 02:00:00:00:02:01 60"; echo "sleep 5000" ) |
		"$RAW" -p 2 "$BATS_TEST_TMPDIR/sw" >/dev/null &
	VDE_PIDS+=($!)
	wait_for 5 bash -c "'$UNIXCMD' -s '$BATS_TEST_TMPDIR/sw.mgmt' hash/print | grep -q 'port: 002'"
	run mgmt sw hash/print
	[ "$(grep -c 'to port: 001' <<<"$output")" -eq 0 ] # port 1 went away: flushed
	run mgmt sw port/stats
	[[ "$output" == *"MAC per-port cap: 5 (0 none), 15 not learned (port full)"* ]]
	run mgmt sw "port/stats 2"
	[[ "$output" == *"-- MACs 1 refused 0"* ]]
	run mgmt sw hash/showinfo
	[[ "$output" == *"Max entries per port 5"* ]]
	# a port that stays: its MACs stop at the cap, the counter says how many were refused
	( for i in $(seq 10 29); do echo "send ff:ff:ff:ff:ff:ff 02:00:00:00:03:$i 60"; done
	  echo "sleep 5000" ) | "$RAW" -p 3 "$BATS_TEST_TMPDIR/sw" >/dev/null &
	VDE_PIDS+=($!)
	wait_for 5 bash -c "'$UNIXCMD' -s '$BATS_TEST_TMPDIR/sw.mgmt' port/stats 3 | grep -q 'refused 15'"
	run mgmt sw "port/stats 3"
	[[ "$output" == *"-- MACs 5 refused 15"* ]]
	# the table cap
	run mgmt sw "hash/setmaxport 0"
	run mgmt sw "hash/setmax 7"
	( for i in $(seq 10 19); do echo "send ff:ff:ff:ff:ff:ff 02:00:00:00:04:$i 60"; done
	  echo "sleep 5000" ) | "$RAW" -p 4 "$BATS_TEST_TMPDIR/sw" >/dev/null &
	VDE_PIDS+=($!)
	wait_for 5 bash -c "'$UNIXCMD' -s '$BATS_TEST_TMPDIR/sw.mgmt' port/stats 4 | grep -q 'refused 9'"
	run mgmt sw port/stats
	[[ "$output" == *"MAC table: 7 entries (max 7), 9 not learned (full)"* ]]
	run mgmt sw "hash/setmax 0"
	[ "$status" -ne 0 ]
}

@test "the MAC hash is keyed per switch; resizing keeps the table" {
	start_switch sw
	( for i in 1 2 3 4 5 6 7 8; do echo "send ff:ff:ff:ff:ff:ff 02:00:00:00:00:0$i 60"; done
	  echo "sleep 8000" ) | "$RAW" -p 1 "$BATS_TEST_TMPDIR/sw" >/dev/null &
	VDE_PIDS+=($!)
	wait_for 5 bash -c "[ \$('$UNIXCMD' -s '$BATS_TEST_TMPDIR/sw.mgmt' hash/print | wc -l) -eq 8 ]"
	one=$(mgmt sw hash/print | sed 's/ *age.*//' | sort)
	start_switch sw2
	( for i in 1 2 3 4 5 6 7 8; do echo "send ff:ff:ff:ff:ff:ff 02:00:00:00:00:0$i 60"; done
	  echo "sleep 8000" ) | "$RAW" -p 1 "$BATS_TEST_TMPDIR/sw2" >/dev/null &
	VDE_PIDS+=($!)
	wait_for 5 bash -c "[ \$('$UNIXCMD' -s '$BATS_TEST_TMPDIR/sw2.mgmt' hash/print | wc -l) -eq 8 ]"
	two=$(mgmt sw2 hash/print | sed 's/ *age.*//' | sort)
	# same MACs, same ports, other buckets (8 MACs all alike by chance: 1 in 128^8)
	[ "$one" != "$two" ]
	[ "$(sed 's/^Hash: [0-9]* //' <<<"$one" | sort)" = "$(sed 's/^Hash: [0-9]* //' <<<"$two" | sort)" ]
	run mgmt sw "hash/setsize 4096"
	[ "$status" -eq 0 ]
	run mgmt sw hash/print
	[ "${#lines[@]}" -eq 8 ]
	[[ "$output" == *"Addr: 02:00:00:00:00:05 VLAN 0000 to port: 001"* ]]
}
