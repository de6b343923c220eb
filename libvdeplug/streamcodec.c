/*
 * Stream decoder (see streamcodec.h for the resynchronisation heuristic and its limits).
 * All input is appended to one bounded buffer and decoded from there; the decoder waits for
 * more bytes whenever a decision needs them, which is what makes chunking irrelevant.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "streamcodec.h"

#define SC_NONE ((size_t)-1)
#define SC_CLASSIFY 64      /* frame bytes needed to judge a frame */
#define SC_CHAIN 4          /* plausible frames in a row that make an anchor */
#define SC_CHAIN_MAXLEN 1518
#define SC_WEAK_MAXLEN 9234 /* vdeplug4's largest frame: longer ones must be IP or ARP */
#define SC_WINDOW (2 * (STREAMCODEC_MAXFRAME + 2)) /* how far back a rescan may start */

enum sc_class { SC_NEED = -1, SC_BAD = 0, SC_WEAK = 1, SC_STRONG = 2 };

struct streamcodec {
	streamcodec_frame_fn *frame;
	streamcodec_garbage_fn *garbage;
	void *opaque;
	size_t len;    /* bytes in buf */
	size_t pos;    /* in sync: next header; resyncing: candidate offset */
	size_t window; /* first delivered frame not confirmed by a strong successor, or SC_NONE */
	int resync;
	int reported;
	unsigned char buf[STREAMCODEC_BUFSIZE];
};

