/*
 * vde_switch: a Virtual Distributed Ethernet switch. Parses the options into a config, opens
 * the control directory and the management socket, runs the rc file, then the event loop until
 * a signal, the shutdown command or EOF on the console; tears everything down on the way out.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "daemon.h"
#include "event.h"
#include "plugin.h"
#include "datasock.h"
#include "fdb.h"
#include "fstp.h"
#include "loop.h"
#include "mgmt.h"
#include "parse.h"
#include "port.h"
#include "switch.h"
#include "tap.h"

static struct sw sw;

static const char usage_text[] =
	"Usage: vde_switch [OPTIONS]\n"
	"Runs a VDE switch.\n"
	"(global opts)\n"
	"  -h, --help                 Display this help and exit\n"
	"  -v, --version              Display informations on version and exit\n"
	"  -n  --numports             Number of ports (default 32)\n"
	"  -x, --hub                  Make the switch act as a hub\n"
	"  -F, --fstp                 Activate the fast spanning tree protocol\n"
	"      --macaddr MAC          Set the Switch MAC address\n"
	"      --priority N           Set the priority for FST (MAC extension)\n"
	"      --hashsize N           Initial MAC table buckets (it grows as needed)\n"
	"(opts from datasock module)\n"
	"  -s, --sock SOCK            control directory pathname\n"
	"  -s, --vdesock SOCK         Same as --sock SOCK\n"
	"  -s, --unix SOCK            Same as --sock SOCK\n"
	"  -m, --mode MODE            Permissions for the control socket (octal)\n"
	"      --dirmode MODE         Permissions for the sockets directory (octal)\n"
	"  -g, --group GROUP          Group owner for comm sockets\n"
	"(opts from consmgmt module)\n"
	"  -d, --daemon               Daemonize vde_switch once run\n"
	"  -p, --pidfile PIDFILE      Write pid of daemon to PIDFILE\n"
	"  -f, --rcfile               Configuration file (overrides /etc/vde2/vde_switch.rc and "
	"~/.vde2/vde_switch.rc)\n"
	"  -M, --mgmt SOCK            path of the management UNIX socket\n"
	"      --mgmtmode MODE        management UNIX socket access mode (octal)\n"
	"      --mgmtgroup GROUP      management UNIX socket group name\n"
	"      --nostdin              Do not read commands from the standard input\n"
	"  -D, --debugclients #       number of debug clients allowed (accepted, ignored)\n"
	"      --mgmt-allow-load      allow load and plugin/add on the management socket\n"
	"      --noshm                keep clients on datagrams (no shared-memory rings)\n"
	"(opts from tuntap module)\n"
	"  -t, --tap TAP              Enable routing through TAP tap interface "
	"(repeatable, or a comma separated list)\n"
	"\n"
	"Ports 1..N serve clients; port 0 is reserved for management clients.\n"
	"Report bugs to https://github.com/virtualsquare/vde-2/issues\n";

static void
usage(FILE *f)
{
	fputs(usage_text, f);
}

static void
version(void)
{
	printf("VDE %s\n"
	       "Copyright the vde authors; based on the VDE2 protocols by Renzo Davoli\n"
	       "VDE comes with NO WARRANTY, to the extent permitted by law.\n"
	       "You may redistribute copies of VDE under the terms of the\n"
	       "GNU General Public License v2.\n",
	       PACKAGE_VERSION);
}

enum {
	OPT_MACADDR = 0x100,
	OPT_HASHSIZE,
	OPT_DIRMODE,
	OPT_NOSTDIN,
	OPT_MGMT_ALLOW_LOAD,
	OPT_PRIORITY,
	OPT_NOSHM,
};

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	{ "numports", required_argument, NULL, 'n' },
	{ "hub", no_argument, NULL, 'x' },
	{ "fstp", no_argument, NULL, 'F' },
	{ "priority", required_argument, NULL, OPT_PRIORITY },
	{ "macaddr", required_argument, NULL, OPT_MACADDR },
	{ "hashsize", required_argument, NULL, OPT_HASHSIZE },
	{ "sock", required_argument, NULL, 's' },
	{ "vdesock", required_argument, NULL, 's' },
	{ "unix", required_argument, NULL, 's' },
	{ "mode", required_argument, NULL, 'm' },
	{ "mod", required_argument, NULL, 'm' },
	{ "dirmode", required_argument, NULL, OPT_DIRMODE },
	{ "group", required_argument, NULL, 'g' },
	{ "daemon", no_argument, NULL, 'd' },
	{ "pidfile", required_argument, NULL, 'p' },
	{ "rcfile", required_argument, NULL, 'f' },
	MGMT_LONGOPTS,
	{ "nostdin", no_argument, NULL, OPT_NOSTDIN },
	{ "debugclients", required_argument, NULL, 'D' },
	{ "mgmt-allow-load", no_argument, NULL, OPT_MGMT_ALLOW_LOAD },
	{ "noshm", no_argument, NULL, OPT_NOSHM },
	{ "tap", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 },
};

static void __attribute__((noreturn))
badarg(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "vde_switch: invalid %s '%s': %s\n", opt, val, why);
	exit(1);
}

/* With only -m, the directory gets setgid plus x wherever the mode has r or w. */
static mode_t
dirmode_for(mode_t mode)
{
	mode_t d = 02000 | (mode & 0777);

	for (int shift = 0; shift <= 6; shift += 3)
		if (mode & (06u << shift))
			d |= 01u << shift;
	return d;
}

