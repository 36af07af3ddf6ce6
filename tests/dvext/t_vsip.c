/* The guest's view of its pending interrupts (issue 11): a VS-mode guest
 * reads sip (= vsip) and must see every VS interrupt its hypervisor
 * delegates in hideleg, one bit down (VSTIP as sip.STIP), whatever raised
 * it: hvip, a past Sstc vstimecmp, or with DV-Ext huvip, huvstimecmp and
 * the virtual timer with TGT = 1. It must read it at once, inside its
 * interrupt handler, and read 0 once the source is cleared; with several
 * sources up, STIP is their OR. QEMU 7.2 showed sip.SSIP alone (rmw_vsip64
 * masked reads with the writable mask), took bits 2, 6, 10 written to
 * sie/sip as the guest's own, and let a vstimecmp write ahead clear
 * hvip.VSTIP; QEMU patch 0001 fixes all three. Baseline tests use the
 * plain H path (EN = 0, hgatp) and run with and without DV-Ext. */
#include "harness.h"
#include "stage2.h"

#define VS_IRQS	  ((1UL << IRQ_VS_SOFT) | (1UL << IRQ_VS_TIMER) | (1UL << IRQ_VS_EXT))
#define S_IRQS	  ((1UL << IRQ_S_SOFT) | (1UL << IRQ_S_TIMER) | (1UL << IRQ_S_EXT))
#define STIP	  (1UL << IRQ_S_TIMER)
#define VSTIP	  (1UL << IRQ_VS_TIMER)
#define WAIT_MAX  (10000 * TICKS_PER_MS) /* a loaded host delays QEMU's timer callbacks (seen: > 1 s) */
#define FUTURE(t) ((t) + 2 * TICKS_PER_MS)

/* What the guest's interrupt handler saw (vsip_vec below). The first
 * member is its save slot; sscratch points here while the guest runs. */
static struct vsirq {
	uint64_t t1_save, cause, sip, count;
	uint64_t sip_entry, sip_after; /* read by the guest bodies */
} vsirq;

/* VS interrupt handler: record scause and sip, mask every interrupt in sie
 * (so the level it returns to cannot take the same one again), sret. */
extern char vsip_vec[];
__asm__("	.text\n"
	"	.balign 4\n"
	"vsip_vec:\n"
	"	csrrw	t0, sscratch, t0\n"
	"	sd	t1, 0(t0)\n"
	"	csrr	t1, scause\n"
	"	sd	t1, 8(t0)\n"
	"	csrr	t1, sip\n"
	"	sd	t1, 16(t0)\n"
	"	ld	t1, 24(t0)\n"
	"	addi	t1, t1, 1\n"
	"	sd	t1, 24(t0)\n"
	"	csrw	sie, zero\n"
	"	ld	t1, 0(t0)\n"
	"	csrrw	t0, sscratch, t0\n"
	"	sret\n");

static void vsirq_clear(void)
{
	vsirq = (struct vsirq){0};
}

static uint64_t g_read_sip(uint64_t unused)
{
	(void)unused;
	return csr_read(CSR_SIP);
}

/* Read sip, then enable the timer interrupt and take it (bounded wait);
 * returns the number of interrupts taken. */
static uint64_t g_take_timer(uint64_t unused)
{
	(void)unused;
	vsirq.sip_entry = csr_read(CSR_SIP);
	csr_write(CSR_STVEC, vsip_vec);
	csr_write(CSR_SSCRATCH, &vsirq);
	csr_write(CSR_SIE, STIP);
	csr_set(CSR_SSTATUS, SSTATUS_SIE);
	uint64_t until = rdtime() + WAIT_MAX;
	while (!vsirq.count && rdtime() < until)
		__asm__ volatile("" ::: "memory");
	csr_clear(CSR_SSTATUS, SSTATUS_SIE);
	csr_write(CSR_SIE, 0);
	return vsirq.count;
}

/* Poll sip until STIP shows (a deadline passing), bounded; returns sip. */
static uint64_t g_poll_stip(uint64_t unused)
{
	(void)unused;
	uint64_t until = rdtime() + WAIT_MAX, sip;
	while (!((sip = csr_read(CSR_SIP)) & STIP) && rdtime() < until)
		;
	return sip;
}

