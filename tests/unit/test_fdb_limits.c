/*
 * Unit tests for the MAC table's caps and keyed hash (tools/vde_switch/fdb.c): per-port and
 * table caps refuse new MACs and moves into a full port, counts follow expiry and flushes,
 * the SipHash key spreads sequential MACs evenly and rekeying or resizing keeps every entry.
 */
#include <string.h>

#include "tap.h"
#include "fdb.h"

static void
mac_of(uint8_t m[6], unsigned i)
{
	m[0] = 0x02;
	m[1] = 0;
	m[2] = (uint8_t)(i >> 24);
	m[3] = (uint8_t)(i >> 16);
	m[4] = (uint8_t)(i >> 8);
	m[5] = (uint8_t)i;
}

static void
bucket_cb(void *arg, const struct fdb_ent *e)
{
	((unsigned *)arg)[e->bucket]++;
}

static void
test_caps(void)
{
	struct fdb *f = fdb_new(64, 0);
	uint8_t m[6];
	int old = -1;

	fdb_set_portmax(f, 10);
	is_int(fdb_portmax(f), 10, "per-port cap set");
	for (unsigned i = 0; i < 10; i++) {
		mac_of(m, i);
		is_int(fdb_learn(f, m, 0, 1, 0, 0, NULL), FDB_NEW, "MAC %u on port 1", i);
	}
	mac_of(m, 10);
	is_int(fdb_learn(f, m, 0, 1, 0, 0, NULL), FDB_PORTFULL, "11th MAC on port 1 refused");
	is_int(fdb_learn(f, m, 0, 2, 0, 0, NULL), FDB_NEW, "but learned on port 2");
	is_int((int)fdb_port_count(f, 1), 10, "port 1 holds 10");
	is_int((int)fdb_port_count(f, 2), 1, "port 2 holds 1");
	/* a move into a full port is refused, the entry stays where it was */
	is_int(fdb_learn(f, m, 0, 1, 10000, 0, &old), FDB_PORTFULL, "move into full port refused");
	is_int(fdb_lookup(f, m, 0), 2, "entry still on port 2");
	mac_of(m, 0);
	is_int(fdb_learn(f, m, 0, 2, 10000, 0, &old), FDB_MOVED, "move out of port 1");
	is_int((int)fdb_port_count(f, 1), 9, "port 1 count follows the move");
	is_int((int)fdb_port_count(f, 2), 2, "port 2 count follows the move");
	is_int((int)fdb_flush_port(f, 1, NULL, NULL), 9, "flush port 1");
	is_int((int)fdb_port_count(f, 1), 0, "port 1 empty after flush");
	is_int((int)fdb_expire(f, 200000, 1000, NULL, NULL), 2, "expire the rest");
	is_int((int)fdb_port_count(f, 2), 0, "port 2 empty after expiry");
	/* the table cap */
	fdb_set_portmax(f, 0);
	fdb_set_max(f, 5);
	for (unsigned i = 0; i < 5; i++) {
		mac_of(m, 100 + i);
		fdb_learn(f, m, 0, 3, 0, 0, NULL);
	}
	mac_of(m, 200);
	is_int(fdb_learn(f, m, 0, 4, 0, 0, NULL), FDB_FULL, "table cap refuses the 6th");
	fdb_set_max(f, 0);
	is_int((int)fdb_max(f), 65536, "0 restores the default cap");
	is_int(fdb_learn(f, m, 0, 4, 0, 0, NULL), FDB_NEW, "learned once the cap is raised");
	fdb_free(f);
}

static void
test_keyed(void)
{
	static const uint8_t k1[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	static const uint8_t k2[16] = { 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	struct fdb *f = fdb_new(256, 0), *g = fdb_new(256, 0);
	unsigned hist[256], maxb = 0, same = 0;
	struct fdb_ent e1, e2;
	uint8_t m[6];

	fdb_set_key(f, k1);
	fdb_set_key(g, k2);
	for (unsigned i = 0; i < 4096; i++) {
		mac_of(m, i);
		fdb_learn(f, m, 0, 1, 0, 0, NULL);
		fdb_learn(g, m, 0, 1, 0, 0, NULL);
	}
	memset(hist, 0, sizeof(hist));
	fdb_foreach(f, bucket_cb, hist);
	for (unsigned b = 0; b < 256; b++)
		if (hist[b] > maxb)
			maxb = hist[b];
	ok(maxb < 40, "4096 sequential MACs spread over 256 buckets (largest chain %u)", maxb);
	for (unsigned i = 0; i < 64; i++) {
		mac_of(m, i);
		fdb_find(f, m, 0, &e1);
		fdb_find(g, m, 0, &e2);
		same += e1.bucket == e2.bucket;
	}
	ok(same < 16, "another key puts MACs in other buckets (%u of 64 alike)", same);
	fdb_set_key(f, k2);
	is_int((int)fdb_count(f), 4096, "rekeying keeps every entry");
	mac_of(m, 4095);
	is_int(fdb_lookup(f, m, 0), 1, "entries found under the new key");
	fdb_find(f, m, 0, &e1);
	fdb_find(g, m, 0, &e2);
	is_int((int)e1.bucket, (int)e2.bucket, "same key, same bucket");
	ok(fdb_resize(f, 4096) == 0, "resize");
	is_int((int)fdb_count(f), 4096, "resize keeps every entry");
	mac_of(m, 17);
	is_int(fdb_lookup(f, m, 0), 1, "entries found after resize");
	fdb_free(f);
	fdb_free(g);
}

int
main(void)
{
	test_caps();
	test_keyed();
	return done_testing();
}
