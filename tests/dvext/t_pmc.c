/* R-PMC-*: every host-physical address of a hugatp translation must lie in
 * a PMC range; a miss is an access fault to HS, and nothing is accessed. */
#include "harness.h"
#include "stage2.h"

#define SENTINEL 0x5e47195e47195eUL

static uint64_t g_load(uint64_t gpa)
{
	uint64_t v = 0x5555;
	__asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(gpa) : "memory");
	return v;
}

static uint64_t g_store(uint64_t gpa)
{
	__asm__ volatile("sd %0, 0(%1)" ::"r"(0x1111UL), "r"(gpa) : "memory");
	return 7;
}

static uint64_t g_call(uint64_t gpa)
{
	return ((uint64_t(*)(void))gpa)() + 1;
}

struct guest_call {
	body_fn fn;
	uint64_t arg;
};

static uint64_t hu_guest(uint64_t p)
{
	const struct guest_call *c = (const struct guest_call *)p;
	return hu_run_guest(MODE_VS, c->fn, c->arg);
}

static uint64_t run_guest(body_fn fn, uint64_t arg)
{
	struct guest_call c = {fn, arg};
	return hs_run(MODE_U, hu_guest, (uint64_t)&c);
}

/* A default VM plus GPA_TEST(0) -> an out-of-range host page. */
static struct s2 vm_with_out_page(void)
{
	dv_setup();
	struct s2 t = s2_new(1);
	s2_map(t, GPA_TEST(0), OUT_PAGE(0), PTE_RWX);
	s2_map(t, GPA_TEST(1), (uint64_t)page_a, PTE_RWX);
	csr_write(CSR_HUGATP, s2_atp(t));
	hfence_gvma_all();
	*(volatile uint64_t *)OUT_PAGE(0) = SENTINEL;
	return t;
}

static void check_pmc_fault(const struct trap_rec *t, uint64_t gpa)
{
	CHECK_EQ(t->tval, gpa);
	CHECK_EQ(t->tval2, gpa >> 2);
	CHECK_EQ(t->hstatus & HSTATUS_SPV, HSTATUS_SPV);
}

/* R-PMC-1/2, R-TRAP-3: a leaf outside every range: load and store fault
 * (5, 7) to HS, never HU; the page is neither read nor written. */
TEST(pmc_leaf_outside_faults_to_hs, "R-PMC-1 R-PMC-2 R-TRAP-3", T_DV)
{
	vm_with_out_page();
	page_a[0] = 0x42;
	catch_begin();
	CHECK_EQ(run_guest(g_load, GPA_TEST(1)), 0x42); /* in range: fine */
	CHECK_EQ(run_guest(g_load, GPA_TEST(0) + 8), 0x5555);
	CHECK_EQ(run_guest(g_store, GPA_TEST(0)), 7);
	catch_end();
	CHECK_EQ(this_hart()->nrec, 2);
	CHECK_EQ(trap_at(0)->level, LVL_HS);
	CHECK_EQ(trap_at(0)->cause, EXC_LOAD_ACCESS);
	check_pmc_fault(trap_at(0), GPA_TEST(0) + 8);
	CHECK_EQ(trap_at(1)->level, LVL_HS);
	CHECK_EQ(trap_at(1)->cause, EXC_STORE_ACCESS);
	check_pmc_fault(trap_at(1), GPA_TEST(0));
	CHECK_EQ(*(volatile uint64_t *)OUT_PAGE(0), SENTINEL);
}

