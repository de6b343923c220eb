/*
 * vde_plug: joins a VDE network to a byte stream (stdin/stdout, or a coprocess after "="),
 * or two networks directly ("vde_plug VNL1 VNL2"). Stream frames are a 2-byte big-endian
 * length and the frame. Output to the stream goes through a bounded queue: while it is full
 * the network is not read (its frames wait in the kernel), so a slow reader never blocks us.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon.h"
#include "libvdeplug.h"
#include "log.h"
#include "loop.h"
#include "parse.h"
#include "vde_plug_iplog.h"

#define PLUG_INBUF     (256 * 1024)	 /* one read() from the stream */
#define PLUG_OUTQ      (1024 * 1024) /* bounded stream output queue */
#define PLUG_FRAMEROOM (2 + VDE_MAXFRAME)
#define PLUG_BATCH     64		 /* frames taken from the network per wakeup */
#define PLUG_IPLOG_MAX 256
#define PLUG_DRAIN_US  (2 * 1000000u) /* how long pending output may delay the exit */
#define LOGIN_REFUSED                                                   \
	"This is a Virtual Distributed Ethernet (vde) tunnel broker. \n" \
	"This is not a login shell, only vde_plug can be executed\n"

struct plug_opts {
	char *vnl[2];
	struct vde_open_args args[2];
	char *descr;
	char **cmd; /* "= cmd args": the coprocess, or NULL */
	const char *pidfile;
	int daemon, log, iplog, login;
};

/* A network side: the connection and whether its frames feed the IP log. */
struct plug_net {
	VDECONN *conn;
	int datafd, ctlfd;
	int paused; /* datafd not watched: the stream queue is full */
	int logged; /* frames it sends are checked by the IP log */
};

struct plug {
	struct loop *loop;
	struct plug_opts *opts;
	struct plug_net net[2];
	int nnets;
	/* stream side (nnets == 1) */
	int in_fd, out_fd, out_flags;
	VDESTREAM *vs;
	unsigned char *inbuf;
	unsigned char *out; /* queue: pending bytes are out[off, len) */
	size_t off, len;
	int out_watched;
	pid_t child;
	int child_ended_session;
	/* ending */
	int closing, status;
	struct loop_timer *drain_timer;
	/* logging */
	struct iplog iplog;
	int iplog_on;
	const char *who;
	struct log_rl rl_stream, rl_send;
};

static void plug_finish(struct plug *p, int status);

static void
usage(FILE *f)
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

/* ---- stream output queue ---- */

static void
plug_watch(struct plug *p)
{
	int want_out = p->len > p->off, i;
	int full = PLUG_OUTQ - p->len < PLUG_FRAMEROOM && !p->closing;

	if (want_out != p->out_watched &&
	    loop_mod_fd(p->loop, p->out_fd, want_out ? LOOP_OUT : 0) == 0)
		p->out_watched = want_out;
	for (i = 0; i < p->nnets && !p->closing; i++) {
		if (full == p->net[i].paused)
			continue;
		if (loop_mod_fd(p->loop, p->net[i].datafd, full ? 0 : LOOP_IN) == 0)
			p->net[i].paused = full;
	}
}

/* Writes what the stream takes; compacts the queue so a whole frame always fits at its end. */
static void
plug_flush(struct plug *p)
{
	ssize_t n;

	while (p->len > p->off) {
		n = write(p->out_fd, p->out + p->off, p->len - p->off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			if (errno != EPIPE && errno != ECONNRESET)
				log_warn("write to stream");
			if (p->child > 0)
				p->child_ended_session = 1;
			p->off = p->len = 0;
			plug_finish(p, errno == EPIPE || errno == ECONNRESET ? 0 : 1);
			return;
		}
		p->off += (size_t)n;
	}
	if (p->off == p->len) {
		p->off = p->len = 0;
	} else if (PLUG_OUTQ - p->len < PLUG_FRAMEROOM && p->off > 0) {
		memmove(p->out, p->out + p->off, p->len - p->off);
		p->len -= p->off;
		p->off = 0;
	}
	if (p->closing && p->len == 0) {
		loop_break(p->loop);
		return;
	}
	plug_watch(p);
}

static void
plug_out_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	struct plug *p = arg;

	/* reported even while not watched: with nothing to write, the reader is simply gone */
	if ((events & LOOP_ERR) && p->len == p->off) {
		if (p->child > 0)
			p->child_ended_session = 1;
		plug_finish(p, 0);
		return;
	}
	plug_flush(p);
}

/* ---- network side ---- */

