# wirefilter (owner: wirefilter): the link emulator. The model, chain, value parser and delay
# queue are pure modules, unit-tested directly; main.c/link.c/cmds.c are the I/O shell.
WF_CORE = wirefilter/model.c wirefilter/model.h wirefilter/markov.c wirefilter/markov.h \
	wirefilter/value.c wirefilter/value.h wirefilter/queue.c wirefilter/queue.h \
	wirefilter/rng.h

bin_PROGRAMS += wirefilter/wirefilter
wirefilter_wirefilter_SOURCES = $(WF_CORE) wirefilter/wf.h wirefilter/main.c \
	wirefilter/link.c wirefilter/cmds.c
wirefilter_wirefilter_LDADD = common/libvdecommon.la libvdeplug/libvdeplug.la -lm

check_PROGRAMS += tests/unit/test_wf_value tests/unit/test_wf_markov tests/unit/test_wf_model \
	tests/unit/test_wf_queue
TESTS += tests/unit/test_wf_value tests/unit/test_wf_markov tests/unit/test_wf_model \
	tests/unit/test_wf_queue
tests_unit_test_wf_value_SOURCES = tests/unit/test_wf_value.c wirefilter/value.c tests/unit/tap.h
tests_unit_test_wf_value_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/wirefilter
tests_unit_test_wf_value_LDADD = -lm
tests_unit_test_wf_markov_SOURCES = tests/unit/test_wf_markov.c wirefilter/markov.c tests/unit/tap.h
tests_unit_test_wf_markov_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/wirefilter
tests_unit_test_wf_markov_LDADD = -lm
tests_unit_test_wf_model_SOURCES = tests/unit/test_wf_model.c $(WF_CORE) tests/unit/tap.h
tests_unit_test_wf_model_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/wirefilter
tests_unit_test_wf_model_LDADD = -lm
tests_unit_test_wf_queue_SOURCES = tests/unit/test_wf_queue.c wirefilter/queue.c tests/unit/tap.h
tests_unit_test_wf_queue_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/wirefilter

# End-to-end tests through real switches, with a frame generator/meter.
check_PROGRAMS += tests/helpers/wf_gen
tests_helpers_wf_gen_SOURCES = tests/helpers/wf_gen.c
tests_helpers_wf_gen_LDADD = libvdeplug/libvdeplug.la -lm
TESTS += tests/bats/wirefilter.bats tests/bats/wirefilter_net.bats
EXTRA_DIST += tests/bats/wirefilter.bats tests/bats/wirefilter_net.bats tests/helpers/wirefilter.bash bench/wirefilter.sh tests/fuzz/fuzz_wf_model.c
dist_man_MANS += man/wirefilter.1
