/*
 * Client side of the VDE management protocol: a pure parser fed with the bytes read from a
 * management socket, in pieces of any size, that reports what they mean (banner, prompt, data
 * block lines, result codes, asynchronous 3xxx debug lines, end of session). It does no I/O and
 * keeps no heap memory: vdeterm, unixterm and unixcmd share it, the unit test feeds it directly.
 */
#ifndef VDE_MGMTCLIENT_H
#define VDE_MGMTCLIENT_H

#include <stddef.h>

/* Longer lines are delivered in pieces (data, text, banner) or cut (code lines). */
#define MGMTCLIENT_LINEMAX 4096

enum mgmtclient_type {
	MGMTCLIENT_BANNER,     /* a line before the first prompt */
	MGMTCLIENT_PROMPT,     /* the prompt "name$ "; text is the name ("vde") */
	MGMTCLIENT_DATA_BEGIN, /* "0000 DATA END WITH '.'" */
	MGMTCLIENT_DATA,       /* one line of a data block, a leading ".." unescaped to "." */
	MGMTCLIENT_DATA_END,   /* the "." line closing a data block */
	MGMTCLIENT_RESULT,     /* "1000 Success", "1022 Invalid argument": err = 0, 22 */
	MGMTCLIENT_DEBUG,      /* asynchronous "3TTT path message": text is "path message" */
	MGMTCLIENT_END,        /* "9999 END OF SESSION": the server closes the connection */
	MGMTCLIENT_TEXT,       /* any other line outside a data block (reasons, garbage) */
};

struct mgmtclient_event {
	enum mgmtclient_type type;
	int code;         /* the 4-digit code of code lines (1022, 3021, 9999), else -1 */
	int err;          /* RESULT: the errno value (code - 1000; -1 for "1-01") */
	const char *text; /* NUL-terminated, without the code and the newline; may hold NULs */
	size_t len;
	int partial;      /* 1: a piece of a long line, more of the same line follows */
};

typedef void mgmtclient_cb(void *arg, const struct mgmtclient_event *ev);

struct mgmtclient {
	mgmtclient_cb *cb;
	void *arg;
	int in_data;     /* inside a data block */
	int seen_prompt; /* the banner is over */
	int ended;       /* END seen: later bytes are ignored */
	int cont;        /* type of the long line being delivered in pieces, -1 for none */
	size_t len;
	char line[MGMTCLIENT_LINEMAX + 1];
};

void mgmtclient_init(struct mgmtclient *c, mgmtclient_cb *cb, void *arg);
/* Parses n bytes, calling cb for each event. */
void mgmtclient_feed(struct mgmtclient *c, const void *buf, size_t n);
/*
 * The server closed the connection: delivers a pending unterminated line. Returns 0 if the
 * stream stopped at a clean point (after a prompt or END), -1 with errno EPIPE if it was cut in
 * the middle of a line or of a data block.
 */
int mgmtclient_eof(struct mgmtclient *c);
/* A short name for an event type ("result", "debug", ...), for traces and tests. */
const char *mgmtclient_type_name(enum mgmtclient_type t);

#endif
