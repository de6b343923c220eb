/*
 * Control directory and endpoints. A handshake request is accumulated from a non-blocking
 * control connection until a read would block; it is then validated and answered with the
 * sockaddr_un of a new DGRAM socket bound in the directory and connected to the client.
 * A request that is malformed, refused or not complete within HS_TIMEOUT_MS is closed, so
 * clients always get an answer or EOF. Users come from SO_PEERCRED, never from file owners.
 * A request from our libvdeplug carries a shared-memory offer (SCM_RIGHTS: a sealed memfd and
 * four doorbell sockets, shmep.c): taken, the reply carries the memfd back and frames go through the
 * rings; an offer that does not check out leaves the client on datagrams.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "datasock.h"
#include "forward.h"
#include "loop.h"
#include "port.h"
#include "shmbell.h"
#include "shmep.h"
#include "sock.h"
#include "tap.h"

/*
 * Wire formats (integers in host byte order):
 *   v3:  magic(4)=0xfeedface version(4)=3 type(4) sockaddr_un(110) description(rest)
 *        type: low 8 bits REQ_NEW_CONTROL(0)/REQ_NEW_PORT0(1), bits 8.. requested port
 *   v1:  magic(4) type(4)=0/1 mac(6) sockaddr_un(110) description(rest)
 *   reply: the switch's data socket as a whole sockaddr_un (110 bytes)
 */
#define HS_MAGIC       0xfeedfaceu
#define HS_V3_HDR      (12 + (int)sizeof(struct sockaddr_un))
#define HS_V1_HDR      (14 + (int)sizeof(struct sockaddr_un))
#define HS_MAXREQ      256  /* the reference reads requests of at most 256 bytes */
#define HS_MAXDESCR    128
#define HS_TIMEOUT_MS  3000
#define HS_MAXPENDING  64
#define REQ_NEW_PORT0  1

struct handshake {
	struct sw *sw;
	struct handshake *next;
	int fd;
	uint64_t deadline_ms;
	size_t len;
	uint8_t buf[HS_MAXREQ + 1];
	int fds[SHMEP_NFDS]; /* a shared-memory offer */
	int nfds;            /* -1: descriptors came that are not an offer (all closed) */
};

struct datasock {
	int ctlfd;
	char ctlpath[PATH_MAX];
	struct handshake *hs;
	unsigned nhs;
	unsigned long refused;
	struct loop_timer *timer;
	uint8_t *rbuf; /* SW_BATCH receive slots of RSLOT bytes */
	struct mmsghdr rmsg[SW_BATCH];
	struct iovec riov[SW_BATCH];
};

#define RSLOT (4 + 65536 + 4)

static void
hs_free(struct sw *sw, struct handshake *h)
{
	struct datasock *ds = sw->ds;

	for (struct handshake **pp = &ds->hs; *pp; pp = &(*pp)->next)
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	ds->nhs--;
	for (int i = 0; i < h->nfds; i++)
		close(h->fds[i]);
	if (h->fd >= 0) {
		loop_del_fd(sw->loop, h->fd);
		close(h->fd);
	}
	free(h);
}

static void
hs_refuse(struct sw *sw, struct handshake *h, const char *why)
{
	sw->ds->refused++;
	log_warnx_rl(&sw->rl_hs, "handshake refused: %s", why);
	hs_free(sw, h);
}

