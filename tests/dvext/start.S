/* Entry, trap vectors and mode switches.
 *
 * -bios none: QEMU starts every hart at 0x80000000 in M-mode with
 * a0 = hartid, a1 = DTB. Hart 0 clears .bss and releases the others.
 * Each level (M, HS, HU) has one save frame per hart, found through its
 * scratch CSR (mscratch, sscratch, uscratch); its handler runs on a
 * separate trap stack and returns the frame to restore. */
#include "../../duvisor/src/backend/dvext/csr.h"
#include "hart.h"

#define HURET .word INSN_HURET
#define CSR_USCRATCH 0x040
#define CSR_UEPC 0x041

	.section .text.start, "ax"
	.globl _start
_start:
	li	t0, NHARTS
	bgeu	a0, t0, park
	/* tp = &harts[hartid] */
	la	tp, harts
	la	t1, hart_layout	/* {sizeof(struct hart), M stack top, HS trap stack top} */
	ld	t0, 0(t1)
	mul	t0, t0, a0
	add	tp, tp, t0
	/* boot stack = the hart's M stack */
	ld	t0, 8(t1)
	add	sp, tp, t0
	bnez	a0, 2f
	/* hart 0: zero .bss */
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 3f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
3:	fence	rw, rw
	li	t0, 1
	la	t1, boot_released
	sw	t0, 0(t1)
	j	4f
2:	/* other harts: wait for hart 0 (boot_released lives in .data) */
	la	t1, boot_released
5:	lw	t0, 0(t1)
	beqz	t0, 5b
	fence	rw, rw
4:	call	m_init		/* (hartid, dtb); enters HS, never returns */
park:
	wfi
	j	park

/* ---- save/restore of x1, x3..x31 in the frame at sp ---- */
.macro SAVE_GPRS
	sd	x1, 8(sp)
	sd	x3, 24(sp)
	sd	x4, 32(sp)
	sd	x5, 40(sp)
	sd	x6, 48(sp)
	sd	x7, 56(sp)
	sd	x8, 64(sp)
	sd	x9, 72(sp)
	sd	x10, 80(sp)
	sd	x11, 88(sp)
	sd	x12, 96(sp)
	sd	x13, 104(sp)
	sd	x14, 112(sp)
	sd	x15, 120(sp)
	sd	x16, 128(sp)
	sd	x17, 136(sp)
	sd	x18, 144(sp)
	sd	x19, 152(sp)
	sd	x20, 160(sp)
	sd	x21, 168(sp)
	sd	x22, 176(sp)
	sd	x23, 184(sp)
	sd	x24, 192(sp)
	sd	x25, 200(sp)
	sd	x26, 208(sp)
	sd	x27, 216(sp)
	sd	x28, 224(sp)
	sd	x29, 232(sp)
	sd	x30, 240(sp)
	sd	x31, 248(sp)
.endm
.macro RESTORE_GPRS
	ld	x1, 8(sp)
	ld	x3, 24(sp)
	ld	x4, 32(sp)
	ld	x5, 40(sp)
	ld	x6, 48(sp)
	ld	x7, 56(sp)
	ld	x8, 64(sp)
	ld	x9, 72(sp)
	ld	x10, 80(sp)
	ld	x11, 88(sp)
	ld	x12, 96(sp)
	ld	x13, 104(sp)
	ld	x14, 112(sp)
	ld	x15, 120(sp)
	ld	x16, 128(sp)
	ld	x17, 136(sp)
	ld	x18, 144(sp)
	ld	x19, 152(sp)
	ld	x20, 160(sp)
	ld	x21, 168(sp)
	ld	x22, 176(sp)
	ld	x23, 184(sp)
	ld	x24, 192(sp)
	ld	x25, 200(sp)
	ld	x26, 208(sp)
	ld	x27, 216(sp)
	ld	x28, 224(sp)
	ld	x29, 232(sp)
	ld	x30, 240(sp)
	ld	x31, 248(sp)
	ld	x2, 16(sp)
.endm

/* ---- M-mode vector (mscratch = &hart->m_frame) ---- */
	.text
	.balign 4
	.globl m_trap_entry
m_trap_entry:
	csrrw	sp, mscratch, sp
	SAVE_GPRS
	csrrw	t0, mscratch, sp
	sd	t0, 16(sp)
	mv	a0, sp
	ld	sp, 256(sp)	/* m_sp follows the frame */
	call	m_trap		/* returns the frame to resume */
	mv	sp, a0
	RESTORE_GPRS
	mret

/* ---- HS vector (sscratch = &hart->hs_frame) ---- */
	.balign 4
	.globl hs_trap_entry
hs_trap_entry:
	csrrw	sp, sscratch, sp
	SAVE_GPRS
	csrrw	t0, sscratch, sp
	sd	t0, 16(sp)
	mv	a0, sp
	ld	sp, 256(sp)
	call	hs_trap
	mv	sp, a0
	RESTORE_GPRS
	sret

