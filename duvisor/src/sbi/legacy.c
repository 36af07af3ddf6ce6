// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SBI v0.1 calls a guest's early console and old kernels use:
 * set_timer, console_putchar, console_getchar (-1: no input) and shutdown.
 * Each has an extension id of its own and returns in a0 alone; the v0.1
 * IPI and fence calls are not offered (their v0.2 extensions are).
 */
#include "backend/backend.h"
#include "cli/cli.h"
#include "sbi/sbi.h"
#include "vmm/console.h"
#include "vmm/vm.h"

static bool dv_legacy_probe(struct dv_vcpu *vcpu, uint64_t eid)
{
	return eid != SBI_LEGACY_SET_TIMER || vcpu->vm->ops->set_timer;
}

static int dv_legacy_set_timer(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	(void)ret;
	vcpu->vm->ops->set_timer(vcpu, args[0]);
	return 0;
}

static int dv_legacy_putchar(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	uint8_t b = (uint8_t)args[0];

	(void)vcpu;
	(void)ret;
	dv_console_write(&b, 1);
	return 0;
}

static int dv_legacy_getchar(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	(void)vcpu;
	(void)args;
	ret->value = dv_console_getc();
	return 0;
}

static int dv_legacy_shutdown(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	(void)args;
	dv_vm_stop(vcpu->vm, dv_sbi_reset_status(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_NONE));
	ret->no_advance = true;
	return 0;
}

static dv_sbi_fn *const dv_legacy_fns[] = {
    [SBI_LEGACY_SET_TIMER] = dv_legacy_set_timer,
    [SBI_LEGACY_PUTCHAR] = dv_legacy_putchar,
    [SBI_LEGACY_GETCHAR] = dv_legacy_getchar,
    [SBI_LEGACY_SHUTDOWN] = dv_legacy_shutdown,
};

const struct dv_sbi_ext dv_sbi_ext_legacy = {
    .name = "legacy",
    .eid_min = SBI_EXT_LEGACY_MIN,
    .eid_max = SBI_EXT_LEGACY_MAX,
    .legacy = true,
    .nr_fns = sizeof(dv_legacy_fns) / sizeof(dv_legacy_fns[0]),
    .fns = dv_legacy_fns,
    .probe = dv_legacy_probe,
};
