/*
 * Shared by the switch test clients: the v3 handshake, written against the wire format of the
 * switch (magic, version, type, sockaddr_un, description) rather than through libvdeplug.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hsclient.h"

#define HS_DESCR_MAX 128

int
hs_connect(const char *dir, const char *tag, uint32_t type, const char *descr, int *ctl,
	   struct sockaddr_un *peer)
{
	struct sockaddr_un ctlsun = { .sun_family = AF_UNIX }, me = { .sun_family = AF_UNIX };
	uint8_t req[12 + sizeof(struct sockaddr_un) + HS_DESCR_MAX];
	uint32_t magic = 0xfeedface, ver = 3;
	size_t dlen = strnlen(descr, HS_DESCR_MAX);
	int cfd, dfd, r = -1;

	snprintf(ctlsun.sun_path, sizeof(ctlsun.sun_path), "%s/ctl", dir);
	snprintf(me.sun_path, sizeof(me.sun_path), "%s/.%s-%d", dir, tag, (int)getpid());
	if ((cfd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    connect(cfd, (struct sockaddr *)&ctlsun, sizeof(ctlsun)) < 0) {
		perror("connect ctl");
		return -1;
	}
	if ((dfd = socket(AF_UNIX, SOCK_DGRAM, 0)) < 0) {
		perror("socket");
		goto out_ctl;
	}
	unlink(me.sun_path);
	if (bind(dfd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("bind");
		goto out_data;
	}
	memcpy(req, &magic, 4);
	memcpy(req + 4, &ver, 4);
	memcpy(req + 8, &type, 4);
	memcpy(req + 12, &me, sizeof(me));
	memcpy(req + 12 + sizeof(me), descr, dlen);
	if (send(cfd, req, 12 + sizeof(me) + dlen, 0) < 0) {
		perror("send request");
		goto out_unlink;
	}
	r = -2;
	if (recv(cfd, peer, sizeof(*peer), MSG_WAITALL) != (ssize_t)sizeof(*peer) ||
	    connect(dfd, (struct sockaddr *)peer, sizeof(*peer)) < 0)
		goto out_unlink;
	unlink(me.sun_path);
	*ctl = cfd;
	return dfd;
out_unlink:
	unlink(me.sun_path);
out_data:
	close(dfd);
out_ctl:
	close(cfd);
	return r;
}

void
hs_send(int fd, const void *buf, size_t len)
{
	while (send(fd, buf, len, 0) < 0) {
		if (errno != EAGAIN && errno != ENOBUFS && errno != EINTR) {
			perror("send");
			exit(1);
		}
		usleep(1000);
	}
}

int
hs_mac_parse(const char *s, uint8_t m[6])
{
	unsigned v[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		m[i] = (uint8_t)v[i];
	return 0;
}
