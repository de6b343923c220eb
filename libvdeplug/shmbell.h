/*
 * The descriptor side of the shared-memory data path (shmring.h has the memory side), shared
 * by the library, the switch and the test clients: doorbells (AF_UNIX stream sockets, used
 * with MSG_DONTWAIT only, so no peer can make the other side block on one) and the SCM_RIGHTS
 * descriptors an offer and its answer carry.
 */
#ifndef VDE_SHMBELL_H
#define VDE_SHMBELL_H

#include <sys/socket.h>

/* Rings a doorbell: one byte; a full doorbell is rung already. */
void shmbell_ring(int fd);
/* Clears a doorbell (reads what is pending, never waits): 1 if it had rung, 0 if not, -1 if
 * its far end is closed. */
int shmbell_clear(int fd);

/* Descriptors one message carries at most (an offer has 5). */
#define SHMBELL_MAXFDS 8

/* Control buffer for SHMBELL_MAXFDS descriptors, aligned for cmsghdr. */
union shmbell_cbuf {
	struct cmsghdr align;
	char buf[CMSG_SPACE(SHMBELL_MAXFDS * sizeof(int))];
};

/* Attaches FDS[0..N) (N <= SHMBELL_MAXFDS) to MH as one SCM_RIGHTS message held in CBUF. */
void shmbell_fds_attach(struct msghdr *mh, union shmbell_cbuf *cbuf, const int *fds, int n);
/* Hands each descriptor MH carries to TAKE, which then owns it. */
void shmbell_fds_each(struct msghdr *mh, void (*take)(void *arg, int fd), void *arg);

#endif
