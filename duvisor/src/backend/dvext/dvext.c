// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dvext backend: guest memory from /dev/duvisor, guest entry with HURET
 * and exits taken in this process (docs/dv-ext.md, docs/driver-abi.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/duvisor.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../core/crash.h"
#include "../../core/vm.h"
#include "../backend.h"
#include "csr.h"
#include "hu_ctx.h"
#include "stage2.h"

#define PT_REGION_SIZE (1UL << 20)
#define INSN_WFI       0x10500073u
#define IO_SLOT	       (DUVISOR_MAX_VCPUS - 1)

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
};

struct dvext_vcpu {
	struct hu_ctx ctx;
	uint32_t doorbell;
};

/* Only a thread registered with the driver may ring doorbells */
static __thread bool dvext_can_ring;

static int dvext_query(int fd, void *p, uint64_t *hpa)
{
	struct duvisor_addr a = {.uaddr = (uint64_t)(uintptr_t)p};

	if (ioctl(fd, DUVISOR_QUERY_ADDR, &a) < 0)
		return -errno;
	*hpa = a.hpa;
	return 0;
}

static int dvext_vm_init(struct dv_vm *vm)
{
	struct dvext_vm *b = calloc(1, sizeof(*b));
	struct duvisor_deleg deleg = {
	    .edeleg = DUVISOR_EDELEG_ALLOWED,
	    .ideleg = 1ULL << 0, /* doorbells; timers are the guest's own (Sstc) */
	};
	uint64_t size = vm->mem_size, ram_hpa = 0, pt_hpa = 0;
	void *ram;
	int rc;

	if (!b)
		return -ENOMEM;
	b->fd = open("/dev/duvisor", O_RDWR | O_CLOEXEC);
	if (b->fd < 0) {
		rc = -errno;
		fprintf(stderr, "duvisor: /dev/duvisor: %s (is this a DV-Ext host?)\n",
			strerror(errno));
		free(b);
		return rc == -ENOENT ? -ENODEV : rc;
	}
	if (ioctl(b->fd, DUVISOR_GET_API_VERSION) != DUVISOR_API_VERSION) {
		fprintf(stderr, "duvisor: /dev/duvisor speaks another API version\n");
		rc = -ENODEV;
		goto err;
	}
	ram = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
	b->pt = mmap(NULL, PT_REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
	if (ram == MAP_FAILED || b->pt == MAP_FAILED) {
		rc = -errno;
		fprintf(stderr, "duvisor: guest memory (%llu MiB) from /dev/duvisor: %s\n",
			(unsigned long long)(size >> 20), strerror(errno));
		goto err;
	}
	rc = dvext_query(b->fd, ram, &ram_hpa);
	if (!rc)
		rc = dvext_query(b->fd, b->pt, &pt_hpa);
	if (!rc)
		rc = dv_s2_init(&b->s2, b->pt, pt_hpa, PT_REGION_SIZE);
	if (!rc)
		rc = dv_s2_map(&b->s2, DV_RAM_BASE, ram_hpa, size);
	if (!rc && dv_crash_add_fixup((uintptr_t)dvext_hlvx, 11 /* a1 */))
		rc = -ENOSPC;
	if (!rc && ioctl(b->fd, DUVISOR_SET_DELEG, &deleg) < 0)
		rc = -errno;
	if (rc) {
		fprintf(stderr, "duvisor: setting up guest memory: %s\n", strerror(-rc));
		goto err;
	}
	vm->mem = (struct dv_guest_mem){ram, DV_RAM_BASE, size};
	vm->backend = b;
	return 0;
err:
	close(b->fd);
	free(b);
	return rc;
}

static void dvext_vm_destroy(struct dv_vm *vm)
{
	struct dvext_vm *b = vm->backend;

	if (!b)
		return;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) { /* every thread has ended */
		free(vm->vcpus[i].backend);
		vm->vcpus[i].backend = NULL;
	}
	close(b->fd); /* the memory goes with the last mapping, at exit */
	free(b);
	vm->backend = NULL;
}

