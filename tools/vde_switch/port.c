/*
 * Port table: allocation policy and access control for new endpoints, port lifetime,
 * counters and the port/print block. Ports 1..numports serve clients, port 0 is the
 * management port (REQ_NEW_PORT0).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "fdb.h"
#include "mgmt.h"
#include "parse.h"
#include "port.h"
#include "swvlan.h"

int
port_init(struct sw *sw, unsigned numports)
{
	if ((sw->ports = calloc(numports + 1, sizeof(*sw->ports))) == NULL)
		return -1;
	sw->numports = numports;
	return 0;
}

void
port_fini(struct sw *sw)
{
	free(sw->ports);
	sw->ports = NULL;
	sw->numports = 0;
}

int
port_setnumports(struct sw *sw, unsigned n)
{
	struct port *np;

	for (unsigned i = n + 1; i <= sw->numports; i++)
		if (sw->ports[i].exists)
			return EADDRINUSE;
	if ((np = realloc(sw->ports, (n + 1) * sizeof(*np))) == NULL)
		return ENOMEM;
	if (n > sw->numports)
		memset(np + sw->numports + 1, 0, (n - sw->numports) * sizeof(*np));
	sw->ports = np;
	sw->numports = n;
	/* the array may have moved: endpoints point into it */
	for (unsigned i = 0; i <= n; i++)
		for (struct endpoint *ep = np[i].eps; ep; ep = ep->next)
			ep->port = &np[i];
	return 0;
}

/* Whether uid (primary group gid) belongs to group g. */
static int
port_in_group(uid_t uid, gid_t gid, gid_t g)
{
	struct passwd *pw;
	gid_t groups[256];
	int n = 256;

	if (gid == g)
		return 1;
	if ((pw = getpwuid(uid)) == NULL)
		return 0;
	if (getgrouplist(pw->pw_name, gid, groups, &n) < 0)
		return 0;
	for (int i = 0; i < n; i++)
		if (groups[i] == g)
			return 1;
	return 0;
}

/* Whether uid may use port p: root always, else the ACL and the current user must agree. */
static int
port_allowed(const struct port *p, uid_t uid, gid_t gid)
{
	if (uid == 0)
		return 0;
	if (p->user != SW_NOUSER && p->user != uid)
		return EPERM;
	if (p->group != SW_NOGROUP && !port_in_group(uid, gid, p->group))
		return EPERM;
	if (p->neps > 0 && p->curuser != uid)
		return EADDRINUSE;
	return 0;
}

int
port_select(struct sw *sw, unsigned want, int port0, uid_t uid, gid_t gid)
{
	int err;

	if (port0) {
		if (uid != 0 && uid != geteuid()) {
			errno = EPERM;
			return -1;
		}
		return 0;
	}
	if (want == 0) {
		for (unsigned i = 1; i <= sw->numports; i++) {
			struct port *p = &sw->ports[i];

			if (!p->exists || (p->allocatable && p->neps == 0 &&
					   port_allowed(p, uid, gid) == 0))
				return (int)i;
		}
		errno = ENOSPC;
		return -1;
	}
	if (want > sw->numports) {
		errno = ENXIO;
		return -1;
	}
	if (sw->ports[want].exists && (err = port_allowed(&sw->ports[want], uid, gid)) != 0) {
		errno = err;
		return -1;
	}
	return (int)want;
}

static void
port_new(struct sw *sw, unsigned n, int created)
{
	struct port *p = &sw->ports[n];
	unsigned mirror_to = p->mirror_to, mirror_dir = p->mirror_dir; /* survive, as ACLs do not */

	memset(p, 0, sizeof(*p));
	p->mirror_to = mirror_to;
	p->mirror_dir = mirror_dir;
	p->exists = 1;
	p->created = created;
	p->allocatable = !created;
	p->user = SW_NOUSER;
	p->group = SW_NOGROUP;
	p->curuser = SW_NOUSER;
	if (mgmt_dbg_active(sw->dbg_port_plus))
		mgmt_dbg_out(sw->dbg_port_plus, "%02u", n);
	if (EV_ON(sw, port_plus))
		event_raise(&sw->ev->port_plus, (int)n);
}

static void
port_gone(struct sw *sw, unsigned n)
{
	sw->ports[n].exists = 0;
	if (mgmt_dbg_active(sw->dbg_port_minus))
		mgmt_dbg_out(sw->dbg_port_minus, "%02u", n);
	if (EV_ON(sw, port_minus))
		event_raise(&sw->ev->port_minus, (int)n);
	port_flush_macs(sw, (int)n);
}

static void
port_descr_out(struct sw *sw, unsigned n, const struct endpoint *ep)
{
	char esc[4 * 256 + 1];

	if (EV_ON(sw, port_descr))
		event_raise(&sw->ev->port_descr, (int)n, ep->ctlfd, ep->descr);
	if (!mgmt_dbg_active(sw->dbg_port_descr))
		return;
	log_escape(esc, sizeof(esc), ep->descr, strlen(ep->descr));
	mgmt_dbg_out(sw->dbg_port_descr, "Port %02u FD %2d -> \"%s\"", n, ep->ctlfd, esc);
}

