#!/usr/bin/env bats
# vde_switch VLANs: the vlan/ commands and port/setvlan with the reference's result codes, tagged
# (802.1Q frames from tests/helpers/vlanclient, as UML/QEMU guests send them) and untagged ports
# of one VLAN talking, VLANs isolated from each other, trunk ports, a Linux VLAN interface in a
# network namespace talking through a trunk tap port (where the host kernel has 802.1Q), and a
# User-Mode Linux guest's 802.1Q interfaces (its own 8021q module) talking through a trunk port.

load ../helpers/common

VC="$HELPERS/vlanclient"
BC=ff:ff:ff:ff:ff:ff
NETNS=()

teardown() {
	kill_started
	local n p
	for n in "${NETNS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
	# UML helper processes outlive a guest that crashed or timed out (and hold bats' output
	# open): those of this test carry its directory on their command line
	[ -n "${UML_BOOTED:-}" ] || return 0
	for p in /proc/[0-9]*; do
		if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q "uml_dir=$BATS_TEST_TMPDIR "; then
			kill -KILL "${p#/proc/}" 2>/dev/null || true
		fi
	done
}

# client NAME PORT SCRIPT: vlanclient on port PORT of switch "sw" running the lines of SCRIPT
# (a sleep first, so that every client is connected before anyone sends); output in NAME.out.
client() {
	printf '%b\n' "$3" >"$BATS_TEST_TMPDIR/$1.in"
	bg sh -c 'exec "$1" -p "$2" "$3" <"$4" >"$5"' sh "$VC" "$2" "$BATS_TEST_TMPDIR/sw" \
		"$BATS_TEST_TMPDIR/$1.in" "$BATS_TEST_TMPDIR/$1.out"
	wait_for 5 grep -q connected "$BATS_TEST_TMPDIR/$1.out"
}

# frames NAME: the frames client NAME received (once it is done).
frames() {
	wait_for 10 grep -q '^done' "$BATS_TEST_TMPDIR/$1.out"
	grep '^frame' "$BATS_TEST_TMPDIR/$1.out" || true
}

@test "vlan/ commands and port/setvlan give the reference's codes" {
	start_switch sw
	run mgmt sw vlan/print
	[ "$output" = "VLAN 0000" ]
	run mgmt sw vlan/create 0;    [ "$status" -eq 22 ]
	run mgmt sw vlan/create 4094; [ "$status" -eq 22 ]
	run mgmt sw vlan/create 4093; [ "$status" -eq 0 ]
	run mgmt sw vlan/create 10;   [ "$status" -eq 0 ]
	run mgmt sw vlan/create 10;   [ "$status" -eq 17 ]
	run mgmt sw vlan/remove 0;    [ "$status" -eq 22 ]  # the reference accepts it, then crashes
	run mgmt sw vlan/remove 11;   [ "$status" -eq 6 ]
	mgmt sw port/create 3
	run mgmt sw port/setvlan 3 11; [ "$status" -eq 6 ]
	run mgmt sw port/setvlan 5 10; [ "$status" -eq 6 ]
	run mgmt sw port/setvlan 3 4095; [ "$status" -eq 0 ]
	run mgmt sw port/setvlan 3 10; [ "$status" -eq 0 ]
	run mgmt sw vlan/remove 10;   [ "$status" -eq 98 ]
	run mgmt sw vlan/addport 10 4; [ "$status" -eq 6 ]
	run mgmt sw vlan/addport 12 3; [ "$status" -eq 6 ]
	run mgmt sw vlan/addport 5000 3; [ "$status" -eq 22 ]
	run mgmt sw vlan/addport 10 99; [ "$status" -eq 22 ]
	run mgmt sw vlan/addport 0 3; [ "$status" -eq 0 ]
	run mgmt sw vlan/delport 10 3; [ "$status" -eq 98 ]
	run mgmt sw vlan/delport 0 3; [ "$status" -eq 0 ]
	mgmt sw vlan/addport 0 3
	mgmt sw vlan/create 20
	mgmt sw vlan/addport 20 3
	run mgmt sw vlan/remove 20;   [ "$status" -eq 98 ]
	run mgmt sw vlan/print 21;    [ "$status" -eq 6 ]
	run mgmt sw vlan/allprint
	[ "${lines[0]}" = "VLAN 0000" ]
	[ "${lines[1]}" = " -- Port 0003 tagged=1 active=0 status=Forwarding" ]
	[ "${lines[2]}" = "VLAN 0010" ]
	[ "${lines[3]}" = " -- Port 0003 tagged=0 active=0 status=Forwarding" ]
	[ "${lines[4]}" = "VLAN 0020" ]
	[ "${lines[5]}" = " -- Port 0003 tagged=1 active=0 status=Forwarding" ]
	[ "${lines[6]}" = "VLAN 4093" ]
	run mgmt sw vlan/print
	[ "${#lines[@]}" -eq 4 ]   # inactive ports are left out
	run mgmt sw port/allprint 3
	[[ "$output" == *"untagged_vlan=0010"* ]]
	mgmt sw vlan/delport 20 3
	run mgmt sw vlan/remove 20;   [ "$status" -eq 0 ]
	run mgmt sw help vlan
	[[ "$output" == *"vlan/trunk"* ]]
}

