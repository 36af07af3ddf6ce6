// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI TIME: set_timer programs the vCPU's timer through the backend
 * (dvext: the guest's own Sstc comparator, so a deadline in the past is
 * pending at once and UINT64_MAX clears it). A backend without a timer of
 * its own to set does not offer the extension.
 */
#include "backend/backend.h"
#include "sbi/sbi.h"
#include "vmm/vm.h"
#include "vmm/faults.h"

static bool dv_time_probe(struct dv_vcpu *vcpu, uint64_t eid)
{
	(void)eid;
	return vcpu->vm->ops->set_timer != NULL;
}

static int dv_time_set_timer(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	(void)ret;
	if (dv_fault_hit(DV_FAULT_PV))
		dv_fault_hang();
	vcpu->vm->ops->set_timer(vcpu, args[0]);
	return 0;
}

static dv_sbi_fn *const dv_time_fns[] = {
    [SBI_TIME_SET_TIMER] = dv_time_set_timer,
};

const struct dv_sbi_ext dv_sbi_ext_time = {
    .name = "time",
    .eid_min = SBI_EXT_TIME,
    .eid_max = SBI_EXT_TIME,
    .nr_fns = sizeof(dv_time_fns) / sizeof(dv_time_fns[0]),
    .fns = dv_time_fns,
    .quick = true,
    .probe = dv_time_probe,
};
