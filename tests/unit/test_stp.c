/*
 * Unit tests for the spanning tree state machine (tools/vde_switch/stp.c), driven as a network:
 * several instances joined by simulated links deliver each other's BPDUs while simulated time
 * passes. Checks the BPDU encoding (802.1w, timers in 1/256 s big-endian), convergence without
 * timers in a ring and a full mesh, that no loop ever forwards, failover after a cut, edge
 * ports, backup ports and the disabled state.
 */
#include "tap.h"
#include "stp.h"

#define NB   4
#define NL   8
#define NQ   4096

struct link {
	int a, pa, b, pb, up;
};

struct msg {
	int to, port;
	uint8_t f[STP_FRAMELEN];
};

struct ctx {
	struct net *net;
	int idx;
};

struct net {
	struct stp *br[NB];
	struct ctx c[NB];
	int n;
	struct link l[NL];
	int nl;
	struct msg q[NQ];
	unsigned qh, qt;
	uint64_t now;
	int loop_seen;
	uint8_t last[STP_FRAMELEN];
	unsigned sent;
};

static void
net_send(void *arg, uint16_t vlan, unsigned port, const uint8_t *f, size_t len)
{
	struct ctx *c = arg;
	struct net *net = c->net;

	(void)vlan;
	memcpy(net->last, f, len < STP_FRAMELEN ? len : STP_FRAMELEN);
	net->sent++;
	for (int i = 0; i < net->nl; i++) {
		struct link *l = &net->l[i];
		int to = -1, tp = 0;

		if (!l->up)
			continue;
		if (l->a == c->idx && l->pa == (int)port) {
			to = l->b;
			tp = l->pb;
		} else if (l->b == c->idx && l->pb == (int)port) {
			to = l->a;
			tp = l->pa;
		}
		if (to < 0 || net->qt - net->qh >= NQ)
			continue;
		net->q[net->qt % NQ].to = to;
		net->q[net->qt % NQ].port = tp;
		memcpy(net->q[net->qt % NQ].f, f, STP_FRAMELEN);
		net->qt++;
	}
}

static const struct stp_ops ops = { .send = net_send };

static int
fwd(struct net *net, int b, int p)
{
	return stp_state(net->br[b], 0, (unsigned)p) == STP_FORWARDING;
}

static int
uf_find(int *par, int x)
{
	while (par[x] != x)
		x = par[x] = par[par[x]];
	return x;
}

/* Counts links forwarding at both ends; *cycle if they close a loop; *comp = components. */
static int
active_links(struct net *net, int *cycle, int *comp)
{
	int par[NB], n = 0;

	for (int i = 0; i < net->n; i++)
		par[i] = i;
	*cycle = 0;
	for (int i = 0; i < net->nl; i++) {
		struct link *l = &net->l[i];
		int x, y;

		if (!l->up || !fwd(net, l->a, l->pa) || !fwd(net, l->b, l->pb))
			continue;
		n++;
		x = uf_find(par, l->a);
		y = uf_find(par, l->b);
		if (x == y)
			*cycle = 1;
		par[x] = y;
	}
	*comp = 0;
	for (int i = 0; i < net->n; i++)
		if (uf_find(par, i) == i)
			(*comp)++;
	return n;
}

/* Components of the graph of links that are up (what a spanning tree can connect). */
static int
up_components(struct net *net)
{
	int par[NB], comp = 0;

	for (int i = 0; i < net->n; i++)
		par[i] = i;
	for (int i = 0; i < net->nl; i++)
		if (net->l[i].up)
			par[uf_find(par, net->l[i].a)] = uf_find(par, net->l[i].b);
	for (int i = 0; i < net->n; i++)
		if (uf_find(par, i) == i)
			comp++;
	return comp;
}

/* Delivers queued BPDUs (checking for loops after each) and ticks every 100 ms for ms. */
static void
run(struct net *net, unsigned ms)
{
	uint64_t end = net->now + ms;

	for (;;) {
		while (net->qh != net->qt) {
			struct msg m = net->q[net->qh % NQ];
			int cyc, comp;

			net->qh++;
			stp_rx(net->br[m.to], 0, (unsigned)m.port, m.f, STP_FRAMELEN, net->now);
			active_links(net, &cyc, &comp);
			net->loop_seen |= cyc;
		}
		if (net->now >= end)
			break;
		net->now += 100;
		for (int i = 0; i < net->n; i++)
			stp_tick(net->br[i], net->now);
	}
}

static void
net_init(struct net *net, int n)
{
	memset(net, 0, sizeof(*net));
	net->n = n;
	net->now = 1000;
	for (int i = 0; i < n; i++) {
		uint8_t mac[6] = { 0x02, 0, 0, 0, 0, (uint8_t)(i + 1) };

		net->c[i].net = net;
		net->c[i].idx = i;
		net->br[i] = stp_new(mac, 0x8000, &ops, &net->c[i]);
		stp_vlan_add(net->br[i], 0);
		stp_enable(net->br[i], 1, net->now);
	}
}