static int dvext_register(struct dv_vm *vm, unsigned int index, uint32_t *doorbell)
{
	struct dvext_vm *b = vm->backend;
	struct duvisor_vcpu v = {.index = index};

	if (ioctl(b->fd, DUVISOR_REGISTER_VCPU, &v) < 0)
		return -errno;
	*doorbell = v.doorbell;
	dvext_can_ring = true;
	return 0;
}

/* The I/O thread registers the last slot only to ring doorbells */
static int dvext_io_thread_init(struct dv_vm *vm)
{
	uint32_t unused;

	return dvext_register(vm, IO_SLOT, &unused);
}

static int dvext_vcpu_init(struct dv_vcpu *vcpu)
{
	struct dvext_vm *b = vcpu->vm->backend;
	struct dvext_vcpu *v = aligned_alloc(16, sizeof(*v));
	int rc;

	if (!v)
		return -ENOMEM;
	memset(v, 0, sizeof(*v));
	rc = dvext_register(vcpu->vm, vcpu->id, &v->doorbell);
	if (rc) {
		free(v);
		return rc;
	}
	vcpu->backend = v;
	csr_write(CSR_HUGATP, dv_s2_hugatp(&b->s2));
	csr_write(CSR_HUIE, HUIE_USIE);
	csr_write(CSR_HUCOUNTEREN, 7);		/* cycle, time, instret */
	csr_write(CSR_HUENVCFG, HUENVCFG_STCE); /* the guest's timer needs no exit */
	csr_write(CSR_HUTIMEDELTA, 0);		/* guest time is host time */
	csr_write(CSR_HUVSTIMECMP, UINT64_MAX);
	return 0;
}

/*
 * The vCPU thread ends: give its slot back. Its state stays allocated until
 * the VM goes (dvext_vm_destroy): other threads may still kick it, and a
 * doorbell rung for a slot no thread holds does nothing.
 */
static void dvext_vcpu_destroy(struct dv_vcpu *vcpu)
{
	struct dvext_vm *b = vcpu->vm->backend;

	if (vcpu->backend)
		ioctl(b->fd, DUVISOR_UNREGISTER_VCPU);
}

static void dvext_vcpu_reset(struct dv_vcpu *vcpu, uint64_t pc, uint64_t a0, uint64_t a1)
{
	struct dvext_vcpu *v = vcpu->backend;

	memset(v->ctx.x, 0, sizeof(v->ctx.x));
	v->ctx.pc = pc;
	v->ctx.x[10] = a0;
	v->ctx.x[11] = a1;
	/* Enter VS-mode; a WFI exits so that an idle vCPU can sleep */
	v->ctx.hustatus = HUSTATUS_UPV | HUSTATUS_UPVP | HUSTATUS_VTW;
	csr_write(CSR_HUVSATP, 0);
	csr_write(CSR_HUVSSTATUS, 0);
	csr_write(CSR_HUVSIE, 0);
	csr_write(CSR_HUVIP, 0);
}

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
		__asm__ __volatile__(".word 0xa2000073" ::: "memory"); /* HUFENCE.VVMA */
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

	if (v->ctx.hutinst && !dv_decode_htinst(v->ctx.hutinst, &exit->mmio.acc))
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
	return dv_decode_mem(insn, &exit->mmio.acc);
}

static int dvext_vcpu_run(struct dv_vcpu *vcpu, struct dv_exit *exit)
{
	struct dvext_vcpu *v = vcpu->backend;
	uint64_t cause, fault_va;
	int rc;

	dvext_take_events(vcpu);
	cause = hu_enter(&v->ctx);
	exit->pc = v->ctx.pc;

	if (cause == DUVISOR_CAUSE_HOST_EXIT) {
		exit->reason = DV_EXIT_HOST;
		return 0;
	}
	if (cause & CAUSE_IRQ) {
		/* A doorbell: another thread posted events for this vCPU */
		csr_clear(CSR_HUIP, HUIP_USIP);
		exit->reason = DV_EXIT_KICK;
		return 0;
	}
	switch (cause) {
	case EXC_VS_ECALL:
		exit->reason = DV_EXIT_SBI;
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
			exit->reason = DV_EXIT_GUEST_FAULT;
			exit->other.cause = EXC_INST_PAGE_FAULT;
			exit->other.tval = fault_va;
			return 0;
		}
		if (rc) {
			exit->reason = DV_EXIT_ILLEGAL;
			exit->other.cause = cause;
			exit->other.tval = v->ctx.utval;
			return 0;
		}
		exit->reason = DV_EXIT_MMIO;
		return 0;
	case EXC_INST_GUEST_PAGE_FAULT:
		exit->reason = DV_EXIT_FETCH;
		exit->other.cause = cause;
		exit->other.tval = v->ctx.utval;
		return 0;
	case EXC_VIRTUAL_INST:
		exit->other.insn = v->ctx.utval;
		exit->reason = v->ctx.utval == INSN_WFI ? DV_EXIT_WFI : DV_EXIT_ILLEGAL;
		exit->other.cause = cause;
		exit->other.tval = v->ctx.utval;
		return 0;
	default:
		exit->reason = DV_EXIT_INTERNAL;
		exit->other.cause = cause;
		exit->other.tval = v->ctx.utval;
		return 0;
	}
}