/*
 * vde_send waits a little when the network's queue is full (the library bounds that wait);
 * a few more tries give a congested switch about half a second, then the frame is dropped.
 */
static void
plug_send(struct plug *p, struct plug_net *n, const void *buf, size_t len)
{
	struct pollfd pfd = { .fd = n->datafd, .events = POLLOUT };
	int tries;

	for (tries = 0; tries < 5; tries++) {
		if (vde_send(n->conn, buf, len, 0) >= 0)
			return;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS)
			break;
		poll(&pfd, 1, 10);
	}
	log_warnx_rl(&p->rl_send, "frame of %zu bytes dropped: %s", len, strerror(errno));
}

static void
plug_iplog(struct plug *p, const void *frame, size_t len)
{
	char msg[96];

	if (p->iplog_on && iplog_frame(&p->iplog, frame, len, msg, sizeof(msg)))
		syslog(LOG_INFO, "%s: %s", p->who, msg);
}

/* Takes up to PLUG_BATCH frames from a network into the stream queue or the other network. */
static void
plug_net_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	struct plug *p = arg;
	struct plug_net *n = fd == p->net[0].datafd ? &p->net[0] : &p->net[1];
	struct plug_net *peer = n == &p->net[0] ? &p->net[1] : &p->net[0];
	unsigned char *dst;
	ssize_t got;
	int i;

	if ((events & LOOP_ERR) && n->paused) {
		/* the peer hung up while we were not reading: nothing more will come */
		plug_finish(p, 0);
		return;
	}
	for (i = 0; i < PLUG_BATCH && !p->closing; i++) {
		if (p->nnets == 1) {
			if (PLUG_OUTQ - p->len < PLUG_FRAMEROOM)
				break;
			dst = p->out + p->len + 2;
		} else {
			dst = p->inbuf;
		}
		got = vde_recv(n->conn, dst, VDE_MAXFRAME, i == 0 ? 0 : MSG_DONTWAIT);
		if (got < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			if (errno == ECONNRESET || errno == ECONNREFUSED || errno == ENOTCONN) {
				plug_finish(p, 0);
				return;
			}
			log_warn("receive from network");
			plug_finish(p, 1);
			return;
		}
		if (got == 0 && n->ctlfd < 0) {
			/* no control connection (seqpacket://, ptp://): an empty read is the end */
			plug_finish(p, 0);
			return;
		}
		/* not even an Ethernet header: an empty goodbye or a dropped datagram */
		if (got < 14)
			continue;
		if (p->nnets == 1) {
			dst[-2] = (unsigned char)(got >> 8);
			dst[-1] = (unsigned char)got;
			p->len += 2 + (size_t)got;
		} else {
			if (n->logged)
				plug_iplog(p, dst, (size_t)got);
			plug_send(p, peer, dst, (size_t)got);
		}
	}
	if (p->nnets == 1)
		plug_flush(p);
	else if (events & LOOP_ERR && !p->closing)
		plug_finish(p, 0);
}

/* The control connection is silent after the handshake: EOF or an error means the switch left. */
static void
plug_ctl_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	struct plug *p = arg;
	char buf[256];
	ssize_t n;

	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return;
	plug_finish(p, 0);
}

/* ---- stream input ---- */

static ssize_t
plug_stream_frame(void *opaque, void *buf, size_t count)
{
	struct plug *p = opaque;

	if (count == 0)
		return 0;
	plug_iplog(p, buf, count);
	plug_send(p, &p->net[0], buf, count);
	return (ssize_t)count;
}

static void __attribute__((format(printf, 3, 4)))
plug_stream_error(void *opaque, int type, char *format, ...)
{
	struct plug *p = opaque;
	char msg[256];
	va_list ap;

	va_start(ap, format);
	vsnprintf(msg, sizeof(msg), format, ap);
	va_end(ap);
	log_warnx_rl(&p->rl_stream, "stream: %s", msg);
}

static void
plug_in_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	struct plug *p = arg;
	ssize_t n;

	n = read(fd, p->inbuf, PLUG_INBUF);
	if (n > 0) {
		vdestream_recv(p->vs, p->inbuf, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0 && errno != ECONNRESET)
		log_warn("read from stream");
	if (p->child > 0)
		p->child_ended_session = 1;
	plug_finish(p, n < 0 && errno != ECONNRESET);
}

/* ---- ending ---- */

static uint64_t
plug_drain_timeout(struct loop *l, void *arg)
{
	struct plug *p = arg;

	p->drain_timer = NULL;
	loop_break(l);
	return 0;
}

