/*
 * Plugin loading and the vdeplugin.h API. The API has no context argument (VDE2's design), so
 * this file keeps the one switch it serves in a static pointer. A plugin's commands become
 * one-entry mgmt tables whose context is the plugin's comlist entry. plugin/del removes
 * everything registered from inside the plugin's code or data (commands, categories,
 * subscriptions, timers) before unloading it, so a careless plugin that forgets to clean up
 * leaves no pointer into unmapped memory.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "event.h"
#include "loop.h"
#include "plugin.h"
#include "vdeplugin.h"

#define PLUGIN_DIR LIBDIR "/" PACKAGE "/plugins"

struct pcmd {
	struct comlist *cl;
	struct mgmt_cmd table[2];
	struct pcmd *next;
};

struct qtimer {
	unsigned id;
	uint64_t period_us;
	int times; /* left; 0 = forever */
	void (*call)(void *);
	void *arg;
	struct loop_timer *t;
	int running, deleted;
	struct qtimer *next;
};

struct plugins {
	struct plugin *list;
	struct pcmd *cmds;
	struct qtimer *timers;
	unsigned nextid;
};

static struct sw *psw; /* the switch the API acts on */

/* ---- commands ---- */

typedef int cmd_v(void);
typedef int cmd_i(int);
typedef int cmd_s(char *);
typedef int cmd_f(FILE *);
typedef int cmd_fi(FILE *, int);
typedef int cmd_fs(FILE *, char *);
typedef int cmd_ii(int, int);
typedef int cmd_is(int, char *);
typedef int cmd_fii(FILE *, int, int);
typedef int cmd_fis(FILE *, int, char *);

/* Calls doit with the arguments its type asks for (see vdeplugin.h). */
static int
plugin_call(const struct comlist *cl, FILE *f, int fd, int n, char *s)
{
	int kind = cl->type & 3, wf = (cl->type & WITHFILE) != 0, wd = (cl->type & WITHFD) != 0;
	intfun d = cl->doit;

	switch (wf * 2 + wd) {
	case 0:
		return kind == INTARG ? ((cmd_i *)d)(n) : kind == STRARG ? ((cmd_s *)d)(s) :
									 ((cmd_v *)d)();
	case 1:
		return kind == INTARG ? ((cmd_ii *)d)(fd, n) : kind == STRARG ? ((cmd_is *)d)(fd, s) :
									       ((cmd_i *)d)(fd);
	case 2:
		return kind == INTARG ? ((cmd_fi *)d)(f, n) : kind == STRARG ? ((cmd_fs *)d)(f, s) :
									      ((cmd_f *)d)(f);
	default:
		return kind == INTARG	 ? ((cmd_fii *)d)(f, fd, n) :
		       kind == STRARG	 ? ((cmd_fis *)d)(f, fd, s) :
					   ((cmd_fi *)d)(f, fd);
	}
}

static int
plugin_run(struct mgmt_req *req)
{
	const struct comlist *cl = ((struct pcmd *)req->ctx)->cl;
	int fd = req->sess ? mgmt_session_fd(req->sess) : -1, rc;
	char *s = NULL, *out = NULL;
	size_t outlen = 0;
	long long n = 0;
	FILE *f = NULL;

	if ((cl->type & 3) == INTARG) {
		if (req->argc < 1)
			return EINVAL;
		if ((rc = mgmt_arg_ll(req, 0, INT_MIN, INT_MAX, &n)) != 0)
			return rc;
	}
	if ((cl->type & 3) == STRARG && (s = strdup(req->args)) == NULL)
		return ENOMEM;
	if ((cl->type & WITHFILE) && (f = open_memstream(&out, &outlen)) == NULL) {
		free(s);
		return ENOMEM;
	}
	rc = plugin_call(cl, f, fd, (int)n, s);
	if (f) {
		fclose(f);
		if (outlen > 0)
			mgmt_printf(req, "%s", out);
		free(out);
	}
	free(s);
	return rc < 0 ? EINVAL : rc;
}

void
addcl(int ncl, struct comlist *cl)
{
	for (int i = 0; psw && i < ncl; i++) {
		struct pcmd *pc = calloc(1, sizeof(*pc));

		if (pc == NULL || cl[i].path == NULL) {
			free(pc);
			continue;
		}
		pc->cl = &cl[i];
		pc->table[0].path = cl[i].path;
		pc->table[0].syntax = cl[i].syntax ? cl[i].syntax : "";
		pc->table[0].help = cl[i].help ? cl[i].help : "";
		pc->table[0].run = cl[i].doit ? plugin_run : NULL;
		pc->table[0].flags = cl[i].doit ? ((cl[i].type & WITHFILE) ? MGMT_F_OUTPUT : 0) :
						  MGMT_F_MENU;
		if (mgmt_register(psw->mgmt, pc->table, pc) < 0) {
			log_warn("plugin command %s", cl[i].path);
			free(pc);
			continue;
		}
		pc->next = psw->plugins->cmds;
		psw->plugins->cmds = pc;
	}
}

