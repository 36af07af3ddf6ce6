/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtio-mmio transport, version 2 ("modern", virtio spec 4.2), in
 * front of a device model that plugs in through struct dv_virtio_dev_ops.
 *
 * Registers are 32 bits wide and only 4-byte accesses reach them; the
 * device configuration space at 0x100 takes 1, 2 and 4-byte accesses and
 * is handed to the device. Every other access reads 0 and ignores writes:
 * no guest access fails the MMIO handler.
 *
 * The transport offers VIRTIO_F_VERSION_1 always, plus the device's bits
 * 0..23 and the ring features it implements (INDIRECT_DESC, EVENT_IDX);
 * other bits the device names are not offered. FEATURES_OK is refused
 * (left clear) unless VERSION_1 was accepted and nothing unoffered was.
 * Status bits are set in the spec's order (ACKNOWLEDGE, DRIVER,
 * FEATURES_OK, DRIVER_OK); a write that clears a bit or skips a step is
 * ignored, and writing 0 resets the device. A queue is checked
 * (dv_virtq_setup()) when the driver writes QueueReady = 1; if its
 * placement is invalid it stays not ready and the device needs a reset.
 *
 * Locking: one mutex per device. The interrupt line's set() is called
 * with it held and must not call back into the transport. ops->notify is
 * called without it, so the device may pop, push and call
 * dv_virtio_mmio_notify_used() from there; ops->reset and the config
 * accessors are called with it held. A queue returned by
 * dv_virtio_mmio_queue() stays valid until the driver resets the device or
 * writes QueueReady = 0; a device serving queues from its own thread must
 * stop using them in ops->reset (without waiting on a thread that may be
 * blocked on the transport's mutex).
 */
#ifndef DV_VIRTIO_MMIO_H
#define DV_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>
/*
 * Register offsets (spec 4.2.2), InterruptStatus bits, device status bits
 * (spec 2.1) and the reserved feature bits (spec 6), from the kernel's uapi.
 */
#define VIRTIO_MMIO_NO_LEGACY
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "vmm/guest_mem.h"
#include "vmm/irq.h"
#include "vmm/mmio.h"
#include "virtio/queue.h"
#include "util/lock.h"

#define DV_VIRTIO_MMIO_SIZE	  0x200
#define DV_VIRTIO_MMIO_MAX_QUEUES 8

#define DV_VIRTIO_MMIO_MAGIC 0x74726976 /* "virt" */
#define DV_VIRTIO_VENDOR     0x554d4551 /* "QEMU", as kvmtool and QEMU report */

struct dv_virtio_dev_ops {
	uint32_t device_id;   /* spec 5: 1 net, 2 block, 3 console, 4 entropy... */
	uint64_t features;    /* device feature bits, as 1ull << bit */
	unsigned int nqueues; /* at most DV_VIRTIO_MMIO_MAX_QUEUES */
	uint16_t queue_max;   /* QueueNumMax of every queue: a power of two */
	uint32_t config_size; /* bytes of config space at 0x100 */
	/* The driver notified queue (< nqueues, ready, DRIVER_OK set). */
	void (*notify)(void *opaque, unsigned int queue);
	/* The driver reset the device: drop all state. May be NULL. */
	void (*reset)(void *opaque);
	/* offset + size <= config_size; size is 1, 2 or 4. NULL reads 0 / ignores. */
	uint32_t (*config_read)(void *opaque, uint32_t offset, unsigned size);
	void (*config_write)(void *opaque, uint32_t offset, unsigned size, uint32_t val);
};

struct dv_virtio_mmio_queue {
	uint32_t num;
	bool ready;
	uint64_t desc, driver, device;
	struct dv_virtq vq; /* valid while ready */
};

struct dv_virtio_mmio {
	struct dv_lock lock;
	const struct dv_virtio_dev_ops *ops;
	void *opaque;
	const struct dv_guest_mem *mem;
	struct dv_irq_line irq;
	bool level;
	uint64_t offered;
	uint64_t driver_features;
	uint32_t dev_features_sel, drv_features_sel;
	uint32_t queue_sel;
	uint32_t status;
	uint32_t isr;
	uint32_t config_generation;
	uint32_t generation; /* bumped when a queue stops: reset, QueueReady = 0 */
	uint64_t notifies;   /* queue notifications the driver wrote (for --stats) */
	uint64_t interrupts; /* times the interrupt line went up */
	struct dv_virtio_mmio_queue q[DV_VIRTIO_MMIO_MAX_QUEUES];
};

extern const struct dv_mmio_ops dv_virtio_mmio_ops; /* opaque: struct dv_virtio_mmio * */

/* 0, or -EINVAL if ops is inconsistent, or the mutex's error. */
int dv_virtio_mmio_init(struct dv_virtio_mmio *dev, const struct dv_guest_mem *mem,
			const struct dv_virtio_dev_ops *ops, void *opaque, struct dv_irq_line irq);
void dv_virtio_mmio_destroy(struct dv_virtio_mmio *dev);
struct dv_snap_w;
struct dv_snap_r;
/*
 * Its registers and queues (snapshots, docs/snapshot.md), with the queues'
 * positions; nothing may be popped and not yet pushed. load checks them as
 * the driver's writes would be (-EINVAL) and drives no line.
 */
void dv_virtio_mmio_save(struct dv_virtio_mmio *dev, struct dv_snap_w *w);
/*
 * The same, with the last request popped from queue (and held, not pushed)
 * given back: the state says it was never taken, so it is taken again.
 */
void dv_virtio_mmio_save_unpopped(struct dv_virtio_mmio *dev, struct dv_snap_w *w, int queue);
int dv_virtio_mmio_load(struct dv_virtio_mmio *dev, struct dv_snap_r *r);

/* The device back to its reset state, as when the driver writes 0 to Status. */
void dv_virtio_mmio_reset(struct dv_virtio_mmio *dev);

/* The queue if the driver made it ready, else NULL. Its user serialises access to it. */
struct dv_virtq *dv_virtio_mmio_queue(struct dv_virtio_mmio *dev, unsigned int queue);
/* The device status register. */
uint32_t dv_virtio_mmio_status(struct dv_virtio_mmio *dev);
/* The features the driver accepted (meaningful once FEATURES_OK is set). */
uint64_t dv_virtio_mmio_features(struct dv_virtio_mmio *dev);
/* Used buffers on queue: sets InterruptStatus bit 0 and raises the line. */
void dv_virtio_mmio_notify_used(struct dv_virtio_mmio *dev, unsigned int queue);
/* The device changed its config space: bumps ConfigGeneration, interrupt bit 1. */
void dv_virtio_mmio_config_changed(struct dv_virtio_mmio *dev);
/* A queue was malformed: sets DEVICE_NEEDS_RESET and interrupt bit 1. */
void dv_virtio_mmio_needs_reset(struct dv_virtio_mmio *dev);

/*
 * Serving a queue from another thread than the guest's vCPUs. These take the
 * transport's lock only for the ring update, so a device does its I/O
 * unlocked, and they are safe against a concurrent reset: pop returns the
 * transport generation, and push drops a request popped before the queue
 * was reset or stopped (its buffers then belong to the driver again).
 */
/* 1 with *req filled, 0 if nothing is available or the queue is not live, <0 if malformed (sets
 * NEEDS_RESET). */
int dv_virtio_mmio_pop(struct dv_virtio_mmio *dev, unsigned int queue, struct dv_virtq_req *req,
		       uint32_t *generation);
/* 0, -ESTALE if the queue was reset since the pop (nothing written), or <0 if malformed. */
int dv_virtio_mmio_push(struct dv_virtio_mmio *dev, unsigned int queue, uint32_t generation,
			uint16_t head, uint32_t written);
/* After pushes: interrupt the driver if it wants one (event index, NO_INTERRUPT). True if sent. */
bool dv_virtio_mmio_signal_used(struct dv_virtio_mmio *dev, unsigned int queue);
/* The current generation (what dv_virtio_mmio_pop() returns now). */
uint32_t dv_virtio_mmio_generation(struct dv_virtio_mmio *dev);
/* Whether the driver made buffers available the device has not popped yet. */
bool dv_virtio_mmio_queue_has_work(struct dv_virtio_mmio *dev, unsigned int queue);

#endif /* DV_VIRTIO_MMIO_H */
