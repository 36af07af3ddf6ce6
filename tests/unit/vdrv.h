/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The driver side of a virtio-mmio device, for the device-model tests: fake
 * guest RAM, the transport driven through its registers as Linux's
 * virtio_mmio driver does (ACKNOWLEDGE, DRIVER, features, FEATURES_OK,
 * queues, DRIVER_OK), and descriptor chains built in that RAM.
 *
 *   struct vdrv d;
 *   vdrv_init(&d);                        fake RAM; vdrv_irq(&d) is the line
 *   dv_vrng_init(&rng, &d.mem, vdrv_irq(&d), kick);
 *   vdrv_attach(&d, &rng.t);
 *   vdrv_up(&d, features, nqueues, size); the device is live
 *   struct vdrv_buf b[] = {vdrv_in(&d, 64, 0)};
 *   vdrv_send(&d, 0, b, 1);               chain, avail ring, QueueNotify
 *   vdrv_used_idx(&d, 0), vdrv_used(&d, 0, 0).len ...
 *   vdrv_fini(&d);
 *
 * Queue q's rings live at VDRV_DESC(q), VDRV_AVAIL(q), VDRV_USED(q); buffers
 * come from a bump allocator over the rest of RAM.
 */
#ifndef DV_VDRV_H
#define DV_VDRV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/transport.h"

#define VDRV_RAM_BASE 0x80000000ull
#define VDRV_RAM_SIZE (8ull << 20)
#define VDRV_QAREA(q) (VDRV_RAM_BASE + 0x4000ull * (q)) /* room for 256 entries */
#define VDRV_DESC(q)  (VDRV_QAREA(q) + 0x0000)
#define VDRV_AVAIL(q) (VDRV_QAREA(q) + 0x1000)
#define VDRV_USED(q)  (VDRV_QAREA(q) + 0x2000)
#define VDRV_HEAP     (VDRV_RAM_BASE + 0x40000)
#define VDRV_BIT(n)   (1ull << (n))
#define VDRV_STATUS_OK                                                                             \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |      \
	 VIRTIO_CONFIG_S_DRIVER_OK)

/* One buffer of a chain: len bytes at gpa, device-writable or not. */
struct vdrv_buf {
	uint64_t gpa;
	uint32_t len;
	bool write;
};

struct vdrv_q {
	uint16_t size;
	uint16_t next_desc; /* the next free descriptor, handed out round-robin */
	uint16_t avail_idx;
};

struct vdrv {
	struct dv_guest_mem mem;
	struct dv_virtio_mmio *t;
	uint64_t heap; /* next free byte */
	bool level;
	unsigned int raised; /* times the line went up */
	struct vdrv_q q[DV_VIRTIO_MMIO_MAX_QUEUES];
};

static inline void vdrv_irq_set(void *opaque, unsigned int n, bool level)
{
	struct vdrv *d = opaque;

	(void)n;
	if (level && !d->level)
		d->raised++;
	d->level = level;
}

static inline void vdrv_init(struct vdrv *d)
{
	memset(d, 0, sizeof(*d));
	d->mem = (struct dv_guest_mem){calloc(1, VDRV_RAM_SIZE), VDRV_RAM_BASE, VDRV_RAM_SIZE};
	if (!d->mem.host)
		abort();
	d->heap = VDRV_HEAP;
}

static inline struct dv_irq_line vdrv_irq(struct vdrv *d)
{
	return (struct dv_irq_line){vdrv_irq_set, d, 5};
}

static inline void vdrv_attach(struct vdrv *d, struct dv_virtio_mmio *t)
{
	d->t = t;
}

static inline void vdrv_fini(struct vdrv *d)
{
	free(d->mem.host);
	d->mem.host = NULL;
}

static inline void *vdrv_ptr(struct vdrv *d, uint64_t gpa)
{
	return d->mem.host + (gpa - VDRV_RAM_BASE);
}

/* len bytes of guest RAM, 16-byte aligned. */
static inline uint64_t vdrv_alloc(struct vdrv *d, uint64_t len)
{
	uint64_t gpa = d->heap;

	d->heap = (d->heap + len + 15) & ~15ull;
	if (d->heap > VDRV_RAM_BASE + VDRV_RAM_SIZE)
		abort();
	return gpa;
}

