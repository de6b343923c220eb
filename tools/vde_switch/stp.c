/*
 * Per-VLAN rapid spanning tree (802.1w-style), pure. Each port keeps the last BPDU its neighbour
 * sent; roles follow from priority vectors (root, cost, bridge, port: smaller is better). A new
 * designated port discards and proposes until the neighbour agrees (or it turns out to be an
 * edge, or two forward delays pass); a root port forwards at once after syncing the designated
 * ports, so no loop forms while the tree changes. Invariant: at most one root port per VLAN.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stp.h"

#define STP_INFO_MS (3 * STP_HELLO_MS) /* received information lifetime */
#define STP_TC_MS   (2 * STP_HELLO_MS)

/* A priority vector: compared field by field, smaller is better. */
struct vec {
	uint64_t root;
	uint32_t cost;
	uint64_t bridge;
	uint16_t port;
};

struct sport {
	int active, tagged;
	int admin_edge, oper_edge, seen_bpdu;
	int rcvd_valid;
	struct vec rcvd;
	uint16_t rcvd_age; /* 1/256 s */
	uint64_t rcvd_ms, up_ms, state_ms, tc_until;
	struct vec dvec;   /* the designated vector we advertise on this port */
	int agreed, proposing, agree_tx, need_tx;
	enum stp_role role;
	enum stp_state state;
};

struct svlan {
	uint16_t vid;
	struct sport *ports;
	unsigned cap;
	uint64_t root, designated;
	uint32_t rootcost;
	int rootport;
	uint16_t rootage;
	unsigned bonusport;
	uint32_t bonuscost;
	uint64_t next_hello;
};

struct stp {
	uint64_t bridge;
	int enabled;
	const struct stp_ops *ops;
	void *arg;
	struct svlan *v[4096];
};

static const uint8_t stp_group[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 };

int
stp_is_bpdu(const uint8_t *frame)
{
	return memcmp(frame, stp_group, 6) == 0;
}

static uint64_t
stp_bridge_id(const uint8_t mac[6], uint16_t prio)
{
	uint64_t id = (uint64_t)prio << 48;

	for (int i = 0; i < 6; i++)
		id |= (uint64_t)mac[i] << (40 - 8 * i);
	return id;
}

struct stp *
stp_new(const uint8_t mac[6], uint16_t prio, const struct stp_ops *ops, void *arg)
{
	struct stp *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	st->bridge = stp_bridge_id(mac, prio);
	st->ops = ops;
	st->arg = arg;
	return st;
}

void
stp_free(struct stp *st)
{
	if (st == NULL)
		return;
	for (unsigned i = 0; i < 4096; i++)
		stp_vlan_del(st, (uint16_t)i);
	free(st);
}

static int
vec_cmp(const struct vec *a, const struct vec *b)
{
	if (a->root != b->root)
		return a->root < b->root ? -1 : 1;
	if (a->cost != b->cost)
		return a->cost < b->cost ? -1 : 1;
	if (a->bridge != b->bridge)
		return a->bridge < b->bridge ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return 0;
}

static uint16_t
port_id(unsigned port)
{
	return (uint16_t)(0x8000 | (port & 0x0fff));
}

static uint32_t
port_cost(const struct svlan *v, unsigned port)
{
	if (port == v->bonusport && v->bonuscost > 0)
		return v->bonuscost >= STP_PORTCOST ? 1 : STP_PORTCOST - v->bonuscost;
	return STP_PORTCOST;
}

static struct sport *
sport_get(const struct stp *st, uint16_t vid, unsigned port)
{
	struct svlan *v = vid < 4096 ? st->v[vid] : NULL;

	return v && port < v->cap ? &v->ports[port] : NULL;
}

