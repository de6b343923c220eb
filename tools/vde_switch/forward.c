/*
 * Forwarding: learn the source, pick the destination ports, gather per destination endpoint,
 * send each endpoint's gather with one sendmmsg. Frames are never copied on the fast path; a
 * copy is made only into the bounded queue of an endpoint that answered EAGAIN, and frames
 * keep their order because nothing bypasses a non-empty queue. Offloaded frames of vnet taps
 * (TCP super-frames, partial checksums) go whole to vnet taps; every other endpoint gets them
 * as ordinary frames, segmented once per frame into this batch's segment area (gso.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "event.h"
#include "fdb.h"
#include "forward.h"
#include "loop.h"
#include "mgmt.h"
#include "shmep.h"
#include "stp.h"
#include "swvlan.h"

/* Room for one tag/untag copy of each frame of a receive batch. */
#define CONV_CAP ((size_t)SW_BATCH * (GSO_MAXFRAME + 8))
/* Room for the segments of a batch's super-frames (the batch goes out early when the next
 * one might not fit), and the most one frame may take (smaller segments are dropped). */
#define SEG_CAP ((size_t)4 << 20)
#define SEG_FRAME_MAX ((size_t)512 << 10)
/* Queue record header: u32 length, struct gso_hdr, padding. */
#define FQ_HDR 16

/* One frame on its way out, as received or converted for a VLAN, and its ordinary frames for
 * endpoints without offloads once they are made. */
struct fwd_frame {
	uint8_t *data;
	size_t len;
	const struct gso_hdr *gso; /* NULL: an ordinary frame */
	struct gso_hdr gsobuf;     /* a converted frame's own */
	struct iovec *segs;
	int nsegs;                 /* 0: not made yet, -1: cannot be made */
};

static const struct gso_hdr gso_none;

enum forward_kind
forward_decide(struct sw *sw, int inport, const uint8_t *frame, size_t len, uint16_t *vlan,
	       int *outport)
{
	const struct port *p = &sw->ports[inport];
	enum stp_state state;
	uint16_t tci;
	int out;

	*vlan = p->vlan;
	if (sw->hub)
		return FWD_FLOOD;
	if (vlan_tagged(frame, len, &tci)) {
		*vlan = tci & 0x0fff;
		if (swvlan_member(sw, p, *vlan) != SWVLAN_TAGGED)
			return FWD_DROP_VLAN;
	} else if (p->vlan == SW_NOVLAN) {
		return FWD_DROP_VLAN;
	}
	if (stp_enabled(sw->stp) && stp_is_bpdu(frame))
		return FWD_BPDU;
	if ((state = stp_state(sw->stp, *vlan, (unsigned)inport)) == STP_DISCARDING)
		return FWD_DROP_STP;
	if (state == STP_LEARNING)
		return FWD_LOCAL;
	if (frame[0] & 1)
		return FWD_FLOOD;
	if ((out = fdb_lookup(sw->fdb, frame, *vlan)) < 0 || out > (int)sw->numports ||
	    !sw->ports[out].exists)
		return FWD_FLOOD;
	if (out == inport)
		return FWD_LOCAL;
	*outport = out;
	return FWD_UNICAST;
}

static void
forward_learn(struct sw *sw, int inport, const uint8_t *frame, uint16_t vlan)
{
	const uint8_t *src = frame + 6;
	int old = -1, r;

	r = fdb_learn(sw->fdb, src, vlan, inport, loop_now_ms(sw->loop),
		      (uint64_t)sw->minper * 1000, &old);
	switch (r) {
	case FDB_FULL:
		sw->fdb_full++;
		sw->ports[inport].mac_refused++;
		return;
	case FDB_PORTFULL:
		sw->fdb_portfull++;
		sw->ports[inport].mac_refused++;
		return;
	case FDB_MOVED:
		sw->fdb_moves++;
		/* fall through */
	case FDB_NEW:
		if (mgmt_dbg_active(sw->dbg_hash_plus))
			mgmt_dbg_out(sw->dbg_hash_plus,
				     "%02x:%02x:%02x:%02x:%02x:%02x VLAN %02x:%02x Port %d", src[0],
				     src[1], src[2], src[3], src[4], src[5], vlan >> 8,
				     vlan & 0xff, inport);
		if (EV_ON(sw, hash_plus))
			event_raise(&sw->ev->hash_plus, event_mac_key(src, vlan));
		return;
	default:
		return;
	}
}

