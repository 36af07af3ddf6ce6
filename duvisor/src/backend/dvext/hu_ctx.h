/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The context a vCPU thread enters its guest with and finds its exit in.
 * Shared between C and entry.S, hence the offsets.
 */
#ifndef DV_HU_CTX_H
#define DV_HU_CTX_H

#define HU_CTX_HOST(n)	((n)*8)	      /* ra sp gp tp s0..s11 */
#define HU_CTX_X(n)	(128 + (n)*8) /* guest x0..x31 */
#define HU_CTX_F(n)	(384 + (n)*8) /* guest f0..f31 */
#define HU_CTX_FCSR	640
#define HU_CTX_PC	648
#define HU_CTX_HUSTATUS 656
#define HU_CTX_UCAUSE	664
#define HU_CTX_UTVAL	672
#define HU_CTX_HUTVAL	680
#define HU_CTX_HUTINST	688
#define HU_CTX_SIZE	696

#ifndef __ASSEMBLER__
#include <stdint.h>

struct hu_ctx {
	uint64_t host[16];
	uint64_t x[32];
	uint64_t f[32];
	uint64_t fcsr;
	uint64_t pc;
	uint64_t hustatus;
	uint64_t ucause, utval, hutval, hutinst;
};

_Static_assert(sizeof(struct hu_ctx) == HU_CTX_SIZE, "hu_ctx layout");

/* Enter the guest at ctx->pc; returns ucause of the exit. */
uint64_t hu_enter(struct hu_ctx *ctx);
#endif

#endif /* DV_HU_CTX_H */
