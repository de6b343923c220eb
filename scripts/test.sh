#!/bin/sh
# Installs what is missing, builds, and runs the whole test suite twice: a normal -Werror build
# and an AddressSanitizer+UndefinedBehaviorSanitizer build. Ends with "N passed, N failed[, N skipped]".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh" || exit 1
pass=0 fail=0 skip=0 status=0

build() { # $1 build dir, rest: configure options. Builds the tools and the test programs.
	dir=$1; shift
	echo "=== building in $dir ($*)"
	BUILDDIR=$dir "$top/scripts/build.sh" "$@" &&
		(cd "$dir" && make -j"$(nproc)" check TESTS= >/dev/null) && return 0
	echo "build failed in $dir"; fail=$((fail + 1)); status=1; return 1
}

check() { # $1 build dir, $2 tag: the suites one at a time, every line tagged, saved in $1.check
	(cd "$1" && make check 2>&1; echo "=== make check in $1: exit $?") | sed "s|^|[$2] |" |
		tee "$1.check"
}

tally() { # $1 build dir
	log=$1/test-suite.log
	grep -q "=== make check in $1: exit 0\$" "$1.check" || status=1
	if [ ! -f "$log" ]; then
		echo "no test-suite.log in $1"; fail=$((fail + 1)); status=1; return
	fi
	p=$(sed -n 's/^# PASS: *//p' "$log" | head -1)
	f=$(sed -n 's/^# FAIL: *//p' "$log" | head -1)
	e=$(sed -n 's/^# ERROR: *//p' "$log" | head -1)
	x=$(sed -n 's/^# XPASS: *//p' "$log" | head -1)
	s=$(sed -n 's/^# SKIP: *//p' "$log" | head -1)
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0} + ${e:-0} + ${x:-0})); skip=$((skip + ${s:-0}))
	[ "${f:-0}${e:-0}${x:-0}" = 000 ] || sed -n '/^FAIL\|^ERROR/p' "$log" | head -20
}

built=""
build "$top/build" && built="$built build"
build "$top/build-san" --enable-sanitizers && built="$built build-san"
# The two builds' suites run at the same time, each build's suites one after the other: most of
# a suite's time is waiting (timeouts, guest boots, paced traffic), not computing, and the
# timing tests have margins (and one retry) for a loaded machine.
for b in $built; do
	rm -f "$top/$b.check"
	if [ "$b" = build-san ]; then
		(export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:verify_asan_link_order=0
		 export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		 check "$top/$b" san) &
	else
		check "$top/$b" "$b" &
	fi
done
wait
for b in $built; do tally "$top/$b"; done
[ "$fail" -eq 0 ] || status=1
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
exit $status
