/*
 * Tap endpoints. The tap descriptor is both the endpoint's ID (as in vde2's port/print) and its
 * data descriptor; it is non-blocking. A readable tap is drained up to SW_BATCH frames at a time
 * into shared slots (no poll between frames), the batch is forwarded, then flushed. Writes are
 * one frame per write() (the tap driver has no multi-frame call); EAGAIN queues as for sockets.
 * Taps are vnet taps when the kernel agrees: every frame behind a virtio_net_hdr, checksum and
 * TCP segmentation offloads on, so the kernel hands over 64 KiB TCP super-frames (gso.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "forward.h"
#include "loop.h"
#include "mgmt.h"
#include "port.h"
#include "tap.h"

/* An ordinary frame from a tap: its MTU is at most 65521 (a 65535-byte frame), and the kernel
 * may insert an 802.1Q tag (a VLAN interface on the tap). */
#define TAP_MAXFRAME (SW_MAXFRAME + 4)
#define TAP_SLOT (GSO_MAXFRAME + 1) /* a read this long is an oversize frame */
#define TAP_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)

/* struct gso_hdr is the legacy virtio_net_hdr, as the tap driver reads and writes it. */
_Static_assert(sizeof(struct gso_hdr) == sizeof(struct virtio_net_hdr), "gso_hdr size");
_Static_assert(GSO_F_NEEDS_CSUM == VIRTIO_NET_HDR_F_NEEDS_CSUM &&
	       GSO_F_DATA_VALID == VIRTIO_NET_HDR_F_DATA_VALID &&
	       GSO_TCPV4 == VIRTIO_NET_HDR_GSO_TCPV4 && GSO_TCPV6 == VIRTIO_NET_HDR_GSO_TCPV6 &&
	       GSO_ECN == VIRTIO_NET_HDR_GSO_ECN, "gso_hdr constants");

struct tap {
	struct tap *next;
	struct endpoint *ep;
	char name[IFNAMSIZ];
};

struct tapset {
	struct tap *list;
	uint8_t *rbuf; /* SW_BATCH slots of TAP_SLOT bytes */
	struct gso_hdr rgso[SW_BATCH]; /* their offload headers (vnet taps) */
};

static struct tap *
tap_find(const struct sw *sw, const char *name, const struct endpoint *ep)
{
	if (sw->taps == NULL)
		return NULL;
	for (struct tap *t = sw->taps->list; t; t = t->next)
		if ((name && strcmp(t->name, name) == 0) || (ep && t->ep == ep))
			return t;
	return NULL;
}

/* Reads one frame into slot i: its length (offload header not counted), 0 when the tap is
 * drained, or -1 with errno. */
static ssize_t
tap_read(struct tapset *ts, const struct endpoint *ep, int i)
{
	struct iovec iov[2] = { { &ts->rgso[i], sizeof(ts->rgso[i]) },
				{ ts->rbuf + (size_t)i * TAP_SLOT, TAP_SLOT } };
	ssize_t r;

	do
		r = ep->gso ? readv(ep->datafd, iov, 2) : readv(ep->datafd, iov + 1, 1);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EAGAIN ? 0 : -1;
	if (!ep->gso)
		return r;
	return r > (ssize_t)sizeof(struct gso_hdr) ? r - (ssize_t)sizeof(struct gso_hdr) : 0;
}

/* Forwards frame i of the batch, or counts why not. */
static void
tap_forward(struct sw *sw, struct endpoint *ep, int i, size_t len)
{
	uint8_t *frame = sw->taps->rbuf + (size_t)i * TAP_SLOT;
	const struct gso_hdr *h = ep->gso ? &sw->taps->rgso[i] : NULL;

	if (len < SW_MINFRAME)
		ep->port->drop_runt++;
	else if (h && gso_check(frame, len, h) < 0)
		ep->gso_bad++;
	else if (len > (h && h->type != GSO_NONE ? GSO_MAXFRAME : TAP_MAXFRAME))
		ep->port->drop_oversize++;
	else {
		if (h && h->type != GSO_NONE)
			ep->gso_in++;
		forward_frame_gso(sw, ep, frame, len, h);
	}
}

