/*
 * The switch's VLAN table: which VLANs exist (0 always, 1..4093 by vlan/create), which ports
 * carry each one untagged (port->vlan) or tagged (port->tagged bitmap, or a trunk port), the
 * vlan/ commands, and keeping the spanning tree's per-VLAN port membership up to date.
 */
#ifndef VDE_SWVLAN_H
#define VDE_SWVLAN_H

#include "mgmt.h"
#include "switch.h"
#include "vlan.h"

enum swvlan_membership { SWVLAN_NONE, SWVLAN_UNTAGGED, SWVLAN_TAGGED };

static inline int
swvlan_exists(const struct sw *sw, unsigned vid)
{
	return vlan_bit_test(sw->vlans, vid);
}

/* How port p carries vid. */
static inline enum swvlan_membership
swvlan_member(const struct sw *sw, const struct port *p, unsigned vid)
{
	if (p->vlan == vid)
		return SWVLAN_UNTAGGED;
	if (swvlan_exists(sw, vid) && (p->trunk || vlan_bit_test(p->tagged, vid)))
		return SWVLAN_TAGGED;
	return SWVLAN_NONE;
}

/* VLAN 0 exists from the start. */
void swvlan_init(struct sw *sw);
/* Tells the spanning tree which VLANs port n (active or not) now carries. */
void swvlan_port_sync(struct sw *sw, unsigned n);
/* port/setvlan: 0 or an errno value. */
int swvlan_setvlan(struct sw *sw, unsigned n, unsigned vid);

extern const struct mgmt_cmd swvlan_cmds[];

#endif
