# common: the internal library every tool links (event loop, logging, line/queue I/O,
# socket, daemon and parse helpers). common/mgmt.mk appends mgmt.c to the sources.
noinst_LTLIBRARIES += common/libvdecommon.la
common_libvdecommon_la_SOURCES = common/loop.c common/log.c common/iobuf.c common/sock.c \
	common/daemon.c common/parse.c \
	common/loop.h common/log.h common/iobuf.h common/sock.h common/daemon.h common/parse.h \
	common/mgmt.h
