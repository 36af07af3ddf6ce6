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
#define VIRTIO	   0x10001000UL /* the rng: the first device without disks or links */
#define RESULT_TAG "EVIL"
#include "vguest.h"

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
