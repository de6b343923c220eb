#!/bin/bash
# wirefilter benchmark: the figures our wirefilter achieves next to the reference wirefilter
# (Debian's /usr/bin/wirefilter, same switches, same frames, same run) and the analytic values;
# then the throughput of an unimpaired wirefilter against a plain cable (vde_plug A B), in
# both the -v and the dpipe forms (target: at most 10% slower).
# Usage: bench/wirefilter.sh [BUILDDIR] [TCP_RUNS]   (default: $BUILDDIR, else the current
# directory). With TCP_RUNS > 0 (root, network namespaces, Debian's tap:// plug module), also
# TCP_RUNS transfers of 100 MB between two namespaces through each kind of cable (plain,
# ours, the reference's; -v and dpipe forms): throughput, and transfers that stall (> 20 s).
# Frames are measured by tests/helpers/wf_gen (make check builds it, or
# make tests/helpers/wf_gen). Runs in a private temporary directory; about two minutes.
set -u

B=${1:-${BUILDDIR:-$PWD}}
TCP_RUNS=${2:-0}
B=$(cd "$B" && pwd)
SW="$B/tools/vde_switch/vde_switch"
PLUG="$B/tools/vde_plug"
DPIPE="$B/tools/dpipe"
WF="$B/wirefilter/wirefilter"
GEN="$B/tests/helpers/wf_gen"
REF_WF=/usr/bin/wirefilter
REF_DPIPE=/usr/bin/dpipe
REF_PLUG=/usr/bin/vde_plug
export LD_LIBRARY_PATH="$B/libvdeplug/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

for f in "$SW" "$PLUG" "$DPIPE" "$WF" "$GEN"; do
	[ -x "$f" ] || { echo "missing $f (build it, and make tests/helpers/wf_gen)" >&2; exit 1; }
done
HAVE_REF=1
[ -x "$REF_WF" ] || HAVE_REF=0

