// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI DBCN, the debug console (earlycon=sbi): write and read a buffer in
 * guest RAM, write one byte, on duvisor's terminal. On RV64 the buffer's
 * address is base_lo (a1) alone: base_hi (a2) must be 0. A buffer not
 * wholly in RAM is an invalid parameter, as the spec words it.
 */
#include <errno.h>

#include "sbi/sbi.h"
#include "vmm/console.h"
#include "vmm/vm.h"

/* The guest's buffer (num_bytes, base_lo, base_hi) in RAM, or NULL */
static uint8_t *dv_dbcn_buf(struct dv_vcpu *vcpu, const uint64_t *args)
{
	if (args[2])
		return NULL;
	return dv_gpa_ptr(&vcpu->vm->mem, args[1], args[0]);
}

static int dv_dbcn_write(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	const uint8_t *p = dv_dbcn_buf(vcpu, args);

	if (!p)
		return -EINVAL;
	dv_console_write(p, args[0]);
	ret->value = (int64_t)args[0];
	return 0;
}

/* Whatever input is queued, up to num_bytes; 0 when there is none */
static int dv_dbcn_read(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	uint8_t *p = dv_dbcn_buf(vcpu, args);
	uint64_t i;
	int c;

	if (!p)
		return -EINVAL;
	for (i = 0; i < args[0] && (c = dv_console_getc()) >= 0; i++)
		p[i] = (uint8_t)c;
	ret->value = (int64_t)i;
	return 0;
}

static int dv_dbcn_write_byte(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret)
{
	uint8_t b = (uint8_t)args[0];

	(void)vcpu;
	(void)ret;
	dv_console_write(&b, 1);
	return 0;
}

static dv_sbi_fn *const dv_dbcn_fns[] = {
    [SBI_DBCN_WRITE] = dv_dbcn_write,
    [SBI_DBCN_READ] = dv_dbcn_read,
    [SBI_DBCN_WRITE_BYTE] = dv_dbcn_write_byte,
};

const struct dv_sbi_ext dv_sbi_ext_dbcn = {
    .name = "dbcn",
    .eid_min = SBI_EXT_DBCN,
    .eid_max = SBI_EXT_DBCN,
    .nr_fns = sizeof(dv_dbcn_fns) / sizeof(dv_dbcn_fns[0]),
    .fns = dv_dbcn_fns,
    .quick = true,
};
