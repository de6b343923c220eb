/*
 * Event loop: epoll for descriptors (table indexed by fd), a min-heap of timers behind one
 * absolute CLOCK_MONOTONIC timerfd (microsecond precision), signals through a signalfd.
 * Each epoll registration carries (generation << 32 | fd): an event fetched for a descriptor
 * that was removed, or removed and added again, during the same batch is dropped.
 * Descriptors epoll refuses (regular files, EPERM) are treated as always ready, like poll() does.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

#define LOOP_BATCH 64

struct loop_fdent {
	loop_fd_cb *cb; /* NULL: free slot */
	void *arg;
	unsigned events;
	uint32_t gen;
	int always; /* not pollable: always ready */
};

struct loop_timer {
	uint64_t when;
	uint64_t seq; /* ties broken by creation order */
	size_t idx;   /* position in the heap */
	loop_timer_cb *cb;
	void *arg;
};

struct loop_sig {
	loop_sig_cb *cb;
	void *arg;
};

struct loop_deferred {
	loop_defer_cb *cb;
	void *arg;
};

struct loop_poller {
	loop_fill_cb *fill;
	loop_poll_cb *poll;
	void *arg;
};

struct loop {
	int epfd, tfd, sigfd;
	int stop;
	uint64_t now;
	uint32_t gen;

	struct loop_fdent *fds;
	size_t nfds, nalways;

	struct loop_timer **heap;
	size_t nheap, capheap;
	uint64_t tseq, armed;
	struct loop_timer *running; /* timer whose callback is executing */
	int running_deleted;

	sigset_t sigs, oldmask;
	int sigblocked;
	struct loop_sig sigcb[_NSIG];

	struct loop_deferred *defers;
	struct loop_poller *pollers;
	size_t ndefers, capdefers, npollers;
};

uint64_t
clock_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t
loop_now_us(const struct loop *l)
{
	return l->now;
}

uint64_t
loop_now_ms(const struct loop *l)
{
	return l->now / 1000u;
}

/* Returns arr grown (zero-filled) to hold need elements, or NULL with arr untouched. */
static void *
loop_grow(void *arr, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;
	char *p;

	if (need <= *cap)
		return arr;
	while (n < need)
		n *= 2;
	if ((p = realloc(arr, n * size)) == NULL)
		return NULL;
	memset(p + *cap * size, 0, (n - *cap) * size);
	*cap = n;
	return p;
}

