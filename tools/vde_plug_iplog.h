/*
 * IP address log for vde_plug -L: remembers the IPv4/IPv6 source addresses seen per VLAN in a
 * bounded table (the least recently seen entry makes room) and says when one is new. Pure: no
 * I/O, no logging; the caller decides where the message goes.
 */
#ifndef VDE_PLUG_IPLOG_H
#define VDE_PLUG_IPLOG_H

#include <stddef.h>
#include <stdint.h>

struct iplog_entry {
	uint64_t last;	  /* logical time of the last sighting: larger is more recent */
	uint16_t vlan;	  /* 0 for untagged frames */
	uint8_t family;	  /* 4 or 6 */
	uint8_t addr[16]; /* IPv4 uses the first 4 bytes */
};

struct iplog {
	struct iplog_entry *tab;
	size_t n, cap;
	uint64_t clock;
};

int iplog_init(struct iplog *il, size_t cap);
void iplog_fini(struct iplog *il);
/*
 * Looks at an Ethernet frame (an 802.1Q tag is understood). Returns 1 and writes a message
 * such as "IPv4 10.0.0.1 vlan 0" into msg when its source address is new, 0 otherwise
 * (known address, not IP, truncated or unspecified source).
 */
int iplog_frame(struct iplog *il, const void *frame, size_t len, char *msg, size_t msglen);

#endif
