/* R-FENCE-*, R-HLV-1 and the translation-cache rules of §3.1. */
#include "harness.h"
#include "stage2.h"

static uint64_t g_load(uint64_t gpa)
{
	return *(volatile uint64_t *)gpa;
}

static struct s2 vm;

static uint64_t hu_remap(uint64_t use_gpa)
{
	uint64_t gpa = GPA_TEST(3);
	uint64_t a = hu_run_guest(MODE_VS, g_load, gpa);
	/* The hypervisor changes its own stage-2 table (HU can write it) and
	 * fences: the next guest access must see the new page. */
	uint64_t *pte = s2_leaf(vm, gpa);
	*pte = (*pte & 0x3ffUL) | (((uint64_t)page_b >> 12) << 10);
	if (use_gpa)
		hufence_gvma(gpa >> 2);
	else
		hufence_gvma_all();
	uint64_t b = hu_run_guest(MODE_VS, g_load, gpa);
	return (a << 32) | b;
}

TEST(fence_gvma_makes_remap_visible, "R-FENCE-2 R-FENCE-1", T_DV)
{
	for (int use_gpa = 0; use_gpa < 2; use_gpa++) {
		dv_setup();
		vm = s2_new(1);
		s2_map(vm, GPA_TEST(3), (uint64_t)page_a, PTE_R | PTE_W);
		csr_write(CSR_HUGATP, s2_atp(vm));
		hfence_gvma_all();
		page_a[0] = 0xa;
		page_b[0] = 0xb;
		CHECK_EQ(hs_run(MODE_U, hu_remap, use_gpa), (0xaUL << 32) | 0xb);
	}
}

/* R-FENCE-1: legal in HS (and in HU: gate tests), illegal in plain U. */
TEST(fence_legal_in_hs, "R-FENCE-1", T_DV)
{
	catch_begin();
	hufence_gvma_all();
	hufence_gvma(GPA_TEST(0) >> 2);
	hufence_vvma_all();
	catch_end();
	EXPECT_NO_TRAP();
}

static uint64_t hu_hlv_hsv(uint64_t gpa)
{
	hsv_d(gpa + 8, 0x5a5a);
	return hlv_d(gpa);
}

/* R-HLV-1, R-PMC-1: from HU (and from HS with EN = 1) HLV/HSV go through
 * hugatp, not hgatp. */
TEST(hlv_uses_hugatp_while_en1, "R-HLV-1 R-PMC-1", T_DV)
{
	dv_setup();
	struct s2 hu = s2_new(1), h = s2_new(2);
	s2_map(hu, GPA_TEST(4), (uint64_t)page_a, PTE_R | PTE_W);
	s2_map(h, GPA_TEST(4), (uint64_t)page_b, PTE_R | PTE_W);
	csr_write(CSR_HUGATP, s2_atp(hu));
	csr_write(CSR_HGATP, s2_atp(h));
	hfence_gvma_all();
	page_a[0] = 0xaa;
	page_b[0] = 0xbb;
	CHECK_EQ(hs_run(MODE_U, hu_hlv_hsv, GPA_TEST(4)), 0xaa);
	CHECK_EQ(page_a[1], 0x5a5a);
	CHECK_EQ(hlv_d(GPA_TEST(4)), 0xaa); /* from HS with EN = 1 */
	csr_write(CSR_HDVCTL, 0);
	hfence_gvma_all();
	CHECK_EQ(hlv_d(GPA_TEST(4)), 0xbb); /* EN = 0: hgatp */
}

/* §3.1: a write to a PMC register flushes cached translations (no fence). */
static uint64_t hu_hlv(uint64_t gpa)
{
	return hlv_d(gpa);
}

TEST(pmc_write_flushes_translations, "R-CSR-HS R-PMC-1", T_DV)
{
	dv_setup();
	struct s2 t = s2_new(1);
	s2_map(t, GPA_TEST(5), (uint64_t)page_a, PTE_R | PTE_W);
	csr_write(CSR_HUGATP, s2_atp(t));
	hfence_gvma_all();
	page_a[0] = 1;
	page_b[0] = 2;
	CHECK_EQ(hs_run(MODE_U, hu_hlv, GPA_TEST(5)), 1);
	uint64_t *pte = s2_leaf(t, GPA_TEST(5));
	*pte = (*pte & 0x3ffUL) | (((uint64_t)page_b >> 12) << 10);
	pmc_set(0, RAM_BASE, OUT_BASE - RAM_BASE); /* same value, still a write */
	CHECK_EQ(hs_run(MODE_U, hu_hlv, GPA_TEST(5)), 2);
}
