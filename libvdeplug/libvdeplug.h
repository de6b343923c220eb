/*
 * libvdeplug: connect a program to a Virtual Distributed Ethernet.
 * Source-compatible with the reference libvdeplug (VDE2 and vdeplug4): the same six calls for
 * frames, the same stream codec API, the same vde_open macro. Locators ("VNL"):
 *   PATH, vde://PATH, PATH[N], vde://PATH[N]   a vde_switch (port N, 0 = management port)
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
	int port;    /* 0: any free port */
	char *group; /* group given access to our data socket, or NULL */
	mode_t mode; /* mode of our data socket; 0 means the default (0700) */
};

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
 * stream. vdestream_recv accepts any chunking and calls frecv once per complete frame.
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
