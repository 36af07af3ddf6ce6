// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>

#include "stage2.h"

#define PTE_V	   (1ULL << 0)
#define PTE_RWX	   (7ULL << 1)
#define PTE_U	   (1ULL << 4) /* G-stage leaves are user pages, by definition */
#define PTE_A	   (1ULL << 6)
#define PTE_D	   (1ULL << 7)
#define PTE_LEAF   (PTE_V | PTE_RWX | PTE_U | PTE_A | PTE_D)
#define PAGE_SIZE  4096ULL
#define HUGE_2M	   (1ULL << 21)
#define GPA_BITS   41 /* Sv39x4 */
#define HPA_BITS   56 /* PPN field of a PTE */
#define HGATP_SV39 (8ULL << 60)

static uint64_t pte_to_hpa(uint64_t pte)
{
	return (pte >> 10) << 12;
}

static uint64_t *table_va(struct dv_stage2 *s, uint64_t hpa)
{
	return (uint64_t *)(s->va + (hpa - s->hpa));
}

int dv_s2_init(struct dv_stage2 *s, void *va, uint64_t hpa, size_t size)
{
	if (hpa % DV_S2_ROOT_SIZE || size < DV_S2_ROOT_SIZE || (hpa + size - 1) >> HPA_BITS)
		return -EINVAL;
	s->va = va;
	s->hpa = hpa;
	s->size = size;
	s->used = DV_S2_ROOT_SIZE;
	memset(va, 0, DV_S2_ROOT_SIZE);
	return 0;
}

int dv_s2_attach(struct dv_stage2 *s, void *va, uint64_t hpa, size_t size, size_t used)
{
	if (hpa % DV_S2_ROOT_SIZE || size < DV_S2_ROOT_SIZE || (hpa + size - 1) >> HPA_BITS ||
	    used < DV_S2_ROOT_SIZE || used > size || used % PAGE_SIZE)
		return -EINVAL;
	s->va = va;
	s->hpa = hpa;
	s->size = size;
	s->used = used;
	return 0;
}

/* The next-level table behind entry *e, allocated on first use */
static uint64_t *next_table(struct dv_stage2 *s, uint64_t *e)
{
	uint64_t hpa;

	if (*e & PTE_V)
		return (*e & PTE_RWX) ? NULL : table_va(s, pte_to_hpa(*e));
	if (s->size - s->used < PAGE_SIZE)
		return NULL;
	hpa = s->hpa + s->used;
	s->used += PAGE_SIZE;
	memset(table_va(s, hpa), 0, PAGE_SIZE);
	*e = ((hpa >> 12) << 10) | PTE_V;
	return table_va(s, hpa);
}

int dv_s2_map(struct dv_stage2 *s, uint64_t gpa, uint64_t hpa, uint64_t size)
{
	if ((gpa | hpa | size) % PAGE_SIZE || !size || gpa + size < gpa || hpa + size < hpa ||
	    (gpa + size - 1) >> GPA_BITS || (hpa + size - 1) >> HPA_BITS)
		return -EINVAL;
	/* A failure part-way leaves what was mapped so far: callers give up on the VM */
	while (size) {
		uint64_t *root = (uint64_t *)s->va;
		uint64_t *l1 = next_table(s, &root[(gpa >> 30) & 0x7ff]);
		uint64_t *e;

		if (!l1)
			return -ENOMEM;
		e = &l1[(gpa >> 21) & 0x1ff];
		if ((*e & PTE_V) && (*e & PTE_RWX))
			return -EEXIST; /* inside a 2 MiB mapping */
		if (!(gpa % HUGE_2M) && !(hpa % HUGE_2M) && size >= HUGE_2M && !(*e & PTE_V)) {
			*e = ((hpa >> 12) << 10) | PTE_LEAF;
			gpa += HUGE_2M;
			hpa += HUGE_2M;
			size -= HUGE_2M;
			continue;
		}
		uint64_t *l0 = next_table(s, e);

		if (!l0)
			return -ENOMEM;
		if (l0[(gpa >> 12) & 0x1ff] & PTE_V)
			return -EEXIST;
		l0[(gpa >> 12) & 0x1ff] = ((hpa >> 12) << 10) | PTE_LEAF;
		gpa += PAGE_SIZE;
		hpa += PAGE_SIZE;
		size -= PAGE_SIZE;
	}
	return 0;
}

uint64_t dv_s2_hugatp(const struct dv_stage2 *s)
{
	return HGATP_SV39 | (s->hpa >> 12);
}