/* What the handler must have seen for one VS timer interrupt. */
static void check_took_timer(uint64_t taken)
{
	CHECK_EQ(taken, 1);
	CHECK_EQ(vsirq.cause, CAUSE_IRQ | IRQ_S_TIMER);
	CHECK_EQ(vsirq.sip & STIP, STIP);
	CHECK_EQ(vsirq.sip_entry & STIP, STIP);
}

/* The plain H path: EN = 0, the guest through hgatp, interrupts of HS off. */
static void plain_h(uint64_t hideleg)
{
	csr_write(CSR_HGATP, s2_atp(s2_new(0)));
	hfence_gvma_all();
	csr_write(CSR_HIE, 0);
	csr_write(CSR_HIDELEG, hideleg);
}

/* ---- plain H (both runs) ---- */

/* hvip: each VS interrupt alone shows as its S bit in the guest's sip and
 * in HS's vsip; cleared, nothing; not delegated, nothing. */
TEST(vsip_hvip_shows_in_guest_sip, "baseline", T_ANY)
{
	plain_h(VS_IRQS);
	for (int irq = IRQ_VS_SOFT; irq <= IRQ_VS_EXT; irq += 4) {
		csr_write(CSR_HVIP, 1UL << irq);
		CHECK_EQ(hs_run(MODE_VS, g_read_sip, 0), 1UL << (irq - 1));
		CHECK_EQ(csr_read(CSR_VSIP), 1UL << (irq - 1));
	}
	csr_write(CSR_HVIP, 0);
	CHECK_EQ(hs_run(MODE_VS, g_read_sip, 0), 0);
	CHECK_EQ(csr_read(CSR_VSIP), 0);
	/* Pending but not delegated: not the guest's. */
	csr_write(CSR_HIDELEG, 0);
	csr_write(CSR_HVIP, VS_IRQS);
	CHECK_EQ(hs_run(MODE_VS, g_read_sip, 0), 0);
	CHECK_EQ(csr_read(CSR_VSIP), 0);
	csr_write(CSR_HVIP, 0);
}

/* hvip.VSTIP: the guest reads it at entry and in its handler. */
TEST(vsip_hvip_vstip_taken_with_stip_set, "baseline", T_ANY)
{
	plain_h(VSTIP);
	vsirq_clear();
	csr_write(CSR_HVIP, VSTIP);
	check_took_timer(hs_run(MODE_VS, g_take_timer, 0));
	csr_write(CSR_HVIP, 0);
	CHECK_EQ(hs_run(MODE_VS, g_read_sip, 0) & STIP, 0);
}

/* Sstc, programmed by HS: a past vstimecmp is pending at once, a passing
 * one becomes pending, ~0 clears it. */
TEST(vsip_vstimecmp_from_hs_shows_in_guest_sip, "baseline", T_ANY)
{
	plain_h(VSTIP);
	csr_write(CSR_HENVCFG, MENVCFG_STCE);
	csr_write(CSR_VSTIMECMP, 0);
	CHECK_EQ(csr_read(CSR_VSIP), STIP);
	vsirq_clear();
	check_took_timer(hs_run(MODE_VS, g_take_timer, 0));
	csr_write(CSR_VSTIMECMP, ~0UL);
	CHECK_EQ(hs_run(MODE_VS, g_read_sip, 0) & STIP, 0);
	CHECK_EQ(csr_read(CSR_VSIP), 0);
	csr_write(CSR_VSTIMECMP, FUTURE(rdtime()));
	CHECK_EQ(hs_run(MODE_VS, g_poll_stip, 0) & STIP, STIP);
	csr_write(CSR_VSTIMECMP, ~0UL);
	CHECK_EQ(hs_run(MODE_VS, g_read_sip, 0) & STIP, 0);
}

/* Sstc, programmed by the guest itself, as an SBI set_timer does for it:
 * stimecmp = 0 reads pending at once and is taken with STIP set; ~0 reads
 * 0 at once; a near deadline becomes pending while the guest polls. */
