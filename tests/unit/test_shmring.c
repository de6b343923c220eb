/*
 * Shared-memory ring tests: attach's header checks, byte-exact round trips at the frame size
 * limits, both kick protocols, positions and u32 counters wrapping, a malicious peer's indexes
 * and lengths (run in children on mappings that end at a PROT_NONE page, so a touch outside
 * kills only the child), random garbage, and a producer and a consumer thread with eventfds.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shmring.h"
#include "tap.h"

#define PAGE       4096u
#define PROBE_DIED 99

struct rng {
	uint32_t s;
};

static uint32_t
rng_next(struct rng *g)
{
	g->s ^= g->s << 13;
	g->s ^= g->s >> 17;
	g->s ^= g->s << 5;
	return g->s;
}

/* Frame contents: a window of random bytes chosen by the sequence number, which leads it. */
static uint8_t pattern[2 * SHMRING_MAXFRAME];

static void
pattern_init(void)
{
	struct rng g = {0x9e3779b9u};
	size_t i;

	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(rng_next(&g) >> 24);
}

static void
frame_fill(uint8_t *f, uint32_t seq, size_t len)
{
	size_t i;

	memcpy(f, pattern + (seq * 2654435761u) % SHMRING_MAXFRAME, len);
	for (i = 0; i < 4 && i < len; i++)
		f[i] = (uint8_t)(seq >> (8 * i));
}

/* Is F frame SEQ of LEN bytes? SCRATCH holds SHMRING_MAXFRAME bytes. */
static int
frame_check(const uint8_t *f, uint32_t seq, size_t len, uint8_t *scratch)
{
	frame_fill(scratch, seq, len);
	return memcmp(f, scratch, len) == 0;
}

/* Bytes a record of LEN takes in the data area (the documented format: u32, frame, pad to 8). */
static uint32_t
rec_len(size_t len)
{
	return (uint32_t)((4 + len + 7) & ~(size_t)7);
}

static uint32_t
get32(const struct shmring *r, uint32_t off)
{
	uint32_t v;

	memcpy(&v, r->data + off, 4);
	return v;
}

static void
put32(struct shmring *r, uint32_t off, uint32_t v)
{
	memcpy(r->data + off, &v, 4);
}

static void
ring_set(struct shmring *r, uint32_t head, uint32_t tail)
{
	r->ctl->head = head;
	r->ctl->tail = tail;
	r->ctl->need_space = 0;
}

struct map {
	uint8_t *p;
	size_t len;
	struct shmring c2s, s2c;
};

/* A formatted, attached mapping in an exactly-sized allocation: ASan sees any overrun. */
static int
map_new(struct map *m, uint32_t size)
{
	m->len = shmring_mapsize(size);
	m->p = malloc(m->len);
	if (!m->p)
		return -1;
	memset(m->p, 0xa5, m->len);
	shmring_format(m->p, size);
	return shmring_attach(m->p, m->len, &m->c2s, &m->s2c);
}

/* The same, but followed by a PROT_NONE page and shared with forked children. */
static int
gmap_new(struct map *m, uint32_t size)
{
	size_t ml = shmring_mapsize(size), room = (ml + PAGE - 1) & ~(size_t)(PAGE - 1);
	uint8_t *base = mmap(NULL, room + PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			     -1, 0);

	if (base == MAP_FAILED)
		return -1;
	if (mprotect(base + room, PAGE, PROT_NONE) < 0)
		return -1;
	m->p = base + room - ml;
	m->len = room + PAGE;
	shmring_format(m->p, size);
	return shmring_attach(m->p, ml, &m->c2s, &m->s2c);
}

static void
gmap_free(struct map *m)
{
	size_t ml = shmring_mapsize(m->c2s.size), room = (ml + PAGE - 1) & ~(size_t)(PAGE - 1);

	munmap(m->p + ml - room, m->len);
}

/* A probe child's answer (its exit status - 10: -1 to 2), or PROBE_DIED. */
static int
probe_wait(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) < 9 ||
	    WEXITSTATUS(st) > 12)
		return PROBE_DIED;
	return WEXITSTATUS(st) - 10;
}

/* shmring_attach of the MAPLEN bytes before a PROT_NONE page, in a child. */
static int
probe_attach(const void *hdr, size_t maplen)
{
	uint8_t *base = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1, 0);
	struct shmring c2s, s2c;
	pid_t pid;
	int rc;

	if (base == MAP_FAILED || mprotect(base + PAGE, PAGE, PROT_NONE) < 0)
		return PROBE_DIED;
	memcpy(base + PAGE - maplen, hdr, maplen);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		alarm(5);
		rc = shmring_attach(base + PAGE - maplen, maplen, &c2s, &s2c);
		_exit(rc + 10);
	}
	rc = probe_wait(pid);
	munmap(base, 2 * PAGE);
	return rc;
}

