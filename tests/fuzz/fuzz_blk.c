// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: virtio-blk (virtio_blk.c, virtio_dev.c, virtio_mmio.c,
 * virtq.c) on a memfd disk of 64 KiB and 300 bytes (the partial sector at
 * the end is not exposed), with fake guest RAM.
 *
 * Input: flags u8 (bit 0 read-only instance, bit 1 a kick function instead
 * of serving inline), the driver's bring-up values (fz_bringup(), one
 * queue), then operations until the input ends: an opcode byte
 * (% OP_COUNT) and its arguments. Besides the raw guest-side and register
 * operations there is a request builder (type, sector, data length, layout)
 * so that well-formed requests are cheap to reach.
 *
 * After each input: the disk keeps its size and its partial last sector,
 * and a read-only instance left the whole disk as it was.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "virtio/blk.h"

#define RAM_BASE  0x80000000ull
#define RAM_SIZE  0x8000ull
#define HEAP	  0x2000ull /* the request builder's buffers: RAM from here on */
#define DISK_SIZE (64 * 1024 + 300)
#define MAX_OPS	  1024

enum {
	OP_MMIO_WRITE = FZ_G_COUNT, /* offset u16, size u8, value u64 */
	OP_MMIO_READ,		    /* offset u16, size u8 */
	OP_NOTIFY,		    /* QueueNotify 0 */
	OP_SERVE,		    /* the server thread runs: dv_vblk_serve() */
	OP_REQ,			    /* type u32, sector u64, data length u16, layout u8 */
	OP_BRINGUP,
	OP_CONFIG, /* the driver reads the config space */
	OP_COUNT
};

/* OP_REQ layout bits */
#define REQ_INDIRECT 1 /* the chain in an indirect table */
#define REQ_SPLIT    2 /* the data in two buffers */
#define REQ_NOSTATUS 4 /* no status byte */
#define REQ_NOTIFY   8 /* QueueNotify after adding it */

static struct dv_guest_mem mem;
static struct dv_vblk blk;
static struct fz_mmio x = {.dev = &blk.t};
static int disk = -1;
static uint8_t *pattern, *check;
static unsigned int kicks;
static uint64_t heap;	   /* next free byte of the builder's buffers (offset in RAM) */
static uint16_t next_desc; /* next descriptor the builder uses */

static void kick(void *ctx)
{
	FZ_CHECK(ctx == &blk, "kick ctx");
	FZ_CHECK(atomic_load(&blk.pending) & 1, "kicked with nothing pending");
	kicks++;
}

static void init_once(void)
{
	size_t i;

	fz_ram_alloc(&mem, RAM_BASE, RAM_SIZE);
	pattern = malloc(DISK_SIZE);
	check = malloc(DISK_SIZE);
	disk = memfd_create("fuzz_blk", MFD_CLOEXEC);
	if (!pattern || !check || disk < 0 || ftruncate(disk, DISK_SIZE))
		abort();
	for (i = 0; i < DISK_SIZE; i++)
		pattern[i] = (uint8_t)(i * 31 + (i >> 9));
	if (pwrite(disk, pattern, DISK_SIZE, 0) != DISK_SIZE)
		abort();
}

static void check_disk(bool readonly)
{
	struct stat st;

	FZ_CHECK(!fstat(disk, &st) && st.st_size == DISK_SIZE, "the disk is %ld bytes",
		 (long)st.st_size);
	FZ_CHECK(pread(disk, check, DISK_SIZE, 0) == DISK_SIZE, "pread");
	FZ_CHECK(!memcmp(check + 65536, pattern + 65536, DISK_SIZE - 65536),
		 "the partial sector at the end changed");
	if (readonly)
		FZ_CHECK(!memcmp(check, pattern, DISK_SIZE), "a read-only disk changed");
	else if (memcmp(check, pattern, DISK_SIZE) &&
		 pwrite(disk, pattern, DISK_SIZE, 0) != DISK_SIZE)
		abort();
}

static uint64_t alloc(uint64_t len)
{
	uint64_t at;

	if (len > RAM_SIZE - HEAP)
		len = RAM_SIZE - HEAP;
	if (heap + len > RAM_SIZE)
		heap = HEAP;
	at = heap;
	heap += (len + 15) & ~15ull;
	return RAM_BASE + at;
}

