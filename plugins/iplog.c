/*
 * iplog: a vde_switch plugin that logs which IP addresses (IPv4 and IPv6 sources, ARP
 * senders) appear on which port and MAC. A new or changed binding is reported on the log, on
 * the debug category iplog/newip and in iplog/logfile; iplog/list shows the table. With
 * iplog/ipadd ranges only addresses inside them are tracked. The table is bounded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "vdeplugin.h"

#define IPLOG_BUCKETS 1024
#define IPLOG_MAX     65536 /* addresses remembered at most */
#define IPLOG_RANGES  64

struct plugin vde_plugin_data = {
	.name = "iplog",
	.help = "log IP addresses seen on the ports",
};

struct ipent {
	uint8_t family; /* 4 or 6 */
	uint8_t addr[16];
	uint8_t mac[6];
	int port;
	time_t first, last;
	struct ipent *next;
};

struct range {
	uint8_t family, bits;
	uint8_t addr[16];
};

static struct ipent *tab[IPLOG_BUCKETS];
static unsigned nent;
static unsigned long long nfull;
static struct range ranges[IPLOG_RANGES];
static unsigned nranges;
static FILE *log_fp;
static char *logname;
static int expire = 3600;
static unsigned gc_timer;

static struct dbgcl newip_cat[] = {
	{ .path = "iplog/newip", .help = "new ip/port pair", .tag = 0301 },
};

static unsigned
ip_hash(int family, const uint8_t *a)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < (family == 4 ? 4 : 16); i++)
		h = (h ^ a[i]) * 16777619u;
	return h % IPLOG_BUCKETS;
}

static const char *
ip_str(int family, const uint8_t *a, char *buf, size_t n)
{
	return inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, (socklen_t)n);
}

static int
in_range(const struct range *r, int family, const uint8_t *a)
{
	unsigned full = r->bits / 8, rest = r->bits % 8;

	if (r->family != family || memcmp(r->addr, a, full) != 0)
		return 0;
	return rest == 0 || ((r->addr[full] ^ a[full]) & (0xff << (8 - rest))) == 0;
}

static int
wanted(int family, const uint8_t *a)
{
	if (nranges == 0)
		return 1;
	for (unsigned i = 0; i < nranges; i++)
		if (in_range(&ranges[i], family, a))
			return 1;
	return 0;
}

static void
report(const struct ipent *e, int oldport)
{
	char ip[INET6_ADDRSTRLEN], when[32];
	uid_t u = port_user(e->port);
	time_t now = e->last;
	struct tm tm;

	ip_str(e->family, e->addr, ip, sizeof(ip));
	DBGOUT(newip_cat, "ip %s mac %02x:%02x:%02x:%02x:%02x:%02x port %d%s", ip, e->mac[0],
	       e->mac[1], e->mac[2], e->mac[3], e->mac[4], e->mac[5], e->port,
	       oldport >= 0 ? " (moved)" : "");
	printlog(LOG_INFO, "iplog: ip %s mac %02x:%02x:%02x:%02x:%02x:%02x port %d user %d", ip,
		 e->mac[0], e->mac[1], e->mac[2], e->mac[3], e->mac[4], e->mac[5], e->port,
		 u == (uid_t)-1 ? -1 : (int)u);
	if (log_fp) {
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", localtime_r(&now, &tm));
		fprintf(log_fp, "%s ip %s mac %02x:%02x:%02x:%02x:%02x:%02x port %d user %d\n", when,
			ip, e->mac[0], e->mac[1], e->mac[2], e->mac[3], e->mac[4], e->mac[5],
			e->port, u == (uid_t)-1 ? -1 : (int)u);
		fflush(log_fp);
	}
}

