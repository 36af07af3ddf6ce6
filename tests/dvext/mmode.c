/* M-mode: machine set-up as OpenSBI 1.1 leaves it for an HS kernel, a few
 * services for the tests (ecall from HS), the per-test watchdog, and the
 * redirect of non-delegated exceptions to HS the way OpenSBI's
 * sbi_trap_redirect() does it (access faults, illegal instructions). */
#include <stdint.h>
#include "csr.h"
#include "hart.h"
#include "print.h"

#define CLINT_MTIMECMP(h) ((volatile uint64_t *)(0x2004000UL + 8 * (h)))
#define CLINT_MTIME	  ((volatile uint64_t *)0x200bff8UL)
#define TEST_DEVICE	  ((volatile uint32_t *)0x100000UL)

struct hart harts[NHARTS];
/* Read by start.S before any C runs. */
const uint64_t hart_layout[3] = {
    sizeof(struct hart),
    __builtin_offsetof(struct hart, m_stack) + sizeof(harts[0].m_stack),
    __builtin_offsetof(struct hart, hs_trap_stack) + sizeof(harts[0].hs_trap_stack),
};

_Static_assert(__builtin_offsetof(struct hart, m_sp) == HART_M_SP, "layout");
_Static_assert(__builtin_offsetof(struct hart, hs_frame) == HART_HS_FRAME, "layout");
_Static_assert(__builtin_offsetof(struct hart, hs_sp) == HART_HS_SP, "layout");
_Static_assert(__builtin_offsetof(struct hart, hu_frame) == HART_HU_FRAME, "layout");
_Static_assert(__builtin_offsetof(struct hart, hu_sp) == HART_HU_SP, "layout");

/* OpenSBI 1.1 delegates these (and nothing else) to S. */
#define MEDELEG_DEFAULT                                                                            \
	((1UL << 0) | (1UL << 3) | (1UL << 8) | (1UL << 12) | (1UL << 13) | (1UL << 15) |          \
	 (1UL << 10) | (1UL << 20) | (1UL << 21) | (1UL << 22) | (1UL << 23))
#define MIDELEG_DEFAULT ((1UL << IRQ_S_SOFT) | (1UL << IRQ_S_TIMER) | (1UL << IRQ_S_EXT))

extern char m_trap_entry[], hs_abort_entry[];
void m_enter_hs(void (*fn)(uint64_t, uint64_t), uint64_t sp, uint64_t a0, uint64_t a1)
    __attribute__((noreturn));
void hs_main(uint64_t hartid, uint64_t dtb);

static void poweroff(unsigned code)
{
	*TEST_DEVICE = code ? ((code << 16) | 0x3333) : 0x5555;
	for (;;)
		__asm__ volatile("wfi");
}

void m_init(uint64_t hartid, uint64_t dtb)
{
	struct hart *h = this_hart();

	h->id = hartid;
	h->m_sp = STACK_TOP(h->m_stack);
	h->hs_sp = STACK_TOP(h->hs_trap_stack);
	h->hu_sp = STACK_TOP(h->hu_trap_stack);
	csr_write(CSR_MSCRATCH, &h->m_frame);
	csr_write(CSR_MTVEC, m_trap_entry);

	/* PMP: one NAPOT entry over the whole address space, RWX, so S and U
	 * see all memory (without an entry they see nothing). */
	csr_write(CSR_PMPADDR0, ~0UL);
	csr_write(CSR_PMPCFG0, 0x1f);

	csr_write(CSR_MEDELEG, MEDELEG_DEFAULT);
	csr_write(CSR_MIDELEG, MIDELEG_DEFAULT);
	csr_write(CSR_MENVCFG, csr_read(CSR_MENVCFG) | MENVCFG_STCE);
	csr_write(CSR_MCOUNTEREN, ~0UL);
	csr_write(CSR_MIE, 0);
	*CLINT_MTIMECMP(hartid) = ~0UL;

	/* mret to HS: MPP = S, MPV = 0. */
	uint64_t ms = csr_read(CSR_MSTATUS);
	ms &= ~(MSTATUS_MPP | MSTATUS_MPV | MSTATUS_MPRV);
	ms |= 1UL << 11;
	csr_write(CSR_MSTATUS, ms);
	m_enter_hs(hs_main, STACK_TOP(h->hs_stack), hartid, dtb);
}

