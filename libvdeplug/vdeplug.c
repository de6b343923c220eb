/*
 * libvdeplug entry points: parse the locator, resolve the default switch, merge open_args and
 * dispatch to a transport through its ops. The other five calls just forward to the ops.
 * Unknown schemes fail with EPROTONOSUPPORT; no module is ever loaded from disk.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vdeplug.h"

#define VDE_EXPORT __attribute__((visibility("default")))
#define VDEPLUG_INDIRECTIONS 4

static const struct vdeplug_transport *const transports[] = {
	&vdeplug_vde,
	&vdeplug_ptp,
	&vdeplug_seqpacket,
};

int
vdeplug_group(const char *group, gid_t *gid)
{
	struct group gr, *res = NULL;
	char buf[4096], *end;
	unsigned long v;

	if (getgrnam_r(group, &gr, buf, sizeof(buf), &res) == 0 && res) {
		*gid = res->gr_gid;
		return 0;
	}
	errno = 0;
	v = strtoul(group, &end, 10);
	if (errno || end == group || *end || v > 0xfffffffeUL) {
		errno = EINVAL;
		return -1;
	}
	*gid = (gid_t)v;
	return 0;
}

int
vdeplug_sun(struct sockaddr_un *sun, const char *path, const char *suffix)
{
	size_t plen = strlen(path), slen = strlen(suffix);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (plen + slen >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun->sun_path, path, plen);
	memcpy(sun->sun_path + plen, suffix, slen + 1);
	return 0;
}

int
vdeplug_dgram_open(void)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd >= 0)
		fchmod(fd, 0700);
	return fd;
}

void
vdeplug_dgram_bufs(int fd)
{
	int size = VDEPLUG_SOCKBUF;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

void
vdeplug_dgram_close(int fd, const char *local)
{
	int err = errno;

	if (fd >= 0)
		close(fd);
	if (local[0])
		unlink(local);
	errno = err;
}

long
vdeplug_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

ssize_t
vdeplug_send(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
	     socklen_t addrlen)
{
	long deadline = vdeplug_now_ms() + VDEPLUG_SEND_RETRY_MS;
	int waited = 0;

	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		ssize_t n = sendto(fd, buf, len, flags | MSG_DONTWAIT | MSG_NOSIGNAL, addr, addrlen);
		long left;

		if (n >= 0 || (flags & MSG_DONTWAIT))
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS)
			return -1;
		left = deadline - vdeplug_now_ms();
		if (left <= 0) {
			errno = EAGAIN;
			return -1;
		}
		/* poll sees a full peer queue only on connected sockets, never ENOBUFS: then nap */
		if (errno == ENOBUFS || waited)
			poll(NULL, 0, 1);
		else
			poll(&pfd, 1, (int)left);
		waited = 1;
	}
}

/* If PATH is a regular file, replace OUT with its first line (vdeplug4 indirection). */
static int
vdeplug_read_indirect(const char *path, char *out, size_t outlen)
{
	struct stat st;
	FILE *f;
	size_t n;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(out, (int)outlen, f)) {
		fclose(f);
		return 0;
	}
	fclose(f);
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	return n > 0;
}

/* The default switch: the first of the usual places that exists. */
static void
vdeplug_default(char *out, size_t outlen)
{
	const char *home = getenv("HOME");
	const char *fixed[] = {"/var/run/vde.ctl", "/tmp/vde.ctl"};
	char cand[VNL_PATH_MAX];
	size_t i;

	if (home && *home) {
		snprintf(cand, sizeof(cand), "%s/.vdeplug/default", home);
		if (access(cand, F_OK) == 0)
			goto found;
		snprintf(cand, sizeof(cand), "%s/.vde2/default.switch", home);
		if (access(cand, F_OK) == 0)
			goto found;
	}
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		snprintf(cand, sizeof(cand), "%s", fixed[i]);
		if (access(cand, F_OK) == 0)
			goto found;
	}
	snprintf(cand, sizeof(cand), "%s", "/tmp/vde.ctl");
found:
	snprintf(out, outlen, "%s", cand);
}

