#!/usr/bin/env bats
# vde_switch tap ports: -t (repeatable, comma-separated), tap/add and tap/del at run time, two
# network namespaces talking through tap-switch-tap (ping, a TCP file transfer, jumbo frames
# whole), taps moved into a namespace keep working. Offloads: TCP super-frames cross whole
# between vnet taps, and are segmented for a cable to another switch (plain and 802.1Q-tagged)
# and for a mirror port. Needs root, /dev/net/tun and ip netns.

load ../helpers/common

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	command -v ip >/dev/null || skip "no ip"
	command -v python3 >/dev/null || skip "python3 needed"
	# short random names: interface names are at most 15 bytes
	TAG=$(printf '%04x%02x' $((RANDOM)) $((RANDOM % 256)))
	TA=va$TAG TB=vb$TAG NSA=vdeA$TAG NSB=vdeB$TAG
	ip netns add "$NSA" || skip "cannot create network namespaces"
	ip netns add "$NSB"
}

teardown() {
	kill_started
	ip netns del "$NSA" 2>/dev/null || true
	ip netns del "$NSB" 2>/dev/null || true
	ip link del "$TA" 2>/dev/null || true
	ip link del "$TB" 2>/dev/null || true
}

# xfer MB ADDR: MB megabytes of random data over TCP from $NSA to ADDR:5555 in $NSB, compared.
xfer() {
	head -c "$1M" /dev/urandom >"$BATS_TEST_TMPDIR/file"
	rm -f "$BATS_TEST_TMPDIR/recv"
	bg timeout 30 ip netns exec "$NSB" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[2], 5555)); s.listen(1); s.settimeout(20)
c, _ = s.accept(); c.settimeout(20)
with open(sys.argv[1], "wb") as f:
    while True:
        d = c.recv(1 << 20)
        if not d: break
        f.write(d)
' "$BATS_TEST_TMPDIR/recv" "$2"
	local srv=$BG_PID
	timeout 30 ip netns exec "$NSA" python3 -c '
import socket, sys, time
for i in range(100):
    try:
        s = socket.create_connection((sys.argv[2], 5555), timeout=20); break
    except OSError: time.sleep(0.05)
s.sendall(open(sys.argv[1], "rb").read()); s.close()
' "$BATS_TEST_TMPDIR/file" "$2"
	timeout 30 tail --pid="$srv" -f /dev/null
	cmp "$BATS_TEST_TMPDIR/file" "$BATS_TEST_TMPDIR/recv"
}

# tapstat SW IF FIELD: a counter of IF in tap/print of switch SW ("in", "out", "bad").
tapstat() {
	mgmt "$1" tap/print | sed -n "s/^tap $2 .* $3 \([0-9]*\).*/\1/p"
}

# ordinary SW: "N M K" from tap/print: offloaded frames made ordinary, into, failures.
ordinary() {
	mgmt "$1" tap/print |
		sed -n 's/^made ordinary: \([0-9]*\) offloaded frames into \([0-9]*\), \([0-9]*\).*/\1 \2 \3/p'
}

# cable: a dpipe vde_plug cable between switches sw and sw2, waited for on both.
cable() {
	bg "$DPIPE" "$PLUG" "$BATS_TEST_TMPDIR/sw" = "$PLUG" "$BATS_TEST_TMPDIR/sw2"
	wait_for 5 bash -c "'$UNIXCMD' -s '$BATS_TEST_TMPDIR/sw.mgmt' port/print | grep -q 'Port 0002'"
	wait_for 5 bash -c "'$UNIXCMD' -s '$BATS_TEST_TMPDIR/sw2.mgmt' port/print | grep -q 'Port 0002'"
}

