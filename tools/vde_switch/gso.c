/*
 * TCP segmentation offload for ports without it (see gso.h). A super-frame is
 * Ethernet [802.1Q/802.1ad tags] IPv4|IPv6 [hop-by-hop/destination options] TCP payload, and
 * its header says where the TCP header starts (csum_start) and how much payload each segment
 * carries (size). Checksums are Internet ones'-complement sums, accumulated in host order on
 * 16-bit lanes of 64-bit words (byte order only matters for the pseudo-header's numbers, which
 * are summed as big-endian bytes too).
 */
#include <errno.h>
#include <string.h>

#include "gso.h"

#define ETH_HLEN   14
#define TCP_CWR    0x80
#define TCP_PSH    0x08
#define TCP_FIN    0x01
#define ALIGN8(n)  (((n) + 7) & ~(size_t)7)

/* Where the headers of a super-frame are, and what cutting it makes. */
struct gso_plan {
	size_t l3, l4, hlen; /* IP header, TCP header, payload */
	int v6;
	unsigned nseg;
	size_t need;         /* bytes of out gso_segment uses */
};

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
wr16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
wr32(uint8_t *p, uint32_t v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v & 0xffff);
}

/* Adds n bytes at p to the sum; n must be even unless this is the last piece. */
static uint64_t
csum_add(uint64_t acc, const uint8_t *p, size_t n)
{
	uint64_t w;
	uint16_t h;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		acc += (uint32_t)w;
		acc += w >> 32;
	}
	for (; n >= 2; p += 2, n -= 2) {
		memcpy(&h, p, 2);
		acc += h;
	}
	if (n) {
		uint8_t last[2] = { p[0], 0 };

		memcpy(&h, last, 2);
		acc += h;
	}
	return acc;
}

/* The folded complement, ready to store with memcpy; 0 becomes 0xffff (the same in ones'
 * complement, and what UDP needs since 0 means "no checksum" there). */
static uint16_t
csum_final(uint64_t acc)
{
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = ~acc & 0xffff;
	return acc ? (uint16_t)acc : 0xffff;
}

static void
csum_store(uint8_t *p, uint64_t acc)
{
	uint16_t c = csum_final(acc);

	memcpy(p, &c, 2);
}

int
gso_check(const uint8_t *frame, size_t len, const struct gso_hdr *h)
{
	(void)frame;
	if (h->flags & ~(GSO_F_NEEDS_CSUM | GSO_F_DATA_VALID))
		goto bad;
	if ((h->flags & GSO_F_NEEDS_CSUM) &&
	    (h->csum_start < ETH_HLEN || (size_t)h->csum_start + h->csum_offset + 2 > len))
		goto bad;
	switch (h->type & ~GSO_ECN) {
	case GSO_NONE:
		if (h->type & GSO_ECN)
			goto bad;
		return 0;
	case GSO_TCPV4:
	case GSO_TCPV6:
		if (!(h->flags & GSO_F_NEEDS_CSUM) || h->csum_offset != 16 || h->size == 0 ||
		    (size_t)h->csum_start + 20 > len)
			goto bad;
		return 0;
	default:
		goto bad;
	}
bad:
	errno = EINVAL;
	return -1;
}

/* The IPv4 header at l3 of a TCP super-frame: where TCP starts, or 0. */
static size_t
gso_parse_v4(const uint8_t *f, size_t len, size_t l3)
{
	size_t ihl;

	if (l3 + 20 > len || f[l3] >> 4 != 4 || f[l3 + 9] != 6 || (rd16(f + l3 + 6) & 0x3fff))
		return 0; /* not IPv4, not TCP, or a fragment */
	if ((ihl = (size_t)(f[l3] & 15) * 4) < 20)
		return 0;
	return l3 + ihl;
}

/* The IPv6 header at l3: where TCP starts after options headers, or 0. */
static size_t
gso_parse_v6(const uint8_t *f, size_t len, size_t l3)
{
	size_t l4 = l3 + 40;
	uint8_t nh;

	if (l3 + 40 > len || f[l3] >> 4 != 6)
		return 0;
	nh = f[l3 + 6];
	while (nh == 0 || nh == 60) { /* hop-by-hop, destination options */
		if (l4 + 8 > len)
			return 0;
		nh = f[l4];
		l4 += ((size_t)f[l4 + 1] + 1) * 8;
	}
	return nh == 6 ? l4 : 0;
}