/* Appends one frame to ep's queue; 0, or -1 when the queue is full (frame dropped). */
static int
frameq_push(struct endpoint *ep, const void *frame, size_t len, const struct gso_hdr *gso)
{
	struct frameq *q = &ep->q;
	size_t need = FQ_HDR + ((len + 3) & ~(size_t)3);
	uint32_t l = (uint32_t)len;

	if (q->n >= SW_QFRAMES || (q->n > 0 && q->tail - q->head + need > SW_QBYTES))
		return -1;
	if (q->buf == NULL) {
		q->cap = SW_QBYTES + FQ_HDR + GSO_MAXFRAME + 4;
		if ((q->buf = malloc(q->cap)) == NULL)
			return -1;
		q->head = q->tail = 0;
	}
	if (q->tail + need > q->cap) {
		memmove(q->buf, q->buf + q->head, q->tail - q->head);
		q->tail -= q->head;
		q->head = 0;
	}
	memcpy(q->buf + q->tail, &l, 4);
	memcpy(q->buf + q->tail + 4, gso ? gso : &gso_none, sizeof(*gso));
	memcpy(q->buf + q->tail + FQ_HDR, frame, len);
	q->tail += need;
	q->n++;
	return 0;
}

static void
forward_qdrop(struct endpoint *ep)
{
	ep->qdrops++;
	if (ep->port)
		ep->port->drop_queue++;
}

static void forward_want_out(struct sw *sw, struct endpoint *ep, int on);

static void
forward_space_io(struct loop *l, int fd, unsigned events, void *arg)
{
	struct endpoint *ep = arg;

	(void)l;
	(void)fd;
	(void)events;
	if (shmep_space_clear(ep->shm) < 0) {
		/* the client closed its doorbell: end the endpoint (the loop closes it) */
		forward_want_out(ep->sw, ep, 0);
		shutdown(ep->ctlfd, SHUT_RDWR);
		return;
	}
	forward_drain(ep->sw, ep);
}

/* Waits for room at ep: writability of its socket, or the space doorbell of its ring (the
 * request for a kick is made when a send finds the ring full). */
static void
forward_want_out(struct sw *sw, struct endpoint *ep, int on)
{
	if (ep->waiting_out == on)
		return;
	ep->waiting_out = on;
	if (ep->shm == NULL)
		loop_mod_fd(sw->loop, ep->datafd, LOOP_IN | (on ? LOOP_OUT : 0));
	else if (!on)
		loop_del_fd(sw->loop, shmep_spacefd(ep->shm));
	else if (loop_add_fd(sw->loop, shmep_spacefd(ep->shm), LOOP_IN, forward_space_io, ep) < 0)
		ep->waiting_out = 0;
}

static unsigned forward_send(struct sw *sw, struct endpoint *ep, struct iovec *iov,
			     const struct gso_hdr *gso, unsigned n, int *again);

/* Sends ep's gather of this batch, queueing what it cannot take. */
static void
forward_ep_send(struct sw *sw, struct endpoint *ep)
{
	unsigned n = ep->npend, sent;
	int again;

	ep->npend = 0;
	sent = forward_send(sw, ep, ep->pend, ep->pgso, n, &again);
	for (unsigned i = sent; i < n; i++)
		if (frameq_push(ep, ep->pend[i].iov_base, ep->pend[i].iov_len, &ep->pgso[i]) < 0)
			forward_qdrop(ep);
	if (ep->q.n > 0)
		forward_want_out(sw, ep, 1);
}

/* Takes ep off the transmit list (its gather is sent early). */
static void
forward_unlist(struct sw *sw, struct endpoint *ep)
{
	for (struct endpoint **pp = &sw->txlist; *pp; pp = &(*pp)->txnext)
		if (*pp == ep) {
			*pp = ep->txnext;
			break;
		}
	ep->txnext = NULL;
}

/* Queues one frame for ep in this batch, with its offloads (NULL: none). */
static void
forward_enqueue(struct sw *sw, struct endpoint *ep, uint8_t *frame, size_t len,
		const struct gso_hdr *gso)
{
	if (ep->npend == SW_BATCH) { /* segments of super-frames: more than a batch */
		forward_unlist(sw, ep);
		forward_ep_send(sw, ep);
	}
	if (ep->q.n > 0) {
		if (frameq_push(ep, frame, len, gso) < 0)
			forward_qdrop(ep);
		return;
	}
	if (ep->npend == 0) {
		ep->txnext = sw->txlist;
		sw->txlist = ep;
	}
	ep->pend[ep->npend].iov_base = frame;
	ep->pend[ep->npend].iov_len = len;
	ep->pgso[ep->npend] = gso ? *gso : gso_none;
	ep->npend++;
}

