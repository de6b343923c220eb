# Interoperability suites: real clients (Debian's vde tools, QEMU, User-Mode Linux, OpenSSH)
# against our switch, plugs and library. vde_pkt generates and checks frames for any suite;
# uml-run starts UML under a seccomp filter (needs libseccomp); uml-init.sh is the UML guest's init.
check_PROGRAMS += tests/helpers/vde_pkt
tests_helpers_vde_pkt_SOURCES = tests/helpers/vde_pkt.c
tests_helpers_vde_pkt_LDADD = libvdeplug/libvdeplug.la common/libvdecommon.la

if HAVE_SECCOMP
check_PROGRAMS += tests/helpers/uml-run
tests_helpers_uml_run_SOURCES = tests/helpers/uml-run.c
tests_helpers_uml_run_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS)
tests_helpers_uml_run_LDADD = $(SECCOMP_LIBS)
endif

INTEROP_SUITES = tests/bats/interop_ref.bats tests/bats/interop_ssh.bats \
	tests/bats/interop_qemu.bats tests/bats/interop_uml.bats
if HAVE_BATS
TESTS += $(INTEROP_SUITES)
endif
EXTRA_DIST += $(INTEROP_SUITES) tests/helpers/uml-init.sh
