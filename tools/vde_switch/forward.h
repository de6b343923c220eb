/*
 * The data path: one received frame is learned and forwarded (hub: flooded) to the endpoints of
 * the destination ports; frames are gathered per endpoint during a receive batch and sent with
 * one sendmmsg each at the end. An endpoint that cannot take them gets a bounded queue.
 */
#ifndef VDE_FORWARD_H
#define VDE_FORWARD_H

#include <stddef.h>
#include <stdint.h>

#include "switch.h"

/* Where a frame goes, decided from the frame alone (pure). */
enum forward_kind {
	FWD_DROP_VLAN,  /* tagged frame on a port not a member of its VLAN, or port VLAN 4095 */
	FWD_FLOOD,      /* broadcast, multicast or unknown unicast: every port of the VLAN */
	FWD_UNICAST,    /* one known port */
	FWD_LOCAL,      /* destination on the input port, or port learning: learn only */
	FWD_DROP_STP,   /* input port discarding (spanning tree) */
	FWD_BPDU,       /* spanning tree BPDU (FSTP on): consumed */
};

/* Decides frame handling for a frame of len >= 14 bytes arriving on port inport (hub: flood). */
enum forward_kind forward_decide(struct sw *sw, int inport, const uint8_t *frame, size_t len,
				 uint16_t *vlan, int *outport);
/* Learns and forwards one frame from ep (buffer stays valid until forward_flush). Frames go
 * to ports carrying their VLAN, tagged or untagged as each port carries it. */
void forward_frame(struct sw *sw, struct endpoint *ep, uint8_t *frame, size_t len);
/* The same for a frame of a vnet tap with its offload header (NULL: an ordinary frame): it
 * goes whole to vnet taps, segmented and checksummed to every other endpoint. */
void forward_frame_gso(struct sw *sw, struct endpoint *ep, uint8_t *frame, size_t len,
		       const struct gso_hdr *gso);
/* Sends everything gathered in this batch. */
void forward_flush(struct sw *sw);
/* Sends one frame of the switch's own (a BPDU) to ep at once, through ep's transport (a vnet
 * tap gets its offload header, a ring its record), counted like any; dropped if ep is full. */
void forward_send_now(struct sw *sw, struct endpoint *ep, const uint8_t *frame, size_t len);
/* LOOP_OUT on ep's data socket: sends queued frames; returns the number still queued. */
unsigned forward_drain(struct sw *sw, struct endpoint *ep);
/* Drops ep's queue and pending frames (endpoint closing). */
void forward_forget(struct sw *sw, struct endpoint *ep);

#endif
