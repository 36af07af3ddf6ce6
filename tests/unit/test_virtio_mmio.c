// SPDX-License-Identifier: GPL-2.0-only
/* The virtio-mmio transport, driven through its registers as Linux's virtio_mmio driver does. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/snapbuf.h"
#include "unit.h"
#include "virtio/transport.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x20000ull
#define DESC	 (RAM_BASE + 0x1000)
#define AVAIL	 (RAM_BASE + 0x2000)
#define USED	 (RAM_BASE + 0x3000)
#define DATA	 (RAM_BASE + 0x8000)

#define BIT(n) (1ull << (n))

/* The fake device behind the transport, and what the transport drove. */
struct rig {
	struct dv_guest_mem mem;
	struct dv_virtio_mmio dev;
	bool level;
	unsigned int irq_calls;
	unsigned int resets;
	unsigned int notifies;
	int last_queue;
	int popped;
	uint8_t config[8];
};

static struct rig rig;
static struct dv_virtq_req req;

static void rig_irq(void *opaque, unsigned int n, bool level)
{
	struct rig *r = opaque;

	(void)n;
	r->level = level;
	r->irq_calls++;
}

/* Serves the queue as a device would: pop, push, interrupt (called without the lock). */
static void dev_notify(void *opaque, unsigned int queue)
{
	struct rig *r = opaque;
	struct dv_virtq *vq = dv_virtio_mmio_queue(&r->dev, queue);

	r->notifies++;
	r->last_queue = (int)queue;
	if (!vq)
		return;
	r->popped = dv_virtq_pop(vq, &req);
	if (r->popped == 1) {
		dv_virtq_push(vq, req.head, 4);
		if (dv_virtq_should_notify(vq))
			dv_virtio_mmio_notify_used(&r->dev, queue);
	} else if (r->popped < 0) {
		dv_virtio_mmio_needs_reset(&r->dev);
	}
}

static void dev_reset(void *opaque)
{
	((struct rig *)opaque)->resets++;
}

static uint32_t dev_config_read(void *opaque, uint32_t offset, unsigned size)
{
	struct rig *r = opaque;
	uint32_t v = 0;

	memcpy(&v, r->config + offset, size);
	return v;
}

static void dev_config_write(void *opaque, uint32_t offset, unsigned size, uint32_t val)
{
	memcpy(((struct rig *)opaque)->config + offset, &val, size);
}

static const struct dv_virtio_dev_ops dev_ops = {
    .device_id = 2,
    /* bit 40 is not one the transport carries: it must not be offered */
    .features = BIT(0) | BIT(5) | BIT(VIRTIO_RING_F_EVENT_IDX) | BIT(40),
    .nqueues = 2,
    .queue_max = 16,
    .config_size = 8,
    .notify = dev_notify,
    .reset = dev_reset,
    .config_read = dev_config_read,
    .config_write = dev_config_write,
};

static struct rig *make(void)
{
	struct dv_irq_line line = {rig_irq, &rig, 7};

	if (rig.dev.ops)
		dv_virtio_mmio_destroy(&rig.dev);
	free(rig.mem.host);
	memset(&rig, 0, sizeof(rig));
	rig.mem = (struct dv_guest_mem){calloc(1, RAM_SIZE), RAM_BASE, RAM_SIZE};
	rig.last_queue = -1;
	memcpy(rig.config, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	if (dv_virtio_mmio_init(&rig.dev, &rig.mem, &dev_ops, &rig, line))
		abort();
	return &rig;
}

static uint64_t rd_sized(uint64_t off, unsigned size)
{
	uint64_t v = 0xdeadbeef;

	if (dv_virtio_mmio_ops.read(&rig.dev, off, size, &v))
		return 0xbad;
	return v;
}

static uint32_t rd(uint64_t off)
{
	return (uint32_t)rd_sized(off, 4);
}

static void wr_sized(uint64_t off, unsigned size, uint64_t val)
{
	if (dv_virtio_mmio_ops.write(&rig.dev, off, size, val))
		abort();
}

static void wr(uint64_t off, uint32_t val)
{
	wr_sized(off, 4, val);
}

static void wr64(uint64_t lo, uint64_t val)
{
	wr(lo, (uint32_t)val);
	wr(lo + 4, (uint32_t)(val >> 32));
}

/* Linux's virtio_mmio probe up to FEATURES_OK; returns the status read back. */
static uint32_t negotiate(uint64_t features)
{
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	return rd(VIRTIO_MMIO_STATUS);
}

static void setup_queue(uint32_t sel, uint32_t num, uint64_t desc, uint64_t avail, uint64_t used)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, sel);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr64(VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
	wr64(VIRTIO_MMIO_QUEUE_AVAIL_LOW, avail);
	wr64(VIRTIO_MMIO_QUEUE_USED_LOW, used);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

#define ALL_OK                                                                                     \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |      \
	 VIRTIO_CONFIG_S_DRIVER_OK)

