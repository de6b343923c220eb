/*
 * vde_plug: joins a VDE network to a byte stream (stdin/stdout, or a coprocess after "="),
 * or two networks directly ("vde_plug VNL1 VNL2"). Stream frames are a 2-byte big-endian
 * length and the frame. Output to the stream goes through a bounded queue: while it is full
 * the network is not read (its frames wait in the kernel), so a slow reader never blocks us.
 * Datagram networks are read and written in batches (vde_plug_batch.c); frames for a full
 * network wait in its send queue, and meanwhile their source (the stream or the other network)
 * is not read: back-pressure instead of drops.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
#include "vde_plug.h"
#include "vde_plug_batch.h"
#include "vde_plug_iplog.h"

#define PLUG_INBUF     (256 * 1024)	 /* one read() from the stream */
#define PLUG_FRAMEROOM (2 + VDE_MAXFRAME)
#define PLUG_OUTQ      (1024 * 1024) /* stream output pending beyond which the network waits */
/* the queue's buffer: past PLUG_OUTQ, room to receive a batch of frames of any size in place */
#define PLUG_OUTBUF    (PLUG_OUTQ + BATCH_MAX * PLUG_FRAMEROOM)
#define PLUG_NETBUF    (BATCH_MAX * VDE_MAXFRAME) /* one batch between two networks */
#define PLUG_NAP_US    1000 /* retry after ENOBUFS (poll cannot tell when it clears) */
#define PLUG_IPLOG_MAX 256
#define PLUG_DRAIN_US  (2 * 1000000u) /* how long pending output may delay the exit */

/* A network side: the connection and whether its frames feed the IP log. */
struct plug_net {
	VDECONN *conn;
	int datafd, ctlfd;
	unsigned events; /* watched on datafd: LOOP_IN unless paused, LOOP_OUT while tx_wait */
	int logged;	 /* frames it sends are checked by the IP log */
	int batched;	 /* connected datagram socket: recvmmsg/sendmmsg */
	int tx_wait;	 /* the socket is full: waiting for LOOP_OUT */
	int tx_nap;	 /* ENOBUFS: waiting for the nap timer */
	struct batch_tx tx;
	struct batch_rx rx;
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
	int out_watched, in_watched;
	pid_t child;
	int child_ended_session;
	/* ending */
	int closing, status;
	struct loop_timer *drain_timer, *nap_timer;
	/* logging */
	struct iplog iplog;
	int iplog_on;
	const char *who;
	struct log_rl rl_stream, rl_send;
};

static void plug_finish(struct plug *p, int status);

/* ---- stream output queue ---- */

/*
 * Watches what can make progress: the stream output while bytes are queued; a network unless
 * where its frames go is full (the stream queue, or the other network's send queue); the
 * stream input unless frames from it still wait; LOOP_OUT of a network that refused frames.
 */
static void
plug_watch(struct plug *p)
{
	int full = p->len - p->off >= PLUG_OUTQ, want, i;
	struct plug_net *n;
	unsigned ev;

	if (p->nnets == 1) {
		want = p->len > p->off;
		if (want != p->out_watched &&
		    loop_mod_fd(p->loop, p->out_fd, want ? LOOP_OUT : 0) == 0)
			p->out_watched = want;
	}
	if (p->closing)
		return;
	for (i = 0; i < p->nnets; i++) {
		n = &p->net[i];
		if (p->nnets == 1)
			want = !full;
		else
			want = batch_tx_pending(&p->net[1 - i].tx) == 0;
		ev = (want ? LOOP_IN : 0) | (n->tx_wait ? LOOP_OUT : 0);
		if (ev != n->events && loop_mod_fd(p->loop, n->datafd, ev) == 0)
			n->events = ev;
	}
	if (p->nnets == 1) {
		want = batch_tx_pending(&p->net[0].tx) == 0;
		if (want != p->in_watched &&
		    loop_mod_fd(p->loop, p->in_fd, want ? LOOP_IN : 0) == 0)
			p->in_watched = want;
	}
}

/* Writes what the stream takes. */
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
	if (p->off == p->len)
		p->off = p->len = 0;
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

static uint64_t plug_nap_cb(struct loop *l, void *arg);

