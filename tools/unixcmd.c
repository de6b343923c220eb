/*
 * unixcmd: run one management command for a script. Connects to a management socket, waits for
 * the prompt, sends the command, copies the data block to stdout and the error text to stderr,
 * and exits with the reply's errno (0 for 1000 Success, 22 for 1022...). Its own failures
 * (usage, connection, timeout, broken reply) exit with 255, as the reference does.
 * With -f FILE the conversation is instead driven by FILE, a "parse machine" of vde2's unixcmd:
 * numbered states (IN, IF, GOTO, SEND, COPY, EXIT...) run from the lowest label up.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "log.h"
#include "mgmtclient.h"
#include "parse.h"
#include "sock.h"

#define EXIT_FAILED 255
#define UM_TIMEOUT_MS 10000	/* an IN's wait for input, unless the file says TIMEOUT ms */
#define UM_LINE_MAX (1 << 20)	/* an IN that gathers more than this fails */
#define UM_IDLE_STEPS 100000	/* steps without reading: the machine loops, stop it */

enum ucmd_state { WAIT_PROMPT, WAIT_RESULT, DONE };

struct ucmd {
	const char *sock;
	const char *cmd;
	int verbose;
	int fd;
	enum ucmd_state state;
	int status;
	struct mgmtclient mc;
	char esc[4 * MGMTCLIENT_LINEMAX + 1]; /* text from the server, control bytes escaped */
};

/* The parse machine (-f FILE): the instructions of vde2's, plus EXITATOI (see the man page). */
enum um_op {
	UM_IN, UM_THROW, UM_SEND, UM_SHIFT, UM_IF, UM_GOTO, UM_COPY, UM_EXIT, UM_EXITRV, UM_SKIP,
	UM_IFARG, UM_RVATOI, UM_OUTSHIFT, UM_OUTTAG, UM_EXITATOI, UM_NOPS
};

static const char *const um_names[UM_NOPS] = {
	"IN", "THROW", "SEND", "SHIFT", "IF", "GOTO", "COPY", "EXIT", "EXITRV", "SKIP",
	"IFARG", "RVATOI", "OUTSHIFT", "OUTTAG", "EXITATOI",
};

struct um_state {
	long label;
	enum um_op op;
	char *str; /* the quoted argument, "" if none */
	long num;  /* the numeric argument: a label, an exit value, a count or a base */
	size_t order; /* line in the file: equal labels keep it */
};

struct machine {
	struct um_state *st; /* sorted by label */
	size_t n;
	int timeout_ms;
	int fd;
	char *line; /* what the INs gathered since the last THROW, NUL-terminated */
	size_t len, cap, cur; /* cur: where IF, COPY, SKIP and the ATOIs look */
	char rbuf[4096];
	size_t rpos, rlen;
	int argc;
	char **argv;
	long rv;
	int printing; /* 0 after OUTSHIFT: later COPYs go to a block unixcmd never prints */
};

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [OPTIONS] command [args...]\n"
		"Run one command on a VDE management socket (vde_switch -M, wirefilter -M).\n"
		"\n"
		"  -s, --sock PATH      management socket (default %s/%s)\n"
		"  -f, --rcfile PATH    run the conversation described by PATH, a parse machine\n"
		"                       of vde2's unixcmd (default: the built-in one)\n"
		"  -t, --timeout SECS   give up after SECS seconds (default 10, 0 = never)\n"
		"  -v, --verbose        trace the conversation on stderr\n"
		"  -h, --help           show this help and exit\n"
		"  -V, --version        show the version and exit\n"
		"\n"
		"The arguments are joined with blanks into one command line. The data block\n"
		"of the reply goes to stdout, the error text to stderr. Exit status: the errno\n"
		"of the reply (0 for success, 22 for EINVAL, 38 for an unknown command...),\n"
		"255 if the command could not be run (no socket, timeout, connection closed,\n"
		"usage error).\n",
		prog, RUNSTATEDIR, prog);
}

static void
trace(struct ucmd *u, const char *dir, const struct mgmtclient_event *ev)
{
	if (!u->verbose)
		return;
	fprintf(stderr, "%s %s: %s\n", dir, mgmtclient_type_name(ev->type),
		log_escape(u->esc, sizeof(u->esc), ev->text, ev->len));
}

