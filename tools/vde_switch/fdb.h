/*
 * The MAC table (forwarding database): a pure data structure, no I/O, time passed in (ms).
 * Keys are MAC+VLAN; entries remember their port and when they were last seen. A MAC moves to
 * another port only after it has been quiet for the minimum persistence (anti-flapping).
 * Buckets come from SipHash-1-3 under a per-table key, so senders cannot aim at one chain; the
 * table and each port have a cap on entries (a MAC flood fills its own port's share only).
 */
#ifndef VDE_FDB_H
#define VDE_FDB_H

#include <stdint.h>

struct fdb;

/* A read-only view of one entry, handed to callbacks and returned by fdb_find. */
struct fdb_ent {
	uint8_t mac[6];
	uint16_t vlan;
	int port;
	uint64_t seen_ms;
	unsigned bucket;
};

typedef void fdb_cb(void *arg, const struct fdb_ent *e);

enum fdb_learn_result {
	FDB_REFRESHED, /* known on this port: timestamp updated */
	FDB_NEW,       /* new entry */
	FDB_MOVED,     /* moved from *oldport */
	FDB_PINNED,    /* seen on another port too recently: not moved */
	FDB_FULL,      /* table full: not learned */
	FDB_PORTFULL,  /* the port has its maximum of entries: not learned (nor moved there) */
	FDB_IGNORED,   /* multicast source: never learned */
};

/* nbuckets is rounded up to a power of two (0: sized automatically, starting at 128 and
 * doubling whenever entries outnumber buckets); maxentries bounds the table (0 = 65536). */
struct fdb *fdb_new(unsigned nbuckets, unsigned maxentries);
void fdb_free(struct fdb *f);
/* Rehashes into nbuckets (rounded up to a power of two) keeping every entry; an automatically
 * sized table grows again from there as entries are added. */
int fdb_resize(struct fdb *f, unsigned nbuckets);
/* Sets the hash key (16 random bytes per switch) and rehashes, keeping every entry. */
void fdb_set_key(struct fdb *f, const uint8_t key[16]);
/* Caps the whole table (0 = 65536) and each port (0 = no cap of its own). Entries beyond a
 * lowered cap stay until they expire; only new ones are refused. */
void fdb_set_max(struct fdb *f, unsigned maxentries);
void fdb_set_portmax(struct fdb *f, unsigned portmax);
unsigned fdb_portmax(const struct fdb *f);
/* Entries learned on port. */
unsigned fdb_port_count(const struct fdb *f, int port);
unsigned fdb_buckets(const struct fdb *f);
unsigned fdb_count(const struct fdb *f);
unsigned fdb_max(const struct fdb *f);

int fdb_learn(struct fdb *f, const uint8_t mac[6], uint16_t vlan, int port, uint64_t now_ms,
	      uint64_t minper_ms, int *oldport);
/* Port of mac on vlan, or -1. */
int fdb_lookup(const struct fdb *f, const uint8_t mac[6], uint16_t vlan);
int fdb_find(const struct fdb *f, const uint8_t mac[6], uint16_t vlan, struct fdb_ent *out);
/* Removes entries not seen for expire_ms (cb, if set, sees each one); returns how many. */
unsigned fdb_expire(struct fdb *f, uint64_t now_ms, uint64_t expire_ms, fdb_cb *cb, void *arg);
/* Removes every entry of port (port < 0: every entry); returns how many. */
unsigned fdb_flush_port(struct fdb *f, int port, fdb_cb *cb, void *arg);
/* Visits every entry in bucket order. */
void fdb_foreach(const struct fdb *f, fdb_cb *cb, void *arg);

#endif
