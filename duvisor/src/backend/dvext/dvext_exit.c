// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dvext backend's exit path: enter the guest with HURET (entry.S),
 * turn the HU trap into an exit for the core, and finish it.
 */
#include <errno.h>
#include <linux/duvisor.h>
#include <stdatomic.h>
#include <string.h>

#include "vmm/exit.h"
#include "vmm/vm.h"
#include "backend/backend.h"
#include "csr.h"
#include "dvext_int.h"
#include "vmm/faults.h"

/* Apply what other threads posted, just before entering the guest */
static void dvext_take_events(struct dv_vcpu *vcpu)
{
	struct dvext_vcpu *v = vcpu->backend;
	bool ext_irq = atomic_load(&vcpu->ext_irq);
	unsigned int ev;

	/* Nothing posted (most entries): no atomic read-modify-write */
	if (atomic_load_explicit(&vcpu->events, memory_order_relaxed) &
	    (DV_EV_IPI | DV_EV_FENCE_I | DV_EV_FENCE_VMA)) {
		ev =
		    atomic_fetch_and(&vcpu->events, ~(DV_EV_IPI | DV_EV_FENCE_I | DV_EV_FENCE_VMA));
		if (ev & DV_EV_IPI)
			csr_set(CSR_HUVIP, HVIP_VSSIP); /* the guest clears it through sip */
		if (ev & DV_EV_FENCE_I)
			__asm__ __volatile__("fence.i" ::: "memory");
		if (ev & DV_EV_FENCE_VMA)
			hufence_vvma_all();
	}
	/* The line as the PLIC drives it; huvip.VSEIP is only ours to write */
	if (ext_irq != v->vseip) {
		if (ext_irq)
			csr_set(CSR_HUVIP, HVIP_VSEIP);
		else
			csr_clear(CSR_HUVIP, HVIP_VSEIP);
		v->vseip = ext_irq;
	}
}

/*
 * Read a 16-bit parcel of the guest's code (HLVX.HU at the guest's
 * privilege). The guest may have unmapped it since it ran it (its TLB still
 * held the page): then the kernel sends SIGSEGV for the HLVX, and the fixup
 * registered in dvext_vm_init() sets the flag (a1) and skips the HLVX.
 */
static __attribute__((noinline, noclone)) uint32_t dvext_fetch16(uint64_t gva, bool *fault)
{
	register unsigned long v __asm__("a0") = 0;
	register unsigned long flag __asm__("a1") = 0;

	__asm__ __volatile__(".globl dvext_hlvx\n"
			     "dvext_hlvx:\n\t"
			     ".insn r 0x73, 0x4, 0x32, %0, %2, x3"
			     : "+r"(v), "+r"(flag)
			     : "r"(gva)
			     : "memory");
	*fault = flag != 0;
	return (uint32_t)v;
}

/* 0 decoded, -EINVAL not a load/store we emulate, -EFAULT the code is gone (fault_va) */
static int dvext_decode_fault(struct dvext_vcpu *v, struct dv_exit *exit, uint64_t *fault_va)
{
	uint32_t insn;
	bool fault;

	if (v->ctx.hutinst && !dv_decode_htinst(v->ctx.hutinst, &v->acc))
		return 0;
	*fault_va = v->ctx.pc;
	insn = dvext_fetch16(v->ctx.pc, &fault);
	if (!fault && (insn & 3) == 3) {
		*fault_va = v->ctx.pc + 2;
		insn |= dvext_fetch16(v->ctx.pc + 2, &fault) << 16;
	}
	if (fault)
		return -EFAULT;
	exit->other.insn = insn;
	return dv_decode_mem(insn, &v->acc);
}

