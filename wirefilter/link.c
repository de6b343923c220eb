/*
 * The data path: two sides (plugs or vde_plug streams) and two independent directions, each with
 * its own decoder, delay queue, output backlog and pause state, so a stalled direction never
 * holds up the other. Frames go through the model, then out at once or into the delay queue;
 * one timer serves due frames, speed holds and Markov steps. A side that goes away stops its
 * input and discards what was queued toward it; frames it sent are still delivered when due.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "sock.h"
#include "wf.h"

#define WF_BATCH       64                  /* datagrams read per wake-up */
#define WF_OUT_HIGH    (256u * 1024)       /* stream backlog above which a direction waits */
#define WF_CONGESTED   (1024u * 1024)      /* queued bytes that pause a blocked direction */
#define WF_QUEUE_MAX   (256u * 1024 * 1024) /* queued bytes that pause any direction */
#define WF_RETRY_NS    1000000ULL          /* ENOBUFS retry period */

static void link_schedule(struct wf *wf);
static void side_watch(struct wf_side *s);

uint64_t
wf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void
blink(struct wf *wf, int d, size_t len)
{
	char msg[128];
	int n;

	if (wf->blinkfd < 0)
		return;
	n = snprintf(msg, sizeof(msg), "%s %s %zu\n", wf->blinkid, d == MODEL_LR ? "LR" : "RL", len);
	sendto(wf->blinkfd, msg, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL,
	       (struct sockaddr *)&wf->blinkaddr, sizeof(wf->blinkaddr));
}

/* Drops what direction d still holds: its output side is gone. */
static void
dir_discard(struct wf *wf, int d)
{
	struct wfq_item *it;

	while ((it = wfq_pop(&wf->dir[d].q)) != NULL) {
		model_output(wf->model, d, it->len, 0);
		free(it);
	}
	wf->dir[d].out_blocked = 0;
}

/* Exits the loop when no direction can carry anything any more. */
static void
link_check_done(struct wf *wf)
{
	int d, live = 0;

	for (d = 0; d < 2; d++) {
		if (!wf->has_dir[d] || !wf->side[1 - d].out_open)
			continue;
		if (wf->side[d].in_open || wf->dir[d].q.n > 0)
			live = 1;
	}
	if (!live)
		loop_break(wf->loop);
}

static void
side_out_closed(struct wf_side *s)
{
	struct wf *wf = s->wf;

	if (!s->out_open)
		return;
	s->out_open = 0;
	if (s->out_registered) {
		loop_del_fd(wf->loop, s->outfd);
		s->out_registered = 0;
	}
	wqueue_fini(&s->out);
	dir_discard(wf, 1 - s->idx);
	link_check_done(wf);
}

static void
side_in_closed(struct wf_side *s)
{
	if (!s->in_open)
		return;
	s->in_open = 0;
	side_watch(s);
	link_check_done(s->wf);
}

/* The whole side is gone (a plug's switch closed the connection). */
static void
side_gone(struct wf_side *s)
{
	log_info("%s side %s closed", s->idx == 0 ? "left" : "right", s->name);
	s->in_open = 0;
	side_watch(s);
	side_out_closed(s);
	link_check_done(s->wf);
}

static int
plug_send(struct wf_side *s, int d, const unsigned char *frame, size_t len)
{
	struct wf *wf = s->wf;

	for (;;) {
		if (vde_send(s->conn, frame, len, MSG_DONTWAIT) >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			s->out_wait = 1;
			side_watch(s);
			return 1;
		}
		if (errno == ENOBUFS) {
			wf->dir[d].out_retry = 1;
			return 1;
		}
		log_warnx_rl(&wf->rl, "send to %s: %s", s->name, strerror(errno));
		return 2;
	}
}

