/*
 * Events for plugins (vdeplugin.h's struct dbgcl): a registry of the switch's built-in events
 * and the plugins' categories, subscriptions by path prefix, and the packet filters. The
 * switch raises an event only when it has subscribers (EV_ON), so an idle registry costs one
 * test per site. Console debug output stays with mgmt_dbg; a plugin category with help text
 * gets an mgmt_dbg of its own so debug/list and debug/add see it.
 */
#ifndef VDE_EVENT_H
#define VDE_EVENT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "switch.h"
#include "vdeplugin.h"

struct evdbg;

struct events {
	struct dbgcl port_plus, port_minus, port_descr, ep_plus, ep_minus;
	struct dbgcl hash_plus, hash_minus;
	struct dbgcl fstp_status, fstp_root, fstp_plus, fstp_minus;
	struct dbgcl packet_in, packet_out;
	struct dbgcl *list;   /* every registered dbgcl */
	struct evdbg *dbgs;   /* console categories of plugin dbgcls */
	uint8_t *scratch;     /* packet/out: the private copy a filter works on */
};

/* Whether event NAME (a member of struct events) has subscribers. */
#define EV_ON(sw, name) ((sw)->ev != NULL && (sw)->ev->name.nfun > 0)

/* The hash/+ and hash/- argument: VLAN << 48 | MAC. */
static inline uint64_t
event_mac_key(const uint8_t mac[6], uint16_t vlan)
{
	uint64_t k = (uint64_t)(vlan & 0xfff) << 48;

	for (int i = 0; i < 6; i++)
		k |= (uint64_t)mac[i] << (40 - 8 * i);
	return k;
}

int event_init(struct sw *sw);
void event_fini(struct sw *sw);

/* Registers a category/event (a plugin's); -1 with errno EEXIST if the path is taken. */
int event_register(struct sw *sw, struct dbgcl *cl);
void event_unregister(struct sw *sw, struct dbgcl *cl);
/* Subscriptions by path or path prefix ending in '/'; -1 with errno ENOENT if none matched. */
int event_subscribe(struct sw *sw, intfun fun, const char *path, void *arg);
int event_unsubscribe(struct sw *sw, intfun fun, const char *path, void *arg);
/* Drops every subscription whose function lies in [lo, hi) (an unloaded plugin's). */
void event_forget_range(struct sw *sw, uintptr_t lo, uintptr_t hi);

/* Calls every subscriber of cl with the arguments in ap. */
void event_vraise(struct dbgcl *cl, va_list ap);
void event_raise(struct dbgcl *cl, ...);
/* DBGOUT's target: the console category of a plugin dbgcl. */
void event_vdebug(struct sw *sw, struct dbgcl *cl, const char *fmt, va_list ap);

/* packet/in: the filtered length of frame (may be rewritten in place), or -1 to drop it. */
int event_filter_in(struct sw *sw, int port, uint8_t *frame, size_t len);
/* packet/out: a filtered private copy of frame for port (valid until the next call) and its
 * length in *outlen, or NULL to drop it. */
uint8_t *event_filter_out(struct sw *sw, int port, const uint8_t *frame, size_t len,
			  size_t *outlen);

#endif