static void
set_state(struct stp *st, struct svlan *v, unsigned n, enum stp_state s, uint64_t now)
{
	struct sport *p = &v->ports[n];

	if (p->state == s)
		return;
	p->state = s;
	p->state_ms = now;
	p->need_tx = 1;
	if (st->ops->changed)
		st->ops->changed(st->arg, v->vid, n, p->oper_edge && p->role == STP_ROLE_DESIGNATED ?
				 STP_ROLE_EDGE : p->role, s);
	if (s != STP_FORWARDING || p->oper_edge)
		return;
	/* topology change: the paths behind the other ports may have moved */
	for (unsigned i = 0; i < v->cap; i++) {
		struct sport *q = &v->ports[i];

		if (i == n || !q->active || q->oper_edge)
			continue;
		if (st->ops->flush)
			st->ops->flush(st->arg, v->vid, i);
		if (q->state == STP_FORWARDING) {
			q->tc_until = now + STP_TC_MS;
			q->need_tx = 1;
		}
	}
	p->tc_until = now + STP_TC_MS;
}

static void
set_role(struct svlan *v, unsigned n, enum stp_role r)
{
	struct sport *p = &v->ports[n];

	if (p->role == r)
		return;
	p->role = r;
	p->agreed = 0;
	p->proposing = 0;
	p->need_tx = 1;
}

/* Sync: designated ports not yet agreed to the current information stop forwarding. */
static void
sync_ports(struct stp *st, struct svlan *v, uint64_t now)
{
	for (unsigned i = 0; i < v->cap; i++) {
		struct sport *p = &v->ports[i];

		if (!p->active || p->role != STP_ROLE_DESIGNATED || p->oper_edge || p->agreed)
			continue;
		p->proposing = 1;
		p->need_tx = 1;
		if (p->state != STP_DISCARDING)
			set_state(st, v, i, STP_DISCARDING, now);
	}
}

/* The best path to the root: sets root, cost and root port; returns whether they changed. */
static int
select_root(struct stp *st, struct svlan *v)
{
	struct vec best = { st->bridge, 0, st->bridge, 0 };
	int rp = -1, oldrp = v->rootport;
	uint64_t oldroot = v->root;
	uint32_t oldcost = v->rootcost;

	for (unsigned i = 0; i < v->cap; i++) {
		struct sport *p = &v->ports[i];
		struct vec c;

		if (!p->active || !p->rcvd_valid || p->rcvd.bridge == st->bridge)
			continue;
		c = p->rcvd;
		c.cost += port_cost(v, i);
		if (vec_cmp(&c, &best) < 0) {
			best = c;
			rp = (int)i;
		}
	}
	v->root = best.root;
	v->rootcost = best.cost;
	v->rootport = rp;
	v->designated = rp >= 0 ? best.bridge : ~(uint64_t)0;
	v->rootage = rp >= 0 ? (uint16_t)(v->ports[rp].rcvd_age + 256) : 0;
	if (st->ops->root && (rp != oldrp || v->root != oldroot))
		st->ops->root(st->arg, v->vid, v->root, rp);
	return rp != oldrp || v->root != oldroot || v->rootcost != oldcost;
}

/* Each port's role from its designated vector and what its neighbour sent. */
static void
assign_roles(struct stp *st, struct svlan *v)
{
	for (unsigned i = 0; i < v->cap; i++) {
		struct sport *p = &v->ports[i];
		struct vec d = { v->root, v->rootcost, st->bridge, port_id(i) };

		if (!p->active)
			continue;
		if (vec_cmp(&d, &p->dvec) != 0) {
			p->dvec = d;
			p->agreed = 0; /* the neighbour agreed to other information */
		}
		if ((int)i == v->rootport) {
			set_role(v, i, STP_ROLE_ROOT);
		} else if (!p->rcvd_valid || vec_cmp(&d, &p->rcvd) < 0) {
			/* we are the designated bridge here: what the neighbour said before
			 * is stale (it would offer a path to the root that is no more) */
			set_role(v, i, STP_ROLE_DESIGNATED);
			p->rcvd_valid = 0;
		} else if (p->rcvd.bridge == st->bridge) {
			set_role(v, i, STP_ROLE_BACKUP);
		} else {
			set_role(v, i, STP_ROLE_ALTERNATE);
		}
	}
}

