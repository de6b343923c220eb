/*
 * Unit tests for the forwarding decision (tools/vde_switch/forward.c, forward_decide): hub
 * flooding, broadcast/multicast/unknown flooding, known unicast, frames for the input port,
 * tagged frames and ports without an untagged VLAN.
 */
#include "tap.h"
#include "fdb.h"
#include "forward.h"

static uint8_t frame[64];

static void
mkframe(const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memset(frame, 0, sizeof(frame));
	memcpy(frame, dst, 6);
	memcpy(frame + 6, src, 6);
	frame[12] = (uint8_t)(type >> 8);
	frame[13] = (uint8_t)type;
}

int
main(void)
{
	static const uint8_t BC[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t MC[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	static const uint8_t A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
	static const uint8_t B[6] = { 0x02, 0, 0, 0, 0, 0x0b };
	struct port ports[5];
	struct sw sw;
	uint16_t vlan;
	int out = -1;

	memset(&sw, 0, sizeof(sw));
	memset(ports, 0, sizeof(ports));
	for (int i = 0; i < 5; i++)
		ports[i].exists = 1;
	sw.ports = ports;
	sw.numports = 4;
	sw.fdb = fdb_new(16, 0);

	mkframe(BC, A, 0x0800);
	is_int(forward_decide(&sw, 1, frame, 60, &vlan, &out), FWD_FLOOD, "broadcast floods");
	is_int(vlan, 0, "untagged frame in the port's VLAN");
	mkframe(MC, A, 0x0800);
	is_int(forward_decide(&sw, 1, frame, 60, &vlan, &out), FWD_FLOOD, "multicast floods");
	mkframe(B, A, 0x0800);
	is_int(forward_decide(&sw, 1, frame, 60, &vlan, &out), FWD_FLOOD, "unknown unicast floods");

	fdb_learn(sw.fdb, B, 0, 3, 0, 0, NULL);
	is_int(forward_decide(&sw, 1, frame, 60, &vlan, &out), FWD_UNICAST, "known unicast");
	is_int(out, 3, "to the learned port");
	is_int(forward_decide(&sw, 3, frame, 60, &vlan, &out), FWD_LOCAL,
	       "destination on the input port: not sent back");

	ports[3].exists = 0;
	is_int(forward_decide(&sw, 1, frame, 60, &vlan, &out), FWD_FLOOD,
	       "learned port gone: flood");
	ports[3].exists = 1;

	sw.hub = 1;
	is_int(forward_decide(&sw, 1, frame, 60, &vlan, &out), FWD_FLOOD, "hub floods unicast");
	sw.hub = 0;

	mkframe(B, A, 0x8100);
	is_int(forward_decide(&sw, 1, frame, 60, &vlan, &out), FWD_DROP_VLAN,
	       "tagged frame on a port without tagged VLANs dropped");
	mkframe(B, A, 0x0800);
	ports[2].vlan = SW_NOVLAN;
	is_int(forward_decide(&sw, 2, frame, 60, &vlan, &out), FWD_DROP_VLAN,
	       "port with untagged VLAN 4095 drops untagged frames");

	fdb_free(sw.fdb);
	return done_testing();
}
