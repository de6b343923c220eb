/*
 * Management server core: command tables, the line dispatcher, replies, scripts, debug
 * categories and the built-in commands. A command's whole reply (data block, reasons, result
 * line) is built in memory before it is queued, so asynchronous debug lines only ever land
 * between replies. Sessions and sockets are in mgmt_session.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iobuf.h"
#include "log.h"
#include "mgmt.h"
#include "mgmt_int.h"
#include "parse.h"

/* One command execution: the public request plus what it has produced so far. */
struct mgmt_call {
	struct mgmt_req req;
	struct wqueue data, why;
	int overflow, ran;
	char *argbuf;
};

static struct mgmt_call *
call_of(struct mgmt_req *req)
{
	return (struct mgmt_call *)((char *)req - offsetof(struct mgmt_call, req));
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
prefix_of(const char *prefix, const char *path)
{
	return strncmp(path, prefix, strlen(prefix)) == 0;
}

/* Line-oriented output must not be broken by a stray newline in a message. */
static void
flatten(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' && *s != '\t')
			*s = ' ';
}

/* ---- Replies ---- */

int
mgmt_printf(struct mgmt_req *req, const char *fmt, ...)
{
	struct mgmt_call *c = call_of(req);
	va_list ap;
	char *s;
	int n, r;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		c->overflow = 1;
		errno = ENOMEM;
		return -1;
	}
	r = wqueue_append(&c->data, s, (size_t)n);
	free(s);
	if (r < 0)
		c->overflow = 1;
	return r;
}

void
mgmt_err(struct mgmt_req *req, const char *fmt, ...)
{
	struct mgmt_call *c = call_of(req);
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > MGMT_REASON_MAX)
		s[MGMT_REASON_MAX] = '\0';
	flatten(s);
	if (wqueue_append(&c->why, s, strlen(s)) == 0)
		wqueue_append(&c->why, "\n", 1);
	free(s);
}

/* The name of argument i from the command's syntax ("N VLAN" -> "VLAN"), for reasons. */
static void
arg_name(const struct mgmt_req *req, int i, char *buf, size_t n)
{
	const char *p = req->cmd && req->cmd->syntax ? req->cmd->syntax : "";
	size_t len;
	int k;

	for (k = 0;; k++) {
		p += strspn(p, " \t[]");
		len = strcspn(p, " \t[]");
		if (len == 0)
			break;
		if (k == i) {
			snprintf(buf, n, "%.*s", (int)len, p);
			return;
		}
		p += len;
	}
	snprintf(buf, n, "argument %d", i + 1);
}

int
mgmt_arg_ll(struct mgmt_req *req, int i, long long min, long long max, long long *out)
{
	const char *errstr = "missing";
	char name[64];
	long long v;

	if (i >= 0 && i < req->argc && parse_ll(req->argv[i], min, max, &v, &errstr) == 0) {
		*out = v;
		return 0;
	}
	arg_name(req, i, name, sizeof(name));
	if (i >= 0 && i < req->argc)
		mgmt_err(req, "%s: %s (%lld..%lld)", name, errstr, min, max);
	else
		mgmt_err(req, "%s: %s", name, errstr);
	return EINVAL;
}

int
mgmt_arg_bool(struct mgmt_req *req, int i, int *out)
{
	const char *errstr = "missing";
	char name[64];

	if (i >= 0 && i < req->argc && parse_bool(req->argv[i], out, &errstr) == 0)
		return 0;
	arg_name(req, i, name, sizeof(name));
	mgmt_err(req, "%s: %s", name, errstr);
	return EINVAL;
}

void
mgmt_reply_result(struct wqueue *out, int rc)
{
	if (rc == 0)
		wqueue_printf(out, "1000 Success\n");
	else
		wqueue_printf(out, "1%03d %s\n", rc, strerror(rc));
}

/* Copies a data block; a line that is just "." becomes ".." so it cannot end the block. */
static void
reply_data(struct wqueue *out, const char *d, size_t n)
{
	const char *nl;
	size_t len;

	wqueue_append(out, MGMT_DATA_HEADER, strlen(MGMT_DATA_HEADER));
	while (n > 0) {
		nl = memchr(d, '\n', n);
		len = nl ? (size_t)(nl - d) : n;
		if (len == 1 && d[0] == '.')
			wqueue_append(out, "..", 2);
		else
			wqueue_append(out, d, len);
		wqueue_append(out, "\n", 1);
		len += nl != NULL;
		d += len;
		n -= len;
	}
	wqueue_append(out, ".\n", 2);
}