/* f's ordinary frames for endpoints without offloads, made once: how many, or -1. */
static int
forward_segs(struct sw *sw, struct fwd_frame *f)
{
	size_t need;
	int n;

	if (f->nsegs != 0)
		return f->nsegs;
	f->nsegs = -1;
	if ((sw->segbuf == NULL && (sw->segbuf = malloc(SEG_CAP)) == NULL) ||
	    (n = gso_count(f->data, f->len, f->gso, &need)) < 0 || need > SEG_FRAME_MAX ||
	    need > SEG_CAP - sw->segoff ||
	    gso_segment(f->data, f->len, f->gso, sw->segbuf + sw->segoff, need, &f->segs) != n) {
		sw->gso_unsplit++;
		return -1;
	}
	sw->segoff += need;
	sw->gso_split++;
	sw->gso_segs += (unsigned)n;
	return f->nsegs = n;
}

/* Before an offloaded frame: sends the batch so far if the frame's segments and VLAN copies
 * (two variants at most) might not fit in what is left of the batch's areas. */
static void
forward_room(struct sw *sw, const uint8_t *frame, size_t len, const struct gso_hdr *gso)
{
	size_t need;
	int n;

	if ((n = gso_count(frame, len, gso, &need)) < 0 || need > SEG_FRAME_MAX)
		return; /* will not be segmented anyway */
	if (sw->segoff + 2 * need + 16 * (size_t)n > SEG_CAP ||
	    sw->convoff + need + len + 16 * (size_t)n > CONV_CAP)
		forward_flush(sw);
}

/* Queues f for ep: whole to a vnet tap, else as ordinary frames. */
static void
forward_out(struct sw *sw, struct endpoint *ep, struct fwd_frame *f)
{
	int n;

	if (ep->gso || !gso_pending(f->gso)) {
		forward_enqueue(sw, ep, f->data, f->len, ep->gso ? f->gso : NULL);
		return;
	}
	if ((n = forward_segs(sw, f)) < 0)
		return;
	for (int i = 0; i < n; i++)
		forward_enqueue(sw, ep, f->segs[i].iov_base, f->segs[i].iov_len, NULL);
}

/*
 * An ordinary frame for ep through the packet/out filters: on a private copy, sent at once
 * (or queued behind what ep already has), since the copy does not live until the end of the
 * batch.
 */
static void
forward_out_filtered(struct sw *sw, struct endpoint *ep, uint8_t *frame, size_t len)
{
	struct iovec iov;
	int again = 1;

	if (len > SW_MAXFRAME) { /* a tap's jumbo frame: more than the filters take */
		ep->port->drop_oversize++;
		return;
	}
	if ((iov.iov_base = event_filter_out(sw, (int)(ep->port - sw->ports), frame, len,
					     &iov.iov_len)) == NULL)
		return;
	if (ep->q.n == 0 && ep->npend == 0 &&
	    (forward_send(sw, ep, &iov, NULL, 1, &again) == 1 || !again))
		return;
	if (frameq_push(ep, iov.iov_base, iov.iov_len, NULL) < 0)
		forward_qdrop(ep);
	else
		forward_want_out(sw, ep, 1);
}

/* Gives the frame to every endpoint of p (filters see ordinary frames only). */
static void
forward_port_eps(struct sw *sw, struct port *p, struct fwd_frame *f)
{
	if (EV_ON(sw, packet_out)) {
		struct iovec one = { f->data, f->len }, *v = &one;
		int n = 1;

		if (gso_pending(f->gso)) {
			if ((n = forward_segs(sw, f)) < 0)
				return;
			v = f->segs;
		}
		for (struct endpoint *ep = p->eps; ep; ep = ep->next)
			for (int i = 0; i < n; i++)
				forward_out_filtered(sw, ep, v[i].iov_base, v[i].iov_len);
		return;
	}
	for (struct endpoint *ep = p->eps; ep; ep = ep->next)
		forward_out(sw, ep, f);
}

