/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SBI for the guest kernel, as the core serves it (a backend with
 * DV_CAP_SBI_IN_BACKEND forwards only the calls it does not handle).
 *
 * One descriptor per extension, one file per extension (sbi/<ext>.c), as
 * Linux's riscv KVM has them: the extension's id range and a table of its
 * functions indexed by function id (by extension id for the v0.1 calls,
 * which have one id each). A function returns 0 or a negative errno and
 * dv_sbi_call() turns that into the SBI error code, in one place
 * (dv_sbi_error). An extension or function that is not in a table answers
 * SBI_ERR_NOT_SUPPORTED.
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

/* Extension ids (a7); the v0.1 calls are 0x00-0x0f, one id per call */
#define SBI_EXT_LEGACY_MIN 0x00
#define SBI_EXT_LEGACY_MAX 0x0f
#define SBI_EXT_BASE	   0x10
#define SBI_EXT_TIME	   0x54494D45
#define SBI_EXT_IPI	   0x735049
#define SBI_EXT_RFENCE	   0x52464E43
#define SBI_EXT_HSM	   0x48534D
#define SBI_EXT_SRST	   0x53525354
#define SBI_EXT_DBCN	   0x4442434E

/* The v0.1 calls (extension ids) */
enum {
	SBI_LEGACY_SET_TIMER,
	SBI_LEGACY_PUTCHAR,
	SBI_LEGACY_GETCHAR,
	SBI_LEGACY_CLEAR_IPI,
	SBI_LEGACY_SEND_IPI,
	SBI_LEGACY_REMOTE_FENCE_I,
	SBI_LEGACY_REMOTE_SFENCE_VMA,
	SBI_LEGACY_REMOTE_SFENCE_VMA_ASID,
	SBI_LEGACY_SHUTDOWN,
};

/* Function ids (a6) */
enum {
	SBI_BASE_GET_SPEC_VERSION,
	SBI_BASE_GET_IMPL_ID,
	SBI_BASE_GET_IMPL_VERSION,
	SBI_BASE_PROBE_EXT,
	SBI_BASE_GET_MVENDORID,
	SBI_BASE_GET_MARCHID,
	SBI_BASE_GET_MIMPID,
};
enum { SBI_TIME_SET_TIMER };
enum { SBI_IPI_SEND_IPI };
enum {
	SBI_RFENCE_FENCE_I,
	SBI_RFENCE_SFENCE_VMA,
	SBI_RFENCE_SFENCE_VMA_ASID,
	SBI_RFENCE_HFENCE_GVMA_VMID,
	SBI_RFENCE_HFENCE_GVMA,
	SBI_RFENCE_HFENCE_VVMA_ASID,
	SBI_RFENCE_HFENCE_VVMA,
};
enum { SBI_HSM_HART_START, SBI_HSM_HART_STOP, SBI_HSM_HART_GET_STATUS, SBI_HSM_HART_SUSPEND };
enum { SBI_SRST_SYSTEM_RESET };
enum { SBI_DBCN_WRITE, SBI_DBCN_READ, SBI_DBCN_WRITE_BYTE };

/* HSM hart states (hart_get_status) and suspend types */
enum {
	SBI_HSM_STATE_STARTED,
	SBI_HSM_STATE_STOPPED,
	SBI_HSM_STATE_START_PENDING,
	SBI_HSM_STATE_STOP_PENDING,
	SBI_HSM_STATE_SUSPENDED,
	SBI_HSM_STATE_SUSPEND_PENDING,
	SBI_HSM_STATE_RESUME_PENDING,
};
#define SBI_HSM_SUSPEND_RET_DEFAULT	0x00000000u
#define SBI_HSM_SUSPEND_NON_RET_DEFAULT 0x80000000u

/* SRST reset types and reasons */
enum { SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_TYPE_COLD_REBOOT, SBI_SRST_TYPE_WARM_REBOOT };
enum { SBI_SRST_REASON_NONE, SBI_SRST_REASON_SYSFAILURE };

