// SPDX-License-Identifier: GPL-2.0-only
/*
 * A bare-metal guest that abuses duvisor's virtio-rng (the first virtio
 * device when no disk or link is given) through its real MMIO registers:
 * buffers outside RAM, a descriptor loop, rings outside RAM, a buffer
 * running off the end of RAM, a used-ring index far ahead. Each must put
 * the device into DEVICE_NEEDS_RESET (with the configuration interrupt),
 * never hurt duvisor; after a reset the device must work again. Results
 * are lines "EVIL <case> ok|FAIL ..." on the SBI console.
 */
#include <stdint.h>

#define VIRTIO		  0x10001000UL
#define RAM_BASE	  0x80000000UL
#define RAM_SIZE	  (64UL << 20)
#define RING		  0x80800000UL /* desc; avail at +0x1000, used at +0x2000 */
#define BUF		  0x80810000UL
#define QSIZE		  8
#define TIMEBASE	  10000000UL /* Hz: duvisor's guests see the host's, QEMU virt's 10 MHz */

#define REG_MAGIC	  0x000
#define REG_DEVICE_ID	  0x008
#define REG_DEV_FEAT_SEL  0x014
#define REG_DRV_FEAT	  0x020
#define REG_DRV_FEAT_SEL  0x024
#define REG_QUEUE_SEL	  0x030
#define REG_QUEUE_NUM	  0x038
#define REG_QUEUE_READY	  0x044
#define REG_QUEUE_NOTIFY  0x050
#define REG_INT_STATUS	  0x060
#define REG_INT_ACK	  0x064
#define REG_STATUS	  0x070
#define REG_DESC_LO	  0x080
#define REG_DESC_HI	  0x084
#define REG_DRIVER_LO	  0x090
#define REG_DRIVER_HI	  0x094
#define REG_DEVICE_LO	  0x0a0
#define REG_DEVICE_HI	  0x0a4

#define ST_ACK		  1
#define ST_DRIVER	  2
#define ST_DRIVER_OK	  4
#define ST_FEATURES_OK	  8
#define ST_NEEDS_RESET	  0x40
#define F_NEXT		  1
#define F_WRITE		  2

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static void putc(char c)
{
	register long a0 __asm__("a0") = c;
	register long a6 __asm__("a6") = 2; /* DBCN write_byte */
	register long a7 __asm__("a7") = 0x4442434e;

	__asm__ __volatile__("ecall" : "+r"(a0) : "r"(a6), "r"(a7) : "a1", "memory");
}

static void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static void puthex(uint64_t v)
{
	puts("0x");
	for (int i = 60; i >= 0; i -= 4)
		putc("0123456789abcdef"[(v >> i) & 15]);
}

static uint32_t rd(unsigned int off)
{
	return *(volatile uint32_t *)(VIRTIO + off);
}

static void wr(unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(VIRTIO + off) = v;
}

static void zero(uint64_t addr, unsigned long len)
{
	for (unsigned long i = 0; i < len; i++)
		((volatile uint8_t *)addr)[i] = 0;
}

