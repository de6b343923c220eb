/*
 * One event loop for every tool: epoll for descriptors, timers on the monotonic clock,
 * signals delivered as ordinary callbacks (signalfd), deferred callbacks run at the end of
 * each iteration. Removing a descriptor or timer from inside any callback is safe: its pending
 * events in the current batch are not dispatched.
 */
#ifndef VDE_LOOP_H
#define VDE_LOOP_H

#include <stdint.h>

#define LOOP_IN  0x1u /* readable */
#define LOOP_OUT 0x2u /* writable */
#define LOOP_ERR 0x4u /* error or hang-up: reported even when not asked for */

struct loop;
struct loop_timer;

typedef void loop_fd_cb(struct loop *l, int fd, unsigned events, void *arg);
/* Returns the next interval in microseconds, or 0 to stop (the timer is then freed). */
typedef uint64_t loop_timer_cb(struct loop *l, void *arg);
typedef void loop_sig_cb(struct loop *l, int signo, void *arg);
typedef void loop_defer_cb(struct loop *l, void *arg);
/* Poller hook (libslirp's fill/poll model): fill adds descriptors and may lower *timeout_ms. */
typedef void loop_fill_cb(struct loop *l, int *timeout_ms, void *arg);
typedef void loop_poll_cb(struct loop *l, void *arg);

struct loop *loop_new(void);
void loop_free(struct loop *l);
/* Runs until loop_break(); returns 0, or -1 with errno on a fatal epoll error. */
int loop_run(struct loop *l);
void loop_break(struct loop *l);

/* events is LOOP_IN | LOOP_OUT (0 pauses). Call loop_del_fd before closing fd. A descriptor
 * epoll cannot watch (a regular file) is accepted and reported ready on every iteration, as
 * poll() does. */
int loop_add_fd(struct loop *l, int fd, unsigned events, loop_fd_cb *cb, void *arg);
int loop_mod_fd(struct loop *l, int fd, unsigned events);
void loop_del_fd(struct loop *l, int fd);

/* First expiry after usec microseconds; then every interval the callback returns, counted from
 * loop_now_us() as the callback saw it. */
struct loop_timer *loop_add_timer(struct loop *l, uint64_t usec, loop_timer_cb *cb, void *arg);
void loop_del_timer(struct loop *l, struct loop_timer *t);

/* Blocks signo and delivers it through cb; SIGPIPE should simply be ignored by the caller. */
int loop_add_signal(struct loop *l, int signo, loop_sig_cb *cb, void *arg);
/* In a forked child, before exec: restores the signal mask from before loop_add_signal (the
 * blocked mask is inherited across exec otherwise). loop_free restores it too. */
void loop_sigmask_restore(const struct loop *l);
/* Call in the child after fork() (e.g. after daemonize()) so that signals keep arriving. */
int loop_after_fork(struct loop *l);

/* Runs cb once, after the current batch of events (deferred free, reaping). */
int loop_defer(struct loop *l, loop_defer_cb *cb, void *arg);

int loop_add_poller(struct loop *l, loop_fill_cb *fill, loop_poll_cb *poll, void *arg);

/* Monotonic time, cached at the start of each iteration. */
uint64_t loop_now_us(const struct loop *l);
uint64_t loop_now_ms(const struct loop *l);
/* Uncached monotonic time in microseconds (for code outside a loop). */
uint64_t clock_now_us(void);

#endif
