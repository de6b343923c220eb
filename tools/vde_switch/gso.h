/*
 * TCP segmentation offload, pure: the offload header a vnet tap puts before each frame (the
 * legacy virtio_net_hdr, host byte order), its sanity check, and turning an offloaded frame
 * into ordinary ones for ports that cannot take offloads: a partial checksum completed, a TCP
 * super-frame cut into gso_size segments with their own lengths, IDs, sequence numbers, flags
 * and checksums. The original is never modified. No I/O.
 */
#ifndef VDE_GSO_H
#define VDE_GSO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define GSO_F_NEEDS_CSUM 1    /* checksum from csum_start to the end, stored at +csum_offset */
#define GSO_F_DATA_VALID 2    /* checksum already verified */
#define GSO_NONE         0
#define GSO_TCPV4        1
#define GSO_TCPV6        4
#define GSO_ECN          0x80 /* with TCPV4/TCPV6: the flow uses ECN (CWR on the first only) */
/* Largest super-frame: an IP packet of 65535 bytes (plus an IPv6 header) behind an Ethernet
 * header and two VLAN tags. */
#define GSO_MAXFRAME     (65535 + 40 + 14 + 8)

/* Byte for byte the legacy struct virtio_net_hdr (10 bytes). */
struct gso_hdr {
	uint8_t flags;
	uint8_t type;
	uint16_t hdr_len;     /* a hint: headers may be shorter */
	uint16_t size;        /* payload bytes per segment */
	uint16_t csum_start;  /* where the checksummed data (the TCP header) begins */
	uint16_t csum_offset; /* of the checksum field from csum_start */
};

/* Whether the frame needs work before it can go out without offloads. */
static inline int
gso_pending(const struct gso_hdr *h)
{
	return h != NULL && ((h->flags & GSO_F_NEEDS_CSUM) || h->type != GSO_NONE);
}

/* 0 if h is a header the kernel may send with a frame of len bytes, else -1 with errno EINVAL
 * (unknown flags or type, checksum outside the frame, segmentation without a checksum). */
int gso_check(const uint8_t *frame, size_t len, const struct gso_hdr *h);

/* How many ordinary frames gso_segment makes of frame and how many bytes of out it needs
 * (the frames and their iovecs, with alignment); -1 with errno EINVAL if it cannot (not
 * Ethernet/[802.1Q]/IPv4|IPv6/TCP as the header says, IPv4 fragment, ...). */
int gso_count(const uint8_t *frame, size_t len, const struct gso_hdr *h, size_t *need);

/*
 * Writes the ordinary frames of an offloaded frame into out (cap bytes, at least what
 * gso_count says) and points *segs at their iovecs (also in out). A frame with only
 * NEEDS_CSUM becomes one frame with its checksum completed. Returns the number of frames, or
 * -1 with errno EINVAL (see gso_count) or ENOSPC (cap too small).
 */
int gso_segment(const uint8_t *frame, size_t len, const struct gso_hdr *h, uint8_t *out,
		size_t cap, struct iovec **segs);

/* The header of the frame with an 802.1Q tag inserted (delta 4) or removed (-4) after the
 * MAC addresses; -1 if the result would point inside the Ethernet header. */
int gso_vlan_shift(struct gso_hdr *h, int delta);

#endif
