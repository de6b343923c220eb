/*
 * 802.1Q helpers, pure: reading a frame's tag, writing a tagged or untagged copy of a frame
 * (receive buffers of taps have no headroom, so tags are never inserted in place), and the
 * bitmaps of VLAN memberships. VLAN 0 always exists; 4095 is never a member.
 */
#ifndef VDE_VLAN_H
#define VDE_VLAN_H

#include <stddef.h>
#include <stdint.h>

#define VLAN_TPID  0x8100
#define VLAN_MAX   4095 /* VIDs are 0..4094; 4095 = "none" */
#define VLAN_WORDS (4096 / 64)

/* Whether the frame (len >= 14) carries an 802.1Q tag; if so *tci gets the tag control info. */
int vlan_tagged(const uint8_t *frame, size_t len, uint16_t *tci);

/* Into dst (room for len + 4): returns the length written. */
size_t vlan_tag_copy(uint8_t *dst, const uint8_t *frame, size_t len, uint16_t tci);
/* Into dst (room for len - 4): returns the length written; the frame must be tagged. */
size_t vlan_untag_copy(uint8_t *dst, const uint8_t *frame, size_t len);

/* Tagged membership bitmaps (uint64_t[VLAN_WORDS]). */
static inline int
vlan_bit_test(const uint64_t *map, unsigned vid)
{
	return vid < VLAN_MAX && (map[vid / 64] >> (vid % 64)) & 1;
}

static inline void
vlan_bit_set(uint64_t *map, unsigned vid, int on)
{
	if (vid >= VLAN_MAX)
		return;
	if (on)
		map[vid / 64] |= (uint64_t)1 << (vid % 64);
	else
		map[vid / 64] &= ~((uint64_t)1 << (vid % 64));
}

#endif
