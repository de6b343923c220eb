# Test harness: C unit tests (TAP) and bats suites share automake's parallel harness.
TEST_EXTENSIONS = .bats
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
BATS_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
BATS_LOG_COMPILER = env BUILDDIR=$(abs_top_builddir) $(BATS) --tap
AM_TESTS_ENVIRONMENT = BUILDDIR=$(abs_top_builddir); export BUILDDIR;
EXTRA_DIST += tests/unit/tap.h tests/helpers/common.bash build-aux/tap-driver.sh

# scripts/test.sh runs the suites of its two builds at the same time, except these, which
# measure timing (link emulation accuracy, spanning-tree failover): they run one build at a time.
SERIAL_TESTS = tests/bats/wirefilter.bats tests/bats/fstp.bats
print-tests:
	@echo $(filter-out $(SERIAL_TESTS),$(TESTS))
print-serial-tests:
	@echo $(filter $(SERIAL_TESTS),$(TESTS))
.PHONY: print-tests print-serial-tests
