/*
 * vdeterm: interactive terminal for a VDE management socket. GNU readline (callback interface)
 * edits the line, keeps the history and completes command names learnt from the server's `help`;
 * asynchronous 3xxx debug lines are printed above the line being typed, which is redrawn intact.
 * Numeric codes are hidden. Without a terminal on stdin it reads plain lines and echoes them.
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

#include <readline/history.h>
#include <readline/readline.h>

#include "loop.h"
#include "mgmtclient.h"
#include "sock.h"

#define TIMEOUT_MS 10000
#define HISTORY_MAX 500

enum awaiting { AWAIT_BANNER, AWAIT_NONE, AWAIT_HELP, AWAIT_USER };

struct vterm {
	const char *sock;
	int fd;
	int tty;
	char *prompt;          /* "vde[/path/to/mgmt]: " */
	enum awaiting awaiting;
	uint64_t sent_ms;      /* when the awaited request was sent */
	int refresh_help;      /* the user command may change the command set */
	int help_ok;
	int rl_active;         /* the readline handler is installed (from the first prompt on) */
	int rl_start;          /* install the readline handler after this batch of output */
	int rl_hidden;         /* the edited line is erased while server output is printed */
	int ended;             /* END OF SESSION received */
	int quit;              /* leave the main loop; exit status in status */
	int status;
	int stdin_eof;
	char **cmds, **newcmds; /* completion words: current, being collected */
	size_t ncmds, nnew;
	struct mgmtclient mc;
	char in[MGMTCLIENT_LINEMAX + 1]; /* pending stdin bytes (no terminal) */
	size_t inlen;
};

/* readline's callbacks take no argument: the one terminal of this process. */
static struct vterm *vt;
static volatile sig_atomic_t got_sigint, got_sigwinch;

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: vdeterm [OPTIONS] SOCKET\n"
		"Interactive terminal for the management socket of vde_switch or wirefilter:\n"
		"line editing, history, command completion (TAB), debug messages shown as\n"
		"\"** DBG MSG: ...\" without disturbing the line being typed. logout or\n"
		"Ctrl-D ends the session. When stdin is not a terminal, commands are read\n"
		"one per line.\n"
		"\n"
		"  -h, --help      show this help and exit\n"
		"  -V, --version   show the version and exit\n");
}

static uint64_t
now_ms(void)
{
	return clock_now_us() / 1000;
}

static void
words_free(char **w, size_t n)
{
	while (n > 0)
		free(w[--n]);
	free(w);
}

/* Collects the first column of a help line; headers and menu titles are skipped. */
static void
help_line(struct vterm *t, const char *line, size_t len)
{
	char word[256], syntax[32] = "";
	char **nw;

	if (len >= sizeof(word) || sscanf(line, "%255s %31s", word, syntax) < 1)
		return;
	if (strcmp(word, "COMMAND") == 0 || word[0] == '-' || strncmp(syntax, "====", 4) == 0)
		return;
	if (!(nw = realloc(t->newcmds, (t->nnew + 1) * sizeof(*nw))))
		return;
	t->newcmds = nw;
	if ((nw[t->nnew] = strdup(word)))
		t->nnew++;
}

static int
send_line(struct vterm *t, const char *line, enum awaiting what)
{
	size_t len = strlen(line);
	char *buf = malloc(len + 2);
	int rv;

	if (!buf)
		return -1;
	memcpy(buf, line, len);
	buf[len] = '\n';
	rv = sock_write_all(t->fd, buf, len + 1, 5000);
	free(buf);
	if (rv < 0) {
		fprintf(stderr, "vdeterm: %s: %s\n", t->sock, strerror(errno));
		t->quit = 1;
		t->status = 1;
		return -1;
	}
	t->awaiting = what;
	if (what == AWAIT_HELP)
		t->help_ok = 0;
	t->sent_ms = now_ms();
	return 0;
}

