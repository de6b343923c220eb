#!/usr/bin/env bats
# wirefilter under real TCP: namespaces with taps on two switches joined by the dpipe form, long
# transfers and an iperf3 --bidir soak with delay and loss. These check that nothing stalls, not
# timing precision, so they run alongside other suites (scripts/test.sh).
load ../helpers/common
load ../helpers/wirefilter

@test "TCP through the dpipe form never stalls (namespaces; plain, with reordering, with loss)" {
	ns_pair
	bg "$DPIPE" "$PLUG" "$T/a" = "$WF" -M "$T/wf.m" --seed 1 = "$PLUG" "$T/b"
	wait_for 5 test -S "$T/wf.m"
	wait_for 10 ip netns exec "$NS1" ping -c 1 -W 1 10.77.0.2
	tcp_transfer 100000000
	wf fifo 0
	wf delay 1+1N
	tcp_transfer 30000000
	wf fifo 1
	wf delay 0
	wf loss 0.5
	tcp_transfer 20000000
}

# soak_check JSON: each direction as its receiver saw it (the server's forward stream, the
# client's reverse one): both moved data, and no 1-second interval after the first 3 is empty.
soak_check() {
	python3 - "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
dirs = {
    "LR (ns1 -> ns2)": [i["sum"] for i in r["server_output_json"]["intervals"]],
    "RL (ns2 -> ns1)": [i["sum_bidir_reverse"] for i in r["intervals"]],
}
bad = 0
for name, iv in dirs.items():
    rates = [s["bits_per_second"] / 1e6 for s in iv] or [0]
    # whole seconds only: the server's last interval is the fraction after the client stopped
    late = [s for s in iv if s["start"] >= 3 and s["seconds"] > 0.9]
    stalls = [round(s["start"]) for s in late if s["bytes"] == 0]
    total = sum(s["bytes"] for s in iv)
    print("# %s: %d intervals, %.0f MB, mean %.1f Mbit/s, slowest second %.2f Mbit/s, stalls: %s"
          % (name, len(iv), total / 1e6, sum(rates) / len(rates), min(rates), stalls or "none"))
    if not late or total == 0 or stalls:
        bad = 1
sys.exit(bad)
EOF
}

# stats_balance: every frame that entered each direction is out, dropped or still queued; the
# loss counted is near the 0.5% asked for.
stats_balance() {
	awk '$1 == "frames" && ($2 == "in" || $2 == "out") || $1 == "dropped" ||
		$1 == "discarded" || $1 == "duplicated" || ($1 == "queued" && $2 == "frames") {
			k = $1 ($1 == "discarded" || $1 == "duplicated" ? "" : $2)
			l[k] = $(NF - 1); r[k] = $NF
		}
		function bal(a) {
			return a["framesout"] + a["droppedmtu"] + a["droppedloss"] + \
				a["droppedcapacity"] + a["discarded"] + a["queuedframes"] - \
				a["duplicated"] == a["framesin"]
		}
		function lossok(a) {
			return a["framesin"] > 10000 && \
				a["droppedloss"] > 0.002 * a["framesin"] && \
				a["droppedloss"] < 0.01 * a["framesin"]
		}
		END { exit !(bal(l) && bal(r) && lossok(l) && lossok(r)) }'
}

# The soak: WF_SOAK_SECS (default 120 s, 30 s in a sanitizer build) of iperf3 in both
# directions at once through delay 5+2 ms and 0.5% loss each way. The loss starts once the
# connections are up: iperf3 3.12 --bidir tells its two streams apart by the order in which
# their first segments arrive, so one lost there makes both ends send on the same stream.
@test "soak: iperf3 --bidir through the dpipe form, delay and loss both ways, never stalls" {
	command -v iperf3 >/dev/null || skip "no iperf3"
	local secs=${WF_SOAK_SECS:-$([ ${#ON_OUR_LIB[@]} -gt 0 ] && echo 30 || echo 120)}
	ns_pair
	bg "$DPIPE" "$PLUG" "$T/a" = "$WF" -M "$T/wf.m" -d 5+2 --seed 8 = "$PLUG" "$T/b"
	local dp=$BG_PID
	wait_for 5 test -S "$T/wf.m"
	wait_for 10 ip netns exec "$NS1" ping -c 1 -W 1 10.77.0.2
	bg ip netns exec "$NS2" timeout $((secs + 60)) iperf3 -s -1 -J -B 10.77.0.2 -p 5301 \
		>"$T/iperf-s.json"
	local srv=$BG_PID
	wait_for 5 bash -c "ip netns exec $NS2 ss -ltn | grep -q 10.77.0.2:5301"
	echo "# soak: $secs s" >&3
	# 150 Mbit/s each way at most: busy both ways all along, without taking both CPUs from the
	# suites that run beside this one (scripts/test.sh)
	bg ip netns exec "$NS1" timeout $((secs + 30)) iperf3 -c 10.77.0.2 -p 5301 --bidir \
		-b 150M -t "$secs" -i 1 --json --get-server-output --connect-timeout 5000 \
		>"$T/iperf.json"
	local cli=$BG_PID
	# the control connection and the two streams
	wait_for 10 bash -c "[ \$(ip netns exec $NS1 ss -Htn state established \
		dst 10.77.0.2:5301 | wc -l) -ge 3 ]"
	sleep 0.5
	wf loss 0.5
	wait "$cli" || { tail -c 2000 "$T/iperf.json" >&3; false; }
	wait_for 10 bash -c "! kill -0 $srv"
	# wirefilter is still there
	kill -0 "$dp"
	run wf showstats
	sed 's/^/# /' <<<"$output" >&3
	soak_check "$T/iperf.json" >&3
	# its counters add up
	stats_balance <<<"$output"
}