/* Stops reading; the loop ends once the pending stream output is written (or after a bound). */
static void
plug_finish(struct plug *p, int status)
{
	int i;

	if (p->closing)
		return;
	p->closing = 1;
	p->status = status;
	for (i = 0; i < p->nnets; i++) {
		loop_del_fd(p->loop, p->net[i].datafd);
		if (p->net[i].ctlfd >= 0)
			loop_del_fd(p->loop, p->net[i].ctlfd);
	}
	if (p->nnets == 2 || p->len == p->off) {
		loop_break(p->loop);
		return;
	}
	loop_del_fd(p->loop, p->in_fd);
	p->drain_timer = loop_add_timer(p->loop, PLUG_DRAIN_US, plug_drain_timeout, p);
	plug_flush(p);
}

static void
plug_signal_cb(struct loop *l, int signo, void *arg)
{
	plug_finish(arg, 0);
}

/* ---- setup ---- */

static int
plug_open(struct plug *p, int i)
{
	struct plug_net *n = &p->net[i];
	char *vnl = p->opts->vnl[i] ? p->opts->vnl[i] : "";

	n->conn = vde_open(vnl, p->opts->descr, &p->opts->args[i]);
	if (n->conn == NULL) {
		log_warn("vde_open %s", vnl[0] ? vnl : "default switch");
		return -1;
	}
	n->datafd = vde_datafd(n->conn);
	n->ctlfd = vde_ctlfd(n->conn);
	/* a coprocess must not keep our switch port open */
	fcntl(n->datafd, F_SETFD, FD_CLOEXEC);
	if (n->ctlfd >= 0)
		fcntl(n->ctlfd, F_SETFD, FD_CLOEXEC);
	return 0;
}

/* Runs the coprocess with one end of a socketpair as its stdin and stdout (no shell). */
static int
plug_spawn(struct plug *p, char **cmd)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	p->child = fork();
	if (p->child < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (p->child == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (dup2(sv[1], 0) < 0 || dup2(sv[1], 1) < 0)
			_exit(127);
		execvp(cmd[0], cmd);
		fprintf(stderr, "vde_plug: %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	p->in_fd = sv[0];
	p->out_fd = fcntl(sv[0], F_DUPFD_CLOEXEC, 3);
	return p->out_fd < 0 ? -1 : 0;
}

static int
plug_setup_stream(struct plug *p)
{
	p->inbuf = malloc(PLUG_INBUF > VDE_MAXFRAME ? PLUG_INBUF : VDE_MAXFRAME);
	if (p->inbuf == NULL)
		return -1;
	if (p->nnets == 2)
		return 0;
	p->out = malloc(PLUG_OUTQ);
	if (p->out == NULL)
		return -1;
	if (p->opts->cmd != NULL) {
		if (plug_spawn(p, p->opts->cmd) < 0)
			return -1;
	} else {
		p->in_fd = STDIN_FILENO;
		p->out_fd = STDOUT_FILENO;
	}
	p->vs = vdestream_open(p, p->out_fd, plug_stream_frame, plug_stream_error);
	if (p->vs == NULL)
		return -1;
	p->out_flags = fcntl(p->out_fd, F_GETFL);
	if (p->out_flags >= 0)
		fcntl(p->out_fd, F_SETFL, p->out_flags | O_NONBLOCK);
	if (loop_add_fd(p->loop, p->in_fd, LOOP_IN, plug_in_cb, p) < 0 ||
	    loop_add_fd(p->loop, p->out_fd, 0, plug_out_cb, p) < 0)
		return -1;
	return 0;
}

static int
plug_setup(struct plug *p)
{
	int i;

	p->in_fd = p->out_fd = p->out_flags = -1;
	for (i = 0; i < p->nnets; i++) {
		if (plug_open(p, i) < 0)
			return -1;
	}
	if (p->opts->daemon) {
		if (daemonize() < 0) {
			log_warn("daemon");
			return -1;
		}
		log_to_syslog();
	}
	if (plug_setup_stream(p) < 0) {
		log_warn("stream setup");
		return -1;
	}
	for (i = 0; i < p->nnets; i++) {
		if (loop_add_fd(p->loop, p->net[i].datafd, LOOP_IN, plug_net_cb, p) < 0 ||
		    (p->net[i].ctlfd >= 0 &&
		     loop_add_fd(p->loop, p->net[i].ctlfd, LOOP_IN, plug_ctl_cb, p) < 0)) {
			log_warn("event loop");
			return -1;
		}
	}
	p->net[p->nnets - 1].logged = 1;
	if (loop_add_signal(p->loop, SIGTERM, plug_signal_cb, p) < 0 ||
	    loop_add_signal(p->loop, SIGINT, plug_signal_cb, p) < 0 ||
	    loop_add_signal(p->loop, SIGHUP, plug_signal_cb, p) < 0) {
		log_warn("signals");
		return -1;
	}
	return 0;
}

/* Waits for the coprocess (it sees EOF once our end is closed); returns its exit status. */
static int
plug_reap(pid_t pid)
{
	int status, i;

	for (i = 0; i < 200; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			goto done;
		usleep(10000);
	}
	kill(pid, SIGTERM);
	if (waitpid(pid, &status, 0) != pid)
		return 1;
done:
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int
plug_teardown(struct plug *p)
{
	int i, status = p->status, cstatus;

	if (p->drain_timer != NULL)
		loop_del_timer(p->loop, p->drain_timer);
	if (p->out_fd >= 0 && p->out_flags >= 0 && p->child <= 0)
		fcntl(p->out_fd, F_SETFL, p->out_flags);
	if (p->vs != NULL)
		vdestream_close(p->vs);
	if (p->child > 0) {
		close(p->in_fd);
		close(p->out_fd);
		cstatus = plug_reap(p->child);
		if (p->child_ended_session)
			status = cstatus;
	}
	for (i = 0; i < p->nnets; i++)
		if (p->net[i].conn != NULL)
			vde_close(p->net[i].conn);
	free(p->inbuf);
	free(p->out);
	return status;
}

/* ---- command line ---- */

/* "user=NAME[ SSH=IP]" for the START/STOP messages. */
static const char *
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
 * Login-shell mode: sshd runs "vde_plug -c 'command'". Only the command "vde_plug" (no
 * arguments: a remote user chooses neither network nor coprocess) is accepted.
 */
static int
login_mode(int argc, char **argv, struct plug_opts *o)
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

/* Returns the number of networks (1 or 2), 0 after --help, -1 on a usage error. */
static int
parse_args(int argc, char **argv, struct plug_opts *o)
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
			usage(stdout);
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
			usage(stderr);
			return -1;
		}
	}
	return parse_positional(argc - optind, argv + optind, o);
}