static unsigned int
sc_be16(const unsigned char *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

/* All 16 header bytes printable ASCII or blanks: text, not a frame. */
static int
sc_text(const unsigned char *h)
{
	int i;

	for (i = 0; i < 16; i++)
		if (!((h[i] >= 0x20 && h[i] < 0x7f) || h[i] == '\t' || h[i] == '\n' ||
		      h[i] == '\r'))
			return 0;
	return 1;
}

/* Length in the L3 header consistent with the frame (exact, or padded in a short frame). */
static int
sc_l3len(size_t l3len, size_t plen, size_t framelen)
{
	return l3len == plen || (framelen <= 64 && l3len < plen);
}

/* An IPv4, IPv6 or ARP packet that agrees with the frame length. F holds >= min(L, 64) bytes. */
static int
sc_strong(const unsigned char *f, size_t len)
{
	size_t off = 12, plen;
	unsigned int type = sc_be16(f + 12);
	const unsigned char *p;
	int tags;

	for (tags = 0; tags < 2 && (type == 0x8100 || type == 0x88a8); tags++) {
		off += 4;
		if (off + 2 > len)
			return 0;
		type = sc_be16(f + off);
	}
	off += 2;
	p = f + off;
	plen = len - off;
	switch (type) {
	case 0x0800:
		return plen >= 20 && (p[0] >> 4) == 4 && (p[0] & 15) >= 5 &&
		       sc_l3len(sc_be16(p + 2), plen, len);
	case 0x86dd:
		return plen >= 40 && (p[0] >> 4) == 6 && sc_l3len(40 + sc_be16(p + 4), plen, len);
	case 0x0806:
		return plen >= 28 && p[0] == 0 && p[1] == 1 && p[2] == 8 && p[3] == 0 &&
		       p[4] == 6 && p[5] == 4 && p[6] == 0 && p[7] >= 1 && p[7] <= 4;
	default:
		return 0;
	}
}

/* Judge the frame whose header is at H, with AVAIL bytes available from H. */
static int
sc_classify(const unsigned char *h, size_t avail, int insync)
{
	const unsigned char *f = h + 2;
	unsigned int len, type;

	if (avail < 2)
		return SC_NEED;
	len = sc_be16(h);
	if (len < 14)
		return SC_BAD;
	if (avail < 2 + (len < SC_CLASSIFY ? len : SC_CLASSIFY))
		return SC_NEED;
	type = sc_be16(f + 12);
	if ((f[6] & 1) || (type < 0x0600 && type > len - 14))
		return SC_BAD;
	if (insync && sc_text(h))
		return SC_BAD;
	if (sc_strong(f, len))
		return SC_STRONG;
	return len <= SC_WEAK_MAXLEN ? SC_WEAK : SC_BAD;
}

/* Resyncing: is the candidate at H an anchor (strong, or the first of a plausible chain)? */
static int
sc_anchor(const unsigned char *h, size_t avail)
{
	size_t off = 0, end = 0, next;
	int k, c;

	for (k = 0; k < SC_CHAIN; k++) {
		c = sc_classify(h + off, avail - off, 0);
		if (c == SC_NEED || (k == 0 && c == SC_STRONG))
			return c;
		if (c == SC_BAD || sc_be16(h + off) > SC_CHAIN_MAXLEN)
			return SC_BAD;
		off += 2 + sc_be16(h + off);
		if (off > avail && k + 1 < SC_CHAIN)
			return SC_NEED;
		if (k + 2 == SC_CHAIN)
			end = off; /* the bodies of all but the last member of the chain */
	}
	next = 2 + (size_t)sc_be16(h);
	/* a chain must not swallow a strong frame: that one is the better anchor */
	for (off = 1; off < end; off++) {
		if (off == next) {
			next += 2 + sc_be16(h + off);
			continue;
		}
		c = sc_classify(h + off, avail - off, 0);
		if (c == SC_NEED)
			return SC_NEED;
		if (c == SC_STRONG)
			return SC_BAD;
	}
	return SC_WEAK;
}

/* Garbage at the header at pos: report it (once per run) and start scanning. */
static void
sc_lost(struct streamcodec *sc)
{
	if (!sc->reported && sc->garbage)
		sc->garbage(sc->opaque, sc_be16(sc->buf + sc->pos));
	sc->reported = 1;
	sc->resync = 1;
	sc->pos = sc->window != SC_NONE ? sc->window + 1 : sc->pos + 1;
	sc->window = SC_NONE;
}

/* In sync at a plausible header of class C: deliver the frame if complete. Returns 0 or -1. */
static int
sc_deliver(struct streamcodec *sc, int c)
{
	size_t len = sc_be16(sc->buf + sc->pos);

	/* a strong frame confirms the ones before it; the window never outgrows SC_WINDOW */
	if (c == SC_STRONG || sc->window == SC_NONE || sc->pos + 2 + len - sc->window > SC_WINDOW)
		sc->window = sc->pos;
	if (sc->len - sc->pos < 2 + len)
		return -1;
	sc->pos += 2 + len;
	sc->frame(sc->opaque, sc->buf + sc->pos - len, len);
	return 0;
}

static void
sc_decode(struct streamcodec *sc)
{
	for (;;) {
		unsigned char *h = sc->buf + sc->pos;
		size_t avail = sc->len - sc->pos;
		int c;

		if (sc->resync) {
			c = sc_anchor(h, avail);
			if (c == SC_NEED)
				return;
			if (c == SC_BAD) {
				sc->pos++;
				continue;
			}
			sc->resync = 0;
			sc->reported = 0;
		}
		if (avail >= 2 && sc_be16(h) == 0) {
			sc->pos += 2;
			continue;
		}
		c = sc_classify(h, avail, 1);
		if (c == SC_NEED)
			return;
		if (c == SC_BAD)
			sc_lost(sc);
		else if (sc_deliver(sc, c) < 0)
			return;
	}
}

/* Drop the bytes nothing can refer to any more. */
static void
sc_compact(struct streamcodec *sc)
{
	size_t keep = sc->window != SC_NONE && sc->window < sc->pos ? sc->window : sc->pos;

	if (keep == 0)
		return;
	memmove(sc->buf, sc->buf + keep, sc->len - keep);
	sc->len -= keep;
	sc->pos -= keep;
	if (sc->window != SC_NONE)
		sc->window -= keep;
}

struct streamcodec *
streamcodec_new(streamcodec_frame_fn *frame, streamcodec_garbage_fn *garbage, void *opaque)
{
	struct streamcodec *sc = malloc(sizeof(*sc));

	if (!sc)
		return NULL;
	sc->frame = frame;
	sc->garbage = garbage;
	sc->opaque = opaque;
	sc->len = sc->pos = 0;
	sc->window = SC_NONE;
	sc->resync = sc->reported = 0;
	return sc;
}

void
streamcodec_push(struct streamcodec *sc, const unsigned char *buf, size_t len)
{
	while (len > 0) {
		size_t n;

		sc_compact(sc);
		n = sizeof(sc->buf) - sc->len;
		if (n == 0) {
			/* unreachable: decoding never needs more than SC_WINDOW + a chain */
			sc->len = sc->pos = 0;
			sc->window = SC_NONE;
			sc->resync = 1;
			continue;
		}
		if (n > len)
			n = len;
		memcpy(sc->buf + sc->len, buf, n);
		sc->len += n;
		buf += n;
		len -= n;
		sc_decode(sc);
	}
	sc_compact(sc);
}

size_t
streamcodec_buffered(const struct streamcodec *sc)
{
	return sc->len;
}

void
streamcodec_free(struct streamcodec *sc)
{
	free(sc);
}
