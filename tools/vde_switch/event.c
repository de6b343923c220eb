/*
 * The event registry. Subscriber arrays live in the dbgcl itself (fun, funarg, nfun, maxfun)
 * because plugins' EVENTOUT and DBGOUT macros test nfun and nfds there. A plugin category
 * with help text keeps nfds at 1 while registered: DBGOUT then calls debugout, which asks the
 * console category whether anybody listens before formatting anything.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "mgmt.h"

typedef int evfun(struct dbgcl *event, void *arg, va_list v);

struct evdbg {
	struct dbgcl *cl;
	struct mgmt_dbg *md;
	struct evdbg *next;
};

static void
event_builtin(struct events *ev, struct dbgcl *cl, const char *path, int tag)
{
	memset(cl, 0, sizeof(*cl));
	cl->path = (char *)path;
	cl->tag = tag;
	cl->next = ev->list;
	ev->list = cl;
}

int
event_init(struct sw *sw)
{
	struct events *ev;

	if ((ev = calloc(1, sizeof(*ev))) == NULL)
		return -1;
	if ((ev->scratch = malloc(SW_MAXFRAME + 1)) == NULL) {
		free(ev);
		return -1;
	}
	event_builtin(ev, &ev->packet_out, "packet/out", D_PACKET | D_OUT);
	event_builtin(ev, &ev->packet_in, "packet/in", D_PACKET | D_IN);
	event_builtin(ev, &ev->ep_minus, "port/ep/-", D_EP | D_MINUS);
	event_builtin(ev, &ev->ep_plus, "port/ep/+", D_EP | D_PLUS);
	event_builtin(ev, &ev->port_descr, "port/descr", D_PORT | D_DESCR);
	event_builtin(ev, &ev->port_minus, "port/-", D_PORT | D_MINUS);
	event_builtin(ev, &ev->port_plus, "port/+", D_PORT | D_PLUS);
	event_builtin(ev, &ev->fstp_minus, "fstp/-", D_FSTP | D_MINUS);
	event_builtin(ev, &ev->fstp_plus, "fstp/+", D_FSTP | D_PLUS);
	event_builtin(ev, &ev->fstp_root, "fstp/root", D_FSTP | D_ROOT);
	event_builtin(ev, &ev->fstp_status, "fstp/status", D_FSTP | D_STATUS);
	event_builtin(ev, &ev->hash_minus, "hash/-", D_HASH | D_MINUS);
	event_builtin(ev, &ev->hash_plus, "hash/+", D_HASH | D_PLUS);
	sw->ev = ev;
	return 0;
}

static void
event_clear(struct dbgcl *cl)
{
	free(cl->fun);
	free(cl->funarg);
	cl->fun = NULL;
	cl->funarg = NULL;
	cl->nfun = cl->maxfun = 0;
	cl->nfds = cl->maxfds = 0;
	cl->fds = NULL;
}

void
event_fini(struct sw *sw)
{
	struct events *ev = sw->ev;

	if (ev == NULL)
		return;
	while (ev->dbgs)
		event_unregister(sw, ev->dbgs->cl);
	for (struct dbgcl *cl = ev->list; cl; cl = cl->next)
		event_clear(cl);
	free(ev->scratch);
	free(ev);
	sw->ev = NULL;
}

static struct dbgcl *
event_find(const struct events *ev, const char *path)
{
	for (struct dbgcl *cl = ev->list; cl; cl = cl->next)
		if (strcmp(cl->path, path) == 0)
			return cl;
	return NULL;
}

int
event_register(struct sw *sw, struct dbgcl *cl)
{
	struct events *ev = sw->ev;
	struct evdbg *d;

	if (cl->path == NULL || event_find(ev, cl->path)) {
		errno = cl->path ? EEXIST : EINVAL;
		return -1;
	}
	cl->fds = NULL;
	cl->fun = NULL;
	cl->funarg = NULL;
	cl->nfds = cl->nfun = cl->maxfds = cl->maxfun = 0;
	if (cl->help) {
		if ((d = calloc(1, sizeof(*d))) == NULL)
			return -1;
		d->cl = cl;
		d->md = mgmt_dbg_new(sw->mgmt, cl->path, (unsigned)cl->tag, cl->help);
		if (d->md == NULL) {
			free(d);
			return -1;
		}
		d->next = ev->dbgs;
		ev->dbgs = d;
		cl->nfds = 1;
	}
	cl->next = ev->list;
	ev->list = cl;
	return 0;
}

void
event_unregister(struct sw *sw, struct dbgcl *cl)
{
	struct events *ev = sw->ev;

	for (struct evdbg **pp = &ev->dbgs; *pp; pp = &(*pp)->next)
		if ((*pp)->cl == cl) {
			struct evdbg *d = *pp;

			*pp = d->next;
			mgmt_dbg_free(sw->mgmt, d->md);
			free(d);
			break;
		}
	for (struct dbgcl **pp = &ev->list; *pp; pp = &(*pp)->next)
		if (*pp == cl) {
			*pp = cl->next;
			event_clear(cl);
			return;
		}
}

/* path is prefix itself, or prefix names a directory of it ("port" or "port/" for "port/+"). */
static int
event_match(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strcmp(path, prefix) == 0)
		return 1;
	if (n == 0 || strncmp(path, prefix, n) != 0)
		return 0;
	return prefix[n - 1] == '/' || path[n] == '/';
}