static void
test_attach(void)
{
	size_t len = shmring_mapsize(SHMRING_SIZE);
	uint8_t *p = aligned_alloc(PAGE, len), *tiny = malloc(64), *big;
	struct shmring_hdr *h = (struct shmring_hdr *)p;
	struct shmring c2s, s2c;
	size_t got;
	int kick;

	ok(sizeof(struct shmring_hdr) <= SHMRING_DATA_OFF, "header fits before the data areas");
	is_int(len, SHMRING_DATA_OFF + 2 * (size_t)SHMRING_SIZE, "mapsize: header + two rings");
	memset(p, 0x5a, len);
	shmring_format(p, SHMRING_SIZE);
	ok(h->magic == SHMRING_MAGIC && h->version == SHMRING_VERSION &&
	   h->ringsize == SHMRING_SIZE, "format writes magic, version and ring size");
	ok(h->c2s.head == h->c2s.tail && h->c2s.head % 8 == 0 && h->c2s.need_space == 0 &&
	   h->s2c.head == h->s2c.tail && h->s2c.head % 8 == 0 && h->s2c.need_space == 0,
	   "format: both rings empty, aligned, nobody waiting (over garbage)");
	is_int(shmring_attach(p, len, &c2s, &s2c), 0, "attach a fresh mapping");
	ok(c2s.ctl == &h->c2s && s2c.ctl == &h->s2c, "attach: control blocks");
	ok(c2s.data == p + SHMRING_DATA_OFF && s2c.data == p + SHMRING_DATA_OFF + SHMRING_SIZE,
	   "attach: c2s data at DATA_OFF, s2c right after it");
	ok(c2s.size == SHMRING_SIZE && s2c.size == SHMRING_SIZE, "attach: sizes");
	ok(shmring_pop(&c2s, tiny, 64, &got, &kick) == SHMRING_EMPTY &&
	   shmring_pop(&s2c, tiny, 64, &got, &kick) == SHMRING_EMPTY && !shmring_readable(&c2s) &&
	   !shmring_readable(&s2c), "fresh rings are empty");

	h->magic ^= 1;
	is_int(shmring_attach(p, len, &c2s, &s2c), -1, "attach refuses a bad magic");
	h->magic = 0;
	is_int(shmring_attach(p, len, &c2s, &s2c), -1, "attach refuses a zero magic");
	h->magic = SHMRING_MAGIC;
	h->version = SHMRING_VERSION + 1;
	is_int(shmring_attach(p, len, &c2s, &s2c), -1, "attach refuses a bad version");
	h->version = 0;
	is_int(shmring_attach(p, len, &c2s, &s2c), -1, "attach refuses version 0");
	h->version = SHMRING_VERSION;
	h->ringsize = SHMRING_MINSIZE + 4096;
	is_int(shmring_attach(p, len, &c2s, &s2c), -1, "attach refuses a size not a power of two");
	h->ringsize = 3 * SHMRING_MINSIZE;
	is_int(shmring_attach(p, len, &c2s, &s2c), -1, "attach refuses 3 * MINSIZE");
	h->ringsize = SHMRING_MINSIZE / 2;
	is_int(shmring_attach(p, len, &c2s, &s2c), -1, "attach refuses MINSIZE / 2");
	h->ringsize = 0;
	is_int(shmring_attach(p, len, &c2s, &s2c), -1, "attach refuses size 0");
	h->ringsize = SHMRING_MAXSIZE * 2;
	is_int(shmring_attach(p, len, &c2s, &s2c), -1, "attach refuses MAXSIZE * 2");
	h->ringsize = 0x80000000u;
	is_int(shmring_attach(p, len, &c2s, &s2c), -1, "attach refuses 2^31");
	h->ringsize = SHMRING_SIZE;
	is_int(shmring_attach(p, len - 1, &c2s, &s2c), -1, "attach refuses a maplen one short");
	is_int(shmring_attach(p, SHMRING_DATA_OFF + SHMRING_SIZE, &c2s, &s2c), -1,
	       "attach refuses a maplen with room for one ring");
	is_int(shmring_attach(p, SHMRING_DATA_OFF - 1, &c2s, &s2c), -1,
	       "attach refuses a maplen below DATA_OFF");
	is_int(shmring_attach(p, 0, &c2s, &s2c), -1, "attach refuses maplen 0");
	memset(tiny, 0, 64);
	is_int(shmring_attach(tiny, 64, &c2s, &s2c), -1, "attach refuses a zeroed 64-byte mapping");
	is_int(probe_attach(p, 8), -1,
	       "attach of 8 bytes (magic, version): refused, nothing read past them");
	is_int(probe_attach(p, 12), -1, "attach of 12 bytes (with the size): refused");
	h->ringsize = SHMRING_MINSIZE;
	ok(shmring_attach(p, len, &c2s, &s2c) == 0 && c2s.size == SHMRING_MINSIZE &&
	   s2c.data == p + SHMRING_DATA_OFF + SHMRING_MINSIZE,
	   "attach accepts MINSIZE in a larger mapping, sizes from the header");
	h->ringsize = SHMRING_SIZE;

	/* address space only: attach reads just the header */
	big = mmap(NULL, shmring_mapsize(2 * SHMRING_MAXSIZE), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (big != MAP_FAILED) {
		shmring_format(big, SHMRING_MAXSIZE);
		ok(shmring_attach(big, shmring_mapsize(SHMRING_MAXSIZE), &c2s, &s2c) == 0 &&
		   s2c.size == SHMRING_MAXSIZE, "attach accepts MAXSIZE");
		is_int(shmring_attach(big, shmring_mapsize(SHMRING_MAXSIZE) - 8, &c2s, &s2c), -1,
		       "attach refuses MAXSIZE with a short maplen");
		shmring_format(big, 2 * SHMRING_MAXSIZE);
		is_int(shmring_attach(big, shmring_mapsize(2 * SHMRING_MAXSIZE), &c2s, &s2c), -1,
		       "attach refuses 2 * MAXSIZE even in a mapping big enough");
		munmap(big, shmring_mapsize(2 * SHMRING_MAXSIZE));
	} else {
		ok(0, "mmap for MAXSIZE: %s", strerror(errno));
	}
	free(tiny);
	free(p);
}

static void
test_roundtrip(void)
{
	static const size_t lens[] = {1, 7, 8, 9, 60, 1500, 9000, 65535, 65536};
	const size_t n = sizeof(lens) / sizeof(lens[0]);
	uint8_t *f = malloc(SHMRING_MAXFRAME + 1), *buf = malloc(SHMRING_MAXFRAME);
	uint8_t *scratch = malloc(SHMRING_MAXFRAME), *small = malloc(100), *one = malloc(1);
	struct shmring_ctl before;
	struct map m;
	uint8_t snap[64];
	uint32_t h0;
	size_t i, got;
	int kick, rc, fails;

	if (map_new(&m, SHMRING_SIZE) < 0) {
		ok(0, "map_new");
		return;
	}
	/* the documented record layout on the first push */
	frame_fill(f, 1000, 5);
	rc = shmring_push(&m.c2s, f, 5, &kick);
	ok(rc == SHMRING_OK && m.c2s.ctl->head - m.c2s.ctl->tail == 16 && get32(&m.c2s, 0) == 5 &&
	   memcmp(m.c2s.data + 4, f, 5) == 0, "record layout: u32 length, frame, padding to 8");
	ok(shmring_readable(&m.c2s) && !shmring_readable(&m.s2c), "readable: only the c2s ring");
	rc = shmring_pop(&m.c2s, buf, SHMRING_MAXFRAME, &got, &kick);
	ok(rc == SHMRING_OK && got == 5 && memcmp(buf, f, 5) == 0 &&
	   m.c2s.ctl->tail == m.c2s.ctl->head, "layout frame comes back");

	/* all lengths queued, then drained, on both rings */
	for (int ring = 0; ring < 2; ring++) {
		struct shmring *r = ring ? &m.s2c : &m.c2s;
		const char *name = ring ? "s2c" : "c2s";

		fails = 0;
		for (i = 0; i < n; i++) {
			h0 = r->ctl->head;
			frame_fill(f, (uint32_t)i, lens[i]);
			rc = shmring_push(r, f, lens[i], &kick);
			fails += rc != SHMRING_OK || r->ctl->head - h0 != rec_len(lens[i]);
		}
		is_int(fails, 0, "%s: push 1..65536-byte frames, head moves by the record", name);
		fails = 0;
		for (i = 0; i < n; i++) {
			memset(buf, 0, lens[i]);
			rc = shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick);
			if (rc != SHMRING_OK || got != lens[i] ||
			    !frame_check(buf, (uint32_t)i, lens[i], scratch)) {
				printf("# %s: frame %zu (len %zu): rc %d len %zu\n", name, i,
				       lens[i], rc, got);
				fails++;
			}
		}
		is_int(fails, 0, "%s: every frame byte-identical with its length", name);
		is_int(shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick), SHMRING_EMPTY,
		       "%s: empty after draining", name);
		is_int(r->ctl->head, r->ctl->tail, "%s: head == tail after draining", name);
	}
	/* one at a time */
	fails = 0;
	for (i = 0; i < n; i++) {
		frame_fill(f, (uint32_t)i + 77, lens[i]);
		rc = shmring_push(&m.s2c, f, lens[i], &kick);
		fails += rc != SHMRING_OK;
		rc = shmring_pop(&m.s2c, buf, SHMRING_MAXFRAME, &got, &kick);
		fails += rc != SHMRING_OK || got != lens[i] ||
			 !frame_check(buf, (uint32_t)i + 77, lens[i], scratch);
	}
	is_int(fails, 0, "push/pop one at a time: identical frames");

	/* refused lengths leave everything as it was */
	frame_fill(f, 5, 100);
	shmring_push(&m.c2s, f, 100, &kick);
	memcpy(&before, m.c2s.ctl, sizeof(before));
	memcpy(snap, m.c2s.data + (m.c2s.ctl->head & (m.c2s.size - 1)), sizeof(snap));
	kick = 7;
	is_int(shmring_push(&m.c2s, f, 0, &kick), SHMRING_CORRUPT, "push refuses length 0");
	is_int(kick, 0, "refused push: no kick");
	is_int(shmring_push(&m.c2s, f, SHMRING_MAXFRAME + 1, &kick), SHMRING_CORRUPT,
	       "push refuses 65537 bytes");
	ok(memcmp(&before, m.c2s.ctl, sizeof(before)) == 0 &&
	   memcmp(snap, m.c2s.data + (m.c2s.ctl->head & (m.c2s.size - 1)), sizeof(snap)) == 0,
	   "refused pushes change neither the control block nor the data");
	rc = shmring_pop(&m.c2s, buf, SHMRING_MAXFRAME, &got, &kick);
	ok(rc == SHMRING_OK && got == 100 && frame_check(buf, 5, 100, scratch),
	   "the frame before the refused pushes is intact");
	is_int(shmring_pop(&m.c2s, buf, SHMRING_MAXFRAME, &got, &kick), SHMRING_EMPTY,
	       "pop on an empty ring: EMPTY");
	is_int(kick, 0, "EMPTY: no kick");

	/* a short buffer */
	frame_fill(f, 1, 1500);
	shmring_push(&m.c2s, f, 1500, &kick);
	frame_fill(f, 2, 60);
	shmring_push(&m.c2s, f, 60, &kick);
	frame_fill(f, 3, 9000);
	shmring_push(&m.c2s, f, 9000, &kick);
	rc = shmring_pop(&m.c2s, small, 100, &got, &kick);
	frame_fill(scratch, 1, 1500);
	ok(rc == SHMRING_OK && got == 1500 && memcmp(small, scratch, 100) == 0,
	   "cap 100: copies 100 bytes (exact buffer, ASan), reports 1500");
	rc = shmring_pop(&m.c2s, buf, SHMRING_MAXFRAME, &got, &kick);
	ok(rc == SHMRING_OK && got == 60 && frame_check(buf, 2, 60, scratch),
	   "the cut frame was removed: the next one follows");
	one[0] = 0xee;
	rc = shmring_pop(&m.c2s, one, 0, &got, &kick);
	ok(rc == SHMRING_OK && got == 9000 && one[0] == 0xee, "cap 0: nothing copied, length 9000");
	is_int(shmring_pop(&m.c2s, buf, SHMRING_MAXFRAME, &got, &kick), SHMRING_EMPTY,
	       "cap 0 removed the frame too");
	free(m.p);
	free(f);
	free(buf);
	free(scratch);
	free(small);
	free(one);
}

