/*
 * huret_stay(): HURET with hustatus.UPV = 0 and UPVP = 1. In the original
 * DuVisor model that returned to HS mode - a user process made itself the
 * kernel. DV-Ext's HURET stays in HU mode when UPV = 0 (R-HURET-1, R-HURET-2):
 * execution continues at uepc in U, where reading sstatus is an illegal
 * instruction. Returns only if the read worked, i.e. the hart escalated.
 */
#include "csr.h"

	.option norvc
	.text
	.globl huret_stay
	.balign 4
huret_stay:
	lla	t0, 1f
	csrw	CSR_UEPC, t0
	li	t0, 0x100 /* UPVP = 1, UPV = 0 */
	csrw	CSR_HUSTATUS, t0
	.word	INSN_HURET
1:	csrr	a0, sstatus
	ret
