// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kvm backend: the host kernel's KVM runs the guest, as kvmtool and
 * QEMU use it on RISC-V. Guest RAM is a memory slot of anonymous memory;
 * KVM handles the SBI extensions it knows (BASE, TIME, IPI, RFENCE, HSM,
 * SRST as a system event), WFI and the timer; MMIO and the SBI calls it
 * forwards (the v0.1 console) come here through the kvm_run page and go
 * on at the next KVM_RUN. The PLIC stays in user space and drives each
 * vCPU's external interrupt with KVM_INTERRUPT.
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/cli.h"
#include "vmm/vm.h"
#include "backend/backend.h"

#define KVM_SIG_KICK SIGUSR1

_Static_assert(sizeof(unsigned long) == 8, "riscv64 only: ONE_REG sizes below are U64");
#define KVM_CORE_REG(i)	   (KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE | (i))
#define KVM_CONFIG_REG(n)  (KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CONFIG | (n))
#define KVM_ISA_EXT_REG(e) (KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_ISA_EXT | (e))

struct kvm_b_vm {
	int kvm, vm;
	int ram_fd; /* --live-upgrade on: RAM is this memfd, kept across the exec; else -1 */
	size_t run_size;
	char isa[64];
	int *vcpu_fds; /* created up front, so the CPU can be described before threads run */
};

struct kvm_b_vcpu {
	int fd;
	struct kvm_run *run;
	/* The vCPU's thread, for kicks: valid while has_thread, under lock */
	pthread_mutex_t lock;
	pthread_t thread;
	bool has_thread;
};

static void kvm_b_kick_handler(int sig)
{
	(void)sig; /* only interrupts KVM_RUN (EINTR) */
}

static int kvm_b_one_reg(int fd, unsigned long req, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg r = {.id = id, .addr = (uint64_t)(uintptr_t)val};

	return ioctl(fd, req, &r) < 0 ? -errno : 0;
}

/* riscv,isa from what KVM gives its vCPUs: single letters, then Sstc */
static void kvm_b_isa(struct kvm_b_vm *b)
{
	static const char letters[] = "imafdc";
	uint64_t isa = 0, sstc = 0;
	size_t n;

	strcpy(b->isa, "rv64");
	n = strlen(b->isa);
	if (kvm_b_one_reg(b->vcpu_fds[0], KVM_GET_ONE_REG, KVM_CONFIG_REG(0), &isa))
		isa = 0x112d; /* imafdc */
	for (const char *l = letters; *l; l++)
		if (isa & (1ULL << (*l - 'a')))
			b->isa[n++] = *l;
	b->isa[n] = 0;
	if (!kvm_b_one_reg(b->vcpu_fds[0], KVM_GET_ONE_REG, KVM_ISA_EXT_REG(KVM_RISCV_ISA_EXT_SSTC),
			   &sstc) &&
	    sstc)
		strcat(b->isa, "_sstc");
}

/*
 * Guest RAM: anonymous memory, or with --live-upgrade on a memfd, which a
 * live upgrade keeps across the exec (b->ram_fd; the new image maps it again).
 */
static void *kvm_b_ram(struct dv_vm *vm, struct kvm_b_vm *b, bool adopt)
{
	uint64_t size = vm->mem_size;

	if (!adopt && vm->cfg && vm->cfg->live_upgrade) {
		b->ram_fd = memfd_create("duvisor-ram", MFD_CLOEXEC);
		if (b->ram_fd < 0 || ftruncate(b->ram_fd, (off_t)size))
			return MAP_FAILED;
	}
	if (b->ram_fd >= 0)
		return mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, b->ram_fd, 0);
	return mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		    -1, 0);
}