/* A device ready to use: queue 0 of 8 entries at DESC/AVAIL/USED, DRIVER_OK. */
static void bring_up(uint64_t features)
{
	make();
	negotiate(features);
	setup_queue(0, 8, DESC, AVAIL, USED);
	wr(VIRTIO_MMIO_STATUS, ALL_OK);
}

static void *at(uint64_t gpa)
{
	return rig.mem.host + (gpa - RAM_BASE);
}

/* The driver offers a one-buffer writable chain at descriptor 0. */
static void offer(void)
{
	struct vring_desc d = {DATA, 16, VRING_DESC_F_WRITE, 0};
	uint16_t *idx = at(AVAIL + 2);

	memcpy(at(DESC), &d, sizeof(d));
	((uint16_t *)at(AVAIL + 4))[*idx & 7] = 0;
	(*idx)++;
}

UT_TEST(reset_values)
{
	make();
	UT_CHECK(rd(VIRTIO_MMIO_MAGIC_VALUE) == 0x74726976, "magic %#x", rd(0));
	UT_CHECK(rd(VIRTIO_MMIO_VERSION) == 2, "version");
	UT_CHECK(rd(VIRTIO_MMIO_DEVICE_ID) == 2, "device id");
	UT_CHECK(rd(VIRTIO_MMIO_VENDOR_ID) == DV_VIRTIO_VENDOR, "vendor id");
	UT_CHECK(rd(VIRTIO_MMIO_STATUS) == 0, "status");
	UT_CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == 0, "isr");
	UT_CHECK(rd(VIRTIO_MMIO_CONFIG_GENERATION) == 0, "generation");
	UT_CHECK(rd(VIRTIO_MMIO_QUEUE_NUM_MAX) == 16, "queue 0 max %u",
		 rd(VIRTIO_MMIO_QUEUE_NUM_MAX));
	UT_CHECK(rd(VIRTIO_MMIO_QUEUE_READY) == 0, "queue 0 not ready");
	wr(VIRTIO_MMIO_QUEUE_SEL, 2);
	UT_CHECK(rd(VIRTIO_MMIO_QUEUE_NUM_MAX) == 0, "no queue 2");
	UT_CHECK(rd(VIRTIO_MMIO_QUEUE_NOTIFY) == 0, "write-only register reads 0");
	UT_CHECK(rd(0x0f0) == 0, "reserved register");
	UT_CHECK(rd_sized(VIRTIO_MMIO_MAGIC_VALUE, 1) == 0, "1-byte read of a register");
	UT_CHECK(rd_sized(VIRTIO_MMIO_MAGIC_VALUE, 8) == 0, "8-byte read of a register");
	UT_CHECK(rd(VIRTIO_MMIO_MAGIC_VALUE + 1) == 0, "misaligned register");
	UT_CHECK(!rig.level && rig.irq_calls == 0, "line low, untouched");
}

UT_TEST(init_rejects_bad_ops)
{
	struct dv_virtio_mmio d;
	struct dv_virtio_dev_ops ops = dev_ops;
	struct dv_irq_line line = {0};

	make();
	ops.nqueues = DV_VIRTIO_MMIO_MAX_QUEUES + 1;
	UT_CHECK(dv_virtio_mmio_init(&d, &rig.mem, &ops, NULL, line) == -EINVAL, "nqueues");
	ops = dev_ops;
	ops.queue_max = 12;
	UT_CHECK(dv_virtio_mmio_init(&d, &rig.mem, &ops, NULL, line) == -EINVAL, "queue_max 12");
	ops = dev_ops;
	ops.config_size = 0x101;
	UT_CHECK(dv_virtio_mmio_init(&d, &rig.mem, &ops, NULL, line) == -EINVAL, "config_size");
}

UT_TEST(features_offered)
{
	make();
	UT_CHECK(rd(VIRTIO_MMIO_DEVICE_FEATURES) ==
		     (BIT(0) | BIT(5) | BIT(VIRTIO_RING_F_EVENT_IDX)),
		 "low word %#x", rd(VIRTIO_MMIO_DEVICE_FEATURES));
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	UT_CHECK(rd(VIRTIO_MMIO_DEVICE_FEATURES) == 1, "high word %#x: VERSION_1 only",
		 rd(VIRTIO_MMIO_DEVICE_FEATURES));
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	UT_CHECK(rd(VIRTIO_MMIO_DEVICE_FEATURES) == 0, "word 2");
}

