/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A scripted backend for native tests of the core's exit dispatch
 * (vmm/vcpu.c) and SBI (sbi/): a struct dv_backend_ops whose vCPUs "run"
 * a script of exits, and which records, per vCPU and in order, every call
 * the core makes into it (SBI and MMIO completions, register writes,
 * injected exceptions, interrupt lines, kicks, timers, resets, the events
 * taken before each entry).
 *
 * A test either hands exits to the core one at a time on its own thread
 * (fake_exit: the core's dv_handle_exit, as the vCPU's thread would call
 * it), or scripts every vCPU and runs their real threads (fake_vm_run:
 * dv_vcpu_thread) until the VM stops. A vCPU whose script is over idles
 * like a guest in WFI until an event comes; after FAKE_IDLE_LIMIT_MS
 * without one the fake stops the VM with FAKE_EXIT_HUNG, so a test that
 * waits for something that never happens fails instead of hanging (and a
 * test program linked with the fake dies of SIGALRM after two minutes).
 *
 * The fake's VM also stands in for vmm/vm.c: dv_vm_stop() is defined here
 * (the first exit code wins, every vCPU gets DV_EV_STOP), and
 * dv_crash_thread_init() does nothing (ASan keeps its own signal stacks).
 */
#ifndef FAKE_BACKEND_H
#define FAKE_BACKEND_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "backend/backend.h"
#include "vmm/vm.h"

#define FAKE_RAM_BASE	   DV_RAM_BASE
#define FAKE_TIMEBASE	   1000000000ULL /* ticks are nanoseconds */
#define FAKE_MAX_SCRIPT	   32
#define FAKE_MAX_LOG	   512
#define FAKE_IDLE_LIMIT_MS 5000
#define FAKE_EXIT_HUNG	   99

/* What the core did, with its arguments */
enum fake_op {
	FAKE_RESET,	  /* vcpu_reset: a = pc, b = a0, c = a1 */
	FAKE_SBI_DONE,	  /* a = error, b = value, c = legacy */
	FAKE_MMIO_DONE,	  /* a = value, b = gpa, c = is_store */
	FAKE_SET_REG,	  /* a = register, b = value */
	FAKE_INJECT,	  /* inject_exception: a = cause, b = tval */
	FAKE_EXT_IRQ,	  /* set_ext_irq: a = level */
	FAKE_KICK,	  /* kick (recorded on the target) */
	FAKE_SET_TIMER,	  /* a = deadline */
	FAKE_TOOK_EVENTS, /* before an entry, the vCPU took a = DV_EV_IPI/FENCE_I/FENCE_VMA bits */
	FAKE_RUN,	  /* vcpu_run left the guest with exit reason a */
	FAKE_OPS
};

struct fake_rec {
	enum fake_op op;
	uint64_t a, b, c;
	unsigned long seq; /* order among the records of every vCPU */
};

struct fake_vm;

/* One scripted step: wait until until(f, arg) holds (if set), then exit with e */
struct fake_step {
	struct dv_exit e;
	bool (*until)(struct fake_vm *f, unsigned int arg);
	unsigned int arg;
};

struct fake_vcpu {
	pthread_mutex_t lock; /* the log: kicks and lines come from other threads */
	struct fake_rec log[FAKE_MAX_LOG];
	unsigned int nlog;
	struct fake_step script[FAKE_MAX_SCRIPT];
	unsigned int nscript, next;
	uint64_t x[32], pc; /* the guest's registers as the core left them */
	/* What WFI sees: irq_pending(), guest_time(), timer_deadline() */
	bool irq_pending;
	uint64_t time, deadline;
	int init_rc; /* vcpu_init's result */
	bool inited, destroyed;
};

struct fake_vm {
	struct dv_vm vm;
	struct dv_backend_ops ops; /* vm.ops points here: tests may change caps or hooks */
	struct fake_vcpu *fv;
	unsigned int nr_vcpus;
};

/* A VM of nr_vcpus vCPUs and ram_size bytes of zeroed RAM at FAKE_RAM_BASE */
struct fake_vm *fake_vm_new(unsigned int nr_vcpus, uint64_t ram_size);
void fake_vm_free(struct fake_vm *f);
/* The same with every vCPU already RUNNING (as if started through HSM) */
struct fake_vm *fake_vm_running(unsigned int nr_vcpus, uint64_t ram_size);
/* The events posted for vCPU i and not yet taken */
unsigned int fake_events(struct fake_vm *f, unsigned int i);
/* The fake's ops as fake_vm_new() installs them (caps DV_CAP_INJECT, like dvext) */
extern const struct dv_backend_ops fake_backend_ops;

/* Append a step to vCPU i's script */
void fake_script(struct fake_vm *f, unsigned int i, struct dv_exit e);
void fake_script_until(struct fake_vm *f, unsigned int i, struct dv_exit e,
		       bool (*until)(struct fake_vm *f, unsigned int arg), unsigned int arg);
/* Run every vCPU's thread until the VM stops; the VM's exit code */
int fake_vm_run(struct fake_vm *f);
/* dv_handle_exit(vCPU i, e) on the calling thread */
int fake_exit(struct fake_vm *f, unsigned int i, struct dv_exit e);

/* The log of vCPU i */
unsigned int fake_count(struct fake_vm *f, unsigned int i, enum fake_op op);
/* The n-th record of op (0 the first), or NULL */
const struct fake_rec *fake_nth(struct fake_vm *f, unsigned int i, enum fake_op op, unsigned int n);
const struct fake_rec *fake_last(struct fake_vm *f, unsigned int i, enum fake_op op);
/* The whole log: all records, in order */
unsigned int fake_log(struct fake_vm *f, unsigned int i, const struct fake_rec **log);
void fake_log_clear(struct fake_vm *f, unsigned int i);

/* An SBI ecall exit: FAKE_SBI(eid, fid, a0, a1, ...) */
#define FAKE_SBI(eid_, fid_, ...)                                                                  \
	((struct dv_exit){.reason = DV_VMEXIT_SBI,                                                 \
			  .sbi = {.ext = (eid_), .fid = (fid_), .args = {__VA_ARGS__}}})
/* An SBI call on vCPU i, handled now on this thread: what sbi_done got, or error 1 if none */
struct fake_sbi_res {
	int64_t error, value;
	bool legacy, done; /* done: sbi_done was called (the guest goes on after the ecall) */
};
struct fake_sbi_res fake_sbi_call(struct fake_vm *f, unsigned int i, uint64_t eid, uint64_t fid,
				  uint64_t a0, uint64_t a1, uint64_t a2);

/*
 * Capture what the core writes to fd (1: the guest console) into a buffer:
 * start, then end returns the bytes written since (NUL-terminated, at most
 * len - 1).
 */
void fake_capture_start(int fd);
size_t fake_capture_end(int fd, char *buf, size_t len);

/* Now, in ms of CLOCK_MONOTONIC */
uint64_t fake_now_ms(void);
/* Wait up to ms for cond(f, arg); true if it held */
bool fake_wait(struct fake_vm *f, bool (*cond)(struct fake_vm *f, unsigned int arg),
	       unsigned int arg, unsigned int ms);

#endif /* FAKE_BACKEND_H */
