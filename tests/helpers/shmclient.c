/*
 * Test client for the switch's shared-memory offers (tools/vde_switch/shmep.c): sends a v3
 * request with a good or a deliberately bad offer and says what the switch made of it.
 *   shmclient DIR good|unsealed|pipe|eventfd|fewfds|badmagic|hugering
 *                           prints "shm" or "dgram"
 *   shmclient DIR corrupt   takes the rings, then breaks them; prints "closed" when the
 *                           switch ends the endpoint (exit 1 if it does not within 5 s)
 *   shmclient DIR bellclose takes the rings, then closes its end of the data doorbell: the
 *                           same
 *   shmclient DIR sendleave takes the rings, puts 300 broadcast frames of 1000 bytes in its
 *                           ring without ringing, and exits at once: the switch must still
 *                           forward them; prints "sent 300"
 * Independent of libvdeplug (only its ring layout, shmring.h), so it can lie to the switch.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "shmbell.h"
#include "shmring.h"

struct req {
	uint32_t magic, version;
	int32_t type;
	struct sockaddr_un sock;
	char descr[32];
} __attribute__((packed));

static void
die(const char *what)
{
	perror(what);
	exit(2);
}

/* Our ends of the doorbells. */
static int mine[SHM_NEFD];

/* The offer's descriptors for MODE: how many, in fds[]. */
static int
make_offer(const char *mode, int *fds, void **map)
{
	size_t len = shmring_mapsize(SHMRING_SIZE);
	int n = 1 + SHM_NEFD;

	fds[0] = memfd_create("shmclient", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fds[0] < 0 || ftruncate(fds[0], (off_t)len) < 0)
		die("memfd");
	*map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], 0);
	if (*map == MAP_FAILED)
		die("mmap");
	shmring_format(*map, SHMRING_SIZE);
	if (strcmp(mode, "badmagic") == 0)
		((struct shmring_hdr *)*map)->magic = 0x12345678;
	if (strcmp(mode, "hugering") == 0)
		((struct shmring_hdr *)*map)->ringsize = SHMRING_MAXSIZE; /* beyond the memfd */
	if (strcmp(mode, "unsealed") != 0 &&
	    fcntl(fds[0], F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		die("seal");
	for (int i = 0; i < SHM_NEFD; i++) {
		int sv[2];

		if (strcmp(mode, "pipe") == 0 && i == SHM_EFD_C2S_DATA) {
			if (pipe(sv) < 0)
				die("pipe");
			fds[1 + i] = sv[0]; /* a read end that never gets data: would block a reader */
			mine[i] = sv[1];
			continue;
		}
		if (strcmp(mode, "eventfd") == 0 && i == SHM_EFD_S2C_DATA) {
			/* its flags are shared: we could make the switch's writes block */
			if ((fds[1 + i] = mine[i] = eventfd(0, EFD_CLOEXEC)) < 0)
				die("eventfd");
			continue;
		}
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
			die("socketpair");
		mine[i] = sv[0];
		fds[1 + i] = sv[1];
	}
	if (strcmp(mode, "fewfds") == 0)
		n = 3;
	return n;
}

int
main(int argc, char **argv)
{
	union shmbell_cbuf cbuf;
	struct sockaddr_un ctl_sun = { .sun_family = AF_UNIX }, reply;
	struct req rq = { .magic = 0xfeedface, .version = 3, .type = 0 };
	struct iovec iov = { &rq, sizeof(rq) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[8], nfds, ctl, data, got_fd = 0;
	size_t have = 0;
	void *map;

	if (argc != 3) {
		fprintf(stderr, "usage: shmclient DIR MODE\n");
		return 2;
	}
	nfds = make_offer(argv[2], fds, &map);
	/* our datagram socket, as any client has (the switch checks it exists and is ours) */
	if ((data = socket(AF_UNIX, SOCK_DGRAM, 0)) < 0)
		die("socket");
	rq.sock.sun_family = AF_UNIX;
	snprintf(rq.sock.sun_path, sizeof(rq.sock.sun_path), "%s/.shmclient-%d", argv[1],
		 (int)getpid());
	unlink(rq.sock.sun_path);
	if (bind(data, (struct sockaddr *)&rq.sock, sizeof(rq.sock)) < 0)
		die("bind");
	snprintf(rq.descr, sizeof(rq.descr), "shmclient %s", argv[2]);
	snprintf(ctl_sun.sun_path, sizeof(ctl_sun.sun_path), "%s/ctl", argv[1]);
	if ((ctl = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    connect(ctl, (struct sockaddr *)&ctl_sun, sizeof(ctl_sun)) < 0)
		die("connect");
	shmbell_fds_attach(&mh, &cbuf, fds, nfds);
	if (sendmsg(ctl, &mh, 0) != (ssize_t)sizeof(rq))
		die("sendmsg");
	while (have < sizeof(reply)) {
		struct iovec riov = { (char *)&reply + have, sizeof(reply) - have };
		struct msghdr rmh = { .msg_iov = &riov, .msg_iovlen = 1, .msg_control = cbuf.buf,
				      .msg_controllen = sizeof(cbuf.buf) };
		struct pollfd p = { .fd = ctl, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 5000) <= 0) {
			fprintf(stderr, "no reply\n");
			return 1;
		}
		if ((r = recvmsg(ctl, &rmh, 0)) <= 0) {
			fprintf(stderr, "refused\n");
			return 1;
		}
		if (CMSG_FIRSTHDR(&rmh) != NULL)
			got_fd = 1;
		have += (size_t)r;
	}
	unlink(rq.sock.sun_path);
	printf("%s\n", got_fd ? "shm" : "dgram");
	if (strcmp(argv[2], "corrupt") == 0 || strcmp(argv[2], "bellclose") == 0) {
		struct shmring_hdr *h = map;
		struct pollfd p = { .fd = ctl, .events = POLLIN };
		char c = 1;

		if (!got_fd)
			return 1;
		if (strcmp(argv[2], "corrupt") == 0) {
			h->c2s.head = 0x12345; /* far beyond the ring, not aligned */
			if (send(mine[SHM_EFD_C2S_DATA], &c, 1, 0) < 0)
				die("kick");
		} else {
			close(mine[SHM_EFD_C2S_DATA]);
		}
		if (poll(&p, 1, 5000) <= 0 || recv(ctl, &c, 1, 0) > 0) {
			fprintf(stderr, "the switch kept the endpoint\n");
			return 1;
		}
		printf("closed\n");
	}
	if (strcmp(argv[2], "sendleave") == 0) {
		struct shmring c2s, s2c;
		unsigned char f[1000];
		int n = 0, kick;

		if (!got_fd || shmring_attach(map, shmring_mapsize(SHMRING_SIZE), &c2s, &s2c) < 0)
			return 1;
		/* plugtest's frames (plugtest -r checks them): numbered, an IPv4 ethertype */
		for (n = 0; n < 300; n++) {
			memset(f, 0xff, 6);
			memcpy(f + 6, "\x02\x00\x00\x00\x5e\x01", 6);
			for (size_t i = 12; i < sizeof(f); i++)
				f[i] = (unsigned char)(n + i);
			f[12] = 0x08;
			f[13] = 0x00;
			f[14] = 0x45;
			f[15] = 0;
			f[16] = (sizeof(f) - 14) >> 8;
			f[17] = (unsigned char)(sizeof(f) - 14);
			f[18] = f[19] = 0;
			f[20] = (unsigned char)(n >> 8);
			f[21] = (unsigned char)n;
			if (shmring_push(&c2s, f, sizeof(f), &kick) != SHMRING_OK)
				break;
		}
		printf("sent %d\n", n);
	}
	fflush(stdout);
	return 0;
}
