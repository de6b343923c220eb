/*
 * MAC table: chained hash on a 64-bit key (VLAN << 48 | MAC), entries in one growable array
 * linked by index (0 = none), so resizing the buckets or the pool never moves an entry's data
 * out from under a caller. Pure: no I/O, no clock; callers pass the time. Per-port entry counts
 * (a growable array indexed by port) enforce the per-port cap. An automatically sized table
 * doubles its buckets whenever it holds more entries than buckets, so chains stay short even
 * when a MAC flood fills it (a lookup or a refusal then costs what it costs in an empty table).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fdb.h"

#define FDB_DEFAULT_MAX 65536u
#define FDB_MAX_BUCKETS (1u << 24)
#define FDB_AUTO_BUCKETS 128u /* first size of an automatically sized table */

struct fdb_slot {
	uint64_t key;
	uint64_t seen_ms;
	int port;
	uint32_t next; /* index + 1 of the next slot in the chain or the free list */
};

struct fdb {
	uint32_t *heads; /* index + 1 of the first slot of each bucket */
	unsigned nbuckets;
	struct fdb_slot *slots;
	unsigned nslots, used, maxentries;
	uint32_t freelist;
	uint64_t k0, k1;    /* SipHash key */
	int autosize;       /* double the buckets when entries outnumber them */
	unsigned portmax;   /* 0 = none */
	unsigned *pcount;   /* entries per port, npcount ports */
	unsigned npcount;
};

static uint64_t
fdb_key(const uint8_t mac[6], uint16_t vlan)
{
	uint64_t k = (uint64_t)(vlan & 0xfff) << 48;

	for (int i = 0; i < 6; i++)
		k |= (uint64_t)mac[i] << (40 - 8 * i);
	return k;
}

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND(v0, v1, v2, v3) do { \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
	} while (0)

/* SipHash-1-3 of the 8-byte message k (as a little-endian word) under the table's key. */
static unsigned
fdb_hash(const struct fdb *f, uint64_t k)
{
	uint64_t v0 = f->k0 ^ 0x736f6d6570736575ULL, v1 = f->k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = f->k0 ^ 0x6c7967656e657261ULL, v3 = f->k1 ^ 0x7465646279746573ULL;
	const uint64_t last = (uint64_t)8 << 56;

	v3 ^= k;
	SIPROUND(v0, v1, v2, v3);
	v0 ^= k;
	v3 ^= last;
	SIPROUND(v0, v1, v2, v3);
	v0 ^= last;
	v2 ^= 0xff;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	return (unsigned)(v0 ^ v1 ^ v2 ^ v3) & (f->nbuckets - 1);
}

/* The count of port, growing the array to hold it; NULL if it cannot. */
static unsigned *
fdb_pcount(struct fdb *f, int port)
{
	if (port < 0)
		return NULL;
	if ((unsigned)port >= f->npcount) {
		unsigned n = (unsigned)port + 1 < 64 ? 64 : (unsigned)port + 1;
		unsigned *c = realloc(f->pcount, n * sizeof(*c));

		if (c == NULL)
			return NULL;
		memset(c + f->npcount, 0, (n - f->npcount) * sizeof(*c));
		f->pcount = c;
		f->npcount = n;
	}
	return &f->pcount[port];
}

static void
fdb_pcount_dec(struct fdb *f, int port)
{
	if (port >= 0 && (unsigned)port < f->npcount && f->pcount[port] > 0)
		f->pcount[port]--;
}

static unsigned
fdb_round(unsigned n)
{
	unsigned r = 1;

	if (n > FDB_MAX_BUCKETS)
		n = FDB_MAX_BUCKETS;
	while (r < n)
		r <<= 1;
	return r;
}

static void
fdb_view(const struct fdb *f, const struct fdb_slot *s, struct fdb_ent *e)
{
	for (int i = 0; i < 6; i++)
		e->mac[i] = (uint8_t)(s->key >> (40 - 8 * i));
	e->vlan = (uint16_t)(s->key >> 48);
	e->port = s->port;
	e->seen_ms = s->seen_ms;
	e->bucket = fdb_hash(f, s->key);
}

