/*
 * Unit tests for TCP segmentation offload (tools/vde_switch/gso.c): synthetic TCPv4, TCPv6 and
 * 802.1Q-tagged TCPv4 super-frames are segmented and every segment's lengths, IPv4 ID, TCP
 * sequence number, flags, payload and checksums (verified with an independent big-endian sum)
 * are checked; a partial checksum is completed; impossible headers are refused; the original
 * is never modified.
 */
#include <errno.h>
#include <stdint.h>

#include "gso.h"
#include "tap.h"

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_CWR 0x80

static uint8_t frame[70000], orig[70000], out[1 << 20];

/* Plain big-endian ones'-complement sum, the textbook way. */
static uint32_t
sum16(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t
fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

static unsigned
rd16(const uint8_t *p)
{
	return (unsigned)(p[0] << 8 | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The pseudo-header sum of a TCP segment of tl bytes for the IP header at ip. */
static uint32_t
pseudo(const uint8_t *ip, int v6, size_t tl)
{
	uint32_t acc = v6 ? sum16(0, ip + 8, 32) : sum16(0, ip + 12, 8);

	return acc + 6 + (uint32_t)(tl >> 16) + (uint32_t)(tl & 0xffff);
}

/*
 * Builds a TCP super-frame with npay bytes of payload: Ethernet, an 802.1Q tag if tagged, IPv4
 * (ID 0xfffe, DF) or IPv6, TCP with 12 bytes of options, sequence 0xfffffff0, the given flags,
 * the checksum field holding the pseudo-header sum as the kernel leaves it. Returns its length
 * and fills h for segments of mss bytes.
 */
static size_t
mkframe(int v6, int tagged, size_t npay, uint8_t flags, uint16_t mss, struct gso_hdr *h)
{
	size_t o = 12, l3, l4, len;

	memset(frame, 0, sizeof(frame));
	memcpy(frame, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	if (tagged) {
		memcpy(frame + o, "\x81\x00\x00\x0a", 4);
		o += 4;
	}
	memcpy(frame + o, v6 ? "\x86\xdd" : "\x08\x00", 2);
	l3 = o + 2;
	if (v6) {
		frame[l3] = 0x60;
		frame[l3 + 6] = 6;
		frame[l3 + 7] = 64;
		for (int i = 0; i < 16; i++) {
			frame[l3 + 8 + i] = (uint8_t)(0xfd + i);
			frame[l3 + 24 + i] = (uint8_t)(0xfd + 2 * i);
		}
		l4 = l3 + 40;
	} else {
		memcpy(frame + l3, "\x45\x00\x00\x00\xff\xfe\x40\x00\x40\x06\x00\x00"
				   "\x0a\x4d\x00\x01\x0a\x4d\x00\x02", 20);
		l4 = l3 + 20;
	}
	len = l4 + 32 + npay;
	if (v6) {
		frame[l3 + 4] = (uint8_t)((len - l4) >> 8);
		frame[l3 + 5] = (uint8_t)(len - l4);
	} else {
		frame[l3 + 2] = (uint8_t)((len - l3) >> 8);
		frame[l3 + 3] = (uint8_t)(len - l3);
	}
	memcpy(frame + l4, "\x9c\x40\x15\xb3\xff\xff\xff\xf0\x00\x00\x00\x01\x80\x00\xff\xff", 16);
	frame[l4 + 13] = flags;
	memcpy(frame + l4 + 20, "\x01\x01\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x02", 12);
	for (size_t i = 0; i < npay; i++)
		frame[l4 + 32 + i] = (uint8_t)(i * 7 + i / 251);
	{
		uint16_t ps = fold(pseudo(frame + l3, v6, len - l4));

		frame[l4 + 16] = (uint8_t)(ps >> 8);
		frame[l4 + 17] = (uint8_t)ps;
	}
	memset(h, 0, sizeof(*h));
	h->flags = GSO_F_NEEDS_CSUM;
	h->type = v6 ? GSO_TCPV6 : GSO_TCPV4;
	h->hdr_len = (uint16_t)(l4 + 32);
	h->size = mss;
	h->csum_start = (uint16_t)l4;
	h->csum_offset = 16;
	memcpy(orig, frame, len);
	return len;
}

/* Segments the frame built by mkframe and checks every segment; returns the number made. */
static int
check_segments(const char *what, int v6, int tagged, size_t len, const struct gso_hdr *h,
	       uint8_t flags)
{
	size_t l3 = tagged ? 18 : 14, l4 = l3 + (v6 ? 40 : 20), hlen = l4 + 32, npay = len - hlen;
	unsigned want = (unsigned)((npay + h->size - 1) / h->size), bad_len = 0, bad_ip = 0;
	unsigned bad_seq = 0, bad_flags = 0, bad_csum = 0, bad_pay = 0, bad_hdr = 0;
	struct iovec *segs = NULL;
	size_t need = 0;
	int n;

	is_int(gso_count(frame, len, h, &need), want, "%s: gso_count says %u segments", what,
	       want);
	ok(need > len && need < sizeof(out), "%s: and a sensible size (%zu)", what, need);
	n = gso_segment(frame, len, h, out, need, &segs);
	is_int(n, want, "%s: %u segments", what, want);
	if (n != (int)want)
		return n;
	for (unsigned i = 0; i < want; i++) {
		const uint8_t *s = segs[i].iov_base;
		size_t chunk = i + 1 < want ? h->size : npay - (size_t)i * h->size;
		uint8_t fl = s[l4 + 13], wantfl = flags;

		if (segs[i].iov_len != hlen + chunk)
			bad_len++;
		if (v6 ? rd16(s + l3 + 4) != hlen - l3 - 40 + chunk
		       : rd16(s + l3 + 2) != hlen - l3 + chunk ||
			 rd16(s + l3 + 4) != ((0xfffe + i) & 0xffff) ||
			 fold(sum16(0, s + l3, 20)) != 0xffff)
			bad_ip++;
		if (rd32(s + l4 + 4) != (uint32_t)(0xfffffff0u + i * h->size))
			bad_seq++;
		if (i > 0)
			wantfl &= (uint8_t)~TCP_CWR;
		if (i + 1 < want)
			wantfl &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (fl != wantfl)
			bad_flags++;
		if (fold(sum16(pseudo(s + l3, v6, hlen - l4 + chunk), s + l4, hlen - l4 + chunk)) !=
		    0xffff)
			bad_csum++;
		if (memcmp(s + hlen, orig + hlen + (size_t)i * h->size, chunk) != 0)
			bad_pay++;
		if (memcmp(s, orig, l3) != 0 || memcmp(s + l4 + 20, orig + l4 + 20, 12) != 0 ||
		    memcmp(s + l4, orig + l4, 4) != 0 || memcmp(s + l4 + 8, orig + l4 + 8, 5) != 0)
			bad_hdr++;
	}
	is_int(bad_len, 0, "%s: segment lengths", what);
	is_int(bad_ip, 0, "%s: IP lengths%s", what, v6 ? "" : ", IDs and header checksums");
	is_int(bad_seq, 0, "%s: sequence numbers", what);
	is_int(bad_flags, 0, "%s: FIN/PSH on the last only, CWR on the first only", what);
	is_int(bad_csum, 0, "%s: TCP checksums verify", what);
	is_int(bad_pay, 0, "%s: payloads in order", what);
	is_int(bad_hdr, 0, "%s: other header fields copied", what);
	ok(memcmp(frame, orig, len) == 0, "%s: the original is unchanged", what);
	return n;
}

static void
test_segment(void)
{
	struct gso_hdr h;
	uint8_t fl = TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR;
	size_t len;

	len = mkframe(0, 0, 10001, fl, 1448, &h);
	check_segments("TCPv4", 0, 0, len, &h, fl);
	len = mkframe(1, 0, 65000, fl, 1428, &h);
	check_segments("TCPv6 64 KB", 1, 0, len, &h, fl);
	len = mkframe(0, 1, 8 * 1448, TCP_ACK | TCP_PSH, 1448, &h);
	check_segments("TCPv4 in 802.1Q, exact multiple", 0, 1, len, &h, TCP_ACK | TCP_PSH);
	len = mkframe(1, 1, 3000, TCP_ACK, 1000, &h);
	h.type |= GSO_ECN;
	check_segments("TCPv6 in 802.1Q with ECN", 1, 1, len, &h, TCP_ACK);
	len = mkframe(0, 0, 65535 - 52, fl, 8960, &h);
	check_segments("TCPv4 65535-byte packet, jumbo MSS", 0, 0, len, &h, fl);
}

static void
test_csum(void)
{
	struct gso_hdr h;
	struct iovec *segs = NULL;
	size_t len = mkframe(0, 0, 1001, TCP_ACK, 1448, &h), need;
	const uint8_t *s;

	h.type = GSO_NONE;
	is_int(gso_count(frame, len, &h, &need), 1, "partial checksum: one frame");
	is_int(gso_segment(frame, len, &h, out, need, &segs), 1, "made");
	s = segs[0].iov_base;
	ok(segs[0].iov_len == len && memcmp(s, orig, 34 + 16) == 0 &&
	   memcmp(s + 34 + 18, orig + 34 + 18, len - 34 - 18) == 0,
	   "the same frame but for the checksum");
	is_int(fold(sum16(pseudo(s + 14, 0, len - 34), s + 34, len - 34)), 0xffff,
	       "whose checksum verifies");
	ok(memcmp(frame, orig, len) == 0, "the original is unchanged");
	/* a UDP datagram: the same completion, the field at offset 6 */
	memset(frame, 0, 100);
	memcpy(frame + 12, "\x08\x00\x45\x00\x00\x1f\x00\x00\x40\x00\x40\x11\x00\x00"
			   "\x0a\x00\x00\x01\x0a\x00\x00\x02\x04\xd2\x16\x2e\x00\x0b", 28);
	memcpy(frame + 42, "abc", 3);
	{
		uint32_t ps = sum16(0, frame + 26, 8) + 17 + 11;

		frame[40] = (uint8_t)(fold(ps) >> 8);
		frame[41] = (uint8_t)fold(ps);
	}
	memset(&h, 0, sizeof(h));
	h.flags = GSO_F_NEEDS_CSUM;
	h.csum_start = 34;
	h.csum_offset = 6;
	is_int(gso_segment(frame, 45, &h, out, sizeof(out), &segs), 1, "UDP partial checksum");
	s = segs[0].iov_base;
	is_int(fold(sum16(sum16(0, s + 26, 8) + 17 + 11, s + 34, 11)), 0xffff,
	       "UDP checksum verifies (odd length)");
	ok(s[40] || s[41], "and is not 0 (no checksum)");
}

static void
test_bad(void)
{
	struct gso_hdr h, g;
	struct iovec *segs = NULL;
	size_t len = mkframe(0, 0, 5000, TCP_ACK, 1448, &h), need;

	ok(gso_check(frame, len, &h) == 0, "a good header passes");
	g = h;
	g.flags |= 4;
	ok(gso_check(frame, len, &g) < 0 && errno == EINVAL, "unknown flag refused");
	g = h;
	g.type = 3; /* UDP (UFO) */
	ok(gso_check(frame, len, &g) < 0, "UDP segmentation refused");
	g = h;
	g.type = GSO_NONE | GSO_ECN;
	ok(gso_check(frame, len, &g) < 0, "ECN without a type refused");
	g = h;
	g.flags = 0;
	ok(gso_check(frame, len, &g) < 0, "segmentation without checksum offload refused");
	g = h;
	g.size = 0;
	ok(gso_check(frame, len, &g) < 0, "segment size 0 refused");
	g = h;
	g.csum_offset = 6;
	ok(gso_check(frame, len, &g) < 0, "TCP checksum field elsewhere refused");
	g = h;
	g.csum_start = (uint16_t)(len - 1);
	ok(gso_check(frame, len, &g) < 0, "checksum beyond the frame refused");
	g.type = GSO_NONE;
	ok(gso_check(frame, len, &g) < 0, "also without segmentation");
	g = h;
	g.csum_start = 10;
	g.type = GSO_NONE;
	ok(gso_check(frame, len, &g) < 0, "checksum inside the Ethernet header refused");
	ok(gso_check(frame, 40, &h) < 0, "TCP header beyond a short frame refused");
	ok(gso_segment(frame, len, &g, out, sizeof(out), &segs) < 0, "and not segmented");
	g = h;
	g.csum_start = 38;
	ok(gso_count(frame, len, &g, &need) < 0 && errno == EINVAL,
	   "csum_start not at the TCP header: cannot segment");
	g = h;
	g.type = GSO_TCPV6;
	ok(gso_count(frame, len, &g, &need) < 0, "TCPv6 offload on an IPv4 frame");
	frame[20] = 0x20; /* more fragments */
	ok(gso_count(frame, len, &h, &need) < 0, "IPv4 fragment");
	frame[20] = 0x40;
	frame[23] = 17;
	ok(gso_count(frame, len, &h, &need) < 0, "not TCP");
	frame[23] = 6;
	frame[14] = 0x44;
	ok(gso_count(frame, len, &h, &need) < 0, "IPv4 header shorter than 20 bytes");
	frame[14] = 0x45;
	frame[34 + 12] = 0xf0;
	ok(gso_count(frame, 90, &h, &need) < 0, "TCP header beyond the frame");
	frame[34 + 12] = 0x80;
	ok(gso_count(frame, len, &h, &need) == 4, "restored: 4 segments");
	ok(gso_segment(frame, len, &h, out, need - 1, &segs) < 0 && errno == ENOSPC,
	   "no room: ENOSPC");
	g = h;
	g.size = 1;
	ok(gso_count(frame, len, &g, &need) == 5000 && need > 5000 * 66,
	   "1-byte segments: counted, and their cost too");
}

static void
test_vlan_shift(void)
{
	struct gso_hdr h = { GSO_F_NEEDS_CSUM, GSO_TCPV4, 66, 1448, 34, 16 }, g = h;

	ok(gso_vlan_shift(&g, 4) == 0 && g.csum_start == 38 && g.hdr_len == 70 &&
	   g.csum_offset == 16 && g.size == 1448, "tag added: headers 4 bytes further");
	ok(gso_vlan_shift(&g, -4) == 0 && memcmp(&g, &h, sizeof(g)) == 0, "and back");
	g.csum_start = 16;
	ok(gso_vlan_shift(&g, -4) < 0, "a checksum inside the Ethernet header after untagging");
	g = (struct gso_hdr){ 0 };
	ok(gso_vlan_shift(&g, -4) == 0 && g.csum_start == 0 && g.hdr_len == 0,
	   "no offload: nothing to move");
}

int
main(void)
{
	test_segment();
	test_csum();
	test_bad();
	test_vlan_shift();
	return done_testing();
}
