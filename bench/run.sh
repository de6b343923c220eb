#!/bin/bash
# bench/run.sh: compare our vde_switch, vde_plug and dpipe with Debian's reference binaries.
# Every scenario runs on a fresh switch in a private temp dir, alternating ours and the reference
# within each repetition; the table shows medians and the ratio ours/reference. Builds nothing:
# give the build dir as the argument or in $BUILDDIR. Usage: bench/run.sh [--quick] [BUILDDIR]
set -u

usage() {
	cat <<EOF
usage: $0 [--quick] [--reps N] [--secs S] [--rate FPS] [--burst N] [--only LIST] [--keep]
       [--flood-macs N] [--flood-rate FPS] [--flood-cap N] [BUILDDIR]
  --quick      about one minute: 3 repetitions of 0.4 s sends, cable between reference
               switches only, no flood (a smoke run: use the full run for the numbers)
  --reps N     repetitions of every scenario (default 5; medians are reported)
  --secs S     seconds of traffic per throughput run (default 2)
  --rate FPS   frames/s of the fixed-rate runs (default 20000; frames sent one by one)
  --burst N    frames per sendmmsg of the full-speed sources (default 8; 1: vde_send)
  --only LIST  comma-separated scenarios: fwd64,fwd1500,flows4,bcast8,fixed,idle,
               sys,latency,cable,flood (default: all)
  --flood-macs N    flood: distinct source addresses of the flooder (default 1000000)
  --flood-rate FPS  flood: the flooder's rate in frames/s (default 50000; 0: full speed)
  --flood-cap N     flood: per-port MAC cap of our switch's second run (default 1024)
  --keep       keep the temp dir with the raw results and logs
  --report DIR print the table again from a kept temp dir
environment: BUILDDIR, OUR_SWITCH, REF_SWITCH, OUR_PLUG, OUR_DPIPE, REF_PLUG, REF_DPIPE, VDEGEN,
  VDEGEN_LIB=ours|debian (library the generator runs on; default ours),
  VDEPLUG_SHM=0 (our library keeps to datagrams; by default it offers shared-memory rings,
  which our switch takes and the reference never sees, and the generator then uses
  vde_send/vde_recv instead of sendmmsg/recvmmsg),
  SYSCOUNT=perf|strace (syscall counter; default perf if it works, else strace)
EOF
}

REPS=
SECS=
RATE=20000
BURST=8
ONLY=all
KEEP=0
QUICK=0
REPORT=
FLOOD_MACS=1000000
FLOOD_RATE=50000
FLOOD_CAP=1024
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--reps) REPS=$2; shift ;;
	--secs) SECS=$2; shift ;;
	--rate) RATE=$2; shift ;;
	--burst) BURST=$2; shift ;;
	--only) ONLY=$2; shift ;;
	--keep) KEEP=1 ;;
	--report) REPORT=$2; shift ;;
	--flood-macs) FLOOD_MACS=$2; shift ;;
	--flood-rate) FLOOD_RATE=$2; shift ;;
	--flood-cap) FLOOD_CAP=$2; shift ;;
	-h|--help) usage; exit 0 ;;
	-*) usage >&2; exit 2 ;;
	*) BUILDDIR=$1 ;;
	esac
	shift
done
if [ "$QUICK" = 1 ]; then
	: "${REPS:=3}" "${SECS:=0.4}"
	IDLE_MS=150
	PINGS=500
else
	: "${REPS:=5}" "${SECS:=2}"
	IDLE_MS=300
	PINGS=2000
fi
# Medians per scenario, implementation and metric: "SCEN IMPL METRIC MEDIAN N SPREAD%", where
# the spread is half the min-max range in % of the median.
medians() {
	sort -t$'\t' -k1,3 -k4,4g "$RESULTS" | awk -F'\t' '
		function flush(   med, spread) {
			if (!n)
				return
			med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			spread = med > 0 ? sprintf("%.0f", 50 * (v[n] - v[1]) / med) : "-"
			printf "%s\t%s\t%d\t%s\n", key, med, n, spread
		}
		{ k = $1 "\t" $2 "\t" $3; if (k != key) { flush(); key = k; n = 0 } v[++n] = $4 }
		END { flush() }'
}

