/* Plain H-extension baseline: the framework's own round trips through the
 * standard path (hgatp, sret with SPV = 1). These run with and without
 * DV-Ext (with EN = 0 they also witness R-DISC-3). */
#include "harness.h"
#include "stage2.h"

static volatile uint64_t shared_word;

static void use_hgatp(void)
{
	struct s2 t = s2_new(0);
	s2_map(t, GPA_TEST(0), (uint64_t)page_a, PTE_R | PTE_W);
	csr_write(CSR_HGATP, s2_atp(t));
	hfence_gvma_all();
}

static uint64_t body_add(uint64_t x)
{
	shared_word = x * 2;
	return x + 1;
}

TEST(h_u_roundtrip, "baseline", T_ANY)
{
	uint64_t r = hs_run(MODE_U, body_add, 41);
	CHECK_EQ(r, 42);
	CHECK_EQ(this_hart()->hs_exit_from, EXIT_FROM_U);
	CHECK_EQ(shared_word, 82);
}

static uint64_t g_read_priv(uint64_t x)
{
	/* In VS, sstatus is vsstatus and reads fine; the guest also sees
	 * page_a through GPA_TEST(0). */
	volatile uint64_t *p = (volatile uint64_t *)GPA_TEST(0);
	return p[0] + x;
}

TEST(h_vs_roundtrip_hgatp, "baseline", T_ANY)
{
	use_hgatp();
	page_a[0] = 1000;
	uint64_t r = hs_run(MODE_VS, g_read_priv, 5);
	CHECK_EQ(r, 1005);
	CHECK_EQ(this_hart()->hs_exit_from, EXIT_FROM_GUEST);
}

TEST(h_vu_roundtrip_hgatp, "baseline", T_ANY)
{
	use_hgatp();
	page_a[0] = 7;
	uint64_t r = hs_run(MODE_VU, g_read_priv, 1);
	CHECK_EQ(r, 8);
	CHECK_EQ(this_hart()->hs_exit_from, EXIT_FROM_GUEST);
	/* The exit is a store guest-page fault taken from VU. */
	CHECK_EQ(csr_read(CSR_HSTATUS) & (HSTATUS_SPV | HSTATUS_SPVP), HSTATUS_SPV);
}

static uint64_t g_ecall(uint64_t x)
{
	register uint64_t a0 __asm__("a0") = x;
	register uint64_t a7 __asm__("a7") = 0x1234;
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
	return a0 + 1;
}

TEST(h_vs_ecall_to_hs_and_sret_back, "baseline", T_ANY)
{
	use_hgatp();
	catch_begin();
	uint64_t r = hs_run(MODE_VS, g_ecall, 9);
	catch_end();
	const struct trap_rec *t = EXPECT_TRAP(LVL_HS, EXC_ECALL_VS);
	CHECK_EQ(t->a7, 0x1234);
	CHECK_EQ(t->hstatus & (HSTATUS_SPV | HSTATUS_SPVP), HSTATUS_SPV | HSTATUS_SPVP);
	CHECK_EQ(t->status & SSTATUS_SPP, SSTATUS_SPP);
	CHECK_EQ(r, 10); /* sret with SPV = 1 went back into the guest */
}

static uint64_t g_load(uint64_t gpa)
{
	uint64_t v = 0x5555;
	__asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(gpa) : "memory");
	return v;
}

TEST(h_load_guest_page_fault_to_hs, "baseline", T_ANY)
{
	use_hgatp();
	catch_begin();
	uint64_t r = hs_run(MODE_VS, g_load, GPA_TEST(5) + 8);
	catch_end();
	const struct trap_rec *t = EXPECT_TRAP(LVL_HS, EXC_LOAD_GPF);
	CHECK_EQ(t->tval, GPA_TEST(5) + 8);
	CHECK_EQ(t->tval2, (GPA_TEST(5) + 8) >> 2);
	CHECK_EQ(t->hstatus & HSTATUS_GVA, HSTATUS_GVA);
	CHECK_EQ(r, 0x5555);
}

TEST(h_hlv_from_hs_uses_hgatp, "baseline", T_ANY)
{
	use_hgatp();
	page_a[1] = 0xabcdef;
	CHECK_EQ(hlv_d(GPA_TEST(0) + 8), 0xabcdef);
}

static uint64_t u_hlv(uint64_t gva)
{
	return hlv_d(gva);
}

/* Standard H: HLV in U-mode needs hstatus.HU (and is illegal without). */
TEST(h_hlv_from_u_needs_hstatus_hu, "baseline", T_ANY)
{
	use_hgatp();
	page_a[2] = 0x77;
	csr_set(CSR_HSTATUS, HSTATUS_HU);
	uint64_t r = hs_run(MODE_U, u_hlv, GPA_TEST(0) + 16);
	CHECK_EQ(r, 0x77);
	csr_clear(CSR_HSTATUS, HSTATUS_HU);
	catch_begin();
	hs_run(MODE_U, u_hlv, GPA_TEST(0) + 16);
	catch_end();
	EXPECT_TRAP(LVL_HS, EXC_ILLEGAL);
}

static uint64_t g_spin_until_trap(uint64_t unused)
{
	(void)unused;
	struct hart *h = this_hart();
	for (long i = 0; i < 50000000 && !h->nrec; i++)
		__asm__ volatile("" ::: "memory");
	return h->nrec;
}

/* A host timer interrupt (Sstc stimecmp) preempts a guest: HS takes it
 * with SPV = 1 and sret resumes the guest. */
TEST(h_host_timer_preempts_guest, "baseline", T_ANY)
{
	use_hgatp();
	csr_write(CSR_SIE, 1UL << IRQ_S_TIMER);
	csr_write(CSR_STIMECMP, rdtime() + 10 * TICKS_PER_MS);
	catch_begin();
	uint64_t r = hs_run(MODE_VS, g_spin_until_trap, 0);
	catch_end();
	const struct trap_rec *t = EXPECT_TRAP(LVL_HS, CAUSE_IRQ | IRQ_S_TIMER);
	CHECK_EQ(t->hstatus & HSTATUS_SPV, HSTATUS_SPV);
	CHECK_EQ(r, 1);
}

TEST(h_host_external_preempts_guest, "baseline", T_ANY)
{
	use_hgatp();
	csr_write(CSR_SIE, 1UL << IRQ_S_EXT);
	sbi_call(SBI_SET_SEIP, 1);
	catch_begin();
	uint64_t r = hs_run(MODE_VU, g_spin_until_trap, 0);
	catch_end();
	const struct trap_rec *t = EXPECT_TRAP(LVL_HS, CAUSE_IRQ | IRQ_S_EXT);
	CHECK_EQ(t->hstatus & (HSTATUS_SPV | HSTATUS_SPVP), HSTATUS_SPV);
	CHECK_EQ(r, 1);
}

/* The harness reports an unexpected trap as a failure and carries on:
 * checked by the runner script (this test must FAIL). */
static uint64_t g_bad(uint64_t unused)
{
	(void)unused;
	return *(volatile uint64_t *)GPA_TEST(100);
}
TEST(selftest_unexpected_trap_fails, "harness", T_ANY)
{
	use_hgatp();
	hs_run(MODE_VS, g_bad, 0);
	check_msg(__LINE__, "not reached");
}