/* Bring the device up with the queue at desc/avail/used; returns the status. */
static uint32_t setup(uint64_t desc, uint64_t avail, uint64_t used)
{
	wr(REG_STATUS, 0);
	zero(RING, 0x3000);
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

/* Offer descriptor 0 and notify */
static void offer(void)
{
	avail[2] = 0;				       /* ring[0] = head 0 */
	__asm__ __volatile__("fence rw, rw" ::: "memory"); /* the ring before the index */
	avail[1] = 1;				       /* idx */
	__asm__ __volatile__("fence rw, rw" ::: "memory");
	wr(REG_QUEUE_NOTIFY, 0);
}

static uint64_t now(void)
{
	uint64_t t;

	__asm__ __volatile__("rdtime %0" : "=r"(t));
	return t;
}

/*
 * Wait for the status to show NEEDS_RESET, or for the used index to move:
 * 60 s at most, as entropy may wait for the host's CRNG to be seeded.
 */
static int wait_for(int needs_reset)
{
	uint64_t end = now() + 60 * TIMEBASE;

	while (now() < end) {
		if (needs_reset && (rd(REG_STATUS) & ST_NEEDS_RESET))
			return 1;
		if (!needs_reset && (uint16_t)(used[0] >> 16) == 1)
			return 1;
	}
	return 0;
}

static int failures;

static void result(const char *name, int ok, uint64_t what)
{
	puts("EVIL ");
	puts(name);
	puts(ok ? " ok " : " FAIL ");
	puthex(what);
	putc('\n');
	failures += !ok;
}

static void expect_reset(const char *name)
{
	int ok = wait_for(1);

	/* NEEDS_RESET comes with a configuration-change interrupt */
	result(name, ok && (rd(REG_INT_STATUS) & 2), rd(REG_STATUS));
	wr(REG_INT_ACK, rd(REG_INT_STATUS));
}

static void check_works(const char *name)
{
	uint64_t sum = 0;

	setup(RING, RING + 0x1000, RING + 0x2000);
	zero(BUF, 64);
	d[0] = (struct desc){BUF, 64, F_WRITE, 0};
	offer();
	int ok = wait_for(0) && used[2] == 64; /* used ring[0].len */
	for (int i = 0; i < 8; i++)
		sum |= ((volatile uint64_t *)BUF)[i];
	result(name, ok && sum, sum);
	if (!ok || !sum) {
		puts("  used ");
		puthex(used[0]);
		puts(" len ");
		puthex(used[2]);
		puts(" status ");
		puthex(rd(REG_STATUS));
		putc('\n');
	}
}

int main(void)
{
	uint32_t st;

	failures = 0; /* .bss is not in the image */

	if (rd(REG_MAGIC) != 0x74726976 || rd(REG_DEVICE_ID) != 4) {
		result("device-is-rng", 0, rd(REG_DEVICE_ID));
		return 1;
	}
	check_works("works-before");

	setup(RING, RING + 0x1000, RING + 0x2000);
	d[0] = (struct desc){0x20000000UL, 64, F_WRITE, 0}; /* no RAM there */
	offer();
	expect_reset("buffer-outside-ram");

	setup(RING, RING + 0x1000, RING + 0x2000);
	d[0] = (struct desc){BUF, 64, F_WRITE | F_NEXT, 1};
	d[1] = (struct desc){BUF, 64, F_WRITE | F_NEXT, 0}; /* back to 0: a loop */
	offer();
	expect_reset("descriptor-loop");

	setup(RING, RING + 0x1000, RING + 0x2000);
	d[0] = (struct desc){RAM_BASE + RAM_SIZE - 16, 64, F_WRITE, 0}; /* runs off RAM */
	offer();
	expect_reset("buffer-past-ram-end");

	setup(RING, RING + 0x1000, RING + 0x2000);
	d[0] = (struct desc){BUF, 64, F_WRITE, 9}; /* no NEXT: next is ignored */
	d[0].flags = F_WRITE | F_NEXT;		   /* ...now it is: index 9 >= QSIZE */
	offer();
	expect_reset("next-out-of-range");

	setup(RING, RING + 0x1000, RING + 0x2000);
	d[0] = (struct desc){BUF, 64, F_WRITE, 0};
	avail[2] = 0;
	avail[1] = 100; /* 100 buffers on a queue of 8 */
	wr(REG_QUEUE_NOTIFY, 0);
	expect_reset("avail-index-jump");

	st = setup(0x30000000UL, RING + 0x1000, RING + 0x2000); /* rings outside RAM */
	result("ring-outside-ram", (st & ST_NEEDS_RESET) && !rd(REG_QUEUE_READY), st);

	/* Junk register traffic: none of it may fail the access or hurt duvisor */
	for (unsigned int off = 0; off < 0x200; off += 4)
		wr(off, 0xffffffff);
	for (unsigned int off = 0x100; off < 0x200; off++)
		*(volatile uint8_t *)(VIRTIO + off) = 0xa5;
	result("junk-registers", 1, rd(REG_STATUS));

	wr(REG_STATUS, 0);
	check_works("works-after-reset");
	puts(failures ? "EVIL-DONE failures\n" : "EVIL-DONE all ok\n");
	return failures;
}
