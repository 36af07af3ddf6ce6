/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SBI for the guest kernel: one descriptor per extension (id range,
 * handler), looked up by the extension id in a7; errors map to the SBI
 * codes in one place. Anything not listed answers NOT_SUPPORTED.
 */
#ifndef DV_SBI_H
#define DV_SBI_H

#include <stdbool.h>
#include <stdint.h>

struct dv_vcpu;

#define SBI_SUCCESS		  0
#define SBI_ERR_FAILED		  -1
#define SBI_ERR_NOT_SUPPORTED	  -2
#define SBI_ERR_INVALID_PARAM	  -3
#define SBI_ERR_DENIED		  -4
#define SBI_ERR_INVALID_ADDRESS	  -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED	  -7
#define SBI_ERR_ALREADY_STOPPED	  -8

#define SBI_EXT_BASE   0x10
#define SBI_EXT_TIME   0x54494D45
#define SBI_EXT_IPI    0x735049
#define SBI_EXT_RFENCE 0x52464E43
#define SBI_EXT_HSM    0x48534D
#define SBI_EXT_SRST   0x53525354
#define SBI_EXT_DBCN   0x4442434E

#define DV_SBI_IMPL_ID	    0x44564953 /* "DVIS" */
#define DV_SBI_SPEC_VERSION ((2u << 24) | 0u)

struct dv_sbi_ret {
	int64_t error;
	int64_t value;
	bool legacy;	 /* v0.1 call: only a0 (= error) is written */
	bool no_advance; /* the handler set the vCPU's pc itself */
};

struct dv_sbi_ext {
	const char *name;
	uint64_t eid_min, eid_max;
	struct dv_sbi_ret (*call)(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid,
				  const uint64_t *args);
};

struct dv_sbi_ret dv_sbi_call(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid,
			      const uint64_t args[6]);
/* The extension serving eid, or NULL (for BASE probe_extension too). */
const struct dv_sbi_ext *dv_sbi_find(uint64_t eid);
/* BASE probe_extension: 1 when eid is offered (legacy ids one by one) */
int dv_sbi_probe(uint64_t eid);

/* Extension handlers (sbi_*.c) */
struct dv_sbi_ret dv_sbi_base(struct dv_vcpu *, uint64_t, uint64_t, const uint64_t *);
struct dv_sbi_ret dv_sbi_legacy(struct dv_vcpu *, uint64_t, uint64_t, const uint64_t *);
struct dv_sbi_ret dv_sbi_time(struct dv_vcpu *, uint64_t, uint64_t, const uint64_t *);
struct dv_sbi_ret dv_sbi_ipi(struct dv_vcpu *, uint64_t, uint64_t, const uint64_t *);
struct dv_sbi_ret dv_sbi_rfence(struct dv_vcpu *, uint64_t, uint64_t, const uint64_t *);
struct dv_sbi_ret dv_sbi_hsm(struct dv_vcpu *, uint64_t, uint64_t, const uint64_t *);
struct dv_sbi_ret dv_sbi_srst(struct dv_vcpu *, uint64_t, uint64_t, const uint64_t *);
struct dv_sbi_ret dv_sbi_dbcn(struct dv_vcpu *, uint64_t, uint64_t, const uint64_t *);

#endif /* DV_SBI_H */
