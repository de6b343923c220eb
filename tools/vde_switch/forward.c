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

#include "fdb.h"
#include "forward.h"
#include "loop.h"
#include "mgmt.h"

#define ETH_P_8021Q 0x8100

enum forward_kind
forward_decide(struct sw *sw, int inport, const uint8_t *frame, size_t len, uint16_t *vlan,
	       int *outport)
{
	const struct port *p = &sw->ports[inport];
	int out;

	(void)len;
	*vlan = p->vlan;
	if (sw->hub)
		return FWD_FLOOD;
	/* No tagged VLAN membership exists yet: tagged frames belong to no VLAN of this port. */
	if (((frame[12] << 8) | frame[13]) == ETH_P_8021Q || p->vlan == SW_NOVLAN)
		return FWD_DROP_VLAN;
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

static void
forward_to_port(struct sw *sw, struct port *p, uint8_t *frame, size_t len)
{
	for (struct endpoint *ep = p->eps; ep; ep = ep->next)
		forward_out(sw, ep, frame, len);
}

void
forward_frame(struct sw *sw, struct endpoint *ep, uint8_t *frame, size_t len)
{
	struct port *in = ep->port;
	int inport = (int)(in - sw->ports), outport = -1;
	uint16_t vlan;

	in->in_pkts++;
	in->in_bytes += len;
	switch (forward_decide(sw, inport, frame, len, &vlan, &outport)) {
	case FWD_DROP_VLAN:
		in->drop_vlan++;
		return;
	case FWD_LOCAL:
		if (!sw->hub)
			forward_learn(sw, inport, frame, vlan);
		return;
	case FWD_UNICAST:
		forward_learn(sw, inport, frame, vlan);
		forward_to_port(sw, &sw->ports[outport], frame, len);
		return;
	case FWD_FLOOD:
		if (!sw->hub)
			forward_learn(sw, inport, frame, vlan);
		for (unsigned i = 0; i <= sw->numports; i++) {
			struct port *p = &sw->ports[i];

			if (p == in || p->neps == 0 || (!sw->hub && p->vlan != vlan))
				continue;
			forward_to_port(sw, p, frame, len);
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

		if (n - done == 1) /* a lone frame: send() is cheaper than the mmsg machinery */
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
		/* Peer gone or frame refused: drop this frame, try the rest once. */
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