static uint64_t dvext_get_reg(struct dv_vcpu *vcpu, unsigned int n)
{
	struct dvext_vcpu *v = vcpu->backend;

	return n && n < 32 ? v->ctx.x[n] : 0;
}

static void dvext_set_reg(struct dv_vcpu *vcpu, unsigned int n, uint64_t val)
{
	struct dvext_vcpu *v = vcpu->backend;

	if (n && n < 32)
		v->ctx.x[n] = val;
}

static void dvext_skip_insn(struct dv_vcpu *vcpu, unsigned int len)
{
	struct dvext_vcpu *v = vcpu->backend;

	v->ctx.pc += len;
}

/* Take a trap into the guest kernel, as the hardware would (to vstvec.BASE) */
static void dvext_inject_exception(struct dv_vcpu *vcpu, uint64_t cause, uint64_t tval)
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

/*
 * WFI completes when an interrupt is pending and individually enabled,
 * whatever the global enable: a guest idles with interrupts off, so an
 * IPI injected just before its WFI must not be slept through.
 */
static bool dvext_irq_pending(struct dv_vcpu *vcpu)
{
	(void)vcpu;
	return (csr_read(CSR_HUVIP) >> 1) & csr_read(CSR_HUVSIE) & (VSIE_SSIE | VSIE_SEIE);
}

static uint64_t dvext_guest_time(struct dv_vcpu *vcpu)
{
	uint64_t t;

	(void)vcpu;
	__asm__ __volatile__("rdtime %0" : "=r"(t));
	return t; /* hutimedelta is 0 */
}

static uint64_t dvext_timer_deadline(struct dv_vcpu *vcpu)
{
	(void)vcpu;
	return csr_read(CSR_HUVSTIMECMP);
}

static void dvext_set_timer(struct dv_vcpu *vcpu, uint64_t deadline)
{
	(void)vcpu;
	/* SBI set_timer programs the same Sstc comparator the guest could */
	csr_write(CSR_HUVSTIMECMP, deadline);
}

static bool dvext_kick(struct dv_vcpu *target)
{
	struct dvext_vcpu *v = target->backend;

	if (!dvext_can_ring)
		return false;
	if (v) /* else not started yet: it takes its events before it first enters */
		csr_write(CSR_HUVIPI, v->doorbell);
	return true;
}

const struct dv_backend_ops dv_dvext_backend = {
    .name = "dvext",
    .vm_init = dvext_vm_init,
    .vm_destroy = dvext_vm_destroy,
    .vcpu_init = dvext_vcpu_init,
    .vcpu_destroy = dvext_vcpu_destroy,
    .vcpu_reset = dvext_vcpu_reset,
    .vcpu_run = dvext_vcpu_run,
    .get_reg = dvext_get_reg,
    .set_reg = dvext_set_reg,
    .skip_insn = dvext_skip_insn,
    .inject_exception = dvext_inject_exception,
    .irq_pending = dvext_irq_pending,
    .guest_time = dvext_guest_time,
    .timer_deadline = dvext_timer_deadline,
    .set_timer = dvext_set_timer,
    .io_thread_init = dvext_io_thread_init,
    .kick = dvext_kick,
};