/* Push frames of LEN until FULL; the number pushed. */
static int
fill(struct shmring *r, const uint8_t *f, size_t len)
{
	int n = 0, kick;

	while (shmring_push(r, f, len, &kick) == SHMRING_OK)
		n++;
	return n;
}

static void
test_kicks(void)
{
	uint8_t *f = malloc(SHMRING_MAXFRAME), *buf = malloc(SHMRING_MAXFRAME);
	struct shmring *r;
	struct map m;
	size_t got;
	int kick, n, i, kicks;

	if (map_new(&m, SHMRING_SIZE) < 0) {
		ok(0, "map_new");
		return;
	}
	r = &m.c2s;
	memset(f, 0x11, SHMRING_MAXFRAME);
	shmring_push(r, f, 60, &kick);
	is_int(kick, 1, "push onto an empty ring kicks");
	shmring_push(r, f, 60, &kick);
	is_int(kick, 0, "second push while the first is unread: no kick");
	shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick);
	is_int(kick, 0, "pop without a space request: no kick");
	shmring_push(r, f, 60, &kick);
	is_int(kick, 0, "push while one frame is still unread: no kick");
	shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick);
	shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick);
	is_int(shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick), SHMRING_EMPTY, "drained");
	shmring_push(r, f, 1500, &kick);
	is_int(kick, 1, "after draining, the next push kicks again");
	shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick);

	n = fill(r, f, SHMRING_MAXFRAME);
	is_int(n, SHMRING_SIZE / rec_len(SHMRING_MAXFRAME), "a 1 MiB ring holds 15 maximal frames");
	kicks = 0;
	for (i = 0; i < 3; i++) {
		shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick);
		kicks += kick;
		fill(r, f, SHMRING_MAXFRAME);
	}
	is_int(kicks, 0, "pops from a full ring without want_space: no kick");
	is_int(shmring_want_space(r, SHMRING_MAXFRAME), 0, "want_space on a full ring: 0");
	shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick);
	is_int(kick, 1, "first pop after want_space kicks");
	shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick);
	is_int(kick, 0, "second pop: no kick (once per request)");
	fill(r, f, SHMRING_MAXFRAME);
	is_int(shmring_want_space(r, SHMRING_MAXFRAME), 0, "a second request");
	is_int(shmring_want_space(r, SHMRING_MAXFRAME), 0, "asked twice");
	shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick);
	is_int(kick, 1, "the second request kicks too");
	shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick);
	is_int(kick, 0, "and only once");
	while (shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick) == SHMRING_OK)
		;
	ring_set(r, 0, 0);
	fill(r, f, SHMRING_MAXFRAME); /* 65416 bytes left, all before the end */
	is_int(shmring_want_space(r, 60), 1,
	       "want_space on a ring full for 64 KiB but with room for 60 bytes: 1");
	shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick);
	is_int(kick, 0, "want_space answered 1: no kick follows");
	while (shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick) == SHMRING_OK)
		;
	is_int(shmring_want_space(r, SHMRING_MAXFRAME), 1, "want_space on an empty ring: 1");
	shmring_push(r, f, 60, &kick);
	shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick);
	is_int(kick, 0, "no kick after that either");
	free(m.p);
	free(f);
	free(buf);
}