static void
seen(int family, const uint8_t *a, const uint8_t *mac, int port)
{
	unsigned b = ip_hash(family, a), len = family == 4 ? 4 : 16;
	time_t now = qtime();
	struct ipent *e;

	if (!wanted(family, a))
		return;
	for (e = tab[b]; e; e = e->next)
		if (e->family == family && memcmp(e->addr, a, len) == 0) {
			int old = e->port;

			e->last = now;
			if (e->port == port && memcmp(e->mac, mac, 6) == 0)
				return;
			e->port = port;
			memcpy(e->mac, mac, 6);
			report(e, old);
			return;
		}
	if (nent >= IPLOG_MAX || (e = calloc(1, sizeof(*e))) == NULL) {
		nfull++;
		return;
	}
	e->family = (uint8_t)family;
	memcpy(e->addr, a, len);
	memcpy(e->mac, mac, 6);
	e->port = port;
	e->first = e->last = now;
	e->next = tab[b];
	tab[b] = e;
	nent++;
	report(e, -1);
}

static int
iplog_event(struct dbgcl *event, void *arg, va_list v)
{
	static const uint8_t zero[16];
	int port = va_arg(v, int);
	unsigned char *f = va_arg(v, unsigned char *);
	int len = va_arg(v, int);
	int off = 12, type;

	(void)event;
	(void)arg;
	if (len >= 18 && f[12] == 0x81 && f[13] == 0x00)
		off = 16; /* one 802.1Q tag */
	type = f[off] << 8 | f[off + 1];
	off += 2;
	if (type == 0x0800 && len >= off + 20 && (f[off] >> 4) == 4 &&
	    memcmp(f + off + 12, zero, 4) != 0)
		seen(4, f + off + 12, f + 6, port);
	else if (type == 0x86dd && len >= off + 40 && (f[off] >> 4) == 6 &&
		 memcmp(f + off + 8, zero, 16) != 0)
		seen(6, f + off + 8, f + 6, port);
	else if (type == 0x0806 && len >= off + 28 && f[off + 2] == 0x08 && f[off + 3] == 0 &&
		 memcmp(f + off + 14, zero, 4) != 0)
		seen(4, f + off + 14, f + 6, port);
	return 0;
}

static void
iplog_gc(void *arg)
{
	time_t now = qtime();

	(void)arg;
	for (unsigned b = 0; b < IPLOG_BUCKETS; b++)
		for (struct ipent **pp = &tab[b]; *pp;) {
			struct ipent *e = *pp;

			if (now - e->last > expire) {
				*pp = e->next;
				free(e);
				nent--;
			} else {
				pp = &e->next;
			}
		}
}

/* "a.b.c.d/n" or "x::y/n" (no /n: the single address). */
static int
parse_range(const char *s, struct range *r)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long bits;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	memset(r, 0, sizeof(*r));
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = 0;
	if (inet_pton(AF_INET, buf, r->addr) == 1)
		r->family = 4;
	else if (inet_pton(AF_INET6, buf, r->addr) == 1)
		r->family = 6;
	else
		return -1;
	bits = r->family == 4 ? 32 : 128;
	if (slash) {
		long b = strtol(slash, &end, 10);

		if (*slash == 0 || *end != 0 || b < 0 || b > bits)
			return -1;
		bits = b;
	}
	r->bits = (uint8_t)bits;
	return 0;
}

static int
cmd_ipadd(char *arg)
{
	struct range r;

	if (parse_range(arg, &r) < 0)
		return EINVAL;
	for (unsigned i = 0; i < nranges; i++)
		if (memcmp(&ranges[i], &r, sizeof(r)) == 0)
			return EEXIST;
	if (nranges >= IPLOG_RANGES)
		return ENOSPC;
	ranges[nranges++] = r;
	return 0;
}

static int
cmd_ipdel(char *arg)
{
	struct range r;

	if (parse_range(arg, &r) < 0)
		return EINVAL;
	for (unsigned i = 0; i < nranges; i++)
		if (memcmp(&ranges[i], &r, sizeof(r)) == 0) {
			ranges[i] = ranges[--nranges];
			return 0;
		}
	return ENOENT;
}

static int
cmd_iplist(FILE *f)
{
	char ip[INET6_ADDRSTRLEN];

	for (unsigned i = 0; i < nranges; i++)
		printoutc(f, "%s/%u", ip_str(ranges[i].family, ranges[i].addr, ip, sizeof(ip)),
			  ranges[i].bits);
	return 0;
}