T=$(mktemp -d /tmp/wfbench.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	[ -z "${NS1:-}" ] || ip netns del "$NS1" 2>/dev/null
	[ -z "${NS2:-}" ] || ip netns del "$NS2" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

wait_sock() {
	local i
	for i in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.05; done
	echo "timeout waiting for $1" >&2
	return 1
}

start_switches() {
	"$SW" --nostdin -s "$T/a" 2>/dev/null &
	PIDS+=($!)
	"$SW" --nostdin -s "$T/b" 2>/dev/null &
	PIDS+=($!)
	wait_sock "$T/a/ctl" && wait_sock "$T/b/ctl"
}

# stop_last N: stops the last N processes started (by pid) and forgets them.
stop_last() {
	local n=$1 p
	while [ "$n" -gt 0 ] && [ "${#PIDS[@]}" -gt 0 ]; do
		p=${PIDS[-1]}
		pkill -TERM -P "$p" 2>/dev/null
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		unset 'PIDS[-1]'
		n=$((n - 1))
	done
}

# field KEY LINE: the value of KEY in a wf_gen result line.
field() {
	local kv
	for kv in $2; do
		[ "${kv%%=*}" = "$1" ] && { echo "${kv#*=}"; return; }
	done
}

# measure WHICH OPTS -- GEN_ARGS: wf_gen through our (WHICH=ours) or the reference wirefilter.
measure() {
	local which=$1
	shift
	local opts=()
	while [ "$1" != "--" ]; do opts+=("$1"); shift; done
	shift
	if [ "$which" = ours ]; then
		rm -f "$T/wf.m"
		"$WF" --nostdin -M "$T/wf.m" -v "$T/a:$T/b" "${opts[@]}" 2>/dev/null &
	else
		# the reference reads commands on stdin and exits at its end: keep it open
		env -u LD_LIBRARY_PATH "$REF_WF" -v "$T/a:$T/b" "${opts[@]}" \
			< <(sleep 3600) >/dev/null 2>&1 &
	fi
	PIDS+=($!)
	sleep 0.5
	"$GEN" "$@" "$T/a" "$T/b"
	if [ "$which" = ours ]; then
		"$B/tools/unixcmd" -s "$T/wf.m" showstats 2>/dev/null |
			awk '/^late mean/ { m = $4 } /^late max/ { x = $4 } END { printf "late=%s/%s\n", m, x }' \
			>"$T/late"
	fi
	stop_last 1
}

row() {
	printf '%-34s %14s %14s %14s\n' "$@"
}

compare() {
	local title=$1 key=$2 analytic=$3
	shift 3
	local ours ref="-"
	ours=$(measure ours "$@")
	[ "$HAVE_REF" = 1 ] && ref=$(measure ref "$@")
	row "$title" "$analytic" "$(field "$key" "$ours")" \
		"$([ "$ref" = - ] && echo - || field "$key" "$ref")"
	EXTRA_OURS=$ours
	EXTRA_REF=$ref
}

start_switches
echo "== accuracy: our wirefilter vs the reference (/usr/bin/wirefilter), our switches =="
row "figure" "analytic" "ours" "reference"
compare "loss 10% (fraction lost)" loss 0.10000 -l 10 -- --count 20000 --rate 10000
compare "loss 10% burst 5 (fraction)" loss 0.10000 -l 10 -L 5 -- --count 40000 --rate 20000
row "loss 10% burst 5 (mean burst)" 5 "$(field burst_mean "$EXTRA_OURS")" \
	"$([ "$EXTRA_REF" = - ] && echo - || field burst_mean "$EXTRA_REF")"
compare "delay 50+10N nofifo: mean (ms)" delay_mean_ms 50.000 -d 50+10N -N -- --count 2000 --rate 500
row "delay 50+10N nofifo: stddev (ms)" 3.333 "$(field delay_sd_ms "$EXTRA_OURS")" \
	"$([ "$EXTRA_REF" = - ] && echo - || field delay_sd_ms "$EXTRA_REF")"
row "delay 50+10N nofifo: median (ms)" 50.000 "$(field delay_p50_ms "$EXTRA_OURS")" \
	"$([ "$EXTRA_REF" = - ] && echo - || field delay_p50_ms "$EXTRA_REF")"
row "  (our delay queue: late mean/max us)" "" "$(cat "$T/late")" ""
compare "delay 0.5 ms: median (ms)" delay_p50_ms "0.5 + path" -d 0.5 -- --count 1000 --rate 1000
compare "delay 10+5U: mean (ms)" delay_mean_ms 10.000 -d 10+5U -N -- --count 2000 --rate 1000
row "delay 10+5U: stddev (ms)" 2.887 "$(field delay_sd_ms "$EXTRA_OURS")" \
	"$([ "$EXTRA_REF" = - ] && echo - || field delay_sd_ms "$EXTRA_REF")"
row "delay 10+5U: min / max (ms)" "5 / 15" \
	"$(field delay_min_ms "$EXTRA_OURS") / $(field delay_max_ms "$EXTRA_OURS")" \
	"$([ "$EXTRA_REF" = - ] && echo - || echo "$(field delay_min_ms "$EXTRA_REF") / $(field delay_max_ms "$EXTRA_REF")")"
row "  (our delay queue: late mean/max us)" "" "$(cat "$T/late")" ""
compare "bandwidth 1250000 B/s (bit/s)" rate_bps 10000000 -b 1250000 -- --count 3000 --size 1000 --rate 0
compare "bandwidth 125000 B/s, 100-B frames" rate_bps 1000000 -b 125000 -- --count 1500 --size 100 --rate 0
compare "dup 20% (extra copies/frame)" dups "0.25 x count" -D 20 -- --count 20000 --rate 10000
compare "mtu 1000, 1000-byte frames (recv)" received 500 -m 1000 -- --count 500 --size 1000 --rate 1000 --wait 1000

echo
echo "== flood, unimpaired: 1000-byte frames as fast as possible (median of 3 runs) =="
echo "   goodput = bits received / time from the first send to the last receipt; the sender"
echo "   outruns the switches, so these figures are loss-limited: see the TCP figures below"
# through: "GOODPUT LOSS" (median goodput in bit/s, and the loss of that run)
through() {
	local i l out=()
	for i in 1 2 3; do
		l=$("$GEN" --count 50000 --size 1000 --rate 0 --linger 300 "$T/a" "$T/b")
		out+=("$(field goodput_bps "$l") $(field loss "$l")")
	done
	printf '%s\n' "${out[@]}" | sort -n | sed -n 2p
}
run_through() {
	"$@" 2>/dev/null &
	PIDS+=($!)
	sleep 0.5
	through
	stop_last 1
}
CABLE=$(run_through "$PLUG" "$T/a" "$T/b")
WFV=$(run_through "$WF" --nostdin -v "$T/a:$T/b")
DCABLE=$(run_through "$DPIPE" "$PLUG" "$T/a" = "$PLUG" "$T/b")
WFD=$(run_through "$DPIPE" "$PLUG" "$T/a" = "$WF" = "$PLUG" "$T/b")
REFV="- -"
REFD="- -"
if [ "$HAVE_REF" = 1 ]; then
	REFV=$(run_through bash -c 'exec env -u LD_LIBRARY_PATH "$0" -v "$1" < <(sleep 3600) \
		>/dev/null 2>&1' "$REF_WF" "$T/a:$T/b")
	REFD=$(run_through env -u LD_LIBRARY_PATH "$REF_DPIPE" "$REF_PLUG" "$T/a" = "$REF_WF" = \
		"$REF_PLUG" "$T/b")
fi
pct() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%+.1f%%", (a - b) * 100 / b; else print "-" }'
}
row "setup" "goodput bit/s" "loss" "vs cable"
set -- $CABLE
row "cable: vde_plug A B" "$1" "$2" ""
C1=$1
set -- $WFV
row "wirefilter -v A:B" "$1" "$2" "$(pct "$1" "$C1")"
set -- $REFV
row "reference wirefilter -v A:B" "$1" "$2" "$(pct "$1" "$C1")"
set -- $DCABLE
row "cable: dpipe plug = plug" "$1" "$2" ""
C2=$1
set -- $WFD
row "dpipe plug = wirefilter = plug" "$1" "$2" "$(pct "$1" "$C2")"
set -- $REFD
row "same, reference dpipe/plug/wf" "$1" "$2" "$(pct "$1" "$C2")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (figures are noisy on a busy machine)"