static int
gso_plan(const uint8_t *f, size_t len, const struct gso_hdr *h, struct gso_plan *p)
{
	unsigned type = h->type & ~GSO_ECN;
	size_t off = 12, l4, doff, payload, full;
	uint16_t et;

	if (gso_check(f, len, h) < 0)
		return -1;
	memset(p, 0, sizeof(*p));
	if (type == GSO_NONE) {
		p->nseg = 1;
		p->need = 8 + ALIGN8(sizeof(struct iovec)) + ALIGN8(len);
		return 0;
	}
	while (off + 2 <= len && ((et = rd16(f + off)) == 0x8100 || et == 0x88a8))
		off += 4;
	if (off + 2 > len)
		goto bad;
	p->l3 = off + 2;
	p->v6 = type == GSO_TCPV6;
	if (et != (p->v6 ? 0x86dd : 0x0800))
		goto bad;
	l4 = p->v6 ? gso_parse_v6(f, len, p->l3) : gso_parse_v4(f, len, p->l3);
	if (l4 == 0 || l4 != h->csum_start || l4 + 20 > len)
		goto bad;
	if ((doff = (size_t)(f[l4 + 12] >> 4) * 4) < 20 || l4 + doff > len)
		goto bad;
	p->l4 = l4;
	p->hlen = l4 + doff;
	if (p->hlen - p->l3 + h->size > 65535 + (p->v6 ? 40 : 0))
		goto bad; /* segments would not fit an IP packet */
	payload = len - p->hlen;
	p->nseg = payload == 0 ? 1 : (unsigned)((payload + h->size - 1) / h->size);
	full = p->nseg - 1;
	p->need = 8 + ALIGN8(p->nseg * sizeof(struct iovec)) + full * ALIGN8(p->hlen + h->size) +
		  ALIGN8(p->hlen + payload - full * h->size);
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int
gso_count(const uint8_t *frame, size_t len, const struct gso_hdr *h, size_t *need)
{
	struct gso_plan p;

	if (gso_plan(frame, len, h, &p) < 0)
		return -1;
	*need = p.need;
	return (int)p.nseg;
}

/* Fixes the IP and TCP headers of segment s (payload chunk bytes), the i-th of n. */
static void
gso_fix(const struct gso_plan *p, uint8_t *s, size_t chunk, unsigned i, uint32_t seq,
	uint16_t size)
{
	size_t tl = p->hlen - p->l4 + chunk;
	uint8_t ph[8], fl = s[p->l4 + 13];
	uint64_t acc;

	if (p->v6) {
		wr16(s + p->l3 + 4, (unsigned)(p->hlen - p->l3 - 40 + chunk));
		acc = csum_add(0, s + p->l3 + 8, 32);
		wr32(ph, (uint32_t)tl);
		wr32(ph + 4, 6);
		acc = csum_add(acc, ph, 8);
	} else {
		wr16(s + p->l3 + 2, (unsigned)(p->hlen - p->l3 + chunk));
		wr16(s + p->l3 + 4, (rd16(s + p->l3 + 4) + i) & 0xffff);
		wr16(s + p->l3 + 10, 0);
		csum_store(s + p->l3 + 10, csum_add(0, s + p->l3, (size_t)(s[p->l3] & 15) * 4));
		acc = csum_add(0, s + p->l3 + 12, 8);
		wr16(ph, 6);
		wr16(ph + 2, (unsigned)tl);
		acc = csum_add(acc, ph, 4);
	}
	wr32(s + p->l4 + 4, seq + (uint32_t)i * size);
	if (i > 0)
		fl &= (uint8_t)~TCP_CWR;
	if (i + 1 < p->nseg)
		fl &= (uint8_t)~(TCP_FIN | TCP_PSH);
	s[p->l4 + 13] = fl;
	wr16(s + p->l4 + 16, 0);
	csum_store(s + p->l4 + 16, csum_add(acc, s + p->l4, tl));
}

int
gso_segment(const uint8_t *frame, size_t len, const struct gso_hdr *h, uint8_t *out,
	    size_t cap, struct iovec **segs)
{
	struct gso_plan p;
	struct iovec *iov;
	uint8_t *d;
	size_t payload;
	uint32_t seq;

	if (gso_plan(frame, len, h, &p) < 0)
		return -1;
	if (p.need > cap) {
		errno = ENOSPC;
		return -1;
	}
	iov = (struct iovec *)(void *)(out + (-(uintptr_t)out & 7));
	d = (uint8_t *)iov + ALIGN8(p.nseg * sizeof(*iov));
	*segs = iov;
	if ((h->type & ~GSO_ECN) == GSO_NONE) {
		memcpy(d, frame, len);
		if (h->flags & GSO_F_NEEDS_CSUM)
			csum_store(d + h->csum_start + h->csum_offset,
				   csum_add(0, d + h->csum_start, len - h->csum_start));
		iov[0].iov_base = d;
		iov[0].iov_len = len;
		return 1;
	}
	payload = len - p.hlen;
	seq = rd32(frame + p.l4 + 4);
	for (unsigned i = 0; i < p.nseg; i++) {
		size_t off = (size_t)i * h->size, chunk = payload - off < h->size ? payload - off
										 : h->size;

		memcpy(d, frame, p.hlen);
		memcpy(d + p.hlen, frame + p.hlen + off, chunk);
		gso_fix(&p, d, chunk, i, seq, h->size);
		iov[i].iov_base = d;
		iov[i].iov_len = p.hlen + chunk;
		d += ALIGN8(p.hlen + chunk);
	}
	return (int)p.nseg;
}

int
gso_vlan_shift(struct gso_hdr *h, int delta)
{
	int start = h->csum_start + delta, hdr = h->hdr_len + delta;

	if (h->flags & GSO_F_NEEDS_CSUM) {
		if (start < ETH_HLEN || start > 0xffff)
			return -1;
		h->csum_start = (uint16_t)start;
	}
	if (h->hdr_len)
		h->hdr_len = (uint16_t)(hdr < 0 ? 0 : hdr > 0xffff ? 0xffff : hdr);
	return 0;
}