/* Chooses the root port and every port's role, then the states (sync forces a sync). */
static void
recompute(struct stp *st, struct svlan *v, int sync, uint64_t now)
{
	if (select_root(st, v))
		sync = 1;
	assign_roles(st, v);
	if (sync)
		sync_ports(st, v, now);
	for (unsigned i = 0; i < v->cap; i++) {
		struct sport *p = &v->ports[i];

		if (!p->active)
			continue;
		switch (p->role) {
		case STP_ROLE_ROOT:
			set_state(st, v, i, STP_FORWARDING, now);
			break;
		case STP_ROLE_DESIGNATED:
			if (p->oper_edge || p->agreed) {
				p->proposing = 0;
				set_state(st, v, i, STP_FORWARDING, now);
			} else if (p->state == STP_DISCARDING) {
				p->proposing = 1;
			}
			break;
		default:
			set_state(st, v, i, STP_DISCARDING, now);
			break;
		}
	}
}

static void
put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void
put64(uint8_t *b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i));
}

/*
 * An RST BPDU in an 802.3/LLC frame (timers in 1/256 s, big-endian):
 *   dst 01:80:c2:00:00:00 | src | len 0x0027 | 42 42 03 | proto 0000 | ver 02 | type 02 |
 *   flags | root id(8) | root cost(4) | bridge id(8) | port id(2) | msg age | max age |
 *   hello | fwd delay | v1 len 00 | padding to 60 bytes
 * flags: 0 TC, 1 proposal, 2-3 role (1 alt/backup, 2 root, 3 designated), 4 learning,
 * 5 forwarding, 6 agreement, 7 TC ack.
 */
static void
send_bpdu(struct stp *st, struct svlan *v, unsigned n, const uint8_t mac[6], uint64_t now)
{
	struct sport *p = &v->ports[n];
	uint8_t f[STP_FRAMELEN], *b = f + 17, flags = 0, role;

	memset(f, 0, sizeof(f));
	memcpy(f, stp_group, 6);
	memcpy(f + 6, mac, 6);
	put16(f + 12, 39);
	f[14] = 0x42;
	f[15] = 0x42;
	f[16] = 0x03;
	b[2] = 2;
	b[3] = 2;
	role = p->role == STP_ROLE_ROOT ? 2 : p->role == STP_ROLE_DESIGNATED ? 3 : 1;
	flags = (uint8_t)(role << 2);
	if (p->role == STP_ROLE_DESIGNATED && p->proposing)
		flags |= 0x02;
	if (p->state != STP_DISCARDING)
		flags |= 0x10;
	if (p->state == STP_FORWARDING)
		flags |= 0x20;
	if (p->role != STP_ROLE_DESIGNATED)
		flags |= 0x40;
	if (now < p->tc_until)
		flags |= 0x01;
	b[4] = flags;
	put64(b + 5, v->root);
	b[13] = (uint8_t)(v->rootcost >> 24);
	b[14] = (uint8_t)(v->rootcost >> 16);
	b[15] = (uint8_t)(v->rootcost >> 8);
	b[16] = (uint8_t)v->rootcost;
	put64(b + 17, st->bridge);
	put16(b + 25, port_id(n));
	put16(b + 27, v->rootage);
	put16(b + 29, STP_MAXAGE_S * 256);
	put16(b + 31, STP_HELLO_MS / 1000 * 256);
	put16(b + 33, STP_FWDDELAY_MS / 1000 * 256);
	st->ops->send(st->arg, v->vid, n, f, sizeof(f));
	p->need_tx = 0;
	p->agree_tx = 0;
}

/* Sends the BPDUs that changes asked for (and the designated ports' hellos). */
static void
flush_tx(struct stp *st, struct svlan *v, uint64_t now)
{
	uint8_t mac[6];

	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(st->bridge >> (40 - 8 * i));
	for (unsigned i = 0; i < v->cap; i++) {
		struct sport *p = &v->ports[i];

		/* a port whose role or state changed tells its neighbour at once: a new root
		 * port's inferior information lets the other end turn designated */
		if (p->active && (p->need_tx || p->agree_tx))
			send_bpdu(st, v, i, mac, now);
	}
}

int
stp_vlan_add(struct stp *st, uint16_t vid)
{
	struct svlan *v;

	if (vid >= 4095) {
		errno = EINVAL;
		return -1;
	}
	if (st->v[vid])
		return 0;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return -1;
	v->vid = vid;
	v->root = st->bridge;
	v->designated = ~(uint64_t)0;
	v->rootport = -1;
	st->v[vid] = v;
	return 0;
}