/* A VM on b->kvm: its RAM (a new one, or adopt's memfd), its slot, its vCPUs */
static int kvm_b_vm_setup(struct dv_vm *vm, struct kvm_b_vm *b, bool adopt)
{
	struct kvm_userspace_memory_region slot;
	struct sigaction sa = {.sa_handler = kvm_b_kick_handler};
	uint64_t size = vm->mem_size;
	void *ram;
	int rc, mmap_size;

	if (ioctl(b->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		fprintf(stderr, "duvisor: /dev/kvm speaks another API version\n");
		rc = -ENODEV;
		goto err;
	}
	b->vm = ioctl(b->kvm, KVM_CREATE_VM, 0);
	mmap_size = ioctl(b->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (b->vm < 0 || mmap_size < (int)sizeof(struct kvm_run)) {
		rc = -errno;
		fprintf(stderr, "duvisor: KVM_CREATE_VM: %s\n", strerror(errno));
		goto err;
	}
	b->run_size = (size_t)mmap_size;
	ram = kvm_b_ram(vm, b, adopt);
	if (ram == MAP_FAILED) {
		rc = -errno;
		fprintf(stderr, "duvisor: guest memory (%llu MiB): %s\n",
			(unsigned long long)(size >> 20), strerror(errno));
		goto err;
	}
	slot = (struct kvm_userspace_memory_region){
	    .slot = 0,
	    .guest_phys_addr = DV_RAM_BASE,
	    .memory_size = size,
	    .userspace_addr = (uint64_t)(uintptr_t)ram,
	};
	if (ioctl(b->vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0) {
		rc = -errno;
		fprintf(stderr, "duvisor: KVM_SET_USER_MEMORY_REGION: %s\n", strerror(errno));
		munmap(ram, size);
		goto err;
	}
	vm->mem = (struct dv_guest_mem){ram, DV_RAM_BASE, size};
	/* KVM keeps every vCPU but the first powered off until SBI HSM starts it */
	b->vcpu_fds = calloc(vm->nr_vcpus, sizeof(*b->vcpu_fds));
	for (unsigned int i = 0; b->vcpu_fds && i < vm->nr_vcpus; i++) {
		b->vcpu_fds[i] = ioctl(b->vm, KVM_CREATE_VCPU, i);
		if (b->vcpu_fds[i] < 0) {
			rc = -errno;
			fprintf(stderr, "duvisor: KVM_CREATE_VCPU %u: %s\n", i, strerror(errno));
			while (i--)
				close(b->vcpu_fds[i]);
			free(b->vcpu_fds);
			munmap(ram, size);
			goto err;
		}
	}
	if (!b->vcpu_fds) {
		rc = -ENOMEM;
		munmap(ram, size);
		goto err;
	}
	kvm_b_isa(b);
	sigaction(KVM_SIG_KICK, &sa, NULL); /* no SA_RESTART: KVM_RUN returns EINTR */
	vm->backend = b;
	return 0;
err:
	if (b->vm >= 0)
		close(b->vm);
	if (b->ram_fd >= 0)
		close(b->ram_fd);
	close(b->kvm);
	free(b);
	return rc;
}

static int kvm_b_vm_init(struct dv_vm *vm)
{
	struct kvm_b_vm *b = calloc(1, sizeof(*b));
	int rc;

	if (!b)
		return -ENOMEM;
	b->vm = -1;
	b->ram_fd = -1;
	b->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (b->kvm < 0) {
		rc = -errno;
		fprintf(stderr, "duvisor: /dev/kvm: %s (is KVM available on this host?)\n",
			strerror(errno));
		free(b);
		return rc == -ENOENT || rc == -ENXIO ? -ENODEV : rc;
	}
	return kvm_b_vm_setup(vm, b, false);
}

/*
 * Live upgrade. KVM ties a VM to the address space that made it, so the
 * VM itself cannot cross an exec: the old image keeps /dev/kvm and the RAM
 * memfd, and the new one makes a VM again on them (the vCPUs' state comes
 * with the upgrade's state, as in a restore).
 */
static int kvm_b_handover(struct dv_vm *vm, struct dv_handover *h)
{
	struct kvm_b_vm *b = vm->backend;

	if (b->ram_fd < 0)
		return -EOPNOTSUPP; /* RAM is anonymous: started without --live-upgrade on */
	h->fds[0] = b->kvm;
	h->fds[1] = b->ram_fd;
	return 0;
}

static int kvm_b_vm_adopt(struct dv_vm *vm, const struct dv_handover *h)
{
	struct kvm_b_vm *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	b->vm = -1;
	b->kvm = h->fds[0];
	b->ram_fd = h->fds[1];
	return kvm_b_vm_setup(vm, b, true);
}

static void kvm_b_vm_destroy(struct dv_vm *vm)
{
	struct kvm_b_vm *b = vm->backend;

	if (!b)
		return;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) { /* every thread has ended */
		struct kvm_b_vcpu *v = vm->vcpus[i].backend;

		if (v) {
			munmap(v->run, b->run_size);
			pthread_mutex_destroy(&v->lock);
			free(v);
			vm->vcpus[i].backend = NULL;
		}
		close(b->vcpu_fds[i]);
	}
	free(b->vcpu_fds);
	munmap(vm->mem.host, vm->mem.size);
	if (b->ram_fd >= 0)
		close(b->ram_fd);
	close(b->vm);
	close(b->kvm);
	free(b);
	vm->backend = NULL;
}

static void kvm_b_describe(struct dv_vm *vm, struct dv_cpu_desc *d)
{
	struct kvm_b_vm *b = vm->backend;
	int max = ioctl(b->kvm, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);

	d->isa = b->isa;
	d->sv48 = true;
	d->timebase = dv_host_timebase();
	d->max_vcpus = max > 0 && max < DV_MAX_VCPUS ? (unsigned int)max : DV_MAX_VCPUS;
}

static int kvm_b_vcpu_init(struct dv_vcpu *vcpu)
{
	struct kvm_b_vm *b = vcpu->vm->backend;
	struct kvm_b_vcpu *v = calloc(1, sizeof(*v));
	sigset_t kick;

	if (!v)
		return -ENOMEM;
	v->fd = b->vcpu_fds[vcpu->id];
	v->run = mmap(NULL, b->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		int rc = -errno;

		free(v);
		return rc;
	}
	pthread_mutex_init(&v->lock, NULL);
	v->thread = pthread_self();
	v->has_thread = true;
	sigemptyset(&kick);
	sigaddset(&kick, KVM_SIG_KICK);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	vcpu->backend = v;
	return 0;
}

static void kvm_b_vcpu_destroy(struct dv_vcpu *vcpu)
{
	struct kvm_b_vcpu *v = vcpu->backend;

	/* After this no kick signals the thread, which may then end and be joined */
	if (v) {
		pthread_mutex_lock(&v->lock);
		v->has_thread = false;
		pthread_mutex_unlock(&v->lock);
	}
}

static void kvm_b_set_reg(struct dv_vcpu *vcpu, unsigned int n, uint64_t val)
{
	struct kvm_b_vcpu *v = vcpu->backend;

	/* Index n of kvm_riscv_core is pc for 0, else xn */
	if (n < 32 && kvm_b_one_reg(v->fd, KVM_SET_ONE_REG, KVM_CORE_REG(n), &val))
		fprintf(stderr, "duvisor: vCPU %u: setting x%u: %s\n", vcpu->id, n,
			strerror(errno));
}

static uint64_t kvm_b_get_reg(struct dv_vcpu *vcpu, unsigned int n)
{
	struct kvm_b_vcpu *v = vcpu->backend;
	uint64_t val = 0;

	if (n && n < 32)
		kvm_b_one_reg(v->fd, KVM_GET_ONE_REG, KVM_CORE_REG(n), &val);
	return val;
}

/* The boot hart; the others are reset by KVM when the guest starts them */
static void kvm_b_vcpu_reset(struct dv_vcpu *vcpu, uint64_t pc, uint64_t a0, uint64_t a1)
{
	kvm_b_set_reg(vcpu, 0, pc);
	kvm_b_set_reg(vcpu, 10, a0);
	kvm_b_set_reg(vcpu, 11, a1);
}

static int kvm_b_vcpu_run(struct dv_vcpu *vcpu, struct dv_exit *exit)
{
	struct kvm_b_vcpu *v = vcpu->backend;
	struct kvm_run *run = v->run;
	int rc = ioctl(v->fd, KVM_RUN, 0);

	run->immediate_exit = 0;
	exit->pc = 0;
	if (rc < 0) {
		if (errno != EINTR && errno != EAGAIN)
			return -errno;
		exit->reason = DV_VMEXIT_KICK; /* a kick or a signal: look at the events */
		return 0;
	}
	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		exit->reason = DV_VMEXIT_MMIO;
		exit->mmio.gpa = run->mmio.phys_addr;
		exit->mmio.gva = 0;
		exit->mmio.width = run->mmio.len;
		exit->mmio.is_store = run->mmio.is_write;
		exit->mmio.data = 0;
		if (run->mmio.is_write && run->mmio.len <= 8)
			memcpy(&exit->mmio.data, run->mmio.data, run->mmio.len); /* little-endian */
		return 0;
	case KVM_EXIT_RISCV_SBI:
		exit->reason = DV_VMEXIT_SBI;
		exit->sbi.ext = run->riscv_sbi.extension_id;
		exit->sbi.fid = run->riscv_sbi.function_id;
		memcpy(exit->sbi.args, run->riscv_sbi.args, sizeof(exit->sbi.args));
		return 0;
	case KVM_EXIT_SYSTEM_EVENT:
		exit->reason = DV_VMEXIT_SYSTEM;
		exit->system.type = run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN
					? DV_SYSTEM_SHUTDOWN
					: DV_SYSTEM_REBOOT;
		exit->system.reason = run->system_event.ndata ? run->system_event.data[0] : 0;
		return 0;
	case KVM_EXIT_INTR:
		exit->reason = DV_VMEXIT_KICK;
		return 0;
	default:
		exit->reason = DV_VMEXIT_INTERNAL;
		exit->other.cause = run->exit_reason;
		exit->other.tval = 0;
		fprintf(stderr, "duvisor: vCPU %u: KVM exit reason %u\n", vcpu->id,
			run->exit_reason);
		return 0;
	}
}

/* KVM writes a0 and a1 from ret[] and steps over the ecall at the next KVM_RUN */
static void kvm_b_sbi_done(struct dv_vcpu *vcpu, int64_t error, int64_t value, bool legacy)
{
	struct kvm_run *run = ((struct kvm_b_vcpu *)vcpu->backend)->run;

	run->riscv_sbi.ret[0] = (unsigned long)error;
	/* A v0.1 call returns only a0: give a1 back as it was */
	run->riscv_sbi.ret[1] = legacy ? run->riscv_sbi.args[1] : (unsigned long)value;
}

/* KVM completes the load into its register (with the extension the instruction asks for) */
static void kvm_b_mmio_done(struct dv_vcpu *vcpu, const struct dv_exit *exit, uint64_t value)
{
	struct kvm_run *run = ((struct kvm_b_vcpu *)vcpu->backend)->run;

	if (!exit->mmio.is_store && exit->mmio.width <= 8)
		memcpy(run->mmio.data, &value, exit->mmio.width);
}

/* KVM_INTERRUPT is the one vCPU ioctl any thread may issue (it kicks the vCPU) */
static void kvm_b_set_ext_irq(struct dv_vcpu *vcpu, bool level)
{
	struct kvm_b_vm *b = vcpu->vm->backend;
	struct kvm_interrupt irq = {.irq = level ? KVM_INTERRUPT_SET : KVM_INTERRUPT_UNSET};

	if (ioctl(b->vcpu_fds[vcpu->id], KVM_INTERRUPT, &irq) < 0)
		fprintf(stderr, "duvisor: vCPU %u: KVM_INTERRUPT: %s\n", vcpu->id, strerror(errno));
}

/*
 * Out of KVM_RUN: immediate_exit catches a vCPU between its check of the
 * events and its next KVM_RUN, the signal one inside it.
 */
static bool kvm_b_kick(struct dv_vcpu *target)
{
	struct kvm_b_vcpu *v = target->backend;

	if (v) {
		v->run->immediate_exit = 1;
		pthread_mutex_lock(&v->lock);
		if (v->has_thread)
			pthread_kill(v->thread, KVM_SIG_KICK);
		pthread_mutex_unlock(&v->lock);
	}
	return true;
}

#define KVM_REG(type, i)  (KVM_REG_RISCV | KVM_REG_SIZE_U64 | (type) | (i))
#define KVM_CSR_REG(name) KVM_REG(KVM_REG_RISCV_CSR, KVM_REG_RISCV_CSR_REG(name))
#define KVM_TIMER(name)	  KVM_REG(KVM_REG_RISCV_TIMER, KVM_REG_RISCV_TIMER_REG(name))
#define KVM_FCSR	  (KVM_REG_RISCV | KVM_REG_SIZE_U32 | KVM_REG_RISCV_FP_D | 32)

/* The CSRs of struct dv_vcpu_regs, in KVM's order */
#define KVM_B_CSRS(r)                                                                              \
	{                                                                                          \
		{KVM_CSR_REG(sstatus), &(r)->sstatus}, {KVM_CSR_REG(sie), &(r)->sie},              \
		    {KVM_CSR_REG(stvec), &(r)->stvec}, {KVM_CSR_REG(sscratch), &(r)->sscratch},    \
		    {KVM_CSR_REG(sepc), &(r)->sepc}, {KVM_CSR_REG(scause), &(r)->scause},          \
		    {KVM_CSR_REG(stval), &(r)->stval}, {KVM_CSR_REG(satp), &(r)->satp},            \
		    {KVM_TIMER(compare), &(r)->stimecmp},                                          \
	}

struct kvm_b_reg {
	uint64_t id;
	uint64_t *val;
};

/*
 * An MMIO or SBI exit's result is written into the guest at the next
 * KVM_RUN: run once with immediate_exit, which finishes it and returns at
 * once, so that the registers read are the ones the guest goes on with.
 */
static int kvm_b_settle(struct kvm_b_vcpu *v)
{
	int rc;

	v->run->immediate_exit = 1;
	rc = ioctl(v->fd, KVM_RUN, 0);
	v->run->immediate_exit = 0;
	if (rc == 0)
		return -EIO; /* it entered the guest: not what immediate_exit promises */
	return errno == EINTR || errno == EAGAIN ? 0 : -errno;
}

static int kvm_b_vcpu_save(struct dv_vcpu *vcpu, struct dv_vcpu_regs *r)
{
	struct kvm_b_vcpu *v = vcpu->backend;
	struct kvm_b_reg csrs[] = KVM_B_CSRS(r);
	struct kvm_mp_state mp;
	uint64_t sip = 0, fcsr32 = 0;
	int rc = kvm_b_settle(v);

	memset(r, 0, sizeof(*r));
	for (unsigned int i = 0; !rc && i < 32; i++)
		rc = kvm_b_one_reg(v->fd, KVM_GET_ONE_REG, KVM_CORE_REG(i), i ? &r->x[i] : &r->pc);
	if (!rc)
		rc = kvm_b_one_reg(v->fd, KVM_GET_ONE_REG, KVM_CORE_REG(32), &r->priv);
	for (unsigned int i = 0; !rc && i < sizeof(csrs) / sizeof(csrs[0]); i++)
		rc = kvm_b_one_reg(v->fd, KVM_GET_ONE_REG, csrs[i].id, csrs[i].val);
	if (!rc)
		rc = kvm_b_one_reg(v->fd, KVM_GET_ONE_REG, KVM_CSR_REG(sip), &sip);
	for (unsigned int i = 0; !rc && i < 32; i++)
		rc =
		    kvm_b_one_reg(v->fd, KVM_GET_ONE_REG, KVM_REG(KVM_REG_RISCV_FP_D, i), &r->f[i]);
	if (!rc)
		rc = kvm_b_one_reg(v->fd, KVM_GET_ONE_REG, KVM_FCSR, &fcsr32);
	if (!rc && ioctl(v->fd, KVM_GET_MP_STATE, &mp) < 0)
		rc = -errno;
	r->f[32] = (uint32_t)fcsr32; /* the low word: little-endian */
	r->sip = sip & 2;	     /* SSIP alone: the timer and the PLIC drive the others */
	r->stopped = !rc && mp.mp_state == KVM_MP_STATE_STOPPED;
	return rc;
}

static int kvm_b_vcpu_load(struct dv_vcpu *vcpu, const struct dv_vcpu_regs *in)
{
	struct kvm_b_vcpu *v = vcpu->backend;
	struct dv_vcpu_regs copy = *in, *r = &copy;
	struct kvm_b_reg csrs[] = KVM_B_CSRS(r);
	struct kvm_mp_state mp = {in->stopped ? KVM_MP_STATE_STOPPED : KVM_MP_STATE_RUNNABLE};
	uint64_t on = KVM_RISCV_TIMER_STATE_ON, fcsr32 = (uint32_t)in->f[32], sip = in->sip & 2;
	int rc = 0;

	for (unsigned int i = 0; !rc && i < 32; i++)
		rc = kvm_b_one_reg(v->fd, KVM_SET_ONE_REG, KVM_CORE_REG(i), i ? &r->x[i] : &r->pc);
	if (!rc)
		rc = kvm_b_one_reg(v->fd, KVM_SET_ONE_REG, KVM_CORE_REG(32), &r->priv);
	for (unsigned int i = 0; !rc && i < sizeof(csrs) / sizeof(csrs[0]); i++)
		rc = kvm_b_one_reg(v->fd, KVM_SET_ONE_REG, csrs[i].id, csrs[i].val);
	if (!rc)
		rc = kvm_b_one_reg(v->fd, KVM_SET_ONE_REG, KVM_CSR_REG(sip), &sip);
	if (!rc)
		rc = kvm_b_one_reg(v->fd, KVM_SET_ONE_REG, KVM_TIMER(state), &on);
	for (unsigned int i = 0; !rc && i < 32; i++)
		rc =
		    kvm_b_one_reg(v->fd, KVM_SET_ONE_REG, KVM_REG(KVM_REG_RISCV_FP_D, i), &r->f[i]);
	if (!rc)
		rc = kvm_b_one_reg(v->fd, KVM_SET_ONE_REG, KVM_FCSR, &fcsr32);
	if (!rc && ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
		rc = -errno;
	return rc;
}

/* The guest's clock is the VM's: one offset for every vCPU */
static uint64_t kvm_b_get_time(struct dv_vcpu *vcpu)
{
	struct kvm_b_vcpu *v = vcpu->backend;
	uint64_t t = 0;

	kvm_b_one_reg(v->fd, KVM_GET_ONE_REG, KVM_TIMER(time), &t);
	return t;
}

static int kvm_b_set_time(struct dv_vcpu *vcpu, uint64_t now)
{
	struct kvm_b_vcpu *v = vcpu->backend;

	return vcpu->id ? 0 : kvm_b_one_reg(v->fd, KVM_SET_ONE_REG, KVM_TIMER(time), &now);
}

/* A vCPU runs, reads and sets its registers and run state, lowers its line; any thread raises a
 * line */
static const uint32_t kvm_b_vcpu_ioctls[] = {KVM_RUN,	      KVM_INTERRUPT,	KVM_GET_ONE_REG,
					     KVM_SET_ONE_REG, KVM_GET_MP_STATE, KVM_SET_MP_STATE};
static const uint32_t kvm_b_io_ioctls[] = {KVM_INTERRUPT};
static const uint32_t kvm_b_setup_ioctls[] = {
    KVM_GET_API_VERSION,	KVM_CREATE_VM,	 KVM_GET_VCPU_MMAP_SIZE,
    KVM_SET_USER_MEMORY_REGION, KVM_CREATE_VCPU, KVM_CHECK_EXTENSION,
};

const struct dv_backend_ops dv_kvm_backend = {
    .name = "kvm",
    .caps = DV_CAP_SBI_IN_BACKEND | DV_CAP_HART_START | DV_CAP_WFI_TIMER,
    .vm_init = kvm_b_vm_init,
    .vm_destroy = kvm_b_vm_destroy,
    .describe = kvm_b_describe,
    .vcpu_init = kvm_b_vcpu_init,
    .vcpu_destroy = kvm_b_vcpu_destroy,
    .vcpu_reset = kvm_b_vcpu_reset,
    .vcpu_run = kvm_b_vcpu_run,
    .sbi_done = kvm_b_sbi_done,
    .mmio_done = kvm_b_mmio_done,
    .get_reg = kvm_b_get_reg,
    .set_reg = kvm_b_set_reg,
    .set_ext_irq = kvm_b_set_ext_irq,
    .kick = kvm_b_kick,
    .handover = kvm_b_handover,
    .vm_adopt = kvm_b_vm_adopt,
    .vcpu_save = kvm_b_vcpu_save,
    .vcpu_load = kvm_b_vcpu_load,
    .get_time = kvm_b_get_time,
    .set_time = kvm_b_set_time,
    .vcpu_ioctls = {kvm_b_vcpu_ioctls, sizeof(kvm_b_vcpu_ioctls) / sizeof(uint32_t)},
    .io_ioctls = {kvm_b_io_ioctls, sizeof(kvm_b_io_ioctls) / sizeof(uint32_t)},
    .setup_ioctls = {kvm_b_setup_ioctls, sizeof(kvm_b_setup_ioctls) / sizeof(uint32_t)},
};
