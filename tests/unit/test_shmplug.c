/*
 * The shared-memory data path end to end, without sockets to a switch: the library's client
 * (libvdeplug/shmplug.c) and the switch's endpoint (tools/vde_switch/shmep.c) on one offer, in
 * two threads, frames both ways at once. The client reads as vde_plug does (poll the data
 * descriptor, then one vde_recv; or receive until EAGAIN), the switch as its loop does (clear
 * the doorbell, drain a few batches, ask for another round). Every frame must arrive, in
 * order and intact, and no side may wait on a descriptor that never wakes up: a lost wake-up
 * shows as a stall (no frame for STALL_MS while frames are missing). The races such a stall
 * needs are narrow, so the interleavings that once lost one are also replayed step by step:
 * recv() is wrapped (-Wl,--wrap=recv), and a frame can be made to arrive at the very moment
 * the client clears its doorbell.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "shmep.h"
#include "shmplug.h"
#include "tap.h"
#include "vdeplug.h"

#define NFRAMES  100000u
#define STALL_MS 3000
#define MAXLEN   1600u

long
vdeplug_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static uint32_t
rng(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* The step-by-step replays: when ARMED_FD is read, HOOK runs first (once). */
static int armed_fd = -1;
static void (*hook)(void);

ssize_t __real_recv(int fd, void *buf, size_t len, int flags);
ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags);

ssize_t
__wrap_recv(int fd, void *buf, size_t len, int flags)
{
	if (fd == armed_fd && hook != NULL) {
		void (*h)(void) = hook;

		hook = NULL;
		h();
	}
	return __real_recv(fd, buf, len, flags);
}

/* Frame SEQ: its length and bytes follow from SEQ. */
static size_t
frame_make(uint32_t seq, uint8_t *buf)
{
	uint32_t s = seq * 2654435761u + 1;
	size_t len = 14 + rng(&s) % (MAXLEN - 14);

	memcpy(buf, &seq, 4);
	for (size_t i = 4; i < len; i++)
		buf[i] = (uint8_t)(seq + i);
	return len;
}

/* 1 if BUF (LEN bytes) is frame SEQ. */
static int
frame_check(uint32_t seq, const uint8_t *buf, size_t len)
{
	uint8_t want[MAXLEN];

	return len == frame_make(seq, want) && memcmp(buf, want, len) == 0;
}

/* Now and then a side pauses, so the other finds its ring empty, full, or half read. */
static void
jitter(uint32_t *s)
{
	uint32_t r = rng(s) % 64;

	if (r == 0)
		usleep(rng(s) % 200);
	else if (r < 8)
		sched_yield();
}

struct side {
	uint32_t sent, got, bad;
	int stalled, error;
	int once; /* client: one receive per wake-up, like vde_plug */
};

static struct vdeplug_shm *cli;
static struct shmep *sw;
static struct side sw_side, cli_side;
static int sw_bell = -1; /* a copy of the switch's end of the client's data doorbell */