static uint64_t g_sstc_flow(uint64_t unused)
{
	(void)unused;
	csr_write(CSR_STIMECMP, 0);
	uint64_t taken = g_take_timer(0);
	csr_write(CSR_STIMECMP, ~0UL);
	vsirq.sip_after = csr_read(CSR_SIP);
	csr_write(CSR_STIMECMP, FUTURE(rdtime()));
	uint64_t before = csr_read(CSR_SIP) & STIP, polled = g_poll_stip(0) & STIP;
	csr_write(CSR_STIMECMP, ~0UL);
	uint64_t cleared = csr_read(CSR_SIP) & STIP;
	return taken | before << 8 | polled << 16 | cleared << 24;
}

TEST(vsip_guest_stimecmp_shows_in_guest_sip, "baseline", T_ANY)
{
	plain_h(VSTIP);
	csr_write(CSR_HENVCFG, MENVCFG_STCE);
	csr_write(CSR_HCOUNTEREN, ~0UL);
	vsirq_clear();
	uint64_t r = hs_run(MODE_VS, g_sstc_flow, 0);
	check_took_timer(r & 0xff);
	CHECK_EQ(vsirq.sip_after & STIP, 0);
	CHECK_EQ((r >> 8) & 0xff, 0);	  /* a future deadline: not pending */
	CHECK_EQ((r >> 16) & 0xff, STIP); /* ...until it passes */
	CHECK_EQ((r >> 24) & 0xff, 0);
	CHECK_EQ(csr_read(CSR_VSTIMECMP), ~0UL);
}

/* The guest's sip and sie are vsip and vsie: hideleg decides their bits,
 * mideleg (what M gives HS) does not. */
static uint64_t g_sip_sie(uint64_t unused)
{
	(void)unused;
	csr_write(CSR_SIE, STIP);
	uint64_t sie = csr_read(CSR_SIE);
	csr_write(CSR_SIE, 0);
	return csr_read(CSR_SIP) | sie << 32;
}

TEST(vsip_guest_sip_sie_ignore_mideleg, "baseline", T_ANY)
{
	plain_h(VSTIP);
	csr_write(CSR_HVIP, VSTIP);
	uint64_t m = sbi_call(SBI_READ_MIDELEG, 0);
	sbi_call(SBI_WRITE_MIDELEG, m & ~S_IRQS);
	uint64_t r = hs_run(MODE_VS, g_sip_sie, 0);
	sbi_call(SBI_WRITE_MIDELEG, m);
	csr_write(CSR_HVIP, 0);
	CHECK_EQ(r & 0xffffffff, STIP);
	CHECK_EQ(r >> 32, STIP);
}

/* Writes: only the S-level bits of the guest's sie and sip exist (its
 * bits 2, 6, 10 are not its VS enables), and of sip only SSIP is
 * writable. */
static uint64_t g_write_vs_positions(uint64_t unused)
{
	(void)unused;
	csr_write(CSR_SIE, VS_IRQS);
	uint64_t sie = csr_read(CSR_SIE);
	csr_write(CSR_SIP, VS_IRQS);
	uint64_t sip = csr_read(CSR_SIP);
	return sie | sip << 16;
}

static uint64_t g_write_s_positions(uint64_t unused)
{
	(void)unused;
	csr_write(CSR_SIE, S_IRQS);
	uint64_t sie = csr_read(CSR_SIE);
	csr_write(CSR_SIP, S_IRQS);
	uint64_t sip = csr_read(CSR_SIP);
	csr_write(CSR_SIP, 0);
	csr_write(CSR_SIE, 0);
	return sie | sip << 16;
}

TEST(vsip_vsie_guest_writes_take_s_bits_only, "baseline", T_ANY)
{
	plain_h(VS_IRQS);
	uint64_t r = hs_run(MODE_VS, g_write_vs_positions, 0);
	CHECK_EQ(r & 0xffff, 0);	 /* sie */
	CHECK_EQ(r >> 16, 0);		 /* sip */
	CHECK_EQ(csr_read(CSR_HIE), 0);	 /* no VS enable set */
	CHECK_EQ(csr_read(CSR_HVIP), 0); /* no VS interrupt raised */
	r = hs_run(MODE_VS, g_write_s_positions, 0);
	CHECK_EQ(r & 0xffff, S_IRQS);
	CHECK_EQ(r >> 16, 1UL << IRQ_S_SOFT); /* STIP, SEIP read-only */
	CHECK_EQ(csr_read(CSR_HIE), 0);
	CHECK_EQ(csr_read(CSR_HVIP), 0);
	csr_write(CSR_HIDELEG, 0);
}