# xfer_segmented NET: NSA (NET.1) sends 20 MB to NSB (NET.2) across the cable from sw to sw2;
# sw made its super-frames ordinary frames, several each, losing none, and none on the cable
# was larger than the MTU allows.
xfer_segmented() {
	to_ns "$TA" "$NSA" "$1.1"
	to_ns "$TB" "$NSB" "$1.2"
	wait_for 10 ip netns exec "$NSA" ping -c 1 -W 1 "$1.2"
	xfer 20 "$1.2"
	read -r n m k <<<"$(ordinary sw)"
	[ "$n" -gt 10 ]
	[ "$m" -gt $((2 * n)) ]
	[ "$k" = 0 ]
	run mgmt sw2 port/stats
	[[ "$output" != *"oversize 1"* ]]
}

# to_ns IF NS ADDR [MTU]: moves tap IF into NS with ADDR/24 and brings it up.
to_ns() {
	ip link set "$1" netns "$2"
	ip -n "$2" addr add "$3/24" dev "$1"
	[ -z "${4:-}" ] || ip -n "$2" link set "$1" mtu "$4"
	ip -n "$2" link set "$1" up
	ip -n "$2" link set lo up
}

@test "-t with a comma-separated list: two namespaces ping and move a file over TCP" {
	start_switch sw -t "$TA,$TB"
	run mgmt sw port/print
	[[ "$output" == *"module tuntap      : $TA"* ]]
	[[ "$output" == *"module tuntap      : $TB"* ]]
	to_ns "$TA" "$NSA" 10.77.0.1
	to_ns "$TB" "$NSB" 10.77.0.2
	wait_for 10 ip netns exec "$NSA" ping -c 1 -W 1 10.77.0.2
	run ip netns exec "$NSB" ping -c 3 -i 0.2 -W 2 10.77.0.1
	[ "$status" -eq 0 ]
	head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/file"
	bg ip netns exec "$NSB" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.2", 5555)); s.listen(1); s.settimeout(20)
c, _ = s.accept(); c.settimeout(20)
with open(sys.argv[1], "wb") as f:
    while True:
        d = c.recv(65536)
        if not d: break
        f.write(d)
' "$BATS_TEST_TMPDIR/recv"
	SRV=$BG_PID
	sleep 0.5
	timeout 30 ip netns exec "$NSA" python3 -c '
import socket, sys, time
for i in range(50):
    try:
        s = socket.create_connection(("10.77.0.2", 5555), timeout=20); break
    except OSError: time.sleep(0.1)
s.sendall(open(sys.argv[1], "rb").read()); s.close()
' "$BATS_TEST_TMPDIR/file"
	timeout 30 tail --pid="$SRV" -f /dev/null
	cmp "$BATS_TEST_TMPDIR/file" "$BATS_TEST_TMPDIR/recv"
	# the sender's port (the first) counted the bytes; super-frames count as one frame each
	run mgmt sw port/print
	[[ "$output" =~ IN:\ \ pkts\ +[0-9]+\ +bytes\ +[0-9]{7,} ]]
}

@test "-t may be repeated; tap/add and tap/del work at run time" {
	start_switch sw -t "$TA" -tap "$TB"
	run mgmt sw tap/print
	[[ "$output" == *"tap $TA"* ]]
	[[ "$output" == *"tap $TB"* ]]
	run mgmt sw "tap/del $TB"
	[ "$status" -eq 0 ]
	run ip link show "$TB"
	[ "$status" -ne 0 ]
	run mgmt sw "tap/del $TB"
	[ "$status" -ne 0 ]
	run mgmt sw "tap/add $TB"
	[ "$status" -eq 0 ]
	ip link show "$TB"
	run mgmt sw "tap/add $TB"
	[ "$status" -ne 0 ]
	run mgmt sw "tap/add bad/name"
	[ "$status" -ne 0 ]
	run mgmt sw "tap/add 0123456789abcdefghij"
	[ "$status" -ne 0 ]
	to_ns "$TA" "$NSA" 10.77.1.1
	to_ns "$TB" "$NSB" 10.77.1.2
	wait_for 10 ip netns exec "$NSA" ping -c 1 -W 1 10.77.1.2
	# the endpoint ID of a tap can be closed like any other
	id=$(mgmt sw port/print | sed -n "s/.*endpoint ID \([0-9]*\) module tuntap *: $TA\$/\1/p")
	port=$(mgmt sw tap/print | sed -n "s/^tap $TA *port \([0-9]*\).*/\1/p")
	[ -n "$id" ]
	[ -n "$port" ]
	run mgmt sw "port/epclose $((10#$port)) $((10#$id))"
	[ "$status" -eq 0 ]
	run mgmt sw tap/print
	[[ "$output" != *"tap $TA"* ]]
	run ip netns exec "$NSA" ip link show "$TA"
	[ "$status" -ne 0 ]
}

