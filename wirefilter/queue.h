/*
 * The delay queue of one direction: frames ordered by due time, ties in arrival order (a
 * binary min-heap keyed by (due, sequence)). Each item owns its copy of the frame.
 */
#ifndef WF_QUEUE_H
#define WF_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct wfq_item {
	uint64_t due_ns;
	uint64_t seq;
	size_t len;
	unsigned char data[];
};

struct wfq {
	struct wfq_item **h;
	size_t n, cap;
	uint64_t seq;
};

void wfq_init(struct wfq *q);
/* Frees every queued item. */
void wfq_fini(struct wfq *q);
/* Queues a copy of data; returns the new item, or NULL with errno ENOMEM. */
struct wfq_item *wfq_push(struct wfq *q, uint64_t due_ns, const void *data, size_t len);
/* The earliest item, or NULL when empty. */
static inline struct wfq_item *
wfq_peek(const struct wfq *q)
{
	return q->n ? q->h[0] : NULL;
}
/* Removes the earliest item and hands it over (free() it). */
struct wfq_item *wfq_pop(struct wfq *q);

#endif
