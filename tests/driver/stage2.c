/*
 * Sv39x4 stage-2 (G-stage) tables in the VM's table region.
 *
 * Sv39x4 translates a 41-bit guest physical address in three levels: the
 * root is indexed by GPA bits 40:30 and so has 2048 entries (16 KiB, and
 * must be 16 KiB aligned), the two lower levels are ordinary 4 KiB tables
 * indexed by bits 29:21 and 20:12. PTEs hold host physical page numbers:
 * the tables are built through the user mapping but point at HPAs from
 * DUVISOR_QUERY_ADDR. Leaves need U = 1 (the G-stage treats every guest
 * access as a user access); A and D are set so the walk never has to
 * update them.
 */
#include <errno.h>
#include <string.h>

#include "csr.h"
#include "dv.h"

#define ROOT_SIZE  (16UL << 10)
#define TABLE_SIZE 4096UL

/* A region smaller than 2 MiB is only page-aligned: put the root at the
 * first 16 KiB-aligned host physical address inside it. */
int dv_s2_init(struct dv_vm *vm)
{
	uint64_t off = (ROOT_SIZE - (vm->pt_hpa & (ROOT_SIZE - 1))) & (ROOT_SIZE - 1);
	if (off + ROOT_SIZE > DV_PT_SIZE)
		return dv_set_error("table region too small for an aligned root");
	vm->root = (uint64_t *)(vm->pt + off);
	vm->root_hpa = vm->pt_hpa + off;
	memset(vm->root, 0, ROOT_SIZE);
	vm->pt_next = 0; /* lower tables: every other page of the region */
	return 0;
}

/* The next free 4 KiB page of the region that is not part of the root. */
static uint64_t *alloc_table(struct dv_vm *vm, uint64_t *hpa)
{
	size_t root_off = (size_t)((uint8_t *)vm->root - vm->pt);
	if (vm->pt_next >= root_off && vm->pt_next < root_off + ROOT_SIZE)
		vm->pt_next = root_off + ROOT_SIZE;
	if (vm->pt_next + TABLE_SIZE > DV_PT_SIZE) {
		dv_set_error("stage-2 table region full");
		return NULL;
	}
	uint64_t *t = (uint64_t *)(vm->pt + vm->pt_next);
	*hpa = vm->pt_hpa + vm->pt_next;
	vm->pt_next += TABLE_SIZE;
	memset(t, 0, TABLE_SIZE);
	return t;
}

/* The user address of the table a non-leaf PTE points to. */
static uint64_t *table_of(struct dv_vm *vm, uint64_t pte)
{
	return (uint64_t *)(vm->pt + (((pte >> 10) << 12) - vm->pt_hpa));
}

static uint64_t *walk(struct dv_vm *vm, uint64_t gpa, int alloc)
{
	uint64_t *e = &vm->root[(gpa >> 30) & 2047];
	for (int level = 1; level >= 0; level--) {
		if (!(*e & S2_V)) {
			uint64_t hpa;
			if (!alloc)
				return NULL;
			uint64_t *t = alloc_table(vm, &hpa);
			if (!t)
				return NULL;
			*e = ((hpa >> 12) << 10) | S2_V;
		} else if (*e & S2_RWX) {
			dv_set_error("superpage in the way at GPA 0x%lx", (unsigned long)gpa);
			return NULL;
		}
		e = &table_of(vm, *e)[(gpa >> (12 + 9 * level)) & 511];
	}
	return e;
}

int dv_s2_map(struct dv_vm *vm, uint64_t gpa, uint64_t hpa, uint64_t perm)
{
	uint64_t *e = walk(vm, gpa, 1);
	if (!e)
		return -1;
	*e = ((hpa >> 12) << 10) | S2_LEAF | perm;
	return 0;
}

/* The 4 KiB leaf PTE for gpa, or NULL when no lower table exists. */
uint64_t *dv_s2_leaf(struct dv_vm *vm, uint64_t gpa)
{
	return walk(vm, gpa, 0);
}

uint64_t dv_hugatp(struct dv_vm *vm)
{
	return HUGATP_SV39X4 | (vm->root_hpa >> 12);
}