static int
event_add1(struct dbgcl *cl, intfun fun, void *arg)
{
	for (unsigned i = 0; i < cl->nfun; i++)
		if (cl->fun[i] == fun && cl->funarg[i] == arg)
			return 0;
	if (cl->nfun == cl->maxfun) {
		unsigned n = cl->maxfun ? cl->maxfun * 2u : 4u;
		intfun *f;
		void **a;

		if (n > 0xffff)
			return -1;
		if ((f = realloc(cl->fun, n * sizeof(*f))) == NULL)
			return -1;
		cl->fun = f;
		if ((a = realloc(cl->funarg, n * sizeof(*a))) == NULL)
			return -1;
		cl->funarg = a;
		cl->maxfun = (unsigned short)n;
	}
	cl->fun[cl->nfun] = fun;
	cl->funarg[cl->nfun] = arg;
	cl->nfun++;
	return 0;
}

static void
event_del_at(struct dbgcl *cl, unsigned i)
{
	memmove(&cl->fun[i], &cl->fun[i + 1], (cl->nfun - i - 1) * sizeof(cl->fun[0]));
	memmove(&cl->funarg[i], &cl->funarg[i + 1], (cl->nfun - i - 1) * sizeof(cl->funarg[0]));
	cl->nfun--;
}

int
event_subscribe(struct sw *sw, intfun fun, const char *path, void *arg)
{
	int found = 0;

	if (fun == NULL || path == NULL) {
		errno = EINVAL;
		return -1;
	}
	for (struct dbgcl *cl = sw->ev->list; cl; cl = cl->next)
		if (event_match(cl->path, path)) {
			if (event_add1(cl, fun, arg) < 0) {
				errno = ENOMEM;
				return -1;
			}
			found = 1;
		}
	if (!found) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

int
event_unsubscribe(struct sw *sw, intfun fun, const char *path, void *arg)
{
	int found = 0;

	if (path == NULL) {
		errno = EINVAL;
		return -1;
	}
	for (struct dbgcl *cl = sw->ev->list; cl; cl = cl->next) {
		if (!event_match(cl->path, path))
			continue;
		for (unsigned i = 0; i < cl->nfun; i++)
			if (cl->fun[i] == fun && cl->funarg[i] == arg) {
				event_del_at(cl, i);
				found = 1;
				break;
			}
	}
	if (!found) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

void
event_forget_range(struct sw *sw, uintptr_t lo, uintptr_t hi)
{
	for (struct dbgcl *cl = sw->ev->list; cl; cl = cl->next)
		for (unsigned i = cl->nfun; i-- > 0;) {
			uintptr_t f = (uintptr_t)cl->fun[i];

			if (f >= lo && f < hi)
				event_del_at(cl, i);
		}
}

void
event_vraise(struct dbgcl *cl, va_list ap)
{
	/* by index: a subscriber may subscribe or unsubscribe while we iterate */
	for (unsigned i = 0; i < cl->nfun; i++) {
		va_list c;

		va_copy(c, ap);
		((evfun *)cl->fun[i])(cl, cl->funarg[i], c);
		va_end(c);
	}
}

void
event_raise(struct dbgcl *cl, ...)
{
	va_list ap;

	va_start(ap, cl);
	event_vraise(cl, ap);
	va_end(ap);
}

void
event_vdebug(struct sw *sw, struct dbgcl *cl, const char *fmt, va_list ap)
{
	char buf[4096];

	for (struct evdbg *d = sw->ev->dbgs; d; d = d->next)
		if (d->cl == cl) {
			if (!mgmt_dbg_active(d->md))
				return;
			vsnprintf(buf, sizeof(buf), fmt, ap);
			mgmt_dbg_out(d->md, "%s", buf);
			return;
		}
}

static int
event_call(intfun f, struct dbgcl *cl, void *arg, ...)
{
	va_list ap;
	int r;

	va_start(ap, arg);
	r = ((evfun *)f)(cl, arg, ap);
	va_end(ap);
	return r;
}

/* Runs the filters of cl over frame; the new length, or -1 to drop. */
static int
event_filter(struct dbgcl *cl, int port, uint8_t *frame, int len)
{
	for (unsigned i = 0; i < cl->nfun; i++) {
		int r = event_call(cl->fun[i], cl, cl->funarg[i], port, frame, len);

		if (r < 0 || r > SW_MAXFRAME)
			return -1;
		if (r > 0)
			len = r;
	}
	return len < SW_MINFRAME ? -1 : len;
}

int
event_filter_in(struct sw *sw, int port, uint8_t *frame, size_t len)
{
	return event_filter(&sw->ev->packet_in, port, frame, (int)len);
}

uint8_t *
event_filter_out(struct sw *sw, int port, const uint8_t *frame, size_t len, size_t *outlen)
{
	uint8_t *copy = sw->ev->scratch;
	int r;

	memcpy(copy, frame, len);
	if ((r = event_filter(&sw->ev->packet_out, port, copy, (int)len)) < 0)
		return NULL;
	*outlen = (size_t)r;
	return copy;
}