void
stp_vlan_del(struct stp *st, uint16_t vid)
{
	if (vid >= 4096 || st->v[vid] == NULL)
		return;
	free(st->v[vid]->ports);
	free(st->v[vid]);
	st->v[vid] = NULL;
}

int
stp_vlan_exists(const struct stp *st, uint16_t vid)
{
	return vid < 4096 && st->v[vid] != NULL;
}

static struct sport *
sport_grow(struct svlan *v, unsigned port)
{
	if (port >= v->cap) {
		unsigned cap = port + 8;
		struct sport *np = realloc(v->ports, cap * sizeof(*np));

		if (np == NULL)
			return NULL;
		memset(np + v->cap, 0, (cap - v->cap) * sizeof(*np));
		v->ports = np;
		v->cap = cap;
	}
	return &v->ports[port];
}

static void
port_reset(struct sport *p, uint64_t now)
{
	p->rcvd_valid = 0;
	p->seen_bpdu = 0;
	p->oper_edge = p->admin_edge;
	p->up_ms = now;
	p->state_ms = now;
	p->state = p->oper_edge ? STP_FORWARDING : STP_DISCARDING;
	p->role = STP_ROLE_DESIGNATED;
	p->agreed = 0;
	p->proposing = !p->oper_edge;
	p->need_tx = 1;
	p->tc_until = 0;
	memset(&p->dvec, 0, sizeof(p->dvec));
}

int
stp_port_up(struct stp *st, uint16_t vid, unsigned port, int tagged, uint64_t now)
{
	struct svlan *v = vid < 4096 ? st->v[vid] : NULL;
	struct sport *p;

	if (v == NULL) {
		errno = ENXIO;
		return -1;
	}
	if ((p = sport_grow(v, port)) == NULL)
		return -1;
	p->tagged = tagged;
	if (p->active)
		return 0;
	p->active = 1;
	port_reset(p, now);
	if (st->enabled) {
		recompute(st, v, 0, now);
		flush_tx(st, v, now);
	}
	return 0;
}

void
stp_port_down(struct stp *st, uint16_t vid, unsigned port, uint64_t now)
{
	struct sport *p = sport_get(st, vid, port);
	struct svlan *v;

	if (p == NULL || !p->active)
		return;
	v = st->v[vid];
	p->active = 0;
	p->rcvd_valid = 0;
	p->role = STP_ROLE_UNKNOWN;
	if (p->state != STP_DISCARDING && st->enabled && st->ops->changed)
		st->ops->changed(st->arg, vid, port, STP_ROLE_UNKNOWN, STP_DISCARDING);
	p->state = STP_DISCARDING;
	if (st->enabled) {
		recompute(st, v, 0, now);
		flush_tx(st, v, now);
	}
}

int
stp_set_edge(struct stp *st, uint16_t vid, unsigned port, int edge, uint64_t now)
{
	struct svlan *v = vid < 4096 ? st->v[vid] : NULL;
	struct sport *p;

	if (v == NULL) {
		errno = ENXIO;
		return -1;
	}
	if ((p = sport_grow(v, port)) == NULL)
		return -1;
	p->admin_edge = !!edge;
	p->oper_edge = p->admin_edge;
	if (p->active && st->enabled) {
		recompute(st, v, 0, now);
		flush_tx(st, v, now);
	}
	return 0;
}

int
stp_set_bonus(struct stp *st, uint16_t vid, unsigned port, uint32_t cost, uint64_t now)
{
	struct svlan *v = vid < 4096 ? st->v[vid] : NULL;

	if (v == NULL) {
		errno = ENXIO;
		return -1;
	}
	v->bonusport = port;
	v->bonuscost = cost;
	if (st->enabled) {
		recompute(st, v, 0, now);
		flush_tx(st, v, now);
	}
	return 0;
}

static uint16_t
get16(const uint8_t *b)
{
	return (uint16_t)((b[0] << 8) | b[1]);
}

static uint64_t
get64(const uint8_t *b)
{
	uint64_t x = 0;

	for (int i = 0; i < 8; i++)
		x = (x << 8) | b[i];
	return x;
}