UT_TEST(feature_negotiation)
{
	make();
	UT_CHECK(!(negotiate(BIT(0)) & VIRTIO_CONFIG_S_FEATURES_OK), "VERSION_1 missing: refused");
	make();
	UT_CHECK(!(negotiate(BIT(VIRTIO_F_VERSION_1) | BIT(40)) & VIRTIO_CONFIG_S_FEATURES_OK),
		 "bit 40 was not offered: refused");
	make();
	UT_CHECK(!(negotiate(BIT(VIRTIO_F_VERSION_1) | BIT(1)) & VIRTIO_CONFIG_S_FEATURES_OK),
		 "bit 1 was not offered: refused");
	make();
	UT_CHECK(negotiate(BIT(VIRTIO_F_VERSION_1) | BIT(5)) ==
		     (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		      VIRTIO_CONFIG_S_FEATURES_OK),
		 "accepted");
	UT_CHECK(dv_virtio_mmio_features(&rig.dev) == (BIT(VIRTIO_F_VERSION_1) | BIT(5)),
		 "driver features");
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	UT_CHECK(dv_virtio_mmio_features(&rig.dev) == (BIT(VIRTIO_F_VERSION_1) | BIT(5)),
		 "frozen after FEATURES_OK");
	make();
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	UT_CHECK(dv_virtio_mmio_features(&rig.dev) == 0, "ignored before DRIVER");
}

UT_TEST(status_state_machine)
{
	make();
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_DRIVER);
	UT_CHECK(rd(VIRTIO_MMIO_STATUS) == 0, "DRIVER without ACKNOWLEDGE");
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_FEATURES_OK);
	UT_CHECK(rd(VIRTIO_MMIO_STATUS) == VIRTIO_CONFIG_S_ACKNOWLEDGE,
		 "FEATURES_OK without DRIVER");
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_DRIVER_OK);
	UT_CHECK(rd(VIRTIO_MMIO_STATUS) == VIRTIO_CONFIG_S_ACKNOWLEDGE,
		 "DRIVER_OK without FEATURES_OK");
	negotiate(BIT(VIRTIO_F_VERSION_1));
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	UT_CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK, "bits are never cleared");
	wr_sized(VIRTIO_MMIO_STATUS, 1, 0);
	UT_CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK, "1-byte write ignored");
	wr(VIRTIO_MMIO_STATUS, ALL_OK);
	UT_CHECK(rd(VIRTIO_MMIO_STATUS) == ALL_OK, "DRIVER_OK");
	wr(VIRTIO_MMIO_STATUS, ALL_OK | VIRTIO_CONFIG_S_FAILED);
	UT_CHECK(rd(VIRTIO_MMIO_STATUS) == (ALL_OK | VIRTIO_CONFIG_S_FAILED), "FAILED");
	UT_CHECK(rig.resets == 0, "no reset yet");
	wr(VIRTIO_MMIO_STATUS, 0);
	UT_CHECK(rd(VIRTIO_MMIO_STATUS) == 0 && rig.resets == 1, "writing 0 resets");
	UT_CHECK(dv_virtio_mmio_features(&rig.dev) == 0, "features forgotten");
}

UT_TEST(queue_setup_through_registers)
{
	struct dv_virtq *vq;

	make();
	setup_queue(0, 8, DESC, AVAIL, USED);
	UT_CHECK(rd(VIRTIO_MMIO_QUEUE_READY) == 0, "not before FEATURES_OK");
	UT_CHECK(!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET), "but no error");
	bring_up(BIT(VIRTIO_F_VERSION_1));
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	UT_CHECK(rd(VIRTIO_MMIO_QUEUE_READY) == 1, "ready");
	vq = dv_virtio_mmio_queue(&rig.dev, 0);
	UT_CHECK(vq && vq->size == 8 && !vq->event_idx, "the virtq");
	UT_CHECK(vq && vq->desc == at(DESC) && vq->avail == at(AVAIL) && vq->used == at(USED),
		 "its parts");
	UT_CHECK(dv_virtio_mmio_queue(&rig.dev, 1) == NULL, "queue 1 not set up");
	UT_CHECK(dv_virtio_mmio_queue(&rig.dev, 9) == NULL, "no queue 9");
	wr(VIRTIO_MMIO_QUEUE_NUM, 4);
	wr64(VIRTIO_MMIO_QUEUE_DESC_LOW, RAM_BASE + RAM_SIZE);
	UT_CHECK(rig.dev.q[0].num == 8 && rig.dev.q[0].desc == DESC, "frozen while ready");
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	UT_CHECK(rd(VIRTIO_MMIO_QUEUE_READY) == 0 && !dv_virtio_mmio_queue(&rig.dev, 0),
		 "disabled");
	wr(VIRTIO_MMIO_QUEUE_SEL, 7);
	wr(VIRTIO_MMIO_QUEUE_NUM, 4);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	UT_CHECK(rd(VIRTIO_MMIO_QUEUE_READY) == 0, "queue 7 does not exist");

	make();
	negotiate(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_EVENT_IDX));
	setup_queue(1, 16, DESC, AVAIL, USED);
	vq = dv_virtio_mmio_queue(&rig.dev, 1);
	UT_CHECK(vq && vq->event_idx && vq->size == 16, "EVENT_IDX reaches the queue");
}

