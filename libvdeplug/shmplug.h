/*
 * Client side of the shared-memory data path between our libvdeplug and our vde_switch
 * (shmring.h has the protocol). Internal to the library.
 */
#ifndef VDEPLUG_SHMPLUG_H
#define VDEPLUG_SHMPLUG_H

#include <sys/types.h>

#include "shmring.h"

struct vdeplug_shm;

/* A fresh offer, or NULL (VDEPLUG_SHM=0, no memory, no memfd): then datagrams only. */
struct vdeplug_shm *vdeplug_shm_new(void);
void vdeplug_shm_free(struct vdeplug_shm *s);
/* The descriptors to pass with the request (memfd, then the switch's doorbell ends). */
#define VDEPLUG_SHM_NFDS (1 + SHM_NEFD)
int vdeplug_shm_fds(const struct vdeplug_shm *s, int *fds);
/* Once the request is sent: closes our copies of the switch's doorbell ends. */
void vdeplug_shm_offered(struct vdeplug_shm *s);
/* 1 if FD (from the switch's reply) is our memfd: the switch took the offer. */
int vdeplug_shm_is_ours(const struct vdeplug_shm *s, int fd);
/* Readable while frames wait. */
int vdeplug_shm_datafd(const struct vdeplug_shm *s);
/*
 * Like vde_send/vde_recv on the datagram path; CTL is the control stream (its end means the
 * switch is gone: ECONNRESET). recv may fail with EAGAIN after a stale wake-up even without
 * MSG_DONTWAIT, as a non-blocking socket would; corrupt rings give EPROTO.
 */
ssize_t vdeplug_shm_send(struct vdeplug_shm *s, int ctl, const void *buf, size_t len, int flags);
ssize_t vdeplug_shm_recv(struct vdeplug_shm *s, int ctl, void *buf, size_t len, int flags);

#endif
