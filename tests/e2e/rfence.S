/*
 * A bare-metal guest whose two harts fence each other through SBI at the
 * same time, many times over (as a Linux guest does when both its CPUs
 * flush TLBs): hart 0 starts hart 1 (SBI HSM), then both call
 * remote_sfence_vma on the other ROUNDS times. duvisor must finish every
 * call: each hart is then in its own SBI call, outside its guest, and
 * neither may wait for the other to take the fence first. Hart 0 reports
 * the rounds both harts completed and shuts down (exit 0).
 */
#define SBI_EXT_HSM	0x48534d
#define SBI_EXT_RFENCE	0x52464e43
#define SBI_EXT_SRST	0x53525354
#define ROUNDS		20000

	.section .text
	.option norelax		/* no gp, and data aligned among the code */
#include "imghdr.S"

entry:
	/* hart 0: start hart 1 at second, then fence it */
	li	a7, SBI_EXT_HSM
	li	a6, 0			/* hart_start */
	li	a0, 1
	lla	a1, second
	li	a2, 0
	ecall
	bnez	a0, fail
	li	s1, 2			/* hart 1's mask */
	lla	s2, done0
	call	rounds
	/* wait for hart 1 to finish its rounds too */
	lla	t0, done1
1:	ld	t1, 0(t0)
	beqz	t1, 1b
	lla	a0, msg_done
	call	puts
	lla	t0, done0
	ld	a0, 0(t0)
	lla	t0, done1
	ld	t1, 0(t0)
	add	a0, a0, t1
	call	puthex
	li	a0, '\n'
	call	putc
	j	shutdown

second:
	li	s1, 1			/* hart 0's mask */
	lla	s2, done1
	call	rounds
2:	wfi
	j	2b

/* ROUNDS x remote_sfence_vma(mask s1, base 0, all); then *s2 = rounds done */
rounds:
	mv	s5, ra
	li	s3, 0
	li	s4, ROUNDS
3:	li	a7, SBI_EXT_RFENCE
	li	a6, 1			/* remote_sfence_vma */
	mv	a0, s1
	li	a1, 0
	li	a2, 0
	li	a3, -1
	ecall
	bnez	a0, fail
	addi	s3, s3, 1
	blt	s3, s4, 3b
	fence
	sd	s3, 0(s2)
	mv	ra, s5
	ret

fail:
	lla	a0, msg_fail
	call	puts
shutdown:
	li	a7, SBI_EXT_SRST
	li	a6, 0
	li	a0, 0			/* shutdown */
	li	a1, 0
	ecall
4:	j	4b

#include "sbicon.S"

msg_done:
	.asciz	"RFENCE-ROUNDS "
msg_fail:
	.asciz	"RFENCE-FAILED\n"

	.balign 8
done0:	.dword	0
done1:	.dword	0