# Median over the repetitions of the ratio ours/reference within each repetition (pairs that
# ran back to back, so slow changes of the machine's load cancel): "SCEN METRIC MEDIAN".
paired() {
	awk -F'\t' '{ v[$1 "\t" $3, $5, $2] = $4; k[$1 "\t" $3] = 1; r[$5] = 1 }
		END {
			for (key in k) {
				n = 0
				for (rep in r)
					if (v[key, rep, "ref"] > 0 && v[key, rep, "ours"] != "")
						x[++n] = v[key, rep, "ours"] / v[key, rep, "ref"]
				if (!n)
					continue
				for (i = 2; i <= n; i++)
					for (j = i; j > 1 && x[j - 1] > x[j]; j--) {
						t = x[j]; x[j] = x[j - 1]; x[j - 1] = t
					}
				printf "%s\t%.3f\n", key, n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
			}
		}' "$RESULTS"
}

# The rows of the table: scenario, metric, label, check (ratio>= / ratio<= ours/reference,
# ours<= an absolute value, or - for information) and its limit. The CPU targets apply under
# load (a generator saturating a core, as in the issue); at a fixed low rate, one frame at a
# time, every frame costs the switch a wake-up and a sleep whatever it does with the frame, so
# that row is information.
ROWS="fwd64	fps	2 ports 64 B: frames/s	ratio>=	1
fwd64	cpu_us_per_frame	2 ports 64 B: CPU us/frame	ratio<=	0.333
fwd64	loss_pct	2 ports 64 B: loss %	-	0
fwd1500	fps	2 ports 1500 B: frames/s	ratio>=	1
fwd1500	cpu_us_per_frame	2 ports 1500 B: CPU us/frame	ratio<=	0.333
flows4	fps	8 ports 4 flows: frames/s	ratio>=	1
flows4	cpu_us_per_frame	8 ports 4 flows: CPU us/frame	ratio<=	0.333
bcast8	fps	broadcast 1->7: deliveries/s	ratio>=	1
bcast8	cpu_us_per_frame	broadcast 1->7: CPU us/delivery	ratio<=	0.333
fixed	fps	fixed rate: frames/s	-	0
fixed	cpu_us_per_frame	fixed rate: CPU us/frame	-	0
sys_load	syscalls_per_frame	syscalls/frame, full load	ours<=	0.5
sys_fixed	syscalls_per_frame	syscalls/frame, fixed rate	-	0
latency	rtt_median_us	round trip median us	ratio<=	1
latency	rtt_p99_us	round trip p99 us	-	0
latency	rtt_min_us	round trip min us	ratio<=	1
idle6	fps	2 ports + 6 idle: frames/s	ratio>=	1
idle6	cpu_us_per_frame	2 ports + 6 idle: CPU us/frame	ratio<=	0.333
cable_refsw	fps	cable, ref switches: frames/s	ratio>=	2
cable_refsw	cpu_us_per_frame	cable, ref switches: CPU us/fr	-	0
cable_ownsw	fps	cable, own switches: frames/s	ratio>=	2
cable_ownsw	cpu_us_per_frame	cable, own switches: CPU us/fr	-	0"

# Idle-port cost of each switch: the median over the repetitions of idle6/idle0 (the same switch
# just before the idle ports connected): "idlecost IMPL METRIC MEDIAN".
idlecost() {
	awk -F'\t' '$1 == "idle0" || $1 == "idle6" { v[$1, $2, $3, $5] = $4; k[$2 "\t" $3] = 1; r[$5] = 1 }
		END {
			for (key in k) {
				split(key, c, "\t")
				n = 0
				for (rep in r)
					if (v["idle0", c[1], c[2], rep] > 0 && v["idle6", c[1], c[2], rep] != "")
						x[++n] = v["idle6", c[1], c[2], rep] / v["idle0", c[1], c[2], rep]
				if (!n)
					continue
				for (i = 2; i <= n; i++)
					for (j = i; j > 1 && x[j - 1] > x[j]; j--) {
						t = x[j]; x[j] = x[j - 1]; x[j - 1] = t
					}
				printf "idlecost\t%s\t%.3f\n", key, n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
			}
		}' "$RESULTS"
}

