#!/usr/bin/env bats
# vde_switch fast spanning tree: options and fstp/ commands, BPDUs that tshark decodes as valid
# 802.1w RSTP (untagged and tagged), a ring of three and a full mesh of four switches joined by
# vde_plug cables (every broadcast arrives exactly once; cutting an active cable restores
# connectivity within 3 s, measured), hub mode turning the spanning tree off, and the fstp/
# events (root, port state, forwarding on and off) reaching a plugin, before and after a cut.

load ../helpers/common

VC="$HELPERS/vlanclient"
BC=ff:ff:ff:ff:ff:ff

# fsw N [OPTS...]: switch sN with FSTP and MAC 02:00:00:00:00:0N (switch 1 has the lowest id:
# the root) and OPTS; client ports 1..4 are edge ports.
fsw() {
	local n=$1; shift
	start_switch "s$n" -F --macaddr "02:00:00:00:00:0$n" "$@"
	for p in 1 2 3 4; do mgmt "s$n" fstp/setedge 0 $p 1; done
}

# cable A PA B PB: a vde_plug cable from port PA of sA to port PB of sB; CABLE_PID is its PID.
cable() {
	bg "$PLUG" --port "$2" --port2 "$4" "vde://$BATS_TEST_TMPDIR/s$1" \
		"vde://$BATS_TEST_TMPDIR/s$3"
	CABLE_PID=$BG_PID
}

# client NAME SWITCH SCRIPT: vlanclient on port 1 of sSWITCH running SCRIPT; output NAME.out.
client() {
	printf '%b\n' "$3" >"$BATS_TEST_TMPDIR/$1.in"
	bg sh -c 'exec "$1" -p 1 "$2" <"$3" >"$4"' sh "$VC" "$BATS_TEST_TMPDIR/s$2" \
		"$BATS_TEST_TMPDIR/$1.in" "$BATS_TEST_TMPDIR/$1.out"
	wait_for 5 grep -q connected "$BATS_TEST_TMPDIR/$1.out"
}

# roles N: the roles of the ports of sN, one per line.
roles() {
	mgmt "s$1" fstp/print | sed -n 's/.*role=//p'
}

# count_role ROLE N...: how many ports of the given switches have ROLE.
count_role() {
	local r=$1 n=0 s; shift
	for s in "$@"; do n=$((n + $(roles "$s" | grep -c "^$r$" || true))); done
	echo "$n"
}

# converged WANT_ALTERNATES N...: the given switches show that many alternate ports and every
# cable port of them forwards or discards as its role says.
converged() {
	local want=$1; shift
	[ "$(count_role Alternate "$@")" -eq "$want" ] || return 1
	local s
	for s in "$@"; do
		mgmt "s$s" vlan/print 0 | grep -q 'status=Learning' && return 1
	done
	return 0
}

# result NAME: the "got N dup D maxgap G" line of client NAME.
result() {
	wait_for 30 grep -q '^got' "$BATS_TEST_TMPDIR/$1.out"
	grep '^got' "$BATS_TEST_TMPDIR/$1.out"
}

@test "-F, --priority, --macaddr, fstp/showinfo, fstp/setfstp, help and debug categories" {
	start_switch sw -F --priority 4096 --macaddr 02:00:00:00:00:09
	run mgmt sw fstp/showinfo
	[ "${lines[0]}" = "MAC 02:00:00:00:00:09 Priority 4096 (0x1000)" ]
	[ "${lines[1]}" = "FSTP=true" ]
	run mgmt sw fstp/print
	[ "${lines[0]}" = "FST DATA VLAN 0000 ROOTSWITCH " ]
	[ "${lines[1]}" = " ++ root 10:00:02:00:00:00:00:09" ]
	run mgmt sw fstp/print 5;         [ "$status" -eq 6 ]
	run mgmt sw fstp/setedge 5 1 1;   [ "$status" -eq 6 ]
	run mgmt sw fstp/setedge 0 99 1;  [ "$status" -eq 22 ]
	run mgmt sw fstp/bonus 0 3 100;   [ "$status" -eq 0 ]
	run mgmt sw fstp/print 0
	[[ "$output" == *"bonusport 0003 bonuscost 100"* ]]
	run mgmt sw fstp/setfstp 0
	run mgmt sw fstp/showinfo
	[ "${lines[1]}" = "FSTP=false" ]
	run mgmt sw fstp/print
	[[ "${lines[0]}" == *"FSTP IS DISABLED"* ]]
	run mgmt sw debug/list
	[[ "$output" == *"fstp/status            044"* ]]
	[[ "$output" == *"fstp/root              045"* ]]
	[[ "$output" == *"fstp/+                 041"* ]]
	[[ "$output" == *"fstp/-                 042"* ]]
	run "$SW" --help
	[[ "$output" == *"--fstp"* ]]
	[[ "$output" == *"--priority"* ]]
}

