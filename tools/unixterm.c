/*
 * unixterm: a raw terminal for a unix stream socket. Everything from the socket goes to stdout
 * unchanged. From a terminal, stdin goes to the socket as typed; from a pipe or a file, stdin is
 * sent one line at a time, each after the prompt that ends the previous reply (so the reference
 * switch, which takes one read() as one command, never sees two lines glued together).
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
#include "mgmtclient.h"
#include "parse.h"
#include "sock.h"

struct uterm {
	const char *sock;
	int fd;
	int tty;           /* stdin is a terminal: raw mode */
	int stdin_eof;
	int prompts;       /* prompts seen and not yet used to send a line */
	int ended;
	struct mgmtclient mc;
	char in[MGMTCLIENT_LINEMAX + 1]; /* pending stdin bytes (line mode) */
	size_t inlen;
};

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: unixterm [OPTIONS] SOCKET\n"
		"A raw terminal for a unix stream socket (the management socket of vde_switch or\n"
		"wirefilter): stdin goes to the socket, everything from the socket to stdout.\n"
		"\n"
		"  -t, --timeout SECS   when stdin is not a terminal, wait at most SECS\n"
		"                       seconds for the prompt before sending the next line\n"
		"                       and before exiting at the end of the input (default 10)\n"
		"  -h, --help           show this help and exit\n"
		"  -V, --version        show the version and exit\n");
}

static uint64_t
now_ms(void)
{
	return clock_now_us() / 1000;
}

static void
on_event(void *arg, const struct mgmtclient_event *ev)
{
	struct uterm *t = arg;

	if (ev->type == MGMTCLIENT_PROMPT)
		t->prompts++;
	else if (ev->type == MGMTCLIENT_END)
		t->ended = 1;
}

/* Line mode: sends the first complete line of the stdin buffer. 1 if sent, 0 if none, -1. */
static int
send_pending_line(struct uterm *t)
{
	char *nl = memchr(t->in, '\n', t->inlen);
	size_t len;

	if (!nl && t->stdin_eof && t->inlen > 0) {
		t->in[t->inlen++] = '\n'; /* room kept by read_stdin */
		nl = t->in + t->inlen - 1;
	}
	if (!nl)
		return 0;
	len = (size_t)(nl - t->in) + 1;
	if (sock_write_all(t->fd, t->in, len, 5000) < 0)
		return -1;
	memmove(t->in, t->in + len, t->inlen - len);
	t->inlen -= len;
	t->prompts--;
	return 1;
}

/* Reads stdin: raw mode forwards it, line mode buffers it. 0, or -1 on a socket error. */
static int
read_stdin(struct uterm *t)
{
	char buf[4096];
	ssize_t n;

	if (t->tty) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n <= 0) {
			t->stdin_eof = n == 0 || (errno != EINTR && errno != EAGAIN);
			return 0;
		}
		return sock_write_all(t->fd, buf, (size_t)n, 5000);
	}
	n = read(STDIN_FILENO, t->in + t->inlen, sizeof(t->in) - 1 - t->inlen);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		t->stdin_eof = 1;
	else
		t->inlen += (size_t)n;
	if (t->inlen == sizeof(t->in) - 1 && !memchr(t->in, '\n', t->inlen)) {
		fprintf(stderr, "unixterm: input line too long, sent as it is\n");
		if (sock_write_all(t->fd, t->in, t->inlen, 5000) < 0)
			return -1;
		t->inlen = 0;
	}
	return 0;
}

/* Copies what the socket sends to stdout. 1 on EOF, 0, or -1 on error. */
static int
read_sock(struct uterm *t)
{
	char buf[8192];
	ssize_t n;

	n = read(t->fd, buf, sizeof(buf));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (n == 0)
		return 1;
	mgmtclient_feed(&t->mc, buf, (size_t)n);
	if (sock_write_all(STDOUT_FILENO, buf, (size_t)n, -1) < 0)
		return -1;
	return 0;
}

static int
run(struct uterm *t, int timeout_s)
{
	struct pollfd pfd[2] = { { .fd = t->fd, .events = POLLIN }, { .fd = STDIN_FILENO } };
	uint64_t waiting_since = now_ms();
	int rv, nfds, ms;

	for (;;) {
		if (!t->tty) {
			while (t->prompts > 0 && (rv = send_pending_line(t)) != 0) {
				if (rv < 0)
					goto sock_error;
				waiting_since = now_ms();
			}
			if (t->stdin_eof && t->inlen == 0 && t->prompts > 0)
				return 0; /* every reply is in */
		} else if (t->stdin_eof) {
			return 0;
		}
		nfds = t->stdin_eof ? 1 : 2;
		pfd[1].events = t->tty || t->inlen < sizeof(t->in) - 1 ? POLLIN : 0;
		ms = -1;
		if (!t->tty && t->prompts <= 0 && timeout_s > 0) {
			uint64_t waited = now_ms() - waiting_since;

			if (waited >= (uint64_t)timeout_s * 1000) {
				if (t->stdin_eof && t->inlen == 0) {
					fprintf(stderr, "unixterm: no prompt from %s within %d s\n",
						t->sock, timeout_s);
					return -1;
				}
				t->prompts = 1; /* no prompt (not a VDE console?): go on */
				continue;
			}
			ms = (int)((uint64_t)timeout_s * 1000 - waited);
		}
		if (poll(pfd, (nfds_t)nfds, ms) < 0) {
			if (errno == EINTR)
				continue;
			perror("unixterm: poll");
			return -1;
		}
		if (pfd[0].revents) {
			if ((rv = read_sock(t)) < 0)
				goto sock_error;
			if (rv > 0)
				return 0; /* the other end closed: logout, shutdown or gone */
		}
		if (nfds > 1 && pfd[1].revents && read_stdin(t) < 0)
			goto sock_error;
	}
sock_error:
	fprintf(stderr, "unixterm: %s: %s\n", t->sock, strerror(errno));
	return -1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct uterm *t;
	const char *errstr;
	long long timeout = 10;
	int c, rv;

	while ((c = getopt_long(argc, argv, "t:hV", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_ll(optarg, 0, 86400, &timeout, &errstr) < 0) {
				fprintf(stderr, "unixterm: timeout %s: %s\n", optarg, errstr);
				return 1;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("unixterm (vde) %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return 1;
	}
	if (!(t = calloc(1, sizeof(*t)))) {
		perror("unixterm");
		return 1;
	}
	t->sock = argv[optind];
	t->tty = isatty(STDIN_FILENO);
	signal(SIGPIPE, SIG_IGN);
	if ((t->fd = sock_unix_connect(t->sock, SOCK_STREAM)) < 0) {
		fprintf(stderr, "unixterm: cannot connect to %s: %s\n", t->sock, strerror(errno));
		free(t);
		return 1;
	}
	mgmtclient_init(&t->mc, on_event, t);
	rv = run(t, (int)timeout);
	close(t->fd);
	free(t);
	return rv < 0 ? 1 : 0;
}
