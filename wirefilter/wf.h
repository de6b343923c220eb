/*
 * wirefilter's context, shared by main.c (options, setup), link.c (the two sides and the two
 * directions of the cable) and cmds.c (the management console). Sides: 0 = left, 1 = right.
 * Direction d carries frames from side d to side 1 - d: LR = 0, RL = 1 (as in the model).
 */
#ifndef WF_H
#define WF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "iobuf.h"
#include "libvdeplug.h"
#include "log.h"
#include "model.h"
#include "queue.h"

#define WF_BUFSIZE 65536 /* frames up to 65535 bytes */

struct wf;
struct loop;
struct loop_timer;
struct mgmt;
struct mgmt_dbg;

/* One end of the cable: a libvdeplug connection, or a vde_plug stream on two descriptors. */
struct wf_side {
	struct wf *wf;
	int idx;
	char *name;
	VDECONN *conn;
	int datafd, ctlfd;
	int infd, outfd;    /* stream; -1 when the side has no input or no output */
	VDESTREAM *dec;     /* stream input decoder */
	struct wqueue out;  /* stream output not yet written */
	int in_open, out_open;
	int in_watched;     /* input is being read (not paused) */
	unsigned data_ev, in_ev, out_ev; /* events registered in the loop */
	int out_wait;       /* waiting for the output to become writable */
	int out_registered; /* stream outfd is in the loop */
};

/* One direction: its delay queue and why its input may be paused. */
struct wf_dir {
	struct wfq q;
	uint64_t hold_until_ns; /* speed: the sender's interface is busy */
	int out_blocked;        /* the output side cannot take more now */
	int out_retry;          /* ENOBUFS: retry on a timer (poll does not report room) */
	uint64_t late_n, late_sum_ns, late_max_ns; /* queued frames sent after their due time */
};

struct wf {
	struct loop *loop;
	struct model *model;
	struct mgmt *mgmt;
	struct mgmt_dbg *dbg_markov;
	struct wf_side side[2];
	struct wf_dir dir[2];
	int has_dir[2];
	struct loop_timer *timer;
	uint64_t timer_due_ns;
	int in_timer;
	int blinkfd;
	struct sockaddr_un blinkaddr;
	char blinkid[64];
	unsigned char *buf;     /* input */
	unsigned char *scratch; /* a corrupted copy */
	struct log_rl rl;
};

/* link.c */
uint64_t wf_now_ns(void);
int link_plug(struct wf *wf, int s, const char *vnl);
int link_stream(struct wf *wf, int s, int infd, int outfd);
/* Registers the sides in the loop and starts the timer. */
int link_start(struct wf *wf);
void link_free(struct wf *wf);
/* Parameters changed: re-evaluate paused inputs and the timer. */
void link_changed(struct wf *wf);

/* cmds.c */
int cmds_register(struct wf *wf);

#endif
