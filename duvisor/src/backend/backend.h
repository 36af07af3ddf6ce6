/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A vCPU backend: how guest memory is obtained and how a vCPU enters its
 * guest, leaves it and receives interrupts. The core (SBI, MMIO, devices,
 * boot) sees a backend only through this table.
 */
#ifndef DV_BACKEND_H
#define DV_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/sandbox.h"

struct dv_vm;
struct dv_vcpu;

enum dv_vmexit_reason {
	DV_VMEXIT_NONE,
	DV_VMEXIT_SBI,	       /* ecall from the guest kernel */
	DV_VMEXIT_MMIO,	       /* load/store to guest-physical space that is not RAM */
	DV_VMEXIT_WFI,	       /* the guest waits for an interrupt */
	DV_VMEXIT_KICK,	       /* another thread asked this vCPU to look at its events */
	DV_VMEXIT_FETCH,       /* instruction fetch outside RAM */
	DV_VMEXIT_HOST,	       /* the host interrupted the guest (signal) */
	DV_VMEXIT_ILLEGAL,     /* an instruction the hypervisor does not emulate */
	DV_VMEXIT_GUEST_FAULT, /* inject other.cause/tval: e.g. the guest unmapped its own code */
	DV_VMEXIT_SYSTEM,      /* the backend handled an SBI reset call: system.type, .reason */
	DV_VMEXIT_INTERNAL,    /* a backend error */
	DV_VMEXIT_REASONS
};

/* DV_VMEXIT_SYSTEM */
enum dv_system_event { DV_SYSTEM_SHUTDOWN, DV_SYSTEM_REBOOT };

struct dv_exit {
	enum dv_vmexit_reason reason;
	uint64_t pc;
	union {
		struct {
			uint64_t ext, fid, args[6];
		} sbi;
		struct {
			uint64_t gpa, gva;
			uint64_t data; /* the value a store writes */
			unsigned int width;
			bool is_store;
		} mmio;
		struct {
			enum dv_system_event type;
			uint32_t reason; /* SBI SRST reset_reason: 0 none, 1 system failure */
		} system;
		struct {
			uint64_t cause, tval, insn;
		} other;
	};
};

/* What a backend does itself, so the core does not */
#define DV_CAP_SBI_IN_BACKEND                                                                      \
	(1u << 0)		    /* BASE, TIME, IPI, RFENCE, HSM, SRST; calls it                \
				       forwards (console, unknown ids) still come */
#define DV_CAP_HART_START (1u << 1) /* secondary harts start and stop through the backend */
#define DV_CAP_WFI_TIMER  (1u << 2) /* no WFI exits; the guest timer is the backend's */
#define DV_CAP_INJECT	  (1u << 3) /* can raise an exception in the guest */

/* The CPU as the guest's device tree describes it */
struct dv_cpu_desc {
	const char *isa;   /* riscv,isa, e.g. "rv64imafdc_sstc" */
	bool sv48;	   /* "riscv,sv48", else sv39 */
	uint64_t timebase; /* Hz */
	unsigned int max_vcpus;
};

/*
 * A vCPU's architectural state, for snapshots and live upgrade
 * (vmm/snapshot.h): what the guest can see of its hart, VS CSRs named as
 * the guest sees them. Saved and loaded on the vCPU's own thread.
 */
struct dv_vcpu_regs {
	uint64_t x[32]; /* x[0] unused */
	uint64_t pc;
	uint64_t f[33]; /* f0..f31, fcsr */
	uint64_t sstatus, sie, stvec, sscratch, sepc, scause, stval, sip, satp;
	uint64_t stimecmp; /* the guest's timer deadline (Sstc or SBI set_timer) */
	uint64_t priv;	   /* 1: the guest runs in S-mode, 0: U-mode */
	uint64_t stopped;  /* the backend's HSM (DV_CAP_HART_START): the hart is stopped */
};

/* Live upgrade (vmm/upgrade.h): what a backend keeps across the exec */
struct dv_handover {
	int fds[4]; /* -1: none */
	uint64_t words[4];
};

