// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the split virtqueue (virtq.c) on fake guest RAM.
 *
 * Input: a header, then operations until the input ends.
 *   header: layout u8 (the RAM's guest base, of 4), size u16, desc, avail,
 *           used (u64 offsets from the RAM base), flags u8 (bit 0 EVENT_IDX)
 *   ops:    u8 opcode % OP_COUNT, then its arguments (see the enum)
 * The guest side writes RAM (fuzz_common.h's FZ_G_* ops); the device side
 * pops, pushes and asks about notifications. After every device call the
 * RAM outside the used ring must be unchanged, every popped segment must
 * lie in RAM, and the queue must answer consistently.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

#define RAM_SIZE 0x8000ull
#define MAX_OPS	 1024
#define FIFO	 64

enum {
	OP_POP = FZ_G_COUNT,
	OP_PUSH,	/* head u16, written u32 */
	OP_PUSH_POPPED, /* written u32: the oldest popped head */
	OP_NOTIFY,
	OP_HAS_AVAIL,
	OP_SETUP, /* size u16, desc, avail, used u64, flags u8 */
	OP_DRAIN, /* pop and push everything available */
	OP_COUNT
};

static const uint64_t bases[4] = {0x80000000ull, 0, 0ull - RAM_SIZE, 0x1000};

static struct dv_guest_mem mem;
static uint8_t *shadow;
static struct dv_virtq q;
static struct dv_virtq_req req;
static struct fz_drvq drv;
static uint16_t fifo[FIFO];
static unsigned int fifo_head, fifo_count;
static unsigned int popped, pop_errors, pushed, notified;

static void setup(struct fz *f)
{
	uint16_t size = fz_u16(f);
	uint64_t desc = fz_addr(&mem, f), avail = fz_addr(&mem, f), used = fz_addr(&mem, f);
	bool event_idx = fz_u8(f) & 1;
	int ret = dv_virtq_setup(&q, &mem, size, desc, avail, used, event_idx);

	FZ_CHECK(ret == 0 || ret == -EINVAL, "setup returned %d", ret);
	FZ_CHECK(!ret == !q.broken, "setup %d, broken %d", ret, q.broken);
	drv = (struct fz_drvq){size, desc, avail, used};
	fifo_count = 0;
}

/* Device calls may write the used ring (and avail_event in it), nothing else. */
static void before_device(void)
{
	memcpy(shadow, mem.host, RAM_SIZE);
}

static void after_device(void)
{
	size_t lo = 0, hi = 0;

	if (q.used) {
		lo = (size_t)(q.used - mem.host);
		hi = lo + VIRTQ_USED_BYTES(q.size);
	}
	FZ_CHECK(!memcmp(mem.host, shadow, lo) &&
		     !memcmp(mem.host + hi, shadow + hi, RAM_SIZE - hi),
		 "the device wrote RAM outside its used ring [%#zx, %#zx)", lo, hi);
}

static void touch(const struct dv_virtq_req *r)
{
	volatile uint8_t sum = 0;
	unsigned int i;

	/* Read every buffer and fill the writable ones, as a device would (ASan checks). */
	for (i = 0; i < r->nread; i++)
		sum ^= ((uint8_t *)r->read[i].ptr)[0] ^
		       ((uint8_t *)r->read[i].ptr)[r->read[i].len - 1];
	for (i = 0; i < r->nwrite; i++)
		memset(r->write[i].ptr, 0xa5, r->write[i].len);
	(void)sum;
}

static int pop(void)
{
	bool was_broken = q.broken, has = dv_virtq_has_avail(&q);
	int ret;

	before_device();
	ret = dv_virtq_pop(&q, &req);
	after_device();
	FZ_CHECK(ret == 1 || ret == 0 || ret == -EINVAL || ret == -EIO, "pop returned %d", ret);
	FZ_CHECK(!was_broken || ret == -EINVAL, "a broken queue popped %d", ret);
	FZ_CHECK((ret < 0) == q.broken, "pop %d, broken %d", ret, q.broken);
	/* Nobody writes RAM concurrently here: has_avail predicts what pop finds. */
	FZ_CHECK(was_broken || has == (ret != 0), "has_avail %d, pop %d", has, ret);
	pop_errors += ret < 0;
	if (ret == 1) {
		popped++;
		fz_check_req(&mem, &req, q.size);
		touch(&req);
		if (fifo_count < FIFO)
			fifo[(fifo_head + fifo_count++) % FIFO] = req.head;
	}
	return ret;
}

static void push(uint16_t head, uint32_t written)
{
	uint16_t idx = q.used_idx;
	struct vring_used_elem e;
	uint16_t used_idx;
	int ret;

	before_device();
	ret = dv_virtq_push(&q, head, written);
	after_device();
	FZ_CHECK(ret == (q.size && head < q.size ? 0 : -EINVAL), "push %u: %d", head, ret);
	if (ret)
		return;
	pushed++;
	FZ_CHECK(q.used_idx == (uint16_t)(idx + 1), "used_idx %u after %u", q.used_idx, idx);
	memcpy(&used_idx, q.used + 2, 2);
	memcpy(&e, q.used + 4 + 8 * (size_t)(idx & (q.size - 1)), sizeof(e));
	FZ_CHECK(used_idx == q.used_idx && e.id == head && e.len == written,
		 "used ring: idx %u, {%u, %u} for {%u, %u}", used_idx, e.id, e.len, head, written);
}

static void notify(void)
{
	bool first, second;

	before_device();
	first = dv_virtq_should_notify(&q);
	second = dv_virtq_should_notify(&q);
	notified += first;
	after_device();
	FZ_CHECK(!second, "should_notify twice without a push (first %d)", first);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	unsigned int n;

	if (!mem.host) {
		fz_ram_alloc(&mem, 0, RAM_SIZE);
		shadow = malloc(RAM_SIZE);
		if (!shadow)
			abort();
	}
	memset(mem.host, 0, RAM_SIZE);
	mem.gpa_base = bases[fz_u8(&f) & 3];
	fifo_head = fifo_count = 0;
	popped = pop_errors = pushed = notified = 0;
	setup(&f);

	for (n = 0; n < MAX_OPS && f.n; n++) {
		unsigned int op = fz_u8(&f) % OP_COUNT;
		uint16_t head;
		bool has;
		int i;

		switch (op) {
		case OP_POP:
			pop();
			break;
		case OP_PUSH:
			head = fz_u16(&f);
			push(head, fz_u32(&f));
			break;
		case OP_PUSH_POPPED:
			if (!fifo_count) {
				fz_u32(&f);
				break;
			}
			head = fifo[fifo_head];
			fifo_head = (fifo_head + 1) % FIFO;
			fifo_count--;
			push(head, fz_u32(&f));
			break;
		case OP_NOTIFY:
			notify();
			break;
		case OP_HAS_AVAIL:
			before_device();
			has = dv_virtq_has_avail(&q);
			after_device();
			FZ_CHECK(!has || !q.broken, "a broken queue has buffers");
			break;
		case OP_SETUP:
			setup(&f);
			break;
		case OP_DRAIN:
			for (i = 0; i < 64 && pop() == 1; i++)
				push(req.head, (uint32_t)req.write_len);
			notify();
			break;
		default:
			fz_guest_op(op, &f, &mem, &drv);
			break;
		}
	}
	if (fz_verbose())
		fprintf(stderr,
			"virtq: size %u, %u popped, %u pop errors, %u pushed, %u notified%s\n",
			q.size, popped, pop_errors, pushed, notified, q.broken ? ", broken" : "");
	return 0;
}
