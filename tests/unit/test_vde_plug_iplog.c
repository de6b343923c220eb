/*
 * Unit tests for vde_plug's IP address log: parsing of untagged and 802.1Q frames, IPv4 and
 * IPv6, truncated and non-IP frames, and the bounded table's least-recently-seen replacement.
 */
#include <stdint.h>

#include "tap.h"
#include "vde_plug_iplog.h"

static size_t
frame4(uint8_t *f, int vlan, const uint8_t src[4])
{
	size_t off = 12;

	memset(f, 0, 64);
	memset(f, 0xff, 6);
	f[6] = 0x02;
	if (vlan >= 0) {
		f[off] = 0x81;
		f[off + 1] = 0x00;
		f[off + 2] = (uint8_t)(vlan >> 8);
		f[off + 3] = (uint8_t)vlan;
		off += 4;
	}
	f[off] = 0x08;
	f[off + 1] = 0x00;
	f[off + 2] = 0x45;
	memcpy(f + off + 2 + 12, src, 4);
	return off + 2 + 20;
}

static size_t
frame6(uint8_t *f, const uint8_t src[16])
{
	memset(f, 0, 64);
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;
	memcpy(f + 14 + 8, src, 16);
	return 14 + 40;
}

int
main(void)
{
	static const uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 }, c[4] = { 10, 0, 0, 3 };
	static const uint8_t zero[4] = { 0 };
	uint8_t v6[16] = { 0xfe, 0x80 }, f[64];
	struct iplog il;
	char msg[80];
	size_t n;

	v6[15] = 1;
	ok(iplog_init(&il, 2) == 0, "init with 2 entries");
	n = frame4(f, -1, a);
	is_int(iplog_frame(&il, f, n, msg, sizeof(msg)), 1, "new IPv4 source");
	is_str(msg, "IPv4 10.0.0.1 vlan 0", "message names address and VLAN");
	is_int(iplog_frame(&il, f, n, msg, sizeof(msg)), 0, "same source again is not new");
	is_int(iplog_frame(&il, f, n - 1, msg, sizeof(msg)), 0, "truncated IP header ignored");
	n = frame4(f, 5, a);
	is_int(iplog_frame(&il, f, n, msg, sizeof(msg)), 1, "same address on another VLAN is new");
	is_str(msg, "IPv4 10.0.0.1 vlan 5", "VLAN id read from the 802.1Q tag");
	/* Table full (2): a third address evicts the least recently seen (untagged 10.0.0.1). */
	n = frame4(f, 5, a);
	iplog_frame(&il, f, n, NULL, 0);
	n = frame4(f, -1, b);
	is_int(iplog_frame(&il, f, n, msg, sizeof(msg)), 1, "third address accepted when full");
	is_int(il.n, 2, "table stays bounded");
	n = frame4(f, 5, a);
	is_int(iplog_frame(&il, f, n, msg, sizeof(msg)), 0, "recently seen entry survived");
	n = frame4(f, -1, a);
	is_int(iplog_frame(&il, f, n, msg, sizeof(msg)), 1, "evicted entry is new again");
	n = frame4(f, -1, zero);
	is_int(iplog_frame(&il, f, n, msg, sizeof(msg)), 0, "0.0.0.0 (DHCP) not logged");
	n = frame6(f, v6);
	is_int(iplog_frame(&il, f, n, msg, sizeof(msg)), 1, "new IPv6 source");
	is_str(msg, "IPv6 fe80::1 vlan 0", "IPv6 formatted");
	f[12] = 0x08;
	f[13] = 0x06;
	is_int(iplog_frame(&il, f, n, msg, sizeof(msg)), 0, "ARP is not IP");
	is_int(iplog_frame(&il, f, 10, msg, sizeof(msg)), 0, "runt frame ignored");
	n = frame4(f, -1, c);
	f[14] = 0x65;
	is_int(iplog_frame(&il, f, n, msg, sizeof(msg)), 0, "wrong IP version ignored");
	iplog_fini(&il);
	return done_testing();
}
