/*
 * wirefilter's management commands: every runtime command of the reference (parameter setters
 * in its value syntax, showinfo, the markov-* family, setedge, showedges, showcurrent), plus
 * showstats (per-direction counters) and the debug menu. Output formats follow the reference's
 * so scripts written for it keep working.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt.h"
#include "parse.h"
#include "wf.h"

#define DBG_MARKOV_TAG 050

static struct wf *
cmd_wf(struct mgmt_req *req)
{
	return req->ctx;
}

static const struct {
	const char *path;
	enum model_param p;
} setters[] = {
	{ "loss", MP_LOSS },		{ "lostburst", MP_LOSTBURST }, { "delay", MP_DELAY },
	{ "dup", MP_DUP },		{ "bandwidth", MP_BANDWIDTH }, { "speed", MP_SPEED },
	{ "noise", MP_NOISE },		{ "mtu", MP_MTU },	       { "chanbufsize", MP_CAPACITY },
	{ "capacity", MP_CAPACITY },
};

/* A parameter setter: "loss LR10+2N[1]". */
static int
cmd_set(struct mgmt_req *req)
{
	struct wf *wf = cmd_wf(req);
	struct value_arg a;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(setters) / sizeof(setters[0]); i++)
		if (strcmp(req->cmd->path, setters[i].path) == 0)
			break;
	if (i == sizeof(setters) / sizeof(setters[0]))
		return ENOSYS;
	if (value_parse(req->args, &a, &why) < 0 ||
	    model_set(wf->model, setters[i].p, &a, &why) < 0) {
		mgmt_err(req, "%s %s: %s", req->cmd->path, req->args, why);
		return EINVAL;
	}
	link_changed(wf);
	return 0;
}

/* An optional node number argument; the current node when absent. */
static int
arg_node(struct mgmt_req *req, unsigned *node)
{
	const struct markov *mc = model_markov(cmd_wf(req)->model);
	long long n;

	if (req->argc == 0) {
		*node = mc->cur;
		return 0;
	}
	if (mgmt_arg_ll(req, 0, 0, (long long)mc->n - 1, &n) != 0)
		return EINVAL;
	*node = (unsigned)n;
	return 0;
}

static void
info_row(struct mgmt_req *req, const char *label, unsigned node, enum model_param p)
{
	struct model *m = cmd_wf(req)->model;
	char a[64], b[64];

	mgmt_printf(req, "%-7sL->R %s   R->L %s\n", label,
		    value_format(a, sizeof(a), model_get(m, node, p, MODEL_LR)),
		    value_format(b, sizeof(b), model_get(m, node, p, MODEL_RL)));
}

static int
cmd_showinfo(struct mgmt_req *req)
{
	struct wf *wf = cmd_wf(req);
	struct model *m = wf->model;
	const struct markov *mc = model_markov(m);
	const struct model_stats *lr = model_stats(m, MODEL_LR), *rl = model_stats(m, MODEL_RL);
	unsigned node;

	if (arg_node(req, &node) != 0)
		return EINVAL;
	mgmt_printf(req, "WireFilter: %s\n",
		    wf->has_dir[MODEL_RL] ? "bidirectional" : "monodirectional");
	if (mc->n > 1)
		mgmt_printf(req, "Node %u \"%s\" (0,..,%u) Markov-time %g\n", node,
			    markov_name(mc, node), mc->n - 1, model_markov_time(m));
	info_row(req, "Loss", node, MP_LOSS);
	info_row(req, "Lburst", node, MP_LOSTBURST);
	info_row(req, "Delay", node, MP_DELAY);
	info_row(req, "Dup", node, MP_DUP);
	info_row(req, "Bandw", node, MP_BANDWIDTH);
	info_row(req, "Speed", node, MP_SPEED);
	info_row(req, "Noise", node, MP_NOISE);
	mgmt_printf(req, "MTU    L->R %-5g R->L %-4g\n", model_get(m, node, MP_MTU, MODEL_LR)->val,
		    model_get(m, node, MP_MTU, MODEL_RL)->val);
	info_row(req, "Cap.", node, MP_CAPACITY);
	mgmt_printf(req, "Current Delay Queue size:   L->R %-6llu R->L %-4llu\n",
		    (unsigned long long)lr->qframes, (unsigned long long)rl->qframes);
	mgmt_printf(req, "Fifoness %s\n", model_fifo(m) ? "TRUE" : "FALSE");
	mgmt_printf(req, "Waiting packets in delay queues %llu\n",
		    (unsigned long long)(lr->qframes + rl->qframes));
	mgmt_printf(req, "Seed %llu\n", (unsigned long long)model_seed(m));
	return 0;
}