static void *
switch_thread(void *arg)
{
	uint8_t buf[SHMRING_MAXFRAME];
	uint32_t seed = 12345;
	int waiting = 0;
	long last = vdeplug_now_ms();

	(void)arg;
	while (sw_side.got < NFRAMES || sw_side.sent < NFRAMES) {
		struct pollfd p[3] = {
			{ .fd = shmep_datafd(sw), .events = POLLIN },
			{ .fd = shmep_selffd(sw), .events = POLLIN },
			{ .fd = waiting ? shmep_spacefd(sw) : -1, .events = POLLIN },
		};
		int busy = !waiting && sw_side.sent < NFRAMES, r;

		/* a burst toward the client, as forward_send_shm does */
		for (uint32_t n = rng(&seed) % 48 + 1; busy && n > 0 && sw_side.sent < NFRAMES; n--) {
			size_t len = frame_make(sw_side.sent, buf);

			r = shmep_push(sw, buf, len);
			if (r == SHMRING_OK) {
				sw_side.sent++;
			} else if (r == SHMRING_FULL && shmep_want_space(sw)) {
				continue;
			} else if (r == SHMRING_FULL) {
				waiting = 1;
				break;
			} else {
				sw_side.error = 1;
				return NULL;
			}
		}
		shmep_tx_done(sw);
		jitter(&seed);
		p[2].fd = waiting ? shmep_spacefd(sw) : -1;
		r = poll(p, 3, (!waiting && sw_side.sent < NFRAMES) ? 0 : 100);
		if (r < 0 && errno != EINTR) {
			sw_side.error = 1;
			return NULL;
		}
		if (p[2].revents & POLLIN) {
			shmep_space_clear(sw);
			waiting = 0;
		}
		if ((p[0].revents | p[1].revents) & POLLIN) {
			int more = 1;

			if (shmep_rx_clear(sw) < 0) {
				sw_side.error = 1;
				return NULL;
			}
			for (int i = 0; i < 4 * 64 && more; i++) {
				size_t len;

				r = shmep_pop(sw, buf, sizeof(buf), &len);
				if (r == SHMRING_EMPTY) {
					more = 0;
				} else if (r == SHMRING_OK) {
					sw_side.bad += !frame_check(sw_side.got, buf, len);
					sw_side.got++;
					last = vdeplug_now_ms();
				} else {
					sw_side.error = 1;
					return NULL;
				}
			}
			if (more && shmep_rx_more(sw))
				shmep_rx_again(sw);
		}
		if (sw_side.got < NFRAMES && vdeplug_now_ms() - last > STALL_MS &&
		    cli_side.sent == NFRAMES) {
			sw_side.stalled = 1;
			return NULL;
		}
		if (cli_side.stalled || cli_side.error)
			return NULL;
	}
	return NULL;
}

static void
client_run(void)
{
	uint8_t buf[SHMRING_MAXFRAME];
	uint32_t seed = 777;
	long last = vdeplug_now_ms();
	int datafd = vdeplug_shm_datafd(cli);

	while (cli_side.got < NFRAMES || cli_side.sent < NFRAMES) {
		struct pollfd p = { .fd = datafd, .events = POLLIN };
		int r;

		for (uint32_t n = rng(&seed) % 48 + 1; n > 0 && cli_side.sent < NFRAMES; n--) {
			size_t len = frame_make(cli_side.sent, buf);

			if (vdeplug_shm_send(cli, -1, buf, len, 0) == (ssize_t)len) {
				cli_side.sent++;
			} else if (errno != EAGAIN) {
				cli_side.error = 1;
				return;
			} else {
				break;
			}
		}
		jitter(&seed);
		r = poll(&p, 1, cli_side.sent < NFRAMES ? 0 : 100);
		if (r < 0 && errno != EINTR) {
			cli_side.error = 1;
			return;
		}
		while (p.revents & POLLIN) {
			ssize_t n = vdeplug_shm_recv(cli, -1, buf, sizeof(buf),
						     cli_side.once ? 0 : MSG_DONTWAIT);

			if (n < 0 && errno == EAGAIN)
				break;
			if (n < 0) {
				cli_side.error = 1;
				return;
			}
			cli_side.bad += !frame_check(cli_side.got, buf, (size_t)n);
			cli_side.got++;
			last = vdeplug_now_ms();
			if (cli_side.once)
				break;
		}
		if (cli_side.got < NFRAMES && sw_side.sent == NFRAMES &&
		    vdeplug_now_ms() - last > STALL_MS) {
			cli_side.stalled = 1;
			return;
		}
		if (sw_side.stalled || sw_side.error)
			return;
	}
}

/* A fresh offer taken by a fresh endpoint, with nothing in flight (sw_bell: a copy of the
 * switch's end of the client's data doorbell). */
static int
pair(void)
{
	int fds[VDEPLUG_SHM_NFDS], dups[VDEPLUG_SHM_NFDS], n;
	const char *why = NULL;

	sw = NULL;
	if ((cli = vdeplug_shm_new()) == NULL)
		return -1;
	n = vdeplug_shm_fds(cli, fds);
	for (int i = 0; i < n; i++)
		dups[i] = dup(fds[i]);
	sw_bell = dup(fds[1 + SHM_EFD_S2C_DATA]);
	if ((sw = shmep_new(dups, n, &why)) == NULL)
		return -1;
	vdeplug_shm_offered(cli);
	return 0;
}

