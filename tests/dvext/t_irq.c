/* R-IRQ-*: U interrupts (doorbell USIP, vtimer UTIP) reach only HU; host
 * interrupts always preempt a guest and land in HS. */
#include "harness.h"
#include "stage2.h"

#define DOORBELL 3

/* Ring DOORBELL for this hart (from HU: ringing is a HU-mode act). */
static uint64_t hu_ring(uint64_t id)
{
	csr_write(CSR_HUVIPI, id);
	return 0;
}

static void pend_doorbell(void)
{
	csr_write(CSR_HDVWIN, (DOORBELL << 16) | DOORBELL);
	csr_write(CSR_HDVVCPUID, DOORBELL);
	hs_run(MODE_U, hu_ring, DOORBELL);
	CHECK_EQ(csr_read(CSR_HUIP) & 1, 1);
}

static uint64_t g_spin(uint64_t max_recs)
{
	struct hart *h = this_hart();
	for (long i = 0; i < 20000000 && (uint64_t)h->nrec < max_recs; i++)
		__asm__ volatile("" ::: "memory");
	return h->nrec;
}

static uint64_t hu_run_vs_spin(uint64_t n)
{
	return hu_run_guest(MODE_VS, g_spin, n);
}

/* R-IRQ-1: mideleg bits 0 and 4 are read-only one. */
TEST(irq_mideleg_u_bits_read_only_one, "R-IRQ-1", T_DV)
{
	uint64_t m = sbi_call(SBI_READ_MIDELEG, 0);
	CHECK_EQ(m & 0x11, 0x11);
	CHECK_EQ(sbi_call(SBI_WRITE_MIDELEG, m & ~0x11UL) & 0x11, 0x11);
	sbi_call(SBI_WRITE_MIDELEG, m);
}

static uint64_t u_wait(uint64_t ticks)
{
	delay_ticks(ticks);
	return 0;
}

/* R-IRQ-1: a pending, enabled U interrupt is never taken by HS (nor M),
 * whether HS has interrupts on or runs plain U. */
TEST(irq_u_interrupt_never_taken_by_hs, "R-IRQ-1 R-IRQ-2", T_DV)
{
	dv_setup();
	csr_write(CSR_HUIDELEG, 0x11);
	csr_write(CSR_HUIE, 0x11);
	pend_doorbell();
	csr_write(CSR_HDVCTL, 0);
	catch_begin();
	csr_write(CSR_SIE, ~0UL);
	csr_set(CSR_SSTATUS, SSTATUS_SIE);
	delay_ticks(TICKS_PER_MS);
	csr_clear(CSR_SSTATUS, SSTATUS_SIE);
	hs_run(MODE_U, u_wait, TICKS_PER_MS); /* plain U, EN = 0 */
	catch_end();
	EXPECT_NO_TRAP();
}

/* R-IRQ-2: in HU mode a U interrupt needs hustatus.UIE; it is then taken
 * with UPV = 0 and HURET returns to HU. */
static uint64_t hu_uie(uint64_t unused)
{
	(void)unused;
	struct hart *h = this_hart();
	delay_ticks(TICKS_PER_MS); /* UIE = 0: nothing */
	int before = h->nrec;
	csr_set(CSR_HUSTATUS, HUSTATUS_UIE);
	for (int i = 0; i < 100000 && h->nrec == before; i++)
		__asm__ volatile("" ::: "memory");
	uint64_t s = csr_read(CSR_HUSTATUS);
	csr_clear(CSR_HUSTATUS, HUSTATUS_UIE);
	return ((uint64_t)before << 32) | s;
}

TEST(irq_hu_mode_needs_uie, "R-IRQ-2", T_DV)
{
	dv_setup();
	csr_write(CSR_HUIDELEG, 1);
	csr_write(CSR_HUIE, 1);
	pend_doorbell();
	catch_begin();
	uint64_t v = hs_run(MODE_U, hu_uie, 0);
	catch_end();
	CHECK_EQ(v >> 32, 0);
	const struct trap_rec *t = EXPECT_TRAP(LVL_HU, CAUSE_IRQ | IRQ_U_SOFT);
	CHECK_EQ(t->status & (HUSTATUS_UPV | HUSTATUS_UPVP | HUSTATUS_UIE | HUSTATUS_UPIE),
		 HUSTATUS_UPIE);
	CHECK_EQ(v & HUSTATUS_UIE, HUSTATUS_UIE); /* back in HU with UIE restored */
}

/* R-IRQ-2: with V = 1 taken regardless of the guest's enables; not
 * without huideleg / huie. */
TEST(irq_taken_from_guest_regardless_of_guest_enables, "R-IRQ-2", T_DV)
{
	dv_setup();
	csr_write(CSR_HUIE, 1);
	pend_doorbell();
	/* huideleg bit 0 clear: nothing, the guest runs to its end. */
	catch_begin();
	CHECK_EQ(hs_run(MODE_U, hu_run_vs_spin, 1000), 0);
	catch_end();
	EXPECT_NO_TRAP();
	/* huideleg set, huie clear: nothing. */
	csr_write(CSR_HUIDELEG, 1);
	csr_write(CSR_HUIE, 0);
	catch_begin();
	CHECK_EQ(hs_run(MODE_U, hu_run_vs_spin, 1000), 0);
	catch_end();
	EXPECT_NO_TRAP();
	/* Both: an exit to HU at once (vsstatus.SIE = 0 in the guest). */
	csr_write(CSR_HUIE, 1);
	catch_begin();
	CHECK_EQ(hs_run(MODE_U, hu_run_vs_spin, 1), 1);
	catch_end();
	const struct trap_rec *t = EXPECT_TRAP(LVL_HU, CAUSE_IRQ | IRQ_U_SOFT);
	CHECK_EQ(t->status & (HUSTATUS_UPV | HUSTATUS_UPVP), HUSTATUS_UPV | HUSTATUS_UPVP);
}

