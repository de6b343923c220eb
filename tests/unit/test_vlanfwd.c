/*
 * Unit tests for VLAN forwarding (tools/vde_switch/forward.c with vlan.c and stp.c): what each
 * endpoint of a port would be sent for one frame, inspected before anything is sent. Untagged
 * and tagged members of a VLAN get the frame as they carry it, a flood is converted once per
 * direction (every tagged port shares one tagged copy), other VLANs and discarding ports get
 * nothing, BPDUs are consumed when the spanning tree runs.
 */
#include "tap.h"
#include "fdb.h"
#include "forward.h"
#include "loop.h"
#include "stp.h"
#include "swvlan.h"

#define NP 6

static struct sw sw;
static struct port ports[NP + 1];
static struct endpoint eps[NP + 1];
static uint8_t rbuf[4 + 128];

static void
reset(void)
{
	for (int i = 0; i <= NP; i++)
		eps[i].npend = 0;
	sw.txlist = NULL;
	sw.convoff = 0;
}

static uint8_t *
mkframe(const char *dst, int vid, uint8_t src)
{
	uint8_t *f = rbuf + 4;
	size_t o = 12;

	memset(rbuf, 0, sizeof(rbuf));
	memcpy(f, dst, 6);
	f[6] = 0x02;
	f[11] = src;
	if (vid >= 0) {
		f[12] = 0x81;
		f[14] = (uint8_t)(vid >> 8);
		f[15] = (uint8_t)vid;
		o = 16;
	}
	f[o] = 0x88;
	f[o + 1] = 0xb5;
	return f;
}

static void
send_stub(void *arg, uint16_t vlan, unsigned port, const uint8_t *f, size_t len)
{
	(void)arg, (void)vlan, (void)port, (void)f, (void)len;
}

