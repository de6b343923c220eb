# common: the internal library every tool links (event loop, logging, line/queue I/O,
# socket, daemon and parse helpers). common/mgmt.mk appends mgmt.c to the sources.
noinst_LTLIBRARIES += common/libvdecommon.la
common_libvdecommon_la_SOURCES = common/loop.c common/log.c common/iobuf.c common/sock.c \
	common/daemon.c common/parse.c \
	common/loop.h common/log.h common/iobuf.h common/sock.h common/daemon.h common/parse.h \
	common/mgmt.h

check_PROGRAMS += tests/unit/test_parse tests/unit/test_iobuf tests/unit/test_loop
TESTS += tests/unit/test_parse tests/unit/test_iobuf tests/unit/test_loop
tests_unit_test_parse_SOURCES = tests/unit/test_parse.c tests/unit/tap.h
tests_unit_test_parse_LDADD = common/libvdecommon.la
tests_unit_test_iobuf_SOURCES = tests/unit/test_iobuf.c tests/unit/tap.h
tests_unit_test_iobuf_LDADD = common/libvdecommon.la
tests_unit_test_loop_SOURCES = tests/unit/test_loop.c tests/unit/tap.h
tests_unit_test_loop_LDADD = common/libvdecommon.la
