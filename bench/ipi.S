/*
 * Virtual IPI guest, two vCPUs (bench.h): vCPU 0 starts vCPU 1 (SBI HSM
 * hart_start), then times round trips:
 *
 * - loop:     the empty loop;
 * - ipi_wfi:  vCPU 0 sends vCPU 1 an IPI (SBI IPI send_ipi) and waits in
 *             WFI; vCPU 1, waiting in WFI, takes the supervisor software
 *             interrupt (sie.SSIE; its handler clears sip.SSIP) and sends
 *             one back from its handler; vCPU 0 takes it the same way: one
 *             repetition is one round trip, two IPIs (IPI_REPS of them);
 * - ipi_busy: the same with vCPU 1 spinning with interrupts enabled
 *             instead of waiting in WFI (IPI_BUSY_REPS round trips);
 * - ipi_poll: both spin: vCPU 1 as in ipi_busy, vCPU 0 polls for the
 *             answer with interrupts enabled instead of waiting in WFI
 *             (IPI_BUSY_REPS round trips).
 *
 * In ipi_wfi and ipi_busy vCPU 0 checks for its answer and enters WFI with
 * sstatus.SIE clear (WFI still wakes on an interrupt enabled in sie), then
 * opens SIE to take it: an answer that comes before the WFI is not lost.
 * Its handler counts the IPIs it got ("IPIS <count>"). Before the first
 * round trip vCPU 0 says "PIN-ME" and waits for a byte on the UART:
 * bench.py sends it once it has pinned each vCPU's thread to a hart of its
 * own. The spin loops are
 * functions of their own, h0_spin and h1_spin, one instruction each, for
 * the breakdown to tell the spinning from the work.
 */
#include "bench.h"

#define IPI_REPS	10000
#define IPI_BUSY_REPS	200

	.section .text
	.option norelax
#include "imghdr.S"

entry:
	li	s8, 0			/* IPIs vCPU 0 took */
	li	s6, 0			/* IPIs vCPU 0 waited for */
	lla	t0, h0_handler
	csrw	stvec, t0
	li	t0, 1 << 1
	csrs	sie, t0			/* SSIE; sstatus.SIE stays 0 but to take one */
	li	a7, SBI_EXT_HSM
	li	a6, 0			/* hart_start(1, second, 0) */
	li	a0, 1
	lla	a1, second
	li	a2, 0
	ecall
	bnez	a0, fail
	lla	t0, ready
1:	ld	t1, 0(t0)
	beqz	t1, 1b
	/* the host pins the vCPU threads to harts, then sends a byte */
	lla	a0, n_pin_me
	call	puts
	li	t0, UART
2:	lbu	t1, 5(t0)		/* LSR.DR */
	andi	t1, t1, 1
	beqz	t1, 2b
	lbu	t1, 0(t0)		/* RBR */
	call	settle
	bench	n_loop, b_loop
	bench	n_ipi_wfi, b_ipi, IPI_REPS
	/* vCPU 1 spins from its next wake-up on: one round trip untimed */
	lla	t0, mode
	li	t1, 1
	sd	t1, 0(t0)
	jal	s11, b_ipi
	bench	n_ipi_busy, b_ipi, IPI_BUSY_REPS
	csrsi	sstatus, 2
	bench	n_ipi_poll, b_ipi_poll, IPI_BUSY_REPS
	csrci	sstatus, 2
	report	n_ipis, s8
	j	shutdown

/* One round trip */
b_ipi:
	addi	s6, s6, 1
	li	a7, SBI_EXT_IPI
	li	a6, 0			/* send_ipi(mask 1 << 1, base 0) */
	li	a0, 2
	li	a1, 0
	ecall
	bnez	a0, fail
1:	bge	s8, s6, 2f
	wfi
	csrsi	sstatus, 2		/* the IPI is taken here */
	csrci	sstatus, 2
	j	1b
2:	jr	s11

/* One round trip, polling for the answer with sstatus.SIE set */
b_ipi_poll:
	addi	s6, s6, 1
	li	a7, SBI_EXT_IPI
	li	a6, 0
	li	a0, 2
	li	a1, 0
	ecall
	bnez	a0, fail
h0_spin:
	blt	s8, s6, h0_spin
h0_answered:
	jr	s11

	.balign 4
h0_handler:
	csrci	sip, 2
	addi	s8, s8, 1
	sret

/* vCPU 1: answers each IPI from its handler; waits in WFI, or spins */
second:
	lla	t0, h1_handler
	csrw	stvec, t0
	li	t0, 1 << 1
	csrs	sie, t0
	csrsi	sstatus, 2
	lla	s6, mode
	lla	t0, ready
	li	t1, 1
	sd	t1, 0(t0)
h1_wait:
	ld	t0, 0(s6)
	bnez	t0, h1_spin
	wfi
	j	h1_wait
h1_spin:
	j	h1_spin

	.balign 4
h1_handler:
	csrci	sip, 2
	li	a7, SBI_EXT_IPI
	li	a6, 0			/* send_ipi(mask 1 << 0, base 0) */
	li	a0, 1
	li	a1, 0
	ecall
	sret

#include "benchlib.S"

n_ipi_wfi:	.asciz	"ipi_wfi"
n_ipi_busy:	.asciz	"ipi_busy"
n_ipi_poll:	.asciz	"ipi_poll"
n_pin_me:	.asciz	"PIN-ME\n"
n_ipis:		.asciz	"IPIS "
	.balign	8
ready:		.dword	0
mode:		.dword	0