static void
forward_to_port(struct sw *sw, struct port *p, struct fwd_frame *f)
{
	if (sw->mirroring) {
		/* each port gets a frame at most once, the input port never */
		if (p->mark == sw->fwd_seq)
			return;
		p->mark = sw->fwd_seq;
	}
	forward_port_eps(sw, p, f);
	if (sw->mirroring && (p->mirror_dir & SW_MIRROR_TX) && p->mirror_to <= sw->numports) {
		struct port *m = &sw->ports[p->mirror_to];

		if (m->mark != sw->fwd_seq) {
			m->mark = sw->fwd_seq;
			forward_port_eps(sw, m, f);
		}
	}
}

/* The frame with its tag removed (tagged) or added (untagged), in this batch's copy area. */
static uint8_t *
forward_convert(struct sw *sw, const uint8_t *frame, size_t len, int tagged, uint16_t vlan,
		size_t *outlen)
{
	uint8_t *dst;

	if (sw->conv == NULL && (sw->conv = malloc(CONV_CAP)) == NULL)
		return NULL;
	if (sw->convoff + len + 4 > CONV_CAP)
		return NULL;
	dst = sw->conv + sw->convoff;
	*outlen = tagged ? vlan_untag_copy(dst, frame, len) : vlan_tag_copy(dst, frame, len, vlan);
	sw->convoff += (*outlen + 7) & ~(size_t)7;
	return dst;
}

/* alt: f untagged (tagged) or tagged for vlan, its offloads moved with the headers. */
static int
forward_variant(struct sw *sw, const struct fwd_frame *f, int tagged, uint16_t vlan,
		struct fwd_frame *alt)
{
	if (f->gso) {
		alt->gsobuf = *f->gso;
		if (gso_vlan_shift(&alt->gsobuf, tagged ? -4 : 4) < 0)
			return -1;
		alt->gso = &alt->gsobuf;
	}
	alt->data = forward_convert(sw, f->data, f->len, tagged, vlan, &alt->len);
	return alt->data ? 0 : -1;
}

/*
 * Sends frame f to port p in vlan if p carries it and forwards: as is when p carries the VLAN
 * the way the frame came (tagged or not), else converted, once per frame (alt caches it).
 */
static void
forward_vlan_out(struct sw *sw, struct port *p, unsigned n, uint16_t vlan, struct fwd_frame *f,
		 int tagged, struct fwd_frame *alt)
{
	enum swvlan_membership m = swvlan_member(sw, p, vlan);

	if (m == SWVLAN_NONE || stp_state(sw->stp, vlan, n) != STP_FORWARDING)
		return;
	if ((m == SWVLAN_TAGGED) == tagged) {
		forward_to_port(sw, p, f);
		return;
	}
	if (alt->data == NULL && forward_variant(sw, f, tagged, vlan, alt) < 0)
		return;
	forward_to_port(sw, p, alt);
}

/* A BPDU for the spanning tree of vlan, without its tag. */
static void
forward_bpdu(struct sw *sw, int inport, uint16_t vlan, const uint8_t *frame, size_t len)
{
	uint8_t buf[128];
	uint16_t tci;

	if (vlan_tagged(frame, len, &tci)) {
		if (len > sizeof(buf))
			return;
		len = vlan_untag_copy(buf, frame, len);
		frame = buf;
	}
	stp_rx(sw->stp, vlan, (unsigned)inport, frame, len, loop_now_ms(sw->loop));
}

