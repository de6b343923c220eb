/*
 * Unit tests for common/loop.c: timer order and repetition, sub-millisecond timers, descriptor
 * callbacks, removal of a descriptor with a pending event (and reuse of its number), signals,
 * deferred calls, pollers, hang-up reporting and descriptors epoll cannot watch.
 * Every loop_run is bounded by a watchdog timer so a broken loop fails instead of hanging.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loop.h"
#include "tap.h"

static char order[256];
static size_t norder;

static void
mark(char c)
{
	if (norder + 1 < sizeof(order))
		order[norder++] = c;
	order[norder] = '\0';
}

static void
reset(void)
{
	norder = 0;
	order[0] = '\0';
}

static int watchdog_fired;

static uint64_t
watchdog_cb(struct loop *l, void *arg)
{
	watchdog_fired = 1;
	loop_break(l);
	return 0;
}

/* Runs l until something breaks it or timeout_ms elapses; 0 if it was broken in time. */
static int
run_bounded(struct loop *l, unsigned timeout_ms)
{
	struct loop_timer *wd;

	watchdog_fired = 0;
	wd = loop_add_timer(l, (uint64_t)timeout_ms * 1000, watchdog_cb, NULL);
	if (loop_run(l) < 0)
		return -1;
	if (!watchdog_fired)
		loop_del_timer(l, wd);
	return watchdog_fired ? -1 : 0;
}

static uint64_t
mark_timer_cb(struct loop *l, void *arg)
{
	mark(*(const char *)arg);
	return 0;
}

static uint64_t
break_timer_cb(struct loop *l, void *arg)
{
	loop_break(l);
	return 0;
}

static void
test_timer_order(void)
{
	struct loop *l = loop_new();

	reset();
	loop_add_timer(l, 30000, mark_timer_cb, "c");
	loop_add_timer(l, 10000, mark_timer_cb, "a");
	loop_add_timer(l, 20000, mark_timer_cb, "b");
	loop_add_timer(l, 20000, mark_timer_cb, "B"); /* same or later deadline */
	loop_add_timer(l, 0, mark_timer_cb, "0");
	loop_add_timer(l, 40000, break_timer_cb, NULL);
	ok(run_bounded(l, 2000) == 0, "timers: loop broken by the last timer");
	is_str(order, "0abBc", "timers fire in order");
	loop_free(l);
}

struct rep {
	int calls;
	uint64_t first, last;
};

/* Fires 4 times, 5 ms apart, then stops. */
static uint64_t
rep_cb(struct loop *l, void *arg)
{
	struct rep *r = arg;
	uint64_t now = clock_now_us();

	if (r->calls++ == 0)
		r->first = now;
	r->last = now;
	if (r->calls == 4) {
		loop_add_timer(l, 20000, break_timer_cb, NULL);
		return 0;
	}
	return 5000;
}

static void
test_timer_repeat(void)
{
	struct loop *l = loop_new();
	struct rep r = { 0 };

	loop_add_timer(l, 1000, rep_cb, &r);
	ok(run_bounded(l, 2000) == 0, "repeat: finished");
	is_int(r.calls, 4, "repeat: called 4 times, then stopped by returning 0");
	ok(r.last - r.first >= 15000, "repeat: intervals honoured (%llu us for 3)",
	   (unsigned long long)(r.last - r.first));
	loop_free(l);
}

#define SUBMS_N 20
struct subms {
	int n;
	uint64_t start, at[SUBMS_N];
};