/* A device-readable buffer holding a copy of data. */
static inline struct vdrv_buf vdrv_out(struct vdrv *d, const void *data, uint32_t len)
{
	struct vdrv_buf b = {vdrv_alloc(d, len), len, false};

	memcpy(vdrv_ptr(d, b.gpa), data, len);
	return b;
}

/* A device-writable buffer of len bytes, each set to fill (to see what the device wrote). */
static inline struct vdrv_buf vdrv_in(struct vdrv *d, uint32_t len, uint8_t fill)
{
	struct vdrv_buf b = {vdrv_alloc(d, len), len, true};

	memset(vdrv_ptr(d, b.gpa), fill, len);
	return b;
}

static inline uint8_t *vdrv_bytes(struct vdrv *d, struct vdrv_buf b)
{
	return vdrv_ptr(d, b.gpa);
}

/* Registers: 4-byte accesses; config space at any size. */
static inline uint32_t vdrv_rd(struct vdrv *d, uint64_t off)
{
	uint64_t v = 0;

	dv_virtio_mmio_ops.read(d->t, off, 4, &v);
	return (uint32_t)v;
}

static inline void vdrv_wr(struct vdrv *d, uint64_t off, uint32_t val)
{
	dv_virtio_mmio_ops.write(d->t, off, 4, val);
}

static inline uint32_t vdrv_cfg(struct vdrv *d, uint32_t off, unsigned int size)
{
	uint64_t v = 0;

	dv_virtio_mmio_ops.read(d->t, VIRTIO_MMIO_CONFIG + off, size, &v);
	return (uint32_t)v;
}

