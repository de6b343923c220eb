/*
 * port/mirror commands. A mirror belongs to the source port number, whether or not a port
 * exists there now: it survives the port going away and coming back, like a patch cable in a
 * SPAN socket. sw->mirroring tells the data path whether any mirror is set at all.
 */
#include <errno.h>
#include <string.h>

#include "mirror.h"

#define SW(req) ((struct sw *)(req)->ctx)

static void
mirror_recount(struct sw *sw)
{
	sw->mirroring = 0;
	for (unsigned i = 0; i <= sw->numports; i++)
		if (sw->ports[i].mirror_dir)
			sw->mirroring = 1;
}

static int
mirror_port_arg(struct mgmt_req *req, int i, long long *n)
{
	return mgmt_arg_ll(req, i, 0, SW(req)->numports, n);
}

static int
cmd_port_mirror(struct mgmt_req *req)
{
	struct sw *sw = SW(req);
	long long src, dst;
	unsigned dir = SW_MIRROR_RX | SW_MIRROR_TX;
	int err;

	if (req->argc < 2 || req->argc > 3)
		return EINVAL;
	if ((err = mirror_port_arg(req, 0, &src)) != 0)
		return err;
	if (req->argc == 2 && strcmp(req->argv[1], "off") == 0) {
		sw->ports[src].mirror_dir = 0;
		sw->ports[src].mirror_to = 0;
		mirror_recount(sw);
		return 0;
	}
	if ((err = mirror_port_arg(req, 1, &dst)) != 0)
		return err;
	if (src == dst) {
		mgmt_err(req, "a port cannot mirror to itself");
		return EINVAL;
	}
	if (req->argc == 3) {
		if (strcmp(req->argv[2], "rx") == 0)
			dir = SW_MIRROR_RX;
		else if (strcmp(req->argv[2], "tx") == 0)
			dir = SW_MIRROR_TX;
		else if (strcmp(req->argv[2], "both") != 0) {
			mgmt_err(req, "%s: not rx, tx or both", req->argv[2]);
			return EINVAL;
		}
	}
	sw->ports[src].mirror_to = (unsigned)dst;
	sw->ports[src].mirror_dir = dir;
	mirror_recount(sw);
	return 0;
}

static int
cmd_port_mirrorprint(struct mgmt_req *req)
{
	static const char *const names[] = { "", "rx", "tx", "both" };
	struct sw *sw = SW(req);

	for (unsigned i = 0; i <= sw->numports; i++) {
		const struct port *p = &sw->ports[i];

		if (p->mirror_dir)
			mgmt_printf(req, "Port %04u %-4s -> Port %04u\n", i, names[p->mirror_dir & 3],
				    p->mirror_to);
	}
	return 0;
}

const struct mgmt_cmd mirror_cmds[] = {
	{ "port/mirror", "SRC DST [rx|tx|both] | SRC off",
	  "copy frames received (rx), sent (tx) or both by port SRC to port DST", cmd_port_mirror,
	  0 },
	{ "port/mirrorprint", "", "list the port mirrors", cmd_port_mirrorprint, MGMT_F_OUTPUT },
	{ NULL, NULL, NULL, NULL, 0 },
};
