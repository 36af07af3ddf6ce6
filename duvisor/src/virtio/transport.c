// SPDX-License-Identifier: GPL-2.0-only
/* The virtio-mmio transport, version 2, its registers: see transport.h. */
#include "virtio/transport.h"
#include "virtio/transport_int.h"
#include "util/snapbuf.h"

#include <errno.h>
#include <string.h>

#define BIT64(n) (1ull << (n))

/* What the transport can carry: device bits 0..23 and the ring features virtq.c implements. */
#define TRANSPORT_FEATURES (BIT64(VIRTIO_RING_F_INDIRECT_DESC) | BIT64(VIRTIO_RING_F_EVENT_IDX))
#define DEVICE_FEATURES	   (BIT64(24) - 1)

#define STATUS_DRIVER_BITS                                                                         \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |      \
	 VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_FAILED)

void dv_virtio_mmio_update_irq(struct dv_virtio_mmio *d)
{
	bool level = d->isr != 0;

	if (level != d->level) {
		d->level = level;
		d->interrupts += level;
		dv_irq_set(&d->irq, level);
	}
}

static void reset_locked(struct dv_virtio_mmio *d)
{
	if (d->ops->reset)
		d->ops->reset(d->opaque);
	d->driver_features = 0;
	d->dev_features_sel = d->drv_features_sel = 0;
	d->queue_sel = 0;
	d->status = 0;
	d->isr = 0;
	memset(d->q, 0, sizeof(d->q));
	d->generation++; /* requests popped before this are never pushed */
	dv_virtio_mmio_update_irq(d);
}

int dv_virtio_mmio_init(struct dv_virtio_mmio *dev, const struct dv_guest_mem *mem,
			const struct dv_virtio_dev_ops *ops, void *opaque, struct dv_irq_line irq)
{
	memset(dev, 0, sizeof(*dev));
	if (!ops || !mem || ops->nqueues > DV_VIRTIO_MMIO_MAX_QUEUES || !ops->queue_max ||
	    (ops->queue_max & (ops->queue_max - 1)) || ops->queue_max > DV_VIRTQ_MAX_SIZE ||
	    ops->config_size > DV_VIRTIO_MMIO_SIZE - VIRTIO_MMIO_CONFIG)
		return -EINVAL;
	dv_lock_init(&dev->lock);
	dev->ops = ops;
	dev->opaque = opaque;
	dev->mem = mem;
	dev->irq = irq;
	dev->offered =
	    (ops->features & (DEVICE_FEATURES | TRANSPORT_FEATURES)) | BIT64(VIRTIO_F_VERSION_1);
	return 0;
}

void dv_virtio_mmio_destroy(struct dv_virtio_mmio *dev)
{
	(void)dev; /* nothing to free */
}

void dv_virtio_mmio_reset(struct dv_virtio_mmio *dev)
{
	dv_lock(&dev->lock);
	reset_locked(dev);
	dv_unlock(&dev->lock);
}

static bool features_ok(const struct dv_virtio_mmio *d)
{
	return (d->driver_features & BIT64(VIRTIO_F_VERSION_1)) &&
	       !(d->driver_features & ~d->offered);
}

