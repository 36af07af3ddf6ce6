/*
 * A bare-metal guest checking its timer's pending bit, sip.STIP, through
 * SBI TIME as the SBI spec has it: set_timer clears the pending timer
 * interrupt and sets the next deadline, so a deadline already past reads
 * pending at once. It calls set_timer(0) and reads sip.STIP = 1, takes the
 * timer interrupt and reads STIP = 1 in its handler, which calls
 * set_timer(-1) and reads STIP = 0; then a deadline 100 ms ahead reads 0
 * at first and 1 once it has passed (the guest polls sip with interrupts
 * off), and set_timer(-1) clears it again. Each case prints
 * "SBITIME <case> ok|FAIL <value>", then "SBITIME-DONE <failures>" and the
 * guest shuts down (exit 0). QEMU 7.2 showed a VS-mode guest only sip.SSIP
 * (QEMU patch 0001): every STIP read was 0 there, on both backends.
 */
#define SBI_EXT_TIME	0x54494d45
#define SBI_EXT_SRST	0x53525354
#define STIP		(1 << 5)
#define SIE_BIT		(1 << 1)	/* sstatus.SIE */
#define IRQ_S_TIMER	((1 << 63) | 5)
#define TICKS_MS	10000		/* 10 MHz timebase */
#define AHEAD		(100 * TICKS_MS)
#define WAIT_MAX	(5000 * TICKS_MS)

/* the handler's record (offsets in hrec) */
#define H_SAVE		0		/* a0, a1, a6, a7, t1 */
#define H_CAUSE		40
#define H_SIP		48
#define H_ERR		56
#define H_SIP_AFTER	64
#define H_COUNT		72

	.section .text
	.option norelax		/* no gp, and data aligned among the code */
#include "imghdr.S"

/* SBI set_timer(a0): a0 = SBI error; clobbers a1, a6, a7 */
.macro set_timer
	li	a7, SBI_EXT_TIME
	li	a6, 0
	ecall
.endm

entry:
	csrci	sstatus, SIE_BIT
	csrw	sie, zero
	lla	t0, handler
	csrw	stvec, t0
	lla	t0, hrec
	csrw	sscratch, t0
	li	s0, 0			/* failures */

	/* set_timer(0): a past deadline is pending at once */
	li	a0, 0
	set_timer
	csrr	s1, sip
	andi	t0, s1, STIP
	snez	a1, t0
	seqz	t1, a0
	and	a1, a1, t1
	lla	a0, c_set0
	mv	a2, s1
	call	report

	/* take it: one interrupt, scause = S timer */
	li	t0, STIP
	csrs	sie, t0
	csrsi	sstatus, SIE_BIT
	rdtime	s2
	li	t0, WAIT_MAX
	add	s2, s2, t0
	lla	s3, hrec
1:	ld	t0, H_COUNT(s3)
	bnez	t0, 2f
	rdtime	t1
	bltu	t1, s2, 1b
2:	csrci	sstatus, SIE_BIT
	ld	t0, H_COUNT(s3)
	ld	a2, H_CAUSE(s3)
	li	t1, IRQ_S_TIMER
	xor	t1, t1, a2
	seqz	t1, t1
	addi	t0, t0, -1
	seqz	a1, t0
	and	a1, a1, t1
	lla	a0, c_taken
	call	report

	/* the handler read STIP = 1 */
	ld	a2, H_SIP(s3)
	andi	a1, a2, STIP
	snez	a1, a1
	lla	a0, c_hstip
	call	report

	/* ...and 0 after its set_timer(-1) */
	ld	a2, H_SIP_AFTER(s3)
	ld	t1, H_ERR(s3)
	andi	a1, a2, STIP
	or	a1, a1, t1
	seqz	a1, a1
	lla	a0, c_hclear
	call	report

	/* a deadline ahead: not pending yet */
	rdtime	a0
	li	t0, AHEAD
	add	a0, a0, t0
	set_timer
	mv	s4, a0
	csrr	a2, sip
	andi	a1, a2, STIP
	or	a1, a1, s4
	seqz	a1, a1
	lla	a0, c_ahead
	call	report

	/* ...pending once it has passed (polled, interrupts off) */
	rdtime	s2
	li	t0, WAIT_MAX
	add	s2, s2, t0
3:	csrr	s1, sip
	andi	t0, s1, STIP
	bnez	t0, 4f
	rdtime	t1
	bltu	t1, s2, 3b
4:	andi	a1, s1, STIP
	snez	a1, a1
	mv	a2, s1
	lla	a0, c_passed
	call	report

	/* set_timer(-1) clears it at once */
	li	a0, -1
	set_timer
	mv	s4, a0
	csrr	a2, sip
	andi	a1, a2, STIP
	or	a1, a1, s4
	seqz	a1, a1
	lla	a0, c_clear
	call	report

	lla	a0, msg_done
	call	puts
	mv	a0, s0
	call	puthex
	li	a0, '\n'
	call	putc
	li	a7, SBI_EXT_SRST
	li	a6, 0
	li	a0, 0			/* shutdown */
	li	a1, 0
	ecall
5:	j	5b

/* "SBITIME <a0> ok|FAIL <a2>\n", a1 = ok; counts failures in s0 */
report:
	mv	s11, ra
	mv	s9, a1
	mv	s10, a2
	mv	s8, a0
	lla	a0, msg_tag
	call	puts
	mv	a0, s8
	call	puts
	lla	a0, msg_ok
	bnez	s9, 6f
	addi	s0, s0, 1
	lla	a0, msg_fail
6:	call	puts
	mv	a0, s10
	call	puthex
	li	a0, '\n'
	call	putc
	mv	ra, s11
	ret

/* The timer interrupt: record scause and sip, set_timer(-1), record sip
 * again, then mask the timer in sie whatever happened. */
	.balign 4
handler:
	csrrw	t0, sscratch, t0
	sd	a0, H_SAVE + 0(t0)
	sd	a1, H_SAVE + 8(t0)
	sd	a6, H_SAVE + 16(t0)
	sd	a7, H_SAVE + 24(t0)
	sd	t1, H_SAVE + 32(t0)
	csrr	t1, scause
	sd	t1, H_CAUSE(t0)
	csrr	t1, sip
	sd	t1, H_SIP(t0)
	li	a0, -1
	set_timer
	sd	a0, H_ERR(t0)
	csrr	t1, sip
	sd	t1, H_SIP_AFTER(t0)
	ld	t1, H_COUNT(t0)
	addi	t1, t1, 1
	sd	t1, H_COUNT(t0)
	li	t1, STIP
	csrc	sie, t1
	ld	a0, H_SAVE + 0(t0)
	ld	a1, H_SAVE + 8(t0)
	ld	a6, H_SAVE + 16(t0)
	ld	a7, H_SAVE + 24(t0)
	ld	t1, H_SAVE + 32(t0)
	csrrw	t0, sscratch, t0
	sret

#include "sbicon.S"

msg_tag:	.asciz	"SBITIME "
msg_ok:		.asciz	" ok "
msg_fail:	.asciz	" FAIL "
msg_done:	.asciz	"SBITIME-DONE "
c_set0:		.asciz	"set-timer-0-pending"
c_taken:	.asciz	"irq-taken-once"
c_hstip:	.asciz	"handler-sees-stip"
c_hclear:	.asciz	"handler-set-timer-max-clears"
c_ahead:	.asciz	"deadline-ahead-not-pending"
c_passed:	.asciz	"deadline-passed-pending"
c_clear:	.asciz	"set-timer-max-clears"

	.balign 8
hrec:	.zero	80