/* Header and frame with one writev when nothing is pending; what does not fit is queued. */
static int
stream_send(struct wf_side *s, const unsigned char *frame, size_t len)
{
	unsigned char hdr[2];
	struct iovec iov[2];
	ssize_t n = 0;

	if (wqueue_pending(&s->out) >= WF_OUT_HIGH)
		return 1;
	hdr[0] = (unsigned char)(len >> 8);
	hdr[1] = (unsigned char)len;
	if (wqueue_pending(&s->out) == 0) {
		iov[0].iov_base = hdr;
		iov[0].iov_len = 2;
		iov[1].iov_base = (void *)frame;
		iov[1].iov_len = len;
		do
			n = writev(s->outfd, iov, 2);
		while (n < 0 && errno == EINTR);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			log_info("write to %s: %s", s->name, strerror(errno));
			side_out_closed(s);
			return -1;
		}
		if (n < 0)
			n = 0;
	}
	if ((size_t)n == len + 2)
		return 0;
	/* the rest of this frame must follow before anything else */
	if ((n < 2 && wqueue_append(&s->out, hdr + n, 2 - (size_t)n) < 0) ||
	    wqueue_append(&s->out, frame + (n > 2 ? n - 2 : 0), len - (n > 2 ? (size_t)n - 2 : 0)) <
		    0) {
		log_warnx_rl(&s->wf->rl, "out of memory: stream to %s broken", s->name);
		side_out_closed(s);
		return -1;
	}
	if (!s->out_wait) {
		s->out_wait = 1;
		side_watch(s);
	}
	return 0;
}

/*
 * Sends one frame to side s (direction d). Returns 0 when sent or committed to the stream,
 * 1 when the side cannot take it now (the caller keeps it), 2 when the frame was refused (lost),
 * -1 when the side's output is gone.
 */
static int
side_send(struct wf_side *s, int d, const unsigned char *frame, size_t len)
{
	int r;

	if (!s->out_open)
		return -1;
	r = s->conn ? plug_send(s, d, frame, len) : stream_send(s, frame, len);
	if (r == 0)
		blink(s->wf, d, len);
	return r;
}

/* Whether direction d should read its input now. */
static int
dir_wants_input(struct wf *wf, int d, uint64_t now)
{
	struct wf_dir *dr = &wf->dir[d];
	const struct model_stats *st = model_stats(wf->model, d);

	if (dr->hold_until_ns > now)
		return 0;
	if (dr->out_blocked && st->qbytes > WF_CONGESTED)
		return 0;
	return st->qbytes <= WF_QUEUE_MAX;
}

/* Registers side s's descriptors for what it currently wants (epoll only on changes). */
static void
side_watch(struct wf_side *s)
{
	struct wf *wf = s->wf;
	int in = s->in_open && wf->has_dir[s->idx] && dir_wants_input(wf, s->idx, wf_now_ns());
	unsigned ev;

	s->in_watched = in;
	if (s->conn) {
		ev = (in ? LOOP_IN : 0u) | (s->out_wait && s->out_open ? LOOP_OUT : 0u);
		if (s->datafd >= 0 && ev != s->data_ev && loop_mod_fd(wf->loop, s->datafd, ev) == 0)
			s->data_ev = ev;
		return;
	}
	if (s->infd >= 0 && !s->in_open) {
		loop_del_fd(wf->loop, s->infd);
		s->infd = -1;
	} else if (s->infd >= 0) {
		ev = in ? LOOP_IN : 0u;
		if (ev != s->in_ev && loop_mod_fd(wf->loop, s->infd, ev) == 0)
			s->in_ev = ev;
	}
	if (s->out_registered) {
		ev = s->out_wait ? LOOP_OUT : 0u;
		if (ev != s->out_ev && loop_mod_fd(wf->loop, s->outfd, ev) == 0)
			s->out_ev = ev;
	}
}

/* Sends the frames of direction d that are due, until the output pushes back. */
static void
dir_drain(struct wf *wf, int d, uint64_t now)
{
	struct wf_dir *dr = &wf->dir[d];
	struct wf_side *out = &wf->side[1 - d];
	struct wfq_item *it;
	int r;

	dr->out_blocked = 0;
	dr->out_retry = 0;
	while ((it = wfq_peek(&dr->q)) != NULL && it->due_ns <= now) {
		r = side_send(out, d, it->data, it->len);
		if (r == 1) {
			dr->out_blocked = 1;
			break;
		}
		if (r < 0)
			return; /* the queue was discarded */
		wfq_pop(&dr->q);
		if (r == 0) {
			dr->late_n++;
			dr->late_sum_ns += now - it->due_ns;
			if (now - it->due_ns > dr->late_max_ns)
				dr->late_max_ns = now - it->due_ns;
		}
		model_output(wf->model, d, it->len, r == 0);
		free(it);
	}
}