static uint64_t
subms_cb(struct loop *l, void *arg)
{
	struct subms *s = arg;

	s->at[s->n++] = clock_now_us();
	if (s->n == SUBMS_N) {
		loop_break(l);
		return 0;
	}
	return 200;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
test_timer_subms(void)
{
	struct loop *l = loop_new();
	struct subms s = { 0 };
	uint64_t d[SUBMS_N];
	int i;

	s.start = clock_now_us();
	loop_add_timer(l, 200, subms_cb, &s);
	ok(run_bounded(l, 5000) == 0, "sub-ms: finished");
	d[0] = s.at[0] - s.start;
	for (i = 1; i < SUBMS_N; i++)
		d[i] = s.at[i] - s.at[i - 1];
	ok(s.at[SUBMS_N - 1] - s.start >= SUBMS_N * 200, "sub-ms: never early (%llu us)",
	   (unsigned long long)(s.at[SUBMS_N - 1] - s.start));
	qsort(d, SUBMS_N, sizeof(d[0]), cmp_u64);
	/* Rounded up to milliseconds, every interval would be >= 1000 us. */
	ok(d[SUBMS_N / 2] < 900, "sub-ms: 200 us timer honoured (median interval %llu us)",
	   (unsigned long long)d[SUBMS_N / 2]);
	loop_free(l);
}

struct fdtest {
	int p[2], q[2];
	int readd;   /* put an empty pipe on the removed number and register it again */
	int fresh_w; /* its write end, kept open */
	int a_calls, b_calls, c_calls;
	unsigned events;
	char got[16];
};

static void
read_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	struct fdtest *t = arg;
	ssize_t n;

	t->events = events;
	n = read(fd, t->got, sizeof(t->got) - 1);
	t->got[n > 0 ? n : 0] = '\0';
	loop_break(l);
}

static void
test_fd(void)
{
	struct loop *l = loop_new();
	struct fdtest t = { 0 };

	ok(pipe2(t.p, O_NONBLOCK | O_CLOEXEC) == 0, "fd: pipe");
	ok(loop_add_fd(l, t.p[0], LOOP_IN, read_cb, &t) == 0, "fd: add");
	errno = 0;
	ok(loop_add_fd(l, t.p[0], LOOP_IN, read_cb, &t) < 0 && errno == EEXIST, "fd: add twice");
	ok(write(t.p[1], "ping", 4) == 4, "fd: write");
	ok(run_bounded(l, 2000) == 0, "fd: callback broke the loop");
	is_str(t.got, "ping", "fd: callback read the data");
	is_int(t.events, LOOP_IN, "fd: LOOP_IN reported");

	/* Hang-up: writer closed, reader registered for LOOP_IN gets LOOP_ERR. */
	close(t.p[1]);
	t.events = 0;
	ok(run_bounded(l, 2000) == 0, "hup: callback ran");
	ok(t.events & LOOP_ERR, "hup: LOOP_ERR reported (events %#x)", t.events);
	loop_del_fd(l, t.p[0]);
	close(t.p[0]);
	errno = 0;
	ok(loop_mod_fd(l, t.p[0], LOOP_IN) < 0 && errno == ENOENT, "fd: mod after del");
	loop_free(l);
}

static struct fdtest *cur;

static void
c_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	cur->c_calls++;
}

/* Whichever of A/B runs first removes the other, puts an empty pipe on its number, re-adds it. */
static void
ab_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	struct fdtest *t = cur;
	int other = fd == t->p[0] ? t->q[0] : t->p[0];
	int fresh[2];
	char buf[8];

	if (read(fd, buf, sizeof(buf)) < 0)
		return;
	if (fd == t->p[0])
		t->a_calls++;
	else
		t->b_calls++;
	loop_del_fd(l, other);
	if (t->readd && pipe2(fresh, O_NONBLOCK | O_CLOEXEC) == 0) {
		dup3(fresh[0], other, O_CLOEXEC);
		close(fresh[0]);
		t->fresh_w = fresh[1];
		loop_add_fd(l, other, LOOP_IN, c_cb, NULL);
	}
	loop_add_timer(l, 50000, break_timer_cb, NULL);
	mark('x');
}

static void
defer_cb(struct loop *l, void *arg)
{
	mark('D');
}

static void
defer_fd_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	char buf[8];

	if (read(fd, buf, sizeof(buf)) < 0)
		return;
	if (norder == 0)
		loop_defer(l, defer_cb, NULL);
	mark('f');
	loop_del_fd(l, fd);
}

