// SPDX-License-Identifier: GPL-2.0-only
/*
 * A bare-metal guest that ignores VIRTIO_BLK_F_RO: it drives duvisor's
 * virtio-blk on a readonly disk (the first device) itself and sends a
 * write anyway. The device must fail it with IOERR and leave the image as
 * it was (the host compares its checksum), while reads and flushes work.
 * Results are lines "BLKRO <case> ok|FAIL ..." on the SBI console.
 */
#define VIRTIO	   0x10001000UL /* the first --disk */
#define RESULT_TAG "BLKRO"
#include "vguest.h"

#define REG_DEV_FEATURES 0x010
#define BLK_F_RO	 (1u << 5)
#define T_IN		 0
#define T_OUT		 1
#define T_FLUSH		 4
#define HDR		 BUF
#define DATA		 (BUF + 0x1000)
#define STATUS		 (BUF + 0x2000)

static const char marker[] = "DUVISOR-RO-DISK-SECTOR0";

/* One request: header, an optional 512-byte data buffer, the status byte. 0xff: no answer */
static uint8_t request(uint32_t type, uint64_t sector, int data_writable)
{
	volatile uint32_t *h = (volatile uint32_t *)HDR;
	uint16_t n = 0;

	h[0] = type;
	h[1] = 0;
	*(volatile uint64_t *)(HDR + 8) = sector;
	*(volatile uint8_t *)STATUS = 0xff;
	d[n] = (struct desc){HDR, 16, F_NEXT, (uint16_t)(n + 1)};
	n++;
	if (type != T_FLUSH) {
		d[n] = (struct desc){DATA, 512, (uint16_t)(F_NEXT | (data_writable ? F_WRITE : 0)),
				     (uint16_t)(n + 1)};
		n++;
	}
	d[n] = (struct desc){STATUS, 1, F_WRITE, 0};
	offer_head(0);
	if (!wait_for(0))
		return 0xff;
	return *(volatile uint8_t *)STATUS;
}

static int data_is_marker(void)
{
	for (unsigned int i = 0; i < sizeof(marker) - 1; i++)
		if (((volatile char *)DATA)[i] != marker[i])
			return 0;
	return 1;
}

int main(void)
{
	uint8_t st;

	failures = 0; /* .bss is not in the image */
	if (rd(REG_MAGIC) != 0x74726976 || rd(REG_DEVICE_ID) != 2) {
		result("device-is-blk", 0, rd(REG_DEVICE_ID));
		return 1;
	}
	wr(REG_DEV_FEAT_SEL, 0);
	result("ro-offered", (rd(REG_DEV_FEATURES) & BLK_F_RO) != 0, rd(REG_DEV_FEATURES));
	/* The driver accepts no device feature: it does not "know" the disk is read-only */
	setup(RING, RING + 0x1000, RING + 0x2000);

	zero(DATA, 512);
	st = request(T_IN, 0, 1);
	result("read", st == 0 && data_is_marker(), st);

	for (unsigned int i = 0; i < 512; i++)
		((volatile uint8_t *)DATA)[i] = 0xaa;
	st = request(T_OUT, 0, 0);
	result("write-refused", st == 1, st);

	st = request(T_FLUSH, 0, 0);
	result("flush", st == 0, st);

	zero(DATA, 512);
	st = request(T_IN, 0, 1);
	result("read-unchanged", st == 0 && data_is_marker(), st);
	puts(failures ? "BLKRO-DONE failures\n" : "BLKRO-DONE all ok\n");
	return failures;
}