static void
plugin_cmd_free(struct pcmd *pc)
{
	for (struct pcmd **pp = &psw->plugins->cmds; *pp; pp = &(*pp)->next)
		if (*pp == pc) {
			*pp = pc->next;
			mgmt_unregister(psw->mgmt, pc->table);
			free(pc);
			return;
		}
}

void
delcl(int ncl, struct comlist *cl)
{
	for (int i = 0; psw && i < ncl; i++)
		for (struct pcmd *pc = psw->plugins->cmds; pc; pc = pc->next)
			if (pc->cl == &cl[i]) {
				plugin_cmd_free(pc);
				break;
			}
}

/* ---- categories and events ---- */

void
adddbgcl(int ncl, struct dbgcl *cl)
{
	for (int i = 0; psw && i < ncl; i++)
		if (event_register(psw, &cl[i]) < 0)
			log_warn("plugin debug category %s", cl[i].path ? cl[i].path : "(null)");
}

void
deldbgcl(int ncl, struct dbgcl *cl)
{
	for (int i = 0; psw && i < ncl; i++)
		event_unregister(psw, &cl[i]);
}

int
eventadd(int (*fun)(struct dbgcl *event, void *arg, va_list v), char *path, void *arg)
{
	if (psw == NULL) {
		errno = ENODEV;
		return -1;
	}
	return event_subscribe(psw, (intfun)fun, path, arg);
}

int
eventdel(int (*fun)(struct dbgcl *event, void *arg, va_list v), char *path, void *arg)
{
	if (psw == NULL) {
		errno = ENODEV;
		return -1;
	}
	return event_unsubscribe(psw, (intfun)fun, path, arg);
}

void
debugout(struct dbgcl *cl, const char *format, ...)
{
	va_list ap;

	if (psw == NULL)
		return;
	va_start(ap, format);
	event_vdebug(psw, cl, format, ap);
	va_end(ap);
}

void
eventout(struct dbgcl *cl, ...)
{
	va_list ap;

	va_start(ap, cl);
	event_vraise(cl, ap);
	va_end(ap);
}

/* ---- output and log ---- */

void
printoutc(FILE *f, const char *format, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, format);
	if (f) {
		vfprintf(f, format, ap);
		fputc('\n', f);
	} else {
		vsnprintf(buf, sizeof(buf), format, ap);
		log_info("%s", buf);
	}
	va_end(ap);
}

void
printlog(int priority, const char *format, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, format);
	vsnprintf(buf, sizeof(buf), format, ap);
	va_end(ap);
	if (priority <= LOG_WARNING)
		log_warnx("%s", buf);
	else if (priority <= LOG_INFO)
		log_info("%s", buf);
	else
		log_debug("%s", buf);
}

void
mgmtnewfd(int fd)
{
	if (psw == NULL || mgmt_adopt_fd(psw->mgmt, fd) == NULL)
		log_warn("plugin management descriptor %d", fd);
}

/* ---- ports ---- */

uid_t
port_user(int port)
{
	if (psw == NULL || port < 0 || (unsigned)port > psw->numports ||
	    !psw->ports[port].exists)
		return (uid_t)-1;
	return psw->ports[port].curuser;
}

char *
port_descr(int portno, int epn)
{
	if (psw == NULL || portno < 0 || (unsigned)portno > psw->numports)
		return NULL;
	for (struct endpoint *ep = psw->ports[portno].eps; ep; ep = ep->next)
		if (ep->ctlfd == epn)
			return ep->descr;
	return NULL;
}

/* ---- time ---- */

/* VDE2 declares these without prototypes; the definitions follow the declarations. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"

time_t
qtime()
{
	return time(NULL);
}

void
qtime_csenter()
{
	/* timers run from the event loop, never inside other code: nothing to mask */
}

void
qtime_csexit()
{
}

static void
qtimer_unlink(struct qtimer *q)
{
	for (struct qtimer **pp = &psw->plugins->timers; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			return;
		}
}