/* ---- HU vector, runs in U-mode (uscratch = &hart->hu_frame) ---- */
	.balign 4
	.globl hu_trap_entry
hu_trap_entry:
	csrrw	sp, CSR_USCRATCH, sp
	SAVE_GPRS
	csrrw	t0, CSR_USCRATCH, sp
	sd	t0, 16(sp)
	mv	a0, sp
	ld	sp, 256(sp)
	call	hu_trap
	mv	sp, a0
	RESTORE_GPRS
	HURET

/* M-mode aborts the running test (watchdog, fatal trap): it mret's here
 * in HS with sp undefined. */
	.globl hs_abort_entry
hs_abort_entry:
	la	t1, hart_layout
	ld	t0, 16(t1)
	add	sp, tp, t0
	call	test_abort_now

/* ---- mode switches ----
 * Save the callee-saved context in *jb, then drop to the lower mode at
 * `tramp` with s0 = fn, a0 = arg, sp = stack. The lower mode leaves through
 * an exit trap whose handler calls ctx_return(jb, value).
 *
 * uint64_t hs_enter(struct jb *jb, fn, arg, stack, tramp)   -- sret
 * uint64_t hu_enter(struct jb *jb, fn, arg, stack, tramp)   -- HURET
 */
.macro SAVE_JB
	sd	ra, 0(a0)
	sd	sp, 8(a0)
	sd	s0, 16(a0)
	sd	s1, 24(a0)
	sd	s2, 32(a0)
	sd	s3, 40(a0)
	sd	s4, 48(a0)
	sd	s5, 56(a0)
	sd	s6, 64(a0)
	sd	s7, 72(a0)
	sd	s8, 80(a0)
	sd	s9, 88(a0)
	sd	s10, 96(a0)
	sd	s11, 104(a0)
.endm
	.globl hs_enter
hs_enter:
	SAVE_JB
	csrw	sepc, a4
	mv	s0, a1
	mv	a0, a2
	mv	sp, a3
	sret
	.globl hu_enter
hu_enter:
	SAVE_JB
	csrw	CSR_UEPC, a4
	mv	s0, a1
	mv	a0, a2
	mv	sp, a3
	HURET

	.globl ctx_return
ctx_return:
	ld	ra, 0(a0)
	ld	sp, 8(a0)
	ld	s0, 16(a0)
	ld	s1, 24(a0)
	ld	s2, 32(a0)
	ld	s3, 40(a0)
	ld	s4, 48(a0)
	ld	s5, 56(a0)
	ld	s6, 64(a0)
	ld	s7, 72(a0)
	ld	s8, 80(a0)
	ld	s9, 88(a0)
	ld	s10, 96(a0)
	ld	s11, 104(a0)
	mv	a0, a1
	ret

/* U-mode (HU or plain U) body: fn(arg), then ecall EXIT_MAGIC. */
	.globl tramp_u
tramp_u:
	jalr	s0
	li	a7, EXIT_MAGIC
	ecall
1:	j	1b
/* Guest (VS/VU) body: fn(arg), then a store to the unmapped EXIT_GPA. */
	.globl tramp_g
tramp_g:
	jalr	s0
	li	t0, EXIT_GPA
	sd	a0, 0(t0)
1:	j	1b

/* M-mode: drop to HS at fn(a0, a1) on stack sp.
 * void m_enter_hs(fn, sp, a0, a1) */
	.globl m_enter_hs
m_enter_hs:
	csrw	mepc, a0
	mv	sp, a1
	mv	a0, a2
	mv	a1, a3
	mret

/* A minimal VS-mode trap handler for guests that take their own traps:
 * counts them, records scause/sepc, masks further interrupts by clearing
 * sie (the guest's vsie), steps over a (4-byte) faulting instruction and
 * returns. vsscratch = &hart->gvs. */
	.balign 4
	.globl guest_vs_vec
guest_vs_vec:
	csrrw	t0, sscratch, t0
	sd	t1, 0(t0)
	csrr	t1, scause
	sd	t1, 8(t0)
	csrr	t1, sepc
	sd	t1, 16(t0)
	ld	t1, 24(t0)
	addi	t1, t1, 1
	sd	t1, 24(t0)
	csrw	sie, zero
	csrr	t1, scause
	bltz	t1, 1f
	csrr	t1, sepc
	addi	t1, t1, 4
	csrw	sepc, t1
1:
	ld	t1, 0(t0)
	csrrw	t0, sscratch, t0
	sret

	.data
	.balign 8
	.globl boot_released
boot_released:
	.word 0

	.text
/* void call_with_jb(struct jb *jb, void (*fn)(void)): call fn; a later
 * ctx_return(jb, v) from anywhere below (trap handlers) lands back here
 * as a return from call_with_jb. */
	.globl call_with_jb
call_with_jb:
	SAVE_JB
	addi	sp, sp, -16
	sd	a0, 0(sp)
	jalr	a1
	ld	a0, 0(sp)
	addi	sp, sp, 16
	ld	ra, 0(a0)
	ret
