/*
 * Shared-memory frame rings: the fast data path between our libvdeplug and our vde_switch.
 *
 * The client creates a sealed memfd holding a header and two single-producer single-consumer
 * byte rings (client to switch, switch to client), and four doorbells (AF_UNIX stream
 * socketpairs: the client keeps one end of each and offers the other), and offers them with
 * SCM_RIGHTS on its handshake request. Doorbells are sockets, not eventfds, because a peer can
 * change the flags of a shared file description: send and recv take MSG_DONTWAIT per call, so
 * no peer can make the other side block on one. A switch that takes the offer answers with the usual
 * reply plus one descriptor (SCM_RIGHTS); a switch that does not (VDE2's) never sees the
 * descriptors, and the connection stays on datagrams.
 *
 * Records: u32 length (1..SHMRING_MAXFRAME), the frame, padding to 8 bytes. A record that
 * would cross the end of the data area is preceded by a wrap marker (u32 SHMRING_WRAP) and
 * starts at offset 0. head and tail count bytes (wrapping u32): head is written only by the
 * producer, tail only by the consumer. Neither side trusts the other: every index and length
 * read from shared memory is checked (SHMRING_CORRUPT), and frames are copied out.
 *
 * Wake-ups, per direction: the producer rings the data doorbell when the ring was empty before
 * its record (the consumer may be asleep); a consumer that finds the ring empty clears the
 * doorbell (reads what is pending) and looks again. A producer that finds the ring full sets
 * need_space and waits on the space doorbell, which the consumer rings once it made room. Pure
 * memory operations: ringing and clearing the doorbells is the caller's.
 */
#ifndef VDE_SHMRING_H
#define VDE_SHMRING_H

#include <stddef.h>
#include <stdint.h>

#define SHMRING_MAGIC    0x52454456u /* "VDER" */
#define SHMRING_VERSION  1
#define SHMRING_MAXFRAME 65536u
#define SHMRING_WRAP     0xffffffffu
/* Each ring's data area: a power of two, room for many maximal frames. */
#define SHMRING_SIZE     ((uint32_t)1 << 20)
#define SHMRING_MINSIZE  ((uint32_t)1 << 18)
#define SHMRING_MAXSIZE  ((uint32_t)1 << 26)

/* The doorbells of an offer, in SCM_RIGHTS order after the memfd. */
enum shm_efd {
	SHM_EFD_C2S_DATA,  /* client -> switch frames: the switch waits on it */
	SHM_EFD_C2S_SPACE, /* room in the client -> switch ring: the client waits on it */
	SHM_EFD_S2C_DATA,  /* switch -> client frames: the client waits on it (vde_datafd) */
	SHM_EFD_S2C_SPACE, /* room in the switch -> client ring: the switch waits on it */
	SHM_NEFD
};

struct shmring_ctl {
	uint32_t head;      /* producer's position */
	uint8_t pad1[60];
	uint32_t tail;      /* consumer's position */
	uint8_t pad2[60];
	uint32_t need_space; /* the producer waits for room */
	uint8_t pad3[60];
};

/* Start of the memfd. Data areas follow at SHMRING_DATA_OFF, c2s first, each ringsize bytes. */
struct shmring_hdr {
	uint32_t magic;
	uint32_t version;
	uint32_t ringsize;
	uint8_t pad[52];
	struct shmring_ctl c2s, s2c;
};

#define SHMRING_DATA_OFF 4096u

/* One side's view of one ring: a local copy of the size (never re-read from shared memory). */
struct shmring {
	struct shmring_ctl *ctl;
	uint8_t *data;
	uint32_t size;
};

/* Total memfd size for rings of SIZE bytes. */
size_t shmring_mapsize(uint32_t size);
/* Writes the header of a fresh mapping (the client). */
void shmring_format(void *map, uint32_t size);
/*
 * Checks a mapping of MAPLEN bytes (the switch, on an offer) and sets up both views; 0, or -1
 * if the header is not ours or the sizes do not fit MAPLEN.
 */
int shmring_attach(void *map, size_t maplen, struct shmring *c2s, struct shmring *s2c);

enum shmring_rc {
	SHMRING_OK = 0,
	SHMRING_EMPTY = 1,  /* pop: nothing there */
	SHMRING_FULL = 2,   /* push: no room now */
	SHMRING_CORRUPT = -1 /* the peer broke the protocol: stop using the ring */
};

/*
 * Appends one frame (1..SHMRING_MAXFRAME bytes). *KICK is set when the ring was empty before
 * it: the caller then rings the data doorbell.
 */
int shmring_push(struct shmring *r, const void *frame, size_t len, int *kick);
/*
 * Copies the next frame into BUF (at most CAP bytes; *LEN gets the frame's whole length, a
 * longer frame is cut) and removes it. *KICK is set when the producer waits for room: the
 * caller then rings the space doorbell.
 */
int shmring_pop(struct shmring *r, void *buf, size_t cap, size_t *len, int *kick);
/* 1 if the ring holds a frame (after a full barrier: the consumer's check before sleeping). */
int shmring_readable(struct shmring *r);
/*
 * The producer found the ring full: asks for a ring of the space doorbell. Returns 1 if room
 * appeared meanwhile (then no kick will come: push again).
 */
int shmring_want_space(struct shmring *r, size_t len);

#endif