/* Forwards one frame (counted already) from ep. */
static void
forward_one(struct sw *sw, struct endpoint *ep, uint8_t *frame, size_t len,
	    const struct gso_hdr *gso)
{
	struct port *in = ep->port;
	int inport = (int)(in - sw->ports), outport = -1;
	struct fwd_frame f = { .data = frame, .len = len, .gso = gso }, alt = { 0 };
	uint16_t vlan, tci;
	int tagged;

	if (EV_ON(sw, packet_in)) {
		int r = event_filter_in(sw, inport, frame, len);

		if (r < 0)
			return; /* dropped by a filter */
		f.len = len = (size_t)r;
		f.gso = NULL; /* a rewritten frame's checksums are not known to be valid */
	}
	if (sw->mirroring) {
		in->mark = ++sw->fwd_seq;
		if ((in->mirror_dir & SW_MIRROR_RX) && in->mirror_to <= sw->numports) {
			struct port *m = &sw->ports[in->mirror_to];

			m->mark = sw->fwd_seq;
			forward_port_eps(sw, m, &f);
		}
	}
	switch (forward_decide(sw, inport, frame, len, &vlan, &outport)) {
	case FWD_DROP_VLAN:
		in->drop_vlan++;
		return;
	case FWD_DROP_STP:
		return;
	case FWD_BPDU:
		forward_bpdu(sw, inport, vlan, frame, len);
		return;
	case FWD_LOCAL:
		if (!sw->hub)
			forward_learn(sw, inport, frame, vlan);
		return;
	case FWD_UNICAST:
		forward_learn(sw, inport, frame, vlan);
		forward_vlan_out(sw, &sw->ports[outport], (unsigned)outport, vlan, &f,
				 vlan_tagged(frame, len, &tci), &alt);
		return;
	case FWD_FLOOD:
		if (sw->hub) {
			for (unsigned i = 0; i <= sw->numports; i++)
				if (&sw->ports[i] != in && sw->ports[i].neps > 0)
					forward_to_port(sw, &sw->ports[i], &f);
			return;
		}
		forward_learn(sw, inport, frame, vlan);
		tagged = vlan_tagged(frame, len, &tci);
		for (unsigned i = 0; i <= sw->numports; i++) {
			struct port *p = &sw->ports[i];

			if (p == in || p->neps == 0)
				continue;
			forward_vlan_out(sw, p, i, vlan, &f, tagged, &alt);
		}
		return;
	}
}

void
forward_frame_gso(struct sw *sw, struct endpoint *ep, uint8_t *frame, size_t len,
		  const struct gso_hdr *gso)
{
	struct fwd_frame f = { .data = frame, .len = len, .gso = gso };
	int n;

	ep->port->in_pkts++;
	ep->port->in_bytes += len;
	if (!gso_pending(gso)) {
		forward_one(sw, ep, frame, len, gso);
		return;
	}
	forward_room(sw, frame, len, gso);
	if (!EV_ON(sw, packet_in)) {
		forward_one(sw, ep, frame, len, gso);
		return;
	}
	/* packet/in filters see ordinary frames */
	n = forward_segs(sw, &f);
	for (int i = 0; i < n; i++)
		forward_one(sw, ep, f.segs[i].iov_base, f.segs[i].iov_len, NULL);
}

void
forward_frame(struct sw *sw, struct endpoint *ep, uint8_t *frame, size_t len)
{
	forward_frame_gso(sw, ep, frame, len, NULL);
}

/* Writes one frame to a tap, behind its offload header on a vnet tap: 1, or -1 with errno. */
static int
forward_tap_write(const struct endpoint *ep, const struct iovec *frame, const struct gso_hdr *gso)
{
	struct gso_hdr h = gso ? *gso : gso_none;
	struct iovec iov[2] = { { &h, sizeof(h) }, *frame };

	if (!ep->gso)
		return write(ep->datafd, frame->iov_base, frame->iov_len) < 0 ? -1 : 1;
	return writev(ep->datafd, iov, 2) < 0 ? -1 : 1;
}

/* Pushes iov[0..n) into ep's switch -> client ring; like forward_send. A full ring asks the
 * client for a ring of the space doorbell; a corrupted one drops the frames and ends the
 * endpoint (its control stream is shut down: the loop then closes it). */
static unsigned
forward_send_shm(struct sw *sw, struct endpoint *ep, struct iovec *iov, unsigned n, int *again)
{
	unsigned done = 0;

	while (done < n) {
		int r = shmep_push(ep->shm, iov[done].iov_base, iov[done].iov_len);

		if (r == SHMRING_OK) {
			ep->port->out_pkts++;
			ep->port->out_bytes += iov[done].iov_len;
			done++;
			continue;
		}
		if (r == SHMRING_FULL && shmep_want_space(ep->shm))
			continue;
		if (r == SHMRING_FULL) {
			*again = 1;
			break;
		}
		log_warnx_rl(&sw->rl_data, "send to port %d endpoint %d: shared memory ring "
			     "corrupted by the client", (int)(ep->port - sw->ports), ep->ctlfd);
		shutdown(ep->ctlfd, SHUT_RDWR);
		while (done < n) {
			forward_qdrop(ep);
			done++;
		}
	}
	shmep_tx_done(ep->shm);
	return done;
}

