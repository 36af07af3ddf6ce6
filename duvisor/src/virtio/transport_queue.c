// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtio-mmio transport, the device's side: its queues, interrupts and
 * status for the device model, and serving queues from another thread
 * than the guest's vCPUs (see transport.h).
 */
#include <errno.h>

#include "virtio/transport.h"
#include "virtio/transport_int.h"

struct dv_virtq *dv_virtio_mmio_queue(struct dv_virtio_mmio *dev, unsigned int queue)
{
	struct dv_virtq *vq = NULL;

	dv_lock(&dev->lock);
	if (queue < dev->ops->nqueues && dev->q[queue].ready)
		vq = &dev->q[queue].vq;
	dv_unlock(&dev->lock);
	return vq;
}

uint32_t dv_virtio_mmio_status(struct dv_virtio_mmio *dev)
{
	uint32_t st;

	dv_lock(&dev->lock);
	st = dev->status;
	dv_unlock(&dev->lock);
	return st;
}

uint64_t dv_virtio_mmio_features(struct dv_virtio_mmio *dev)
{
	uint64_t f;

	dv_lock(&dev->lock);
	f = dev->driver_features;
	dv_unlock(&dev->lock);
	return f;
}

void dv_virtio_mmio_notify_used(struct dv_virtio_mmio *dev, unsigned int queue)
{
	dv_lock(&dev->lock);
	if (queue < dev->ops->nqueues) {
		dev->isr |= VIRTIO_MMIO_INT_VRING;
		dv_virtio_mmio_update_irq(dev);
	}
	dv_unlock(&dev->lock);
}

void dv_virtio_mmio_config_changed(struct dv_virtio_mmio *dev)
{
	dv_lock(&dev->lock);
	dev->config_generation++;
	dev->isr |= VIRTIO_MMIO_INT_CONFIG;
	dv_virtio_mmio_update_irq(dev);
	dv_unlock(&dev->lock);
}

void dv_virtio_mmio_needs_reset(struct dv_virtio_mmio *dev)
{
	dv_lock(&dev->lock);
	dv_virtio_mmio_needs_reset_locked(dev);
	dv_unlock(&dev->lock);
}

/* The queue a device may serve now: ready, DRIVER_OK, not waiting for a reset. */
static struct dv_virtq *live_queue(struct dv_virtio_mmio *d, unsigned int queue)
{
	if (queue >= d->ops->nqueues || !d->q[queue].ready ||
	    !(d->status & VIRTIO_CONFIG_S_DRIVER_OK) || (d->status & VIRTIO_CONFIG_S_NEEDS_RESET))
		return NULL;
	return &d->q[queue].vq;
}

int dv_virtio_mmio_pop(struct dv_virtio_mmio *dev, unsigned int queue, struct dv_virtq_req *req,
		       uint32_t *generation)
{
	struct dv_virtq *vq;
	int ret = 0;

	dv_lock(&dev->lock);
	vq = live_queue(dev, queue);
	if (vq) {
		ret = dv_virtq_pop(vq, req);
		if (ret < 0)
			dv_virtio_mmio_needs_reset_locked(dev);
	}
	*generation = dev->generation;
	dv_unlock(&dev->lock);
	return ret;
}

int dv_virtio_mmio_push(struct dv_virtio_mmio *dev, unsigned int queue, uint32_t generation,
			uint16_t head, uint32_t written)
{
	struct dv_virtq *vq;
	int ret = -ESTALE;

	dv_lock(&dev->lock);
	vq = live_queue(dev, queue);
	if (vq && generation == dev->generation) {
		ret = dv_virtq_push(vq, head, written);
		if (ret < 0)
			dv_virtio_mmio_needs_reset_locked(dev);
	}
	dv_unlock(&dev->lock);
	return ret;
}

bool dv_virtio_mmio_signal_used(struct dv_virtio_mmio *dev, unsigned int queue)
{
	struct dv_virtq *vq;
	bool sent = false;

	dv_lock(&dev->lock);
	vq = live_queue(dev, queue);
	if (vq && dv_virtq_should_notify(vq)) {
		dev->isr |= VIRTIO_MMIO_INT_VRING;
		dv_virtio_mmio_update_irq(dev);
		sent = true;
	}
	dv_unlock(&dev->lock);
	return sent;
}

bool dv_virtio_mmio_queue_has_work(struct dv_virtio_mmio *dev, unsigned int queue)
{
	struct dv_virtq *vq;
	bool more = false;

	dv_lock(&dev->lock);
	vq = live_queue(dev, queue);
	if (vq)
		more = dv_virtq_has_avail(vq);
	dv_unlock(&dev->lock);
	return more;
}

uint32_t dv_virtio_mmio_generation(struct dv_virtio_mmio *dev)
{
	uint32_t g;

	dv_lock(&dev->lock);
	g = dev->generation;
	dv_unlock(&dev->lock);
	return g;
}
