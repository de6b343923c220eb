/*
 * vde:// transport: the vde_switch v3 control handshake (byte-compatible with vde2 and vdeplug4
 * switches) and one AF_UNIX datagram per frame. A stream connection to DIR/ctl carries one
 * request and one sockaddr_un reply, then stays silent: EOF on it means the switch dropped us.
 * Our data socket is DIR/.PID-SEQ (or /var/run, /var/tmp, /tmp), never world-accessible.
 * DIR[NAME] (a vdeplug4 port group) first tries the control socket DIR/NAME, then DIR/ctl.
 * The request also offers shared-memory rings (shmplug.c) as SCM_RIGHTS descriptors: a switch
 * that answers with our memfd takes them, and frames then never touch the datagram sockets;
 * other switches never see the descriptors (unrequested SCM_RIGHTS are dropped by the kernel).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "shmbell.h"
#include "shmplug.h"
#include "vdeplug.h"

#define VDE_SWITCH_MAGIC 0xfeedface
#define VDE_REQ_VERSION 3
#define VDE_REQ_NEW_CONTROL 0
#define VDE_REQ_NEW_PORT0 1
#define VDE_DESCR_MAX 128
#define VDE_REPLY_TIMEOUT_MS 10000
#define VDE_CTLPATH_MAX (VNL_PATH_MAX + VNL_PORTGROUP_MAX + 8)

/*
 * The request, host byte order, packed:
 *   0 magic 0xfeedface | 4 version 3 | 8 type: low byte REQ_*, bits 8.. port
 *   12 struct sockaddr_un (110 bytes) of our data socket | 122 description, not terminated
 */
struct vde_request {
	uint32_t magic;
	uint32_t version;
	int32_t type;
	struct sockaddr_un sock;
	char descr[VDE_DESCR_MAX];
} __attribute__((packed));

struct vde_conn {
	struct vdeconn base;
	int ctl;
	int data;
	char local[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct vdeplug_shm *shm; /* the switch took our rings: data is closed */
};

/*
 * Connect the control stream: to the port group's socket DIR/GROUP if there is one (vdeplug4),
 * else to DIR/ctl, else to DIR itself if it is the (legacy) socket. *VIA_GROUP tells which.
 */
static int
vde_connect_ctl(const char *dir, const char *group, char *ctlpath, size_t ctllen, int *via_group)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, i;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	for (i = group[0] ? 0 : 1; i < 3; i++) {
		if (i == 0)
			snprintf(ctlpath, ctllen, "%s/%s", dir, group);
		else if (i == 1)
			snprintf(ctlpath, ctllen, "%s/ctl", dir);
		else if (stat(dir, &st) == 0 && S_ISSOCK(st.st_mode))
			snprintf(ctlpath, ctllen, "%s", dir);
		else
			break;
		*via_group = i == 0;
		if (vdeplug_sun(&sun, ctlpath, "") == 0 &&
		    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			return fd;
		if (i > 0 && errno != ENOENT && errno != ENOTDIR)
			break;
	}
	i = errno;
	close(fd);
	errno = i;
	return -1;
}

/* The absolute directory of CTLPATH: the switch resolves our socket name from its own cwd. */
static int
vde_switch_dir(const char *ctlpath, char *dir, size_t dirlen)
{
	char tmp[VDE_CTLPATH_MAX], *slash;

	snprintf(tmp, sizeof(tmp), "%s", ctlpath);
	slash = strrchr(tmp, '/');
	if (!slash)
		strcpy(tmp, ".");
	else if (slash == tmp)
		tmp[1] = '\0';
	else
		*slash = '\0';
	if (tmp[0] == '/') {
		snprintf(dir, dirlen, "%s", tmp);
		return 0;
	}
	if (dirlen < PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return realpath(tmp, dir) ? 0 : -1;
}

/*
 * Bind DATA to a fresh name: first in the switch directory (so the switch can reach it with
 * the directory's permissions), then in the usual fallbacks.
 */
static int
vde_bind_data(int data, const char *swdir, char *local, size_t locallen)
{
	static unsigned int seq;
	const char *dirs[] = {swdir, "/var/run", "/var/tmp", "/tmp"};
	struct sockaddr_un sun;
	size_t i;
	int tries;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		for (tries = 0; tries < 1000; tries++) {
			unsigned int s = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED);

			snprintf(local, locallen, i == 0 ? "%s/.%05d-%05u" : "%s/vde.%05d-%05u",
				 dirs[i], (int)getpid(), s % 100000);
			if (vdeplug_sun(&sun, local, "") < 0)
				break;
			if (bind(data, (struct sockaddr *)&sun, sizeof(sun)) == 0)
				return 0;
			if (errno != EADDRINUSE)
				break;
		}
	}
	local[0] = '\0';
	return -1;
}