static double
late_mean(const struct wf_dir *dr)
{
	return dr->late_n ? (double)dr->late_sum_ns / (double)dr->late_n / 1e3 : 0.0;
}

static int
cmd_showstats(struct mgmt_req *req)
{
	const struct model_stats *a = model_stats(cmd_wf(req)->model, MODEL_LR);
	const struct model_stats *b = model_stats(cmd_wf(req)->model, MODEL_RL);
	static const struct {
		const char *name;
		size_t off;
	} rows[] = {
		{ "frames in", offsetof(struct model_stats, in) },
		{ "bytes in", offsetof(struct model_stats, in_bytes) },
		{ "frames out", offsetof(struct model_stats, out) },
		{ "bytes out", offsetof(struct model_stats, out_bytes) },
		{ "dropped mtu", offsetof(struct model_stats, drop_mtu) },
		{ "dropped loss", offsetof(struct model_stats, drop_loss) },
		{ "dropped capacity", offsetof(struct model_stats, drop_capacity) },
		{ "discarded", offsetof(struct model_stats, drop_discard) },
		{ "duplicated", offsetof(struct model_stats, dups) },
		{ "delayed", offsetof(struct model_stats, delayed) },
		{ "corrupted", offsetof(struct model_stats, corrupted) },
		{ "bit errors", offsetof(struct model_stats, bitflips) },
		{ "queued frames", offsetof(struct model_stats, qframes) },
		{ "queued bytes", offsetof(struct model_stats, qbytes) },
	};
	size_t i;

	if (req->argc == 1 && strcmp(req->argv[0], "reset") == 0) {
		struct wf *wf = cmd_wf(req);

		model_stats_reset(wf->model);
		for (i = 0; i < 2; i++)
			wf->dir[i].late_n = wf->dir[i].late_sum_ns = wf->dir[i].late_max_ns = 0;
		return 0;
	}
	if (req->argc > 0) {
		mgmt_err(req, "usage: showstats [reset]");
		return EINVAL;
	}
	mgmt_printf(req, "%-18s %14s %14s\n", "COUNTER", "L->R", "R->L");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		mgmt_printf(req, "%-18s %14llu %14llu\n", rows[i].name,
			    (unsigned long long)*(const uint64_t *)(const void *)((const char *)a +
										   rows[i].off),
			    (unsigned long long)*(const uint64_t *)(const void *)((const char *)b +
										   rows[i].off));
	/* how late the timer-driven output was: the emulator's own accuracy */
	mgmt_printf(req, "%-18s %14.1f %14.1f\n", "late mean (us)", late_mean(&cmd_wf(req)->dir[0]),
		    late_mean(&cmd_wf(req)->dir[1]));
	mgmt_printf(req, "%-18s %14.1f %14.1f\n", "late max (us)",
		    cmd_wf(req)->dir[0].late_max_ns / 1e3, cmd_wf(req)->dir[1].late_max_ns / 1e3);
	return 0;
}

static int
cmd_fifo(struct mgmt_req *req)
{
	int on;

	if (req->argc != 1 || mgmt_arg_bool(req, 0, &on) != 0)
		return EINVAL;
	model_set_fifo(cmd_wf(req)->model, on);
	return 0;
}

static int
cmd_numnodes(struct mgmt_req *req)
{
	struct wf *wf = cmd_wf(req);
	const char *why;
	long long n;

	if (req->argc != 1 || mgmt_arg_ll(req, 0, 1, MARKOV_MAXNODES, &n) != 0) {
		if (req->argc != 1)
			mgmt_err(req, "usage: markov-numnodes n (1..%d)", MARKOV_MAXNODES);
		return EINVAL;
	}
	if (model_set_numnodes(wf->model, (unsigned)n, &why) < 0) {
		mgmt_err(req, "%s", why);
		return errno;
	}
	link_changed(wf);
	return 0;
}

