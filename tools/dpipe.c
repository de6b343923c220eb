/*
 * dpipe: run commands joined by bidirectional pipes ("a = b": a's stdout feeds b's stdin and
 * b's stdout feeds a's stdin). Middle commands talk to the next one through the descriptors
 * named in ALTERNATE_STDIN/ALTERNATE_STDOUT (3 and 4); "=}" / "}=" and "={" / "{=" make a
 * command one-directional. Needs only libc. Exit status: that of the last command.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* What a command does with the two lanes: data going right (R) and going left (L). */
enum dir { DIR_BOTH, DIR_RIGHT, DIR_LEFT };

/* Slots of a command's descriptors, in the order they are installed as 0, 1, 3, 4. */
enum { SLOT_IN, SLOT_OUT, SLOT_ALTIN, SLOT_ALTOUT, NSLOTS };

struct cmd {
	char **argv;
	enum dir dir;
	int fd[NSLOTS]; /* -1: inherited from dpipe (slots 0, 1) or absent (3, 4) */
	pid_t pid;
};

struct dpipe {
	struct cmd *cmds;
	int ncmds;
	int daemon, nowrap, noclean;
	char *pidfile, *pgrpfile; /* absolute (-d changes directory) */
};

static const char *progname = "dpipe";
/* The running commands, for the signal handler that forwards SIGTERM/SIGINT/SIGHUP. */
static struct dpipe *running;

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage:\n"
		"  %s [OPTIONS] cmd1 [arg1...] = cmd2 [arg2...] [= cmd3 [arg3...]] ...\n"
		"    using: ... =} cmd [arg] }= ...\n"
		"       or: ... ={ cmd [arg] {= ...\n"
		"    instead of ... = cmd [arg] = ...\n"
		"  means that the intermediate command processes data flowing in one direction\n"
		"  only (left to right, or right to left respectively, as the brackets show)\n"
		"OPTIONS:\n"
		"  -p PIDFILE | --pidfile PIDFILE     write process id to PIDFILE\n"
		"  -P PGRPFILE | --pgrpfile PGRPFILE  write process group id (negative)\n"
		"                                     to PGRPFILE\n"
		"  -d | --daemon                      daemonize the process group\n"
		"  -n | --nowrapproc                  do not create the dpipe parent process\n"
		"  -N | --nowrapnoclean               -n and do not remove pid/pgrp file\n"
		"  -h | --help                        show this short summary\n",
		progname);
}

/* A separator is "=" with an optional bracket on each side: [{}]?=[{}]? */
static int
sep_parse(const char *s, char *left, char *right)
{
	size_t n = strlen(s);
	const char *eq = strchr(s, '=');

	if (n < 1 || n > 3 || eq == NULL || strchr(eq + 1, '=') != NULL)
		return 0;
	if (eq - s > 1 || (eq > s && *s != '{' && *s != '}'))
		return 0;
	if (eq[1] != '\0' && eq[1] != '{' && eq[1] != '}')
		return 0;
	*left = eq > s ? *s : 0;
	*right = eq[1];
	return 1;
}

/* Splits argv at the separators into commands; checks that each bracket pair matches. */
static int
dpipe_split(struct dpipe *dp, int argc, char **argv)
{
	char left = 0, right = 0, bracket = 0;
	int i, start = 0;

	dp->cmds = calloc((size_t)argc + 1, sizeof(*dp->cmds));
	if (dp->cmds == NULL)
		return -1;
	for (i = 0; i <= argc; i++) {
		if (i < argc && !sep_parse(argv[i], &left, &right))
			continue;
		if (i == start) {
			fprintf(stderr, "%s: empty command\n", progname);
			return -1;
		}
		if (i < argc && left != bracket) {
			fprintf(stderr,
				"%s: '%s' does not match the separator before the command\n",
				progname, argv[i]);
			return -1;
		}
		if (i == argc && bracket != 0) {
			fprintf(stderr, "%s: the last command cannot be one-directional\n",
				progname);
			return -1;
		}
		dp->cmds[dp->ncmds].argv = argv + start;
		dp->cmds[dp->ncmds].dir = bracket == '}'   ? DIR_RIGHT
					  : bracket == '{' ? DIR_LEFT
							   : DIR_BOTH;
		dp->ncmds++;
		if (i < argc) {
			argv[i] = NULL;
			bracket = right;
		}
		start = i + 1;
	}
	if (dp->ncmds < 2) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static int
dpipe_link(int *wfd, int *rfd)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	*rfd = p[0];
	*wfd = p[1];
	return 0;
}

