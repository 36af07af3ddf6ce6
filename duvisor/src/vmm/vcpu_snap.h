/* SPDX-License-Identifier: GPL-2.0-only */
/* A vCPU's part in snapshots and restore (vmm/snapshot.h), on the vCPU's own thread. */
#ifndef DV_VMM_VCPU_SNAP_H
#define DV_VMM_VCPU_SNAP_H

struct dv_vcpu;

/* Parked: take its registers, clock and HSM state into vcpu->snap */
void dv_vcpu_snap_take(struct dv_vcpu *vcpu);
/* The same, as dv_pause_park()'s callback */
void dv_vcpu_snap_take_cb(void *vcpu);
/* duvisor restore: its saved state instead of a reset (0 or -errno); every vCPU calls it */
int dv_vcpu_restore(struct dv_vcpu *vcpu);
/* A vCPU that cannot restore still meets the others, so that they go on */
void dv_vcpu_restore_skip(struct dv_vcpu *vcpu);

#endif /* DV_VMM_VCPU_SNAP_H */
