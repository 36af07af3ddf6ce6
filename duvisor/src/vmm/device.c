// SPDX-License-Identifier: GPL-2.0-only
/* The board's devices, created from their kinds' ops tables: see device.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/snapbuf.h"
#include "cli/cli.h"
#include "api/json.h"
#include "vmm/device.h"

unsigned int dv_device_one(const struct dv_config *cfg)
{
	(void)cfg;
	return 1;
}

/* Its window and source from the allocator, then the kind's create. */
static int add_one(struct dv_devices *d, const struct dv_device_ops *ops, unsigned int index,
		   struct dv_vm *vm, struct dv_mmio_bus *bus)
{
	struct dv_device *dev = &d->dev[d->n];
	const char *what;
	int rc;

	memset(dev, 0, sizeof(*dev));
	dev->ops = ops;
	dev->index = index;
	snprintf(dev->name, sizeof(dev->name), "%s%u", ops->name, index);
	dev->base = ops->mmio_base;
	dev->size = ops->mmio_size;
	dev->irq = ops->irq == DV_DEV_IRQ_ANY ? 0 : ops->irq;
	what = "its MMIO window";
	rc = dv_devalloc_mmio(&d->alloc, dev->size, &dev->base);
	if (!rc && ops->irq != DV_DEV_IRQ_NONE) {
		what = "its PLIC interrupt source";
		rc = dv_devalloc_irq(&d->alloc, &dev->irq);
	}
	if (rc) {
		fprintf(stderr, "duvisor: %s: %s: %s\n", dev->name, what,
			rc == -EBUSY ? "already taken" : strerror(-rc));
		return DV_EXIT_FAILURE;
	}
	d->n++; /* destroy() from here on, whatever create() does */
	rc = ops->create(vm, dev);
	if (rc)
		return rc;
	if (dev->mmio) {
		rc = dv_mmio_register(bus, dev->name, dev->base, dev->size, dev->mmio,
				      dev->mmio_opaque);
		if (rc) {
			fprintf(stderr, "duvisor: %s: MMIO window: %s\n", dev->name, strerror(-rc));
			return DV_EXIT_FAILURE;
		}
	}
	return 0;
}

int dv_devices_create(struct dv_devices *d, const struct dv_device_ops *const *kinds,
		      unsigned int nkinds, struct dv_vm *vm, const struct dv_config *cfg,
		      struct dv_mmio_bus *bus, uint64_t mmio_base, uint64_t mmio_end,
		      unsigned int nsources)
{
	int rc;

	d->n = 0;
	dv_devalloc_init(&d->alloc, mmio_base, mmio_end, nsources);
	for (unsigned int k = 0; k < nkinds; k++) {
		unsigned int count = kinds[k]->count(cfg);

		for (unsigned int i = 0; i < count; i++) {
			if (d->n == DV_MAX_DEVICES) {
				fprintf(stderr, "duvisor: more than %d devices\n", DV_MAX_DEVICES);
				return DV_EXIT_FAILURE;
			}
			rc = add_one(d, kinds[k], i, vm, bus);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int dv_devices_start(struct dv_devices *d)
{
	for (unsigned int i = 0; i < d->n; i++) {
		struct dv_device *dev = &d->dev[i];
		int rc = dev->ops->start ? dev->ops->start(dev) : 0;

		if (rc) {
			fprintf(stderr, "duvisor: %s: starting its thread: %s\n", dev->name,
				strerror(-rc));
			return DV_EXIT_FAILURE;
		}
	}
	return 0;
}

unsigned int dv_devices_threads(const struct dv_devices *d)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < d->n; i++)
		n += d->dev[i].ops->threads;
	return n;
}

void dv_devices_destroy(struct dv_devices *d)
{
	while (d->n) {
		struct dv_device *dev = &d->dev[--d->n];

		dev->ops->destroy(dev);
	}
}

void dv_devices_reset(struct dv_devices *d)
{
	for (unsigned int i = 0; i < d->n; i++)
		if (d->dev[i].ops->reset)
			d->dev[i].ops->reset(&d->dev[i]);
}

void dv_devices_stats(const struct dv_devices *d, FILE *f)
{
	for (unsigned int i = 0; i < d->n; i++)
		if (d->dev[i].ops->stats)
			d->dev[i].ops->stats(&d->dev[i], f);
}

int dv_devices_save(struct dv_devices *d, struct dv_snap_w *w)
{
	for (unsigned int i = 0; i < d->n; i++) {
		struct dv_device *dev = &d->dev[i];
		struct dv_snap_w one;
		int rc = 0;

		dv_snap_w_init(&one);
		if (dev->ops->save)
			rc = dev->ops->save(dev, &one);
		if (!rc && one.nomem)
			rc = -ENOMEM;
		if (!rc) {
			dv_snap_bytes(w, dev->name, (uint32_t)strlen(dev->name));
			dv_snap_bytes(w, one.buf, (uint32_t)one.len);
		}
		dv_snap_w_free(&one);
		if (rc) {
			fprintf(stderr, "duvisor: %s: its state: %s\n", dev->name, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int dv_devices_load(struct dv_devices *d, struct dv_snap_r *r)
{
	for (unsigned int i = 0; i < d->n; i++) {
		struct dv_device *dev = &d->dev[i];
		const uint8_t *name, *state;
		uint32_t nlen, slen;
		struct dv_snap_r one;
		int rc = 0;

		name = dv_snap_get_bytes(r, &nlen, sizeof(dev->name));
		state = dv_snap_get_bytes(r, &slen, UINT32_MAX);
		if (r->bad || nlen != strlen(dev->name) || memcmp(name, dev->name, nlen)) {
			fprintf(stderr, "duvisor: the snapshot has no state for %s at its place\n",
				dev->name);
			return -EINVAL;
		}
		dv_snap_r_init(&one, state, slen);
		if (dev->ops->load)
			rc = dev->ops->load(dev, &one);
		if (!rc && (one.bad || one.p != one.end))
			rc = -EINVAL;
		if (rc) {
			fprintf(stderr, "duvisor: %s: the snapshot's state: %s\n", dev->name,
				strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int dv_devices_fd(const struct dv_devices *d, const char *name, unsigned int index)
{
	for (unsigned int i = 0; i < d->n; i++)
		if (!strcmp(d->dev[i].ops->name, name) && d->dev[i].index == index)
			return d->dev[i].ops->handover_fd ? d->dev[i].ops->handover_fd(&d->dev[i])
							  : -1;
	return -1;
}

void dv_devices_counters(const struct dv_devices *d, struct dv_json *j)
{
	for (unsigned int i = 0; i < d->n; i++) {
		if (!d->dev[i].ops->counters)
			continue;
		dv_json_object(j, d->dev[i].name);
		d->dev[i].ops->counters(&d->dev[i], j);
		dv_json_end(j);
	}
}

static void emit(struct dv_fdt_writer *w, const void *ctx)
{
	const struct dv_device *dev = ctx;

	dev->ops->fdt(dev, w);
}

unsigned int dv_devices_fdt(const struct dv_devices *d, struct dv_fdt_node *nodes, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < d->n && n < max; i++)
		if (d->dev[i].ops->fdt)
			nodes[n++] = (struct dv_fdt_node){emit, &d->dev[i]};
	return n;
}
