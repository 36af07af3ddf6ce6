// SPDX-License-Identifier: GPL-2.0-only
/* The fuzz targets' virtio-mmio driver side: see fuzz_common.h. */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "fuzz_common.h"

void fz_irq_set(void *opaque, unsigned int n, bool level)
{
	struct fz_mmio *x = opaque;

	(void)n;
	/* The transport drives its line with its lock held. */
	FZ_CHECK(!dv_trylock(&x->dev->lock), "irq set() without the lock");
	FZ_CHECK(level != x->level, "the line was set to the level it had (%d)", level);
	x->level = level;
}

uint64_t fz_mmio_read(struct fz_mmio *x, uint64_t off, unsigned size)
{
	uint64_t v = 0xdeadbeefdeadbeefull;

	FZ_CHECK(dv_virtio_mmio_ops.read(x->dev, off, size, &v) == 0, "read %#lx/%u failed",
		 (unsigned long)off, size);
	return v;
}

void fz_mmio_write(struct fz_mmio *x, uint64_t off, unsigned size, uint64_t val)
{
	FZ_CHECK(dv_virtio_mmio_ops.write(x->dev, off, size, val) == 0, "write %#lx/%u failed",
		 (unsigned long)off, size);
}

void fz_mmio_op(struct fz_mmio *x, struct fz *f, bool write)
{
	uint64_t off = fz_u16(f) % DV_VIRTIO_MMIO_SIZE, v;
	unsigned size = 1u << (fz_u8(f) & 3);

	/* The MMIO bus only passes accesses wholly inside the window. */
	if (off + size > DV_VIRTIO_MMIO_SIZE)
		off = DV_VIRTIO_MMIO_SIZE - size;
	if (write) {
		fz_mmio_write(x, off, size, fz_u64(f));
		return;
	}
	v = fz_mmio_read(x, off, size);
	if (off < VIRTIO_MMIO_CONFIG && size != 4)
		FZ_CHECK(v == 0, "register %#lx read %u bytes: %#lx", (unsigned long)off, size,
			 (unsigned long)v);
	if (size < 8)
		FZ_CHECK(v >> (8 * size) == 0, "read %u bytes: %#lx", size, (unsigned long)v);
}

struct fz_drvq fz_mmio_drvq(const struct fz_mmio *x, unsigned int i)
{
	const struct dv_virtio_mmio_queue *q = &x->dev->q[i];

	return (struct fz_drvq){(uint16_t)q->num, q->desc, q->driver, q->device};
}

static void wr(struct fz_mmio *x, uint64_t off, uint32_t val)
{
	fz_mmio_write(x, off, 4, val);
}

static void wr64(struct fz_mmio *x, uint64_t off, uint64_t val)
{
	wr(x, off, (uint32_t)val);
	wr(x, off + 4, (uint32_t)(val >> 32));
}

static void zero(const struct dv_guest_mem *m, uint64_t gpa, uint64_t len)
{
	void *p = dv_gpa_ptr(m, gpa, len);

	if (p)
		memset(p, 0, len);
}

#define ACK	  VIRTIO_CONFIG_S_ACKNOWLEDGE
#define DRIVER	  VIRTIO_CONFIG_S_DRIVER
#define FEAT_OK	  VIRTIO_CONFIG_S_FEATURES_OK
#define DRIVER_OK VIRTIO_CONFIG_S_DRIVER_OK