/* Maps what a command returned onto a printable errno value. */
static int
rc_clean(int rc)
{
	if (rc < 0)
		rc = -rc;
	return rc > 999 ? EIO : rc;
}

/* ---- Dispatch ---- */

static int cmd_logout(struct mgmt_req *req);
static int cmd_shutdown(struct mgmt_req *req);

/* Appends " name" to a bounded list, or " ..." once it is full. */
static void
names_add(char *buf, size_t size, size_t *used, const char *name)
{
	size_t n = strlen(name);

	if (*used + n + 1 + 5 < size) {
		buf[(*used)++] = ' ';
		memcpy(buf + *used, name, n + 1);
		*used += n;
	} else if (*used + 5 < size) {
		memcpy(buf + *used, " ...", 5);
		*used = size; /* full */
	}
}

/* Exact path, else a unique prefix among runnable commands; reasons for ambiguity. */
static const struct mgmt_cmd *
mgmt_lookup(struct mgmt *m, const char *tok, size_t len, struct mgmt_call *c)
{
	const struct mgmt_cmd *cmd, *hit = NULL;
	const struct mgmt_table *t;
	void *hitctx = NULL;
	char names[128];
	size_t used = 0;
	unsigned n = 0;

	names[0] = '\0';
	for (t = m->tables; t; t = t->next) {
		for (cmd = t->cmds; cmd->path; cmd++) {
			if ((cmd->flags & MGMT_F_MENU) || strncmp(cmd->path, tok, len) != 0)
				continue;
			if (cmd->path[len] == '\0') {
				c->req.ctx = t->ctx;
				return cmd;
			}
			if (n++ == 0) {
				hit = cmd;
				hitctx = t->ctx;
			}
			names_add(names, sizeof(names), &used, cmd->path);
		}
	}
	if (n == 1) {
		c->req.ctx = hitctx;
		return hit;
	}
	if (n > 1)
		mgmt_err(&c->req, "ambiguous:%s", names);
	return NULL;
}

/* Trims the argument text and splits a copy of it on blanks into argv. */
static int
call_args(struct mgmt_call *c, const char *p)
{
	size_t n, i;
	char *split, *q;
	int argc = 0;

	p += strspn(p, " \t");
	n = strlen(p);
	while (n > 0 && is_blank(p[n - 1]))
		n--;
	/* args, then the split copy, then argv (at most n / 2 + 1 words and the NULL) */
	i = 2 * (n + 1);
	i = (i + sizeof(char *) - 1) / sizeof(char *) * sizeof(char *);
	if ((c->argbuf = malloc(i + (n / 2 + 2) * sizeof(char *))) == NULL)
		return -1;
	memcpy(c->argbuf, p, n);
	c->argbuf[n] = '\0';
	split = c->argbuf + n + 1;
	memcpy(split, p, n + 1);
	split[n] = '\0';
	c->req.args = c->argbuf;
	c->req.argv = (char **)(void *)(c->argbuf + i);
	for (q = split; *q;) {
		q += strspn(q, " \t");
		if (*q == '\0')
			break;
		c->req.argv[argc++] = q;
		q += strcspn(q, " \t");
		if (*q)
			*q++ = '\0';
	}
	c->req.argv[argc] = NULL;
	c->req.argc = argc;
	return 0;
}

/*
 * Runs one command line for sess (NULL for rc files and mgmt_run_line) and appends its reply,
 * without prompt, to out. Returns 0, an errno value, or one of the MGMT_RC_* values (nothing
 * appended). why, if not NULL, receives the reasons of a failure (for logs).
 */