/* ---- DV-Ext: the sources HU drives ---- */

static void dv_plain(uint64_t hideleg)
{
	dv_setup();
	csr_write(CSR_HIE, 0);
	csr_write(CSR_HIDELEG, hideleg);
}

/* huvip = hvip: each VS interrupt shows in the guest's sip and in huvsip. */
static uint64_t hu_huvip(uint64_t unused)
{
	(void)unused;
	for (int irq = IRQ_VS_SOFT; irq <= IRQ_VS_EXT; irq += 4) {
		csr_write(CSR_HUVIP, 1UL << irq);
		CHECK_EQ(hu_run_guest(MODE_VS, g_read_sip, 0), 1UL << (irq - 1));
		CHECK_EQ(csr_read(CSR_HUVSIP), 1UL << (irq - 1));
	}
	csr_write(CSR_HUVIP, VSTIP);
	vsirq_clear();
	check_took_timer(hu_run_guest(MODE_VS, g_take_timer, 0));
	csr_write(CSR_HUVIP, 0);
	CHECK_EQ(hu_run_guest(MODE_VS, g_read_sip, 0), 0);
	CHECK_EQ(csr_read(CSR_HUVSIP), 0);
	return 0;
}

TEST(vsip_huvip_shows_in_guest_sip, "R-CSR-HU", T_DV)
{
	dv_plain(VS_IRQS);
	catch_begin();
	hs_run(MODE_U, hu_huvip, 0);
	catch_end();
	EXPECT_NO_TRAP();
}

/* huvstimecmp (how duvisor's SBI TIME sets the guest's deadline): 0 is
 * pending at once, taken with STIP set; ~0 clears it; a near deadline
 * becomes pending while the guest polls. */
static uint64_t hu_huvstimecmp(uint64_t unused)
{
	(void)unused;
	csr_write(CSR_HUVSTIMECMP, 0);
	CHECK_EQ(csr_read(CSR_HUVSIP), STIP);
	vsirq_clear();
	check_took_timer(hu_run_guest(MODE_VS, g_take_timer, 0));
	csr_write(CSR_HUVSTIMECMP, ~0UL);
	CHECK_EQ(hu_run_guest(MODE_VS, g_read_sip, 0) & STIP, 0);
	CHECK_EQ(csr_read(CSR_HUVSIP), 0);
	csr_write(CSR_HUVSTIMECMP, FUTURE(rdtime()));
	CHECK_EQ(hu_run_guest(MODE_VS, g_poll_stip, 0) & STIP, STIP);
	csr_write(CSR_HUVSTIMECMP, ~0UL);
	CHECK_EQ(hu_run_guest(MODE_VS, g_read_sip, 0) & STIP, 0);
	return 0;
}

TEST(vsip_huvstimecmp_shows_in_guest_sip, "R-VT-2", T_DV)
{
	dv_plain(VSTIP);
	csr_write(CSR_HENVCFG, MENVCFG_STCE);
	catch_begin();
	hs_run(MODE_U, hu_huvstimecmp, 0);
	catch_end();
	EXPECT_NO_TRAP();
}

/* The virtual timer with TGT = 1 is the guest's VSTIP: pending at once
 * for a past compare value, taken with STIP set, gone when the compare
 * value moves away, with EN = 0, and with TGT = 0 (then it is HU's UTIP;
 * huie = 0 keeps it from exiting the guest). A near compare value becomes
 * pending while the guest polls. */
