#!/usr/bin/env bats
# QEMU (Debian's binary, linked with Debian's libvdeplug.so.2) as a real VDE client: it attaches
# to our switch and to Debian's, and runs on our libvdeplug through LD_LIBRARY_PATH (checked in
# /proc/PID/maps). No guest is booted: a paused TCG machine is enough to open the netdev, and a
# CPU-less machine ("-M none") with a hub between two vde netdevs forwards frames like a cable.

load ../helpers/common

QEMU=qemu-system-x86_64
REF_LIB=/usr/lib/x86_64-linux-gnu/libvdeplug.so.2

setup() {
	command -v "$QEMU" >/dev/null || skip "$QEMU not installed"
	T=$BATS_TEST_TMPDIR
	OUR_LIB="$VDE_BIN/libvdeplug/.libs/libvdeplug.so.2"
}

# start_qemu ARGS...: QEMU in the background with no display, monitor or default devices.
start_qemu() {
	bg env "${ON_OUR_LIB[@]}" "$QEMU" -accel tcg -display none -nodefaults -monitor none -serial none "$@" \
		2>>"$T/qemu.log"
	QEMU_PID=$BG_PID
}

# maps_lib PID: the libvdeplug files PID has mapped, resolved, one per line.
maps_lib() {
	awk '$6 ~ /libvdeplug/ {print $6}' "/proc/$1/maps" | sort -u | xargs -r readlink -f
}

@test "QEMU -nic vde attaches to our switch as \"QEMU\"" {
	start_switch sw
	start_qemu -S -m 32 -nic "vde,sock=$T/sw"
	wait_for 10 port_has sw QEMU
	run mgmt sw port/print
	echo "$output"
	[[ "$output" =~ endpoint\ ID\ [0-9]+\ module\ unix\ prog\ +:\ QEMU ]]
	[[ "$output" == *ACTIVE* ]]
}

@test "QEMU runs on our libvdeplug (LD_LIBRARY_PATH), not Debian's" {
	[ -e "$OUR_LIB" ] || skip "our libvdeplug is not built"
	start_switch sw
	start_qemu -S -m 32 -nic "vde,sock=$T/sw"
	wait_for 10 port_has sw QEMU
	run maps_lib "$QEMU_PID"
	echo "$output"
	grep -qxF "$(readlink -f "$OUR_LIB")" <<<"$output"
	! grep -qxF "$(readlink -f "$REF_LIB")" <<<"$output" || false
	# and it took the shared-memory rings of our switch
	run mgmt sw ds/showinfo
	[[ "$output" == *"endpoints 0 datagram, 1 shared memory, 0 tap"* ]]
}

@test "QEMU on our libvdeplug attaches to Debian's switch" {
	[ -x "$REF_SW" ] || skip "vde_switch (Debian) not installed"
	start_ref_switch sw
	start_qemu -S -m 32 -nic "vde,sock=$T/sw"
	wait_for 10 port_has sw QEMU
	run maps_lib "$QEMU_PID"
	grep -qxF "$(readlink -f "$OUR_LIB")" <<<"$output"
	! grep -qxF "$(readlink -f "$REF_LIB")" <<<"$output" || false
}

@test "QEMU on Debian's libvdeplug attaches to our switch" {
	[ -e "$REF_LIB" ] || skip "Debian's libvdeplug2 not installed"
	start_switch sw
	bg env -u LD_LIBRARY_PATH "$QEMU" -accel tcg -display none -nodefaults -monitor none \
		-serial none -S -m 32 -nic "vde,sock=$T/sw"
	wait_for 10 port_has sw QEMU
	run maps_lib "$BG_PID"
	echo "$output"
	grep -qxF "$(readlink -f "$REF_LIB")" <<<"$output"
	! grep -qxF "$(readlink -f "$OUR_LIB")" <<<"$output" || false
}

@test "QEMU asks for an explicit port (-netdev vde,port=5) and gets it" {
	start_switch sw
	start_qemu -M none -netdev "vde,id=v0,sock=$T/sw,port=5"
	wait_for 10 port_has sw QEMU
	run mgmt sw port/print
	echo "$output"
	[[ "$output" == *"Port 0005 "*"QEMU"* ]]
}

@test "QEMU's port goes away when QEMU exits" {
	start_switch sw
	start_qemu -M none -netdev "vde,id=v0,sock=$T/sw"
	wait_for 10 port_has sw QEMU
	kill -TERM "$QEMU_PID"
	wait_for 10 port_lacks sw QEMU
}

@test "QEMU cables two of our switches (a hub of two vde netdevs), both directions" {
	start_switch a
	start_switch b
	start_qemu -M none -netdev "vde,id=va,sock=$T/a" -netdev "vde,id=vb,sock=$T/b" \
		-netdev hubport,id=ha,hubid=0,netdev=va -netdev hubport,id=hb,hubid=0,netdev=vb
	wait_for 10 port_has a QEMU
	wait_for 10 port_has b QEMU
	pkt_recv_bg "$T/got_b" "$T/b" --count 3 --from 02:00:00:00:30:01
	"$PKT" send "$T/a" --size 1514 --count 3 --interval 2 --src 02:00:00:00:30:01 >"$T/sent_a"
	wait "$PKT_PID"
	diff "$T/sent_a" "$T/got_b"
	pkt_recv_bg "$T/got_a" "$T/a" --count 3 --from 02:00:00:00:30:02
	"$PKT" send "$T/b" --size 60 --count 3 --interval 2 --src 02:00:00:00:30:02 >"$T/sent_b"
	wait "$PKT_PID"
	diff "$T/sent_b" "$T/got_a"
}

@test "QEMU cables our switch to Debian's switch on our libvdeplug" {
	[ -x "$REF_SW" ] || skip "vde_switch (Debian) not installed"
	start_switch ours
	start_ref_switch theirs
	start_qemu -M none -netdev "vde,id=va,sock=$T/ours" -netdev "vde,id=vb,sock=$T/theirs" \
		-netdev hubport,id=ha,hubid=0,netdev=va -netdev hubport,id=hb,hubid=0,netdev=vb
	wait_for 10 port_has ours QEMU
	wait_for 10 port_has theirs QEMU
	pkt_recv_bg "$T/got" "$T/theirs" --count 2 --from 02:00:00:00:31:01
	"$PKT" send "$T/ours" --size 1514 --count 2 --interval 2 --src 02:00:00:00:31:01 >"$T/sent"
	wait "$PKT_PID"
	diff "$T/sent" "$T/got"
	pkt_recv_bg "$T/got2" "$T/ours" --count 2 --from 02:00:00:00:31:02
	"$PKT" send "$T/theirs" --size 500 --count 2 --interval 2 --src 02:00:00:00:31:02 >"$T/sent2"
	wait "$PKT_PID"
	diff "$T/sent2" "$T/got2"
}
