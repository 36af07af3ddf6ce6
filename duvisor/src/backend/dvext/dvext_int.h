/* SPDX-License-Identifier: GPL-2.0-only */
/* The dvext backend's own state, shared by its files (not the core's). */
#ifndef DV_DVEXT_INT_H
#define DV_DVEXT_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/backend.h"
#include "util/insn.h"
#include "util/lock.h"
#include "hu_ctx.h"
#include "stage2.h"

struct dv_exit;
struct dv_vcpu;

#define INSN_WFI 0x10500073u

enum {
	EXC_INST_ACCESS = 1,
	EXC_LOAD_ACCESS = 5,
	EXC_STORE_ACCESS = 7,
	EXC_VS_ECALL = 10,
	EXC_INST_PAGE_FAULT = 12,
	EXC_INST_GUEST_PAGE_FAULT = 20,
	EXC_LOAD_GUEST_PAGE_FAULT = 21,
	EXC_VIRTUAL_INST = 22,
	EXC_STORE_GUEST_PAGE_FAULT = 23,
};
#define CAUSE_IRQ (1ULL << 63)

extern const char dvext_hlvx[]; /* the HLVX in dvext_fetch16() */

struct dvext_vm {
	int fd;
	void *pt;
	struct dv_stage2 s2;
	/* --memory-prefault off: RAM is mapped page by page as the guest touches it */
	bool lazy;
	uint64_t ram_hpa, ram_size;
	struct dv_lock s2_lock; /* vCPU threads map concurrently */
	uint64_t time_delta;	/* hutimedelta, as vCPU 0 set it (restore) */
};

struct dvext_vcpu {
	struct hu_ctx ctx; /* first: entry.S hands dvext_exit_inline() &ctx */
	struct dv_vcpu *vcpu;
	uint32_t doorbell;
	struct dv_mem_access acc; /* of the last MMIO exit, to complete it */
	struct dv_exit exit;	  /* the last exit */
	bool vseip;		  /* what huvip.VSEIP was last set to */
};

_Static_assert(__builtin_offsetof(struct dvext_vcpu, ctx) == 0, "ctx first");

/* dvext_exit.c: entering the guest and finishing its exits */
int dvext_exit_inline(struct hu_ctx *ctx); /* from entry.S */
int dvext_vcpu_run(struct dv_vcpu *vcpu, struct dv_exit *exit);
uint64_t dvext_get_reg(struct dv_vcpu *vcpu, unsigned int n);
void dvext_set_reg(struct dv_vcpu *vcpu, unsigned int n, uint64_t val);
void dvext_sbi_done(struct dv_vcpu *vcpu, int64_t error, int64_t value, bool legacy);
void dvext_mmio_done(struct dv_vcpu *vcpu, const struct dv_exit *exit, uint64_t value);
void dvext_inject_exception(struct dv_vcpu *vcpu, uint64_t cause, uint64_t tval);

#endif /* DV_DVEXT_INT_H */
