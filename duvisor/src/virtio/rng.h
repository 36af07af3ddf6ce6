/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-rng (virtio spec 5.4): one queue of device-writable buffers,
 * filled from the host's getrandom(). That never blocks the server: while
 * the host's CRNG is not seeded (a freshly booted host), the request
 * waits and dv_vrng_serve() asks to be called again; the guest never gets
 * bytes the host would not hand out itself.
 */
#ifndef DV_VIRTIO_RNG_H
#define DV_VIRTIO_RNG_H

#include <stdbool.h>

#include <linux/virtio_rng.h>

#include "virtio/dev.h"
#include "virtio/transport.h"

#define DV_VRNG_QUEUE_SIZE 64
#define DV_VRNG_MAX_REQ	   4096 /* bytes filled per request at most */

struct dv_vrng {
	struct dv_virtio_mmio t;
	struct dv_vdev_kick kick;
	atomic_uint pending;
	struct dv_virtq_req *req;
	uint64_t bytes;	   /* handed to the guest */
	bool held;	   /* req was popped and waits for the host's CRNG */
	uint32_t held_gen; /* its transport generation */
};

int dv_vrng_init(struct dv_vrng *r, const struct dv_guest_mem *mem, struct dv_irq_line irq,
		 struct dv_vdev_kick kick);
void dv_vrng_destroy(struct dv_vrng *r);
/* Serve the queue. True if a request waits for the host's CRNG: call again later. */
bool dv_vrng_serve(struct dv_vrng *r);

#endif /* DV_VIRTIO_RNG_H */
