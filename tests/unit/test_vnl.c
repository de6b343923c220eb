/*
 * Locator parser tests: schemes, the vde2 "PATH[N]" port suffix (0 = management port, [] = any),
 * vdeplug4 bracket options and port group names, and malformed locators rejected with a reason.
 */
#include <errno.h>

#include "tap.h"
#include "vnl.h"

static void
check(const char *s, const char *scheme, const char *path, int has_port, int port,
      const char *group, unsigned int mode)
{
	struct vnl v;
	const char *why = NULL;
	int r = vnl_parse(s, &v, &why);

	if (!s)
		s = "(NULL)";
	if (!ok(r == 0, "parse \"%s\"", s)) {
		printf("#   reason: %s\n", why ? why : "?");
		return;
	}
	is_str(v.scheme, scheme, "\"%s\": scheme", s);
	is_str(v.path, path, "\"%s\": path", s);
	is_int(v.has_port, has_port, "\"%s\": has_port", s);
	is_int(v.port, port, "\"%s\": port", s);
	is_str(v.group, group, "\"%s\": group", s);
	is_int(v.mode, mode, "\"%s\": mode", s);
	is_str(v.portgroup, "", "\"%s\": no port group", s);
}

/* A vdeplug4 port group: a name where the port number would be. */
static void
check_portgroup(const char *s, const char *path, const char *portgroup, const char *group)
{
	struct vnl v;
	const char *why = NULL;

	if (!ok(vnl_parse(s, &v, &why) == 0, "parse \"%s\"", s)) {
		printf("#   reason: %s\n", why ? why : "?");
		return;
	}
	is_str(v.path, path, "\"%s\": path", s);
	is_str(v.portgroup, portgroup, "\"%s\": port group", s);
	ok(v.has_port && v.port == VNL_PORT_ANY, "\"%s\": a port choice, no number", s);
	is_str(v.group, group, "\"%s\": group", s);
}

static void
bad(const char *s)
{
	struct vnl v;
	const char *why = NULL;

	errno = 0;
	ok(vnl_parse(s, &v, &why) < 0 && errno == EINVAL && why && *why, "reject \"%s\" (%s)", s,
	   why ? why : "no reason");
}

int
main(void)
{
	static char longpath[5000];

	check("/tmp/sw", "vde", "/tmp/sw", 0, VNL_PORT_ANY, "", 0);
	check("", "vde", "", 0, VNL_PORT_ANY, "", 0);
	check(NULL, "vde", "", 0, VNL_PORT_ANY, "", 0);
	check("vde:///tmp/sw", "vde", "/tmp/sw", 0, VNL_PORT_ANY, "", 0);
	check("vde://", "vde", "", 0, VNL_PORT_ANY, "", 0);
	check("/tmp/sw[5]", "vde", "/tmp/sw", 1, 5, "", 0);
	check("vde:///tmp/sw[5]", "vde", "/tmp/sw", 1, 5, "", 0);
	check("/tmp/sw[0]", "vde", "/tmp/sw", 1, VNL_PORT_MGMT, "", 0);
	check("/tmp/sw[]", "vde", "/tmp/sw", 1, VNL_PORT_ANY, "", 0);
	check("/tmp/sw[65535]", "vde", "/tmp/sw", 1, 65535, "", 0);
	check("vde:///tmp/sw[port=7/group=kvm/mode=0660]", "vde", "/tmp/sw", 1, 7, "kvm", 0660);
	check("vde:///tmp/sw[3/mode=770]", "vde", "/tmp/sw", 1, 3, "", 0770);
	check("/tmp/sw[portgroup=4,group=100]", "vde", "/tmp/sw", 1, 4, "100", 0);
	check("/tmp/sw[group=users]", "vde", "/tmp/sw", 0, VNL_PORT_ANY, "users", 0);
	check("/tmp/a[1]/sw[2]", "vde", "/tmp/a[1]/sw", 1, 2, "", 0);
	check("ptp:///tmp/link", "ptp", "/tmp/link", 0, VNL_PORT_ANY, "", 0);
	check("ptp:///tmp/link[3]", "ptp", "/tmp/link[3]", 0, VNL_PORT_ANY, "", 0);
	check("seqpacket://5", "seqpacket", "5", 0, VNL_PORT_ANY, "", 0);
	check("udp://a->b:1", "udp", "a->b:1", 0, VNL_PORT_ANY, "", 0);

	bad("/tmp/sw[65536]");
	bad("/tmp/sw[-1]");
	check_portgroup("/tmp/sw[x]", "/tmp/sw", "x", "");
	check_portgroup("vde:///tmp/sw[vlan10]", "/tmp/sw", "vlan10", "");
	check_portgroup("/tmp/sw[portgroup=blue,group=kvm]", "/tmp/sw", "blue", "kvm");
	check_portgroup("/tmp/sw[port=blue]", "/tmp/sw", "blue", "");
	check_portgroup("/tmp/sw[5/portgroup=red]", "/tmp/sw", "red", ""); /* the last one wins */
	check("/tmp/sw[red/port=5]", "vde", "/tmp/sw", 1, 5, "", 0);
	check_portgroup("/tmp/sw[a-b_c]", "/tmp/sw", "a-b_c", "");
	bad("/tmp/sw[5x]");
	bad("/tmp/sw[..]");
	bad("/tmp/sw[.hidden]");
	bad("/tmp/sw[portgroup=]");
	bad("/tmp/sw[group=g/blue]");
	bad("/tmp/sw[aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]");
	bad("/tmp/sw[1/2]");
	bad("/tmp/sw[mode=0]");
	bad("/tmp/sw[mode=999]");
	bad("/tmp/sw[mode=1777]");
	bad("/tmp/sw[colour=red]");
	bad("/tmp/sw]");
	bad("://x");
	bad("VDE!://x");
	bad("averyveryverylongscheme://x");
	memset(longpath, 'a', sizeof(longpath) - 1);
	bad(longpath);
	return done_testing();
}
