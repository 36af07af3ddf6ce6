// SPDX-License-Identifier: GPL-2.0-only
/* epoll event loop for the I/O thread: see ioloop.h. */
#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/ioloop.h"

#define MAX_EVENTS 16

int dv_ioloop_init(struct dv_ioloop *l)
{
	l->n = 0;
	l->paused = false;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -errno : 0;
}

void dv_ioloop_destroy(struct dv_ioloop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

static int ctl(struct dv_ioloop *l, int op, struct dv_io_handler *h, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = h};

	return epoll_ctl(l->epfd, op, h->fd, &ev) ? -errno : 0;
}

/* What the kernel watches h for: nothing while the loop is paused, unless h is control */
static uint32_t watched(const struct dv_ioloop *l, const struct dv_io_handler *h)
{
	return l->paused && !h->control ? 0 : h->events;
}

int dv_ioloop_add(struct dv_ioloop *l, struct dv_io_handler *h, uint32_t events)
{
	int rc;

	if (l->n >= DV_IOLOOP_MAX)
		return -ENOSPC;
	h->events = events;
	rc = ctl(l, EPOLL_CTL_ADD, h, watched(l, h));
	if (!rc)
		l->h[l->n++] = h;
	return rc;
}

int dv_ioloop_modify(struct dv_ioloop *l, struct dv_io_handler *h, uint32_t events)
{
	h->events = events;
	return ctl(l, EPOLL_CTL_MOD, h, watched(l, h));
}

int dv_ioloop_pause(struct dv_ioloop *l, bool paused)
{
	int rc = 0;

	l->paused = paused;
	for (unsigned int i = 0; i < l->n; i++) {
		int r = l->h[i]->control ? 0 : ctl(l, EPOLL_CTL_MOD, l->h[i], watched(l, l->h[i]));

		if (r && !rc)
			rc = r;
	}
	return rc;
}

int dv_ioloop_run_once(struct dv_ioloop *l, int timeout_ms)
{
	struct epoll_event ev[MAX_EVENTS];
	int n = epoll_wait(l->epfd, ev, MAX_EVENTS, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct dv_io_handler *h = ev[i].data.ptr;

		h->fn(h, ev[i].events);
	}
	return 0;
}

int dv_eventfd_new(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

void dv_eventfd_post(int fd)
{
	uint64_t one = 1;
	ssize_t r;

	do
		r = write(fd, &one, sizeof(one));
	while (r < 0 && errno == EINTR);
	/* EAGAIN: the counter is saturated, the loop will wake anyway */
}

void dv_eventfd_drain(int fd)
{
	uint64_t v;
	ssize_t r;

	do
		r = read(fd, &v, sizeof(v));
	while (r < 0 && errno == EINTR);
}