# The table: reference and ours side by side, the ratio, the target and whether it is met; then
# the cost of idle ports within each switch (met when within 5% of the run without them).
report() {
	medians >"$TMP/medians.tsv"
	paired | sed 's/^/paired\t/' >>"$TMP/medians.tsv"
	idlecost >>"$TMP/medians.tsv"
	printf '%s\n' "$ROWS" | awk -F'\t' -v syscount="$SYSCOUNT" '
		function fmt(x) { return x == "" ? "-" : (x >= 1000 ? sprintf("%.0f", x) : sprintf("%.3f", x)) }
		function cell(x) { return x == "" ? "-" : x }
		function verdict(kind, limit, r, o) {
			if (kind == "ratio>=" && r > 0 && o != "") return o / r >= limit ? "yes" : "NO"
			if (kind == "ratio<=" && r > 0 && o != "") return o / r <= limit ? "yes" : "NO"
			if (kind == "ours<=" && o != "") return o <= limit ? "yes" : "NO"
			return "-"
		}
		function target(kind, limit) {
			if (kind == "ours<=") return "ours <= " limit
			return kind == "-" ? "" : substr(kind, 6) " " limit
		}
		FNR == NR { rows[++nrows] = $0; next }
		$1 == "paired" { pair[$2, $3] = $4; next }
		$1 == "idlecost" { cost[$2, $3] = $4; next }
		{ med[$1, $2, $3] = $4; runs[$1, $2, $3] = $5; spread[$1, $2, $3] = $6 }
		END {
			f = "%-34s %9s %9s %8s %7s  %-12s %-4s %5s %9s\n"
			for (i = 1; i <= nrows; i++) {
				split(rows[i], c, "\t")
				if (med[c[1], "ref", c[2]] != "" || med[c[1], "ours", c[2]] != "")
					any = 1
			}
			if (!any)
				exit
			printf f, "metric (medians)", "reference", "ours", "ours/ref", "paired", "target", "met",
			    "runs", "spread%"
			for (i = 1; i <= nrows; i++) {
				split(rows[i], c, "\t")
				r = med[c[1], "ref", c[2]]; o = med[c[1], "ours", c[2]]
				if (r == "" && o == "")
					continue
				if (c[2] == "syscalls_per_frame")
					c[3] = c[3] " (" syscount ")"
				printf f, c[3], fmt(r), fmt(o), (r > 0 && o != "") ? sprintf("%.3f", o / r) : "-",
				    cell(pair[c[1], c[2]]), target(c[4], c[5]), verdict(c[4], c[5], r, o),
				    cell(runs[c[1], "ref", c[2]]) "/" cell(runs[c[1], "ours", c[2]]),
				    "+-" cell(spread[c[1], "ref", c[2]]) "/" cell(spread[c[1], "ours", c[2]])
			}
			for (i = 0; i < 2; i++) {
				impl = i ? "ours" : "ref"
				fr = cost[impl, "fps"]; cpu = cost[impl, "cpu_us_per_frame"]
				if (fr == "")
					continue
				printf "idle-port cost, %-4s: frames/s with 6 idle ports / without = %.3f, " \
				    "CPU/frame = %.3f", impl, fr, cpu
				if (impl == "ours")
					printf "  (target: nothing, within 5%%: %s)", \
					    (fr >= 0.95 && cpu <= 1.05) ? "met" : "NOT met"
				printf "\n"
			}
		}' - "$TMP/medians.tsv"
}

