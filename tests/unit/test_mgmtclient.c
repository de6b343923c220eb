/*
 * Unit tests for the management reply parser (tools/mgmtclient.c): a recorded reference session
 * fed whole and one byte at a time must give the same events; async debug lines between replies,
 * error results, end of session, long lines, garbage and truncated streams.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mgmtclient.h"
#include "tap.h"

/*
 * Events rendered as "type[code/err]:text|": text cut at 60 bytes, NUL shown as '@', a trailing
 * '+' marks a partial piece.
 */
static char log_buf[65536];

static void
record(void *arg, const struct mgmtclient_event *ev)
{
	size_t off = strlen(log_buf), i, n = ev->len > 60 ? 60 : ev->len;
	int *count = arg;
	char text[61];

	for (i = 0; i < n; i++)
		text[i] = ev->text[i] ? ev->text[i] : '@';
	text[n] = '\0';

	(*count)++;
	snprintf(log_buf + off, sizeof(log_buf) - off, "%s", mgmtclient_type_name(ev->type));
	off = strlen(log_buf);
	if (ev->type == MGMTCLIENT_RESULT || ev->type == MGMTCLIENT_DEBUG)
		snprintf(log_buf + off, sizeof(log_buf) - off, "[%d/%d]", ev->code, ev->err);
	off = strlen(log_buf);
	snprintf(log_buf + off, sizeof(log_buf) - off, ":%s%s|", text, ev->partial ? "+" : "");
}

/* Feeds s in pieces of step bytes (0: all at once) and returns the rendered events. */
static const char *
parse(const char *s, size_t len, size_t step, int *eof_rv)
{
	struct mgmtclient c;
	int count = 0;
	size_t i, n;

	log_buf[0] = '\0';
	mgmtclient_init(&c, record, &count);
	for (i = 0; i < len; i += n) {
		n = step && len - i > step ? step : len - i;
		mgmtclient_feed(&c, s + i, n);
	}
	if (eof_rv)
		*eof_rv = mgmtclient_eof(&c);
	return log_buf;
}

static const char session[] =
	"VDE switch V.2.3.2\n(C) Virtual Square Team\n\nvde$ "
	"0000 DATA END WITH '.'\nHash size 128\n\nGC interval 2 secs\n.\n1000 Success\n\nvde$ "
	"3021 port/+ 07\n3031 port/ep/+ Port 07 FD  6\n"
	"1038 Function not implemented\n\nvde$ "
	"1022 Invalid argument\n\nvde$ "
	"0000 DATA END WITH '.'\n.\n1000 Success\n\nvde$ "
	"9999 END OF SESSION";

static const char session_events[] =
	"banner:VDE switch V.2.3.2|banner:(C) Virtual Square Team|banner:|prompt:vde|"
	"data-begin:DATA END WITH '.'|data:Hash size 128|data:|data:GC interval 2 secs|data-end:.|"
	"result[1000/0]:Success|prompt:vde|"
	"debug[3021/0]:port/+ 07|debug[3031/0]:port/ep/+ Port 07 FD  6|"
	"result[1038/38]:Function not implemented|prompt:vde|"
	"result[1022/22]:Invalid argument|prompt:vde|"
	"data-begin:DATA END WITH '.'|data-end:.|result[1000/0]:Success|prompt:vde|"
	"end:END OF SESSION|";

static void
test_session(void)
{
	size_t steps[] = { 0, 1, 2, 3, 7, 64 };
	char name[64];
	size_t i;
	int rv;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		snprintf(name, sizeof(name), "reference session, pieces of %zu bytes", steps[i]);
		is_str(parse(session, sizeof(session) - 1, steps[i], &rv), session_events, "%s",
		       name);
		is_int(rv, 0, "clean end (%s)", name);
	}
}

static void
test_end_without_eager_match(void)
{
	static const char s[] = "vde$ 9999 END OF SESSION\nignored\n";
	int rv;

	is_str(parse(s, sizeof(s) - 1, 1, &rv), "prompt:vde|end:END OF SESSION|",
	       "bytes after END are ignored");
	is_int(rv, 0, "clean eof after END");
}

static void
test_async_right_after_prompt(void)
{
	static const char s[] = "vde$ 3011 hash/+ 02:00:00:00:00:01 VLAN 00:00 Port 7\n"
				"3032 port/ep/-\n0000 DATA END WITH '.'\nx\n.\n"
				"1000 Success\n\nvde$ ";

	is_str(parse(s, sizeof(s) - 1, 1, NULL),
	       "prompt:vde|debug[3011/0]:hash/+ 02:00:00:00:00:01 VLAN 00:00 Port 7|"
	       "debug[3032/0]:port/ep/-|data-begin:DATA END WITH '.'|data:x|data-end:.|"
	       "result[1000/0]:Success|prompt:vde|",
	       "debug lines between a prompt and the next reply");
}

