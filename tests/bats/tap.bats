#!/usr/bin/env bats
# vde_switch tap ports: -t (repeatable, comma-separated), tap/add and tap/del at run time, two
# network namespaces talking through tap-switch-tap (ping, a TCP file transfer, jumbo frames
# whole), taps moved into a namespace keep working. Needs root, /dev/net/tun and ip netns.

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
	run mgmt sw port/print
	[[ "$output" =~ IN:\ \ pkts\ +[0-9]{3,} ]]
}

@test "-t may be repeated; tap/add and tap/del work at run time" {
	start_switch sw -t "$TA" -tap "$TB"
	run mgmt sw tap/print
	[[ "$output" == *"tap $TA"* ]] && [[ "$output" == *"tap $TB"* ]]
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
	[ -n "$id" ] && [ -n "$port" ]
	run mgmt sw "port/epclose $((10#$port)) $((10#$id))"
	[ "$status" -eq 0 ]
	run mgmt sw tap/print
	[[ "$output" != *"tap $TA"* ]]
	run ip netns exec "$NSA" ip link show "$TA"
	[ "$status" -ne 0 ]
}

@test "jumbo frames up to the tap MTU cross whole" {
	start_switch sw -t "$TA,$TB"
	to_ns "$TA" "$NSA" 10.77.2.1 65521
	to_ns "$TB" "$NSB" 10.77.2.2 65521
	wait_for 10 ip netns exec "$NSA" ping -c 1 -W 1 10.77.2.2
	# an unfragmented 65521-byte IP packet is a 65535-byte frame
	run ip netns exec "$NSA" ping -c 2 -W 2 -M do -s $((65521 - 28)) 10.77.2.2
	[ "$status" -eq 0 ]
	run ip netns exec "$NSA" ping -c 1 -W 2 -M do -s 9000 10.77.2.2
	[ "$status" -eq 0 ]
	run mgmt sw port/stats
	[[ "$output" != *"oversize 1"* ]]
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