static void
loop_timerfd_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	uint64_t ticks;

	if (read(fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	l->armed = 0; /* expired: re-arm before the next wait */
}

struct loop *
loop_new(void)
{
	struct loop *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->tfd = l->sigfd = -1;
	sigemptyset(&l->sigs);
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		goto fail;
	if ((l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0)
		goto fail;
	if (loop_add_fd(l, l->tfd, LOOP_IN, loop_timerfd_cb, NULL) < 0)
		goto fail;
	l->now = clock_now_us();
	return l;

fail:
	loop_free(l);
	return NULL;
}

void
loop_free(struct loop *l)
{
	size_t i;
	int saved = errno;

	if (l == NULL)
		return;
	for (i = 0; i < l->nheap; i++)
		free(l->heap[i]);
	if (l->sigblocked)
		sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
	if (l->sigfd >= 0)
		close(l->sigfd);
	if (l->tfd >= 0)
		close(l->tfd);
	if (l->epfd >= 0)
		close(l->epfd);
	free(l->heap);
	free(l->fds);
	free(l->defers);
	free(l->pollers);
	free(l);
	errno = saved;
}

void
loop_break(struct loop *l)
{
	l->stop = 1;
}

static uint32_t
loop_epoll_events(unsigned events)
{
	return (events & LOOP_IN ? EPOLLIN : 0u) | (events & LOOP_OUT ? EPOLLOUT : 0u);
}

int
loop_add_fd(struct loop *l, int fd, unsigned events, loop_fd_cb *cb, void *arg)
{
	struct epoll_event ev = { 0 };
	struct loop_fdent *e;

	if (fd < 0 || cb == NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((e = loop_grow(l->fds, &l->nfds, (size_t)fd + 1, sizeof(*e))) == NULL)
		return -1;
	l->fds = e;
	e = &l->fds[fd];
	if (e->cb != NULL) {
		errno = EEXIST;
		return -1;
	}
	e->gen = ++l->gen;
	ev.events = loop_epoll_events(events);
	ev.data.u64 = (uint64_t)e->gen << 32 | (uint32_t)fd;
	e->always = 0;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		if (errno != EPERM)
			return -1;
		e->always = 1;
		l->nalways++;
	}
	e->cb = cb;
	e->arg = arg;
	e->events = events;
	return 0;
}

int
loop_mod_fd(struct loop *l, int fd, unsigned events)
{
	struct epoll_event ev = { 0 };
	struct loop_fdent *e;

	if (fd < 0 || (size_t)fd >= l->nfds || l->fds[fd].cb == NULL) {
		errno = ENOENT;
		return -1;
	}
	e = &l->fds[fd];
	if (!e->always) {
		ev.events = loop_epoll_events(events);
		ev.data.u64 = (uint64_t)e->gen << 32 | (uint32_t)fd;
		if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
			return -1;
	}
	e->events = events;
	return 0;
}

void
loop_del_fd(struct loop *l, int fd)
{
	struct loop_fdent *e;
	int saved = errno;

	if (fd < 0 || (size_t)fd >= l->nfds || l->fds[fd].cb == NULL)
		return;
	e = &l->fds[fd];
	if (e->always)
		l->nalways--;
	else
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	e->cb = NULL;
	e->arg = NULL;
	e->always = 0;
	e->gen = 0;
	errno = saved;
}

static int
timer_before(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void
heap_set(struct loop *l, size_t i, struct loop_timer *t)
{
	l->heap[i] = t;
	t->idx = i;
}

static void
heap_up(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	while (i > 0 && timer_before(t, l->heap[(i - 1) / 2])) {
		heap_set(l, i, l->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(l, i, t);
}

static void
heap_down(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];
	size_t c;

	while ((c = 2 * i + 1) < l->nheap) {
		if (c + 1 < l->nheap && timer_before(l->heap[c + 1], l->heap[c]))
			c++;
		if (!timer_before(l->heap[c], t))
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

static void
heap_remove(struct loop *l, struct loop_timer *t)
{
	size_t i = t->idx;
	struct loop_timer *last = l->heap[--l->nheap];

	if (i == l->nheap)
		return;
	heap_set(l, i, last);
	heap_up(l, i);
	heap_down(l, last->idx);
}

static int
heap_insert(struct loop *l, struct loop_timer *t)
{
	struct loop_timer **h;

	if ((h = loop_grow(l->heap, &l->capheap, l->nheap + 1, sizeof(*h))) == NULL)
		return -1;
	l->heap = h;
	heap_set(l, l->nheap++, t);
	heap_up(l, t->idx);
	return 0;
}

struct loop_timer *
loop_add_timer(struct loop *l, uint64_t usec, loop_timer_cb *cb, void *arg)
{
	struct loop_timer *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->when = clock_now_us() + usec;
	t->seq = l->tseq++;
	t->cb = cb;
	t->arg = arg;
	if (heap_insert(l, t) < 0) {
		free(t);
		return NULL;
	}
	return t;
}

void
loop_del_timer(struct loop *l, struct loop_timer *t)
{
	if (t == NULL)
		return;
	if (t == l->running) {
		l->running_deleted = 1; /* freed when its callback returns */
		return;
	}
	heap_remove(l, t);
	free(t);
}

/*
 * Runs every timer due at the cached time, earliest first. A running timer stays in the heap
 * (its index is tracked), so rescheduling it only moves it down and cannot fail.
 */
static void
loop_run_timers(struct loop *l)
{
	struct loop_timer *t;
	uint64_t next;

	while (l->nheap > 0 && l->heap[0]->when <= l->now && !l->stop) {
		t = l->heap[0];
		l->running = t;
		l->running_deleted = 0;
		next = t->cb(l, t->arg);
		l->running = NULL;
		if (next == 0 || l->running_deleted) {
			heap_remove(l, t);
			free(t);
			continue;
		}
		t->when = l->now + next; /* relative to the time the callback saw */
		t->seq = l->tseq++;
		heap_down(l, t->idx);
	}
}

/* Points the timerfd at the earliest timer, if it changed. */
static void
loop_arm(struct loop *l)
{
	struct itimerspec its = { 0 };
	uint64_t when = l->nheap ? l->heap[0]->when : 0;

	if (when == l->armed)
		return;
	if (when) {
		its.it_value.tv_sec = (time_t)(when / 1000000u);
		its.it_value.tv_nsec = (long)(when % 1000000u) * 1000 + 1;
	}
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		l->armed = when;
}

static void
loop_sigfd_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	struct signalfd_siginfo si;
	struct loop_sig *c;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo >= _NSIG)
			continue;
		c = &l->sigcb[si.ssi_signo];
		if (c->cb)
			c->cb(l, (int)si.ssi_signo, c->arg);
	}
}

int
loop_add_signal(struct loop *l, int signo, loop_sig_cb *cb, void *arg)
{
	sigset_t one, old;
	int fd;

	if (signo <= 0 || signo >= _NSIG || cb == NULL) {
		errno = EINVAL;
		return -1;
	}
	sigemptyset(&one);
	sigaddset(&one, signo);
	if (sigprocmask(SIG_BLOCK, &one, &old) < 0)
		return -1;
	if (!l->sigblocked) {
		l->oldmask = old;
		l->sigblocked = 1;
	}
	sigaddset(&l->sigs, signo);
	if ((fd = signalfd(l->sigfd, &l->sigs, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		return -1;
	if (l->sigfd < 0) {
		l->sigfd = fd;
		if (loop_add_fd(l, fd, LOOP_IN, loop_sigfd_cb, NULL) < 0)
			return -1;
	}
	l->sigcb[signo].cb = cb;
	l->sigcb[signo].arg = arg;
	return 0;
}

/*
 * A signalfd wakes only the epoll of the process that created it: after fork() (daemonizing)
 * the child must make its own, or its signals would never be dispatched.
 */
int
loop_after_fork(struct loop *l)
{
	int fd;

	if (l->sigfd < 0)
		return 0;
	if ((fd = signalfd(-1, &l->sigs, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		return -1;
	loop_del_fd(l, l->sigfd);
	close(l->sigfd);
	l->sigfd = fd;
	return loop_add_fd(l, fd, LOOP_IN, loop_sigfd_cb, NULL);
}

void
loop_sigmask_restore(const struct loop *l)
{
	if (l->sigblocked)
		sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
}

int
loop_defer(struct loop *l, loop_defer_cb *cb, void *arg)
{
	struct loop_deferred *d;

	if ((d = loop_grow(l->defers, &l->capdefers, l->ndefers + 1, sizeof(*d))) == NULL)
		return -1;
	l->defers = d;
	l->defers[l->ndefers].cb = cb;
	l->defers[l->ndefers].arg = arg;
	l->ndefers++;
	return 0;
}

/* Runs the deferred calls queued so far; those they queue run after the next batch. */
static void
loop_run_defers(struct loop *l)
{
	size_t i, n = l->ndefers;
	struct loop_deferred d;

	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		d = l->defers[i];
		d.cb(l, d.arg);
	}
	memmove(l->defers, l->defers + n, (l->ndefers - n) * sizeof(*l->defers));
	l->ndefers -= n;
}

int
loop_add_poller(struct loop *l, loop_fill_cb *fill, loop_poll_cb *poll, void *arg)
{
	struct loop_poller *p;

	if ((p = realloc(l->pollers, (l->npollers + 1) * sizeof(*p))) == NULL)
		return -1;
	l->pollers = p;
	p[l->npollers].fill = fill;
	p[l->npollers].poll = poll;
	p[l->npollers].arg = arg;
	l->npollers++;
	return 0;
}

static void
loop_dispatch(struct loop *l, const struct epoll_event *ev)
{
	int fd = (int)(uint32_t)ev->data.u64;
	uint32_t gen = (uint32_t)(ev->data.u64 >> 32);
	struct loop_fdent *e;
	unsigned got = 0;

	if ((size_t)fd >= l->nfds || l->fds[fd].cb == NULL || l->fds[fd].gen != gen)
		return;
	e = &l->fds[fd];
	if (ev->events & EPOLLIN)
		got |= LOOP_IN;
	if (ev->events & EPOLLOUT)
		got |= LOOP_OUT;
	got &= e->events;
	if (ev->events & (EPOLLERR | EPOLLHUP))
		got |= LOOP_ERR;
	if (got)
		e->cb(l, fd, got, e->arg);
}

/* Whether a descriptor epoll cannot watch wants events (so the wait must not block). */
static int
loop_always_active(const struct loop *l)
{
	size_t fd;

	for (fd = 0; fd < l->nfds && l->nalways > 0; fd++)
		if (l->fds[fd].always && (l->fds[fd].events & (LOOP_IN | LOOP_OUT)))
			return 1;
	return 0;
}

/* Descriptors epoll cannot watch get their requested events every iteration. */
static void
loop_dispatch_always(struct loop *l)
{
	size_t fd;
	struct loop_fdent *e;

	for (fd = 0; fd < l->nfds && l->nalways > 0 && !l->stop; fd++) {
		e = &l->fds[fd];
		if (e->cb != NULL && e->always && (e->events & (LOOP_IN | LOOP_OUT)))
			e->cb(l, (int)fd, e->events & (LOOP_IN | LOOP_OUT), e->arg);
	}
}

int
loop_run(struct loop *l)
{
	struct epoll_event evs[LOOP_BATCH];
	int i, n, timeout;
	size_t p;

	l->now = clock_now_us();
	while (!l->stop) {
		timeout = -1;
		if (l->ndefers > 0 || (l->nheap && l->heap[0]->when <= l->now) ||
		    loop_always_active(l))
			timeout = 0;
		for (p = 0; p < l->npollers; p++)
			if (l->pollers[p].fill)
				l->pollers[p].fill(l, &timeout, l->pollers[p].arg);
		loop_arm(l);
		n = epoll_wait(l->epfd, evs, LOOP_BATCH, timeout);
		if (n < 0 && errno != EINTR) {
			l->stop = 0;
			return -1;
		}
		l->now = clock_now_us();
		for (i = 0; i < n && !l->stop; i++)
			loop_dispatch(l, &evs[i]);
		loop_dispatch_always(l);
		for (p = 0; p < l->npollers && !l->stop; p++)
			if (l->pollers[p].poll)
				l->pollers[p].poll(l, l->pollers[p].arg);
		loop_run_timers(l);
		loop_run_defers(l);
	}
	l->stop = 0;
	return 0;
}
