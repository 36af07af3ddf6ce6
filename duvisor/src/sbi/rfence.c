// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI RFENCE: remote FENCE.I and SFENCE.VMA (with or without an ASID) on
 * the harts named; each target's backend does a whole fence of its kind
 * (every guest translation for SFENCE.VMA), which covers any range or ASID
 * asked for. The HFENCE calls are for a guest that is itself a hypervisor: the
 * guest has no H extension, so they are not supported.
 */
#include <sched.h>

#include "sbi/sbi.h"
#include "vmm/vm.h"

static void dv_rfence_post(struct dv_vcpu *target, unsigned int events)
{
	dv_vcpu_post(target, events);
}

/*
 * Remote fences complete before the call returns: a target running guest
 * code is waited for until it took the event or left its guest (the kick
 * makes it leave); one outside its guest takes its events before it enters
 * again. Only in_guest counts: two vCPUs fencing each other at once are
 * both outside their guests, and each waiting for the other to take its
 * events would wait forever.
 */
static void dv_rfence_wait(struct dv_vcpu *target, unsigned int events)
{
	if (target == dv_vcpu_self())
		return;
	while ((atomic_load(&target->events) & events) && atomic_load(&target->in_guest) &&
	       !atomic_load(&target->vm->stopping))
		sched_yield();
}

static int dv_rfence(struct dv_vcpu *vcpu, const uint64_t *args, unsigned int ev)
{
	int rc = dv_sbi_for_harts(vcpu, args[0], args[1], dv_rfence_post, ev);

	if (!rc)
		dv_sbi_for_harts(vcpu, args[0], args[1], dv_rfence_wait, ev);
	return rc;
}

/* remote_fence_i(hart_mask, hart_mask_base) */
static int dv_rfence_i(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	(void)ret;
	return dv_rfence(vcpu, args, DV_EV_FENCE_I);
}

/* remote_sfence_vma(mask, base, start, size) and _asid(mask, base, start, size, asid) */
static int dv_rfence_vma(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	(void)ret;
	return dv_rfence(vcpu, args, DV_EV_FENCE_VMA);
}

static dv_sbi_fn *const dv_rfence_fns[] = {
    [SBI_RFENCE_FENCE_I] = dv_rfence_i,
    [SBI_RFENCE_SFENCE_VMA] = dv_rfence_vma,
    [SBI_RFENCE_SFENCE_VMA_ASID] = dv_rfence_vma,
    /* HFENCE.GVMA/VVMA (3-6): not supported */
};

const struct dv_sbi_ext dv_sbi_ext_rfence = {
    .name = "rfence",
    .eid_min = SBI_EXT_RFENCE,
    .eid_max = SBI_EXT_RFENCE,
    .nr_fns = sizeof(dv_rfence_fns) / sizeof(dv_rfence_fns[0]),
    .fns = dv_rfence_fns,
    .quick = true,
};