static inline uint64_t vdrv_features(struct vdrv *d)
{
	uint64_t f;

	vdrv_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = vdrv_rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	vdrv_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return f | (uint64_t)vdrv_rd(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

static inline void vdrv_wr64(struct vdrv *d, uint64_t lo, uint64_t val)
{
	vdrv_wr(d, lo, (uint32_t)val);
	vdrv_wr(d, lo + 4, (uint32_t)(val >> 32));
}

/* Queue q of size entries at its area, made ready (features must be OK). */
static inline void vdrv_queue(struct vdrv *d, unsigned int q, uint16_t size)
{
	memset(vdrv_ptr(d, VDRV_QAREA(q)), 0, 0x4000);
	vdrv_wr(d, VIRTIO_MMIO_QUEUE_SEL, q);
	vdrv_wr(d, VIRTIO_MMIO_QUEUE_NUM, size);
	vdrv_wr64(d, VIRTIO_MMIO_QUEUE_DESC_LOW, VDRV_DESC(q));
	vdrv_wr64(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, VDRV_AVAIL(q));
	vdrv_wr64(d, VIRTIO_MMIO_QUEUE_USED_LOW, VDRV_USED(q));
	vdrv_wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
	memset(&d->q[q], 0, sizeof(d->q[q]));
	d->q[q].size = size;
}

/*
 * Brings the device up accepting features (VERSION_1 is added), with
 * queues 0..nqueues-1 of size entries each. Returns the status read back:
 * VDRV_STATUS_OK when all went well.
 */
static inline uint32_t vdrv_up(struct vdrv *d, uint64_t features, unsigned int nqueues,
			       uint16_t size)
{
	features |= VDRV_BIT(VIRTIO_F_VERSION_1);
	vdrv_wr(d, VIRTIO_MMIO_STATUS, 0);
	vdrv_wr(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vdrv_wr(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vdrv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vdrv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	vdrv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vdrv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	vdrv_wr(d, VIRTIO_MMIO_STATUS,
		VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	for (unsigned int q = 0; q < nqueues; q++)
		vdrv_queue(d, q, size);
	vdrv_wr(d, VIRTIO_MMIO_STATUS, VDRV_STATUS_OK);
	return vdrv_rd(d, VIRTIO_MMIO_STATUS);
}

static inline void vdrv_desc_at(struct vdrv *d, uint64_t table, uint16_t i, uint64_t addr,
				uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc desc = {addr, len, flags, next};

	memcpy((uint8_t *)vdrv_ptr(d, table) + 16 * (size_t)i, &desc, sizeof(desc));
}

/* Writes bufs as a chain in queue q's descriptor table; returns its head (not offered yet). */
static inline uint16_t vdrv_chain(struct vdrv *d, unsigned int q, const struct vdrv_buf *bufs,
				  unsigned int n)
{
	struct vdrv_q *vq = &d->q[q];
	uint16_t head = vq->next_desc, i = head;

	for (unsigned int k = 0; k < n; k++) {
		uint16_t next = (uint16_t)((i + 1) & (vq->size - 1));
		uint16_t flags =
		    (bufs[k].write ? VRING_DESC_F_WRITE : 0) | (k + 1 < n ? VRING_DESC_F_NEXT : 0);

		vdrv_desc_at(d, VDRV_DESC(q), i, bufs[k].gpa, bufs[k].len, flags, next);
		i = next;
	}
	vq->next_desc = i;
	return head;
}

/* bufs as an indirect table, behind one descriptor of queue q; returns that head. */
static inline uint16_t vdrv_indirect(struct vdrv *d, unsigned int q, const struct vdrv_buf *bufs,
				     unsigned int n)
{
	struct vdrv_q *vq = &d->q[q];
	uint64_t table = vdrv_alloc(d, 16ull * n);
	uint16_t head = vq->next_desc;

	for (unsigned int k = 0; k < n; k++)
		vdrv_desc_at(d, table, (uint16_t)k, bufs[k].gpa, bufs[k].len,
			     (bufs[k].write ? VRING_DESC_F_WRITE : 0) |
				 (k + 1 < n ? VRING_DESC_F_NEXT : 0),
			     (uint16_t)(k + 1));
	vdrv_desc_at(d, VDRV_DESC(q), head, table, 16 * n, VRING_DESC_F_INDIRECT, 0);
	vq->next_desc = (uint16_t)((head + 1) & (vq->size - 1));
	return head;
}

/* Makes the chain at head available on queue q (no notify). */
static inline void vdrv_offer(struct vdrv *d, unsigned int q, uint16_t head)
{
	struct vdrv_q *vq = &d->q[q];
	uint16_t *ring = vdrv_ptr(d, VDRV_AVAIL(q) + 4);

	ring[vq->avail_idx & (vq->size - 1)] = head;
	vq->avail_idx++;
	__atomic_store_n((uint16_t *)vdrv_ptr(d, VDRV_AVAIL(q) + 2), vq->avail_idx,
			 __ATOMIC_RELEASE);
}

static inline void vdrv_notify(struct vdrv *d, unsigned int q)
{
	vdrv_wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

/* A chain made available and notified; returns its head. */
static inline uint16_t vdrv_send(struct vdrv *d, unsigned int q, const struct vdrv_buf *bufs,
				 unsigned int n)
{
	uint16_t head = vdrv_chain(d, q, bufs, n);

	vdrv_offer(d, q, head);
	vdrv_notify(d, q);
	return head;
}

/* The same through an indirect table. */
static inline uint16_t vdrv_send_indirect(struct vdrv *d, unsigned int q,
					  const struct vdrv_buf *bufs, unsigned int n)
{
	uint16_t head = vdrv_indirect(d, q, bufs, n);

	vdrv_offer(d, q, head);
	vdrv_notify(d, q);
	return head;
}

static inline uint16_t vdrv_used_idx(struct vdrv *d, unsigned int q)
{
	return __atomic_load_n((uint16_t *)vdrv_ptr(d, VDRV_USED(q) + 2), __ATOMIC_ACQUIRE);
}

/* Used ring entry i (counted from 0 since the queue was set up). */
static inline struct vring_used_elem vdrv_used(struct vdrv *d, unsigned int q, uint16_t i)
{
	struct vring_used_elem e;

	memcpy(&e, (uint8_t *)vdrv_ptr(d, VDRV_USED(q) + 4) + 8 * (size_t)(i & (d->q[q].size - 1)),
	       sizeof(e));
	return e;
}

/* Reads InterruptStatus and acknowledges it, as the interrupt handler does. */
static inline uint32_t vdrv_ack(struct vdrv *d)
{
	uint32_t isr = vdrv_rd(d, VIRTIO_MMIO_INTERRUPT_STATUS);

	vdrv_wr(d, VIRTIO_MMIO_INTERRUPT_ACK, isr);
	return isr;
}

#endif /* DV_VDRV_H */
