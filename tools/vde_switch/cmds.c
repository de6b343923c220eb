/*
 * Management commands of the switch, byte-compatible with vde2's output formats. Arguments are
 * range-checked (EINVAL); absent ports, endpoints and MACs give ENXIO/ENODEV as the reference.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "datasock.h"
#include "fdb.h"
#include "fstp.h"
#include "loop.h"
#include "mgmt.h"
#include "parse.h"
#include "port.h"
#include "swvlan.h"
#include "mirror.h"
#include "plugin.h"
#include "tap.h"

#define SW(req) ((struct sw *)(req)->ctx)
#define MAXPORTS 65535
#define MAXSECS  (24 * 3600 * 365)

static int
cmd_showinfo(struct mgmt_req *req)
{
	struct sw *sw = SW(req);
	char mac[18];

	mgmt_printf(req, "%s\n", SW_VERSION_BANNER);
	mgmt_printf(req, "pid %d MAC %s uptime %llu\n", (int)getpid(), format_mac(mac, sw->cfg.mac),
		    (unsigned long long)((loop_now_ms(sw->loop) - sw->start_ms) / 1000));
	if (sw->cfg.mgmt)
		mgmt_printf(req, "mgmt %s perm 0%03o\n", sw->cfg.mgmt, (unsigned)sw->cfg.mgmtmode);
	return 0;
}

static int
cmd_ds_showinfo(struct mgmt_req *req)
{
	struct sw *sw = SW(req);

	unsigned dgram = 0, shm = 0, tap = 0;

	mgmt_printf(req, "ctl dir %s\n", sw->cfg.dir);
	mgmt_printf(req, "std mode 0%03o\n", (unsigned)sw->cfg.mode);
	for (unsigned i = 0; sw->ports && i <= sw->numports; i++)
		for (const struct endpoint *ep = sw->ports[i].eps; ep; ep = ep->next) {
			if (ep->is_tap)
				tap++;
			else if (ep->shm)
				shm++;
			else
				dgram++;
		}
	mgmt_printf(req, "endpoints %u datagram, %u shared memory%s, %u tap\n", dgram, shm,
		    sw->cfg.noshm ? " (refused: --noshm)" : "", tap);
	return 0;
}

/* One integer argument i in [min, max]. */
static int
arg_int(struct mgmt_req *req, int i, long long min, long long max, long long *out)
{
	if (req->argc <= i)
		return EINVAL;
	return mgmt_arg_ll(req, i, min, max, out);
}

static int
cmd_hash_showinfo(struct mgmt_req *req)
{
	struct sw *sw = SW(req);

	mgmt_printf(req, "Hash size %u\n", fdb_buckets(sw->fdb));
	mgmt_printf(req, "GC interval %u secs\n", sw->gcint);
	mgmt_printf(req, "GC expire %u secs\n", sw->expire);
	mgmt_printf(req, "Min persistence %u secs\n", sw->minper);
	mgmt_printf(req, "Max entries %u\n", fdb_max(sw->fdb));
	mgmt_printf(req, "Max entries per port %u\n", fdb_portmax(sw->fdb));
	return 0;
}

static int
knob_size(struct sw *sw, unsigned n)
{
	return fdb_resize(sw->fdb, n) < 0 ? errno : 0;
}

static int
knob_gcint(struct sw *sw, unsigned n)
{
	sw->gcint = n;
	return cmds_gc_start(sw) < 0 ? errno : 0;
}

static int
knob_expire(struct sw *sw, unsigned n)
{
	sw->expire = n;
	return 0;
}

static int
knob_minper(struct sw *sw, unsigned n)
{
	sw->minper = n;
	return 0;
}

static int
knob_max(struct sw *sw, unsigned n)
{
	fdb_set_max(sw->fdb, n);
	return 0;
}

static int
knob_maxport(struct sw *sw, unsigned n)
{
	fdb_set_portmax(sw->fdb, n);
	return 0;
}

/* The hash/set* commands: one number in [min, max] each, applied by set (0 or an errno). */
static const struct hash_knob {
	const char *path;
	long long min, max;
	int (*set)(struct sw *sw, unsigned n);
} hash_knobs[] = {
	{ "hash/setsize", 1, 1 << 24, knob_size },
	{ "hash/setgcint", 1, MAXSECS, knob_gcint },
	{ "hash/setexpire", 1, MAXSECS, knob_expire },
	{ "hash/setminper", 0, MAXSECS, knob_minper },
	{ "hash/setmax", 1, 1 << 24, knob_max },
	{ "hash/setmaxport", 0, 1 << 24, knob_maxport },
};

