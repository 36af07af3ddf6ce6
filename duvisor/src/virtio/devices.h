/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtio-mmio devices of a VM (vmm/device.h): one virtio-blk per
 * --disk, one virtio-net per --net, a virtio-rng always, and a
 * virtio-console with --console virtio, created in that order, so the
 * guest's vda is the first --disk and eth0 the first --net. Each kind is in
 * <kind>_device.c; what they share is here: the state every kind's device
 * starts with, the eventfd a vCPU's notify posts (served by the I/O
 * thread's loop, or by a thread of the device's own), the virtio,mmio
 * device-tree node and the reset.
 */
#ifndef DV_VIRTIO_DEVICES_H
#define DV_VIRTIO_DEVICES_H

#include <stdbool.h>
#include <stdio.h>

#include "vmm/device.h"
#include "vmm/ioloop.h"
#include "virtio/dev.h"
#include "virtio/transport.h"

struct dv_json;
struct dv_snap_r;
struct dv_snap_w;
struct dv_vcons;

/* The first member of every virtio device's state (dev->priv) */
struct dv_vdev {
	struct dv_virtio_mmio *t;  /* the model's transport */
	struct dv_ioloop *loop;	   /* NULL: a thread of its own serves it */
	struct dv_io_handler kick; /* eventfd: a vCPU notified a queue */
};

/* The kind's state (size bytes, starting with struct dv_vdev), zeroed, as dev->priv; NULL: no
 * memory */
void *dv_vdev_new(struct dv_device *dev, size_t size);
/*
 * Before the model's init: the kick eventfd, blocking for a device with a
 * thread of its own (loop NULL), else served by serve(opaque) on loop.
 * Fills *kick for the model. 0 or -errno.
 */
int dv_vdev_kick_init(struct dv_vdev *v, struct dv_ioloop *loop,
		      void (*serve)(struct dv_io_handler *h, uint32_t events), void *opaque,
		      struct dv_vdev_kick *kick);
/* After it: the window is the transport's t, and the loop watches the kick. 0 or -errno. */
int dv_vdev_start(struct dv_vdev *v, struct dv_device *dev, struct dv_virtio_mmio *t);
/* create()'s end: 0, or DV_EXIT_FAILURE after saying which device failed how (rc < 0) */
int dv_vdev_created(const struct dv_device *dev, int rc);
/* destroy()'s end, once the model is gone: closes the kick eventfd and frees dev->priv */
void dv_vdev_free(struct dv_device *dev);

/* Every kind's fdt, reset and first --stats line */
void dv_vdev_fdt(const struct dv_device *dev, struct dv_fdt_writer *w);
void dv_vdev_reset(struct dv_device *dev);
void dv_vdev_stats(const struct dv_device *dev, FILE *f);
/* The transport's state (snapshots): see dv_virtio_mmio_save() */
int dv_vdev_save(struct dv_device *dev, struct dv_snap_w *w);
int dv_vdev_load(struct dv_device *dev, struct dv_snap_r *r);
/* The counters every virtio device has (vm.counters) */
void dv_vdev_counters(const struct dv_device *dev, struct dv_json *j);

/* The I/O thread: move queued terminal input into the virtio console (NULL: none). */
void dv_vcons_feed(struct dv_vcons *c);

#endif /* DV_VIRTIO_DEVICES_H */
