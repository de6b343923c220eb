/*
 * A test plugin for the switch's events: it counts port/ and hash/ events (keeping the last
 * description and MAC key), logs fstp/ events with their arguments (evtest/fstp prints them),
 * rewrites frames of ethertype 0x88b6 to 0x88b7 on packet/out, and is careless on purpose:
 * its destructor removes nothing (commands, subscriptions, a timer, a debug category), so
 * plugin/del must clean up after it.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <vdeplugin.h>

struct plugin vde_plugin_data = {
	.name = "evtest",
	.help = "event test plugin",
};

static unsigned n_pplus, n_pminus, n_descr, n_epplus, n_epminus, n_hplus, n_hminus, n_out;
static unsigned n_timer;
static char last_descr[256];
static unsigned long long last_key;
/* The last FSTP_LOG fstp/ events, one line each, and how many there were in all. */
#define FSTP_LOG 256
static char fstp_log[FSTP_LOG][64];
static unsigned n_fstp;

static struct dbgcl cats[] = {
	{ "evtest/tick", "timer ticks", 0777 },
};

static int
counter(struct dbgcl *ev, void *arg, va_list v)
{
	int port = va_arg(v, int);

	(void)arg;
	(void)port;
	if (strcmp(ev->path, "port/+") == 0)
		n_pplus++;
	else if (strcmp(ev->path, "port/-") == 0)
		n_pminus++;
	else if (strcmp(ev->path, "port/ep/+") == 0)
		n_epplus++;
	else if (strcmp(ev->path, "port/ep/-") == 0)
		n_epminus++;
	else if (strcmp(ev->path, "port/descr") == 0) {
		int fd = va_arg(v, int);
		char *d = va_arg(v, char *);

		(void)fd;
		n_descr++;
		snprintf(last_descr, sizeof(last_descr), "%s", d);
	}
	return 0;
}

static int
hashev(struct dbgcl *ev, void *arg, va_list v)
{
	(void)arg;
	last_key = va_arg(v, uint64_t);
	if (ev->tag == (D_HASH | D_PLUS))
		n_hplus++;
	else
		n_hminus++;
	return 0;
}

/* fstp/status: port vlan state; fstp/+ and fstp/-: port vlan; fstp/root: 0 vlan root ID. */
static int
fstpev(struct dbgcl *ev, void *arg, va_list v)
{
	char *line = fstp_log[n_fstp++ % FSTP_LOG];
	int port = va_arg(v, int), vlan = va_arg(v, int);

	(void)arg;
	if (ev->tag == (D_FSTP | D_STATUS)) {
		int state = va_arg(v, int);

		snprintf(line, sizeof(fstp_log[0]), "%s port %d vlan %d state %d", ev->path, port,
			 vlan, state);
	} else if (ev->tag == (D_FSTP | D_ROOT)) {
		unsigned long long root = va_arg(v, uint64_t);

		snprintf(line, sizeof(fstp_log[0]), "%s vlan %d root %016llx", ev->path, vlan,
			 root);
	} else {
		snprintf(line, sizeof(fstp_log[0]), "%s port %d vlan %d", ev->path, port, vlan);
	}
	return 0;
}

static int
fstpprint(FILE *f)
{
	unsigned first = n_fstp > FSTP_LOG ? n_fstp - FSTP_LOG : 0;

	printoutc(f, "fstp events %u", n_fstp);
	for (unsigned i = first; i < n_fstp; i++)
		printoutc(f, "%u %s", i + 1, fstp_log[i % FSTP_LOG]);
	return 0;
}

static int
rewrite(struct dbgcl *ev, void *arg, va_list v)
{
	int port = va_arg(v, int);
	unsigned char *buf = va_arg(v, unsigned char *);
	int len = va_arg(v, int);

	(void)ev;
	(void)arg;
	(void)port;
	if (len >= 14 && buf[12] == 0x88 && buf[13] == 0xb6) {
		buf[13] = 0xb7;
		n_out++;
		return len;
	}
	return 0;
}

static void
tick(void *arg)
{
	(void)arg;
	n_timer++;
	DBGOUT(cats, "tick %u", n_timer);
}

static int
evprint(FILE *f)
{
	printoutc(f, "port/+ %u port/- %u port/ep/+ %u port/ep/- %u port/descr %u", n_pplus,
		  n_pminus, n_epplus, n_epminus, n_descr);
	printoutc(f, "hash/+ %u hash/- %u key %012llx", n_hplus, n_hminus, last_key);
	printoutc(f, "descr %s", last_descr);
	printoutc(f, "rewritten %u ticks %u", n_out, n_timer);
	return 0;
}

static int
evfd(FILE *f, int fd, char *s)
{
	printoutc(f, "fd %s arg [%s]", fd >= 0 ? "set" : "none", s);
	return 0;
}

static struct comlist cl[] = {
	{ "evtest", "============", "event test", NULL, NOARG },
	{ "evtest/print", "", "print counters", evprint, WITHFILE },
	{ "evtest/fstp", "", "print the fstp events seen", fstpprint, WITHFILE },
	{ "evtest/fd", "ARGS", "show the fd and string arguments", evfd,
	  WITHFILE | WITHFD | STRARG },
};

static void __attribute__((constructor))
init(void)
{
	ADDCL(cl);
	ADDDBGCL(cats);
	eventadd(counter, "port/", NULL);
	eventadd(hashev, "hash", NULL);
	eventadd(fstpev, "fstp/", NULL);
	eventadd(rewrite, "packet/out", NULL);
	qtimer_add(1, 0, tick, NULL);
}