static void
test_data_block_contents(void)
{
	/* inside a block, code lines, prompts and 9999 are data; ".." is an escaped "." */
	static const char s[] = "vde$ 0000 DATA END WITH '.'\n1022 not a result\nvde$ x\n..\n"
				"..x\n.x\n9999 END OF SESSION\n.\n1000 Success\n";

	is_str(parse(s, sizeof(s) - 1, 1, NULL),
	       "prompt:vde|data-begin:DATA END WITH '.'|data:1022 not a result|data:vde$ x|"
	       "data:.|data:.x|data:.x|data:9999 END OF SESSION|data-end:.|"
	       "result[1000/0]:Success|",
	       "data lines are never interpreted");
}

static void
test_wirefilter(void)
{
	static const char s[] = "\nVDE wirefilter V.2.3.2\n(C) R.Davoli 2005,2006 - GPLv2\n\n"
				"VDEwf$ "
				"1-01 Unknown error -1\n3801 Node 1 \"a\" -> 0 \"b\"\r\n";

	is_str(parse(s, sizeof(s) - 1, 1, NULL),
	       "banner:|banner:VDE wirefilter V.2.3.2|banner:(C) R.Davoli 2005,2006 - GPLv2|"
	       "banner:|prompt:VDEwf|result[-1/-1]:Unknown error -1|"
	       "debug[3801/0]:Node 1 \"a\" -> 0 \"b\"|",
	       "wirefilter banner, prompt, negative result, CRLF stripped");
}

static void
test_garbage(void)
{
	static const char s[] = "vde$ hello world\n12345 x\n2000 two\n\x01\x02\n$ \n";
	static const char nul[] = "vde$ a\0b\n";

	is_str(parse(s, sizeof(s) - 1, 1, NULL),
	       "prompt:vde|text:hello world|text:12345 x|text:2000 two|text:\x01\x02|prompt:|",
	       "unknown lines are text");
	parse(nul, sizeof(nul) - 1, 0, NULL);
	is_str(log_buf, "prompt:vde|text:a@b|", "NUL bytes kept in text");
}

static void
test_truncated(void)
{
	static const char mid_line[] = "vde$ 0000 DATA END WITH '.'\nsome";
	static const char mid_block[] = "vde$ 0000 DATA END WITH '.'\nline\n";
	static const char at_prompt[] = "vde$ 1000 Success\n\nvde$ ";
	int rv;

	parse(mid_line, sizeof(mid_line) - 1, 1, &rv);
	is_int(rv, -1, "eof in the middle of a line is reported");
	ok(strstr(log_buf, "data:some|") != NULL, "the pending piece is still delivered");
	errno = 0;
	parse(mid_block, sizeof(mid_block) - 1, 0, &rv);
	is_int(rv, -1, "eof inside a data block is reported");
	is_int(errno, EPIPE, "as EPIPE");
	parse(at_prompt, sizeof(at_prompt) - 1, 0, &rv);
	is_int(rv, 0, "eof at a prompt is clean");
	parse("", 0, 0, &rv);
	is_int(rv, 0, "empty stream is clean");
	is_str(log_buf, "", "and gives no event");
}

static void
test_long_lines(void)
{
	static char s[3 * MGMTCLIENT_LINEMAX + 256];
	size_t off = 0, i;
	char want[256];
	int rv;

	off += (size_t)sprintf(s, "vde$ 0000 DATA END WITH '.'\n");
	for (i = 0; i < 2 * MGMTCLIENT_LINEMAX + 10; i++)
		s[off++] = 'a' + (char)(i % 26);
	s[off++] = '\n';
	off += (size_t)sprintf(s + off, ".\n1022 ");
	memset(s + off, 'e', MGMTCLIENT_LINEMAX);
	off += MGMTCLIENT_LINEMAX;
	off += (size_t)sprintf(s + off, "\n3021 ok\n");
	parse(s, off, 5, &rv);
	snprintf(want, sizeof(want),
		 "prompt:vde|data-begin:DATA END WITH '.'|data:%.60s+|data:%.60s+|data:%.10s|",
		 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefgh",
		 "opqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv", "cdefghijkl");
	ok(strncmp(log_buf, want, strlen(want)) == 0, "a long data line comes in pieces");
	ok(strstr(log_buf, "data-end:.|result[1022/22]:eeee") != NULL,
	   "a long result line is cut, not split");
	ok(strstr(log_buf, "eeee|debug[3021/0]:ok|") != NULL, "and the next line is parsed");
	is_int(rv, 0, "clean end");
}

int
main(void)
{
	test_session();
	test_end_without_eager_match();
	test_async_right_after_prompt();
	test_data_block_contents();
	test_wirefilter();
	test_garbage();
	test_truncated();
	test_long_lines();
	return done_testing();
}
