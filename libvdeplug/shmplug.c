/*
 * The client side of the shared-memory data path (shmring.h): the offer (a sealed memfd with
 * both rings and four socketpair doorbells), and send/recv with the same semantics as the datagram path:
 * a send waits up to VDEPLUG_SEND_RETRY_MS for room, a receive blocks unless MSG_DONTWAIT, and
 * the data descriptor is readable exactly while frames wait (so poll-then-recv loops work).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shmbell.h"
#include "shmplug.h"
#include "vdeplug.h"

struct vdeplug_shm {
	int memfd;
	int efd[SHM_NEFD];  /* our ends of the doorbells */
	int peer[SHM_NEFD]; /* the switch's ends, until the offer is made; we keep that of
			     * S2C_DATA to ring our own data descriptor */
	void *map;
	size_t maplen;
	struct shmring tx, rx; /* client -> switch, switch -> client */
};

/* VDEPLUG_SHM=0 keeps every connection on datagrams. */
static int
shm_wanted(void)
{
	const char *s = getenv("VDEPLUG_SHM");

	return s == NULL || strcmp(s, "0") != 0;
}

void
vdeplug_shm_free(struct vdeplug_shm *s)
{
	int err = errno;

	if (s == NULL)
		return;
	if (s->map && s->map != MAP_FAILED)
		munmap(s->map, s->maplen);
	if (s->memfd >= 0)
		close(s->memfd);
	for (int i = 0; i < SHM_NEFD; i++) {
		if (s->efd[i] >= 0)
			close(s->efd[i]);
		if (s->peer[i] >= 0)
			close(s->peer[i]);
	}
	free(s);
	errno = err;
}

void
vdeplug_shm_offered(struct vdeplug_shm *s)
{
	for (int i = 0; i < SHM_NEFD; i++)
		if (i != SHM_EFD_S2C_DATA) {
			close(s->peer[i]);
			s->peer[i] = -1;
		}
}

struct vdeplug_shm *
vdeplug_shm_new(void)
{
	struct vdeplug_shm *s;

	if (!shm_wanted() || (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->memfd = -1;
	for (int i = 0; i < SHM_NEFD; i++)
		s->efd[i] = s->peer[i] = -1;
	s->maplen = shmring_mapsize(SHMRING_SIZE);
	s->memfd = memfd_create("vdeplug-shm", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (s->memfd < 0 || ftruncate(s->memfd, (off_t)s->maplen) < 0)
		goto fail;
	s->map = mmap(NULL, s->maplen, PROT_READ | PROT_WRITE, MAP_SHARED, s->memfd, 0);
	if (s->map == MAP_FAILED)
		goto fail;
	shmring_format(s->map, SHMRING_SIZE);
	if (shmring_attach(s->map, s->maplen, &s->tx, &s->rx) < 0)
		goto fail;
	/* the switch maps it: its size must never change under it */
	if (fcntl(s->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		goto fail;
	for (int i = 0; i < SHM_NEFD; i++) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
			goto fail;
		s->efd[i] = sv[0];
		s->peer[i] = sv[1];
	}
	return s;
fail:
	vdeplug_shm_free(s);
	return NULL;
}

int
vdeplug_shm_fds(const struct vdeplug_shm *s, int *fds)
{
	fds[0] = s->memfd;
	for (int i = 0; i < SHM_NEFD; i++)
		fds[1 + i] = s->peer[i];
	return 1 + SHM_NEFD;
}

int
vdeplug_shm_is_ours(const struct vdeplug_shm *s, int fd)
{
	struct stat a, b;

	return fstat(s->memfd, &a) == 0 && fstat(fd, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

int
vdeplug_shm_datafd(const struct vdeplug_shm *s)
{
	return s->efd[SHM_EFD_S2C_DATA];
}

/* Waits for FD; 1 ready, 0 not yet, -1 (ECONNRESET) when the control stream says anything:
 * the switch writes nothing there after its reply, so news is its end. */
static int
shm_wait(int fd, int ctl, int timeout_ms)
{
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = ctl, .events = POLLIN } };
	int r;

	r = poll(p, ctl >= 0 ? 2 : 1, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : -1;
	if (r > 0 && ctl >= 0 && p[1].revents) {
		errno = ECONNRESET;
		return -1;
	}
	return (p[0].revents & POLLIN) ? 1 : 0;
}

ssize_t
vdeplug_shm_send(struct vdeplug_shm *s, int ctl, const void *buf, size_t len, int flags)
{
	long deadline = vdeplug_now_ms() + VDEPLUG_SEND_RETRY_MS;
	int kick;

	if (len == 0)
		return 0;
	if (len > SHMRING_MAXFRAME) {
		errno = EMSGSIZE;
		return -1;
	}
	for (;;) {
		long left;

		switch (shmring_push(&s->tx, buf, len, &kick)) {
		case SHMRING_OK:
			if (kick)
				shmbell_ring(s->efd[SHM_EFD_C2S_DATA]);
			return (ssize_t)len;
		case SHMRING_FULL:
			break;
		default:
			errno = EPROTO;
			return -1;
		}
		if (flags & MSG_DONTWAIT) {
			errno = EAGAIN;
			return -1;
		}
		if (shmring_want_space(&s->tx, len))
			continue;
		left = deadline - vdeplug_now_ms();
		if (left <= 0) {
			errno = EAGAIN;
			return -1;
		}
		if (shm_wait(s->efd[SHM_EFD_C2S_SPACE], ctl, (int)left) < 0)
			return -1;
		shmbell_clear(s->efd[SHM_EFD_C2S_SPACE]);
	}
}

ssize_t
vdeplug_shm_recv(struct vdeplug_shm *s, int ctl, void *buf, size_t len, int flags)
{
	int datafd = s->efd[SHM_EFD_S2C_DATA], cleared = 0;

	for (;;) {
		size_t got;
		int kick, r = shmring_pop(&s->rx, buf, len, &got, &kick);

		if (r == SHMRING_OK) {
			if (kick)
				shmbell_ring(s->efd[SHM_EFD_S2C_SPACE]);
			/*
			 * The data descriptor is readable exactly while frames wait. Empty now:
			 * clear it, and look again (a frame may have come just before the clear
			 * took its ring: ring our own doorbell through its far end). Not empty,
			 * but this call cleared the doorbell on its way: ring it again, or those
			 * frames would wait for the next one.
			 */
			if (!shmring_readable(&s->rx)) {
				shmbell_clear(datafd);
				if (shmring_readable(&s->rx))
					shmbell_ring(s->peer[SHM_EFD_S2C_DATA]);
			} else if (cleared) {
				shmbell_ring(s->peer[SHM_EFD_S2C_DATA]);
			}
			return (ssize_t)(got < len ? got : len);
		}
		if (r != SHMRING_EMPTY) {
			errno = EPROTO;
			return -1;
		}
		/* Empty, yet the caller was told there was data (a stale wake-up): say so rather
		 * than block a poll loop. A caller that just blocks waits for the next frame. */
		if (shmbell_clear(datafd) > 0) {
			cleared = 1;
			if (!shmring_readable(&s->rx)) {
				errno = EAGAIN;
				return -1;
			}
		}
		if (shmring_readable(&s->rx))
			continue;
		if (flags & MSG_DONTWAIT) {
			errno = EAGAIN;
			return -1;
		}
		if (shm_wait(datafd, ctl, -1) < 0)
			return -1;
	}
}
