/*
 * Console output for the bare-metal test guests, through the SBI v0.1
 * console_putchar, which both backends offer (KVM in Linux 6.1 forwards it
 * to duvisor but answers DBCN itself, with NOT_SUPPORTED): putc(a0),
 * puts(a0 = string), puthex(a0). They use a0, a6, a7 and t3-t6; include
 * it in .text.
 */
#define SBI_LEGACY_PUTCHAR	1
/* SBI console_putchar(a0) */
putc:
	li	a7, SBI_LEGACY_PUTCHAR
	li	a6, 0
	ecall
	ret

puts:
	mv	t3, ra
	mv	t4, a0
2:	lbu	a0, 0(t4)
	beqz	a0, 3f
	call	putc
	addi	t4, t4, 1
	j	2b
3:	mv	ra, t3
	ret

/* 16 hex digits of a0 */
puthex:
	mv	t3, ra
	mv	t4, a0
	li	t5, 60
4:	srl	a0, t4, t5
	andi	a0, a0, 15
	li	t6, 10
	blt	a0, t6, 5f
	addi	a0, a0, 'a' - 10 - '0'
5:	addi	a0, a0, '0'
	call	putc
	addi	t5, t5, -4
	bgez	t5, 4b
	mv	ra, t3
	ret