@test "tagged and untagged ports of one VLAN talk; other VLANs hear nothing" {
	start_switch sw
	mgmt sw vlan/create 10
	for p in 1 2 3 4; do mgmt sw port/create $p; done
	mgmt sw port/setvlan 1 10      # A: untagged in VLAN 10
	mgmt sw vlan/addport 10 2      # B: tagged member of VLAN 10 (and untagged in VLAN 0)
	                               # C (port 3): untagged in VLAN 0
	mgmt sw vlan/addport 10 4
	mgmt sw port/setvlan 4 4095    # D: VLAN 10 tagged only, no untagged traffic
	client a 1 "sleep 500\nsend $BC 02:00:00:00:00:0a -\nsleep 300\nrecv 800"
	client b 2 "sleep 800\nsend $BC 02:00:00:00:00:0b 10\nsleep 100\nsend $BC 02:00:00:00:00:0b 30\nrecv 800"
	client c 3 "recv 1800"
	client d 4 "sleep 1100\nsend $BC 02:00:00:00:00:0d -\nrecv 800"
	run frames b
	echo "b: $output"
	[ "$output" = "frame $BC 02:00:00:00:00:0a tag=10 len=68" ]
	run frames a
	echo "a: $output"
	[ "$output" = "frame $BC 02:00:00:00:00:0b tag=none len=60" ]
	run frames d
	echo "d: $output"
	[ "${lines[0]}" = "frame $BC 02:00:00:00:00:0a tag=10 len=68" ]
	[ "${lines[1]}" = "frame $BC 02:00:00:00:00:0b tag=10 len=64" ]
	[ "${#lines[@]}" -eq 2 ]
	run frames c
	[ -z "$output" ]
	run mgmt sw port/stats 2
	echo "$output"
	[[ "$output" == *"vlan 1 "* ]]  # VLAN 30: B is no member
	run mgmt sw port/stats 4
	[[ "$output" == *"vlan 1 "* ]]  # untagged frame on a 4095 port
}

