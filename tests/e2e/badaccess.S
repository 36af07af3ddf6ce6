/*
 * A bare-metal guest for duvisor that touches guest-physical addresses
 * where there is neither RAM nor a device. duvisor must inject access
 * faults into the guest (and keep running); the guest's trap handler
 * reports each fault on the SBI console and finally shuts down through
 * SBI SRST, so duvisor exits 0.
 */
#define UNMAPPED	0x20000000
#define SBI_EXT_SRST	0x53525354

	.section .text
#include "imghdr.S"

entry:
	lla	t0, trap
	csrw	stvec, t0
	li	s0, 0			/* faults seen */
	li	t1, UNMAPPED
	ld	t2, 0(t1)		/* load access fault expected */
	li	t1, UNMAPPED + 8
	sd	t2, 0(t1)		/* store access fault expected */
	/* both came back: done */
	li	a7, SBI_EXT_SRST
	li	a6, 0
	li	a0, 0			/* shutdown */
	li	a1, 0
	ecall
1:	j	1b

	.balign 4
trap:
	csrr	s1, scause
	csrr	s2, stval
	lla	a0, msg_fault
	call	puts
	mv	a0, s1
	call	puthex
	li	a0, ' '
	call	putc
	mv	a0, s2
	call	puthex
	li	a0, '\n'
	call	putc
	addi	s0, s0, 1
	csrr	t0, sepc
	addi	t0, t0, 4		/* skip the faulting ld/sd */
	csrw	sepc, t0
	sret

#include "sbicon.S"

	/* data lives in .text too: the image is one flat piece */
msg_fault:
	.asciz	"GUEST-FAULT "
