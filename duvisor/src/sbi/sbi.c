// SPDX-License-Identifier: GPL-2.0-only
/* SBI dispatch and the BASE extension. */
#include <stddef.h>

#include "sbi/sbi.h"

static const struct dv_sbi_ext dv_sbi_exts[] = {
    {"legacy", 0x00, 0x0f, dv_sbi_legacy},
    {"base", SBI_EXT_BASE, SBI_EXT_BASE, dv_sbi_base},
    {"time", SBI_EXT_TIME, SBI_EXT_TIME, dv_sbi_time},
    {"ipi", SBI_EXT_IPI, SBI_EXT_IPI, dv_sbi_ipi},
    {"rfence", SBI_EXT_RFENCE, SBI_EXT_RFENCE, dv_sbi_rfence},
    {"hsm", SBI_EXT_HSM, SBI_EXT_HSM, dv_sbi_hsm},
    {"srst", SBI_EXT_SRST, SBI_EXT_SRST, dv_sbi_srst},
    {"dbcn", SBI_EXT_DBCN, SBI_EXT_DBCN, dv_sbi_dbcn},
};

const struct dv_sbi_ext *dv_sbi_find(uint64_t eid)
{
	unsigned int i;

	for (i = 0; i < sizeof(dv_sbi_exts) / sizeof(dv_sbi_exts[0]); i++)
		if (eid >= dv_sbi_exts[i].eid_min && eid <= dv_sbi_exts[i].eid_max)
			return &dv_sbi_exts[i];
	return NULL;
}

/* Legacy calls offered: set_timer, putchar, getchar, shutdown */
#define DV_SBI_LEGACY_OFFERED ((1u << 0) | (1u << 1) | (1u << 2) | (1u << 8))

int dv_sbi_probe(uint64_t eid)
{
	if (eid <= 0x0f)
		return (DV_SBI_LEGACY_OFFERED >> eid) & 1;
	return dv_sbi_find(eid) != NULL;
}

struct dv_sbi_ret dv_sbi_call(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid,
			      const uint64_t args[6])
{
	const struct dv_sbi_ext *ext = dv_sbi_find(eid);

	if (!ext)
		return (struct dv_sbi_ret){.error = SBI_ERR_NOT_SUPPORTED};
	return ext->call(vcpu, eid, fid, args);
}

enum {
	SBI_BASE_GET_SPEC_VERSION,
	SBI_BASE_GET_IMPL_ID,
	SBI_BASE_GET_IMPL_VERSION,
	SBI_BASE_PROBE_EXT,
	SBI_BASE_GET_MVENDORID,
	SBI_BASE_GET_MARCHID,
	SBI_BASE_GET_MIMPID,
};

struct dv_sbi_ret dv_sbi_base(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid,
			      const uint64_t *args)
{
	struct dv_sbi_ret r = {.error = SBI_SUCCESS};

	(void)vcpu;
	(void)eid;
	switch (fid) {
	case SBI_BASE_GET_SPEC_VERSION:
		r.value = DV_SBI_SPEC_VERSION;
		break;
	case SBI_BASE_GET_IMPL_ID:
		r.value = DV_SBI_IMPL_ID;
		break;
	case SBI_BASE_GET_IMPL_VERSION:
		r.value = 1;
		break;
	case SBI_BASE_PROBE_EXT:
		r.value = dv_sbi_probe(args[0]);
		break;
	case SBI_BASE_GET_MVENDORID:
	case SBI_BASE_GET_MARCHID:
	case SBI_BASE_GET_MIMPID:
		r.value = 0;
		break;
	default:
		r.error = SBI_ERR_NOT_SUPPORTED;
	}
	return r;
}