int
mgmt_exec(struct mgmt *m, struct mgmt_session *sess, const char *line, struct wqueue *out,
	  char *why, size_t whylen)
{
	int (*run)(struct mgmt_req *req);
	const struct mgmt_cmd *cmd;
	struct mgmt_call c;
	unsigned flags = 0;
	size_t toklen;
	int rc;

	line += strspn(line, " \t");
	if (*line == '\0' || *line == '#')
		return MGMT_RC_BLANK;
	memset(&c, 0, sizeof(c));
	c.req.m = m;
	c.req.sess = sess;
	c.req.args = "";
	wqueue_init(&c.data, MGMT_REPLY_MAX);
	wqueue_init(&c.why, 4096);
	toklen = strcspn(line, " \t");
	if ((cmd = mgmt_lookup(m, line, toklen, &c)) != NULL)
		flags = cmd->flags; /* the command may unregister its own table */
	if (cmd == NULL)
		rc = ENOSYS;
	else if (call_args(&c, line + toklen) < 0)
		rc = ENOMEM;
	else if ((flags & MGMT_F_SESSION) && sess == NULL)
		rc = EBADF;
	else if ((flags & MGMT_F_LOCAL) && sess && sess->remote && !m->cfg.allow_remote_local)
		rc = EPERM;
	else {
		c.req.cmd = cmd;
		c.ran = 1;
		run = cmd->run;
		rc = run(&c.req);
		if (rc != 0 && !(run == cmd_logout && rc == MGMT_RC_LOGOUT) &&
		    !(run == cmd_shutdown && rc == MGMT_RC_SHUTDOWN))
			rc = rc_clean(rc);
	}
	if (rc == 0 && c.overflow) {
		mgmt_err(&c.req, "output too long");
		rc = ENOBUFS;
	}
	if (rc >= 0) {
		if (c.ran && ((flags & MGMT_F_OUTPUT) || c.data.len > 0))
			reply_data(out, mgmt_wq_data(&c.data), c.data.len);
		if (rc != 0)
			wqueue_append(out, mgmt_wq_data(&c.why), c.why.len);
		mgmt_reply_result(out, rc);
		if (why && whylen) {
			snprintf(why, whylen, "%.*s", (int)c.why.len, mgmt_wq_data(&c.why));
			flatten(why);
		}
	}
	wqueue_fini(&c.data);
	wqueue_fini(&c.why);
	free(c.argbuf);
	return rc;
}

/* Runs the shutdown callback once nothing of ours is on the stack any more. */
void
mgmt_fire_shutdown(struct mgmt *m)
{
	if (m->busy == 0 && m->shutdown_pending && m->cfg.shutdown) {
		m->shutdown_pending = 0;
		m->cfg.shutdown(m->cfg.arg); /* may free m: last thing */
	}
}

