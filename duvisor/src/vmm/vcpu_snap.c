// SPDX-License-Identifier: GPL-2.0-only
/* A vCPU's part in snapshots and restore (vcpu_snap.h), on its own thread. */
#include <errno.h>
#include <pthread.h>

#include "hw/plic.h"
#include "vmm/vcpu_snap.h"
#include "vmm/vm.h"

/* Parked: what a snapshot takes of this vCPU, on its own thread (its FP registers are here) */
void dv_vcpu_snap_take(struct dv_vcpu *vcpu)
{
	const struct dv_backend_ops *ops = vcpu->vm->ops;
	struct dv_vcpu_snap *s = &vcpu->snap;

	s->rc = ops->vcpu_save ? ops->vcpu_save(vcpu, &s->regs) : -EOPNOTSUPP;
	s->time = ops->get_time ? ops->get_time(vcpu) : 0;
	s->hsm = atomic_load(&vcpu->state);
	s->start_pc = vcpu->start_pc;
	s->start_arg = vcpu->start_arg;
	/* An IPI posted and not yet taken into the hart is pending all the same */
	if (atomic_load(&vcpu->events) & DV_EV_IPI)
		s->regs.sip |= 2;
}

void dv_vcpu_snap_take_cb(void *vcpu)
{
	dv_vcpu_snap_take(vcpu);
}

/*
 * duvisor restore: load the saved state instead of a reset. Every vCPU
 * loads its registers; then vCPU 0 sets the VM's clock to the snapshot's
 * and the PLIC drives the lines (after the loads: KVM's sip write would
 * clear an interrupt raised before); then the others follow the clock.
 */
int dv_vcpu_restore(struct dv_vcpu *vcpu)
{
	struct dv_vm *vm = vcpu->vm;
	const struct dv_vcpu_snap *s = dv_restore_vcpu(vm->restore, vcpu->id);
	const struct dv_vcpu_snap *s0 = dv_restore_vcpu(vm->restore, 0);
	int rc = s && s0 && vm->ops->vcpu_load ? vm->ops->vcpu_load(vcpu, &s->regs) : -EINVAL;

	if (!rc) {
		vcpu->start_pc = s->start_pc;
		vcpu->start_arg = s->start_arg;
		atomic_store(&vcpu->state, s->hsm);
		if (s->hsm == DV_VCPU_START_PENDING)
			atomic_fetch_or(&vcpu->events, DV_EV_START);
	}
	pthread_barrier_wait(&vm->restore_met);
	if (vcpu->id == 0 && s0) {
		rc = rc ? rc : vm->ops->set_time(vcpu, s0->time);
		dv_plic_resync(vm->plic);
	}
	pthread_barrier_wait(&vm->restore_met);
	if (vcpu->id && !rc && s0)
		rc = vm->ops->set_time(vcpu, s0->time);
	if (vcpu->id == 0)
		atomic_store(&vm->restored, true);
	return rc;
}

void dv_vcpu_restore_skip(struct dv_vcpu *vcpu)
{
	pthread_barrier_wait(&vcpu->vm->restore_met);
	pthread_barrier_wait(&vcpu->vm->restore_met);
}
