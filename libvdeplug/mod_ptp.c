/*
 * ptp:// transport: two processes joined by AF_UNIX datagrams, wire-compatible with vdeplug4
 * (Debian's vde_plug). The first comer ("female") binds PATH and sends to PATH+"+"; the second
 * finds PATH alive, connects to it and binds PATH+"+". A stale PATH (nobody answers) is
 * replaced. No control channel: vde_ctlfd returns -1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vdeplug.h"

struct ptp_conn {
	struct vdeconn base;
	int fd;
	struct sockaddr_un peer;
	char local[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

/* Is somebody bound to SUN? Removes a stale socket file left by a dead process. */
static int
ptp_alive(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, r;

	if (stat(sun->sun_path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	if (r < 0 && errno == ECONNREFUSED)
		unlink(sun->sun_path);
	close(fd);
	return r == 0;
}

static int
ptp_perm(const char *path, const struct vdeplug_params *p)
{
	gid_t gid;

	if (p->group && (vdeplug_group(p->group, &gid) < 0 || chown(path, (uid_t)-1, gid) < 0))
		return -1;
	return chmod(path, p->mode & 0770);
}

static VDECONN *
ptp_open(const struct vnl *vnl, const struct vdeplug_params *p)
{
	struct sockaddr_un base, plus;
	const struct sockaddr_un *mine;
	struct ptp_conn *c;

	if (vnl->path[0] == '\0') {
		errno = EINVAL;
		return NULL;
	}
	if (vdeplug_sun(&base, vnl->path, "") < 0 || vdeplug_sun(&plus, vnl->path, "+") < 0)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->base.ops = &vdeplug_ptp;
	c->fd = vdeplug_dgram_open();
	if (c->fd < 0)
		goto fail;
	if (!ptp_alive(&base)) {
		mine = &base; /* first: bind PATH, talk to PATH+ */
		c->peer = plus;
	} else {
		if (ptp_alive(&plus)) {
			errno = EADDRINUSE;
			goto fail;
		}
		mine = &plus; /* second: bind PATH+, talk to PATH */
		c->peer = base;
		if (connect(c->fd, (const struct sockaddr *)&base, sizeof(base)) < 0)
			goto fail;
	}
	if (bind(c->fd, (const struct sockaddr *)mine, sizeof(*mine)) < 0)
		goto fail;
	snprintf(c->local, sizeof(c->local), "%s", mine->sun_path);
	if (ptp_perm(c->local, p) < 0)
		goto fail;
	vdeplug_dgram_bufs(c->fd);
	return &c->base;
fail:
	vdeplug_dgram_close(c->fd, c->local);
	free(c);
	return NULL;
}

static ssize_t
ptp_recv(VDECONN *conn, void *buf, size_t len, int flags)
{
	return recv(((struct ptp_conn *)conn)->fd, buf, len, flags);
}

/* Until the peer exists, sendto fails with ENOENT/ECONNREFUSED: the frame is lost, as on a
 * cable with nothing plugged in at the other end. */
static ssize_t
ptp_send(VDECONN *conn, const void *buf, size_t len, int flags)
{
	struct ptp_conn *c = (struct ptp_conn *)conn;

	return vdeplug_send(c->fd, buf, len, flags, (const struct sockaddr *)&c->peer,
			    sizeof(c->peer));
}

static int
ptp_datafd(VDECONN *conn)
{
	return ((struct ptp_conn *)conn)->fd;
}

static int
ptp_ctlfd(VDECONN *conn)
{
	errno = EINVAL;
	return -1;
}

static int
ptp_close(VDECONN *conn)
{
	struct ptp_conn *c = (struct ptp_conn *)conn;

	vdeplug_dgram_close(c->fd, c->local);
	free(c);
	return 0;
}

const struct vdeplug_transport vdeplug_ptp = {
	.name = "ptp",
	.open = ptp_open,
	.recv = ptp_recv,
	.send = ptp_send,
	.datafd = ptp_datafd,
	.ctlfd = ptp_ctlfd,
	.close = ptp_close,
};