/*
 * Sends what n's socket takes of its queued frames. A full socket (or a partial batch: the
 * next send would fail) is waited for with LOOP_OUT, ENOBUFS with a short timer; a frame the
 * socket refuses for another reason (no peer yet on ptp://) is dropped, as vde_send would.
 */
static void
plug_tx_flush(struct plug *p, struct plug_net *n)
{
	size_t want, len;
	int sent, err;

	n->tx_wait = 0;
	while (!p->closing && !n->tx_nap && batch_tx_pending(&n->tx) > 0) {
		want = batch_tx_pending(&n->tx);
		want = want < BATCH_MAX ? want : BATCH_MAX;
		sent = batch_tx_send(&n->tx, n->datafd);
		if (sent >= 0 && (size_t)sent == want)
			continue;
		if (sent >= 0 || errno == EAGAIN || errno == EWOULDBLOCK) {
			n->tx_wait = 1;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == ENOBUFS) {
			n->tx_nap = 1;
			if (p->nap_timer == NULL)
				p->nap_timer = loop_add_timer(p->loop, PLUG_NAP_US, plug_nap_cb, p);
			if (p->nap_timer == NULL) {
				n->tx_nap = 0;
				n->tx_wait = 1; /* no timer: poll for room instead */
			}
			break;
		}
		err = errno;
		len = batch_tx_drop(&n->tx);
		log_warnx_rl(&p->rl_send, "frame of %zu bytes dropped: %s", len, strerror(err));
	}
	plug_watch(p);
}

static uint64_t
plug_nap_cb(struct loop *l, void *arg)
{
	struct plug *p = arg;
	int i;

	p->nap_timer = NULL;
	for (i = 0; i < p->nnets; i++) {
		if (p->net[i].tx_nap) {
			p->net[i].tx_nap = 0;
			plug_tx_flush(p, &p->net[i]);
		}
	}
	return 0;
}

/* Hands a frame to network n: queued on a batched socket (plug_tx_flush sends), else sent. */
static void
plug_deliver(struct plug *p, struct plug_net *n, const void *frame, size_t len)
{
	if (!n->batched) {
		plug_send(p, n, frame, len);
		return;
	}
	if (batch_tx_add(&n->tx, frame, len) < 0)
		log_warnx_rl(&p->rl_send, "frame of %zu bytes dropped: %s", len, strerror(errno));
}

/*
 * Receives up to max frames without waiting, frame i at base + i * stride, its length in
 * lens[i]. Returns the count, or -1 with errno if the first receive failed.
 */