/* TC received on port n: forget what was learned elsewhere and pass it on. */
static void
topology_change(struct stp *st, struct svlan *v, unsigned n, uint64_t now)
{
	for (unsigned i = 0; i < v->cap; i++) {
		struct sport *q = &v->ports[i];

		if (i == n || !q->active || q->oper_edge)
			continue;
		if (st->ops->flush)
			st->ops->flush(st->arg, v->vid, i);
		if (q->state == STP_FORWARDING && now >= q->tc_until) {
			q->tc_until = now + STP_TC_MS;
			q->need_tx = 1;
		}
	}
}

/*
 * Checks a received frame: returns its flags (a config BPDU counts as designated, a TCN as
 * just TC), or -1 if it is no BPDU for us: malformed, our own reflected back, or too old.
 */
static int
bpdu_flags(const struct stp *st, unsigned port, const uint8_t *f, size_t len)
{
	const uint8_t *b = f + 17;

	if (len < 17 + 4 || get16(f + 12) > 1500 || f[14] != 0x42 || f[15] != 0x42 ||
	    f[16] != 0x03 || get16(b) != 0)
		return -1;
	if (b[3] == 0x80)
		return 0x01;
	if (len < 17 + 35 || !(b[3] == 0x00 || (b[3] == 0x02 && b[2] >= 2)))
		return -1;
	if (get64(b + 17) == st->bridge && get16(b + 25) == port_id(port))
		return -1;
	if (get16(b + 27) >= get16(b + 29))
		return -1;
	return b[3] == 0x02 ? b[4] : 0x0c | (b[4] & 0x01);
}

/* Designated information from the neighbour on port n: recorded, then a proposal answered. */
static void
rx_info(struct stp *st, struct svlan *v, unsigned n, const uint8_t *b, int flags,
	uint64_t now)
{
	struct sport *p = &v->ports[n];

	p->rcvd_valid = 1;
	p->rcvd.root = get64(b + 5);
	p->rcvd.cost = ((uint32_t)b[13] << 24) | ((uint32_t)b[14] << 16) |
		       ((uint32_t)b[15] << 8) | b[16];
	p->rcvd.bridge = get64(b + 17);
	p->rcvd.port = get16(b + 25);
	p->rcvd_age = get16(b + 27);
	p->rcvd_ms = now;
	recompute(st, v, 0, now);
	if (!(flags & 0x02))
		return;
	if (p->role == STP_ROLE_ROOT) {
		sync_ports(st, v, now);
		p->agree_tx = 1;
	} else if (p->role == STP_ROLE_ALTERNATE || p->role == STP_ROLE_BACKUP) {
		p->agree_tx = 1; /* discarding already: nothing to sync */
	}
}

void
stp_rx(struct stp *st, uint16_t vid, unsigned port, const uint8_t *f, size_t len, uint64_t now)
{
	struct svlan *v = vid < 4096 ? st->v[vid] : NULL;
	struct sport *p = sport_get(st, vid, port);
	int flags;

	if (!st->enabled || p == NULL || !p->active || (flags = bpdu_flags(st, port, f, len)) < 0)
		return;
	if (f[17 + 3] != 0x80) {
		p->seen_bpdu = 1;
		p->oper_edge = 0;
		if (((flags >> 2) & 3) == 3) {
			rx_info(st, v, port, f + 17, flags, now);
		} else if ((flags & 0x40) && p->role == STP_ROLE_DESIGNATED &&
			   get64(f + 17 + 5) == v->root) {
			/* a root, alternate or backup port's BPDU carries no path to the root
			 * (taking it as one counts to infinity); it may agree to our proposal */
			p->agreed = 1;
			recompute(st, v, 0, now);
		}
	}
	if (flags & 0x01)
		topology_change(st, v, port, now);
	flush_tx(st, v, now);
}

