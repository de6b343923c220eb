/*
 * Port mirroring (SPAN): copies of the frames a port receives and/or sends go to another port,
 * without hub mode. The forwarding side lives in forward.c (each port gets a frame at most once,
 * the input port never); this module holds the port/mirror commands.
 */
#ifndef VDE_MIRROR_H
#define VDE_MIRROR_H

#include "mgmt.h"
#include "switch.h"

/* port/mirror SRC DST [rx|tx|both], port/mirror SRC off, port/mirrorprint. */
extern const struct mgmt_cmd mirror_cmds[];

#endif
