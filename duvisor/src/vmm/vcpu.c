// SPDX-License-Identifier: GPL-2.0-only
/*
 * A vCPU's thread: run the guest through the backend, dispatch each exit
 * (SBI, MMIO, WFI, ...) and go on. Handlers return >0 to go on, 0 to leave
 * the loop, <0 on an error (with a register dump); the loop also ends when
 * the VM stops.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "backend/backend.h"
#include "cli/cli.h"
#include "sbi/sbi.h"
#include "vmm/crash.h"
#include "vmm/exit.h"
#include "vmm/vcpu_snap.h"
#include "vmm/vm.h"
#include "vmm/sandbox.h"
#include "vmm/faults.h"
#include "util/futex.h"

enum { EXC_INST_ACCESS = 1, EXC_ILLEGAL = 2, EXC_LOAD_ACCESS = 5, EXC_STORE_ACCESS = 7 };

static __thread struct dv_vcpu *dv_self;

struct dv_vcpu *dv_vcpu_self(void)
{
	return dv_self;
}

static bool dv_time_passed(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/*
 * The sleeper stores idle = 1, then looks for work; a poster adds its work,
 * then swaps idle to 0 and wakes the futex if it was 1. Both sequentially
 * consistent: either the sleeper sees the work, or the poster sees idle and
 * wakes it (a futex wait on a word no longer 1 returns at once).
 */
bool dv_vcpu_wait(struct dv_vcpu *vcpu, unsigned int events, bool ext_irq,
		  const struct timespec *deadline)
{
	bool slept = false;

	for (;;) {
		atomic_store(&vcpu->idle, 1);
		if ((atomic_load(&vcpu->events) & events) ||
		    (ext_irq && atomic_load(&vcpu->ext_irq)) || atomic_load(&vcpu->vm->stopping))
			break;
		if (slept && deadline && dv_time_passed(deadline)) {
			atomic_store(&vcpu->idle, 0);
			return false;
		}
		dv_futex_wait(&vcpu->idle, 1, deadline);
		slept = true;
	}
	atomic_store(&vcpu->idle, 0);
	return true;
}

void dv_vcpu_post(struct dv_vcpu *vcpu, unsigned int events)
{
	struct dv_vm *vm = vcpu->vm;

	atomic_fetch_or(&vcpu->events, events);
	/*
	 * Asleep (WFI, a stopped hart): wake it. It takes its events before it
	 * enters its guest again, so it needs no kick: a doorbell rung now
	 * would only make it leave its guest as soon as it entered.
	 */
	if (atomic_exchange(&vcpu->idle, 0)) {
		dv_futex_wake(&vcpu->idle, 1);
		return;
	}
	/* Only threads the backend registered can ring; the I/O thread rings for the others */
	if (!vm->ops->kick(vcpu) && vm->io_wake >= 0) {
		atomic_fetch_or(&vm->kick_mask, 1u << vcpu->id);
		dv_eventfd_post(vm->io_wake);
	}
}

/* Sleep in WFI until something is pending for the guest or its timer expires */
void dv_vcpu_idle(struct dv_vcpu *vcpu)
{
	struct dv_vm *vm = vcpu->vm;
	uint64_t deadline;

	if (dv_fault_hit(DV_FAULT_ISA))
		dv_fault_illegal();
	deadline = vm->ops->timer_deadline(vcpu);
	uint64_t now = vm->ops->guest_time(vcpu);
	struct timespec ts;

	if (deadline <= now || vm->ops->irq_pending(vcpu))
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (deadline - now < vm->timebase * 3600) {
		uint64_t ns = (deadline - now) * 1000000000ULL / vm->timebase;

		ts.tv_sec += ns / 1000000000ULL;
		ts.tv_nsec += ns % 1000000000ULL;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
	} else {
		ts.tv_sec += 3600;
	}
	dv_vcpu_wait(vcpu, ~0u, true, &ts);
}

static void dv_handle_sbi(struct dv_vcpu *vcpu, const struct dv_exit *e,
			  const struct dv_sbi_ext *ext)
{
	struct dv_sbi_ret r = dv_sbi_call_ext(vcpu, ext, e->sbi.ext, e->sbi.fid, e->sbi.args);

	if (!r.no_advance)
		vcpu->vm->ops->sbi_done(vcpu, r.error, r.value, r.legacy);
}

