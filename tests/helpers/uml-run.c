/*
 * uml-run: start User-Mode Linux on hosts whose XSAVE area is larger than UML's buffer
 * (AVX-512/AMX). A seccomp filter, inherited by UML and its ptrace children, makes
 * ptrace(PTRACE_GETREGSET, pid, NT_X86_XSTATE, iov) fail with EIO, so UML falls back to
 * FXSAVE-only register handling. Usage: uml-run PROGRAM [ARGS...] (PROGRAM is exec'd).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>

/* From <linux/elf.h> and <linux/ptrace.h>; spelled out to avoid header clashes with glibc. */
#define UMLRUN_PTRACE_GETREGSET 0x4204
#define UMLRUN_NT_X86_XSTATE 0x202

/* Install the filter: everything allowed except reading the extended FP state. */
static int
filter_install(void)
{
	scmp_filter_ctx ctx;
	int rc;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL) {
		errno = ENOMEM;
		return -1;
	}
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EIO), SCMP_SYS(ptrace), 2,
			      SCMP_A0(SCMP_CMP_EQ, UMLRUN_PTRACE_GETREGSET),
			      SCMP_A2(SCMP_CMP_EQ, UMLRUN_NT_X86_XSTATE));
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fprintf(stderr, "usage: uml-run PROGRAM [ARGS...]\n");
		return argc < 2 ? 2 : 0;
	}
	if (filter_install() < 0) {
		fprintf(stderr, "uml-run: seccomp filter: %s\n", strerror(errno));
		return 1;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "uml-run: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