static void
test_del_pending(void)
{
	struct loop *l = loop_new();
	struct fdtest t = { 0 };
	int readd;

	cur = &t;
	for (readd = 0; readd < 2; readd++) {
		memset(&t, 0, sizeof(t));
		t.readd = readd;
		t.fresh_w = -1;
		ok(pipe2(t.p, O_NONBLOCK | O_CLOEXEC) == 0 &&
		   pipe2(t.q, O_NONBLOCK | O_CLOEXEC) == 0, "del: pipes");
		loop_add_fd(l, t.p[0], LOOP_IN, ab_cb, NULL);
		loop_add_fd(l, t.q[0], LOOP_IN, ab_cb, NULL);
		ok(write(t.p[1], "a", 1) == 1 && write(t.q[1], "b", 1) == 1, "del: both readable");
		ok(run_bounded(l, 2000) == 0, "del: finished");
		is_int(t.a_calls + t.b_calls, 1, "del%s: removed fd's pending event dropped",
		       readd ? " and re-add" : "");
		if (readd)
			is_int(t.c_calls, 0, "del: a new registration on the same number got no "
			       "stale event");
		loop_del_fd(l, t.p[0]);
		loop_del_fd(l, t.q[0]);
		if (t.fresh_w >= 0)
			close(t.fresh_w);
		close(t.p[0]);
		close(t.p[1]);
		close(t.q[0]);
		close(t.q[1]);
	}

	/* Deferred calls run after the whole batch. */
	reset();
	ok(pipe2(t.p, O_NONBLOCK | O_CLOEXEC) == 0 && pipe2(t.q, O_NONBLOCK | O_CLOEXEC) == 0,
	   "defer: pipes");
	ok(write(t.p[1], "a", 1) == 1 && write(t.q[1], "b", 1) == 1, "defer: both readable");
	loop_add_fd(l, t.p[0], LOOP_IN, defer_fd_cb, NULL);
	loop_add_fd(l, t.q[0], LOOP_IN, defer_fd_cb, NULL);
	loop_add_timer(l, 50000, break_timer_cb, NULL);
	ok(run_bounded(l, 2000) == 0, "defer: finished");
	is_str(order, "ffD", "defer: ran once, after both descriptor callbacks");
	close(t.p[0]);
	close(t.p[1]);
	close(t.q[0]);
	close(t.q[1]);
	loop_free(l);
}

static int sig_got;

static void
sig_cb(struct loop *l, int signo, void *arg)
{
	sig_got = signo;
	loop_break(l);
}

static void
test_signal(void)
{
	struct loop *l = loop_new();
	sigset_t cur_mask;
	int status;
	pid_t pid;

	ok(loop_add_signal(l, SIGUSR1, sig_cb, NULL) == 0, "signal: add");
	sigprocmask(SIG_BLOCK, NULL, &cur_mask);
	ok(sigismember(&cur_mask, SIGUSR1), "signal: blocked");
	pid = fork();
	if (pid == 0) {
		loop_sigmask_restore(l);
		sigprocmask(SIG_BLOCK, NULL, &cur_mask);
		_exit(sigismember(&cur_mask, SIGUSR1) ? 1 : 0);
	}
	ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	   WEXITSTATUS(status) == 0, "signal: loop_sigmask_restore unblocks in a child");
	raise(SIGUSR1);
	ok(run_bounded(l, 2000) == 0, "signal: delivered");
	is_int(sig_got, SIGUSR1, "signal: callback got SIGUSR1");
	loop_free(l);
	sigprocmask(SIG_BLOCK, NULL, &cur_mask);
	ok(!sigismember(&cur_mask, SIGUSR1), "signal: mask restored by loop_free");
}

static int fills, polls;

static void
fill_cb(struct loop *l, int *timeout_ms, void *arg)
{
	fills++;
	if (*timeout_ms < 0 || *timeout_ms > 5)
		*timeout_ms = 5;
}

static void
poll_cb(struct loop *l, void *arg)
{
	if (++polls == 3)
		loop_break(l);
}

static void
test_poller(void)
{
	struct loop *l = loop_new();
	uint64_t t0 = clock_now_us();

	loop_add_poller(l, fill_cb, poll_cb, NULL);
	ok(run_bounded(l, 2000) == 0, "poller: the lowered timeout woke the loop");
	ok(fills == 3 && polls == 3, "poller: fill and poll around each wait (%d, %d)", fills,
	   polls);
	ok(clock_now_us() - t0 >= 10000, "poller: waited the timeout");
	loop_free(l);
}

