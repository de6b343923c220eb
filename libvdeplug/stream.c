/*
 * vdestream API: frames over a byte stream (vde_plug over ssh, pipes, cmd://) as a 2-byte
 * big-endian length + frame. Sending is one writev per frame, completed even across partial
 * writes; receiving goes through the pure codec in streamcodec.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/uio.h>

#include "libvdeplug.h"
#include "streamcodec.h"

#define VDE_EXPORT __attribute__((visibility("default")))

struct vdestream {
	void *opaque;
	int fdout;
	ssize_t (*frecv)(void *opaque, void *buf, size_t count);
	void (*ferr)(void *opaque, int type, char *format, ...);
	struct streamcodec *codec;
};

static void
stream_frame(void *opaque, unsigned char *frame, size_t len)
{
	struct vdestream *vs = opaque;

	vs->frecv(vs->opaque, frame, len);
}

static void
stream_garbage(void *opaque, unsigned int len)
{
	struct vdestream *vs = opaque;

	if (vs->ferr)
		vs->ferr(vs->opaque, PACKET_LENGTH_ERROR,
			 "stream out of sync (bad frame, length header %u): resynchronising", len);
}

VDE_EXPORT VDESTREAM *
vdestream_open(void *opaque, int fdout, ssize_t (*frecv)(void *opaque, void *buf, size_t count),
	       void (*ferr)(void *opaque, int type, char *format, ...))
{
	struct vdestream *vs;

	if (!frecv) {
		errno = EINVAL;
		return NULL;
	}
	vs = malloc(sizeof(*vs));
	if (!vs)
		return NULL;
	vs->opaque = opaque;
	vs->fdout = fdout;
	vs->frecv = frecv;
	vs->ferr = ferr;
	vs->codec = streamcodec_new(stream_frame, stream_garbage, vs);
	if (!vs->codec) {
		free(vs);
		return NULL;
	}
	return vs;
}

/*
 * Write the header and the frame with one writev. Once some bytes are out the rest must follow
 * (a half-written frame would desynchronise the peer), so on a non-blocking fd we wait for room.
 * Returns LEN, or -1 with errno: EINVAL for frames outside 1..65535 bytes, EAGAIN if nothing
 * could be written on a non-blocking fd, or the write error.
 */
VDE_EXPORT ssize_t
vdestream_send(VDESTREAM *vs, const void *buf, size_t len)
{
	unsigned char hdr[2];
	struct iovec iov[2];
	size_t done = 0, total = len + 2;

	if (!vs || len < 1 || len > STREAMCODEC_MAXFRAME) {
		errno = EINVAL;
		return -1;
	}
	streamcodec_header(hdr, len);
	while (done < total) {
		int n = 0;
		ssize_t w;

		if (done < 2) {
			iov[n].iov_base = hdr + done;
			iov[n++].iov_len = 2 - done;
		}
		iov[n].iov_base = (unsigned char *)buf + (done > 2 ? done - 2 : 0);
		iov[n].iov_len = len - (done > 2 ? done - 2 : 0);
		n++;
		w = writev(vs->fdout, iov, n);
		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && done > 0) {
			struct pollfd pfd = {.fd = vs->fdout, .events = POLLOUT};

			poll(&pfd, 1, -1);
			continue;
		}
		if (w == 0)
			errno = EIO;
		return -1;
	}
	return (ssize_t)len;
}

VDE_EXPORT void
vdestream_recv(VDESTREAM *vs, unsigned char *buf, size_t len)
{
	if (vs && buf)
		streamcodec_push(vs->codec, buf, len);
}

VDE_EXPORT void
vdestream_close(VDESTREAM *vs)
{
	if (!vs)
		return;
	streamcodec_free(vs->codec);
	free(vs);
}
