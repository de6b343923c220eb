/*
 * VLAN table and vlan/ commands, with the reference's codes: create 1..4093 (EINVAL outside,
 * EEXIST twice), remove only unused VLANs (EADDRINUSE; VLAN 0 never: EINVAL), absent VLANs and
 * ports ENXIO. vlan/trunk (ours) makes a port a tagged member of every existing VLAN.
 */
#include <errno.h>
#include <string.h>

#include "loop.h"
#include "mgmt.h"
#include "port.h"
#include "stp.h"
#include "swvlan.h"

#define SW(req) ((struct sw *)(req)->ctx)
#define VLAN_LAST 4093 /* highest VLAN vlan/create accepts, as the reference */

void
swvlan_init(struct sw *sw)
{
	memset(sw->vlans, 0, sizeof(sw->vlans));
	vlan_bit_set(sw->vlans, 0, 1);
}

void
swvlan_port_sync(struct sw *sw, unsigned n)
{
	const struct port *p = &sw->ports[n];
	uint64_t now = loop_now_ms(sw->loop);
	int active = p->exists && p->neps > 0;

	if (sw->stp == NULL)
		return;
	for (unsigned vid = 0; vid < VLAN_MAX; vid++) {
		enum swvlan_membership m;

		if (!swvlan_exists(sw, vid))
			continue;
		m = swvlan_member(sw, p, vid);
		if (active && m != SWVLAN_NONE)
			stp_port_up(sw->stp, (uint16_t)vid, n, m == SWVLAN_TAGGED, now);
		else
			stp_port_down(sw->stp, (uint16_t)vid, n, now);
	}
}

int
swvlan_setvlan(struct sw *sw, unsigned n, unsigned vid)
{
	struct port *p = &sw->ports[n];

	if (vid != SW_NOVLAN && !swvlan_exists(sw, vid))
		return ENXIO;
	if (p->vlan == vid)
		return 0;
	p->vlan = (uint16_t)vid;
	vlan_bit_set(p->tagged, vid, 0);
	port_flush_macs(sw, (int)n);
	swvlan_port_sync(sw, n);
	return 0;
}

/* Argument i as a VLAN number in [min, max]. */
static int
arg_vlan(struct mgmt_req *req, int i, long long min, long long max, unsigned *out)
{
	long long v;
	int err;

	if (req->argc <= i)
		return EINVAL;
	if ((err = mgmt_arg_ll(req, i, min, max, &v)) != 0)
		return err;
	*out = (unsigned)v;
	return 0;
}

/* Arguments "VLAN PORT": an existing VLAN and an existing port. */
static int
arg_vlan_port(struct mgmt_req *req, unsigned *vid, unsigned *n)
{
	struct sw *sw = SW(req);
	int err;

	if (req->argc != 2)
		return EINVAL;
	if ((err = arg_vlan(req, 0, 0, VLAN_MAX - 1, vid)) != 0 ||
	    (err = arg_vlan(req, 1, 0, sw->numports, n)) != 0)
		return err;
	if (!swvlan_exists(sw, *vid) || !sw->ports[*n].exists)
		return ENXIO;
	return 0;
}

static int
cmd_vlan_create(struct mgmt_req *req)
{
	struct sw *sw = SW(req);
	unsigned vid;
	int err;

	if ((err = arg_vlan(req, 0, 1, VLAN_LAST, &vid)) != 0)
		return err;
	if (swvlan_exists(sw, vid))
		return EEXIST;
	if (sw->stp && stp_vlan_add(sw->stp, (uint16_t)vid) < 0)
		return errno;
	vlan_bit_set(sw->vlans, vid, 1);
	for (unsigned i = 0; i <= sw->numports; i++) { /* active trunk ports join it */
		const struct port *p = &sw->ports[i];

		if (sw->stp && p->exists && p->neps > 0 && p->trunk && p->vlan != vid)
			stp_port_up(sw->stp, (uint16_t)vid, i, 1, loop_now_ms(sw->loop));
	}
	return 0;
}

static int
cmd_vlan_remove(struct mgmt_req *req)
{
	struct sw *sw = SW(req);
	unsigned vid;
	int err;

	if ((err = arg_vlan(req, 0, 1, VLAN_MAX - 1, &vid)) != 0)
		return err;
	if (!swvlan_exists(sw, vid))
		return ENXIO;
	for (unsigned i = 0; i <= sw->numports; i++) {
		const struct port *p = &sw->ports[i];

		if (p->exists && (p->vlan == vid || vlan_bit_test(p->tagged, vid)))
			return EADDRINUSE;
	}
	vlan_bit_set(sw->vlans, vid, 0);
	for (unsigned i = 0; i <= sw->numports; i++)
		vlan_bit_set(sw->ports[i].tagged, vid, 0);
	if (sw->stp)
		stp_vlan_del(sw->stp, (uint16_t)vid);
	return 0;
}

