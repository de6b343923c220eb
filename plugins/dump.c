/*
 * dump: a vde_switch plugin that writes every frame entering and leaving the switch as a hex
 * dump on the debug categories dump/packetin and dump/packetout (debug/add dump/ on a
 * management session to see them). dump/active switches the packet events on and off.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vdeplugin.h"

#define DUMP_DEFAULT 128 /* bytes shown per frame unless dump/setmax says otherwise */

struct plugin vde_plugin_data = {
	.name = "dump",
	.help = "dump packets",
};

static int dump_on;
static int dump_max = DUMP_DEFAULT;

static struct dbgcl dump_cats[] = {
	{ .path = "dump/packetin", .help = "dump incoming packet", .tag = 0101 },
	{ .path = "dump/packetout", .help = "dump outgoing packet", .tag = 0102 },
};

/* One line per 16 bytes: offset, hex, printable ASCII. */
static void
dump_frame(struct dbgcl *cat, int port, const unsigned char *buf, int len)
{
	int n = dump_max > 0 && len > dump_max ? dump_max : len;

	DBGOUT(cat, "Port %04d len %d dst %02x:%02x:%02x:%02x:%02x:%02x "
		    "src %02x:%02x:%02x:%02x:%02x:%02x type 0x%02x%02x", port, len,
	       buf[0], buf[1], buf[2], buf[3], buf[4], buf[5], buf[6], buf[7], buf[8], buf[9],
	       buf[10], buf[11], buf[12], buf[13]);
	for (int off = 0; off < n; off += 16) {
		char hex[16 * 3 + 1], asc[17];
		int k;

		for (k = 0; k < 16 && off + k < n; k++) {
			unsigned char c = buf[off + k];

			snprintf(hex + 3 * k, 4, "%02x ", c);
			asc[k] = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
		asc[k] = 0;
		DBGOUT(cat, "  %04x: %-48s|%s|", off, hex, asc);
	}
}

static int
dump_event(struct dbgcl *event, void *arg, va_list v)
{
	int port = va_arg(v, int);
	unsigned char *buf = va_arg(v, unsigned char *);
	int len = va_arg(v, int);

	(void)arg;
	dump_frame((event->tag & D_OUT) ? &dump_cats[1] : &dump_cats[0], port, buf, len);
	return 0;
}

static int
dump_active(int on)
{
	if (on != 0 && on != 1)
		return EINVAL;
	if (on && !dump_on) {
		eventadd(dump_event, "packet/in", NULL);
		eventadd(dump_event, "packet/out", NULL);
	} else if (!on && dump_on) {
		eventdel(dump_event, "packet/in", NULL);
		eventdel(dump_event, "packet/out", NULL);
	}
	dump_on = on;
	return 0;
}

static int
dump_setmax(int n)
{
	if (n < 0)
		return EINVAL;
	dump_max = n;
	return 0;
}

static int
dump_showinfo(FILE *f)
{
	printoutc(f, "dump %s, %d bytes per frame%s", dump_on ? "active" : "inactive", dump_max,
		  dump_max ? "" : " (whole frames)");
	return 0;
}

static struct comlist dump_cmds[] = {
	{ .path = "dump", .syntax = "============", .help = "DUMP Packets", .type = NOARG },
	{ .path = "dump/active", .syntax = "0/1", .help = "start dumping data",
	  .doit = dump_active, .type = INTARG },
	{ .path = "dump/setmax", .syntax = "N", .help = "bytes dumped per frame (0 = all)",
	  .doit = dump_setmax, .type = INTARG },
	{ .path = "dump/showinfo", .syntax = "", .help = "show dump status",
	  .doit = dump_showinfo, .type = WITHFILE },
};

static void __attribute__((constructor))
dump_init(void)
{
	ADDCL(dump_cmds);
	ADDDBGCL(dump_cats);
}

static void __attribute__((destructor))
dump_fini(void)
{
	dump_active(0);
	DELDBGCL(dump_cats);
	DELCL(dump_cmds);
}
