/* R-TIME-1, R-VT-*: guest time, the DV-Ext virtual timer, Sstc. */
#include "harness.h"
#include "stage2.h"

extern char guest_vs_vec[];

static uint64_t g_rdtime(uint64_t unused)
{
	(void)unused;
	return rdtime();
}

static uint64_t hu_guest_time(uint64_t delta)
{
	csr_write(CSR_HUTIMEDELTA, delta);
	return hu_run_guest(MODE_VS, g_rdtime, 0);
}

TEST(time_guest_reads_mtime_plus_delta, "R-TIME-1", T_DV)
{
	dv_setup();
	uint64_t delta = 1UL << 40;
	uint64_t t0 = rdtime();
	uint64_t g = hs_run(MODE_U, hu_guest_time, delta);
	uint64_t t1 = rdtime();
	CHECK(g >= t0 + delta && g <= t1 + delta);
	CHECK_EQ(csr_read(CSR_HTIMEDELTA), delta);
}

/* huip.UTIP as a level (read from HS; TGT = 0). */
static uint64_t utip(void)
{
	return (csr_read(CSR_HUIP) >> IRQ_U_TIMER) & 1;
}

TEST(vt_level_follows_compare, "R-VT-1", T_DV)
{
	uint64_t now = rdtime();
	csr_write(CSR_HUVTIMECMP, now + (1UL << 40));
	csr_write(CSR_HUVTIMECTL, 1);
	CHECK_EQ(utip(), 0);
	csr_write(CSR_HUVTIMECMP, now); /* past: pending */
	CHECK_EQ(utip(), 1);
	csr_write(CSR_HUVTIMECMP, now + (1UL << 40)); /* future again: not */
	CHECK_EQ(utip(), 0);
	csr_write(CSR_HTIMEDELTA, 1UL << 41); /* guest time jumps past it */
	CHECK_EQ(utip(), 1);
	csr_write(CSR_HTIMEDELTA, 0);
	CHECK_EQ(utip(), 0);
	csr_write(CSR_HUVTIMECMP, 0);
	CHECK_EQ(utip(), 1);
	csr_write(CSR_HUVTIMECTL, 0); /* EN = 0 clears it */
	CHECK_EQ(utip(), 0);
	csr_write(CSR_HUVTIMECTL, 3); /* TGT = 1: VSTIP, not UTIP */
	CHECK_EQ(utip(), 0);
	csr_write(CSR_HUVTIMECTL, 0);
	/* Time passing the compare value raises it. */
	csr_write(CSR_HUVTIMECMP, rdtime() + 2 * TICKS_PER_MS);
	csr_write(CSR_HUVTIMECTL, 1);
	CHECK_EQ(utip(), 0);
	/*
	 * QEMU raises the level from a timer callback of its main loop, which
	 * a loaded host may run some time after the hart already reads the
	 * new time: wait for it, within a bound.
	 */
	delay_ticks(2 * TICKS_PER_MS);
	uint64_t until = rdtime() + 500 * TICKS_PER_MS;
	while (!utip() && rdtime() < until)
		;
	CHECK_EQ(utip(), 1);
	csr_write(CSR_HUVTIMECTL, 0);
}

static uint64_t g_spin(uint64_t max_recs)
{
	struct hart *h = this_hart();
	for (long i = 0; i < 20000000 && (uint64_t)h->nrec < max_recs; i++)
		__asm__ volatile("" ::: "memory");
	return h->nrec;
}

static uint64_t hu_vtimer_exit(uint64_t unused)
{
	(void)unused;
	csr_write(CSR_HUVTIMECMP, rdtime() + 2 * TICKS_PER_MS);
	csr_write(CSR_HUVTIMECTL, 1);
	return hu_run_guest(MODE_VS, g_spin, 1);
}

/* TGT = 0: the vtimer exits the guest to HU with UTIP. */
TEST(vt_tgt0_exits_to_hu, "R-VT-1 R-IRQ-2", T_DV)
{
	dv_setup();
	csr_write(CSR_HUIDELEG, 1UL << IRQ_U_TIMER);
	csr_write(CSR_HUIE, 1UL << IRQ_U_TIMER);
	catch_begin();
	uint64_t r = hs_run(MODE_U, hu_vtimer_exit, 0);
	catch_end();
	CHECK_EQ(r, 1);
	const struct trap_rec *t = EXPECT_TRAP(LVL_HU, CAUSE_IRQ | IRQ_U_TIMER);
	CHECK_EQ(t->status & (HUSTATUS_UPV | HUSTATUS_UPVP), HUSTATUS_UPV | HUSTATUS_UPVP);
}

