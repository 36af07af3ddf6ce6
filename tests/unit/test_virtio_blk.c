// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-blk over a temporary file, driven as a guest driver would (vdrv.h):
 * good requests, and every malformed one answered without touching what it
 * must not.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "vdrv.h"
#include "virtio/blk.h"

#define SECTORS	  64
#define TAIL	  100 /* a partial sector at the end of the file: not part of the disk */
#define FILE_LEN  (SECTORS * DV_VBLK_SECTOR + TAIL)
#define UNTOUCHED 0xee /* what writable buffers hold before the device writes them */

struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

static struct vdrv d;
static struct dv_vblk blk;
static bool live;
static int fd = -1;
static char dir[64], path[128];

/* The byte at offset off of the file as created: differs from sector to sector. */
static uint8_t pat(uint64_t off)
{
	return (uint8_t)(off * 7 + off / DV_VBLK_SECTOR * 13 + 1);
}

static void cleanup(void)
{
	if (live) {
		dv_vblk_destroy(&blk);
		vdrv_fini(&d);
		live = false;
	}
	if (fd >= 0)
		close(fd);
	fd = -1;
	if (path[0])
		unlink(path);
	if (dir[0])
		rmdir(dir);
	path[0] = dir[0] = 0;
}

/* A fresh temporary directory holding disk.img, FILE_LEN bytes of pat(). */
static void make_file(void)
{
	static bool registered;
	uint8_t buf[FILE_LEN];
	int wfd;

	if (!registered && !atexit(cleanup))
		registered = true;
	cleanup();
	snprintf(dir, sizeof(dir), "/tmp/dv_vblk_XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/disk.img", dir);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = pat(i);
	wfd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (wfd < 0 || write(wfd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		abort();
	close(wfd);
}

/*
 * The disk on a fresh file, brought up with the features it offers (but
 * EVENT_IDX). The fd is writable even for a read-only disk: the device
 * itself must refuse writes.
 */
static void make(bool readonly, const char *serial)
{
	make_file();
	fd = open(path, O_RDWR);
	vdrv_init(&d);
	if (fd < 0 || dv_vblk_init(&blk, &d.mem, vdrv_irq(&d), fd, readonly, serial,
				   (struct dv_vdev_kick){0}))
		abort();
	live = true;
	vdrv_attach(&d, &blk.t);
	if (vdrv_up(&d, vdrv_features(&d) & ~VDRV_BIT(VIRTIO_RING_F_EVENT_IDX), 1,
		    DV_VBLK_QUEUE_SIZE) != VDRV_STATUS_OK)
		abort();
}

static struct vdrv_buf hdr(uint32_t type, uint64_t sector)
{
	struct blk_hdr h = {type, 0, sector};

	return vdrv_out(&d, &h, sizeof(h));
}

static struct vdrv_buf status_buf(void)
{
	return vdrv_in(&d, 1, UNTOUCHED);
}

/* Sends the chain; the length the device returned it with, or ~0u if it did not. */
static uint32_t run(const struct vdrv_buf *b, unsigned int n, bool indirect)
{
	uint16_t before = vdrv_used_idx(&d, 0);
	uint16_t head = indirect ? vdrv_send_indirect(&d, 0, b, n) : vdrv_send(&d, 0, b, n);
	struct vring_used_elem e;

	if (vdrv_used_idx(&d, 0) != (uint16_t)(before + 1))
		return ~0u;
	e = vdrv_used(&d, 0, before);
	return e.id == head ? e.len : ~0u;
}

/* The file's bytes [off, off + len) are pat() (i.e. were not written). */
static bool file_pristine(uint64_t off, size_t len)
{
	uint8_t buf[FILE_LEN];

	if (pread(fd, buf, len, (off_t)off) != (ssize_t)len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pat(off + i))
			return false;
	return true;
}

static bool file_is(uint64_t off, const uint8_t *want, size_t len)
{
	uint8_t buf[FILE_LEN];

	return pread(fd, buf, len, (off_t)off) == (ssize_t)len && !memcmp(buf, want, len);
}

static bool all(const uint8_t *p, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

static off_t file_size(void)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : st.st_size;
}

UT_TEST(config_and_features)
{
	uint64_t want = VDRV_BIT(VIRTIO_BLK_F_SEG_MAX) | VDRV_BIT(VIRTIO_BLK_F_BLK_SIZE) |
			VDRV_BIT(VIRTIO_BLK_F_FLUSH) | VDRV_BIT(VIRTIO_RING_F_INDIRECT_DESC) |
			VDRV_BIT(VIRTIO_RING_F_EVENT_IDX) | VDRV_BIT(VIRTIO_F_VERSION_1);

	make(false, NULL);
	UT_CHECK(vdrv_rd(&d, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_BLOCK, "device id");
	UT_CHECK(vdrv_features(&d) == want, "features %#llx",
		 (unsigned long long)vdrv_features(&d));
	UT_CHECK(vdrv_cfg(&d, DV_VBLK_CFG_CAPACITY, 4) == SECTORS, "capacity %u: no partial sector",
		 vdrv_cfg(&d, DV_VBLK_CFG_CAPACITY, 4));
	UT_CHECK(vdrv_cfg(&d, DV_VBLK_CFG_CAPACITY + 4, 4) == 0, "capacity high word");
	UT_CHECK(vdrv_cfg(&d, DV_VBLK_CFG_CAPACITY, 1) == SECTORS, "capacity, one byte");
	UT_CHECK(vdrv_cfg(&d, DV_VBLK_CFG_SEG_MAX, 4) == DV_VBLK_SEG_MAX, "seg_max %u",
		 vdrv_cfg(&d, DV_VBLK_CFG_SEG_MAX, 4));
	UT_CHECK(vdrv_cfg(&d, DV_VBLK_CFG_BLK_SIZE, 4) == DV_VBLK_SECTOR, "blk_size");
	UT_CHECK(vdrv_cfg(&d, DV_VBLK_CFG_BLK_SIZE, 2) == DV_VBLK_SECTOR, "blk_size, 2 bytes");
	UT_CHECK(vdrv_cfg(&d, DV_VBLK_CONFIG_SIZE, 4) == 0, "beyond the config space");
	make(true, NULL);
	UT_CHECK(vdrv_features(&d) == (want | VDRV_BIT(VIRTIO_BLK_F_RO)), "read-only: RO offered");
}

UT_TEST(read)
{
	struct vdrv_buf b[3];
	uint32_t len;
	bool ok = true;

	make(false, NULL);
	b[0] = hdr(VIRTIO_BLK_T_IN, 3);
	b[1] = vdrv_in(&d, 2 * DV_VBLK_SECTOR, UNTOUCHED);
	b[2] = status_buf();
	len = run(b, 3, false);
	UT_CHECK(len == 2 * DV_VBLK_SECTOR + 1, "used len %u", len);
	UT_CHECK(*vdrv_bytes(&d, b[2]) == VIRTIO_BLK_S_OK, "status %u", *vdrv_bytes(&d, b[2]));
	for (size_t i = 0; i < 2 * DV_VBLK_SECTOR; i++)
		ok &= vdrv_bytes(&d, b[1])[i] == pat(3 * DV_VBLK_SECTOR + i);
	UT_CHECK(ok, "the data of sectors 3 and 4");
	UT_CHECK(blk.stats.reads == 1 && blk.stats.read_bytes == 1024 && blk.stats.errors == 0,
		 "stats");
	UT_CHECK(d.level && vdrv_ack(&d) == VIRTIO_MMIO_INT_VRING && !d.level, "interrupt");
}

UT_TEST(write)
{
	uint8_t data[2 * DV_VBLK_SECTOR];
	struct vdrv_buf b[3];
	uint32_t len;

	make(false, NULL);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ 0x5a);
	b[0] = hdr(VIRTIO_BLK_T_OUT, 10);
	b[1] = vdrv_out(&d, data, sizeof(data));
	b[2] = status_buf();
	len = run(b, 3, false);
	UT_CHECK(len == 1, "used len %u: the status only", len);
	UT_CHECK(*vdrv_bytes(&d, b[2]) == VIRTIO_BLK_S_OK, "status");
	UT_CHECK(file_is(10 * DV_VBLK_SECTOR, data, sizeof(data)), "on the file");
	UT_CHECK(file_pristine(0, 10 * DV_VBLK_SECTOR), "before it untouched");
	UT_CHECK(file_pristine(12 * DV_VBLK_SECTOR, FILE_LEN - 12 * DV_VBLK_SECTOR),
		 "after it untouched");
	UT_CHECK(blk.stats.writes == 1 && blk.stats.written_bytes == 1024, "stats");
	UT_CHECK(d.level, "interrupt");
}

UT_TEST(last_sector_and_beyond)
{
	uint8_t data[DV_VBLK_SECTOR];
	struct vdrv_buf b[3];

	make(false, NULL);
	memset(data, 0x3c, sizeof(data));
	b[0] = hdr(VIRTIO_BLK_T_OUT, SECTORS - 1);
	b[1] = vdrv_out(&d, data, sizeof(data));
	b[2] = status_buf();
	UT_CHECK(run(b, 3, false) == 1 && *vdrv_bytes(&d, b[2]) == VIRTIO_BLK_S_OK,
		 "the last sector is written");
	UT_CHECK(file_is((SECTORS - 1) * DV_VBLK_SECTOR, data, sizeof(data)), "on the file");
	b[0] = hdr(VIRTIO_BLK_T_IN, SECTORS - 1);
	b[1] = vdrv_in(&d, DV_VBLK_SECTOR, UNTOUCHED);
	b[2] = status_buf();
	UT_CHECK(run(b, 3, false) == DV_VBLK_SECTOR + 1 && *vdrv_bytes(&d, b[2]) == 0 &&
		     all(vdrv_bytes(&d, b[1]), DV_VBLK_SECTOR, 0x3c),
		 "and read back");

	/* The partial sector after it is not part of the disk. */
	b[0] = hdr(VIRTIO_BLK_T_OUT, SECTORS);
	b[1] = vdrv_out(&d, data, sizeof(data));
	b[2] = status_buf();
	UT_CHECK(run(b, 3, false) == 1 && *vdrv_bytes(&d, b[2]) == VIRTIO_BLK_S_IOERR,
		 "writing sector %d fails", SECTORS);
	b[0] = hdr(VIRTIO_BLK_T_IN, SECTORS);
	b[1] = vdrv_in(&d, DV_VBLK_SECTOR, UNTOUCHED);
	b[2] = status_buf();
	UT_CHECK(run(b, 3, false) == 1 && *vdrv_bytes(&d, b[2]) == VIRTIO_BLK_S_IOERR,
		 "reading sector %d fails", SECTORS);
	UT_CHECK(all(vdrv_bytes(&d, b[1]), DV_VBLK_SECTOR, UNTOUCHED), "buffer untouched");
	UT_CHECK(file_pristine(SECTORS * DV_VBLK_SECTOR, TAIL) && file_size() == FILE_LEN,
		 "the tail and the size untouched");
}

UT_TEST(out_of_range)
{
	static const struct {
		uint32_t type;
		uint64_t sector;
		uint32_t bytes;
		const char *why;
	} bad[] = {
	    {VIRTIO_BLK_T_IN, SECTORS - 1, 2 * DV_VBLK_SECTOR, "read straddling the end"},
	    {VIRTIO_BLK_T_OUT, SECTORS - 1, 2 * DV_VBLK_SECTOR, "write straddling the end"},
	    {VIRTIO_BLK_T_IN, SECTORS + 1, DV_VBLK_SECTOR, "read past the end"},
	    {VIRTIO_BLK_T_OUT, 1000, DV_VBLK_SECTOR, "write far past the end"},
	    {VIRTIO_BLK_T_IN, UINT64_MAX, DV_VBLK_SECTOR, "read at sector ~0"},
	    {VIRTIO_BLK_T_OUT, UINT64_MAX, DV_VBLK_SECTOR, "write at sector ~0"},
	    {VIRTIO_BLK_T_OUT, 1ull << 55, DV_VBLK_SECTOR, "write whose offset wraps to 0"},
	    {VIRTIO_BLK_T_IN, 1ull << 55, DV_VBLK_SECTOR, "read whose offset wraps to 0"},
	};

	make(false, NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bool in = bad[i].type == VIRTIO_BLK_T_IN;
		struct vdrv_buf b[3];
		uint8_t data[2 * DV_VBLK_SECTOR];
		uint32_t len;

		memset(data, 0x77, sizeof(data));
		b[0] = hdr(bad[i].type, bad[i].sector);
		b[1] = in ? vdrv_in(&d, bad[i].bytes, UNTOUCHED) : vdrv_out(&d, data, bad[i].bytes);
		b[2] = status_buf();
		len = run(b, 3, false);
		UT_CHECK(len == 1, "%s: used len %u", bad[i].why, len);
		UT_CHECK(*vdrv_bytes(&d, b[2]) == VIRTIO_BLK_S_IOERR, "%s: status %u", bad[i].why,
			 *vdrv_bytes(&d, b[2]));
		UT_CHECK(!in || all(vdrv_bytes(&d, b[1]), bad[i].bytes, UNTOUCHED),
			 "%s: buffer untouched", bad[i].why);
		UT_CHECK(file_pristine(0, FILE_LEN) && file_size() == FILE_LEN,
			 "%s: file untouched", bad[i].why);
	}
	UT_CHECK(blk.stats.errors == sizeof(bad) / sizeof(bad[0]), "errors counted");
}

UT_TEST(partial_sectors)
{
	static const struct {
		uint32_t type, bytes;
	} bad[] = {
	    {VIRTIO_BLK_T_IN, 100},
	    {VIRTIO_BLK_T_IN, DV_VBLK_SECTOR + 1},
	    {VIRTIO_BLK_T_OUT, DV_VBLK_SECTOR - 1},
	    {VIRTIO_BLK_T_OUT, DV_VBLK_SECTOR + 1},
	};

	make(false, NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bool in = bad[i].type == VIRTIO_BLK_T_IN;
		uint8_t data[2 * DV_VBLK_SECTOR];
		struct vdrv_buf b[3];
		uint32_t len;

		memset(data, 0x77, sizeof(data));
		b[0] = hdr(bad[i].type, 2);
		b[1] = in ? vdrv_in(&d, bad[i].bytes, UNTOUCHED) : vdrv_out(&d, data, bad[i].bytes);
		b[2] = status_buf();
		len = run(b, 3, false);
		UT_CHECK(len == 1 && *vdrv_bytes(&d, b[2]) == VIRTIO_BLK_S_IOERR,
			 "%s of %u bytes: used len %u, status %u", in ? "read" : "write",
			 bad[i].bytes, len, *vdrv_bytes(&d, b[2]));
		UT_CHECK(!in || all(vdrv_bytes(&d, b[1]), bad[i].bytes, UNTOUCHED),
			 "read of %u: buffer untouched", bad[i].bytes);
		UT_CHECK(file_pristine(0, FILE_LEN), "%u bytes: file untouched", bad[i].bytes);
	}
}

UT_TEST(flush)
{
	struct vdrv_buf b[2];

	make(false, NULL);
	b[0] = hdr(VIRTIO_BLK_T_FLUSH, 0);
	b[1] = status_buf();
	UT_CHECK(run(b, 2, false) == 1, "used len 1");
	UT_CHECK(*vdrv_bytes(&d, b[1]) == VIRTIO_BLK_S_OK, "status");
	UT_CHECK(blk.stats.flushes == 1 && blk.stats.errors == 0, "stats");
	make(true, NULL);
	b[0] = hdr(VIRTIO_BLK_T_FLUSH, 0);
	b[1] = status_buf();
	UT_CHECK(run(b, 2, false) == 1 && *vdrv_bytes(&d, b[1]) == VIRTIO_BLK_S_OK,
		 "read-only: flushing nothing succeeds");
}

UT_TEST(get_id)
{
	struct vdrv_buf b[3];
	uint32_t len;

	make(false, "0123456789abcdefghijKLMNOP");
	b[0] = hdr(VIRTIO_BLK_T_GET_ID, 0);
	b[1] = vdrv_in(&d, 32, UNTOUCHED);
	b[2] = status_buf();
	len = run(b, 3, false);
	UT_CHECK(len == VIRTIO_BLK_ID_BYTES + 1, "used len %u", len);
	UT_CHECK(!memcmp(vdrv_bytes(&d, b[1]), "0123456789abcdefghij", 20), "truncated to 20");
	UT_CHECK(all(vdrv_bytes(&d, b[1]) + 20, 12, UNTOUCHED), "nothing after it");
	UT_CHECK(*vdrv_bytes(&d, b[2]) == VIRTIO_BLK_S_OK && blk.stats.get_ids == 1, "status");

	b[1] = vdrv_in(&d, 8, UNTOUCHED);
	b[2] = status_buf();
	len = run(b, 3, false);
	UT_CHECK(len == 9 && !memcmp(vdrv_bytes(&d, b[1]), "01234567", 8),
		 "a short buffer takes what fits: used len %u", len);

	make(false, "sn1");
	b[0] = hdr(VIRTIO_BLK_T_GET_ID, 0);
	b[1] = vdrv_in(&d, 20, UNTOUCHED);
	b[2] = status_buf();
	UT_CHECK(run(b, 3, false) == 21 && !memcmp(vdrv_bytes(&d, b[1]), "sn1", 4) &&
		     all(vdrv_bytes(&d, b[1]) + 3, 17, 0),
		 "a short serial, padded with NULs");
	make(false, NULL);
	b[0] = hdr(VIRTIO_BLK_T_GET_ID, 0);
	b[1] = vdrv_in(&d, 20, UNTOUCHED);
	b[2] = status_buf();
	UT_CHECK(run(b, 3, false) == 21 && all(vdrv_bytes(&d, b[1]), 20, 0), "no serial: zeros");
}

UT_TEST(readonly)
{
	uint8_t data[DV_VBLK_SECTOR];
	struct vdrv_buf b[3];

	make(true, NULL);
	memset(data, 0x11, sizeof(data));
	b[0] = hdr(VIRTIO_BLK_T_OUT, 0);
	b[1] = vdrv_out(&d, data, sizeof(data));
	b[2] = status_buf();
	UT_CHECK(run(b, 3, false) == 1 && *vdrv_bytes(&d, b[2]) == VIRTIO_BLK_S_IOERR,
		 "writes fail");
	UT_CHECK(file_pristine(0, FILE_LEN), "file untouched");
	b[0] = hdr(VIRTIO_BLK_T_IN, 1);
	b[1] = vdrv_in(&d, DV_VBLK_SECTOR, UNTOUCHED);
	b[2] = status_buf();
	UT_CHECK(run(b, 3, false) == DV_VBLK_SECTOR + 1 && *vdrv_bytes(&d, b[2]) == 0 &&
		     vdrv_bytes(&d, b[1])[0] == pat(DV_VBLK_SECTOR),
		 "reads work");
}

UT_TEST(missing_header_or_status)
{
	uint8_t data[DV_VBLK_SECTOR], part[15] = {0};
	struct vdrv_buf b[3];
	uint32_t len;

	make(false, NULL);
	memset(data, 0x22, sizeof(data));
	/* 15 bytes of header, then a status byte. */
	b[0] = vdrv_out(&d, part, sizeof(part));
	b[1] = status_buf();
	len = run(b, 2, false);
	UT_CHECK(len == 0 && *vdrv_bytes(&d, b[1]) == UNTOUCHED,
		 "short header: returned empty (%u), status untouched", len);
	/* No header at all. */
	b[0] = vdrv_in(&d, DV_VBLK_SECTOR, UNTOUCHED);
	b[1] = status_buf();
	len = run(b, 2, false);
	UT_CHECK(len == 0 && all(vdrv_bytes(&d, b[0]), DV_VBLK_SECTOR, UNTOUCHED) &&
		     *vdrv_bytes(&d, b[1]) == UNTOUCHED,
		 "no header: returned empty (%u), nothing written", len);
	/* A write with no writable status byte: not done. */
	b[0] = hdr(VIRTIO_BLK_T_OUT, 0);
	b[1] = vdrv_out(&d, data, sizeof(data));
	len = run(b, 2, false);
	UT_CHECK(len == 0 && file_pristine(0, FILE_LEN), "no status: write not done (%u)", len);
	/* A header alone. */
	b[0] = hdr(VIRTIO_BLK_T_FLUSH, 0);
	UT_CHECK(run(b, 1, false) == 0, "a header alone: returned empty");
	UT_CHECK(blk.stats.errors == 4 && blk.stats.writes == 0 && blk.stats.flushes == 0,
		 "counted as errors, not served");
	UT_CHECK(vdrv_rd(&d, VIRTIO_MMIO_STATUS) == VDRV_STATUS_OK, "the device carries on");
}

UT_TEST(unsupported_type)
{
	static const uint32_t types[] = {2, 11, 13, 0xffffffff};
	struct vdrv_buf b[3];

	make(false, NULL);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		b[0] = hdr(types[i], 0);
		b[1] = vdrv_in(&d, DV_VBLK_SECTOR, UNTOUCHED);
		b[2] = status_buf();
		UT_CHECK(run(b, 3, false) == 1, "type %#x: status only", types[i]);
		UT_CHECK(*vdrv_bytes(&d, b[2]) == VIRTIO_BLK_S_UNSUPP, "type %#x: UNSUPP",
			 types[i]);
		UT_CHECK(all(vdrv_bytes(&d, b[1]), DV_VBLK_SECTOR, UNTOUCHED),
			 "type %#x: buffer untouched", types[i]);
	}
	UT_CHECK(file_pristine(0, FILE_LEN), "file untouched");
	UT_CHECK(blk.stats.unsupported == 4, "counted");
}

/* Data buffers of uneven sizes (1..97 bytes) adding up to total, each filled with fill. */
static unsigned int uneven(struct vdrv_buf *b, uint32_t total, bool write, uint8_t fill)
{
	uint8_t src[128];
	unsigned int n = 0;
	uint32_t done = 0, size = 1;

	memset(src, fill, sizeof(src));
	while (done < total) {
		uint32_t len = size < total - done ? size : total - done;

		b[n++] = write ? vdrv_in(&d, len, fill) : vdrv_out(&d, src, len);
		done += len;
		size = size % 97 + 1;
	}
	return n;
}

/* The header split in three (4 + 4 + 8 bytes). */
static unsigned int split_hdr(struct vdrv_buf *b, uint32_t type, uint64_t sector)
{
	struct blk_hdr h = {type, 0, sector};

	b[0] = vdrv_out(&d, &h, 4);
	b[1] = vdrv_out(&d, (uint8_t *)&h + 4, 4);
	b[2] = vdrv_out(&d, &h.sector, 8);
	return 3;
}

/* The concatenated bytes of b[0..n). */
static void gather(const struct vdrv_buf *b, unsigned int n, uint8_t *out)
{
	for (unsigned int i = 0; i < n; i++) {
		memcpy(out, vdrv_bytes(&d, b[i]), b[i].len);
		out += b[i].len;
	}
}

UT_TEST(many_descriptors)
{
	static struct vdrv_buf b[200];
	static uint8_t got[4096], want[4096];
	unsigned int n, k;
	uint32_t len;

	make(false, NULL);
	/* A write of 8 sectors in ~90 pieces, then read back in ~90 other pieces. */
	n = split_hdr(b, VIRTIO_BLK_T_OUT, 20);
	k = uneven(b + n, 4096, false, 0);
	for (unsigned int i = 0; i < k; i++)
		memset(vdrv_bytes(&d, b[n + i]), (int)(i + 1), b[n + i].len);
	gather(b + n, k, want);
	n += k;
	b[n++] = status_buf();
	UT_CHECK(n > 80 && n < DV_VBLK_QUEUE_SIZE, "%u descriptors", n);
	len = run(b, n, false);
	UT_CHECK(len == 1 && *vdrv_bytes(&d, b[n - 1]) == VIRTIO_BLK_S_OK, "write: %u", len);
	UT_CHECK(file_is(20 * DV_VBLK_SECTOR, want, sizeof(want)), "written in order");
	UT_CHECK(file_pristine(0, 20 * DV_VBLK_SECTOR) &&
		     file_pristine(28 * DV_VBLK_SECTOR, FILE_LEN - 28 * DV_VBLK_SECTOR),
		 "nothing else written");

	n = split_hdr(b, VIRTIO_BLK_T_IN, 20);
	k = uneven(b + n, 4096, true, UNTOUCHED);
	n += k;
	b[n++] = status_buf();
	len = run(b, n, false);
	UT_CHECK(len == 4097 && *vdrv_bytes(&d, b[n - 1]) == VIRTIO_BLK_S_OK, "read: %u", len);
	gather(b + 3, k, got);
	UT_CHECK(!memcmp(got, want, sizeof(got)), "read back in order");

	/* The status byte is the last writable byte, even inside a data buffer. */
	b[0] = hdr(VIRTIO_BLK_T_IN, 5);
	b[1] = vdrv_in(&d, DV_VBLK_SECTOR + 1, UNTOUCHED);
	len = run(b, 2, false);
	UT_CHECK(len == DV_VBLK_SECTOR + 1, "shared status: used len %u", len);
	UT_CHECK(vdrv_bytes(&d, b[1])[0] == pat(5 * DV_VBLK_SECTOR) &&
		     vdrv_bytes(&d, b[1])[511] == pat(6 * DV_VBLK_SECTOR - 1) &&
		     vdrv_bytes(&d, b[1])[512] == VIRTIO_BLK_S_OK,
		 "data, then the status");
}

UT_TEST(indirect_tables)
{
	static struct vdrv_buf b[DV_VIRTQ_MAX_SEGS + 4];
	static uint8_t got[8192], want[8192];
	unsigned int n, k;
	uint32_t len;

	make(false, NULL);
	/* A write of 8 KiB in seg_max pieces: more descriptors than the queue has. */
	n = 0;
	b[n++] = hdr(VIRTIO_BLK_T_OUT, 30);
	for (k = 0; k < DV_VBLK_SEG_MAX; k++) {
		uint8_t src[12];

		memset(src, (int)(k * 3 + 1), sizeof(src));
		b[n++] = vdrv_out(&d, src, k < DV_VBLK_SEG_MAX - 4 ? 8 : 12);
	}
	b[n++] = status_buf();
	gather(b + 1, k, want);
	len = run(b, n, true);
	UT_CHECK(len == 1 && *vdrv_bytes(&d, b[n - 1]) == VIRTIO_BLK_S_OK, "write: %u, %u entries",
		 len, n);
	UT_CHECK(file_is(30 * DV_VBLK_SECTOR, want, sizeof(want)), "written in order");
	UT_CHECK(file_pristine(0, 30 * DV_VBLK_SECTOR) &&
		     file_pristine(46 * DV_VBLK_SECTOR, FILE_LEN - 46 * DV_VBLK_SECTOR),
		 "nothing else written");

	/* Read it back in seg_max pieces behind a split header. */
	n = split_hdr(b, VIRTIO_BLK_T_IN, 30);
	for (k = 0; k < DV_VBLK_SEG_MAX; k++)
		b[n++] = vdrv_in(&d, k < DV_VBLK_SEG_MAX - 4 ? 8 : 12, UNTOUCHED);
	b[n++] = status_buf();
	len = run(b, n, true);
	UT_CHECK(len == 8193 && *vdrv_bytes(&d, b[n - 1]) == VIRTIO_BLK_S_OK, "read: %u", len);
	gather(b + 3, DV_VBLK_SEG_MAX, got);
	UT_CHECK(!memcmp(got, want, sizeof(got)), "read back in order");
	UT_CHECK(blk.stats.errors == 0, "no errors");
}

UT_TEST(several_requests_one_notify)
{
	struct vdrv_buf b[3][3];

	make(false, NULL);
	for (int i = 0; i < 3; i++) {
		b[i][0] = hdr(VIRTIO_BLK_T_IN, (uint64_t)i);
		b[i][1] = vdrv_in(&d, DV_VBLK_SECTOR, UNTOUCHED);
		b[i][2] = status_buf();
		vdrv_offer(&d, 0, vdrv_chain(&d, 0, b[i], 3));
	}
	UT_CHECK(vdrv_used_idx(&d, 0) == 0 && d.raised == 0, "nothing before the notify");
	vdrv_notify(&d, 0);
	UT_CHECK(vdrv_used_idx(&d, 0) == 3, "all three served: %u", vdrv_used_idx(&d, 0));
	for (uint16_t i = 0; i < 3; i++) {
		struct vring_used_elem e = vdrv_used(&d, 0, i);

		UT_CHECK(e.id == 3 * i && e.len == DV_VBLK_SECTOR + 1, "used %u: %u %u", i, e.id,
			 e.len);
		UT_CHECK(vdrv_bytes(&d, b[i][1])[0] == pat(i * DV_VBLK_SECTOR) &&
			     *vdrv_bytes(&d, b[i][2]) == 0,
			 "request %u", i);
	}
	UT_CHECK(d.raised == 1, "one interrupt: %u", d.raised);
}

UT_TEST(malformed_chain_needs_reset)
{
	struct vdrv_buf b[3];

	make(false, NULL);
	b[0] = hdr(VIRTIO_BLK_T_IN, 0);
	b[1] = (struct vdrv_buf){VDRV_RAM_BASE + VDRV_RAM_SIZE - 256, DV_VBLK_SECTOR, true};
	b[2] = status_buf();
	UT_CHECK(run(b, 3, false) == ~0u, "not returned");
	UT_CHECK(vdrv_rd(&d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET, "needs reset");
	UT_CHECK(*vdrv_bytes(&d, b[2]) == UNTOUCHED && blk.stats.reads == 0, "not served");
}

UT_TEST(open_locks_the_image)
{
	int a, b;

	make_file();
	a = dv_vblk_open(path, false);
	UT_CHECK(a >= 0, "open: %d", a);
	b = dv_vblk_open(path, false);
	UT_CHECK(b == -EBUSY, "a second read-write open: %d", b);
	if (b >= 0)
		close(b);
	b = dv_vblk_open(path, true);
	UT_CHECK(b == -EBUSY, "a read-only open while written: %d", b);
	if (b >= 0)
		close(b);
	close(a);
	a = dv_vblk_open(path, true);
	b = dv_vblk_open(path, true);
	UT_CHECK(a >= 0 && b >= 0, "two read-only opens share: %d %d", a, b);
	UT_CHECK(dv_vblk_open(path, false) == -EBUSY, "but exclude a writer");
	close(a);
	close(b);
	a = dv_vblk_open(path, false);
	UT_CHECK(a >= 0, "free again once closed: %d", a);
	if (a >= 0)
		close(a);
}

UT_TEST(open_refuses_what_is_not_a_disk)
{
	int r;

	make_file();
	UT_CHECK((r = dv_vblk_open(dir, true)) == -EISDIR, "a directory, read-only: %d", r);
	UT_CHECK((r = dv_vblk_open(dir, false)) == -EISDIR, "a directory, read-write: %d", r);
	UT_CHECK((r = dv_vblk_open("/nonexistent/disk.img", true)) == -ENOENT, "missing: %d", r);
	errno = ENOENT; /* left over from an earlier call: must not leak into the answer */
	r = dv_vblk_open("/dev/null", true);
	UT_CHECK(r == -EINVAL, "a character device: %d", r);
	if (r >= 0)
		close(r);
}

UT_TEST(init_refuses_what_is_not_a_disk)
{
	struct dv_vblk b;
	int p[2], dfd, r;

	make_file();
	vdrv_init(&d);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	r = dv_vblk_init(&b, &d.mem, vdrv_irq(&d), dfd, false, NULL, (struct dv_vdev_kick){0});
	UT_CHECK(r == -EINVAL, "a directory: %d", r);
	if (!pipe(p)) {
		r = dv_vblk_init(&b, &d.mem, vdrv_irq(&d), p[0], false, NULL,
				 (struct dv_vdev_kick){0});
		UT_CHECK(r == -EINVAL, "a pipe: %d", r);
		close(p[0]);
		close(p[1]);
	}
	r = dv_vblk_init(&b, &d.mem, vdrv_irq(&d), -1, false, NULL, (struct dv_vdev_kick){0});
	UT_CHECK(r == -EBADF, "no fd: %d", r);
	close(dfd);
	vdrv_fini(&d);
}

UT_MAIN()