UT_TEST(bad_queue_setup_needs_reset)
{
	static const struct {
		uint32_t num;
		uint64_t desc, avail, used;
		const char *why;
	} bad[] = {
	    {12, DESC, AVAIL, USED, "num 12"},
	    {32, DESC, AVAIL, USED, "num above QueueNumMax"},
	    {0, DESC, AVAIL, USED, "num 0"},
	    {8, RAM_BASE + RAM_SIZE - 64, AVAIL, USED, "desc straddling the end of RAM"},
	    {8, DESC, 0x1000, USED, "avail outside RAM"},
	    {8, DESC, AVAIL, USED + 2, "used misaligned"},
	    {8, DESC | BIT(40), AVAIL, USED, "desc high word"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make();
		negotiate(BIT(VIRTIO_F_VERSION_1));
		setup_queue(0, bad[i].num, bad[i].desc, bad[i].avail, bad[i].used);
		UT_CHECK(rd(VIRTIO_MMIO_QUEUE_READY) == 0, "%s: not ready", bad[i].why);
		UT_CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET, "%s: needs reset",
			 bad[i].why);
		UT_CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_CONFIG && rig.level,
			 "%s: config interrupt", bad[i].why);
	}
}

UT_TEST(notify_reaches_device_and_interrupts)
{
	bring_up(BIT(VIRTIO_F_VERSION_1));
	offer();
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	UT_CHECK(rig.notifies == 1 && rig.last_queue == 0, "notify op called for queue 0");
	UT_CHECK(rig.popped == 1, "the device popped %d", rig.popped);
	UT_CHECK(*(uint16_t *)at(USED + 2) == 1, "and pushed");
	UT_CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_VRING, "isr %#x",
		 rd(VIRTIO_MMIO_INTERRUPT_STATUS));
	UT_CHECK(rig.level && rig.irq_calls == 1, "line raised");
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	UT_CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_VRING && rig.level,
		 "acking another bit changes nothing");
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	UT_CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == 0 && !rig.level && rig.irq_calls == 2,
		 "acked, line lowered");
	wr(VIRTIO_MMIO_INTERRUPT_STATUS, 3);
	UT_CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == 0, "InterruptStatus is read-only");

	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 8);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff);
	wr_sized(VIRTIO_MMIO_QUEUE_NOTIFY, 2, 0);
	UT_CHECK(rig.notifies == 1, "no notify for absent or unready queues, or a 2-byte write");

	make();
	negotiate(BIT(VIRTIO_F_VERSION_1));
	setup_queue(0, 8, DESC, AVAIL, USED);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	UT_CHECK(rig.notifies == 0, "no notify before DRIVER_OK");
}

UT_TEST(malformed_queue_needs_reset)
{
	struct vring_desc d = {DATA, 16, VRING_DESC_F_NEXT, 0}; /* a self loop */

	bring_up(BIT(VIRTIO_F_VERSION_1));
	offer();
	memcpy(at(DESC), &d, sizeof(d));
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	UT_CHECK(rig.popped == -EINVAL, "pop %d", rig.popped);
	UT_CHECK(rd(VIRTIO_MMIO_STATUS) == (ALL_OK | VIRTIO_CONFIG_S_NEEDS_RESET), "status %#x",
		 rd(VIRTIO_MMIO_STATUS));
	UT_CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_CONFIG && rig.level, "irq");
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	UT_CHECK(rig.notifies == 1, "no more notifies once it needs a reset");
	wr(VIRTIO_MMIO_STATUS, ALL_OK | VIRTIO_CONFIG_S_NEEDS_RESET | VIRTIO_CONFIG_S_FAILED);
	UT_CHECK(rd(VIRTIO_MMIO_STATUS) ==
		     (ALL_OK | VIRTIO_CONFIG_S_FAILED | VIRTIO_CONFIG_S_NEEDS_RESET),
		 "FAILED on top, NEEDS_RESET kept");
	wr(VIRTIO_MMIO_STATUS, 0);
	UT_CHECK(rd(VIRTIO_MMIO_STATUS) == 0 && rd(VIRTIO_MMIO_INTERRUPT_STATUS) == 0 && !rig.level,
		 "reset clears it all");
	UT_CHECK(rd(VIRTIO_MMIO_QUEUE_READY) == 0, "queue forgotten");
}

