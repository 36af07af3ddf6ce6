/*
 * The KVM selftest's guest: a position-independent blob that kvm_selftest.c
 * copies to GUEST_RAM_BASE and runs in VS-mode with translation off
 * (vsatp = 0, so guest-virtual = guest-physical). Each numbered step is one
 * exit to user space, in this order:
 *
 *   1. MMIO store   (KVM_EXIT_MMIO, is_write = 1)
 *   2. MMIO load    (KVM_EXIT_MMIO, is_write = 0); the result lands in t2
 *   3. SBI v0.1 console putchar          (KVM_EXIT_RISCV_SBI, EID 0x01)
 *   4. SBI experimental-space call       (KVM_EXIT_RISCV_SBI, EID 0x08004456)
 *   5. SBI SRST shutdown                 (KVM_EXIT_SYSTEM_EVENT)
 *
 * Between the steps it keeps what came back in registers no later step uses,
 * for user space to read with KVM_GET_ONE_REG after the run:
 *   t2 = the MMIO load's value, s4 = a0 after putchar, s5 = a1 after putchar,
 *   s2/s3 = a0/a1 after the experimental call,
 * and stores s3 to guest_scratch in RAM (no exit: RAM is a memslot).
 *
 * The blob is data in the host binary (section .rodata.guest), never executed
 * on the host, and runs from a copy at another address. So it must be
 * position-independent: addresses come from `lla` (auipc + addi, always
 * PC-relative; `la` would load them from the host binary's GOT in a PIE
 * build). Compressed instructions and linker relaxation are off, so every
 * instruction is 4 bytes and nothing is rewritten at link time.
 */
#include "kvm_selftest.h"

	.option norvc
	.option norelax
	.section .rodata.guest, "a"
	.balign 8

	.globl guest_start
guest_start:
	/* Any unexpected trap (illegal instruction, page fault, ...) goes to
	 * guest_trap, which reports it to user space instead of looping. */
	lla	t0, guest_trap
	csrw	stvec, t0

	/* 1. MMIO store: a doubleword to an address with no memslot. The
	 * access faults to HS-mode as a guest page fault; KVM decodes the sd
	 * and exits with len 8 and the data in kvm_run->mmio.data. */
	li	t0, MMIO_WRITE_ADDR
	li	t1, MMIO_WRITE_VALUE
	.globl guest_mmio_store
guest_mmio_store:
	sd	t1, 0(t0)

	/* 2. MMIO load: user space fills mmio.data; on the next KVM_RUN KVM
	 * writes it to t2 and steps past the ld. */
	li	t0, MMIO_READ_ADDR
	.globl guest_mmio_load
guest_mmio_load:
	ld	t2, 0(t0)

	/* 3. Legacy SBI v0.1 console putchar: a7 = EID 0x01, a0 = char. */
	li	a7, SBI_LEGACY_PUTCHAR
	li	a6, 0
	li	a0, PUTCHAR_CHAR
	.globl guest_putchar_ecall
guest_putchar_ecall:
	ecall
	mv	s4, a0
	mv	s5, a1

	/* 4. SBI call in the experimental space: a7 = EID, a6 = FID,
	 * a0 = the loaded MMIO value + 1, a1..a5 = known arguments. */
	addi	a0, t2, 1
	li	a1, SBI_ARG1
	li	a2, SBI_ARG2
	li	a3, SBI_ARG3
	li	a4, SBI_ARG4
	li	a5, SBI_ARG5
	li	a6, SBI_FID_DV_TEST
	li	a7, SBI_EXT_DV_TEST
	.globl guest_sbi_ecall
guest_sbi_ecall:
	ecall
	/* The SBI return values (sbiret.error, sbiret.value) are in a0/a1. */
	mv	s2, a0
	mv	s3, a1

	/* A plain RAM store, for user space to find in its mapping. */
	lla	t3, guest_scratch
	sd	s3, 0(t3)

	/* 5. SBI SRST: shut the system down; KVM handles this call itself and
	 * exits with KVM_EXIT_SYSTEM_EVENT, leaving the PC on this ecall. */
	li	a7, SBI_EXT_SRST
	li	a6, SBI_SRST_RESET
	li	a0, SBI_SRST_TYPE_SHUTDOWN
	li	a1, SBI_SRST_REASON_NONE
	.globl guest_srst_ecall
guest_srst_ecall:
	ecall
1:	j	1b

	/* Unexpected trap: report scause/sepc/stval, forever. */
	.balign 4
guest_trap:
	csrr	a0, scause
	csrr	a1, sepc
	csrr	a2, stval
	li	a6, SBI_FID_DV_TRAP
	li	a7, SBI_EXT_DV_TEST
	ecall
	j	guest_trap

	.balign 8
	.globl guest_scratch
guest_scratch:
	.dword	0

	.globl guest_end
guest_end:
