/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal virtio-mmio driver for the bare-metal C test guests: the SBI
 * console, register access to the device at VIRTIO, one queue of QSIZE
 * descriptors at RING (avail at +0x1000, used at +0x2000), and result
 * lines "RESULT_TAG <case> ok|FAIL <value>". Define VIRTIO and RESULT_TAG
 * before including it; RAM is the first 64 MiB at 0x80000000.
 */
#ifndef VGUEST_H
#define VGUEST_H

#include <stdint.h>

#define RAM_BASE 0x80000000UL
#define RAM_SIZE (64UL << 20)
#define RING	 0x80800000UL /* desc; avail at +0x1000, used at +0x2000 */
#define BUF	 0x80810000UL
#define QSIZE	 8
#define TIMEBASE 10000000UL /* Hz: duvisor's guests see the host's, QEMU virt's 10 MHz */

#define REG_MAGIC	 0x000
#define REG_DEVICE_ID	 0x008
#define REG_DEV_FEAT_SEL 0x014
#define REG_DRV_FEAT	 0x020
#define REG_DRV_FEAT_SEL 0x024
#define REG_QUEUE_SEL	 0x030
#define REG_QUEUE_NUM	 0x038
#define REG_QUEUE_READY	 0x044
#define REG_QUEUE_NOTIFY 0x050
#define REG_INT_STATUS	 0x060
#define REG_INT_ACK	 0x064
#define REG_STATUS	 0x070
#define REG_DESC_LO	 0x080
#define REG_DESC_HI	 0x084
#define REG_DRIVER_LO	 0x090
#define REG_DRIVER_HI	 0x094
#define REG_DEVICE_LO	 0x0a0
#define REG_DEVICE_HI	 0x0a4

#define ST_ACK	       1
#define ST_DRIVER      2
#define ST_DRIVER_OK   4
#define ST_FEATURES_OK 8
#define ST_NEEDS_RESET 0x40
#define F_NEXT	       1
#define F_WRITE	       2

static uint16_t avail_idx; /* buffers offered since setup() */

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static inline void putc(char c)
{
	register long a0 __asm__("a0") = c;
	register long a6 __asm__("a6") = 0;
	register long a7 __asm__("a7") = 1; /* v0.1 console_putchar: on both backends */

	__asm__ __volatile__("ecall" : "+r"(a0) : "r"(a6), "r"(a7) : "a1", "memory");
}

static inline void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static inline void puthex(uint64_t v)
{
	puts("0x");
	for (int i = 60; i >= 0; i -= 4)
		putc("0123456789abcdef"[(v >> i) & 15]);
}

static inline uint32_t rd(unsigned int off)
{
	return *(volatile uint32_t *)(VIRTIO + off);
}

static inline void wr(unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(VIRTIO + off) = v;
}

static inline void zero(uint64_t addr, unsigned long len)
{
	for (unsigned long i = 0; i < len; i++)
		((volatile uint8_t *)addr)[i] = 0;
}

/* Bring the device up with the queue at desc/avail/used; returns the status. */
static inline uint32_t setup(uint64_t desc, uint64_t avail, uint64_t used)
{
	wr(REG_STATUS, 0);
	zero(RING, 0x3000);
	avail_idx = 0;
	wr(REG_STATUS, ST_ACK);
	wr(REG_STATUS, ST_ACK | ST_DRIVER);
	wr(REG_DRV_FEAT_SEL, 1);
	wr(REG_DRV_FEAT, 1); /* VERSION_1 */
	wr(REG_DRV_FEAT_SEL, 0);
	wr(REG_DRV_FEAT, 0);
	wr(REG_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK);
	wr(REG_QUEUE_SEL, 0);
	wr(REG_QUEUE_NUM, QSIZE);
	wr(REG_DESC_LO, (uint32_t)desc);
	wr(REG_DESC_HI, (uint32_t)(desc >> 32));
	wr(REG_DRIVER_LO, (uint32_t)avail);
	wr(REG_DRIVER_HI, (uint32_t)(avail >> 32));
	wr(REG_DEVICE_LO, (uint32_t)used);
	wr(REG_DEVICE_HI, (uint32_t)(used >> 32));
	wr(REG_QUEUE_READY, 1);
	wr(REG_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	return rd(REG_STATUS);
}

static volatile struct desc *const d = (volatile struct desc *)RING;
static volatile uint16_t *const avail = (volatile uint16_t *)(RING + 0x1000);
static volatile uint32_t *const used = (volatile uint32_t *)(RING + 0x2000);

/* Offer the chain at head and notify */
static inline void offer_head(uint16_t head)
{
	avail[2 + (avail_idx % QSIZE)] = head;
	__asm__ __volatile__("fence rw, rw" ::: "memory"); /* the ring before the index */
	avail[1] = ++avail_idx;
	__asm__ __volatile__("fence rw, rw" ::: "memory");
	wr(REG_QUEUE_NOTIFY, 0);
}

static inline void offer(void)
{
	offer_head(0);
}

static inline uint64_t now(void)
{
	uint64_t t;

	__asm__ __volatile__("rdtime %0" : "=r"(t));
	return t;
}

/*
 * Wait for the status to show NEEDS_RESET, or for the device to have used
 * all that was offered: 60 s at most (entropy may wait for the host's CRNG).
 */
static inline int wait_for(int needs_reset)
{
	uint64_t end = now() + 60 * TIMEBASE;

	while (now() < end) {
		if (needs_reset && (rd(REG_STATUS) & ST_NEEDS_RESET))
			return 1;
		if (!needs_reset && (uint16_t)(used[0] >> 16) == avail_idx)
			return 1;
	}
	return 0;
}

static int failures;

static inline void result(const char *name, int ok, uint64_t what)
{
	puts(RESULT_TAG " ");
	puts(name);
	puts(ok ? " ok " : " FAIL ");
	puthex(what);
	putc('\n');
	failures += !ok;
}

#endif /* VGUEST_H */
