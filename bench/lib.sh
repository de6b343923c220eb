# Shared by the bench scripts (sourced, bash): the processes a script starts are in PIDS, and only
# those are ever signalled; CPU time comes from /proc.

PIDS=()

# kill_pids: TERM everything in PIDS, wait up to 3 s each, then KILL; PIDS is emptied.
kill_pids() {
	local p
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		timeout 3 tail -s 0.02 --pid="$p" -f /dev/null 2>/dev/null || kill -KILL "$p" 2>/dev/null
	done
	PIDS=()
}

# stop_pid PID: TERM it, wait up to 3 s, then KILL; forget it.
stop_pid() {
	local p=$1 i
	kill -TERM "$p" 2>/dev/null
	timeout 3 tail -s 0.02 --pid="$p" -f /dev/null 2>/dev/null || kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	for i in "${!PIDS[@]}"; do
		[ "${PIDS[$i]}" = "$p" ] && unset 'PIDS[i]'
	done
}

# start_bg CMD...: run CMD in the background, remember it in PIDS and BGPID.
start_bg() {
	"$@" &
	BGPID=$!
	PIDS+=("$BGPID")
}

# cputicks PID...: utime+stime of all threads of the PIDs, in clock ticks.
cputicks() {
	local p s=0 v
	for p in "$@"; do
		v=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }')
		s=$((s + ${v:-0}))
	done
	echo "$s"
}

# remove_tmp: removes $TMP, or says where it is kept when KEEP=1.
remove_tmp() {
	if [ "$KEEP" = 1 ]; then
		echo "# raw results and logs kept in $TMP"
	else
		rm -rf "$TMP"
	fi
}

# hold_console: the reference switch exits on EOF of its stdin console, so every switch reads
# the FIFO $TMP/stdin, which HOLDFD keeps open.
hold_console() {
	mkfifo "$TMP/stdin"
	exec {HOLDFD}<>"$TMP/stdin"
}