static int
send_line(struct ucmd *u, const char *line)
{
	size_t len = strlen(line);
	char buf[MGMTCLIENT_LINEMAX + 2];

	memcpy(buf, line, len);
	buf[len++] = '\n';
	if (u->verbose)
		fprintf(stderr, "-> %s\n", line);
	return sock_write_all(u->fd, buf, len, 5000);
}

static void
on_event(void *arg, const struct mgmtclient_event *ev)
{
	struct ucmd *u = arg;

	trace(u, "<-", ev);
	switch (ev->type) {
	case MGMTCLIENT_PROMPT:
		if (u->state != WAIT_PROMPT)
			break;
		if (send_line(u, u->cmd) < 0) {
			fprintf(stderr, "unixcmd: sending to %s: %s\n", u->sock, strerror(errno));
			u->status = EXIT_FAILED;
			u->state = DONE;
			break;
		}
		u->state = WAIT_RESULT;
		break;
	case MGMTCLIENT_DATA:
		if (u->state != WAIT_RESULT)
			break;
		fwrite(ev->text, 1, ev->len, stdout);
		if (!ev->partial)
			putchar('\n');
		break;
	case MGMTCLIENT_TEXT:
		if (u->state == DONE)
			break;
		fputs(log_escape(u->esc, sizeof(u->esc), ev->text, ev->len), stderr);
		if (!ev->partial)
			fputc('\n', stderr);
		break;
	case MGMTCLIENT_RESULT:
		if (u->state == DONE)
			break;
		u->status = ev->err >= 0 && ev->err < EXIT_FAILED ? ev->err : EXIT_FAILED;
		if (ev->err != 0)
			fprintf(stderr, "unixcmd: %s\n",
				log_escape(u->esc, sizeof(u->esc), ev->text, ev->len));
		u->state = DONE;
		break;
	case MGMTCLIENT_END:
		/* logout and shutdown end the session instead of replying */
		if (u->state == WAIT_RESULT)
			u->status = 0;
		else if (u->state == WAIT_PROMPT)
			fprintf(stderr, "unixcmd: %s ended the session\n", u->sock);
		u->state = DONE;
		break;
	case MGMTCLIENT_BANNER:
	case MGMTCLIENT_DATA_BEGIN:
	case MGMTCLIENT_DATA_END:
	case MGMTCLIENT_DEBUG:
		break;
	}
}

static uint64_t
now_ms(void)
{
	return clock_now_us() / 1000;
}

/* Reads until the reply is complete; 0, or -1 after printing why. */
static int
converse(struct ucmd *u, int timeout_s)
{
	uint64_t deadline = timeout_s ? now_ms() + (uint64_t)timeout_s * 1000 : 0;
	struct pollfd pfd = { .fd = u->fd, .events = POLLIN };
	char buf[8192];
	ssize_t n;
	int ms;

	while (u->state != DONE) {
		ms = -1;
		if (deadline) {
			uint64_t now = now_ms();

			if (now >= deadline)
				goto timeout;
			ms = (int)(deadline - now);
		}
		if (poll(&pfd, 1, ms) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "unixcmd: poll: %s\n", strerror(errno));
			return -1;
		}
		if (pfd.revents == 0)
			continue;
		n = read(u->fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "unixcmd: reading from %s: %s\n", u->sock, strerror(errno));
			return -1;
		}
		if (n == 0) {
			mgmtclient_eof(&u->mc);
			if (u->state == DONE)
				break;
			fprintf(stderr, "unixcmd: %s closed the connection %s\n", u->sock,
				u->state == WAIT_PROMPT ? "before the prompt" : "before the reply");
			return -1;
		}
		mgmtclient_feed(&u->mc, buf, (size_t)n);
	}
	return 0;
timeout:
	fprintf(stderr, "unixcmd: no %s from %s within %d s\n",
		u->state == WAIT_PROMPT ? "prompt" : "reply", u->sock, timeout_s);
	return -1;
}

/* The arguments joined with blanks, or NULL (reason printed). */
static char *
join_args(int argc, char **argv)
{
	size_t len = 0, off = 0;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (len > MGMTCLIENT_LINEMAX) {
		fprintf(stderr, "unixcmd: command too long (%zu bytes)\n", len);
		return NULL;
	}
	if (!(s = malloc(len + 1))) {
		perror("unixcmd");
		return NULL;
	}
	for (i = 0; i < argc; i++)
		off += (size_t)sprintf(s + off, "%s%s", i ? " " : "", argv[i]);
	if (strpbrk(s, "\r\n")) {
		fprintf(stderr, "unixcmd: the command must be a single line\n");
		free(s);
		return NULL;
	}
	return s;
}

