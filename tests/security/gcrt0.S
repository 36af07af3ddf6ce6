/*
 * Entry of the security suite's bare-metal guests: a Linux Image header
 * (so duvisor's loader takes the image), a stack below the image, main();
 * when it returns the guest shuts down (SBI SRST): duvisor exits 0.
 */
#define SBI_EXT_SRST	0x53525354

	.section .text.head, "ax"
#define IMAGE_SIZE	0x100000	/* 1 MiB, more than the program */
#include "imghdr.S"			/* tests/e2e's */

entry:
	li	sp, 0x80200000		/* the image is at RAM + 2 MiB */
	call	main
	li	a7, SBI_EXT_SRST
	li	a6, 0
	li	a0, 0			/* shutdown */
	li	a1, 0
	ecall
1:	j	1b
