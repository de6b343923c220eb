/*
 * 802.1Q tag handling without I/O. A tag sits between the source MAC and the ethertype:
 *   dst(6) src(6) | 81 00 | PCP(3) DEI(1) VID(12) | type(2) payload...
 * so a tagged copy is the 12 address bytes, the tag, then the rest of the frame.
 */
#include <string.h>

#include "vlan.h"

int
vlan_tagged(const uint8_t *frame, size_t len, uint16_t *tci)
{
	if (len < 18 || ((frame[12] << 8) | frame[13]) != VLAN_TPID)
		return 0;
	*tci = (uint16_t)((frame[14] << 8) | frame[15]);
	return 1;
}

static void
vlan_put_tag(uint8_t *at, uint16_t tci)
{
	at[0] = VLAN_TPID >> 8;
	at[1] = VLAN_TPID & 0xff;
	at[2] = (uint8_t)(tci >> 8);
	at[3] = (uint8_t)tci;
}

size_t
vlan_tag_copy(uint8_t *dst, const uint8_t *frame, size_t len, uint16_t tci)
{
	memcpy(dst, frame, 12);
	vlan_put_tag(dst + 12, tci);
	memcpy(dst + 16, frame + 12, len - 12);
	return len + 4;
}

size_t
vlan_untag_copy(uint8_t *dst, const uint8_t *frame, size_t len)
{
	memcpy(dst, frame, 12);
	memcpy(dst + 12, frame + 16, len - 16);
	return len - 4;
}
