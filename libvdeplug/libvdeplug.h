/*
 * libvdeplug: connect a program to a Virtual Distributed Ethernet.
 * Source-compatible with the reference libvdeplug (VDE2 and vdeplug4): the same six calls for
 * frames, the same stream codec API, the same vde_open macro. Locators ("VNL"):
 *   PATH, vde://PATH, PATH[N], vde://PATH[N]   a vde_switch (port N, 0 = management port)
 *   PATH[NAME]                                  vdeplug4 port group: control socket PATH/NAME
 *                                               if there is one, else PATH/ctl (any port)
 *   ptp://PATH                                  two processes joined directly
 *   seqpacket://FD                              an already connected SOCK_SEQPACKET descriptor
 * An empty locator means the default switch.
 */
#ifndef LIBVDEPLUG_H
#define LIBVDEPLUG_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBVDEPLUG_INTERFACE_VERSION 1

/* Largest frame carried end to end (Ethernet header included, no FCS). */
#define VDE_MAXFRAME 65535
/* Compatibility with vdeplug4's header. */
#define VDE_MAXMTU 9216
#define VDE_ETHBUFSIZE (VDE_MAXMTU + 14 + 4)

struct vdeconn;
typedef struct vdeconn VDECONN;

struct vde_open_args {
	int port;    /* 0: any free port; negative: the management port 0 (as vdeplug4) */
	char *group; /* group given access to our data socket, or NULL */
	mode_t mode; /* mode of our data socket; 0 means the default (0700) */
};

/*
 * vde_open: VNL NULL or "" means the default switch ($HOME/.vdeplug/default,
 * $HOME/.vde2/default.switch, /var/run/vde.ctl, /tmp/vde.ctl: the first that exists; a regular
 * file there, or as PATH, holds the real locator on its first line). vde:// also takes
 * PATH[port=N/portgroup=NAME/group=G/mode=M]. descr and open_args may be NULL; a port in the
 * locator wins over open_args->port. Our data socket is never world-accessible (other bits are
 * dropped from the mode); with a group it gets group access, without one it stays 0700 unless
 * the switch belongs to another non-root user whose group we can chown it to.
 * Errors (NULL + errno): EPROTONOSUPPORT unknown scheme, EINVAL bad locator or interface
 * version, ENOENT no switch there, ECONNREFUSED the switch closed the request (port bad or
 * busy, access denied), ETIMEDOUT no reply within 10 s, or $VDEPLUG_TIMEOUT seconds (1-3600)
 * (Debian's vde_switch 2.3.2 never answers a request it refuses), ELOOP too many locator files.
 * vde_send: one frame per call; when the peer's queue is full it waits up to 100 ms for room,
 * then fails with EAGAIN (the frame is dropped); with MSG_DONTWAIT it never waits.
 * vde_ctlfd: the switch's control stream (EOF = the switch dropped us), -1 for ptp/seqpacket.
 */
#define vde_open(vnl, descr, open_args) \
	vde_open_real((vnl), (descr), LIBVDEPLUG_INTERFACE_VERSION, (open_args))

VDECONN *vde_open_real(char *vnl, char *descr, int interface_version,
		       struct vde_open_args *open_args);
ssize_t vde_recv(VDECONN *conn, void *buf, size_t len, int flags);
ssize_t vde_send(VDECONN *conn, const void *buf, size_t len, int flags);
int vde_datafd(VDECONN *conn);
int vde_ctlfd(VDECONN *conn);
int vde_close(VDECONN *conn);

/*
 * Stream codec: frames as a 2-byte big-endian length followed by the frame, over any byte
 * stream. vdestream_recv accepts any chunking and calls frecv once per complete frame; after
 * garbage (e.g. a login banner) it calls ferr(PACKET_LENGTH_ERROR, ...) once and resynchronises
 * on content without losing the valid frames that follow (heuristic: see streamcodec.h).
 * vdestream_send writes one frame of 1..65535 bytes with one writev, finishing partial writes;
 * it returns len, or -1 with EINVAL for a bad size (nothing is silently dropped).
 */
struct vdestream;
typedef struct vdestream VDESTREAM;

#define PACKET_LENGTH_ERROR 1

VDESTREAM *vdestream_open(void *opaque, int fdout,
			  ssize_t (*frecv)(void *opaque, void *buf, size_t count),
			  void (*ferr)(void *opaque, int type, char *format, ...));
ssize_t vdestream_send(VDESTREAM *vdestream, const void *buf, size_t len);
void vdestream_recv(VDESTREAM *vdestream, unsigned char *buf, size_t len);
void vdestream_close(VDESTREAM *vdestream);

#ifdef __cplusplus
}
#endif

#endif
