/* Sv39x4 G-stage tables and the PMC range registers. */
#include <stdint.h>
#include "csr.h"
#include "harness.h"
#include "stage2.h"

#define POOL_PAGES 48

/* Sv39x4 roots are 16 KiB (2048 entries) and 16 KiB aligned. The .pt
 * section is placed last in the image so PMC tests can leave the roots or
 * the other tables out of the ranges. */
static uint64_t roots[S2_ROOTS][2048] __attribute__((aligned(16384), section(".pt.roots")));
static uint64_t pool[POOL_PAGES][512] __attribute__((aligned(4096), section(".pt.pool")));
static int pool_used;

uint64_t page_a[512] __attribute__((aligned(4096)));
uint64_t page_b[512] __attribute__((aligned(4096)));

static uint64_t *alloc_table(void)
{
	if (pool_used >= POOL_PAGES) {
		check_msg(__LINE__, "stage-2 table pool exhausted");
		return 0;
	}
	uint64_t *t = pool[pool_used++];
	for (int i = 0; i < 512; i++)
		t[i] = 0;
	return t;
}

static uint64_t table_pte(uint64_t *t)
{
	return (((uint64_t)t >> 12) << 10) | PTE_V;
}

static uint64_t *pte_table(uint64_t pte)
{
	return (uint64_t *)((pte >> 10) << 12);
}

void s2_reset_pool(void)
{
	pool_used = 0;
}

struct s2 s2_new(int i)
{
	struct s2 t = {roots[i]};
	for (int k = 0; k < 2048; k++)
		t.root[k] = 0;
	/* Identity map [RAM_BASE, OUT_BASE) with 2 MiB leaves. */
	uint64_t *l1 = alloc_table();
	if (!l1)
		return t;
	t.root[RAM_BASE >> 30] = table_pte(l1);
	for (uint64_t a = RAM_BASE; a < OUT_BASE; a += 1UL << 21)
		l1[(a >> 21) & 511] = ((a >> 12) << 10) | PTE_V | PTE_RWX | PTE_U | PTE_A | PTE_D;
	return t;
}

static uint64_t *walk(struct s2 t, uint64_t gpa, int alloc)
{
	uint64_t *e = &t.root[(gpa >> 30) & 2047];
	for (int level = 1; level >= 0; level--) {
		if (!(*e & PTE_V)) {
			if (!alloc)
				return 0;
			uint64_t *n = alloc_table();
			if (!n)
				return 0;
			*e = table_pte(n);
		} else if (*e & PTE_RWX) {
			return 0; /* a superpage is in the way */
		}
		e = &pte_table(*e)[(gpa >> (12 + 9 * level)) & 511];
	}
	return e;
}

void s2_map(struct s2 t, uint64_t gpa, uint64_t hpa, uint64_t perm)
{
	uint64_t *e = walk(t, gpa, 1);
	if (e)
		*e = ((hpa >> 12) << 10) | PTE_V | PTE_U | PTE_A | PTE_D | perm;
}

uint64_t *s2_leaf(struct s2 t, uint64_t gpa)
{
	return walk(t, gpa, 0);
}

uint64_t s2_atp(struct s2 t)
{
	return (8UL << 60) | ((uint64_t)t.root >> 12);
}

/* The PMC CSR numbers are immediates: one case per register. */
#define PMC_CASE(n)                                                                                \
	case n:                                                                                    \
		if (wr) {                                                                          \
			csr_write(CSR_HPMCBASE0 + n, base);                                        \
			csr_write(CSR_HPMCSIZE0 + n, size);                                        \
		}                                                                                  \
		*rb = csr_read(CSR_HPMCBASE0 + n);                                                 \
		*rs = csr_read(CSR_HPMCSIZE0 + n);                                                 \
		break;

static void pmc_access(int n, int wr, uint64_t base, uint64_t size, uint64_t *rb, uint64_t *rs)
{
	switch (n) {
		PMC_CASE(0)
		PMC_CASE(1)
		PMC_CASE(2)
		PMC_CASE(3)
		PMC_CASE(4)
		PMC_CASE(5)
		PMC_CASE(6)
		PMC_CASE(7)
	}
	/* The PMC CSRs validate cached translations (§3.1: writes flush). */
}

void pmc_set(int n, uint64_t base, uint64_t size)
{
	uint64_t b, s;
	pmc_access(n, 1, base, size, &b, &s);
}

uint64_t pmc_get_base(int n)
{
	uint64_t b = 0, s = 0;
	pmc_access(n, 0, 0, 0, &b, &s);
	return b;
}

uint64_t pmc_get_size(int n)
{
	uint64_t b = 0, s = 0;
	pmc_access(n, 0, 0, 0, &b, &s);
	return s;
}

void pmc_clear(void)
{
	for (int n = 0; n < 8; n++)
		pmc_set(n, 0, 0);
}

void pmc_default(void)
{
	pmc_clear();
	pmc_set(0, RAM_BASE, OUT_BASE - RAM_BASE);
}
