/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one allocator of the board's guest-physical MMIO windows and PLIC
 * interrupt sources: every device gets both from here, so no two devices
 * can overlap or share an interrupt line.
 *
 * Windows: a device with a fixed address (the PLIC, the UART: where QEMU's
 * virt machine has them) asks for that place; the others get the lowest
 * free place in [base, end), each on pages of its own (DV_DEVALLOC_ALIGN),
 * so they land at base, base + 4 KiB, ... in the order they ask.
 * Sources: 1..nsources-1 (source 0 does not exist); a fixed one (the UART's
 * 10, as on QEMU virt) or the lowest free one.
 *
 * No locking: the VM's devices are created on one thread before it runs.
 */
#ifndef DV_DEVALLOC_H
#define DV_DEVALLOC_H

#include <stdint.h>

#define DV_DEVALLOC_ALIGN	4096ULL
#define DV_DEVALLOC_MAX_WINDOWS 64
#define DV_DEVALLOC_MAX_SOURCES 1024 /* the PLIC's limit, source 0 counted */

struct dv_devalloc {
	uint64_t base, end; /* where windows without a fixed address go */
	unsigned int nsources;
	unsigned int nwin;
	struct {
		uint64_t base, size;
	} win[DV_DEVALLOC_MAX_WINDOWS];
	uint64_t used[DV_DEVALLOC_MAX_SOURCES / 64]; /* one bit per source */
};

/* An allocator for [base, end) and sources 1..nsources-1 (nsources at most 1024). */
void dv_devalloc_init(struct dv_devalloc *a, uint64_t base, uint64_t end, unsigned int nsources);

/*
 * A window of size bytes: at *base when *base is not 0 (-EBUSY if it overlaps
 * a window handed out), else placed in [base, end) and returned in *base
 * (-ENOSPC when there is no room). -EINVAL for size 0, a window that wraps,
 * or no slot left.
 */
int dv_devalloc_mmio(struct dv_devalloc *a, uint64_t size, uint64_t *base);

/*
 * A PLIC source: *src when it is not 0 (-EBUSY if it was handed out, -EINVAL
 * if there is no such source), else the lowest free one, returned in *src
 * (-ENOSPC when none is left).
 */
int dv_devalloc_irq(struct dv_devalloc *a, uint32_t *src);

#endif /* DV_DEVALLOC_H */
