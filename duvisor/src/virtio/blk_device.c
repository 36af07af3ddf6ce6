// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-blk as a device of the VM: one per --disk, on the disk's file, its
 * requests served on a thread of its own, so a slow write or fdatasync()
 * delays neither the network nor the console, and disks work in parallel.
 * Its interrupts reach vCPUs like any other (the I/O thread rings the
 * doorbells this thread cannot).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "vmm/vm.h"
#include "virtio/blk.h"
#include "virtio/devices.h"
#include "vmm/sandbox.h"

struct blk_device {
	struct dv_vdev v; /* first: the shared part */
	struct dv_vblk blk;
	bool model;
	int fd; /* the disk, owned; -1: none */
	pthread_t worker;
	bool has_worker;
	atomic_bool stop;
};

static void *blk_worker(void *arg)
{
	struct blk_device *b = arg;
	sigset_t all;
	uint64_t n;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	dv_sandbox_thread(DV_THREAD_IO);
	for (;;) {
		if (read(b->v.kick.fd, &n, sizeof(n)) < 0 && errno == EINTR)
			continue;
		if (atomic_load(&b->stop))
			break;
		dv_vblk_serve(&b->blk);
	}
	return NULL;
}

static const char *basename_of(const char *path)
{
	const char *p = strrchr(path, '/');

	return p ? p + 1 : path;
}

static unsigned int blk_count(const struct dv_config *cfg)
{
	return cfg->ndisks;
}

static int blk_create(struct dv_vm *vm, struct dv_device *dev)
{
	const struct dv_disk_cfg *disk = &vm->cfg->disks[dev->index];
	struct blk_device *b = dv_vdev_new(dev, sizeof(*b));
	struct dv_vdev_kick kick = {0};
	int rc;

	if (!b)
		return DV_EXIT_FAILURE;
	b->fd = dv_vblk_open(disk->path, disk->readonly);
	if (b->fd < 0) {
		fprintf(stderr, "duvisor: --disk %s: %s\n", disk->path,
			b->fd == -EBUSY ? "in use by another process (locked)" : strerror(-b->fd));
		return b->fd == -EBUSY ? DV_EXIT_FAILURE : DV_EXIT_FILE;
	}
	rc = dv_vdev_kick_init(&b->v, NULL, NULL, b, &kick);
	if (!rc)
		rc = dv_vblk_init(&b->blk, &vm->mem, dv_vm_irq_line(vm, dev->irq), b->fd,
				  disk->readonly, basename_of(disk->path), kick);
	b->model = !rc;
	if (!rc)
		rc = dv_vdev_start(&b->v, dev, &b->blk.t);
	return dv_vdev_created(dev, rc);
}

static int blk_start(struct dv_device *dev)
{
	struct blk_device *b = dev->priv;
	int rc = -pthread_create(&b->worker, NULL, blk_worker, b);

	b->has_worker = !rc;
	return rc;
}

static void blk_destroy(struct dv_device *dev)
{
	struct blk_device *b = dev->priv;

	if (!b)
		return;
	if (b->has_worker) {
		atomic_store(&b->stop, true);
		dv_eventfd_post(b->v.kick.fd);
		pthread_join(b->worker, NULL); /* after the request it may be serving */
	}
	if (b->model)
		dv_vblk_destroy(&b->blk);
	if (b->fd >= 0)
		close(b->fd); /* the data is on the file: writes were pwritev()s */
	dv_vdev_free(dev);
}

static void blk_stats(const struct dv_device *dev, FILE *f)
{
	const struct blk_device *b = dev->priv;
	const struct dv_vblk_stats *s = &b->blk.stats;

	dv_vdev_stats(dev, f);
	fprintf(f,
		"duvisor: %s: %llu reads (%llu bytes), %llu writes (%llu bytes), %llu flushes, "
		"%llu errors\n",
		dev->name, (unsigned long long)s->reads, (unsigned long long)s->read_bytes,
		(unsigned long long)s->writes, (unsigned long long)s->written_bytes,
		(unsigned long long)s->flushes, (unsigned long long)s->errors);
}

const struct dv_device_ops dv_vblk_device = {
    .name = "virtio-blk",
    .mmio_size = DV_VIRTIO_MMIO_SIZE,
    .irq = DV_DEV_IRQ_ANY,
    .count = blk_count,
    .create = blk_create,
    .start = blk_start,
    .threads = 1,
    .fdt = dv_vdev_fdt,
    .reset = dv_vdev_reset,
    .destroy = blk_destroy,
    .stats = blk_stats,
};
