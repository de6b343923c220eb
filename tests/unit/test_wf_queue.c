/*
 * Unit tests of wirefilter's delay queue (wirefilter/queue.c): items leave by due time, ties in
 * arrival order, each with its own copy of the frame.
 */
#include <stdint.h>

#include "queue.h"
#include "rng.h"
#include "tap.h"

int
main(void)
{
	struct wfq q;
	struct wfq_item *it;
	struct rng r;
	uint64_t prev_due = 0, prev_seq = 0;
	unsigned char frame[3] = { 1, 2, 3 };
	int i, sorted = 1, n = 0;

	wfq_init(&q);
	ok(wfq_peek(&q) == NULL && wfq_pop(&q) == NULL, "empty queue");
	it = wfq_push(&q, 5, frame, sizeof(frame));
	frame[0] = 9;
	ok(it && it->len == 3 && it->data[0] == 1, "push copies the frame");
	free(wfq_pop(&q));

	rng_seed(&r, 7, 0);
	for (i = 0; i < 10000; i++) {
		uint64_t due = rng_u64(&r) % 1000;

		wfq_push(&q, due, &i, sizeof(i));
	}
	while ((it = wfq_pop(&q)) != NULL) {
		int idx;

		memcpy(&idx, it->data, sizeof(idx));
		if (n > 0 && (it->due_ns < prev_due || (it->due_ns == prev_due && it->seq < prev_seq)))
			sorted = 0;
		prev_due = it->due_ns;
		prev_seq = it->seq;
		n++;
		free(it);
	}
	ok(sorted, "10000 random due times come out ordered, ties in arrival order");
	is_int(n, 10000, "every item comes out once");

	for (i = 0; i < 100; i++)
		wfq_push(&q, 42, &i, sizeof(i));
	for (i = 0, sorted = 1; (it = wfq_pop(&q)) != NULL; i++) {
		int idx;

		memcpy(&idx, it->data, sizeof(idx));
		sorted &= idx == i;
		free(it);
	}
	ok(sorted, "equal due times keep the arrival order (fifo)");
	for (i = 0; i < 10; i++)
		wfq_push(&q, (uint64_t)i, frame, 3);
	wfq_fini(&q);
	ok(q.n == 0 && q.h == NULL, "fini frees what is left");
	return done_testing();
}