@test "hub mode disables FSTP: no BPDUs, and setfstp refuses" {
	start_switch sw -x -F
	run mgmt sw fstp/showinfo
	[ "${lines[1]}" = "FSTP=false" ]
	run mgmt sw fstp/setfstp 1
	[ "$output" = "Can't use fstp in hub mode" ]
	run timeout 10 "$VC" "$BATS_TEST_TMPDIR/sw" <<<"bpdus 1 4500"
	[[ "$output" == *"bpdus 0"* ]]
	start_switch sw2 -F
	run timeout 10 "$VC" "$BATS_TEST_TMPDIR/sw2" <<<"bpdus 1 4500"
	[[ "$output" == *"bpdus 1"* ]]
	mgmt sw2 port/sethub 1
	run mgmt sw2 fstp/showinfo
	[ "${lines[1]}" = "FSTP=false" ]
}

@test "our BPDUs are valid 802.1w RSTP BPDUs for tshark, untagged and tagged" {
	command -v tshark >/dev/null || skip "tshark not installed"
	start_switch sw -F --macaddr 02:00:00:00:00:01
	mgmt sw vlan/create 10
	mgmt sw port/create 2
	mgmt sw vlan/addport 10 2
	timeout 15 "$VC" -p 2 -w "$BATS_TEST_TMPDIR/b.pcap" "$BATS_TEST_TMPDIR/sw" \
		<<<"bpdus 4 6000" >"$BATS_TEST_TMPDIR/b.out"
	grep -q "bpdus 4" "$BATS_TEST_TMPDIR/b.out"
	run tshark -r "$BATS_TEST_TMPDIR/b.pcap" -V
	echo "$output" | head -80
	[ "$status" -eq 0 ]
	[[ "$output" == *"BPDU Type: Rapid/Multiple Spanning Tree (0x02)"* ]]
	[[ "$output" == *"Protocol Version Identifier: Rapid Spanning Tree (2)"* ]]
	[[ "$output" == *"Port Role: Designated"* ]]
	[[ "$output" == *"Root Identifier: 32768 / 0 / 02:00:00:00:00:01"* ]]
	[[ "$output" == *"Hello Time: 2"* ]]
	[[ "$output" == *"Max Age: 20"* ]]
	[[ "$output" == *"Forward Delay: 15"* ]]
	[[ "$output" == *"802.1Q Virtual LAN"* ]]
	[[ "$output" == *"ID: 10"* ]]
	[[ "$output" != *"Malformed"* ]]
	[[ "$output" != *"Expert Info (Error"* ]]
	[[ "$output" != *"Expert Info (Warning"* ]]
}

