/*
 * vde_plug's batched datagram I/O (see vde_plug_batch.h). The send queue keeps frames in the
 * stream encoding so that it needs no per-frame bookkeeping: the mmsghdr batch is rebuilt from
 * the bytes at every send. It only grows while frames decoded from one stream read wait.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "vde_plug_batch.h"

#define BATCH_TX_MIN (512 * 1024)

int
batch_usable(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(int), al = sizeof(ss);
	int type;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &sl) < 0 || type != SOCK_DGRAM)
		return 0;
	return getpeername(fd, (struct sockaddr *)&ss, &al) == 0;
}

int
batch_recv(struct batch_rx *b, int fd, unsigned char *base, size_t stride, size_t len,
	   unsigned max, size_t *lens)
{
	unsigned i;
	int n;

	if (max > BATCH_MAX)
		max = BATCH_MAX;
	for (i = 0; i < max; i++) {
		b->iov[i].iov_base = base + i * stride;
		b->iov[i].iov_len = len;
		memset(&b->msgs[i].msg_hdr, 0, sizeof(b->msgs[i].msg_hdr));
		b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
		b->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	n = recvmmsg(fd, b->msgs, max, MSG_DONTWAIT, NULL);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	for (i = 0; n > 0 && i < (unsigned)n; i++)
		lens[i] = b->msgs[i].msg_len;
	return n;
}

void
batch_tx_init(struct batch_tx *b)
{
	memset(b, 0, sizeof(*b));
}

void
batch_tx_fini(struct batch_tx *b)
{
	free(b->buf);
	b->buf = NULL;
	b->head = b->used = b->cap = b->frames = 0;
}

/* Makes room for need more bytes at the end: compacts, then grows. */
static int
batch_tx_room(struct batch_tx *b, size_t need)
{
	unsigned char *nb;
	size_t cap;

	if (b->cap - b->used >= need)
		return 0;
	if (b->head > 0) {
		memmove(b->buf, b->buf + b->head, b->used - b->head);
		b->used -= b->head;
		b->head = 0;
		if (b->cap - b->used >= need)
			return 0;
	}
	cap = b->cap ? b->cap : BATCH_TX_MIN;
	while (cap - b->used < need)
		cap *= 2;
	nb = realloc(b->buf, cap);
	if (nb == NULL)
		return -1;
	b->buf = nb;
	b->cap = cap;
	return 0;
}

int
batch_tx_add(struct batch_tx *b, const void *frame, size_t len)
{
	if (len < 1 || len > 65535) {
		errno = EINVAL;
		return -1;
	}
	if (batch_tx_room(b, len + 2) < 0)
		return -1;
	b->buf[b->used] = (unsigned char)(len >> 8);
	b->buf[b->used + 1] = (unsigned char)len;
	memcpy(b->buf + b->used + 2, frame, len);
	b->used += len + 2;
	b->frames++;
	return 0;
}

/* Length of the frame whose header is at off. */
static size_t
batch_tx_len(const struct batch_tx *b, size_t off)
{
	return (size_t)b->buf[off] << 8 | b->buf[off + 1];
}

/* Forgets the n oldest frames. */
static void
batch_tx_consume(struct batch_tx *b, size_t n)
{
	while (n-- > 0 && b->frames > 0) {
		b->head += 2 + batch_tx_len(b, b->head);
		b->frames--;
	}
	if (b->frames == 0)
		b->head = b->used = 0;
}

int
batch_tx_send(struct batch_tx *b, int fd)
{
	size_t off = b->head;
	unsigned n = 0;
	int sent;

	while (n < BATCH_MAX && n < b->frames) {
		b->iov[n].iov_base = b->buf + off + 2;
		b->iov[n].iov_len = batch_tx_len(b, off);
		memset(&b->msgs[n].msg_hdr, 0, sizeof(b->msgs[n].msg_hdr));
		b->msgs[n].msg_hdr.msg_iov = &b->iov[n];
		b->msgs[n].msg_hdr.msg_iovlen = 1;
		off += 2 + b->iov[n].iov_len;
		n++;
	}
	if (n == 0)
		return 0;
	sent = sendmmsg(fd, b->msgs, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (sent < 0)
		return -1;
	batch_tx_consume(b, (size_t)sent);
	return sent;
}

size_t
batch_tx_drop(struct batch_tx *b)
{
	size_t len;

	if (b->frames == 0)
		return 0;
	len = batch_tx_len(b, b->head);
	batch_tx_consume(b, 1);
	return len;
}