/* A frame entered direction d. */
static void
link_frame(struct wf *wf, int d, unsigned char *frame, size_t len)
{
	struct model_decision dec;
	struct wf_dir *dr = &wf->dir[d];
	struct wf_side *out = &wf->side[1 - d];
	uint64_t now = wf_now_ns();
	const unsigned char *p;
	struct wfq_item *it;
	unsigned k;
	int r;

	if (len == 0 || !wf->has_dir[d])
		return;
	model_input(wf->model, d, len, now, &dec);
	if (dec.hold_until_ns > now)
		dr->hold_until_ns = dec.hold_until_ns;
	for (k = 0; k < dec.ncopies; k++) {
		const struct model_copy *c = &dec.copy[k];

		if (!out->out_open) {
			model_output(wf->model, d, len, 0);
			continue;
		}
		p = frame;
		if (c->noise_q > 0.0) {
			memcpy(wf->scratch, frame, len);
			model_corrupt(wf->model, d, c, wf->scratch, len);
			p = wf->scratch;
		}
		if (c->due_ns <= now && dr->q.n == 0 && !dr->out_blocked && !dr->out_retry) {
			r = side_send(out, d, p, len);
			if (r == 0 || r == 2 || r < 0) {
				model_output(wf->model, d, len, r == 0);
				continue;
			}
			dr->out_blocked = 1;
		}
		if ((it = wfq_push(&dr->q, c->due_ns, p, len)) == NULL) {
			log_warnx_rl(&wf->rl, "out of memory: frame dropped");
			model_output(wf->model, d, len, 0);
		}
	}
}

static ssize_t
stream_frame(void *opaque, void *buf, size_t count)
{
	struct wf_side *s = opaque;

	link_frame(s->wf, s->idx, buf, count);
	return (ssize_t)count;
}

static void
stream_error(void *opaque, int type, char *format, ...)
{
	struct wf_side *s = opaque;

	(void)type;
	(void)format;
	log_warnx_rl(&s->wf->rl, "%s: stream out of sync, resynchronising", s->name);
}

static void
plug_read(struct wf *wf, struct wf_side *s)
{
	ssize_t n;
	int i;

	for (i = 0; i < WF_BATCH && s->in_open; i++) {
		n = vde_recv(s->conn, wf->buf, WF_BUFSIZE, MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warnx_rl(&wf->rl, "receive from %s: %s", s->name, strerror(errno));
			break;
		}
		link_frame(wf, s->idx, wf->buf, (size_t)n);
		if (!dir_wants_input(wf, s->idx, wf_now_ns()))
			break;
	}
}

static void
stream_read(struct wf *wf, struct wf_side *s)
{
	ssize_t n = read(s->infd, wf->buf, WF_BUFSIZE);

	if (n > 0) {
		vdestream_recv(s->dec, wf->buf, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0)
		log_info("read from %s: %s", s->name, strerror(errno));
	side_in_closed(s);
}

/* The output of side s can take more: flush, then drain the direction into it. */
static void
side_writable(struct wf *wf, struct wf_side *s)
{
	int d = 1 - s->idx;

	if (!s->conn && wqueue_pending(&s->out) > 0) {
		if (wqueue_flush(&s->out, s->outfd) < 0) {
			log_info("write to %s: %s", s->name, strerror(errno));
			side_out_closed(s);
			return;
		}
	}
	if (s->conn || wqueue_pending(&s->out) == 0)
		s->out_wait = 0;
	if (s->conn || wqueue_pending(&s->out) < WF_OUT_HIGH)
		dir_drain(wf, d, wf_now_ns());
}

/* After any activity: inputs to pause or resume, the timer, the exit condition. */
static void
link_settle(struct wf *wf)
{
	side_watch(&wf->side[0]);
	side_watch(&wf->side[1]);
	link_schedule(wf);
}

static void
plug_data_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	struct wf_side *s = arg;
	struct wf *wf = s->wf;
	int err;
	socklen_t elen = sizeof(err);

	(void)l;
	if (events & LOOP_ERR)
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen); /* clears it */
	if ((events & LOOP_OUT) && s->out_open)
		side_writable(wf, s);
	if ((events & LOOP_IN) && s->in_open)
		plug_read(wf, s);
	link_settle(wf);
}

