/*
 * Entry of the C test guests: a Linux Image header (so duvisor's loader
 * takes the image), a stack at the top of the first 64 MiB of RAM, then
 * main(); when it returns the guest shuts down (SBI SRST).
 */
#define SBI_EXT_SRST	0x53525354

	.section .text.head, "ax"
#define IMAGE_SIZE	0x100000	/* 1 MiB, more than the program */
#include "imghdr.S"

entry:
	li	sp, 0x84000000
	call	main
	li	a7, SBI_EXT_SRST
	li	a6, 0
	li	a0, 0			/* shutdown */
	li	a1, 0
	ecall
1:	j	1b
