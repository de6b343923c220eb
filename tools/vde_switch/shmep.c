/*
 * Shared-memory endpoints: checking and mapping a client's offer, and the doorbell side of the
 * ring protocol (the rings themselves are libvdeplug/shmring.c, shared with the library).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "shmbell.h"
#include "shmep.h"

/* A client cannot make us map more than this. */
#define SHMEP_MAXMAP ((size_t)256 << 20)

struct shmep {
	int memfd;
	int efd[SHM_NEFD];
	void *map;
	size_t maplen;
	struct shmring rx, tx; /* client -> switch, switch -> client */
	int txkick;            /* a push found the ring empty: wake the client */
	int selffd;            /* our own eventfd: frames left for the next round (never shared) */
	int again;             /* selffd was written */
};

/* 1 if FD is an AF_UNIX stream socket: a doorbell. Sockets take MSG_DONTWAIT per call, so the
 * client cannot make us block by changing the flags of the file (a pipe or an eventfd could). */
static int
is_doorbell(int fd)
{
	int v;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) < 0 || v != AF_UNIX)
		return 0;
	len = sizeof(v);
	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_STREAM;
}

struct shmep *
shmep_new(const int *fds, int nfds, const char **why)
{
	struct shmep *s;
	struct statfs sfs;
	struct stat st;
	int seals;

	if (nfds != SHMEP_NFDS) {
		*why = nfds < 0 ? "descriptors beyond an offer (all closed)" :
				  "wrong number of descriptors";
		return NULL;
	}
	seals = fcntl(fds[0], F_GET_SEALS);
	if (fstat(fds[0], &st) < 0 || !S_ISREG(st.st_mode) || seals < 0 ||
	    !(seals & F_SEAL_SHRINK) || (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))) {
		*why = "not a memfd sealed against shrinking";
		return NULL;
	}
	/* hugetlbfs pages may be missing when we touch them: SIGBUS */
	if (fstatfs(fds[0], &sfs) < 0 || sfs.f_type != TMPFS_MAGIC) {
		*why = "shared memory not on tmpfs";
		return NULL;
	}
	if (st.st_size < (off_t)SHMRING_DATA_OFF || (size_t)st.st_size > SHMEP_MAXMAP) {
		*why = "bad shared memory size";
		return NULL;
	}
	for (int i = 1; i < nfds; i++)
		if (!is_doorbell(fds[i])) {
			*why = "a doorbell is not a unix stream socket";
			return NULL;
		}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	if ((s->selffd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		free(s);
		*why = "no eventfd";
		return NULL;
	}
	s->maplen = (size_t)st.st_size;
	s->map = mmap(NULL, s->maplen, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], 0);
	if (s->map == MAP_FAILED) {
		close(s->selffd);
		free(s);
		*why = "cannot map the shared memory";
		return NULL;
	}
	if (shmring_attach(s->map, s->maplen, &s->rx, &s->tx) < 0) {
		munmap(s->map, s->maplen);
		close(s->selffd);
		free(s);
		*why = "bad shared memory header";
		return NULL;
	}
	s->memfd = fds[0];
	for (int i = 0; i < SHM_NEFD; i++)
		s->efd[i] = fds[1 + i];
	return s;
}

void
shmep_free(struct shmep *s)
{
	if (s == NULL)
		return;
	munmap(s->map, s->maplen);
	close(s->memfd);
	close(s->selffd);
	for (int i = 0; i < SHM_NEFD; i++)
		close(s->efd[i]);
	free(s);
}

int
shmep_memfd(const struct shmep *s)
{
	return s->memfd;
}

int
shmep_datafd(const struct shmep *s)
{
	return s->efd[SHM_EFD_C2S_DATA];
}

int
shmep_selffd(const struct shmep *s)
{
	return s->selffd;
}

int
shmep_spacefd(const struct shmep *s)
{
	return s->efd[SHM_EFD_S2C_SPACE];
}

int
shmep_rx_clear(struct shmep *s)
{
	if (s->again) {
		uint64_t v;

		s->again = 0;
		while (read(s->selffd, &v, sizeof(v)) < 0 && errno == EINTR)
			;
	}
	return shmbell_clear(s->efd[SHM_EFD_C2S_DATA]);
}

int
shmep_pop(struct shmep *s, void *buf, size_t cap, size_t *len)
{
	int kick, r = shmring_pop(&s->rx, buf, cap, len, &kick);

	if (kick)
		shmbell_ring(s->efd[SHM_EFD_C2S_SPACE]);
	return r;
}

int
shmep_rx_more(struct shmep *s)
{
	return shmring_readable(&s->rx);
}

void
shmep_rx_again(struct shmep *s)
{
	uint64_t one = 1;

	s->again = 1;
	while (write(s->selffd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

int
shmep_push(struct shmep *s, const void *frame, size_t len)
{
	int kick, r = shmring_push(&s->tx, frame, len, &kick);

	s->txkick |= kick;
	return r;
}

void
shmep_tx_done(struct shmep *s)
{
	if (s->txkick) {
		s->txkick = 0;
		shmbell_ring(s->efd[SHM_EFD_S2C_DATA]);
	}
}

int
shmep_want_space(struct shmep *s)
{
	return shmring_want_space(&s->tx, SHMRING_MAXFRAME);
}

int
shmep_space_clear(struct shmep *s)
{
	return shmbell_clear(s->efd[SHM_EFD_S2C_SPACE]);
}
