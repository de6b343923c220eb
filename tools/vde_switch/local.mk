# tools/vde_switch: the switch (main, ports, MAC table, forwarding, control directory, commands)
bin_PROGRAMS += tools/vde_switch/vde_switch
tools_vde_switch_vde_switch_SOURCES = tools/vde_switch/main.c tools/vde_switch/port.c \
	tools/vde_switch/fdb.c tools/vde_switch/forward.c tools/vde_switch/datasock.c \
	tools/vde_switch/cmds.c \
	tools/vde_switch/switch.h tools/vde_switch/port.h tools/vde_switch/fdb.h \
	tools/vde_switch/forward.h tools/vde_switch/datasock.h tools/vde_switch/cmds.h
tools_vde_switch_vde_switch_LDADD = common/libvdecommon.la
dist_man_MANS += man/vde_switch.1

check_PROGRAMS += tests/unit/test_fdb tests/helpers/rawclient
TESTS += tests/unit/test_fdb
tests_unit_test_fdb_SOURCES = tests/unit/test_fdb.c tools/vde_switch/fdb.c
tests_unit_test_fdb_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools/vde_switch -I$(top_srcdir)/tests/unit
check_PROGRAMS += tests/unit/test_forward
TESTS += tests/unit/test_forward
tests_unit_test_forward_SOURCES = tests/unit/test_forward.c tools/vde_switch/forward.c \
	tools/vde_switch/fdb.c
tests_unit_test_forward_CPPFLAGS = $(tests_unit_test_fdb_CPPFLAGS)
tests_unit_test_forward_LDADD = common/libvdecommon.la
tests_helpers_rawclient_SOURCES = tests/helpers/rawclient.c

TESTS += tests/bats/vde_switch.bats
EXTRA_DIST += tests/bats/vde_switch.bats