/* Parse LOCATOR, following the default switch and locator files (bounded). */
static int
vdeplug_resolve(const char *locator, struct vnl *vnl)
{
	char next[VNL_PATH_MAX];
	struct vnl *inner;
	int depth, r = -1;

	if (vnl_parse(locator, vnl, NULL) < 0)
		return -1;
	inner = malloc(sizeof(*inner));
	if (!inner)
		return -1;
	for (depth = 0; depth < VDEPLUG_INDIRECTIONS; depth++) {
		if (strcmp(vnl->scheme, "vde") != 0) {
			r = 0;
			goto out;
		}
		if (vnl->path[0] == '\0')
			vdeplug_default(vnl->path, sizeof(vnl->path));
		if (!vdeplug_read_indirect(vnl->path, next, sizeof(next))) {
			r = 0;
			goto out;
		}
		if (vnl_parse(next, inner, NULL) < 0)
			goto out;
		if (strcmp(inner->scheme, "vde") == 0) {
			/* options of the outer locator win over the file's */
			if (vnl->has_port) {
				inner->has_port = 1;
				inner->port = vnl->port;
				memcpy(inner->portgroup, vnl->portgroup, sizeof(inner->portgroup));
			}
			if (vnl->group[0])
				memcpy(inner->group, vnl->group, sizeof(inner->group));
			if (vnl->mode)
				inner->mode = vnl->mode;
		}
		*vnl = *inner;
	}
	errno = ELOOP;
out:
	free(inner);
	return r;
}

VDE_EXPORT VDECONN *
vde_open_real(char *vnl_str, char *descr, int interface_version, struct vde_open_args *open_args)
{
	struct vdeplug_params params = {.port = VNL_PORT_ANY, .mode = 0700, .descr = ""};
	struct vnl *vnl;
	VDECONN *conn = NULL;
	size_t i;

	if (interface_version != 1) {
		errno = EINVAL;
		return NULL;
	}
	vnl = malloc(sizeof(*vnl));
	if (!vnl)
		return NULL;
	if (vdeplug_resolve(vnl_str, vnl) < 0)
		goto out;
	if (open_args) {
		/* vdeplug4: a negative port is the management port (no longer vde2's ptp) */
		if (open_args->port > 0)
			params.port = open_args->port;
		else if (open_args->port < 0)
			params.port = VNL_PORT_MGMT;
		if (open_args->group && *open_args->group)
			params.group = open_args->group;
		if (open_args->mode & 0777)
			params.mode = open_args->mode & 0777;
	}
	if (vnl->has_port)
		params.port = vnl->port;
	if (vnl->group[0])
		params.group = vnl->group;
	if (vnl->mode)
		params.mode = vnl->mode;
	if (descr)
		params.descr = descr;
	errno = EPROTONOSUPPORT;
	for (i = 0; i < sizeof(transports) / sizeof(transports[0]); i++) {
		if (strcmp(vnl->scheme, transports[i]->name) == 0) {
			conn = transports[i]->open(vnl, &params);
			break;
		}
	}
out:
	free(vnl);
	return conn;
}

VDE_EXPORT ssize_t
vde_recv(VDECONN *conn, void *buf, size_t len, int flags)
{
	if (!conn) {
		errno = EBADF;
		return -1;
	}
	return conn->ops->recv(conn, buf, len, flags);
}

VDE_EXPORT ssize_t
vde_send(VDECONN *conn, const void *buf, size_t len, int flags)
{
	if (!conn) {
		errno = EBADF;
		return -1;
	}
	return conn->ops->send(conn, buf, len, flags);
}

VDE_EXPORT int
vde_datafd(VDECONN *conn)
{
	if (!conn) {
		errno = EBADF;
		return -1;
	}
	return conn->ops->datafd(conn);
}

VDE_EXPORT int
vde_ctlfd(VDECONN *conn)
{
	if (!conn) {
		errno = EBADF;
		return -1;
	}
	return conn->ops->ctlfd(conn);
}

VDE_EXPORT int
vde_close(VDECONN *conn)
{
	if (!conn) {
		errno = EBADF;
		return -1;
	}
	return conn->ops->close(conn);
}