# The flood table: per variant, the medians over the repetitions of the flow's frames/s and CPU
# per frame without and with the flood, and the medians of the per-repetition ratios with /
# without (flat: near 1); then the flood's own figures.
floodreport() {
	awk -F'\t' '
		function median(a, n,   i, j, t) {
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		function med(s, v, m,   r, n, x) {
			n = 0
			for (r in reps)
				if ((s, v, m, r) in val)
					x[++n] = val[s, v, m, r]
			return n ? median(x, n) : ""
		}
		function ratio(base, v, m,   r, n, x) {
			n = 0
			for (r in reps)
				if (val[base, v, m, r] > 0 && ("flood_on", v, m, r) in val)
					x[++n] = val["flood_on", v, m, r] / val[base, v, m, r]
			return n ? sprintf("%.3f", median(x, n)) : "-"
		}
		function fmt(x) { return x == "" ? "-" : (x >= 1000 ? sprintf("%.0f", x) : sprintf("%.3f", x)) }
		$1 ~ /^flood/ { val[$1, $2, $3, $5] = $4; reps[$5] = 1; seen[$2] = 1 }
		END {
			if (!length(seen))
				exit
			print ""
			print "MAC flood: the fwd64 flow alone (off), with a flooder on a third port sending from"
			print "one address (one), and from many random addresses (on); ratios: medians of the"
			print "per-repetition ratios (flat = near 1)"
			f = "%-8s %8s %8s %8s %7s %7s %8s %8s %7s %9s %6s %9s %7s\n"
			printf f, "switch", "fps off", "fps one", "fps on", "on/off", "on/one", "CPU one",
			    "CPU on", "on/one", "flood fps", "fill s", "refused/s", "leaked"
			split("ref ours ourscap", order, " ")
			for (i = 1; i <= 3; i++) {
				v = order[i]
				if (!(v in seen))
					continue
				printf f, v, fmt(med("flood_off", v, "fps")), fmt(med("flood_one", v, "fps")),
				    fmt(med("flood_on", v, "fps")), ratio("flood_off", v, "fps"),
				    ratio("flood_one", v, "fps"),
				    fmt(med("flood_one", v, "cpu_all_us_per_frame")),
				    fmt(med("flood_on", v, "cpu_all_us_per_frame")),
				    ratio("flood_one", v, "cpu_all_us_per_frame"),
				    fmt(med("flood_on", v, "flood_fps")), fmt(med("flood_fill", v, "secs")),
				    fmt(med("flood_on", v, "refused_per_s")), fmt(med("flood_on", v, "foreign"))
			}
			print "fps: frames/s of the flow at its sink; CPU: switch CPU us per frame, flow and flood"
			print "frames together; flood fps: frames/s of the flooder during the flow;"
			print "fill s: flooder start to the first refusal (ours); leaked: flood frames at the sink"
		}' "$RESULTS"
}

if [ -n "$REPORT" ]; then
	RESULTS=$REPORT/results.tsv
	TMP=$REPORT
	SYSCOUNT=$(cat "$REPORT/syscount" 2>/dev/null || echo "?")
	report
	floodreport
	exit
fi
if [ -z "${BUILDDIR:-}" ]; then
	usage >&2
	exit 2
fi
BUILDDIR=$(cd "$BUILDDIR" && pwd) || exit 2

: "${OUR_SWITCH:=$BUILDDIR/tools/vde_switch/vde_switch}"
: "${OUR_PLUG:=$BUILDDIR/tools/vde_plug}"
: "${OUR_DPIPE:=$BUILDDIR/tools/dpipe}"
: "${REF_SWITCH:=/usr/bin/vde_switch}"
: "${REF_PLUG:=/usr/bin/vde_plug}"
: "${REF_DPIPE:=/usr/bin/dpipe}"
: "${VDEGEN:=$BUILDDIR/bench/vdegen}"
: "${OUR_UNIXCMD:=$BUILDDIR/tools/unixcmd}"
: "${VDEGEN_LIB:=ours}"
CLK_TCK=$(getconf CLK_TCK)

for f in "$OUR_SWITCH" "$REF_SWITCH" "$VDEGEN"; do
	if [ ! -x "$f" ]; then
		echo "$0: missing $f (build it first)" >&2
		exit 1
	fi
done
CABLE=1
for f in "$OUR_PLUG" "$OUR_DPIPE" "$REF_PLUG" "$REF_DPIPE"; do
	[ -x "$f" ] || { echo "# $f missing: the stream cable scenario is skipped" >&2; CABLE=0; }
done
# The generator, bounded by a timeout (which passes TERM on), on the selected library.
if [ "$VDEGEN_LIB" = debian ]; then
	GEN=(timeout 60 env LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu "$VDEGEN")
else
	GEN=(timeout 60 env LD_LIBRARY_PATH="$BUILDDIR/libvdeplug/.libs" "$VDEGEN")
fi
# Our vde_plug runs on our library, Debian's on Debian's.
OURENV=(env LD_LIBRARY_PATH="$BUILDDIR/libvdeplug/.libs")
REFENV=(env -u LD_LIBRARY_PATH)

TMP=$(mktemp -d -t benchrun.XXXXXX) || exit 1 # honours $TMPDIR
RESULTS=$TMP/results.tsv
: >"$RESULTS"
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup() {
	kill_pids
	remove_tmp
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hold_console

# Syscall counter: perf if it can attach to a process here, strace -c otherwise ($SYSCOUNT forces).
if [ -n "${SYSCOUNT:-}" ]; then
	:
elif perf stat -e raw_syscalls:sys_enter -x, -o /dev/null -p $$ -- sleep 0.1 >/dev/null 2>&1; then
	SYSCOUNT=perf
elif command -v strace >/dev/null; then
	SYSCOUNT=strace
else
	SYSCOUNT=none
fi
echo "$SYSCOUNT" >"$TMP/syscount"

wait_file() { # wait_file TIMEOUT_S PATH: poll for PATH (socket or file) every 20 ms
	local i n
	n=$(awk -v t="$1" 'BEGIN { print int(t * 50) }')
	for ((i = 0; i < n; i++)); do
		[ -e "$2" ] && return 0
		sleep 0.02
	done
	echo "# timed out waiting for $2" >&2
	return 1
}

start_switch() { # start_switch IMPL DIR [ARGS...]: a switch on DIR; sets SWPID
	local bin=$OUR_SWITCH impl=$1 dir=$2
	[ "$impl" = ref ] && bin=$REF_SWITCH
	shift 2
	# An explicit redirection: background commands otherwise get /dev/null as stdin.
	"$bin" -s "$dir" -n 32 "$@" <&"$HOLDFD" >"$dir.log" 2>&1 &
	SWPID=$!
	PIDS+=("$SWPID")
	wait_file 5 "$dir/ctl"
}

field() { # field KEY FILE: value of KEY=... in the one-line result FILE
	sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" "$2" | head -1
}

record() { # record SCENARIO IMPL METRIC VALUE: one line of results.tsv, tagged with $rep
	[ -n "$4" ] && printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$rep" >>"$RESULTS"
}

syscount_start() { # syscount_start PID OUT: attach the syscall counter; sets SCPID
	SCPID=
	case $SYSCOUNT in
	perf)
		perf stat -e raw_syscalls:sys_enter -x, -o "$2" -p "$1" &
		SCPID=$!
		;;
	strace)
		strace -c -f -o "$2" -p "$1" 2>/dev/null &
		SCPID=$!
		;;
	*) return 0 ;;
	esac
	PIDS+=("$SCPID")
	sleep 0.4 # attaching takes a while
}