static void
net_link(struct net *net, int a, int pa, int b, int pb)
{
	net->l[net->nl++] = (struct link){ a, pa, b, pb, 1 };
	stp_port_up(net->br[a], 0, (unsigned)pa, 0, net->now);
	stp_port_up(net->br[b], 0, (unsigned)pb, 0, net->now);
}

static void
net_cut(struct net *net, int i)
{
	struct link *l = &net->l[i];

	l->up = 0;
	stp_port_down(net->br[l->a], 0, (unsigned)l->pa, net->now);
	stp_port_down(net->br[l->b], 0, (unsigned)l->pb, net->now);
}

static void
net_free(struct net *net)
{
	for (int i = 0; i < net->n; i++)
		stp_free(net->br[i]);
}

static void
test_encoding(void)
{
	static struct net net;
	const uint8_t *b = net.last + 17;
	struct stp_portinfo pi;

	net_init(&net, 2);
	net_link(&net, 0, 1, 1, 1);
	ok(net.sent > 0, "a new port sends a BPDU at once");
	ok(memcmp(net.last, "\x01\x80\xc2\x00\x00\x00", 6) == 0, "to the bridge group address");
	ok(stp_is_bpdu(net.last), "stp_is_bpdu recognises it");
	ok(net.last[12] == 0x00 && net.last[13] == 0x27, "802.3 length 39");
	ok(net.last[14] == 0x42 && net.last[15] == 0x42 && net.last[16] == 0x03, "LLC 42 42 03");
	ok(b[0] == 0 && b[1] == 0 && b[2] == 2 && b[3] == 2, "protocol 0, version 2, type RST");
	is_int((b[4] >> 2) & 3, 3, "role designated");
	ok(b[4] & 0x02, "proposal set while discarding");
	ok(b[5] == 0x80 && b[6] == 0x00 && b[7] == 0x02 && b[12] == 0x02, "root id 8000.02..02");
	ok(b[27] == 0 && b[28] == 0, "message age 0 at the root");
	ok(b[29] == 20 && b[30] == 0, "max age 20 s = 0x1400 (1/256 s, big-endian)");
	ok(b[31] == 2 && b[32] == 0, "hello 2 s = 0x0200");
	ok(b[33] == 15 && b[34] == 0, "forward delay 15 s = 0x0f00");
	is_int(b[35], 0, "version 1 length 0");
	run(&net, 100);
	ok(fwd(&net, 0, 1) && fwd(&net, 1, 1), "two bridges: the link forwards without timers");
	stp_port_info(net.br[1], 0, 1, &pi);
	is_int(pi.role, STP_ROLE_ROOT, "bridge 2's port is its root port");
	stp_port_info(net.br[0], 0, 1, &pi);
	is_int(pi.role, STP_ROLE_DESIGNATED, "bridge 1's port is designated");
	net_free(&net);
}

static void
test_ring(void)
{
	static struct net net;
	struct stp_vlaninfo vi;
	int cyc, comp, n, cut = -1;

	net_init(&net, 3);
	net_link(&net, 0, 1, 1, 1);
	net_link(&net, 1, 2, 2, 1);
	net_link(&net, 2, 2, 0, 2);
	run(&net, 300);
	n = active_links(&net, &cyc, &comp);
	is_int(n, 2, "ring of 3: two links forward after 300 ms");
	ok(!cyc && comp == 1, "a spanning tree: connected, no loop");
	ok(!net.loop_seen, "no loop at any moment of convergence");
	stp_vlan_info(net.br[2], 0, &vi);
	ok(vi.root == 0x8000020000000001ull, "root is the lowest bridge id");
	stp_vlan_info(net.br[0], 0, &vi);
	is_int(vi.rootport, -1, "the root bridge has no root port");
	for (int i = 0; i < net.nl; i++)
		if (fwd(&net, net.l[i].a, net.l[i].pa) && fwd(&net, net.l[i].b, net.l[i].pb))
			cut = i;
	net_cut(&net, cut);
	run(&net, 200);
	n = active_links(&net, &cyc, &comp);
	ok(n == 2 && comp == 1, "after cutting a forwarding link the other two forward (200 ms)");
	ok(!net.loop_seen, "no loop during failover");
	run(&net, 30000);
	n = active_links(&net, &cyc, &comp);
	ok(n == 2 && comp == 1 && !net.loop_seen, "stable for 30 s");
	net_free(&net);
}