/* Exact boundaries of "fits", wrap markers included, on the minimum ring. */
static void
test_bounds(void)
{
	const uint32_t size = SHMRING_MINSIZE;
	uint8_t *f = malloc(SHMRING_MAXFRAME), *buf = malloc(SHMRING_MAXFRAME);
	uint8_t *scratch = malloc(SHMRING_MAXFRAME);
	struct shmring *r;
	struct map m;
	uint32_t i, n;
	size_t got;
	int kick, rc, fails;

	if (map_new(&m, size) < 0) {
		ok(0, "map_new");
		return;
	}
	r = &m.s2c;
	memset(f, 0x22, SHMRING_MAXFRAME);
	ring_set(r, 0, 0);
	is_int(fill(r, f, SHMRING_MAXFRAME), 3, "MINSIZE ring: 3 maximal frames");
	is_int(shmring_push(r, f, 65509, &kick), SHMRING_FULL, "65509 bytes (record 65520): FULL");
	is_int(shmring_push(r, f, 65508, &kick), SHMRING_OK,
	       "65508 bytes (record 65512) fit exactly");
	is_int(r->ctl->head - r->ctl->tail, size, "the ring is exactly full");
	is_int(shmring_push(r, f, 1, &kick), SHMRING_FULL, "then even 1 byte is FULL");
	is_int(shmring_want_space(r, 1), 0, "want_space(1): 0");
	shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick);
	ok(got == SHMRING_MAXFRAME && kick == 1, "pop one maximal frame: kick");
	is_int(shmring_push(r, f, SHMRING_MAXFRAME, &kick), SHMRING_OK,
	       "its room takes a maximal frame again, at offset 0");
	is_int(shmring_push(r, f, 1, &kick), SHMRING_FULL, "full again");

	/* a record ending exactly at the end needs no wrap marker */
	ring_set(r, 0x7ffc0000u + size - 16, 0x7ffc0000u + size - 16);
	frame_fill(f, 9, 9);
	rc = shmring_push(r, f, 9, &kick);
	ok(rc == SHMRING_OK && r->ctl->head == 0x7ffc0000u + size && get32(r, size - 16) == 9,
	   "a 16-byte record in the last 16 bytes: no wrap");
	rc = shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick);
	ok(rc == SHMRING_OK && got == 9 && frame_check(buf, 9, 9, scratch) &&
	   r->ctl->tail == r->ctl->head, "and pops back");
	/* one that does not fit there wraps: marker, then the record at 0 */
	ring_set(r, 0x7ffc0000u + size - 16, 0x7ffc0000u + size - 16);
	frame_fill(f, 13, 13);
	rc = shmring_push(r, f, 13, &kick);
	ok(rc == SHMRING_OK && r->ctl->head == 0x7ffc0000u + size + 24 &&
	   get32(r, size - 16) == SHMRING_WRAP && get32(r, 0) == 13 &&
	   memcmp(r->data + 4, f, 13) == 0,
	   "a 24-byte record with 16 left: wrap marker, record at offset 0");
	rc = shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick);
	ok(rc == SHMRING_OK && got == 13 && frame_check(buf, 13, 13, scratch) &&
	   r->ctl->tail == r->ctl->head, "and pops back across the marker");
	/* the wasted tail counts against the room */
	ring_set(r, 0x7ffc0000u + size - 16, 0x7ffc0000u + size - 16 - (size - 40));
	is_int(shmring_push(r, f, 13, &kick), SHMRING_OK,
	       "40 free, 16 at the end: a wrapped 24 fits");
	ring_set(r, 0x7ffc0000u + size - 16, 0x7ffc0000u + size - 16 - (size - 32));
	is_int(shmring_push(r, f, 13, &kick), SHMRING_FULL,
	       "32 free, 16 at the end: a wrapped 24 is FULL");
	is_int(shmring_want_space(r, 13), 0, "want_space agrees: 0");
	is_int(shmring_want_space(r, 9), 1, "want_space(9): a 16 fits without wrap: 1");
	is_int(shmring_push(r, f, 9, &kick), SHMRING_OK, "and push of 9 bytes succeeds");

	/* smallest records across the u32 wrap: exactly size / 8 of them */
	ring_set(r, 0xfffff000u, 0xfffff000u);
	fails = 0;
	for (n = 0; n < size; n++) {
		frame_fill(f, n, 1);
		if (shmring_push(r, f, 1, &kick) != SHMRING_OK)
			break;
	}
	is_int(n, size / 8, "1-byte frames: exactly size / 8 fit");
	for (i = 0; i < n; i++) {
		rc = shmring_pop(r, buf, SHMRING_MAXFRAME, &got, &kick);
		fails += rc != SHMRING_OK || got != 1 || buf[0] != (uint8_t)i;
	}
	is_int(fails, 0, "and all come back in order");
	is_int(r->ctl->tail, 0xfffff000u + size, "tail wrapped the u32 counter");
	free(m.p);
	free(f);
	free(buf);
	free(scratch);
}

