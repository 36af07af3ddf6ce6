// SPDX-License-Identifier: GPL-2.0-only
/* SBI extensions acting on other harts: IPI, RFENCE, HSM. */
#include <sched.h>

#include "backend/backend.h"
#include "sbi/sbi.h"
#include "vmm/vm.h"

enum { SBI_HSM_STARTED, SBI_HSM_STOPPED, SBI_HSM_START_PENDING, SBI_HSM_STOP_PENDING };

/*
 * Call fn on every vCPU named by (hart_mask, hart_mask_base); a base of -1
 * means every hart. Invalid hart ids make the whole call fail.
 */
static int64_t dv_for_harts(struct dv_vcpu *self, uint64_t mask, uint64_t base,
			    void (*fn)(struct dv_vcpu *target, unsigned int arg), unsigned int arg)
{
	struct dv_vm *vm = self->vm;
	unsigned int i;

	if (base == UINT64_MAX) {
		for (i = 0; i < vm->nr_vcpus; i++)
			fn(&vm->vcpus[i], arg);
		return SBI_SUCCESS;
	}
	if (base >= vm->nr_vcpus ||
	    (mask && 64 - (uint64_t)__builtin_clzll(mask) > vm->nr_vcpus - base))
		return SBI_ERR_INVALID_PARAM;
	for (i = 0; i < 64; i++)
		if (mask & (1ULL << i))
			fn(&vm->vcpus[base + i], arg);
	return SBI_SUCCESS;
}

static void dv_post_event(struct dv_vcpu *target, unsigned int events)
{
	dv_vcpu_post(target, events);
}

struct dv_sbi_ret dv_sbi_ipi(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid, const uint64_t *args)
{
	(void)eid;
	if (fid != 0)
		return (struct dv_sbi_ret){.error = SBI_ERR_NOT_SUPPORTED};
	return (struct dv_sbi_ret){
	    .error = dv_for_harts(vcpu, args[0], args[1], dv_post_event, DV_EV_IPI)};
}

/*
 * Remote fences complete before the call returns: a target running guest
 * code is waited for until it took the event or left its guest (the kick
 * makes it leave); one outside its guest takes its events before it enters
 * again. Only in_guest counts: two vCPUs fencing each other at once are
 * both outside their guests, and each waiting for the other to take its
 * events would wait forever.
 */
static void dv_wait_taken(struct dv_vcpu *target, unsigned int events)
{
	if (target == dv_vcpu_self())
		return;
	while ((atomic_load(&target->events) & events) && atomic_load(&target->in_guest) &&
	       !atomic_load(&target->vm->stopping))
		sched_yield();
}

struct dv_sbi_ret dv_sbi_rfence(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid,
				const uint64_t *args)
{
	unsigned int ev;
	int64_t err;

	(void)eid;
	switch (fid) {
	case 0: /* remote_fence_i */
		ev = DV_EV_FENCE_I;
		break;
	case 1: /* remote_sfence_vma */
	case 2: /* remote_sfence_vma_asid */
		ev = DV_EV_FENCE_VMA;
		break;
	default: /* the hfence calls are for nested hypervisors */
		return (struct dv_sbi_ret){.error = SBI_ERR_NOT_SUPPORTED};
	}
	err = dv_for_harts(vcpu, args[0], args[1], dv_post_event, ev);
	if (err == SBI_SUCCESS)
		dv_for_harts(vcpu, args[0], args[1], dv_wait_taken, ev);
	return (struct dv_sbi_ret){.error = err};
}

struct dv_sbi_ret dv_sbi_hsm(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid, const uint64_t *args)
{
	struct dv_vm *vm = vcpu->vm;
	struct dv_vcpu *t;
	int expected;

	(void)eid;
	switch (fid) {
	case 0: /* hart_start(hartid, start_addr, opaque) */
		if (args[0] >= vm->nr_vcpus)
			return (struct dv_sbi_ret){.error = SBI_ERR_INVALID_PARAM};
		if (!dv_gpa_in_ram(&vm->mem, args[1]))
			return (struct dv_sbi_ret){.error = SBI_ERR_INVALID_ADDRESS};
		t = &vm->vcpus[args[0]];
		expected = DV_VCPU_STOPPED;
		pthread_mutex_lock(&t->lock);
		if (!atomic_compare_exchange_strong(&t->state, &expected, DV_VCPU_START_PENDING)) {
			pthread_mutex_unlock(&t->lock);
			return (struct dv_sbi_ret){.error = SBI_ERR_ALREADY_AVAILABLE};
		}
		t->start_pc = args[1];
		t->start_arg = args[2];
		pthread_mutex_unlock(&t->lock);
		dv_vcpu_post(t, DV_EV_START);
		return (struct dv_sbi_ret){.error = SBI_SUCCESS};
	case 1: /* hart_stop: the run loop parks this vCPU */
		atomic_store(&vcpu->state, DV_VCPU_STOPPED);
		return (struct dv_sbi_ret){.error = SBI_SUCCESS, .no_advance = true};
	case 2: /* hart_get_status(hartid) */
		if (args[0] >= vm->nr_vcpus)
			return (struct dv_sbi_ret){.error = SBI_ERR_INVALID_PARAM};
		switch (atomic_load(&vm->vcpus[args[0]].state)) {
		case DV_VCPU_STOPPED:
			return (struct dv_sbi_ret){.value = SBI_HSM_STOPPED};
		case DV_VCPU_START_PENDING:
			return (struct dv_sbi_ret){.value = SBI_HSM_START_PENDING};
		default:
			return (struct dv_sbi_ret){.value = SBI_HSM_STARTED};
		}
	default: /* suspend: not offered */
		return (struct dv_sbi_ret){.error = SBI_ERR_NOT_SUPPORTED};
	}
}