@test "known unicast is tagged or untagged for the port it goes to" {
	start_switch sw
	mgmt sw vlan/create 7
	for p in 1 2 3; do mgmt sw port/create $p; done
	mgmt sw port/setvlan 1 7
	mgmt sw vlan/addport 7 2
	mgmt sw vlan/addport 7 3
	client a 1 "sleep 400\nsend $BC 02:00:00:00:00:0a -\nsleep 300\nsend 02:00:00:00:00:0b 02:00:00:00:00:0a -\nrecv 600"
	client b 2 "sleep 500\nsend $BC 02:00:00:00:00:0b 7\nsleep 400\nsend 02:00:00:00:00:0a 02:00:00:00:00:0b 7\nrecv 600"
	client c 3 "recv 1500"
	run frames b
	[ "${lines[1]}" = "frame 02:00:00:00:00:0b 02:00:00:00:00:0a tag=7 len=68" ]
	run frames a
	[ "${lines[1]}" = "frame 02:00:00:00:00:0a 02:00:00:00:00:0b tag=none len=60" ]
	run frames c
	[ "${#lines[@]}" -eq 2 ]   # the two broadcasts, never the unicasts
}

@test "a trunk port carries every VLAN tagged and its own untagged" {
	start_switch sw
	mgmt sw vlan/create 10
	mgmt sw vlan/create 20
	for p in 1 2 3 4; do mgmt sw port/create $p; done
	mgmt sw port/setvlan 1 10
	mgmt sw port/setvlan 3 20
	run mgmt sw vlan/trunk 2 1; [ "$status" -eq 0 ]
	run mgmt sw vlan/trunk 9 1; [ "$status" -eq 6 ]
	run mgmt sw vlan/trunk 2 2; [ "$status" -eq 22 ]
	client a 1 "sleep 400\nsend $BC 02:00:00:00:00:0a -\nrecv 1000"
	client t 2 "sleep 700\nsend $BC 02:00:00:00:00:0e 20\nsend $BC 02:00:00:00:00:0e 99\nrecv 1000"
	client c 3 "sleep 500\nsend $BC 02:00:00:00:00:0c -\nrecv 1000"
	client d 4 "sleep 600\nsend $BC 02:00:00:00:00:0d -\nrecv 1000"
	run frames t
	echo "t: $output"
	[ "${lines[0]}" = "frame $BC 02:00:00:00:00:0a tag=10 len=68" ]
	[ "${lines[1]}" = "frame $BC 02:00:00:00:00:0c tag=20 len=68" ]
	[ "${lines[2]}" = "frame $BC 02:00:00:00:00:0d tag=none len=64" ]
	[ "${#lines[@]}" -eq 3 ]
	run frames c
	[ "$output" = "frame $BC 02:00:00:00:00:0e tag=none len=60" ]
	run frames a
	[ -z "$output" ]
	run frames d
	[ -z "$output" ]
	run mgmt sw vlan/allprint 20
	[[ "$output" == *"Port 0002 tagged=1 active=0"* ]]
	[[ "$output" == *"Port 0003 tagged=0 active=0"* ]]
}

@test "a Linux VLAN interface in a namespace talks through a trunk tap port" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	"$SW" --help | grep -q -- --tap || skip "switch without tap ports"
	TAG=$(printf '%04x%02x' $((RANDOM)) $((RANDOM % 256)))
	TA=qa$TAG TB=qb$TAG NSA=vlA$TAG NSB=vlB$TAG
	ip netns add "$NSA" || skip "cannot create network namespaces"
	NETNS+=("$NSA")
	ip netns add "$NSB"
	NETNS+=("$NSB")
	start_switch sw -t "$TA,$TB"
	run mgmt sw port/print
	pa=$(echo "$output" | awk -v t="$TA" '/^Port/ {p=$2+0} index($0, ": " t) {print p}')
	pb=$(echo "$output" | awk -v t="$TB" '/^Port/ {p=$2+0} index($0, ": " t) {print p}')
	[ -n "$pa" ]
	[ -n "$pb" ]
	mgmt sw vlan/create 10
	mgmt sw vlan/trunk "$pa" 1
	mgmt sw port/setvlan "$pb" 10
	ip link set "$TA" netns "$NSA"
	ip -n "$NSA" link set "$TA" up
	if ! ip -n "$NSA" link add link "$TA" name "$TA.10" type vlan id 10; then
		skip "this kernel has no 802.1Q VLAN interfaces"
	fi
	ip -n "$NSA" addr add 10.66.10.1/24 dev "$TA.10"
	ip -n "$NSA" link set "$TA.10" up
	ip -n "$NSA" addr add 10.66.0.1/24 dev "$TA"
	ip link set "$TB" netns "$NSB"
	ip -n "$NSB" addr add 10.66.10.2/24 dev "$TB"
	ip -n "$NSB" link set "$TB" up
	wait_for 10 ip netns exec "$NSA" ping -c 1 -W 1 10.66.10.2
	run ip netns exec "$NSB" ping -c 3 -i 0.2 -W 2 10.66.10.1
	[ "$status" -eq 0 ]
	# the untagged side of the trunk is VLAN 0: B (VLAN 10) cannot reach it
	ip -n "$NSB" addr add 10.66.0.2/24 dev "$TB"
	run ip netns exec "$NSB" ping -c 1 -W 1 10.66.0.1
	[ "$status" -ne 0 ]
}