/* The wrap test's model of the ring: positions derived from the documented format only. */
struct wrap {
	struct shmring *r;
	uint32_t h, t;
	uint32_t pushed, popped;
	uint32_t lens[65536];
	uint64_t advanced;
	unsigned long full, bad, retries_failed;
	uint8_t *f, *buf, *scratch;
	struct rng g;
};

static size_t
wrap_len(struct rng *g)
{
	switch (rng_next(g) % 4) {
	case 0:
		return 1 + rng_next(g) % 64;
	case 1:
		return 1 + rng_next(g) % 1514;
	default:
		return 1 + rng_next(g) % SHMRING_MAXFRAME;
	}
}

static void
wrap_bad(struct wrap *w, const char *what, int rc)
{
	if (w->bad++ < 5)
		printf("# %s: rc %d pushed %u popped %u head %#x/%#x tail %#x/%#x\n", what, rc,
		       w->pushed, w->popped, w->r->ctl->head, w->h, w->r->ctl->tail, w->t);
}

/* Where a record of LEN at position H ends, or 0 with *FITS = 0 if it does not fit. */
static uint32_t
wrap_next(const struct wrap *w, uint32_t h, size_t len, int *fits)
{
	uint32_t size = w->r->size, off = h & (size - 1), need = rec_len(len);

	if (off + need > size)
		need += size - off;
	*fits = size - (h - w->t) >= need;
	return h + need;
}

static void
wrap_pop(struct wrap *w)
{
	size_t got, len;
	int kick, rc, fits;
	uint32_t nt;

	rc = shmring_pop(w->r, w->buf, SHMRING_MAXFRAME, &got, &kick);
	if (w->popped == w->pushed) {
		if (rc != SHMRING_EMPTY)
			wrap_bad(w, "pop on empty", rc);
		return;
	}
	len = w->lens[w->popped & 0xffff];
	nt = wrap_next(w, w->t, len, &fits);
	w->advanced += nt - w->t;
	w->t = nt;
	if (rc != SHMRING_OK || got != len || kick ||
	    !frame_check(w->buf, w->popped, len, w->scratch) || w->r->ctl->tail != w->t)
		wrap_bad(w, "pop", rc);
	w->popped++;
}

/* Push one frame; on FULL (checked against the model) pop one at a time until it goes in. */
static void
wrap_push(struct wrap *w)
{
	size_t len = wrap_len(&w->g);
	int kick, rc, fits;
	uint32_t nh;

	frame_fill(w->f, w->pushed, len);
	for (;;) {
		nh = wrap_next(w, w->h, len, &fits);
		rc = shmring_push(w->r, w->f, len, &kick);
		if (fits) {
			if (rc != SHMRING_OK || w->r->ctl->head != nh || kick != (w->h == w->t))
				wrap_bad(w, "push", rc);
			w->h = nh;
			w->lens[w->pushed & 0xffff] = (uint32_t)len;
			w->pushed++;
			return;
		}
		w->full++;
		if (rc != SHMRING_FULL || w->r->ctl->head != w->h)
			wrap_bad(w, "push should be FULL", rc);
		if (w->popped == w->pushed) {
			w->retries_failed++;
			return;
		}
		wrap_pop(w);
	}
}