static int
cmd_hash_set(struct mgmt_req *req)
{
	size_t i = 0, nknobs = sizeof(hash_knobs) / sizeof(hash_knobs[0]);
	long long n;
	int err;

	while (i < nknobs && strcmp(hash_knobs[i].path, req->cmd->path) != 0)
		i++;
	if (i == nknobs)
		return ENOSYS;
	if ((err = arg_int(req, 0, hash_knobs[i].min, hash_knobs[i].max, &n)) != 0)
		return err;
	return hash_knobs[i].set(SW(req), (unsigned)n);
}

static void
hash_line(void *arg, const struct fdb_ent *e)
{
	struct mgmt_req *req = arg;
	struct sw *sw = SW(req);
	uint64_t now = loop_now_ms(sw->loop);
	char mac[18];

	mgmt_printf(req, "Hash: %04u Addr: %s VLAN %04u to port: %03d  age %llu secs\n", e->bucket,
		    format_mac(mac, e->mac), e->vlan, e->port,
		    (unsigned long long)(now > e->seen_ms ? (now - e->seen_ms) / 1000 : 0));
}

static int
cmd_hash_print(struct mgmt_req *req)
{
	fdb_foreach(SW(req)->fdb, hash_line, req);
	return 0;
}

static int
cmd_hash_find(struct mgmt_req *req)
{
	struct fdb_ent e;
	uint8_t mac[6];
	const char *why;
	long long vlan = 0;
	int err;

	if (req->argc < 1 || req->argc > 2)
		return EINVAL;
	if (parse_mac(req->argv[0], mac, &why) < 0) {
		mgmt_err(req, "%s: %s", req->argv[0], why);
		return EINVAL;
	}
	if (req->argc == 2 && (err = arg_int(req, 1, 0, 4095, &vlan)) != 0)
		return err;
	if (fdb_find(SW(req)->fdb, mac, (uint16_t)vlan, &e) < 0)
		return ENODEV;
	hash_line(req, &e);
	return 0;
}

static int
cmd_port_showinfo(struct mgmt_req *req)
{
	struct sw *sw = SW(req);

	mgmt_printf(req, "Numports=%u\n", sw->numports);
	mgmt_printf(req, "HUB=%s\n", sw->hub ? "true" : "false");
	mgmt_printf(req, "counters=true\n");
	return 0;
}

static int
cmd_port_setnumports(struct mgmt_req *req)
{
	long long n;
	int err;

	if ((err = arg_int(req, 0, 1, MAXPORTS, &n)) != 0)
		return err;
	return port_setnumports(SW(req), (unsigned)n);
}

static int
cmd_port_sethub(struct mgmt_req *req)
{
	long long n;
	int err;

	if ((err = arg_int(req, 0, 0, 1, &n)) != 0)
		return err;
	SW(req)->hub = (int)n;
	if (n)
		fstp_hub(SW(req));
	return 0;
}

/* Argument i as an existing port number. */
static int
arg_port(struct mgmt_req *req, int i, int allow0, unsigned *out)
{
	struct sw *sw = SW(req);
	long long n;
	int err;

	if ((err = arg_int(req, i, allow0 ? 0 : 1, sw->numports, &n)) != 0)
		return err;
	if (!sw->ports[n].exists)
		return ENXIO;
	*out = (unsigned)n;
	return 0;
}

static int
cmd_port_setvlan(struct mgmt_req *req)
{
	struct sw *sw = SW(req);
	unsigned n;
	long long vlan;
	int err;

	if (req->argc != 2)
		return EINVAL;
	if ((err = arg_port(req, 0, 1, &n)) != 0 || (err = arg_int(req, 1, 0, 4095, &vlan)) != 0)
		return err;
	/* an existing VLAN, or 4095: no untagged traffic */
	return swvlan_setvlan(sw, n, (unsigned)vlan);
}

static int
cmd_port_createauto(struct mgmt_req *req)
{
	unsigned n;
	int err;

	if ((err = port_create(SW(req), 0, &n)) != 0)
		return err;
	mgmt_printf(req, "Port %04u\n", n);
	return 0;
}