struct fdb *
fdb_new(unsigned nbuckets, unsigned maxentries)
{
	struct fdb *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->autosize = nbuckets == 0;
	f->nbuckets = fdb_round(nbuckets ? nbuckets : FDB_AUTO_BUCKETS);
	f->maxentries = maxentries ? maxentries : FDB_DEFAULT_MAX;
	if ((f->heads = calloc(f->nbuckets, sizeof(*f->heads))) == NULL) {
		free(f);
		return NULL;
	}
	return f;
}

void
fdb_free(struct fdb *f)
{
	if (f == NULL)
		return;
	free(f->heads);
	free(f->slots);
	free(f->pcount);
	free(f);
}

void
fdb_set_key(struct fdb *f, const uint8_t key[16])
{
	memcpy(&f->k0, key, 8);
	memcpy(&f->k1, key + 8, 8);
	/* relinks with the new hash; with the same bucket count only the heads are replaced */
	if (fdb_resize(f, f->nbuckets) < 0) {
		/* no memory for new heads: relink in place */
		memset(f->heads, 0, f->nbuckets * sizeof(*f->heads));
		for (unsigned i = 0; i < f->nslots; i++) {
			struct fdb_slot *s = &f->slots[i];
			unsigned b;

			if (s->port == -2)
				continue;
			b = fdb_hash(f, s->key);
			s->next = f->heads[b];
			f->heads[b] = i + 1;
		}
	}
}

void
fdb_set_max(struct fdb *f, unsigned maxentries)
{
	f->maxentries = maxentries ? maxentries : FDB_DEFAULT_MAX;
}

void
fdb_set_portmax(struct fdb *f, unsigned portmax)
{
	f->portmax = portmax;
}

unsigned
fdb_portmax(const struct fdb *f)
{
	return f->portmax;
}

unsigned
fdb_port_count(const struct fdb *f, int port)
{
	return port >= 0 && (unsigned)port < f->npcount ? f->pcount[port] : 0;
}

int
fdb_resize(struct fdb *f, unsigned nbuckets)
{
	unsigned n = fdb_round(nbuckets ? nbuckets : 1);
	uint32_t *heads;

	if ((heads = calloc(n, sizeof(*heads))) == NULL)
		return -1;
	free(f->heads);
	f->heads = heads;
	f->nbuckets = n;
	/* Relink every slot in use (free slots have port -2). */
	for (unsigned i = 0; i < f->nslots; i++) {
		struct fdb_slot *s = &f->slots[i];
		unsigned b;

		if (s->port == -2)
			continue;
		b = fdb_hash(f, s->key);
		s->next = heads[b];
		heads[b] = i + 1;
	}
	return 0;
}

unsigned
fdb_buckets(const struct fdb *f)
{
	return f->nbuckets;
}

unsigned
fdb_count(const struct fdb *f)
{
	return f->used;
}

unsigned
fdb_max(const struct fdb *f)
{
	return f->maxentries;
}

static struct fdb_slot *
fdb_get(const struct fdb *f, uint64_t key)
{
	for (uint32_t i = f->heads[fdb_hash(f, key)]; i; i = f->slots[i - 1].next)
		if (f->slots[i - 1].key == key)
			return &f->slots[i - 1];
	return NULL;
}

static struct fdb_slot *
fdb_alloc(struct fdb *f)
{
	uint32_t i;

	if (f->freelist == 0) {
		unsigned n = f->nslots ? f->nslots * 2 : 64;
		struct fdb_slot *s;

		if (n > f->maxentries)
			n = f->maxentries;
		if (n <= f->nslots || n > UINT32_MAX / 2)
			return NULL;
		if ((s = realloc(f->slots, n * sizeof(*s))) == NULL)
			return NULL;
		f->slots = s;
		for (unsigned j = n; j > f->nslots; j--) {
			s[j - 1].port = -2;
			s[j - 1].next = f->freelist;
			f->freelist = j;
		}
		f->nslots = n;
	}
	i = f->freelist;
	f->freelist = f->slots[i - 1].next;
	f->used++;
	return &f->slots[i - 1];
}

