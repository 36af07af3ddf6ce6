/* R-HURET-*: HURET enters VS or VU, or stays in HU; never HS or M. */
#include "harness.h"
#include "probes.h"
#include "stage2.h"

/* In the guest: sstatus (vsstatus) is legal in VS and not in VU; hstatus
 * is a virtual instruction in both (R-GATE-4 style). */
static uint64_t g_where_am_i(uint64_t unused)
{
	(void)unused;
	struct hart *h = this_hart();
	int n0 = h->nrec;
	(void)csr_read(CSR_SSTATUS);
	int after_sstatus = h->nrec - n0;
	return after_sstatus;
}

static uint64_t hu_enter_guest(uint64_t m)
{
	/* UPIE = 1, UIE = 0 before HURET: in the guest UIE = 1, so the exit
	 * trap saves UPIE = 1 (UIE <- UPIE, UPIE <- 1 on HURET). */
	csr_write(CSR_HUSTATUS, HUSTATUS_UPIE);
	uint64_t r = hu_run_guest((enum mode)m, g_where_am_i, 0);
	uint64_t s = csr_read(CSR_HUSTATUS);
	return (r << 32) | s;
}

TEST(huret_into_vs, "R-HURET-1", T_DV)
{
	dv_setup();
	catch_begin();
	uint64_t v = hs_run(MODE_U, hu_enter_guest, MODE_VS);
	catch_end();
	EXPECT_NO_TRAP();
	CHECK_EQ(v >> 32, 0); /* sstatus legal: VS */
	/* At the exit trap: UPV = 1, UPVP = 1 (VS), UPIE = the guest's UIE = 1. */
	CHECK_EQ(v & (HUSTATUS_UPV | HUSTATUS_UPVP | HUSTATUS_UPIE | HUSTATUS_UIE),
		 HUSTATUS_UPV | HUSTATUS_UPVP | HUSTATUS_UPIE);
}

TEST(huret_into_vu, "R-HURET-1", T_DV)
{
	dv_setup();
	catch_begin();
	uint64_t v = hs_run(MODE_U, hu_enter_guest, MODE_VU);
	catch_end();
	/* sstatus from VU traps (virtual instruction per the H spec; QEMU 7.2
	 * raises illegal instruction: either proves VU, not VS). */
	CHECK_EQ(v >> 32, 1);
	CHECK(trap_at(0)->cause == EXC_VIRT_INSN || trap_at(0)->cause == EXC_ILLEGAL);
	CHECK_EQ(v & (HUSTATUS_UPV | HUSTATUS_UPVP), HUSTATUS_UPV);
}

/* UPV = 0, UPVP = 1: HURET stays in HU mode (the original model went to HS):
 * the next sstatus access traps as from U. */
static uint64_t hu_huret_upv0(uint64_t unused)
{
	(void)unused;
	csr_write(CSR_HUSTATUS, HUSTATUS_UPVP | HUSTATUS_UPIE);
	probe_huret_jump();
	uint64_t s = csr_read(CSR_HUSTATUS);
	(void)csr_read(CSR_SSTATUS);
	return s;
}

TEST(huret_upv0_stays_in_hu, "R-HURET-1 R-HURET-2", T_DV)
{
	dv_setup();
	catch_begin();
	uint64_t s = hs_run(MODE_U, hu_huret_upv0, 0);
	catch_end();
	CHECK_EQ(this_hart()->hs_exit_from, EXIT_FROM_U);
	const struct trap_rec *t = EXPECT_TRAP(LVL_HS, EXC_ILLEGAL);
	CHECK_EQ(t->status & SSTATUS_SPP, 0);
	CHECK_EQ(t->hstatus & HSTATUS_SPV, 0);
	/* UIE <- UPIE (1), UPIE <- 1, UPV = UPVP = 0. */
	CHECK_EQ(s & (HUSTATUS_UPV | HUSTATUS_UPVP | HUSTATUS_UPIE | HUSTATUS_UIE),
		 HUSTATUS_UPIE | HUSTATUS_UIE);
}

/* HURET is illegal in HS (and in plain U: gate tests). */
TEST(huret_illegal_in_hs, "R-HURET-1 R-HURET-2", T_DV)
{
	csr_write(CSR_HUSTATUS, HUSTATUS_UPV | HUSTATUS_UPVP);
	csr_write(CSR_UEPC, (uint64_t)probe_huret);
	catch_begin();
	probe_huret();
	catch_end();
	EXPECT_TRAP(LVL_HS, EXC_ILLEGAL);
	CHECK_EQ(csr_read(CSR_HUSTATUS), HUSTATUS_UPV | HUSTATUS_UPVP);
}
