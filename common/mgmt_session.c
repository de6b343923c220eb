/*
 * Management sessions: the -M socket, adopted descriptors and the stdin console. Sessions never
 * block: commands are read only while the output backlog is small, and a session that lets
 * output pile up beyond a few MB is closed. A session closed from inside its own callback is
 * only marked dead and freed when the callback unwinds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iobuf.h"
#include "log.h"
#include "loop.h"
#include "mgmt.h"
#include "mgmt_int.h"
#include "sock.h"

static void session_io(struct loop *l, int fd, unsigned events, void *arg);
static void session_settle(struct mgmt_session *s);

/* Adds, changes or removes a loop registration so that exactly want is watched. */
static int
fd_watch(struct mgmt_session *s, int fd, unsigned *cur, unsigned want)
{
	struct loop *l = s->m->loop;

	if (want == 0) {
		if (*cur & MGMT_EV_REG)
			loop_del_fd(l, fd);
		*cur = 0;
		return 0;
	}
	if (*cur & MGMT_EV_REG) {
		if ((*cur & ~MGMT_EV_REG) != want && loop_mod_fd(l, fd, want) < 0)
			return -1;
	} else if (loop_add_fd(l, fd, want, session_io, s) < 0) {
		return -1;
	}
	*cur = want | MGMT_EV_REG;
	return 0;
}

static int
session_reading(const struct mgmt_session *s)
{
	return !s->dead && !s->closing && !s->in_eof && s->roff == s->rlen &&
	       wqueue_pending(&s->wq) <= MGMT_PAUSE_BYTES;
}

/* Registers for what the session is waiting for. */
static void
session_watch(struct mgmt_session *s)
{
	unsigned in = session_reading(s) ? LOOP_IN : 0;
	unsigned out = !s->dead && !s->out_broken && wqueue_pending(&s->wq) ? LOOP_OUT : 0;
	int r;

	if (s->infd == s->outfd) {
		r = fd_watch(s, s->infd, &s->in_ev, s->dead ? 0 : in | out);
	} else {
		r = fd_watch(s, s->infd, &s->in_ev, s->dead ? 0 : in);
		if (fd_watch(s, s->outfd, &s->out_ev, s->dead ? 0 : out) < 0)
			r = -1;
	}
	if (r < 0) {
		log_warn("mgmt: cannot watch a session");
		mgmt_session_close(s);
	}
}

/* Writes what the descriptor takes; 0, or -1 when the session died of it. */
static int
session_flush(struct mgmt_session *s)
{
	if (s->dead)
		return -1;
	if (!s->out_broken && wqueue_flush(&s->wq, s->outfd) < 0) {
		if (s->remote) {
			mgmt_session_close(s);
			return -1;
		}
		s->out_broken = 1; /* console output gone: keep taking commands */
	}
	if (s->out_broken) {
		wqueue_fini(&s->wq);
		wqueue_init(&s->wq, 0);
	}
	return 0;
}

/* Queues output for s; a session that does not read its output is closed. */
void
mgmt_session_send(struct mgmt_session *s, const void *data, size_t n)
{
	if (s->dead || s->out_broken || n == 0)
		return;
	if (wqueue_pending(&s->wq) > MGMT_BACKLOG_MAX) {
		log_warnx_rl(&s->m->rl, "mgmt: %s does not read its output, %s",
			     s->remote ? "a session" : "the console",
			     s->remote ? "closing it" : "dropping it");
		if (s->remote) {
			mgmt_session_close(s);
			return;
		}
		wqueue_fini(&s->wq);
		wqueue_init(&s->wq, 0);
	}
	if (wqueue_append(&s->wq, data, n) < 0) {
		log_warn("mgmt: session output");
		mgmt_session_close(s);
		return;
	}
	if (s->busy == 0 && session_flush(s) == 0)
		session_settle(s);
}

static void
session_prompt(struct mgmt_session *s, struct wqueue *out)
{
	if (s->prompt)
		wqueue_printf(out, "\n%s", s->m->prompt);
}

/* linebuf callback: runs one command line; non-zero stops feeding (paused or finished). */
static int
session_line(void *arg, char *line, size_t len, int toolong)
{
	struct mgmt_session *s = arg;
	struct mgmt *m = s->m;
	const char *end;
	struct wqueue out;
	int rc;

	if (s->dead || s->closing || m->shutdown_pending)
		return 1;
	wqueue_init(&out, 0);
	if (toolong) {
		mgmt_reply_result(&out, E2BIG);
		rc = E2BIG;
	} else {
		rc = mgmt_exec(m, s, line, &out, NULL, 0);
	}
	if (rc == MGMT_RC_LOGOUT || rc == MGMT_RC_SHUTDOWN) {
		/* sockets get the end marker and close; the switch's console stays silent */
		end = rc == MGMT_RC_LOGOUT && m->cfg.logout_reply ? m->cfg.logout_reply :
								     MGMT_END_SESSION;
		if (s->remote || end == m->cfg.logout_reply) {
			if (rc == MGMT_RC_LOGOUT || !m->cfg.shutdown_quiet)
				wqueue_append(&out, end, strlen(end));
			s->closing = 1;
			if (!s->remote)
				s->in_eof = 1; /* the console ends as at end of input */
		}
		if (rc == MGMT_RC_SHUTDOWN)
			m->shutdown_pending = 1;
	} else {
		session_prompt(s, &out);
	}
	mgmt_session_send(s, mgmt_wq_data(&out), out.len);
	wqueue_fini(&out);
	return s->dead || s->closing || m->shutdown_pending ||
	       wqueue_pending(&s->wq) > MGMT_PAUSE_BYTES;
}