UT_TEST(config_space)
{
	make();
	UT_CHECK(rd_sized(VIRTIO_MMIO_CONFIG, 1) == 0x11, "byte 0");
	UT_CHECK(rd_sized(VIRTIO_MMIO_CONFIG + 2, 2) == 0x4433, "half at 2");
	UT_CHECK(rd_sized(VIRTIO_MMIO_CONFIG + 4, 4) == 0x88776655, "word at 4");
	UT_CHECK(rd_sized(VIRTIO_MMIO_CONFIG + 1, 2) == 0, "misaligned");
	UT_CHECK(rd_sized(VIRTIO_MMIO_CONFIG, 8) == 0, "8 bytes");
	UT_CHECK(rd_sized(VIRTIO_MMIO_CONFIG + 8, 1) == 0, "beyond config_size");
	UT_CHECK(rd_sized(VIRTIO_MMIO_CONFIG + 6, 4) == 0, "straddling config_size");
	UT_CHECK(rd_sized(~0ull, 4) == 0, "far away");
	wr_sized(VIRTIO_MMIO_CONFIG + 1, 1, 0xab);
	wr_sized(VIRTIO_MMIO_CONFIG + 8, 1, 0xcd);
	wr_sized(VIRTIO_MMIO_CONFIG + 7, 2, 0xcd);
	UT_CHECK(rd(VIRTIO_MMIO_CONFIG) == 0x4433ab11, "written through %#x",
		 rd(VIRTIO_MMIO_CONFIG));
	UT_CHECK(rd(VIRTIO_MMIO_CONFIG + 4) == 0x88776655, "bad writes dropped");
	dv_virtio_mmio_config_changed(&rig.dev);
	dv_virtio_mmio_config_changed(&rig.dev);
	UT_CHECK(rd(VIRTIO_MMIO_CONFIG_GENERATION) == 2, "generation bumped");
	UT_CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_CONFIG && rig.level,
		 "config interrupt");
}
UT_TEST(config_space_of_odd_size)
{
	struct dv_virtio_mmio d;
	struct dv_virtio_dev_ops ops = dev_ops;
	struct dv_irq_line line = {0};
	uint64_t v = 1;

	make();
	ops.config_size = 6;
	UT_CHECK(dv_virtio_mmio_init(&d, &rig.mem, &ops, &rig, line) == 0, "init");
	dv_virtio_mmio_ops.read(&d, VIRTIO_MMIO_CONFIG + 4, 4, &v);
	UT_CHECK(v == 0, "a word straddling config_size reads %#llx", (unsigned long long)v);
	dv_virtio_mmio_ops.read(&d, VIRTIO_MMIO_CONFIG + 4, 2, &v);
	UT_CHECK(v == 0x6655, "the last half inside reads %#llx", (unsigned long long)v);
	dv_virtio_mmio_destroy(&d);
}

/* The used area of queue 0 (8 entries), to see that nothing was written. */
#define USED_BYTES VIRTQ_USED_BYTES(8)

UT_TEST(pop_push_signal)
{
	uint32_t gen = ~0u;
	struct vring_used_elem e;

	bring_up(BIT(VIRTIO_F_VERSION_1));
	UT_CHECK(!dv_virtio_mmio_queue_has_work(&rig.dev, 0), "nothing offered yet");
	UT_CHECK(dv_virtio_mmio_pop(&rig.dev, 0, &req, &gen) == 0, "empty pop");
	offer();
	UT_CHECK(dv_virtio_mmio_queue_has_work(&rig.dev, 0), "offered");
	UT_CHECK(dv_virtio_mmio_queue_has_work(&rig.dev, 0), "asking twice changes nothing");
	UT_CHECK(dv_virtio_mmio_pop(&rig.dev, 0, &req, &gen) == 1, "popped");
	UT_CHECK(gen == rig.dev.generation, "the generation %u", gen);
	UT_CHECK(req.head == 0 && req.nwrite == 1 && req.write_len == 16 && req.nread == 0,
		 "the chain");
	UT_CHECK(req.write[0].ptr == at(DATA), "its buffer");
	UT_CHECK(!dv_virtio_mmio_queue_has_work(&rig.dev, 0), "no more work");
	UT_CHECK(dv_virtio_mmio_push(&rig.dev, 0, gen, req.head, 5) == 0, "pushed");
	memcpy(&e, at(USED + 4), sizeof(e));
	UT_CHECK(*(uint16_t *)at(USED + 2) == 1 && e.id == 0 && e.len == 5, "used: %u %u", e.id,
		 e.len);
	UT_CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == 0 && !rig.level, "push alone interrupts not");
	UT_CHECK(dv_virtio_mmio_signal_used(&rig.dev, 0), "signalled");
	UT_CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_VRING && rig.level, "irq");
	UT_CHECK(!dv_virtio_mmio_signal_used(&rig.dev, 0), "nothing new to signal");
	UT_CHECK(rig.notifies == 0, "the device's notify was not involved");
}

