/*
 * vde_plug's command line: both generations' options (VDE2 and vdeplug4) parsed into one
 * options struct, and the login-shell mode that lets sshd run vde_plug for a tunnel broker.
 */
#ifndef VDE_PLUG_H
#define VDE_PLUG_H

#include "libvdeplug.h"

struct plug_opts {
	char *vnl[2];		      /* locators; NULL or "" is the default switch */
	struct vde_open_args args[2]; /* port, group, mode of each */
	char *descr;
	char **cmd; /* "= cmd args": the coprocess, or NULL */
	const char *pidfile;
	int daemon, log, iplog, login;
};

/* Returns the number of networks (1 or 2), 0 after --help, -1 on a usage error (reported). */
int plug_args_parse(int argc, char **argv, struct plug_opts *o);
/*
 * Login-shell mode (argv[0] starting with '-', or "-c command" as sshd runs a shell): accepts
 * "-c vde_plug" (0, o set for the default switch with START/STOP logging), else prints the
 * refusal, logs it and returns -1: then vde_plug exits with PLUG_LOGIN_REFUSED, as the
 * reference (vdeplug4) does.
 */
#define PLUG_LOGIN_REFUSED 255
int plug_login(int argc, char **argv, struct plug_opts *o);
/* "user=NAME[ SSH=IP]" for the syslog messages (static buffer). */
const char *plug_who(void);

#endif