static int
um_cmp(const void *a, const void *b)
{
	const struct um_state *x = a, *y = b;

	if (x->label != y->label)
		return x->label < y->label ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The quoted string at *p ('...', with \n \t \f and \x for x), into a new string. */
static char *
um_string(char **p)
{
	char *s = *p + 1, *out, *o;

	if (!(out = o = malloc(strlen(s) + 1)))
		return NULL;
	for (; *s && *s != '\''; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*o++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s == 'f' ? '\f' : *s;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	if (*s != '\'') {
		free(out);
		errno = EINVAL;
		return NULL;
	}
	*p = s + 1;
	return out;
}

/* One "LABEL OP ['string'] [number]" line into st; 0, or -1 with the reason in *why. */
static int
um_parse_state(char *p, struct um_state *st, const char **why)
{
	char *end;
	size_t n;

	st->label = strtol(p, &end, 10);
	p = end + strspn(end, " \t");
	n = strcspn(p, " \t\r\n");
	for (st->op = 0; st->op < UM_NOPS; st->op++)
		if (strlen(um_names[st->op]) == n && strncmp(p, um_names[st->op], n) == 0)
			break;
	if (st->op == UM_NOPS) {
		*why = "unknown instruction";
		return -1;
	}
	p += n;
	p += strspn(p, " \t");
	if (*p == '\'' && !(st->str = um_string(&p))) {
		*why = errno == EINVAL ? "unterminated string" : strerror(errno);
		return -1;
	}
	if (!st->str && !(st->str = strdup(""))) {
		*why = strerror(errno);
		return -1;
	}
	st->num = strtol(p, NULL, 10);
	return 0;
}

static void
um_free(struct machine *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->st[i].str);
	free(m->st);
	free(m->line);
}

/* Reads the machine in PATH; 0, or -1 after printing why. */
static int
um_load(struct machine *m, const char *path)
{
	FILE *f = fopen(path, "re");
	char buf[1024], *p;
	const char *why = NULL;
	size_t lineno = 0;
	void *grown;

	m->timeout_ms = UM_TIMEOUT_MS;
	if (!f) {
		fprintf(stderr, "unixcmd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (!why && fgets(buf, sizeof(buf), f)) {
		lineno++;
		if (!strchr(buf, '\n') && !feof(f)) {
			why = "line too long";
			break;
		}
		p = buf + strspn(buf, " \t");
		if (strncmp(p, "TIMEOUT", 7) == 0)
			m->timeout_ms = atoi(p + 7);
		if (!isdigit((unsigned char)*p) || atol(p) <= 0)
			continue; /* blank lines and comments, as the reference */
		if (!(grown = realloc(m->st, (m->n + 1) * sizeof(*m->st)))) {
			why = strerror(errno);
			break;
		}
		m->st = grown;
		memset(&m->st[m->n], 0, sizeof(m->st[0]));
		m->st[m->n].order = lineno;
		um_parse_state(p, &m->st[m->n++], &why);
	}
	if (!why && m->n == 0)
		why = "no states";
	fclose(f);
	if (why) {
		fprintf(stderr, "unixcmd: %s:%zu: %s\n", path, lineno, why);
		return -1;
	}
	qsort(m->st, m->n, sizeof(*m->st), um_cmp);
	return 0;
}

/* The index of the first state labelled LABEL, or -1 after printing why. */
static long
um_goto(const struct machine *m, long label)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->st[i].label == label)
			return (long)i;
	fprintf(stderr, "unixcmd: the machine has no state %ld\n", label);
	return -1;
}

/* One more byte of input into the line: 0, or -1 on timeout, end of input or a full line. */
static int
um_getc(struct machine *m)
{
	struct pollfd pfd = { .fd = m->fd, .events = POLLIN };
	ssize_t n;

	if (m->len + 1 >= UM_LINE_MAX)
		return -1;
	if (m->len + 1 >= m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		char *grown = realloc(m->line, cap);

		if (!grown)
			return -1;
		m->line = grown;
		m->cap = cap;
	}
	while (m->rpos >= m->rlen) {
		if (poll(&pfd, 1, m->timeout_ms) <= 0)
			return -1;
		if ((n = read(m->fd, m->rbuf, sizeof(m->rbuf))) <= 0)
			return -1;
		m->rpos = 0;
		m->rlen = (size_t)n;
	}
	m->line[m->len++] = m->rbuf[m->rpos++];
	m->line[m->len] = '\0';
	return 0;
}