@test "a UML guest's 802.1Q interfaces talk through a trunk port, and VLANs stay apart" {
	local uml=/usr/bin/linux.uml T=$BATS_TEST_TMPDIR init hw guest=02:00:00:00:45:02
	[ -x "$uml" ] || skip "user-mode-linux not installed"
	command -v ping >/dev/null || skip "ping (iputils-ping) not installed: the guest needs it"
	command -v insmod >/dev/null || skip "insmod (kmod) not installed: the guest needs it"
	find /usr/lib/uml/modules -name 8021q.ko 2>/dev/null | grep -q . ||
		skip "the UML kernel's modules have no 8021q.ko"
	init=$(readlink -f "$BATS_TEST_DIRNAME/../helpers/uml-init.sh")
	case "$T$init" in
	*[[:space:]]*) skip "UML command lines cannot carry paths with blanks" ;;
	esac
	local cmd=("$uml")
	[ -x "$HELPERS/uml-run" ] && cmd=("$HELPERS/uml-run" "$uml")
	# UML switches FP state with FXSAVE only (see uml-run.c): keep the guest's glibc off AVX.
	hw="glibc.cpu.hwcaps=-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD"
	hw+=",-AVX2,-AVX,-FMA,-FMA4,-F16C,-XSAVEC"
	# port 1: the guest's trunk; 2: VLAN 10; 3 and 4: VLAN 20, where 4 claims the address of
	# VLAN 10's station (it must never hear the guest's VLAN 10 traffic)
	start_switch sw
	mgmt sw vlan/create 10
	mgmt sw vlan/create 20
	for p in 1 2 3 4; do mgmt sw port/create "$p"; done
	mgmt sw vlan/trunk 1 1
	mgmt sw port/setvlan 2 10
	mgmt sw port/setvlan 3 20
	mgmt sw port/setvlan 4 20
	local p ip n=0
	for p in 2:10.0.10.1 3:10.0.20.1 4:10.0.10.1; do
		ip=${p#*:} p=${p%%:*}
		bg "$PKT" echo "vde://$T/sw[$p]" --ip "$ip" --src "02:00:00:00:45:1$p" \
			--ready "$T/echo$p.ready" >"$T/echo$p"
		wait_for 5 test -e "$T/echo$p.ready"
	done
	# UML loads libvdeplug.so.2 at run time: ours, unless it is a sanitizer build's (UML crashes
	# with the sanitizer runtimes preloaded), then Debian's
	local noours=()
	[ ${#ON_OUR_LIB[@]} -eq 0 ] || noours=(-u LD_LIBRARY_PATH)
	UML_BOOTED=1
	TMPDIR=$T timeout 60 env "${noours[@]}" "${cmd[@]}" mem=256M root=/dev/root \
		rootfstype=hostfs rootflags=/ ro \
		"init=$init" con=null con0=null,fd:1 umid=vlan1 "uml_dir=$T" "GLIBC_TUNABLES=$hw" \
		"eth0=vde,$T/sw,$guest,1" UML_MODS=llc,stp,garp,mrp,8021q \
		UML_VLANS=eth0.10=10.0.10.2/24,eth0.20=10.0.20.2/24 UML_PING=10.0.10.1,10.0.20.1 \
		>"$T/g.log" 2>&1 </dev/null || true
	grep -a UMLTEST "$T/g.log" || tail -20 "$T/g.log"
	for p in 2 3 4; do echo "echo$p:"; cat "$T/echo$p"; done
	grep -q "UMLTEST insmod 8021q" "$T/g.log"
	# (the console interleaves kernel messages with the guest's lines: match whole words only)
	[ "$(grep -ac "UMLTEST vlan eth0" "$T/g.log")" -eq 2 ]
	! grep -aq "UMLTEST vlan-failed" "$T/g.log"
	grep -q "UMLTEST ping-ok 10.0.10.1" "$T/g.log"
	grep -q "UMLTEST ping-ok 10.0.20.1" "$T/g.log"
	# each station heard its own VLAN only: untagged, from the guest's VLAN address
	grep -q "arp who-has 10.0.10.1 from $guest" "$T/echo2"
	[ "$(grep -c "icmp echo from 10.0.10.2" "$T/echo2")" -eq 3 ]
	[ "$(grep -c "icmp echo from 10.0.20.2" "$T/echo3")" -eq 3 ]
	[ ! -s "$T/echo4" ]
}

@test "tagged frames from a namespace (packet socket) cross a trunk tap port both ways" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	"$SW" --help | grep -q -- --tap || skip "switch without tap ports"
	TAG=$(printf '%04x%02x' $((RANDOM)) $((RANDOM % 256)))
	TA=qt$TAG NSA=vlT$TAG
	ip netns add "$NSA" || skip "cannot create network namespaces"
	NETNS+=("$NSA")
	start_switch sw -t "$TA"
	run mgmt sw port/print
	pa=$(echo "$output" | awk -v t="$TA" '/^Port/ {p=$2+0} index($0, ": " t) {print p}')
	[ -n "$pa" ]
	mgmt sw vlan/create 10
	mgmt sw vlan/trunk "$pa" 1
	mgmt sw port/create 5
	mgmt sw port/setvlan 5 10
	ip link set "$TA" netns "$NSA"
	ip -n "$NSA" link set "$TA" up
	client v 5 "sleep 1000\nsend $BC 02:00:00:00:00:05 -\nrecv 1000"
	# in the namespace: broadcasts tagged 10 until v's answer comes back; report its VLAN
	run timeout 20 ip netns exec "$NSA" python3 -c '
import socket, struct, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.bind((sys.argv[1], 0))
s.setsockopt(263, 8, 1)  # SOL_PACKET, PACKET_AUXDATA: the tag if the kernel took it out
s.settimeout(0.2)
f = b"\xff" * 6 + bytes.fromhex("020000000077") + bytes.fromhex("8100000a88b5") + bytes(46)
end = time.time() + 8
while time.time() < end:
    s.send(f)
    try:
        d, anc, _, _ = s.recvmsg(2048, 256)
    except socket.timeout:
        continue
    if d[6:12] != bytes.fromhex("020000000005"):
        continue
    vid = None
    if d[12:14] == b"\x81\x00":
        vid = struct.unpack("!H", d[14:16])[0] & 0xfff
    for lvl, typ, data in anc:
        if lvl == 263 and typ == 8:
            st, ln, snap, mac, net, tci, tpid = struct.unpack("IIIHHHH", data[:20])
            if st & (1 << 4):  # TP_STATUS_VLAN_VALID
                vid = tci & 0xfff
    print("vid", vid, flush=True)
    break
' "$TA"
	[ "$output" = "vid 10" ]
	run frames v
	echo "v: $output"
	[ "${lines[0]}" = "frame $BC 02:00:00:00:00:77 tag=none len=60" ]
}