[ "$TCP_RUNS" -gt 0 ] 2>/dev/null || exit 0
echo
echo "== TCP between two namespaces: $TCP_RUNS transfers of 100 MB per cable (stall: > 20 s) =="
NS1=wfbench1.$$
NS2=wfbench2.$$
ip netns add "$NS1" && ip netns add "$NS2" || { echo "no network namespaces"; exit 0; }
env -u LD_LIBRARY_PATH ip netns exec "$NS1" "$REF_PLUG" tap://wfb1 "$T/a" 2>/dev/null &
PIDS+=($!)
env -u LD_LIBRARY_PATH ip netns exec "$NS2" "$REF_PLUG" tap://wfb2 "$T/b" 2>/dev/null &
PIDS+=($!)
sleep 1
ip netns exec "$NS1" ip addr add 10.78.0.1/24 dev wfb1 && ip netns exec "$NS1" ip link set wfb1 up
ip netns exec "$NS2" ip addr add 10.78.0.2/24 dev wfb2 && ip netns exec "$NS2" ip link set wfb2 up
# tcp_runs: "COMPLETED/RUNS MBIT/S" (mean throughput of the completed transfers)
tcp_runs() {
	local i ok=0 total=0 t0 t1 l
	for i in $(seq "$TCP_RUNS"); do
		ip netns exec "$NS2" timeout 25 socat -u TCP-LISTEN:5002,reuseaddr - 2>/dev/null |
			wc -c >"$T/rx" &
		l=$!
		sleep 0.3
		t0=$(date +%s.%N)
		head -c 100000000 /dev/zero |
			ip netns exec "$NS1" timeout 20 socat -u - TCP:10.78.0.2:5002 2>/dev/null
		t1=$(date +%s.%N)
		wait "$l"
		if [ "$(cat "$T/rx")" = 100000000 ]; then
			ok=$((ok + 1))
			total=$(awk -v a="$total" -v b="$t0" -v c="$t1" 'BEGIN { print a + c - b }')
		fi
	done
	awk -v o="$ok" -v n="$TCP_RUNS" -v t="$total" \
		'BEGIN { printf "%d/%d %s\n", o, n, o ? sprintf("%.0f", 800 * o / t) : "-" }'
}
# tcp_cable NAME CMD...: the transfers through the cable CMD builds.
tcp_cable() {
	local name=$1 r
	shift
	"$@" 2>/dev/null &
	PIDS+=($!)
	sleep 1
	r=$(tcp_runs)
	stop_last 1
	set -- $r
	row "$name" "$1" "$2" ""
}
row "cable" "completed" "Mbit/s" ""
tcp_cable "cable: vde_plug A B" "$PLUG" "$T/a" "$T/b"
tcp_cable "wirefilter -v A:B" "$WF" --nostdin -v "$T/a:$T/b"
tcp_cable "cable: dpipe plug = plug" "$DPIPE" "$PLUG" "$T/a" = "$PLUG" "$T/b"
tcp_cable "dpipe plug = wirefilter = plug" "$DPIPE" "$PLUG" "$T/a" = "$WF" = "$PLUG" "$T/b"
if [ "$HAVE_REF" = 1 ]; then
	tcp_cable "reference wirefilter -v A:B" bash -c 'exec env -u LD_LIBRARY_PATH "$0" -v "$1" \
		< <(sleep 3600) >/dev/null 2>&1' "$REF_WF" "$T/a:$T/b"
	tcp_cable "same, reference dpipe/plug/wf" env -u LD_LIBRARY_PATH "$REF_DPIPE" "$REF_PLUG" \
		"$T/a" = "$REF_WF" = "$REF_PLUG" "$T/b"
fi