void
port_attach(struct sw *sw, unsigned n, struct endpoint *ep)
{
	struct port *p = &sw->ports[n];

	if (!p->exists)
		port_new(sw, n, 0);
	ep->port = p;
	ep->next = p->eps;
	p->eps = ep;
	if (p->neps++ == 0) {
		p->curuser = ep->uid;
		swvlan_port_sync(sw, n); /* the port joins its VLANs' spanning trees */
	}
	if (mgmt_dbg_active(sw->dbg_ep_plus))
		mgmt_dbg_out(sw->dbg_ep_plus, "Port %02u FD %2d", n, ep->ctlfd);
	if (EV_ON(sw, ep_plus))
		event_raise(&sw->ev->ep_plus, (int)n, ep->ctlfd);
	port_descr_out(sw, n, ep);
}

void
port_detach(struct sw *sw, struct endpoint *ep)
{
	struct port *p = ep->port;
	unsigned n = (unsigned)(p - sw->ports);

	for (struct endpoint **pp = &p->eps; *pp; pp = &(*pp)->next)
		if (*pp == ep) {
			*pp = ep->next;
			break;
		}
	ep->port = NULL;
	if (mgmt_dbg_active(sw->dbg_ep_minus))
		mgmt_dbg_out(sw->dbg_ep_minus, "Port %02u FD %2d", n, ep->ctlfd);
	if (EV_ON(sw, ep_minus))
		event_raise(&sw->ev->ep_minus, (int)n, ep->ctlfd);
	if (--p->neps > 0)
		return;
	p->curuser = SW_NOUSER;
	swvlan_port_sync(sw, n);
	if (p->created)
		port_flush_macs(sw, (int)n);
	else
		port_gone(sw, n);
}

int
port_create(struct sw *sw, unsigned n, unsigned *created)
{
	if (n == 0) {
		for (n = 1; n <= sw->numports && sw->ports[n].exists; n++)
			;
		if (n > sw->numports)
			return ENOSPC;
	} else if (n > sw->numports) {
		return EINVAL;
	} else if (sw->ports[n].exists) {
		return EEXIST;
	}
	port_new(sw, n, 1);
	if (created)
		*created = n;
	return 0;
}

int
port_remove(struct sw *sw, unsigned n)
{
	if (n == 0 || n > sw->numports)
		return EINVAL;
	if (!sw->ports[n].exists)
		return ENXIO;
	if (sw->ports[n].neps > 0)
		return EADDRINUSE;
	port_gone(sw, n);
	return 0;
}

void
port_reset_counters(struct port *p)
{
	p->in_pkts = p->in_bytes = p->out_pkts = p->out_bytes = 0;
	p->drop_runt = p->drop_oversize = p->drop_vlan = p->drop_queue = 0;
	for (struct endpoint *ep = p->eps; ep; ep = ep->next)
		ep->qdrops = 0;
}

void
port_mac_gone(void *arg, const struct fdb_ent *e)
{
	struct sw *sw = arg;

	if (mgmt_dbg_active(sw->dbg_hash_minus))
		mgmt_dbg_out(sw->dbg_hash_minus,
			     "%02x:%02x:%02x:%02x:%02x:%02x VLAN %02x:%02x Port %d", e->mac[0],
			     e->mac[1], e->mac[2], e->mac[3], e->mac[4], e->mac[5], e->vlan >> 8,
			     e->vlan & 0xff, e->port);
	if (EV_ON(sw, hash_minus))
		event_raise(&sw->ev->hash_minus, event_mac_key(e->mac, e->vlan));
}

fdb_cb *
port_mac_cb(const struct sw *sw)
{
	return mgmt_dbg_active(sw->dbg_hash_minus) || EV_ON(sw, hash_minus) ? port_mac_gone : NULL;
}

void
port_flush_macs(struct sw *sw, int n)
{
	fdb_flush_port(sw->fdb, n, port_mac_cb(sw), sw);
}

static const char *
port_uname(uid_t u, char *buf, size_t n)
{
	struct passwd *pw;

	if (u == SW_NOUSER)
		return "NONE";
	if ((pw = getpwuid(u)) != NULL)
		return pw->pw_name;
	snprintf(buf, n, "%u", (unsigned)u);
	return buf;
}

static const char *
port_gname(gid_t g, char *buf, size_t n)
{
	struct group *gr;

	if (g == SW_NOGROUP)
		return "NONE";
	if ((gr = getgrgid(g)) != NULL)
		return gr->gr_name;
	snprintf(buf, n, "%u", (unsigned)g);
	return buf;
}

void
port_print(struct sw *sw, struct mgmt_req *req, unsigned n)
{
	const struct port *p = &sw->ports[n];
	char b1[16], b2[16], b3[16], esc[4 * 256 + 1];

	mgmt_printf(req, "Port %04u untagged_vlan=%04u %sACTIVE - %sUnnamed Allocatable\n", n,
		    p->vlan, p->neps ? "" : "IN", p->allocatable ? "" : "NOT ");
	mgmt_printf(req, " Current User: %s Access Control: (User: %s - Group: %s)\n",
		    port_uname(p->curuser, b1, sizeof(b1)), port_uname(p->user, b2, sizeof(b2)),
		    port_gname(p->group, b3, sizeof(b3)));
	mgmt_printf(req, " IN:  pkts %10llu          bytes %20llu\n",
		    (unsigned long long)p->in_pkts, (unsigned long long)p->in_bytes);
	mgmt_printf(req, " OUT: pkts %10llu          bytes %20llu\n",
		    (unsigned long long)p->out_pkts, (unsigned long long)p->out_bytes);
	for (const struct endpoint *ep = p->eps; ep; ep = ep->next) {
		log_escape(esc, sizeof(esc), ep->descr, strlen(ep->descr));
		mgmt_printf(req, "  -- endpoint ID %04d module %-12s: %s\n", ep->ctlfd, ep->module,
			    esc);
	}
}
