// SPDX-License-Identifier: GPL-2.0-only
/* The device side of a split virtqueue: see queue.h. */
#include "virtio/queue.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* Offsets inside the avail and used rings (spec 2.7.6, 2.7.8). */
#define AVAIL_FLAGS   offsetof(struct vring_avail, flags)
#define AVAIL_IDX     offsetof(struct vring_avail, idx)
#define AVAIL_RING(i) (offsetof(struct vring_avail, ring) + sizeof(__virtio16) * (size_t)(i))
#define USED_FLAGS    offsetof(struct vring_used, flags)
#define USED_IDX      offsetof(struct vring_used, idx)
#define USED_RING(i)                                                                               \
	(offsetof(struct vring_used, ring) + sizeof(struct vring_used_elem) * (size_t)(i))
#define AVAIL_USED_EVENT(n) AVAIL_RING(n) /* used_event follows ring[n] */
#define USED_AVAIL_EVENT(n) USED_RING(n)  /* avail_event follows ring[n] */

static uint16_t *ring16(uint8_t *base, size_t off)
{
	return (uint16_t *)(void *)(base + off);
}

static uint32_t *ring32(uint8_t *base, size_t off)
{
	return (uint32_t *)(void *)(base + off);
}

/* Every ring field is naturally aligned, given the part alignments checked at setup. */
static uint16_t load16(uint8_t *base, size_t off, int order)
{
	return __atomic_load_n(ring16(base, off), order);
}

static void store16(uint8_t *base, size_t off, uint16_t v, int order)
{
	__atomic_store_n(ring16(base, off), v, order);
}

static void *part(const struct dv_guest_mem *mem, uint64_t gpa, uint64_t len, uint64_t align)
{
	if (gpa & (align - 1))
		return NULL;
	return dv_gpa_ptr(mem, gpa, len);
}

int dv_virtq_setup(struct dv_virtq *q, const struct dv_guest_mem *mem, uint16_t size, uint64_t desc,
		   uint64_t avail, uint64_t used, bool event_idx)
{
	memset(q, 0, sizeof(*q));
	q->broken = true;
	if (!size || (size & (size - 1)) || size > DV_VIRTQ_MAX_SIZE)
		return -EINVAL;
	q->desc = part(mem, desc, VIRTQ_DESC_BYTES(size), VRING_DESC_ALIGN_SIZE);
	q->avail = part(mem, avail, VIRTQ_AVAIL_BYTES(size), VRING_AVAIL_ALIGN_SIZE);
	q->used = part(mem, used, VIRTQ_USED_BYTES(size), VRING_USED_ALIGN_SIZE);
	if (!q->desc || !q->avail || !q->used)
		return -EINVAL;
	q->mem = mem;
	q->size = size;
	q->event_idx = event_idx;
	q->broken = false;
	return 0;
}

/*
 * The guest may rewrite a descriptor while we read it: copy it once, and
 * use only the copy.
 */
static void read_desc(struct vring_desc *d, const uint8_t *table, uint32_t i)
{
	memcpy(d, table + sizeof(*d) * (size_t)i, sizeof(*d));
}

static int add_seg(struct dv_virtq *q, struct dv_virtq_req *req, const struct vring_desc *d)
{
	void *p = dv_gpa_ptr(q->mem, d->addr, d->len);

	if (!p)
		return -EIO;
	if (d->flags & VRING_DESC_F_WRITE) {
		if (!d->len)
			return 0;
		if (req->nwrite >= DV_VIRTQ_MAX_SEGS)
			return -EINVAL;
		req->write[req->nwrite++] = (struct dv_virtq_seg){p, d->len};
		req->write_len += d->len;
		return 0;
	}
	/* Spec 2.7.4.2: the device-writable buffers come after the readable ones. */
	if (req->nwrite)
		return -EINVAL;
	if (!d->len)
		return 0;
	if (req->nread >= DV_VIRTQ_MAX_SEGS)
		return -EINVAL;
	req->read[req->nread++] = (struct dv_virtq_seg){p, d->len};
	req->read_len += d->len;
	return 0;
}

/* Walks an indirect table (spec 2.7.5.3): its own index space, no nesting. */
static int walk_indirect(struct dv_virtq *q, struct dv_virtq_req *req, const struct vring_desc *ind)
{
	uint32_t n = ind->len / 16, i = 0, count = 0;
	const uint8_t *table;
	struct vring_desc d;
	int ret;

	if (!ind->len || ind->len % 16 || n > DV_VIRTQ_MAX_SIZE)
		return -EINVAL;
	table = dv_gpa_ptr(q->mem, ind->addr, ind->len);
	if (!table)
		return -EIO;
	for (;;) {
		/* A chain visiting more entries than the table holds has a loop. */
		if (++count > n)
			return -EINVAL;
		read_desc(&d, table, i);
		if (d.flags & VRING_DESC_F_INDIRECT)
			return -EINVAL;
		ret = add_seg(q, req, &d);
		if (ret)
			return ret;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		if (d.next >= n)
			return -EINVAL;
		i = d.next;
	}
}

