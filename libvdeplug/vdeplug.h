/*
 * Internal interface between the locator dispatcher (vdeplug.c) and the transports
 * (mod_*.c). Every VDECONN starts with a struct vdeconn whose ops point at its transport;
 * a transport allocates a larger struct embedding it first. Nothing here is exported.
 */
#ifndef VDEPLUG_INTERNAL_H
#define VDEPLUG_INTERNAL_H

#include <sys/socket.h>
#include <sys/un.h>

#include "libvdeplug.h"
#include "vnl.h"

struct vdeconn {
	const struct vdeplug_transport *ops;
};

/* Resolved open parameters handed to a transport (locator values override open_args). */
struct vdeplug_params {
	int port;          /* VNL_PORT_ANY, VNL_PORT_MGMT or 1..65535 */
	const char *group; /* NULL if none */
	mode_t mode;       /* never 0: 0700 when nothing was asked */
	const char *descr; /* never NULL */
};

struct vdeplug_transport {
	const char *name;
	VDECONN *(*open)(const struct vnl *vnl, const struct vdeplug_params *params);
	ssize_t (*recv)(VDECONN *conn, void *buf, size_t len, int flags);
	ssize_t (*send)(VDECONN *conn, const void *buf, size_t len, int flags);
	int (*datafd)(VDECONN *conn);
	int (*ctlfd)(VDECONN *conn);
	int (*close)(VDECONN *conn);
};

extern const struct vdeplug_transport vdeplug_vde;
extern const struct vdeplug_transport vdeplug_ptp;
extern const struct vdeplug_transport vdeplug_seqpacket;

/*
 * Send one datagram (to ADDR if not NULL). When the peer's queue is full (EAGAIN, or ENOBUFS
 * on some kernels) wait for room up to VDEPLUG_SEND_RETRY_MS, then fail with EAGAIN: the frame
 * is not sent. With MSG_DONTWAIT in FLAGS it never waits.
 */
#define VDEPLUG_SEND_RETRY_MS 100
/* Milliseconds on the monotonic clock. */
long vdeplug_now_ms(void);
ssize_t vdeplug_send(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
		     socklen_t addrlen);

/* SUN = PATH followed by SUFFIX. Returns 0, or -1 with errno ENAMETOOLONG. */
int vdeplug_sun(struct sockaddr_un *sun, const char *path, const char *suffix);

/*
 * Data sockets (AF_UNIX datagrams, close-on-exec) of the vde and ptp transports:
 * _open gives one whose inode mode starts at 0700, so it is never open even before its
 * permissions are set; _bufs asks for large kernel buffers; _close closes FD (if >= 0) and
 * removes the socket file LOCAL (if not empty), keeping errno.
 */
#define VDEPLUG_SOCKBUF (4 * 1024 * 1024)
int vdeplug_dgram_open(void);
void vdeplug_dgram_bufs(int fd);
void vdeplug_dgram_close(int fd, const char *local);

/* Resolve a group name or number to a gid. Returns 0 or -1 (errno EINVAL). */
int vdeplug_group(const char *group, gid_t *gid);

#endif