void fz_bringup(struct fz_mmio *x, struct fz *f, const struct dv_guest_mem *m, unsigned int nqueues)
{
	uint8_t flags = fz_u8(f);
	uint64_t features = fz_u64(f);
	unsigned int i;

	wr(x, VIRTIO_MMIO_STATUS, 0);
	wr(x, VIRTIO_MMIO_STATUS, ACK);
	wr(x, VIRTIO_MMIO_STATUS, ACK | DRIVER);
	wr(x, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	fz_mmio_read(x, VIRTIO_MMIO_DEVICE_FEATURES, 4);
	wr(x, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	fz_mmio_read(x, VIRTIO_MMIO_DEVICE_FEATURES, 4);
	wr(x, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(x, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	wr(x, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(x, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(x, VIRTIO_MMIO_STATUS, ACK | DRIVER | FEAT_OK);
	fz_mmio_read(x, VIRTIO_MMIO_STATUS, 4);
	for (i = 0; i < nqueues; i++) {
		uint16_t num = fz_u16(f);
		uint64_t desc = fz_addr(m, f), avail = fz_addr(m, f), used = fz_addr(m, f);

		wr(x, VIRTIO_MMIO_QUEUE_SEL, i);
		fz_mmio_read(x, VIRTIO_MMIO_QUEUE_NUM_MAX, 4);
		wr(x, VIRTIO_MMIO_QUEUE_NUM, num);
		wr64(x, VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
		wr64(x, VIRTIO_MMIO_QUEUE_AVAIL_LOW, avail);
		wr64(x, VIRTIO_MMIO_QUEUE_USED_LOW, used);
		if (!(flags & 2)) {
			zero(m, avail, VIRTQ_AVAIL_BYTES(num));
			zero(m, used, VIRTQ_USED_BYTES(num));
		}
		wr(x, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	if (!(flags & 1))
		wr(x, VIRTIO_MMIO_STATUS, ACK | DRIVER | FEAT_OK | DRIVER_OK);
}

void fz_check_transport(struct fz_mmio *x)
{
	struct dv_virtio_mmio *d = x->dev;
	uint32_t isr = (uint32_t)fz_mmio_read(x, VIRTIO_MMIO_INTERRUPT_STATUS, 4);
	uint32_t st = (uint32_t)fz_mmio_read(x, VIRTIO_MMIO_STATUS, 4);
	uint64_t feat = dv_virtio_mmio_features(d);
	unsigned int i;

	FZ_CHECK(fz_mmio_read(x, VIRTIO_MMIO_MAGIC_VALUE, 4) == DV_VIRTIO_MMIO_MAGIC, "magic");
	FZ_CHECK(fz_mmio_read(x, VIRTIO_MMIO_VERSION, 4) == 2, "version");
	FZ_CHECK(!(isr & ~3u), "InterruptStatus %#x", isr);
	FZ_CHECK((isr != 0) == x->level, "InterruptStatus %#x with the line at %d", isr, x->level);
	FZ_CHECK(!(st & DRIVER_OK) || (st & FEAT_OK), "status %#x", st);
	FZ_CHECK(!(st & FEAT_OK) || (st & DRIVER), "status %#x", st);
	FZ_CHECK(!(st & DRIVER) || (st & ACK), "status %#x", st);
	if (st & FEAT_OK)
		FZ_CHECK((feat & (1ull << VIRTIO_F_VERSION_1)) && !(feat & ~d->offered),
			 "FEATURES_OK with features %#lx (offered %#lx)", (unsigned long)feat,
			 (unsigned long)d->offered);
	FZ_CHECK(!(d->offered & ~((1ull << 24) - 1) &
		   ~((1ull << VIRTIO_RING_F_INDIRECT_DESC) | (1ull << VIRTIO_RING_F_EVENT_IDX) |
		     (1ull << VIRTIO_F_VERSION_1))),
		 "offered %#lx", (unsigned long)d->offered);
	for (i = 0; i < d->ops->nqueues; i++) {
		const struct dv_virtio_mmio_queue *q = &d->q[i];

		if (!q->ready)
			continue;
		FZ_CHECK(st & FEAT_OK, "queue %u ready, status %#x", i, st);
		FZ_CHECK(q->num && q->num <= d->ops->queue_max && !(q->num & (q->num - 1)),
			 "queue %u ready with %u entries", i, q->num);
		FZ_CHECK(q->vq.size == q->num && q->vq.desc && q->vq.avail && q->vq.used,
			 "queue %u ready, not set up", i);
	}
}