@test "jumbo frames up to the tap MTU cross whole, TCP included" {
	start_switch sw -t "$TA,$TB"
	# 65521 is the largest MTU of a tap
	to_ns "$TA" "$NSA" 10.77.2.1 65521
	to_ns "$TB" "$NSB" 10.77.2.2 65521
	wait_for 10 ip netns exec "$NSA" ping -c 1 -W 1 10.77.2.2
	# an unfragmented 65521-byte IP packet is a 65535-byte frame
	run ip netns exec "$NSA" ping -c 2 -W 2 -M do -s $((65521 - 28)) 10.77.2.2
	[ "$status" -eq 0 ]
	run ip netns exec "$NSA" ping -c 1 -W 2 -M do -s 9000 10.77.2.2
	[ "$status" -eq 0 ]
	xfer 20 10.77.2.2
	run mgmt sw port/stats
	[[ "$output" != *"oversize 1"* ]]
	[ "$(tapstat sw "$TA" bad)" = 0 ]
}

@test "offloads: TCP super-frames cross whole between two vnet taps" {
	start_switch sw -t "$TA,$TB"
	run mgmt sw tap/print
	[[ "$output" == *"tap $TA "*"offload tso"* ]]
	[[ "$output" == *"tap $TB "*"offload tso"* ]]
	to_ns "$TA" "$NSA" 10.77.3.1
	to_ns "$TB" "$NSB" 10.77.3.2
	wait_for 10 ip netns exec "$NSA" ping -c 1 -W 1 10.77.3.2
	xfer 40 10.77.3.2
	# the sender's tap handed over super-frames, the receiver's took them whole
	[ "$(tapstat sw "$TA" in)" -gt 10 ]
	[ "$(tapstat sw "$TB" out)" -gt 10 ]
	[ "$(tapstat sw "$TA" bad)" = 0 ]
	[ "$(tapstat sw "$TB" bad)" = 0 ]
	# nothing had to be segmented or checksummed by the switch
	[ "$(ordinary sw)" = "0 0 0" ]
	# super-frames count as one frame: fewer frames than 1500-byte frames would need
	pkts=$(mgmt sw port/print | awk '/IN: +pkts/ { print $3; exit }')
	[ "$pkts" -lt 20000 ]
}

@test "offloads: a cable to another switch gets super-frames segmented" {
	start_switch sw -t "$TA"
	start_switch sw2 -t "$TB"
	cable
	xfer_segmented 10.77.4
	[ "$(tapstat sw "$TA" in)" -gt 10 ]
}

@test "offloads: super-frames tagged for a VLAN trunk cable are segmented with their tag" {
	start_switch sw -t "$TA"
	start_switch sw2 -t "$TB"
	cable
	for s in sw sw2; do
		mgmt $s vlan/create 10
		mgmt $s port/setvlan 1 10
		mgmt $s vlan/addport 10 2
	done
	xfer_segmented 10.77.5
}

