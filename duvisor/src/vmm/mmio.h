/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The MMIO bus: devices register guest-physical windows; a guest access
 * that traps on one of them is dispatched to the device's handlers.
 */
#ifndef DV_MMIO_H
#define DV_MMIO_H

#include <stdbool.h>
#include <stdint.h>

struct dv_mmio_ops {
	/* offset is relative to the window; size is 1, 2, 4 or 8. 0 or -errno. */
	int (*read)(void *opaque, uint64_t offset, unsigned size, uint64_t *val);
	int (*write)(void *opaque, uint64_t offset, unsigned size, uint64_t val);
};

#define DV_MMIO_MAX_WINDOWS 32

struct dv_mmio_window {
	const char *name;
	uint64_t base;
	uint64_t size;
	const struct dv_mmio_ops *ops;
	void *opaque;
};

struct dv_mmio_bus {
	unsigned int count;
	struct dv_mmio_window win[DV_MMIO_MAX_WINDOWS];
};

/* 0, -EEXIST if it overlaps a window, -ENOSPC if the bus is full, -EINVAL. */
int dv_mmio_register(struct dv_mmio_bus *bus, const char *name, uint64_t base, uint64_t size,
		     const struct dv_mmio_ops *ops, void *opaque);
/* 0, or -ENOENT when no window holds [gpa, gpa + size), or the device's error. */
int dv_mmio_access(struct dv_mmio_bus *bus, uint64_t gpa, unsigned size, bool is_write,
		   uint64_t *val);

#endif /* DV_MMIO_H */
