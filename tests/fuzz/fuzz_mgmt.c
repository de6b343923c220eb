/*
 * libFuzzer target for the management dispatcher: every input line goes through mgmt_run_line
 * (tokenizing, exact/prefix matching, argument conversion, reply framing and escaping).
 * Build (from a build directory): clang -fsanitize=fuzzer,address -include config.h
 *   -I$SRC/common $SRC/tests/fuzz/fuzz_mgmt.c
 *   $SRC/common/{mgmt,mgmt_session,loop,iobuf,log,sock,parse}.c
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iobuf.h"
#include "log.h"
#include "loop.h"
#include "mgmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fz_echo(struct mgmt_req *req)
{
	long long v;
	int b, i;

	for (i = 0; i < req->argc; i++)
		mgmt_printf(req, "%s\n", req->argv[i]);
	if (req->argc > 0 && mgmt_arg_ll(req, 0, -5, 5, &v) != 0)
		return EINVAL;
	if (req->argc > 1 && mgmt_arg_bool(req, 1, &b) != 0)
		return EINVAL;
	mgmt_err(req, "%s", req->args);
	return req->argc > 2 ? ENXIO : 0;
}

static const struct mgmt_cmd fz_cmds[] = {
	{ "a", "", "menu", NULL, MGMT_F_MENU },
	{ "a/echo", "N 0/1", "echo", fz_echo, MGMT_F_OUTPUT },
	{ "a/echo2", "", "echo", fz_echo, 0 },
	{ "b/x", "", "local", fz_echo, MGMT_F_LOCAL },
	{ "b/y", "", "session", fz_echo, MGMT_F_SESSION },
	{ NULL, NULL, NULL, NULL, 0 },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct loop *l;
	static struct mgmt *m;
	struct mgmt_config cfg = { .banner = "x\n", .prompt = "vde$ ", .maxline = 512 };
	size_t keep;
	struct wqueue out;
	char *buf, *line, *nl;

	if (m == NULL) {
		log_init("fuzz_mgmt", 1, 0);
		l = loop_new();
		m = mgmt_new(l, &cfg);
		mgmt_register(m, mgmt_base_cmds, NULL);
		mgmt_register(m, mgmt_debug_cmds, NULL);
		mgmt_register(m, fz_cmds, NULL);
		mgmt_dbg_new(m, "a/+", 021, "a");
	}
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	wqueue_init(&out, 0);
	for (line = buf; line < buf + size; line = nl + 1) {
		nl = line + strlen(line);
		if ((nl = memchr(line, '\n', (size_t)(nl - line))) == NULL)
			nl = line + strlen(line);
		*nl = '\0';
		mgmt_run_line(m, line, &out); /* shutdown: no callback, so ENOSYS */
	}
	keep = out.len; /* the reply stream must stay line-framed */
	if (keep > 0 && out.buf[out.off + keep - 1] != '\n')
		abort();
	wqueue_fini(&out);
	free(buf);
	return 0;
}
