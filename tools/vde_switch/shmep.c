/*
 * Shared-memory endpoints: checking and mapping a client's offer, and the eventfd side of the
 * ring protocol (the rings themselves are libvdeplug/shmring.c, shared with the library).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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
};

/* 1 if FD is an eventfd (a pipe or a tty could block the switch on read). */
static int
is_eventfd(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;
	link[n] = '\0';
	return strcmp(link, "anon_inode:[eventfd]") == 0 &&
	       (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0;
}

struct shmep *
shmep_new(const int *fds, int nfds, const char **why)
{
	struct shmep *s;
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
	if (st.st_size < (off_t)SHMRING_DATA_OFF || (size_t)st.st_size > SHMEP_MAXMAP) {
		*why = "bad shared memory size";
		return NULL;
	}
	for (int i = 1; i < nfds; i++)
		if (!is_eventfd(fds[i])) {
			*why = "not a non-blocking eventfd";
			return NULL;
		}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	s->maplen = (size_t)st.st_size;
	s->map = mmap(NULL, s->maplen, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], 0);
	if (s->map == MAP_FAILED) {
		free(s);
		*why = "cannot map the shared memory";
		return NULL;
	}
	if (shmring_attach(s->map, s->maplen, &s->rx, &s->tx) < 0) {
		munmap(s->map, s->maplen);
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
shmep_spacefd(const struct shmep *s)
{
	return s->efd[SHM_EFD_S2C_SPACE];
}

static void
efd_kick(int fd)
{
	uint64_t one = 1;

	while (write(fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void
efd_clear(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
}

void
shmep_rx_clear(struct shmep *s)
{
	efd_clear(s->efd[SHM_EFD_C2S_DATA]);
}

int
shmep_pop(struct shmep *s, void *buf, size_t cap, size_t *len)
{
	int kick, r = shmring_pop(&s->rx, buf, cap, len, &kick);

	if (kick)
		efd_kick(s->efd[SHM_EFD_C2S_SPACE]);
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
	efd_kick(s->efd[SHM_EFD_C2S_DATA]);
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
		efd_kick(s->efd[SHM_EFD_S2C_DATA]);
	}
}

int
shmep_want_space(struct shmep *s)
{
	return shmring_want_space(&s->tx, SHMRING_MAXFRAME);
}

void
shmep_space_clear(struct shmep *s)
{
	efd_clear(s->efd[SHM_EFD_S2C_SPACE]);
}