/* R-IRQ-3: host timer and external interrupts preempt a HU-run guest,
 * land in HS with SPV = 1, and sret resumes the guest. */
TEST(irq_host_timer_preempts_hu_guest, "R-IRQ-3", T_DV)
{
	dv_setup();
	csr_write(CSR_SIE, 1UL << IRQ_S_TIMER);
	csr_write(CSR_STIMECMP, rdtime() + 5 * TICKS_PER_MS);
	catch_begin();
	uint64_t r = hs_run(MODE_U, hu_run_vs_spin, 1);
	catch_end();
	CHECK_EQ(this_hart()->hs_exit_from, EXIT_FROM_U);
	const struct trap_rec *t = EXPECT_TRAP(LVL_HS, CAUSE_IRQ | IRQ_S_TIMER);
	CHECK_EQ(t->hstatus & (HSTATUS_SPV | HSTATUS_SPVP), HSTATUS_SPV | HSTATUS_SPVP);
	CHECK_EQ(r, 1);
}

TEST(irq_host_external_preempts_hu_guest, "R-IRQ-3", T_DV)
{
	dv_setup();
	csr_write(CSR_SIE, 1UL << IRQ_S_EXT);
	/* M raises SEIP a little later, once the guest spins. */
	sbi_call(SBI_SEIP_AFTER, 5 * TICKS_PER_MS);
	catch_begin();
	uint64_t r = hs_run(MODE_U, hu_run_vs_spin, 1);
	catch_end();
	const struct trap_rec *t = EXPECT_TRAP(LVL_HS, CAUSE_IRQ | IRQ_S_EXT);
	CHECK_EQ(t->hstatus & HSTATUS_SPV, HSTATUS_SPV);
	CHECK_EQ(r, 1);
}

/* R-IRQ-3: HS before U; USIP before UTIP. */
TEST(irq_priority_hs_then_usip_then_utip, "R-IRQ-3", T_DV)
{
	dv_setup();
	csr_write(CSR_HUIDELEG, 0x11);
	csr_write(CSR_HUIE, 0x11);
	pend_doorbell();
	csr_write(CSR_HUVTIMECMP, 0);
	csr_write(CSR_HUVTIMECTL, 1); /* UTIP pending now */
	csr_write(CSR_SIE, 1UL << IRQ_S_TIMER);
	csr_write(CSR_STIMECMP, 0); /* STIP pending now */
	catch_begin();
	hs_run(MODE_U, hu_run_vs_spin, 3);
	catch_end();
	CHECK_EQ(this_hart()->nrec, 3);
	CHECK_EQ(trap_at(0)->level, LVL_HS);
	CHECK_EQ(trap_at(0)->cause, CAUSE_IRQ | IRQ_S_TIMER);
	CHECK_EQ(trap_at(1)->level, LVL_HU);
	CHECK_EQ(trap_at(1)->cause, CAUSE_IRQ | IRQ_U_SOFT);
	CHECK_EQ(trap_at(2)->level, LVL_HU);
	CHECK_EQ(trap_at(2)->cause, CAUSE_IRQ | IRQ_U_TIMER);
}

/* R-IRQ-3: U interrupts before VS interrupts: an injected VSSIP waits for
 * the exit to HU to be handled. */
extern char guest_vs_vec[];
extern char tramp_g[];
static uint64_t g_take_vs_irq(uint64_t unused)
{
	(void)unused;
	struct hart *h = this_hart();
	for (int i = 0; i < 1000000 && !h->gvs.count; i++)
		__asm__ volatile("" ::: "memory");
	csr_clear(CSR_SSTATUS, SSTATUS_SIE);
	return h->gvs.cause;
}

static uint64_t hu_u_before_vs(uint64_t unused)
{
	(void)unused;
	struct hart *h = this_hart();
	h->gvs.count = 0;
	/* The guest's VS state, set by HU: handler, enables on. Both VSSIP and
	 * USIP are pending and enabled the moment HURET enters the guest. */
	csr_write(CSR_HUVSTVEC, guest_vs_vec);
	csr_write(CSR_HUVSSCRATCH, &h->gvs);
	csr_write(CSR_HUVSIE, 1UL << IRQ_S_SOFT);
	csr_write(CSR_HUVSSTATUS, SSTATUS_SIE);
	csr_write(CSR_HUVIP, 1UL << IRQ_VS_SOFT);
	return hu_run_guest(MODE_VS, g_take_vs_irq, 0);
}

TEST(irq_priority_u_before_vs, "R-IRQ-3", T_DV)
{
	dv_setup();
	csr_write(CSR_HIDELEG, 1UL << IRQ_VS_SOFT);
	csr_write(CSR_HUIDELEG, 1);
	csr_write(CSR_HUIE, 1);
	pend_doorbell();
	catch_begin();
	uint64_t r = hs_run(MODE_U, hu_u_before_vs, 0);
	catch_end();
	/* HU took USIP first, at the guest's first instruction (not in its
	 * VS handler), then the guest took its VS software interrupt. */
	const struct trap_rec *t = EXPECT_TRAP(LVL_HU, CAUSE_IRQ | IRQ_U_SOFT);
	CHECK_EQ(t->epc, (uint64_t)tramp_g);
	CHECK_EQ(r, CAUSE_IRQ | IRQ_S_SOFT);
}
