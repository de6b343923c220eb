/*
 * Shared-memory frame rings (see shmring.h). Positions are loaded and stored with C11-style
 * atomics; a full barrier separates a side's store of its own position from its load of the
 * other's whenever a wake-up decision depends on it (the classic store-then-check pairing: at
 * least one of the two sides sees the other's update, so no wake-up is lost).
 */
#include <string.h>

#include "shmring.h"

#define REC_ALIGN 8u
#define REC_HDR   4u

static uint32_t
rec_size(size_t len)
{
	return (uint32_t)((REC_HDR + len + REC_ALIGN - 1) & ~(size_t)(REC_ALIGN - 1));
}

static uint32_t
load_acq(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void
store_rel(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void
full_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

size_t
shmring_mapsize(uint32_t size)
{
	return SHMRING_DATA_OFF + 2 * (size_t)size;
}

void
shmring_format(void *map, uint32_t size)
{
	struct shmring_hdr *h = map;

	memset(h, 0, sizeof(*h));
	h->magic = SHMRING_MAGIC;
	h->version = SHMRING_VERSION;
	h->ringsize = size;
}

int
shmring_attach(void *map, size_t maplen, struct shmring *c2s, struct shmring *s2c)
{
	struct shmring_hdr *h = map;
	uint32_t size;

	if (maplen < SHMRING_DATA_OFF || h->magic != SHMRING_MAGIC ||
	    h->version != SHMRING_VERSION)
		return -1;
	size = h->ringsize; /* read once: the copy is what counts from now on */
	if (size < SHMRING_MINSIZE || size > SHMRING_MAXSIZE || (size & (size - 1)) != 0 ||
	    maplen < shmring_mapsize(size))
		return -1;
	c2s->ctl = &h->c2s;
	c2s->data = (uint8_t *)map + SHMRING_DATA_OFF;
	c2s->size = size;
	s2c->ctl = &h->s2c;
	s2c->data = (uint8_t *)map + SHMRING_DATA_OFF + size;
	s2c->size = size;
	return 0;
}

/* Room for a record of LEN at position H with the consumer at T (wrap waste included). */
static int
fits(const struct shmring *r, uint32_t h, uint32_t t, size_t len)
{
	uint32_t used = h - t, need = rec_size(len), off = h & (r->size - 1);

	if (used > r->size)
		return 0;
	if (off + need > r->size)
		need += r->size - off;
	return r->size - used >= need;
}

int
shmring_push(struct shmring *r, const void *frame, size_t len, int *kick)
{
	uint32_t h0 = __atomic_load_n(&r->ctl->head, __ATOMIC_RELAXED);
	uint32_t t = load_acq(&r->ctl->tail), h = h0, off, l = (uint32_t)len;

	*kick = 0;
	if (len == 0 || len > SHMRING_MAXFRAME)
		return SHMRING_CORRUPT;
	/* our own position is in shared memory too: the peer may have moved it */
	if ((h0 & (REC_ALIGN - 1)) != 0 || h0 - t > r->size)
		return SHMRING_CORRUPT;
	if (!fits(r, h0, t, len))
		return SHMRING_FULL;
	off = h & (r->size - 1);
	if (off + rec_size(len) > r->size) {
		uint32_t wrap = SHMRING_WRAP;

		memcpy(r->data + off, &wrap, REC_HDR);
		h += r->size - off;
		off = 0;
	}
	memcpy(r->data + off, &l, REC_HDR);
	memcpy(r->data + off + REC_HDR, frame, len);
	store_rel(&r->ctl->head, h + rec_size(len));
	full_barrier();
	/* empty before this record: the consumer may have gone to sleep */
	*kick = load_acq(&r->ctl->tail) == h0;
	return SHMRING_OK;
}

int
shmring_pop(struct shmring *r, void *buf, size_t cap, size_t *len, int *kick)
{
	uint32_t t = __atomic_load_n(&r->ctl->tail, __ATOMIC_RELAXED);
	uint32_t h = load_acq(&r->ctl->head), avail = h - t, off, l;
	volatile const uint8_t *src;

	*kick = 0;
	*len = 0;
	/* our own position is in shared memory too: the peer may have moved it */
	if ((t & (REC_ALIGN - 1)) != 0 || avail > r->size)
		return SHMRING_CORRUPT;
	if (avail == 0)
		return SHMRING_EMPTY;
	if (avail < REC_HDR || (avail & (REC_ALIGN - 1)) != 0)
		return SHMRING_CORRUPT;
	off = t & (r->size - 1);
	memcpy(&l, r->data + off, REC_HDR);
	if (l == SHMRING_WRAP) {
		uint32_t waste = r->size - off;

		if (waste >= avail)
			return SHMRING_CORRUPT;
		t += waste;
		avail -= waste;
		off = 0;
		memcpy(&l, r->data, REC_HDR);
	}
	if (l == 0 || l > SHMRING_MAXFRAME || rec_size(l) > avail || off + rec_size(l) > r->size)
		return SHMRING_CORRUPT;
	src = r->data + off + REC_HDR;
	memcpy(buf, (const void *)src, l < cap ? l : cap);
	*len = l;
	store_rel(&r->ctl->tail, t + rec_size(l));
	full_barrier();
	if (__atomic_load_n(&r->ctl->need_space, __ATOMIC_RELAXED) &&
	    __atomic_exchange_n(&r->ctl->need_space, 0, __ATOMIC_ACQ_REL))
		*kick = 1;
	return SHMRING_OK;
}

int
shmring_readable(struct shmring *r)
{
	full_barrier();
	return load_acq(&r->ctl->head) != __atomic_load_n(&r->ctl->tail, __ATOMIC_RELAXED);
}

int
shmring_want_space(struct shmring *r, size_t len)
{
	__atomic_store_n(&r->ctl->need_space, 1, __ATOMIC_RELAXED);
	full_barrier();
	if (fits(r, __atomic_load_n(&r->ctl->head, __ATOMIC_RELAXED), load_acq(&r->ctl->tail),
		 len)) {
		__atomic_store_n(&r->ctl->need_space, 0, __ATOMIC_RELAXED);
		return 1;
	}
	return 0;
}
