/* Doorbells and descriptor passing of the shared-memory data path (see shmbell.h). */
#include <errno.h>
#include <string.h>

#include "shmbell.h"

void
shmbell_ring(int fd)
{
	char c = 1;

	while (send(fd, &c, 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

int
shmbell_clear(int fd)
{
	char buf[256];
	int rung = 0;
	ssize_t r;

	while ((r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0)
			rung = 1;
	return r == 0 ? -1 : rung;
}

void
shmbell_fds_attach(struct msghdr *mh, union shmbell_cbuf *cbuf, const int *fds, int n)
{
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(*cbuf));
	mh->msg_control = cbuf->buf;
	mh->msg_controllen = CMSG_SPACE((size_t)n * sizeof(int));
	cm = CMSG_FIRSTHDR(mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, (size_t)n * sizeof(int));
}

void
shmbell_fds_each(struct msghdr *mh, void (*take)(void *arg, int fd), void *arg)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		size_t n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			take(arg, fd);
		}
	}
}
