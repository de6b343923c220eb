/*
 * What the switch test clients (rawclient, vlanclient) share: the v3 handshake on DIR/ctl from
 * a datagram socket bound to DIR/.TAG-PID, a sender that waits out a full queue, a MAC parser.
 * Deliberately independent of libvdeplug, so the tests see the raw protocol.
 */
#ifndef TESTS_HSCLIENT_H
#define TESTS_HSCLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#define HS_REQ_PORT0 1 /* request type of the management port 0 */

/*
 * Asks the switch in DIR for a port: TYPE is the request's type word (port << 8, or
 * HS_REQ_PORT0). Returns the connected data socket and stores the control stream in *CTL
 * and the switch's data socket address in *PEER, or -1 after perror() if the switch cannot be reached, or -2 if it refused (closed the
 * control stream or sent no full reply). The bound socket file is gone either way.
 */
int hs_connect(const char *dir, const char *tag, uint32_t type, const char *descr, int *ctl,
	       struct sockaddr_un *peer);

/* Sends one datagram on FD, retrying while the switch's queue is full; exits on errors. */
void hs_send(int fd, const void *buf, size_t len);

/* "xx:xx:xx:xx:xx:xx" into M: 0, or -1. */
int hs_mac_parse(const char *s, uint8_t m[6]);

#endif
