/*
 * Fast spanning tree glue: BPDUs out through write() on each endpoint of a port (a BPDU is
 * small and rare, so it bypasses the batch), a 250 ms timer for stp_tick, MAC flushes, the
 * fstp/ debug categories and commands in the reference's formats.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "event.h"
#include "forward.h"
#include "fstp.h"
#include "loop.h"
#include "mgmt.h"
#include "parse.h"
#include "port.h"
#include "stp.h"
#include "swvlan.h"

#define SW(req)      ((struct sw *)(req)->ctx)
#define FSTP_TICK_US 250000

static void
fstp_send(void *arg, uint16_t vid, unsigned n, const uint8_t *frame, size_t len)
{
	struct sw *sw = arg;
	struct port *p = &sw->ports[n];
	uint8_t buf[STP_FRAMELEN + 4];
	const uint8_t *out = frame;
	size_t outlen = len;

	if (n > sw->numports || !p->exists)
		return;
	if (swvlan_member(sw, p, vid) == SWVLAN_TAGGED) {
		outlen = vlan_tag_copy(buf, frame, len, vid);
		out = buf;
	}
	for (struct endpoint *ep = p->eps; ep; ep = ep->next)
		forward_send_now(sw, ep, out, outlen);
}

static void
fstp_flush(void *arg, uint16_t vid, unsigned n)
{
	struct sw *sw = arg;

	(void)vid;
	if (n <= sw->numports)
		port_flush_macs(sw, (int)n);
}

static void
fstp_changed(void *arg, uint16_t vid, unsigned n, enum stp_role role, enum stp_state state)
{
	struct sw *sw = arg;
	struct mgmt_dbg *d = state == STP_FORWARDING ? sw->dbg_fstp_plus : sw->dbg_fstp_minus;

	if (mgmt_dbg_active(sw->dbg_fstp_status))
		mgmt_dbg_out(sw->dbg_fstp_status, "Port %04u VLAN %04u role=%s status=%s", n, vid,
			     stp_role_name(role), stp_state_name(state));
	if (mgmt_dbg_active(d))
		mgmt_dbg_out(d, "Port %04u VLAN %04u %s", n, vid, stp_state_name(state));
	if (EV_ON(sw, fstp_status))
		event_raise(&sw->ev->fstp_status, (int)n, (int)vid, (int)state);
	if (state == STP_FORWARDING ? EV_ON(sw, fstp_plus) : EV_ON(sw, fstp_minus))
		event_raise(state == STP_FORWARDING ? &sw->ev->fstp_plus : &sw->ev->fstp_minus,
			    (int)n, (int)vid);
}

static char *
fstp_format_id(char *buf, uint64_t id)
{
	sprintf(buf, "%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x", (unsigned)(id >> 56) & 0xff,
		(unsigned)(id >> 48) & 0xff, (unsigned)(id >> 40) & 0xff,
		(unsigned)(id >> 32) & 0xff, (unsigned)(id >> 24) & 0xff,
		(unsigned)(id >> 16) & 0xff, (unsigned)(id >> 8) & 0xff, (unsigned)id & 0xff);
	return buf;
}

static void
fstp_root(void *arg, uint16_t vid, uint64_t root, int rootport)
{
	struct sw *sw = arg;
	char id[24];

	if (mgmt_dbg_active(sw->dbg_fstp_root))
		mgmt_dbg_out(sw->dbg_fstp_root, "VLAN %04u root %s rootport %04d", vid,
			     fstp_format_id(id, root), rootport < 0 ? 0 : rootport);
	if (EV_ON(sw, fstp_root))
		event_raise(&sw->ev->fstp_root, 0, (int)vid, root);
}

static const struct stp_ops fstp_ops = {
	.send = fstp_send,
	.flush = fstp_flush,
	.changed = fstp_changed,
	.root = fstp_root,
};

static uint64_t
fstp_tick(struct loop *l, void *arg)
{
	struct sw *sw = arg;

	stp_tick(sw->stp, loop_now_ms(l));
	return FSTP_TICK_US;
}

int
fstp_init(struct sw *sw)
{
	swvlan_init(sw);
	if ((sw->stp = stp_new(sw->cfg.mac, sw->cfg.priority, &fstp_ops, sw)) == NULL ||
	    stp_vlan_add(sw->stp, 0) < 0)
		return -1;
	if ((sw->stptimer = loop_add_timer(sw->loop, FSTP_TICK_US, fstp_tick, sw)) == NULL)
		return -1;
	stp_enable(sw->stp, sw->cfg.fstp && !sw->hub, loop_now_ms(sw->loop));
	return 0;
}

void
fstp_fini(struct sw *sw)
{
	struct mgmt_dbg **d[] = { &sw->dbg_fstp_status, &sw->dbg_fstp_root, &sw->dbg_fstp_plus,
				  &sw->dbg_fstp_minus };

	if (sw->stptimer)
		loop_del_timer(sw->loop, sw->stptimer);
	sw->stptimer = NULL;
	stp_free(sw->stp);
	sw->stp = NULL;
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		if (*d[i])
			mgmt_dbg_free(sw->mgmt, *d[i]);
		*d[i] = NULL;
	}
}

int
fstp_dbg_register(struct sw *sw)
{
	struct mgmt *m = sw->mgmt;

	sw->dbg_fstp_status = mgmt_dbg_new(m, "fstp/status", 044, "fstp: status change");
	sw->dbg_fstp_root = mgmt_dbg_new(m, "fstp/root", 045, "fstp: rootswitch/port change");
	sw->dbg_fstp_plus = mgmt_dbg_new(m, "fstp/+", 041, "fstp: port becomes active");
	sw->dbg_fstp_minus = mgmt_dbg_new(m, "fstp/-", 042, "fstp: port becomes inactive");
	return sw->dbg_fstp_status && sw->dbg_fstp_root && sw->dbg_fstp_plus &&
	       sw->dbg_fstp_minus ? 0 : -1;
}

void
fstp_hub(struct sw *sw)
{
	if (sw->stp)
		stp_enable(sw->stp, 0, loop_now_ms(sw->loop));
}

static int
cmd_fstp_showinfo(struct mgmt_req *req)
{
	struct sw *sw = SW(req);
	char mac[18];

	mgmt_printf(req, "MAC %s Priority %u (0x%x)\n", format_mac(mac, sw->cfg.mac),
		    (unsigned)sw->cfg.priority, (unsigned)sw->cfg.priority);
	mgmt_printf(req, "FSTP=%s\n", stp_enabled(sw->stp) ? "true" : "false");
	return 0;
}

static int
cmd_fstp_setfstp(struct mgmt_req *req)
{
	struct sw *sw = SW(req);
	long long on;
	int err;

	if (req->argc != 1)
		return EINVAL;
	if ((err = mgmt_arg_ll(req, 0, 0, 1, &on)) != 0)
		return err;
	if (on && sw->hub) {
		mgmt_printf(req, "Can't use fstp in hub mode\n");
		return 0;
	}
	stp_enable(sw->stp, (int)on, loop_now_ms(sw->loop));
	return 0;
}

/* Arguments "VLAN PORT X": an existing VLAN, a port number in range, X in [0, xmax]. */
static int
fstp_args(struct mgmt_req *req, unsigned *vid, unsigned *n, long long xmax, long long *x)
{
	struct sw *sw = SW(req);
	long long v, p;
	int err;

	if (req->argc != 3)
		return EINVAL;
	if ((err = mgmt_arg_ll(req, 0, 0, VLAN_MAX - 1, &v)) != 0 ||
	    (err = mgmt_arg_ll(req, 1, 0, sw->numports, &p)) != 0 ||
	    (err = mgmt_arg_ll(req, 2, 0, xmax, x)) != 0)
		return err;
	if (!swvlan_exists(sw, (unsigned)v))
		return ENXIO;
	*vid = (unsigned)v;
	*n = (unsigned)p;
	return 0;
}