/*
 * Reads until the tap is drained (a few batches at most per wakeup) and forwards. Returns -1
 * when the tap is unusable (interface deleted: EBADFD), so the caller closes it instead of
 * being woken for it forever.
 */
static int
tap_recv(struct sw *sw, struct endpoint *ep)
{
	size_t lens[SW_BATCH];
	int dead = 0;

	for (int round = 0; round < 4 && !dead; round++) {
		int n;

		for (n = 0; n < SW_BATCH; n++) {
			ssize_t r = tap_read(sw->taps, ep, n);

			if (r < 0)
				dead = errno;
			if (r <= 0)
				break;
			lens[n] = (size_t)r;
		}
		for (int i = 0; i < n && ep->port; i++)
			tap_forward(sw, ep, i, lens[i]);
		forward_flush(sw);
		if (n < SW_BATCH)
			break;
	}
	if (dead) {
		log_warnx("tap %s: %s: closed", ep->descr, strerror(dead));
		return -1;
	}
	return 0;
}

static void
tap_io(struct loop *l, int fd, unsigned events, void *arg)
{
	struct endpoint *ep = arg;

	(void)l;
	(void)fd;
	if (events & LOOP_OUT)
		forward_drain(ep->sw, ep);
	if ((events & (LOOP_IN | LOOP_ERR)) && tap_recv(ep->sw, ep) < 0)
		tap_ep_close(ep->sw, ep);
}

/* Opens the tap device name with flags: a non-blocking descriptor, or -1 with errno. */
static int
tap_open_flags(const char *name, short flags)
{
	struct ifreq ifr;
	int fd, saved;

	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = flags;
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/*
 * Opens the tap device name: a vnet tap with checksum and TCP segmentation offloads (*gso set)
 * if the kernel agrees, else an ordinary one (with a log line saying why).
 */
static int
tap_open(const char *name, int *gso)
{
	int fd, err, hsz = (int)sizeof(struct gso_hdr);
	const char *what = "TUNSETVNETHDRSZ";

	*gso = 0;
	if ((fd = tap_open_flags(name, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)) < 0) {
		if (errno == EPERM || errno == EBUSY || errno == ENOENT || errno == ENODEV)
			return -1; /* not an offload problem */
		what = "IFF_VNET_HDR";
	} else if (ioctl(fd, TUNSETVNETHDRSZ, &hsz) == 0) {
		what = "TUNSETOFFLOAD";
		if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)TAP_OFFLOADS) == 0) {
			*gso = 1;
			return fd;
		}
	}
	err = errno;
	if (fd >= 0)
		close(fd);
	log_warnx("tap %s: %s: %s: no offloads", name, what, strerror(err));
	return tap_open_flags(name, IFF_TAP | IFF_NO_PI);
}

static int
tap_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= IFNAMSIZ || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (name[i] == '/' || name[i] == ':' || name[i] <= ' ' || name[i] >= 0x7f)
			return 0;
	return 1;
}

