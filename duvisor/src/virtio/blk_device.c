// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-blk as a device of the VM: one per --disk, on the disk's file.
 * With io=vcpu (the default) the vCPU that notifies the queue serves it
 * then and there, in its exit: no thread to wake and none to wake it
 * again, and the completion interrupt is pending when the guest resumes.
 * A second vCPU notifying while one serves leaves the new requests to it.
 * With io=thread the requests are served on a thread of the disk's own,
 * so a slow write or fdatasync() stalls no vCPU (a disk on slow storage);
 * its interrupts reach vCPUs like any other (the I/O thread rings the
 * doorbells that thread cannot).
 */
#include <errno.h>
#include <time.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/json.h"
#include "cli/cli.h"
#include "vmm/vm.h"
#include "virtio/blk.h"
#include "virtio/devices.h"
#include "vmm/sandbox.h"

struct blk_device {
	struct dv_vdev v; /* first: the shared part */
	struct dv_vblk blk;
	bool model;
	int fd;		    /* the disk, owned; -1: none */
	bool on_vcpu;	    /* io=vcpu: served by the notifying vCPU */
	atomic_int serving; /* io=vcpu: a vCPU is serving the queue */
	pthread_t worker;   /* io=thread */
	bool has_worker;
	atomic_bool stop;
	atomic_int busy; /* io=thread: the worker is serving */
};

/*
 * io=vcpu: the notify's kick. The vCPU that finds nobody serving serves
 * until nothing is pending; one that finds another at it leaves: that one
 * looks at pending again after it stopped serving (every step sequentially
 * consistent), so no notified request is left behind.
 */
static void blk_serve_here(void *opaque)
{
	struct blk_device *b = opaque;

	while (atomic_load(&b->blk.pending)) {
		if (atomic_exchange(&b->serving, 1))
			return;
		dv_vblk_serve(&b->blk);
		atomic_store(&b->serving, 0);
	}
}

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
		atomic_store(&b->busy, 1);
		dv_vblk_serve(&b->blk);
		atomic_store(&b->busy, 0);
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
	/* A live upgrade's new image takes the open (and locked) disk over */
	b->fd = disk->fd >= 0 ? disk->fd : dv_vblk_open(disk->path, disk->readonly);
	if (b->fd < 0) {
		fprintf(stderr, "duvisor: --disk %s: %s\n", disk->path,
			b->fd == -EBUSY ? "in use by another process (locked)" : strerror(-b->fd));
		return b->fd == -EBUSY ? DV_EXIT_FAILURE : DV_EXIT_FILE;
	}
	b->on_vcpu = disk->io == DV_DISK_IO_VCPU;
	if (b->on_vcpu) {
		kick = (struct dv_vdev_kick){blk_serve_here, b};
		dv_sandbox_vcpu_disk_io(); /* its vCPUs make the disk's calls */
		rc = 0;
	} else {
		rc = dv_vdev_kick_init(&b->v, NULL, NULL, b, &kick);
	}
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
	int rc;

	if (b->on_vcpu)
		return 0;
	rc = -pthread_create(&b->worker, NULL, blk_worker, b);
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

static void blk_counters(const struct dv_device *dev, struct dv_json *j)
{
	const struct blk_device *b = dev->priv;
	const struct dv_vblk_stats *s = &b->blk.stats;

	dv_vdev_counters(dev, j);
	dv_json_u64(j, "reads", s->reads);
	dv_json_u64(j, "read_bytes", s->read_bytes);
	dv_json_u64(j, "writes", s->writes);
	dv_json_u64(j, "written_bytes", s->written_bytes);
	dv_json_u64(j, "flushes", s->flushes);
	dv_json_u64(j, "errors", s->errors);
}

/*
 * With the vCPUs stopped nothing new comes; io=thread: wait up to a second
 * for the worker to finish what it took (io=vcpu: a parked vCPU serves none).
 */
static int blk_save(struct dv_device *dev, struct dv_snap_w *w)
{
	struct blk_device *b = dev->priv;
	struct timespec pause = {0, 1000000};

	for (int i = 0; i < 1000; i++) {
		if (!atomic_load(&b->blk.pending) && !atomic_load(&b->busy) &&
		    !atomic_load(&b->serving))
			return dv_vdev_save(dev, w);
		nanosleep(&pause, NULL);
	}
	return -EBUSY;
}

static int blk_handover_fd(const struct dv_device *dev)
{
	const struct blk_device *b = dev->priv;

	return b->fd;
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
    .counters = blk_counters,
    .save = blk_save,
    .load = dv_vdev_load,
    .handover_fd = blk_handover_fd,
};