static int
cmd_fstp_setedge(struct mgmt_req *req)
{
	struct sw *sw = SW(req);
	unsigned vid, n;
	long long on;
	int err;

	if ((err = fstp_args(req, &vid, &n, INT32_MAX, &on)) != 0)
		return err;
	return stp_set_edge(sw->stp, (uint16_t)vid, n, on != 0, loop_now_ms(sw->loop)) < 0 ?
		       errno : 0;
}

static int
cmd_fstp_bonus(struct mgmt_req *req)
{
	struct sw *sw = SW(req);
	unsigned vid, n;
	long long cost;
	int err;

	if ((err = fstp_args(req, &vid, &n, UINT32_MAX, &cost)) != 0)
		return err;
	return stp_set_bonus(sw->stp, (uint16_t)vid, n, (uint32_t)cost,
			     loop_now_ms(sw->loop)) < 0 ? errno : 0;
}

static void
fstp_print_vlan(struct mgmt_req *req, unsigned vid)
{
	struct sw *sw = SW(req);
	struct stp_vlaninfo vi;
	char id[24];

	if (stp_vlan_info(sw->stp, (uint16_t)vid, &vi) < 0)
		return;
	mgmt_printf(req, "FST DATA VLAN %04u %s%s\n", vid, vi.rootport < 0 ? "ROOTSWITCH " : "",
		    stp_enabled(sw->stp) ? "" : "FSTP IS DISABLED");
	mgmt_printf(req, " ++ root %s\n", fstp_format_id(id, vi.root));
	mgmt_printf(req, " ++ designated %s\n", fstp_format_id(id, vi.designated));
	mgmt_printf(req, " ++ rootport %04d cost %u age %u bonusport %04u bonuscost %u\n",
		    vi.rootport < 0 ? 0 : vi.rootport, vi.rootcost, vi.age, vi.bonusport,
		    vi.bonuscost);
	for (unsigned i = 0; i <= sw->numports; i++) {
		struct stp_portinfo pi;

		if (stp_port_info(sw->stp, (uint16_t)vid, i, &pi) < 0)
			continue;
		mgmt_printf(req, " -- Port %04u tagged=%d portcost=%u role=%s\n", i, pi.tagged,
			    pi.cost, stp_role_name(pi.role));
	}
}

