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

check() { # $1 build dir, $2 tag, $3 tests, $4 suite log: lines tagged, also saved in $1.check
	(cd "$1" && make check TESTS="$3" TEST_SUITE_LOG="$4" 2>&1
	 echo "=== make check $4 in $1: exit $?") | sed "s|^|[$2] |" | tee -a "$1.check"
}

check_build() { # $1 build (build or build-san), $2 "print-tests" or "print-serial-tests", $3 log
	tests=$(cd "$top/$1" && make -s "$2")
	if [ "$1" = build-san ]; then
		# in the opposite order: the same suite seldom runs in both builds at once
		tests=$(printf '%s\n' $tests | tac | tr '\n' ' ')
		(export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:verify_asan_link_order=0
		 export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		 check "$top/$1" san "$tests" "$3")
	else
		check "$top/$1" "$1" "$tests" "$3"
	fi
}

tally() { # $1 build dir, $2 suite log
	log=$1/$2
	grep -q "=== make check $2 in $1: exit 0\$" "$1.check" || status=1
	if [ ! -f "$log" ]; then
		echo "no $2 in $1"; fail=$((fail + 1)); status=1; return
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
# Most suites of the two builds run at the same time (each build's one after the other): most
# of a suite's time is waiting (timeouts, guest boots, paced traffic), not computing. The suites
# that measure timing (make print-serial-tests) then run alone, one build after the other.
for b in $built; do
	rm -f "$top/$b.check"
	check_build "$b" print-tests test-suite.log &
done
wait
for b in $built; do
	check_build "$b" print-serial-tests serial-suite.log
done
for b in $built; do
	tally "$top/$b" test-suite.log
	tally "$top/$b" serial-suite.log
done
[ "$fail" -eq 0 ] || status=1
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
exit $status