syscount_stop() { # syscount_stop OUT: detach and print the number of syscalls counted
	[ -n "$SCPID" ] || return 0
	kill -INT "$SCPID" 2>/dev/null
	timeout 5 tail -s 0.02 --pid="$SCPID" -f /dev/null 2>/dev/null || kill -KILL "$SCPID" 2>/dev/null
	wait "$SCPID" 2>/dev/null
	stop_pid "$SCPID"
	case $SYSCOUNT in
	perf) awk -F, '/raw_syscalls:sys_enter/ { print $1 }' "$1" ;;
	strace) awk '$NF == "total" { print $4 }' "$1" ;; # % seconds usecs/call calls [errors]
	esac
}

# flow IMPL SCEN DIR SRCARGS SINKARGS [sys]: one sink process, one source process through the
# switch on DIR/sw (pid SWPID); records frames/s at the sinks and switch CPU per delivered frame.
# Leaves the switch's CPU ticks and the frames delivered in FLOW_TICKS and FLOW_FRAMES; with
# FLOW_MARK set, sends that PID a SIGUSR1 when it reads the switch's CPU, before and after.
flow() {
	local impl=$1 scen=$2 d=$3 srcargs=$4 sinkargs=$5 sys=${6:-} t0 t1 frames rate calls
	rm -f "$d/sink.ready"
	# shellcheck disable=SC2086
	start_bg "${GEN[@]}" sink $sinkargs -i "$IDLE_MS" -t 30 -R "$d/sink.ready" "$d/sw" >"$d/sink.out"
	local sink=$BGPID
	wait_file 10 "$d/sink.ready" || { stop_pid "$sink"; return 1; }
	[ -n "$sys" ] && syscount_start "$SWPID" "$d/sys.out"
	t0=$(cputicks "$SWPID")
	[ -n "${FLOW_MARK:-}" ] && kill -USR1 "$FLOW_MARK"
	# shellcheck disable=SC2086
	"${GEN[@]}" src $srcargs "$d/sw" >"$d/src.out"
	timeout 40 tail -s 0.02 --pid="$sink" -f /dev/null
	wait "$sink"
	stop_pid "$sink"
	t1=$(cputicks "$SWPID")
	[ -n "${FLOW_MARK:-}" ] && kill -USR1 "$FLOW_MARK"
	FLOW_TICKS=$((t1 - t0))
	FLOW_FRAMES=$(field frames "$d/sink.out")
	[ -n "$sys" ] && calls=$(syscount_stop "$d/sys.out")
	frames=$(field frames "$d/sink.out")
	rate=$(field rate "$d/sink.out")
	if [ -z "$frames" ] || [ "$frames" -lt 100 ]; then
		echo "# $scen/$impl: too few frames ($(cat "$d/sink.out" "$d/src.out" | tr '\n' ' '))" >&2
		return 1
	fi
	if [ -n "$sys" ]; then
		record "$scen" "$impl" syscalls_per_frame \
			"$(awk -v c="$calls" -v f="$frames" 'BEGIN { if (c != "") printf "%.3f", c / f }')"
		return 0
	fi
	record "$scen" "$impl" fps "$rate"
	record "$scen" "$impl" cpu_us_per_frame \
		"$(awk -v t=$((t1 - t0)) -v hz="$CLK_TCK" -v f="$frames" \
			'BEGIN { printf "%.3f", t * 1e6 / hz / f }')"
	record "$scen" "$impl" loss_pct \
		"$(awk -v s="$(field sent "$d/src.out")" -v f="$frames" -v c="${FANOUT:-1}" \
			'BEGIN { if (s > 0) printf "%.2f", 100 * (1 - f / (s * c)) }')"
}

