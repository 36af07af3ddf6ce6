/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-rng (virtio spec 5.4): one queue of device-writable buffers,
 * filled from the host's getrandom().
 */
#ifndef DV_VIRTIO_RNG_H
#define DV_VIRTIO_RNG_H

#include "virtio_dev.h"
#include "virtio_mmio.h"

#define DV_VRNG_QUEUE_SIZE 64
#define DV_VRNG_MAX_REQ	   4096 /* bytes filled per request at most */

struct dv_vrng {
	struct dv_virtio_mmio t;
	struct dv_vdev_kick kick;
	atomic_uint pending;
	struct dv_virtq_req *req;
	uint64_t bytes; /* handed to the guest */
};

int dv_vrng_init(struct dv_vrng *r, const struct dv_guest_mem *mem, struct dv_irq_line irq,
		 struct dv_vdev_kick kick);
void dv_vrng_destroy(struct dv_vrng *r);
void dv_vrng_serve(struct dv_vrng *r);

#endif /* DV_VIRTIO_RNG_H */