static uint64_t
qtimer_fire(struct loop *l, void *arg)
{
	struct qtimer *q = arg;

	(void)l;
	q->running = 1;
	q->call(q->arg);
	q->running = 0;
	if (!q->deleted && (q->times == 0 || --q->times > 0))
		return q->period_us;
	/* returning 0 frees the loop's timer */
	qtimer_unlink(q);
	free(q);
	return 0;
}

unsigned int
qtimer_add(time_t period, int times, void (*call)(), void *arg)
{
	struct qtimer *q;

	if (psw == NULL || call == NULL || period <= 0 || times < 0 ||
	    (q = calloc(1, sizeof(*q))) == NULL)
		return 0;
	q->period_us = (uint64_t)period * 1000000;
	q->times = times;
	q->call = (void (*)(void *))call;
	q->arg = arg;
	if ((q->t = loop_add_timer(psw->loop, q->period_us, qtimer_fire, q)) == NULL) {
		free(q);
		return 0;
	}
	if (++psw->plugins->nextid == 0)
		psw->plugins->nextid = 1;
	q->id = psw->plugins->nextid;
	q->next = psw->plugins->timers;
	psw->plugins->timers = q;
	return q->id;
}

#pragma GCC diagnostic pop

static void
qtimer_free(struct qtimer *q)
{
	if (q->running) {
		q->deleted = 1; /* qtimer_fire frees it when the call returns */
		return;
	}
	loop_del_timer(psw->loop, q->t);
	qtimer_unlink(q);
	free(q);
}

void
qtimer_del(unsigned int n)
{
	if (psw == NULL)
		return;
	for (struct qtimer *q = psw->plugins->timers; q; q = q->next)
		if (q->id == n && !q->deleted) {
			qtimer_free(q);
			return;
		}
}

/* ---- loading ---- */

/* The address range of a loaded object's segments, to find what it left registered. */
struct plugin_range {
	uintptr_t base, lo, hi;
};

static int
plugin_range_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct plugin_range *r = arg;

	(void)size;
	if (info->dlpi_addr != r->base)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t a = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD)
			continue;
		if (r->lo == 0 || a < r->lo)
			r->lo = a;
		if (a + ph->p_memsz > r->hi)
			r->hi = a + ph->p_memsz;
	}
	return 1;
}

static void
plugin_range(void *handle, struct plugin_range *r)
{
	struct link_map *lm;

	memset(r, 0, sizeof(*r));
	if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) == 0) {
		r->base = lm->l_addr;
		dl_iterate_phdr(plugin_range_cb, r);
	}
}

#define IN_RANGE(r, p) ((uintptr_t)(p) >= (r)->lo && (uintptr_t)(p) < (r)->hi)

/* Removes whatever is registered from [r->lo, r->hi), the plugin's code and data. */
static void
plugin_scrub(const struct plugin_range *r)
{
	struct pcmd *pc, *pcn;
	struct qtimer *q, *qn;
	struct dbgcl *cl, *cln;

	if (r->hi == 0)
		return;
	for (pc = psw->plugins->cmds; pc; pc = pcn) {
		pcn = pc->next;
		if (IN_RANGE(r, pc->cl) || IN_RANGE(r, pc->cl->doit))
			plugin_cmd_free(pc);
	}
	for (q = psw->plugins->timers; q; q = qn) {
		qn = q->next;
		if (IN_RANGE(r, q->call))
			qtimer_free(q);
	}
	for (cl = psw->ev->list; cl; cl = cln) {
		cln = cl->next;
		if (IN_RANGE(r, cl))
			event_unregister(psw, cl);
	}
	event_forget_range(psw, r->lo, r->hi);
}