/* Sends iov[0..n) (offloads in gso[], NULL: none) on ep; returns how many went, the rest hit
 * EAGAIN (or were dropped). */
static unsigned
forward_send(struct sw *sw, struct endpoint *ep, struct iovec *iov, const struct gso_hdr *gso,
	     unsigned n, int *again)
{
	struct mmsghdr msg[SW_BATCH];
	unsigned done = 0;

	*again = 0;
	if (ep->shm)
		return forward_send_shm(sw, ep, iov, n, again);
	if (!ep->is_tap) {
		memset(msg, 0, n * sizeof(msg[0]));
		for (unsigned i = 0; i < n; i++) {
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
		}
	}
	while (done < n) {
		int r;

		if (ep->is_tap) /* a tap takes one frame per write() */
			r = forward_tap_write(ep, &iov[done], gso ? &gso[done] : NULL);
		else if (n - done == 1) /* a lone frame: send() is cheaper than the mmsg machinery */
			r = send(ep->datafd, iov[done].iov_base, iov[done].iov_len,
				 MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -1 : 1;
		else
			r = sendmmsg(ep->datafd, msg + done, n - done,
				     MSG_DONTWAIT | MSG_NOSIGNAL);

		if (r > 0) {
			for (unsigned i = done; i < done + (unsigned)r; i++) {
				ep->port->out_pkts++;
				ep->port->out_bytes += iov[i].iov_len;
				if (ep->gso && gso && gso[i].type != GSO_NONE)
					ep->gso_out++;
			}
			done += (unsigned)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			*again = 1;
			break;
		}
		/* Peer gone or frame refused: drop this frame, try the rest once. A tap that
		 * is down refuses frames with EIO: normal, not worth a log line. */
		if (!(ep->is_tap && errno == EIO))
			log_warnx_rl(&sw->rl_data, "send to port %d endpoint %d: %s",
				     (int)(ep->port - sw->ports), ep->ctlfd, strerror(errno));
		forward_qdrop(ep);
		done++;
		if (errno == ECONNREFUSED || errno == ENOTCONN || errno == ECONNRESET) {
			while (done < n) {
				forward_qdrop(ep);
				done++;
			}
		}
	}
	return done;
}

void
forward_send_now(struct sw *sw, struct endpoint *ep, const uint8_t *frame, size_t len)
{
	struct iovec iov = { (void *)frame, len };
	int again;

	if (forward_send(sw, ep, &iov, NULL, 1, &again) == 0)
		forward_qdrop(ep);
}

void
forward_flush(struct sw *sw)
{
	struct endpoint *ep, *next;

	for (ep = sw->txlist; ep; ep = next) {
		next = ep->txnext;
		ep->txnext = NULL;
		forward_ep_send(sw, ep);
	}
	sw->txlist = NULL;
	sw->convoff = 0;
	sw->segoff = 0;
}

unsigned
forward_drain(struct sw *sw, struct endpoint *ep)
{
	struct frameq *q = &ep->q;

	while (q->n > 0) {
		struct iovec iov[SW_BATCH];
		struct gso_hdr gso[SW_BATCH];
		unsigned n = 0, sent;
		size_t off = q->head;
		int again;

		while (n < SW_BATCH && n < q->n) {
			uint32_t l;

			memcpy(&l, q->buf + off, 4);
			memcpy(&gso[n], q->buf + off + 4, sizeof(gso[n]));
			iov[n].iov_base = q->buf + off + FQ_HDR;
			iov[n].iov_len = l;
			off += FQ_HDR + ((l + 3) & ~(size_t)3);
			n++;
		}
		sent = forward_send(sw, ep, iov, gso, n, &again);
		for (unsigned i = 0; i < sent; i++)
			q->head += FQ_HDR + ((iov[i].iov_len + 3) & ~(size_t)3);
		q->n -= sent;
		if (again)
			break;
	}
	if (q->n == 0) {
		q->head = q->tail = 0;
		forward_want_out(sw, ep, 0);
	}
	return q->n;
}

void
forward_forget(struct sw *sw, struct endpoint *ep)
{
	for (struct endpoint **pp = &sw->txlist; *pp; pp = &(*pp)->txnext)
		if (*pp == ep) {
			*pp = ep->txnext;
			break;
		}
	ep->npend = 0;
	free(ep->q.buf);
	memset(&ep->q, 0, sizeof(ep->q));
}