static int
cmd_port_create(struct mgmt_req *req)
{
	long long n;
	int err;

	if ((err = arg_int(req, 0, 1, SW(req)->numports, &n)) != 0)
		return err;
	return port_create(SW(req), (unsigned)n, NULL);
}

static int
cmd_port_remove(struct mgmt_req *req)
{
	long long n;
	int err;

	if ((err = arg_int(req, 0, 1, SW(req)->numports, &n)) != 0)
		return err;
	return port_remove(SW(req), (unsigned)n);
}

static int
cmd_port_allocatable(struct mgmt_req *req)
{
	unsigned n;
	long long v;
	int err;

	if (req->argc != 2)
		return EINVAL;
	if ((err = arg_port(req, 0, 0, &n)) != 0 || (err = arg_int(req, 1, 0, 1, &v)) != 0)
		return err;
	SW(req)->ports[n].allocatable = (int)v;
	return 0;
}

/* port/setuser, port/setgroup: "NONE"/"ANY" clear the ACL entry, else a name or a number. */
static int
cmd_port_setacl(struct mgmt_req *req)
{
	int group = strcmp(req->cmd->path, "port/setgroup") == 0;
	const char *why, *arg;
	unsigned n;
	id_t id;
	int err;

	if (req->argc != 2)
		return EINVAL;
	if ((err = arg_port(req, 0, 0, &n)) != 0)
		return err;
	arg = req->argv[1];
	if (strcmp(arg, "NONE") == 0 || strcmp(arg, "ANY") == 0)
		id = group ? SW_NOGROUP : SW_NOUSER;
	else if ((group ? parse_group(arg, &id, &why) : parse_user(arg, &id, &why)) < 0) {
		mgmt_err(req, "%s: %s", arg, why);
		return EINVAL;
	}
	if (group)
		SW(req)->ports[n].group = id;
	else
		SW(req)->ports[n].user = id;
	return 0;
}

static int
cmd_port_epclose(struct mgmt_req *req)
{
	struct sw *sw = SW(req);
	long long id;
	unsigned n;
	int err;

	if (req->argc != 2)
		return EINVAL;
	if ((err = arg_port(req, 0, 1, &n)) != 0 || (err = arg_int(req, 1, 0, INT32_MAX, &id)) != 0)
		return err;
	for (struct endpoint *ep = sw->ports[n].eps; ep; ep = ep->next)
		if (ep->ctlfd == id) {
			datasock_ep_close(sw, ep);
			return 0;
		}
	return ENXIO;
}

static int
cmd_port_resetcounter(struct mgmt_req *req)
{
	struct sw *sw = SW(req);
	unsigned n;
	int err;

	if (req->argc == 0) {
		for (unsigned i = 0; i <= sw->numports; i++)
			port_reset_counters(&sw->ports[i]);
		return 0;
	}
	if ((err = arg_port(req, 0, 1, &n)) != 0)
		return err;
	port_reset_counters(&sw->ports[n]);
	return 0;
}

static int
port_print_some(struct mgmt_req *req, int all)
{
	struct sw *sw = SW(req);
	long long n;
	int err;

	if (req->argc == 0) {
		for (unsigned i = 0; i <= sw->numports; i++)
			if (sw->ports[i].exists && (all || sw->ports[i].neps > 0))
				port_print(sw, req, i);
		return 0;
	}
	if ((err = arg_int(req, 0, 0, sw->numports, &n)) != 0)
		return err;
	if (!sw->ports[n].exists || (!all && sw->ports[n].neps == 0))
		return ENXIO;
	port_print(sw, req, (unsigned)n);
	return 0;
}

static int
cmd_port_print(struct mgmt_req *req)
{
	return port_print_some(req, 0);
}

static int
cmd_port_allprint(struct mgmt_req *req)
{
	return port_print_some(req, 1);
}

static void
port_stats_line(struct mgmt_req *req, const struct port *p, unsigned n)
{
	mgmt_printf(req, "Port %04u drops: runt %llu oversize %llu vlan %llu queue %llu\n", n,
		    (unsigned long long)p->drop_runt, (unsigned long long)p->drop_oversize,
		    (unsigned long long)p->drop_vlan, (unsigned long long)p->drop_queue);
	for (const struct endpoint *ep = p->eps; ep; ep = ep->next)
		mgmt_printf(req, "  -- endpoint ID %04d queued %u dropped %llu\n", ep->ctlfd,
			    ep->q.n, (unsigned long long)ep->qdrops);
	mgmt_printf(req, "  -- MACs %u refused %llu\n", fdb_port_count(SW(req)->fdb, (int)n),
		    (unsigned long long)p->mac_refused);
}

