/*
 * Guest routines for the driver tests. They run in VS mode with VS-stage
 * translation off (vsatp = 0: guest virtual = guest physical), from a copy
 * of this blob at GUEST_RAM_GPA, so they are position-independent (lla is
 * PC-relative) and use no stack. Compressed instructions and relaxation are
 * off so each instruction is 4 bytes and the exit tests can skip one with
 * uepc += 4.
 *
 * Each routine is entered by setting the vCPU's pc to its GPA; the test
 * fills the registers the routine reads before entering.
 */
#include "csr.h"
#include "guest.h"

	.option norvc
	.option norelax
	.section .rodata.guest, "a"
	.balign 4096

	.globl guest_start
guest_start:

/* Registers both ways: the first two ecalls let the hypervisor check every
 * register it loaded and load new ones; then the guest computes with a0/a1
 * as the hypervisor left them and reports a2 = a0 + a1, a3 = a0 ^ a1. */
	.globl g_regs, g_regs_2
g_regs:
	ecall
g_regs_2:
	ecall
	add	a2, a0, a1
	xor	a3, a0, a1
	li	a7, GFN_DONE
	ecall

/* Guest page faults: a load from and a store to GPAs with no stage-2
 * mapping. The hypervisor maps each page and resumes at the same pc (the
 * access is retried). a0 = the loaded value, a1 = the stored value read
 * back. */
	.globl g_fault, g_fault_load, g_fault_store
g_fault:
	li	t0, GUEST_FAULT_LOAD_GPA
g_fault_load:
	ld	a0, 0(t0)
	li	t1, GUEST_FAULT_STORE_GPA
	li	t2, GUEST_STORE_VALUE
g_fault_store:
	sd	t2, 8(t1)
	ld	a1, 8(t1)
	li	a7, GFN_DONE
	ecall

/* Virtual-instruction exits (cause 22), each skipped by the hypervisor:
 * WFI with hustatus.VTW = 1, a HU CSR, an HS-only DV-Ext CSR and HURET,
 * none of which a guest may use (R-GATE-4). a0 = what the hypervisor
 * emulated for the csrr. */
	.globl g_virt, g_virt_wfi, g_virt_csr, g_virt_hs, g_virt_huret
g_virt:
g_virt_wfi:
	wfi
g_virt_csr:
	csrr	a0, CSR_HUSTATUS
g_virt_hs:
	csrw	CSR_HDVCTL, zero
g_virt_huret:
	.word	INSN_HURET
	li	a7, GFN_DONE
	ecall

/* Counter loop: each iteration bumps s0 and the guest's own vsscratch (a
 * VS CSR the host kernel must save and restore for the vCPU thread), stores
 * s0 to the slot at GPA a6, spins a0 times and exits with GFN_TICK. */
	.globl g_count
g_count:
	csrr	t0, sscratch
	addi	t0, t0, 1
	csrw	sscratch, t0
	addi	s0, s0, 1
	sd	s0, 0(a6)
	mv	t1, a0
1:	addi	t1, t1, -1
	bgtz	t1, 1b
	li	a7, GFN_TICK
	ecall
	j	g_count

/* Spin forever without exiting, storing the growing s1 to the slot at GPA
 * a6 so the host can see the guest run. Only an interrupt or a signal
 * (a forced exit) gets the hypervisor back. */
	.globl g_spin
g_spin:
	addi	s1, s1, 1
	sd	s1, 0(a6)
	j	g_spin

/* s0 ecalls, then GFN_DONE: the exit-cost loop. */
	.globl g_loop
g_loop:
	li	a7, GFN_TICK
	ecall
	addi	s0, s0, -1
	bnez	s0, g_loop
	li	a7, GFN_DONE
	ecall

/* Store GUEST_ATTACK_VALUE to GPA a6, then load it back into a0. */
	.globl g_touch
g_touch:
	li	t0, GUEST_ATTACK_VALUE
	sd	t0, 0(a6)
	ld	a0, 0(a6)
	li	a7, GFN_DONE
	ecall

/* Load from GPA a6 into a0. */
	.globl g_peek
g_peek:
	ld	a0, 0(a6)
	li	a7, GFN_DONE
	ecall

/* Load from GPA a6 into a0 and exit with GFN_TICK, forever. */
	.globl g_read
g_read:
	ld	a0, 0(a6)
	li	a7, GFN_TICK
	ecall
	j	g_read

/* An illegal instruction in the guest (all-zero word). */
	.globl g_illegal
g_illegal:
	.word	0
	li	a7, GFN_DONE
	ecall

/* Read the time CSR and report it (GSBI_FID_TIME, a0 = time), forever; a
 * trap the guest takes (rdtime refused, say) is reported as GSBI_FID_TRAP
 * and g_time starts over. Runs under KVM as well as under DV-Ext (see
 * guest.h): KVM forwards each ecall to user space and steps past it on the
 * next KVM_RUN, so every KVM_RUN ends with one report. */
	.globl g_time
g_time:
	lla	t0, 2f
	csrw	stvec, t0
1:	rdtime	a0
	li	a6, GSBI_FID_TIME
	li	a7, GSBI_EXT_DV_TEST
	ecall
	j	1b
	.balign 4
2:	csrr	a0, scause
	csrr	a1, sepc
	csrr	a2, stval
	li	a6, GSBI_FID_TRAP
	li	a7, GSBI_EXT_DV_TEST
	ecall
	lla	t0, g_time
	csrw	sepc, t0
	sret

/* vstvec: a trap the guest takes itself (through hedeleg) is reported to
 * the hypervisor instead of looping. */
	.balign 4
	.globl g_trap
g_trap:
	csrr	a0, scause
	csrr	a1, sepc
	csrr	a2, stval
	li	a7, GFN_TRAP
	ecall
	j	g_trap

	.balign 8
	.globl guest_end
guest_end:
