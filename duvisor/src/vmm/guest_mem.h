/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bounds-checked access to guest physical memory.
 *
 * Device models and the loader never dereference guest addresses
 * themselves: they go through this interface, so unit tests and fuzzers can
 * hand them fake RAM, and a guest-supplied address can never reach outside
 * the guest's RAM.
 */
#ifndef DV_GUEST_MEM_H
#define DV_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dv_guest_mem {
	uint8_t *host;	   /* host mapping of guest RAM */
	uint64_t gpa_base; /* guest physical address of host[0] */
	uint64_t size;	   /* bytes */
};

/* A host pointer to [gpa, gpa + len) if it lies wholly inside RAM, else NULL. */
static inline void *dv_gpa_ptr(const struct dv_guest_mem *m, uint64_t gpa, uint64_t len)
{
	if (gpa < m->gpa_base || len > m->size || gpa - m->gpa_base > m->size - len)
		return NULL;
	return m->host + (gpa - m->gpa_base);
}

static inline bool dv_gpa_in_ram(const struct dv_guest_mem *m, uint64_t gpa)
{
	return dv_gpa_ptr(m, gpa, 1) != NULL;
}

#endif /* DV_GUEST_MEM_H */
