/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Snapshots of a paused VM and their restore in a new duvisor
 * (docs/snapshot.md): a directory of three files, the command line the VM
 * was started with (config), its vCPUs' and devices' state (state: a
 * versioned header, checksummed), and its RAM (memory).
 */
#ifndef DV_VMM_SNAPSHOT_H
#define DV_VMM_SNAPSHOT_H

#include <stdint.h>

#include "backend/backend.h"

struct dv_vm;
struct dv_config;

#define DV_SNAP_MAGIC	"DVSNAP\r\n"
#define DV_SNAP_VERSION 1
#define DV_SNAP_CONFIG	"config"
#define DV_SNAP_STATE	"state"
#define DV_SNAP_MEMORY	"memory"

/* A vCPU's part, as the vCPU's thread took it when it parked */
struct dv_vcpu_snap {
	int rc; /* of the backend's vcpu_save */
	struct dv_vcpu_regs regs;
	uint64_t time;		      /* the guest's clock */
	int32_t hsm;		      /* enum dv_vcpu_state */
	uint64_t start_pc, start_arg; /* an SBI HSM start not yet taken */
};

/*
 * Write the paused VM to the three open files (config, state, memory):
 * 0, or -errno with why filled (-EBUSY: a device is mid-request; try
 * again). *bytes: what was written in all.
 */
int dv_snapshot_write(struct dv_vm *vm, const int fds[3], uint64_t *bytes, char *why,
		      size_t whylen);

struct dv_snap_w;
/* The body of a state (vCPUs, then devices) of the paused VM: 0 or -errno with why */
int dv_snapshot_body(struct dv_vm *vm, struct dv_snap_w *body, char *why, size_t whylen);

/* The restore's side, before the VM is built: read and check DIR's state (0 or a DV_EXIT_*) */
struct dv_restore;
int dv_restore_open(const struct dv_config *cfg, struct dv_restore **out);
void dv_restore_free(struct dv_restore *r);
/* Live upgrade: a restore from a body in memory, RAM already in place. 0 or -errno */
int dv_restore_from_body(const void *body, size_t len, unsigned int nr_vcpus,
			 struct dv_restore **out);
/* Once RAM and devices exist: RAM from DIR/memory, the devices' state (0 or a DV_EXIT_*) */
int dv_restore_vm(struct dv_restore *r, struct dv_vm *vm);
/* vCPU i's saved part */
const struct dv_vcpu_snap *dv_restore_vcpu(const struct dv_restore *r, unsigned int i);

#endif /* DV_VMM_SNAPSHOT_H */
