/*
 * Unit tests for the management server: dispatch (exact, prefix, ambiguity), reply framing and
 * escaping, typed arguments, help and debug/list formatting against the reference switch, and
 * sessions over socketpairs driven by a real loop (framing, backlog limit, disconnects), and a
 * tool's own logout reply, help texts and debug lines (wirefilter's), with the -M options.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iobuf.h"
#include "loop.h"
#include "mgmt.h"
#include "sock.h"
#include "tap.h"

static struct loop *L;
static struct mgmt_dbg *dminus;
static int shutdowns, eofs;

/* ---- a command table of our own ---- */

static int
t_print(struct mgmt_req *req)
{
	mgmt_printf(req, "Port 0001 args=\"%s\" argc=%d\n", req->args, req->argc);
	return 0;
}

static int
t_dots(struct mgmt_req *req)
{
	mgmt_printf(req, ".\nabc\n..\n.x\n.");
	return 0;
}

static int
t_num(struct mgmt_req *req)
{
	long long v;
	int rc;

	if ((rc = mgmt_arg_ll(req, 0, 1, 100, &v)) != 0)
		return rc;
	mgmt_printf(req, "%lld\n", v);
	return 0;
}

static int
t_flag(struct mgmt_req *req)
{
	int b;

	return mgmt_arg_bool(req, 1, &b) ? EINVAL : (b ? 0 : EADDRINUSE);
}

static int
t_big(struct mgmt_req *req)
{
	int i;

	for (i = 0; i < 20000; i++)
		mgmt_printf(req, "line %05d .........................................\n", i);
	return 0;
}

static int
t_ok(struct mgmt_req *req)
{
	return 0;
}

static int
t_fail(struct mgmt_req *req)
{
	mgmt_err(req, "because\nof reasons");
	return ENXIO;
}