/* Runs buffered input while the backlog allows, flushing as it goes. */
static void
session_pump(struct mgmt_session *s)
{
	size_t used;

	while (session_flush(s) == 0) {
		if (s->roff == s->rlen || s->closing || s->m->shutdown_pending ||
		    wqueue_pending(&s->wq) > MGMT_PAUSE_BYTES)
			break;
		used = linebuf_feed(&s->lb, s->rbuf + s->roff, s->rlen - s->roff, session_line, s);
		s->roff += used;
		if (s->roff == s->rlen)
			s->roff = s->rlen = 0;
	}
}

/* Reads a chunk of commands; hup: the descriptor reported a hang-up. */
static void
session_read(struct mgmt_session *s, int hup)
{
	ssize_t n;

	if (s->roff < s->rlen || s->in_eof || s->closing)
		return;
	n = read(s->infd, s->rbuf, sizeof(s->rbuf));
	if (n > 0) {
		s->roff = 0;
		s->rlen = (size_t)n;
		return;
	}
	if (n < 0 && !hup && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	/* end of input: an unterminated last line still runs */
	s->in_eof = 1;
	if (s->lb.len > 0 || s->lb.overflow)
		linebuf_feed(&s->lb, "\n", 1, session_line, s);
	if (s->remote)
		s->closing = 1;
}

/* After a callback: frees a finished session, or registers for what it waits for. */
static void
session_settle(struct mgmt_session *s)
{
	if (s->busy > 0)
		return;
	if (s->dead || (s->closing && wqueue_pending(&s->wq) == 0)) {
		mgmt_session_free(s);
		return;
	}
	session_watch(s);
}

static void
session_io(struct loop *l, int fd, unsigned events, void *arg)
{
	struct mgmt_session *s = arg;
	struct mgmt *m = s->m;
	void (*eof)(void *) = NULL;
	void *eofarg = NULL;

	s->busy++;
	m->busy++;
	if ((events & LOOP_ERR) && !(events & LOOP_IN)) {
		if (fd == s->infd && s->remote)
			mgmt_session_close(s); /* hung up: nobody reads the rest */
		else if (fd == s->infd)
			events |= LOOP_IN; /* console: read the remaining input, then EOF */
		else
			s->out_broken = 1;
	}
	if (fd == s->infd && (events & LOOP_IN) && !s->dead)
		session_read(s, (events & LOOP_ERR) != 0);
	if (!s->dead)
		session_pump(s);
	if (s->in_eof && !s->eof_told && !s->remote && !s->dead) {
		s->eof_told = 1;
		eof = s->on_eof;
		eofarg = s->arg;
	}
	s->busy--;
	m->busy--;
	session_settle(s);
	if (eof) {
		eof(eofarg);
		return; /* may have freed m */
	}
	mgmt_fire_shutdown(m);
}

static struct mgmt_session *
session_new(struct mgmt *m, int infd, int outfd, int remote)
{
	struct mgmt_session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if (linebuf_init(&s->lb, m->cfg.maxline) < 0) {
		free(s);
		return NULL;
	}
	wqueue_init(&s->wq, 0);
	s->m = m;
	s->infd = infd;
	s->outfd = outfd;
	s->remote = remote;
	s->saved_fl = -1;
	s->next = m->sessions;
	m->sessions = s;
	if (remote)
		m->nremote++;
	return s;
}

void
mgmt_session_free(struct mgmt_session *s)
{
	struct mgmt *m = s->m;
	struct mgmt_session **ps;

	if (!s->dead && !s->out_broken)
		wqueue_flush(&s->wq, s->outfd); /* best effort: the end marker, a last reply */
	s->dead = 1;
	fd_watch(s, s->infd, &s->in_ev, 0);
	if (s->outfd != s->infd)
		fd_watch(s, s->outfd, &s->out_ev, 0);
	mgmt_dbg_unsubscribe(m, s);
	for (ps = &m->sessions; *ps; ps = &(*ps)->next) {
		if (*ps == s) {
			*ps = s->next;
			break;
		}
	}
	if (s->remote) {
		m->nremote--;
		close(s->infd);
	} else if (s->saved_fl >= 0) {
		fcntl(s->outfd, F_SETFL, s->saved_fl);
	}
	linebuf_fini(&s->lb);
	wqueue_fini(&s->wq);
	free(s);
}

void
mgmt_session_close(struct mgmt_session *s)
{
	if (s == NULL || (s->dead && s->busy))
		return;
	if (s->busy > 0) {
		s->dead = 1; /* freed when its callback unwinds */
		fd_watch(s, s->infd, &s->in_ev, 0);
		if (s->outfd != s->infd)
			fd_watch(s, s->outfd, &s->out_ev, 0);
		return;
	}
	mgmt_session_free(s);
}

int
mgmt_session_fd(const struct mgmt_session *s)
{
	return s && !s->dead ? s->outfd : -1;
}

int
mgmt_session_is_remote(const struct mgmt_session *s)
{
	return s && s->remote;
}

struct mgmt_session *
mgmt_adopt_fd(struct mgmt *m, int fd)
{
	struct mgmt_session *s;
	struct wqueue hello;

	if (m->cfg.maxsessions && m->nremote >= m->cfg.maxsessions) {
		errno = EUSERS;
		return NULL;
	}
	if (sock_set_nonblock(fd) < 0 || sock_set_cloexec(fd) < 0)
		return NULL;
	if ((s = session_new(m, fd, fd, 1)) == NULL)
		return NULL;
	s->prompt = 1;
	if (fd_watch(s, fd, &s->in_ev, LOOP_IN) < 0) {
		m->nremote--;
		m->sessions = s->next;
		linebuf_fini(&s->lb);
		free(s);
		return NULL;
	}
	wqueue_init(&hello, 0);
	if (m->banner)
		wqueue_printf(&hello, "%s\n", m->banner);
	wqueue_printf(&hello, "%s", m->prompt);
	mgmt_session_send(s, mgmt_wq_data(&hello), hello.len);
	wqueue_fini(&hello);
	return s;
}

struct mgmt_session *
mgmt_console(struct mgmt *m, int infd, int outfd, void (*on_eof)(void *arg), void *arg)
{
	struct mgmt_session *s;
	int fl;

	if ((s = session_new(m, infd, outfd, 0)) == NULL)
		return NULL;
	/* like the reference: no banner, a prompt after each reply only on a terminal */
	s->prompt = isatty(infd);
	s->on_eof = on_eof;
	s->arg = arg;
	if ((fl = fcntl(outfd, F_GETFL)) >= 0 && !(fl & O_NONBLOCK) &&
	    fcntl(outfd, F_SETFL, fl | O_NONBLOCK) == 0)
		s->saved_fl = fl;
	if (fd_watch(s, infd, &s->in_ev, LOOP_IN) < 0) {
		mgmt_session_free(s);
		return NULL;
	}
	return s;
}

/* ---- Listening socket ---- */

static void mgmt_accept(struct loop *l, int fd, unsigned events, void *arg);

static uint64_t
mgmt_accept_resume(struct loop *l, void *arg)
{
	struct mgmt *m = arg;

	m->accept_timer = NULL;
	if (m->lfd >= 0 && loop_add_fd(l, m->lfd, LOOP_IN, mgmt_accept, m) < 0)
		log_warn("mgmt: cannot watch the management socket");
	return 0;
}

static void
mgmt_accept(struct loop *l, int fd, unsigned events, void *arg)
{
	struct mgmt *m = arg;
	int c, i;

	for (i = 0; i < 16; i++) {
		if ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				/* out of descriptors: pause listening instead of spinning */
				log_warn("mgmt: accept");
				loop_del_fd(l, fd);
				m->accept_timer = loop_add_timer(l, 200000, mgmt_accept_resume, m);
			}
			return;
		}
		if (mgmt_adopt_fd(m, c) == NULL) {
			log_warnx_rl(&m->rl, "mgmt: connection refused: %s", strerror(errno));
			close(c);
		}
	}
}

