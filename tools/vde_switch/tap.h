/*
 * Tap ports: Linux tap interfaces (IFF_TAP, no packet information) as endpoints of the switch,
 * each on an automatically chosen port, described by its interface name, module "tuntap".
 * They come from -t/--tap at startup and from tap/add and tap/del at run time.
 */
#ifndef VDE_TAP_H
#define VDE_TAP_H

#include "mgmt.h"
#include "switch.h"

/* Opens (creating if needed) interface name and attaches it to a free port; -1 with errno. */
int tap_add(struct sw *sw, const char *name);
/* Closes the tap endpoint called name; -1 with errno ENOENT if there is none. */
int tap_del(struct sw *sw, const char *name);
/* Closes a tap endpoint (port/epclose, datasock_ep_close, shutdown). */
void tap_ep_close(struct sw *sw, struct endpoint *ep);
/* Closes every tap and frees the receive buffers. */
void tap_fini(struct sw *sw);

/* tap/add, tap/del, tap/print. */
extern const struct mgmt_cmd tap_cmds[];

#endif
