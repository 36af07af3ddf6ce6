// SPDX-License-Identifier: GPL-2.0-only
/* MMIO windows and PLIC sources for the board's devices: see devalloc.h. */
#include <errno.h>
#include <string.h>

#include "vmm/devalloc.h"

void dv_devalloc_init(struct dv_devalloc *a, uint64_t base, uint64_t end, unsigned int nsources)
{
	memset(a, 0, sizeof(*a));
	a->base = base;
	a->end = end;
	a->nsources = nsources < DV_DEVALLOC_MAX_SOURCES ? nsources : DV_DEVALLOC_MAX_SOURCES;
}

/* The end of a window handed out that overlaps [base, base + size), or 0. */
static uint64_t overlap(const struct dv_devalloc *a, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < a->nwin; i++)
		if (base < a->win[i].base + a->win[i].size && a->win[i].base < base + size)
			return a->win[i].base + a->win[i].size;
	return 0;
}

int dv_devalloc_mmio(struct dv_devalloc *a, uint64_t size, uint64_t *base)
{
	uint64_t at = *base, span = (size + DV_DEVALLOC_ALIGN - 1) & ~(DV_DEVALLOC_ALIGN - 1), past;

	if (!size || span < size || a->nwin == DV_DEVALLOC_MAX_WINDOWS)
		return -EINVAL;
	if (at) {
		if (at + size < at)
			return -EINVAL;
		if (overlap(a, at, size))
			return -EBUSY;
		span = size; /* a fixed window takes just what it asks */
	} else {
		/* First fit: step past each window in the way */
		at = a->base;
		while (at <= a->end && span <= a->end - at && (past = overlap(a, at, span)))
			at = (past + DV_DEVALLOC_ALIGN - 1) & ~(DV_DEVALLOC_ALIGN - 1);
		if (at > a->end || span > a->end - at)
			return -ENOSPC;
	}
	a->win[a->nwin].base = at;
	a->win[a->nwin].size = span;
	a->nwin++;
	*base = at;
	return 0;
}

static int taken(const struct dv_devalloc *a, uint32_t src)
{
	return (a->used[src / 64] >> (src % 64)) & 1;
}

int dv_devalloc_irq(struct dv_devalloc *a, uint32_t *src)
{
	uint32_t s = *src;

	if (s) {
		if (s >= a->nsources)
			return -EINVAL;
		if (taken(a, s))
			return -EBUSY;
	} else {
		for (s = 1; s < a->nsources && taken(a, s); s++)
			;
		if (s >= a->nsources)
			return -ENOSPC;
	}
	a->used[s / 64] |= 1ULL << (s % 64);
	*src = s;
	return 0;
}
