/*
 * unixcmd: run one management command for a script. Connects to a management socket, waits for
 * the prompt, sends the command, copies the data block to stdout and the error text to stderr,
 * and exits with the reply's errno (0 for 1000 Success, 22 for 1022...). Its own failures
 * (usage, connection, timeout, broken reply) exit with 255, as the reference does.
 */
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

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [OPTIONS] command [args...]\n"
		"Run one command on a VDE management socket (vde_switch -M, wirefilter -M).\n"
		"\n"
		"  -s, --sock PATH      management socket (default %s/%s)\n"
		"  -f, --rcfile PATH    parse machine file of the old unixcmd: accepted, not used\n"
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
	char defsock[256];
	const char *errstr;
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