/* R-PMC-2: instruction fetch from an out-of-range page: cause 1. */
TEST(pmc_fetch_outside_faults, "R-PMC-1 R-PMC-2", T_DV)
{
	struct s2 t = vm_with_out_page();
	/* Both pages hold "li a0, 5; ret". */
	uint32_t code[2] = {0x00500513, 0x00008067};
	for (int i = 0; i < 2; i++) {
		((volatile uint32_t *)OUT_PAGE(0))[i] = code[i];
		((volatile uint32_t *)page_a)[i] = code[i];
	}
	__asm__ volatile("fence.i" ::: "memory");
	(void)t;
	catch_begin();
	CHECK_EQ(run_guest(g_call, GPA_TEST(1)), 6);
	run_guest(g_call, GPA_TEST(0));
	catch_end();
	const struct trap_rec *r = EXPECT_TRAP(LVL_HS, EXC_INSN_ACCESS);
	check_pmc_fault(r, GPA_TEST(0));
}

/* R-TRAP-3: even delegated by medeleg straight to S, an access fault from
 * a guest goes to HS, not HU. */
TEST(pmc_access_fault_never_to_hu, "R-TRAP-3 R-PMC-2", T_DV)
{
	vm_with_out_page();
	uint64_t old = sbi_call(SBI_SET_MEDELEG, 0);
	sbi_call(SBI_SET_MEDELEG, old | (1UL << 1) | (1UL << 5) | (1UL << 7));
	catch_begin();
	run_guest(g_load, GPA_TEST(0));
	catch_end();
	sbi_call(SBI_SET_MEDELEG, old);
	const struct trap_rec *t = EXPECT_TRAP(LVL_HS, EXC_LOAD_ACCESS);
	CHECK_EQ(t->via_m, 0);
	check_pmc_fault(t, GPA_TEST(0));
}

static uint64_t hu_hlv(uint64_t gpa)
{
	return hlv_d(gpa);
}

/* R-PMC-1: the G-stage root, or an intermediate table, outside the ranges:
 * the walk itself faults (HLV from HU, a two-stage access). */
TEST(pmc_root_or_table_outside_faults, "R-PMC-1 R-PMC-2 R-HLV-1", T_DV)
{
	vm_with_out_page();
	page_a[0] = 0x99;
	CHECK_EQ(hs_run(MODE_U, hu_hlv, GPA_TEST(1)), 0x99);
	/* Roots out: [RAM, __pt_start) and [__pt_pool, OUT_BASE). */
	pmc_clear();
	pmc_set(0, RAM_BASE, (uint64_t)__pt_start - RAM_BASE);
	pmc_set(1, (uint64_t)__pt_pool, OUT_BASE - (uint64_t)__pt_pool);
	catch_begin();
	CHECK_EQ(hs_run(MODE_U, hu_hlv, GPA_TEST(1)), 0xdeadbeefdeadbeefUL);
	catch_end();
	const struct trap_rec *t = EXPECT_TRAP(LVL_HS, EXC_LOAD_ACCESS);
	CHECK_EQ(t->tval2, GPA_TEST(1) >> 2);
	/* Intermediate tables out: [RAM, __pt_pool) and [__pt_end, OUT_BASE). */
	pmc_clear();
	pmc_set(2, RAM_BASE, (uint64_t)__pt_pool - RAM_BASE);
	pmc_set(5, (uint64_t)__pt_end, OUT_BASE - (uint64_t)__pt_end);
	catch_begin();
	CHECK_EQ(hs_run(MODE_U, hu_hlv, GPA_TEST(1)), 0xdeadbeefdeadbeefUL);
	catch_end();
	EXPECT_TRAP(LVL_HS, EXC_LOAD_ACCESS);
	/* All in again (any range register works). */
	pmc_clear();
	pmc_set(7, RAM_BASE, OUT_BASE - RAM_BASE);
	CHECK_EQ(hs_run(MODE_U, hu_hlv, GPA_TEST(1)), 0x99);
}

/* R-PMC-1: with no range enabled every two-stage access fails; range
 * edges are exact; a range wrapping past 2^64 covers nothing. */
