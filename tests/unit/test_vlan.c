/*
 * Unit tests for the 802.1Q helpers (tools/vde_switch/vlan.c): tag detection, tagged and
 * untagged copies and their round trip, priority bits kept, membership bitmaps.
 */
#include "tap.h"
#include "vlan.h"

int
main(void)
{
	uint8_t f[64], t[68], u[64];
	uint64_t map[VLAN_WORDS];
	uint16_t tci = 0;
	size_t n;

	for (size_t i = 0; i < sizeof(f); i++)
		f[i] = (uint8_t)i;
	f[12] = 0x08;
	f[13] = 0x00;
	ok(!vlan_tagged(f, sizeof(f), &tci), "IPv4 frame is untagged");

	n = vlan_tag_copy(t, f, sizeof(f), 0xa00a);
	is_int(n, 68, "tagging adds 4 bytes");
	ok(memcmp(t, f, 12) == 0, "addresses kept");
	ok(t[12] == 0x81 && t[13] == 0x00, "TPID 0x8100");
	ok(vlan_tagged(t, n, &tci), "tagged copy is tagged");
	is_int(tci, 0xa00a, "TCI with priority bits");
	is_int(tci & 0xfff, 10, "VID 10");
	ok(t[16] == 0x08 && t[17] == 0x00, "ethertype after the tag");
	ok(memcmp(t + 18, f + 14, sizeof(f) - 14) == 0, "payload kept");

	n = vlan_untag_copy(u, t, 68);
	is_int(n, 64, "untagging removes 4 bytes");
	ok(memcmp(u, f, 64) == 0, "tag/untag round trip is the identity");
	ok(!vlan_tagged(f, 17, &tci), "17 bytes cannot hold a tag");

	/* a frame tagged twice (QinQ-style) untags one level at a time */
	{
		uint8_t t2[72], u2[68];

		n = vlan_tag_copy(t2, t, 68, 20);
		ok(vlan_tagged(t2, n, &tci) && tci == 20, "outer tag 20");
		n = vlan_untag_copy(u2, t2, n);
		ok(n == 68 && memcmp(u2, t, 68) == 0, "inner tagged frame comes back");
	}

	memset(map, 0, sizeof(map));
	ok(!vlan_bit_test(map, 10), "empty map");
	vlan_bit_set(map, 10, 1);
	vlan_bit_set(map, 0, 1);
	vlan_bit_set(map, 4094, 1);
	ok(vlan_bit_test(map, 10) && vlan_bit_test(map, 0) && vlan_bit_test(map, 4094),
	   "bits 0, 10, 4094 set");
	ok(!vlan_bit_test(map, 11) && !vlan_bit_test(map, 9), "neighbours clear");
	vlan_bit_set(map, 4095, 1);
	ok(!vlan_bit_test(map, 4095), "4095 is never a member");
	ok(!vlan_bit_test(map, 60000), "out of range is not a member");
	vlan_bit_set(map, 10, 0);
	ok(!vlan_bit_test(map, 10), "bit 10 cleared");
	return done_testing();
}