/* One run: a fresh offer taken by a fresh endpoint, NFRAMES each way. */
static void
run(int once)
{
	pthread_t t;
	int n;

	memset(&sw_side, 0, sizeof(sw_side));
	memset(&cli_side, 0, sizeof(cli_side));
	cli_side.once = once;
	n = pair();
	ok(cli != NULL, "an offer");
	ok(n == 0, "the switch takes it");
	if (n < 0)
		return;
	pthread_create(&t, NULL, switch_thread, NULL);
	client_run();
	pthread_join(t, NULL);
	printf("# %s: client got %u sent %u, switch got %u sent %u\n",
	       once ? "one receive per wake-up" : "receive until EAGAIN", cli_side.got,
	       cli_side.sent, sw_side.got, sw_side.sent);
	ok(!cli_side.error && !sw_side.error, "no errors");
	ok(!cli_side.stalled, "the client never waits for a frame that is already there");
	ok(!sw_side.stalled, "the switch never waits for a frame that is already there");
	is_int(cli_side.got, NFRAMES, "every frame reaches the client");
	is_int(sw_side.got, NFRAMES, "every frame reaches the switch");
	is_int(cli_side.bad + sw_side.bad, 0, "in order and intact");
	close(sw_bell);
	shmep_free(sw);
	vdeplug_shm_free(cli);
}

static int
readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static uint32_t next_seq;

/* The switch sends frame next_seq (and wakes the client if the ring was empty). */
static void
switch_sends(void)
{
	uint8_t buf[MAXLEN];
	size_t len = frame_make(next_seq++, buf);

	shmep_push(sw, buf, len);
	shmep_tx_done(sw);
}

static void
switch_sends_two(void)
{
	switch_sends();
	switch_sends();
}

/*
 * A stale wake-up (the data descriptor readable, the ring empty: the doorbell of a frame the
 * client took already), and two frames landing while the client clears it: the client gets
 * the first, and its data descriptor must stay readable for the second (no further wake-up
 * will come: the ring is not empty, so the switch does not ring).
 */
static void
replay_stale_then_two(void)
{
	uint8_t buf[SHMRING_MAXFRAME];
	ssize_t n;
	int datafd;

	ok(pair() == 0, "replay: an offer taken");
	datafd = vdeplug_shm_datafd(cli);
	next_seq = 0;
	/* frame 0 is pushed, the client reads it, the doorbell of frame 0 rings late: stale */
	switch_sends();
	n = vdeplug_shm_recv(cli, -1, buf, sizeof(buf), MSG_DONTWAIT);
	ok(n > 0 && frame_check(0, buf, (size_t)n), "replay: frame 0");
	ok(!readable(datafd), "replay: nothing more: the data descriptor is quiet");
	ok(send(sw_bell, "", 1, MSG_DONTWAIT) == 1, "replay: the late doorbell of frame 0");
	ok(readable(datafd), "replay: a stale wake-up");
	armed_fd = datafd;
	hook = switch_sends_two;
	n = vdeplug_shm_recv(cli, -1, buf, sizeof(buf), MSG_DONTWAIT);
	armed_fd = -1;
	ok(n > 0 && frame_check(1, buf, (size_t)n), "replay: frame 1, which came during the clear");
	ok(readable(datafd), "replay: frame 2 waits: the data descriptor says so");
	n = vdeplug_shm_recv(cli, -1, buf, sizeof(buf), MSG_DONTWAIT);
	ok(n > 0 && frame_check(2, buf, (size_t)n), "replay: frame 2");
	ok(!readable(datafd), "replay: all read: quiet again");
	close(sw_bell);
	shmep_free(sw);
	vdeplug_shm_free(cli);
}

int
main(void)
{
	unsetenv("VDEPLUG_SHM");
	replay_stale_then_two();
	run(1);
	run(0);
	done_testing();
}
