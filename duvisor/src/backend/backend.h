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

#include "../core/insn.h"

struct dv_vm;
struct dv_vcpu;

enum dv_exit_reason {
	DV_EXIT_NONE,
	DV_EXIT_SBI,	     /* ecall from the guest kernel */
	DV_EXIT_MMIO,	     /* load/store to guest-physical space that is not RAM */
	DV_EXIT_WFI,	     /* the guest waits for an interrupt */
	DV_EXIT_KICK,	     /* another thread asked this vCPU to look at its events */
	DV_EXIT_FETCH,	     /* instruction fetch outside RAM */
	DV_EXIT_HOST,	     /* the host interrupted the guest (signal) */
	DV_EXIT_ILLEGAL,     /* an instruction the hypervisor does not emulate */
	DV_EXIT_GUEST_FAULT, /* inject other.cause/tval: e.g. the guest unmapped its own code */
	DV_EXIT_INTERNAL,    /* a backend error */
	DV_EXIT_REASONS
};

struct dv_exit {
	enum dv_exit_reason reason;
	uint64_t pc;
	union {
		struct {
			uint64_t ext, fid, args[6];
		} sbi;
		struct {
			uint64_t gpa, gva;
			struct dv_mem_access acc;
		} mmio;
		struct {
			uint64_t cause, tval, insn;
		} other;
	};
};

struct dv_backend_ops {
	const char *name;
	/* Open the backend and allocate guest RAM into vm->mem. */
	int (*vm_init)(struct dv_vm *vm);
	void (*vm_destroy)(struct dv_vm *vm);
	/* In the vCPU's thread, before its first run. */
	int (*vcpu_init)(struct dv_vcpu *vcpu);
	void (*vcpu_destroy)(struct dv_vcpu *vcpu);
	/* Set the boot state: pc, a0, a1, in S-mode with translation off. */
	void (*vcpu_reset)(struct dv_vcpu *vcpu, uint64_t pc, uint64_t a0, uint64_t a1);
	/* Run the guest until an exit the core must see. */
	int (*vcpu_run)(struct dv_vcpu *vcpu, struct dv_exit *exit);
	uint64_t (*get_reg)(struct dv_vcpu *vcpu, unsigned int n);
	void (*set_reg)(struct dv_vcpu *vcpu, unsigned int n, uint64_t val);
	/* Continue after the exited instruction (len bytes). */
	void (*skip_insn)(struct dv_vcpu *vcpu, unsigned int len);
	/* Raise an exception in the guest (access faults for bad accesses). */
	void (*inject_exception)(struct dv_vcpu *vcpu, uint64_t cause, uint64_t tval);
	/* An interrupt already injected is pending and enabled: WFI must not sleep. */
	bool (*irq_pending)(struct dv_vcpu *vcpu);
	/* Guest time now and the guest's next timer deadline, in timebase ticks. */
	uint64_t (*guest_time)(struct dv_vcpu *vcpu);
	uint64_t (*timer_deadline)(struct dv_vcpu *vcpu);
	void (*set_timer)(struct dv_vcpu *vcpu, uint64_t deadline);
	/* Let the calling (non-vCPU) thread kick vCPUs; optional. */
	int (*io_thread_init)(struct dv_vm *vm);
	/*
	 * Make a vCPU that may be running its guest exit soon. False if the
	 * calling thread cannot (not registered): the I/O thread then does it.
	 */
	bool (*kick)(struct dv_vcpu *target);
};

extern const struct dv_backend_ops dv_dvext_backend;

#endif /* DV_BACKEND_H */