static void
test_wrap(void)
{
	struct wrap *w = calloc(1, sizeof(*w));
	struct map m;

	if (map_new(&m, SHMRING_MINSIZE) < 0) {
		ok(0, "map_new");
		return;
	}
	w->r = &m.s2c;
	w->f = malloc(SHMRING_MAXFRAME);
	w->buf = malloc(SHMRING_MAXFRAME);
	w->scratch = malloc(SHMRING_MAXFRAME);
	w->g.s = 2463534242u;
	ring_set(w->r, 0xfffff000u, 0xfffff000u);
	w->h = w->t = 0xfffff000u;
	while (w->pushed < 5000) {
		if (rng_next(&w->g) % 100 < 60)
			wrap_push(w);
		else
			wrap_pop(w);
	}
	while (w->popped < w->pushed)
		wrap_pop(w);
	wrap_pop(w);
	is_int(w->bad, 0, "5000 frames of 1..65536 bytes: contents, lengths, positions, FULL");
	is_int(w->retries_failed, 0, "after FULL, popping frames always let the push in");
	ok(w->full > 100, "FULL was hit (%lu times)", w->full);
	ok(w->advanced > 200ull * SHMRING_MINSIZE, "the data area wrapped %llu times",
	   (unsigned long long)(w->advanced / SHMRING_MINSIZE));
	ok(w->r->ctl->head < 0xfffff000u && w->r->ctl->head == w->r->ctl->tail,
	   "the u32 counters wrapped, ring empty at the end");
	free(w->f);
	free(w->buf);
	free(w->scratch);
	free(w);
	free(m.p);
}

/*
 * Runs one pop (LEN 0) or push of LEN bytes in a child, so that touching the guard page after
 * the mapping kills only the child: the operation's result, or PROBE_DIED.
 */
static int
probe(struct shmring *r, size_t len)
{
	pid_t pid;
	int rc;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		static uint8_t buf[SHMRING_MAXFRAME];
		size_t got = 0;
		int kick;

		alarm(5);
		if (len)
			rc = shmring_push(r, buf, len, &kick);
		else
			rc = shmring_pop(r, buf, sizeof(buf), &got, &kick);
		_exit(got > SHMRING_MAXFRAME ? 50 : rc + 10);
	}
	return probe_wait(pid);
}

static void
expect_pop_corrupt(struct shmring *r, const char *what)
{
	uint32_t tail = r->ctl->tail;

	is_int(probe(r, 0), SHMRING_CORRUPT, "pop: %s: CORRUPT, nothing touched outside", what);
	is_int(r->ctl->tail, tail, "pop: %s: tail kept", what);
}

/* A peer that writes nonsense into shared memory. */
static void
test_malicious(void)
{
	struct map m;
	struct shmring *r;
	uint32_t size, base = 0xfff00000u, end, i, head;
	int rc;

	if (gmap_new(&m, SHMRING_MINSIZE) < 0) {
		ok(0, "gmap_new: %s", strerror(errno));
		return;
	}
	r = &m.s2c; /* its data area ends at the guard page */
	size = r->size;
	end = base + size;
	put32(r, 0, 4);
	ring_set(r, base + size + 8, base);
	expect_pop_corrupt(r, "head - tail = size + 8");
	ring_set(r, base - 8, base);
	expect_pop_corrupt(r, "head 8 behind tail");
	ring_set(r, base + 12, base);
	expect_pop_corrupt(r, "head not 8-aligned (+12)");
	ring_set(r, base + 3, base);
	expect_pop_corrupt(r, "head not 8-aligned (+3)");
	put32(r, 0, 0);
	ring_set(r, base + 8, base);
	expect_pop_corrupt(r, "length 0");
	put32(r, 0, SHMRING_MAXFRAME + 1);
	ring_set(r, base + 2 * SHMRING_MAXFRAME, base);
	expect_pop_corrupt(r, "length 65537");
	put32(r, 0, 0xfffffffeu);
	ring_set(r, base + size, base);
	expect_pop_corrupt(r, "length 0xfffffffe");
	put32(r, 0, 100);
	ring_set(r, base + 64, base);
	expect_pop_corrupt(r, "length 100, 64 bytes available");
	put32(r, size - 16, SHMRING_WRAP);
	ring_set(r, end, end - 16);
	expect_pop_corrupt(r, "wrap marker with nothing after it");
	ring_set(r, end - 8, end - 16);
	expect_pop_corrupt(r, "wrap marker, head inside the wasted bytes");
	put32(r, 0, 100);
	ring_set(r, end + 64, end - 16);
	expect_pop_corrupt(r, "wrap marker, then a record longer than available");
	put32(r, 0, 0);
	ring_set(r, end + 64, end - 16);
	expect_pop_corrupt(r, "wrap marker, then length 0");
	put32(r, 0, SHMRING_WRAP);
	ring_set(r, end + 64, end - 16);
	expect_pop_corrupt(r, "wrap marker, then another wrap marker");
	ring_set(r, base + size, base);
	expect_pop_corrupt(r, "wrap marker at offset 0");
	put32(r, size - 16, 100);
	ring_set(r, end - 16 + 104, end - 16);
	expect_pop_corrupt(r, "100-byte record crossing the end of the data area");
	put32(r, size - 8, 9);
	ring_set(r, end + 8, end - 8);
	expect_pop_corrupt(r, "16-byte record in the last 8 bytes");
	put32(r, size - 8, SHMRING_MAXFRAME);
	ring_set(r, end - 8 + size, end - 8);
	expect_pop_corrupt(r, "maximal record in the last 8 bytes, ring 'full'");

	/* push: a length that truncates to 1 as a u32 */
	ring_set(r, base, base);
	if (sizeof(size_t) > 4)
		is_int(probe(r, ((size_t)1 << 32) + 1), SHMRING_CORRUPT,
		       "push refuses 2^32 + 1 bytes (no truncation to u32)");
	is_int(r->ctl->head, base, "push: head kept");
	/* push: the consumer's tail is not to be trusted either */
	ring_set(r, base + 64, base + 72);
	is_int(probe(r, 60), SHMRING_CORRUPT, "push: tail moved past head: CORRUPT");
	is_int(r->ctl->head, base + 64, "push: head kept");
	ring_set(r, base + 64, base + 64 - size - 8);
	is_int(probe(r, 60), SHMRING_CORRUPT, "push: head - tail = size + 8: CORRUPT");
	ring_set(r, base + 64, base + 64 - size);
	is_int(probe(r, 60), SHMRING_FULL, "push: head - tail = size: FULL, not CORRUPT");

	/* our own index, written by the peer: whatever the answer, stay inside the mapping */
	for (i = 1; i <= 3; i++) {
		put32(r, size - 8, 0);
		memset(r->data + size - 4, 0xff, 4);
		put32(r, 0, 4);
		ring_set(r, end - i + 16, end - i);
		rc = probe(r, 0);
		ok(rc == SHMRING_CORRUPT || rc == SHMRING_EMPTY || rc == SHMRING_OK,
		   "pop: tail %u bytes before the end (not 8-aligned): no access past the mapping "
		   "(rc %d)", i, rc);
	}
	for (i = 1; i <= 7; i++) {
		head = end - i;
		ring_set(r, head, head);
		rc = probe(r, 16);
		ok(rc == SHMRING_CORRUPT || rc == SHMRING_FULL || rc == SHMRING_OK,
		   "push: head %u bytes before the end (not 8-aligned): no access past the mapping "
		   "(rc %d)", i, rc);
	}
	gmap_free(&m);
}