static void
plug_ctl_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	struct wf_side *s = arg;
	char c[64];
	ssize_t n = recv(fd, c, sizeof(c), MSG_DONTWAIT);

	(void)events;
	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return;
	loop_del_fd(l, fd);
	s->ctlfd = -1;
	if (s->datafd >= 0) {
		loop_del_fd(l, s->datafd);
		s->datafd = -1;
	}
	side_gone(s);
	link_settle(s->wf);
}

static void
stream_in_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	struct wf_side *s = arg;

	(void)l;
	(void)fd;
	(void)events;
	if (s->in_open)
		stream_read(s->wf, s);
	link_settle(s->wf);
}

static void
stream_out_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	struct wf_side *s = arg;

	(void)l;
	(void)fd;
	if ((events & LOOP_ERR) && !(events & LOOP_OUT)) {
		log_info("%s: reader gone", s->name);
		side_out_closed(s);
	} else if (s->out_open) {
		side_writable(s->wf, s);
	}
	link_settle(s->wf);
}

/* Earliest time the timer must wake us for, UINT64_MAX if never. */
static uint64_t
link_next(struct wf *wf, uint64_t now)
{
	uint64_t next = model_advance(wf->model, now);
	struct wfq_item *it;
	int d;

	for (d = 0; d < 2; d++) {
		struct wf_dir *dr = &wf->dir[d];

		if ((it = wfq_peek(&dr->q)) != NULL && !dr->out_blocked && it->due_ns < next)
			next = it->due_ns;
		if (dr->hold_until_ns > 0 && dr->hold_until_ns < next)
			next = dr->hold_until_ns;
		if (dr->out_retry && now + WF_RETRY_NS < next)
			next = now + WF_RETRY_NS;
	}
	return next;
}

static uint64_t
link_timer_cb(struct loop *l, void *arg)
{
	struct wf *wf = arg;
	uint64_t now = wf_now_ns(), next, base;
	int d;

	wf->in_timer = 1;
	for (d = 0; d < 2; d++) {
		struct wf_dir *dr = &wf->dir[d];

		if (dr->hold_until_ns > 0 && dr->hold_until_ns <= now)
			dr->hold_until_ns = 0;
		if (!dr->out_blocked || dr->out_retry)
			dir_drain(wf, d, now);
	}
	side_watch(&wf->side[0]);
	side_watch(&wf->side[1]);
	link_check_done(wf);
	wf->in_timer = 0;
	next = link_next(wf, now);
	if (next == UINT64_MAX) {
		wf->timer = NULL;
		return 0;
	}
	wf->timer_due_ns = next;
	base = loop_now_us(l) * 1000;
	return next > base + 1000 ? (next - base + 999) / 1000 : 1;
}

static void
link_schedule(struct wf *wf)
{
	uint64_t now, next;

	if (wf->in_timer)
		return;
	now = wf_now_ns();
	next = link_next(wf, now);
	if (wf->timer && next == wf->timer_due_ns)
		return;
	if (wf->timer) {
		loop_del_timer(wf->loop, wf->timer);
		wf->timer = NULL;
	}
	if (next == UINT64_MAX)
		return;
	wf->timer_due_ns = next;
	wf->timer = loop_add_timer(wf->loop, next > now + 1000 ? (next - now + 999) / 1000 : 1,
				   link_timer_cb, wf);
	if (wf->timer == NULL)
		log_warn("timer");
}

