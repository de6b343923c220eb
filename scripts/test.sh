#!/bin/sh
# Installs what is missing, builds, and runs the whole test suite twice: a normal -Werror build
# and an AddressSanitizer+UndefinedBehaviorSanitizer build. Ends with "N passed, N failed[, N skipped]".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh" || exit 1
pass=0 fail=0 skip=0 status=0

run_suite() { # $1 build dir, rest: configure options
	dir=$1; shift
	echo "=== building in $dir ($*)"
	if ! BUILDDIR=$dir "$top/scripts/build.sh" "$@"; then
		echo "build failed in $dir"; fail=$((fail + 1)); status=1; return
	fi
	echo "=== make check in $dir"
	# Test programs build in parallel; the suites then run one at a time, because several of
	# them measure timing (link emulation, spanning-tree failover) on this 2-core machine.
	(cd "$dir" && make -j"$(nproc)" check TESTS= >/dev/null && make check) || status=1
	log=$dir/test-suite.log
	if [ -f "$log" ]; then
		p=$(sed -n 's/^# PASS: *//p' "$log" | head -1)
		f=$(sed -n 's/^# FAIL: *//p' "$log" | head -1)
		e=$(sed -n 's/^# ERROR: *//p' "$log" | head -1)
		x=$(sed -n 's/^# XPASS: *//p' "$log" | head -1)
		s=$(sed -n 's/^# SKIP: *//p' "$log" | head -1)
		pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0} + ${e:-0} + ${x:-0})); skip=$((skip + ${s:-0}))
		[ "${f:-0}${e:-0}${x:-0}" = 000 ] || sed -n '/^FAIL\|^ERROR/p' "$log" | head -20
	else
		echo "no test-suite.log in $dir"; fail=$((fail + 1)); status=1
	fi
}

run_suite "$top/build"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:verify_asan_link_order=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite "$top/build-san" --enable-sanitizers
[ "$fail" -eq 0 ] || status=1
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
exit $status
