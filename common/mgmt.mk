# common/mgmt*.c: the management server (tables, dispatcher, scripts, debug categories in
# mgmt.c; sockets, console and sessions in mgmt_session.c).
common_libvdecommon_la_SOURCES += common/mgmt.c common/mgmt_session.c common/mgmt_int.h

check_PROGRAMS += tests/unit/test_mgmt
TESTS += tests/unit/test_mgmt
tests_unit_test_mgmt_SOURCES = tests/unit/test_mgmt.c tests/unit/tap.h
tests_unit_test_mgmt_LDADD = common/libvdecommon.la

# libFuzzer target, not built by default (the command is at the top of the file).
EXTRA_DIST += tests/fuzz/fuzz_mgmt.c