int
main(int argc, char *argv[])
{
	struct plug_opts opts = { .descr = "vde_plug:" };
	struct plug p = { .opts = &opts, .status = 0 };
	char what[512];
	int rv = 1;

	p.rl_stream = (struct log_rl)LOG_RL_INIT(10, 5);
	p.rl_send = (struct log_rl)LOG_RL_INIT(10, 5);
	log_init("vde_plug", 1, 0);
	if (argv[0][0] == '-' || (argc >= 2 && strcmp(argv[1], "-c") == 0)) {
		if (login_mode(argc, argv, &opts) < 0)
			return 1;
		p.nnets = 1;
	} else {
		p.nnets = parse_args(argc, argv, &opts);
		if (p.nnets <= 0)
			return p.nnets == 0 ? 0 : 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (opts.pidfile != NULL && pidfile_create(opts.pidfile) < 0) {
		log_warn("pidfile %s", opts.pidfile);
		return 1;
	}
	if ((p.loop = loop_new()) == NULL) {
		log_warn("event loop");
		goto out;
	}
	if (opts.iplog) {
		if (iplog_init(&p.iplog, PLUG_IPLOG_MAX) < 0)
			goto out;
		p.iplog_on = 1;
	}
	if (opts.log)
		openlog("vde_plug", LOG_PID, opts.login ? LOG_AUTH : LOG_DAEMON);
	p.who = plug_who();
	if (plug_setup(&p) < 0)
		goto out_teardown;
	snprintf(what, sizeof(what), "%s%s%s",
		 opts.vnl[0] && opts.vnl[0][0] ? opts.vnl[0] : "default", p.nnets == 2 ? " " : "",
		 p.nnets == 2 ? opts.vnl[1] : "");
	if (opts.log)
		syslog(LOG_INFO, "START %s %s", p.who, what);
	if (loop_run(p.loop) < 0)
		log_warn("event loop");
	if (opts.log)
		syslog(LOG_INFO, "STOP %s %s", p.who, what);
out_teardown:
	rv = plug_teardown(&p);
	if (p.closing == 0 && rv == 0)
		rv = 1;
out:
	if (p.iplog_on)
		iplog_fini(&p.iplog);
	if (p.loop != NULL)
		loop_free(p.loop);
	pidfile_remove();
	return rv;
}