static void dv_handle_mmio(struct dv_vcpu *vcpu, const struct dv_exit *e)
{
	const struct dv_backend_ops *ops = vcpu->vm->ops;
	uint64_t val = e->mmio.is_store ? e->mmio.data : 0;

	if (dv_mmio_access(&vcpu->vm->mmio, e->mmio.gpa, e->mmio.width, e->mmio.is_store, &val)) {
		vcpu->stats.count[DV_STAT_FAULT_INJECTED]++;
		if (ops->caps & DV_CAP_INJECT) {
			/* Nothing there: the guest gets an access fault, duvisor goes on */
			ops->inject_exception(vcpu,
					      e->mmio.is_store ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS,
					      e->mmio.gva);
			return;
		}
		val = 0; /* the backend cannot raise one: loads read 0, stores are dropped */
	}
	ops->mmio_done(vcpu, e, val);
}

/* The backend took an SBI reset call: end as the core's SRST would */
static void dv_handle_system(struct dv_vcpu *vcpu, const struct dv_exit *e)
{
	uint32_t type = e->system.type == DV_SYSTEM_SHUTDOWN ? SBI_SRST_TYPE_SHUTDOWN
							     : SBI_SRST_TYPE_COLD_REBOOT;

	dv_vm_stop(vcpu->vm, dv_sbi_reset_status(type, e->system.reason));
}

static void dv_dump(struct dv_vcpu *vcpu, const struct dv_exit *e)
{
	unsigned int i;

	fprintf(stderr, "duvisor: vCPU %u: unexpected exit, cause %#llx tval %#llx pc %#llx\n",
		vcpu->id, (unsigned long long)e->other.cause, (unsigned long long)e->other.tval,
		(unsigned long long)e->pc);
	for (i = 1; i < 32; i++)
		fprintf(stderr, "  x%-2u %016llx%s", i,
			(unsigned long long)vcpu->vm->ops->get_reg(vcpu, i),
			i % 4 == 3 ? "\n" : "");
	fprintf(stderr, "\n");
}

/* One exit: >0 go on, 0 leave the loop, <0 error */
int dv_handle_exit(struct dv_vcpu *vcpu, const struct dv_exit *e)
{
	const struct dv_backend_ops *ops = vcpu->vm->ops;

	if (dv_fault_hit(DV_FAULT_EXIT))
		dv_fault_smash_return();
	dv_fault_exit_escape();

	switch (e->reason) {
	case DV_VMEXIT_SBI:
		vcpu->stats.count[DV_STAT_SBI]++;
		dv_handle_sbi(vcpu, e, dv_sbi_find(e->sbi.ext));
		return 1;
	case DV_VMEXIT_MMIO:
		vcpu->stats.count[DV_STAT_MMIO]++;
		dv_handle_mmio(vcpu, e);
		return 1;
	case DV_VMEXIT_WFI:
		vcpu->stats.count[DV_STAT_WFI]++;
		dv_vcpu_idle(vcpu);
		return 1;
	case DV_VMEXIT_SYSTEM:
		vcpu->stats.count[DV_STAT_SBI]++;
		dv_handle_system(vcpu, e);
		return 0;
	case DV_VMEXIT_KICK:
		vcpu->stats.count[DV_STAT_KICK]++;
		return 1;
	case DV_VMEXIT_HOST:
		vcpu->stats.count[DV_STAT_HOST]++;
		return 1;
	case DV_VMEXIT_FETCH:
		vcpu->stats.count[DV_STAT_FAULT_INJECTED]++;
		ops->inject_exception(vcpu, EXC_INST_ACCESS, e->other.tval);
		return 1;
	case DV_VMEXIT_GUEST_FAULT:
		vcpu->stats.count[DV_STAT_FAULT_INJECTED]++;
		ops->inject_exception(vcpu, e->other.cause, e->other.tval);
		return 1;
	case DV_VMEXIT_ILLEGAL:
		vcpu->stats.count[DV_STAT_OTHER]++;
		ops->inject_exception(vcpu, EXC_ILLEGAL, e->other.insn);
		return 1;
	default:
		dv_dump(vcpu, e);
		return -EIO;
	}
}