static uint64_t hu_vtimer(uint64_t unused)
{
	(void)unused;
	csr_write(CSR_HUVTIMECMP, 0);
	csr_write(CSR_HUVTIMECTL, 3);
	CHECK_EQ(csr_read(CSR_HUVSIP), STIP);
	vsirq_clear();
	check_took_timer(hu_run_guest(MODE_VS, g_take_timer, 0));
	csr_write(CSR_HUVTIMECMP, ~0UL);
	CHECK_EQ(hu_run_guest(MODE_VS, g_read_sip, 0) & STIP, 0);
	CHECK_EQ(csr_read(CSR_HUVSIP), 0);
	csr_write(CSR_HUVTIMECMP, 0);
	csr_write(CSR_HUVTIMECTL, 0);
	CHECK_EQ(hu_run_guest(MODE_VS, g_read_sip, 0) & STIP, 0);
	csr_write(CSR_HUVTIMECTL, 1);
	CHECK_EQ(hu_run_guest(MODE_VS, g_read_sip, 0) & STIP, 0);
	CHECK_EQ(csr_read(CSR_HUVSIP), 0);
	csr_write(CSR_HUVTIMECTL, 0);
	csr_write(CSR_HUVTIMECMP, FUTURE(rdtime()));
	csr_write(CSR_HUVTIMECTL, 3);
	CHECK_EQ(hu_run_guest(MODE_VS, g_poll_stip, 0) & STIP, STIP);
	csr_write(CSR_HUVTIMECTL, 0);
	CHECK_EQ(hu_run_guest(MODE_VS, g_read_sip, 0) & STIP, 0);
	return 0;
}

TEST(vsip_vtimer_tgt1_shows_in_guest_sip, "R-VT-1", T_DV)
{
	dv_plain(VSTIP);
	catch_begin();
	hs_run(MODE_U, hu_vtimer, 0);
	catch_end();
	EXPECT_NO_TRAP();
}

/* The guest's STIP is the OR of its sources: hvip.VSTIP stays pending
 * while a vstimecmp write moves the Sstc deadline ahead, and a past
 * vstimecmp stays pending while hvip.VSTIP is cleared. */
TEST(vsip_stip_is_the_or_of_hvip_and_vstimecmp, "baseline", T_ANY)
{
	plain_h(VSTIP);
	csr_write(CSR_HENVCFG, MENVCFG_STCE);
	csr_write(CSR_HVIP, VSTIP);
	csr_write(CSR_VSTIMECMP, ~0UL);
	CHECK_EQ(csr_read(CSR_HVIP), VSTIP);
	CHECK_EQ(hs_run(MODE_VS, g_read_sip, 0) & STIP, STIP);
	csr_write(CSR_VSTIMECMP, 0);
	csr_write(CSR_HVIP, 0);
	CHECK_EQ(hs_run(MODE_VS, g_read_sip, 0) & STIP, STIP);
	csr_write(CSR_VSTIMECMP, ~0UL);
	CHECK_EQ(hs_run(MODE_VS, g_read_sip, 0) & STIP, 0);
	CHECK_EQ(csr_read(CSR_HVIP), 0);
}

/* The same with the sources HU drives: huvip, huvstimecmp and the vtimer
 * with TGT = 1 each keep the guest's STIP up while the others go down. */
static uint64_t hu_or(uint64_t unused)
{
	(void)unused;
	csr_write(CSR_HUVIP, VSTIP);
	csr_write(CSR_HUVSTIMECMP, FUTURE(rdtime()) + (1UL << 40));
	csr_write(CSR_HUVTIMECMP, ~0UL);
	csr_write(CSR_HUVTIMECTL, 3);
	CHECK_EQ(csr_read(CSR_HUVIP), VSTIP);
	CHECK_EQ(hu_run_guest(MODE_VS, g_read_sip, 0) & STIP, STIP);
	csr_write(CSR_HUVSTIMECMP, 0);
	csr_write(CSR_HUVIP, 0);
	CHECK_EQ(hu_run_guest(MODE_VS, g_read_sip, 0) & STIP, STIP);
	csr_write(CSR_HUVTIMECMP, 0);
	csr_write(CSR_HUVSTIMECMP, ~0UL);
	CHECK_EQ(hu_run_guest(MODE_VS, g_read_sip, 0) & STIP, STIP);
	csr_write(CSR_HUVTIMECTL, 0);
	CHECK_EQ(hu_run_guest(MODE_VS, g_read_sip, 0) & STIP, 0);
	CHECK_EQ(csr_read(CSR_HUVSIP), 0);
	return 0;
}

TEST(vsip_stip_is_the_or_of_huvip_huvstimecmp_vtimer, "R-VT-1 R-VT-2", T_DV)
{
	dv_plain(VSTIP);
	csr_write(CSR_HENVCFG, MENVCFG_STCE);
	catch_begin();
	hs_run(MODE_U, hu_or, 0);
	catch_end();
	EXPECT_NO_TRAP();
}
