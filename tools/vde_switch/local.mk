# tools/vde_switch: the switch (main, ports, MAC table, forwarding, control directory, commands)
bin_PROGRAMS += tools/vde_switch/vde_switch
tools_vde_switch_vde_switch_SOURCES = tools/vde_switch/main.c tools/vde_switch/port.c \
	tools/vde_switch/fdb.c tools/vde_switch/forward.c tools/vde_switch/datasock.c \
	tools/vde_switch/cmds.c tools/vde_switch/tap.c tools/vde_switch/tap.h \
	tools/vde_switch/mirror.c tools/vde_switch/mirror.h \
	tools/vde_switch/event.c tools/vde_switch/event.h tools/vde_switch/plugin.c \
	tools/vde_switch/plugin.h tools/vde_switch/vdeplugin.h \
	tools/vde_switch/vlan.c tools/vde_switch/swvlan.c tools/vde_switch/stp.c \
	tools/vde_switch/fstp.c tools/vde_switch/vlan.h tools/vde_switch/swvlan.h \
	tools/vde_switch/stp.h tools/vde_switch/fstp.h \
	tools/vde_switch/switch.h tools/vde_switch/port.h tools/vde_switch/fdb.h \
	tools/vde_switch/forward.h tools/vde_switch/datasock.h tools/vde_switch/cmds.h \
	tools/vde_switch/gso.c tools/vde_switch/gso.h \
	tools/vde_switch/shmep.c tools/vde_switch/shmep.h \
	libvdeplug/shmring.c libvdeplug/shmring.h libvdeplug/shmbell.c libvdeplug/shmbell.h
tools_vde_switch_vde_switch_LDADD = common/libvdecommon.la
# plugins call the switch's vdeplugin.h functions
tools_vde_switch_vde_switch_LDFLAGS = $(AM_LDFLAGS) -export-dynamic
include_HEADERS += tools/vde_switch/vdeplugin.h
dist_man_MANS += man/vde_switch.1

check_PROGRAMS += tests/unit/test_fdb tests/helpers/rawclient tests/helpers/shmclient
tests_helpers_shmclient_SOURCES = tests/helpers/shmclient.c libvdeplug/shmring.c \
	libvdeplug/shmbell.c
TESTS += tests/unit/test_fdb
tests_unit_test_fdb_SOURCES = tests/unit/test_fdb.c tools/vde_switch/fdb.c
tests_unit_test_fdb_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools/vde_switch -I$(top_srcdir)/tests/unit
check_PROGRAMS += tests/unit/test_forward
TESTS += tests/unit/test_forward
tests_unit_test_forward_SOURCES = tests/unit/test_forward.c tools/vde_switch/forward.c \
	tools/vde_switch/event.c tools/vde_switch/gso.c \
	tools/vde_switch/fdb.c tools/vde_switch/vlan.c tools/vde_switch/stp.c \
	tools/vde_switch/shmep.c libvdeplug/shmring.c libvdeplug/shmbell.c
tests_unit_test_forward_CPPFLAGS = $(tests_unit_test_fdb_CPPFLAGS)
tests_unit_test_forward_LDADD = common/libvdecommon.la
tests_helpers_rawclient_SOURCES = tests/helpers/rawclient.c tests/helpers/hsclient.c \
	tests/helpers/hsclient.h

# VLANs and fast spanning tree
check_PROGRAMS += tests/unit/test_vlan tests/unit/test_stp tests/unit/test_vlanfwd \
	tests/helpers/vlanclient
TESTS += tests/unit/test_vlan tests/unit/test_stp tests/unit/test_vlanfwd
tests_unit_test_vlanfwd_SOURCES = tests/unit/test_vlanfwd.c $(tests_unit_test_forward_SOURCES:tests/unit/test_forward.c=)
tests_unit_test_vlanfwd_CPPFLAGS = $(tests_unit_test_fdb_CPPFLAGS)
tests_unit_test_vlanfwd_LDADD = common/libvdecommon.la
tests_unit_test_vlan_SOURCES = tests/unit/test_vlan.c tools/vde_switch/vlan.c
tests_unit_test_vlan_CPPFLAGS = $(tests_unit_test_fdb_CPPFLAGS)
tests_unit_test_stp_SOURCES = tests/unit/test_stp.c tools/vde_switch/stp.c
tests_unit_test_stp_CPPFLAGS = $(tests_unit_test_fdb_CPPFLAGS)
tests_helpers_vlanclient_SOURCES = tests/helpers/vlanclient.c tests/helpers/hsclient.c \
	tests/helpers/hsclient.h
TESTS += tests/bats/vlan.bats tests/bats/fstp.bats
EXTRA_DIST += tests/bats/vlan.bats tests/bats/fstp.bats

TESTS += tests/bats/vde_switch.bats
EXTRA_DIST += tests/bats/vde_switch.bats
TESTS += tests/bats/tap.bats tests/bats/hardening.bats tests/bats/mirror.bats
EXTRA_DIST += tests/bats/tap.bats tests/bats/hardening.bats tests/bats/mirror.bats
check_PROGRAMS += tests/unit/test_fdb_limits
TESTS += tests/unit/test_fdb_limits
tests_unit_test_fdb_limits_SOURCES = tests/unit/test_fdb_limits.c tools/vde_switch/fdb.c
tests_unit_test_fdb_limits_CPPFLAGS = $(tests_unit_test_fdb_CPPFLAGS)

# TCP segmentation offload for tap ports (gso.c)
check_PROGRAMS += tests/unit/test_gso
TESTS += tests/unit/test_gso
tests_unit_test_gso_SOURCES = tests/unit/test_gso.c tools/vde_switch/gso.c
tests_unit_test_gso_CPPFLAGS = $(tests_unit_test_fdb_CPPFLAGS)

# the MAC table grows with its entries (MAC floods)
check_PROGRAMS += tests/unit/test_fdb_grow
TESTS += tests/unit/test_fdb_grow
tests_unit_test_fdb_grow_SOURCES = tests/unit/test_fdb_grow.c tools/vde_switch/fdb.c
tests_unit_test_fdb_grow_CPPFLAGS = $(tests_unit_test_fdb_CPPFLAGS)
