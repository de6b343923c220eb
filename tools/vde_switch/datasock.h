/*
 * The control directory: the ctl listener where clients ask for a port (the vde2 v3 handshake,
 * legacy v1, UML's daemon transport), and one connected DGRAM data socket per endpoint.
 */
#ifndef VDE_DATASOCK_H
#define VDE_DATASOCK_H

#include "switch.h"

/* Creates (or reuses a stale) control directory and its ctl socket; -1 with errno. */
int datasock_open(struct sw *sw);
/* Closes every endpoint and pending handshake, removes the sockets and the directory. */
void datasock_close(struct sw *sw);
/* Closes one endpoint (port/epclose, shutdown). */
void datasock_ep_close(struct sw *sw, struct endpoint *ep);
/* Handshakes in progress and refused so far (for ds/showinfo). */
unsigned datasock_pending(const struct sw *sw);

#endif
