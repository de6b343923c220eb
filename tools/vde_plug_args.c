/*
 * vde_plug's command line. The -p clash between generations is settled by the argument: all
 * digits (or negative) is VDE2's port, anything else vdeplug4's pidfile. Login-shell mode
 * accepts exactly "-c vde_plug" and refuses everything else with the reference's message.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "parse.h"
#include "vde_plug.h"

#define LOGIN_REFUSED                                                   \
	"This is a Virtual Distributed Ethernet (vde) tunnel broker. \n" \
	"This is not a login shell, only vde_plug can be executed\n"

static void
plug_usage(FILE *f)
{
	fprintf(f,
		"Usage:\n"
		"  vde_plug [ OPTIONS ]\n"
		"  vde_plug [ OPTIONS ] vde_plug_url\n"
		"  vde_plug [ OPTIONS ] vde_plug_url vde_plug_url\n"
		"  vde_plug [ OPTIONS ] = command [args ...]\n"
		"  vde_plug [ OPTIONS ] vde_plug_url = command [args ...]\n"
		"  vde_plug [-p port] [-g group] [-m mode] [-s sock | sock]   (VDE2 syntax)\n"
		"  an omitted or empty '' vde_plug_url refers to the default switch\n"
		"  ($HOME/.vde2/default.switch, /run/vde.ctl or /tmp/vde.ctl)\n"
		"Options:\n"
		"  -d | --daemon:            daemonize (with two urls or = command)\n"
		"  -p PIDFILE | --pidfile PIDFILE:\n"
		"                            write the process id to PIDFILE\n"
		"                            (-p N, N a number, is the VDE2 port option)\n"
		"  -l | --log:               log START/STOP of vde_plug on syslog\n"
		"  -L | --iplog:             -l plus log the IP addresses used\n"
		"  -h | --help:              show this short summary\n"
		"  -g GROUP | --group GROUP: set the group ownership (for vde://...)\n"
		"  -G GROUP | --group2 GROUP: like -g, for the second plug\n"
		"  -m MODE | --mod MODE:     comm socket protection mode (see chmod)\n"
		"                            (for vde://...)\n"
		"  -M MODE | --mod2 MODE:    like -m, for the second plug\n"
		"  --port PORT1, --port2 PORT2:\n"
		"                            set the vde switch port (also: url[PORT])\n"
		"  -s SOCK | --sock SOCK | --vdesock SOCK | --unix SOCK:\n"
		"                            the (first) vde_plug_url, VDE2 style\n"
		"  -D DESCR | --descr DESCR  set the description of this connection to DESCR\n"
		"                            (the default value is \"vde_plug:\")\n");
}

const char *
plug_who(void)
{
	static char who[256];
	struct passwd *pw = getpwuid(getuid());
	const char *ssh = getenv("SSH_CLIENT");
	char user[64], ip[64];
	size_t iplen;

	if (pw != NULL)
		log_escape(user, sizeof(user), pw->pw_name, strlen(pw->pw_name));
	else
		snprintf(user, sizeof(user), "%u", (unsigned)getuid());
	if (ssh != NULL) {
		iplen = strcspn(ssh, " ");
		log_escape(ip, sizeof(ip), ssh, iplen);
		snprintf(who, sizeof(who), "user=%s SSH=%s", user, ip);
	} else {
		snprintf(who, sizeof(who), "user=%s", user);
	}
	return who;
}

/* Is the caller in the vdeplug_iplog group (login mode logs addresses for those users)? */
static int
in_iplog_group(void)
{
	struct group *gr = getgrnam("vdeplug_iplog");
	gid_t groups[256];
	int n, i;

	if (gr == NULL)
		return 0;
	if (getegid() == gr->gr_gid)
		return 1;
	n = getgroups(256, groups);
	for (i = 0; i < n; i++)
		if (groups[i] == gr->gr_gid)
			return 1;
	return 0;
}

/*
 * Only the command "vde_plug" is accepted, without arguments: a remote user chooses neither
 * the network nor a coprocess (nor options such as a pidfile).
 */
