#!/usr/bin/env bats
# The shared-memory data path between our libvdeplug and our switch: taken by default, frames
# of every size cross it, VDEPLUG_SHM=0 and --noshm keep datagrams, the reference switch never
# sees it, and bad offers or a ring broken by its client never hurt the switch.
load ../helpers/common

PT="$HELPERS/plugtest"
SHMC="$HELPERS/shmclient"

# endpoints NAME: the "endpoints ..." line of ds/showinfo
endpoints() {
	mgmt "$1" ds/showinfo | grep '^endpoints '
}

# exchange DIR SIZE COUNT [ENV...]: a receiver and a sender through the switch at DIR; all
# frames arrive intact and in order.
exchange() {
	local dir=$1 size=$2 count=$3; shift 3
	bg env "$@" "$PT" -r "$count" -t 10 "$dir" >"$BATS_TEST_TMPDIR/rx.out" 3>&-
	local rx=$BG_PID
	sleep 0.3
	run env "$@" "$PT" -s "$count" -z "$size" "vde://$dir"
	[ "$status" -eq 0 ]
	wait "$rx"
	[ "$(grep -c "^frame $size [0-9]* ok$" "$BATS_TEST_TMPDIR/rx.out")" -eq "$count" ]
	[ "$(awk '{print $3}' "$BATS_TEST_TMPDIR/rx.out" | tr '\n' ' ')" = \
	  "$(seq 0 $((count - 1)) | tr '\n' ' ')" ]
}

@test "our library on our switch takes the rings: no datagram socket, ds/showinfo counts it" {
	start_switch sw
	bg env -u VDEPLUG_SHM "$PT" -H "$BATS_TEST_TMPDIR/sw" </dev/null >"$BATS_TEST_TMPDIR/h.out" 3>&-
	wait_for 5 grep -q '^ready$' "$BATS_TEST_TMPDIR/h.out"
	run endpoints sw
	[ "$output" = "endpoints 0 datagram, 1 shared memory, 0 tap" ]
	# neither the client's socket (.PID-N) nor the switch's (NNN.fd) exists in the directory
	run bash -c "ls -A '$BATS_TEST_TMPDIR/sw'"
	[ "$output" = "ctl" ]
	# the memfd is mapped in the switch
	grep -q 'vdeplug-shm' "/proc/$SWPID/maps"
}

@test "frames of 60, 1514, 9000 and 65535 bytes cross the rings intact and in order" {
	start_switch sw
	exchange "$BATS_TEST_TMPDIR/sw" 60 200
	exchange "$BATS_TEST_TMPDIR/sw" 1514 100
	exchange "$BATS_TEST_TMPDIR/sw" 9000 50
	exchange "$BATS_TEST_TMPDIR/sw" 65535 20
}

@test "rings are the default: any VDEPLUG_SHM value but 0 keeps them" {
	start_switch sw
	bg env VDEPLUG_SHM=yes "$PT" -H "$BATS_TEST_TMPDIR/sw" </dev/null >"$BATS_TEST_TMPDIR/h.out" 3>&-
	wait_for 5 grep -q '^ready$' "$BATS_TEST_TMPDIR/h.out"
	run endpoints sw
	[ "$output" = "endpoints 0 datagram, 1 shared memory, 0 tap" ]
}

@test "VDEPLUG_SHM=0 keeps the client on datagrams; frames still cross" {
	start_switch sw
	bg env VDEPLUG_SHM=0 "$PT" -H "$BATS_TEST_TMPDIR/sw" </dev/null >"$BATS_TEST_TMPDIR/h.out" 3>&-
	wait_for 5 grep -q '^ready$' "$BATS_TEST_TMPDIR/h.out"
	run endpoints sw
	[ "$output" = "endpoints 1 datagram, 0 shared memory, 0 tap" ]
	exchange "$BATS_TEST_TMPDIR/sw" 1514 50 VDEPLUG_SHM=0
}

@test "--noshm: the switch refuses offers, clients fall back to datagrams" {
	start_switch sw --noshm
	bg "$PT" -H "$BATS_TEST_TMPDIR/sw" </dev/null >"$BATS_TEST_TMPDIR/h.out" 3>&-
	wait_for 5 grep -q '^ready$' "$BATS_TEST_TMPDIR/h.out"
	run endpoints sw
	[ "$output" = "endpoints 1 datagram, 0 shared memory (refused: --noshm), 0 tap" ]
	exchange "$BATS_TEST_TMPDIR/sw" 9000 20
}

@test "a ring client and a datagram client talk to each other" {
	start_switch sw
	bg env VDEPLUG_SHM=0 "$PT" -r 50 -t 10 "$BATS_TEST_TMPDIR/sw" >"$BATS_TEST_TMPDIR/rx.out" 3>&-
	local rx=$BG_PID
	sleep 0.3
	run "$PT" -s 50 -z 1000 "$BATS_TEST_TMPDIR/sw"
	[ "$status" -eq 0 ]
	wait "$rx"
	[ "$(grep -c '^frame 1000 [0-9]* ok$' "$BATS_TEST_TMPDIR/rx.out")" -eq 50 ]
}

@test "Debian's switch never sees the offer: our library stays on datagrams with it" {
	start_ref_switch sw
	exchange "$BATS_TEST_TMPDIR/sw" 1514 50
	# the client's datagram socket is in the reference's directory while it is connected
	bg "$PT" -H "$BATS_TEST_TMPDIR/sw" </dev/null >"$BATS_TEST_TMPDIR/h.out" 3>&-
	wait_for 5 grep -q '^ready$' "$BATS_TEST_TMPDIR/h.out"
	run bash -c "ls -A '$BATS_TEST_TMPDIR/sw' | grep -c '^\.[0-9]'"
	[ "$output" -ge 1 ]
}

