/*
 * Process helpers: pidfiles (created O_EXCL, removed at exit), daemonizing.
 */
#ifndef VDE_DAEMON_H
#define VDE_DAEMON_H

/* Creates path exclusively and writes our pid; the path is made absolute and remembered. */
int pidfile_create(const char *path);
/* Rewrites the pidfile after fork (daemonizing changes the pid). */
int pidfile_update(void);
void pidfile_remove(void);
/* Detaches: fork (the parent exits), setsid, chdir("/"), stdio to /dev/null; then rewrites the
 * pidfile, if one was created, with the new pid. */
int daemonize(void);

#endif