int
mgmt_listen(struct mgmt *m, const char *path, mode_t mode, gid_t gid)
{
	int fd, err;

	if (m->lfd >= 0) {
		errno = EBUSY;
		return -1;
	}
	if ((fd = sock_unix_listen(path, SOCK_STREAM, 16, mode)) < 0)
		return -1;
	if ((m->lpath = strdup(path)) == NULL)
		goto fail;
	if (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) < 0)
		goto fail;
	if (mode && chmod(path, mode) < 0)
		goto fail;
	if (sock_set_nonblock(fd) < 0 || loop_add_fd(m->loop, fd, LOOP_IN, mgmt_accept, m) < 0)
		goto fail;
	m->lfd = fd;
	return 0;

fail:
	err = errno;
	close(fd);
	unlink(path);
	free(m->lpath);
	m->lpath = NULL;
	errno = err;
	return -1;
}

void
mgmt_sessions_fini(struct mgmt *m)
{
	while (m->sessions)
		mgmt_session_free(m->sessions);
	if (m->accept_timer)
		loop_del_timer(m->loop, m->accept_timer);
	m->accept_timer = NULL;
	if (m->lfd >= 0) {
		loop_del_fd(m->loop, m->lfd);
		close(m->lfd);
		unlink(m->lpath);
		m->lfd = -1;
	}
	free(m->lpath);
	m->lpath = NULL;
}