uint64_t sbi_call(uint64_t fn, uint64_t arg)
{
	register uint64_t a0 __asm__("a0") = arg;
	register uint64_t a7 __asm__("a7") = fn;
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
	return a0;
}

/* Leave M for HS's abort path (the test has failed). */
static struct frame *abort_to_hs(struct frame *f)
{
	uint64_t ms = csr_read(CSR_MSTATUS);
	ms &= ~(MSTATUS_MPP | MSTATUS_MPV | MSTATUS_MPRV);
	ms |= 1UL << 11;
	csr_write(CSR_MSTATUS, ms);
	csr_write(CSR_MEPC, hs_abort_entry);
	return f;
}

/* Deliver an exception to HS as if HS had taken it (sbi_trap_redirect). */
static void redirect(struct hart *h, uint64_t cause)
{
	uint64_t ms = csr_read(CSR_MSTATUS);
	uint64_t prev = (ms >> 11) & 3;
	int virt = !!(ms & MSTATUS_MPV);
	uint64_t hs = csr_read(CSR_HSTATUS);

	if (virt) {
		hs |= HSTATUS_SPV;
		hs = prev == 1 ? hs | HSTATUS_SPVP : hs & ~HSTATUS_SPVP;
	} else {
		hs &= ~HSTATUS_SPV;
	}
	hs = (ms & MSTATUS_GVA) ? hs | HSTATUS_GVA : hs & ~HSTATUS_GVA;
	csr_write(CSR_HSTATUS, hs);
	csr_write(CSR_HTVAL, csr_read(CSR_MTVAL2));
	csr_write(CSR_HTINST, csr_read(CSR_MTINST));
	csr_write(CSR_STVAL, csr_read(CSR_MTVAL));
	csr_write(CSR_SEPC, csr_read(CSR_MEPC));
	csr_write(CSR_SCAUSE, cause);
	csr_write(CSR_MEPC, csr_read(CSR_STVEC) & ~3UL);

	ms &= ~(MSTATUS_MPP | MSTATUS_MPV | MSTATUS_GVA | SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE);
	ms |= 1UL << 11;
	if (prev == 1)
		ms |= SSTATUS_SPP;
	if (csr_read(CSR_MSTATUS) & SSTATUS_SIE)
		ms |= SSTATUS_SPIE;
	csr_write(CSR_MSTATUS, ms);
	h->m_redirects++;
	h->redirect_pending = 1;
}

/* mtimecmp serves both the watchdog and a deferred SEIP. */
static void arm_mtimer(struct hart *h)
{
	uint64_t at = ~0UL;
	if (h->watchdog_at)
		at = h->watchdog_at;
	if (h->seip_at && h->seip_at < at)
		at = h->seip_at;
	*CLINT_MTIMECMP(h->id) = at;
	if (at != ~0UL)
		csr_set(CSR_MIE, 1UL << IRQ_M_TIMER);
	else
		csr_clear(CSR_MIE, 1UL << IRQ_M_TIMER);
}