/*
 * Walks the chain left to right remembering who produces the right-going lane (rp) and who
 * consumes the left-going lane (lc); each command takes over one or both of them.
 */
static int
dpipe_plumb(struct dpipe *dp)
{
	int *rp, *lc, i, s;

	for (i = 0; i < dp->ncmds; i++)
		for (s = 0; s < NSLOTS; s++)
			dp->cmds[i].fd[s] = -1;
	rp = &dp->cmds[0].fd[SLOT_OUT];
	lc = &dp->cmds[0].fd[SLOT_IN];
	for (i = 1; i < dp->ncmds; i++) {
		struct cmd *c = &dp->cmds[i];
		int last = i == dp->ncmds - 1;

		if (c->dir != DIR_LEFT) {
			if (dpipe_link(rp, &c->fd[SLOT_IN]) < 0)
				return -1;
		}
		if (c->dir != DIR_RIGHT) {
			if (dpipe_link(&c->fd[SLOT_OUT], lc) < 0)
				return -1;
		}
		if (c->dir == DIR_RIGHT) {
			rp = &c->fd[SLOT_OUT];
		} else if (c->dir == DIR_LEFT) {
			lc = &c->fd[SLOT_IN];
		} else if (!last) {
			rp = &c->fd[SLOT_ALTOUT];
			lc = &c->fd[SLOT_ALTIN];
		}
	}
	return 0;
}

/* In the child: installs the command's descriptors as 0, 1, 3, 4 and executes it. */
static void __attribute__((noreturn))
cmd_exec(struct cmd *c, const sigset_t *mask)
{
	static const int target[NSLOTS] = { 0, 1, 3, 4 };
	int tmp[NSLOTS], s;

	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	for (s = 0; s < NSLOTS; s++) {
		tmp[s] = -1;
		if (c->fd[s] >= 0 && (tmp[s] = fcntl(c->fd[s], F_DUPFD_CLOEXEC, 10)) < 0)
			goto fail;
	}
	for (s = 0; s < NSLOTS; s++) {
		if (tmp[s] >= 0 && dup2(tmp[s], target[s]) < 0)
			goto fail;
	}
	if (c->fd[SLOT_ALTIN] >= 0 || c->fd[SLOT_ALTOUT] >= 0) {
		setenv("ALTERNATE_STDIN", "3", 1);
		setenv("ALTERNATE_STDOUT", "4", 1);
	} else {
		unsetenv("ALTERNATE_STDIN");
		unsetenv("ALTERNATE_STDOUT");
	}
	execvp(c->argv[0], c->argv);
fail:
	fprintf(stderr, "%s: %s: %s\n", progname, c->argv[0], strerror(errno));
	_exit(127);
}

static void
dpipe_close_all(struct dpipe *dp)
{
	int i, s;

	for (i = 0; i < dp->ncmds; i++)
		for (s = 0; s < NSLOTS; s++)
			if (dp->cmds[i].fd[s] >= 0) {
				close(dp->cmds[i].fd[s]);
				dp->cmds[i].fd[s] = -1;
			}
}

static int
write_idfile(const char *path, long id)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		fprintf(stderr, "%s: %s: %s\n", progname, path, strerror(errno));
		return -1;
	}
	fprintf(f, "%ld\n", id);
	if (fclose(f) != 0) {
		fprintf(stderr, "%s: %s: %s\n", progname, path, strerror(errno));
		return -1;
	}
	return 0;
}

static void
remove_idfiles(const struct dpipe *dp)
{
	if (dp->pidfile)
		unlink(dp->pidfile);
	if (dp->pgrpfile)
		unlink(dp->pgrpfile);
}

static void
on_signal(int signo)
{
	int i, saved = errno;

	for (i = 0; running != NULL && i < running->ncmds; i++)
		if (running->cmds[i].pid > 0)
			kill(running->cmds[i].pid, signo);
	errno = saved;
}

/*
 * -n with a pidfile or pgrpfile: a helper in its own process group outlives the last command
 * (our pid after exec) and removes the files when it dies (parent-death signal).
 */
