// SPDX-License-Identifier: GPL-2.0-only
/* virtio-blk: see blk.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "virtio/blk.h"

#define BIT64(n) (1ull << (n))

int dv_vblk_open(const char *path, bool readonly)
{
	int fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	struct stat st;
	int err;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	if (flock(fd, (readonly ? LOCK_SH : LOCK_EX) | LOCK_NB)) {
		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* dv_vdev_notify() serves through a void pointer */
static void serve_any(void *dev)
{
	dv_vblk_serve(dev);
}

static void blk_notify(void *opaque, unsigned int queue)
{
	struct dv_vblk *b = opaque;

	dv_vdev_notify(&b->pending, queue, &b->kick, serve_any, b);
}

static uint32_t blk_config_read(void *opaque, uint32_t off, unsigned size)
{
	struct dv_vblk *b = opaque;
	struct virtio_blk_config cfg = {
	    .capacity = b->sectors, .seg_max = DV_VBLK_SEG_MAX, .blk_size = DV_VBLK_SECTOR};
	uint32_t v = 0;

	memcpy(&v, (const uint8_t *)&cfg + off, size); /* the transport checked off + size */
	return v;
}

/* The same device but for VIRTIO_BLK_F_RO */
#define BLK_OPS(extra)                                                                             \
	{                                                                                          \
		.device_id = VIRTIO_ID_BLOCK,                                                      \
		.features = BIT64(VIRTIO_BLK_F_SEG_MAX) | BIT64(VIRTIO_BLK_F_BLK_SIZE) |           \
			    BIT64(VIRTIO_BLK_F_FLUSH) | BIT64(VIRTIO_RING_F_INDIRECT_DESC) |       \
			    BIT64(VIRTIO_RING_F_EVENT_IDX) | (extra),                              \
		.nqueues = 1, .queue_max = DV_VBLK_QUEUE_SIZE, .config_size = DV_VBLK_CONFIG_SIZE, \
		.notify = blk_notify, .config_read = blk_config_read,                              \
	}

static const struct dv_virtio_dev_ops blk_ops_rw = BLK_OPS(0);
static const struct dv_virtio_dev_ops blk_ops_ro = BLK_OPS(BIT64(VIRTIO_BLK_F_RO));

int dv_vblk_init(struct dv_vblk *b, const struct dv_guest_mem *mem, struct dv_irq_line irq, int fd,
		 bool readonly, const char *serial, struct dv_vdev_kick kick)
{
	struct stat st;
	uint64_t bytes;
	int rc;

	memset(b, 0, sizeof(*b));
	if (fstat(fd, &st))
		return -errno;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &bytes))
			return -errno;
	} else if (S_ISREG(st.st_mode)) {
		bytes = (uint64_t)st.st_size;
	} else {
		return -EINVAL;
	}
	b->req = malloc(sizeof(*b->req));
	b->iov = calloc(DV_VIRTQ_MAX_SEGS, sizeof(*b->iov));
	if (!b->req || !b->iov) {
		free(b->req);
		free(b->iov);
		return -ENOMEM;
	}
	b->fd = fd;
	b->readonly = readonly;
	b->sectors = bytes / DV_VBLK_SECTOR;
	b->kick = kick;
	if (serial) /* not NUL-terminated when it is 20 bytes long (spec 5.2.6) */
		memcpy(b->serial, serial, strnlen(serial, sizeof(b->serial)));
	rc = dv_virtio_mmio_init(&b->t, mem, readonly ? &blk_ops_ro : &blk_ops_rw, b, irq);
	if (rc) {
		free(b->req);
		free(b->iov);
		b->req = NULL;
		b->iov = NULL;
	}
	return rc;
}

void dv_vblk_destroy(struct dv_vblk *b)
{
	dv_virtio_mmio_destroy(&b->t);
	free(b->req);
	free(b->iov);
	b->req = NULL;
	b->iov = NULL;
}