static int
cmd_setnode(struct mgmt_req *req)
{
	struct wf *wf = cmd_wf(req);
	const char *why;
	unsigned node;

	if (req->argc != 1 || arg_node(req, &node) != 0)
		return EINVAL;
	if (model_set_current(wf->model, node, &why) < 0) {
		mgmt_err(req, "%s", why);
		return EINVAL;
	}
	link_changed(wf);
	return 0;
}

static int
cmd_name(struct mgmt_req *req)
{
	struct wf *wf = cmd_wf(req);
	const char *comma = strchr(req->args, ','), *why;
	char num[32];
	long long n;

	if (comma == NULL || (size_t)(comma - req->args) >= sizeof(num)) {
		mgmt_err(req, "usage: markov-name n,name");
		return EINVAL;
	}
	snprintf(num, sizeof(num), "%.*s", (int)(comma - req->args), req->args);
	if (parse_ll(num, 0, (long long)model_markov(wf->model)->n - 1, &n, &why) < 0) {
		mgmt_err(req, "node %s: %s", num, why);
		return EINVAL;
	}
	if (model_set_name(wf->model, (unsigned)n, comma + 1, &why) < 0) {
		mgmt_err(req, "%s", why);
		return EINVAL;
	}
	return 0;
}

static int
cmd_markov_time(struct mgmt_req *req)
{
	struct wf *wf = cmd_wf(req);
	const char *why;
	char *end;
	double ms;

	errno = 0;
	ms = req->argc == 1 ? strtod(req->argv[0], &end) : 0.0;
	if (req->argc != 1 || *end != '\0' || errno) {
		mgmt_err(req, "usage: markov-time ms");
		return EINVAL;
	}
	if (model_set_markov_time(wf->model, ms, &why) < 0) {
		mgmt_err(req, "%s", why);
		return EINVAL;
	}
	link_changed(wf);
	return 0;
}

static int
cmd_setedge(struct mgmt_req *req)
{
	struct wf *wf = cmd_wf(req);
	const struct markov *mc = model_markov(wf->model);
	const char *why;
	long long i, j;
	double w;
	char tail;

	if (sscanf(req->args, "%lld , %lld , %lf %c", &i, &j, &w, &tail) != 3) {
		mgmt_err(req, "usage: setedge n1,n2,w");
		return EINVAL;
	}
	if (i < 0 || j < 0 || i >= mc->n || j >= mc->n) {
		mgmt_err(req, "no such node (0..%u)", mc->n - 1);
		return EINVAL;
	}
	if (model_set_edge(wf->model, (unsigned)i, (unsigned)j, w, &why) < 0) {
		mgmt_err(req, "%s", why);
		return EINVAL;
	}
	return 0;
}

static int
cmd_showedges(struct mgmt_req *req)
{
	const struct markov *mc = model_markov(cmd_wf(req)->model);
	unsigned node, j;
	double w;

	if (arg_node(req, &node) != 0)
		return EINVAL;
	for (j = 0; j < mc->n; j++) {
		w = markov_weight(mc, node, j);
		if (w > 0.0)
			mgmt_printf(req, "Edge %-2u->%-2u \"%s\"->\"%s\" weight %g\n", node, j,
				    markov_name(mc, node), markov_name(mc, j), w);
	}
	return 0;
}

static int
cmd_showcurrent(struct mgmt_req *req)
{
	const struct markov *mc = model_markov(cmd_wf(req)->model);

	mgmt_printf(req, "Current Markov Node %u \"%s\" (0,..,%u)\n", mc->cur,
		    markov_name(mc, mc->cur), mc->n - 1);
	return 0;
}

/*
 * markov-debug n: node changes are reported to this session (n > 0) or no more (n = 0), as the
 * debug category "markov" (debug/add markov does the same).
 */