/* The exit in v->ctx, as the core sees one */
static void dvext_decode_exit(struct dvext_vcpu *v, struct dv_exit *exit)
{
	uint64_t cause = v->ctx.ucause, fault_va;
	const uint64_t *x = v->ctx.x;
	int rc;

	exit->pc = v->ctx.pc;
	if (cause == DUVISOR_CAUSE_HOST_EXIT) {
		exit->reason = DV_VMEXIT_HOST;
		return;
	}
	if (cause & CAUSE_IRQ) {
		/* A doorbell: another thread posted events for this vCPU */
		csr_clear(CSR_HUIP, HUIP_USIP);
		exit->reason = DV_VMEXIT_KICK;
		return;
	}
	switch (cause) {
	case EXC_VS_ECALL:
		exit->reason = DV_VMEXIT_SBI;
		exit->sbi.ext = x[17];
		exit->sbi.fid = x[16];
		/* a0..a5, one by one: a memcpy call costs more than the exit's dispatch */
		exit->sbi.args[0] = x[10];
		exit->sbi.args[1] = x[11];
		exit->sbi.args[2] = x[12];
		exit->sbi.args[3] = x[13];
		exit->sbi.args[4] = x[14];
		exit->sbi.args[5] = x[15];
		return;
	case EXC_LOAD_GUEST_PAGE_FAULT:
	case EXC_STORE_GUEST_PAGE_FAULT:
		exit->mmio.gpa = (v->ctx.hutval << 2) | (v->ctx.utval & 3);
		exit->mmio.gva = v->ctx.utval;
		rc = dvext_decode_fault(v, exit, &fault_va);
		if (rc == -EFAULT) {
			/* What the guest's page tables now say about its pc */
			exit->reason = DV_VMEXIT_GUEST_FAULT;
			exit->other.cause = EXC_INST_PAGE_FAULT;
			exit->other.tval = fault_va;
			return;
		}
		if (rc) {
			exit->reason = DV_VMEXIT_ILLEGAL;
			exit->other.cause = cause;
			exit->other.tval = v->ctx.utval;
			return;
		}
		if (v->acc.is_fp) {
			/* No device here is accessed with FP registers */
			exit->reason = DV_VMEXIT_GUEST_FAULT;
			exit->other.cause = v->acc.is_store ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS;
			exit->other.tval = exit->mmio.gva;
			return;
		}
		exit->reason = DV_VMEXIT_MMIO;
		exit->mmio.width = v->acc.width;
		exit->mmio.is_store = v->acc.is_store;
		exit->mmio.data = v->acc.is_store
				      ? dv_mem_store_value(&v->acc, v->acc.reg ? x[v->acc.reg] : 0)
				      : 0;
		return;
	case EXC_INST_GUEST_PAGE_FAULT:
		exit->reason = DV_VMEXIT_FETCH;
		exit->other.cause = cause;
		exit->other.tval = v->ctx.utval;
		return;
	case EXC_VIRTUAL_INST:
		exit->other.insn = v->ctx.utval;
		exit->reason = v->ctx.utval == INSN_WFI ? DV_VMEXIT_WFI : DV_VMEXIT_ILLEGAL;
		if (exit->reason == DV_VMEXIT_WFI)
			v->ctx.pc += 4; /* the core sleeps; the guest goes on after it */
		exit->other.cause = cause;
		exit->other.tval = v->ctx.utval;
		return;
	default:
		exit->reason = DV_VMEXIT_INTERNAL;
		exit->other.cause = cause;
		exit->other.tval = v->ctx.utval;
		return;
	}
}

/*
 * --memory-prefault off: a guest-page fault in RAM maps its page (4 KiB, at
 * the same offset in the VM's memory as at start) and the guest retries.
 * Another vCPU may have mapped it first: then only this hart's stale
 * translation goes. The guest stays in the guest as far as other threads
 * can tell (in_guest), as for an exit that never happened.
 */
static bool dvext_stage2_fault(struct dvext_vm *b, struct dvext_vcpu *v)
{
	uint64_t cause = v->ctx.ucause, gpa, off;
	int rc;

	if (cause != EXC_LOAD_GUEST_PAGE_FAULT && cause != EXC_STORE_GUEST_PAGE_FAULT &&
	    cause != EXC_INST_GUEST_PAGE_FAULT)
		return false;
	gpa = (v->ctx.hutval << 2) | (v->ctx.utval & 3);
	off = gpa - DV_RAM_BASE;
	if (gpa < DV_RAM_BASE || off >= b->ram_size)
		return false;
	off &= ~4095ULL;
	dv_lock(&b->s2_lock);
	rc = dv_s2_map(&b->s2, DV_RAM_BASE + off, b->ram_hpa + off, 4096);
	dv_unlock(&b->s2_lock);
	if (rc && rc != -EEXIST)
		return false; /* the run loop reports it, as any exit it cannot handle */
	if (dv_fault_hit(DV_FAULT_MEM))
		dv_fault_smash_stack();
	hufence_gvma((DV_RAM_BASE + off) >> 2);
	return true;
}