/* A request as Linux's virtio_blk builds it: header, data, status. */
static void build_req(struct fz *f)
{
	uint32_t type = fz_u32(f);
	uint64_t sector = fz_u64(f);
	uint32_t dlen = fz_u16(f), i, k = 0;
	uint8_t layout = fz_u8(f);
	struct fz_drvq q = fz_mmio_drvq(&x, 0);
	uint16_t data_flags =
	    type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID ? VRING_DESC_F_WRITE : 0;
	struct {
		uint64_t addr;
		uint32_t len;
		uint16_t flags;
	} seg[4];
	uint64_t hdr, data, status, table;
	uint8_t *p;

	if (!q.num)
		return;
	if (dlen > RAM_SIZE - HEAP)
		dlen = RAM_SIZE - HEAP;
	hdr = alloc(16);
	data = alloc(dlen);
	status = alloc(1);
	p = dv_gpa_ptr(&mem, hdr, 16);
	memcpy(p, &type, 4);
	memset(p + 4, 0, 4);
	memcpy(p + 8, &sector, 8);
	memset(dv_gpa_ptr(&mem, data, dlen), (uint8_t)(sector + 0x5a), dlen);
	*(uint8_t *)dv_gpa_ptr(&mem, status, 1) = 0xff;

	seg[k++] = (typeof(seg[0])){hdr, 16, 0};
	if (dlen && (layout & REQ_SPLIT) && dlen > 1) {
		seg[k++] = (typeof(seg[0])){data, dlen / 2, data_flags};
		seg[k++] = (typeof(seg[0])){data + dlen / 2, dlen - dlen / 2, data_flags};
	} else if (dlen) {
		seg[k++] = (typeof(seg[0])){data, dlen, data_flags};
	}
	if (!(layout & REQ_NOSTATUS))
		seg[k++] = (typeof(seg[0])){status, 1, VRING_DESC_F_WRITE};

	if (layout & REQ_INDIRECT) {
		table = alloc(16 * k);
		for (i = 0; i < k; i++)
			fz_put_desc(&mem, table + 16 * i, seg[i].addr, seg[i].len,
				    (uint16_t)(seg[i].flags | (i + 1 < k ? VRING_DESC_F_NEXT : 0)),
				    (uint16_t)(i + 1));
		fz_put_desc(&mem, q.desc + 16ull * (next_desc % q.num), table, 16 * k,
			    VRING_DESC_F_INDIRECT, 0);
		fz_avail_add(&mem, &q, (uint16_t)(next_desc % q.num));
		next_desc++;
	} else {
		uint16_t head = next_desc % q.num;

		for (i = 0; i < k; i++, next_desc++)
			fz_put_desc(&mem, q.desc + 16ull * (next_desc % q.num), seg[i].addr,
				    seg[i].len,
				    (uint16_t)(seg[i].flags | (i + 1 < k ? VRING_DESC_F_NEXT : 0)),
				    (uint16_t)((next_desc + 1) % q.num));
		fz_avail_add(&mem, &q, head);
	}
	if (layout & REQ_NOTIFY)
		fz_mmio_write(&x, VIRTIO_MMIO_QUEUE_NOTIFY, 4, 0);
}

static void check_config(void)
{
	uint64_t cap = fz_mmio_read(&x, VIRTIO_MMIO_CONFIG + DV_VBLK_CFG_CAPACITY, 4) |
		       fz_mmio_read(&x, VIRTIO_MMIO_CONFIG + DV_VBLK_CFG_CAPACITY + 4, 4) << 32;

	FZ_CHECK(cap == 65536 / DV_VBLK_SECTOR, "capacity %lu", (unsigned long)cap);
	FZ_CHECK(fz_mmio_read(&x, VIRTIO_MMIO_CONFIG + DV_VBLK_CFG_BLK_SIZE, 4) == DV_VBLK_SECTOR,
		 "blk_size");
	FZ_CHECK(fz_mmio_read(&x, VIRTIO_MMIO_CONFIG + DV_VBLK_CFG_SEG_MAX, 4) == DV_VBLK_SEG_MAX,
		 "seg_max");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct dv_irq_line line = {fz_irq_set, &x, 3};
	uint8_t flags = fz_u8(&f);
	bool readonly = flags & 1;
	struct dv_vdev_kick k = {flags & 2 ? kick : NULL, &blk};
	unsigned int n;
	int fds;

	if (disk < 0)
		init_once();
	fds = fz_fds_begin();
	memset(mem.host, 0, RAM_SIZE);
	heap = HEAP;
	kicks = 0;
	next_desc = 0;
	x.level = false;
	if (dv_vblk_init(&blk, &mem, line, disk, readonly, "fuzz-serial-0123456789abcdef", k))
		abort();
	FZ_CHECK(!(blk.t.offered & (1ull << VIRTIO_BLK_F_RO)) == !readonly, "offered %#lx",
		 (unsigned long)blk.t.offered);

	fz_bringup(&x, &f, &mem, 1);
	fz_check_transport(&x);
	for (n = 0; n < MAX_OPS && f.n; n++) {
		unsigned int op = fz_u8(&f) % OP_COUNT;
		struct fz_drvq q;

		switch (op) {
		case OP_MMIO_WRITE:
			fz_mmio_op(&x, &f, true);
			break;
		case OP_MMIO_READ:
			fz_mmio_op(&x, &f, false);
			break;
		case OP_NOTIFY:
			fz_mmio_write(&x, VIRTIO_MMIO_QUEUE_NOTIFY, 4, 0);
			break;
		case OP_SERVE:
			dv_vblk_serve(&blk);
			break;
		case OP_REQ:
			build_req(&f);
			break;
		case OP_BRINGUP:
			fz_bringup(&x, &f, &mem, 1);
			break;
		case OP_CONFIG:
			check_config();
			break;
		default:
			q = fz_mmio_drvq(&x, 0);
			fz_guest_op(op, &f, &mem, &q);
			break;
		}
		fz_check_transport(&x);
		if (readonly)
			FZ_CHECK(!blk.stats.written_bytes, "a read-only disk wrote %lu bytes",
				 (unsigned long)blk.stats.written_bytes);
	}
	if (fz_verbose())
		fprintf(stderr,
			"blk: status %#x, %u kicks, reads %lu writes %lu flushes %lu get_ids %lu "
			"unsupported %lu errors %lu, %lu bytes read, %lu written\n",
			blk.t.status, kicks, (unsigned long)blk.stats.reads,
			(unsigned long)blk.stats.writes, (unsigned long)blk.stats.flushes,
			(unsigned long)blk.stats.get_ids, (unsigned long)blk.stats.unsupported,
			(unsigned long)blk.stats.errors, (unsigned long)blk.stats.read_bytes,
			(unsigned long)blk.stats.written_bytes);
	dv_vblk_destroy(&blk);
	check_disk(readonly);
	fz_fds_end(fds);
	return 0;
}