# run_scenario SCEN IMPL REP: one measurement on fresh processes.
run_scenario() {
	local scen=$1 impl=$2 rep=$3 d=$TMP/$1.$2.$3
	mkdir -p "$d"
	FANOUT=1
	start_switch "$impl" "$d/sw" || { stop_pid "$SWPID"; return 1; }
	case $scen in
	fwd64) flow "$impl" "$scen" "$d" "-s 64 -t $SECS -B $BURST" "" ;;
	fwd1500) flow "$impl" "$scen" "$d" "-s 1500 -t $SECS -B $BURST" "" ;;
	flows4) flow "$impl" "$scen" "$d" "-c 4 -s 64 -t $SECS -B $BURST" "-c 4" ;;
	bcast8) FANOUT=7 flow "$impl" "$scen" "$d" "-b -s 64 -t $SECS -B $BURST" "-c 7" ;;
	fixed) flow "$impl" "$scen" "$d" "-s 64 -t $SECS -r $RATE" "" ;;
	sys)
		flow "$impl" sys_load "$d" "-s 64 -t $SECS -B $BURST" "" sys
		flow "$impl" sys_fixed "$d" "-s 64 -t $SECS -r $RATE" "" sys
		;;
	idle)
		# The same switch with and without 6 idle ports (in alternate order every repetition):
		# paired in the idle-port cost.
		((rep % 2)) && flow "$impl" idle0 "$d" "-s 64 -t $SECS -B $BURST" ""
		start_bg "${GEN[@]}" idle -c 6 -t 60 -R "$d/idle.ready" "$d/sw" >"$d/idle.out"
		local idle=$BGPID
		if wait_file 10 "$d/idle.ready"; then
			flow "$impl" idle6 "$d" "-s 64 -t $SECS -B $BURST" ""
		fi
		stop_pid "$idle"
		((rep % 2)) || flow "$impl" idle0 "$d" "-s 64 -t $SECS -B $BURST" ""
		;;
	latency)
		start_bg "${GEN[@]}" pong -t 60 -R "$d/pong.ready" "$d/sw" >"$d/pong.out"
		local pong=$BGPID
		if wait_file 10 "$d/pong.ready"; then
			"${GEN[@]}" ping -n "$PINGS" -s 64 "$d/sw" >"$d/ping.out"
			record latency "$impl" rtt_median_us "$(field rtt_median_us "$d/ping.out")"
			record latency "$impl" rtt_p99_us "$(field rtt_p99_us "$d/ping.out")"
			record latency "$impl" rtt_min_us "$(field rtt_min_us "$d/ping.out")"
		fi
		stop_pid "$pong"
		;;
	esac
	stop_pid "$SWPID"
}

# run_cable IMPL SWKIND DIR SCEN: two SWKIND switches joined by IMPL's "dpipe vde_plug A =
# vde_plug B"; frames/s from a source on A to a sink on B, and the cable's CPU per frame (dpipe
# and both plugs).
run_cable() {
	local impl=$1 kind=$2 d=$3 scen=$4 swa swb dp t0 t1 kids frames sink
	start_switch "$kind" "$d/a" || { stop_pid "$SWPID"; return 1; }
	swa=$SWPID
	start_switch "$kind" "$d/b" || { stop_pid "$swa"; stop_pid "$SWPID"; return 1; }
	swb=$SWPID
	if [ "$impl" = ours ]; then
		start_bg timeout 120 "${OURENV[@]}" "$OUR_DPIPE" "$OUR_PLUG" "$d/a" = "$OUR_PLUG" "$d/b"
	else
		start_bg timeout 120 "${REFENV[@]}" "$REF_DPIPE" "$REF_PLUG" "$d/a" = "$REF_PLUG" "$d/b"
	fi 2>"$d/cable.log"
	dp=$BGPID
	# The sink's hello crosses the cable, so switch A learns where the sink is.
	start_bg "${GEN[@]}" sink -i "$IDLE_MS" -t 30 -R "$d/sink.ready" "$d/b" >"$d/sink.out"
	sink=$BGPID
	if wait_file 10 "$d/sink.ready"; then
		sleep 0.1
		kids=$(cable_pids "$dp")
		# shellcheck disable=SC2086 # one PID per word
		t0=$(cputicks $kids)
		"${GEN[@]}" src -s 64 -t "$SECS" -B "$BURST" "$d/a" >"$d/src.out"
		timeout 40 tail -s 0.02 --pid="$sink" -f /dev/null
		# shellcheck disable=SC2086
		t1=$(cputicks $kids)
		frames=$(field frames "$d/sink.out")
		if [ -n "$frames" ] && [ "$frames" -ge 100 ]; then
			record "$scen" "$impl" fps "$(field rate "$d/sink.out")"
			record "$scen" "$impl" cpu_us_per_frame \
				"$(awk -v t=$((t1 - t0)) -v hz="$CLK_TCK" -v f="$frames" \
					'BEGIN { printf "%.3f", t * 1e6 / hz / f }')"
		else
			echo "# $scen/$impl: too few frames: $(cat "$d/cable.log" "$d/sink.out")" >&2
		fi
	fi
	stop_pid "$sink"
	stop_pid "$dp"
	stop_pid "$swa"
	stop_pid "$swb"
}