static void
print_ent(FILE *f, const struct ipent *e, time_t now)
{
	char ip[INET6_ADDRSTRLEN];

	printoutc(f, "ip %-39s mac %02x:%02x:%02x:%02x:%02x:%02x port %04d age %lld secs",
		  ip_str(e->family, e->addr, ip, sizeof(ip)), e->mac[0], e->mac[1], e->mac[2],
		  e->mac[3], e->mac[4], e->mac[5], e->port, (long long)(now - e->last));
}

static int
cmd_list(FILE *f)
{
	time_t now = qtime();

	for (unsigned b = 0; b < IPLOG_BUCKETS; b++)
		for (struct ipent *e = tab[b]; e; e = e->next)
			print_ent(f, e, now);
	return 0;
}

static int
cmd_ipsearch(FILE *f, char *arg)
{
	struct range r;

	if (parse_range(arg, &r) < 0 || r.bits != (r.family == 4 ? 32 : 128))
		return EINVAL;
	for (struct ipent *e = tab[ip_hash(r.family, r.addr)]; e; e = e->next)
		if (e->family == r.family && memcmp(e->addr, r.addr, r.family == 4 ? 4 : 16) == 0) {
			print_ent(f, e, qtime());
			return 0;
		}
	return ENOENT;
}

static int
cmd_logfile(char *arg)
{
	FILE *f = NULL;
	char *n = NULL;

	if (arg && *arg && ((f = fopen(arg, "a")) == NULL || (n = strdup(arg)) == NULL)) {
		int err = errno;

		if (f)
			fclose(f);
		return err;
	}
	if (log_fp)
		fclose(log_fp);
	free(logname);
	log_fp = f;
	logname = n;
	return 0;
}

static int
cmd_setexpire(int secs)
{
	if (secs < 1)
		return EINVAL;
	expire = secs;
	return 0;
}

static int
cmd_showinfo(FILE *f)
{
	printoutc(f, "iplog: %u addresses (%llu not remembered: table full), expire %d secs",
		  nent, nfull, expire);
	printoutc(f, "logfile %s, %u ranges", logname ? logname : "(none)", nranges);
	return 0;
}

static struct comlist iplog_cmds[] = {
	{ .path = "iplog", .syntax = "============", .help = "IP/MAC/PORT LOG", .type = NOARG },
	{ .path = "iplog/showinfo", .syntax = "", .help = "show iplog info",
	  .doit = cmd_showinfo, .type = WITHFILE },
	{ .path = "iplog/logfile", .syntax = "FILE", .help = "log to FILE (empty: no file)",
	  .doit = cmd_logfile, .type = STRARG },
	{ .path = "iplog/ipadd", .syntax = "ADDR/N", .help = "track this range only",
	  .doit = cmd_ipadd, .type = STRARG },
	{ .path = "iplog/ipdel", .syntax = "ADDR/N", .help = "forget a range",
	  .doit = cmd_ipdel, .type = STRARG },
	{ .path = "iplog/iplist", .syntax = "", .help = "list the ranges",
	  .doit = cmd_iplist, .type = WITHFILE },
	{ .path = "iplog/list", .syntax = "", .help = "list the addresses seen",
	  .doit = cmd_list, .type = WITHFILE },
	{ .path = "iplog/ipsearch", .syntax = "ADDR", .help = "where an address was seen",
	  .doit = cmd_ipsearch, .type = WITHFILE | STRARG },
	{ .path = "iplog/setexpire", .syntax = "SECS", .help = "forget addresses idle this long",
	  .doit = cmd_setexpire, .type = INTARG },
};

static void __attribute__((constructor))
iplog_init(void)
{
	ADDCL(iplog_cmds);
	ADDDBGCL(newip_cat);
	eventadd(iplog_event, "packet/in", NULL);
	gc_timer = qtimer_add(60, 0, iplog_gc, NULL);
}

static void __attribute__((destructor))
iplog_fini(void)
{
	if (gc_timer)
		qtimer_del(gc_timer);
	eventdel(iplog_event, "packet/in", NULL);
	DELDBGCL(newip_cat);
	DELCL(iplog_cmds);
	expire = -1;
	iplog_gc(NULL);
	cmd_logfile(NULL);
}