struct tdel {
	struct loop_timer *victim;
	int self_calls;
};

static uint64_t
killer_cb(struct loop *l, void *arg)
{
	struct tdel *d = arg;

	mark('k');
	loop_del_timer(l, d->victim);
	return 0;
}

static uint64_t
self_del_cb(struct loop *l, void *arg)
{
	struct tdel *d = arg;

	d->self_calls++;
	loop_del_timer(l, d->victim);
	return 1000; /* ignored: the timer deleted itself */
}

static void
test_timer_del(void)
{
	struct loop *l = loop_new();
	struct tdel d = { 0 }, s = { 0 };

	reset();
	loop_add_timer(l, 5000, killer_cb, &d);
	d.victim = loop_add_timer(l, 5000, mark_timer_cb, "v");
	s.victim = loop_add_timer(l, 1000, self_del_cb, &s);
	loop_add_timer(l, 30000, break_timer_cb, NULL);
	ok(run_bounded(l, 2000) == 0, "timer del: finished");
	is_str(order, "k", "timer del: a due timer deleted by another never ran");
	is_int(s.self_calls, 1, "timer del: a timer deleting itself is not repeated");
	loop_free(l);
}

static void
file_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	char *buf = arg;
	size_t len = strlen(buf);
	ssize_t n;

	n = read(fd, buf + len, 4);
	if (n > 0) {
		buf[len + (size_t)n] = '\0';
		return;
	}
	loop_del_fd(l, fd);
	loop_break(l);
}

static void
test_regular_file(void)
{
	struct loop *l = loop_new();
	char buf[64] = "";
	FILE *f = tmpfile();
	int fd;

	fputs("regular file content", f);
	fflush(f);
	fd = fileno(f);
	lseek(fd, 0, SEEK_SET);
	ok(loop_add_fd(l, fd, LOOP_IN, file_cb, buf) == 0, "file: added although epoll refuses it");
	ok(run_bounded(l, 2000) == 0, "file: read to EOF");
	is_str(buf, "regular file content", "file: all content read");
	fclose(f);
	loop_free(l);
}

static int iterations;

static void
count_poll_cb(struct loop *l, void *arg)
{
	iterations++;
}

static void
test_paused_file(void)
{
	struct loop *l = loop_new();
	char buf[64] = "";
	FILE *f = tmpfile();

	fputs("x", f);
	fflush(f);
	loop_add_poller(l, NULL, count_poll_cb, NULL);
	ok(loop_add_fd(l, fileno(f), LOOP_IN, file_cb, buf) == 0 &&
	   loop_mod_fd(l, fileno(f), 0) == 0, "paused file: added and paused");
	loop_add_timer(l, 20000, break_timer_cb, NULL);
	ok(run_bounded(l, 2000) == 0, "paused file: finished");
	ok(iterations < 10, "paused file: no busy loop (%d iterations)", iterations);
	is_str(buf, "", "paused file: callback not called");
	loop_del_fd(l, fileno(f));
	fclose(f);
	loop_free(l);
}

static uint64_t cached[2];

static uint64_t
now_cb(struct loop *l, void *arg)
{
	cached[0] = loop_now_us(l);
	usleep(3000);
	cached[1] = loop_now_us(l);
	loop_break(l);
	return 0;
}

static void
test_now(void)
{
	struct loop *l = loop_new();

	loop_add_timer(l, 1000, now_cb, NULL);
	ok(run_bounded(l, 2000) == 0, "now: finished");
	ok(cached[0] == cached[1] && cached[0] != 0, "now: cached within an iteration");
	ok(loop_now_ms(l) == loop_now_us(l) / 1000, "now: ms consistent with us");
	ok(clock_now_us() >= cached[0] + 3000, "now: clock_now_us is live");
	loop_free(l);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_timer_order();
	test_timer_repeat();
	test_timer_subms();
	test_fd();
	test_del_pending();
	test_signal();
	test_poller();
	test_timer_del();
	test_regular_file();
	test_paused_file();
	test_now();
	return done_testing();
}