@test "bad offers are not taken: the client gets datagrams, the switch says why and serves on" {
	start_switch sw
	local mode
	for mode in unsealed pipe eventfd fewfds badmagic hugering; do
		run "$SHMC" "$BATS_TEST_TMPDIR/sw" "$mode"
		echo "# $mode: $output" >&3
		[ "$status" -eq 0 ]
		[ "$output" = dgram ]
	done
	run "$SHMC" "$BATS_TEST_TMPDIR/sw" good
	[ "$output" = shm ]
	grep -q "offer of uid [0-9]* not taken: not a memfd sealed against shrinking" \
		"$BATS_TEST_TMPDIR/sw.log"
	[ "$(grep -c "not taken: a doorbell is not a unix stream socket" "$BATS_TEST_TMPDIR/sw.log")" -eq 2 ]
	grep -q "not taken: wrong number of descriptors" "$BATS_TEST_TMPDIR/sw.log"
	grep -q "not taken: bad shared memory header" "$BATS_TEST_TMPDIR/sw.log"
	exchange "$BATS_TEST_TMPDIR/sw" 60 20
	kill -0 "$SWPID"
}

@test "a client that breaks its ring loses its endpoint; the switch serves on, leaks nothing" {
	start_switch sw
	local before
	before=$(ls "/proc/$SWPID/fd" | wc -l)
	run "$SHMC" "$BATS_TEST_TMPDIR/sw" corrupt
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = shm ]
	[ "${lines[1]}" = closed ]
	grep -q "shared memory ring corrupted by the client: closed" "$BATS_TEST_TMPDIR/sw.log"
	run endpoints sw
	[ "$output" = "endpoints 0 datagram, 0 shared memory, 0 tap" ]
	wait_for 5 bash -c "[ \$(ls /proc/$SWPID/fd | wc -l) -eq $before ]"
	! grep -q 'shmclient' "/proc/$SWPID/maps"
	exchange "$BATS_TEST_TMPDIR/sw" 1514 20
}

@test "a client that closes its doorbell loses its endpoint (no spinning on EOF)" {
	start_switch sw
	run "$SHMC" "$BATS_TEST_TMPDIR/sw" bellclose
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = shm ]
	[ "${lines[1]}" = closed ]
	run endpoints sw
	[ "$output" = "endpoints 0 datagram, 0 shared memory, 0 tap" ]
}

@test "the switch goes away: a ring client sees its control stream end" {
	start_switch sw
	bg "$PT" -H "$BATS_TEST_TMPDIR/sw" </dev/null >"$BATS_TEST_TMPDIR/h.out" 3>&-
	local pt=$BG_PID
	wait_for 5 grep -q '^ready$' "$BATS_TEST_TMPDIR/h.out"
	kill "$SWPID"
	# plugtest -H sees the control stream end and exits by itself
	wait_for 5 bash -c "! kill -0 $pt"
	grep -q '^ctl eof$' "$BATS_TEST_TMPDIR/h.out"
}

@test "a slow ring reader costs only its own queue; a fast one meanwhile gets everything" {
	start_switch sw
	# a reader that never reads: its ring (1 MiB) and then its switch queue fill, then drops
	bg "$PT" -H "$BATS_TEST_TMPDIR/sw" </dev/null >"$BATS_TEST_TMPDIR/h.out" 3>&-
	wait_for 5 grep -q '^ready$' "$BATS_TEST_TMPDIR/h.out"
	# broadcast frames reach both the stuck reader and the live one
	bg "$PT" -r 3000 -t 20 "$BATS_TEST_TMPDIR/sw" >"$BATS_TEST_TMPDIR/rx.out" 3>&-
	local rx=$BG_PID
	sleep 0.3
	# paced (about 10000 frames/s): the live reader keeps up, the stuck one cannot
	run "$PT" -s 3000 -z 1514 -i 100 "$BATS_TEST_TMPDIR/sw"
	[ "$status" -eq 0 ]
	wait "$rx"
	[ "$(grep -c '^frame 1514 [0-9]* ok$' "$BATS_TEST_TMPDIR/rx.out")" -eq 3000 ]
	# the stuck reader's endpoint dropped what its ring and queue could not hold
	run mgmt sw port/stats
	echo "$output"
	[[ "$output" =~ queued\ [0-9]+\ dropped\ ([1-9][0-9]*) ]]
}

@test "a client that sends and leaves at once: every frame it sent still goes out (rings and datagrams)" {
	start_switch sw
	bg "$PT" -r 300 -t 10 "$BATS_TEST_TMPDIR/sw" >"$BATS_TEST_TMPDIR/rx.out" 3>&-
	local rx=$BG_PID
	sleep 0.3
	# 300 frames left in the ring, never rung for, by a client that exits right away
	run "$SHMC" "$BATS_TEST_TMPDIR/sw" sendleave
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = shm ]
	[ "${lines[1]}" = "sent 300" ]
	wait "$rx"
	[ "$(grep -c '^frame 1000 [0-9]* ok$' "$BATS_TEST_TMPDIR/rx.out")" -eq 300 ]
	[ "$(awk '{print $3}' "$BATS_TEST_TMPDIR/rx.out" | tr '\n' ' ')" = \
	  "$(seq 0 299 | tr '\n' ' ')" ]
	# a datagram client's frames still queued on the data socket when it leaves: the same
	exchange "$BATS_TEST_TMPDIR/sw" 1514 500 VDEPLUG_SHM=0
}