int
main(void)
{
	static const struct stp_ops ops = { .send = send_stub };
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	const char *BC = "\xff\xff\xff\xff\xff\xff";
	uint8_t *f;

	sw.loop = loop_new();
	sw.fdb = fdb_new(16, 0);
	sw.ports = ports;
	sw.numports = NP;
	vlan_bit_set(sw.vlans, 0, 1);
	vlan_bit_set(sw.vlans, 10, 1);
	for (int i = 0; i <= NP; i++) {
		ports[i].exists = 1;
		ports[i].eps = &eps[i];
		ports[i].neps = 1;
		eps[i].port = &ports[i];
		eps[i].datafd = -1;
	}
	ports[0].neps = 0; /* no management client */
	ports[1].vlan = 10;
	ports[2].vlan = 10;
	vlan_bit_set(ports[3].tagged, 10, 1);
	vlan_bit_set(ports[4].tagged, 10, 1);
	ports[6].trunk = 1;
	ports[6].vlan = SW_NOVLAN;

	/* untagged broadcast from port 1 (VLAN 10) */
	f = mkframe(BC, -1, 1);
	forward_frame(&sw, &eps[1], f, 60);
	ok(eps[2].npend == 1 && eps[2].pend[0].iov_base == f && eps[2].pend[0].iov_len == 60,
	   "untagged member gets the frame itself");
	ok(eps[3].npend == 1 && eps[3].pend[0].iov_len == 64, "tagged member gets 64 bytes");
	ok(eps[3].npend == 1 && eps[4].npend == 1 && eps[6].npend == 1 &&
	   eps[3].pend[0].iov_base == eps[4].pend[0].iov_base &&
	   eps[4].pend[0].iov_base == eps[6].pend[0].iov_base,
	   "tagged members and the trunk share one tagged copy");
	{
		const uint8_t *t = eps[3].pend[0].iov_base;
		uint16_t tci = 0;

		ok(vlan_tagged(t, 64, &tci) && tci == 10, "the copy is tagged 10");
		ok(t[16] == 0x88 && t[17] == 0xb5, "ethertype after the tag");
	}
	is_int(eps[5].npend, 0, "VLAN 0 port hears nothing");
	is_int(eps[1].npend, 0, "not back to the input port");
	is_int(sw.convoff, 64, "one conversion for the whole flood");
	reset();

	/* tagged broadcast from port 3 */
	f = mkframe(BC, 10, 3);
	forward_frame(&sw, &eps[3], f, 64);
	ok(eps[4].npend == 1 && eps[4].pend[0].iov_base == f, "tagged member gets it as is");
	ok(eps[1].npend == 1 && eps[2].npend == 1 && eps[1].pend[0].iov_len == 60 &&
	   eps[1].pend[0].iov_base == eps[2].pend[0].iov_base, "untagged members share one copy");
	ok(memcmp(eps[1].pend[0].iov_base, f, 12) == 0 &&
	   ((uint8_t *)eps[1].pend[0].iov_base)[12] == 0x88, "the copy is untagged");
	is_int(eps[5].npend, 0, "VLAN 0 port hears nothing");
	reset();

	/* a tag for a VLAN the port is not in, and untagged traffic on a 4095 port */
	f = mkframe(BC, 20, 3);
	forward_frame(&sw, &eps[3], f, 64);
	ok(eps[1].npend + eps[4].npend + eps[5].npend + eps[6].npend == 0, "VLAN 20: dropped");
	is_int(ports[3].drop_vlan, 1, "counted as a VLAN drop");
	f = mkframe(BC, -1, 6);
	forward_frame(&sw, &eps[6], f, 60);
	ok(eps[5].npend == 0 && eps[1].npend == 0, "untagged frame on a 4095 trunk: dropped");
	reset();

	/* known unicast: learned from the tagged port, sent to it tagged */
	f = mkframe("\x02\x00\x00\x00\x00\x04", 10, 4);
	forward_frame(&sw, &eps[4], mkframe(BC, 10, 4), 64);
	reset();
	f = mkframe("\x02\x00\x00\x00\x00\x04", -1, 1);
	forward_frame(&sw, &eps[1], f, 60);
	ok(eps[4].npend == 1 && eps[4].pend[0].iov_len == 64, "unicast to a tagged port: tagged");
	ok(eps[2].npend + eps[3].npend + eps[6].npend == 0, "to that port only");
	reset();

	/* spanning tree: port 4 discarding, ports 1-3 and 6 edge */
	sw.stp = stp_new(mac, 0x8000, &ops, NULL);
	stp_vlan_add(sw.stp, 0);
	stp_vlan_add(sw.stp, 10);
	stp_enable(sw.stp, 1, 0);
	for (unsigned i = 1; i <= NP; i++) {
		if (i != 4)
			stp_set_edge(sw.stp, 10, i, 1, 0);
		stp_port_up(sw.stp, 10, i, i >= 3, 0);
	}
	f = mkframe(BC, -1, 1);
	forward_frame(&sw, &eps[1], f, 60);
	ok(eps[3].npend == 1 && eps[6].npend == 1, "forwarding ports get the flood");
	is_int(eps[4].npend, 0, "a discarding port gets nothing");
	reset();
	f = mkframe(BC, 10, 4);
	forward_frame(&sw, &eps[4], f, 64);
	ok(eps[1].npend + eps[3].npend == 0, "nothing comes in through a discarding port");
	reset();
	f = mkframe("\x01\x80\xc2\x00\x00\x00", -1, 1);
	forward_frame(&sw, &eps[1], f, 60);
	ok(eps[2].npend + eps[3].npend + eps[6].npend == 0, "BPDUs are consumed");
	reset();
	stp_enable(sw.stp, 0, 0);
	forward_frame(&sw, &eps[1], f, 60);
	ok(eps[2].npend == 1, "without the spanning tree BPDUs are flooded like any multicast");
	reset();

	stp_free(sw.stp);
	fdb_free(sw.fdb);
	loop_free(sw.loop);
	free(sw.conv);
	return done_testing();
}
