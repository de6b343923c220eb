/*
 * Forwarding: learn the source, pick the destination ports, gather per destination endpoint,
 * send each endpoint's gather with one sendmmsg. Frames are never copied on the fast path; a
 * copy is made only into the bounded queue of an endpoint that answered EAGAIN, and frames
 * keep their order because nothing bypasses a non-empty queue.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "event.h"
#include "fdb.h"
#include "forward.h"
#include "loop.h"
#include "mgmt.h"
#include "stp.h"
#include "swvlan.h"

/* Room for one tag/untag copy of each frame of a receive batch. */
#define CONV_CAP ((size_t)SW_BATCH * (SW_MAXFRAME + 8))

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
frameq_push(struct endpoint *ep, const void *frame, size_t len)
{
	struct frameq *q = &ep->q;
	size_t need = 4 + ((len + 3) & ~(size_t)3);
	uint32_t l = (uint32_t)len;

	if (q->n >= SW_QFRAMES || (q->n > 0 && q->tail - q->head + need > SW_QBYTES))
		return -1;
	if (q->buf == NULL) {
		q->cap = SW_QBYTES + 4 + SW_MAXFRAME + 4;
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
	memcpy(q->buf + q->tail + 4, frame, len);
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

static void
forward_want_out(struct sw *sw, struct endpoint *ep, int on)
{
	if (ep->waiting_out == on)
		return;
	ep->waiting_out = on;
	loop_mod_fd(sw->loop, ep->datafd, LOOP_IN | (on ? LOOP_OUT : 0));
}

/* Queues one frame for ep in this batch. */
static void
forward_out(struct sw *sw, struct endpoint *ep, uint8_t *frame, size_t len)
{
	if (ep->q.n > 0) {
		if (frameq_push(ep, frame, len) < 0)
			forward_qdrop(ep);
		return;
	}
	if (ep->npend == 0) {
		ep->txnext = sw->txlist;
		sw->txlist = ep;
	}
	ep->pend[ep->npend].iov_base = frame;
	ep->pend[ep->npend].iov_len = len;
	ep->npend++;
}

static unsigned forward_send(struct sw *sw, struct endpoint *ep, struct iovec *iov, unsigned n,
			     int *again);

/*
 * A frame for ep through the packet/out filters: on a private copy, sent at once (or queued
 * behind what ep already has), since the copy does not live until the end of the batch.
 */
static void
forward_out_filtered(struct sw *sw, struct endpoint *ep, uint8_t *frame, size_t len)
{
	struct iovec iov;
	int again = 1;

	if ((iov.iov_base = event_filter_out(sw, (int)(ep->port - sw->ports), frame, len,
					     &iov.iov_len)) == NULL)
		return;
	if (ep->q.n == 0 && ep->npend == 0 && (forward_send(sw, ep, &iov, 1, &again) == 1 ||
					       !again))
		return;
	if (frameq_push(ep, iov.iov_base, iov.iov_len) < 0)
		forward_qdrop(ep);
	else
		forward_want_out(sw, ep, 1);
}

/* Gives the frame to every endpoint of p. */
static void
forward_port_eps(struct sw *sw, struct port *p, uint8_t *frame, size_t len)
{
	if (EV_ON(sw, packet_out)) {
		for (struct endpoint *ep = p->eps; ep; ep = ep->next)
			forward_out_filtered(sw, ep, frame, len);
		return;
	}
	for (struct endpoint *ep = p->eps; ep; ep = ep->next)
		forward_out(sw, ep, frame, len);
}

static void
forward_to_port(struct sw *sw, struct port *p, uint8_t *frame, size_t len)
{
	if (sw->mirroring) {
		/* each port gets a frame at most once, the input port never */
		if (p->mark == sw->fwd_seq)
			return;
		p->mark = sw->fwd_seq;
	}
	forward_port_eps(sw, p, frame, len);
	if (sw->mirroring && (p->mirror_dir & SW_MIRROR_TX) && p->mirror_to <= sw->numports) {
		struct port *m = &sw->ports[p->mirror_to];

		if (m->mark != sw->fwd_seq) {
			m->mark = sw->fwd_seq;
			forward_port_eps(sw, m, frame, len);
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

/*
 * Sends frame to port p in vlan if p carries it and forwards: as is when p carries the VLAN
 * the way the frame came (tagged or not), else converted, once per frame (*alt caches it).
 */
static void
forward_vlan_out(struct sw *sw, struct port *p, unsigned n, uint16_t vlan, uint8_t *frame,
		 size_t len, int tagged, uint8_t **alt, size_t *altlen)
{
	enum swvlan_membership m = swvlan_member(sw, p, vlan);

	if (m == SWVLAN_NONE || stp_state(sw->stp, vlan, n) != STP_FORWARDING)
		return;
	if ((m == SWVLAN_TAGGED) == tagged) {
		forward_to_port(sw, p, frame, len);
		return;
	}
	if (*alt == NULL && (*alt = forward_convert(sw, frame, len, tagged, vlan, altlen)) == NULL)
		return;
	forward_to_port(sw, p, *alt, *altlen);
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

void
forward_frame(struct sw *sw, struct endpoint *ep, uint8_t *frame, size_t len)
{
	struct port *in = ep->port;
	int inport = (int)(in - sw->ports), outport = -1;
	uint16_t vlan, tci;
	uint8_t *alt = NULL;
	size_t altlen = 0;
	int tagged;

	in->in_pkts++;
	in->in_bytes += len;
	if (EV_ON(sw, packet_in)) {
		int r = event_filter_in(sw, inport, frame, len);

		if (r < 0)
			return; /* dropped by a filter */
		len = (size_t)r;
	}
	if (sw->mirroring) {
		in->mark = ++sw->fwd_seq;
		if ((in->mirror_dir & SW_MIRROR_RX) && in->mirror_to <= sw->numports) {
			struct port *m = &sw->ports[in->mirror_to];

			m->mark = sw->fwd_seq;
			forward_port_eps(sw, m, frame, len);
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
		forward_vlan_out(sw, &sw->ports[outport], (unsigned)outport, vlan, frame, len,
				 vlan_tagged(frame, len, &tci), &alt, &altlen);
		return;
	case FWD_FLOOD:
		if (sw->hub) {
			for (unsigned i = 0; i <= sw->numports; i++)
				if (&sw->ports[i] != in && sw->ports[i].neps > 0)
					forward_to_port(sw, &sw->ports[i], frame, len);
			return;
		}
		forward_learn(sw, inport, frame, vlan);
		tagged = vlan_tagged(frame, len, &tci);
		for (unsigned i = 0; i <= sw->numports; i++) {
			struct port *p = &sw->ports[i];

			if (p == in || p->neps == 0)
				continue;
			forward_vlan_out(sw, p, i, vlan, frame, len, tagged, &alt, &altlen);
		}
		return;
	}
}

/* Sends iov[0..n) on ep; returns how many went, the rest hit EAGAIN (or were dropped). */
static unsigned
forward_send(struct sw *sw, struct endpoint *ep, struct iovec *iov, unsigned n, int *again)
{
	struct mmsghdr msg[SW_BATCH];
	unsigned done = 0;

	*again = 0;
	memset(msg, 0, n * sizeof(msg[0]));
	for (unsigned i = 0; i < n; i++) {
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < n) {
		int r;

		if (ep->is_tap) /* a tap takes one frame per write() */
			r = write(ep->datafd, iov[done].iov_base, iov[done].iov_len) < 0 ? -1 : 1;
		else if (n - done == 1) /* a lone frame: send() is cheaper than the mmsg machinery */
			r = send(ep->datafd, iov[done].iov_base, iov[done].iov_len,
				 MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -1 : 1;
		else
			r = sendmmsg(ep->datafd, msg + done, n - done,
				     MSG_DONTWAIT | MSG_NOSIGNAL);

		if (r > 0) {
			for (int i = 0; i < r; i++) {
				ep->port->out_pkts++;
				ep->port->out_bytes += iov[done + (unsigned)i].iov_len;
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
forward_flush(struct sw *sw)
{
	struct endpoint *ep, *next;

	for (ep = sw->txlist; ep; ep = next) {
		unsigned n = ep->npend, sent;
		int again;

		next = ep->txnext;
		ep->txnext = NULL;
		ep->npend = 0;
		sent = forward_send(sw, ep, ep->pend, n, &again);
		for (unsigned i = sent; i < n; i++)
			if (frameq_push(ep, ep->pend[i].iov_base, ep->pend[i].iov_len) < 0)
				forward_qdrop(ep);
		if (ep->q.n > 0)
			forward_want_out(sw, ep, 1);
	}
	sw->txlist = NULL;
	sw->convoff = 0;
}

unsigned
forward_drain(struct sw *sw, struct endpoint *ep)
{
	struct frameq *q = &ep->q;

	while (q->n > 0) {
		struct iovec iov[SW_BATCH];
		unsigned n = 0, sent;
		size_t off = q->head;
		int again;

		while (n < SW_BATCH && n < q->n) {
			uint32_t l;

			memcpy(&l, q->buf + off, 4);
			iov[n].iov_base = q->buf + off + 4;
			iov[n].iov_len = l;
			off += 4 + ((l + 3) & ~(size_t)3);
			n++;
		}
		sent = forward_send(sw, ep, iov, n, &again);
		for (unsigned i = 0; i < sent; i++)
			q->head += 4 + ((iov[i].iov_len + 3) & ~(size_t)3);
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