UT_TEST(pop_only_from_live_queues)
{
	uint32_t gen;

	make();
	UT_CHECK(dv_virtio_mmio_pop(&rig.dev, 0, &req, &gen) == 0, "no queue set up");
	UT_CHECK(gen == rig.dev.generation, "the generation is reported anyway");
	negotiate(BIT(VIRTIO_F_VERSION_1));
	setup_queue(0, 8, DESC, AVAIL, USED);
	offer();
	UT_CHECK(!dv_virtio_mmio_queue_has_work(&rig.dev, 0), "no work before DRIVER_OK");
	UT_CHECK(dv_virtio_mmio_pop(&rig.dev, 0, &req, &gen) == 0, "no pop before DRIVER_OK");
	UT_CHECK(dv_virtio_mmio_push(&rig.dev, 0, gen, 0, 1) == -ESTALE,
		 "no push before DRIVER_OK");
	UT_CHECK(*(uint16_t *)at(USED + 2) == 0, "used untouched");
	wr(VIRTIO_MMIO_STATUS, ALL_OK);
	UT_CHECK(dv_virtio_mmio_queue_has_work(&rig.dev, 0), "work once DRIVER_OK");
	UT_CHECK(dv_virtio_mmio_pop(&rig.dev, 1, &req, &gen) == 0, "queue 1 is not ready");
	UT_CHECK(dv_virtio_mmio_pop(&rig.dev, 2, &req, &gen) == 0, "there is no queue 2");
	UT_CHECK(dv_virtio_mmio_pop(&rig.dev, ~0u, &req, &gen) == 0, "nor queue ~0");
	UT_CHECK(!dv_virtio_mmio_queue_has_work(&rig.dev, 5), "no work on queue 5");
	UT_CHECK(dv_virtio_mmio_push(&rig.dev, 5, gen, 0, 1) == -ESTALE, "no push on queue 5");
	UT_CHECK(!dv_virtio_mmio_signal_used(&rig.dev, 5), "no signal on queue 5");
	UT_CHECK(dv_virtio_mmio_pop(&rig.dev, 0, &req, &gen) == 1, "queue 0 serves");
}

UT_TEST(push_after_reset_is_stale)
{
	uint8_t before[USED_BYTES];
	uint32_t gen, gen2;

	bring_up(BIT(VIRTIO_F_VERSION_1));
	offer();
	UT_CHECK(dv_virtio_mmio_pop(&rig.dev, 0, &req, &gen) == 1, "popped");
	memcpy(before, at(USED), sizeof(before));
	wr(VIRTIO_MMIO_STATUS, 0);
	UT_CHECK(dv_virtio_mmio_push(&rig.dev, 0, gen, req.head, 16) == -ESTALE, "after reset");
	UT_CHECK(!memcmp(before, at(USED), sizeof(before)), "used ring untouched");
	/* The driver sets the device up again, with the same rings: still stale. */
	negotiate(BIT(VIRTIO_F_VERSION_1));
	setup_queue(0, 8, DESC, AVAIL, USED);
	wr(VIRTIO_MMIO_STATUS, ALL_OK);
	UT_CHECK(dv_virtio_mmio_push(&rig.dev, 0, gen, req.head, 16) == -ESTALE,
		 "after the device came back");
	UT_CHECK(!memcmp(before, at(USED), sizeof(before)), "used ring still untouched");
	UT_CHECK(!dv_virtio_mmio_signal_used(&rig.dev, 0) && !rig.level, "nothing to signal");
	/* The new queue sees the buffer as new, and serves it in the new generation. */
	UT_CHECK(dv_virtio_mmio_pop(&rig.dev, 0, &req, &gen2) == 1 && gen2 != gen, "popped again");
	UT_CHECK(dv_virtio_mmio_push(&rig.dev, 0, gen2, req.head, 16) == 0, "pushed");
	UT_CHECK(*(uint16_t *)at(USED + 2) == 1, "used idx 1");
}