static const struct mgmt_cmd test_cmds[] = {
	{ "port", "", "PORT STATUS MENU", NULL, MGMT_F_MENU },
	{ "port/sethub", "0/1", "1=HUB 0=switch", t_ok, 0 },
	{ "port/setnumports", "N", "set the number of ports", t_ok, 0 },
	{ "port/print", "[N]", "print the port/endpoint table", t_print, MGMT_F_OUTPUT },
	{ "port/allprint", "[N]", "print the port/endpoint table (including inactive port)",
	  t_print, MGMT_F_OUTPUT },
	{ "dots", "", "dots", t_dots, MGMT_F_OUTPUT },
	{ "num", "N", "a number", t_num, MGMT_F_OUTPUT },
	{ "flag", "N 0/1", "a boolean", t_flag, 0 },
	{ "big", "", "a long output", t_big, MGMT_F_OUTPUT },
	{ "sess", "", "needs a session", t_ok, MGMT_F_SESSION },
	{ "local", "", "local only", t_ok, MGMT_F_LOCAL },
	{ "fail", "", "fails", t_fail, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

static const struct mgmt_cmd dup_cmds[] = {
	{ "zzz", "", "", t_ok, 0 },
	{ "help", "", "", t_ok, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

static const struct mgmt_cmd self_dup_cmds[] = {
	{ "yyy", "", "", t_ok, 0 },
	{ "yyy", "", "", t_ok, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

static void
on_shutdown(void *arg)
{
	shutdowns++;
}

static void
on_eof(void *arg)
{
	eofs++;
}

/* mgmt_run_line into a NUL-terminated static buffer. */
static const char *
run(struct mgmt *m, const char *line)
{
	static char buf[1 << 16];
	struct wqueue q;

	wqueue_init(&q, 0);
	mgmt_run_line(m, line, &q);
	snprintf(buf, sizeof(buf), "%.*s", (int)q.len, q.buf ? q.buf + q.off : "");
	wqueue_fini(&q);
	return buf;
}

static uint64_t
stop_cb(struct loop *l, void *arg)
{
	loop_break(l);
	return 0;
}

/* Runs the loop for about ms milliseconds. */
static void
spin(unsigned ms)
{
	loop_add_timer(L, (uint64_t)ms * 1000, stop_cb, NULL);
	loop_run(L);
}

/* Reads whatever fd has now (non-blocking), appending to buf; -1 once it reports EOF. */
static int
drain(int fd, char *buf, size_t size, size_t *len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	for (;;) {
		if (*len + 1 >= size || poll(&p, 1, 0) != 1)
			return 0;
		n = read(fd, buf + *len, size - 1 - *len);
		if (n == 0)
			return -1;
		if (n < 0)
			return 0;
		*len += (size_t)n;
		buf[*len] = '\0';
	}
}

/* Sends data (if any), then runs the loop until the peer has sent want bytes (or 3 s pass). */
static const char *
converse(int fd, const char *data, size_t n, size_t want)
{
	static char buf[1 << 20];
	size_t len = 0;
	int i;

	buf[0] = '\0';
	if (n && write(fd, data, n) != (ssize_t)n)
		return "(write failed)";
	/* want 0: just give the server a moment and report whatever it said */
	for (i = 0; i < (want ? 300 : 5) && (len < want || want == 0); i++) {
		spin(10);
		if (drain(fd, buf, sizeof(buf), &len) < 0)
			break;
	}
	return buf;
}

#define PROMPT "\nvde$ "
#define HDR    "COMMAND PATH       SYNTAX          HELP\n" \
	       "------------       --------------  ------------\n"
#define DHDR   "CATEGORY               TAG STATUS HELP\n" \
	       "------------           --- ------ ----\n"
#define DATA   "0000 DATA END WITH '.'\n"
#define DBGADD "debug/add          dbgpath         enable debug info for a given category\n"
#define DBGDEL "debug/del          dbgpath         disable debug info for a given category\n"
#define OK     "1000 Success\n"

/* Sends a string and checks the whole reply byte for byte. */
#define EXPECT(fd, send, want, ...) \
	is_str(converse((fd), (send), strlen(send), strlen(want)), (want), __VA_ARGS__)

static void
test_dispatch(struct mgmt *m)
{
	is_str(run(m, "port/print"), DATA "Port 0001 args=\"\" argc=0\n.\n" OK, "exact match");
	is_str(run(m, "port/pr  3   x\t"), DATA "Port 0001 args=\"3   x\" argc=2\n.\n" OK,
	       "unique prefix, args trimmed and split");
	is_str(run(m, "   \tport/allprint 7\r\n"), DATA "Port 0001 args=\"7\" argc=1\n.\n" OK,
	       "leading blanks skipped, CRLF tolerated");
	is_str(run(m, "port/set 1"),
	       "ambiguous: port/sethub port/setnumports\n1038 Function not implemented\n",
	       "ambiguous prefix: ENOSYS with the candidates");
	is_str(run(m, "port"), "ambiguous: port/sethub port/setnumports port/print port/allprint\n"
			       "1038 Function not implemented\n", "a menu is not a command");
	is_str(run(m, "bogus"), "1038 Function not implemented\n", "unknown command");
	is_str(run(m, "port/print3"), "1038 Function not implemented\n",
	       "no reference-style prefix-of-input matching");
	is_str(run(m, ""), "", "blank line: no output");
	is_str(run(m, "  # a comment"), "", "comment: no output");
	is_str(run(m, "dots"), DATA "..\nabc\n..\n.x\n..\n.\n" OK,
	       "a lone '.' data line is escaped, the block is newline-terminated");
	is_str(run(m, "sess"), "1009 Bad file descriptor\n", "session command without session");
	is_str(run(m, "local"), OK, "local command runs without a session");
	is_str(run(m, "fail"), "because of reasons\n1006 No such device or address\n",
	       "reason line (flattened) before the result");
	is_str(run(m, "logout"), "1009 Bad file descriptor\n", "logout needs a session");
	{
		struct wqueue q;

		wqueue_init(&q, 0);
		errno = 0;
		ok(mgmt_run_line(m, "bogus", &q) == -1 && errno == ENOSYS,
		   "mgmt_run_line returns -1 with errno");
		ok(mgmt_run_line(m, "num 3", &q) == 0, "mgmt_run_line returns 0 on success");
		wqueue_fini(&q);
	}
}

static void
test_args(struct mgmt *m)
{
	is_str(run(m, "num 42"), DATA "42\n.\n" OK, "mgmt_arg_ll in range");
	is_str(run(m, "num 1"), DATA "1\n.\n" OK, "mgmt_arg_ll minimum");
	is_str(run(m, "num 100"), DATA "100\n.\n" OK, "mgmt_arg_ll maximum");
	is_str(run(m, "num"), DATA ".\nN: missing\n1022 Invalid argument\n", "missing argument");
	is_str(run(m, "num 0"), DATA ".\nN: too small (1..100)\n1022 Invalid argument\n",
	       "below the range");
	is_str(run(m, "num 101"), DATA ".\nN: too large (1..100)\n1022 Invalid argument\n",
	       "above the range");
	is_str(run(m, "num 99999999999999999999999"),
	       DATA ".\nN: too large (1..100)\n1022 Invalid argument\n", "overflow");
	is_str(run(m, "num 4x"), DATA ".\nN: trailing garbage (1..100)\n1022 Invalid argument\n",
	       "trailing garbage");
	is_str(run(m, "num x5"), DATA ".\nN: not a number (1..100)\n1022 Invalid argument\n",
	       "not a number");
	is_str(run(m, "num -5"), DATA ".\nN: too small (1..100)\n1022 Invalid argument\n",
	       "negative");
	is_str(run(m, "flag 1 on"), OK, "mgmt_arg_bool on");
	is_str(run(m, "flag 1 0"), "1098 Address already in use\n", "mgmt_arg_bool off");
	is_str(run(m, "flag 1 maybe"), "0/1: not a boolean\n1022 Invalid argument\n",
	       "mgmt_arg_bool garbage");
}

static void
test_help(struct mgmt *m)
{
	/* rows byte-exact against Debian's vde_switch 2.3.2 */
	is_str(run(m, "help debug"),
	       DATA HDR "debug              ============    DEBUG MENU\n"
			"debug/list                         list debug categories\n"
			DBGADD DBGDEL
			".\n" OK, "help debug");
	is_str(run(m, "help"),
	       DATA HDR "help               [arg]           Help (limited to arg when specified)\n"
			"logout                             logout from this mgmt terminal\n"
			"shutdown                           shutdown of the switch\n"
			"load               path            load a configuration script\n"
			"debug              ============    DEBUG MENU\n"
			"debug/list                         list debug categories\n"
			DBGADD DBGDEL
			"port               ============    PORT STATUS MENU\n"
			"port/sethub        0/1             1=HUB 0=switch\n"
			"port/setnumports   N               set the number of ports\n"
			"port/print         [N]             print the port/endpoint table\n"
			"port/allprint      [N]             print the port/endpoint table "
			"(including inactive port)\n"
			"dots                               dots\n"
			"num                N               a number\n"
			"flag               N 0/1           a boolean\n"
			"big                                a long output\n"
			"sess                               needs a session\n"
			"local                              local only\n"
			"fail                               fails\n"
			".\n" OK, "help, all tables in registration order");
	is_str(run(m, "help port/pr"),
	       DATA HDR "port/print         [N]             print the port/endpoint table\n.\n" OK,
	       "help prefix");
	is_str(run(m, "help xyz"), DATA HDR ".\n" OK, "help with no match");
	is_str(run(m, "he deb"), run(m, "help deb"), "help by prefix");
}

static void
test_register(struct mgmt *m)
{
	errno = 0;
	is_int(mgmt_register(m, dup_cmds, NULL), -1, "a table reusing a path is refused");
	is_int(errno, EEXIST, "... with EEXIST");
	errno = 0;
	is_int(mgmt_register(m, self_dup_cmds, NULL), -1, "a table repeating a path is refused");
	is_int(errno, EEXIST, "... with EEXIST");
	is_str(run(m, "zzz"), "1038 Function not implemented\n", "nothing of it was registered");
	is_int(mgmt_register(m, test_cmds, NULL), -1, "the same table twice is refused");
	is_int(mgmt_unregister(m, test_cmds), 0, "unregister");
	is_str(run(m, "dots"), "1038 Function not implemented\n", "its commands are gone");
	is_int(mgmt_unregister(m, test_cmds), -1, "unregister twice fails");
	is_int(mgmt_register(m, test_cmds, NULL), 0, "register again");
	is_str(run(m, "dots"), DATA "..\nabc\n..\n.x\n..\n.\n" OK, "and it works again");
}

static void
test_debug_list(struct mgmt *m)
{
	is_str(run(m, "debug/list"),
	       DATA DHDR "port/+                 021 OFF    new port\n"
			 "port/-                 022 OFF    closed port\n"
			 "port/ep/+              031 OFF    new endpoint\n"
			 "hash/+                 011 OFF    hash: new element\n"
			 ".\n" OK, "debug/list");
	is_str(run(m, "debug/list port/ep"),
	       DATA DHDR "port/ep/+              031 OFF    new endpoint\n.\n" OK,
	       "debug/list prefix");
	is_str(run(m, "debug/list zzz"), DATA DHDR ".\n1002 No such file or directory\n",
	       "debug/list: ENOENT when nothing matches");
	is_str(run(m, "debug/add port"), "1009 Bad file descriptor\n", "debug/add needs a session");
}

static int
mkpair(struct mgmt *m, int *client)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -1;
	if (mgmt_adopt_fd(m, sv[0]) == NULL)
		return -1;
	*client = sv[1];
	return 0;
}

#define BANNER "VDE switch V.test\n(C) nobody\n"

static void
test_session(struct mgmt *m, struct mgmt_dbg *dport, const char *dir)
{
	char big[10000 + 1], path[256], expect[4096];
	const char *r;
	FILE *f;
	int c, c2, i;

	ok(mkpair(m, &c) == 0, "adopt a socketpair");
	is_str(converse(c, NULL, 0, strlen(BANNER PROMPT)), BANNER PROMPT, "banner and prompt");

	r = converse(c, "help debug/l\n\n# hi\ndebug/add port\nbogus\n", 40,
		     strlen(DATA HDR "debug/list                         list debug categories\n"
				".\n" OK PROMPT PROMPT PROMPT OK PROMPT
				"1038 Function not implemented\n" PROMPT));
	is_str(r, DATA HDR "debug/list                         list debug categories\n.\n" OK PROMPT
		  PROMPT PROMPT OK PROMPT "1038 Function not implemented\n" PROMPT,
	       "several commands in one write, blank and comment lines give a prompt");

	is_str(converse(c, "debu", 4, 0), "", "a partial line waits");
	is_str(converse(c, "g/li", 4, 0), "", "still waiting");
	r = converse(c, "st port/+\r\n", 11, strlen(DATA DHDR) + 60);
	is_str(r, DATA DHDR "port/+                 021 ON     new port\n.\n" OK PROMPT,
	       "a command split over three writes; debug/add took effect");

	memset(big, 'a', 10000);
	big[9999] = '\n';
	r = converse(c, big, 10000, strlen("1007 Argument list too long\n" PROMPT));
	is_str(r, "1007 Argument list too long\n" PROMPT, "a 10000-byte line gets E2BIG");
	EXPECT(c, "num 7\n", DATA "7\n.\n" OK PROMPT, "and the next command still works");

	ok(mgmt_dbg_active(dport), "debug category active");
	mgmt_dbg_out(dport, "%02d", 7);
	is_str(converse(c, NULL, 0, 15), "3021 port/+ 07\n", "debug line format");
	mgmt_dbg_out(dport, "multi\nline");
	is_str(converse(c, NULL, 0, 23), "3021 port/+ multi line\n", "debug message flattened");
	EXPECT(c, "debug/add port\n", "1017 File exists\n" PROMPT,
	       "debug/add: EEXIST when nothing changes");
	EXPECT(c, "debug/add port/\n", "1017 File exists\n" PROMPT, "... by any prefix");
	EXPECT(c, "debug/del port/+\n", OK PROMPT, "debug/del");
	ok(!mgmt_dbg_active(dport), "debug category inactive again");
	ok(mgmt_dbg_active(dminus), "the others still active");
	EXPECT(c, "debug/del port\n", OK PROMPT, "debug/del of what is left");
	EXPECT(c, "debug/del port\n", "1002 No such file or directory\n" PROMPT,
	       "debug/del: ENOENT when nothing changes");
	EXPECT(c, "debug/add zzz\n", "1022 Invalid argument\n" PROMPT,
	       "debug/add: EINVAL when nothing matches");
	EXPECT(c, "debug/del zzz\n", "1022 Invalid argument\n" PROMPT,
	       "debug/del: EINVAL when nothing matches");
	EXPECT(c, "local\n", "1001 Operation not permitted\n" PROMPT,
	       "local command refused on a socket session");
	EXPECT(c, "sess\n", OK PROMPT, "session command on a session");

	/* 1000 commands in one write; their replies exceed the read-pause threshold */
	{
		static char cmds[20000], want[300000];
		size_t n = 0, w = 0;

		for (i = 0; i < 1000; i++) {
			n += (size_t)sprintf(cmds + n, "help debug/l\nnum %d\n", i % 100 + 1);
			w += (size_t)sprintf(want + w,
					     DATA HDR "debug/list%24s list debug categories\n.\n" OK
					     PROMPT DATA "%d\n.\n" OK PROMPT, "", i % 100 + 1);
		}
		r = converse(c, cmds, n, w);
		ok(strcmp(r, want) == 0, "2000 commands in one write, replies in order");
		is_int(strlen(r), w, "... all of them");
	}

	/* load, with echo */
	snprintf(path, sizeof(path), "%s/script.rc", dir);
	f = fopen(path, "w");
	fprintf(f, "help debug/l\n\n# comment\n  num 0\nlogout\nnum 3\n");
	fclose(f);
	snprintf(expect, sizeof(expect),
		 "vde[%s]: help debug/l\n" DATA HDR
		 "debug/list                         list debug categories\n.\n" OK
		 "vde[%s]: \n"
		 "vde[%s]: # comment\n"
		 "vde[%s]:   num 0\n" DATA ".\nN: too small (1..100)\n1022 Invalid argument\n"
		 "vde[%s]: logout\n"
		 "vde[%s]: num 3\n" DATA "3\n.\n" OK OK PROMPT,
		 path, path, path, path, path, path);
	snprintf(big, sizeof(big), "load %s\n", path);
	r = converse(c, big, strlen(big), strlen(expect));
	is_str(r, expect, "load echoes each line like the reference");
	EXPECT(c, "load /nonexistent/x\n", "1002 No such file or directory\n" PROMPT,
	       "load of a missing file");
	snprintf(big, sizeof(big), "load %s\n", dir);
	EXPECT(c, big, "1021 Is a directory\n" PROMPT, "load of a directory");

	/* a second session is independent; the first one never reads a debug flood */
	ok(mkpair(m, &c2) == 0, "second session");
	converse(c2, NULL, 0, strlen(BANNER PROMPT));
	EXPECT(c, "debug/add port/-\n", OK PROMPT, "subscribe the first");
	{
		char msg[1024];

		memset(msg, 'x', sizeof(msg) - 1);
		msg[sizeof(msg) - 1] = '\0';
		for (i = 0; i < 10000 && mgmt_dbg_active(dminus); i++)
			mgmt_dbg_out(dminus, "%s", msg);
		ok(!mgmt_dbg_active(dminus), "a session not reading is closed (backlog limit)");
		ok(i > 4000 && i < 10000, "... after a few MB (%d KB)", i);
	}
	{
		char sink[65536];
		ssize_t n;
		int eof = 0;

		for (i = 0; i < 1000 && !eof; i++) {
			n = read(c, sink, sizeof(sink));
			eof = n == 0;
			if (n < 0)
				break;
		}
		ok(eof, "its peer sees the end of the stream");
	}
	close(c);
	EXPECT(c2, "num 5\n", DATA "5\n.\n" OK PROMPT, "the other session is unaffected");

	/* a client disconnecting in the middle of a long reply */
	ok(mkpair(m, &c) == 0, "third session");
	converse(c, NULL, 0, strlen(BANNER PROMPT));
	if (write(c, "big\nbig\n", 8) != 8)
		ok(0, "write");
	spin(20);
	close(c);
	spin(50);
	EXPECT(c2, "num 6\n", DATA "6\n.\n" OK PROMPT, "survives a client leaving mid-reply");

	/* garbage and NULs */
	r = converse(c2, "\x01\x02\xff\0zz\n", 7, strlen("1038 Function not implemented\n" PROMPT));
	is_str(r, "1038 Function not implemented\n" PROMPT, "garbage bytes and NULs");

	/* logout */
	r = converse(c2, "logout\nnum 1\n", 13, 19);
	is_str(r, "9999 END OF SESSION", "logout ends the session, later input ignored");
	{
		char tmp[16];

		ok(read(c2, tmp, sizeof(tmp)) == 0, "and closes it");
	}
	close(c2);

	/* shutdown */
	ok(mkpair(m, &c) == 0, "fourth session");
	converse(c, NULL, 0, strlen(BANNER PROMPT));
	r = converse(c, "shutdown\n", 9, 19);
	is_str(r, "9999 END OF SESSION", "shutdown reply");
	is_int(shutdowns, 1, "shutdown callback ran");
	close(c);
	spin(20);
}

/* The listening socket: mode, banner, the session limit, unlinked by mgmt_free. */
static void
test_listen(const char *dir)
{
	struct mgmt_config cfg = { .banner = BANNER, .maxsessions = 1 };
	char path[300], tmp[64];
	struct mgmt *m;
	struct stat st;
	int c, c2;

	snprintf(path, sizeof(path), "%s/mgmt", dir);
	if ((m = mgmt_new(L, &cfg)) == NULL || mgmt_register(m, mgmt_base_cmds, NULL) < 0) {
		ok(0, "second server");
		return;
	}
	is_int(mgmt_listen(m, path, 0640, (gid_t)-1), 0, "mgmt_listen");
	ok(stat(path, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 07777) == 0640,
	   "socket with the requested mode");
	errno = 0;
	ok(mgmt_listen(m, path, 0600, (gid_t)-1) == -1 && errno == EBUSY, "one listener only");
	c = sock_unix_connect(path, SOCK_STREAM);
	ok(c >= 0, "connect");
	is_str(converse(c, NULL, 0, strlen(BANNER PROMPT)), BANNER PROMPT,
	       "banner and default prompt");
	c2 = sock_unix_connect(path, SOCK_STREAM);
	spin(20);
	ok(c2 >= 0 && read(c2, tmp, sizeof(tmp)) == 0, "beyond maxsessions: closed at once");
	close(c2);
	EXPECT(c, "logout\n", "9999 END OF SESSION", "logout");
	close(c);
	spin(20);
	c2 = sock_unix_connect(path, SOCK_STREAM);
	is_str(converse(c2, NULL, 0, strlen(BANNER PROMPT)), BANNER PROMPT,
	       "a slot is free again after logout");
	mgmt_free(m);
	ok(read(c2, tmp, sizeof(tmp)) == 0, "mgmt_free closes the sessions");
	close(c2);
	ok(access(path, F_OK) < 0 && errno == ENOENT, "and unlinks the socket");
}

static void
test_console(struct mgmt *m)
{
	int in[2], out[2];
	char buf[4096] = "";
	size_t len = 0;
	int i, fl;

	if (pipe(in) < 0 || pipe(out) < 0) {
		ok(0, "pipes");
		return;
	}
	fl = fcntl(out[1], F_GETFL);
	ok(mgmt_console(m, in[0], out[1], on_eof, NULL) != NULL, "console on pipes");
	if (write(in[1], "help debug/l\nlogout\nnum 2\n", 26) != 26)
		ok(0, "write");
	for (i = 0; i < 100; i++) {
		spin(10);
		drain(out[0], buf, sizeof(buf), &len);
		if (strstr(buf, "2\n.\n" OK))
			break;
	}
	(void)len;
	is_str(buf, DATA HDR "debug/list                         list debug categories\n.\n" OK
		    DATA "2\n.\n" OK, "console without a terminal: no prompt, logout ignored");
	close(in[1]);
	for (i = 0; i < 50 && eofs == 0; i++)
		spin(10);
	is_int(eofs, 1, "console EOF callback");
	mgmt_free(m);
	is_int(fcntl(out[1], F_GETFL), fl, "console output flags restored");
	close(in[0]);
	close(out[0]);
	close(out[1]);
}

/* A session-scoped command subscribing itself through the public API, as wirefilter's
 * markov-debug does; its category is given as the table's ctx. */
static int
t_watch(struct mgmt_req *req)
{
	int on;

	if (mgmt_arg_bool(req, 0, &on) != 0)
		return EINVAL;
	return mgmt_dbg_subscribe(req->ctx, req->sess, on) < 0 ? errno : 0;
}

static const struct mgmt_cmd watch_cmds[] = {
	{ "watch", "0/1", "report node changes here", t_watch, MGMT_F_SESSION },
	{ NULL, NULL, NULL, NULL, 0 },
};

/* A tool with its own logout reply and help texts (wirefilter), its own debug line codes, the
 * subscription API, and the shared -M options. */
static void
test_tool(void)
{
	struct mgmt_config cfg = {
		.prompt = "VDEwf$ ",
		.logout_reply = "1-01 Unknown error -1\n",
		.logout_help = "log out from this mgmt session",
		.shutdown_help = "shut the channel down",
		.shutdown = on_shutdown,
	};
	struct mgmt_session *s;
	struct mgmt_dbg *d;
	struct mgmt *m;
	const char *path = NULL, *why = NULL;
	char buf[4096] = "", tmp[16];
	int sv[2], in[2], out[2], i;
	mode_t mode = 0;
	gid_t gid = 0;
	size_t len = 0;

	if ((m = mgmt_new(L, &cfg)) == NULL || mgmt_register(m, mgmt_base_cmds, NULL) < 0 ||
	    mgmt_register(m, mgmt_debug_cmds, NULL) < 0 ||
	    (d = mgmt_dbg_new(m, "markov", 050 | MGMT_DBG_RAW, "node changes")) == NULL ||
	    mgmt_register(m, watch_cmds, d) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 ||
	    (s = mgmt_adopt_fd(m, sv[0])) == NULL) {
		ok(0, "a tool's server");
		return;
	}
	is_str(run(m, "help"),
	       DATA HDR "help               [arg]           Help (limited to arg when specified)\n"
			"logout                             log out from this mgmt session\n"
			"shutdown                           shut the channel down\n"
			"debug              ============    DEBUG MENU\n"
			"debug/list                         list debug categories\n"
			DBGADD DBGDEL
			"watch              0/1             report node changes here\n.\n" OK,
	       "the tool's help texts for logout and shutdown");
	converse(sv[1], NULL, 0, strlen("VDEwf$ "));

	/* subscription through the API, and the tool's own line format */
	errno = 0;
	ok(mgmt_dbg_subscribe(d, NULL, 1) == -1 && errno == EBADF, "no session: EBADF");
	ok(mgmt_dbg_subscribe(d, s, 1) == 0 && mgmt_dbg_active(d), "subscribe a session");
	ok(mgmt_dbg_subscribe(d, s, 1) == 0, "subscribing twice is not an error");
	mgmt_dbg_out(d, "%d Node %u \"%s\" -> %u \"%s\"", 3801, 0u, "", 1u, "down\nx");
	is_str(converse(sv[1], NULL, 0, 28), "3801 Node 0 \"\" -> 1 \"down x\"\n",
	       "MGMT_DBG_RAW: the line as formatted, flattened, once");
	is_str(run(m, "debug/list"),
	       DATA DHDR "markov                 050 OFF    node changes\n.\n" OK,
	       "debug/list shows the tag without the flag");
	ok(mgmt_dbg_subscribe(d, s, 0) == 0 && !mgmt_dbg_active(d), "unsubscribe");
	ok(mgmt_dbg_subscribe(d, s, 0) == 0, "unsubscribing twice is not an error");
	mgmt_dbg_out(d, "3800 nobody listens");
	EXPECT(sv[1], "watch 1\n", OK "\nVDEwf$ ", "a command subscribes its own session");
	mgmt_dbg_out(d, "3800 x");
	is_str(converse(sv[1], NULL, 0, 7), "3800 x\n", "... and it gets the lines");
	EXPECT(sv[1], "watch 0\n", OK "\nVDEwf$ ", "... and unsubscribes");
	ok(!mgmt_dbg_active(d), "no subscriber left");
	is_str(run(m, "watch 1"), "1009 Bad file descriptor\n", "not from an rc file");

	/* logout: the tool's reply, then the session closes; later input is ignored */
	is_str(converse(sv[1], "logout\nhelp\n", 12, 22), "1-01 Unknown error -1\n",
	       "logout sends the tool's reply");
	ok(read(sv[1], tmp, sizeof(tmp)) == 0, "and closes the session");
	close(sv[1]);

	/* on the console the same reply, then it ends as at end of input */
	if (pipe(in) < 0 || pipe(out) < 0 ||
	    mgmt_console(m, in[0], out[1], on_eof, NULL) == NULL) {
		ok(0, "console");
		return;
	}
	eofs = 0;
	if (write(in[1], "logout\nhelp\n", 12) != 12)
		ok(0, "write");
	for (i = 0; i < 100 && eofs == 0; i++) {
		spin(10);
		drain(out[0], buf, sizeof(buf), &len);
	}
	spin(20);
	drain(out[0], buf, sizeof(buf), &len);
	is_str(buf, "1-01 Unknown error -1\n", "console logout: the reply, nothing after it");
	is_int(eofs, 1, "and the console's end callback ran");
	mgmt_free(m);
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);

	/* -M, --mgmtmode, --mgmtgroup */
	ok(mgmt_getopt('M', "/x/mgmt", &path, &mode, &gid, &why) == 0 &&
		   strcmp(path, "/x/mgmt") == 0,
	   "mgmt_getopt -M");
	ok(mgmt_getopt(MGMT_OPT_MODE, "0640", &path, &mode, &gid, &why) == 0 && mode == 0640,
	   "mgmt_getopt --mgmtmode");
	ok(mgmt_getopt(MGMT_OPT_GROUP, "0", &path, &mode, &gid, &why) == 0 && gid == 0,
	   "mgmt_getopt --mgmtgroup");
	why = NULL;
	ok(mgmt_getopt(MGMT_OPT_MODE, "999", &path, &mode, &gid, &why) == -1 && why && mode == 0640,
	   "a bad mode: -1, a reason, the old value stays");
	why = NULL;
	ok(mgmt_getopt('x', "1", &path, &mode, &gid, &why) == -1 && why, "not one of them: -1");
}

int
main(void)
{
	struct mgmt_config cfg = {
		.banner = BANNER,
		.prompt = "vde$ ",
		.shutdown = on_shutdown,
	};
	struct mgmt_dbg *dport;
	struct mgmt *m;
	char dir[] = "/tmp/test_mgmt.XXXXXX", rc[300], line[320];
	FILE *f;

	signal(SIGPIPE, SIG_IGN);
	if ((L = loop_new()) == NULL || (m = mgmt_new(L, &cfg)) == NULL || !mkdtemp(dir))
		return 1;
	ok(mgmt_register(m, mgmt_base_cmds, NULL) == 0, "register base");
	ok(mgmt_register(m, mgmt_load_cmds, NULL) == 0, "register load");
	ok(mgmt_register(m, mgmt_debug_cmds, NULL) == 0, "register debug");
	ok(mgmt_register(m, test_cmds, NULL) == 0, "register a table");
	dport = mgmt_dbg_new(m, "port/+", 021, "new port");
	dminus = mgmt_dbg_new(m, "port/-", 022, "closed port");
	ok(dport && dminus, "debug categories");
	ok(mgmt_dbg_new(m, "port/ep/+", 031, "new endpoint") != NULL, "another");
	ok(mgmt_dbg_new(m, "hash/+", 0x1009, "hash: new element") != NULL, "tag masked to 0777");
	ok(mgmt_dbg_new(m, "port/+", 021, "dup") == NULL && errno == EEXIST, "duplicate category");
	ok(!mgmt_dbg_active(dport), "no subscriber yet");

	test_dispatch(m);
	test_args(m);
	test_help(m);
	test_register(m);
	test_debug_list(m);

	/* rc files: errors are logged, a missing file is an error */
	snprintf(rc, sizeof(rc), "%s/rc", dir);
	f = fopen(rc, "w");
	fprintf(f, "num 5\nbogus\nsess\n");
	fclose(f);
	is_int(mgmt_run_file(m, rc, NULL), 0, "rc file runs (errors only logged)");
	errno = 0;
	is_int(mgmt_run_file(m, "/nonexistent/rc", NULL), -1, "missing rc file");
	is_int(errno, ENOENT, "... ENOENT");
	/* a script loading itself stops at the nesting limit */
	snprintf(rc, sizeof(rc), "%s/self", dir);
	f = fopen(rc, "w");
	fprintf(f, "load %s\n", rc);
	fclose(f);
	snprintf(line, sizeof(line), "load %s", rc);
	is_str(run(m, line), OK, "recursive load terminates (inner failure logged)");
	unlink(rc);
	snprintf(rc, sizeof(rc), "%s/rc", dir);
	is_str(run(m, "shutdown"), "9999 END OF SESSION", "shutdown from mgmt_run_line");
	is_int(shutdowns, 1, "shutdown callback");
	shutdowns = 0;

	test_session(m, dport, dir);
	test_listen(dir);
	test_console(m);
	test_tool();
	unlink(rc);
	snprintf(rc, sizeof(rc), "%s/script.rc", dir);
	unlink(rc);
	rmdir(dir);
	loop_free(L);
	return done_testing();
}
