/* HS and HU trap handlers.
 *
 * Both first look for the harness's exits (U body done, guest done), then
 * either record the trap and resume after the trapping instruction (while a
 * test is "catching"), or report it as unexpected and fail the test. The HU
 * handler runs in U-mode: it can print (the UART is plain memory to it) but
 * must leave to HS, by an ecall, to abort a test. */
#include <stdint.h>
#include "csr.h"
#include "harness.h"

void ctx_return(struct jb *jb, uint64_t v) __attribute__((noreturn));
void test_abort_now(void) __attribute__((noreturn));

static int insn_len(uint64_t pc)
{
	uint16_t lo = *(volatile uint16_t *)pc;
	return (lo & 3) == 3 ? 4 : 2;
}

/* Where to continue after a captured trap: fetch faults return to the
 * caller (tests reach bad code through a call), interrupts re-execute. */
static uint64_t resume_pc(uint64_t cause, uint64_t epc, struct frame *f)
{
	if (cause & CAUSE_IRQ)
		return epc;
	if (cause == EXC_INSN_ACCESS || cause == EXC_INSN_PF || cause == EXC_INSN_GPF)
		return f->x[1];
	return epc + insn_len(epc);
}

static void record(struct hart *h, const struct trap_rec *r)
{
	int n = h->nrec;
	if (n < MAXREC)
		h->rec[n] = *r;
	h->nrec = n + 1;
}

static void dump(const char *where, const struct trap_rec *r)
{
	printf("  unexpected trap in %s: cause 0x%lx epc 0x%lx tval 0x%lx tval2 0x%lx tinst 0x%lx "
	       "status 0x%lx "
	       "hstatus 0x%lx a7 0x%lx%s\n",
	       where, r->cause, r->epc, r->tval, r->tval2, r->tinst, r->status, r->hstatus, r->a7,
	       r->via_m ? " (redirected by M)" : "");
}

/* Silence an interrupt source the handler has just seen. */
static void hs_quiesce(uint64_t irq)
{
	switch (irq) {
	case IRQ_S_TIMER:
		csr_write(CSR_STIMECMP, ~0UL);
		break;
	case IRQ_S_EXT:
		sbi_call(SBI_SET_SEIP, 0);
		break;
	case IRQ_S_SOFT:
		csr_clear(CSR_SIP, 1UL << IRQ_S_SOFT);
		break;
	default:
		csr_clear(CSR_SIE, 1UL << irq);
		break;
	}
}

struct frame *hs_trap(struct frame *f)
{
	struct hart *h = this_hart();
	struct trap_rec r = {
	    .level = LVL_HS,
	    .via_m = h->redirect_pending,
	    .cause = csr_read(CSR_SCAUSE),
	    .epc = csr_read(CSR_SEPC),
	    .tval = csr_read(CSR_STVAL),
	    .tval2 = csr_read(CSR_HTVAL),
	    .tinst = csr_read(CSR_HTINST),
	    .status = csr_read(CSR_SSTATUS),
	    .hstatus = csr_read(CSR_HSTATUS),
	    .a7 = f->x[17],
	};
	int virt = !!(r.hstatus & HSTATUS_SPV);

	h->redirect_pending = 0;
	if (r.cause == EXC_ECALL_U && !virt && r.a7 == EXIT_MAGIC) {
		h->hs_exit_from = EXIT_FROM_U;
		ctx_return(&h->hs_run_jb, f->x[10]);
	}
	if (r.cause == EXC_ECALL_U && !virt && r.a7 == ABORT_MAGIC)
		test_abort_now();
	if (r.cause == EXC_STORE_GPF && virt && r.tval2 == (EXIT_GPA >> 2)) {
		h->hs_exit_from = EXIT_FROM_GUEST;
		ctx_return(&h->hs_run_jb, f->x[10]);
	}
	if (h->catching) {
		record(h, &r);
		if (r.cause & CAUSE_IRQ)
			hs_quiesce(r.cause & ~CAUSE_IRQ);
		csr_write(CSR_SEPC, resume_pc(r.cause, r.epc, f));
		return f;
	}
	dump(virt ? "HS (from V=1)" : "HS", &r);
	test_abort_now();
}

static void hu_quiesce(uint64_t irq)
{
	if (irq == IRQ_U_SOFT)
		csr_clear(CSR_HUIP, 1); /* clears this hart's doorbell (R-VIPI-4) */
	else if (irq == IRQ_U_TIMER)
		csr_write(CSR_HUVTIMECTL, 0);
	else
		csr_clear(CSR_HUIE, 1UL << irq);
}

/* Runs in U-mode (HU): only HU CSRs here. */
struct frame *hu_trap(struct frame *f)
{
	struct hart *h = this_hart();
	struct trap_rec r = {
	    .level = LVL_HU,
	    .cause = csr_read(CSR_UCAUSE),
	    .epc = csr_read(CSR_UEPC),
	    .tval = csr_read(CSR_UTVAL),
	    .tval2 = csr_read(CSR_HUTVAL),
	    .tinst = csr_read(CSR_HUTINST),
	    .status = csr_read(CSR_HUSTATUS),
	    .a7 = f->x[17],
	};

	h->hu_traps++;
	if (r.cause == EXC_STORE_GPF && (r.status & HUSTATUS_UPV) && r.tval2 == (EXIT_GPA >> 2))
		ctx_return(&h->hu_run_jb, f->x[10]);
	if ((r.cause & CAUSE_IRQ) && h->hu_irq_exits) {
		record(h, &r);
		hu_quiesce(r.cause & ~CAUSE_IRQ);
		ctx_return(&h->hu_run_jb, ~0UL);
	}
	if (h->catching) {
		record(h, &r);
		if (r.cause & CAUSE_IRQ)
			hu_quiesce(r.cause & ~CAUSE_IRQ);
		csr_write(CSR_UEPC, resume_pc(r.cause, r.epc, f));
		return f;
	}
	dump("HU", &r);
	register uint64_t a7 __asm__("a7") = ABORT_MAGIC;
	__asm__ volatile("ecall" ::"r"(a7));
	for (;;)
		;
}