static int
cmd_port_stats(struct mgmt_req *req)
{
	struct sw *sw = SW(req);
	unsigned n;
	int err;

	if (req->argc == 0) {
		for (unsigned i = 0; i <= sw->numports; i++)
			if (sw->ports[i].exists)
				port_stats_line(req, &sw->ports[i], i);
		mgmt_printf(req, "MAC table: %u entries (max %u), %llu not learned (full), "
			    "%llu moves\n", fdb_count(sw->fdb), fdb_max(sw->fdb),
			    (unsigned long long)sw->fdb_full, (unsigned long long)sw->fdb_moves);
		mgmt_printf(req, "MAC per-port cap: %u (0 none), %llu not learned (port full)\n",
			    fdb_portmax(sw->fdb), (unsigned long long)sw->fdb_portfull);
		mgmt_printf(req, "Handshakes in progress: %u\n", datasock_pending(sw));
		return 0;
	}
	if ((err = arg_port(req, 0, 1, &n)) != 0)
		return err;
	port_stats_line(req, &sw->ports[n], n);
	return 0;
}

/* load reads any file the switch can read: local console and rc files only (-M: opt-in). */
static int
cmd_load(struct mgmt_req *req)
{
	return mgmt_run_file(req->m, req->args, req->sess) < 0 ? errno : 0;
}

#define OUT MGMT_F_OUTPUT

static const struct mgmt_cmd load_cmds[] = {
	{ "load", "path", "load a configuration script", cmd_load, MGMT_F_LOCAL },
	{ NULL, NULL, NULL, NULL, 0 },
};

static const struct mgmt_cmd ds_cmds[] = {
	{ "ds", "============", "DATA SOCKET MENU", NULL, MGMT_F_MENU },
	{ "ds/showinfo", "", "show ds info", cmd_ds_showinfo, OUT },
	{ NULL, NULL, NULL, NULL, 0 },
};

static const struct mgmt_cmd info_cmds[] = {
	{ "showinfo", "", "show switch version and info", cmd_showinfo, OUT },
	{ NULL, NULL, NULL, NULL, 0 },
};