static void
tick_vlan(struct stp *st, struct svlan *v, uint64_t now)
{
	int changed = 0;

	for (unsigned i = 0; i < v->cap; i++) {
		struct sport *p = &v->ports[i];

		if (!p->active)
			continue;
		if (p->rcvd_valid && now - p->rcvd_ms > STP_INFO_MS) {
			p->rcvd_valid = 0;
			changed = 1;
		}
		if (p->role != STP_ROLE_DESIGNATED || p->oper_edge || p->agreed)
			continue;
		if (!p->seen_bpdu && now - p->up_ms >= STP_EDGE_MS) {
			p->oper_edge = 1;
			changed = 1;
		} else if (p->state == STP_DISCARDING && now - p->state_ms >= STP_FWDDELAY_MS) {
			set_state(st, v, i, STP_LEARNING, now);
		} else if (p->state == STP_LEARNING && now - p->state_ms >= STP_FWDDELAY_MS) {
			p->proposing = 0;
			set_state(st, v, i, STP_FORWARDING, now);
		}
	}
	if (changed)
		recompute(st, v, 0, now);
	if (now >= v->next_hello) {
		v->next_hello = now + STP_HELLO_MS;
		for (unsigned i = 0; i < v->cap; i++)
			if (v->ports[i].active && v->ports[i].role == STP_ROLE_DESIGNATED)
				v->ports[i].need_tx = 1;
	}
	flush_tx(st, v, now);
}

void
stp_tick(struct stp *st, uint64_t now)
{
	if (!st->enabled)
		return;
	for (unsigned i = 0; i < 4096; i++)
		if (st->v[i])
			tick_vlan(st, st->v[i], now);
}

static void
restart_all(struct stp *st, uint64_t now)
{
	for (unsigned i = 0; i < 4096; i++) {
		struct svlan *v = st->v[i];

		if (v == NULL)
			continue;
		v->root = st->bridge;
		v->rootcost = 0;
		v->rootport = -1;
		v->designated = ~(uint64_t)0;
		v->next_hello = 0;
		for (unsigned j = 0; j < v->cap; j++)
			if (v->ports[j].active)
				port_reset(&v->ports[j], now);
		if (st->enabled) {
			recompute(st, v, 0, now);
			flush_tx(st, v, now);
		}
	}
}

void
stp_enable(struct stp *st, int on, uint64_t now)
{
	if (!!on == st->enabled)
		return;
	st->enabled = !!on;
	restart_all(st, now);
}

int
stp_enabled(const struct stp *st)
{
	return st && st->enabled;
}

enum stp_state
stp_state(const struct stp *st, uint16_t vid, unsigned port)
{
	const struct sport *p;

	if (st == NULL || !st->enabled || vid >= 4096 || st->v[vid] == NULL)
		return STP_FORWARDING;
	p = sport_get(st, vid, port);
	return p && p->active ? p->state : STP_DISCARDING;
}

int
stp_port_info(const struct stp *st, uint16_t vid, unsigned port, struct stp_portinfo *pi)
{
	const struct sport *p = sport_get(st, vid, port);

	memset(pi, 0, sizeof(*pi));
	if (p == NULL || !p->active) {
		pi->state = st->enabled ? STP_DISCARDING : STP_FORWARDING;
		return -1;
	}
	pi->role = p->role == STP_ROLE_DESIGNATED && p->oper_edge ? STP_ROLE_EDGE : p->role;
	pi->state = st->enabled ? p->state : STP_FORWARDING;
	pi->tagged = p->tagged;
	pi->edge = p->oper_edge;
	pi->admin_edge = p->admin_edge;
	pi->cost = port_cost(st->v[vid], port);
	return 0;
}

int
stp_vlan_info(const struct stp *st, uint16_t vid, struct stp_vlaninfo *vi)
{
	const struct svlan *v = vid < 4096 ? st->v[vid] : NULL;

	if (v == NULL)
		return -1;
	vi->root = v->root;
	vi->bridge = st->bridge;
	vi->designated = v->designated;
	vi->rootcost = v->rootcost;
	vi->rootport = v->rootport;
	vi->bonusport = v->bonusport;
	vi->bonuscost = v->bonuscost;
	vi->age = v->rootage / 256u;
	return 0;
}

const char *
stp_role_name(enum stp_role r)
{
	static const char *const names[] = { "Unknown", "Root", "Designated", "Alternate",
					     "Backup", "Edge" };

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "Unknown";
}

const char *
stp_state_name(enum stp_state s)
{
	return s == STP_FORWARDING ? "Forwarding" : s == STP_LEARNING ? "Learning" : "Discarding";
}
