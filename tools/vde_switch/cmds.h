/*
 * The switch's management commands (ds/, showinfo, hash/, port/) and debug categories,
 * registered in the reference's help order around the mgmt server's built-in tables.
 */
#ifndef VDE_CMDS_H
#define VDE_CMDS_H

#include "switch.h"

int cmds_register(struct sw *sw);
void cmds_unregister(struct sw *sw);
/* (Re)arms the MAC table garbage collector with sw->gcint. */
int cmds_gc_start(struct sw *sw);

#endif
