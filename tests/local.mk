# Test harness: C unit tests (TAP) and bats suites share automake's parallel harness.
TEST_EXTENSIONS = .bats
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
BATS_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
BATS_LOG_COMPILER = env BUILDDIR=$(abs_top_builddir) $(BATS) --tap
AM_TESTS_ENVIRONMENT = BUILDDIR=$(abs_top_builddir); export BUILDDIR;
EXTRA_DIST += tests/unit/tap.h tests/helpers/common.bash build-aux/tap-driver.sh
