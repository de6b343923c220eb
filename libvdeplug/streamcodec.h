/*
 * Stream codec: frames over a byte stream as a 2-byte big-endian length + the frame. Pure: bytes
 * go in through streamcodec_push in any chunking, frames come out through a callback; no I/O.
 *
 * Resynchronisation. A 2-byte length carries no check, so the decoder judges frames by content:
 *  - plausible: 14 <= len, source MAC unicast (bit 0 of byte 6 clear), type/length field
 *    >= 0x0600 or <= len - 14, and (when in sync) not "text": a header whose 2 length bytes and
 *    first 14 frame bytes are all printable ASCII is a banner or an error message, not a frame;
 *  - strong: plausible and a consistent IPv4 (version 4, total length == len - 14, or padding
 *    in a frame <= 64 bytes), IPv6 (payload length + 40 likewise) or ARP (Ethernet/IPv4) packet,
 *    optionally behind one or two 802.1Q/802.1ad tags;
 *  - a plausible frame that is not strong may be at most 9234 bytes long (vdeplug4's limit):
 *    jumbo frames must be IP or ARP. Random length headers are thus rejected ~90% of the time.
 * In sync, every plausible frame is delivered as soon as it is complete (no added latency).
 * An implausible header reports garbage once (callback) and starts a scan, byte by byte, from
 * just after the start of the last delivered frame (it may have been a truncated frame that
 * swallowed the good ones after it) or else from the bad header. The scan anchors on a strong
 * frame, or on a chain of 4 consecutive plausible frames of at most 1518 bytes each, and
 * delivers from there. Frames recovered from inside the last delivered frame are delivered
 * after it. Every decision depends only on the bytes, never on how they were chunked: feeding
 * one byte at a time or everything at once yields the same frames.
 * Limits: after garbage, frames that are neither IP/ARP nor in a run of 4 standard-size
 * plausible frames are skipped until such an anchor arrives; one corrupt frame (a truncated
 * frame merged with what followed) can be delivered before the damage shows; random bytes
 * anchor falsely with probability about 2^-25 per offset (text: never); frames that are not
 * Ethernet (shorter than 14 bytes, multicast source) or non-IP frames over 9234 bytes are
 * treated as garbage.
 * Memory: at most STREAMCODEC_BUFSIZE bytes per codec, whatever the input.
 */
#ifndef VDEPLUG_STREAMCODEC_H
#define VDEPLUG_STREAMCODEC_H

#include <stddef.h>

#define STREAMCODEC_MAXFRAME 65535
#define STREAMCODEC_BUFSIZE (3 * (STREAMCODEC_MAXFRAME + 5))

struct streamcodec;

/* Called once per decoded frame; FRAME is valid only during the call. */
typedef void streamcodec_frame_fn(void *opaque, unsigned char *frame, size_t len);
/* Called once at the start of each run of garbage; LEN is the rejected length header. */
typedef void streamcodec_garbage_fn(void *opaque, unsigned int len);

struct streamcodec *streamcodec_new(streamcodec_frame_fn *frame, streamcodec_garbage_fn *garbage,
				    void *opaque);
void streamcodec_push(struct streamcodec *sc, const unsigned char *buf, size_t len);
/* Bytes currently held (for tests: never above STREAMCODEC_BUFSIZE). */
size_t streamcodec_buffered(const struct streamcodec *sc);
void streamcodec_free(struct streamcodec *sc);

/* Write the 2-byte header for a frame of LEN bytes (1..65535). */
static inline void
streamcodec_header(unsigned char hdr[2], size_t len)
{
	hdr[0] = (unsigned char)(len >> 8);
	hdr[1] = (unsigned char)len;
}

#endif
