/*
 * The switch's side of a shared-memory endpoint (libvdeplug/shmring.h): the client's sealed
 * memfd mapped, its doorbells checked (stream sockets, used with MSG_DONTWAIT only). The client is not trusted: the mapping cannot shrink
 * under us (F_SEAL_SHRINK required), descriptors must be what they claim to be, and a ring
 * that breaks the protocol ends the endpoint (SHMRING_CORRUPT).
 */
#ifndef VDE_SHMEP_H
#define VDE_SHMEP_H

#include <stddef.h>

#include "shmring.h"

#define SHMEP_NFDS (1 + SHM_NEFD)

struct shmep;

/*
 * Takes an offer: FDS[0] the memfd, then the doorbells in enum shm_efd order. On success the
 * descriptors belong to the endpoint; on failure (NULL, *WHY says why) they are still the
 * caller's.
 */
struct shmep *shmep_new(const int *fds, int nfds, const char **why);
/* Unmaps and closes every descriptor (the data descriptor included). */
void shmep_free(struct shmep *s);
int shmep_memfd(const struct shmep *s);
/* Readable when the client has sent frames (the endpoint's datafd). */
int shmep_datafd(const struct shmep *s);
/* Ours alone: readable when shmep_rx_again asked for another round (watch it like datafd). */
int shmep_selffd(const struct shmep *s);
/* Readable when the client made room after shmep_want_space. */
int shmep_spacefd(const struct shmep *s);

/* Receiving: clear the data doorbell (-1: the client closed it, which ends the endpoint like
 * SHMRING_CORRUPT does), then pop until SHMRING_EMPTY. shmep_rx_again makes the data
 * descriptor readable again (frames left for the next round). */
int shmep_rx_clear(struct shmep *s);
int shmep_pop(struct shmep *s, void *buf, size_t cap, size_t *len);
int shmep_rx_more(struct shmep *s);
void shmep_rx_again(struct shmep *s);

/* Sending: push frames, then shmep_tx_done wakes the client if it may sleep. */
int shmep_push(struct shmep *s, const void *frame, size_t len);
void shmep_tx_done(struct shmep *s);
/* After SHMRING_FULL: asks for a kick on shmep_spacefd; 1 if room appeared meanwhile. */
int shmep_want_space(struct shmep *s);
/* -1 if the client closed the space doorbell. */
int shmep_space_clear(struct shmep *s);

#endif
