// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dvext backend: guest memory from /dev/duvisor, guest entry with HURET
 * and exits taken in this process (docs/dv-ext.md, docs/driver-abi.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/duvisor.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/cli.h"
#include "vmm/crash.h"
#include "vmm/vm.h"
#include "backend/backend.h"
#include "csr.h"
#include "dvext_int.h"

#define PT_REGION_SIZE (1UL << 20)
/* Table pages for --memory-prefault off, whatever the region's alignment */
#define PT_LAZY_PAGES ((PT_REGION_SIZE - 2 * DV_S2_ROOT_SIZE) / 4096)
#define IO_SLOT	      (DUVISOR_MAX_VCPUS - 1)

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
	uint64_t size = vm->mem_size, ram_hpa = 0, pt_hpa = 0, pt_off;
	void *ram;
	int rc;

	if (!b)
		return -ENOMEM;
	b->fd = open("/dev/duvisor", O_RDWR | O_CLOEXEC);
	if (b->fd < 0) {
		rc = -errno;
		fprintf(stderr, "duvisor: /dev/duvisor: %s%s\n", strerror(-rc),
			rc == -ENOENT || rc == -ENODEV || rc == -ENXIO ? " (is this a DV-Ext host?)"
								       : "");
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
	/*
	 * The driver aligns a region under 2 MiB to a page only, and the
	 * Sv39x4 root table must be 16 KiB aligned: the tables start at the
	 * region's first 16 KiB boundary (a fragmented CMA area does hand out
	 * regions that are not).
	 */
	pt_off = (DV_S2_ROOT_SIZE - pt_hpa % DV_S2_ROOT_SIZE) % DV_S2_ROOT_SIZE;
	if (!rc)
		rc = dv_s2_init(&b->s2, (char *)b->pt + pt_off, pt_hpa + pt_off,
				PT_REGION_SIZE - pt_off);
	b->lazy = vm->cfg && vm->cfg->lazy_stage2;
	b->ram_hpa = ram_hpa;
	b->ram_size = size;
	dv_lock_init(&b->s2_lock);
	/*
	 * Lazily, a 4 KiB leaf per page: a table per 2 MiB, a few more above;
	 * the pages the region holds after the root and the worst alignment
	 * (so that the limit does not depend on where the region fell)
	 */
	if (!rc && b->lazy && size / (2 << 20) + 4 > PT_LAZY_PAGES) {
		fprintf(stderr, "duvisor: --memory-prefault off: at most %lu MiB of RAM\n",
			(PT_LAZY_PAGES - 4) * 2);
		rc = -EINVAL;
		goto err;
	}
	if (!rc && !b->lazy)
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

/*
 * Live upgrade: the driver keeps the VM across the exec for this process's
 * next image (DUVISOR_HANDOVER, docs/driver-abi.md), with its regions: the
 * RAM and the stage-2 tables stay where they are, and so does delegation.
 */
static int dvext_handover(struct dv_vm *vm, struct dv_handover *h)
{
	struct dvext_vm *b = vm->backend;

	if (ioctl(b->fd, DUVISOR_HANDOVER, 1) < 0)
		return -errno;
	h->fds[0] = b->fd;
	h->words[0] = b->s2.used;
	h->words[1] = b->lazy;
	return 0;
}

static void dvext_handover_cancel(struct dv_vm *vm)
{
	struct dvext_vm *b = vm->backend;

	ioctl(b->fd, DUVISOR_HANDOVER, 0);
}

static int dvext_vm_adopt(struct dv_vm *vm, const struct dv_handover *h)
{
	struct dvext_vm *b = calloc(1, sizeof(*b));
	uint64_t size = vm->mem_size, ram_hpa = 0, pt_hpa = 0, pt_off;
	void *ram = MAP_FAILED;
	int rc;

	if (!b)
		return -ENOMEM;
	b->fd = h->fds[0];
	b->pt = MAP_FAILED;
	rc = ioctl(b->fd, DUVISOR_ADOPT) < 0 ? -errno : 0;
	if (!rc) {
		ram = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd,
			   (off_t)DUVISOR_REGION_OFFSET(0));
		b->pt = mmap(NULL, PT_REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd,
			     (off_t)DUVISOR_REGION_OFFSET(1));
		if (ram == MAP_FAILED || b->pt == MAP_FAILED)
			rc = -errno;
	}
	if (!rc)
		rc = dvext_query(b->fd, ram, &ram_hpa);
	if (!rc)
		rc = dvext_query(b->fd, b->pt, &pt_hpa);
	pt_off = (DV_S2_ROOT_SIZE - pt_hpa % DV_S2_ROOT_SIZE) % DV_S2_ROOT_SIZE;
	if (!rc)
		rc = dv_s2_attach(&b->s2, (char *)b->pt + pt_off, pt_hpa + pt_off,
				  PT_REGION_SIZE - pt_off, h->words[0]);
	if (!rc && dv_crash_add_fixup((uintptr_t)dvext_hlvx, 11 /* a1 */))
		rc = -ENOSPC;
	if (rc) {
		fprintf(stderr, "duvisor: taking the VM over: %s\n", strerror(-rc));
		if (ram != MAP_FAILED)
			munmap(ram, size);
		if (b->pt != MAP_FAILED)
			munmap(b->pt, PT_REGION_SIZE);
		free(b);
		return rc;
	}
	b->lazy = h->words[1];
	b->ram_hpa = ram_hpa;
	b->ram_size = size;
	dv_lock_init(&b->s2_lock);
	vm->mem = (struct dv_guest_mem){ram, DV_RAM_BASE, size};
	vm->backend = b;
	return 0;
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
	v->vcpu = vcpu;
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
	hu_fp_reset(); /* on the vCPU's own thread: its FP registers are the guest's */
	v->ctx.pc = pc;
	v->ctx.x[10] = a0;
	v->ctx.x[11] = a1;
	/* Enter VS-mode; a WFI exits so that an idle vCPU can sleep */
	v->ctx.hustatus = HUSTATUS_UPV | HUSTATUS_UPVP | HUSTATUS_VTW;
	csr_write(CSR_HUVSATP, 0);
	csr_write(CSR_HUVSSTATUS, 0);
	csr_write(CSR_HUVSIE, 0);
	csr_write(CSR_HUVIP, 0);
	v->vseip = false;
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

/* time in HU mode is the host's; the guest's is that plus hutimedelta */
static uint64_t dvext_guest_time(struct dv_vcpu *vcpu)
{
	uint64_t t;

	(void)vcpu;
	__asm__ __volatile__("rdtime %0" : "=r"(t));
	return t + csr_read(CSR_HUTIMEDELTA);
}

/*
 * vCPU 0 sets the VM's clock; the others then take the same offset, so that
 * every hart reads one clock (hutimedelta is per vCPU thread: the kernel
 * keeps it with the thread).
 */
static int dvext_set_time(struct dv_vcpu *vcpu, uint64_t now)
{
	struct dvext_vm *b = vcpu->vm->backend;
	uint64_t t;

	if (vcpu->id == 0) {
		__asm__ __volatile__("rdtime %0" : "=r"(t));
		b->time_delta = now - t;
	}
	csr_write(CSR_HUTIMEDELTA, b->time_delta);
	return 0;
}

/*
 * The guest's state, on the vCPU's thread: its registers as the last exit
 * left them (ctx), its FP registers still in the hart, its VS CSRs.
 */
static int dvext_vcpu_save(struct dv_vcpu *vcpu, struct dv_vcpu_regs *r)
{
	struct dvext_vcpu *v = vcpu->backend;

	memset(r, 0, sizeof(*r));
	memcpy(r->x, v->ctx.x, sizeof(r->x));
	r->x[0] = 0;
	r->pc = v->ctx.pc;
	r->priv = !!(v->ctx.hustatus & HUSTATUS_UPVP);
	hu_fp_save(r->f);
	r->sstatus = csr_read(CSR_HUVSSTATUS);
	r->sie = csr_read(CSR_HUVSIE);
	r->stvec = csr_read(CSR_HUVSTVEC);
	r->sscratch = csr_read(CSR_HUVSSCRATCH);
	r->sepc = csr_read(CSR_HUVSEPC);
	r->scause = csr_read(CSR_HUVSCAUSE);
	r->stval = csr_read(CSR_HUVSTVAL);
	r->satp = csr_read(CSR_HUVSATP);
	r->stimecmp = csr_read(CSR_HUVSTIMECMP);
	r->sip = (csr_read(CSR_HUVIP) & HVIP_VSSIP) >> 1; /* the IPI; the PLIC drives SEIP */
	return 0;
}

static int dvext_vcpu_load(struct dv_vcpu *vcpu, const struct dv_vcpu_regs *r)
{
	struct dvext_vcpu *v = vcpu->backend;

	memcpy(v->ctx.x, r->x, sizeof(v->ctx.x));
	v->ctx.x[0] = 0;
	v->ctx.pc = r->pc;
	v->ctx.hustatus = HUSTATUS_UPV | HUSTATUS_VTW | (r->priv ? HUSTATUS_UPVP : 0);
	hu_fp_load(r->f);
	/* The VS CSRs legalise what they are given, as the guest's own writes would be */
	csr_write(CSR_HUVSSTATUS, r->sstatus);
	csr_write(CSR_HUVSIE, r->sie);
	csr_write(CSR_HUVSTVEC, r->stvec);
	csr_write(CSR_HUVSSCRATCH, r->sscratch);
	csr_write(CSR_HUVSEPC, r->sepc);
	csr_write(CSR_HUVSCAUSE, r->scause);
	csr_write(CSR_HUVSTVAL, r->stval);
	csr_write(CSR_HUVSATP, r->satp);
	csr_write(CSR_HUVSTIMECMP, r->stimecmp);
	csr_write(CSR_HUVIP, (r->sip & 2) << 1);
	v->vseip = false; /* the PLIC's line is taken again before the first entry */
	return 0;
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

/* The PLIC context of this vCPU's hart: taken into hvip before the next entry */
static void dvext_set_ext_irq(struct dv_vcpu *vcpu, bool level)
{
	atomic_store(&vcpu->ext_irq, level);
	if (level)
		dv_vcpu_post(vcpu, 0);
}

static void dvext_describe(struct dv_vm *vm, struct dv_cpu_desc *d)
{
	(void)vm;
	d->isa = "rv64imafdc_sstc";
	d->sv48 = true;
	d->timebase = dv_host_timebase();
	d->max_vcpus = DUVISOR_MAX_VCPUS - 1; /* the last slot rings doorbells for the I/O thread */
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

/* Exits need none: a vCPU's thread gives its slot back as it ends */
static const uint32_t dvext_vcpu_ioctls[] = {DUVISOR_UNREGISTER_VCPU};
/* A live upgrade's next image: adopt, map, register (and hand over again later) */
static const uint32_t dvext_setup_ioctls[] = {DUVISOR_ADOPT, DUVISOR_QUERY_ADDR,
					      DUVISOR_REGISTER_VCPU, DUVISOR_HANDOVER};

const struct dv_backend_ops dv_dvext_backend = {
    .name = "dvext",
    .caps = DV_CAP_INJECT,
    .vm_init = dvext_vm_init,
    .vm_destroy = dvext_vm_destroy,
    .describe = dvext_describe,
    .vcpu_init = dvext_vcpu_init,
    .vcpu_destroy = dvext_vcpu_destroy,
    .vcpu_reset = dvext_vcpu_reset,
    .vcpu_run = dvext_vcpu_run,
    .sbi_done = dvext_sbi_done,
    .mmio_done = dvext_mmio_done,
    .get_reg = dvext_get_reg,
    .set_reg = dvext_set_reg,
    .inject_exception = dvext_inject_exception,
    .set_ext_irq = dvext_set_ext_irq,
    .irq_pending = dvext_irq_pending,
    .guest_time = dvext_guest_time,
    .timer_deadline = dvext_timer_deadline,
    .set_timer = dvext_set_timer,
    .io_thread_init = dvext_io_thread_init,
    .kick = dvext_kick,
    .handover = dvext_handover,
    .handover_cancel = dvext_handover_cancel,
    .vm_adopt = dvext_vm_adopt,
    .vcpu_save = dvext_vcpu_save,
    .vcpu_load = dvext_vcpu_load,
    .get_time = dvext_guest_time,
    .set_time = dvext_set_time,
    .vcpu_ioctls = {dvext_vcpu_ioctls, 1},
    .setup_ioctls = {dvext_setup_ioctls, sizeof(dvext_setup_ioctls) / sizeof(uint32_t)},
};