/* Appends S (N bytes) to the SEND line in BUF; -1 if it does not fit. */
static int
um_append(char *buf, size_t *off, size_t cap, const char *s, size_t n)
{
	if (n >= cap - *off)
		return -1;
	memcpy(buf + *off, s, n);
	*off += n;
	return 0;
}

/* SEND: the string with $* (or $0) replaced by the arguments and $N by argument N. */
static int
um_send(struct machine *m, const char *fmt)
{
	char buf[2 * MGMTCLIENT_LINEMAX];
	const char *t = fmt;
	size_t off = 0;
	char *end;
	long i;
	int r = 0;

	while (*t && r == 0) {
		if (*t == '$' && (t[1] == '*' || t[1] == '0')) {
			for (i = 0; i < m->argc && r == 0; i++)
				r = um_append(buf, &off, sizeof(buf), " ", i > 0) |
				    um_append(buf, &off, sizeof(buf), m->argv[i], strlen(m->argv[i]));
			t += 2;
		} else if (*t == '$' && isdigit((unsigned char)t[1])) {
			i = strtol(t + 1, &end, 10);
			if (i < m->argc)
				r = um_append(buf, &off, sizeof(buf), m->argv[i], strlen(m->argv[i]));
			t = end;
		} else {
			r = um_append(buf, &off, sizeof(buf), t++, 1);
		}
	}
	if (r < 0) {
		fprintf(stderr, "unixcmd: SEND: the line is too long\n");
		return -1;
	}
	if (sock_write_all(m->fd, buf, off, 5000) < 0) {
		fprintf(stderr, "unixcmd: SEND: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* Runs state *I; sets *I to the next one, or returns 1 with the exit value in m->rv. */
static int
um_step(struct machine *m, long *i)
{
	const struct um_state *s = &m->st[*i];
	size_t plen = strlen(s->str);
	const char *hit;
	int jump = 0, done;

	switch (s->op) {
	case UM_IN:
		do
			jump = um_getc(m) < 0;
		while (!jump && (m->len < plen || memcmp(m->line + m->len - plen, s->str, plen)));
		break;
	case UM_THROW:
		m->len = m->cur = 0;
		if (m->line)
			m->line[0] = '\0';
		break;
	case UM_SEND:
		if (um_send(m, s->str) < 0) {
			m->rv = EXIT_FAILED;
			return 1;
		}
		break;
	case UM_SHIFT:
		if (m->argc > 0) {
			m->argc--;
			m->argv++;
		}
		break;
	case UM_IF:
		jump = m->line && m->len - m->cur >= plen && memcmp(m->line + m->cur, s->str, plen) == 0;
		break;
	case UM_GOTO:
		jump = 1;
		break;
	case UM_COPY:
		if (m->printing && m->line)
			fwrite(m->line + m->cur, 1, m->len - m->cur, stdout);
		break;
	case UM_SKIP:
		hit = plen && m->line ? strstr(m->line + m->cur, s->str) : NULL;
		m->cur = hit ? (size_t)(hit - m->line) + plen : m->cur + (size_t)(s->num > 0 ? s->num : 0);
		if (m->cur > m->len)
			m->cur = m->len;
		break;
	case UM_IFARG:
		jump = m->argc > 0;
		break;
	case UM_RVATOI:
		if (!m->line || s->num == 1 || s->num > 36)
			m->rv = -1;
		else
			m->rv = strtol(m->line + m->cur, NULL, s->num <= 0 ? 10 : (int)s->num);
		break;
	case UM_OUTSHIFT:
		m->printing = 0;
		break;
	case UM_OUTTAG:
		break;
	case UM_EXIT:
	case UM_EXITRV:
	case UM_EXITATOI:
	case UM_NOPS:
		if (s->op == UM_EXIT)
			m->rv = s->num;
		else if (s->op == UM_EXITATOI)
			m->rv = m->line ? strtol(m->line + m->cur, NULL, 10) : -1;
		return 1;
	}
	if (jump)
		*i = um_goto(m, s->num);
	else if (++*i == (long)m->n) {
		fprintf(stderr, "unixcmd: the machine ran past its last state\n");
		*i = -1;
	}
	done = *i < 0;
	if (done)
		m->rv = EXIT_FAILED;
	return done;
}

/* Runs the machine on the connected socket FD; returns the exit status. */
static int
um_run(struct machine *m, int fd, int argc, char **argv, int verbose, int timeout_s)
{
	uint64_t deadline = timeout_s ? clock_now_us() / 1000 + (uint64_t)timeout_s * 1000 : 0;
	char esc[256];
	long i = 0, idle = 0;
	size_t len;

	m->fd = fd;
	m->argc = argc;
	m->argv = argv;
	m->rv = -1;
	m->printing = 1;
	for (;;) {
		if (verbose)
			fprintf(stderr, "unixcmd: state %ld %s at \"%s\"\n", m->st[i].label,
				um_names[m->st[i].op],
				m->line ? log_escape(esc, sizeof(esc), m->line + m->cur,
						     m->len - m->cur) : "");
		if (deadline && clock_now_us() / 1000 >= deadline) {
			fprintf(stderr, "unixcmd: the machine did not end within %d s\n", timeout_s);
			return EXIT_FAILED;
		}
		len = m->len;
		if (um_step(m, &i))
			return (int)((unsigned long)m->rv & 0xff);
		idle = m->len != len ? 0 : idle + 1;
		if (idle > UM_IDLE_STEPS) {
			fprintf(stderr, "unixcmd: the machine loops without reading\n");
			return EXIT_FAILED;
		}
	}
}

/* unixcmd -f RCFILE: the machine in RCFILE talks to SOCK. Returns the exit status. */
static int
machine_main(struct machine *m, const char *rcfile, const char *sock, int argc, char **argv,
	     int verbose, int timeout_s)
{
	int fd, status = EXIT_FAILED;

	if (um_load(m, rcfile) < 0)
		goto out;
	signal(SIGPIPE, SIG_IGN);
	if ((fd = sock_unix_connect(sock, SOCK_STREAM)) < 0) {
		fprintf(stderr, "unixcmd: cannot connect to %s: %s\n", sock, strerror(errno));
		goto out;
	}
	status = um_run(m, fd, argc, argv, verbose, timeout_s);
	close(fd);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "unixcmd: writing the output: %s\n", strerror(errno));
		status = EXIT_FAILED;
	}
out:
	um_free(m);
	return status;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sock", required_argument, NULL, 's' },
		{ "rcfile", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	static struct ucmd u = { .fd = -1, .state = WAIT_PROMPT, .status = EXIT_FAILED };
	static struct machine m;
	char defsock[256];
	const char *errstr, *rcfile = NULL;
	long long timeout = 10;
	char *cmd;
	int c;

	snprintf(defsock, sizeof(defsock), "%s/%s", RUNSTATEDIR, prog);
	u.sock = defsock;
	while ((c = getopt_long(argc, argv, "+s:f:t:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			u.sock = optarg;
			break;
		case 'f':
			rcfile = optarg;
			break;
		case 't':
			if (parse_ll(optarg, 0, 86400, &timeout, &errstr) < 0) {
				fprintf(stderr, "%s: timeout %s: %s\n", prog, optarg, errstr);
				return EXIT_FAILED;
			}
			break;
		case 'v':
			u.verbose = 1;
			break;
		case 'h':
			usage(stdout, prog);
			return 0;
		case 'V':
			printf("%s (vde) %s\n", prog, PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr, prog);
			return EXIT_FAILED;
		}
	}
	if (optind >= argc) {
		usage(stderr, prog);
		return EXIT_FAILED;
	}
	if (rcfile)
		return machine_main(&m, rcfile, u.sock, argc - optind, argv + optind, u.verbose,
				    (int)timeout);
	if (!(cmd = join_args(argc - optind, argv + optind)))
		return EXIT_FAILED;
	u.cmd = cmd;
	signal(SIGPIPE, SIG_IGN);
	if ((u.fd = sock_unix_connect(u.sock, SOCK_STREAM)) < 0) {
		fprintf(stderr, "%s: cannot connect to %s: %s\n", prog, u.sock, strerror(errno));
		free(cmd);
		return EXIT_FAILED;
	}
	mgmtclient_init(&u.mc, on_event, &u);
	if (converse(&u, (int)timeout) < 0)
		u.status = EXIT_FAILED;
	else if (!u.mc.ended)
		send_line(&u, "logout");
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: writing the output: %s\n", prog, strerror(errno));
		u.status = EXIT_FAILED;
	}
	close(u.fd);
	free(cmd);
	return u.status;
}
