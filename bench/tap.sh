#!/bin/bash
# bench/tap.sh: iperf3 TCP between two network namespaces through tap - switch - tap, for our
# vde_switch, Debian's reference vde_switch and a kernel bridge (veth pairs: a bridge cannot
# hold taps without a userspace owner), at MTU 1500 and with jumbo frames. Medians of N
# repetitions, alternating the three within each; prints the ratios and whether the targets are
# met, never fails on them. Needs root, ip, iperf3. Usage: bench/tap.sh [options] [BUILDDIR]
set -u

usage() {
	cat <<EOF
usage: $0 [--reps N] [--secs S] [--only LIST] [--keep] [BUILDDIR]
  --reps N     repetitions of every run (default 3; medians are reported)
  --secs S     seconds of iperf3 traffic per run (default 5)
  --only LIST  comma-separated runs among ours1500,ref1500,bridge1500,oursjumbo,bridgejumbo
  --keep       keep the temp dir with the iperf3 outputs and switch logs
environment: BUILDDIR, OUR_SWITCH, REF_SWITCH, JUMBO_TAP (default 65521, a tap's largest MTU),
  JUMBO_VETH (default 65535)
EOF
}

REPS=3
SECS=5
ONLY="ours1500,ref1500,bridge1500,oursjumbo,bridgejumbo"
KEEP=0
while [ $# -gt 0 ]; do
	case $1 in
	--reps) REPS=$2; shift ;;
	--secs) SECS=$2; shift ;;
	--only) ONLY=$2; shift ;;
	--keep) KEEP=1 ;;
	-h|--help) usage; exit 0 ;;
	-*) usage >&2; exit 2 ;;
	*) BUILDDIR=$1 ;;
	esac
	shift
done
if [ -z "${BUILDDIR:-}" ] && [ -z "${OUR_SWITCH:-}" ]; then
	usage >&2
	exit 2
fi
[ -n "${BUILDDIR:-}" ] && BUILDDIR=$(cd "$BUILDDIR" && pwd)
: "${OUR_SWITCH:=$BUILDDIR/tools/vde_switch/vde_switch}"
: "${REF_SWITCH:=/usr/bin/vde_switch}"
: "${JUMBO_TAP:=65521}"
: "${JUMBO_VETH:=65535}"
CLK_TCK=$(getconf CLK_TCK)

if [ "$(id -u)" != 0 ]; then
	echo "$0: needs root (namespaces, taps, a bridge)" >&2
	exit 1
fi
for c in ip iperf3 python3; do
	command -v "$c" >/dev/null || { echo "$0: $c is missing" >&2; exit 1; }
done
for f in "$OUR_SWITCH" "$REF_SWITCH"; do
	[ -x "$f" ] || { echo "$0: missing $f" >&2; exit 1; }
done

TMP=$(mktemp -d -t benchtap.XXXXXX) || exit 1
RESULTS=$TMP/results.tsv
: >"$RESULTS"
# Short random names: interface names are at most 15 bytes.
TAG=$(printf '%04x' $((RANDOM)))
NS1=vbt1$TAG NS2=vbt2$TAG
IF1=vbta$TAG IF2=vbtb$TAG BR=vbtbr$TAG
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