/* Writes text with control bytes as \xNN: a port description must not drive the terminal. */
static void
put_escaped(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			printf("\\x%02x", ch);
		else
			putchar(ch);
	}
}

/*
 * Server output is printed above the line being edited: the prompt and the line are saved and
 * erased before, and drawn again after, each batch of output.
 */
static void
line_hide(struct vterm *t, char **saved, int *point)
{
	if (!t->rl_active || t->rl_hidden)
		return;
	*point = rl_point;
	*saved = rl_copy_text(0, rl_end);
	rl_save_prompt();
	rl_replace_line("", 0);
	rl_redisplay();
	t->rl_hidden = 1;
}

static void
line_show(struct vterm *t, char *saved, int point)
{
	fflush(stdout);
	if (!t->rl_hidden)
		return;
	t->rl_hidden = 0;
	rl_restore_prompt();
	if (!t->rl_active)
		return; /* the session ended meanwhile */
	rl_replace_line(saved ? saved : "", 0);
	rl_point = point;
	rl_redisplay();
}

static void
print_text(const char *prefix, const char *text, size_t len, int partial)
{
	fputs(prefix, stdout);
	put_escaped(text, len);
	if (!partial)
		putchar('\n');
}

/* The first prompt: readline starts once the bytes of this read are handled. */
static void
ready(struct vterm *t)
{
	if (t->tty && !t->rl_active)
		t->rl_start = 1;
}

static void
reply_done(struct vterm *t)
{
	enum awaiting was = t->awaiting;

	t->awaiting = AWAIT_NONE;
	if (was == AWAIT_HELP && t->help_ok) {
		words_free(t->cmds, t->ncmds);
		t->cmds = t->newcmds;
		t->ncmds = t->nnew;
	} else {
		words_free(t->newcmds, t->nnew);
	}
	t->newcmds = NULL;
	t->nnew = 0;
	if (t->refresh_help && was == AWAIT_USER) {
		t->refresh_help = 0;
		send_line(t, "help", AWAIT_HELP);
		return;
	}
	ready(t);
}

static void
set_prompt(struct vterm *t, const char *name, size_t len)
{
	size_t n = len + strlen(t->sock) + 5;

	free(t->prompt);
	if ((t->prompt = malloc(n)))
		snprintf(t->prompt, n, "%.*s[%s]: ", (int)len, name, t->sock);
}

static void
on_event(void *arg, const struct mgmtclient_event *ev)
{
	struct vterm *t = arg;
	int quiet = t->awaiting == AWAIT_HELP;

	switch (ev->type) {
	case MGMTCLIENT_BANNER:
		print_text("", ev->text, ev->len, ev->partial);
		break;
	case MGMTCLIENT_PROMPT:
		if (t->awaiting == AWAIT_BANNER) {
			set_prompt(t, ev->text, ev->len);
			send_line(t, "help", AWAIT_HELP);
		} else if (t->awaiting != AWAIT_NONE) {
			reply_done(t);
		}
		break;
	case MGMTCLIENT_DATA:
		if (quiet) {
			if (!ev->partial)
				help_line(t, ev->text, ev->len);
		} else {
			print_text("", ev->text, ev->len, ev->partial);
		}
		break;
	case MGMTCLIENT_TEXT:
		if (!quiet)
			print_text("", ev->text, ev->len, ev->partial);
		break;
	case MGMTCLIENT_RESULT:
		if (quiet)
			t->help_ok = ev->err == 0;
		else
			print_text("", ev->text, ev->len, 0);
		if (ev->err != 0)
			t->refresh_help = 0;
		break;
	case MGMTCLIENT_DEBUG:
		print_text("** DBG MSG: ", ev->text, ev->len, 0);
		break;
	case MGMTCLIENT_END:
		t->ended = 1;
		break;
	case MGMTCLIENT_DATA_BEGIN:
	case MGMTCLIENT_DATA_END:
		break;
	}
}

