# libvdeplug: the public plug library (libvdeplug.so.2). Standalone: it never links common/.
# Only vde_* and vdestream_* are exported (version script + hidden visibility).
lib_LTLIBRARIES += libvdeplug/libvdeplug.la
include_HEADERS += libvdeplug/libvdeplug.h
pkgconfig_DATA = libvdeplug/vdeplug.pc
libvdeplug_libvdeplug_la_SOURCES = \
	libvdeplug/vdeplug.c libvdeplug/vdeplug.h \
	libvdeplug/vnl.c libvdeplug/vnl.h \
	libvdeplug/mod_vde.c libvdeplug/mod_ptp.c libvdeplug/mod_seqpacket.c \
	libvdeplug/stream.c libvdeplug/streamcodec.c libvdeplug/streamcodec.h \
	libvdeplug/shmring.c libvdeplug/shmring.h libvdeplug/shmbell.c libvdeplug/shmbell.h \
	libvdeplug/shmplug.c libvdeplug/shmplug.h
libvdeplug_libvdeplug_la_CPPFLAGS = -include $(top_builddir)/config.h -I$(top_srcdir)/libvdeplug
libvdeplug_libvdeplug_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
libvdeplug_libvdeplug_la_LDFLAGS = $(AM_LDFLAGS) -version-info 2:0:0 -no-undefined \
	-Wl,--version-script=$(top_srcdir)/libvdeplug/libvdeplug.map
EXTRA_libvdeplug_libvdeplug_la_DEPENDENCIES = libvdeplug/libvdeplug.map
# tests/fuzz/fuzz_stream.c is a libFuzzer target, built by hand (see its header comment).
EXTRA_DIST += libvdeplug/libvdeplug.map tests/fuzz/fuzz_stream.c

# Unit tests of the pure parts (codec, locator parser): linked with the sources directly.
check_PROGRAMS += tests/unit/test_stream tests/unit/test_vnl
TESTS += tests/unit/test_stream tests/unit/test_vnl
tests_unit_test_stream_SOURCES = tests/unit/test_stream.c libvdeplug/streamcodec.c \
	libvdeplug/stream.c
tests_unit_test_vnl_SOURCES = tests/unit/test_vnl.c libvdeplug/vnl.c
# the shared-memory rings: layout, wrap-around, a hostile peer, two threads with eventfds
check_PROGRAMS += tests/unit/test_shmring
TESTS += tests/unit/test_shmring
tests_unit_test_shmring_SOURCES = tests/unit/test_shmring.c libvdeplug/shmring.c
tests_unit_test_shmring_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_test_shmring_LDFLAGS = $(AM_LDFLAGS) -pthread
# the library's client and the switch's endpoint on one offer, two threads, frames both ways
check_PROGRAMS += tests/unit/test_shmplug
TESTS += tests/unit/test_shmplug
tests_unit_test_shmplug_SOURCES = tests/unit/test_shmplug.c libvdeplug/shmplug.c \
	libvdeplug/shmring.c libvdeplug/shmbell.c tools/vde_switch/shmep.c
tests_unit_test_shmplug_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools/vde_switch
tests_unit_test_shmplug_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_test_shmplug_LDFLAGS = $(AM_LDFLAGS) -pthread -Wl,--wrap=recv

# Test client for tests/bats/libvdeplug.bats.
check_PROGRAMS += tests/helpers/plugtest
tests_helpers_plugtest_LDADD = libvdeplug/libvdeplug.la
EXTRA_DIST += tests/bats/libvdeplug.bats tests/bats/shm.bats
if HAVE_BATS
TESTS += tests/bats/libvdeplug.bats tests/bats/shm.bats
endif
