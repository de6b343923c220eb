# plugins: vde_switch plugins (hex dumper, pcap writer, IP logger) loaded with plugin/add.
# Their undefined symbols are the switch's vdeplugin.h API (it links with -export-dynamic).
plugindir = $(pkglibdir)/plugins
plugin_LTLIBRARIES = plugins/dump.la plugins/pdump.la plugins/iplog.la
PLUGIN_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools/vde_switch
PLUGIN_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared
plugins_dump_la_SOURCES = plugins/dump.c
plugins_dump_la_CPPFLAGS = $(PLUGIN_CPPFLAGS)
plugins_dump_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_pdump_la_SOURCES = plugins/pdump.c
plugins_pdump_la_CPPFLAGS = $(PLUGIN_CPPFLAGS)
plugins_pdump_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_iplog_la_SOURCES = plugins/iplog.c
plugins_iplog_la_CPPFLAGS = $(PLUGIN_CPPFLAGS)
plugins_iplog_la_LDFLAGS = $(PLUGIN_LDFLAGS)

TESTS += tests/bats/plugins.bats
EXTRA_DIST += tests/bats/plugins.bats tests/plugins/bookplugin.c tests/plugins/evplugin.c
check_PROGRAMS += tests/unit/test_event
TESTS += tests/unit/test_event
tests_unit_test_event_SOURCES = tests/unit/test_event.c tools/vde_switch/event.c
tests_unit_test_event_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools/vde_switch \
	-I$(top_srcdir)/tests/unit
tests_unit_test_event_LDADD = common/libvdecommon.la
