/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-blk (virtio spec 5.2) over a raw image file or a block device.
 *
 * Requests: read (IN), write (OUT), flush (FLUSH: fdatasync, so a write the
 * guest saw completed is on the file once a later flush completes) and
 * GET_ID (the serial, 20 bytes). A read-only disk offers VIRTIO_BLK_F_RO and
 * also fails every write itself with IOERR, whatever the driver believes.
 * Requests are checked against the disk size (in 512-byte sectors; a
 * trailing partial sector of the file is not exposed) and must move whole
 * sectors. A request too short to carry a header and a status byte is
 * returned with nothing written.
 */
#ifndef DV_VIRTIO_BLK_H
#define DV_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_blk.h> /* feature bits, request types, status, config layout */

#include "virtio/dev.h"
#include "virtio/transport.h"

#define DV_VBLK_SECTOR	   512
#define DV_VBLK_QUEUE_SIZE 256
#define DV_VBLK_SEG_MAX	   (DV_VIRTQ_MAX_SEGS - 2) /* header and status take two */

/* The config space the device exposes (spec 5.2.4): capacity up to blk_size */
#define DV_VBLK_CFG_CAPACITY offsetof(struct virtio_blk_config, capacity)
#define DV_VBLK_CFG_SEG_MAX  offsetof(struct virtio_blk_config, seg_max)
#define DV_VBLK_CFG_BLK_SIZE offsetof(struct virtio_blk_config, blk_size)
#define DV_VBLK_CONFIG_SIZE  offsetof(struct virtio_blk_config, physical_block_exp)

struct dv_vblk_stats {
	uint64_t reads, writes, flushes, get_ids, unsupported, errors;
	uint64_t read_bytes, written_bytes;
};

struct dv_vblk {
	struct dv_virtio_mmio t; /* the MMIO window's opaque */
	int fd;			 /* not owned */
	bool readonly;
	uint64_t sectors;
	char serial[VIRTIO_BLK_ID_BYTES];
	struct dv_vdev_kick kick;
	atomic_uint pending;
	struct dv_virtq_req *req; /* ~32 KiB: not on the stack */
	struct iovec *iov;	  /* DV_VIRTQ_MAX_SEGS entries */
	struct dv_vblk_stats stats;
};

/*
 * Opens path for the disk (read-only or read-write) and takes an advisory
 * lock on it (shared if read-only, else exclusive), so two VMs cannot
 * write one image. Returns the fd, or -errno: -EBUSY if another process
 * holds a conflicting lock.
 */
int dv_vblk_open(const char *path, bool readonly);

/*
 * fd is the disk; its size comes from fstat() or, for a block device,
 * BLKGETSIZE64. serial is truncated to 20 bytes. 0 or -errno.
 */
int dv_vblk_init(struct dv_vblk *b, const struct dv_guest_mem *mem, struct dv_irq_line irq, int fd,
		 bool readonly, const char *serial, struct dv_vdev_kick kick);
void dv_vblk_destroy(struct dv_vblk *b);

/* Serve what the driver queued (the server thread, after a kick). */
void dv_vblk_serve(struct dv_vblk *b);

#endif /* DV_VIRTIO_BLK_H */