# Kills only what we started, removes what we created.
cleanup() {
	kill_pids
	ip netns del "$NS1" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null
	ip link del "$IF1" 2>/dev/null
	ip link del "$IF2" 2>/dev/null
	ip link del "${IF1}p" 2>/dev/null
	ip link del "${IF2}p" 2>/dev/null
	ip link del "$BR" 2>/dev/null
	remove_tmp
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hold_console

wait_link() { # wait_link TIMEOUT_S IF: until interface IF exists
	local i
	for ((i = 0; i < $1 * 20; i++)); do
		ip link show "$2" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "# timed out waiting for $2" >&2
	return 1
}

# to_ns IF NS ADDR MTU: moves IF into NS, addressed and up.
to_ns() {
	ip link set "$1" netns "$2" &&
		ip -n "$2" addr add "$3/24" dev "$1" &&
		ip -n "$2" link set "$1" mtu "$4" &&
		ip -n "$2" link set "$1" up
}

# setup KIND MTU: the two namespaces joined by KIND (ours, ref, bridge); sets SWPID (or empty).
setup() {
	local kind=$1 mtu=$2 d=$TMP/$3
	SWPID=
	ip netns add "$NS1" && ip netns add "$NS2" || return 1
	ip -n "$NS1" link set lo up
	ip -n "$NS2" link set lo up
	case $kind in
	ours)
		"$OUR_SWITCH" -s "$d.sw" -t "$IF1,$IF2" <&"$HOLDFD" >"$d.log" 2>&1 &
		;;
	ref)
		"$REF_SWITCH" -s "$d.sw" -t "$IF1" -t "$IF2" <&"$HOLDFD" >"$d.log" 2>&1 &
		;;
	bridge)
		ip link add "$BR" type bridge &&
			ip link set "$BR" mtu "$mtu" &&
			ip link add "$IF1" type veth peer name "${IF1}p" &&
			ip link add "$IF2" type veth peer name "${IF2}p" || return 1
		for p in "${IF1}p" "${IF2}p"; do
			ip link set "$p" mtu "$mtu" && ip link set "$p" master "$BR" &&
				ip link set "$p" up || return 1
		done
		ip link set "$BR" up
		;;
	esac
	if [ "$kind" != bridge ]; then
		SWPID=$!
		PIDS+=("$SWPID")
		wait_link 5 "$IF1" && wait_link 5 "$IF2" || return 1
	fi
	to_ns "$IF1" "$NS1" 10.99.0.1 "$mtu" && to_ns "$IF2" "$NS2" 10.99.0.2 "$mtu" || return 1
	# bounded: the first pings also wait for the bridge's ports to forward
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$NS1" ping -c 1 -W 1 10.99.0.2 >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "# $kind: no ping" >&2
	return 1
}

teardown() {
	[ -n "$SWPID" ] && stop_pid "$SWPID"
	ip netns del "$NS1" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null
	ip link del "$BR" 2>/dev/null
	ip link del "$IF1" 2>/dev/null
	ip link del "$IF2" 2>/dev/null
	# interfaces of a deleted namespace go away asynchronously
	for ((i = 0; i < 50; i++)); do
		ip link show "$IF1" >/dev/null 2>&1 || ip link show "$IF2" >/dev/null 2>&1 ||
			ip link show "${IF1}p" >/dev/null 2>&1 || break
		sleep 0.1
	done
}

