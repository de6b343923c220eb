/*
 * The switch's one context: configuration, the port table, the MAC table, the control and data
 * sockets, the management server. Every module gets a struct sw *; only main.c has globals.
 * Port numbering (as upstream vde2 HEAD): ports 1..numports are for clients, port 0 is
 * reserved for management clients (REQ_NEW_PORT0); the port array has numports + 1 slots.
 */
#ifndef VDE_SWITCH_H
#define VDE_SWITCH_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "gso.h"
#include "log.h"

#define SW_VERSION_BANNER "VDE switch V." PACKAGE_VERSION "\n" \
	"(C) Virtual Square Team (coord. R. Davoli) 2005,2006,2007 - GPLv2\n"

#define SW_BATCH    64       /* datagrams per recvmmsg/sendmmsg */
#define SW_MAXFRAME 65535    /* largest frame forwarded */
#define SW_MINFRAME 14       /* shorter datagrams are not Ethernet frames */
#define SW_QFRAMES  256      /* back-pressure queue per endpoint: frames */
#define SW_QBYTES   (1u << 20) /* ... and bytes */
#define SW_SOCKBUF  (1 << 20) /* SO_SNDBUF / SO_RCVBUF of data sockets (the kernel doubles it) */
#define SW_NOVLAN   4095     /* untagged VLAN meaning "no untagged traffic" */
#define SW_NOUSER   ((uid_t)-1)
#define SW_NOGROUP  ((gid_t)-1)
#define SW_MIRROR_RX 1u
#define SW_MIRROR_TX 2u

struct loop;
struct mgmt;
struct mgmt_dbg;
struct fdb;
struct shmep;
struct datasock;
struct tapset;
struct events;
struct plugins;
struct stp;

/* Frames an endpoint could not take yet: records of [u32 length][struct gso_hdr, padded to
 * 12][frame, padded to 4]. */
struct frameq {
	uint8_t *buf;
	size_t head, tail, cap;
	unsigned n;
};

/* One client connection on a port (a port may have several: cable hand-off, redundancy). */
struct endpoint {
	struct sw *sw;
	struct port *port;
	struct endpoint *next; /* in port->eps */
	int ctlfd;             /* the control connection; its number is the endpoint ID */
	int datafd;            /* our DGRAM socket, connected to the client */
	uid_t uid;
	gid_t gid;
	char *descr;           /* as the client sent it (printed escaped) */
	const char *module;    /* "unix prog" */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1]; /* our bound data socket */
	/* this batch's frames for it (pointers into the receive buffers), their offloads */
	struct iovec pend[SW_BATCH];
	struct gso_hdr pgso[SW_BATCH];
	unsigned npend;
	struct endpoint *txnext; /* in sw->txlist while npend > 0 */
	struct frameq q;
	int waiting_out;         /* LOOP_OUT requested because q is not empty */
	uint64_t qdrops;
	int is_tap;              /* datafd (= ctlfd) is a tap: one write() per frame (tap.c) */
	int gso;                 /* a vnet tap: frames behind a gso_hdr, offloads kept (gso.h) */
	uint64_t gso_in, gso_out, gso_bad; /* super-frames read, written; bad offload headers */
	int rsingle;             /* frames come one at a time: recv() is cheaper than recvmmsg */
	uint64_t rlast_us;       /* loop time of the last single recv() */
	struct shmep *shm;       /* frames through shared-memory rings (shmep.h); datafd is
				  * its client -> switch eventfd */
};

struct port {
	int exists;
	int created;      /* by port/create: survives its last endpoint */
	int allocatable;   /* may be taken by "any port" requests */
	uid_t user;        /* ACL: SW_NOUSER = none */
	gid_t group;       /* ACL: SW_NOGROUP = none */
	uid_t curuser;     /* user of the endpoints now connected */
	uint16_t vlan;     /* untagged VLAN */
	struct endpoint *eps;
	unsigned neps;
	uint64_t in_pkts, in_bytes, out_pkts, out_bytes;
	uint64_t drop_runt, drop_oversize, drop_vlan, drop_queue;
	uint64_t mac_refused;      /* source MACs not learned: table or port cap (fdb) */
	unsigned mirror_to;        /* port/mirror: copies go to this port ... */
	unsigned mirror_dir;       /* ... of frames received (SW_MIRROR_RX) and/or sent (TX) */
	uint64_t mark;             /* sw->fwd_seq of the last frame given to this port */
	int trunk;                 /* tagged member of every existing VLAN (vlan/trunk) */
	uint64_t tagged[4096 / 64]; /* tagged VLAN memberships (vlan/addport) */
};

struct sw_config {
	unsigned numports;
	int hub;
	uint8_t mac[6];
	unsigned hashsize;
	char *dir;            /* control directory (absolute) */
	mode_t mode, dirmode;
	gid_t group;
	int daemon;
	const char *pidfile;
	const char *rcfile;
	const char *mgmt;
	mode_t mgmtmode;
	gid_t mgmtgroup;
	int nostdin;
	char **taps;          /* -t/--tap interfaces */
	unsigned ntaps;
	int mgmt_allow_load;  /* load and plugin/add allowed on the -M socket */
	int fstp;             /* -F: fast spanning tree at start */
	uint16_t priority;    /* --priority: FSTP bridge priority */
	int noshm;            /* --noshm: refuse shared-memory offers */
};

struct sw {
	struct sw_config cfg;
	struct loop *loop;
	struct mgmt *mgmt;
	struct fdb *fdb;
	struct datasock *ds;
	struct tapset *taps;
	struct events *ev;      /* events for plugins (event.c) */
	struct plugins *plugins; /* loaded plugins, their commands and timers (plugin.c) */
	struct port *ports;  /* cfg.numports + 1 */
	unsigned numports;
	int hub;
	uint64_t start_ms;
	/* MAC table timing, seconds */
	unsigned gcint, expire, minper;
	struct loop_timer *gctimer;
	uint64_t fdb_full, fdb_moves, fdb_portfull;
	/* port mirroring: some port has mirror_dir set; frame sequence for at-most-once copies */
	int mirroring;
	uint64_t fwd_seq;
	/* transmit batching */
	struct endpoint *txlist;
	/* debug categories */
	struct mgmt_dbg *dbg_port_plus, *dbg_port_minus, *dbg_port_descr;
	struct mgmt_dbg *dbg_ep_plus, *dbg_ep_minus;
	struct mgmt_dbg *dbg_hash_plus, *dbg_hash_minus;
	struct log_rl rl_hs, rl_data;
	/* VLANs and spanning tree (swvlan.c, fstp.c) */
	uint64_t vlans[4096 / 64];  /* existing VLANs (0 always) */
	struct stp *stp;
	struct loop_timer *stptimer;
	struct mgmt_dbg *dbg_fstp_status, *dbg_fstp_root, *dbg_fstp_plus, *dbg_fstp_minus;
	uint8_t *conv;              /* tag/untag copies of this batch's frames */
	size_t convoff;
	uint8_t *segbuf;            /* this batch's frames segmented for ports without offloads */
	size_t segoff;
	uint64_t gso_split, gso_segs, gso_unsplit; /* super-frames segmented, into, could not be */
};

#endif
