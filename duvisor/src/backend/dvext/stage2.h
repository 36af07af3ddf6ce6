/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sv39x4 stage-2 page tables, built in their own region of host memory
 * (never mapped into the guest), with 2 MiB mappings where aligned.
 */
#ifndef DV_STAGE2_H
#define DV_STAGE2_H

#include <stddef.h>
#include <stdint.h>

struct dv_stage2 {
	uint8_t *va;  /* host mapping of the table region */
	uint64_t hpa; /* its host physical address */
	size_t size;
	size_t used; /* bytes handed out; the root comes first */
};

#define DV_S2_ROOT_SIZE 16384 /* Sv39x4 root: 2048 entries, 16 KiB aligned */

int dv_s2_init(struct dv_stage2 *s, void *va, uint64_t hpa, size_t size);
/* Tables built already (live upgrade: the same pages, mapped again), used bytes handed out */
int dv_s2_attach(struct dv_stage2 *s, void *va, uint64_t hpa, size_t size, size_t used);
/* Map [gpa, gpa + size) to [hpa, ...) read/write/execute. 0 or -errno. */
int dv_s2_map(struct dv_stage2 *s, uint64_t gpa, uint64_t hpa, uint64_t size);
uint64_t dv_s2_hugatp(const struct dv_stage2 *s);

#endif /* DV_STAGE2_H */