int
plug_login(int argc, char **argv, struct plug_opts *o)
{
	const char *cmd = argc == 3 ? argv[2] : "";
	char esc[256];
	size_t len;

	while (*cmd == ' ' || *cmd == '\t')
		cmd++;
	len = strlen(cmd);
	while (len > 0 && (cmd[len - 1] == ' ' || cmd[len - 1] == '\t' || cmd[len - 1] == '\n'))
		len--;
	if (argv[0][0] != '-' && argc == 3 && len == 8 && strncmp(cmd, "vde_plug", 8) == 0) {
		o->login = 1;
		o->log = 1;
		o->iplog = in_iplog_group();
		return 0;
	}
	openlog("vde_plug", LOG_PID, LOG_AUTH);
	log_escape(esc, sizeof(esc), cmd, strlen(cmd));
	if (argv[0][0] == '-')
		syslog(LOG_WARNING, "%s: refused an interactive login", plug_who());
	else
		syslog(LOG_WARNING, "%s: refused command \"%s\"", plug_who(), esc);
	fputs(LOGIN_REFUSED, stderr);
	return -1;
}

static int
set_mode(const char *s, mode_t *mode)
{
	const char *err;

	if (parse_mode(s, mode, &err) < 0) {
		fprintf(stderr, "vde_plug: invalid mode '%s': %s\n", s, err);
		return -1;
	}
	return 0;
}

static int
set_port(const char *s, int *port)
{
	const char *err;
	long long v;

	if (parse_ll(s, 1, 0x7fffff, &v, &err) < 0) {
		fprintf(stderr, "vde_plug: invalid port '%s': %s (must be > 0)\n", s, err);
		return -1;
	}
	*port = (int)v;
	return 0;
}

static int
is_number(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

enum { OPT_PORT = 256, OPT_PORT2 };

/* Positional arguments: [VNL [VNL]] [= command args]. */
static int
parse_positional(int argc, char **argv, struct plug_opts *o)
{
	int i, nvnl = o->vnl[0] != NULL;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "=") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "vde_plug: '=' must be followed by a command\n");
				return -1;
			}
			o->cmd = argv + i + 1;
			break;
		}
		if (nvnl == 2) {
			fprintf(stderr, "vde_plug: too many arguments\n");
			return -1;
		}
		o->vnl[nvnl++] = argv[i];
	}
	if (o->cmd != NULL && nvnl == 2) {
		fprintf(stderr, "vde_plug: two urls and '= command' exclude each other\n");
		return -1;
	}
	if (o->daemon && nvnl < 2 && o->cmd == NULL) {
		fprintf(stderr, "vde_plug: -d needs two urls or '= command' (stdin is closed)\n");
		return -1;
	}
	return nvnl == 2 ? 2 : 1;
}

int
plug_args_parse(int argc, char **argv, struct plug_opts *o)
{
	static const struct option longopts[] = {
		{ "daemon", no_argument, NULL, 'd' },
		{ "pidfile", required_argument, NULL, 'P' },
		{ "log", no_argument, NULL, 'l' },
		{ "iplog", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "group", required_argument, NULL, 'g' },
		{ "group2", required_argument, NULL, 'G' },
		{ "mod", required_argument, NULL, 'm' },
		{ "mod2", required_argument, NULL, 'M' },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "port2", required_argument, NULL, OPT_PORT2 },
		{ "descr", required_argument, NULL, 'D' },
		{ "sock", required_argument, NULL, 's' },
		{ "vdesock", required_argument, NULL, 's' },
		{ "unix", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+dp:lLhg:G:m:M:D:s:", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->daemon = 1;
			break;
		case 'p':
			if (is_number(optarg) || optarg[0] == '-') {
				if (set_port(optarg, &o->args[0].port) < 0)
					return -1;
				break;
			}
			/* fall through */
		case 'P':
			o->pidfile = optarg;
			break;
		case 'L':
			o->iplog = 1;
			/* fall through */
		case 'l':
			o->log = 1;
			break;
		case 'h':
			plug_usage(stdout);
			return 0;
		case 'g':
		case 'G':
			o->args[c == 'G'].group = optarg;
			break;
		case 'm':
		case 'M':
			if (set_mode(optarg, &o->args[c == 'M'].mode) < 0)
				return -1;
			break;
		case OPT_PORT:
		case OPT_PORT2:
			if (set_port(optarg, &o->args[c == OPT_PORT2].port) < 0)
				return -1;
			break;
		case 'D':
			o->descr = optarg;
			break;
		case 's':
			o->vnl[0] = optarg;
			break;
		default:
			plug_usage(stderr);
			return -1;
		}
	}
	return parse_positional(argc - optind, argv + optind, o);
}
