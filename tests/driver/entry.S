/*
 * Guest entry and exit for a HU-mode vCPU thread (docs/dv-ext.md §4.2, §5).
 *
 * dv_enter(ctx) saves the host's callee-saved registers, sp, gp and tp in
 * ctx, points uscratch at ctx and utvec at dv_exit, loads uepc and hustatus
 * (UPV = 1 so that HURET enters the guest, UPVP = its privilege), loads all
 * 31 guest registers and executes HURET. The hart is then in VS (or VU)
 * with the guest's S bank, and runs there until an exit.
 *
 * A delegated exit (and an exit the kernel forces before delivering a
 * signal) lands at dv_exit in HU mode with every general register still
 * holding the guest's value. csrrw swaps a0 with uscratch so a0 = ctx and
 * the guest's a0 is parked in uscratch; every guest register is stored,
 * the exit CSRs are read, the host registers come back and dv_enter returns
 * ucause to its caller as an ordinary function would.
 *
 * gp and tp are restored too: the guest may have changed them, and C code
 * (gp-relative data, tp for TLS) needs the host's.
 */
#include "csr.h"
#include "ctx.h"

	.option norvc
	.text

	.globl dv_enter
	.type dv_enter, @function
	.balign 4
dv_enter:
	sd	ra, CTX_HOST(0)(a0)
	sd	sp, CTX_HOST(1)(a0)
	sd	gp, CTX_HOST(2)(a0)
	sd	tp, CTX_HOST(3)(a0)
	sd	s0, CTX_HOST(4)(a0)
	sd	s1, CTX_HOST(5)(a0)
	sd	s2, CTX_HOST(6)(a0)
	sd	s3, CTX_HOST(7)(a0)
	sd	s4, CTX_HOST(8)(a0)
	sd	s5, CTX_HOST(9)(a0)
	sd	s6, CTX_HOST(10)(a0)
	sd	s7, CTX_HOST(11)(a0)
	sd	s8, CTX_HOST(12)(a0)
	sd	s9, CTX_HOST(13)(a0)
	sd	s10, CTX_HOST(14)(a0)
	sd	s11, CTX_HOST(15)(a0)

	csrw	CSR_USCRATCH, a0
	/* Direct mode (MODE = 0): every exit starts at dv_exit. */
	lla	t0, dv_exit
	csrw	CSR_UTVEC, t0
	ld	t0, CTX_PC(a0)
	csrw	CSR_UEPC, t0
	ld	t0, CTX_HUSTATUS(a0)
	csrw	CSR_HUSTATUS, t0

	ld	x1, CTX_X(1)(a0)
	ld	x2, CTX_X(2)(a0)
	ld	x3, CTX_X(3)(a0)
	ld	x4, CTX_X(4)(a0)
	ld	x5, CTX_X(5)(a0)
	ld	x6, CTX_X(6)(a0)
	ld	x7, CTX_X(7)(a0)
	ld	x8, CTX_X(8)(a0)
	ld	x9, CTX_X(9)(a0)
	ld	x11, CTX_X(11)(a0)
	ld	x12, CTX_X(12)(a0)
	ld	x13, CTX_X(13)(a0)
	ld	x14, CTX_X(14)(a0)
	ld	x15, CTX_X(15)(a0)
	ld	x16, CTX_X(16)(a0)
	ld	x17, CTX_X(17)(a0)
	ld	x18, CTX_X(18)(a0)
	ld	x19, CTX_X(19)(a0)
	ld	x20, CTX_X(20)(a0)
	ld	x21, CTX_X(21)(a0)
	ld	x22, CTX_X(22)(a0)
	ld	x23, CTX_X(23)(a0)
	ld	x24, CTX_X(24)(a0)
	ld	x25, CTX_X(25)(a0)
	ld	x26, CTX_X(26)(a0)
	ld	x27, CTX_X(27)(a0)
	ld	x28, CTX_X(28)(a0)
	ld	x29, CTX_X(29)(a0)
	ld	x30, CTX_X(30)(a0)
	ld	x31, CTX_X(31)(a0)
	ld	x10, CTX_X(10)(a0)
	.word	INSN_HURET
	/* not reached: HURET with UPV = 1 continues in the guest at uepc */
	unimp
	.size dv_enter, . - dv_enter

	/* utvec.BASE must be 4-byte aligned. */
	.globl dv_exit
	.balign 4
dv_exit:
	csrrw	a0, CSR_USCRATCH, a0
	sd	x1, CTX_X(1)(a0)
	sd	x2, CTX_X(2)(a0)
	sd	x3, CTX_X(3)(a0)
	sd	x4, CTX_X(4)(a0)
	sd	x5, CTX_X(5)(a0)
	sd	x6, CTX_X(6)(a0)
	sd	x7, CTX_X(7)(a0)
	sd	x8, CTX_X(8)(a0)
	sd	x9, CTX_X(9)(a0)
	sd	x11, CTX_X(11)(a0)
	sd	x12, CTX_X(12)(a0)
	sd	x13, CTX_X(13)(a0)
	sd	x14, CTX_X(14)(a0)
	sd	x15, CTX_X(15)(a0)
	sd	x16, CTX_X(16)(a0)
	sd	x17, CTX_X(17)(a0)
	sd	x18, CTX_X(18)(a0)
	sd	x19, CTX_X(19)(a0)
	sd	x20, CTX_X(20)(a0)
	sd	x21, CTX_X(21)(a0)
	sd	x22, CTX_X(22)(a0)
	sd	x23, CTX_X(23)(a0)
	sd	x24, CTX_X(24)(a0)
	sd	x25, CTX_X(25)(a0)
	sd	x26, CTX_X(26)(a0)
	sd	x27, CTX_X(27)(a0)
	sd	x28, CTX_X(28)(a0)
	sd	x29, CTX_X(29)(a0)
	sd	x30, CTX_X(30)(a0)
	sd	x31, CTX_X(31)(a0)
	/* The guest's a0, parked in uscratch; put ctx back for the next exit. */
	csrrw	t0, CSR_USCRATCH, a0
	sd	t0, CTX_X(10)(a0)

	csrr	t0, CSR_UEPC
	sd	t0, CTX_PC(a0)
	csrr	t0, CSR_UTVAL
	sd	t0, CTX_UTVAL(a0)
	csrr	t0, CSR_HUTVAL
	sd	t0, CTX_HUTVAL(a0)
	csrr	t0, CSR_HUTINST
	sd	t0, CTX_HUTINST(a0)
	csrr	t0, CSR_HUSTATUS
	sd	t0, CTX_XSTATUS(a0)
	csrr	t0, CSR_UCAUSE
	sd	t0, CTX_UCAUSE(a0)

	ld	ra, CTX_HOST(0)(a0)
	ld	sp, CTX_HOST(1)(a0)
	ld	gp, CTX_HOST(2)(a0)
	ld	tp, CTX_HOST(3)(a0)
	ld	s0, CTX_HOST(4)(a0)
	ld	s1, CTX_HOST(5)(a0)
	ld	s2, CTX_HOST(6)(a0)
	ld	s3, CTX_HOST(7)(a0)
	ld	s4, CTX_HOST(8)(a0)
	ld	s5, CTX_HOST(9)(a0)
	ld	s6, CTX_HOST(10)(a0)
	ld	s7, CTX_HOST(11)(a0)
	ld	s8, CTX_HOST(12)(a0)
	ld	s9, CTX_HOST(13)(a0)
	ld	s10, CTX_HOST(14)(a0)
	ld	s11, CTX_HOST(15)(a0)
	mv	a0, t0
	ret
	.size dv_exit, . - dv_exit
