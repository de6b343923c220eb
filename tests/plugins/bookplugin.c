/*
 * A vde_switch plugin written the way the VDE book teaches it, against nothing but the
 * documented API: a value kept by test/change and shown by test/print, and a packet/in
 * filter that drops every frame of ethertype 0x88b5 (IEEE local experimental). The test
 * suite compiles it unchanged with the default compiler flags.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <vdeplugin.h>

int testglobal;
int testdropped;

struct plugin vde_plugin_data = {
	.name = "test",
	.help = "a simple plugin for vde",
};

static int testvalue(int val)
{
	testglobal = val;
	return 0;
}

static int testprint(FILE *f)
{
	fprintf(f, "Test Plugin value %d dropped %d\n", testglobal, testdropped);
	return 0;
}

static struct comlist cl[] = {
	{"test", "============", "test plugin", NULL, NOARG},
	{"test/change", "N", "change value", testvalue, INTARG},
	{"test/print", "", "print value", testprint, WITHFILE},
};

static int dropper(struct dbgcl *event, void *arg, va_list v)
{
	int port = va_arg(v, int);
	unsigned char *buf = va_arg(v, unsigned char *);
	int len = va_arg(v, int);

	if (len >= 14 && buf[12] == 0x88 && buf[13] == 0xb5) {
		testdropped++;
		return -1;
	}
	return 0;
}

static void __attribute__ ((constructor)) init (void)
{
	ADDCL(cl);
	eventadd(dropper, "packet/in", NULL);
}

static void __attribute__ ((destructor)) fini (void)
{
	eventdel(dropper, "packet/in", NULL);
	DELCL(cl);
}
