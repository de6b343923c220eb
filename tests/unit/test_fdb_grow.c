/*
 * Unit tests for the automatically sized MAC table (tools/vde_switch/fdb.c, fdb_new(0, ...)):
 * it doubles its buckets as entries outnumber them, keeps every entry across the doublings,
 * stops at the table cap under a flood with short chains, and a fixed-size table never grows.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "fdb.h"

static void
mac_of(uint8_t m[6], unsigned i)
{
	m[0] = 0x06;
	m[1] = 0;
	m[2] = (uint8_t)(i >> 24);
	m[3] = (uint8_t)(i >> 16);
	m[4] = (uint8_t)(i >> 8);
	m[5] = (uint8_t)i;
}

struct chains {
	unsigned *len;
	unsigned n, longest;
};

static void
chain_cb(void *arg, const struct fdb_ent *e)
{
	struct chains *c = arg;

	if (e->bucket < c->n && ++c->len[e->bucket] > c->longest)
		c->longest = c->len[e->bucket];
}

/* The longest chain of f. */
static unsigned
longest_chain(const struct fdb *f)
{
	struct chains c = { .n = fdb_buckets(f) };

	c.len = calloc(c.n, sizeof(*c.len));
	if (c.len == NULL)
		return ~0u;
	fdb_foreach(f, chain_cb, &c);
	free(c.len);
	return c.longest;
}

static void
test_grow(void)
{
	static const uint8_t key[16] = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3 };
	struct fdb *f = fdb_new(0, 0);
	unsigned found = 0, fulls = 0;
	uint8_t m[6];

	ok(f != NULL, "fdb_new(0, 0): automatically sized");
	fdb_set_key(f, key);
	is_int((int)fdb_buckets(f), 128, "starts at 128 buckets");
	for (unsigned i = 0; i < 128; i++) {
		mac_of(m, i);
		fdb_learn(f, m, 0, 1, 0, 0, NULL);
	}
	is_int((int)fdb_buckets(f), 128, "128 entries fit 128 buckets");
	mac_of(m, 128);
	is_int(fdb_learn(f, m, 0, 1, 0, 0, NULL), FDB_NEW, "the 129th entry is learned");
	is_int((int)fdb_buckets(f), 256, "and doubles the buckets");
	/* A flood of 100000 distinct sources against the default cap of 65536 entries. */
	for (unsigned i = 129; i < 100000; i++) {
		mac_of(m, i);
		fulls += fdb_learn(f, m, 0, 2, 0, 0, NULL) == FDB_FULL;
	}
	is_int((int)fdb_count(f), 65536, "a flood stops at the table cap");
	is_int((int)fulls, 100000 - 65536, "and the rest is refused");
	is_int((int)fdb_buckets(f), 65536, "with as many buckets as entries");
	ok(longest_chain(f) <= 12, "chains stay short (longest %u)", longest_chain(f));
	for (unsigned i = 0; i < 65536; i++) {
		mac_of(m, i);
		found += fdb_lookup(f, m, 0) == (i < 129 ? 1 : 2);
	}
	is_int((int)found, 65536, "every entry survived the doublings");
	ok(fdb_resize(f, 1024) == 0 && fdb_count(f) == 65536, "resize down keeps every entry");
	mac_of(m, 0);
	is_int(fdb_lookup(f, m, 0), 1, "and finds them");
	is_int((int)fdb_flush_port(f, 2, NULL, NULL), 65536 - 129, "flush the flooding port");
	for (unsigned i = 0; i < 1500; i++) {
		mac_of(m, 200000 + i);
		fdb_learn(f, m, 0, 3, 0, 0, NULL);
	}
	is_int((int)fdb_buckets(f), 2048, "grows again from the size set");
	fdb_free(f);
}

static void
test_fixed(void)
{
	struct fdb *f = fdb_new(64, 0);
	uint8_t m[6];

	for (unsigned i = 0; i < 1000; i++) {
		mac_of(m, i);
		fdb_learn(f, m, 0, 1, 0, 0, NULL);
	}
	is_int((int)fdb_count(f), 1000, "a fixed-size table holds 1000 entries");
	is_int((int)fdb_buckets(f), 64, "in the 64 buckets it was given");
	fdb_free(f);
}

int
main(void)
{
	test_grow();
	test_fixed();
	return done_testing();
}