int
tap_add(struct sw *sw, const char *name)
{
	struct endpoint *ep = NULL;
	struct tap *t = NULL;
	int port, fd = -1, saved;

	if (!tap_name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	if (tap_find(sw, name, NULL)) {
		errno = EEXIST;
		return -1;
	}
	if (sw->taps == NULL && (sw->taps = calloc(1, sizeof(*sw->taps))) == NULL)
		return -1;
	if (sw->taps->rbuf == NULL && (sw->taps->rbuf = malloc((size_t)SW_BATCH * TAP_SLOT)) == NULL)
		return -1;
	if ((port = port_select(sw, 0, 0, 0, 0)) < 0)
		return -1;
	if ((t = calloc(1, sizeof(*t))) == NULL || (ep = calloc(1, sizeof(*ep))) == NULL ||
	    (ep->descr = strdup(name)) == NULL)
		goto fail;
	if ((fd = tap_open(name, &ep->gso)) < 0)
		goto fail;
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->ep = ep;
	ep->sw = sw;
	ep->is_tap = 1;
	ep->uid = SW_NOUSER;
	ep->gid = SW_NOGROUP;
	ep->ctlfd = ep->datafd = fd;
	ep->module = "tuntap";
	if (loop_add_fd(sw->loop, fd, LOOP_IN, tap_io, ep) < 0)
		goto fail;
	t->next = sw->taps->list;
	sw->taps->list = t;
	port_attach(sw, (unsigned)port, ep);
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (ep)
		free(ep->descr);
	free(ep);
	free(t);
	errno = saved;
	return -1;
}

void
tap_ep_close(struct sw *sw, struct endpoint *ep)
{
	struct tap *t = tap_find(sw, NULL, ep);

	if (t) {
		for (struct tap **pp = &sw->taps->list; *pp; pp = &(*pp)->next)
			if (*pp == t) {
				*pp = t->next;
				break;
			}
		free(t);
	}
	forward_forget(sw, ep);
	if (ep->port)
		port_detach(sw, ep);
	loop_del_fd(sw->loop, ep->datafd);
	close(ep->datafd);
	free(ep->descr);
	free(ep);
}

int
tap_del(struct sw *sw, const char *name)
{
	struct tap *t = tap_find(sw, name, NULL);

	if (t == NULL) {
		errno = ENOENT;
		return -1;
	}
	tap_ep_close(sw, t->ep);
	return 0;
}

void
tap_fini(struct sw *sw)
{
	if (sw->taps == NULL)
		return;
	while (sw->taps->list)
		tap_ep_close(sw, sw->taps->list->ep);
	free(sw->taps->rbuf);
	free(sw->taps);
	sw->taps = NULL;
	free(sw->segbuf); /* only taps make super-frames to segment */
	sw->segbuf = NULL;
}

#define SW(req) ((struct sw *)(req)->ctx)

static int
cmd_tap_add(struct mgmt_req *req)
{
	if (req->argc != 1)
		return EINVAL;
	if (tap_add(SW(req), req->argv[0]) < 0) {
		int err = errno;

		mgmt_err(req, "tap %s: %s", req->argv[0], strerror(err));
		return err;
	}
	return 0;
}

static int
cmd_tap_del(struct mgmt_req *req)
{
	if (req->argc != 1)
		return EINVAL;
	return tap_del(SW(req), req->argv[0]) < 0 ? errno : 0;
}

static int
cmd_tap_print(struct mgmt_req *req)
{
	struct sw *sw = SW(req);

	if (sw->taps == NULL)
		return 0;
	for (struct tap *t = sw->taps->list; t; t = t->next)
		mgmt_printf(req,
			    "tap %-16s port %04d endpoint ID %04d offload %s super-frames in %llu "
			    "out %llu bad %llu\n",
			    t->name, t->ep->port ? (int)(t->ep->port - sw->ports) : -1,
			    t->ep->ctlfd, t->ep->gso ? "tso" : "off",
			    (unsigned long long)t->ep->gso_in, (unsigned long long)t->ep->gso_out,
			    (unsigned long long)t->ep->gso_bad);
	mgmt_printf(req, "made ordinary: %llu offloaded frames into %llu, %llu could not be\n",
		    (unsigned long long)sw->gso_split, (unsigned long long)sw->gso_segs,
		    (unsigned long long)sw->gso_unsplit);
	return 0;
}

const struct mgmt_cmd tap_cmds[] = {
	{ "tap", "============", "TAP INTERFACES MENU", NULL, MGMT_F_MENU },
	{ "tap/add", "IF", "attach the tap interface IF (created if needed) to a free port",
	  cmd_tap_add, 0 },
	{ "tap/del", "IF", "detach and close the tap interface IF", cmd_tap_del, 0 },
	{ "tap/print", "", "list the tap interfaces", cmd_tap_print, MGMT_F_OUTPUT },
	{ NULL, NULL, NULL, NULL, 0 },
};
