// SPDX-License-Identifier: GPL-2.0-only
/* The MMIO bus: a small table of guest-physical windows. */
#include <errno.h>
#include <stddef.h>

#include "vmm/mmio.h"

int dv_mmio_register(struct dv_mmio_bus *bus, const char *name, uint64_t base, uint64_t size,
		     const struct dv_mmio_ops *ops, void *opaque)
{
	unsigned int i;

	if (!size || base + size < base || !ops)
		return -EINVAL;
	for (i = 0; i < bus->count; i++) {
		const struct dv_mmio_window *w = &bus->win[i];

		if (base < w->base + w->size && w->base < base + size)
			return -EEXIST;
	}
	if (bus->count == DV_MMIO_MAX_WINDOWS)
		return -ENOSPC;
	bus->win[bus->count++] = (struct dv_mmio_window){name, base, size, ops, opaque};
	return 0;
}

static const struct dv_mmio_window *dv_mmio_find(const struct dv_mmio_bus *bus, uint64_t gpa,
						 unsigned int size)
{
	unsigned int i;

	for (i = 0; i < bus->count; i++) {
		const struct dv_mmio_window *w = &bus->win[i];

		if (gpa >= w->base && gpa - w->base < w->size && size <= w->size - (gpa - w->base))
			return w;
	}
	return NULL;
}

int dv_mmio_access(struct dv_mmio_bus *bus, uint64_t gpa, unsigned size, bool is_write,
		   uint64_t *val)
{
	const struct dv_mmio_window *w = dv_mmio_find(bus, gpa, size);

	if (!w)
		return -ENOENT;
	if (is_write)
		return w->ops->write ? w->ops->write(w->opaque, gpa - w->base, size, *val) : 0;
	*val = 0;
	return w->ops->read ? w->ops->read(w->opaque, gpa - w->base, size, val) : 0;
}