static const struct mgmt_cmd hash_cmds[] = {
	{ "hash", "============", "HASH TABLE MENU", NULL, MGMT_F_MENU },
	{ "hash/showinfo", "", "show hash info", cmd_hash_showinfo, OUT },
	{ "hash/setsize", "N", "change hash size", cmd_hash_set, 0 },
	{ "hash/setgcint", "N", "change garbage collector interval", cmd_hash_set, 0 },
	{ "hash/setexpire", "N", "change hash entries expire time", cmd_hash_set, 0 },
	{ "hash/setminper", "N", "minimum persistence time", cmd_hash_set, 0 },
	{ "hash/print", "", "print the hash table", cmd_hash_print, OUT },
	{ "hash/find", "MAC [VLAN]", "MAC lookup", cmd_hash_find, OUT },
	{ "hash/setmax", "N", "cap on MAC table entries", cmd_hash_set, 0 },
	{ "hash/setmaxport", "N", "cap on MAC table entries per port (0 = none)",
	  cmd_hash_set, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

static const struct mgmt_cmd port_cmds[] = {
	{ "port", "============", "PORT STATUS MENU", NULL, MGMT_F_MENU },
	{ "port/showinfo", "", "show port info", cmd_port_showinfo, OUT },
	{ "port/setnumports", "N", "set the number of ports", cmd_port_setnumports, 0 },
	{ "port/sethub", "0/1", "1=HUB 0=switch", cmd_port_sethub, 0 },
	{ "port/setvlan", "N VLAN", "set port VLAN (untagged)", cmd_port_setvlan, 0 },
	{ "port/createauto", "",
	  "create a port with an automatically allocated id (inactive|notallocatable)",
	  cmd_port_createauto, OUT },
	{ "port/create", "N", "create the port N (inactive|notallocatable)", cmd_port_create, 0 },
	{ "port/remove", "N", "remove the port N", cmd_port_remove, 0 },
	{ "port/allocatable", "N 0/1", "Is the port allocatable as unnamed? 1=Y 0=N",
	  cmd_port_allocatable, 0 },
	{ "port/setuser", "N user", "access control: set user", cmd_port_setacl, 0 },
	{ "port/setgroup", "N user", "access control: set group", cmd_port_setacl, 0 },
	{ "port/epclose", "N ID", "remove the endpoint port N/id ID", cmd_port_epclose, 0 },
	{ "port/resetcounter", "[N]", "reset the port (N) counters", cmd_port_resetcounter, 0 },
	{ "port/print", "[N]", "print the port/endpoint table", cmd_port_print, OUT },
	{ "port/allprint", "[N]", "print the port/endpoint table (including inactive port)",
	  cmd_port_allprint, OUT },
	{ "port/stats", "[N]", "drop counters by reason, queues, MAC table use", cmd_port_stats,
	  OUT },
	{ NULL, NULL, NULL, NULL, 0 },
};

static uint64_t
cmds_gc(struct loop *l, void *arg)
{
	struct sw *sw = arg;

	fdb_expire(sw->fdb, loop_now_ms(l), (uint64_t)sw->expire * 1000,
		   port_mac_cb(sw), sw);
	return (uint64_t)sw->gcint * 1000000;
}

int
cmds_gc_start(struct sw *sw)
{
	if (sw->gctimer)
		loop_del_timer(sw->loop, sw->gctimer);
	sw->gctimer = loop_add_timer(sw->loop, (uint64_t)sw->gcint * 1000000, cmds_gc, sw);
	return sw->gctimer ? 0 : -1;
}

int
cmds_register(struct sw *sw)
{
	struct mgmt *m = sw->mgmt;

	if (mgmt_register(m, ds_cmds, sw) < 0 || mgmt_register(m, mgmt_base_cmds, sw) < 0 ||
	    mgmt_register(m, info_cmds, sw) < 0 || mgmt_register(m, load_cmds, sw) < 0 ||
	    mgmt_register(m, mgmt_debug_cmds, sw) < 0 ||
	    mgmt_register(m, plugin_cmds, sw) < 0 || mgmt_register(m, hash_cmds, sw) < 0 ||
	    mgmt_register(m, fstp_cmds, sw) < 0 || mgmt_register(m, port_cmds, sw) < 0 ||
	    mgmt_register(m, swvlan_cmds, sw) < 0 || mgmt_register(m, tap_cmds, sw) < 0 ||
	    mgmt_register(m, mirror_cmds, sw) < 0)
		return -1;
	sw->dbg_hash_plus = mgmt_dbg_new(m, "hash/+", 011, "hash: new element");
	sw->dbg_hash_minus = mgmt_dbg_new(m, "hash/-", 012, "hash: discarded element");
	if (fstp_dbg_register(sw) < 0)
		return -1;
	sw->dbg_port_plus = mgmt_dbg_new(m, "port/+", 021, "new port");
	sw->dbg_port_minus = mgmt_dbg_new(m, "port/-", 022, "closed port");
	sw->dbg_port_descr = mgmt_dbg_new(m, "port/descr", 023, "set port description");
	sw->dbg_ep_plus = mgmt_dbg_new(m, "port/ep/+", 031, "new endpoint");
	sw->dbg_ep_minus = mgmt_dbg_new(m, "port/ep/-", 032, "closed endpoint");
	if (!sw->dbg_hash_plus || !sw->dbg_hash_minus || !sw->dbg_port_plus ||
	    !sw->dbg_port_minus || !sw->dbg_port_descr || !sw->dbg_ep_plus || !sw->dbg_ep_minus)
		return -1;
	return cmds_gc_start(sw);
}

void
cmds_unregister(struct sw *sw)
{
	struct mgmt_dbg **d[] = { &sw->dbg_hash_plus, &sw->dbg_hash_minus, &sw->dbg_port_plus,
				  &sw->dbg_port_minus, &sw->dbg_port_descr, &sw->dbg_ep_plus,
				  &sw->dbg_ep_minus };

	if (sw->gctimer)
		loop_del_timer(sw->loop, sw->gctimer);
	sw->gctimer = NULL;
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		if (*d[i])
			mgmt_dbg_free(sw->mgmt, *d[i]);
		*d[i] = NULL;
	}
}