static uint64_t service(struct hart *h, uint64_t fn, uint64_t a0)
{
	switch (fn) {
	case SBI_POWEROFF:
		poweroff((unsigned)a0);
		break;
	case SBI_WATCHDOG:
		h->watchdog_at = a0 ? *CLINT_MTIME + a0 : 0;
		h->seip_at = 0;
		arm_mtimer(h);
		return 0;
	case SBI_SEIP_AFTER:
		h->seip_at = *CLINT_MTIME + a0;
		arm_mtimer(h);
		return 0;
	case SBI_SET_SEIP:
		if (a0)
			csr_set(CSR_MIP, 1UL << IRQ_S_EXT);
		else
			csr_clear(CSR_MIP, 1UL << IRQ_S_EXT);
		return csr_read(CSR_MIP);
	case SBI_READ_MIDELEG:
		return csr_read(CSR_MIDELEG);
	case SBI_WRITE_MIDELEG:
		csr_write(CSR_MIDELEG, a0);
		return csr_read(CSR_MIDELEG);
	case SBI_SET_MEDELEG:
		return csr_swap(CSR_MEDELEG, a0);
	case SBI_PUTC:
		putc_raw((char)a0);
		return 0;
	case SBI_READ_MSTATUS:
		return csr_read(CSR_MSTATUS);
	case SBI_RING:
		/* Only ids inside the window: a trap in M is fatal here. */
		csr_write(CSR_HUVIPI, a0);
		return 0;
	case SBI_SNAP_M: {
		struct m_snap *s = (struct m_snap *)a0;
		s->mstatus = csr_read(CSR_MSTATUS);
		s->medeleg = csr_read(CSR_MEDELEG);
		s->mideleg = csr_read(CSR_MIDELEG);
		s->mie = csr_read(CSR_MIE);
		s->mip = csr_read(CSR_MIP);
		s->mtvec = csr_read(CSR_MTVEC);
		s->mscratch = csr_read(CSR_MSCRATCH);
		s->menvcfg = csr_read(CSR_MENVCFG);
		s->mcounteren = csr_read(CSR_MCOUNTEREN);
		s->pmpcfg0 = csr_read(CSR_PMPCFG0);
		s->pmpaddr0 = csr_read(CSR_PMPADDR0);
		return 0;
	}
	case SBI_SET_MSTATUS: {
		/* Undo fields a test found changed, so that one leak does not
		 * take the rest of the suite with it (MPIE too: it is the MIE
		 * HS gets back). Where this trap returns to stays. Fields M
		 * cannot write (reserved bits, XS, SD) cannot be undone. */
		uint64_t keep = MSTATUS_MPP | MSTATUS_MPV;
		csr_write(CSR_MSTATUS, (a0 & ~keep) | (csr_read(CSR_MSTATUS) & keep));
		return csr_read(CSR_MSTATUS);
	}
	}
	printf("  M: unknown service %lx\n", fn);
	return ~0UL;
}

struct frame *m_trap(struct frame *f)
{
	struct hart *h = this_hart();
	uint64_t cause = csr_read(CSR_MCAUSE);
	uint64_t ms = csr_read(CSR_MSTATUS);
	uint64_t prev = (ms >> 11) & 3;

	if (cause & CAUSE_IRQ) {
		if ((cause & ~CAUSE_IRQ) == IRQ_M_TIMER) {
			if (h->seip_at && *CLINT_MTIME >= h->seip_at) {
				h->seip_at = 0;
				csr_set(CSR_MIP, 1UL << IRQ_S_EXT);
				arm_mtimer(h);
				return f;
			}
			service(h, SBI_WATCHDOG, 0);
			printf("  watchdog: hart %lu timed out at pc %lx (priv %lu, V=%lu)\n",
			       h->id, csr_read(CSR_MEPC), prev, (ms & MSTATUS_MPV) ? 1UL : 0UL);
			return abort_to_hs(f);
		}
		printf("  M: unexpected interrupt %lx\n", cause);
		csr_clear(CSR_MIE, 1UL << (cause & 63));
		return f;
	}
	if (prev == 3) {
		printf("FATAL: trap in M-mode cause %lx mepc %lx mtval %lx\n", cause,
		       csr_read(CSR_MEPC), csr_read(CSR_MTVAL));
		poweroff(3);
	}
	if (cause == EXC_ECALL_S) {
		csr_write(CSR_MEPC, csr_read(CSR_MEPC) + 4);
		f->x[10] = service(h, f->x[17], f->x[10]);
		return f;
	}
	if (cause == EXC_ECALL_U && h->snap_u_ecall) {
		/* R-TRAP-4 check: what HS state a HU trap left behind. */
		h->snap.sstatus = csr_read(CSR_SSTATUS);
		h->snap.sepc = csr_read(CSR_SEPC);
		h->snap.scause = csr_read(CSR_SCAUSE);
		h->snap.stval = csr_read(CSR_STVAL);
		h->snap.htval = csr_read(CSR_HTVAL);
		h->snap.htinst = csr_read(CSR_HTINST);
		h->snap.hstatus = csr_read(CSR_HSTATUS);
		h->snap.mstatus = ms;
		h->snap.valid = 1;
		h->snap_u_ecall = 0;
	}
	redirect(h, cause);
	return f;
}