static int
cmd_fstp_print(struct mgmt_req *req)
{
	struct sw *sw = SW(req);
	long long v;
	int err;

	if (req->argc == 0) {
		for (unsigned vid = 0; vid < VLAN_MAX; vid++)
			if (swvlan_exists(sw, vid))
				fstp_print_vlan(req, vid);
		return 0;
	}
	if ((err = mgmt_arg_ll(req, 0, 0, VLAN_MAX - 1, &v)) != 0)
		return err;
	if (!swvlan_exists(sw, (unsigned)v))
		return ENXIO;
	fstp_print_vlan(req, (unsigned)v);
	return 0;
}

const struct mgmt_cmd fstp_cmds[] = {
	{ "fstp", "============", "FAST SPANNING TREE MENU", NULL, MGMT_F_MENU },
	{ "fstp/showinfo", "", "show fstp info", cmd_fstp_showinfo, MGMT_F_OUTPUT },
	{ "fstp/setfstp", "0/1", "Fast spanning tree protocol 1=ON 0=OFF", cmd_fstp_setfstp,
	  MGMT_F_OUTPUT },
	{ "fstp/setedge", "VLAN PORT 1/0", "Define an edge port for a vlan 1=Y 0=N",
	  cmd_fstp_setedge, 0 },
	{ "fstp/bonus", "VLAN PORT COST", "set the port bonus for a vlan", cmd_fstp_bonus, 0 },
	{ "fstp/print", "[N]", "print fst data for the defined vlan", cmd_fstp_print,
	  MGMT_F_OUTPUT },
	{ NULL, NULL, NULL, NULL, 0 },
};
