/*
 * Locator ("VNL") parsing for libvdeplug: a pure function, no I/O, so tests and fuzzers call it
 * directly. "scheme://rest" selects a transport; a string without "://" means the vde transport.
 * For vde the rest is PATH with an optional trailing "[...]" holding a port number or vdeplug4
 * options (port=N/portgroup=N/group=G/mode=M, '/' or ',' separated). A port that is a name
 * instead of a number is a vdeplug4 port group: the switch's control socket PATH/NAME.
 */
#ifndef VDEPLUG_VNL_H
#define VDEPLUG_VNL_H

#include <sys/types.h>

#define VNL_SCHEME_MAX 16
#define VNL_PATH_MAX 4096
#define VNL_GROUP_MAX 64
#define VNL_PORTGROUP_MAX 64

/* vnl.port values besides 1..N */
#define VNL_PORT_ANY 0    /* no port requested: the switch picks a free one */
#define VNL_PORT_MGMT (-1) /* "[0]": the management port 0 (REQ_NEW_PORT0) */

struct vnl {
	char scheme[VNL_SCHEME_MAX];
	char path[VNL_PATH_MAX];   /* the rest after "scheme://", options removed for vde */
	int has_port;              /* a port (or "[]") was given in the locator */
	int port;                  /* VNL_PORT_ANY, VNL_PORT_MGMT or 1..65535 */
	char portgroup[VNL_PORTGROUP_MAX]; /* "" if none; else port is VNL_PORT_ANY */
	char group[VNL_GROUP_MAX]; /* "" if none */
	mode_t mode;               /* 0 if none */
};

/* Parse S into *V. Returns 0, or -1 with *why set to a static reason (errno EINVAL). */
int vnl_parse(const char *s, struct vnl *v, const char **why);

#endif