bool dv_handle_exit_inline(struct dv_vcpu *vcpu, const struct dv_exit *e)
{
	const struct dv_sbi_ext *ext;

	/* A pause needs no test here: its DV_EV_PAUSE rings this vCPU's doorbell */
	if (atomic_load_explicit(&vcpu->vm->stopping, memory_order_relaxed))
		return false;
	if ((e->reason == DV_VMEXIT_MMIO || e->reason == DV_VMEXIT_SBI) &&
	    dv_fault_hit(DV_FAULT_EXIT))
		dv_fault_smash_return();
	dv_fault_exit_escape();
	switch (e->reason) {
	case DV_VMEXIT_MMIO:
		vcpu->stats.count[DV_STAT_MMIO]++;
		dv_handle_mmio(vcpu, e);
		return true;
	case DV_VMEXIT_SBI:
		ext = dv_sbi_find(e->sbi.ext);
		if (!ext || !ext->quick)
			return false;
		vcpu->stats.count[DV_STAT_SBI]++;
		dv_handle_sbi(vcpu, e, ext);
		return true;
	default:
		return false;
	}
}

void *dv_vcpu_thread(void *arg)
{
	struct dv_vcpu *vcpu = arg;
	struct dv_vm *vm = vcpu->vm;
	const struct dv_backend_ops *ops = vm->ops;
	struct dv_exit e;
	int rc;

	dv_self = vcpu;
	/* A fatal signal here may arrive with the guest's sp: report it on a stack of our own */
	if (dv_crash_thread_init())
		fprintf(stderr, "duvisor: vCPU %u: no alternate signal stack\n", vcpu->id);
	rc = ops->vcpu_init(vcpu);
	if (rc) {
		fprintf(stderr, "duvisor: vCPU %u: %s\n", vcpu->id, strerror(-rc));
		dv_vm_stop(vm, DV_EXIT_FAILURE);
		if (vm->restore)
			dv_vcpu_restore_skip(vcpu); /* the others wait for it */
		return NULL;
	}
	dv_sandbox_thread(DV_THREAD_VCPU);
	if (vm->restore) {
		rc = dv_vcpu_restore(vcpu);
		if (rc) {
			fprintf(stderr, "duvisor: vCPU %u: restoring its state: %s\n", vcpu->id,
				strerror(-rc));
			dv_vm_stop(vm, DV_EXIT_FAILURE);
		}
	} else {
		if (vcpu->id == 0)
			ops->vcpu_reset(vcpu, vcpu->start_pc, 0, vcpu->start_arg);
		/* Secondary harts wait for SBI HSM: here, or in the backend */
		if (vcpu->id == 0 || (ops->caps & DV_CAP_HART_START))
			atomic_store(&vcpu->state, DV_VCPU_RUNNING);
	}
	while (!atomic_load(&vm->stopping)) {
		/* At an exit boundary: the exit before is finished (vmm/pause.h) */
		if (atomic_load_explicit(&vcpu->events, memory_order_relaxed) & DV_EV_PAUSE) {
			atomic_fetch_and(&vcpu->events, ~DV_EV_PAUSE);
			if (atomic_load(&vm->pause.gate))
				dv_pause_park(vm, dv_vcpu_snap_take_cb, vcpu);
			continue;
		}
		if (atomic_load(&vcpu->state) != DV_VCPU_RUNNING) {
			/* SBI HSM: a stopped hart waits to be started */
			dv_vcpu_wait(vcpu, DV_EV_START | DV_EV_STOP | DV_EV_PAUSE, false, NULL);
			if (atomic_fetch_and(&vcpu->events, ~DV_EV_START) & DV_EV_START &&
			    atomic_load(&vcpu->state) == DV_VCPU_START_PENDING) {
				ops->vcpu_reset(vcpu, vcpu->start_pc, vcpu->id, vcpu->start_arg);
				atomic_store(&vcpu->state, DV_VCPU_RUNNING);
			}
			continue;
		}
		atomic_store(&vcpu->in_guest, true);
		rc = ops->vcpu_run(vcpu, &e);
		atomic_store(&vcpu->in_guest, false);
		if (!rc)
			rc = dv_handle_exit(vcpu, &e);
		if (rc < 0) {
			dv_vm_stop(vm, DV_EXIT_FAILURE);
			break;
		}
	}
	ops->vcpu_destroy(vcpu);
	return NULL;
}
