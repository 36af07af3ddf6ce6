// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the virtio-mmio transport (virtio_mmio.c, virtq.c) in
 * front of a fake device with two queues and 10 bytes of config space.
 *
 * Input: the driver's bring-up values (fz_bringup(): flags u8, features
 * u64, per queue num u16 and three u64 addresses), then operations until
 * the input ends. An opcode byte's low 7 bits pick the operation
 * (% OP_COUNT), bit 7 the queue. Register accesses are raw (offset, size,
 * value); a QueueNotify reaches the fake device, which reads a plan byte
 * from the input and serves the queue through dv_virtio_mmio_pop/push/
 * signal_used, or through dv_virtio_mmio_queue() and the virtq directly,
 * or keeps the request to push later (after a reset, that push must be
 * refused as stale). After every operation the transport's invariants are
 * checked through its registers, and the callbacks check the locking rules.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

#define RAM_BASE    0x80000000ull
#define RAM_SIZE    0x4000ull
#define NQUEUES	    2
#define QUEUE_MAX   64
#define CONFIG_SIZE 10
#define MAX_OPS	    2048
#define OUTSTANDING 32

#define BIT(n) (1ull << (n))

enum {
	OP_MMIO_WRITE = FZ_G_COUNT, /* offset u16, size u8, value u64 */
	OP_MMIO_READ,		    /* offset u16, size u8 */
	OP_NOTIFY,		    /* QueueNotify of the op's queue */
	OP_DEV_POP,		    /* the device pops from its own thread, pushes later */
	OP_DEV_PUSH,		    /* written u32: the oldest request popped */
	OP_SIGNAL,
	OP_CONFIG_CHANGED,
	OP_NEEDS_RESET,
	OP_HAS_WORK,
	OP_BRINGUP,
	OP_RESET,
	OP_COUNT
};

struct popped {
	unsigned int queue;
	uint16_t head;
	uint32_t gen;
};

static struct dv_guest_mem mem;
static struct dv_virtio_mmio dev;
static struct fz_mmio x = {.dev = &dev};
static struct fz *in; /* the input, for the device's callbacks */
static struct dv_virtq_req req;
static uint8_t config[CONFIG_SIZE];
static unsigned int resets;
static struct popped out[OUTSTANDING];
static unsigned int out_head, out_count;
static unsigned int notifies, pops, pushes, stale;

static void locked(const char *what)
{
	FZ_CHECK(!dv_trylock(&dev.lock), "%s without the lock", what);
}

static void check_popped(int ret, unsigned int queue)
{
	FZ_CHECK(ret == 1 || ret == 0 || ret == -EINVAL || ret == -EIO, "pop returned %d", ret);
	if (ret < 0)
		FZ_CHECK(dev.status & VIRTIO_CONFIG_S_NEEDS_RESET, "pop %d, status %#x", ret,
			 dev.status);
	if (ret == 1) {
		pops++;
		fz_check_req(&mem, &req, dev.q[queue].vq.size);
	}
}

static void push_checked(unsigned int queue, uint32_t gen, uint16_t head, uint32_t written)
{
	int ret = dv_virtio_mmio_push(&dev, queue, gen, head, written);

	pushes += ret == 0;
	stale += ret == -ESTALE;
	FZ_CHECK(ret == 0 || ret == -ESTALE || ret == -EINVAL, "push returned %d", ret);
	if (gen != dev.generation)
		FZ_CHECK(ret == -ESTALE, "a push from generation %u in %u: %d", gen, dev.generation,
			 ret);
}

static void keep(unsigned int queue, uint16_t head, uint32_t gen)
{
	if (out_count < OUTSTANDING)
		out[(out_head + out_count++) % OUTSTANDING] = (struct popped){queue, head, gen};
}

/* Serving through the virtq itself, as tests/unit/test_virtio_mmio.c's device does. */
static void serve_direct(unsigned int queue)
{
	struct dv_virtq *vq = dv_virtio_mmio_queue(&dev, queue);
	int ret;

	if (!vq)
		return;
	ret = dv_virtq_pop(vq, &req);
	if (ret == 1) {
		pops++;
		fz_check_req(&mem, &req, vq->size);
		dv_virtq_push(vq, req.head, (uint32_t)req.write_len);
		if (dv_virtq_should_notify(vq))
			dv_virtio_mmio_notify_used(&dev, queue);
	} else if (ret < 0) {
		dv_virtio_mmio_needs_reset(&dev);
	}
}

