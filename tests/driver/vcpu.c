/*
 * vCPU threads: DUVISOR_REGISTER_VCPU opens the calling thread's DV-Ext gate
 * (HU mode) with all HU state zeroed; the thread then programs its HU CSRs
 * directly with csrw and enters the guest through entry.S.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "csr.h"
#include "dv.h"

_Static_assert(offsetof(struct dv_ctx, x) == CTX_X(0), "ctx layout");
_Static_assert(offsetof(struct dv_ctx, host) == CTX_HOST(0), "ctx layout");
_Static_assert(offsetof(struct dv_ctx, pc) == CTX_PC, "ctx layout");
_Static_assert(offsetof(struct dv_ctx, hustatus) == CTX_HUSTATUS, "ctx layout");
_Static_assert(offsetof(struct dv_ctx, ucause) == CTX_UCAUSE, "ctx layout");
_Static_assert(offsetof(struct dv_ctx, utval) == CTX_UTVAL, "ctx layout");
_Static_assert(offsetof(struct dv_ctx, hutval) == CTX_HUTVAL, "ctx layout");
_Static_assert(offsetof(struct dv_ctx, hutinst) == CTX_HUTINST, "ctx layout");
_Static_assert(offsetof(struct dv_ctx, exit_hustatus) == CTX_XSTATUS, "ctx layout");
_Static_assert(sizeof(struct dv_ctx) == CTX_SIZE, "ctx layout");

#define ALTSTACK_SIZE (64UL << 10)

/*
 * A signal for a thread interrupted in its guest is delivered after a
 * forced exit, with sp (and every other register) still the guest's: the
 * handler can only run on an alternate stack (docs/driver-abi.md, Signals).
 * Every vCPU thread gets one.
 */
static int install_altstack(struct dv_vcpu *v)
{
	v->altstack = malloc(ALTSTACK_SIZE);
	if (!v->altstack)
		return dv_set_error("malloc altstack");
	stack_t ss = {.ss_sp = v->altstack, .ss_size = ALTSTACK_SIZE, .ss_flags = 0};
	if (sigaltstack(&ss, NULL) < 0)
		return dv_set_error("sigaltstack: %s", strerror(errno));
	return 0;
}

void dv_set_entry(struct dv_vcpu *v, uint64_t gpa)
{
	v->ctx.pc = gpa;
}

int dv_vcpu_init(struct dv_vcpu *v, struct dv_vm *vm, uint32_t index, uint64_t entry_gpa)
{
	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->index = index;
	if (install_altstack(v) < 0)
		return -1;

	struct duvisor_vcpu reg = {.index = index};
	if (ioctl(vm->fd, DUVISOR_REGISTER_VCPU, &reg) < 0)
		return dv_set_error("REGISTER_VCPU %u: %s", index, strerror(errno));
	v->doorbell = reg.doorbell;

	/* The thread is in HU mode now. G-stage root, then the guest's VS
	 * state: bare VS-stage translation, its trap vector. */
	csr_write(CSR_HUGATP, dv_hugatp(vm));
	csr_write(CSR_HUVSATP, 0);
	csr_write(CSR_HUVSSTATUS, 0);
	csr_write(CSR_HUVSIE, 0);
	csr_write(CSR_HUVSTVEC, GPA_OF(g_trap));
	csr_write(CSR_HUVSSCRATCH, 0);
	/* Guest may read cycle, time and instret; no time offset; no U
	 * interrupts enabled. */
	csr_write(CSR_HUCOUNTEREN, 7);
	csr_write(CSR_HUTIMEDELTA, 0);
	csr_write(CSR_HUENVCFG, 0);
	csr_write(CSR_HUIE, 0);
	hufence_gvma_all();

	/* HURET enters VS mode (UPV = 1, UPVP = 1) at the entry point. */
	v->ctx.hustatus = HUSTATUS_UPV | HUSTATUS_UPVP;
	v->ctx.pc = entry_gpa;
	return 0;
}

int dv_vcpu_fini(struct dv_vcpu *v)
{
	int r = ioctl(v->vm->fd, DUVISOR_UNREGISTER_VCPU);
	if (r < 0)
		dv_set_error("UNREGISTER_VCPU: %s", strerror(errno));
	/* The alternate stack stays installed: a signal could still be in
	 * flight for this thread. It is freed with the thread. */
	return r;
}

uint64_t dv_run(struct dv_vcpu *v)
{
	return dv_enter(&v->ctx);
}

const char *dv_cause_name(uint64_t cause)
{
	if (cause == DUVISOR_CAUSE_HOST_EXIT)
		return "host exit";
	switch (cause) {
	case CAUSE_FETCH_ACCESS:
		return "instruction access fault";
	case CAUSE_LOAD_ACCESS:
		return "load access fault";
	case CAUSE_STORE_ACCESS:
		return "store access fault";
	case CAUSE_VS_ECALL:
		return "ecall from VS";
	case CAUSE_FETCH_GPF:
		return "instruction guest page fault";
	case CAUSE_LOAD_GPF:
		return "load guest page fault";
	case CAUSE_VIRTUAL_INSN:
		return "virtual instruction";
	case CAUSE_STORE_GPF:
		return "store guest page fault";
	}
	return "other";
}

/* "ucause 21 (load guest page fault) pc 0x80000010 utval ... a7 ..." */
const char *dv_exit_str(struct dv_vcpu *v)
{
	static __thread char buf[192];
	const struct dv_ctx *c = &v->ctx;
	snprintf(buf, sizeof(buf),
		 "ucause 0x%lx (%s) pc 0x%lx utval 0x%lx hutval 0x%lx hutinst 0x%lx a7 %lu",
		 (unsigned long)c->ucause, dv_cause_name(c->ucause), (unsigned long)c->pc,
		 (unsigned long)c->utval, (unsigned long)c->hutval, (unsigned long)c->hutinst,
		 (unsigned long)c->x[R_A7]);
	return buf;
}

/*
 * Run until the guest makes a GFN_DONE ecall, answering GFN_TICK and
 * GFN_CHECK ecalls by skipping them. Any other exit, or more than
 * max_exits exits, is an error (described by dv_error()).
 */
int dv_run_to_done(struct dv_vcpu *v, unsigned long max_exits)
{
	for (unsigned long n = 0; n < max_exits; n++) {
		uint64_t cause = dv_run(v);
		if (cause != CAUSE_VS_ECALL)
			return dv_set_error("unexpected exit: %s", dv_exit_str(v));
		uint64_t fn = v->ctx.x[R_A7];
		v->ctx.pc += 4;
		if (fn == GFN_DONE)
			return 0;
		if (fn != GFN_TICK && fn != GFN_CHECK)
			return dv_set_error("unexpected ecall: %s", dv_exit_str(v));
	}
	return dv_set_error("no GFN_DONE after %lu exits", max_exits);
}