UT_TEST(push_after_queue_stop_is_stale)
{
	uint8_t before[USED_BYTES];
	uint32_t gen;

	bring_up(BIT(VIRTIO_F_VERSION_1));
	offer();
	UT_CHECK(dv_virtio_mmio_pop(&rig.dev, 0, &req, &gen) == 1, "popped");
	memcpy(before, at(USED), sizeof(before));
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	UT_CHECK(dv_virtio_mmio_push(&rig.dev, 0, gen, req.head, 16) == -ESTALE, "queue stopped");
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	UT_CHECK(rd(VIRTIO_MMIO_QUEUE_READY) == 1, "and ready again");
	UT_CHECK(dv_virtio_mmio_push(&rig.dev, 0, gen, req.head, 16) == -ESTALE, "still stale");
	UT_CHECK(!memcmp(before, at(USED), sizeof(before)), "used ring untouched");
	UT_CHECK(rd(VIRTIO_MMIO_STATUS) == ALL_OK, "no error either: status %#x",
		 rd(VIRTIO_MMIO_STATUS));
}

UT_TEST(malformed_pop_needs_reset)
{
	struct vring_desc d = {DATA, 16, VRING_DESC_F_NEXT, 0}; /* a self loop */
	uint8_t before[USED_BYTES];
	uint32_t gen;

	bring_up(BIT(VIRTIO_F_VERSION_1));
	offer();
	memcpy(at(DESC), &d, sizeof(d));
	memcpy(before, at(USED), sizeof(before));
	UT_CHECK(dv_virtio_mmio_pop(&rig.dev, 0, &req, &gen) == -EINVAL, "malformed");
	UT_CHECK(rd(VIRTIO_MMIO_STATUS) == (ALL_OK | VIRTIO_CONFIG_S_NEEDS_RESET), "status");
	UT_CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_CONFIG && rig.level, "irq");
	UT_CHECK(!dv_virtio_mmio_queue_has_work(&rig.dev, 0), "no work until reset");
	UT_CHECK(dv_virtio_mmio_pop(&rig.dev, 0, &req, &gen) == 0, "no pop until reset");
	UT_CHECK(dv_virtio_mmio_push(&rig.dev, 0, gen, 0, 1) == -ESTALE, "no push until reset");
	UT_CHECK(!memcmp(before, at(USED), sizeof(before)), "used ring untouched");
}

UT_TEST(push_bad_head_needs_reset)
{
	uint32_t gen;

	bring_up(BIT(VIRTIO_F_VERSION_1));
	offer();
	UT_CHECK(dv_virtio_mmio_pop(&rig.dev, 0, &req, &gen) == 1, "popped");
	UT_CHECK(dv_virtio_mmio_push(&rig.dev, 0, gen, 8, 1) == -EINVAL, "head 8 of 8");
	UT_CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET, "needs reset");
	UT_CHECK(*(uint16_t *)at(USED + 2) == 0, "used idx untouched");
}

UT_TEST(signal_used_honours_suppression)
{
	uint32_t gen;

	bring_up(BIT(VIRTIO_F_VERSION_1));
	*(uint16_t *)at(AVAIL) = VRING_AVAIL_F_NO_INTERRUPT;
	offer();
	dv_virtio_mmio_pop(&rig.dev, 0, &req, &gen);
	UT_CHECK(dv_virtio_mmio_push(&rig.dev, 0, gen, req.head, 1) == 0, "pushed");
	UT_CHECK(!dv_virtio_mmio_signal_used(&rig.dev, 0), "NO_INTERRUPT");
	UT_CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) == 0 && !rig.level, "no irq");

	bring_up(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_EVENT_IDX));
	*(uint16_t *)at(AVAIL + 4 + 2 * 8) = 1; /* used_event: after the second buffer */
	offer();
	offer();
	dv_virtio_mmio_pop(&rig.dev, 0, &req, &gen);
	dv_virtio_mmio_push(&rig.dev, 0, gen, req.head, 1);
	UT_CHECK(!dv_virtio_mmio_signal_used(&rig.dev, 0) && !rig.level, "not at used idx 1");
	dv_virtio_mmio_pop(&rig.dev, 0, &req, &gen);
	dv_virtio_mmio_push(&rig.dev, 0, gen, req.head, 1);
	UT_CHECK(dv_virtio_mmio_signal_used(&rig.dev, 0) && rig.level, "at used idx 2");
}

