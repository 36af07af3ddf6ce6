/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest entry and exit for a vCPU thread in HU mode (docs/dv-ext.md §4.2, §5).
 *
 * hu_enter(ctx) keeps the thread's callee-saved registers in ctx, points
 * uscratch at ctx and utvec at hu_exit, loads the guest's pc, hustatus, FP
 * and general registers and executes HURET: the hart continues in the guest
 * (UPV = 1). An exit, taken by the hardware without entering the kernel,
 * lands at hu_exit with every register still the guest's; a0 is swapped
 * with uscratch to reach ctx, the guest state is stored, and hu_enter
 * returns ucause like an ordinary function. The guest's FP registers are
 * saved too: the hypervisor's C code may use the FP unit.
 */
#include "csr.h"
#include "hu_ctx.h"

	.text
	.option norvc

	.globl hu_enter
	.type hu_enter, @function
	.balign 4
hu_enter:
	sd	ra, HU_CTX_HOST(0)(a0)
	sd	sp, HU_CTX_HOST(1)(a0)
	sd	gp, HU_CTX_HOST(2)(a0)
	sd	tp, HU_CTX_HOST(3)(a0)
	sd	s0, HU_CTX_HOST(4)(a0)
	sd	s1, HU_CTX_HOST(5)(a0)
	sd	s2, HU_CTX_HOST(6)(a0)
	sd	s3, HU_CTX_HOST(7)(a0)
	sd	s4, HU_CTX_HOST(8)(a0)
	sd	s5, HU_CTX_HOST(9)(a0)
	sd	s6, HU_CTX_HOST(10)(a0)
	sd	s7, HU_CTX_HOST(11)(a0)
	sd	s8, HU_CTX_HOST(12)(a0)
	sd	s9, HU_CTX_HOST(13)(a0)
	sd	s10, HU_CTX_HOST(14)(a0)
	sd	s11, HU_CTX_HOST(15)(a0)

	csrw	CSR_USCRATCH, a0
	lla	t0, hu_exit
	csrw	CSR_UTVEC, t0
	ld	t0, HU_CTX_PC(a0)
	csrw	CSR_UEPC, t0
	ld	t0, HU_CTX_HUSTATUS(a0)
	csrw	CSR_HUSTATUS, t0

	ld	t0, HU_CTX_FCSR(a0)
	fscsr	t0
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\n, HU_CTX_F(\n)(a0)
	.endr

	.irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, HU_CTX_X(\n)(a0)
	.endr
	ld	x10, HU_CTX_X(10)(a0)
	.word	INSN_HURET
	unimp
	.size hu_enter, . - hu_enter

	/* utvec.BASE: 4-byte aligned, direct mode */
	.balign 4
hu_exit:
	csrrw	a0, CSR_USCRATCH, a0
	.irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, HU_CTX_X(\n)(a0)
	.endr
	csrr	t0, CSR_USCRATCH
	sd	t0, HU_CTX_X(10)(a0)

	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, HU_CTX_F(\n)(a0)
	.endr
	frcsr	t0
	sd	t0, HU_CTX_FCSR(a0)

	csrr	t0, CSR_UEPC
	sd	t0, HU_CTX_PC(a0)
	csrr	t0, CSR_HUSTATUS
	sd	t0, HU_CTX_HUSTATUS(a0)
	csrr	t0, CSR_UTVAL
	sd	t0, HU_CTX_UTVAL(a0)
	csrr	t0, CSR_HUTVAL
	sd	t0, HU_CTX_HUTVAL(a0)
	csrr	t0, CSR_HUTINST
	sd	t0, HU_CTX_HUTINST(a0)
	csrr	t0, CSR_UCAUSE
	sd	t0, HU_CTX_UCAUSE(a0)

	ld	ra, HU_CTX_HOST(0)(a0)
	ld	sp, HU_CTX_HOST(1)(a0)
	ld	gp, HU_CTX_HOST(2)(a0)
	ld	tp, HU_CTX_HOST(3)(a0)
	ld	s0, HU_CTX_HOST(4)(a0)
	ld	s1, HU_CTX_HOST(5)(a0)
	ld	s2, HU_CTX_HOST(6)(a0)
	ld	s3, HU_CTX_HOST(7)(a0)
	ld	s4, HU_CTX_HOST(8)(a0)
	ld	s5, HU_CTX_HOST(9)(a0)
	ld	s6, HU_CTX_HOST(10)(a0)
	ld	s7, HU_CTX_HOST(11)(a0)
	ld	s8, HU_CTX_HOST(12)(a0)
	ld	s9, HU_CTX_HOST(13)(a0)
	ld	s10, HU_CTX_HOST(14)(a0)
	ld	s11, HU_CTX_HOST(15)(a0)
	mv	a0, t0
	ret
	.size hu_exit, . - hu_exit
