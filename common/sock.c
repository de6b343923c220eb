/*
 * Unix socket helpers. Every descriptor is created with SOCK_CLOEXEC. Listening on a path that
 * already exists probes it first: a socket nobody answers on (ECONNREFUSED) is stale and is
 * replaced, a live one is left alone and reported as EADDRINUSE.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sock.h"

int
sock_set_nonblock(int fd)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) < 0)
		return -1;
	if (fl & O_NONBLOCK)
		return 0;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -1 : 0;
}

int
sock_set_cloexec(int fd)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFD)) < 0)
		return -1;
	if (fl & FD_CLOEXEC)
		return 0;
	return fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0 ? -1 : 0;
}

static int
sock_unix_addr(struct sockaddr_un *sun, const char *path)
{
	size_t n = strlen(path);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof(sun->sun_path)) {
		errno = n ? ENAMETOOLONG : EINVAL;
		return -1;
	}
	memcpy(sun->sun_path, path, n);
	return 0;
}

/* Decides whether the socket file at path is stale: 1 stale, 0 live, -1 error (errno). */
static int
sock_unix_stale(const struct sockaddr_un *sun, int type)
{
	struct stat st;
	int fd, r, saved;

	if (lstat(sun->sun_path, &st) < 0)
		return -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EADDRINUSE;
		return -1;
	}
	if ((fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		return -1;
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	saved = errno;
	close(fd);
	if (r == 0 || saved == EAGAIN || saved == EINPROGRESS)
		return 0;
	if (saved == ECONNREFUSED)
		return 1;
	if (saved == EPROTOTYPE) /* a live socket of another type: not ours to remove */
		return 0;
	errno = saved;
	return -1;
}

int
sock_unix_listen(const char *path, int type, int backlog, mode_t mode)
{
	struct sockaddr_un sun;
	int fd, stale, saved;

	if (sock_unix_addr(&sun, path) < 0)
		return -1;
	if ((fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (errno != EADDRINUSE)
			goto fail;
		if ((stale = sock_unix_stale(&sun, type)) < 0)
			goto fail;
		if (!stale) {
			errno = EADDRINUSE;
			goto fail;
		}
		if (unlink(path) < 0 && errno != ENOENT)
			goto fail;
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			goto fail;
	}
	if (mode != 0 && chmod(path, mode) < 0)
		goto fail_unlink;
	if ((type == SOCK_STREAM || type == SOCK_SEQPACKET) && listen(fd, backlog) < 0)
		goto fail_unlink;
	return fd;

fail_unlink:
	saved = errno;
	unlink(path);
	errno = saved;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
sock_unix_connect(const char *path, int type)
{
	struct sockaddr_un sun;
	int fd, saved;

	if (sock_unix_addr(&sun, path) < 0)
		return -1;
	if ((fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
sock_peercred(int fd, pid_t *pid, uid_t *uid, gid_t *gid)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return -1;
	if (pid)
		*pid = cr.pid;
	if (uid)
		*uid = cr.uid;
	if (gid)
		*gid = cr.gid;
	return 0;
}

int
sock_write_all(int fd, const void *buf, size_t len, int timeout_ms)
{
	const char *p = buf;
	struct pollfd pfd;
	struct timespec ts;
	int64_t deadline = 0, left;
	ssize_t w;
	int r;

	if (timeout_ms >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		deadline = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + timeout_ms;
	}

	while (len > 0) {
		w = write(fd, p, len);
		if (w >= 0) {
			p += w;
			len -= (size_t)w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		left = -1;
		if (timeout_ms >= 0) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			left = deadline - ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
			if (left <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno != EINTR)
			return -1;
	}
	return 0;
}
