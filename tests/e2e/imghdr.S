/*
 * The Linux Image header duvisor's loader takes, for the bare-metal test
 * guests: include it first in their first text section; execution starts
 * at their label "entry". IMAGE_SIZE (default 64 KiB) must cover the image
 * and what it uses past its end.
 */
#ifndef IMAGE_SIZE
#define IMAGE_SIZE	0x10000
#endif
	.option norvc
	.globl _start
_start:
	j	entry			/* code0 */
	.word	0			/* code1 */
	.dword	0x200000		/* text_offset */
	.dword	IMAGE_SIZE		/* image_size */
	.dword	0			/* flags: little-endian */
	.word	2			/* version 0.2 */
	.word	0
	.dword	0
	.ascii	"RISCV\0\0\0"		/* magic (deprecated) */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0
