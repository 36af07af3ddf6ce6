/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The context a vCPU thread enters its guest with and finds its exit in.
 * Shared between C and entry.S, hence the offsets. The guest's FP state is
 * not here: it lives in the vCPU thread's FP registers (entry.S).
 */
#ifndef DV_HU_CTX_H
#define DV_HU_CTX_H

#define HU_CTX_HOST(n)	((n)*8)	      /* ra sp gp tp s0..s11 */
#define HU_CTX_X(n)	(128 + (n)*8) /* guest x0..x31 */
#define HU_CTX_PC	384
#define HU_CTX_HUSTATUS 392
#define HU_CTX_UCAUSE	400
#define HU_CTX_UTVAL	408
#define HU_CTX_HUTVAL	416
#define HU_CTX_HUTINST	424
#define HU_CTX_SIZE	432

#ifndef __ASSEMBLER__
#include <stdint.h>

struct hu_ctx {
	uint64_t host[16];
	uint64_t x[32];
	uint64_t pc;
	uint64_t hustatus;
	uint64_t ucause, utval, hutval, hutinst;
};

_Static_assert(sizeof(struct hu_ctx) == HU_CTX_SIZE, "hu_ctx layout");

/* Enter the guest at ctx->pc; returns ucause of the exit. */
uint64_t hu_enter(struct hu_ctx *ctx);
/* The calling thread's FP registers (the guest's) as after a reset */
void hu_fp_reset(void);
/* The calling thread's FP registers (the guest's) to or from f[0..31], fcsr in f[32] */
void hu_fp_save(uint64_t *f);
void hu_fp_load(const uint64_t *f);
#endif

#endif /* DV_HU_CTX_H */