/* Sectors [sector, sector + bytes / 512) lie on the disk, in whole sectors. */
static bool in_range(const struct dv_vblk *b, uint64_t sector, uint64_t bytes)
{
	return bytes % DV_VBLK_SECTOR == 0 && sector <= b->sectors &&
	       bytes / DV_VBLK_SECTOR <= b->sectors - sector;
}

/* preadv/pwritev of the whole iovec at pos, retried on short transfers. */
static int do_io(int fd, struct iovec *iov, unsigned int n, uint64_t pos, bool write)
{
	while (n) {
		ssize_t r = write ? pwritev(fd, iov, (int)n, (off_t)pos)
				  : preadv(fd, iov, (int)n, (off_t)pos);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -EIO;
		pos += (uint64_t)r;
		while (n && (size_t)r >= iov->iov_len) {
			r -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (uint8_t *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
	return 0;
}

/* One request: returns the status; *written counts the bytes put in the data buffers. */
static uint8_t blk_request(struct dv_vblk *b, const struct dv_virtq_req *r,
			   const struct virtio_blk_outhdr *h, uint32_t *written)
{
	struct iovec *iov = b->iov;
	uint64_t in_len = r->write_len - 1; /* the status byte is the last writable one */
	uint64_t out_len = r->read_len - sizeof(*h);
	unsigned int n;
	char id[VIRTIO_BLK_ID_BYTES];

	*written = 0;
	switch (h->type) {
	case VIRTIO_BLK_T_IN:
		b->stats.reads++;
		if (!in_range(b, h->sector, in_len))
			return VIRTIO_BLK_S_IOERR;
		n = dv_segs_iov(r->write, r->nwrite, 0, in_len, iov, DV_VIRTQ_MAX_SEGS);
		if (do_io(b->fd, iov, n, h->sector * DV_VBLK_SECTOR, false))
			return VIRTIO_BLK_S_IOERR;
		*written = (uint32_t)in_len;
		b->stats.read_bytes += in_len;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_OUT:
		b->stats.writes++;
		if (b->readonly || !in_range(b, h->sector, out_len))
			return VIRTIO_BLK_S_IOERR;
		n = dv_segs_iov(r->read, r->nread, sizeof(*h), out_len, iov, DV_VIRTQ_MAX_SEGS);
		if (do_io(b->fd, iov, n, h->sector * DV_VBLK_SECTOR, true))
			return VIRTIO_BLK_S_IOERR;
		b->stats.written_bytes += out_len;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		b->stats.flushes++;
		if (!b->readonly && fdatasync(b->fd))
			return VIRTIO_BLK_S_IOERR;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		b->stats.get_ids++;
		memset(id, 0, sizeof(id));
		memcpy(id, b->serial, sizeof(id));
		*written = (uint32_t)dv_segs_write(r->write, r->nwrite, 0, id,
						   in_len < sizeof(id) ? in_len : sizeof(id));
		return VIRTIO_BLK_S_OK;
	default:
		b->stats.unsupported++;
		return VIRTIO_BLK_S_UNSUPP;
	}
}

void dv_vblk_serve(struct dv_vblk *b)
{
	struct dv_virtq_req *r = b->req;
	bool pushed = false;
	uint32_t gen;
	int rc;

	dv_vdev_take(&b->pending);
	while ((rc = dv_virtio_mmio_pop(&b->t, 0, r, &gen)) == 1) {
		struct virtio_blk_outhdr h;
		uint32_t written = 0;
		uint8_t status;

		if (r->read_len < sizeof(h) || r->write_len < 1) {
			/* No header or no status byte: nothing to answer with */
			b->stats.errors++;
		} else {
			dv_segs_read(r->read, r->nread, 0, &h, sizeof(h));
			status = blk_request(b, r, &h, &written);
			if (status != VIRTIO_BLK_S_OK)
				b->stats.errors++;
			dv_segs_write(r->write, r->nwrite, r->write_len - 1, &status, 1);
			written++;
		}
		if (dv_virtio_mmio_push(&b->t, 0, gen, r->head, written) == 0)
			pushed = true;
	}
	if (pushed)
		dv_virtio_mmio_signal_used(&b->t, 0);
}