/*
 * A command typed by the user (readline callback); NULL on Ctrl-D. The handler stays installed
 * (the terminal stays in readline's mode) but stdin is not read until the reply is complete.
 */
static void
on_input_line(char *line)
{
	struct vterm *t = vt;
	const char *cmd;

	if (!line) {
		rl_callback_handler_remove();
		t->rl_active = 0;
		putchar('\n');
		send_line(t, "logout", AWAIT_USER);
		t->quit = 1;
		return;
	}
	cmd = line + strspn(line, " \t");
	if (*cmd) {
		add_history(line);
		t->refresh_help = strncmp(cmd, "plugin/add", 10) == 0 ||
				  strncmp(cmd, "plugin/del", 10) == 0;
		send_line(t, line, AWAIT_USER);
	}
	free(line);
}

static char *
complete_word(const char *text, int state)
{
	static size_t i, len;

	if (!state) {
		i = 0;
		len = strlen(text);
	}
	while (i < vt->ncmds) {
		const char *w = vt->cmds[i++];

		if (strncmp(w, text, len) == 0)
			return strdup(w);
	}
	return NULL;
}

/* Only the command (the first word) is completed; arguments get nothing, not file names. */
static char **
complete(const char *text, int start, int end)
{
	rl_attempted_completion_over = 1;
	if ((size_t)start != strspn(rl_line_buffer, " \t"))
		return NULL;
	return rl_completion_matches(text, complete_word);
}

/* No terminal: sends the next buffered stdin command, echoed after the prompt. */
static void
pipe_next(struct vterm *t)
{
	char *nl;
	size_t len;

next:
	if (t->awaiting != AWAIT_NONE || t->quit)
		return;
	nl = memchr(t->in, '\n', t->inlen);
	if (!nl && t->stdin_eof && t->inlen > 0)
		nl = t->in + t->inlen++;
	if (!nl) {
		if (t->stdin_eof) {
			send_line(t, "logout", AWAIT_USER);
			t->quit = 1;
		}
		return;
	}
	*nl = '\0';
	len = (size_t)(nl - t->in) + 1;
	printf("%s%s\n", t->prompt ? t->prompt : "", t->in);
	fflush(stdout);
	if (t->in[strspn(t->in, " \t")] != '\0') {
		t->refresh_help = 0;
		send_line(t, t->in, AWAIT_USER);
	}
	memmove(t->in, t->in + len, t->inlen - len);
	t->inlen -= len;
	goto next; /* an empty line: nothing sent, nothing to wait for */
}

static void
read_stdin(struct vterm *t)
{
	ssize_t n;

	if (t->tty) {
		rl_callback_read_char();
		return;
	}
	n = read(STDIN_FILENO, t->in + t->inlen, sizeof(t->in) - 1 - t->inlen);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0)
		t->stdin_eof = 1;
	else
		t->inlen += (size_t)n;
	if (t->inlen == sizeof(t->in) - 1 && !memchr(t->in, '\n', t->inlen)) {
		fprintf(stderr, "vdeterm: input line too long\n");
		t->quit = 1;
		t->status = 1;
	}
}

static void on_input_line(char *line);

static void
read_sock(struct vterm *t)
{
	char buf[8192], *saved = NULL;
	ssize_t n = read(t->fd, buf, sizeof(buf));
	int point = 0;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		line_hide(t, &saved, &point);
		mgmtclient_feed(&t->mc, buf, (size_t)n);
		line_show(t, saved, point);
		free(saved);
		if (t->rl_start && !t->quit) {
			t->rl_start = 0;
			rl_callback_handler_install(t->prompt, on_input_line);
			t->rl_active = 1;
		}
		return;
	}
	if (n == 0)
		mgmtclient_eof(&t->mc);
	t->quit = 1;
	if (!t->ended) {
		if (t->rl_active) {
			rl_callback_handler_remove();
			t->rl_active = 0;
			putchar('\n');
		}
		fprintf(stderr, "vdeterm: %s: %s\n", t->sock,
			n == 0 ? "connection closed by the server" : strerror(errno));
		t->status = 1;
	}
}

