// SPDX-License-Identifier: GPL-2.0-only
/* SBI extensions for the machine: TIME, SRST, DBCN, and the v0.1 calls. */
#include "backend/backend.h"
#include "cli/cli.h"
#include "vmm/console.h"
#include "sbi/sbi.h"
#include "vmm/vm.h"

struct dv_sbi_ret dv_sbi_time(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid,
			      const uint64_t *args)
{
	(void)eid;
	if (fid != 0 || !vcpu->vm->ops->set_timer)
		return (struct dv_sbi_ret){.error = SBI_ERR_NOT_SUPPORTED};
	vcpu->vm->ops->set_timer(vcpu, args[0]);
	return (struct dv_sbi_ret){.error = SBI_SUCCESS};
}

enum { SBI_SRST_SHUTDOWN, SBI_SRST_COLD_REBOOT, SBI_SRST_WARM_REBOOT };

struct dv_sbi_ret dv_sbi_srst(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid,
			      const uint64_t *args)
{
	(void)eid;
	if (fid != 0)
		return (struct dv_sbi_ret){.error = SBI_ERR_NOT_SUPPORTED};
	switch (args[0]) {
	case SBI_SRST_SHUTDOWN:
		dv_vm_stop(vcpu->vm, DV_EXIT_OK);
		break;
	case SBI_SRST_COLD_REBOOT:
	case SBI_SRST_WARM_REBOOT:
		/* A reboot ends duvisor with its own exit code; restart it to reboot */
		dv_vm_stop(vcpu->vm, DV_EXIT_GUEST);
		break;
	default:
		return (struct dv_sbi_ret){.error = SBI_ERR_INVALID_PARAM};
	}
	return (struct dv_sbi_ret){.error = SBI_SUCCESS, .no_advance = true};
}

enum { SBI_DBCN_WRITE, SBI_DBCN_READ, SBI_DBCN_WRITE_BYTE };

struct dv_sbi_ret dv_sbi_dbcn(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid,
			      const uint64_t *args)
{
	uint64_t len = args[0], gpa = args[1];
	uint8_t *p;
	uint64_t i;
	int c;

	(void)eid;
	/* RV64: the address is base_lo alone; base_hi must be 0 */
	if (fid != SBI_DBCN_WRITE_BYTE && args[2])
		return (struct dv_sbi_ret){.error = SBI_ERR_INVALID_PARAM};
	switch (fid) {
	case SBI_DBCN_WRITE:
		p = dv_gpa_ptr(&vcpu->vm->mem, gpa, len);
		if (!p)
			return (struct dv_sbi_ret){.error = SBI_ERR_INVALID_PARAM};
		dv_console_write(p, len);
		return (struct dv_sbi_ret){.value = (int64_t)len};
	case SBI_DBCN_READ:
		p = dv_gpa_ptr(&vcpu->vm->mem, gpa, len);
		if (!p)
			return (struct dv_sbi_ret){.error = SBI_ERR_INVALID_PARAM};
		for (i = 0; i < len && (c = dv_console_getc()) >= 0; i++)
			p[i] = (uint8_t)c;
		return (struct dv_sbi_ret){.value = (int64_t)i};
	case SBI_DBCN_WRITE_BYTE: {
		uint8_t b = (uint8_t)args[0];

		dv_console_write(&b, 1);
		return (struct dv_sbi_ret){.error = SBI_SUCCESS};
	}
	default:
		return (struct dv_sbi_ret){.error = SBI_ERR_NOT_SUPPORTED};
	}
}

enum {
	SBI_LEGACY_SET_TIMER = 0,
	SBI_LEGACY_PUTCHAR = 1,
	SBI_LEGACY_GETCHAR = 2,
	SBI_LEGACY_SHUTDOWN = 8,
};

struct dv_sbi_ret dv_sbi_legacy(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid,
				const uint64_t *args)
{
	struct dv_sbi_ret r = {.legacy = true};
	uint8_t b;

	(void)fid;
	switch (eid) {
	case SBI_LEGACY_SET_TIMER:
		if (vcpu->vm->ops->set_timer)
			vcpu->vm->ops->set_timer(vcpu, args[0]);
		else
			r.error = SBI_ERR_NOT_SUPPORTED;
		break;
	case SBI_LEGACY_PUTCHAR:
		b = (uint8_t)args[0];
		dv_console_write(&b, 1);
		break;
	case SBI_LEGACY_GETCHAR:
		r.error = dv_console_getc();
		break;
	case SBI_LEGACY_SHUTDOWN:
		dv_vm_stop(vcpu->vm, DV_EXIT_OK);
		r.no_advance = true;
		break;
	default:
		r.error = SBI_ERR_NOT_SUPPORTED;
	}
	return r;
}