/* Binds a new data socket for port n and connects it to the client; -1 with errno. */
static int
ep_socket(struct sw *sw, struct endpoint *ep, unsigned n, const struct sockaddr_un *client,
	  socklen_t clen, int port0)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, bufsz = SW_SOCKBUF, saved;
	mode_t mode = port0 ? sw->cfg.mgmtmode : sw->cfg.mode;
	gid_t group = port0 ? sw->cfg.mgmtgroup : sw->cfg.group;

	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bufsz, sizeof(bufsz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz, sizeof(bufsz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	if (connect(fd, (const struct sockaddr *)client, clen) < 0)
		goto fail;
	if ((size_t)snprintf(ep->path, sizeof(ep->path), "%s/%03u.%d", sw->cfg.dir, n, fd) >=
	    sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	strcpy(sun.sun_path, ep->path);
	unlink(ep->path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		goto fail;
	if (chmod(ep->path, mode ? mode : 0600) < 0 ||
	    (geteuid() == 0 && chown(ep->path, ep->uid, group) < 0) ||
	    (geteuid() != 0 && group != SW_NOGROUP && chown(ep->path, (uid_t)-1, group) < 0)) {
		saved = errno;
		unlink(ep->path);
		errno = saved;
		goto fail;
	}
	return fd;
fail:
	saved = errno;
	close(fd);
	ep->path[0] = 0;
	errno = saved;
	return -1;
}

static void ep_ctl_io(struct loop *l, int fd, unsigned events, void *arg);
static void ep_data_io(struct loop *l, int fd, unsigned events, void *arg);
static uint64_t hs_timer(struct loop *l, void *arg);

/* Checks the client's socket address: AF_UNIX, a path the peer owns, or an abstract name. */
static int
hs_client_addr(const uint8_t *raw, uid_t uid, struct sockaddr_un *sun, socklen_t *len,
	       const char **why)
{
	struct stat st;

	memcpy(sun, raw, sizeof(*sun));
	if (sun->sun_family != AF_UNIX) {
		*why = "address family is not AF_UNIX";
		return -1;
	}
	if (sun->sun_path[0] == 0) {
		/* abstract name (UML): the whole address is the name */
		*len = sizeof(*sun);
		return 0;
	}
	if (memchr(sun->sun_path, 0, sizeof(sun->sun_path)) == NULL) {
		*why = "socket path not terminated";
		return -1;
	}
	if (stat(sun->sun_path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		*why = "client socket missing";
		return -1;
	}
	if (uid != 0 && st.st_uid != uid) {
		*why = "client socket owned by another user";
		return -1;
	}
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sun->sun_path) + 1);
	return 0;
}

/* A request's fields, pointing into the handshake buffer. */
struct hs_req {
	uint32_t type;
	const uint8_t *addr, *descr;
	size_t dlen;
};

/* Splits a request by version; NULL, or the reason it is refused. */
static const char *
hs_parse(const struct handshake *h, struct hs_req *r)
{
	uint32_t magic, version;

	memcpy(&magic, h->buf, 4);
	memcpy(&version, h->buf + 4, 4);
	if (magic != HS_MAGIC)
		return "bad magic (v0 request not supported)";
	if (version == 3) {
		memcpy(&r->type, h->buf + 8, 4);
		r->addr = h->buf + 12;
		r->descr = h->buf + HS_V3_HDR;
		r->dlen = h->len - HS_V3_HDR;
	} else if (version <= 1) {
		r->type = version;
		r->addr = h->buf + 14;
		r->descr = h->buf + HS_V1_HDR;
		r->dlen = h->len - HS_V1_HDR;
	} else {
		return "unsupported request version";
	}
	if ((r->type & 0xff) > REQ_NEW_PORT0)
		return "unknown request type";
	if (r->dlen > HS_MAXDESCR + 6)
		r->dlen = HS_MAXDESCR + 6;
	r->dlen = strnlen((const char *)r->descr, r->dlen);
	return NULL;
}

/* The reply: our data socket, or (shared memory) no socket and the client's memfd back. */
static int
ep_reply(struct endpoint *ep)
{
	struct sockaddr_un reply = { .sun_family = AF_UNIX };
	union shmbell_cbuf cbuf;
	struct iovec iov = { &reply, sizeof(reply) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t r;

	strcpy(reply.sun_path, ep->path);
	if (ep->shm) {
		int fd = shmep_memfd(ep->shm);

		shmbell_fds_attach(&mh, &cbuf, &fd, 1);
	}
	while ((r = sendmsg(ep->ctlfd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return r == (ssize_t)sizeof(reply) ? 0 : -1;
}

/* Opens the data socket (unless shared memory), answers the client and registers the
 * endpoint; NULL or why not. */
static const char *
ep_start(struct sw *sw, struct endpoint *ep, unsigned n, const struct sockaddr_un *client,
	 socklen_t clen, int port0)
{
	if (ep->shm)
		ep->datafd = shmep_datafd(ep->shm);
	else if ((ep->datafd = ep_socket(sw, ep, n, client, clen, port0)) < 0)
		return "cannot connect to the client socket";
	if (ep_reply(ep) < 0)
		goto fail;
	loop_del_fd(sw->loop, ep->ctlfd);
	if (loop_add_fd(sw->loop, ep->ctlfd, LOOP_IN, ep_ctl_io, ep) < 0)
		goto fail;
	if (loop_add_fd(sw->loop, ep->datafd, LOOP_IN, ep_data_io, ep) < 0) {
		loop_del_fd(sw->loop, ep->ctlfd);
		goto fail;
	}
	if (ep->shm && loop_add_fd(sw->loop, shmep_selffd(ep->shm), LOOP_IN, ep_data_io, ep) < 0) {
		loop_del_fd(sw->loop, ep->datafd);
		loop_del_fd(sw->loop, ep->ctlfd);
		goto fail;
	}
	return NULL;
fail:
	if (!ep->shm) {
		close(ep->datafd);
		unlink(ep->path);
	}
	return "reply not written or event loop full";
}

/* Turns a complete request into an endpoint, or refuses it. */
static void
hs_process(struct sw *sw, struct handshake *h)
{
	struct sockaddr_un client;
	struct endpoint *ep;
	struct hs_req r;
	const char *why;
	socklen_t clen;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int n, port0;

	if ((why = hs_parse(h, &r)) != NULL)
		return hs_refuse(sw, h, why);
	port0 = (r.type & 0xff) == REQ_NEW_PORT0;
	if (sock_peercred(h->fd, &pid, &uid, &gid) < 0)
		return hs_refuse(sw, h, "no peer credentials");
	if (hs_client_addr(r.addr, uid, &client, &clen, &why) < 0)
		return hs_refuse(sw, h, why);
	if ((n = port_select(sw, r.type >> 8, port0, uid, gid)) < 0) {
		char msg[96];

		snprintf(msg, sizeof(msg), "port %u for uid %u: %s", r.type >> 8, (unsigned)uid,
			 strerror(errno));
		return hs_refuse(sw, h, msg);
	}
	if ((ep = calloc(1, sizeof(*ep))) == NULL ||
	    (ep->descr = strndup((const char *)r.descr, r.dlen)) == NULL) {
		free(ep);
		return hs_refuse(sw, h, "out of memory");
	}
	ep->sw = sw;
	ep->uid = uid;
	ep->gid = gid;
	ep->ctlfd = h->fd;
	ep->module = "unix prog";
	if (h->nfds != 0 && !sw->cfg.noshm) {
		const char *shmwhy;

		if ((ep->shm = shmep_new(h->fds, h->nfds, &shmwhy)) != NULL)
			h->nfds = 0; /* the endpoint's now */
		else
			log_warnx_rl(&sw->rl_hs, "shared memory offer of uid %u not taken: %s",
				     (unsigned)uid, shmwhy);
	}
	if ((why = ep_start(sw, ep, (unsigned)n, &client, clen, port0)) != NULL) {
		shmep_free(ep->shm);
		free(ep->descr);
		free(ep);
		return hs_refuse(sw, h, why);
	}
	h->fd = -1; /* now the endpoint's */
	hs_free(sw, h);
	port_attach(sw, (unsigned)n, ep);
}

/* Keeps the descriptors of a shared-memory offer: one SCM_RIGHTS message of SHMEP_NFDS at
 * most, once; anything else is closed and spoils the offer. */
static void
hs_spoil(struct handshake *h)
{
	while (h->nfds > 0)
		close(h->fds[--h->nfds]);
	h->nfds = -1;
}

static void
hs_fd(void *arg, int fd)
{
	struct handshake *h = arg;

	if (h->nfds >= 0 && h->nfds < SHMEP_NFDS) {
		h->fds[h->nfds++] = fd;
		return;
	}
	close(fd);
	hs_spoil(h);
}

static void
hs_fds(struct handshake *h, struct msghdr *mh)
{
	shmbell_fds_each(mh, hs_fd, h);
	if (mh->msg_flags & MSG_CTRUNC)
		hs_spoil(h);
}

static ssize_t
hs_recv(struct handshake *h, int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(SHMEP_NFDS * sizeof(int))];
	} cbuf;
	struct iovec iov = { h->buf + h->len, sizeof(h->buf) - h->len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf) };
	ssize_t r = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	if (r >= 0)
		hs_fds(h, &mh);
	return r;
}

static void
hs_io(struct loop *l, int fd, unsigned events, void *arg)
{
	struct handshake *h = arg;
	struct sw *sw = h->sw;
	ssize_t r;

	(void)l;
	(void)events;
	for (;;) {
		r = hs_recv(h, fd);
		if (r > 0) {
			h->len += (size_t)r;
			if (h->len > HS_MAXREQ)
				return hs_refuse(sw, h, "request too long");
			continue;
		}
		if (r == 0 && h->len == 0) {
			/* a probe (a switch checking whether the socket is live): no error */
			hs_free(sw, h);
			return;
		}
		if (r == 0)
			return hs_refuse(sw, h, "truncated request");
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			break;
		return hs_refuse(sw, h, strerror(errno));
	}
	if (h->len >= 8) {
		uint32_t magic, version;

		memcpy(&magic, h->buf, 4);
		memcpy(&version, h->buf + 4, 4);
		if (magic != HS_MAGIC)
			return hs_refuse(sw, h, "bad magic (v0 request not supported)");
		if (version == 2 || version > 3)
			return hs_refuse(sw, h, "unsupported request version");
		if (h->len >= (size_t)(version == 3 ? HS_V3_HDR : HS_V1_HDR))
			hs_process(sw, h);
	}
}

static uint64_t
hs_resume(struct loop *l, void *arg)
{
	struct sw *sw = arg;

	if (sw->ds)
		loop_mod_fd(l, sw->ds->ctlfd, LOOP_IN);
	return 0;
}

static void
hs_accept(struct loop *l, int fd, unsigned events, void *arg)
{
	struct sw *sw = arg;
	struct datasock *ds = sw->ds;
	struct handshake *h;
	int cfd;

	(void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		/* Full: the oldest (idle the longest) gives way, so idle connections cannot
		 * lock out a client that sends its request at once. */
		if (ds->nhs >= HS_MAXPENDING) {
			struct handshake *old = ds->hs;

			while (old->next)
				old = old->next;
			hs_refuse(sw, old, "too many handshakes in progress: oldest closed");
		}
		if ((h = calloc(1, sizeof(*h))) == NULL) {
			ds->refused++;
			log_warnx_rl(&sw->rl_hs, "out of memory: connection closed");
			close(cfd);
			continue;
		}
		h->sw = sw;
		h->fd = cfd;
		h->deadline_ms = loop_now_ms(l) + HS_TIMEOUT_MS;
		h->next = ds->hs;
		ds->hs = h;
		ds->nhs++;
		if (ds->timer == NULL)
			ds->timer = loop_add_timer(l, 500000, hs_timer, sw);
		if (ds->timer == NULL || loop_add_fd(l, cfd, LOOP_IN, hs_io, h) < 0) {
			h->fd = -1;
			close(cfd);
			hs_free(sw, h);
		}
	}
	if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
		/* out of descriptors: stop accepting for a second instead of spinning */
		log_warnx_rl(&sw->rl_hs, "accept on %s: %s", ds->ctlpath, strerror(errno));
		if (loop_mod_fd(l, fd, 0) == 0 &&
		    loop_add_timer(l, 1000000, hs_resume, sw) == NULL)
			loop_mod_fd(l, fd, LOOP_IN);
	} else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
		log_warnx_rl(&sw->rl_hs, "accept on %s: %s", ds->ctlpath, strerror(errno));
	}
}

static uint64_t
hs_timer(struct loop *l, void *arg)
{
	struct sw *sw = arg;
	struct handshake *h, *next;

	for (h = sw->ds->hs; h; h = next) {
		next = h->next;
		if (loop_now_ms(l) >= h->deadline_ms)
			hs_refuse(sw, h, h->len ? "incomplete request (timeout)" :
						  "no request (timeout)");
	}
	if (sw->ds->hs == NULL) {
		/* idle: no timer until the next connection */
		sw->ds->timer = NULL;
		return 0;
	}
	return 500000;
}

void
datasock_ep_close(struct sw *sw, struct endpoint *ep)
{
	if (ep->is_tap)
		return tap_ep_close(sw, ep);
	forward_forget(sw, ep);
	port_detach(sw, ep);
	loop_del_fd(sw->loop, ep->ctlfd);
	loop_del_fd(sw->loop, ep->datafd);
	close(ep->ctlfd);
	if (ep->shm) {
		loop_del_fd(sw->loop, shmep_selffd(ep->shm));
		if (ep->waiting_out)
			loop_del_fd(sw->loop, shmep_spacefd(ep->shm));
		shmep_free(ep->shm); /* datafd is one of its descriptors */
	} else {
		close(ep->datafd);
	}
	if (ep->path[0])
		unlink(ep->path);
	free(ep->descr);
	free(ep);
}

static void ep_depart(struct sw *sw, struct endpoint *ep);

static void
ep_ctl_io(struct loop *l, int fd, unsigned events, void *arg)
{
	struct endpoint *ep = arg;
	char buf[256];
	ssize_t r;

	(void)l;
	(void)events;
	r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (r > 0) {
		log_warnx_rl(&ep->sw->rl_hs, "port %d endpoint %d: ignoring %zd bytes on control",
			     (int)(ep->port - ep->sw->ports), ep->ctlfd, r);
		return;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	ep_depart(ep->sw, ep);
}

/* Frames closer than this go back to recvmmsg batches. */
#define RSINGLE_GAP_US 20

/* Receives one frame into the first slot with recv(): 1, or -1 with errno, like recvmmsg. */
static int
ep_recv_one(struct sw *sw, struct endpoint *ep)
{
	struct datasock *ds = sw->ds;
	uint64_t now = loop_now_us(sw->loop);
	ssize_t r;

	r = recv(ep->datafd, ds->riov[0].iov_base, ds->riov[0].iov_len, MSG_DONTWAIT | MSG_TRUNC);
	if (r < 0)
		return -1;
	ds->rmsg[0].msg_len = (unsigned)(r > (ssize_t)SW_MAXFRAME ? SW_MAXFRAME + 1 : r);
	ds->rmsg[0].msg_hdr.msg_flags = 0;
	if (now - ep->rlast_us < RSINGLE_GAP_US)
		ep->rsingle = 0; /* a burst: batches again from the next wake-up */
	ep->rlast_us = now;
	return 1;
}

/* Forwards one received frame of LEN bytes from the receive slot BUF (oversize, runts counted). */
static void
ep_frame_in(struct sw *sw, struct endpoint *ep, uint8_t *buf, size_t len, int trunc)
{
	if (trunc || len > SW_MAXFRAME)
		ep->port->drop_oversize++;
	else if (len == 0)
		return; /* vde2's goodbye */
	else if (len < SW_MINFRAME)
		ep->port->drop_runt++;
	else
		forward_frame(sw, ep, buf, len);
}

/*
 * Takes one batch from ep's data socket (one frame when SINGLE) and forwards it; returns the
 * frames taken, or -1 (nothing there, or an error, which is cleared).
 */
static int
ep_pull_dgram(struct sw *sw, struct endpoint *ep, int single)
{
	struct datasock *ds = sw->ds;
	int r = single ? ep_recv_one(sw, ep)
		       : recvmmsg(ep->datafd, ds->rmsg, SW_BATCH, MSG_DONTWAIT, NULL);

	if (r < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			int err;
			socklen_t el = sizeof(err);

			getsockopt(ep->datafd, SOL_SOCKET, SO_ERROR, &err, &el);
		}
		return -1;
	}
	for (int i = 0; i < r; i++) {
		struct msghdr *mh = &ds->rmsg[i].msg_hdr;

		ep_frame_in(sw, ep, mh->msg_iov->iov_base, ds->rmsg[i].msg_len,
			    (mh->msg_flags & MSG_TRUNC) != 0);
	}
	forward_flush(sw);
	return r;
}

/*
 * Takes one batch (SW_BATCH frames at most) from ep's client -> switch ring and forwards it;
 * SHMRING_OK if the batch was full (there may be more), SHMRING_EMPTY, or SHMRING_CORRUPT
 * (logged; the caller ends the endpoint).
 */
static int
ep_pull_shm(struct sw *sw, struct endpoint *ep)
{
	struct datasock *ds = sw->ds;
	int i, r = SHMRING_OK;

	for (i = 0; i < SW_BATCH; i++) {
		size_t len;

		r = shmep_pop(ep->shm, ds->riov[i].iov_base, ds->riov[i].iov_len, &len);
		if (r != SHMRING_OK)
			break;
		ep_frame_in(sw, ep, ds->riov[i].iov_base, len, len > ds->riov[i].iov_len);
	}
	forward_flush(sw);
	if (r == SHMRING_CORRUPT)
		log_warnx_rl(&sw->rl_data, "port %d endpoint %d: shared memory ring corrupted by "
			     "the client: closed", (int)(ep->port - sw->ports), ep->ctlfd);
	return r;
}

/* Frames a departing client sent before it left: a ring holds at most this many batches'
 * worth of minimal frames (a client that keeps writing to it after leaving is cut off). */
#define DEPART_BATCHES (SHMRING_SIZE / 64 / SW_BATCH + 1)

/*
 * Ends ep after the client left (its control stream or a doorbell reached end of file):
 * what it sent before leaving still goes out, as a datagram client's frames already queued
 * on the data socket do.
 */
static void
ep_depart(struct sw *sw, struct endpoint *ep)
{
	if (ep->shm) {
		for (unsigned n = 0; n < DEPART_BATCHES; n++)
			if (ep_pull_shm(sw, ep) != SHMRING_OK)
				break;
	} else {
		for (unsigned n = 0; n < DEPART_BATCHES; n++)
			if (ep_pull_dgram(sw, ep, 0) < SW_BATCH)
				break;
	}
	datasock_ep_close(sw, ep);
}

/*
 * Drains up to a few batches of ep's client -> switch ring and forwards them. A ring that
 * breaks the protocol ends the endpoint. Frames left after the last batch make the data
 * descriptor readable again, for the next round of the loop.
 */
static void
ep_recv_shm(struct sw *sw, struct endpoint *ep)
{
	if (shmep_rx_clear(ep->shm) < 0) {
		/* the client closed its doorbell: gone, as when its control stream ends */
		ep_depart(sw, ep);
		return;
	}
	for (int round = 0; round < 4; round++) {
		int r = ep_pull_shm(sw, ep);

		if (r == SHMRING_CORRUPT) {
			datasock_ep_close(sw, ep);
			return;
		}
		if (r == SHMRING_EMPTY)
			return;
	}
	if (shmep_rx_more(ep->shm))
		shmep_rx_again(ep->shm);
}

/*
 * Drains up to a few batches from ep's data socket and forwards them. An endpoint whose last
 * batch held one frame gets one recv() per wake-up: recvmmsg's attempt at a second frame
 * costs more than the frame at low rates, and epoll reports the socket again if more came.
 */
static void
ep_recv(struct sw *sw, struct endpoint *ep)
{
	int single = ep->rsingle;

	for (int round = 0; round < 4; round++) {
		int r = ep_pull_dgram(sw, ep, single);

		if (r < 0)
			break;
		if (round == 0 && r <= 1 && !single)
			ep->rsingle = 1;
		if (r < SW_BATCH)
			break;
	}
}

static void
ep_data_io(struct loop *l, int fd, unsigned events, void *arg)
{
	struct endpoint *ep = arg;

	(void)l;
	(void)fd;
	if (events & LOOP_OUT)
		forward_drain(ep->sw, ep);
	if (events & (LOOP_IN | LOOP_ERR))
		(ep->shm ? ep_recv_shm : ep_recv)(ep->sw, ep);
}

unsigned
datasock_pending(const struct sw *sw)
{
	return sw->ds ? sw->ds->nhs : 0;
}

/* Removes data sockets left by a switch that died on this directory ("NNN.fd"). */
static void
datasock_clean_stale(struct sw *sw)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(sw->cfg.dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		unsigned port;
		int fd, end = 0;
		struct stat st;

		if (sscanf(de->d_name, "%3u.%d%n", &port, &fd, &end) != 2 ||
		    de->d_name[end] != 0 || strlen(de->d_name) < 5)
			continue;
		snprintf(path, sizeof(path), "%s/%s", sw->cfg.dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(path);
	}
	closedir(d);
}

int
datasock_open(struct sw *sw)
{
	struct datasock *ds;
	char real[PATH_MAX];
	int created = 0, saved;

	if ((ds = calloc(1, sizeof(*ds))) == NULL)
		return -1;
	ds->ctlfd = -1;
	sw->ds = ds;
	if (mkdir(sw->cfg.dir, 0700) == 0)
		created = 1;
	else if (errno != EEXIST)
		goto fail;
	if (realpath(sw->cfg.dir, real) == NULL)
		goto fail;
	free(sw->cfg.dir);
	if ((sw->cfg.dir = strdup(real)) == NULL)
		goto fail;
	if (strlen(real) + sizeof("/ctl") > sizeof(((struct sockaddr_un *)0)->sun_path) - 8) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	snprintf(ds->ctlpath, sizeof(ds->ctlpath), "%s/ctl", real);
	if ((ds->ctlfd = sock_unix_listen(ds->ctlpath, SOCK_STREAM, 128, sw->cfg.mode)) < 0)
		goto fail;
	if (sock_set_nonblock(ds->ctlfd) < 0)
		goto fail;
	if (sw->cfg.group != SW_NOGROUP &&
	    (chown(real, (uid_t)-1, sw->cfg.group) < 0 ||
	     chown(ds->ctlpath, (uid_t)-1, sw->cfg.group) < 0))
		goto fail;
	if (chmod(real, sw->cfg.dirmode) < 0)
		goto fail;
	datasock_clean_stale(sw);
	if ((ds->rbuf = malloc((size_t)SW_BATCH * RSLOT)) == NULL)
		goto fail;
	for (int i = 0; i < SW_BATCH; i++) {
		ds->riov[i].iov_base = ds->rbuf + (size_t)i * RSLOT + 4;
		ds->riov[i].iov_len = 65536;
		ds->rmsg[i].msg_hdr.msg_iov = &ds->riov[i];
		ds->rmsg[i].msg_hdr.msg_iovlen = 1;
	}
	if (loop_add_fd(sw->loop, ds->ctlfd, LOOP_IN, hs_accept, sw) < 0)
		goto fail;
	return 0;
fail:
	saved = errno;
	if (ds->ctlfd >= 0) {
		loop_del_fd(sw->loop, ds->ctlfd);
		close(ds->ctlfd);
		unlink(ds->ctlpath);
	}
	if (created)
		rmdir(sw->cfg.dir);
	free(ds->rbuf);
	free(ds);
	sw->ds = NULL;
	errno = saved;
	return -1;
}

void
datasock_close(struct sw *sw)
{
	struct datasock *ds = sw->ds;

	if (ds == NULL)
		return;
	for (unsigned i = 0; sw->ports && i <= sw->numports; i++)
		while (sw->ports[i].eps)
			datasock_ep_close(sw, sw->ports[i].eps);
	while (ds->hs)
		hs_free(sw, ds->hs);
	if (ds->timer)
		loop_del_timer(sw->loop, ds->timer);
	loop_del_fd(sw->loop, ds->ctlfd);
	close(ds->ctlfd);
	unlink(ds->ctlpath);
	rmdir(sw->cfg.dir);
	free(ds->rbuf);
	free(ds);
	sw->ds = NULL;
}