static void
on_signal(int signo)
{
	if (signo == SIGINT)
		got_sigint = 1;
	else
		got_sigwinch = 1;
}

/* Ctrl-C: drops the line being typed, or gives up waiting for a reply. */
static void
handle_signals(struct vterm *t)
{
	if (got_sigwinch) {
		got_sigwinch = 0;
		if (t->rl_active)
			rl_resize_terminal();
	}
	if (!got_sigint)
		return;
	got_sigint = 0;
	if (t->rl_active && t->awaiting == AWAIT_NONE) {
		rl_replace_line("", 0);
		rl_crlf();
		rl_on_new_line();
		rl_redisplay();
		return;
	}
	fprintf(stderr, "vdeterm: interrupted\n");
	t->quit = 1;
	t->status = 1;
}

static int
wait_timeout(const struct vterm *t)
{
	uint64_t waited;

	if (t->awaiting == AWAIT_NONE || (t->tty && t->awaiting == AWAIT_USER))
		return -1;
	waited = now_ms() - t->sent_ms;
	return waited >= TIMEOUT_MS ? 0 : (int)(TIMEOUT_MS - waited);
}

static void
run(struct vterm *t)
{
	struct pollfd pfd[2] = { { .fd = t->fd, .events = POLLIN },
				 { .fd = STDIN_FILENO, .events = POLLIN } };
	int ms, nfds;

	while (!t->quit) {
		if (!t->tty)
			pipe_next(t);
		if (t->quit)
			break;
		if (t->tty)
			nfds = t->rl_active && t->awaiting == AWAIT_NONE ? 2 : 1;
		else
			nfds = t->stdin_eof ? 1 : 2;
		if ((ms = wait_timeout(t)) == 0) {
			fprintf(stderr, "vdeterm: no %s from %s within %d s\n",
				t->awaiting == AWAIT_BANNER ? "prompt" : "reply", t->sock,
				TIMEOUT_MS / 1000);
			t->status = 1;
			break;
		}
		if (poll(pfd, (nfds_t)nfds, ms) < 0) {
			if (errno != EINTR) {
				perror("vdeterm: poll");
				t->status = 1;
				break;
			}
		} else {
			if (pfd[0].revents)
				read_sock(t);
			if (nfds > 1 && pfd[1].revents && !t->quit)
				read_stdin(t);
		}
		handle_signals(t);
	}
	if (t->rl_active) {
		rl_callback_handler_remove();
		t->rl_active = 0;
	}
}

static void
setup_readline(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	rl_readline_name = "vdeterm";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_attempted_completion_function = complete;
	stifle_history(HISTORY_MAX);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct vterm *t;
	int c, status;

	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vdeterm (vde) %s\n", PACKAGE_VERSION);
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
	if (!(vt = t = calloc(1, sizeof(*t)))) {
		perror("vdeterm");
		return 1;
	}
	t->sock = argv[optind];
	t->tty = isatty(STDIN_FILENO);
	signal(SIGPIPE, SIG_IGN);
	if ((t->fd = sock_unix_connect(t->sock, SOCK_STREAM)) < 0) {
		fprintf(stderr, "vdeterm: cannot connect to %s: %s\n", t->sock, strerror(errno));
		free(t);
		return 1;
	}
	if (t->tty)
		setup_readline();
	mgmtclient_init(&t->mc, on_event, t);
	t->awaiting = AWAIT_BANNER;
	t->sent_ms = now_ms();
	run(t);
	fflush(stdout);
	close(t->fd);
	status = t->status;
	words_free(t->cmds, t->ncmds);
	words_free(t->newcmds, t->nnew);
	free(t->prompt);
	free(t);
	return status;
}
