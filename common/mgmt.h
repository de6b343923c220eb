/*
 * Management consoles in the VDE protocol: a banner, a prompt, one command per line,
 * "0000 DATA END WITH '.'" ... "." data blocks, "1000 Success" or "1<errno> <strerror>" results,
 * "9999 END OF SESSION" on logout, asynchronous "3TTT path msg" debug lines.
 * Commands are data: tables of struct mgmt_cmd, matched by exact path or unique prefix.
 * One dispatcher serves stdin consoles, the -M socket, rc files and `load`.
 */
#ifndef VDE_MGMT_H
#define VDE_MGMT_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

struct loop;
struct wqueue;
struct mgmt;
struct mgmt_session;
struct mgmt_dbg;

#define MGMT_F_OUTPUT  0x01u /* output wrapped in a 0000 DATA block (even when empty) */
#define MGMT_F_SESSION 0x02u /* needs an interactive session: EBADF when run from an rc file */
#define MGMT_F_MENU    0x04u /* menu header: shown in help with syntax "============", not run */
#define MGMT_F_LOCAL   0x08u /* only on the local console and in rc files unless allowed remotely */

struct mgmt_req;

struct mgmt_cmd {
	const char *path;   /* "port/print"; NULL ends a table */
	const char *syntax; /* "[N]", shown in help */
	const char *help;
	int (*run)(struct mgmt_req *req); /* returns 0 or an errno value */
	unsigned flags;
};

struct mgmt_req {
	struct mgmt *m;
	struct mgmt_session *sess; /* NULL when run from an rc file */
	const struct mgmt_cmd *cmd;
	void *ctx;        /* the ctx given with the command's table */
	const char *args; /* argument text after the path, blanks trimmed ("" if none) */
	int argc;         /* args split on blanks */
	char **argv;
};

struct mgmt_config {
	const char *banner;  /* sent on connect, e.g. "VDE switch V.x\n(C) ...\n" */
	const char *prompt;  /* "vde$ ": every reply ends with "\n" prompt */
	size_t maxline;      /* longest accepted command line; 0 = 4096 */
	unsigned maxsessions; /* concurrent socket sessions; 0 = unlimited */
	int allow_remote_local; /* run MGMT_F_LOCAL commands on socket sessions too */
	void (*shutdown)(void *arg); /* the shutdown command */
	void *arg;
	/*
	 * What logout sends before the session ends; NULL: "9999 END OF SESSION", on sockets only
	 * (the switch's console ignores logout). When set, the console gets it too and then ends
	 * as at end of input. The help texts of logout and shutdown; NULL: the switch's.
	 * These strings are not copied.
	 */
	const char *logout_reply;
	const char *logout_help, *shutdown_help;
	/* shutdown on a socket session closes it without "9999 END OF SESSION" (wirefilter) */
	int shutdown_quiet;
};

struct mgmt *mgmt_new(struct loop *l, const struct mgmt_config *cfg);
/* Closes every session and the listening socket (which is unlinked). */
void mgmt_free(struct mgmt *m);

/* Appends a NULL-terminated table; paths must be unique (EEXIST otherwise). */
int mgmt_register(struct mgmt *m, const struct mgmt_cmd *table, void *ctx);
int mgmt_unregister(struct mgmt *m, const struct mgmt_cmd *table);

/* Built-in tables the program registers where it wants them in help order. */
extern const struct mgmt_cmd mgmt_base_cmds[];  /* help, logout, shutdown */
extern const struct mgmt_cmd mgmt_load_cmds[];  /* load */
extern const struct mgmt_cmd mgmt_debug_cmds[]; /* debug menu: list, add, del */

/*
 * The options of the -M socket, alike in every tool: -M/--mgmt SOCK, --mgmtmode MODE (octal),
 * --mgmtgroup GROUP. MGMT_LONGOPTS goes into a struct option table; mgmt_getopt takes what
 * getopt returned for one of them: 0, or -1 with a reason.
 */
#define MGMT_OPT_MODE  0x4d01
#define MGMT_OPT_GROUP 0x4d02
#define MGMT_LONGOPTS                                                 \
	{ "mgmt", required_argument, NULL, 'M' },                     \
	{ "mgmtmode", required_argument, NULL, MGMT_OPT_MODE },       \
	{ "mgmtgroup", required_argument, NULL, MGMT_OPT_GROUP }
int mgmt_getopt(int ch, const char *arg, const char **path, mode_t *mode, gid_t *gid,
		const char **why);

/* The -M socket (stream, unix): mode applied, group if gid != (gid_t)-1. */
int mgmt_listen(struct mgmt *m, const char *path, mode_t mode, gid_t gid);
/* An interactive console on infd/outfd (stdin/stdout); on_eof runs when infd closes. */
struct mgmt_session *mgmt_console(struct mgmt *m, int infd, int outfd,
				  void (*on_eof)(void *arg), void *arg);
/* Adopts a connected descriptor as a socket session (banner first). */
struct mgmt_session *mgmt_adopt_fd(struct mgmt *m, int fd);
/* Runs a script (rc file or load): each line as a command; echo, if not NULL, receives
 * "<prompt-name>[path]: line" echo and results. Returns 0, or -1 with errno if unreadable. */
int mgmt_run_file(struct mgmt *m, const char *path, struct mgmt_session *echo);
/* Runs one line as if typed and appends the whole reply (without prompt) to out. For tests
 * and embedding; the session is NULL, so MGMT_F_SESSION commands fail with EBADF. */
int mgmt_run_line(struct mgmt *m, const char *line, struct wqueue *out);

/* Output of a MGMT_F_OUTPUT command (inside the data block). */
int mgmt_printf(struct mgmt_req *req, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A one-line reason written before the result line of a failing command. */
void mgmt_err(struct mgmt_req *req, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Typed arguments: 0 or EINVAL (with a reason recorded through mgmt_err). */
int mgmt_arg_ll(struct mgmt_req *req, int i, long long min, long long max, long long *out);
int mgmt_arg_bool(struct mgmt_req *req, int i, int *out);

/* Session helpers. */
int mgmt_session_fd(const struct mgmt_session *s); /* output descriptor, -1 for none */
int mgmt_session_is_remote(const struct mgmt_session *s);
void mgmt_session_close(struct mgmt_session *s);

/*
 * Debug categories: "debug/add port/" subscribes a session to every category under that prefix;
 * mgmt_dbg_out sends "3TTT path message\n" (TTT = tag & 0777 in octal) to its subscribers.
 */
#define MGMT_DBG_RAW (1u << 30) /* in a tag: lines go out as formatted, a tool's own codes */
struct mgmt_dbg *mgmt_dbg_new(struct mgmt *m, const char *path, unsigned tag, const char *help);
void mgmt_dbg_free(struct mgmt *m, struct mgmt_dbg *d);
int mgmt_dbg_active(const struct mgmt_dbg *d); /* any subscriber: check before formatting */
void mgmt_dbg_out(struct mgmt_dbg *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Subscribes (on) or unsubscribes session s to d, as debug/add and debug/del do: 0, or -1 with
 * errno (EBADF: no session). Asking for what is already the case is not an error. */
int mgmt_dbg_subscribe(struct mgmt_dbg *d, struct mgmt_session *s, int on);

#endif
