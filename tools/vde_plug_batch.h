/*
 * vde_plug's batched datagram I/O: when a network's data descriptor is a connected datagram
 * socket (vde://, ptp:// once joined), frames are received with one recvmmsg and sent with one
 * sendmmsg per batch instead of one call per frame. Frames to send wait in a growable queue,
 * stored in the stream encoding (2-byte big-endian length + frame), until the socket takes them.
 */
#ifndef VDE_PLUG_BATCH_H
#define VDE_PLUG_BATCH_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define BATCH_MAX 64 /* datagrams per recvmmsg / sendmmsg */

struct batch_tx {
	unsigned char *buf; /* pending frames are buf[head, used), each length-prefixed */
	size_t head, used, cap;
	size_t frames; /* how many are pending */
	struct mmsghdr msgs[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
};

struct batch_rx {
	struct mmsghdr msgs[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
};

/* 1 if fd is a datagram socket with a peer (sendmmsg needs no address), else 0. */
int batch_usable(int fd);

/*
 * Receives up to max (<= BATCH_MAX) datagrams without waiting; datagram i goes to
 * base + i * stride (at most len bytes) and its length to lens[i]. Returns the count (0 if none
 * was waiting), or -1 with errno from the first receive.
 */
int batch_recv(struct batch_rx *b, int fd, unsigned char *base, size_t stride, size_t len,
	       unsigned max, size_t *lens);

void batch_tx_init(struct batch_tx *b);
void batch_tx_fini(struct batch_tx *b);
/* Queues a copy of a frame of 1..65535 bytes; -1 with ENOMEM if the queue cannot grow. */
int batch_tx_add(struct batch_tx *b, const void *frame, size_t len);
/*
 * Sends the oldest pending frames, up to BATCH_MAX, with one sendmmsg without waiting. Returns
 * how many the socket took, or -1 with errno (EAGAIN: full, nothing sent). batch_tx_drop
 * discards the oldest pending frame (the one a send error was about) and returns its length.
 */
int batch_tx_send(struct batch_tx *b, int fd);
size_t batch_tx_drop(struct batch_tx *b);

static inline size_t
batch_tx_pending(const struct batch_tx *b)
{
	return b->frames;
}

#endif