static int
cmd_markov_debug(struct mgmt_req *req)
{
	long long n = 0;

	if (req->argc > 1 || (req->argc == 1 && mgmt_arg_ll(req, 0, 0, 1000000, &n) != 0)) {
		if (req->argc > 1)
			mgmt_err(req, "usage: markov-debug [n]");
		return EINVAL;
	}
	return mgmt_dbg_subscribe(cmd_wf(req)->dbg_markov, req->sess, n > 0) < 0 ? errno : 0;
}

/* The reference's own line: "38NN Node i "a" -> k "b"", NN the new node (3800 + k). */
static void
on_node_change(void *arg, unsigned from, unsigned to)
{
	struct wf *wf = arg;
	const struct markov *mc = model_markov(wf->model);

	mgmt_dbg_out(wf->dbg_markov, "%u Node %u \"%s\" -> %u \"%s\"", 3800 + to, from,
		      markov_name(mc, from), to, markov_name(mc, to));
}

#define SET_SYNTAX "[LR|RL]value"

static const struct mgmt_cmd wf_cmds[] = {
	{ "showinfo", "[n]", "show status and parameter values (of node n)", cmd_showinfo,
	  MGMT_F_OUTPUT },
	{ "showstats", "[reset]", "show (or reset) the per-direction counters", cmd_showstats,
	  MGMT_F_OUTPUT },
	{ "loss", SET_SYNTAX, "set loss percentage", cmd_set, 0 },
	{ "lostburst", SET_SYNTAX, "mean length of lost packet bursts", cmd_set, 0 },
	{ "delay", SET_SYNTAX, "set delay ms", cmd_set, 0 },
	{ "dup", SET_SYNTAX, "set dup packet percentage", cmd_set, 0 },
	{ "bandwidth", SET_SYNTAX, "set channel bandwidth bytes/sec (off: none)", cmd_set, 0 },
	{ "speed", SET_SYNTAX, "set interface speed bytes/sec (off: none)", cmd_set, 0 },
	{ "noise", SET_SYNTAX, "set noise factor bits/Mbyte", cmd_set, 0 },
	{ "mtu", SET_SYNTAX, "set channel MTU (bytes)", cmd_set, 0 },
	{ "chanbufsize", SET_SYNTAX, "set channel buffer size (bytes)", cmd_set, 0 },
	{ "capacity", SET_SYNTAX, "set channel buffer size (bytes), as chanbufsize", cmd_set, 0 },
	{ "fifo", "0/1", "set channel fifoness", cmd_fifo, 0 },
	{ "markov-numnodes", "n", "markov mode: set number of states", cmd_numnodes, 0 },
	{ "markov-setnode", "n", "markov mode: set current state", cmd_setnode, 0 },
	{ "markov-name", "n,name", "markov mode: set state's name", cmd_name, 0 },
	{ "markov-time", "ms", "markov mode: transition period", cmd_markov_time, 0 },
	{ "setedge", "n1,n2,w", "markov mode: set edge weight", cmd_setedge, 0 },
	{ "markov-setedge", "n1,n2,w", "markov mode: set edge weight, as setedge", cmd_setedge, 0 },
	{ "showedges", "[n]", "markov mode: show edge weights", cmd_showedges, MGMT_F_OUTPUT },
	{ "showcurrent", "", "markov mode: show current state", cmd_showcurrent, MGMT_F_OUTPUT },
	{ "markov-debug", "[n]", "markov mode: report state changes here (n > 0)",
	  cmd_markov_debug, MGMT_F_SESSION },
	{ NULL, NULL, NULL, NULL, 0 },
};

int
cmds_register(struct wf *wf)
{
	if (mgmt_register(wf->mgmt, mgmt_base_cmds, wf) < 0 ||
	    mgmt_register(wf->mgmt, mgmt_load_cmds, wf) < 0 ||
	    mgmt_register(wf->mgmt, wf_cmds, wf) < 0 ||
	    mgmt_register(wf->mgmt, mgmt_debug_cmds, wf) < 0)
		return -1;
	wf->dbg_markov = mgmt_dbg_new(wf->mgmt, "markov", DBG_MARKOV_TAG | MGMT_DBG_RAW,
				      "changes of the current Markov node");
	if (wf->dbg_markov == NULL)
		return -1;
	model_set_node_cb(wf->model, on_node_change, wf);
	return 0;
}
