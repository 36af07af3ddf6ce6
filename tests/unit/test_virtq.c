// SPDX-License-Identifier: GPL-2.0-only
/* The split virtqueue against fake guest RAM: good chains, and every malformed one refused. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "virtio/queue.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x40000ull
#define DESC	 (RAM_BASE + 0x0000)
#define AVAIL	 (RAM_BASE + 0x1000)
#define USED	 (RAM_BASE + 0x2000)
#define IND	 (RAM_BASE + 0x3000)
#define DATA	 (RAM_BASE + 0x10000)

static struct dv_guest_mem mem;
static struct dv_virtq q;
static struct dv_virtq_req req; /* large: keep it off the stack */

static void *at(uint64_t gpa)
{
	return mem.host + (gpa - RAM_BASE);
}

static uint16_t *u16at(uint64_t gpa)
{
	return at(gpa);
}

static void desc_at(uint64_t table, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		    uint16_t next)
{
	struct vring_desc d = {addr, len, flags, next};

	memcpy((uint8_t *)at(table) + 16 * (size_t)i, &d, sizeof(d));
}

static void desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	desc_at(DESC, i, addr, len, flags, next);
}

/* The driver offers head in the next avail slot. */
static void offer(uint16_t head)
{
	uint16_t idx = *u16at(AVAIL + 2);

	*u16at(AVAIL + 4 + 2 * (idx & (q.size - 1))) = head;
	*u16at(AVAIL + 2) = (uint16_t)(idx + 1);
}

static int fresh(uint16_t size, bool event_idx)
{
	free(mem.host);
	mem.host = calloc(1, RAM_SIZE);
	mem.gpa_base = RAM_BASE;
	mem.size = RAM_SIZE;
	return dv_virtq_setup(&q, &mem, size, DESC, AVAIL, USED, event_idx);
}

static struct vring_used_elem used_elem(uint16_t i)
{
	struct vring_used_elem e;

	memcpy(&e, (uint8_t *)at(USED + 4) + 8 * (size_t)(i & (q.size - 1)), sizeof(e));
	return e;
}

UT_TEST(setup_checks_size_and_placement)
{
	UT_CHECK(fresh(16, false) == 0, "a good queue");
	UT_CHECK(dv_virtq_setup(&q, &mem, 0, DESC, AVAIL, USED, false) == -EINVAL, "size 0");
	UT_CHECK(dv_virtq_setup(&q, &mem, 3, DESC, AVAIL, USED, false) == -EINVAL, "size 3");
	UT_CHECK(dv_virtq_setup(&q, &mem, 48, DESC, AVAIL, USED, false) == -EINVAL, "size 48");
	UT_CHECK(dv_virtq_setup(&q, &mem, 65535, DESC, AVAIL, USED, false) == -EINVAL, "65535");
	UT_CHECK(dv_virtq_pop(&q, &req) == -EINVAL, "a failed setup leaves the queue unusable");
	UT_CHECK(dv_virtq_setup(&q, &mem, 16, DESC + 8, AVAIL, USED, false) == -EINVAL,
		 "desc not 16-aligned");
	UT_CHECK(dv_virtq_setup(&q, &mem, 16, DESC, AVAIL + 1, USED, false) == -EINVAL,
		 "avail not 2-aligned");
	UT_CHECK(dv_virtq_setup(&q, &mem, 16, DESC, AVAIL, USED + 2, false) == -EINVAL,
		 "used not 4-aligned");
	UT_CHECK(dv_virtq_setup(&q, &mem, 16, DESC, AVAIL + 2, USED + 4, false) == 0,
		 "minimal alignment is enough");
	UT_CHECK(dv_virtq_setup(&q, &mem, 16, RAM_BASE - 16, AVAIL, USED, false) == -EINVAL,
		 "desc below RAM");
	UT_CHECK(dv_virtq_setup(&q, &mem, 16, RAM_BASE + RAM_SIZE - 128, AVAIL, USED, false) ==
		     -EINVAL,
		 "desc straddling the end of RAM");
	UT_CHECK(dv_virtq_setup(&q, &mem, 16, RAM_BASE + RAM_SIZE - 256, AVAIL, USED, false) == 0,
		 "desc ending exactly at the end of RAM");
	UT_CHECK(dv_virtq_setup(&q, &mem, 16, DESC, RAM_BASE + RAM_SIZE - 36, USED, false) ==
		     -EINVAL,
		 "avail with its used_event beyond RAM");
	UT_CHECK(dv_virtq_setup(&q, &mem, 16, DESC, AVAIL, RAM_BASE + RAM_SIZE - 132, false) ==
		     -EINVAL,
		 "used with its avail_event beyond RAM");
	UT_CHECK(dv_virtq_setup(&q, &mem, 16, DESC, AVAIL, 0xfffffffffffffff0ull, false) == -EINVAL,
		 "used at the top of the address space");
	UT_CHECK(dv_virtq_setup(&q, &mem, 32768, DESC, AVAIL, USED, false) == -EINVAL,
		 "32768 entries do not fit in RAM");
	UT_CHECK(dv_virtq_setup(&q, &mem, 8192, RAM_BASE, RAM_BASE + 0x20000, RAM_BASE + 0x28000,
				false) == 0,
		 "8192 entries where they fit");
}