/* Paths given on the command line stay valid after daemonize() changes to "/". */
static const char *
abspath(const char *path)
{
	char cwd[PATH_MAX], *r;

	if (path == NULL || path[0] == '/')
		return path;
	if (getcwd(cwd, sizeof(cwd)) == NULL || asprintf(&r, "%s/%s", cwd, path) < 0)
		fatal("%s", path);
	return r;
}

/* -t IF[,IF...]: appends each name of the list. */
static void
add_taps(struct sw_config *c, const char *list)
{
	char *copy, *tok, *save;

	if ((copy = strdup(list)) == NULL)
		fatal("strdup");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char **n = realloc(c->taps, (c->ntaps + 1) * sizeof(*n));

		if (n == NULL || (n[c->ntaps] = strdup(tok)) == NULL)
			fatal("strdup");
		c->taps = n;
		c->ntaps++;
	}
	free(copy);
}

static void
parse_args(int argc, char **argv, struct sw_config *c)
{
	int ch, mode_set = 0, dirmode_set = 0;
	unsigned long long u;
	long long ll;
	const char *why;

	while ((ch = getopt_long_only(argc, argv, "hvn:xFs:m:g:dp:f:M:D:t:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			exit(0);
		case 'v':
			version();
			exit(0);
		case 'n':
			if (parse_ll(optarg, 1, 65535, &ll, &why) < 0)
				badarg("number of ports", optarg, why);
			c->numports = (unsigned)ll;
			break;
		case 'x':
			c->hub = 1;
			break;
		case 'F':
			c->fstp = 1;
			break;
		case OPT_PRIORITY: /* the reference keeps the low 16 bits */
			if (parse_ll(optarg, 0, INT32_MAX, &ll, &why) < 0)
				badarg("priority", optarg, why);
			c->priority = (uint16_t)ll;
			break;
		case OPT_MACADDR:
			if (parse_mac(optarg, c->mac, &why) < 0)
				badarg("MAC address", optarg, why);
			break;
		case OPT_HASHSIZE:
			if (parse_ull(optarg, 1, 1 << 24, &u, &why) < 0)
				badarg("hash size", optarg, why);
			c->hashsize = (unsigned)u;
			break;
		case 's':
			free(c->dir);
			if ((c->dir = strdup(optarg)) == NULL)
				fatal("strdup");
			break;
		case 'm':
			if (parse_mode(optarg, &c->mode, &why) < 0)
				badarg("mode", optarg, why);
			mode_set = 1;
			break;
		case OPT_DIRMODE:
			if (parse_mode(optarg, &c->dirmode, &why) < 0)
				badarg("directory mode", optarg, why);
			dirmode_set = 1;
			break;
		case 'g':
			if (parse_group(optarg, &c->group, &why) < 0)
				badarg("group", optarg, why);
			break;
		case 'd':
			c->daemon = 1;
			break;
		case 'p':
			c->pidfile = optarg;
			break;
		case 'f':
			c->rcfile = optarg;
			break;
		case 'M':
		case MGMT_OPT_MODE:
		case MGMT_OPT_GROUP:
			if (mgmt_getopt(ch, optarg, &c->mgmt, &c->mgmtmode, &c->mgmtgroup,
					&why) < 0)
				badarg(ch == MGMT_OPT_MODE ? "management mode" : "management group",
				       optarg, why);
			break;
		case OPT_NOSTDIN:
			c->nostdin = 1;
			break;
		case OPT_NOSHM:
			c->noshm = 1;
			break;
		case 'D':
			if (parse_ll(optarg, 0, INT_MAX, &ll, &why) < 0)
				badarg("number of debug clients", optarg, why);
			break;
		case OPT_MGMT_ALLOW_LOAD:
			c->mgmt_allow_load = 1;
			break;
		case 't':
			add_taps(c, optarg);
			break;
		default:
			usage(stderr);
			exit(1);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vde_switch: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(1);
	}
	if (mode_set && !dirmode_set)
		c->dirmode = dirmode_for(c->mode);
	else if (dirmode_set && !mode_set)
		c->mode = c->dirmode & 0666;
	c->pidfile = abspath(c->pidfile);
	c->rcfile = abspath(c->rcfile);
	c->mgmt = abspath(c->mgmt);
	if (c->dir == NULL && (c->dir = strdup(geteuid() == 0 ? "/var/run/vde.ctl" :
								"/tmp/vde.ctl")) == NULL)
		fatal("strdup");
}

static void
config_defaults(struct sw_config *c)
{
	c->numports = 32;
	c->hashsize = 0; /* automatic */
	c->priority = 0x8000;
	c->mode = 0600;
	c->dirmode = 02700;
	c->group = SW_NOGROUP;
	c->mgmtmode = 0600;
	c->mgmtgroup = SW_NOGROUP;
	if (getrandom(c->mac, sizeof(c->mac), 0) != sizeof(c->mac))
		for (size_t i = 0; i < sizeof(c->mac); i++)
			c->mac[i] = (uint8_t)rand();
	c->mac[0] = 0x00;
	c->mac[1] = 0xff;
}

static void
on_signal(struct loop *l, int signo, void *arg)
{
	(void)arg;
	log_info("caught signal %d, exiting", signo);
	loop_break(l);
}

static void
on_shutdown(void *arg)
{
	struct sw *s = arg;

	loop_break(s->loop);
}

/* Runs the rc file: -f, else ~/.vde2/vde_switch.rc, else the system one, if they exist. */
static void
run_rcfile(struct sw *s)
{
	char path[PATH_MAX];
	const char *home = getenv("HOME");

	if (s->cfg.rcfile) {
		if (mgmt_run_file(s->mgmt, s->cfg.rcfile, NULL) < 0)
			log_warn("rc file %s", s->cfg.rcfile);
		return;
	}
	if (home && (size_t)snprintf(path, sizeof(path), "%s/.vde2/vde_switch.rc", home) <
			    sizeof(path) && access(path, R_OK) == 0) {
		if (mgmt_run_file(s->mgmt, path, NULL) < 0)
			log_warn("rc file %s", path);
		return;
	}
	if (access(SYSCONFDIR "/vde2/vde_switch.rc", R_OK) == 0 &&
	    mgmt_run_file(s->mgmt, SYSCONFDIR "/vde2/vde_switch.rc", NULL) < 0)
		log_warn("rc file %s", SYSCONFDIR "/vde2/vde_switch.rc");
}

static void
setup(struct sw *s)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	uint8_t key[16];
	struct rlimit rl;
	struct mgmt_config mc = {
		.banner = SW_VERSION_BANNER,
		.prompt = "vde$ ",
		.shutdown = on_shutdown,
		.arg = s,
		.allow_remote_local = s->cfg.mgmt_allow_load,
	};

	signal(SIGPIPE, SIG_IGN);
	/* two descriptors per endpoint: take every descriptor we are allowed */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((s->loop = loop_new()) == NULL)
		fatal("event loop");
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (loop_add_signal(s->loop, sigs[i], on_signal, s) < 0)
			fatal("signal %d", sigs[i]);
	s->start_ms = loop_now_ms(s->loop);
	s->hub = s->cfg.hub;
	s->gcint = 2;
	s->expire = 100;
	s->minper = 3;
	s->rl_hs = (struct log_rl)LOG_RL_INIT(10, 5);
	s->rl_data = (struct log_rl)LOG_RL_INIT(10, 5);
	/* The table always grows with its entries (a flood of MACs must not turn lookups into long
	 * chain walks); --hashsize only sets where it starts. */
	if ((s->fdb = fdb_new(0, 0)) == NULL || port_init(s, s->cfg.numports) < 0 ||
	    (s->cfg.hashsize && fdb_resize(s->fdb, s->cfg.hashsize) < 0))
		fatal("out of memory");
	/* a secret hash key: clients cannot choose MACs that pile up in one bucket */
	if (getrandom(key, sizeof(key), 0) != sizeof(key))
		fatal("getrandom");
	fdb_set_key(s->fdb, key);
	if ((s->mgmt = mgmt_new(s->loop, &mc)) == NULL || cmds_register(s) < 0 ||
	    event_init(s) < 0 || plugin_init(s) < 0)
		fatal("management setup");
	if (fstp_init(s) < 0)
		fatal("spanning tree");
	if (datasock_open(s) < 0) {
		if (errno == EADDRINUSE)
			fatalx("%s: another switch is running on this directory", s->cfg.dir);
		fatal("control directory %s", s->cfg.dir);
	}
	for (unsigned i = 0; i < s->cfg.ntaps; i++)
		if (tap_add(s, s->cfg.taps[i]) < 0) {
			int saved = errno;

			datasock_close(s);
			errno = saved;
			fatal("tap %s", s->cfg.taps[i]);
		}
	if (s->cfg.mgmt &&
	    mgmt_listen(s->mgmt, s->cfg.mgmt, s->cfg.mgmtmode, s->cfg.mgmtgroup) < 0) {
		int saved = errno;

		datasock_close(s);
		errno = saved;
		if (errno == EADDRINUSE)
			fatalx("%s: management socket in use by another process", s->cfg.mgmt);
		fatal("management socket %s", s->cfg.mgmt);
	}
}

static void
teardown(struct sw *s)
{
	datasock_close(s);
	tap_fini(s);
	plugin_fini(s);
	event_fini(s);
	fstp_fini(s);
	free(s->conv);
	cmds_unregister(s);
	mgmt_free(s->mgmt);
	pidfile_remove();
	fdb_free(s->fdb);
	port_fini(s);
	loop_free(s->loop);
	free(s->cfg.dir);
	for (unsigned i = 0; i < s->cfg.ntaps; i++)
		free(s->cfg.taps[i]);
	free(s->cfg.taps);
}

static void
on_console_eof(void *arg)
{
	struct sw *s = arg;

	log_info("EOF on stdin, cleaning up and exiting");
	loop_break(s->loop);
}

int
main(int argc, char **argv)
{
	config_defaults(&sw.cfg);
	parse_args(argc, argv, &sw.cfg);
	log_init("vde_switch", !sw.cfg.daemon, 0);
	setup(&sw);
	if (sw.cfg.daemon) {
		if (daemonize() < 0 || loop_after_fork(sw.loop) < 0)
			fatal("daemon");
		log_to_syslog();
	}
	if (sw.cfg.pidfile && pidfile_create(sw.cfg.pidfile) < 0) {
		log_warn("pidfile %s", sw.cfg.pidfile);
		teardown(&sw);
		return 1;
	}
	run_rcfile(&sw);
	if (!sw.cfg.daemon && !sw.cfg.nostdin &&
	    mgmt_console(sw.mgmt, STDIN_FILENO, STDOUT_FILENO, on_console_eof, &sw) == NULL) {
		log_warn("console on standard input");
		teardown(&sw);
		return 1;
	}
	if (loop_run(sw.loop) < 0)
		log_warn("event loop");
	teardown(&sw);
	return 0;
}