struct dv_backend_ops {
	const char *name;
	unsigned int caps; /* DV_CAP_* */
	/* Open the backend and allocate guest RAM into vm->mem (-ENODEV: none on this host). */
	int (*vm_init)(struct dv_vm *vm);
	void (*vm_destroy)(struct dv_vm *vm);
	/* After vm_init: the CPU the guest gets */
	void (*describe)(struct dv_vm *vm, struct dv_cpu_desc *desc);
	/* In the vCPU's thread, before its first run. */
	int (*vcpu_init)(struct dv_vcpu *vcpu);
	void (*vcpu_destroy)(struct dv_vcpu *vcpu);
	/* Set the boot state: pc, a0, a1, in S-mode with translation off. */
	void (*vcpu_reset)(struct dv_vcpu *vcpu, uint64_t pc, uint64_t a0, uint64_t a1);
	/* Run the guest until an exit the core must see (0), or fail (<0). */
	int (*vcpu_run)(struct dv_vcpu *vcpu, struct dv_exit *exit);
	/*
	 * Finish an exit, effective at the next run: an SBI call returns
	 * error (a0) and, unless legacy, value (a1); an MMIO load gets value
	 * (a store ignores it). The guest goes on after the instruction.
	 */
	void (*sbi_done)(struct dv_vcpu *vcpu, int64_t error, int64_t value, bool legacy);
	void (*mmio_done)(struct dv_vcpu *vcpu, const struct dv_exit *exit, uint64_t value);
	/* Registers for SBI handlers (HSM, RFENCE) and the crash dump. */
	uint64_t (*get_reg)(struct dv_vcpu *vcpu, unsigned int n);
	void (*set_reg)(struct dv_vcpu *vcpu, unsigned int n, uint64_t val);
	/* DV_CAP_INJECT: raise an exception in the guest (access faults for bad accesses). */
	void (*inject_exception)(struct dv_vcpu *vcpu, uint64_t cause, uint64_t tval);
	/* The guest's external interrupt (its PLIC context), from any thread. */
	void (*set_ext_irq)(struct dv_vcpu *vcpu, bool level);
	/* Without DV_CAP_WFI_TIMER: WFI must not sleep through an injected interrupt */
	bool (*irq_pending)(struct dv_vcpu *vcpu);
	/* Without DV_CAP_WFI_TIMER: guest time and the next deadline, in timebase ticks. */
	uint64_t (*guest_time)(struct dv_vcpu *vcpu);
	uint64_t (*timer_deadline)(struct dv_vcpu *vcpu);
	void (*set_timer)(struct dv_vcpu *vcpu, uint64_t deadline);
	/*
	 * Live upgrade, the VM paused: in the old image, what to keep across
	 * the exec (and tell the kernel); in the new one, vm_init's work from
	 * that. 0 or -errno (-EOPNOTSUPP: this VM cannot be handed over).
	 */
	int (*handover)(struct dv_vm *vm, struct dv_handover *h);
	void (*handover_cancel)(struct dv_vm *vm); /* the exec failed: the VM stays here */
	int (*vm_adopt)(struct dv_vm *vm, const struct dv_handover *h);
	/* On the vCPU's thread, at an exit boundary: its state (0 or -errno) */
	int (*vcpu_save)(struct dv_vcpu *vcpu, struct dv_vcpu_regs *regs);
	int (*vcpu_load)(struct dv_vcpu *vcpu, const struct dv_vcpu_regs *regs);
	/*
	 * The guest's clock (timebase ticks), on a vCPU's thread: read it;
	 * set_time on vCPU 0 sets the VM's clock to now, then on each other
	 * vCPU makes it follow (the offset may be per hart).
	 */
	uint64_t (*get_time)(struct dv_vcpu *vcpu);
	int (*set_time)(struct dv_vcpu *vcpu, uint64_t now);
	/* Let the calling (non-vCPU) thread kick vCPUs; optional. */
	int (*io_thread_init)(struct dv_vm *vm);
	/*
	 * Make a vCPU that may be running its guest exit soon. False if the
	 * calling thread cannot (not registered): the I/O thread then does it.
	 */
	bool (*kick)(struct dv_vcpu *target);
	/*
	 * The ioctl requests its calls above make once the threads are
	 * confined (vmm/sandbox.h): on a vCPU's thread, and on the others.
	 */
	struct dv_ioctls vcpu_ioctls, io_ioctls;
	/* ... and those vm_adopt() and vcpu_init() make (a live upgrade's next image) */
	struct dv_ioctls setup_ioctls;
};

extern const struct dv_backend_ops dv_dvext_backend;
extern const struct dv_backend_ops dv_kvm_backend;

/* The backend called name, or NULL */
const struct dv_backend_ops *dv_backend_find(const char *name);

#endif /* DV_BACKEND_H */
