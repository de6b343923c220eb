/*
 * Delay queue: a binary min-heap of frames keyed by (due time, arrival sequence), so frames
 * due at the same instant leave in the order they came.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"

static int
wfq_before(const struct wfq_item *a, const struct wfq_item *b)
{
	return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->seq < b->seq);
}

void
wfq_init(struct wfq *q)
{
	memset(q, 0, sizeof(*q));
}

void
wfq_fini(struct wfq *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		free(q->h[i]);
	free(q->h);
	memset(q, 0, sizeof(*q));
}

struct wfq_item *
wfq_push(struct wfq *q, uint64_t due_ns, const void *data, size_t len)
{
	struct wfq_item *it, **h;
	size_t i;

	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;

		if ((h = realloc(q->h, cap * sizeof(*h))) == NULL)
			return NULL;
		q->h = h;
		q->cap = cap;
	}
	if ((it = malloc(sizeof(*it) + len)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	it->due_ns = due_ns;
	it->seq = q->seq++;
	it->len = len;
	memcpy(it->data, data, len);
	for (i = q->n++; i > 0 && wfq_before(it, q->h[(i - 1) / 2]); i = (i - 1) / 2)
		q->h[i] = q->h[(i - 1) / 2];
	q->h[i] = it;
	return it;
}

struct wfq_item *
wfq_pop(struct wfq *q)
{
	struct wfq_item *top, *last;
	size_t i = 0, c;

	if (q->n == 0)
		return NULL;
	top = q->h[0];
	last = q->h[--q->n];
	while ((c = 2 * i + 1) < q->n) {
		if (c + 1 < q->n && wfq_before(q->h[c + 1], q->h[c]))
			c++;
		if (!wfq_before(q->h[c], last))
			break;
		q->h[i] = q->h[c];
		i = c;
	}
	if (q->n > 0)
		q->h[i] = last;
	return top;
}