# run NAME KIND MTU REP: one iperf3 measurement; records Gbit/s and the switch's CPU %.
run() {
	local name=$1 kind=$2 mtu=$3 rep=$4 d=$TMP/$1.$4 srv t0 t1 gbps
	if ! setup "$kind" "$mtu" "$name.$rep"; then
		teardown
		return 1
	fi
	ip netns exec "$NS2" timeout $((SECS + 20)) iperf3 -s -1 -B 10.99.0.2 >"$d.srv" 2>&1 &
	srv=$!
	PIDS+=("$srv")
	sleep 0.3
	[ -n "$SWPID" ] && t0=$(cputicks "$SWPID")
	timeout $((SECS + 15)) ip netns exec "$NS1" iperf3 -c 10.99.0.2 -t "$SECS" -J >"$d.json" \
		2>&1
	[ -n "$SWPID" ] && t1=$(cputicks "$SWPID")
	stop_pid "$srv"
	gbps=$(python3 -c 'import json, sys
try:
    print("%.3f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception:
    pass' "$d.json")
	if [ -n "$gbps" ]; then
		printf '%s\tgbps\t%s\t%s\n' "$name" "$gbps" "$rep" >>"$RESULTS"
		[ -n "$SWPID" ] && printf '%s\tcpu\t%s\t%s\n' "$name" \
			"$(awk -v t=$((t1 - t0)) -v hz="$CLK_TCK" -v s="$SECS" \
				'BEGIN { printf "%.0f", 100 * t / hz / s }')" "$rep" >>"$RESULTS"
	else
		echo "# $name rep $rep: no result ($(head -c 300 "$d.json" | tr '\n' ' '))" >&2
	fi
	teardown
}

median() { # median NAME METRIC
	awk -F'\t' -v n="$1" -v m="$2" '$1 == n && $2 == m { print $3 }' "$RESULTS" | sort -g |
		awk '{ v[++k] = $1 } END { if (k) print k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2 }'
}

declare -A KIND=([ours1500]=ours [ref1500]=ref [bridge1500]=bridge [oursjumbo]=ours
	[bridgejumbo]=bridge)
declare -A MTU=([ours1500]=1500 [ref1500]=1500 [bridge1500]=1500 [oursjumbo]=$JUMBO_TAP
	[bridgejumbo]=$JUMBO_VETH)
RUNS=${ONLY//,/ }

echo "# tap benchmark: $(date -u '+%F %T UTC'), $(nproc) CPUs, kernel $(uname -r)," \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# ours: $OUR_SWITCH; reference: $REF_SWITCH; iperf3 -t $SECS, $REPS repetitions"
echo "# jumbo: taps at MTU $JUMBO_TAP, veths at $JUMBO_VETH; the reference only at 1500 (it" \
	"truncates frames over 1518 bytes)"
for ((rep = 1; rep <= REPS; rep++)); do
	order=$RUNS
	# shellcheck disable=SC2086 # one run per word
	((rep % 2)) || order=$(printf '%s\n' $RUNS | tac | tr '\n' ' ')
	for r in $order; do
		[ -n "${KIND[$r]:-}" ] || { echo "# unknown run $r" >&2; continue; }
		run "$r" "${KIND[$r]}" "${MTU[$r]}" "$rep"
	done
	echo "# repetition $rep/$REPS done ($SECONDS s)" >&2
done

echo
printf '%-34s %10s %8s %6s\n' "run (medians)" "Gbit/s" "sw CPU%" "runs"
for r in ours1500 ref1500 bridge1500 oursjumbo bridgejumbo; do
	g=$(median "$r" gbps)
	[ -n "$g" ] || continue
	c=$(median "$r" cpu)
	n=$(awk -F'\t' -v n="$r" '$1 == n && $2 == "gbps"' "$RESULTS" | wc -l)
	printf '%-34s %10s %8s %6s\n' "$r (${KIND[$r]}, MTU ${MTU[$r]})" "$g" "${c:--}" "$n"
done
echo
# verdict NUM DEN LIMIT LABEL: the ratio and whether it meets LIMIT
verdict() {
	if [ -z "$1" ] || [ -z "$2" ]; then
		printf '%-46s %s\n' "$4:" "not measured"
		return
	fi
	awk -v a="$1" -v b="$2" -v l="$3" -v t="$4" 'BEGIN {
		r = (b > 0) ? a / b : 0
		printf "%-46s %6.2f  (target >= %s: %s)\n", t ":", r, l, ((r >= l) ? "met" : "NOT met") }'
}
verdict "$(median ours1500 gbps)" "$(median ref1500 gbps)" 3 "ours / reference, MTU 1500"
verdict "$(median oursjumbo gbps)" "$(median bridgejumbo gbps)" 0.5 "ours / kernel bridge, jumbo"
b=$(median bridge1500 gbps)
o=$(median ours1500 gbps)
if [ -n "$b" ] && [ -n "$o" ]; then
	awk -v a="$o" -v b="$b" 'BEGIN {
		printf "%-46s %6.2f  (information)\n", "ours / kernel bridge, MTU 1500:", a / b }'
fi