static uint32_t
fuzz_word(struct rng *g, uint32_t size)
{
	switch (rng_next(g) % 10) {
	case 0: case 1: case 2: case 3:
		return rng_next(g);
	case 4: case 5: case 6:
		return 1 + rng_next(g) % size;
	case 7:
		return SHMRING_WRAP;
	case 8:
		return 0;
	default:
		return SHMRING_MAXFRAME - 1 + rng_next(g) % 3;
	}
}

static uint32_t
fuzz_tail(struct rng *g, uint32_t size)
{
	switch (rng_next(g) % 4) {
	case 0:
		return rng_next(g);
	case 1:
		return rng_next(g) & ~7u;
	default:
		return (rng_next(g) & ~(size - 1)) + size - 8 * (1 + rng_next(g) % 4);
	}
}

static uint32_t
fuzz_head(struct rng *g, uint32_t tail, uint32_t size)
{
	switch (rng_next(g) % 6) {
	case 0:
		return rng_next(g);
	case 1:
		return tail + rng_next(g) % (size + 16);
	case 2:
		return tail - 8 * (rng_next(g) % 4);
	default:
		return tail + ((rng_next(g) % (size + 16)) & ~7u);
	}
}

static int
fuzz_push_legal(int rc, size_t len)
{
	if (len == 0 || len > SHMRING_MAXFRAME)
		return rc == SHMRING_CORRUPT;
	return rc == SHMRING_OK || rc == SHMRING_FULL || rc == SHMRING_CORRUPT;
}

static int
fuzz_pop_legal(int rc, size_t len)
{
	if (rc == SHMRING_OK)
		return len > 0 && len <= SHMRING_MAXFRAME;
	return rc == SHMRING_EMPTY || rc == SHMRING_CORRUPT;
}

/*
 * Random control blocks and data in rings of 64..4096 bytes that end at the guard page; PUSH
 * selects the producer side. In a child: exits 0 if every answer was legal, 1 if not.
 */
static void
fuzz_child(struct map *m, int push)
{
	uint8_t *buf = malloc(SHMRING_MAXFRAME), *frame = calloc(1, SHMRING_MAXFRAME + 8);
	struct shmring r = {.ctl = &m->s2c.ctl[0]};
	uint8_t *end = m->s2c.data + m->s2c.size;
	struct rng g = {push ? 88172645u : 521288629u};
	uint32_t i, w, k;
	size_t got, len;
	int kick, rc, bad = 0;

	alarm(10);
	for (i = 0; i < 20000; i++) {
		r.size = 64u << (rng_next(&g) % 7);
		r.data = end - r.size;
		for (w = 0; w < r.size; w += 4)
			put32(&r, w, fuzz_word(&g, r.size));
		r.ctl->tail = fuzz_tail(&g, r.size);
		r.ctl->head = fuzz_head(&g, r.ctl->tail, r.size);
		r.ctl->need_space = rng_next(&g) & 1;
		for (k = 0; k < 64; k++) {
			if (push) {
				len = rng_next(&g) % 8 ? 1 + rng_next(&g) % (r.size + 64)
						       : rng_next(&g) % (SHMRING_MAXFRAME + 2);
				rc = shmring_push(&r, frame, len, &kick);
				if (!fuzz_push_legal(rc, len)) {
					printf("# push fuzz %u: len %zu rc %d\n", i, len, rc);
					bad = 1;
				}
			} else {
				rc = shmring_pop(&r, buf, SHMRING_MAXFRAME, &got, &kick);
				if (!fuzz_pop_legal(rc, got)) {
					printf("# pop fuzz %u: rc %d len %zu\n", i, rc, got);
					bad = 1;
				}
			}
			if (rc != SHMRING_OK)
				break;
		}
	}
	fflush(stdout);
	_exit(bad);
}