@test "offloads: a mirror port without offloads gets ordinary frames" {
	start_switch sw -t "$TA,$TB"
	# a datagram client that keeps reading (background jobs get /dev/null as stdin)
	bg sh -c "echo 'count 100000000 20000' | exec '$HELPERS/rawclient' -p 5 '$BATS_TEST_TMPDIR/sw'"
	wait_for 5 bash -c "'$UNIXCMD' -s '$BATS_TEST_TMPDIR/sw.mgmt' port/print | grep -q 'Port 0005'"
	mgmt sw port/mirror 1 5 rx
	to_ns "$TA" "$NSA" 10.77.6.1
	to_ns "$TB" "$NSB" 10.77.6.2
	wait_for 10 ip netns exec "$NSA" ping -c 1 -W 1 10.77.6.2
	xfer 20 10.77.6.2
	[ "$(tapstat sw "$TA" in)" -gt 10 ]
	read -r n m k <<<"$(ordinary sw)"
	[ "$n" -gt 10 ]
	[ "$m" -gt $((2 * n)) ]
	[ "$k" = 0 ]
	# the receiving tap still got super-frames whole
	[ "$(tapstat sw "$TB" out)" -gt 10 ]
	# the mirror port was sent segments (20 MB would be 14000 of them), not super-frames
	out=$(mgmt sw port/print 5)
	pkts=$(awk '/OUT: +pkts/ { print $3; exit }' <<<"$out")
	bytes=$(awk '/OUT: +pkts/ { print $5; exit }' <<<"$out")
	[ "$pkts" -gt 5000 ]
	[ $((bytes / pkts)) -le 1514 ]
}

@test "offloads: packet/in filters (pdump) see ordinary frames, and the transfer still works" {
	[ -f "$BUILDDIR/plugins/.libs/pdump.so" ] || skip "no pdump plugin"
	cap=$BATS_TEST_TMPDIR/cap.pcap
	printf '%s\n' "plugin/add $BUILDDIR/plugins/.libs/pdump.so" "pdump/filename $cap" \
		"pdump/buffered 0" "pdump/active 1" >"$BATS_TEST_TMPDIR/rc"
	start_switch sw -f "$BATS_TEST_TMPDIR/rc" -t "$TA,$TB"
	to_ns "$TA" "$NSA" 10.77.7.1
	to_ns "$TB" "$NSB" 10.77.7.2
	wait_for 10 ip netns exec "$NSA" ping -c 1 -W 1 10.77.7.2
	xfer 10 10.77.7.2
	[ "$(tapstat sw "$TA" in)" -gt 10 ]
	read -r n m k <<<"$(ordinary sw)"
	[ "$n" -gt 10 ]
	[ "$m" -gt $((2 * n)) ]
	[ "$k" = 0 ]
	# the capture holds every segment (10 MB), none longer than 1514 bytes
	run python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read(); o = 24; n = tot = big = 0
while o + 16 <= len(d):
    incl, orig = struct.unpack("<II", d[o + 8:o + 16]); o += 16 + incl
    n += 1; tot += orig; big = max(big, orig)
print(n, tot, big)' "$cap"
	read -r frames bytes biggest <<<"$output"
	[ "$frames" -gt 7000 ]
	[ "$bytes" -gt 10000000 ]
	[ "$biggest" -le 1514 ]
}

@test "a switch without the right to create a tap says so and exits 1" {
	start_switch sw
	run mgmt sw "tap/add $TA"
	[ "$status" -eq 0 ]
	run mgmt sw "tap/del $TA"
	[ "$status" -eq 0 ]
	d=$(mktemp -d /tmp/vdetap.XXXXXX)
	chmod 777 "$d"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$SW" --nostdin -s "$d/sw" -t "$TB"
	rm -rf "$d"
	[ "$status" -ne 0 ]
	[[ "$output" == *"tap $TB"* ]]
	run mgmt sw showinfo
	[ "$status" -eq 0 ]
}

@test "a tap deleted from outside is closed and its port freed, without spinning" {
	start_switch sw -t "$TA"
	run mgmt sw tap/print
	[[ "$output" == *"tap $TA"* ]]
	ip link del "$TA"
	wait_for 5 bash -c "! '$UNIXCMD' -s '$BATS_TEST_TMPDIR/sw.mgmt' tap/print | grep -q '$TA'"
	run mgmt sw port/print
	[[ "$output" != *tuntap* ]]
	t0=$(awk '{print $14 + $15}' "/proc/$SWPID/stat")
	sleep 1
	t1=$(awk '{print $14 + $15}' "/proc/$SWPID/stat")
	[ $((t1 - t0)) -lt 20 ]
	# and the name can be used again
	run mgmt sw "tap/add $TA"
	[ "$status" -eq 0 ]
}