/* TGT = 1: VSTIP in the guest, taken by the guest itself, no exit. */
static uint64_t g_wait_vs_timer(uint64_t unused)
{
	(void)unused;
	struct hart *h = this_hart();
	csr_write(CSR_STVEC, guest_vs_vec);
	csr_write(CSR_SSCRATCH, &h->gvs);
	csr_write(CSR_SIE, 1UL << IRQ_S_TIMER);
	csr_set(CSR_SSTATUS, SSTATUS_SIE);
	/* Bounded by time, not iterations: a loaded host delays the timer callback */
	uint64_t until = rdtime() + 1000 * TICKS_PER_MS;
	while (!h->gvs.count && rdtime() < until)
		__asm__ volatile("" ::: "memory");
	csr_clear(CSR_SSTATUS, SSTATUS_SIE);
	return h->gvs.cause;
}

static uint64_t hu_vtimer_vstip(uint64_t unused)
{
	(void)unused;
	this_hart()->gvs.count = 0;
	csr_write(CSR_HUVTIMECMP, rdtime() + 2 * TICKS_PER_MS);
	csr_write(CSR_HUVTIMECTL, 3);
	uint64_t r = hu_run_guest(MODE_VS, g_wait_vs_timer, 0);
	csr_write(CSR_HUVTIMECTL, 0);
	return r;
}

TEST(vt_tgt1_raises_vstip_in_guest, "R-VT-1", T_DV)
{
	dv_setup();
	csr_write(CSR_HIDELEG, 1UL << IRQ_VS_TIMER);
	csr_write(CSR_HUIDELEG, 0x11);
	csr_write(CSR_HUIE, 0x11);
	catch_begin();
	uint64_t r = hs_run(MODE_U, hu_vtimer_vstip, 0);
	catch_end();
	EXPECT_NO_TRAP();
	CHECK_EQ(r, CAUSE_IRQ | IRQ_S_TIMER);
}

/* R-VT-2: Sstc in the guest: it programs vstimecmp without an exit; HU
 * sees it as huvstimecmp. */
static uint64_t g_sstc(uint64_t unused)
{
	(void)unused;
	struct hart *h = this_hart();
	csr_write(CSR_STVEC, guest_vs_vec);
	csr_write(CSR_SSCRATCH, &h->gvs);
	uint64_t cmp = rdtime() + 2 * TICKS_PER_MS;
	csr_write(CSR_STIMECMP, cmp);
	csr_write(CSR_SIE, 1UL << IRQ_S_TIMER);
	csr_set(CSR_SSTATUS, SSTATUS_SIE);
	/* Bounded by time, not iterations: a loaded host delays the timer callback */
	uint64_t until = rdtime() + 1000 * TICKS_PER_MS;
	while (!h->gvs.count && rdtime() < until)
		__asm__ volatile("" ::: "memory");
	csr_clear(CSR_SSTATUS, SSTATUS_SIE);
	h->gvs.epc = cmp;
	return h->gvs.cause;
}

static uint64_t hu_sstc(uint64_t unused)
{
	(void)unused;
	struct hart *h = this_hart();
	h->gvs.count = 0;
	csr_write(CSR_HUENVCFG, csr_read(CSR_HUENVCFG) | MENVCFG_STCE);
	csr_write(CSR_HUCOUNTEREN, ~0UL);
	uint64_t r = hu_run_guest(MODE_VS, g_sstc, 0);
	CHECK_EQ(csr_read(CSR_HUVSTIMECMP), h->gvs.epc);
	csr_write(CSR_HUVSTIMECMP, 0x77777777);
	return r;
}

TEST(vt_sstc_guest_timer_without_exit, "R-VT-2", T_DV)
{
	dv_setup();
	csr_write(CSR_HIDELEG, 1UL << IRQ_VS_TIMER);
	catch_begin();
	uint64_t r = hs_run(MODE_U, hu_sstc, 0);
	catch_end();
	EXPECT_NO_TRAP();
	CHECK_EQ(r, CAUSE_IRQ | IRQ_S_TIMER);
	CHECK_EQ(csr_read(CSR_VSTIMECMP), 0x77777777);
}
