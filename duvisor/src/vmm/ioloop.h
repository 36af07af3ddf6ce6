/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The I/O thread's event loop: file descriptors watched with epoll, each
 * with a handler called on the loop's thread. Handlers are caller-owned
 * structures that stay valid while their fd is in the loop.
 */
#ifndef DV_IOLOOP_H
#define DV_IOLOOP_H

#include <stdbool.h>
#include <stdint.h>

struct dv_io_handler {
	int fd;
	void (*fn)(struct dv_io_handler *h, uint32_t events); /* EPOLLIN... */
	void *opaque;
	bool control;	 /* still served while the loop is paused (signals, wake-ups) */
	uint32_t events; /* what it is watched for (kept while paused) */
};

#define DV_IOLOOP_MAX 64 /* handlers in one loop */

struct dv_ioloop {
	int epfd;
	bool paused;
	unsigned int n;
	struct dv_io_handler *h[DV_IOLOOP_MAX];
};

int dv_ioloop_init(struct dv_ioloop *l); /* 0 or -errno */
void dv_ioloop_destroy(struct dv_ioloop *l);
/* Watch h->fd for events (0: registered but quiet). 0 or -errno (-ENOSPC: full). */
int dv_ioloop_add(struct dv_ioloop *l, struct dv_io_handler *h, uint32_t events);
int dv_ioloop_modify(struct dv_ioloop *l, struct dv_io_handler *h, uint32_t events);
/*
 * Paused, only the control handlers are served: the others stay registered,
 * watched for nothing, until the loop goes on (vmm/pause.h). 0 or -errno.
 */
int dv_ioloop_pause(struct dv_ioloop *l, bool paused);
/* Wait up to timeout_ms (-1: forever) and run the handlers. 0 or -errno (not EINTR). */
int dv_ioloop_run_once(struct dv_ioloop *l, int timeout_ms);

/* An eventfd: a cheap "wake the loop" any thread can post to. */
int dv_eventfd_new(void);
void dv_eventfd_post(int fd);
void dv_eventfd_drain(int fd);

#endif /* DV_IOLOOP_H */
