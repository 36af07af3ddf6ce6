/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest entry and exit for a vCPU thread in HU mode (docs/dv-ext.md §4.2, §5).
 *
 * hu_enter(ctx) keeps the thread's callee-saved registers in ctx, points
 * uscratch at ctx and utvec at hu_exit, loads the guest's pc, hustatus and
 * general registers and executes HURET: the hart continues in the guest
 * (UPV = 1). An exit, taken by the hardware without entering the kernel,
 * lands at hu_exit with every register still the guest's; a0 is swapped
 * with uscratch to reach ctx and the guest state is stored.
 *
 * Then, on the thread's own stack, dvext_exit_inline(ctx) handles the exit
 * if it can without the run loop (an SBI call or MMIO access that neither
 * sleeps nor changes the vCPU's run state): it returns 0 and the guest is
 * entered again at once, the thread's callee-saved registers still in ctx.
 * Otherwise it returns 1 and hu_enter returns ucause to its caller, like an
 * ordinary function.
 *
 * The guest's floating-point registers and fcsr are not saved or loaded:
 * they stay in the hart, as the vCPU thread's own FP state, which the host
 * kernel saves and restores on every context switch as for any thread.
 * That holds because duvisor's code never touches them: it has no
 * floating-point types, it is compiled with every f register fixed
 * (-ffixed-f0..31, so none is ever used as a temporary), and the build
 * checks the linked binary for FP instructions (check-fp.py). Signal
 * handlers on a vCPU thread get the FP state restored by sigreturn.
 * hu_fp_reset() gives a vCPU the state a hart has after reset.
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

	lla	t0, hu_exit
	csrw	CSR_UTVEC, t0
hu_resume:
	csrw	CSR_USCRATCH, a0
	ld	t0, HU_CTX_PC(a0)
	csrw	CSR_UEPC, t0
	ld	t0, HU_CTX_HUSTATUS(a0)
	csrw	CSR_HUSTATUS, t0

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

	/* The exit handled here if it can be: C on the thread's stack, ctx in s0 */
	mv	s0, a0
	ld	sp, HU_CTX_HOST(1)(a0)
	ld	gp, HU_CTX_HOST(2)(a0)
	ld	tp, HU_CTX_HOST(3)(a0)
	call	dvext_exit_inline
	mv	t0, a0
	mv	a0, s0
	beqz	t0, hu_resume

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
	ld	a0, HU_CTX_UCAUSE(a0)
	ret
	.size hu_exit, . - hu_exit

	/* The guest's FP state at reset: every f register +0.0, fcsr 0 */
	.globl hu_fp_reset
	.type hu_fp_reset, @function
	.balign 4
hu_fp_reset:
	fscsr	zero
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fmv.d.x	f\n, zero
	.endr
	ret
	.size hu_fp_reset, . - hu_fp_reset

	/* hu_fp_save(f[33]): the guest's f0..f31 and fcsr (f[32]), as they are */
	.globl hu_fp_save
	.type hu_fp_save, @function
	.balign 4
hu_fp_save:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, (\n * 8)(a0)
	.endr
	frcsr	t0
	sd	t0, 256(a0)
	ret
	.size hu_fp_save, . - hu_fp_save

	/* hu_fp_load(f[33]): the guest's f0..f31 and fcsr from f */
	.globl hu_fp_load
	.type hu_fp_load, @function
	.balign 4
hu_fp_load:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\n, (\n * 8)(a0)
	.endr
	ld	t0, 256(a0)
	fscsr	t0
	ret
	.size hu_fp_load, . - hu_fp_load
