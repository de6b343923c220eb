/*
 * pdump: a vde_switch plugin that writes every frame entering the switch to a capture file in
 * the classic pcap format (tcpdump -r, Wireshark). pdump/filename chooses the file (default
 * vde_dump.cap), pdump/active starts and stops the capture, pdump/buffered 0 flushes after
 * each frame so the file can be read while it grows.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "vdeplugin.h"

/*
 * pcap file: a 24-byte header (magic a1b2c3d4, version 2.4, zone 0, sigfigs 0, snaplen,
 * link type 1 = Ethernet), then per frame a 16-byte record header (seconds, microseconds,
 * captured length, original length) and the frame; all in host byte order (the magic tells).
 */
#define PCAP_MAGIC    0xa1b2c3d4u
#define PCAP_SNAPLEN  65535u
#define PCAP_ETHERNET 1u

struct plugin vde_plugin_data = {
	.name = "pdump",
	.help = "dump packets in pcap format",
};

static FILE *pd_file;
static char *pd_name;
static int pd_buffered = 1;
static unsigned long long pd_frames;

static int
pd_write_header(FILE *f)
{
	uint32_t h[6] = { PCAP_MAGIC, 2u | (4u << 16), 0, 0, PCAP_SNAPLEN, PCAP_ETHERNET };

	return fwrite(h, sizeof(h), 1, f) == 1 ? 0 : -1;
}

static int
pd_event(struct dbgcl *event, void *arg, va_list v)
{
	int port = va_arg(v, int);
	unsigned char *buf = va_arg(v, unsigned char *);
	int len = va_arg(v, int);
	struct timeval tv;
	uint32_t r[4];

	(void)event;
	(void)arg;
	(void)port;
	if (pd_file == NULL || len <= 0)
		return 0;
	gettimeofday(&tv, NULL);
	r[0] = (uint32_t)tv.tv_sec;
	r[1] = (uint32_t)tv.tv_usec;
	r[2] = r[3] = (uint32_t)len;
	if (fwrite(r, sizeof(r), 1, pd_file) == 1 && fwrite(buf, (size_t)len, 1, pd_file) == 1)
		pd_frames++;
	if (!pd_buffered)
		fflush(pd_file);
	return 0;
}

static int
pd_active(int on)
{
	FILE *f;

	if (on != 0 && on != 1)
		return EINVAL;
	if (on && pd_file == NULL) {
		if ((f = fopen(pd_name ? pd_name : "vde_dump.cap", "w")) == NULL)
			return errno;
		if (pd_write_header(f) < 0 || fflush(f) != 0) {
			fclose(f);
			return EIO;
		}
		pd_file = f;
		pd_frames = 0;
		if (eventadd(pd_event, "packet/in", NULL) < 0) {
			fclose(pd_file);
			pd_file = NULL;
			return ENOENT;
		}
	} else if (!on && pd_file != NULL) {
		eventdel(pd_event, "packet/in", NULL);
		fclose(pd_file);
		pd_file = NULL;
	}
	return 0;
}

static int
pd_filename(char *name)
{
	char *n;

	if (pd_file != NULL)
		return EBUSY; /* stop the capture first */
	if (name == NULL || *name == 0)
		return EINVAL;
	if ((n = strdup(name)) == NULL)
		return ENOMEM;
	free(pd_name);
	pd_name = n;
	return 0;
}

static int
pd_setbuffered(int on)
{
	if (on != 0 && on != 1)
		return EINVAL;
	pd_buffered = on;
	if (!on && pd_file)
		fflush(pd_file);
	return 0;
}

static int
pd_showinfo(FILE *f)
{
	printoutc(f, "pdump %s file %s buffered %d frames %llu", pd_file ? "active" : "inactive",
		  pd_name ? pd_name : "vde_dump.cap", pd_buffered, pd_frames);
	return 0;
}

static struct comlist pd_cmds[] = {
	{ .path = "pdump", .syntax = "============", .help = "DUMP Packets in pcap format",
	  .type = NOARG },
	{ .path = "pdump/active", .syntax = "0/1", .help = "start (1) or stop (0) the capture",
	  .doit = pd_active, .type = INTARG },
	{ .path = "pdump/filename", .syntax = "FILE", .help = "capture file (default vde_dump.cap)",
	  .doit = pd_filename, .type = STRARG },
	{ .path = "pdump/buffered", .syntax = "0/1", .help = "0: flush after each frame",
	  .doit = pd_setbuffered, .type = INTARG },
	{ .path = "pdump/showinfo", .syntax = "", .help = "show the capture status",
	  .doit = pd_showinfo, .type = WITHFILE },
};

static void __attribute__((constructor))
pd_init(void)
{
	ADDCL(pd_cmds);
}

static void __attribute__((destructor))
pd_fini(void)
{
	pd_active(0);
	DELCL(pd_cmds);
	free(pd_name);
	pd_name = NULL;
}
