// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI BASE: the SBI version (2.0), duvisor as the implementation, and
 * probe_extension. The machine ids are 0: the guest sees no vendor's CPU.
 */
#include "sbi/sbi.h"

static int dv_base_spec_version(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	(void)vcpu;
	(void)args;
	ret->value = DV_SBI_SPEC_VERSION;
	return 0;
}

static int dv_base_impl_id(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	(void)vcpu;
	(void)args;
	ret->value = DV_SBI_IMPL_ID;
	return 0;
}

static int dv_base_impl_version(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	(void)vcpu;
	(void)args;
	ret->value = 1;
	return 0;
}

static int dv_base_probe_ext(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	ret->value = dv_sbi_probe(vcpu, args[0]);
	return 0;
}

/* mvendorid, marchid, mimpid */
static int dv_base_machine_id(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	(void)vcpu;
	(void)args;
	ret->value = 0;
	return 0;
}

static dv_sbi_fn *const dv_base_fns[] = {
    [SBI_BASE_GET_SPEC_VERSION] = dv_base_spec_version, [SBI_BASE_GET_IMPL_ID] = dv_base_impl_id,
    [SBI_BASE_GET_IMPL_VERSION] = dv_base_impl_version, [SBI_BASE_PROBE_EXT] = dv_base_probe_ext,
    [SBI_BASE_GET_MVENDORID] = dv_base_machine_id,	[SBI_BASE_GET_MARCHID] = dv_base_machine_id,
    [SBI_BASE_GET_MIMPID] = dv_base_machine_id,
};

const struct dv_sbi_ext dv_sbi_ext_base = {
    .name = "base",
    .eid_min = SBI_EXT_BASE,
    .eid_max = SBI_EXT_BASE,
    .nr_fns = sizeof(dv_base_fns) / sizeof(dv_base_fns[0]),
    .fns = dv_base_fns,
    .quick = true,
};
