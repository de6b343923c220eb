/*
 * Internals shared by mgmt.c (tables, dispatcher, scripts, debug categories) and
 * mgmt_session.c (sockets, console, sessions). Not installed, not for other modules.
 */
#ifndef VDE_MGMT_INT_H
#define VDE_MGMT_INT_H

#include "iobuf.h"
#include "log.h"
#include "mgmt.h"

#define MGMT_MAXLINE      4096
#define MGMT_READ_CHUNK   4096
#define MGMT_PAUSE_BYTES  (64u * 1024)        /* stop reading commands above this backlog */
#define MGMT_BACKLOG_MAX  (4u * 1024 * 1024)  /* close a session whose backlog exceeds this */
#define MGMT_REPLY_MAX    (64u * 1024 * 1024) /* one command's data block */
#define MGMT_SCRIPT_MAX   (16u * 1024 * 1024) /* bytes read from one script */
#define MGMT_SCRIPT_DEPTH 8
#define MGMT_REASON_MAX   200
#define MGMT_EV_REG       0x100u /* fd_watch: the descriptor is in the loop */

#define MGMT_DATA_HEADER "0000 DATA END WITH '.'\n"
#define MGMT_END_SESSION "9999 END OF SESSION"

/* Results besides 0 and errno values, only from the built-in logout and shutdown. */
#define MGMT_RC_BLANK    (-1) /* blank line or comment */
#define MGMT_RC_LOGOUT   (-2)
#define MGMT_RC_SHUTDOWN (-3)

struct mgmt_table {
	const struct mgmt_cmd *cmds;
	void *ctx;
	struct mgmt_table *next;
};

struct mgmt_dbg {
	struct mgmt *m;
	char *path, *help;
	unsigned tag;
	struct mgmt_session **subs;
	size_t nsubs, capsubs;
	struct mgmt_dbg *next;
};

struct mgmt_session {
	struct mgmt *m;
	struct mgmt_session *next;
	int infd, outfd;
	unsigned in_ev, out_ev; /* registered events (| MGMT_EV_REG) */
	int remote, prompt;
	int in_eof, eof_told, out_broken, closing, dead;
	int saved_fl; /* console outfd flags before O_NONBLOCK, -1 if untouched */
	unsigned busy;
	struct linebuf lb;
	char rbuf[MGMT_READ_CHUNK];
	size_t roff, rlen;
	struct wqueue wq;
	void (*on_eof)(void *arg);
	void *arg;
};

struct mgmt {
	struct loop *loop;
	struct mgmt_config cfg;
	char *banner, *prompt;
	char name[32]; /* the prompt without "$ ": the script echo prefix */
	struct mgmt_table *tables;
	struct mgmt_dbg *dbgs;
	struct mgmt_session *sessions;
	unsigned nremote;
	int lfd;
	char *lpath;
	struct loop_timer *accept_timer;
	unsigned depth; /* nested scripts */
	unsigned busy;  /* entry points on the stack */
	int shutdown_pending;
	struct log_rl rl;
};

/* The pending bytes of a queue ("" when it never held any). */
static inline const char *
mgmt_wq_data(const struct wqueue *q)
{
	return q->buf ? q->buf + q->off : "";
}

/* mgmt.c */
/* Runs one line for sess and appends its reply (no prompt): 0, errno value or MGMT_RC_*. */
int mgmt_exec(struct mgmt *m, struct mgmt_session *sess, const char *line, struct wqueue *out,
	      char *why, size_t whylen);
void mgmt_reply_result(struct wqueue *out, int rc);
/* Runs the shutdown callback once nothing of ours is on the stack any more (may free m). */
void mgmt_fire_shutdown(struct mgmt *m);
void mgmt_dbg_unsubscribe(struct mgmt *m, struct mgmt_session *s);

/* mgmt_session.c */
/* Queues output for s; a session that does not read its output is closed. */
void mgmt_session_send(struct mgmt_session *s, const void *data, size_t n);
void mgmt_session_free(struct mgmt_session *s);
/* Frees every session and closes (and unlinks) the listening socket. */
void mgmt_sessions_fini(struct mgmt *m);

#endif