static int
plug_net_take(struct plug_net *n, unsigned char *base, size_t stride, unsigned max, size_t *lens)
{
	ssize_t got;
	unsigned i;

	if (n->batched)
		return batch_recv(&n->rx, n->datafd, base, stride, VDE_MAXFRAME, max, lens);
	for (i = 0; i < max; i++) {
		got = vde_recv(n->conn, base + i * stride, VDE_MAXFRAME, MSG_DONTWAIT);
		if (got < 0) {
			if (i > 0 || errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		lens[i] = (size_t)got;
		if (got == 0 && n->ctlfd < 0)
			return (int)i + 1;
	}
	return (int)i;
}

/*
 * Takes a batch of frames from a network; returns how many, or -1 once the plug has ended on a
 * failed receive. *ended: an empty datagram on a network without a control connection (how
 * seqpacket:// and ptp:// say goodbye) followed the frames. Frames shorter than an Ethernet
 * header get length 0.
 */
static int
plug_net_batch(struct plug *p, struct plug_net *n, unsigned char *base, size_t stride,
	       unsigned max, size_t *lens, int *ended)
{
	int got, i;

	*ended = 0;
	got = plug_net_take(n, base, stride, max, lens);
	if (got < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		if (errno == ECONNRESET || errno == ECONNREFUSED || errno == ENOTCONN) {
			plug_finish(p, 0);
			return -1;
		}
		log_warn("receive from network");
		plug_finish(p, 1);
		return -1;
	}
	for (i = 0; i < got; i++) {
		if (lens[i] == 0 && n->ctlfd < 0) {
			*ended = 1;
			return i;
		}
		/* not even an Ethernet header: an empty goodbye or a dropped datagram */
		if (lens[i] < 14)
			lens[i] = 0;
	}
	return got;
}

/*
 * Appends a batch of frames from the network to the stream queue: received in place, one
 * maximum frame apart, then packed. Called only while less than PLUG_OUTQ is pending, so after
 * compaction there is always room for a whole batch.
 */
static void
plug_net_to_stream(struct plug *p, struct plug_net *n)
{
	size_t lens[BATCH_MAX];
	unsigned char *base, *slot, *dst;
	int got, i, ended;

	if (PLUG_OUTBUF - p->len < BATCH_MAX * PLUG_FRAMEROOM && p->off > 0) {
		memmove(p->out, p->out + p->off, p->len - p->off);
		p->len -= p->off;
		p->off = 0;
	}
	base = p->out + p->len + 2;
	got = plug_net_batch(p, n, base, PLUG_FRAMEROOM, BATCH_MAX, lens, &ended);
	if (got < 0)
		return;
	for (i = 0; i < got; i++) {
		if (lens[i] == 0)
			continue;
		slot = base + (size_t)i * PLUG_FRAMEROOM;
		dst = p->out + p->len + 2;
		if (dst != slot)
			memmove(dst, slot, lens[i]);
		dst[-2] = (unsigned char)(lens[i] >> 8);
		dst[-1] = (unsigned char)lens[i];
		p->len += 2 + lens[i];
	}
	if (ended)
		plug_finish(p, 0);
	else if (p->out_watched)
		plug_watch(p); /* the stream is full: LOOP_OUT says when to write again */
	else
		plug_flush(p);
}

/* Passes a batch of frames from network n to the other one. */
static void
plug_net_to_net(struct plug *p, struct plug_net *n, unsigned events)
{
	struct plug_net *peer = n == &p->net[0] ? &p->net[1] : &p->net[0];
	size_t lens[BATCH_MAX];
	unsigned char *frame;
	int got, i, ended;

	got = plug_net_batch(p, n, p->inbuf, VDE_MAXFRAME, BATCH_MAX, lens, &ended);
	if (got < 0)
		return;
	for (i = 0; i < got; i++) {
		if (lens[i] == 0)
			continue;
		frame = p->inbuf + (size_t)i * VDE_MAXFRAME;
		if (n->logged)
			plug_iplog(p, frame, lens[i]);
		plug_deliver(p, peer, frame, lens[i]);
	}
	if (peer->batched)
		plug_tx_flush(p, peer);
	if ((ended || events & LOOP_ERR) && !p->closing)
		plug_finish(p, 0);
}

/* A network's data socket: frames to read, room for queued frames, or its peer gone. */
static void
plug_net_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	struct plug *p = arg;
	struct plug_net *n = fd == p->net[0].datafd ? &p->net[0] : &p->net[1];

	if (events & LOOP_OUT) {
		plug_tx_flush(p, n);
		if (p->closing)
			return;
	}
	if (!(n->events & LOOP_IN)) {
		/* the peer hung up while we were not reading: nothing more will come */
		if (events & LOOP_ERR)
			plug_finish(p, 0);
		return;
	}
	if (!(events & (LOOP_IN | LOOP_ERR)))
		return;
	if (p->nnets == 1)
		plug_net_to_stream(p, n);
	else
		plug_net_to_net(p, n, events);
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
	plug_deliver(p, &p->net[0], buf, count);
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
		if (p->net[0].batched)
			plug_tx_flush(p, &p->net[0]);
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
	n->batched = batch_usable(n->datafd);
	batch_tx_init(&n->tx);
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
	p->inbuf = malloc(p->nnets == 2 ? PLUG_NETBUF : PLUG_INBUF);
	if (p->inbuf == NULL)
		return -1;
	if (p->nnets == 2)
		return 0;
	p->out = malloc(PLUG_OUTBUF);
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
	p->in_watched = 1;
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
		p->net[i].events = LOOP_IN;
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
	if (p->nap_timer != NULL)
		loop_del_timer(p->loop, p->nap_timer);
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
	for (i = 0; i < p->nnets; i++) {
		if (p->net[i].conn != NULL)
			vde_close(p->net[i].conn);
		batch_tx_fini(&p->net[i].tx);
	}
	free(p->inbuf);
	free(p->out);
	return status;
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
		if (plug_login(argc, argv, &opts) < 0)
			return PLUG_LOGIN_REFUSED;
		p.nnets = 1;
	} else {
		p.nnets = plug_args_parse(argc, argv, &opts);
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