void
link_changed(struct wf *wf)
{
	int d;

	/* a speed turned off or slowed down must not keep an old hold */
	for (d = 0; d < 2; d++)
		if (model_get(wf->model, model_markov(wf->model)->cur, MP_SPEED, d)->val == 0.0)
			wf->dir[d].hold_until_ns = 0;
	link_settle(wf);
}

static void
side_init(struct wf *wf, int s, const char *name)
{
	struct wf_side *sd = &wf->side[s];

	memset(sd, 0, sizeof(*sd));
	sd->wf = wf;
	sd->idx = s;
	sd->name = strdup(name);
	sd->datafd = sd->ctlfd = sd->infd = sd->outfd = -1;
	wqueue_init(&sd->out, 0);
}

int
link_plug(struct wf *wf, int s, const char *vnl)
{
	struct wf_side *sd = &wf->side[s];
	struct vde_open_args args = { 0 };

	side_init(wf, s, vnl);
	if ((sd->conn = vde_open((char *)vnl, "wirefilter", &args)) == NULL)
		return -1;
	sd->datafd = vde_datafd(sd->conn);
	sd->ctlfd = vde_ctlfd(sd->conn);
	sd->in_open = sd->out_open = 1;
	return 0;
}

int
link_stream(struct wf *wf, int s, int infd, int outfd)
{
	struct wf_side *sd = &wf->side[s];
	struct stat st;

	side_init(wf, s, infd == 0 || outfd == 1 ? "stdio" : "alternate stdio");
	sd->infd = infd;
	sd->outfd = outfd;
	if (infd >= 0) {
		if ((sd->dec = vdestream_open(sd, -1, stream_frame, stream_error)) == NULL)
			return -1;
		sd->in_open = 1;
	}
	if (outfd >= 0) {
		sd->out_open = 1;
		if (fstat(outfd, &st) == 0 && !S_ISREG(st.st_mode)) {
			if (sock_set_nonblock(outfd) < 0)
				return -1;
			sd->out_registered = 1;
		}
	}
	return 0;
}

int
link_start(struct wf *wf)
{
	int s;

	wf->rl = (struct log_rl)LOG_RL_INIT(10, 5);
	for (s = 0; s < 2; s++) {
		struct wf_side *sd = &wf->side[s];

		wfq_init(&wf->dir[s].q);
		if (sd->conn) {
			if (loop_add_fd(wf->loop, sd->datafd, 0, plug_data_cb, sd) < 0)
				return -1;
			if (sd->ctlfd >= 0 &&
			    loop_add_fd(wf->loop, sd->ctlfd, LOOP_IN, plug_ctl_cb, sd) < 0)
				return -1;
			continue;
		}
		if (sd->infd >= 0 && loop_add_fd(wf->loop, sd->infd, 0, stream_in_cb, sd) < 0)
			return -1;
		if (sd->out_registered &&
		    loop_add_fd(wf->loop, sd->outfd, 0, stream_out_cb, sd) < 0)
			return -1;
	}
	link_settle(wf);
	link_check_done(wf);
	return 0;
}

void
link_free(struct wf *wf)
{
	int s;

	if (wf->timer)
		loop_del_timer(wf->loop, wf->timer);
	wf->timer = NULL;
	for (s = 0; s < 2; s++) {
		struct wf_side *sd = &wf->side[s];

		wfq_fini(&wf->dir[s].q);
		if (sd->conn) {
			if (sd->datafd >= 0)
				loop_del_fd(wf->loop, sd->datafd);
			if (sd->ctlfd >= 0)
				loop_del_fd(wf->loop, sd->ctlfd);
			vde_close(sd->conn);
		} else {
			if (sd->infd >= 0)
				loop_del_fd(wf->loop, sd->infd);
			if (sd->out_registered) {
				/* what is still in the backlog goes out, if the reader takes it */
				if (sd->out_open && wqueue_pending(&sd->out) > 0)
					sock_write_all(sd->outfd, sd->out.buf + sd->out.off,
						       wqueue_pending(&sd->out), 2000);
				loop_del_fd(wf->loop, sd->outfd);
			}
			if (sd->dec)
				vdestream_close(sd->dec);
		}
		wqueue_fini(&sd->out);
		free(sd->name);
	}
}
