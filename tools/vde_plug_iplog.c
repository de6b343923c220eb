/*
 * vde_plug's IP address log: per-VLAN table of source addresses with LRU replacement.
 * The table is small (hundreds of entries) and only consulted for IP frames when -L is on,
 * so a linear scan is the simplest correct choice.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vde_plug_iplog.h"

#define ETH_HLEN_      14
#define ETHTYPE_VLAN   0x8100
#define ETHTYPE_QINQ   0x88a8
#define ETHTYPE_IPV4   0x0800
#define ETHTYPE_IPV6   0x86dd

int
iplog_init(struct iplog *il, size_t cap)
{
	if (cap == 0) {
		errno = EINVAL;
		return -1;
	}
	il->tab = calloc(cap, sizeof(*il->tab));
	if (il->tab == NULL)
		return -1;
	il->n = 0;
	il->cap = cap;
	il->clock = 0;
	return 0;
}

void
iplog_fini(struct iplog *il)
{
	free(il->tab);
	il->tab = NULL;
	il->n = il->cap = 0;
}

static int
iplog_unspecified(const uint8_t *addr, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (addr[i] != 0)
			return 0;
	return 1;
}

/*
 * Extracts (vlan, family, source address) from a frame:
 *   dst(6) src(6) [0x8100 TCI(2)] ethertype(2) payload
 * IPv4 source at payload+12 (header >= 20 bytes), IPv6 source at payload+8 (header 40 bytes).
 */
static int
iplog_parse(const uint8_t *f, size_t len, struct iplog_entry *e)
{
	size_t off = 12;
	unsigned type;

	if (len < ETH_HLEN_)
		return 0;
	memset(e, 0, sizeof(*e));
	type = (unsigned)f[off] << 8 | f[off + 1];
	if (type == ETHTYPE_VLAN || type == ETHTYPE_QINQ) {
		if (len < off + 6)
			return 0;
		e->vlan = (uint16_t)(((unsigned)f[off + 2] << 8 | f[off + 3]) & 0xfff);
		off += 4;
		type = (unsigned)f[off] << 8 | f[off + 1];
	}
	off += 2;
	if (type == ETHTYPE_IPV4 && len >= off + 20 && f[off] >> 4 == 4) {
		e->family = 4;
		memcpy(e->addr, f + off + 12, 4);
		return !iplog_unspecified(e->addr, 4);
	}
	if (type == ETHTYPE_IPV6 && len >= off + 40 && f[off] >> 4 == 6) {
		e->family = 6;
		memcpy(e->addr, f + off + 8, 16);
		return !iplog_unspecified(e->addr, 16);
	}
	return 0;
}

int
iplog_frame(struct iplog *il, const void *frame, size_t len, char *msg, size_t msglen)
{
	char text[INET6_ADDRSTRLEN];
	struct iplog_entry e, *slot;
	size_t i, alen;

	if (!iplog_parse(frame, len, &e))
		return 0;
	alen = e.family == 4 ? 4 : 16;
	il->clock++;
	for (i = 0; i < il->n; i++) {
		slot = &il->tab[i];
		if (slot->family == e.family && slot->vlan == e.vlan &&
		    memcmp(slot->addr, e.addr, alen) == 0) {
			slot->last = il->clock;
			return 0;
		}
	}
	if (il->n < il->cap) {
		slot = &il->tab[il->n++];
	} else {
		slot = &il->tab[0];
		for (i = 1; i < il->n; i++)
			if (il->tab[i].last < slot->last)
				slot = &il->tab[i];
	}
	*slot = e;
	slot->last = il->clock;
	if (msg != NULL && msglen > 0) {
		inet_ntop(e.family == 4 ? AF_INET : AF_INET6, e.addr, text, sizeof(text));
		snprintf(msg, msglen, "IPv%u %s vlan %u", e.family, text, e.vlan);
	}
	return 1;
}