static void dev_notify(void *opaque, unsigned int queue)
{
	uint8_t plan = fz_u8(in);
	uint32_t gen, written;
	int i, ret;

	notifies++;
	FZ_CHECK(opaque == &dev, "opaque");
	FZ_CHECK(dv_trylock(&dev.lock), "notify with the lock held");
	dv_unlock(&dev.lock);
	FZ_CHECK(queue < NQUEUES, "notify of queue %u", queue);
	FZ_CHECK(dv_virtio_mmio_queue(&dev, queue), "notify of a queue that is not ready");
	FZ_CHECK((dev.status & VIRTIO_CONFIG_S_DRIVER_OK) &&
		     !(dev.status & VIRTIO_CONFIG_S_NEEDS_RESET),
		 "notify in status %#x", dev.status);
	switch (plan & 3) {
	case 0: /* serve it all, as the device models do */
		for (i = 0; i < 2 * QUEUE_MAX; i++) {
			ret = dv_virtio_mmio_pop(&dev, queue, &req, &gen);
			check_popped(ret, queue);
			if (ret != 1)
				break;
			written = plan & 8 ? fz_u32(in) : (uint32_t)req.write_len;
			push_checked(queue, gen, req.head, written);
		}
		break;
	case 1: /* one request, answered later */
		ret = dv_virtio_mmio_pop(&dev, queue, &req, &gen);
		check_popped(ret, queue);
		if (ret == 1)
			keep(queue, req.head, gen);
		break;
	case 2:
		serve_direct(queue);
		break;
	default: /* the device ignores it */
		break;
	}
	if (plan & 4)
		dv_virtio_mmio_signal_used(&dev, queue);
}

static void dev_reset(void *opaque)
{
	FZ_CHECK(opaque == &dev, "opaque");
	locked("reset");
	resets++;
}

static void check_config(uint32_t off, unsigned size)
{
	locked("config access");
	FZ_CHECK((size == 1 || size == 2 || size == 4) && !(off % size) &&
		     off + size <= CONFIG_SIZE,
		 "config access %u/%u", off, size);
}

static uint32_t dev_config_read(void *opaque, uint32_t off, unsigned size)
{
	uint32_t v = 0;

	(void)opaque;
	check_config(off, size);
	memcpy(&v, config + off, size);
	return v;
}

static void dev_config_write(void *opaque, uint32_t off, unsigned size, uint32_t val)
{
	(void)opaque;
	check_config(off, size);
	memcpy(config + off, &val, size);
}

static const struct dv_virtio_dev_ops ops = {
    .device_id = 42,
    /* 24 and 40 are not bits the transport carries: they must not be offered */
    .features = BIT(0) | BIT(5) | BIT(23) | BIT(24) | BIT(VIRTIO_RING_F_INDIRECT_DESC) |
		BIT(VIRTIO_RING_F_EVENT_IDX) | BIT(40),
    .nqueues = NQUEUES,
    .queue_max = QUEUE_MAX,
    .config_size = CONFIG_SIZE,
    .notify = dev_notify,
    .reset = dev_reset,
    .config_read = dev_config_read,
    .config_write = dev_config_write,
};

static void irq_set(void *opaque, unsigned int n, bool level)
{
	FZ_CHECK(n == 7, "line %u", n);
	fz_irq_set(opaque, n, level);
}