# MAC flood. mgmt SOCK CMD...: one command on our switch's management socket.
mgmt() {
	timeout 10 "$OUR_UNIXCMD" -t 5 -s "$@" 2>/dev/null
}

# mac_refused SOCK: "ENTRIES REFUSED" of our switch's MAC table (refusals by the table cap and
# the per-port cap together), from port/stats.
mac_refused() {
	mgmt "$1" port/stats | awk '
		function refused(   i) { for (i = 2; i <= NF; i++) if ($i == "not") return $(i - 1) }
		/^MAC table:/ { e = $3; f = refused() }
		/^MAC per-port cap:/ { p = refused() }
		END { print e + 0, f + p }'
}

# flood_marks FILE N: the frames sent at the flooder's last two marks once it printed N marks
# ("BEFORE AFTER"); empty if it did not within a second. Marks are SIGUSR1s from flow().
flood_marks() {
	local i
	for ((i = 0; i < 50; i++)); do
		if [ "$(grep -c '^mark ' "$1")" -ge "$2" ]; then
			sed -n 's/^mark sent=\([0-9]*\).*/\1/p' "$1" | tail -2 | tr '\n' ' '
			return 0
		fi
		sleep 0.02
	done
}

# flood_flow VARIANT SCEN DIR FLOODER: the fwd64 flow while FLOODER (a PID) floods; records the
# flow's frames/s, the flooder's frames/s and the switch CPU per frame, flow and flood together.
flood_flow() {
	local v=$1 scen=$2 d=$3 fl=$4 t0 t1 m n
	t0=$(date +%s.%N)
	FLOW_MARK=$fl flow "$v" "$scen" "$d" "-s 64 -t $SECS -B $BURST" ""
	t1=$(date +%s.%N)
	read -r m n <<<"$(flood_marks "$d/$scen.out" 2)"
	if [ -z "${FLOW_FRAMES:-}" ] || [ "$FLOW_FRAMES" -eq 0 ] || [ -z "$n" ]; then
		echo "# flood/$v/$scen: no counts ($(cat "$d/$scen.out" "$d/sink.out" | tr '\n' ' '))" >&2
		return 1
	fi
	record "$scen" "$v" cpu_all_us_per_frame "$(awk -v t="$FLOW_TICKS" -v hz="$CLK_TCK" \
		-v n=$((n - m)) -v f="$FLOW_FRAMES" 'BEGIN { printf "%.3f", t * 1e6 / hz / (f + n) }')"
	record "$scen" "$v" flood_fps "$(awk -v n=$((n - m)) -v a="$t0" -v b="$t1" \
		'BEGIN { printf "%.0f", n / (b - a) }')"
	record "$scen" "$v" foreign "$(field foreign "$d/sink.out")"
}

# start_flooder DIR SCEN MACS: a flooder at FLOOD_RATE from MACS source addresses; sets FLPID.
# Without timeout(1), which would die of the SIGUSR1 meant for the flooder; -t bounds it.
start_flooder() {
	local rate=()
	[ "$FLOOD_RATE" != 0 ] && rate=(-r "$FLOOD_RATE")
	start_bg "${GEN[@]:2}" flood -m "$3" "${rate[@]}" -B "$BURST" -t 55 "$1/sw" >"$1/$2.out"
	FLPID=$BGPID
}

