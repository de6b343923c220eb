/*
 * Pidfile and daemonizing. The pidfile is created exclusively (an existing one is an error, as
 * with the reference tools) and its absolute path is remembered so that removal still works after
 * daemonize() has changed directory; the daemon's pid replaces the parent's by rename, atomically.
 * Only the process whose pid the file holds removes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"

static char *pidfile_path;
static pid_t pidfile_pid;

static int
pidfile_write(int fd)
{
	char buf[32];
	int n;

	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return -1;
	pidfile_pid = getpid();
	return 0;
}

int
pidfile_create(const char *path)
{
	char cwd[PATH_MAX], *abs;
	int fd, saved;

	if (pidfile_path != NULL) {
		errno = EBUSY;
		return -1;
	}
	if (path[0] == '/') {
		abs = strdup(path);
	} else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return -1;
		if (asprintf(&abs, "%s/%s", cwd, path) < 0)
			abs = NULL;
	}
	if (abs == NULL)
		return -1;
	if ((fd = open(abs, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		goto fail;
	if (pidfile_write(fd) < 0) {
		saved = errno;
		close(fd);
		unlink(abs);
		errno = saved;
		goto fail;
	}
	if (close(fd) < 0) {
		saved = errno;
		unlink(abs);
		errno = saved;
		goto fail;
	}
	pidfile_path = abs;
	return 0;

fail:
	saved = errno;
	free(abs);
	errno = saved;
	return -1;
}

int
pidfile_update(void)
{
	size_t len;
	char *tmp;
	int fd, r, saved;

	if (pidfile_path == NULL)
		return 0;
	/* a new file renamed over the old one: a reader never sees it empty or half written */
	len = strlen(pidfile_path);
	if ((tmp = malloc(len + 8)) == NULL)
		return -1;
	memcpy(tmp, pidfile_path, len);
	memcpy(tmp + len, ".XXXXXX", 8);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		free(tmp);
		return -1;
	}
	r = fchmod(fd, 0644) == 0 && pidfile_write(fd) == 0 && rename(tmp, pidfile_path) == 0 ? 0 : -1;
	saved = errno;
	if (r < 0)
		unlink(tmp);
	close(fd);
	free(tmp);
	errno = saved;
	return r;
}

void
pidfile_remove(void)
{
	if (pidfile_path == NULL)
		return;
	if (getpid() == pidfile_pid)
		unlink(pidfile_path);
	free(pidfile_path);
	pidfile_path = NULL;
}

/* The parent exits at once; the child continues in a new session with the pidfile updated. */
int
daemonize(void)
{
	pid_t pid;
	int fd;

	fflush(NULL);
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	if (chdir("/") < 0)
		return -1;
	if ((fd = open("/dev/null", O_RDWR)) < 0)
		return -1;
	if (dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
	    dup2(fd, STDERR_FILENO) < 0) {
		close(fd);
		return -1;
	}
	if (fd > STDERR_FILENO)
		close(fd);
	return pidfile_update();
}
