# bench: frame generator for the benchmark (bench/run.sh; not part of make check).
# -no-install: the binary runs from the build tree on our libvdeplug (RUNPATH), or on another
# libvdeplug.so.2 given in LD_LIBRARY_PATH.
noinst_PROGRAMS += bench/vdegen
bench_vdegen_SOURCES = bench/vdegen.c
bench_vdegen_LDADD = libvdeplug/libvdeplug.la
bench_vdegen_LDFLAGS = $(AM_LDFLAGS) -no-install
EXTRA_DIST += bench/run.sh bench/lib.sh bench/tap.sh bench/README.md
