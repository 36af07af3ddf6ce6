/*
 * A tiny user-level hypervisor on /dev/duvisor for the tests
 * (docs/driver-abi.md "Start-up sequence").
 *
 * A dv_vm is one open of the device: guest RAM (one region, mapped at
 * GUEST_RAM_GPA with 4 KiB stage-2 leaves, the guest blob copied to its
 * start) and a separate region for the stage-2 tables, so the guest can
 * never reach them. A dv_vcpu is the calling thread registered as one of
 * the VM's vCPUs, its HU CSRs set up, plus the context entry.S uses.
 *
 * Every function returns 0 or -1; on -1 dv_error() says which step failed
 * and why (errno is kept).
 */
#ifndef DRIVER_DV_H
#define DRIVER_DV_H

#include <stddef.h>
#include <stdint.h>
#include <linux/duvisor.h>

#include "ctx.h"
#include "guest.h"

#define DV_DEV	   "/dev/duvisor"
#define DV_PT_SIZE (64UL << 10) /* stage-2 table region: 16 KiB root + tables */

struct dv_vm {
	int fd;
	uint8_t *ram; /* host mapping of guest RAM */
	size_t ram_size;
	uint64_t ram_hpa;
	uint8_t *pt; /* host mapping of the table region */
	uint64_t pt_hpa;
	size_t pt_next; /* offset of the next free 4 KiB table */
	uint64_t *root; /* the 16 KiB Sv39x4 root, inside pt */
	uint64_t root_hpa;
	struct duvisor_vipi_window win;
};

struct dv_vcpu {
	struct dv_ctx ctx;
	struct dv_vm *vm;
	uint32_t index;
	uint32_t doorbell;
	void *altstack;
};

/* Stage-2 leaf permissions (G-stage leaves must have U set; A/D preset). */
#define S2_V	(1UL << 0)
#define S2_R	(1UL << 1)
#define S2_W	(1UL << 2)
#define S2_X	(1UL << 3)
#define S2_U	(1UL << 4)
#define S2_A	(1UL << 6)
#define S2_D	(1UL << 7)
#define S2_RWX	(S2_R | S2_W | S2_X)
#define S2_LEAF (S2_V | S2_U | S2_A | S2_D)

const char *dv_error(void);
int dv_set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* vm.c */
int dv_vm_open(struct dv_vm *vm, size_t ram_size);
int dv_vm_open_deleg(struct dv_vm *vm, size_t ram_size, uint64_t edeleg, uint64_t ideleg);
/* dv_vm_open() on a file of the device the caller opened already. */
int dv_vm_open_fd(struct dv_vm *vm, int fd, size_t ram_size);
void dv_vm_close(struct dv_vm *vm);
int dv_query(int fd, const void *uaddr, struct duvisor_addr *out);
uint64_t dv_stat(struct dv_vm *vm, size_t field_offset);
#define DV_STAT(vm, field) dv_stat(vm, offsetof(struct duvisor_stats, field))

/* stage2.c */
int dv_s2_init(struct dv_vm *vm);
int dv_s2_map(struct dv_vm *vm, uint64_t gpa, uint64_t hpa, uint64_t perm);
uint64_t *dv_s2_leaf(struct dv_vm *vm, uint64_t gpa);
uint64_t dv_hugatp(struct dv_vm *vm);

/* vcpu.c */
int dv_vcpu_init(struct dv_vcpu *v, struct dv_vm *vm, uint32_t index, uint64_t entry_gpa);
int dv_vcpu_fini(struct dv_vcpu *v);
uint64_t dv_run(struct dv_vcpu *v);
void dv_set_entry(struct dv_vcpu *v, uint64_t gpa);
const char *dv_exit_str(struct dv_vcpu *v);
int dv_run_to_done(struct dv_vcpu *v, unsigned long max_exits);
const char *dv_cause_name(uint64_t cause);

/* Guest register numbers by ABI name, for ctx.x[]. */
enum {
	R_RA = 1,
	R_SP = 2,
	R_GP = 3,
	R_TP = 4,
	R_T0 = 5,
	R_T1 = 6,
	R_T2 = 7,
	R_S0 = 8,
	R_S1 = 9,
	R_A0 = 10,
	R_A1 = 11,
	R_A2 = 12,
	R_A3 = 13,
	R_A4 = 14,
	R_A5 = 15,
	R_A6 = 16,
	R_A7 = 17,
};

/* Host address of guest RAM at gpa (inside RAM). */
static inline void *dv_gpa_ptr(struct dv_vm *vm, uint64_t gpa)
{
	return vm->ram + (gpa - GUEST_RAM_GPA);
}

#endif
