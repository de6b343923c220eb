# tools: vde_plug (stream/coprocess/cable plug) and dpipe (bidirectional pipes, libc only).
bin_PROGRAMS += tools/vde_plug tools/dpipe
tools_vde_plug_SOURCES = tools/vde_plug.c tools/vde_plug.h tools/vde_plug_args.c \
	tools/vde_plug_batch.c tools/vde_plug_batch.h tools/vde_plug_iplog.c tools/vde_plug_iplog.h
tools_vde_plug_LDADD = libvdeplug/libvdeplug.la common/libvdecommon.la
tools_dpipe_SOURCES = tools/dpipe.c
dist_man_MANS += man/vde_plug.1 man/dpipe.1

check_PROGRAMS += tests/unit/test_vde_plug_iplog
TESTS += tests/unit/test_vde_plug_iplog
tests_unit_test_vde_plug_iplog_SOURCES = tests/unit/test_vde_plug_iplog.c tools/vde_plug_iplog.c
tests_unit_test_vde_plug_iplog_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit -I$(top_srcdir)/tools

if HAVE_BATS
TESTS += tests/bats/vde_plug.bats tests/bats/dpipe.bats
endif
EXTRA_DIST += tests/bats/vde_plug.bats tests/bats/dpipe.bats