static void
test_fuzz(void)
{
	struct map m;
	int push, st;
	pid_t pid;

	if (gmap_new(&m, SHMRING_MINSIZE) < 0) {
		ok(0, "gmap_new: %s", strerror(errno));
		return;
	}
	for (push = 0; push < 2; push++) {
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			fuzz_child(&m, push);
		ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		   "%s fuzz: 20000 random rings, only legal answers, nothing touched outside",
		   push ? "push" : "pop");
	}
	gmap_free(&m);
}

/* The two threads: each writes only its own counters. */
struct duplex {
	struct shmring *r;
	int data_efd, space_efd;
	uint32_t nframes;
	unsigned long p_full, p_waits, p_timeouts, p_corrupt, p_efd;
	unsigned long c_waits, c_timeouts, c_corrupt, c_bad, c_efd, c_frames;
	long c_first_bad;
};

static size_t
duplex_len(struct rng *g)
{
	uint32_t x = rng_next(g) % 100;

	if (x < 60)
		return 60 + rng_next(g) % 68;
	if (x < 90)
		return 1 + rng_next(g) % 1514;
	if (x < 98)
		return 1 + rng_next(g) % 9000;
	return 1 + rng_next(g) % SHMRING_MAXFRAME;
}

static int
efd_kick(int fd)
{
	uint64_t one = 1;

	return write(fd, &one, sizeof(one)) == sizeof(one) ? 0 : -1;
}

static void
efd_clear(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		perror("eventfd read");
}

/* 1 if FD became readable, 0 on a 1 s timeout (a lost wake-up). */
static int
efd_wait(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	return poll(&pfd, 1, 1000) != 0;
}

static void *
producer_run(void *arg)
{
	struct duplex *d = arg;
	uint8_t *f = malloc(SHMRING_MAXFRAME);
	struct rng g = {1234567u};
	uint32_t seq;
	size_t len;
	int kick, rc;

	for (seq = 0; seq < d->nframes; seq++) {
		len = duplex_len(&g);
		frame_fill(f, seq, len);
		for (;;) {
			rc = shmring_push(d->r, f, len, &kick);
			if (rc == SHMRING_OK) {
				if (kick && efd_kick(d->data_efd) < 0)
					d->p_efd++;
				break;
			}
			if (rc != SHMRING_FULL) {
				d->p_corrupt++;
				goto out;
			}
			d->p_full++;
			if (shmring_want_space(d->r, len))
				continue;
			d->p_waits++;
			if (!efd_wait(d->space_efd) && ++d->p_timeouts > 3)
				goto out;
			efd_clear(d->space_efd);
		}
		if (seq % 25013 == 25012)
			usleep(2000); /* let the consumer find the ring empty */
	}
out:
	free(f);
	return NULL;
}

static void *
consumer_run(void *arg)
{
	struct duplex *d = arg;
	uint8_t *buf = malloc(SHMRING_MAXFRAME), *scratch = malloc(SHMRING_MAXFRAME);
	struct rng g = {1234567u};
	uint32_t seq = 0;
	size_t got, len;
	int kick, rc;

	while (seq < d->nframes) {
		rc = shmring_pop(d->r, buf, SHMRING_MAXFRAME, &got, &kick);
		if (rc == SHMRING_OK) {
			if (kick && efd_kick(d->space_efd) < 0)
				d->c_efd++;
			len = duplex_len(&g);
			if (got != len || !frame_check(buf, seq, len, scratch)) {
				if (!d->c_bad++)
					d->c_first_bad = seq;
			}
			seq++;
			if (seq % 25013 == 0)
				usleep(2000); /* let the producer fill the ring */
			continue;
		}
		if (rc != SHMRING_EMPTY) {
			d->c_corrupt++;
			break;
		}
		efd_clear(d->data_efd);
		if (shmring_readable(d->r))
			continue;
		d->c_waits++;
		if (!efd_wait(d->data_efd) && ++d->c_timeouts > 3)
			break;
	}
	d->c_frames = seq;
	free(buf);
	free(scratch);
	return NULL;
}

static void
test_threads(void)
{
	struct duplex d = {.nframes = 200000, .c_first_bad = -1};
	pthread_t prod, cons;
	struct map m;

	if (map_new(&m, SHMRING_MINSIZE) < 0) {
		ok(0, "map_new");
		return;
	}
	d.r = &m.c2s;
	d.data_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	d.space_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d.data_efd < 0 || d.space_efd < 0) {
		ok(0, "eventfd: %s", strerror(errno));
		return;
	}
	alarm(20);
	if (pthread_create(&cons, NULL, consumer_run, &d) != 0 ||
	    pthread_create(&prod, NULL, producer_run, &d) != 0) {
		ok(0, "pthread_create");
		return;
	}
	pthread_join(prod, NULL);
	pthread_join(cons, NULL);
	alarm(0);
	is_int(d.c_frames, d.nframes, "threads: the consumer got all 200000 frames");
	is_int(d.c_bad, 0, "threads: order, lengths and contents (first bad: %ld)", d.c_first_bad);
	is_int(d.p_corrupt + d.c_corrupt, 0, "threads: no CORRUPT on either side");
	is_int(d.p_timeouts, 0, "threads: the producer never missed a space wake-up");
	is_int(d.c_timeouts, 0, "threads: the consumer never missed a data wake-up");
	is_int(d.p_efd + d.c_efd, 0, "threads: eventfd writes");
	ok(d.p_waits > 0 && d.c_waits > 0, "threads: both sides slept (%lu FULL, %lu / %lu waits)",
	   d.p_full, d.p_waits, d.c_waits);
	close(d.data_efd);
	close(d.space_efd);
	free(m.p);
}

int
main(void)
{
	pattern_init();
	test_attach();
	test_roundtrip();
	test_kicks();
	test_bounds();
	test_wrap();
	test_malicious();
	test_fuzz();
	test_threads();
	return done_testing();
}
