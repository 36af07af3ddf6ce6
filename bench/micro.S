/*
 * Micro-benchmark guest, one vCPU (bench.h): REPS repetitions of
 *
 * - loop:     the empty loop, the floor of them all;
 * - sbi:      SBI BASE probe_extension(BASE): KVM answers it in its kernel,
 *             duvisor's dvext backend in user space;
 * - mmio_ld:  a load of the UART's LSR, emulated in user space on both;
 * - mmio_st:  a store to the UART's scratch register, likewise;
 * - timer:    a timer interrupt taken by the guest: stimecmp (Sstc) set in
 *             the past, the handler sets it to ~0 and returns; no exit on
 *             either backend (the handler counts: "TIMER <count>");
 * - ier_nop:  a store of 0 to the UART's IER while it is 0: an MMIO store
 *             that raises nothing, the trigger of the next two without
 *             their interrupt;
 * - vext:     a virtual external interrupt, all of it: the guest sets
 *             IER.ETBEI with THR empty, so the UART raises its THR-empty
 *             interrupt at once, on PLIC source 10 for context 0 (this
 *             vCPU, priority 1, threshold 0, sie.SEIE); the guest takes it
 *             right after the store, claims it at the PLIC, clears IER (the
 *             UART lowers its line) and completes it: 4 MMIO accesses and
 *             one interrupt injected;
 * - vext_lat: the same, timing from before the store that raises the line
 *             to the handler's first instruction: the sum over the
 *             repetitions is printed as "LAT vext_lat <reps> <ticks>", and
 *             the same stretch is a sub-window of the plugin (exact).
 * The handlers count the interrupts ("EXT <count>") and claims that did not
 * return the UART's source ("EXT-BAD <count>").
 */
#include "bench.h"

	.section .text
	.option norelax
#include "imghdr.S"

entry:
	call	settle
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
	li	t0, 1 << 5
	csrc	sie, t0
	report	n_timer_count, s8

	/* the UART's interrupt through the PLIC to this vCPU (context 0) */
	li	s6, PLIC
	li	t0, 1
	sw	t0, 4 * UART_IRQ(s6)		/* priority 1 */
	li	t1, PLIC + 0x2000
	li	t0, 1 << UART_IRQ
	sw	t0, 0(t1)			/* enabled for context 0 */
	li	s6, PLIC + 0x200000		/* context 0: threshold, claim */
	sw	zero, 0(s6)			/* threshold 0 */
	bench	n_ier_nop, b_ier_nop
	li	s8, 0
	li	a3, 0
	li	a5, 0
	li	t2, 2				/* IER.ETBEI */
	lla	t0, ext_handler
	csrw	stvec, t0
	li	t0, 1 << 9
	csrs	sie, t0				/* SEIE */
	csrsi	sstatus, 2
	bench	n_vext, b_vext
	lla	t0, ext_lat_handler
	csrw	stvec, t0
	bench	n_vext_lat, b_vext_lat
	csrci	sstatus, 2
	mv	s3, a5
	report	n_ext_count, s8
	report	n_ext_bad, a3
	lla	a0, n_lat
	call	puts
	li	a0, REPS
	call	puthex
	li	a0, ' '
	call	putc
	mv	a0, s3
	call	puthex
	li	a0, '\n'
	call	putc
	j	shutdown

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
b_ier_nop:
	sb	zero, 1(s10)		/* IER = 0, as it is */
	jr	s11
b_vext:
	sb	t2, 1(s10)		/* IER = ETBEI: THR-empty interrupt, taken here */
	jr	s11
b_vext_lat:
	rdtime	a4
	SUB_ON
	sb	t2, 1(s10)
	jr	s11

	.balign 4
timer_handler:
	csrw	0x14d, s7		/* ~0: no longer pending */
	addi	s8, s8, 1
	sret

	.balign 4
ext_lat_handler:
	SUB_OFF
	rdtime	t0
	sub	t0, t0, a4
	add	a5, a5, t0
ext_handler:
	lw	t0, 4(s6)		/* claim */
	sb	zero, 1(s10)		/* IER = 0: the UART lowers its line */
	sw	t0, 4(s6)		/* complete */
	addi	s8, s8, 1
	addi	t1, t0, -UART_IRQ
	snez	t1, t1
	add	a3, a3, t1
	sret

#include "benchlib.S"

n_sbi:		.asciz	"sbi"
n_mmio_ld:	.asciz	"mmio_ld"
n_mmio_st:	.asciz	"mmio_st"
n_timer:	.asciz	"timer"
n_timer_count:	.asciz	"TIMER "
n_ier_nop:	.asciz	"ier_nop"
n_vext:		.asciz	"vext"
n_vext_lat:	.asciz	"vext_lat"
n_ext_count:	.asciz	"EXT "
n_ext_bad:	.asciz	"EXT-BAD "
n_lat:		.asciz	"LAT vext_lat "
