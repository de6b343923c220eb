/*
 * vlanclient: a VDE client for the VLAN and spanning tree tests. v3 handshake on DIR/ctl
 * (-p PORT asks for a port), prints "connected", then runs stdin commands:
 *   send DST SRC VID|-      one 64-byte frame (ethertype 0x88b5), 802.1Q-tagged with VID or not
 *   recv MS                 prints "frame DST SRC tag=VID|none len=N" for each frame until MS
 *                           of silence (BPDUs are not printed), then "done"
 *   bpdus N MS              waits for N BPDUs (at most MS), prints "bpdus X"
 *   stream SRC N MS         sends N numbered broadcasts, one every MS milliseconds
 *   gaps MS                 receives numbered broadcasts until MS of silence, prints
 *                           "got N dup D maxgap G" (G: longest silence between two, in ms)
 * With -w FILE every frame received is also written to a pcap file (for tshark).
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

static int dfd;
static FILE *pcap;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
pcap_open(const char *path)
{
	uint32_t hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };

	if ((pcap = fopen(path, "wb")) == NULL || fwrite(hdr, sizeof(hdr), 1, pcap) != 1) {
		perror(path);
		exit(1);
	}
}

static void
pcap_write(const uint8_t *f, size_t len)
{
	struct timespec ts;
	uint32_t rec[4];

	if (pcap == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	rec[0] = (uint32_t)ts.tv_sec;
	rec[1] = (uint32_t)(ts.tv_nsec / 1000);
	rec[2] = rec[3] = (uint32_t)len;
	fwrite(rec, sizeof(rec), 1, pcap);
	fwrite(f, len, 1, pcap);
	fflush(pcap);
}

/* A 64-byte frame; vid < 0: untagged. The payload starts with a 32-bit sequence number. */
static size_t
mkframe(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], int vid, uint32_t seq)
{
	size_t o = 12;

	memset(f, 0, 64);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	if (vid >= 0) {
		f[12] = 0x81;
		f[13] = 0x00;
		f[14] = (uint8_t)(vid >> 8);
		f[15] = (uint8_t)vid;
		o = 16;
	}
	f[o] = 0x88;
	f[o + 1] = 0xb5;
	memcpy(f + o + 2, &seq, 4);
	return 64;
}

/* One frame within ms, or 0. */
static ssize_t
rx(uint8_t *f, size_t cap, int ms)
{
	struct pollfd p = { .fd = dfd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	if ((n = recv(dfd, f, cap, 0)) < 14)
		return 0;
	pcap_write(f, (size_t)n);
	return n;
}

static int
is_bpdu(const uint8_t *f)
{
	static const uint8_t g[6] = { 0x01, 0x80, 0xc2, 0, 0, 0 };

	return memcmp(f, g, 6) == 0;
}

/* Waits for a frame other than a BPDU until ms after the last one (*last, updated). */
static ssize_t
rx_data(uint8_t *f, size_t cap, int ms, uint64_t *last)
{
	ssize_t n;

	while (now_ms() < *last + (uint64_t)ms) {
		if ((n = rx(f, cap, (int)(*last + (uint64_t)ms - now_ms()))) <= 0 || is_bpdu(f))
			continue;
		*last = now_ms();
		return n;
	}
	return 0;
}

static void
do_recv(int ms)
{
	static uint8_t f[70000];
	uint64_t last = now_ms();
	ssize_t n;

	while ((n = rx_data(f, sizeof(f), ms, &last)) > 0) {
		char tag[16] = "none";

		if (f[12] == 0x81 && f[13] == 0x00)
			snprintf(tag, sizeof(tag), "%u", ((f[14] << 8) | f[15]) & 0xfff);
		printf("frame %02x:%02x:%02x:%02x:%02x:%02x %02x:%02x:%02x:%02x:%02x:%02x tag=%s "
		       "len=%zd\n", f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9],
		       f[10], f[11], tag, n);
	}
	printf("done\n");
}

static void
do_bpdus(unsigned want, int ms)
{
	uint8_t f[2048];
	uint64_t end = now_ms() + (uint64_t)ms;
	unsigned got = 0;

	while (got < want && now_ms() < end)
		if (rx(f, sizeof(f), (int)(end - now_ms())) > 0 && is_bpdu(f))
			got++;
	printf("bpdus %u\n", got);
}

static void
do_stream(const uint8_t src[6], unsigned n, int ms)
{
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t f[64];

	for (uint32_t i = 0; i < n; i++) {
		hs_send(dfd, f, mkframe(f, bc, src, -1, i));
		usleep((useconds_t)ms * 1000);
	}
}

static void
do_gaps(int ms)
{
	static uint8_t seen[1 << 16];
	uint8_t f[2048];
	uint64_t last = 0, maxgap = 0, wait = now_ms();
	unsigned got = 0, dup = 0;
	ssize_t n;

	memset(seen, 0, sizeof(seen));
	while ((n = rx_data(f, sizeof(f), ms, &wait)) > 0) {
		uint32_t seq;
		uint64_t t = now_ms();

		if (f[12] != 0x88 || f[13] != 0xb5)
			continue;
		memcpy(&seq, f + 14, 4);
		if (seen[seq & 0xffff]++) {
			dup++;
			continue;
		}
		if (last && t - last > maxgap)
			maxgap = t - last;
		last = t;
		got++;
	}
	printf("got %u dup %u maxgap %llu\n", got, dup, (unsigned long long)maxgap);
}

int
main(int argc, char **argv)
{
	struct sockaddr_un reply;
	uint32_t type = 0;
	char line[256];
	int cfd, opt;

	while ((opt = getopt(argc, argv, "p:w:")) != -1) {
		if (opt == 'p')
			type = (uint32_t)atoi(optarg) << 8;
		else if (opt == 'w')
			pcap_open(optarg);
		else
			return 1;
	}
	if (optind >= argc)
		return 1;
	if ((dfd = hs_connect(argv[optind], "vc", type, "vlanclient", &cfd, &reply)) == -2) {
		printf("refused\n");
		return 2;
	}
	if (dfd < 0)
		return 1;
	printf("connected\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		char a[32], b[32], c[16];
		uint8_t dst[6], src[6], f[64];
		unsigned x;
		int y;

		if (sscanf(line, "send %31s %31s %15s", a, b, c) == 3 && hs_mac_parse(a, dst) == 0 &&
		    hs_mac_parse(b, src) == 0)
			hs_send(dfd, f, mkframe(f, dst, src, c[0] == '-' ? -1 : atoi(c), 0));
		else if (sscanf(line, "recv %d", &y) == 1)
			do_recv(y);
		else if (sscanf(line, "bpdus %u %d", &x, &y) == 2)
			do_bpdus(x, y);
		else if (sscanf(line, "stream %31s %u %d", a, &x, &y) == 3 && hs_mac_parse(a, src) == 0)
			do_stream(src, x, y);
		else if (sscanf(line, "gaps %d", &y) == 1)
			do_gaps(y);
		else if (sscanf(line, "sleep %d", &y) == 1)
			usleep((useconds_t)y * 1000);
		fflush(stdout);
	}
	if (pcap)
		fclose(pcap);
	return 0;
}