static void
plugin_unload(struct plugin *p)
{
	struct plugin_range r;
	void *handle = p->handle;

	for (struct plugin **pp = &psw->plugins->list; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	plugin_range(handle, &r);
	p->handle = NULL;
	p->next = NULL;
	/* before dlclose: the registry is linked through the plugin's own structures. Its
	 * destructor then finds its registrations gone, which the API treats as no-ops. */
	plugin_scrub(&r);
	dlclose(handle);
}

/* Tries dlopen on path; NULL with the reason in why. */
#pragma GCC diagnostic ignored "-Wformat-truncation" /* reasons may be cut short */

static void *
plugin_try(const char *path, char *why, size_t whylen)
{
	void *h;

	if (strchr(path, '/') && access(path, R_OK) < 0) {
		if (errno != ENOENT || why[0] == 0)
			snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((h = dlopen(path, RTLD_LAZY | RTLD_LOCAL)) == NULL) {
		const char *e = dlerror();

		snprintf(why, whylen, "%s", e ? e : path);
	}
	return h;
}

static void *
plugin_open(const char *name, char *why, size_t whylen)
{
	const char *home = getenv("HOME");
	char path[PATH_MAX];
	const char *dirs[3] = { NULL, home, PLUGIN_DIR };
	void *h;

	why[0] = 0;
	for (int d = 0; d < 3; d++) {
		for (int so = 0; so < 2; so++) {
			int n;

			if (d == 0)
				n = snprintf(path, sizeof(path), "%s%s", name, so ? ".so" : "");
			else if (dirs[d] == NULL || strchr(name, '/'))
				continue;
			else
				n = snprintf(path, sizeof(path), "%s%s/%s%s", dirs[d],
					     d == 1 ? "/.vde2/plugins" : "", name, so ? ".so" : "");
			if (n < 0 || (size_t)n >= sizeof(path))
				continue;
			if ((h = plugin_try(path, why, whylen)) != NULL)
				return h;
		}
	}
	return NULL;
}

static struct plugin *
plugin_named(const char *name)
{
	for (struct plugin *p = psw->plugins->list; p; p = p->next)
		if (p->name && strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* The plugin called name, else the only one whose name starts with it. */
static struct plugin *
plugin_find(const char *name, int *ambiguous)
{
	struct plugin *found = NULL;
	size_t n = strlen(name);

	*ambiguous = 0;
	if ((found = plugin_named(name)) != NULL)
		return found;
	for (struct plugin *p = psw->plugins->list; p; p = p->next)
		if (p->name && strncmp(p->name, name, n) == 0) {
			if (found)
				*ambiguous = 1;
			found = p;
		}
	return *ambiguous ? NULL : found;
}

static int
cmd_plugin_add(struct mgmt_req *req)
{
	struct plugin *p;
	char why[512];
	void *h;

	if (req->argc != 1)
		return EINVAL;
	if ((h = plugin_open(req->argv[0], why, sizeof(why))) == NULL) {
		mgmt_err(req, "%s", why);
		return ENOENT;
	}
	if ((p = dlsym(h, "vde_plugin_data")) == NULL) {
		mgmt_err(req, "%s: no vde_plugin_data: not a vde_switch plugin", req->argv[0]);
		dlclose(h);
		return EINVAL;
	}
	if (p->handle != NULL || p->name == NULL || plugin_named(p->name)) {
		mgmt_err(req, "%s: %s", req->argv[0], p->name ? "already loaded" : "no name");
		dlclose(h);
		return p->name ? EEXIST : EINVAL;
	}
	p->handle = h;
	p->next = psw->plugins->list;
	psw->plugins->list = p;
	return 0;
}

static int
cmd_plugin_del(struct mgmt_req *req)
{
	struct plugin *p;
	int amb;

	if (req->argc != 1)
		return EINVAL;
	if ((p = plugin_find(req->argv[0], &amb)) == NULL)
		return amb ? EINVAL : ENOENT;
	plugin_unload(p);
	return 0;
}

static int
cmd_plugin_list(struct mgmt_req *req)
{
	size_t n = req->argc > 0 ? strlen(req->argv[0]) : 0;

	mgmt_printf(req, "%-22s %s\n", "NAME", "HELP");
	mgmt_printf(req, "%-22s %s\n", "------------", "----");
	for (struct plugin *p = psw->plugins->list; p; p = p->next)
		if (n == 0 || strncmp(p->name, req->argv[0], n) == 0)
			mgmt_printf(req, "%-22s %s\n", p->name, p->help ? p->help : "");
	return 0;
}

int
plugin_init(struct sw *sw)
{
	if ((sw->plugins = calloc(1, sizeof(*sw->plugins))) == NULL)
		return -1;
	psw = sw;
	return 0;
}

void
plugin_fini(struct sw *sw)
{
	if (sw->plugins == NULL)
		return;
	while (sw->plugins->list)
		plugin_unload(sw->plugins->list);
	while (sw->plugins->cmds)
		plugin_cmd_free(sw->plugins->cmds);
	while (sw->plugins->timers)
		qtimer_free(sw->plugins->timers);
	free(sw->plugins);
	sw->plugins = NULL;
	psw = NULL;
}

const struct mgmt_cmd plugin_cmds[] = {
	{ "plugin", "============", "PLUGINS MENU", NULL, MGMT_F_MENU },
	{ "plugin/list", "", "list plugins", cmd_plugin_list, MGMT_F_OUTPUT },
	{ "plugin/add", "library", "load a plugin", cmd_plugin_add, MGMT_F_LOCAL },
	{ "plugin/del", "name", "unload a plugin", cmd_plugin_del, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};