# run_flood VARIANT REP: on one switch, the fwd64 flow alone (flood_off), then with a flooder on
# a third port sending from one source address (flood_one: the same load with no new MACs),
# then with a flooder sending from FLOOD_MACS random addresses (flood_on), measured once the MAC
# table is full (ours) or after 2 s (reference, which has no cap). VARIANT: ref, ours (default
# caps) or ourscap (hash/setmaxport FLOOD_CAP). Flat: flood_on costs what flood_one does.
run_flood() {
	local v=$1 rep=$2 impl=ours d=$TMP/flood.$1.$2 t0 r0 r1 i fill=
	[ "$v" = ref ] && impl=ref
	mkdir -p "$d"
	FANOUT=1
	start_switch "$impl" "$d/sw" -M "$d/mgmt" || { stop_pid "$SWPID"; return 1; }
	wait_file 5 "$d/mgmt" || { stop_pid "$SWPID"; return 1; }
	[ "$v" = ourscap ] && mgmt "$d/mgmt" hash/setmaxport "$FLOOD_CAP" >/dev/null
	FLOW_MARK="" flow "$v" flood_off "$d" "-s 64 -t $SECS -B $BURST" ""
	start_flooder "$d" flood_one 1
	sleep 0.3
	flood_flow "$v" flood_one "$d" "$FLPID"
	stop_pid "$FLPID"
	start_flooder "$d" flood_on "$FLOOD_MACS"
	# Our switch: how long until the table (or the flooder's share of it) is full.
	t0=$(date +%s.%N)
	if [ "$impl" = ours ]; then
		for ((i = 0; i < 300; i++)); do
			read -r _ r0 <<<"$(mac_refused "$d/mgmt")"
			if [ "${r0:-0}" -gt 0 ]; then
				fill=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
				break
			fi
			sleep 0.05
		done
		record flood_fill "$v" secs "$fill"
		record flood_fill "$v" entries "$(mac_refused "$d/mgmt" | cut -d' ' -f1)"
		sleep 0.3
		r0=$(mac_refused "$d/mgmt" | cut -d' ' -f2)
	else
		sleep 2
	fi
	t0=$(date +%s.%N)
	flood_flow "$v" flood_on "$d" "$FLPID"
	if [ "$impl" = ours ]; then
		r1=$(mac_refused "$d/mgmt" | cut -d' ' -f2)
		record flood_on "$v" refused_per_s "$(awk -v a="$r0" -v b="$r1" -v x="$t0" \
			-v y="$(date +%s.%N)" 'BEGIN { printf "%.0f", (b - a) / (y - x) }')"
	fi
	stop_pid "$FLPID"
	stop_pid "$SWPID"
}

cable_pids() { # cable_pids PID: PID and its descendants (timeout, dpipe and the two plugs)
	local p=$1 c
	echo "$p"
	# shellcheck disable=SC2013 # the children files hold space-separated PIDs
	for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do
		cable_pids "$c"
	done
}

case $ONLY in
all) SCENARIOS="fwd64 fwd1500 flows4 bcast8 fixed idle sys latency cable flood"
	[ "$QUICK" = 1 ] && SCENARIOS=${SCENARIOS% flood} ;;
*) SCENARIOS=${ONLY//,/ } ;;
esac

echo "# vde benchmark: $(date -u '+%F %T UTC'), $(nproc) CPUs," \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# ours: $OUR_SWITCH; reference: $REF_SWITCH; generator on $VDEGEN_LIB libvdeplug"
echo "# $REPS repetitions, ${SECS}s per throughput run (bursts of $BURST)," \
	"fixed rate $RATE frames/s," \
	"syscalls counted by $SYSCOUNT"
case " $SCENARIOS " in
*" flood "*) echo "# flood: $FLOOD_MACS source MACs at ${FLOOD_RATE/#0/full speed} frames/s," \
	"per-port cap $FLOOD_CAP in ourscap" ;;
esac
for ((rep = 1; rep <= REPS; rep++)); do
	if ((rep % 2)); then order="ref ours"; else order="ours ref"; fi
	for scen in $SCENARIOS; do
		if [ "$scen" = flood ]; then
			if ((rep % 2)); then variants="ref ours ourscap"; else variants="ourscap ours ref"; fi
			for v in $variants; do
				run_flood "$v" "$rep"
			done
			continue
		fi
		for impl in $order; do
			if [ "$scen" = cable ]; then
				[ "$CABLE" = 1 ] || continue
				mkdir -p "$TMP/cable.$impl.$rep/r" "$TMP/cable.$impl.$rep/o"
				run_cable "$impl" ref "$TMP/cable.$impl.$rep/r" cable_refsw
				if [ "$QUICK" = 0 ]; then
					run_cable "$impl" "$impl" "$TMP/cable.$impl.$rep/o" cable_ownsw
				fi
			else
				run_scenario "$scen" "$impl" "$rep"
			fi
		done
	done
	echo "# repetition $rep/$REPS done ($SECONDS s)" >&2
done
echo
report
floodreport