static void op(unsigned int code, unsigned int queue)
{
	struct fz_drvq drv;
	struct dv_virtq *vq;
	uint32_t gen, isr, before;
	struct popped p;
	int ret;

	switch (code) {
	case OP_MMIO_WRITE:
		fz_mmio_op(&x, in, true);
		break;
	case OP_MMIO_READ:
		fz_mmio_op(&x, in, false);
		break;
	case OP_NOTIFY:
		fz_mmio_write(&x, VIRTIO_MMIO_QUEUE_NOTIFY, 4, queue);
		break;
	case OP_DEV_POP:
		ret = dv_virtio_mmio_pop(&dev, queue, &req, &gen);
		check_popped(ret, queue);
		FZ_CHECK(gen == dev.generation, "pop's generation %u of %u", gen, dev.generation);
		if (ret == 1)
			keep(queue, req.head, gen);
		break;
	case OP_DEV_PUSH:
		if (!out_count)
			break;
		p = out[out_head];
		out_head = (out_head + 1) % OUTSTANDING;
		out_count--;
		push_checked(p.queue, p.gen, p.head, fz_u32(in));
		break;
	case OP_SIGNAL:
		if (dv_virtio_mmio_signal_used(&dev, queue)) {
			isr = (uint32_t)fz_mmio_read(&x, VIRTIO_MMIO_INTERRUPT_STATUS, 4);
			FZ_CHECK(isr & VIRTIO_MMIO_INT_VRING, "signalled, InterruptStatus %#x",
				 isr);
		}
		break;
	case OP_CONFIG_CHANGED:
		before = (uint32_t)fz_mmio_read(&x, VIRTIO_MMIO_CONFIG_GENERATION, 4);
		dv_virtio_mmio_config_changed(&dev);
		FZ_CHECK(fz_mmio_read(&x, VIRTIO_MMIO_CONFIG_GENERATION, 4) ==
			     (uint32_t)(before + 1),
			 "config generation");
		FZ_CHECK(fz_mmio_read(&x, VIRTIO_MMIO_INTERRUPT_STATUS, 4) & VIRTIO_MMIO_INT_CONFIG,
			 "config change without interrupt");
		break;
	case OP_NEEDS_RESET:
		dv_virtio_mmio_needs_reset(&dev);
		FZ_CHECK(fz_mmio_read(&x, VIRTIO_MMIO_STATUS, 4) & VIRTIO_CONFIG_S_NEEDS_RESET,
			 "needs_reset");
		FZ_CHECK(!dv_virtio_mmio_queue_has_work(&dev, queue), "work while needing reset");
		break;
	case OP_HAS_WORK:
		vq = dv_virtio_mmio_queue(&dev, queue);
		if (dv_virtio_mmio_queue_has_work(&dev, queue))
			FZ_CHECK(vq && dv_virtq_has_avail(vq), "has work, no buffers");
		break;
	case OP_BRINGUP:
		fz_bringup(&x, in, &mem, NQUEUES);
		break;
	case OP_RESET:
		before = resets;
		fz_mmio_write(&x, VIRTIO_MMIO_STATUS, 4, 0);
		FZ_CHECK(resets == before + 1, "reset callback not called");
		FZ_CHECK(!dev.status && !dev.isr && !x.level && !dev.q[0].ready && !dev.q[1].ready,
			 "after reset: status %#x isr %#x", dev.status, dev.isr);
		break;
	default:
		drv = fz_mmio_drvq(&x, queue);
		fz_guest_op(code, in, &mem, &drv);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct dv_irq_line line = {irq_set, &x, 7};
	unsigned int n;

	if (!mem.host)
		fz_ram_alloc(&mem, RAM_BASE, RAM_SIZE);
	memset(mem.host, 0, RAM_SIZE);
	memcpy(config, "\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa", CONFIG_SIZE);
	out_head = out_count = 0;
	notifies = pops = pushes = stale = resets = 0;
	x.level = false;
	in = &f;
	if (dv_virtio_mmio_init(&dev, &mem, &ops, &dev, line))
		abort();

	fz_bringup(&x, &f, &mem, NQUEUES);
	fz_check_transport(&x);
	for (n = 0; n < MAX_OPS && f.n; n++) {
		uint8_t b = fz_u8(&f);

		op((b & 0x7f) % OP_COUNT, b >> 7);
		fz_check_transport(&x);
	}
	if (fz_verbose())
		fprintf(stderr,
			"virtio_mmio: status %#x, %u notifies, %u popped, %u pushed, %u stale, "
			"%u resets\n",
			dev.status, notifies, pops, pushes, stale, resets);
	dv_virtio_mmio_destroy(&dev);
	return 0;
}
