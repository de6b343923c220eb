/*
 * rawclient: a minimal VDE client for the switch tests. It performs the v3 handshake on
 * DIR/ctl (optionally asking for a port), then runs commands read from stdin, one per line:
 *   send DST SRC LEN [COUNT]   frames of LEN bytes, payload byte i = i & 0xff
 *   raw LEN                    one datagram of LEN bytes (runts, oversize, 0 = goodbye)
 *   expect N TIMEOUT_MS        print "recv LEN DST SRC OK|BAD" for up to N frames
 *   quiet TIMEOUT_MS           print "none" if nothing arrives, else the frame
 *   count N TIMEOUT_MS         receive up to N frames silently, print "count X"
 *   sleep MS
 * and prints "connected PATH" after the handshake; it exits 2 if the switch refuses.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hsclient.h"

#define MAXF 70000

static int dfd;
static uint8_t buf[MAXF];

static void
do_send(const char *dst, const char *src, size_t len, unsigned count)
{
	if (len > sizeof(buf))
		len = sizeof(buf);
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)i;
	if (len >= 14 && (hs_mac_parse(dst, buf) < 0 || hs_mac_parse(src, buf + 6) < 0)) {
		fprintf(stderr, "bad MAC\n");
		exit(1);
	}
	if (len >= 14) {
		buf[12] = 0x08;
		buf[13] = 0x00;
	}
	for (unsigned c = 0; c < count; c++)
		hs_send(dfd, buf, len);
}

/* Waits up to ms for one frame and prints it; returns 0 on timeout. */
static int
do_recv(int ms)
{
	struct pollfd p = { .fd = dfd, .events = POLLIN };
	ssize_t n;
	int good = 1;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	if ((n = recv(dfd, buf, sizeof(buf), MSG_TRUNC)) < 0)
		return 0;
	if (n > (ssize_t)sizeof(buf)) {
		printf("recv %zd truncated\n", n);
		return 1;
	}
	for (ssize_t i = 14; i < n; i++)
		if (buf[i] != (uint8_t)i)
			good = 0;
	if (n < 14) {
		printf("recv %zd short\n", n);
		return 1;
	}
	printf("recv %zd %02x:%02x:%02x:%02x:%02x:%02x %02x:%02x:%02x:%02x:%02x:%02x %s\n", n,
	       buf[0], buf[1], buf[2], buf[3], buf[4], buf[5], buf[6], buf[7], buf[8], buf[9],
	       buf[10], buf[11], good ? "OK" : "BAD");
	return 1;
}

/* Receives up to n frames (batches of 64) until a gap of ms; returns how many. */
static unsigned long
do_count(unsigned long n, int ms)
{
	static uint8_t bufs[64][2048];
	struct mmsghdr msg[64];
	struct iovec iov[64];
	unsigned long got = 0;

	memset(msg, 0, sizeof(msg));
	for (int i = 0; i < 64; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	while (got < n) {
		struct pollfd p = { .fd = dfd, .events = POLLIN };
		int r;

		if (poll(&p, 1, ms) <= 0)
			break;
		if ((r = recvmmsg(dfd, msg, 64, MSG_DONTWAIT, NULL)) > 0)
			got += (unsigned long)r;
	}
	return got;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un reply;
	uint32_t type = 0;
	const char *descr = "rawclient";
	char line[256];
	int cfd, opt;

	while ((opt = getopt(argc, argv, "p:d:0")) != -1) {
		switch (opt) {
		case 'p':
			type = (uint32_t)atoi(optarg) << 8;
			break;
		case 'd':
			descr = optarg;
			break;
		case '0':
			type = HS_REQ_PORT0;
			break;
		default:
			fprintf(stderr, "usage: rawclient [-p PORT] [-d DESCR] [-0] DIR\n");
			return 1;
		}
	}
	if (optind >= argc)
		return 1;
	if ((dfd = hs_connect(argv[optind], "raw", type, descr, &cfd, &reply)) == -2) {
		printf("refused\n");
		fflush(stdout);
		return 2;
	}
	if (dfd < 0)
		return 1;
	printf("connected %s\n", reply.sun_path);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		char a[32], b[32];
		unsigned long x, y;

		if (sscanf(line, "send %31s %31s %lu %lu", a, b, &x, &y) == 4)
			do_send(a, b, x, (unsigned)y);
		else if (sscanf(line, "send %31s %31s %lu", a, b, &x) == 3)
			do_send(a, b, x, 1);
		else if (sscanf(line, "raw %lu", &x) == 1) {
			memset(buf, 0xee, sizeof(buf));
			if (x > sizeof(buf))
				x = sizeof(buf);
			if (send(dfd, buf, x, 0) < 0)
				printf("send error %s\n", strerror(errno));
		} else if (sscanf(line, "expect %lu %lu", &x, &y) == 2) {
			for (unsigned long i = 0; i < x; i++)
				if (!do_recv((int)y)) {
					printf("timeout\n");
					break;
				}
		} else if (sscanf(line, "count %lu %lu", &x, &y) == 2) {
			printf("count %lu\n", do_count(x, (int)y));
		} else if (sscanf(line, "quiet %lu", &x) == 1) {
			if (!do_recv((int)x))
				printf("none\n");
		} else if (sscanf(line, "sleep %lu", &x) == 1) {
			usleep((useconds_t)x * 1000);
		}
		fflush(stdout);
	}
	close(dfd);
	close(cfd);
	return 0;
}
