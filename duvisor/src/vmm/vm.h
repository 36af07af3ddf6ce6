/* SPDX-License-Identifier: GPL-2.0-only */
/* A VM: its memory map, devices, vCPUs and their run loops. */
#ifndef DV_VM_H
#define DV_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "backend/backend.h"
#include "vmm/device.h"
#include "vmm/guest_mem.h"
#include "vmm/ioloop.h"
#include "vmm/irq.h"
#include "vmm/mmio.h"
#include "vmm/pause.h"
#include "vmm/snapshot.h"
#include "vmm/upgrade.h"
#include "vmm/stats.h"

struct dv_backend_ops;
struct dv_config;
struct dv_plic;
struct dv_uart;
struct dv_vcons;

/*
 * The guest's physical memory map, like QEMU virt's: the PLIC and the UART
 * (on PLIC source 10) where virt has them; the other devices' windows, a
 * page each, from DV_DEV_MMIO_BASE up and their sources from 1 up, handed
 * out in creation order by one allocator (vmm/devalloc.h).
 */
#define DV_PLIC_BASE	 0x0c000000ULL
#define DV_PLIC_SOURCES	 64
#define DV_UART_BASE	 0x10000000ULL
#define DV_UART_IRQ	 10
#define DV_DEV_MMIO_BASE 0x10001000ULL
#define DV_DEV_MMIO_END	 0x10100000ULL
#define DV_RAM_BASE	 0x80000000ULL
#define DV_MAX_VCPUS	 15 /* the 16th driver slot rings doorbells for the I/O thread */

enum dv_vcpu_state { DV_VCPU_STOPPED, DV_VCPU_START_PENDING, DV_VCPU_RUNNING, DV_VCPU_SUSPENDED };

/* Events another thread posts for a vCPU, taken before it re-enters */
#define DV_EV_IPI	(1u << 0) /* SBI IPI: guest supervisor software interrupt */
#define DV_EV_FENCE_I	(1u << 1)
#define DV_EV_FENCE_VMA (1u << 2)
#define DV_EV_START	(1u << 3) /* SBI HSM start */
#define DV_EV_STOP	(1u << 4) /* the VM is stopping */
#define DV_EV_PAUSE	(1u << 5) /* look at vm->pause (vmm/pause.h) */

struct dv_vcpu {
	struct dv_vm *vm;
	unsigned int id;
	pthread_t thread;
	void *backend; /* backend state */

	/* posted by other threads */
	atomic_uint events;
	atomic_bool ext_irq;  /* the PLIC context of this hart is asserted */
	atomic_int state;     /* enum dv_vcpu_state */
	atomic_bool in_guest; /* set around the backend's run: it takes events, then enters */
	uint64_t start_pc, start_arg;

	/* 1 while the thread sleeps (WFI, a stopped hart): a futex, see dv_vcpu_wait() */
	atomic_int idle;

	/* Taken by its thread each time it parks (vmm/pause.h), for a snapshot */
	struct dv_vcpu_snap snap;

	struct dv_stats stats;
};

struct dv_vm {
	const struct dv_config *cfg;
	const struct dv_backend_ops *ops;
	struct dv_cpu_desc cpu; /* from the backend */
	void *backend;
	struct dv_guest_mem mem;
	uint64_t mem_size; /* asked for; the backend fills mem */
	uint64_t timebase; /* Hz */
	struct dv_mmio_bus mmio;
	struct dv_devices devs; /* the board's devices, in creation order */
	struct dv_plic *plic;	/* the devices the VM itself reaches: */
	struct dv_uart *uart;	/* their models */
	struct dv_vcons *vcons; /* NULL without --console virtio */
	struct dv_ioloop *loop; /* the I/O thread's, where devices add their fds */
	int io_wake;		/* eventfd: wakes the I/O thread (dv_vm_stop, kicks) */
	atomic_uint kick_mask;	/* vCPUs (bit = id) the I/O thread kicks for other threads */
	unsigned int nr_vcpus;
	struct dv_vcpu *vcpus;
	/* Set once: how the VM ended (DV_EXIT_* process exit code) */
	atomic_int exit_code;
	atomic_bool stopping;
	struct dv_pause pause;
	struct dv_api *api; /* NULL without --api-socket */
	/* duvisor restore: the snapshot, and the vCPUs meeting before they run it */
	struct dv_restore *restore;
	pthread_barrier_t restore_met;
	atomic_bool restored; /* the vCPUs took the restore's state (the upgrade's answer waits) */
	struct dv_upgrade_out upgrade;
};

int dv_vm_run(const struct dv_config *cfg);

/* For SBI and devices */
void dv_vm_stop(struct dv_vm *vm, int exit_code);
/* PLIC source src as a device's interrupt line */
struct dv_irq_line dv_vm_irq_line(struct dv_vm *vm, unsigned int src);
void dv_vcpu_post(struct dv_vcpu *vcpu, unsigned int events);
/*
 * On the vCPU's own thread: sleep until one of events is posted, or (with
 * ext_irq) its external interrupt line is up, or the VM stops; false when
 * deadline (CLOCK_MONOTONIC, NULL for none) passed first.
 */
bool dv_vcpu_wait(struct dv_vcpu *vcpu, unsigned int events, bool ext_irq,
		  const struct timespec *deadline);
/* The vCPU the calling thread runs, or NULL */
struct dv_vcpu *dv_vcpu_self(void);
/* The host's timebase (device tree), for backends; a live upgrade's new image is told it */
uint64_t dv_host_timebase(void);
void dv_host_timebase_set(uint64_t hz);
/* The thread of vm->vcpus[i] (vcpu.c) */
void *dv_vcpu_thread(void *vcpu);

#endif /* DV_VM_H */
