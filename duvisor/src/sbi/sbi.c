// SPDX-License-Identifier: GPL-2.0-only
/* SBI dispatch: the extension table, probing, errors, hart masks. */
#include <errno.h>
#include <stddef.h>

#include "sbi/sbi.h"
#include "vmm/vm.h"

/*
 * Every SBI exit looks its id up here: a switch (a few compares), not a
 * walk of the extensions. test_sbi checks it against each extension's
 * eid_min..eid_max.
 */
const struct dv_sbi_ext *dv_sbi_find(uint64_t eid)
{
	switch (eid) {
	case SBI_EXT_BASE:
		return &dv_sbi_ext_base;
	case SBI_EXT_TIME:
		return &dv_sbi_ext_time;
	case SBI_EXT_IPI:
		return &dv_sbi_ext_ipi;
	case SBI_EXT_RFENCE:
		return &dv_sbi_ext_rfence;
	case SBI_EXT_HSM:
		return &dv_sbi_ext_hsm;
	case SBI_EXT_SRST:
		return &dv_sbi_ext_srst;
	case SBI_EXT_DBCN:
		return &dv_sbi_ext_dbcn;
	default:
		return eid <= SBI_EXT_LEGACY_MAX ? &dv_sbi_ext_legacy : NULL;
	}
}

/* The function serving (eid, fid), or NULL */
static dv_sbi_fn *dv_sbi_fn_of(const struct dv_sbi_ext *ext, uint64_t eid, uint64_t fid)
{
	uint64_t i = ext->legacy ? eid - ext->eid_min : fid;

	return i < ext->nr_fns ? ext->fns[i] : NULL;
}

int dv_sbi_probe(struct dv_vcpu *vcpu, uint64_t eid)
{
	const struct dv_sbi_ext *ext = dv_sbi_find(eid);

	if (!ext)
		return 0;
	/* A v0.1 id is offered when its one call is */
	if (ext->legacy && !dv_sbi_fn_of(ext, eid, 0))
		return 0;
	return !ext->probe || ext->probe(vcpu, eid);
}

int64_t dv_sbi_error(int err)
{
	switch (err) {
	case 0:
		return SBI_SUCCESS;
	case -EOPNOTSUPP:
		return SBI_ERR_NOT_SUPPORTED;
	case -EINVAL:
		return SBI_ERR_INVALID_PARAM;
	case -EFAULT:
		return SBI_ERR_INVALID_ADDRESS;
	case -EPERM:
		return SBI_ERR_DENIED;
	case -EALREADY:
		return SBI_ERR_ALREADY_AVAILABLE;
	default:
		return SBI_ERR_FAILED;
	}
}

struct dv_sbi_ret dv_sbi_call(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid,
			      const uint64_t args[6])
{
	return dv_sbi_call_ext(vcpu, dv_sbi_find(eid), eid, fid, args);
}

struct dv_sbi_ret dv_sbi_call_ext(struct dv_vcpu *vcpu, const struct dv_sbi_ext *ext, uint64_t eid,
				  uint64_t fid, const uint64_t args[6])
{
	struct dv_sbi_ret r = {.legacy = ext && ext->legacy};
	dv_sbi_fn *fn = NULL;
	int rc;

	if (ext && (!ext->probe || ext->probe(vcpu, eid)))
		fn = dv_sbi_fn_of(ext, eid, fid);
	rc = fn ? fn(vcpu, args, &r) : -EOPNOTSUPP;
	if (r.legacy) {
		/* A v0.1 call returns its value, or an error, in a0 alone */
		r.error = rc ? dv_sbi_error(rc) : r.value;
		r.value = 0;
	} else {
		r.error = dv_sbi_error(rc);
		if (rc)
			r.value = 0;
	}
	return r;
}

int dv_sbi_for_harts(struct dv_vcpu *self, uint64_t mask, uint64_t base,
		     void (*fn)(struct dv_vcpu *target, unsigned int arg), unsigned int arg)
{
	struct dv_vm *vm = self->vm;
	unsigned int i;

	if (base == UINT64_MAX) {
		for (i = 0; i < vm->nr_vcpus; i++)
			fn(&vm->vcpus[i], arg);
		return 0;
	}
	/* Without Zbb a count of leading or trailing zeros is a libgcc call:
	 * shifts instead, one step per hart up to the highest one named */
	if (base >= vm->nr_vcpus || (vm->nr_vcpus - base < 64 && mask >> (vm->nr_vcpus - base)))
		return -EINVAL;
	for (i = 0; mask; i++, mask >>= 1)
		if (mask & 1)
			fn(&vm->vcpus[base + i], arg);
	return 0;
}