#define DV_SBI_IMPL_ID	    0x44564953 /* "DVIS" */
#define DV_SBI_SPEC_VERSION ((2u << 24) | 0u)

/* What the vCPU's a0/a1 become (the backend's sbi_done) */
struct dv_sbi_ret {
	int64_t error;	 /* a0: an SBI_* code; for a v0.1 call the call's return value */
	int64_t value;	 /* a1 */
	bool legacy;	 /* v0.1 call: only a0 is written */
	bool no_advance; /* the function set the vCPU's pc itself, or stopped it */
};

/*
 * One SBI function, on the calling vCPU's thread: args are a0..a5. It may
 * set ret->value (a v0.1 call: its a0) and ret->no_advance; it returns 0
 * or a negative errno (see dv_sbi_error).
 */
typedef int dv_sbi_fn(struct dv_vcpu *vcpu, const uint64_t *args, struct dv_sbi_ret *ret);

struct dv_sbi_ext {
	const char *name;
	uint64_t eid_min, eid_max;
	bool legacy;	     /* v0.1: fns by eid - eid_min, a0 only is returned */
	unsigned int nr_fns; /* fns[] by function id; NULL entries are not offered */
	dv_sbi_fn *const *fns;
	/* Optional: false when this backend cannot offer the extension (eid) */
	bool (*probe)(struct dv_vcpu *vcpu, uint64_t eid);
	/*
	 * Every call returns at once and leaves the vCPU running and the VM
	 * up: a backend may serve it without leaving its guest entry
	 * (dv_handle_exit_inline)
	 */
	bool quick;
};

extern const struct dv_sbi_ext dv_sbi_ext_legacy; /* legacy.c */
extern const struct dv_sbi_ext dv_sbi_ext_base;	  /* base.c */
extern const struct dv_sbi_ext dv_sbi_ext_time;	  /* time.c */
extern const struct dv_sbi_ext dv_sbi_ext_ipi;	  /* ipi.c */
extern const struct dv_sbi_ext dv_sbi_ext_rfence; /* rfence.c */
extern const struct dv_sbi_ext dv_sbi_ext_hsm;	  /* hsm.c */
extern const struct dv_sbi_ext dv_sbi_ext_srst;	  /* srst.c */
extern const struct dv_sbi_ext dv_sbi_ext_dbcn;	  /* dbcn.c */

/* Serve the ecall (a7 = eid, a6 = fid) of vcpu */
struct dv_sbi_ret dv_sbi_call(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid,
			      const uint64_t args[6]);
/* The extension serving eid, or NULL */
const struct dv_sbi_ext *dv_sbi_find(uint64_t eid);
/* dv_sbi_call() with ext = dv_sbi_find(eid) already looked up */
struct dv_sbi_ret dv_sbi_call_ext(struct dv_vcpu *vcpu, const struct dv_sbi_ext *ext, uint64_t eid,
				  uint64_t fid, const uint64_t args[6]);
/* BASE probe_extension: 1 when vcpu's backend offers eid (v0.1 ids one by one) */
int dv_sbi_probe(struct dv_vcpu *vcpu, uint64_t eid);
/*
 * The SBI error code of a function's result: 0 success, -EOPNOTSUPP not
 * supported, -EINVAL invalid parameter, -EFAULT invalid address, -EPERM
 * denied, -EALREADY already available; anything else failed.
 */
int64_t dv_sbi_error(int err);

/*
 * Call fn on every vCPU named by (hart_mask, hart_mask_base) of an IPI or
 * RFENCE call; a base of -1 means every hart. 0, or -EINVAL (and no call at
 * all) when the pair names a hart that does not exist.
 */
int dv_sbi_for_harts(struct dv_vcpu *self, uint64_t mask, uint64_t base,
		     void (*fn)(struct dv_vcpu *target, unsigned int arg), unsigned int arg);

/*
 * The duvisor exit status for an SRST reset (or the backend's system
 * event): type SBI_SRST_TYPE_*, reason SBI_SRST_REASON_*.
 */
int dv_sbi_reset_status(uint32_t type, uint32_t reason);

#endif /* DV_SBI_H */