UT_TEST(empty_queue_pops_nothing)
{
	fresh(8, false);
	UT_CHECK(dv_virtq_pop(&q, &req) == 0, "nothing offered");
}

UT_TEST(direct_chain_and_used_ring)
{
	int ret;

	fresh(8, false);
	desc(5, DATA, 16, VRING_DESC_F_NEXT, 2);
	desc(2, DATA + 0x100, 0, VRING_DESC_F_NEXT, 7); /* empty: dropped */
	desc(7, DATA + 0x200, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 0);
	desc(0, DATA + 0x400, 1, VRING_DESC_F_WRITE, 0);
	offer(5);
	ret = dv_virtq_pop(&q, &req);
	UT_CHECK(ret == 1, "pop returned %d", ret);
	UT_CHECK(req.head == 5, "head %u", req.head);
	UT_CHECK(req.nread == 1 && req.nwrite == 2, "%u readable, %u writable", req.nread,
		 req.nwrite);
	UT_CHECK(req.read[0].ptr == at(DATA) && req.read[0].len == 16, "readable segment");
	UT_CHECK(req.write[0].ptr == at(DATA + 0x200) && req.write[0].len == 512, "writable 0");
	UT_CHECK(req.write[1].ptr == at(DATA + 0x400) && req.write[1].len == 1, "writable 1");
	UT_CHECK(req.read_len == 16 && req.write_len == 513, "totals %llu %llu",
		 (unsigned long long)req.read_len, (unsigned long long)req.write_len);
	UT_CHECK(dv_virtq_pop(&q, &req) == 0, "only one chain was offered");
	UT_CHECK(dv_virtq_push(&q, 5, 100) == 0, "push");
	UT_CHECK(*u16at(USED + 2) == 1, "used->idx %u", *u16at(USED + 2));
	UT_CHECK(used_elem(0).id == 5 && used_elem(0).len == 100, "used elem %u %u",
		 used_elem(0).id, used_elem(0).len);
	UT_CHECK(dv_virtq_push(&q, 8, 0) == -EINVAL, "push of a head >= size");
	UT_CHECK(*u16at(USED + 2) == 1, "a refused push changes nothing");
}

