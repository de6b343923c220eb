/*
 * Fast spanning tree, pure: one RSTP (802.1w) instance per VLAN, driven by BPDUs, port events
 * and the current time (ms); it answers through callbacks (send a BPDU frame on a port, flush
 * MACs after a topology change, report role/state changes). No I/O, no clock, no logging.
 * Without an instance or while disabled every port forwards.
 */
#ifndef VDE_STP_H
#define VDE_STP_H

#include <stddef.h>
#include <stdint.h>

#define STP_HELLO_MS    2000
#define STP_MAXAGE_S    20
#define STP_FWDDELAY_MS 15000
#define STP_EDGE_MS     3000 /* no BPDU for this long on a designated port: it is an edge */
#define STP_PORTCOST    20000000u
#define STP_FRAMELEN    60   /* untagged BPDU frame, padded */

enum stp_state { STP_DISCARDING, STP_LEARNING, STP_FORWARDING };
enum stp_role { STP_ROLE_UNKNOWN, STP_ROLE_ROOT, STP_ROLE_DESIGNATED, STP_ROLE_ALTERNATE,
		STP_ROLE_BACKUP, STP_ROLE_EDGE };

struct stp;

struct stp_ops {
	/* One BPDU frame (untagged, STP_FRAMELEN bytes) for port on vlan. */
	void (*send)(void *arg, uint16_t vlan, unsigned port, const uint8_t *frame, size_t len);
	/* Topology change: forget MACs learned on port (in every VLAN). */
	void (*flush)(void *arg, uint16_t vlan, unsigned port);
	/* A port's role or state changed (for the debug categories). */
	void (*changed)(void *arg, uint16_t vlan, unsigned port, enum stp_role role,
			enum stp_state state);
	/* The root bridge or root port of vlan changed. */
	void (*root)(void *arg, uint16_t vlan, uint64_t root, int rootport);
};

struct stp_portinfo {
	enum stp_role role;
	enum stp_state state;
	int tagged, edge, admin_edge;
	uint32_t cost;
};

struct stp_vlaninfo {
	uint64_t root, bridge, designated;
	uint32_t rootcost;
	int rootport;         /* -1: we are the root */
	unsigned bonusport;
	uint32_t bonuscost;
	unsigned age;         /* of the root information, seconds */
};

struct stp *stp_new(const uint8_t mac[6], uint16_t prio, const struct stp_ops *ops, void *arg);
void stp_free(struct stp *st);
/* Enabled: BPDUs flow and states apply; disabled: everything forwards. */
void stp_enable(struct stp *st, int on, uint64_t now_ms);
int stp_enabled(const struct stp *st);

/* VLAN instances (one per existing VLAN). */
int stp_vlan_add(struct stp *st, uint16_t vlan);
void stp_vlan_del(struct stp *st, uint16_t vlan);
int stp_vlan_exists(const struct stp *st, uint16_t vlan);

/* Port membership of an instance: up (active, tagged or not) or down. */
int stp_port_up(struct stp *st, uint16_t vlan, unsigned port, int tagged, uint64_t now_ms);
void stp_port_down(struct stp *st, uint16_t vlan, unsigned port, uint64_t now_ms);
int stp_set_edge(struct stp *st, uint16_t vlan, unsigned port, int edge, uint64_t now_ms);
int stp_set_bonus(struct stp *st, uint16_t vlan, unsigned port, uint32_t cost, uint64_t now_ms);

/* A frame addressed to 01:80:c2:00:00:00 received on port in vlan (tag already removed). */
void stp_rx(struct stp *st, uint16_t vlan, unsigned port, const uint8_t *frame, size_t len,
	    uint64_t now_ms);
/* Timers: call at least every 500 ms. */
void stp_tick(struct stp *st, uint64_t now_ms);

/* Forwarding state of port in vlan (STP_FORWARDING without an instance or when disabled). */
enum stp_state stp_state(const struct stp *st, uint16_t vlan, unsigned port);
int stp_port_info(const struct stp *st, uint16_t vlan, unsigned port, struct stp_portinfo *pi);
int stp_vlan_info(const struct stp *st, uint16_t vlan, struct stp_vlaninfo *vi);
const char *stp_role_name(enum stp_role r);
const char *stp_state_name(enum stp_state s);

/* Whether frame is addressed to the bridge group address 01:80:c2:00:00:00. */
int stp_is_bpdu(const uint8_t *frame);

#endif
