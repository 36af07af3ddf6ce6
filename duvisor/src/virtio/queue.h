/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device side of a virtio 1.x split virtqueue (virtio spec 2.7).
 *
 * Everything in the rings is written by the guest and may change under our
 * feet, so each guest value is read once into a local copy and checked
 * before use: ring addresses and sizes (wholly inside guest RAM, aligned as
 * the spec requires), descriptor indices (< queue size), chain lengths
 * (bounded by the queue size, which also catches loops), indirect tables
 * (inside RAM, len a multiple of 16, no nesting, no NEXT on the indirect
 * descriptor) and the rule that writable buffers follow readable ones.
 * A malformed queue makes dv_virtq_pop() fail, and keep failing until the
 * queue is set up again: the device must then set DEVICE_NEEDS_RESET.
 *
 * Ring fields are little-endian; duvisor's hosts (riscv64, and x86-64 for
 * the unit tests) are little-endian, so they are read in place.
 *
 * Locking: none. One thread at a time drives a queue (the device's queue
 * worker); the guest's vCPUs are the other side, and the barriers the spec
 * requires between the two are in pop, push and should_notify.
 */
#ifndef DV_VIRTQ_H
#define DV_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>
/* Spec 2.7 as the kernel's uapi has it: ring layout, flags, alignments */
#define VIRTIO_RING_NO_LEGACY
#include <linux/virtio_ring.h>

#include "vmm/guest_mem.h"

#define DV_VIRTQ_MAX_SIZE 32768 /* the spec's largest split queue */
/* Most buffers one request may hold (direct and indirect together). */
#define DV_VIRTQ_MAX_SEGS 1024

/* Sizes of the parts for a queue of n entries, event index fields included. */
#define VIRTQ_DESC_BYTES(n)  ((uint64_t)sizeof(struct vring_desc) * (n))
#define VIRTQ_AVAIL_BYTES(n) (sizeof(struct vring_avail) + sizeof(__virtio16) * ((n) + 1ull))
#define VIRTQ_USED_BYTES(n)                                                                        \
	(sizeof(struct vring_used) + sizeof(struct vring_used_elem) * (uint64_t)(n) +              \
	 sizeof(__virtio16))

struct dv_virtq_seg {
	void *ptr; /* host pointer into guest RAM, valid for len bytes */
	uint32_t len;
};

/* One chain popped from the avail ring. Zero-length buffers are dropped. */
struct dv_virtq_req {
	uint16_t head; /* give it back to dv_virtq_push() */
	unsigned int nread, nwrite;
	uint64_t read_len, write_len; /* totals of the segments below */
	struct dv_virtq_seg read[DV_VIRTQ_MAX_SEGS];
	struct dv_virtq_seg write[DV_VIRTQ_MAX_SEGS];
};

struct dv_virtq {
	const struct dv_guest_mem *mem;
	uint16_t size;
	bool event_idx; /* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool broken;	/* malformed: pop fails until the next setup */
	uint8_t *desc;	/* host pointers to the three parts */
	uint8_t *avail;
	uint8_t *used;
	uint16_t last_avail; /* next avail ring entry to consume */
	uint16_t used_idx;   /* our copy of used->idx */
	uint16_t signalled;  /* used_idx when should_notify last ran */
};

/*
 * Checks and records a queue of size entries whose descriptor table, driver
 * (avail) area and device (used) area are at the given guest addresses.
 * 0, or -EINVAL if the size or a part's placement is invalid.
 */
int dv_virtq_setup(struct dv_virtq *q, const struct dv_guest_mem *mem, uint16_t size, uint64_t desc,
		   uint64_t avail, uint64_t used, bool event_idx);
/* 1 with *req filled, 0 if nothing is available, -EINVAL or -EIO if the queue is malformed. */
int dv_virtq_pop(struct dv_virtq *q, struct dv_virtq_req *req);
/* Returns the chain at head with written bytes to the driver. 0 or -EINVAL. */
int dv_virtq_push(struct dv_virtq *q, uint16_t head, uint32_t written);
/* Whether the driver made buffers available that were not popped yet (no side effects). */
bool dv_virtq_has_avail(struct dv_virtq *q);
/* Whether the driver wants an interrupt for what was pushed since the last call. */
bool dv_virtq_should_notify(struct dv_virtq *q);

#endif /* DV_VIRTQ_H */