UT_TEST(indirect_table)
{
	fresh(8, false);
	desc(0, DATA, 4, VRING_DESC_F_NEXT, 1);
	desc(1, IND, 48, VRING_DESC_F_INDIRECT, 0);
	desc_at(IND, 0, DATA + 0x10, 8, VRING_DESC_F_NEXT, 2);
	desc_at(IND, 2, DATA + 0x20, 32, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	desc_at(IND, 1, DATA + 0x40, 64, VRING_DESC_F_WRITE, 0);
	offer(0);
	UT_CHECK(dv_virtq_pop(&q, &req) == 1, "pop");
	UT_CHECK(req.nread == 2 && req.nwrite == 2, "%u readable, %u writable", req.nread,
		 req.nwrite);
	UT_CHECK(req.read[0].ptr == at(DATA) && req.read[1].ptr == at(DATA + 0x10), "readable");
	UT_CHECK(req.write[0].ptr == at(DATA + 0x20) && req.write[1].ptr == at(DATA + 0x40),
		 "writable");
	UT_CHECK(req.read_len == 12 && req.write_len == 96, "totals");
}

UT_TEST(idx_wraps_around)
{
	fresh(4, false);
	desc(3, DATA, 8, 0, 0);
	for (unsigned int i = 0; i < 70000; i++) {
		offer(3);
		if (dv_virtq_pop(&q, &req) != 1 || req.head != 3 || dv_virtq_push(&q, 3, i)) {
			UT_CHECK(0, "round %u", i);
			return;
		}
	}
	UT_CHECK(*u16at(USED + 2) == (uint16_t)70000, "used->idx %u", *u16at(USED + 2));
	UT_CHECK(used_elem((uint16_t)69999).len == 69999, "last used elem");
	UT_CHECK(dv_virtq_pop(&q, &req) == 0, "drained");
}

UT_TEST(full_ring_is_fine)
{
	fresh(4, false);
	for (uint16_t i = 0; i < 4; i++) {
		desc(i, DATA + 16 * i, 8, 0, 0);
		offer(i);
	}
	for (uint16_t i = 0; i < 4; i++)
		UT_CHECK(dv_virtq_pop(&q, &req) == 1 && req.head == i, "entry %u", i);
	UT_CHECK(dv_virtq_pop(&q, &req) == 0, "drained");
}

/* Offers a one-chain request starting at head 0 and expects pop to fail with err. */
#define EXPECT_BROKEN(err, why)                                                                    \
	do {                                                                                       \
		int r_ = dv_virtq_pop(&q, &req);                                                   \
		UT_CHECK(r_ == (err), "%s: pop returned %d", why, r_);                             \
		UT_CHECK(dv_virtq_pop(&q, &req) == -EINVAL, "%s: the queue stays broken", why);    \
	} while (0)

UT_TEST(desc_outside_ram)
{
	fresh(8, false);
	desc(0, RAM_BASE - 4, 8, 0, 0);
	offer(0);
	EXPECT_BROKEN(-EIO, "below RAM");
	fresh(8, false);
	desc(0, RAM_BASE + RAM_SIZE - 4, 8, 0, 0);
	offer(0);
	EXPECT_BROKEN(-EIO, "straddling the end");
	fresh(8, false);
	desc(0, RAM_BASE + RAM_SIZE - 4, 4, 0, 0);
	offer(0);
	UT_CHECK(dv_virtq_pop(&q, &req) == 1, "ending exactly at the end of RAM");
	fresh(8, false);
	desc(0, 0xfffffffffffffff0ull, 0xffffffff, VRING_DESC_F_WRITE, 0);
	offer(0);
	EXPECT_BROKEN(-EIO, "addr + len overflows");
	fresh(8, false);
	desc(0, DATA, 0xffffffff, 0, 0);
	offer(0);
	EXPECT_BROKEN(-EIO, "length larger than RAM");
}

UT_TEST(bad_indices)
{
	fresh(8, false);
	offer(8);
	EXPECT_BROKEN(-EINVAL, "head >= size");
	fresh(8, false);
	desc(0, DATA, 8, VRING_DESC_F_NEXT, 8);
	offer(0);
	EXPECT_BROKEN(-EINVAL, "next >= size");
}

UT_TEST(loops)
{
	fresh(8, false);
	desc(0, DATA, 8, VRING_DESC_F_NEXT, 1);
	desc(1, DATA, 8, VRING_DESC_F_NEXT, 0);
	offer(0);
	EXPECT_BROKEN(-EINVAL, "0 -> 1 -> 0");
	fresh(8, false);
	desc(0, DATA, 8, VRING_DESC_F_NEXT, 0);
	offer(0);
	EXPECT_BROKEN(-EINVAL, "self loop");
	/* Empty buffers add no segment: only the chain length bound stops these. */
	fresh(8, false);
	desc(0, DATA, 0, VRING_DESC_F_NEXT, 1);
	desc(1, DATA, 0, VRING_DESC_F_NEXT, 0);
	offer(0);
	EXPECT_BROKEN(-EINVAL, "loop of empty buffers");
	fresh(8, false);
	desc(0, IND, 32, VRING_DESC_F_INDIRECT, 0);
	desc_at(IND, 0, DATA, 0, VRING_DESC_F_NEXT, 1);
	desc_at(IND, 1, DATA, 0, VRING_DESC_F_NEXT, 0);
	offer(0);
	EXPECT_BROKEN(-EINVAL, "loop of empty buffers in an indirect table");
	fresh(4, false);
	for (uint16_t i = 0; i < 4; i++)
		desc(i, DATA, 8, i < 3 ? VRING_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	offer(0);
	UT_CHECK(dv_virtq_pop(&q, &req) == 1 && req.nread == 4, "a chain of exactly size");
	fresh(8, false);
	desc(0, IND, 32, VRING_DESC_F_INDIRECT, 0);
	desc_at(IND, 0, DATA, 8, VRING_DESC_F_NEXT, 1);
	desc_at(IND, 1, DATA, 8, VRING_DESC_F_NEXT, 0);
	offer(0);
	EXPECT_BROKEN(-EINVAL, "loop inside an indirect table");
}

UT_TEST(bad_indirect)
{
	fresh(8, false);
	desc(0, IND, 32, VRING_DESC_F_INDIRECT, 0);
	desc_at(IND, 0, DATA, 8, VRING_DESC_F_NEXT, 1);
	desc_at(IND, 1, IND + 0x100, 16, VRING_DESC_F_INDIRECT, 0);
	desc_at(IND + 0x100, 0, DATA, 8, 0, 0);
	offer(0);
	EXPECT_BROKEN(-EINVAL, "indirect inside indirect");

	fresh(8, false);
	desc(0, IND, 24, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	EXPECT_BROKEN(-EINVAL, "len 24");
	fresh(8, false);
	desc(0, IND, 0, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	EXPECT_BROKEN(-EINVAL, "len 0");
	fresh(8, false);
	desc(0, RAM_BASE + RAM_SIZE - 16, 32, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	EXPECT_BROKEN(-EIO, "table straddling the end of RAM");
	fresh(8, false);
	desc(0, IND, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	desc(1, DATA, 8, 0, 0);
	desc_at(IND, 0, DATA, 8, 0, 0);
	offer(0);
	EXPECT_BROKEN(-EINVAL, "INDIRECT with NEXT");
	fresh(8, false);
	desc(0, IND, 32, VRING_DESC_F_INDIRECT, 0);
	desc_at(IND, 0, DATA, 8, VRING_DESC_F_NEXT, 2);
	offer(0);
	EXPECT_BROKEN(-EINVAL, "next beyond the table");
	fresh(8, false);
	desc(0, IND, 32, VRING_DESC_F_INDIRECT, 0);
	desc_at(IND, 0, DATA, 8, VRING_DESC_F_NEXT, 1);
	desc_at(IND, 1, RAM_BASE + RAM_SIZE, 8, 0, 0);
	offer(0);
	EXPECT_BROKEN(-EIO, "buffer outside RAM in the table");
}

UT_TEST(too_many_segments)
{
	uint32_t n = DV_VIRTQ_MAX_SEGS + 1;

	fresh(8, false);
	for (uint32_t i = 0; i < n; i++)
		desc_at(IND, (uint16_t)i, DATA, 8, i + 1 < n ? VRING_DESC_F_NEXT : 0,
			(uint16_t)(i + 1));
	desc(0, IND, 16 * n, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	EXPECT_BROKEN(-EINVAL, "more segments than a request holds");
	fresh(8, false);
	desc_at(IND, (uint16_t)(n - 2), DATA, 8, 0, 0);
	desc(0, IND, 16 * (n - 1), VRING_DESC_F_INDIRECT, 0);
	for (uint32_t i = 0; i + 1 < n - 1; i++)
		desc_at(IND, (uint16_t)i, DATA, 8, VRING_DESC_F_NEXT, (uint16_t)(i + 1));
	offer(0);
	UT_CHECK(dv_virtq_pop(&q, &req) == 1 && req.nread == DV_VIRTQ_MAX_SEGS,
		 "exactly DV_VIRTQ_MAX_SEGS");
}

UT_TEST(write_before_read)
{
	fresh(8, false);
	desc(0, DATA, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	desc(1, DATA, 8, 0, 0);
	offer(0);
	EXPECT_BROKEN(-EINVAL, "readable after writable");
	fresh(8, false);
	desc(0, DATA, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	desc(1, IND, 16, VRING_DESC_F_INDIRECT, 0);
	desc_at(IND, 0, DATA, 8, 0, 0);
	offer(0);
	EXPECT_BROKEN(-EINVAL, "readable in the table after a writable direct one");
}

UT_TEST(avail_idx_jump)
{
	fresh(8, false);
	desc(0, DATA, 8, 0, 0);
	*u16at(AVAIL + 2) = 9;
	EXPECT_BROKEN(-EINVAL, "9 ahead of a queue of 8");
	fresh(8, false);
	*u16at(AVAIL + 2) = 0xffff;
	EXPECT_BROKEN(-EINVAL, "backwards");
	UT_CHECK(fresh(8, false) == 0, "setup again");
	desc(0, DATA, 8, 0, 0);
	*u16at(AVAIL + 2) = 8;
	UT_CHECK(dv_virtq_pop(&q, &req) == 1, "exactly size ahead is fine");
}

UT_TEST(notify_without_event_idx)
{
	fresh(8, false);
	desc(0, DATA, 8, 0, 0);
	UT_CHECK(!dv_virtq_should_notify(&q), "nothing pushed");
	dv_virtq_push(&q, 0, 0);
	UT_CHECK(dv_virtq_should_notify(&q), "pushed, interrupts wanted");
	UT_CHECK(!dv_virtq_should_notify(&q), "nothing new since");
	*u16at(AVAIL) = VRING_AVAIL_F_NO_INTERRUPT;
	dv_virtq_push(&q, 0, 0);
	UT_CHECK(!dv_virtq_should_notify(&q), "NO_INTERRUPT");
}

UT_TEST(notify_with_event_idx)
{
	uint16_t *used_event, *avail_event;

	fresh(8, true);
	used_event = u16at(AVAIL + 4 + 2 * 8);
	avail_event = u16at(USED + 4 + 8 * 8);
	*u16at(AVAIL) = VRING_AVAIL_F_NO_INTERRUPT; /* ignored with EVENT_IDX */
	desc(0, DATA, 8, 0, 0);
	*used_event = 0;
	dv_virtq_push(&q, 0, 0);
	UT_CHECK(dv_virtq_should_notify(&q), "used idx 0 -> 1 passes used_event 0");
	*used_event = 3;
	dv_virtq_push(&q, 0, 0);
	UT_CHECK(!dv_virtq_should_notify(&q), "1 -> 2 before used_event 3");
	dv_virtq_push(&q, 0, 0);
	dv_virtq_push(&q, 0, 0);
	UT_CHECK(dv_virtq_should_notify(&q), "2 -> 4 passes 3");
	dv_virtq_push(&q, 0, 0);
	UT_CHECK(!dv_virtq_should_notify(&q), "4 -> 5, used_event 3 long passed");

	UT_CHECK(dv_virtq_pop(&q, &req) == 0, "empty");
	UT_CHECK(*avail_event == 0, "avail_event asks for the next buffer: %u", *avail_event);
	offer(0);
	offer(0);
	UT_CHECK(dv_virtq_pop(&q, &req) == 1, "pop");
	UT_CHECK(*avail_event == 1, "avail_event follows: %u", *avail_event);
}
UT_MAIN()
