# Management terminals: vdeterm (readline), unixterm (raw), unixcmd (one command for scripts).
# All three parse the reply stream with tools/mgmtclient.c.
bin_PROGRAMS += tools/unixterm tools/unixcmd
tools_unixterm_SOURCES = tools/unixterm.c tools/mgmtclient.c tools/mgmtclient.h
tools_unixterm_LDADD = common/libvdecommon.la
tools_unixcmd_SOURCES = tools/unixcmd.c tools/mgmtclient.c tools/mgmtclient.h
tools_unixcmd_LDADD = common/libvdecommon.la
dist_man_MANS += man/unixterm.1 man/unixcmd.1

if HAVE_READLINE
bin_PROGRAMS += tools/vdeterm
tools_vdeterm_SOURCES = tools/vdeterm.c tools/mgmtclient.c tools/mgmtclient.h
tools_vdeterm_CFLAGS = $(AM_CFLAGS) $(READLINE_CFLAGS)
tools_vdeterm_LDADD = common/libvdecommon.la $(READLINE_LIBS)
dist_man_MANS += man/vdeterm.1
endif

check_PROGRAMS += tests/unit/test_mgmtclient
tests_unit_test_mgmtclient_SOURCES = tests/unit/test_mgmtclient.c tools/mgmtclient.c \
	tools/mgmtclient.h
tests_unit_test_mgmtclient_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools
TESTS += tests/unit/test_mgmtclient
if HAVE_BATS
TESTS += tests/bats/terminals.bats
endif
EXTRA_DIST += tests/bats/terminals.bats
