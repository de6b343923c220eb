/*
 * Unit tests for the MAC table (tools/vde_switch/fdb.c): learning, lookup, expiry, minimum
 * persistence, flushing, VLAN separation, a full table and resizing without losing entries.
 */
#include "tap.h"
#include "fdb.h"

static const uint8_t A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t B[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t MC[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };

static unsigned removed;
static int removed_port;

static void
count_cb(void *arg, const struct fdb_ent *e)
{
	(void)arg;
	removed++;
	removed_port = e->port;
}

static void
sum_cb(void *arg, const struct fdb_ent *e)
{
	*(unsigned *)arg += (unsigned)e->port;
}

int
main(void)
{
	struct fdb *f = fdb_new(100, 0);
	struct fdb_ent e;
	int old = -1;

	ok(f != NULL, "fdb_new");
	is_int(fdb_buckets(f), 128, "bucket count rounded up to a power of two");
	is_int(fdb_lookup(f, A, 0), -1, "unknown MAC");

	is_int(fdb_learn(f, A, 0, 3, 1000, 3000, &old), FDB_NEW, "learn A");
	is_int(fdb_lookup(f, A, 0), 3, "A on port 3");
	is_int(fdb_learn(f, A, 0, 3, 1500, 3000, &old), FDB_REFRESHED, "seen again on 3");
	is_int(fdb_learn(f, MC, 0, 3, 1500, 3000, &old), FDB_IGNORED, "multicast source ignored");
	is_int(fdb_lookup(f, MC, 0), -1, "multicast not in the table");

	/* VLAN separation */
	is_int(fdb_lookup(f, A, 5), -1, "A unknown on VLAN 5");
	is_int(fdb_learn(f, A, 5, 7, 1500, 3000, &old), FDB_NEW, "A learned on VLAN 5");
	is_int(fdb_lookup(f, A, 5), 7, "A on port 7 in VLAN 5");
	is_int(fdb_lookup(f, A, 0), 3, "A still on port 3 in VLAN 0");
	is_int(fdb_count(f), 2, "two entries");

	/* minimum persistence */
	is_int(fdb_learn(f, A, 0, 4, 2000, 3000, &old), FDB_PINNED, "move refused within minper");
	is_int(fdb_lookup(f, A, 0), 3, "still port 3");
	old = -1;
	is_int(fdb_learn(f, A, 0, 4, 4600, 3000, &old), FDB_MOVED, "moves after minper");
	is_int(old, 3, "old port reported");
	is_int(fdb_lookup(f, A, 0), 4, "now port 4");

	/* find */
	ok(fdb_find(f, A, 0, &e) == 0 && e.port == 4 && e.vlan == 0 && e.seen_ms == 4600,
	   "find returns the entry");
	is_mem(e.mac, A, 6, "find returns the MAC");
	ok(fdb_find(f, B, 0, &e) < 0, "find of an absent MAC fails");

	/* expiry */
	is_int(fdb_learn(f, B, 0, 2, 10000, 3000, NULL), FDB_NEW, "learn B");
	removed = 0;
	is_int(fdb_expire(f, 105000, 100000, count_cb, NULL), 2, "two old entries expire");
	is_int(removed, 2, "callback saw both");
	is_int(fdb_lookup(f, B, 0), 2, "B survives (seen later)");
	is_int(fdb_expire(f, 110000, 100000, NULL, NULL), 1, "B expires later");
	is_int(fdb_count(f), 0, "table empty");

	/* flush by port */
	fdb_learn(f, A, 0, 1, 0, 3000, NULL);
	fdb_learn(f, B, 0, 2, 0, 3000, NULL);
	fdb_learn(f, B, 9, 2, 0, 3000, NULL);
	removed = 0;
	is_int(fdb_flush_port(f, 2, count_cb, NULL), 2, "flush port 2 removes 2");
	is_int(removed_port, 2, "callback sees port 2");
	is_int(fdb_lookup(f, A, 0), 1, "port 1 entry kept");
	is_int(fdb_flush_port(f, -1, NULL, NULL), 1, "flush all");
	is_int(fdb_count(f), 0, "empty after flush all");
	fdb_free(f);

	/* full table: new MACs are not learned, known ones still refresh */
	f = fdb_new(4, 100);
	for (int i = 0; i < 100; i++) {
		uint8_t m[6] = { 0x02, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i };

		fdb_learn(f, m, 0, i % 7, 0, 0, NULL);
	}
	is_int(fdb_count(f), 100, "100 entries in a 100-entry table");
	{
		uint8_t m[6] = { 0x02, 0, 0, 1, 0, 0 };
		uint8_t k[6] = { 0x02, 0, 0, 0, 0, 50 };

		is_int(fdb_learn(f, m, 0, 1, 0, 0, NULL), FDB_FULL, "101st MAC refused");
		is_int(fdb_learn(f, k, 0, 50 % 7, 5, 0, NULL), FDB_REFRESHED,
		       "known MAC refreshes");
	}

	/* resize keeps every entry */
	ok(fdb_resize(f, 1000) == 0, "resize to 1000");
	is_int(fdb_buckets(f), 1024, "1024 buckets");
	is_int(fdb_count(f), 100, "entries kept");
	{
		int good = 1;
		unsigned sum = 0, want = 0;

		for (int i = 0; i < 100; i++) {
			uint8_t m[6] = { 0x02, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i };

			if (fdb_lookup(f, m, 0) != i % 7)
				good = 0;
			want += (unsigned)(i % 7);
		}
		ok(good, "every entry found after resize");
		fdb_foreach(f, sum_cb, &sum);
		is_int(sum, want, "foreach visits every entry once");
	}
	ok(fdb_resize(f, 1) == 0 && fdb_count(f) == 100, "resize down to one bucket keeps entries");
	is_int(fdb_expire(f, 1000, 100, NULL, NULL), 100, "all expire");
	is_int(fdb_learn(f, A, 0, 1, 0, 0, NULL), FDB_NEW, "slots reused after expiry");
	fdb_free(f);
	return done_testing();
}