static int walk_chain(struct dv_virtq *q, struct dv_virtq_req *req, uint16_t head)
{
	uint32_t count = 0;
	uint16_t i = head;
	struct vring_desc d;
	int ret;

	for (;;) {
		/* Spec 2.7.4.2: no chain is longer than the queue; a longer one loops. */
		if (++count > q->size)
			return -EINVAL;
		read_desc(&d, q->desc, i);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			/* An indirect descriptor ends the chain (NEXT and INDIRECT exclude each
			 * other). */
			if (d.flags & VRING_DESC_F_NEXT)
				return -EINVAL;
			return walk_indirect(q, req, &d);
		}
		ret = add_seg(q, req, &d);
		if (ret)
			return ret;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		if (d.next >= q->size)
			return -EINVAL;
		i = d.next;
	}
}

int dv_virtq_pop(struct dv_virtq *q, struct dv_virtq_req *req)
{
	uint16_t avail_idx, head;
	int ret;

	if (q->broken)
		return -EINVAL;
	/* Acquire: the ring entries and descriptors are read after idx (spec 2.7.13.3). */
	avail_idx = load16(q->avail, AVAIL_IDX, __ATOMIC_ACQUIRE);
	if (avail_idx == q->last_avail && q->event_idx) {
		/*
		 * Ask for a notification when the next buffer comes, then look
		 * again: the driver may have added one before it saw avail_event.
		 */
		store16(q->used, USED_AVAIL_EVENT(q->size), q->last_avail, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		avail_idx = load16(q->avail, AVAIL_IDX, __ATOMIC_ACQUIRE);
	}
	if (avail_idx == q->last_avail)
		return 0;
	/* The driver cannot have more than size buffers outstanding. */
	if ((uint16_t)(avail_idx - q->last_avail) > q->size) {
		ret = -EINVAL;
		goto broken;
	}
	head = load16(q->avail, AVAIL_RING(q->last_avail & (q->size - 1)), __ATOMIC_RELAXED);
	if (head >= q->size) {
		ret = -EINVAL;
		goto broken;
	}
	req->head = head;
	req->nread = req->nwrite = 0;
	req->read_len = req->write_len = 0;
	ret = walk_chain(q, req, head);
	if (ret)
		goto broken;
	q->last_avail++;
	if (q->event_idx)
		store16(q->used, USED_AVAIL_EVENT(q->size), q->last_avail, __ATOMIC_RELAXED);
	return 1;
broken:
	q->broken = true;
	return ret;
}

int dv_virtq_push(struct dv_virtq *q, uint16_t head, uint32_t written)
{
	size_t off;

	if (!q->size || head >= q->size)
		return -EINVAL;
	off = USED_RING(q->used_idx & (q->size - 1));
	__atomic_store_n(ring32(q->used, off), (uint32_t)head, __ATOMIC_RELAXED);
	__atomic_store_n(ring32(q->used, off + offsetof(struct vring_used_elem, len)), written,
			 __ATOMIC_RELAXED);
	q->used_idx++;
	/* Release: the element is visible before the index that publishes it (spec 2.7.8.2). */
	store16(q->used, USED_IDX, q->used_idx, __ATOMIC_RELEASE);
	return 0;
}

bool dv_virtq_should_notify(struct dv_virtq *q)
{
	uint16_t old = q->signalled, cur = q->used_idx, event;

	if (!q->size)
		return false;
	q->signalled = cur;
	if (old == cur)
		return false;
	/*
	 * Full barrier: used->idx must be visible to the driver before we read
	 * its suppression fields, or we could miss its request for an
	 * interrupt (spec 2.7.7.2 / 2.7.10).
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!q->event_idx)
		return !(load16(q->avail, AVAIL_FLAGS, __ATOMIC_RELAXED) &
			 VRING_AVAIL_F_NO_INTERRUPT);
	event = load16(q->avail, AVAIL_USED_EVENT(q->size), __ATOMIC_RELAXED);
	/* vring_need_event(): did used->idx just step past used_event? */
	return (uint16_t)(cur - event - 1) < (uint16_t)(cur - old);
}

bool dv_virtq_has_avail(struct dv_virtq *q)
{
	return q->size && !q->broken &&
	       load16(q->avail, AVAIL_IDX, __ATOMIC_ACQUIRE) != q->last_avail;
}
