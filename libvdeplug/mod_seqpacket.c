/*
 * seqpacket://FD transport: frames as single packets on an already connected SOCK_SEQPACKET
 * (or SOCK_DGRAM) descriptor inherited from the caller, e.g. one end of a socketpair.
 * The descriptor is owned from then on: vde_close closes it.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vdeplug.h"

struct seqpacket_conn {
	struct vdeconn base;
	int fd;
};

static VDECONN *
seqpacket_open(const struct vnl *vnl, const struct vdeplug_params *p)
{
	struct seqpacket_conn *c;
	char *end;
	long fd;
	int type;
	socklen_t tlen = sizeof(type);

	errno = 0;
	fd = strtol(vnl->path, &end, 10);
	if (errno || end == vnl->path || *end || fd < 0 || fd > 0x7fffffff) {
		errno = EINVAL;
		return NULL;
	}
	if (getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0)
		return NULL;
	if (type != SOCK_SEQPACKET && type != SOCK_DGRAM) {
		errno = EPROTOTYPE;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->base.ops = &vdeplug_seqpacket;
	c->fd = (int)fd;
	return &c->base;
}

static ssize_t
seqpacket_recv(VDECONN *conn, void *buf, size_t len, int flags)
{
	return recv(((struct seqpacket_conn *)conn)->fd, buf, len, flags);
}

static ssize_t
seqpacket_send(VDECONN *conn, const void *buf, size_t len, int flags)
{
	return send(((struct seqpacket_conn *)conn)->fd, buf, len, flags | MSG_NOSIGNAL);
}

static int
seqpacket_datafd(VDECONN *conn)
{
	return ((struct seqpacket_conn *)conn)->fd;
}

static int
seqpacket_ctlfd(VDECONN *conn)
{
	errno = EINVAL;
	return -1;
}

static int
seqpacket_close(VDECONN *conn)
{
	struct seqpacket_conn *c = (struct seqpacket_conn *)conn;

	close(c->fd);
	free(c);
	return 0;
}

const struct vdeplug_transport vdeplug_seqpacket = {
	.name = "seqpacket",
	.open = seqpacket_open,
	.recv = seqpacket_recv,
	.send = seqpacket_send,
	.datafd = seqpacket_datafd,
	.ctlfd = seqpacket_ctlfd,
	.close = seqpacket_close,
};
