/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the virtio device models (blk, net, rng, console) share.
 *
 * A vCPU that notifies a queue marks it pending and kicks the device's
 * server: the I/O thread or a thread of the device's own, which then calls
 * the device's serve function; or, for a disk with io=vcpu, a kick that
 * serves the queue on the notifying vCPU itself (blk_device.c, one vCPU
 * at a time). With no kick function (unit tests, fuzzers) the notify
 * serves the queue at once, on the caller's thread.
 */
#ifndef DV_VIRTIO_DEV_H
#define DV_VIRTIO_DEV_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/virtio_ids.h> /* device IDs (spec 5) */

#include "virtio/queue.h"

struct dv_vdev_kick {
	void (*fn)(void *ctx); /* NULL: serve inline */
	void *ctx;
};

/* Queues a vCPU notified and the server has not served yet, one bit each. */
static inline void dv_vdev_mark(atomic_uint *pending, unsigned int queue)
{
	atomic_fetch_or(pending, 1u << queue);
}

static inline unsigned int dv_vdev_take(atomic_uint *pending)
{
	return atomic_exchange(pending, 0);
}

/* A device's notify op: mark the queue, then kick the server, or serve inline without one. */
static inline void dv_vdev_notify(atomic_uint *pending, unsigned int queue,
				  const struct dv_vdev_kick *kick, void (*serve)(void *dev),
				  void *dev)
{
	dv_vdev_mark(pending, queue);
	if (kick->fn)
		kick->fn(kick->ctx);
	else
		serve(dev);
}

/*
 * Segment lists: copy len bytes at byte offset off of the concatenated
 * segments to or from buf. Return the bytes copied (less if the segments
 * end first).
 */
size_t dv_segs_read(const struct dv_virtq_seg *s, unsigned int n, uint64_t off, void *buf,
		    size_t len);
size_t dv_segs_write(const struct dv_virtq_seg *s, unsigned int n, uint64_t off, const void *buf,
		     size_t len);
/* An iovec for len bytes at offset off of the segments; returns the count, at most max. */
unsigned int dv_segs_iov(const struct dv_virtq_seg *s, unsigned int n, uint64_t off, uint64_t len,
			 struct iovec *iov, unsigned int max);

#endif /* DV_VIRTIO_DEV_H */