/*
 * Permissions of our data socket. Never world-accessible. With a group: chown to it and give
 * the group access. Without: keep the mode, unless the switch belongs to another non-root user
 * and we can chown the socket to the group of its ctl socket, then the group gets access too.
 * Otherwise the switch must run as root (or as us) to reach us, and it refuses us if not.
 */
static int
vde_set_perm(const char *local, const char *ctlpath, const struct vdeplug_params *p)
{
	mode_t mode = p->mode & 0770;
	struct stat st;
	gid_t gid;

	if (mode == 0)
		mode = 0700;
	if (p->group) {
		if (vdeplug_group(p->group, &gid) < 0 || chown(local, (uid_t)-1, gid) < 0)
			return -1;
		if ((mode & 0070) == 0)
			mode |= 0060;
	} else if ((mode & 0070) == 0 && stat(ctlpath, &st) == 0 && st.st_uid != geteuid() &&
		   st.st_uid != 0) {
		if (chown(local, (uid_t)-1, st.st_gid) == 0)
			mode |= 0060;
	}
	return chmod(local, mode);
}

/* "<descr> user=<name> PID=<pid>[ SSH=<ip>]", at most VDE_DESCR_MAX bytes. */
static size_t
vde_descr(char *out, const char *descr)
{
	char user[64], buf[VDE_DESCR_MAX * 2], ssh[64] = "", pwbuf[1024];
	struct passwd pw, *res = NULL;
	const char *env = getenv("SSH_CLIENT");
	size_t n;

	if (getpwuid_r(geteuid(), &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res)
		snprintf(user, sizeof(user), "%s", res->pw_name);
	else
		snprintf(user, sizeof(user), "%u", (unsigned)geteuid());
	if (env && *env) {
		n = strcspn(env, " ");
		if (n >= sizeof(ssh) - 5)
			n = sizeof(ssh) - 6;
		snprintf(ssh, sizeof(ssh), " SSH=%.*s", (int)n, env);
	}
	snprintf(buf, sizeof(buf), "%s user=%s PID=%d%s", descr, user, (int)getpid(), ssh);
	n = strlen(buf);
	if (n > VDE_DESCR_MAX)
		n = VDE_DESCR_MAX;
	memcpy(out, buf, n);
	return n;
}

/*
 * Read the switch's sockaddr_un reply within the timeout. EOF means refused (HEAD switches
 * close on a bad port); silence means refused too (Debian's 2.3.2 leaves us hanging).
 */
/* VDEPLUG_TIMEOUT: the reply timeout in seconds (1 to 3600), else the default. */
static long
vde_reply_timeout_ms(void)
{
	const char *s = getenv("VDEPLUG_TIMEOUT");
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return VDE_REPLY_TIMEOUT_MS;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > 3600)
		return VDE_REPLY_TIMEOUT_MS;
	return v * 1000;
}

struct reply_fds {
	const struct vdeplug_shm *shm;
	int *shm_ok;
};

/* A descriptor of the reply: *SHM_OK is set if it is our memfd; closed either way. */
static void
vde_reply_fd(void *arg, int fd)
{
	struct reply_fds *r = arg;

	if (r->shm && vdeplug_shm_is_ours(r->shm, fd))
		*r->shm_ok = 1;
	close(fd);
}

static int
vde_read_reply(int ctl, struct sockaddr_un *reply, const struct vdeplug_shm *shm, int *shm_ok)
{
	long deadline = vdeplug_now_ms() + vde_reply_timeout_ms();
	char *p = (char *)reply;
	size_t got = 0;

	*shm_ok = 0;

	while (got < sizeof(*reply)) {
		struct pollfd pfd = {.fd = ctl, .events = POLLIN};
		long left = deadline - vdeplug_now_ms();
		ssize_t n;
		int r;

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		{
			union shmbell_cbuf cbuf;
			struct reply_fds rf = { shm, shm_ok };
			struct iovec iov = { p + got, sizeof(*reply) - got };
			struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
					     .msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf) };

			n = recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC);
			if (n >= 0)
				shmbell_fds_each(&mh, vde_reply_fd, &rf);
		}
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ECONNREFUSED; /* bad or busy port, access denied: no reason given */
			return -1;
		}
		got += (size_t)n;
	}
	if (reply->sun_family != AF_UNIX) {
		errno = EPROTO;
		return -1;
	}
	reply->sun_path[sizeof(reply->sun_path) - 1] = '\0';
	return 0;
}

