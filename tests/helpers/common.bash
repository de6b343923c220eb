# Shared bats helpers: every test gets its own directory, its own switch and its own PIDs.
# Tools under test come from the build tree ($BUILDDIR, set by make check) unless VDE_BIN is set.

: "${BUILDDIR:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
: "${VDE_BIN:=$BUILDDIR}"
SW="$VDE_BIN/tools/vde_switch/vde_switch"
PLUG="$VDE_BIN/tools/vde_plug"
DPIPE="$VDE_BIN/tools/dpipe"
UNIXCMD="$VDE_BIN/tools/unixcmd"
VDETERM="$VDE_BIN/tools/vdeterm"
UNIXTERM="$VDE_BIN/tools/unixterm"
HELPERS="$VDE_BIN/tests/helpers"
export LD_LIBRARY_PATH="$VDE_BIN/libvdeplug/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# Debian's reference binaries (the oracle).
REF_SW=/usr/bin/vde_switch
REF_PLUG=/usr/bin/vde_plug
REF_UNIXCMD=/usr/bin/unixcmd

# PIDs started by this test, killed in teardown (never anything else).
VDE_PIDS=()

# wait_for TIMEOUT_S CMD...: poll CMD every 50 ms until it succeeds; fail after TIMEOUT_S.
wait_for() {
	local t=$1; shift
	local end=$((SECONDS + t))
	until "$@" 2>/dev/null; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "# timed out after ${t}s waiting for: $*" >&2
			return 1
		fi
		sleep 0.05
	done
}

# bg CMD...: start CMD in the background, remember its PID in $BG_PID and VDE_PIDS.
bg() {
	"$@" &
	BG_PID=$!
	VDE_PIDS+=("$BG_PID")
}

# start_switch NAME [OPTS...]: our switch on $BATS_TEST_TMPDIR/NAME with mgmt socket NAME.mgmt.
# Sets SWPID. Waits until the ctl socket and the mgmt socket exist.
start_switch() {
	local name=$1; shift
	bg "$SW" --nostdin -s "$BATS_TEST_TMPDIR/$name" -M "$BATS_TEST_TMPDIR/$name.mgmt" "$@" \
		2>>"$BATS_TEST_TMPDIR/$name.log"
	SWPID=$BG_PID
	wait_for 5 test -S "$BATS_TEST_TMPDIR/$name/ctl"
	wait_for 5 test -S "$BATS_TEST_TMPDIR/$name.mgmt"
}

# start_ref_switch NAME [OPTS...]: Debian's vde_switch, same layout. Its stdin must stay open.
start_ref_switch() {
	local name=$1; shift
	bg bash -c 'exec "$0" "$@" < <(sleep 3600)' "$REF_SW" -s "$BATS_TEST_TMPDIR/$name" \
		-M "$BATS_TEST_TMPDIR/$name.mgmt" "$@"
	SWPID=$BG_PID
	wait_for 5 test -S "$BATS_TEST_TMPDIR/$name/ctl"
	wait_for 5 test -S "$BATS_TEST_TMPDIR/$name.mgmt"
}

# mgmt NAME CMD...: run one management command on switch NAME through our unixcmd.
mgmt() {
	local name=$1; shift
	"$UNIXCMD" -s "$BATS_TEST_TMPDIR/$name.mgmt" "$@"
}

# Kill what this test started, children first, and wait for them.
kill_started() {
	local p
	for p in "${VDE_PIDS[@]}"; do
		pkill -TERM -P "$p" 2>/dev/null || true
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${VDE_PIDS[@]}"; do
		timeout 5 tail --pid="$p" -f /dev/null 2>/dev/null || kill -KILL "$p" 2>/dev/null || true
	done
	VDE_PIDS=()
}

teardown() {
	kill_started
}