int
fdb_learn(struct fdb *f, const uint8_t mac[6], uint16_t vlan, int port, uint64_t now_ms,
	  uint64_t minper_ms, int *oldport)
{
	uint64_t key = fdb_key(mac, vlan);
	struct fdb_slot *s;
	unsigned b, *pc;

	if (mac[0] & 1)
		return FDB_IGNORED;
	if ((s = fdb_get(f, key)) != NULL) {
		if (s->port == port) {
			s->seen_ms = now_ms;
			return FDB_REFRESHED;
		}
		if (now_ms - s->seen_ms < minper_ms && now_ms >= s->seen_ms)
			return FDB_PINNED;
		if ((pc = fdb_pcount(f, port)) == NULL)
			return FDB_FULL;
		if (f->portmax && *pc >= f->portmax)
			return FDB_PORTFULL;
		(*pc)++;
		fdb_pcount_dec(f, s->port);
		if (oldport)
			*oldport = s->port;
		s->port = port;
		s->seen_ms = now_ms;
		return FDB_MOVED;
	}
	if ((pc = fdb_pcount(f, port)) == NULL)
		return FDB_FULL;
	if (f->portmax && *pc >= f->portmax)
		return FDB_PORTFULL;
	if (f->used >= f->maxentries || (s = fdb_alloc(f)) == NULL)
		return FDB_FULL;
	(*pc)++;
	s->key = key;
	s->port = port;
	s->seen_ms = now_ms;
	b = fdb_hash(f, key);
	s->next = f->heads[b];
	f->heads[b] = (uint32_t)(s - f->slots) + 1;
	/* Amortised O(1): each doubling rehashes as many entries as were added since the last.
	 * Without memory for it the table keeps working on longer chains. */
	if (f->autosize && f->used > f->nbuckets && f->nbuckets < FDB_MAX_BUCKETS)
		fdb_resize(f, f->nbuckets * 2);
	return FDB_NEW;
}

int
fdb_lookup(const struct fdb *f, const uint8_t mac[6], uint16_t vlan)
{
	const struct fdb_slot *s = fdb_get(f, fdb_key(mac, vlan));

	return s ? s->port : -1;
}

int
fdb_find(const struct fdb *f, const uint8_t mac[6], uint16_t vlan, struct fdb_ent *out)
{
	const struct fdb_slot *s = fdb_get(f, fdb_key(mac, vlan));

	if (s == NULL) {
		errno = ENOENT;
		return -1;
	}
	fdb_view(f, s, out);
	return 0;
}

/* Walks every chain removing the slots for which drop() is true. */
static unsigned
fdb_remove_if(struct fdb *f, int (*drop)(const struct fdb_slot *, const void *), const void *darg,
	      fdb_cb *cb, void *arg)
{
	unsigned n = 0;

	for (unsigned b = 0; b < f->nbuckets; b++) {
		uint32_t *link = &f->heads[b];

		while (*link) {
			uint32_t i = *link;
			struct fdb_slot *s = &f->slots[i - 1];

			if (!drop(s, darg)) {
				link = &s->next;
				continue;
			}
			if (cb) {
				struct fdb_ent e;

				fdb_view(f, s, &e);
				cb(arg, &e);
			}
			*link = s->next;
			fdb_pcount_dec(f, s->port);
			s->port = -2;
			s->next = f->freelist;
			f->freelist = i;
			f->used--;
			n++;
		}
	}
	return n;
}

struct fdb_age {
	uint64_t now, expire;
};

static int
fdb_is_old(const struct fdb_slot *s, const void *arg)
{
	const struct fdb_age *a = arg;

	return a->now >= s->seen_ms && a->now - s->seen_ms >= a->expire;
}

unsigned
fdb_expire(struct fdb *f, uint64_t now_ms, uint64_t expire_ms, fdb_cb *cb, void *arg)
{
	struct fdb_age a = { now_ms, expire_ms };

	return fdb_remove_if(f, fdb_is_old, &a, cb, arg);
}

static int
fdb_is_port(const struct fdb_slot *s, const void *arg)
{
	int port = *(const int *)arg;

	return port < 0 || s->port == port;
}

unsigned
fdb_flush_port(struct fdb *f, int port, fdb_cb *cb, void *arg)
{
	return fdb_remove_if(f, fdb_is_port, &port, cb, arg);
}

void
fdb_foreach(const struct fdb *f, fdb_cb *cb, void *arg)
{
	for (unsigned b = 0; b < f->nbuckets; b++)
		for (uint32_t i = f->heads[b]; i; i = f->slots[i - 1].next) {
			struct fdb_ent e;

			fdb_view(f, &f->slots[i - 1], &e);
			cb(arg, &e);
		}
}
