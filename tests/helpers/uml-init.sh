#!/bin/bash
# uml-init.sh: PID 1 of the User-Mode Linux guests booted by tests/bats/interop_uml.bats.
# The root is the host's / over hostfs, read-only. Parameters come from the kernel command line
# through the environment: UML_IFS="eth0=10.0.0.2/24 ..." to configure, UML_PING=ADDR to ping,
# UML_UDP=ADDR:PORT:TEXT to send one datagram and wait for an echo (the kernel command line
# splits on blanks, hence the colons), UML_WAIT=1 to stay up until a line comes on the console.
# UML_MODS=llc,stp,... loads the UML kernel's own modules in that order (insmod, from
# /usr/lib/uml/modules), UML_VLANS="eth0.10=10.0.10.2/24,..." adds 802.1Q interfaces on top of
# eth0, and UML_PING may list several addresses separated by commas.
# Results are printed as "UMLTEST ..." lines; the guest powers off at the end.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
echo "UMLTEST booted"

ip link set lo up
moddir=/usr/lib/uml/modules/$(uname -r)
for mod in ${UML_MODS//,/ }; do
	# the path from modules.dep (find over hostfs was seen to return truncated names)
	file=$(sed -n "s|^\(.*/$mod\.ko\):.*|\1|p" "$moddir/modules.dep" 2>/dev/null)
	if [ -n "$file" ] && insmod "$moddir/$file"; then
		echo "UMLTEST insmod $mod"
	else
		echo "UMLTEST insmod-failed $mod"
	fi
done
for spec in $UML_IFS; do
	dev=${spec%%=*}
	addr=${spec#*=}
	if ip link set "$dev" up && ip addr add "$addr" dev "$dev"; then
		mac=$(cat "/sys/class/net/$dev/address")
		echo "UMLTEST if $dev $addr $mac"
	else
		echo "UMLTEST if-failed $dev"
	fi
done

for spec in ${UML_VLANS//,/ }; do
	dev=${spec%%=*}
	addr=${spec#*=}
	parent=${dev%.*}
	if ip link set "$parent" up &&
		ip link add link "$parent" name "$dev" type vlan id "${dev##*.}" &&
		ip link set "$dev" up && ip addr add "$addr" dev "$dev"; then
		echo "UMLTEST vlan $dev $addr"
	else
		echo "UMLTEST vlan-failed $dev"
	fi
done

for dest in ${UML_PING//,/ }; do
	if ping -n -c "${UML_PING_COUNT:-3}" -i 0.2 -W 2 "$dest" >/tmp/ping.out 2>&1; then
		echo "UMLTEST ping-ok $dest"
	else
		echo "UMLTEST ping-failed $dest"
	fi
	sed 's/^/UMLTEST ping: /' /tmp/ping.out
done

if [ -n "$UML_UDP" ]; then
	IFS=: read -r uaddr uport utext <<<"$UML_UDP"
	if exec 3<>"/dev/udp/$uaddr/$uport" && printf '%s' "$utext" >&3; then
		echo "UMLTEST udp-sent $uaddr $uport $utext"
		if read -r -t 3 -N "${#utext}" reply <&3; then
			echo "UMLTEST udp-reply $reply"
		fi
		exec 3<&-
	fi
fi

# UML_WAIT=1: stay up until a line arrives on the console (at most 30 s), so a test can look at
# us while we run. (A file on hostfs would not do: hostfs caches lookups that failed.)
if [ -n "$UML_WAIT" ]; then
	echo "UMLTEST waiting"
	if read -r -t 30 line; then
		echo "UMLTEST wait-over $line"
	else
		echo "UMLTEST wait-timeout"
	fi
fi
echo "UMLTEST done"
echo o >/proc/sysrq-trigger
sleep 10
