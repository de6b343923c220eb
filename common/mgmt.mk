# common/mgmt.c: the management server (command tables, dispatcher, sessions, debug categories).
common_libvdecommon_la_SOURCES += common/mgmt.c

check_PROGRAMS += tests/unit/test_mgmt
TESTS += tests/unit/test_mgmt
tests_unit_test_mgmt_SOURCES = tests/unit/test_mgmt.c tests/unit/tap.h
tests_unit_test_mgmt_LDADD = common/libvdecommon.la

# libFuzzer target, not built by default:
#   clang -fsanitize=fuzzer,address -include config.h -Icommon tests/fuzz/fuzz_mgmt.c common/*.c
EXTRA_DIST += tests/fuzz/fuzz_mgmt.c
