/*
 * The vCPU context that entry.S and C share: the guest's general registers
 * while the host runs, the host's callee-saved registers while the guest
 * runs, and the exit record. entry.S reaches it through uscratch, the only
 * register it can use at utvec without destroying a guest register.
 *
 * Offsets are fixed here for the assembler; vcpu.c checks them against the
 * C struct with _Static_assert.
 */
#ifndef DRIVER_CTX_H
#define DRIVER_CTX_H

#define CTX_X(n)      (8 * (n))	      /* guest x0..x31 (x0 unused) */
#define CTX_HOST(n)   (256 + 8 * (n)) /* host ra, sp, gp, tp, s0..s11 */
#define CTX_HOST_REGS 16
#define CTX_PC	      384 /* in: where HURET enters (uepc); out: exit pc */
#define CTX_HUSTATUS  392 /* in: hustatus for the entry (UPV, UPVP, VTW...) */
#define CTX_UCAUSE    400 /* out: the exit record */
#define CTX_UTVAL     408
#define CTX_HUTVAL    416
#define CTX_HUTINST   424
#define CTX_XSTATUS   432 /* out: hustatus at the exit (UPV, UPVP, GVA) */
#define CTX_SIZE      440

#ifndef __ASSEMBLER__
#include <stdint.h>

struct dv_ctx {
	uint64_t x[32];
	uint64_t host[CTX_HOST_REGS];
	uint64_t pc;
	uint64_t hustatus;
	uint64_t ucause;
	uint64_t utval;
	uint64_t hutval;
	uint64_t hutinst;
	uint64_t exit_hustatus;
};

/* Enter the guest at ctx->pc; return at its next exit with the guest's
 * registers and the exit record in ctx. Returns ucause. (entry.S) */
uint64_t dv_enter(struct dv_ctx *ctx);
#endif

#endif