/* Sends the request in one piece, with the shared-memory offer attached if there is one. */
static int
vde_send_request(int ctl, const struct vde_request *req, size_t len,
		 const struct vdeplug_shm *shm)
{
	union shmbell_cbuf cbuf;
	struct iovec iov = { (void *)req, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (shm) {
		int fds[VDEPLUG_SHM_NFDS], nfds = vdeplug_shm_fds(shm, fds);

		shmbell_fds_attach(&mh, &cbuf, fds, nfds);
	}
	while ((n = sendmsg(ctl, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)len) {
		if (n >= 0)
			errno = EPROTO;
		return -1;
	}
	return 0;
}

/* The request on the control stream, and the switch's reply; PORT as in vdeplug_params. */
static int
vde_handshake(struct vde_conn *c, int port, const struct vdeplug_params *p)
{
	struct vde_request req;
	struct sockaddr_un reply, sun;
	size_t dlen, len;
	int shm_ok;

	memset(&req, 0, sizeof(req));
	req.magic = VDE_SWITCH_MAGIC;
	req.version = VDE_REQ_VERSION;
	if (port == VNL_PORT_MGMT)
		req.type = VDE_REQ_NEW_PORT0;
	else
		req.type = VDE_REQ_NEW_CONTROL + (port << 8);
	if (vdeplug_sun(&sun, c->local, "") < 0)
		return -1;
	memcpy(&req.sock, &sun, sizeof(sun));
	dlen = vde_descr(req.descr, p->descr);
	len = sizeof(req) - sizeof(req.descr) + dlen;
	if (vde_send_request(c->ctl, &req, len, c->shm) < 0)
		return -1;
	if (c->shm)
		vdeplug_shm_offered(c->shm);
	if (vde_read_reply(c->ctl, &reply, c->shm, &shm_ok) < 0)
		return -1;
	if (shm_ok) {
		/* frames go through the rings: the datagram socket is not needed */
		vdeplug_dgram_close(c->data, c->local);
		c->data = -1;
		c->local[0] = '\0';
		return 0;
	}
	vdeplug_shm_free(c->shm);
	c->shm = NULL;
	if (connect(c->data, (struct sockaddr *)&reply, sizeof(reply)) < 0)
		return -1;
	vdeplug_dgram_bufs(c->data);
	return 0;
}

static VDECONN *
vde_open_switch(const struct vnl *vnl, const struct vdeplug_params *p)
{
	char ctlpath[VDE_CTLPATH_MAX], swdir[VDE_CTLPATH_MAX];
	struct vde_conn *c;
	int err, via_group = 0;

	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->base.ops = &vdeplug_vde;
	c->data = -1;
	c->ctl = vde_connect_ctl(vnl->path, vnl->portgroup, ctlpath, sizeof(ctlpath), &via_group);
	if (c->ctl < 0)
		goto fail;
	if (vde_switch_dir(ctlpath, swdir, sizeof(swdir)) < 0)
		goto fail;
	c->data = vdeplug_dgram_open();
	if (c->data < 0)
		goto fail;
	if (vde_bind_data(c->data, swdir, c->local, sizeof(c->local)) < 0)
		goto fail;
	if (vde_set_perm(c->local, ctlpath, p) < 0)
		goto fail;
	c->shm = vdeplug_shm_new();
	/* a port group's socket picks the port itself, as with vdeplug4 */
	if (vde_handshake(c, via_group ? VNL_PORT_ANY : p->port, p) < 0)
		goto fail;
	return &c->base;
fail:
	err = errno;
	if (c->ctl >= 0)
		close(c->ctl);
	vdeplug_dgram_close(c->data, c->local);
	vdeplug_shm_free(c->shm);
	free(c);
	errno = err;
	return NULL;
}

static ssize_t
vde_recv_frame(VDECONN *conn, void *buf, size_t len, int flags)
{
	struct vde_conn *c = (struct vde_conn *)conn;

	if (c->shm)
		return vdeplug_shm_recv(c->shm, c->ctl, buf, len, flags);
	return recv(c->data, buf, len, flags);
}

/* One datagram per frame; a full switch queue is handled by vdeplug_send (vdeplug.c). */
static ssize_t
vde_send_frame(VDECONN *conn, const void *buf, size_t len, int flags)
{
	struct vde_conn *c = (struct vde_conn *)conn;

	if (c->shm)
		return vdeplug_shm_send(c->shm, c->ctl, buf, len, flags);
	return vdeplug_send(c->data, buf, len, flags, NULL, 0);
}

static int
vde_datafd_get(VDECONN *conn)
{
	struct vde_conn *c = (struct vde_conn *)conn;

	return c->shm ? vdeplug_shm_datafd(c->shm) : c->data;
}

static int
vde_ctlfd_get(VDECONN *conn)
{
	return ((struct vde_conn *)conn)->ctl;
}

static int
vde_close_conn(VDECONN *conn)
{
	struct vde_conn *c = (struct vde_conn *)conn;

	close(c->ctl);
	vdeplug_dgram_close(c->data, c->local);
	vdeplug_shm_free(c->shm);
	free(c);
	return 0;
}

const struct vdeplug_transport vdeplug_vde = {
	.name = "vde",
	.open = vde_open_switch,
	.recv = vde_recv_frame,
	.send = vde_send_frame,
	.datafd = vde_datafd_get,
	.ctlfd = vde_ctlfd_get,
	.close = vde_close_conn,
};
