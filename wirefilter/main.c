/*
 * wirefilter: a link emulator in the middle of a VDE cable. Options and topology here:
 * "-v A:B" (two plugs, either may be "-" for stdin/stdout), "A B" (same), the dpipe form (stdin/
 * stdout and the ALTERNATE_STDIN/ALTERNATE_STDOUT descriptors), or stdin -> stdout only.
 * Then the rc file, the console (two plugs, foreground) and -M, and the loop until both sides
 * are gone or shutdown.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "daemon.h"
#include "loop.h"
#include "mgmt.h"
#include "parse.h"
#include "sock.h"
#include "wf.h"

#define WF_BANNER "\nVDE wirefilter V." PACKAGE_VERSION "\n(C) R.Davoli 2005,2006 - GPLv2\n"
#define WF_MAXSESSIONS 16

struct setting {
	enum model_param p;
	const char *arg;
};

struct config {
	char *rcfile, *pidfile, *blink, *blinkid;
	const char *mgmt;
	char *plug[2]; /* -v A:B or two positional arguments; "-" = stdin/stdout */
	mode_t mgmtmode;
	gid_t mgmtgroup;
	int daemon, nostdin, nofifo, seed_set;
	unsigned long long seed;
	long long numnodes;
	struct setting *set;
	size_t nset;
};

static struct wf wf;

static void
usage(FILE *fp)
{
	fprintf(fp,
		"Usage: wirefilter [OPTIONS] [-v PLUG1:PLUG2 | PLUG1 PLUG2]\n"
		"       dpipe vde_plug SW1 = wirefilter [OPTIONS] = vde_plug SW2\n"
		"Emulates an imperfect link between two VDE networks.\n"
		"  -h, --help                  this help\n"
		"  -f, --rcfile FILE           management commands to run at start\n"
		"  -l, --loss VALUE            loss percentage\n"
		"  -L, --lostburst VALUE       mean length of lost bursts (Gilbert model)\n"
		"  -d, --delay VALUE           delay in milliseconds\n"
		"  -D, --dup VALUE             duplication percentage (below 100)\n"
		"  -b, --bandwidth VALUE       bottleneck bandwidth in bytes/s (also --band)\n"
		"  -s, --speed VALUE           interface speed in bytes/s\n"
		"  -c, --capacity VALUE        queue capacity in bytes (also --chanbufsize)\n"
		"  -n, --noise VALUE           damaged bits per MiB\n"
		"  -m, --mtu VALUE             largest frame in bytes\n"
		"  -N, --nofifo                allow reordering when delays vary (--fifo: keep order)\n"
		"      --markov-numnodes N     number of Markov states (set them with VALUE[node])\n"
		"      --seed N                random seed: the same seed reproduces every decision\n"
		"  -M, --mgmt SOCK             management socket\n"
		"      --mgmtmode MODE         its permissions (octal, default 0600)\n"
		"      --mgmtgroup GROUP       its group\n"
		"  -v, --vde-plug PLUG1:PLUG2  connect two networks directly (\"-\" = stdin/stdout)\n"
		"      --daemon                run in the background\n"
		"      --pidfile FILE          write the process id to FILE\n"
		"      --nostdin               no management console on stdin\n"
		"      --blink SOCK            report each frame sent to a datagram socket\n"
		"      --blinkid ID            identifier in those reports (default: the pid)\n"
		"VALUE: [LR|RL]value[+spread][K|M|G][U|N][[node]], or [LR|RL]off; LR/RL set one\n"
		"direction, U/N a uniform or normal spread, K/M/G multiply by 2^10/2^20/2^30.\n");
}

/* Splits "A:B" at the first ':' that does not start "://" (VNLs such as vde:///path). */
static int
split_plugs(char *s, char *plug[2])
{
	char *p;

	for (p = s; (p = strchr(p, ':')) != NULL; p++) {
		if (strncmp(p, "://", 3) == 0)
			continue;
		*p = '\0';
		plug[0] = s;
		plug[1] = p + 1;
		return *plug[0] && *plug[1] ? 0 : -1;
	}
	return -1;
}

