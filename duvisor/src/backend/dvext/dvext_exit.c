// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dvext backend's exit path: enter the guest with HURET (entry.S),
 * turn the HU trap into an exit for the core, and finish it.
 */
#include <errno.h>
#include <linux/duvisor.h>
#include <stdatomic.h>
#include <string.h>

#include "vmm/vm.h"
#include "backend/backend.h"
#include "csr.h"
#include "dvext_int.h"

/* Apply what other threads posted, just before entering the guest */
static void dvext_take_events(struct dv_vcpu *vcpu)
{
	unsigned int ev =
	    atomic_fetch_and(&vcpu->events, ~(DV_EV_IPI | DV_EV_FENCE_I | DV_EV_FENCE_VMA));

	if (ev & DV_EV_IPI)
		csr_set(CSR_HUVIP, HVIP_VSSIP); /* the guest clears it through sip */
	if (ev & DV_EV_FENCE_I)
		__asm__ __volatile__("fence.i" ::: "memory");
	if (ev & DV_EV_FENCE_VMA)
		hufence_vvma_all();
	if (atomic_load(&vcpu->ext_irq))
		csr_set(CSR_HUVIP, HVIP_VSEIP);
	else
		csr_clear(CSR_HUVIP, HVIP_VSEIP);
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

int dvext_vcpu_run(struct dv_vcpu *vcpu, struct dv_exit *exit)
{
	struct dvext_vcpu *v = vcpu->backend;
	uint64_t cause, fault_va;
	int rc;

	dvext_take_events(vcpu);
	cause = hu_enter(&v->ctx);
	exit->pc = v->ctx.pc;

	if (cause == DUVISOR_CAUSE_HOST_EXIT) {
		exit->reason = DV_VMEXIT_HOST;
		return 0;
	}
	if (cause & CAUSE_IRQ) {
		/* A doorbell: another thread posted events for this vCPU */
		csr_clear(CSR_HUIP, HUIP_USIP);
		exit->reason = DV_VMEXIT_KICK;
		return 0;
	}
	switch (cause) {
	case EXC_VS_ECALL:
		exit->reason = DV_VMEXIT_SBI;
		exit->sbi.ext = v->ctx.x[17];
		exit->sbi.fid = v->ctx.x[16];
		memcpy(exit->sbi.args, &v->ctx.x[10], sizeof(exit->sbi.args));
		return 0;
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
			return 0;
		}
		if (rc) {
			exit->reason = DV_VMEXIT_ILLEGAL;
			exit->other.cause = cause;
			exit->other.tval = v->ctx.utval;
			return 0;
		}
		if (v->acc.is_fp) {
			/* No device here is accessed with FP registers */
			exit->reason = DV_VMEXIT_GUEST_FAULT;
			exit->other.cause = v->acc.is_store ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS;
			exit->other.tval = exit->mmio.gva;
			return 0;
		}
		exit->reason = DV_VMEXIT_MMIO;
		exit->mmio.width = v->acc.width;
		exit->mmio.is_store = v->acc.is_store;
		exit->mmio.data = v->acc.is_store
				      ? dv_mem_store_value(&v->acc, dvext_get_reg(vcpu, v->acc.reg))
				      : 0;
		return 0;
	case EXC_INST_GUEST_PAGE_FAULT:
		exit->reason = DV_VMEXIT_FETCH;
		exit->other.cause = cause;
		exit->other.tval = v->ctx.utval;
		return 0;
	case EXC_VIRTUAL_INST:
		exit->other.insn = v->ctx.utval;
		exit->reason = v->ctx.utval == INSN_WFI ? DV_VMEXIT_WFI : DV_VMEXIT_ILLEGAL;
		if (exit->reason == DV_VMEXIT_WFI)
			v->ctx.pc += 4; /* the core sleeps; the guest goes on after it */
		exit->other.cause = cause;
		exit->other.tval = v->ctx.utval;
		return 0;
	default:
		exit->reason = DV_VMEXIT_INTERNAL;
		exit->other.cause = cause;
		exit->other.tval = v->ctx.utval;
		return 0;
	}
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
