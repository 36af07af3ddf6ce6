/*
 * A bare-metal guest that races its own page tables against duvisor's
 * instruction fetch. It maps one page of code at VA 0xc0000000 (Sv39),
 * jumps there, clears that page's PTE without an sfence.vma (its TLB
 * still runs the page), then loads from the UART. The load exits to
 * duvisor. On a hart that does not supply the transformed instruction
 * (htinst 0), duvisor reads it back through the guest's page tables (HLVX)
 * and finds it unmapped. duvisor must not die of that: it injects an
 * instruction page fault at the load, which the guest's trap handler
 * reports on the SBI console before it shuts down (exit 0). With htinst,
 * the load completes and the guest goes on (e2e_test.py runs both).
 */
#define SBI_EXT_SRST	0x53525354
#define UART_LSR	0x10000005
#define RACE_VA		0xc0000000
#define PTE_V		0x01
#define PTE_R		0x02
#define PTE_W		0x04
#define PTE_X		0x08
#define PTE_A		0x40
#define PTE_D		0x80
#define SATP_SV39	(8 << 60)

	.section .text
#include "imghdr.S"

entry:
	lla	t0, trap
	csrw	stvec, t0
	/* root[0]: 0-1 GiB (the UART) RW; root[2]: RAM identity RWX; root[3] -> l1 */
	lla	s0, root
	li	t0, (0x00000000 >> 2) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
	sd	t0, 0(s0)
	li	t0, (0x80000000 >> 2) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
	sd	t0, 16(s0)
	lla	t1, l1
	srli	t1, t1, 2
	ori	t1, t1, PTE_V
	sd	t1, 24(s0)
	/* l1[0] -> l0, l0[0] -> the race page, read+execute */
	lla	t1, l0
	srli	t1, t1, 2
	ori	t1, t1, PTE_V
	lla	t2, l1
	sd	t1, 0(t2)
	lla	t1, race
	srli	t1, t1, 2
	ori	t1, t1, PTE_V | PTE_R | PTE_X | PTE_A
	lla	s3, l0			/* s3: the PTE the race page clears */
	sd	t1, 0(s3)
	srli	t0, s0, 12
	li	t1, SATP_SV39
	or	t0, t0, t1
	csrw	satp, t0
	sfence.vma
	lla	s4, back		/* s4: where to come back (identity mapped) */
	li	t0, RACE_VA
	jr	t0

back:
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
	csrw	sepc, s4		/* the race page is gone: resume at back */
	sret

#include "sbicon.S"

msg_fault:
	.asciz	"GUEST-FAULT "

	/* The race page, run at RACE_VA: the load is at RACE_VA + 8 */
	.balign 4096
race:
	sd	zero, 0(s3)		/* unmap this very page; no sfence.vma */
	li	t1, UART_LSR
	lbu	t2, 0(t1)		/* exits to duvisor, which cannot fetch it */
	jr	s4			/* not reached: the fault handler resumes at back */

	.balign 4096
root:	.fill	512, 8, 0
l1:	.fill	512, 8, 0
l0:	.fill	512, 8, 0