@test "ring of three switches: one alternate port, every broadcast once, 3 s failover" {
	for i in 1 2 3; do fsw $i; done
	cable 1 10 2 11; C12=$CABLE_PID
	cable 2 10 3 11
	cable 3 10 1 11
	wait_for 10 converged 1 1 2 3
	[ "$(count_role Root 1 2 3)" -eq 2 ]
	client b 2 "gaps 2500"
	client c 3 "gaps 2500"
	client a 1 "sleep 200\nstream 02:00:00:00:00:0a 50 10"
	run result b;  [ "$output" = "got 50 dup 0 maxgap ${output##* }" ]
	run result c;  [ "$output" = "got 50 dup 0 maxgap ${output##* }" ]
	kill_started_clients
	# failover: a stream of 400 frames, one every 10 ms; the cable s1-s2 (active: s1 is the
	# root) is cut after about a second
	rm -f "$BATS_TEST_TMPDIR"/{b,c,a}.out
	client b 2 "gaps 3500"
	client c 3 "gaps 3500"
	client a 1 "sleep 200\nstream 02:00:00:00:00:0a 400 10"
	sleep 1.2
	kill "$C12"
	run result b
	echo "# ring failover, s2's client: $output" >&3
	gap=${output##* }
	[[ "$output" == "got "*" dup 0 maxgap "* ]]
	[ "$gap" -lt 3000 ]
	run result c
	[[ "$output" == "got "*" dup 0 maxgap "* ]]
	wait_for 10 converged 0 1 2 3
}

@test "full mesh of four switches: every broadcast once, 3 s failover" {
	for i in 1 2 3 4; do fsw $i; done
	cable 1 10 2 10; C12=$CABLE_PID
	cable 1 11 3 10
	cable 1 12 4 10
	cable 2 11 3 11
	cable 2 12 4 11
	cable 3 12 4 12
	wait_for 15 converged 3 1 2 3 4
	[ "$(count_role Root 1 2 3 4)" -eq 3 ]
	client b 2 "gaps 2500"
	client c 3 "gaps 2500"
	client d 4 "gaps 2500"
	client a 1 "sleep 200\nstream 02:00:00:00:00:0a 50 10"
	for n in b c d; do
		run result $n
		[ "$output" = "got 50 dup 0 maxgap ${output##* }" ]
	done
	kill_started_clients
	rm -f "$BATS_TEST_TMPDIR"/{a,b,c,d}.out
	client b 2 "gaps 3500"
	client c 3 "gaps 3500"
	client d 4 "gaps 3500"
	client a 1 "sleep 200\nstream 02:00:00:00:00:0a 400 10"
	sleep 1.2
	kill "$C12"
	run result b
	echo "# mesh failover, s2's client: $output" >&3
	gap=${output##* }
	[[ "$output" == "got "*" dup 0 maxgap "* ]]
	[ "$gap" -lt 3000 ]
	for n in c d; do
		run result $n
		[[ "$output" == "got "*" dup 0 maxgap "* ]]
	done
}

@test "two switches, two trunk cables: a spanning tree per VLAN over tagged BPDUs" {
	for i in 1 2; do
		fsw $i
		mgmt "s$i" vlan/create 10
		for p in 1 10 11; do mgmt "s$i" port/create $p; done
		mgmt "s$i" vlan/trunk 10 1
		mgmt "s$i" vlan/trunk 11 1
		mgmt "s$i" port/setvlan 1 10
		mgmt "s$i" fstp/setedge 10 1 1
	done
	cable 1 10 2 10
	cable 1 11 2 11
	alt() { [ "$(mgmt s2 fstp/print "$1" | grep -c role=Alternate)" -eq 1 ]; }
	wait_for 10 alt 0
	wait_for 10 alt 10
	run mgmt s2 fstp/print 10
	[[ "$output" == *"Port 0010 tagged=1 portcost=20000000 role=Root"* ]]
	[[ "$output" == *"Port 0011 tagged=1 portcost=20000000 role=Alternate"* ]]
	run mgmt s2 fstp/print 0
	[[ "$output" == *"Port 0011 tagged=0 portcost=20000000 role=Alternate"* ]]
	client b 2 "gaps 2000"
	client a 1 "sleep 200\nstream 02:00:00:00:00:0a 30 10"
	run result b
	[ "$output" = "got 30 dup 0 maxgap ${output##* }" ]
}

# kill_started_clients: stops the vlanclients of this test (not the switches or cables).
kill_started_clients() {
	local p
	for p in "${VDE_PIDS[@]}"; do
		if grep -q vlanclient "/proc/$p/cmdline" 2>/dev/null; then
			kill "$p" 2>/dev/null || true
		fi
	done
}

@test "fstp/ events reach a plugin: root, states, forwarding; cutting a cable raises new ones" {
	command -v "${CC:-cc}" >/dev/null || skip "no C compiler"
	"${CC:-cc}" -shared -fPIC -I"$BATS_TEST_DIRNAME/../../tools/vde_switch" \
		-o "$BATS_TEST_TMPDIR/evplugin.so" "$BATS_TEST_DIRNAME/../plugins/evplugin.c"
	printf 'plugin/add %s\n' "$BATS_TEST_TMPDIR/evplugin.so" >"$BATS_TEST_TMPDIR/rc"
	fsw 1 -f "$BATS_TEST_TMPDIR/rc"
	fsw 2 -f "$BATS_TEST_TMPDIR/rc"
	ev() { mgmt "s$1" evtest/fstp; }
	has() { ev "$1" | grep -q "^[0-9]* $2\$"; }
	# one cable, then a second one that closes a loop (in that order, so the events are known)
	cable 1 10 2 10; C10=$CABLE_PID
	wait_for 10 has 2 "fstp/+ port 10 vlan 0"
	cable 1 11 2 11
	wait_for 10 has 1 "fstp/+ port 11 vlan 0"
	wait_for 10 converged 1 2
	run ev 2
	echo "$output"
	# s2 learned the root s1 (priority 0x8000, MAC 02:00:00:00:00:01) and forwards to it
	[ "${lines[1]}" = "1 fstp/root vlan 0 root 8000020000000001" ]
	[ "${lines[2]}" = "2 fstp/status port 10 vlan 0 state 2" ]
	[ "${lines[3]}" = "3 fstp/+ port 10 vlan 0" ]
	# the second cable's port is an alternate: it never forwarded
	[[ "$output" != *"port 11"* ]]
	before=${lines[0]##* }
	run ev 1
	echo "$output"
	[[ "$output" == *" fstp/+ port 10 vlan 0"* ]]
	[[ "$output" == *" fstp/+ port 11 vlan 0"* ]]
	[[ "$output" != *"fstp/root"* ]] # s1 was the root from the start
	# cut the root port's cable: s2's alternate takes over, with a new root port
	kill "$C10"
	wait_for 5 has 2 "fstp/+ port 11 vlan 0"
	run ev 2
	echo "$output"
	[ "${lines[0]##* }" -gt "$before" ]
	[[ "$output" == *" fstp/status port 10 vlan 0 state 0"* ]]
	[[ "$output" == *" fstp/- port 10 vlan 0"* ]]
	[[ "$output" == *" fstp/status port 11 vlan 0 state 2"* ]]
	[ "$(grep -c 'fstp/root vlan 0 root 8000020000000001' <<<"$output")" -eq 2 ]
	wait_for 5 has 1 "fstp/- port 10 vlan 0"
}
