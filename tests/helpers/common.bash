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

# A sanitizer build's libvdeplug needs the sanitizer runtimes preloaded when a foreign,
# uninstrumented program (QEMU, Debian's tools) loads it: run such programs as
# `env "${ON_OUR_LIB[@]}" PROGRAM ...` (env execs, so a background PID stays the program's).
ON_OUR_LIB=()
if ldd "$VDE_BIN/libvdeplug/.libs/libvdeplug.so.2" 2>/dev/null | grep -q libasan; then
	ON_OUR_LIB=("LD_PRELOAD=$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
		"ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0")
fi

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

# start_ref_switch NAME [OPTS...]: Debian's vde_switch, same layout, as a daemon (so it needs no
# stdin and leaves no helper process behind); its PID comes from its pidfile.
start_ref_switch() {
	local name=$1; shift
	"$REF_SW" -d -p "$BATS_TEST_TMPDIR/$name.pid" -s "$BATS_TEST_TMPDIR/$name" \
		-M "$BATS_TEST_TMPDIR/$name.mgmt" "$@"
	wait_for 5 test -s "$BATS_TEST_TMPDIR/$name.pid"
	SWPID=$(cat "$BATS_TEST_TMPDIR/$name.pid")
	VDE_PIDS+=("$SWPID")
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

# --- added by the interop suites (tests/interop.mk) ---

# vde_pkt, the frame generator/sniffer of tests/helpers/vde_pkt.c (VDE_PKT overrides).
PKT="${VDE_PKT:-$HELPERS/vde_pkt}"

# ref CMD...: run a Debian reference binary on Debian's own libvdeplug, not ours.
ref() {
	env -u LD_LIBRARY_PATH "$@"
}

# endpoints_on MGMT [PORT]: how many endpoints our switch with management socket MGMT has (on
# port PORT only, if given). Counts clients whatever their transport (datagram sockets or
# shared-memory rings, which leave no socket file in the switch directory).
endpoints_on() {
	local out
	out=$("$UNIXCMD" -s "$1" port/allprint 2>/dev/null) || { echo 0; return; }
	if [ -n "${2:-}" ]; then
		awk -v p="$(printf 'Port %04d ' "$2")" \
			'/^Port / { on = index($0, p) == 1 } on && /-- endpoint ID/ { n++ }
			 END { print n + 0 }' <<<"$out"
	else
		grep -c -- '-- endpoint ID' <<<"$out" || true
	fi
}

# endpoints_are MGMT N [PORT]: exactly N endpoints (a predicate for wait_for).
endpoints_are() {
	[ "$(endpoints_on "$1" "${3:-}")" -eq "$2" ]
}

# endpoints_atleast MGMT N: at least N endpoints (a predicate for wait_for).
endpoints_atleast() {
	[ "$(endpoints_on "$1")" -ge "$2" ]
}

# port_has NAME TEXT: port/print of switch NAME mentions TEXT.
port_has() {
	mgmt "$1" port/print | grep -qF -- "$2"
}

# pkt_recv_bg OUT VNL [ARGS...]: "vde_pkt recv" in the background writing its lines to OUT;
# returns once it is plugged in. Sets PKT_PID (collect its status with: wait "$PKT_PID").
pkt_recv_bg() {
	local out=$1 vnl=$2
	shift 2
	rm -f "$out.ready"
	bg "$PKT" recv "$vnl" --ready "$out.ready" "$@" >"$out"
	PKT_PID=$BG_PID
	wait_for 5 test -e "$out.ready"
}

# bg_held CMD...: like bg, but CMD's stdin stays open and silent (a FIFO opened read-write, no
# helper process) and its stdout is discarded: for plugs that would stop at end of input.
bg_held() {
	local fifo
	fifo=$(mktemp -u "$BATS_TEST_TMPDIR/held.XXXXXX")
	mkfifo "$fifo"
	# the redirection must be on the "&" command itself: bash gives background commands
	# without one /dev/null as stdin
	"$@" <>"$fifo" >/dev/null &
	BG_PID=$!
	VDE_PIDS+=("$BG_PID")
}

# port_lacks NAME TEXT: port/print of switch NAME does not mention TEXT (for wait_for).
port_lacks() {
	! port_has "$@"
}
