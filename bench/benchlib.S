/*
 * The timing loop, shutdown and console output of the benchmark guests
 * (bench.h); include it in .text after the guest's code.
 */

/* s5 x body (jalr to s1, which returns with jr s11), timed; s0 = name */
run:
	mv	s9, ra
	mv	s2, s5
	MARK_ON
	rdtime	s3
2:	jalr	s11, 0(s1)
	addi	s2, s2, -1
	bnez	s2, 2b
	rdtime	s4
	MARK_OFF
	lla	a0, n_bench
	call	puts
	mv	a0, s0
	call	puts
	li	a0, ' '
	call	putc
	mv	a0, s5
	call	puthex
	li	a0, ' '
	call	putc
	sub	a0, s4, s3
	call	puthex
	li	a0, '\n'
	call	putc
	mv	ra, s9
	ret

/*
 * Sleep SETTLE_TICKS of the guest's time in WFI (Sstc timer, interrupts
 * masked: WFI still wakes on it): the host gets to run whatever else is
 * runnable (duvisor's other threads finishing their set-up) before the
 * first timed loop instead of in it. Uses t0, t1.
 */
settle:
	rdtime	t0
	li	t1, SETTLE_TICKS
	add	t0, t0, t1
	csrw	0x14d, t0		/* stimecmp */
	li	t1, 1 << 5
	csrs	sie, t1			/* STIE, with sstatus.SIE clear */
1:	wfi
	rdtime	t1
	bltu	t1, t0, 1b
	li	t1, -1
	csrw	0x14d, t1
	li	t1, 1 << 5
	csrc	sie, t1
	ret

/* The empty body: the floor every figure has subtracted */
b_loop:
	jr	s11

/* SBI SRST system_reset(shutdown): duvisor exits 0 */
shutdown:
	li	a7, SBI_EXT_SRST
	li	a6, 0
	li	a0, 0
	li	a1, 0
	ecall
1:	j	1b

fail:
	lla	a0, n_fail
	call	puts
	j	shutdown

#include "sbicon.S"

n_bench:	.asciz	"BENCH "
n_fail:		.asciz	"BENCH-FAILED\n"
n_loop:		.asciz	"loop"
	.balign	8