static void
add_setting(struct config *c, enum model_param p, const char *arg)
{
	struct setting *s = realloc(c->set, (c->nset + 1) * sizeof(*s));

	if (s == NULL)
		fatal("out of memory");
	c->set = s;
	c->set[c->nset].p = p;
	c->set[c->nset++].arg = arg;
}

enum {
	OPT_DAEMON = 256, OPT_PIDFILE, OPT_BLINK, OPT_BLINKID,
	OPT_SEED, OPT_NUMNODES, OPT_NOSTDIN, OPT_FIFO,
};

static void
parse_args(int argc, char **argv, struct config *c)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "rcfile", required_argument, NULL, 'f' },
		{ "loss", required_argument, NULL, 'l' },
		{ "lostburst", required_argument, NULL, 'L' },
		{ "delay", required_argument, NULL, 'd' },
		{ "dup", required_argument, NULL, 'D' },
		{ "bandwidth", required_argument, NULL, 'b' },
		{ "band", required_argument, NULL, 'b' },
		{ "speed", required_argument, NULL, 's' },
		{ "capacity", required_argument, NULL, 'c' },
		{ "chanbufsize", required_argument, NULL, 'c' },
		{ "noise", required_argument, NULL, 'n' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "nofifo", no_argument, NULL, 'N' },
		{ "fifo", no_argument, NULL, OPT_FIFO },
		MGMT_LONGOPTS,
		{ "vde-plug", required_argument, NULL, 'v' },
		{ "daemon", no_argument, NULL, OPT_DAEMON },
		{ "pidfile", required_argument, NULL, OPT_PIDFILE },
		{ "blink", required_argument, NULL, OPT_BLINK },
		{ "blinkid", required_argument, NULL, OPT_BLINKID },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "markov-numnodes", required_argument, NULL, OPT_NUMNODES },
		{ "nostdin", no_argument, NULL, OPT_NOSTDIN },
		{ NULL, 0, NULL, 0 },
	};
	const char *why;
	int ch;

	while ((ch = getopt_long(argc, argv, "hf:l:L:d:D:b:s:c:n:m:NM:v:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			exit(0);
		case 'f':
			c->rcfile = optarg;
			break;
		case 'l':
			add_setting(c, MP_LOSS, optarg);
			break;
		case 'L':
			add_setting(c, MP_LOSTBURST, optarg);
			break;
		case 'd':
			add_setting(c, MP_DELAY, optarg);
			break;
		case 'D':
			add_setting(c, MP_DUP, optarg);
			break;
		case 'b':
			add_setting(c, MP_BANDWIDTH, optarg);
			break;
		case 's':
			add_setting(c, MP_SPEED, optarg);
			break;
		case 'c':
			add_setting(c, MP_CAPACITY, optarg);
			break;
		case 'n':
			add_setting(c, MP_NOISE, optarg);
			break;
		case 'm':
			add_setting(c, MP_MTU, optarg);
			break;
		case 'N':
			c->nofifo = 1;
			break;
		case OPT_FIFO:
			c->nofifo = 0;
			break;
		case 'M':
		case MGMT_OPT_MODE:
		case MGMT_OPT_GROUP:
			if (mgmt_getopt(ch, optarg, &c->mgmt, &c->mgmtmode, &c->mgmtgroup,
					&why) < 0)
				fatalx("--%s %s: %s", ch == MGMT_OPT_MODE ? "mgmtmode" : "mgmtgroup",
				       optarg, why);
			break;
		case 'v':
			if (split_plugs(optarg, c->plug) < 0)
				fatalx("-v %s: expected PLUG1:PLUG2", optarg);
			break;
		case OPT_DAEMON:
			c->daemon = 1;
			break;
		case OPT_PIDFILE:
			c->pidfile = optarg;
			break;
		case OPT_BLINK:
			c->blink = optarg;
			break;
		case OPT_BLINKID:
			c->blinkid = optarg;
			break;
		case OPT_SEED:
			if (parse_ull(optarg, 0, UINT64_MAX, &c->seed, &why) < 0)
				fatalx("--seed %s: %s", optarg, why);
			c->seed_set = 1;
			break;
		case OPT_NUMNODES:
			if (parse_ll(optarg, 1, MARKOV_MAXNODES, &c->numnodes, &why) < 0)
				fatalx("--markov-numnodes %s: %s (1..%d)", optarg, why,
				       MARKOV_MAXNODES);
			break;
		case OPT_NOSTDIN:
			c->nostdin = 1;
			break;
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind + 2 == argc && c->plug[0] == NULL) {
		c->plug[0] = argv[optind];
		c->plug[1] = argv[optind + 1];
	} else if (optind != argc) {
		usage(stderr);
		exit(2);
	}
}

/* Command-line values go through the same parser and checks as the console's. */
static void
apply_settings(struct config *c, struct model *m)
{
	struct value_arg a;
	const char *why;
	size_t i;

	if (c->numnodes > 1 && model_set_numnodes(m, (unsigned)c->numnodes, &why) < 0)
		fatalx("--markov-numnodes: %s", why);
	for (i = 0; i < c->nset; i++) {
		if (value_parse(c->set[i].arg, &a, &why) < 0 ||
		    model_set(m, c->set[i].p, &a, &why) < 0)
			fatalx("%s %s: %s", model_param_name(c->set[i].p), c->set[i].arg, why);
	}
	model_set_fifo(m, !c->nofifo);
}

/* A descriptor number from the environment (dpipe's ALTERNATE_STDIN/OUT), -1 if absent. */
static int
env_fd(const char *name)
{
	const char *s = getenv(name);
	long long fd;
	const char *why;

	if (s == NULL || parse_ll(s, 0, 65535, &fd, &why) < 0 || fcntl((int)fd, F_GETFD) < 0)
		return -1;
	return (int)fd;
}

static void
open_sides(struct config *c)
{
	int s, altin, altout;

	if (c->plug[0]) {
		if (strcmp(c->plug[0], "-") == 0 && strcmp(c->plug[1], "-") == 0)
			fatalx("-v -:-: at most one side can be stdin/stdout");
		for (s = 0; s < 2; s++) {
			if (strcmp(c->plug[s], "-") == 0) {
				if (link_stream(&wf, s, STDIN_FILENO, STDOUT_FILENO) < 0)
					fatal("stdin/stdout");
			} else if (link_plug(&wf, s, c->plug[s]) < 0) {
				fatal("%s", c->plug[s]);
			}
		}
		wf.has_dir[MODEL_LR] = wf.has_dir[MODEL_RL] = 1;
		return;
	}
	if (isatty(STDIN_FILENO))
		fatalx("stdin is a terminal: use -v PLUG1:PLUG2, or run under dpipe");
	altin = env_fd("ALTERNATE_STDIN");
	altout = env_fd("ALTERNATE_STDOUT");
	if (altin >= 0 && altout >= 0) {
		if (link_stream(&wf, 0, STDIN_FILENO, STDOUT_FILENO) < 0 ||
		    link_stream(&wf, 1, altin, altout) < 0)
			fatal("streams");
		wf.has_dir[MODEL_LR] = wf.has_dir[MODEL_RL] = 1;
		return;
	}
	/* mono-directional: stdin -> stdout */
	if (link_stream(&wf, 0, STDIN_FILENO, -1) < 0 || link_stream(&wf, 1, -1, STDOUT_FILENO) < 0)
		fatal("streams");
	wf.has_dir[MODEL_LR] = 1;
}

static void
open_blink(struct config *c)
{
	wf.blinkfd = -1;
	if (c->blink == NULL)
		return;
	if (strlen(c->blink) >= sizeof(wf.blinkaddr.sun_path))
		fatalx("--blink %s: path too long", c->blink);
	wf.blinkaddr.sun_family = AF_UNIX;
	strcpy(wf.blinkaddr.sun_path, c->blink);
	if ((wf.blinkfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		fatal("blink socket");
	if (c->blinkid)
		snprintf(wf.blinkid, sizeof(wf.blinkid), "%s", c->blinkid);
	else
		snprintf(wf.blinkid, sizeof(wf.blinkid), "%d", (int)getpid());
}

static void
on_signal(struct loop *l, int signo, void *arg)
{
	(void)signo;
	(void)arg;
	loop_break(l);
}

static void
on_shutdown(void *arg)
{
	struct wf *w = arg;

	loop_break(w->loop);
}

static uint64_t
random_seed(void)
{
	uint64_t seed;

	if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		seed = wf_now_ns() ^ ((uint64_t)getpid() << 32);
	return seed;
}

int
main(int argc, char **argv)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct config c = { .mgmtmode = 0600, .mgmtgroup = (gid_t)-1 };
	struct mgmt_config mc = {
		.banner = WF_BANNER,
		.prompt = "VDEwf$ ",
		.maxsessions = WF_MAXSESSIONS,
		.shutdown = on_shutdown,
		.arg = &wf,
		/* the reference returns -1 from logout and prints it as an errno value */
		.logout_reply = "1-01 Unknown error -1\n",
		.logout_help = "log out from this mgmt session",
		.shutdown_help = "shut the channel down",
		.shutdown_quiet = 1,
	};
	int console;
	size_t i;

	parse_args(argc, argv, &c);
	log_init("wirefilter", !c.daemon, 0);
	signal(SIGPIPE, SIG_IGN);
	if ((wf.model = model_new(c.seed_set ? c.seed : random_seed())) == NULL)
		fatal("model");
	apply_settings(&c, wf.model);
	if ((wf.buf = malloc(WF_BUFSIZE)) == NULL || (wf.scratch = malloc(WF_BUFSIZE)) == NULL)
		fatal("out of memory");
	if ((wf.loop = loop_new()) == NULL)
		fatal("event loop");
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (loop_add_signal(wf.loop, sigs[i], on_signal, &wf) < 0)
			fatal("signal %d", sigs[i]);
	if ((wf.mgmt = mgmt_new(wf.loop, &mc)) == NULL || cmds_register(&wf) < 0)
		fatal("management setup");
	open_sides(&c);
	if (c.daemon && !(wf.side[0].conn && wf.side[1].conn))
		fatalx("--daemon needs two plugs (-v PLUG1:PLUG2): stdin/stdout would be lost");
	open_blink(&c);
	console = wf.side[0].conn && wf.side[1].conn && !c.daemon && !c.nostdin;
	if (c.mgmt && mgmt_listen(wf.mgmt, c.mgmt, c.mgmtmode, c.mgmtgroup) < 0)
		fatal("management socket %s", c.mgmt);
	if (c.rcfile && mgmt_run_file(wf.mgmt, c.rcfile, NULL) < 0)
		fatal("rc file %s", c.rcfile);
	if (c.pidfile && pidfile_create(c.pidfile) < 0)
		fatal("pidfile %s", c.pidfile);
	if (c.daemon) {
		if (daemonize() < 0 || loop_after_fork(wf.loop) < 0)
			fatal("daemon");
		log_to_syslog();
	}
	if (console && mgmt_console(wf.mgmt, STDIN_FILENO, STDOUT_FILENO, on_shutdown, &wf) == NULL)
		fatal("console");
	if (link_start(&wf) < 0)
		fatal("event loop");
	if (loop_run(wf.loop) < 0)
		log_warn("event loop");
	link_free(&wf);
	mgmt_free(wf.mgmt);
	pidfile_remove();
	model_free(wf.model);
	loop_free(wf.loop);
	if (wf.blinkfd >= 0)
		close(wf.blinkfd);
	free(wf.buf);
	free(wf.scratch);
	free(c.set);
	return 0;
}