TEST(pmc_ranges_edges_and_none, "R-PMC-1", T_DV)
{
	vm_with_out_page();
	*(volatile uint64_t *)OUT_PAGE(0) = 0x31;
	pmc_clear();
	catch_begin();
	hs_run(MODE_U, hu_hlv, GPA_TEST(0));
	catch_end();
	EXPECT_TRAP(LVL_HS, EXC_LOAD_ACCESS);
	/* Tables in range 0, the out page exactly in range 1. */
	pmc_set(0, RAM_BASE, OUT_BASE - RAM_BASE);
	pmc_set(1, OUT_PAGE(0), 4096);
	CHECK_EQ(hs_run(MODE_U, hu_hlv, GPA_TEST(0) + 4088), 0);
	CHECK_EQ(hs_run(MODE_U, hu_hlv, GPA_TEST(0)), 0x31);
	/* Range starting one page later: the page is out. */
	pmc_set(1, OUT_PAGE(1), 4096);
	catch_begin();
	hs_run(MODE_U, hu_hlv, GPA_TEST(0));
	catch_end();
	EXPECT_TRAP(LVL_HS, EXC_LOAD_ACCESS);
	/* Wrapping range: covers nothing, not even the page. */
	pmc_set(1, 0xfffffffffffff000UL, OUT_PAGE(1) + 0x2000);
	catch_begin();
	hs_run(MODE_U, hu_hlv, GPA_TEST(0));
	catch_end();
	EXPECT_TRAP(LVL_HS, EXC_LOAD_ACCESS);
}

/* R-PMC-1: VS-stage page-table reads are guest accesses and are checked:
 * a vsatp root in an out-of-range page faults the HLV walk. */
TEST(pmc_vs_stage_table_checked, "R-PMC-1", T_DV)
{
	struct s2 t = vm_with_out_page();
	/* vsatp root at GPA_TEST(2) -> OUT_PAGE(2); its entry 0 a 1 GiB leaf
	 * GVA 0 -> GPA 0x40000000 (GPA_TEST(0) region). */
	s2_map(t, GPA_TEST(2), OUT_PAGE(2), PTE_RWX);
	volatile uint64_t *vroot = (volatile uint64_t *)OUT_PAGE(2);
	for (int i = 0; i < 512; i++)
		vroot[i] = 0;
	vroot[0] = ((0x40000000UL >> 12) << 10) | PTE_V | PTE_RWX | PTE_A | PTE_D;
	csr_write(CSR_VSATP, (8UL << 60) | (GPA_TEST(2) >> 12));
	hfence_gvma_all();
	page_a[0] = 0x66;
	pmc_set(1, OUT_PAGE(2), 4096); /* the VS root page in range: works */
	csr_set(CSR_HUSTATUS, HUSTATUS_UPVP);
	CHECK_EQ(hs_run(MODE_U, hu_hlv, 0x1000), 0x66); /* GVA 0x1000 -> GPA_TEST(1) */
	pmc_set(1, 0, 0);
	catch_begin();
	hs_run(MODE_U, hu_hlv, 0x1000);
	catch_end();
	EXPECT_TRAP(LVL_HS, EXC_LOAD_ACCESS);
	csr_write(CSR_VSATP, 0);
}

static uint64_t hu_read_direct(uint64_t pa)
{
	return *(volatile uint64_t *)pa;
}

/* R-PMC-3: no PMC with EN = 0 (hgatp), nor on single-stage host accesses. */
TEST(pmc_not_applied_en0_or_host, "R-PMC-3", T_DV)
{
	struct s2 t = vm_with_out_page();
	pmc_clear();
	/* Host accesses (HU and HS) with EN = 1 and no range: fine. */
	CHECK_EQ(hs_run(MODE_U, hu_read_direct, OUT_PAGE(0)), SENTINEL);
	/* EN = 0: the same table as hgatp; guest and HLV reach the page. */
	csr_write(CSR_HDVCTL, 0);
	csr_write(CSR_HGATP, s2_atp(t));
	hfence_gvma_all();
	CHECK_EQ(hs_run(MODE_VS, g_load, GPA_TEST(0)), SENTINEL);
	CHECK_EQ(hlv_d(GPA_TEST(0)), SENTINEL);
}
