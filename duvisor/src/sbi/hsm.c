// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI HSM: starting, stopping and suspending harts. Every vCPU but the
 * first begins stopped; its thread waits (vcpu.c) until hart_start hands
 * it a start address and opaque value, then enters the guest at the start
 * address in S-mode, translation off, with a0 = hartid and a1 = opaque.
 * hart_stop parks the calling vCPU the same way.
 *
 * hart_suspend sleeps on the calling vCPU's thread as WFI does (until an
 * interrupt is pending for the guest, its timer is due, or an event is
 * posted); a retentive suspend then returns 0 like WFI, a non-retentive
 * one resumes at resume_addr as hart_start does. Only the two default
 * suspend types exist: reserved and platform-specific types are invalid.
 */
#include <errno.h>

#include "backend/backend.h"
#include "sbi/sbi.h"
#include "vmm/exit.h"
#include "vmm/vm.h"

/* hart_start(hartid, start_addr, opaque) */
static int dv_hsm_start(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	struct dv_vm *vm = vcpu->vm;
	struct dv_vcpu *t;
	int expected = DV_VCPU_STOPPED;

	(void)ret;
	if (args[0] >= vm->nr_vcpus)
		return -EINVAL;
	if (!dv_gpa_in_ram(&vm->mem, args[1]))
		return -EFAULT;
	t = &vm->vcpus[args[0]];
	/* One caller wins the hart; the target reads where to start after
	 * it took DV_EV_START, which the post publishes after these stores */
	if (!atomic_compare_exchange_strong(&t->state, &expected, DV_VCPU_START_PENDING))
		return -EALREADY;
	t->start_pc = args[1];
	t->start_arg = args[2];
	dv_vcpu_post(t, DV_EV_START);
	return 0;
}

/* hart_stop(): the run loop parks this vCPU; the call does not return */
static int dv_hsm_stop(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	(void)args;
	atomic_store(&vcpu->state, DV_VCPU_STOPPED);
	ret->no_advance = true;
	return 0;
}

/* hart_get_status(hartid) */
static int dv_hsm_status(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	struct dv_vm *vm = vcpu->vm;

	if (args[0] >= vm->nr_vcpus)
		return -EINVAL;
	switch (atomic_load(&vm->vcpus[args[0]].state)) {
	case DV_VCPU_STOPPED:
		ret->value = SBI_HSM_STATE_STOPPED;
		break;
	case DV_VCPU_START_PENDING:
		ret->value = SBI_HSM_STATE_START_PENDING;
		break;
	case DV_VCPU_SUSPENDED:
		ret->value = SBI_HSM_STATE_SUSPENDED;
		break;
	default:
		ret->value = SBI_HSM_STATE_STARTED;
	}
	return 0;
}

/* hart_suspend(suspend_type, resume_addr, opaque) */
static int dv_hsm_suspend(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	const struct dv_backend_ops *ops = vcpu->vm->ops;
	uint32_t type = (uint32_t)args[0];
	bool retentive = type == SBI_HSM_SUSPEND_RET_DEFAULT;

	if (!retentive && type != SBI_HSM_SUSPEND_NON_RET_DEFAULT)
		return -EINVAL;
	/* The sleep is the core's WFI: a backend that takes WFI itself keeps HSM too */
	if (ops->caps & DV_CAP_WFI_TIMER)
		return -EOPNOTSUPP;
	if (!retentive && !dv_gpa_in_ram(&vcpu->vm->mem, args[1]))
		return -EFAULT;
	atomic_store(&vcpu->state, DV_VCPU_SUSPENDED);
	dv_vcpu_idle(vcpu);
	atomic_store(&vcpu->state, DV_VCPU_RUNNING);
	if (retentive)
		return 0;
	/* S-mode at resume_addr, satp and sstatus.SIE 0, a0 = hartid, a1 = opaque */
	ops->vcpu_reset(vcpu, args[1], vcpu->id, args[2]);
	/*
	 * The reset also clears the guest's pending interrupts. An external
	 * one is raised again from the PLIC's line and the timer from its
	 * comparator, but a software interrupt (an IPI) the backend already
	 * made pending has no other record: post one again. An IPI with
	 * nothing to do is harmless to the guest; a lost one may leave it
	 * waiting for ever.
	 */
	atomic_fetch_or(&vcpu->events, DV_EV_IPI);
	ret->no_advance = true;
	return 0;
}

static dv_sbi_fn *const dv_hsm_fns[] = {
    [SBI_HSM_HART_START] = dv_hsm_start,
    [SBI_HSM_HART_STOP] = dv_hsm_stop,
    [SBI_HSM_HART_GET_STATUS] = dv_hsm_status,
    [SBI_HSM_HART_SUSPEND] = dv_hsm_suspend,
};

const struct dv_sbi_ext dv_sbi_ext_hsm = {
    .name = "hsm",
    .eid_min = SBI_EXT_HSM,
    .eid_max = SBI_EXT_HSM,
    .nr_fns = sizeof(dv_hsm_fns) / sizeof(dv_hsm_fns[0]),
    .fns = dv_hsm_fns,
};