/* Save a live device, load it into a fresh one: it goes on where it was */
UT_TEST(a_saved_transport_loads_and_goes_on)
{
	struct dv_snap_w w;
	struct dv_snap_r r;
	uint8_t *ram;
	uint16_t used_idx;

	bring_up(BIT(32) | BIT(VIRTIO_RING_F_EVENT_IDX));
	offer();
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	UT_CHECK(rig.popped == 1, "first request not served");
	dv_snap_w_init(&w);
	dv_virtio_mmio_save(&rig.dev, &w);
	UT_CHECK(!w.nomem && w.len > 0, "nothing saved");
	/* the same RAM in a new device */
	ram = malloc(RAM_SIZE);
	memcpy(ram, rig.mem.host, RAM_SIZE);
	make();
	memcpy(rig.mem.host, ram, RAM_SIZE);
	free(ram);
	dv_snap_r_init(&r, w.buf, w.len);
	UT_CHECK(dv_virtio_mmio_load(&rig.dev, &r) == 0 && r.p == r.end, "load failed");
	UT_CHECK(rd(VIRTIO_MMIO_STATUS) == ALL_OK, "status %#x", rd(VIRTIO_MMIO_STATUS));
	UT_CHECK(rig.irq_calls == 0, "load drove the line");
	offer();
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	memcpy(&used_idx, at(USED + 2), 2);
	UT_CHECK(rig.popped == 1 && used_idx == 2, "after load: popped %d, used idx %u", rig.popped,
		 used_idx);
	/* every cut of the state is refused, never read past */
	for (size_t n = 0; n < w.len; n++) {
		make();
		dv_snap_r_init(&r, w.buf, n);
		UT_CHECK(dv_virtio_mmio_load(&rig.dev, &r) != 0, "a state cut to %zu bytes loaded",
			 n);
	}
	dv_snap_w_free(&w);
}

UT_TEST(a_hostile_transport_state_is_refused_or_legalised)
{
	struct dv_snap_w w;
	struct dv_snap_r r;

	/* a queue outside RAM */
	bring_up(BIT(32));
	dv_snap_w_init(&w);
	dv_virtio_mmio_save(&rig.dev, &w);
	make();
	/* queue 0's desc address: after the header (2 u64, 8 u32) and its num and ready */
	{
		size_t off = 8 + 8 + 4 * 8 + 4 + 4;
		uint64_t bad = RAM_BASE + RAM_SIZE;

		memcpy(w.buf + off, &bad, 8);
	}
	dv_snap_r_init(&r, w.buf, w.len);
	UT_CHECK(dv_virtio_mmio_load(&rig.dev, &r) == -EINVAL, "a queue outside RAM loaded");
	/* features never offered are dropped; an unknown status bit too */
	make();
	memset(w.buf + 8, 0xff, 8);
	memset(w.buf + 8 + 8 + 12, 0xff, 4);
	dv_snap_r_init(&r, w.buf, w.len);
	dv_virtio_mmio_load(&rig.dev, &r);
	UT_CHECK(!(dv_virtio_mmio_features(&rig.dev) & BIT(40)), "a feature never offered taken");
	UT_CHECK(!(rd(VIRTIO_MMIO_STATUS) & ~0xcfu), "status %#x", rd(VIRTIO_MMIO_STATUS));
	/* another device's state (other features offered) */
	make();
	memset(w.buf, 0, 8);
	dv_snap_r_init(&r, w.buf, w.len);
	UT_CHECK(dv_virtio_mmio_load(&rig.dev, &r) == -EINVAL, "another device's state loaded");
	dv_snap_w_free(&w);
}

/* A request popped and held (virtio-rng waiting for the host's CRNG) is saved as not popped */
UT_TEST(a_held_request_is_saved_unpopped_and_popped_again_after_load)
{
	struct dv_virtq_req held, again;
	struct dv_snap_w w;
	struct dv_snap_r r;
	uint32_t gen;
	uint8_t *ram;

	bring_up(BIT(32));
	offer();
	UT_CHECK(dv_virtio_mmio_pop(&rig.dev, 0, &held, &gen) == 1, "nothing to pop");
	UT_CHECK(dv_virtio_mmio_pop(&rig.dev, 0, &again, &gen) == 0, "popped twice");
	dv_snap_w_init(&w);
	dv_virtio_mmio_save_unpopped(&rig.dev, &w, 0);
	ram = malloc(RAM_SIZE);
	memcpy(ram, rig.mem.host, RAM_SIZE);
	make();
	memcpy(rig.mem.host, ram, RAM_SIZE);
	free(ram);
	dv_snap_r_init(&r, w.buf, w.len);
	UT_CHECK(dv_virtio_mmio_load(&rig.dev, &r) == 0, "load failed");
	UT_CHECK(dv_virtio_mmio_pop(&rig.dev, 0, &again, &gen) == 1 && again.head == held.head,
		 "the held request is not there again (head %u, was %u)", again.head, held.head);
	dv_snap_w_free(&w);
}

UT_MAIN()
