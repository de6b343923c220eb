/*
 * Management reply stream parser. Lines are collected byte by byte; a line is classified by its
 * leading 4-digit code (0000 data block, 1xxx result, 3xxx debug, 9999 end) unless a data block
 * is open, where every line up to "." is data. The prompt is the one thing not ended by a
 * newline, so it is recognised as soon as a pending line outside a data block reads "word$ ".
 */
#include <errno.h>
#include <string.h>

#include "mgmtclient.h"

#define END_OF_SESSION "9999 END OF SESSION"
#define CONT_DISCARD   (-2) /* rest of a too long code line: dropped */

void
mgmtclient_init(struct mgmtclient *c, mgmtclient_cb *cb, void *arg)
{
	memset(c, 0, sizeof(*c));
	c->cb = cb;
	c->arg = arg;
	c->cont = -1;
}

const char *
mgmtclient_type_name(enum mgmtclient_type t)
{
	static const char *const names[] = {
		[MGMTCLIENT_BANNER] = "banner", [MGMTCLIENT_PROMPT] = "prompt",
		[MGMTCLIENT_DATA_BEGIN] = "data-begin", [MGMTCLIENT_DATA] = "data",
		[MGMTCLIENT_DATA_END] = "data-end", [MGMTCLIENT_RESULT] = "result",
		[MGMTCLIENT_DEBUG] = "debug", [MGMTCLIENT_END] = "end", [MGMTCLIENT_TEXT] = "text",
	};

	if ((unsigned)t >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[t];
}

static void
emit(struct mgmtclient *c, enum mgmtclient_type type, int code, int err, const char *text,
     size_t len, int partial)
{
	struct mgmtclient_event ev = {
		.type = type, .code = code, .err = err,
		.text = text, .len = len, .partial = partial,
	};

	c->cb(c->arg, &ev);
}

static int
is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* The code of a "NNNN text" line, or -1. */
static int
line_code(const char *s, size_t len)
{
	if (len < 4 || !is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]) || !is_digit(s[3]))
		return -1;
	if (len > 4 && s[4] != ' ')
		return -1;
	return (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
}

/* wirefilter formats a -1 return as "1-01 Unknown error -1". */
static int
negative_result(const char *s, size_t len, int *err)
{
	size_t i;
	int n = 0;

	if (len < 3 || s[0] != '1' || s[1] != '-')
		return 0;
	for (i = 2; i < len && is_digit(s[i]) && i < 6; i++)
		n = n * 10 + (s[i] - '0');
	if (i == 2 || (i < len && s[i] != ' '))
		return 0;
	*err = -n;
	return (int)i;
}

/* Delivers a code line; returns the event type used (for the rest of a long line). */
static int
code_line(struct mgmtclient *c, char *s, size_t len)
{
	int code = line_code(s, len), err, skip;
	size_t off = len > 5 ? 5 : len;

	if (code < 0) {
		if ((skip = negative_result(s, len, &err)) > 0) {
			off = (size_t)skip + ((size_t)skip < len);
			emit(c, MGMTCLIENT_RESULT, -1, err, s + off, len - off, 0);
			return MGMTCLIENT_RESULT;
		}
		return -1;
	}
	if (code == 0) {
		c->in_data = 1;
		emit(c, MGMTCLIENT_DATA_BEGIN, code, 0, s + off, len - off, 0);
		return MGMTCLIENT_DATA_BEGIN;
	}
	if (code == 9999) {
		c->ended = 1;
		emit(c, MGMTCLIENT_END, code, 0, s + off, len - off, 0);
		return MGMTCLIENT_END;
	}
	if (code >= 1000 && code < 2000) {
		emit(c, MGMTCLIENT_RESULT, code, code - 1000, s + off, len - off, 0);
		return MGMTCLIENT_RESULT;
	}
	if (code >= 3000 && code < 4000) {
		emit(c, MGMTCLIENT_DEBUG, code, 0, s + off, len - off, 0);
		return MGMTCLIENT_DEBUG;
	}
	return -1;
}

/* The pending line is complete (final) or full (a piece of a longer line). */
static void
line_done(struct mgmtclient *c, int final)
{
	char *s = c->line;
	size_t len = c->len;
	int first = c->cont == -1, type;

	s[len] = '\0';
	c->len = 0;
	if (c->cont == CONT_DISCARD) {
		if (final)
			c->cont = -1;
		return;
	}
	if (!first) {
		emit(c, c->cont, -1, 0, s, len, !final);
		if (final)
			c->cont = -1;
		return;
	}
	if (c->in_data) {
		if (final && len == 1 && s[0] == '.') {
			c->in_data = 0;
			emit(c, MGMTCLIENT_DATA_END, -1, 0, s, len, 0);
			return;
		}
		if (len >= 2 && s[0] == '.' && s[1] == '.') {
			s++;
			len--;
		}
		type = MGMTCLIENT_DATA;
	} else if (final && len == 0 && c->seen_prompt) {
		return; /* the empty line before each prompt */
	} else if ((type = code_line(c, s, len)) >= 0) {
		if (!final)
			c->cont = CONT_DISCARD;
		return;
	} else {
		type = c->seen_prompt ? MGMTCLIENT_TEXT : MGMTCLIENT_BANNER;
	}
	emit(c, type, -1, 0, s, len, !final);
	if (!final)
		c->cont = type;
}

/* Is the pending line (outside a data block, at a line start) a prompt "word$ "? */
static int
is_prompt(const struct mgmtclient *c)
{
	size_t i;

	if (c->len < 2 || c->line[c->len - 1] != ' ' || c->line[c->len - 2] != '$')
		return 0;
	for (i = 0; i + 2 < c->len; i++)
		if ((unsigned char)c->line[i] <= ' ' || c->line[i] == '$' || c->line[i] == 0x7f)
			return 0;
	return 1;
}

void
mgmtclient_feed(struct mgmtclient *c, const void *buf, size_t n)
{
	const char *p = buf;
	size_t i;

	for (i = 0; i < n && !c->ended; i++) {
		if (p[i] == '\n') {
			if (c->len > 0 && c->line[c->len - 1] == '\r')
				c->len--;
			line_done(c, 1);
			continue;
		}
		if (c->len == MGMTCLIENT_LINEMAX)
			line_done(c, 0);
		c->line[c->len++] = p[i];
		if (c->in_data || c->cont != -1)
			continue;
		if (p[i] == ' ' && is_prompt(c)) {
			c->len -= 2;
			c->line[c->len] = '\0';
			c->seen_prompt = 1;
			emit(c, MGMTCLIENT_PROMPT, -1, 0, c->line, c->len, 0);
			c->len = 0;
		} else if (c->len == sizeof(END_OF_SESSION) - 1 &&
			   memcmp(c->line, END_OF_SESSION, c->len) == 0) {
			line_done(c, 1); /* sent without a newline, right before closing */
		}
	}
}

int
mgmtclient_eof(struct mgmtclient *c)
{
	int clean;

	if (c->ended)
		return 0;
	clean = c->len == 0 && c->cont == -1 && !c->in_data;
	if (c->len > 0 || c->cont != -1)
		line_done(c, 1);
	if (c->ended)
		return 0;
	if (!clean) {
		errno = EPIPE;
		return -1;
	}
	return 0;
}
