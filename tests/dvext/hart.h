/* Per-hart state of the test machine. `tp` holds a pointer to the running
 * hart's `struct hart` in every mode (M, HS, HU, VS, VU): nothing in the
 * program changes tp, and all modes share one physical address space
 * (satp, vsatp Bare; the guest's stage 2 maps the image at GPA = HPA). */
#ifndef DVEXT_HART_H
#define DVEXT_HART_H

#define NHARTS 2

/* Magic values of the exits (a7 on ecall from U). */
#define EXIT_MAGIC  0x4558495455 /* U -> HS: hs_run() returns a0 */
#define ABORT_MAGIC 0x41424f5254 /* U -> HS: fail the test (already printed) */
/* A guest leaves by storing a0 to this unmapped GPA: the store guest-page
 * fault (cause 23) is recognised by htval/hutval = EXIT_GPA >> 2. */
#define EXIT_GPA 0x1000

/* Offsets used by start.S: the first members of struct hart. */
#define HART_M_FRAME  0
#define HART_M_SP     256
#define HART_HS_FRAME 264
#define HART_HS_SP    520
#define HART_HU_FRAME 528
#define HART_HU_SP    784

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Who handled a trap. */
enum level { LVL_NONE, LVL_M, LVL_HS, LVL_HU };

/* A register save area: x[i] is register xi (x[0] unused). */
struct frame {
	uint64_t x[32];
};

/* Callee-saved context of a run_* call (see start.S: *_enter, ctx_return). */
struct jb {
	uint64_t ra, sp, s[12];
};

/* One trap as seen by the level that handled it. */
struct trap_rec {
	int level;
	int via_m;	  /* HS got it from M-mode's redirect (firmware path) */
	uint64_t cause;	  /* scause / ucause / mcause */
	uint64_t epc;	  /* sepc / uepc */
	uint64_t tval;	  /* stval / utval */
	uint64_t tval2;	  /* htval / hutval */
	uint64_t tinst;	  /* htinst / hutinst */
	uint64_t status;  /* sstatus / hustatus, read in the handler */
	uint64_t hstatus; /* hstatus (HS) */
	uint64_t a7;	  /* the trapping context's a7 (ecall number) */
};

/* HS CSRs as M-mode saw them on an ecall from U routed to M (R-TRAP-4). */
struct hs_snap {
	int valid;
	uint64_t sstatus, sepc, scause, stval, htval, htinst, hstatus, mstatus;
};

#define MAXREC 16

struct hart {
	struct frame m_frame;
	uint64_t m_sp;
	struct frame hs_frame;
	uint64_t hs_sp;
	struct frame hu_frame;
	uint64_t hu_sp;

	uint64_t id;
	struct jb hs_run_jb; /* the active hs_run() */
	struct jb hu_run_jb; /* the active hu_run_guest() */
	struct jb test_jb;   /* the running test (hart 0) or job (hart 1) */
	int hs_exit_from;    /* how the last hs_run() ended: EXIT_* */

	/* Trap capture: while `catching`, a trap at any level is appended to
	 * rec[] and the trapping instruction is skipped; otherwise an
	 * unexpected trap fails the running test. */
	volatile int catching;
	volatile int nrec;
	struct trap_rec rec[MAXREC];
	volatile int redirect_pending; /* M -> HS redirect in flight */
	volatile int snap_u_ecall;     /* M snapshots HS CSRs on ecall from U */
	struct hs_snap snap;
	/* HU: a U interrupt ends hu_run_guest() instead of resuming. */
	volatile int hu_irq_exits;
	volatile uint64_t m_redirects;
	uint64_t watchdog_at, seip_at; /* M: mtime deadlines, 0 = none */
	volatile uint64_t hu_traps;

	/* Minimal VS-mode interrupt handler state (guest_vs_vec in start.S). */
	struct {
		uint64_t t1_save, cause, epc, count;
	} gvs;

	uint8_t m_stack[4096] __attribute__((aligned(16)));
	uint8_t hs_trap_stack[8192] __attribute__((aligned(16)));
	uint8_t hs_stack[16384] __attribute__((aligned(16)));
	uint8_t hu_trap_stack[8192] __attribute__((aligned(16)));
	uint8_t hu_stack[16384] __attribute__((aligned(16)));
	uint8_t guest_stack[16384] __attribute__((aligned(16)));
};

extern struct hart harts[NHARTS];

static inline struct hart *this_hart(void)
{
	struct hart *h;
	__asm__("mv %0, tp" : "=r"(h));
	return h;
}

#define STACK_TOP(arr) ((uint64_t)(arr) + sizeof(arr))

/* How hs_run() came back. */
enum { EXIT_FROM_U = 1, EXIT_FROM_GUEST = 2 };

/* M-mode services: ecall from HS with a7 = SBI_*. */
enum {
	SBI_POWEROFF = 0x100,
	SBI_WATCHDOG, /* a0 = ticks from now, 0 = off */
	SBI_SET_SEIP, /* a0 = 0/1 */
	SBI_READ_MIDELEG,
	SBI_WRITE_MIDELEG, /* a0 = value; returns the value read back */
	SBI_SET_MEDELEG,   /* a0 = value; returns the old value */
	SBI_PUTC,
	SBI_READ_MSTATUS,
	SBI_SEIP_AFTER,	 /* a0 = ticks: M sets mip.SEIP then (a deferred fake IRQ) */
	SBI_RING,	 /* a0 = id, inside hdvwin: M writes huvipi (R-VIPI-1) */
	SBI_SNAP_M,	 /* a0 = struct m_snap *: M's registers as M sees them */
	SBI_SET_MSTATUS, /* a0 = a value SBI_SNAP_M read: mstatus back to it */
};

/* M-mode registers a HU or HS write must never reach (R-CSR-ISO), read by
 * M on an ecall from HS (so MPP = S, MPIE = the MIE HS ran with, MPV = 0). */
struct m_snap {
	uint64_t mstatus, medeleg, mideleg, mie, mip, mtvec, mscratch, menvcfg, mcounteren, pmpcfg0,
	    pmpaddr0;
};

uint64_t sbi_call(uint64_t fn, uint64_t a0);

#endif /* __ASSEMBLER__ */
#endif
