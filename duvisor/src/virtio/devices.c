// SPDX-License-Identifier: GPL-2.0-only
/* What the VM's virtio devices share: see devices.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "api/json.h"
#include "cli/cli.h"
#include "virtio/devices.h"

/* vCPU thread: hand the queue work to its server (a thread of its own, or the I/O thread) */
static void post_kick(void *ctx)
{
	struct dv_vdev *v = ctx;

	dv_eventfd_post(v->kick.fd);
}

void *dv_vdev_new(struct dv_device *dev, size_t size)
{
	struct dv_vdev *v = calloc(1, size);

	if (v)
		v->kick.fd = -1;
	dev->priv = v;
	return v;
}

int dv_vdev_kick_init(struct dv_vdev *v, struct dv_ioloop *loop,
		      void (*serve)(struct dv_io_handler *h, uint32_t events), void *opaque,
		      struct dv_vdev_kick *kick)
{
	/* A device thread blocks on its kick; the I/O loop's fds do not block */
	int fd = loop ? dv_eventfd_new() : eventfd(0, EFD_CLOEXEC);

	if (fd < 0)
		return loop ? fd : -errno;
	v->loop = loop;
	v->kick = (struct dv_io_handler){.fd = fd, .fn = serve, .opaque = opaque};
	*kick = (struct dv_vdev_kick){post_kick, v};
	return 0;
}

int dv_vdev_start(struct dv_vdev *v, struct dv_device *dev, struct dv_virtio_mmio *t)
{
	v->t = t;
	dev->mmio = &dv_virtio_mmio_ops;
	dev->mmio_opaque = t;
	return v->loop ? dv_ioloop_add(v->loop, &v->kick, EPOLLIN) : 0;
}

int dv_vdev_created(const struct dv_device *dev, int rc)
{
	if (!rc)
		return 0;
	fprintf(stderr, "duvisor: %s: %s\n", dev->name, strerror(-rc));
	return DV_EXIT_FAILURE;
}

void dv_vdev_free(struct dv_device *dev)
{
	struct dv_vdev *v = dev->priv;

	if (v && v->kick.fd >= 0)
		close(v->kick.fd);
	free(v);
	dev->priv = NULL;
}

void dv_vdev_fdt(const struct dv_device *dev, struct dv_fdt_writer *w)
{
	dv_fdt_virtio_mmio(w, dev->base, dev->size, dev->irq);
}

void dv_vdev_reset(struct dv_device *dev)
{
	struct dv_vdev *v = dev->priv;

	if (v && v->t)
		dv_virtio_mmio_reset(v->t);
}

int dv_vdev_save(struct dv_device *dev, struct dv_snap_w *w)
{
	struct dv_vdev *v = dev->priv;

	dv_virtio_mmio_save(v->t, w);
	return 0;
}

int dv_vdev_load(struct dv_device *dev, struct dv_snap_r *r)
{
	struct dv_vdev *v = dev->priv;

	return dv_virtio_mmio_load(v->t, r);
}

void dv_vdev_counters(const struct dv_device *dev, struct dv_json *j)
{
	const struct dv_vdev *v = dev->priv;

	if (!v || !v->t)
		return;
	dv_json_u64(j, "status", v->t->status);
	dv_json_u64(j, "notifies", v->t->notifies);
	dv_json_u64(j, "interrupts", v->t->interrupts);
}

void dv_vdev_stats(const struct dv_device *dev, FILE *f)
{
	const struct dv_vdev *v = dev->priv;

	if (v && v->t)
		fprintf(f, "duvisor: %s: status %#x, %llu notifies, %llu interrupts\n", dev->name,
			v->t->status, (unsigned long long)v->t->notifies,
			(unsigned long long)v->t->interrupts);
}
