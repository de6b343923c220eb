/*
 * The switch side of the fast spanning tree (stp.c is the pure state machine): creates the
 * instances, runs their timer, sends BPDUs to the endpoints of a port (tagged where the port
 * carries the VLAN tagged), flushes MACs on topology changes, and the fstp/ commands.
 */
#ifndef VDE_FSTP_H
#define VDE_FSTP_H

#include "mgmt.h"
#include "switch.h"

/* Creates the spanning tree (enabled with -F unless in hub mode) and its VLAN 0 instance. */
int fstp_init(struct sw *sw);
void fstp_fini(struct sw *sw);
/* Debug categories fstp/status, fstp/root, fstp/+, fstp/- (after hash/, as the reference). */
int fstp_dbg_register(struct sw *sw);
/* Hub mode on: the spanning tree stops. */
void fstp_hub(struct sw *sw);

extern const struct mgmt_cmd fstp_cmds[];

#endif
