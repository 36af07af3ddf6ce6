/* R-CSR-VT: while EN = 1 hustatus.VTW/VTSR/VTVM, not hstatus's, decide
 * whether the guest's wfi, sret and sfence.vma raise virtual-instruction
 * exceptions; with EN = 0 (hgatp) hstatus's bits do, as in the H extension.
 * One guest body executes all three in VS; each case sets a single bit in
 * one of the two registers and expects either exactly the governed
 * instruction to trap (cause 22) or nothing to trap. */
#include "harness.h"
#include "stage2.h"

#define INSN_WFI	0x10500073U
#define INSN_SRET	0x10200073U
#define INSN_SFENCE_VMA 0x12000073U /* sfence.vma zero, zero */

/* hustatus and hstatus use the same bit positions (20, 21, 22). */
_Static_assert(HUSTATUS_VTW == HSTATUS_VTW && HUSTATUS_VTSR == HSTATUS_VTSR &&
		   HUSTATUS_VTVM == HSTATUS_VTVM,
	       "VT bits");

static const struct {
	uint64_t bit;
	uint32_t insn;
	const char *name;
} cases[] = {
    {HSTATUS_VTW, INSN_WFI, "VTW/wfi"},
    {HSTATUS_VTSR, INSN_SRET, "VTSR/sret"},
    {HSTATUS_VTVM, INSN_SFENCE_VMA, "VTVM/sfence.vma"},
};
#define NCASES (int)(sizeof(cases) / sizeof(cases[0]))

/* Guest (VS): wfi, sfence.vma, then an sret to the next instruction with
 * SPP = 1 (stays in VS). vsie.SSIE is set so that a pending VSSIP lets a
 * non-trapping wfi complete. Returns 1 if the sret executed (it clears SPP),
 * 2 if it was skipped by a trap handler. */
static uint64_t g_vt_insns(uint64_t unused)
{
	(void)unused;
	uint64_t s;
	csr_set(CSR_SIE, 1UL << IRQ_S_SOFT);
	__asm__ volatile("wfi" ::: "memory");
	csr_clear(CSR_SIE, 1UL << IRQ_S_SOFT);
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
	__asm__ volatile("csrc sstatus, %1\n\t"
			 "csrs sstatus, %2\n\t"
			 "la t0, 1f\n\t"
			 "csrw sepc, t0\n\t"
			 "sret\n"
			 "1:\tcsrr %0, sstatus"
			 : "=r"(s)
			 : "r"(SSTATUS_SPIE | SSTATUS_SIE), "r"(SSTATUS_SPP)
			 : "t0", "memory");
	return (s & SSTATUS_SPP) ? 2 : 1;
}

/* HU: the hypervisor sets its own VT bits, then runs the guest in VS. */
static uint64_t hu_vt_guest(uint64_t hu_bits)
{
	csr_set(CSR_HUSTATUS, hu_bits);
	uint64_t r = hu_run_guest(MODE_VS, g_vt_insns, 0);
	csr_clear(CSR_HUSTATUS, hu_bits);
	return r;
}

/* One run of g_vt_insns with `hu_bits` in hustatus and `hs_bits` in
 * hstatus: EN = 1 through HU (hugatp), EN = 0 straight from HS (hgatp).
 * `wfi_traps` is the expectation: only then is no interrupt pending (a wfi
 * that must trap cannot complete instead, H: "does not complete within a
 * bounded time"); otherwise VSSIP is pending so that wfi returns at once.
 * A host timer 100 ms later ends a wfi that wrongly halts (an extra HS
 * trap the checks report). */
static uint64_t vt_run(int en, uint64_t hu_bits, uint64_t hs_bits, int wfi_traps)
{
	csr_write(CSR_HIDELEG, 1UL << IRQ_VS_SOFT);
	csr_write(CSR_HVIP, wfi_traps ? 0 : 1UL << IRQ_VS_SOFT);
	csr_set(CSR_HSTATUS, hs_bits);
	csr_write(CSR_SIE, 1UL << IRQ_S_TIMER);
	csr_write(CSR_STIMECMP, rdtime() + 100 * TICKS_PER_MS);
	catch_begin();
	uint64_t r;
	if (en) {
		r = hs_run(MODE_U, hu_vt_guest, hu_bits);
	} else {
		csr_set(CSR_HUSTATUS, hu_bits);
		r = hs_run(MODE_VS, g_vt_insns, 0);
	}
	catch_end();
	csr_write(CSR_STIMECMP, ~0UL);
	csr_write(CSR_SIE, 0);
	csr_write(CSR_HVIP, 0);
	csr_clear(CSR_HSTATUS, HSTATUS_VTW | HSTATUS_VTSR | HSTATUS_VTVM);
	csr_clear(CSR_HUSTATUS, HUSTATUS_VTW | HUSTATUS_VTSR | HUSTATUS_VTVM);
	return r;
}

static void dump_traps(void)
{
	struct hart *h = this_hart();
	for (int i = 0; i < h->nrec && i < MAXREC; i++)
		printf("    trap %d: level %d cause 0x%lx epc 0x%lx tval 0x%lx\n", i,
		       trap_at(i)->level, trap_at(i)->cause, trap_at(i)->epc, trap_at(i)->tval);
}

