/*
 * Entry of the C test guests: a Linux Image header (so duvisor's loader
 * takes the image), a stack at the top of the first 64 MiB of RAM, then
 * main(); its return value is printed and the guest shuts down (SBI SRST).
 */
#define SBI_EXT_SRST	0x53525354

	.section .text.head, "ax"
	.option norvc
	.globl _start
_start:
	j	entry			/* code0 */
	.word	0			/* code1 */
	.dword	0x200000		/* text_offset */
	.dword	0x100000		/* image_size: 1 MiB, more than the program */
	.dword	0			/* flags: little-endian */
	.word	2			/* version 0.2 */
	.word	0
	.dword	0
	.ascii	"RISCV\0\0\0"		/* magic (deprecated) */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0

entry:
	li	sp, 0x84000000
	call	main
	li	a7, SBI_EXT_SRST
	li	a6, 0
	li	a0, 0			/* shutdown */
	li	a1, 0
	ecall
1:	j	1b
