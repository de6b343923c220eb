/*
 * Socket helpers for AF_UNIX and friends. All descriptors are created close-on-exec.
 */
#ifndef VDE_SOCK_H
#define VDE_SOCK_H

#include <sys/types.h>

int sock_set_nonblock(int fd);
int sock_set_cloexec(int fd);
/*
 * Binds and (for stream/seqpacket) listens on a unix socket at path. A stale socket file (connect
 * refused) is removed first; a live one gives EADDRINUSE. mode is applied with chmod unless 0.
 */
int sock_unix_listen(const char *path, int type, int backlog, mode_t mode);
int sock_unix_connect(const char *path, int type);
/* Credentials of the peer of a connected unix socket. */
int sock_peercred(int fd, pid_t *pid, uid_t *uid, gid_t *gid);
/* Writes all of buf, retrying on EINTR and waiting (poll) on EAGAIN up to timeout_ms in total
 * (negative: no limit); ETIMEDOUT when it expires. */
int sock_write_all(int fd, const void *buf, size_t len, int timeout_ms);

#endif