/* Exactly one virtual-instruction trap at `level`, on case c's instruction;
 * the guest went on to its end (sret executed unless it was the one). */
static void expect_vi(int c, int level, uint64_t r, const char *how, int line)
{
	struct hart *h = this_hart();
	const struct trap_rec *t = trap_at(0);
	if (h->nrec != 1 || t->level != level || t->cause != EXC_VIRT_INSN ||
	    *(volatile uint32_t *)t->epc != cases[c].insn) {
		check_msg(line,
			  "%s, %s: expected one virtual-instruction trap (22) to %s at 0x%x, "
			  "saw %d:",
			  cases[c].name, how, level == LVL_HU ? "HU" : "HS", cases[c].insn,
			  h->nrec);
		dump_traps();
		return;
	}
	if (t->tval != cases[c].insn && t->tval != 0)
		check_msg(line, "%s, %s: tval 0x%lx", cases[c].name, how, t->tval);
	if (level == LVL_HU &&
	    (t->status & (HUSTATUS_UPV | HUSTATUS_UPVP)) != (HUSTATUS_UPV | HUSTATUS_UPVP))
		check_msg(line, "%s, %s: hustatus 0x%lx", cases[c].name, how, t->status);
	if (level == LVL_HS &&
	    (t->hstatus & (HSTATUS_SPV | HSTATUS_SPVP)) != (HSTATUS_SPV | HSTATUS_SPVP))
		check_msg(line, "%s, %s: hstatus 0x%lx", cases[c].name, how, t->hstatus);
	if (r != (cases[c].bit == HSTATUS_VTSR ? 2UL : 1UL))
		check_msg(line, "%s, %s: guest returned %lu", cases[c].name, how, r);
}

/* No trap at all: wfi completed, sfence.vma and sret executed in VS. */
static void expect_none(int c, uint64_t r, const char *how, int line)
{
	if (this_hart()->nrec) {
		check_msg(line, "%s, %s: expected no trap, saw %d:", cases[c].name, how,
			  this_hart()->nrec);
		dump_traps();
	}
	if (r != 1)
		check_msg(line, "%s, %s: guest returned %lu (1: sret executed in VS)",
			  cases[c].name, how, r);
}

/* EN = 1, hustatus bit set, hstatus bit clear: virtual instruction, to HU
 * with hudeleg bit 22. */
TEST(csrvt_hustatus_bits_trap_guest_to_hu, "R-CSR-VT R-TRAP-1", T_DV)
{
	dv_setup();
	for (int c = 0; c < NCASES; c++) {
		uint64_t r = vt_run(1, cases[c].bit, 0, cases[c].bit == HSTATUS_VTW);
		expect_vi(c, LVL_HU, r, "hustatus set, hudeleg 22", __LINE__);
	}
}

/* ...and to HS without it. */
TEST(csrvt_hustatus_bits_trap_guest_to_hs_without_hudeleg, "R-CSR-VT R-TRAP-1", T_DV)
{
	dv_setup();
	csr_write(CSR_HUDELEG, HUDELEG_ALL & ~(1UL << EXC_VIRT_INSN));
	for (int c = 0; c < NCASES; c++) {
		uint64_t r = vt_run(1, cases[c].bit, 0, cases[c].bit == HSTATUS_VTW);
		expect_vi(c, LVL_HS, r, "hustatus set, hudeleg without 22", __LINE__);
	}
}

/* EN = 1, hustatus bit clear, hstatus bit set: hstatus does not govern the
 * DV-Ext guest; nothing traps, with or without hudeleg bit 22. */
TEST(csrvt_hstatus_bits_ignored_while_en1, "R-CSR-VT", T_DV)
{
	dv_setup();
	for (int c = 0; c < NCASES; c++)
		expect_none(c, vt_run(1, 0, cases[c].bit, 0), "hstatus set, hudeleg 22", __LINE__);
	csr_write(CSR_HUDELEG, HUDELEG_ALL & ~(1UL << EXC_VIRT_INSN));
	for (int c = 0; c < NCASES; c++)
		expect_none(c, vt_run(1, 0, cases[c].bit, 0), "hstatus set, hudeleg without 22",
			    __LINE__);
}

/* EN = 0 (a KVM guest through hgatp): hstatus's bits apply as in the H
 * extension, hustatus's do not (hudeleg, all set, is ignored too). */
TEST(csrvt_en0_hstatus_bits_apply, "R-CSR-VT R-DISC-3", T_DV)
{
	struct s2 t = s2_new(0);
	csr_write(CSR_HGATP, s2_atp(t));
	csr_write(CSR_HUDELEG, HUDELEG_ALL);
	hfence_gvma_all();
	for (int c = 0; c < NCASES; c++) {
		uint64_t r = vt_run(0, 0, cases[c].bit, cases[c].bit == HSTATUS_VTW);
		expect_vi(c, LVL_HS, r, "EN=0, hstatus set", __LINE__);
	}
	for (int c = 0; c < NCASES; c++)
		expect_none(c, vt_run(0, cases[c].bit, 0, 0), "EN=0, hustatus set", __LINE__);
}