static int
cmd_vlan_addport(struct mgmt_req *req)
{
	struct sw *sw = SW(req);
	unsigned vid, n;
	int err;

	if ((err = arg_vlan_port(req, &vid, &n)) != 0)
		return err;
	if (sw->ports[n].vlan != vid)
		vlan_bit_set(sw->ports[n].tagged, vid, 1);
	swvlan_port_sync(sw, n);
	return 0;
}

static int
cmd_vlan_delport(struct mgmt_req *req)
{
	struct sw *sw = SW(req);
	unsigned vid, n;
	int err;

	if ((err = arg_vlan_port(req, &vid, &n)) != 0)
		return err;
	if (sw->ports[n].vlan == vid)
		return EADDRINUSE;
	if (!vlan_bit_test(sw->ports[n].tagged, vid))
		return 0; /* not a member: nothing to do, as the reference */
	vlan_bit_set(sw->ports[n].tagged, vid, 0);
	port_flush_macs(sw, (int)n);
	swvlan_port_sync(sw, n);
	return 0;
}

static int
cmd_vlan_trunk(struct mgmt_req *req)
{
	struct sw *sw = SW(req);
	long long n, on;
	int err;

	if (req->argc != 2)
		return EINVAL;
	if ((err = mgmt_arg_ll(req, 0, 0, sw->numports, &n)) != 0 ||
	    (err = mgmt_arg_ll(req, 1, 0, 1, &on)) != 0)
		return err;
	if (!sw->ports[n].exists)
		return ENXIO;
	if (sw->ports[n].trunk != on) {
		sw->ports[n].trunk = (int)on;
		port_flush_macs(sw, (int)n);
		swvlan_port_sync(sw, (unsigned)n);
	}
	return 0;
}

static void
swvlan_print_one(struct mgmt_req *req, unsigned vid, int all)
{
	struct sw *sw = SW(req);

	mgmt_printf(req, "VLAN %04u\n", vid);
	for (unsigned i = 0; i <= sw->numports; i++) {
		const struct port *p = &sw->ports[i];
		enum swvlan_membership m;

		if (!p->exists || (!all && p->neps == 0) ||
		    (m = swvlan_member(sw, p, vid)) == SWVLAN_NONE)
			continue;
		mgmt_printf(req, " -- Port %04u tagged=%d active=%d status=%s\n", i,
			    m == SWVLAN_TAGGED, p->neps > 0,
			    stp_state_name(stp_state(sw->stp, (uint16_t)vid, i)));
	}
}

static int
swvlan_print(struct mgmt_req *req, int all)
{
	struct sw *sw = SW(req);
	unsigned vid;
	int err;

	if (req->argc == 0) {
		for (vid = 0; vid < VLAN_MAX; vid++)
			if (swvlan_exists(sw, vid))
				swvlan_print_one(req, vid, all);
		return 0;
	}
	if ((err = arg_vlan(req, 0, 0, VLAN_MAX - 1, &vid)) != 0)
		return err;
	if (!swvlan_exists(sw, vid))
		return ENXIO;
	swvlan_print_one(req, vid, all);
	return 0;
}

static int
cmd_vlan_print(struct mgmt_req *req)
{
	return swvlan_print(req, 0);
}

static int
cmd_vlan_allprint(struct mgmt_req *req)
{
	return swvlan_print(req, 1);
}

const struct mgmt_cmd swvlan_cmds[] = {
	{ "vlan", "============", "VLAN MANAGEMENT MENU", NULL, MGMT_F_MENU },
	{ "vlan/create", "N", "create the VLAN with tag N", cmd_vlan_create, 0 },
	{ "vlan/remove", "N", "remove the VLAN with tag N", cmd_vlan_remove, 0 },
	{ "vlan/addport", "N PORT", "add port to the vlan N (tagged)", cmd_vlan_addport, 0 },
	{ "vlan/delport", "N PORT", "remove port from the vlan N (tagged)", cmd_vlan_delport, 0 },
	{ "vlan/trunk", "PORT 0/1", "1=the port carries every VLAN tagged (trunk) 0=only its own",
	  cmd_vlan_trunk, 0 },
	{ "vlan/print", "[N]", "print the list of defined vlan", cmd_vlan_print, MGMT_F_OUTPUT },
	{ "vlan/allprint", "[N]", "print the list of defined vlan (including inactive port)",
	  cmd_vlan_allprint, MGMT_F_OUTPUT },
	{ NULL, NULL, NULL, NULL, 0 },
};