int
mgmt_run_line(struct mgmt *m, const char *line, struct wqueue *out)
{
	size_t n = strcspn(line, "\n");
	char *copy;
	int rc;

	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (n > m->cfg.maxline) {
		mgmt_reply_result(out, E2BIG);
		errno = E2BIG;
		return -1;
	}
	if ((copy = strndup(line, n)) == NULL)
		return -1;
	m->busy++;
	rc = mgmt_exec(m, NULL, copy, out, NULL, 0);
	free(copy);
	if (rc == MGMT_RC_SHUTDOWN) {
		wqueue_append(out, MGMT_END_SESSION, strlen(MGMT_END_SESSION));
		m->shutdown_pending = 1;
	}
	m->busy--;
	mgmt_fire_shutdown(m);
	if (rc > 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

/* ---- Registration ---- */

static const struct mgmt_cmd *
mgmt_find_path(const struct mgmt *m, const char *path)
{
	const struct mgmt_table *t;
	const struct mgmt_cmd *cmd;

	for (t = m->tables; t; t = t->next)
		for (cmd = t->cmds; cmd->path; cmd++)
			if (strcmp(cmd->path, path) == 0)
				return cmd;
	return NULL;
}

int
mgmt_register(struct mgmt *m, const struct mgmt_cmd *table, void *ctx)
{
	const struct mgmt_cmd *cmd, *prev;
	struct mgmt_table *t, **tail;

	if (table == NULL) {
		errno = EINVAL;
		return -1;
	}
	for (cmd = table; cmd->path; cmd++) {
		if (cmd->path[0] == '\0' || strpbrk(cmd->path, " \t") ||
		    (!(cmd->flags & MGMT_F_MENU) && cmd->run == NULL)) {
			errno = EINVAL;
			return -1;
		}
		for (prev = table; prev < cmd; prev++)
			if (strcmp(prev->path, cmd->path) == 0)
				goto exists;
		if (mgmt_find_path(m, cmd->path))
			goto exists;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	t->cmds = table;
	t->ctx = ctx;
	for (tail = &m->tables; *tail; tail = &(*tail)->next)
		;
	*tail = t;
	return 0;

exists:
	errno = EEXIST;
	return -1;
}

int
mgmt_unregister(struct mgmt *m, const struct mgmt_cmd *table)
{
	struct mgmt_table **pt, *t;

	for (pt = &m->tables; (t = *pt); pt = &t->next) {
		if (t->cmds == table) {
			*pt = t->next;
			free(t);
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

/* ---- Scripts ---- */

/* Reads one line into buf (max + 1 bytes); -1 at end of file; *toolong if it was cut. */
static ssize_t
script_getline(FILE *f, char *buf, size_t max, int *toolong, size_t *total)
{
	size_t n = 0;
	int ch;

	*toolong = 0;
	while ((ch = getc(f)) != EOF) {
		if (++*total > MGMT_SCRIPT_MAX) {
			errno = EFBIG;
			return -2;
		}
		if (ch == '\n')
			break;
		if (n < max)
			buf[n++] = ch ? (char)ch : '?';
		else
			*toolong = 1;
	}
	if (ch == EOF && n == 0 && !*toolong)
		return -1;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (ssize_t)n;
}

static void
script_line(struct mgmt *m, const char *path, unsigned lineno, const char *line, int toolong,
	    struct mgmt_session *echo)
{
	char why[MGMT_REASON_MAX + 1] = "", esc[96];
	struct wqueue out;
	int rc;

	wqueue_init(&out, 0);
	if (echo)
		wqueue_printf(&out, "%s[%s]: %s\n", m->name, path, line);
	if (toolong) {
		mgmt_reply_result(&out, E2BIG);
		rc = E2BIG;
	} else {
		rc = mgmt_exec(m, echo, line, &out, why, sizeof(why));
	}
	if (rc == MGMT_RC_SHUTDOWN)
		m->shutdown_pending = 1;
	if (echo) {
		mgmt_session_send(echo, mgmt_wq_data(&out), out.len);
	} else if (rc > 0) {
		log_escape(esc, sizeof(esc), line, strlen(line));
		log_warnx("%s:%u: %s: %s%s%s%s", path, lineno, esc, strerror(rc),
			  why[0] ? " (" : "", why, why[0] ? ")" : "");
	}
	wqueue_fini(&out);
}

int
mgmt_run_file(struct mgmt *m, const char *path, struct mgmt_session *echo)
{
	size_t total = 0;
	unsigned lineno = 0;
	struct stat st;
	int toolong, err = 0;
	ssize_t n;
	char *buf;
	FILE *f;

	if (m->depth >= MGMT_SCRIPT_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		errno = EISDIR;
		return -1;
	}
	if ((buf = malloc(m->cfg.maxline + 1)) == NULL) {
		fclose(f);
		return -1;
	}
	m->depth++;
	m->busy++;
	while (!m->shutdown_pending) {
		if ((n = script_getline(f, buf, m->cfg.maxline, &toolong, &total)) < 0) {
			if (n == -2 || ferror(f))
				err = n == -2 ? EFBIG : errno ? errno : EIO;
			break;
		}
		script_line(m, path, ++lineno, buf, toolong, echo);
	}
	free(buf);
	fclose(f);
	m->depth--;
	m->busy--;
	if (err) {
		log_warnx("%s: %s", path, strerror(err));
		errno = err;
	}
	mgmt_fire_shutdown(m); /* may free m: nothing below touches it */
	return err ? -1 : 0;
}

/* ---- Debug categories ---- */

struct mgmt_dbg *
mgmt_dbg_new(struct mgmt *m, const char *path, unsigned tag, const char *help)
{
	struct mgmt_dbg *d, **tail;

	for (tail = &m->dbgs; *tail; tail = &(*tail)->next) {
		if (strcmp((*tail)->path, path) == 0) {
			errno = EEXIST;
			return NULL;
		}
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->m = m;
	d->tag = tag;
	if ((d->path = strdup(path)) == NULL || (help && (d->help = strdup(help)) == NULL)) {
		free(d->path);
		free(d);
		return NULL;
	}
	*tail = d;
	return d;
}

void
mgmt_dbg_free(struct mgmt *m, struct mgmt_dbg *d)
{
	struct mgmt_dbg **pd;

	if (d == NULL)
		return;
	for (pd = &m->dbgs; *pd; pd = &(*pd)->next) {
		if (*pd == d) {
			*pd = d->next;
			break;
		}
	}
	free(d->subs);
	free(d->path);
	free(d->help);
	free(d);
}

int
mgmt_dbg_active(const struct mgmt_dbg *d)
{
	return d && d->nsubs > 0;
}

void
mgmt_dbg_out(struct mgmt_dbg *d, const char *fmt, ...)
{
	va_list ap;
	char *msg, *line;
	size_t i;
	int n;

	if (!mgmt_dbg_active(d))
		return;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	flatten(msg);
	if (d->tag & MGMT_DBG_RAW)
		n = asprintf(&line, "%s\n", msg);
	else
		n = asprintf(&line, "3%03o %s %s\n", d->tag & 0777, d->path, msg);
	free(msg);
	if (n < 0)
		return;
	/* backwards: a session closed by session_send only removes itself, at index i */
	for (i = d->nsubs; i-- > 0;)
		if (i < d->nsubs)
			mgmt_session_send(d->subs[i], line, (size_t)n);
	free(line);
}

/* Drops s from every category (the session is going away). */
void
mgmt_dbg_unsubscribe(struct mgmt *m, struct mgmt_session *s)
{
	struct mgmt_dbg *d;
	size_t i;

	for (d = m->dbgs; d; d = d->next) {
		for (i = 0; i < d->nsubs; i++) {
			if (d->subs[i] == s) {
				d->subs[i] = d->subs[--d->nsubs];
				break;
			}
		}
	}
}

static int
dbg_subscribed(const struct mgmt_dbg *d, const struct mgmt_session *s)
{
	size_t i;

	for (i = 0; s && i < d->nsubs; i++)
		if (d->subs[i] == s)
			return 1;
	return 0;
}

/* Adds or removes s: 1 when that changed something, 0 when not, -1 when out of memory. */
static int
dbg_set(struct mgmt_dbg *d, struct mgmt_session *s, int on)
{
	struct mgmt_session **ns;
	size_t i;

	if (on && !dbg_subscribed(d, s)) {
		if (d->nsubs == d->capsubs) {
			i = d->capsubs ? d->capsubs * 2 : 4;
			if ((ns = realloc(d->subs, i * sizeof(*ns))) == NULL)
				return -1;
			d->subs = ns;
			d->capsubs = i;
		}
		d->subs[d->nsubs++] = s;
		return 1;
	}
	for (i = 0; !on && i < d->nsubs; i++) {
		if (d->subs[i] == s) {
			d->subs[i] = d->subs[--d->nsubs];
			return 1;
		}
	}
	return 0;
}

int
mgmt_dbg_subscribe(struct mgmt_dbg *d, struct mgmt_session *s, int on)
{
	if (d == NULL || s == NULL || s->dead) {
		errno = d == NULL ? EINVAL : EBADF;
		return -1;
	}
	return dbg_set(d, s, on) < 0 ? -1 : 0;
}

/* debug/add and debug/del: EINVAL if nothing matches, EEXIST/ENOENT if nothing changes. */
static int
dbg_change(struct mgmt_req *req, int add)
{
	struct mgmt_dbg *d;
	unsigned matched = 0, changed = 0;
	int r;

	for (d = req->m->dbgs; d; d = d->next) {
		if (d->help == NULL || !prefix_of(req->args, d->path))
			continue;
		matched++;
		if ((r = dbg_set(d, req->sess, add)) < 0)
			return ENOMEM;
		changed += (unsigned)r;
	}
	if (matched == 0)
		return EINVAL;
	if (changed == 0)
		return add ? EEXIST : ENOENT;
	return 0;
}

static int
cmd_debug_add(struct mgmt_req *req)
{
	return dbg_change(req, 1);
}

static int
cmd_debug_del(struct mgmt_req *req)
{
	return dbg_change(req, 0);
}

static int
cmd_debug_list(struct mgmt_req *req)
{
	const struct mgmt_dbg *d;
	unsigned n = 0;

	mgmt_printf(req, "CATEGORY               TAG STATUS HELP\n");
	mgmt_printf(req, "------------           --- ------ ----\n");
	for (d = req->m->dbgs; d; d = d->next) {
		if (d->help == NULL || !prefix_of(req->args, d->path))
			continue;
		mgmt_printf(req, "%-22s %03o %-6s %s\n", d->path, d->tag & 0777,
			    dbg_subscribed(d, req->sess) ? "ON" : "OFF", d->help);
		n++;
	}
	return n ? 0 : ENOENT;
}

/* ---- Built-in commands ---- */

/* A command's help text; the tool may have its own for logout and shutdown. */
static const char *
help_text(const struct mgmt *m, const struct mgmt_cmd *cmd)
{
	if (cmd->run == cmd_logout && m->cfg.logout_help)
		return m->cfg.logout_help;
	if (cmd->run == cmd_shutdown && m->cfg.shutdown_help)
		return m->cfg.shutdown_help;
	return cmd->help ? cmd->help : "";
}

static int
cmd_help(struct mgmt_req *req)
{
	const struct mgmt_table *t;
	const struct mgmt_cmd *cmd;

	mgmt_printf(req, "COMMAND PATH       SYNTAX          HELP\n");
	mgmt_printf(req, "------------       --------------  ------------\n");
	for (t = req->m->tables; t; t = t->next) {
		for (cmd = t->cmds; cmd->path; cmd++) {
			if (!prefix_of(req->args, cmd->path))
				continue;
			mgmt_printf(req, "%-18s %-15s %s\n", cmd->path,
				    (cmd->flags & MGMT_F_MENU) ? "============" :
				    cmd->syntax ? cmd->syntax : "",
				    help_text(req->m, cmd));
		}
	}
	return 0;
}

static int
cmd_logout(struct mgmt_req *req)
{
	return MGMT_RC_LOGOUT;
}

static int
cmd_shutdown(struct mgmt_req *req)
{
	return req->m->cfg.shutdown ? MGMT_RC_SHUTDOWN : ENOSYS;
}

static int
cmd_load(struct mgmt_req *req)
{
	return mgmt_run_file(req->m, req->args, req->sess) < 0 ? errno : 0;
}

const struct mgmt_cmd mgmt_base_cmds[] = {
	{ "help", "[arg]", "Help (limited to arg when specified)", cmd_help, MGMT_F_OUTPUT },
	{ "logout", "", "logout from this mgmt terminal", cmd_logout, MGMT_F_SESSION },
	{ "shutdown", "", "shutdown of the switch", cmd_shutdown, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

const struct mgmt_cmd mgmt_load_cmds[] = {
	{ "load", "path", "load a configuration script", cmd_load, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

const struct mgmt_cmd mgmt_debug_cmds[] = {
	{ "debug", "", "DEBUG MENU", NULL, MGMT_F_MENU },
	{ "debug/list", "", "list debug categories", cmd_debug_list, MGMT_F_OUTPUT },
	{ "debug/add", "dbgpath", "enable debug info for a given category", cmd_debug_add,
	  MGMT_F_SESSION },
	{ "debug/del", "dbgpath", "disable debug info for a given category", cmd_debug_del,
	  MGMT_F_SESSION },
	{ NULL, NULL, NULL, NULL, 0 },
};

/* ---- Options ---- */

int
mgmt_getopt(int ch, const char *arg, const char **path, mode_t *mode, gid_t *gid,
	    const char **why)
{
	switch (ch) {
	case 'M':
		*path = arg;
		return 0;
	case MGMT_OPT_MODE:
		return parse_mode(arg, mode, why);
	case MGMT_OPT_GROUP:
		return parse_group(arg, gid, why);
	default:
		*why = "not a management option";
		errno = EINVAL;
		return -1;
	}
}

/* ---- Lifetime ---- */

struct mgmt *
mgmt_new(struct loop *l, const struct mgmt_config *cfg)
{
	static const struct mgmt_config defaults = { 0 };
	struct mgmt *m;
	size_t n;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->loop = l;
	m->lfd = -1;
	m->rl = (struct log_rl)LOG_RL_INIT(10, 5);
	m->cfg = cfg ? *cfg : defaults;
	if (m->cfg.maxline == 0)
		m->cfg.maxline = MGMT_MAXLINE;
	m->prompt = strdup(m->cfg.prompt ? m->cfg.prompt : "vde$ ");
	if (m->prompt == NULL || (m->cfg.banner && (m->banner = strdup(m->cfg.banner)) == NULL)) {
		free(m->prompt);
		free(m);
		return NULL;
	}
	m->cfg.prompt = m->prompt;
	m->cfg.banner = m->banner;
	/* "vde$ " -> "vde": what scripts echo their lines with */
	n = strcspn(m->prompt, "$#> ");
	snprintf(m->name, sizeof(m->name), "%.*s", (int)n, m->prompt);
	return m;
}

void
mgmt_free(struct mgmt *m)
{
	struct mgmt_table *t;

	if (m == NULL)
		return;
	mgmt_sessions_fini(m);
	while (m->dbgs)
		mgmt_dbg_free(m, m->dbgs);
	while ((t = m->tables)) {
		m->tables = t->next;
		free(t);
	}
	free(m->banner);
	free(m->prompt);
	free(m);
}