static void
test_mesh(void)
{
	static struct net net;
	int cyc, comp, n, port[NB] = { 1, 1, 1, 1 };

	net_init(&net, 4);
	for (int a = 0; a < 4; a++)
		for (int b = a + 1; b < 4; b++)
			net_link(&net, a, port[a]++, b, port[b]++);
	run(&net, 300);
	n = active_links(&net, &cyc, &comp);
	is_int(n, 3, "full mesh of 4: three links forward");
	ok(comp == 1 && !cyc && !net.loop_seen, "spanning tree, never a loop");
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < net.nl; i++)
			if (net.l[i].up && fwd(&net, net.l[i].a, net.l[i].pa) &&
			    fwd(&net, net.l[i].b, net.l[i].pb)) {
				net_cut(&net, i);
				break;
			}
		run(&net, 200);
		n = active_links(&net, &cyc, &comp);
		if (!ok(n + comp == 4 && comp == up_components(&net) && !net.loop_seen,
			"cut %d: every part connected again in 200 ms", round + 1))
			printf("#   %d links forward, %d components (%d physical), loop %d\n", n,
			       comp, up_components(&net), net.loop_seen);
	}
	/* links going down and up in a fixed pseudo-random order */
	{
		unsigned seed = 12345, bad = 0;

		for (int round = 0; round < 40; round++) {
			struct link *l;

			seed = seed * 1103515245u + 12345u;
			l = &net.l[(seed >> 16) % (unsigned)net.nl];
			if (l->up) {
				net_cut(&net, (int)(l - net.l));
			} else {
				l->up = 1;
				stp_port_up(net.br[l->a], 0, (unsigned)l->pa, 0, net.now);
				stp_port_up(net.br[l->b], 0, (unsigned)l->pb, 0, net.now);
			}
			run(&net, 200);
			n = active_links(&net, &cyc, &comp);
			if (n + comp != 4 || comp != up_components(&net))
				bad++;
		}
		is_int(bad, 0, "40 random link changes: a spanning tree 200 ms after each");
		ok(!net.loop_seen, "never a loop");
	}
	net_free(&net);
}

static void
test_edge_backup_disabled(void)
{
	static struct net net;
	struct stp_portinfo pi;

	net_init(&net, 1);
	stp_port_up(net.br[0], 0, 5, 0, net.now);
	ok(!fwd(&net, 0, 5), "a new port without BPDUs discards at first");
	run(&net, 1000);
	ok(!fwd(&net, 0, 5), "still discarding after 1 s");
	run(&net, 2500);
	ok(fwd(&net, 0, 5), "no BPDU for 3 s: an edge port, forwarding");
	stp_port_info(net.br[0], 0, 5, &pi);
	is_int(pi.role, STP_ROLE_EDGE, "role edge");
	stp_set_edge(net.br[0], 0, 6, 1, net.now);
	stp_port_up(net.br[0], 0, 6, 0, net.now);
	ok(fwd(&net, 0, 6), "an administrative edge port forwards at once");

	/* ports 1 and 2 of the same bridge on one segment: one is a backup */
	net_link(&net, 0, 1, 0, 2);
	run(&net, 300);
	ok(fwd(&net, 0, 1) != fwd(&net, 0, 2), "looped-back ports: exactly one forwards");
	stp_port_info(net.br[0], 0, 2, &pi);
	is_int(pi.role, STP_ROLE_BACKUP, "the higher port is a backup");

	stp_enable(net.br[0], 0, net.now);
	ok(fwd(&net, 0, 2) && fwd(&net, 0, 9), "disabled: every port forwards");
	ok(stp_state(NULL, 0, 1) == STP_FORWARDING, "no spanning tree: forwarding");
	net_free(&net);
}

/* Truncated, corrupted and random BPDUs: never a crash, never a root port from garbage. */
static void
test_garbage(void)
{
	static struct net net;
	uint8_t good[STP_FRAMELEN], f[STP_FRAMELEN];
	struct stp_vlaninfo vi;
	unsigned seed = 7;

	net_init(&net, 2);
	stp_port_up(net.br[0], 0, 1, 0, net.now);
	memcpy(good, net.last, sizeof(good)); /* bridge 1's BPDU: better than bridge 2 */
	for (size_t len = 0; len < 17 + 35; len++)
		stp_rx(net.br[1], 0, 1, good, len, net.now);
	stp_port_up(net.br[1], 0, 1, 0, net.now);
	for (size_t len = 0; len < 17 + 35; len++)
		stp_rx(net.br[1], 0, 1, good, len, net.now);
	stp_vlan_info(net.br[1], 0, &vi);
	is_int(vi.rootport, -1, "truncated BPDUs are ignored");
	stp_rx(net.br[1], 0, 1, good, 17 + 35, net.now);
	stp_vlan_info(net.br[1], 0, &vi);
	is_int(vi.rootport, 1, "the whole BPDU is taken");
	for (int i = 0; i < 20000; i++) {
		seed = seed * 1103515245u + 12345u;
		memcpy(f, good, sizeof(f));
		f[(seed >> 8) % sizeof(f)] ^= (uint8_t)(seed >> 20);
		if (i % 2)
			for (size_t j = 12; j < sizeof(f); j++)
				f[j] = (uint8_t)((seed = seed * 1103515245u + 12345u) >> 16);
		stp_rx(net.br[1], 0, 1, f, 1 + (seed >> 4) % sizeof(f), net.now);
		stp_rx(net.br[1], 0, 200, f, sizeof(f), net.now); /* port never up */
		stp_rx(net.br[1], 4000, 1, f, sizeof(f), net.now); /* VLAN without instance */
	}
	ok(1, "20000 corrupted BPDUs survived");
	net_free(&net);
}

int
main(void)
{
	test_garbage();
	test_encoding();
	test_ring();
	test_mesh();
	test_edge_backup_disabled();
	return done_testing();
}
