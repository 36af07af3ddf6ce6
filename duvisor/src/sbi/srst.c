// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI SRST: system_reset(type, reason) ends the VM; duvisor's exit status
 * tells how (cli/cli.h): a shutdown 0, a reboot DV_EXIT_GUEST (duvisor
 * does not reboot a guest: whoever started it restarts it), and either of
 * them with reason SYSFAILURE DV_EXIT_SYSFAIL, so a script can tell a
 * guest that crashed from one that powered off. Reserved and
 * vendor-specific types and reasons are invalid, as OpenSBI has them.
 */
#include <errno.h>

#include "cli/cli.h"
#include "sbi/sbi.h"
#include "vmm/vm.h"

int dv_sbi_reset_status(uint32_t type, uint32_t reason)
{
	if (reason == SBI_SRST_REASON_SYSFAILURE)
		return DV_EXIT_SYSFAIL;
	return type == SBI_SRST_TYPE_SHUTDOWN ? DV_EXIT_OK : DV_EXIT_GUEST;
}

/* Returns only on an invalid request: the vCPU is not resumed */
static int dv_srst_reset(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	uint32_t type = (uint32_t)args[0], reason = (uint32_t)args[1];

	if (type > SBI_SRST_TYPE_WARM_REBOOT || reason > SBI_SRST_REASON_SYSFAILURE)
		return -EINVAL;
	dv_vm_stop(vcpu->vm, dv_sbi_reset_status(type, reason));
	ret->no_advance = true;
	return 0;
}

static dv_sbi_fn *const dv_srst_fns[] = {
    [SBI_SRST_SYSTEM_RESET] = dv_srst_reset,
};

const struct dv_sbi_ext dv_sbi_ext_srst = {
    .name = "srst",
    .eid_min = SBI_EXT_SRST,
    .eid_max = SBI_EXT_SRST,
    .nr_fns = sizeof(dv_srst_fns) / sizeof(dv_srst_fns[0]),
    .fns = dv_srst_fns,
};
