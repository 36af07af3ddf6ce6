// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI IPI: a supervisor software interrupt for each hart named. The
 * target takes it (its backend sets the guest's SSIP) before it next
 * enters its guest; the kick makes a running target leave its guest now.
 */
#include "sbi/sbi.h"
#include "vmm/vm.h"

static void dv_ipi_post(struct dv_vcpu *target, unsigned int events)
{
	dv_vcpu_post(target, events);
}

static int dv_ipi_send(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	(void)ret;
	return dv_sbi_for_harts(vcpu, args[0], args[1], dv_ipi_post, DV_EV_IPI);
}

static dv_sbi_fn *const dv_ipi_fns[] = {
    [SBI_IPI_SEND_IPI] = dv_ipi_send,
};

const struct dv_sbi_ext dv_sbi_ext_ipi = {
    .name = "ipi",
    .eid_min = SBI_EXT_IPI,
    .eid_max = SBI_EXT_IPI,
    .nr_fns = sizeof(dv_ipi_fns) / sizeof(dv_ipi_fns[0]),
    .fns = dv_ipi_fns,
    .quick = true,
};