/*
 * Called by entry.S on every exit, on the vCPU thread's stack, with the
 * guest's state saved in ctx: 0 when the exit was handled and the guest goes
 * on at once, 1 when hu_enter() returns it to the run loop (v->exit). The
 * steps around the core's handler are the run loop's own (vmm/vcpu.c): out
 * of the guest while it runs, events taken just before entering again.
 */
int dvext_exit_inline(struct hu_ctx *ctx)
{
	struct dvext_vcpu *v = (struct dvext_vcpu *)ctx; /* ctx is its first member */
	struct dv_vcpu *vcpu = v->vcpu;
	struct dvext_vm *b = vcpu->vm->backend;

	/* A first touch of RAM: map the page, the guest retries the access */
	if (b->lazy && dvext_stage2_fault(b, v)) {
		vcpu->stats.count[DV_STAT_STAGE2]++;
		return 0;
	}
	atomic_store(&vcpu->in_guest, false);
	dvext_decode_exit(v, &v->exit);
	if (!dv_handle_exit_inline(vcpu, &v->exit))
		return 1;
	atomic_store(&vcpu->in_guest, true);
	dvext_take_events(vcpu);
	return 0;
}

int dvext_vcpu_run(struct dv_vcpu *vcpu, struct dv_exit *exit)
{
	struct dvext_vcpu *v = vcpu->backend;

	dvext_take_events(vcpu);
	hu_enter(&v->ctx); /* returns with an exit the run loop handles */
	*exit = v->exit;
	return 0;
}

uint64_t dvext_get_reg(struct dv_vcpu *vcpu, unsigned int n)
{
	struct dvext_vcpu *v = vcpu->backend;

	return n && n < 32 ? v->ctx.x[n] : 0;
}

void dvext_set_reg(struct dv_vcpu *vcpu, unsigned int n, uint64_t val)
{
	struct dvext_vcpu *v = vcpu->backend;

	if (n && n < 32)
		v->ctx.x[n] = val;
}

/* The guest goes on after the ecall with the SBI return values in a0/a1 */
void dvext_sbi_done(struct dv_vcpu *vcpu, int64_t error, int64_t value, bool legacy)
{
	struct dvext_vcpu *v = vcpu->backend;

	v->ctx.x[10] = (uint64_t)error;
	if (!legacy)
		v->ctx.x[11] = (uint64_t)value;
	v->ctx.pc += 4;
}

/* A load gets the device's value, extended as the instruction says */
void dvext_mmio_done(struct dv_vcpu *vcpu, const struct dv_exit *exit, uint64_t value)
{
	struct dvext_vcpu *v = vcpu->backend;

	if (!exit->mmio.is_store)
		dvext_set_reg(vcpu, v->acc.reg, dv_mem_load_value(&v->acc, value));
	v->ctx.pc += v->acc.len;
}

/* Take a trap into the guest kernel, as the hardware would (to vstvec.BASE) */
void dvext_inject_exception(struct dv_vcpu *vcpu, uint64_t cause, uint64_t tval)
{
	struct dvext_vcpu *v = vcpu->backend;
	uint64_t s = csr_read(CSR_HUVSSTATUS);
	bool from_s = v->ctx.hustatus & HUSTATUS_UPVP;

	s = (s & ~(SSTATUS_SPP | SSTATUS_SPIE)) | (from_s ? SSTATUS_SPP : 0) |
	    ((s & SSTATUS_SIE) ? SSTATUS_SPIE : 0);
	s &= ~SSTATUS_SIE;
	csr_write(CSR_HUVSSTATUS, s);
	csr_write(CSR_HUVSEPC, v->ctx.pc);
	csr_write(CSR_HUVSCAUSE, cause);
	csr_write(CSR_HUVSTVAL, tval);
	v->ctx.pc = csr_read(CSR_HUVSTVEC) & ~3ULL;
	v->ctx.hustatus |= HUSTATUS_UPVP;
}