static int
spawn_cleaner(struct dpipe *dp)
{
	pid_t parent = getpid(), pid;
	sigset_t set;
	int signo;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		return 0;
	}
	setpgid(0, 0);
	dpipe_close_all(dp);
	if (prctl(PR_SET_PDEATHSIG, SIGUSR1) < 0 || getppid() != parent)
		goto out;
	sigwait(&set, &signo);
out:
	remove_idfiles(dp);
	_exit(0);
}

static int
daemonize_here(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return -1;
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return -1;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

/* An allocated absolute path: it survives the chdir("/") of -d. */
static char *
abspath(const char *path)
{
	char cwd[4096], *s;

	if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return strdup(path);
	if (asprintf(&s, "%s/%s", cwd, path) < 0)
		return NULL;
	return s;
}

/* Waits for every child; returns the exit status of the last command (128+N if killed). */
static int
dpipe_wait(struct dpipe *dp)
{
	int alive = 0, status, i, rv = 0;
	pid_t pid;

	for (i = 0; i < dp->ncmds; i++)
		alive += dp->cmds[i].pid > 0;
	while (alive > 0) {
		pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < dp->ncmds; i++) {
			if (dp->cmds[i].pid != pid)
				continue;
			dp->cmds[i].pid = 0;
			alive--;
			if (i != dp->ncmds - 1)
				continue;
			rv = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
	}
	return rv;
}

static int
dpipe_run(struct dpipe *dp)
{
	struct sigaction sa;
	int i, first_forked, rv;
	sigset_t set, old;

	if (dp->daemon && daemonize_here() < 0) {
		fprintf(stderr, "%s: daemon: %s\n", progname, strerror(errno));
		return 1;
	}
	if ((dp->pgrpfile || dp->daemon) && getpgrp() != getpid())
		setpgid(0, 0);
	if (dpipe_plumb(dp) < 0) {
		fprintf(stderr, "%s: pipe: %s\n", progname, strerror(errno));
		return 1;
	}
	if (dp->pidfile && write_idfile(dp->pidfile, (long)getpid()) < 0)
		return 1;
	if (dp->pgrpfile && write_idfile(dp->pgrpfile, -(long)getpgrp()) < 0)
		return 1;
	if (dp->nowrap && !dp->noclean && (dp->pidfile || dp->pgrpfile) && spawn_cleaner(dp) < 0)
		fprintf(stderr, "%s: cleanup process: %s\n", progname, strerror(errno));
	/* Signals are forwarded to the children: installed with them blocked, before forking. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	if (!dp->nowrap) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		running = dp;
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	/* With -n the last command replaces dpipe: fork the others only. */
	first_forked = dp->nowrap ? dp->ncmds - 2 : dp->ncmds - 1;
	for (i = first_forked; i >= 0; i--) {
		dp->cmds[i].pid = fork();
		if (dp->cmds[i].pid < 0) {
			fprintf(stderr, "%s: fork: %s\n", progname, strerror(errno));
			break;
		}
		if (dp->cmds[i].pid == 0)
			cmd_exec(&dp->cmds[i], &old);
	}
	if (dp->nowrap)
		cmd_exec(&dp->cmds[dp->ncmds - 1], &old);
	dpipe_close_all(dp);
	sigprocmask(SIG_SETMASK, &old, NULL);
	rv = dpipe_wait(dp);
	remove_idfiles(dp);
	return rv;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "daemon", no_argument, NULL, 'd' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "pgrpfile", required_argument, NULL, 'P' },
		{ "nowrapproc", no_argument, NULL, 'n' },
		{ "nowrapnoclean", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dpipe dp = { 0 };
	int c, rv = 1;

	progname = argv[0];
	while ((c = getopt_long(argc, argv, "+dp:P:nNh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dp.daemon = 1;
			break;
		case 'p':
			free(dp.pidfile);
			if ((dp.pidfile = abspath(optarg)) == NULL)
				goto out;
			break;
		case 'P':
			free(dp.pgrpfile);
			if ((dp.pgrpfile = abspath(optarg)) == NULL)
				goto out;
			break;
		case 'N':
			dp.noclean = 1;
			/* fall through */
		case 'n':
			dp.nowrap = 1;
			break;
		case 'h':
			usage(stdout);
			rv = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (dpipe_split(&dp, argc - optind, argv + optind) < 0)
		goto out;
	signal(SIGPIPE, SIG_IGN);
	rv = dpipe_run(&dp);
out:
	free(dp.cmds);
	free(dp.pidfile);
	free(dp.pgrpfile);
	return rv;
}
