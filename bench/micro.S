/*
 * Micro-benchmark guest (bare metal, Linux Image header): N repetitions of
 * each operation between two reads of the guest's `time`, printed as
 * "BENCH <name> <reps> <ticks>" (hex). Under -icount shift=0 on a 1-hart
 * host every instruction the machine executes for the operation (guest,
 * host kernel, duvisor) advances time by 1 ns: ticks of the 10 MHz
 * timebase x 100 / reps = instructions per operation.
 *
 * - sbi:     SBI BASE probe_extension(BASE): KVM answers it in its kernel,
 *            duvisor's dvext backend in user space;
 * - mmio_ld: a load of the UART's LSR, emulated in user space on both;
 * - mmio_st: a store to the UART's scratch register, likewise;
 * - timer:   a timer interrupt taken by the guest: stimecmp (Sstc) set in
 *            the past, the handler sets it to ~0 and returns; no exit on
 *            either backend (the handler counts, "TIMER <count>" hex);
 * - loop:    the empty loop, the floor of them all.
 */
#define SBI_EXT_BASE	0x10
#define SBI_EXT_SRST	0x53525354
#define UART		0x10000000
#define REPS		20000

	.section .text
	.option norelax
#include "imghdr.S"

/* BENCH name: s0 = name, body at label in s1 */
.macro	bench name, body
	lla	s0, \name
	lla	s1, \body
	call	run
.endm

entry:
	li	s10, UART
	li	s7, -1
	bench	n_loop, b_loop
	bench	n_sbi, b_sbi
	bench	n_mmio_ld, b_mmio_ld
	bench	n_mmio_st, b_mmio_st
	/* timer interrupts: stvec, sie.STIE, sstatus.SIE */
	li	s8, 0
	lla	t0, timer_handler
	csrw	stvec, t0
	li	t0, 1 << 5
	csrs	sie, t0
	csrsi	sstatus, 2
	bench	n_timer, b_timer
	csrci	sstatus, 2
	lla	a0, n_timer_count
	call	puts
	mv	a0, s8
	call	puthex
	li	a0, '\n'
	call	putc
	li	a7, SBI_EXT_SRST
	li	a6, 0
	li	a0, 0
	li	a1, 0
	ecall
1:	j	1b

/* REPS x body (jalr to s1, which returns with jr s11), timed */
run:
	mv	s9, ra
	li	s2, REPS
	rdtime	s3
2:	jalr	s11, 0(s1)
	addi	s2, s2, -1
	bnez	s2, 2b
	rdtime	s4
	lla	a0, n_bench
	call	puts
	mv	a0, s0
	call	puts
	li	a0, ' '
	call	putc
	li	a0, REPS
	call	puthex
	li	a0, ' '
	call	putc
	sub	a0, s4, s3
	call	puthex
	li	a0, '\n'
	call	putc
	mv	ra, s9
	ret

b_loop:
	jr	s11
b_sbi:
	li	a7, SBI_EXT_BASE
	li	a6, 3			/* probe_extension */
	li	a0, SBI_EXT_BASE
	ecall
	jr	s11
b_mmio_ld:
	lbu	t0, 5(s10)		/* LSR */
	jr	s11
b_mmio_st:
	sb	s2, 7(s10)		/* SCR */
	jr	s11
b_timer:
	csrw	0x14d, zero		/* stimecmp = 0: pending at once, taken here */
	jr	s11

	.balign 4
timer_handler:
	csrw	0x14d, s7		/* ~0: no longer pending */
	addi	s8, s8, 1
	sret

#include "sbicon.S"

n_bench:	.asciz	"BENCH "
n_loop:		.asciz	"loop"
n_sbi:		.asciz	"sbi"
n_mmio_ld:	.asciz	"mmio_ld"
n_mmio_st:	.asciz	"mmio_st"
n_timer:	.asciz	"timer"
n_timer_count:	.asciz	"TIMER "