/* Spec 3.1.1: the driver sets the status bits one step at a time, and never clears one. */
static void write_status(struct dv_virtio_mmio *d, uint32_t val)
{
	uint32_t cur = d->status & STATUS_DRIVER_BITS, want = val & STATUS_DRIVER_BITS;

	if (!val) {
		reset_locked(d);
		return;
	}
	if (cur & ~want)
		return;
	if ((want & VIRTIO_CONFIG_S_DRIVER) && !(want & VIRTIO_CONFIG_S_ACKNOWLEDGE))
		return;
	if ((want & VIRTIO_CONFIG_S_FEATURES_OK) && !(want & VIRTIO_CONFIG_S_DRIVER))
		return;
	if ((want & VIRTIO_CONFIG_S_DRIVER_OK) && !(want & VIRTIO_CONFIG_S_FEATURES_OK))
		return;
	/* Refused features leave FEATURES_OK clear for the driver to see (spec 3.1.1 step 6). */
	if ((want & VIRTIO_CONFIG_S_FEATURES_OK) && !(cur & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !features_ok(d))
		want &= ~(VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	d->status = want | (d->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

void dv_virtio_mmio_needs_reset_locked(struct dv_virtio_mmio *d)
{
	d->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	d->isr |= VIRTIO_MMIO_INT_CONFIG;
	dv_virtio_mmio_update_irq(d);
}

static struct dv_virtio_mmio_queue *sel_queue(struct dv_virtio_mmio *d)
{
	return d->queue_sel < d->ops->nqueues ? &d->q[d->queue_sel] : NULL;
}

static void set_ready(struct dv_virtio_mmio *d, struct dv_virtio_mmio_queue *q, uint32_t val)
{
	bool event_idx = d->driver_features & BIT64(VIRTIO_RING_F_EVENT_IDX);

	if (!val) {
		if (q->ready)
			d->generation++;
		q->ready = false;
		return;
	}
	if (q->ready || !(d->status & VIRTIO_CONFIG_S_FEATURES_OK))
		return;
	if (q->num > d->ops->queue_max || dv_virtq_setup(&q->vq, d->mem, (uint16_t)q->num, q->desc,
							 q->driver, q->device, event_idx)) {
		dv_virtio_mmio_needs_reset_locked(d);
		return;
	}
	q->ready = true;
}

static void set_half(uint64_t *v, bool high, uint32_t val)
{
	if (high)
		*v = (*v & 0xffffffffull) | ((uint64_t)val << 32);
	else
		*v = (*v & ~0xffffffffull) | val;
}

static uint32_t read_reg(struct dv_virtio_mmio *d, uint64_t off)
{
	struct dv_virtio_mmio_queue *q = sel_queue(d);

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return DV_VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return d->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return DV_VIRTIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (d->dev_features_sel > 1)
			return 0;
		return (uint32_t)(d->offered >> (32 * d->dev_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? d->ops->queue_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return d->isr;
	case VIRTIO_MMIO_STATUS:
		return d->status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return d->config_generation;
	default: /* write-only and reserved registers */
		return 0;
	}
}

/* Returns the queue to notify, or -1. */
static int write_reg(struct dv_virtio_mmio *d, uint64_t off, uint32_t val)
{
	struct dv_virtio_mmio_queue *q = sel_queue(d);
	/* Queue registers are read-only while the queue is live (spec 4.2.2.2). */
	struct dv_virtio_mmio_queue *wq = q && !q->ready ? q : NULL;

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		d->dev_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Negotiation happens between DRIVER and FEATURES_OK. */
		if (d->drv_features_sel <= 1 && (d->status & VIRTIO_CONFIG_S_DRIVER) &&
		    !(d->status & VIRTIO_CONFIG_S_FEATURES_OK))
			set_half(&d->driver_features, d->drv_features_sel, val);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		d->drv_features_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		d->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (wq)
			wq->num = val;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (q)
			set_ready(d, q, val);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (val < d->ops->nqueues && d->q[val].ready &&
		    (d->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
		    !(d->status & VIRTIO_CONFIG_S_NEEDS_RESET)) {
			d->notifies++;
			return (int)val;
		}
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		d->isr &= ~val;
		dv_virtio_mmio_update_irq(d);
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(d, val);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (wq)
			set_half(&wq->desc, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		if (wq)
			set_half(&wq->driver, off == VIRTIO_MMIO_QUEUE_AVAIL_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		if (wq)
			set_half(&wq->device, off == VIRTIO_MMIO_QUEUE_USED_HIGH, val);
		break;
	default: /* read-only and reserved registers */
		break;
	}
	return -1;
}

/* A config access the device can take: naturally aligned, 1/2/4 bytes, inside config_size. */
static bool config_ok(const struct dv_virtio_mmio *d, uint64_t off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && !(off & (size - 1)) &&
	       off < d->ops->config_size && size <= d->ops->config_size - off;
}

static int mmio_read(void *opaque, uint64_t offset, unsigned size, uint64_t *val)
{
	struct dv_virtio_mmio *d = opaque;

	*val = 0;
	dv_lock(&d->lock);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		uint64_t off = offset - VIRTIO_MMIO_CONFIG;

		if (config_ok(d, off, size) && d->ops->config_read)
			*val = d->ops->config_read(d->opaque, (uint32_t)off, size);
	} else if (size == 4) {
		*val = read_reg(d, offset);
	}
	dv_unlock(&d->lock);
	return 0;
}

static int mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	struct dv_virtio_mmio *d = opaque;
	int notify = -1;

	dv_lock(&d->lock);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		uint64_t off = offset - VIRTIO_MMIO_CONFIG;

		if (config_ok(d, off, size) && d->ops->config_write)
			d->ops->config_write(d->opaque, (uint32_t)off, size, (uint32_t)val);
	} else if (size == 4) {
		notify = write_reg(d, offset, (uint32_t)val);
	}
	dv_unlock(&d->lock);
	/* Unlocked: the device processes the queue and may call back to raise its interrupt. */
	if (notify >= 0 && d->ops->notify)
		d->ops->notify(d->opaque, (unsigned int)notify);
	return 0;
}

const struct dv_mmio_ops dv_virtio_mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
};

void dv_virtio_mmio_save(struct dv_virtio_mmio *d, struct dv_snap_w *w)
{
	dv_virtio_mmio_save_unpopped(d, w, -1);
}

void dv_virtio_mmio_save_unpopped(struct dv_virtio_mmio *d, struct dv_snap_w *w, int queue)
{
	dv_lock(&d->lock);
	dv_snap_u64(w, d->offered);
	dv_snap_u64(w, d->driver_features);
	dv_snap_u32(w, d->dev_features_sel);
	dv_snap_u32(w, d->drv_features_sel);
	dv_snap_u32(w, d->queue_sel);
	dv_snap_u32(w, d->status);
	dv_snap_u32(w, d->isr);
	dv_snap_u32(w, d->config_generation);
	dv_snap_u32(w, d->level);
	dv_snap_u32(w, d->ops->nqueues);
	for (unsigned int i = 0; i < d->ops->nqueues; i++) {
		const struct dv_virtio_mmio_queue *q = &d->q[i];

		dv_snap_u32(w, q->num);
		dv_snap_u32(w, q->ready);
		dv_snap_u64(w, q->desc);
		dv_snap_u64(w, q->driver);
		dv_snap_u64(w, q->device);
		dv_snap_u32(w, q->ready ? q->vq.broken : 0);
		/* A request popped and held is given back: the next image pops it again */
		dv_snap_u32(w, q->ready ? (uint16_t)(q->vq.last_avail - ((int)i == queue)) : 0);
		dv_snap_u32(w, q->ready ? q->vq.used_idx : 0);
		dv_snap_u32(w, q->ready ? q->vq.signalled : 0);
	}
	dv_unlock(&d->lock);
}

/*
 * A snapshot's transport, checked as the driver's writes would be: the
 * features within what this device offers, and each ready queue set up
 * again on guest RAM (dv_virtq_setup() checks its size and placement).
 * Nothing is driven: the PLIC's state has the line.
 */
int dv_virtio_mmio_load(struct dv_virtio_mmio *d, struct dv_snap_r *r)
{
	bool event_idx;
	int rc = 0;

	dv_lock(&d->lock);
	if (dv_snap_get_u64(r) != d->offered) {
		rc = -EINVAL; /* another device, or another version of it */
		goto out;
	}
	d->driver_features = dv_snap_get_u64(r) & d->offered;
	d->dev_features_sel = dv_snap_get_u32(r) & 1;
	d->drv_features_sel = dv_snap_get_u32(r) & 1;
	d->queue_sel = dv_snap_get_u32(r);
	d->status = dv_snap_get_u32(r) & (STATUS_DRIVER_BITS | VIRTIO_CONFIG_S_NEEDS_RESET);
	d->isr = dv_snap_get_u32(r) & (VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	d->config_generation = dv_snap_get_u32(r);
	dv_snap_get_u32(r);	/* the level it drove: its isr says it */
	d->level = d->isr != 0; /* the PLIC's state has the line as driven */
	if (dv_snap_get_u32(r) != d->ops->nqueues) {
		rc = -EINVAL;
		goto out;
	}
	event_idx = d->driver_features & BIT64(VIRTIO_RING_F_EVENT_IDX);
	for (unsigned int i = 0; i < d->ops->nqueues && !r->bad; i++) {
		struct dv_virtio_mmio_queue *q = &d->q[i];
		uint32_t broken, last_avail, used_idx, signalled;

		q->num = dv_snap_get_u32(r);
		q->ready = dv_snap_get_u32(r) & 1;
		q->desc = dv_snap_get_u64(r);
		q->driver = dv_snap_get_u64(r);
		q->device = dv_snap_get_u64(r);
		broken = dv_snap_get_u32(r);
		last_avail = dv_snap_get_u32(r);
		used_idx = dv_snap_get_u32(r);
		signalled = dv_snap_get_u32(r);
		if (!q->ready)
			continue;
		if (q->num > d->ops->queue_max ||
		    dv_virtq_setup(&q->vq, d->mem, (uint16_t)q->num, q->desc, q->driver, q->device,
				   event_idx)) {
			rc = -EINVAL;
			goto out;
		}
		q->vq.broken = broken & 1;
		q->vq.last_avail = (uint16_t)last_avail;
		q->vq.used_idx = (uint16_t)used_idx;
		q->vq.signalled = (uint16_t)signalled;
	}
	d->generation++;
	rc = r->bad ? -EINVAL : 0;
out:
	dv_unlock(&d->lock);
	return rc;
}
