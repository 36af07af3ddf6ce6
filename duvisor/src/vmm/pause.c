// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pause and resume (pause.h). The controller closes the gate, then asks
 * each vCPU to look at its events (DV_EV_PAUSE: a sleeping one wakes, one
 * in its guest gets a doorbell or a signal) and wakes the I/O thread; each
 * counts itself in `parked` once at its boundary, and the controller
 * waits for all of them. vCPUs are asked first: a kick the API thread
 * cannot ring itself goes through the I/O thread, which keeps relaying
 * kicks while it is paused.
 */
#include <errno.h>
#include <limits.h>
#include <time.h>

#include "util/clock.h"
#include "util/futex.h"
#include "vmm/ioloop.h"
#include "vmm/pause.h"
#include "vmm/vm.h"

static struct timespec after_ms(unsigned int ms)
{
	return dv_ns_timespec(dv_now_ns() + (uint64_t)ms * 1000000ULL);
}

/* Until parked == want (or the VM stops): false when the deadline passed */
static bool wait_parked(struct dv_vm *vm, int want, const struct timespec *deadline)
{
	struct dv_pause *p = &vm->pause;

	for (;;) {
		int n = atomic_load(&p->parked);

		if (n == want)
			return true;
		if (atomic_load(&vm->stopping) || dv_now_ns() >= dv_timespec_ns(deadline))
			return false;
		dv_futex_wait(&p->parked, n, deadline);
	}
}

void dv_pause_init(struct dv_pause *p)
{
	atomic_store(&p->gate, 0);
	atomic_store(&p->parked, 0);
	pthread_mutex_init(&p->lock, NULL);
	p->paused = false;
}

static void open_gate(struct dv_vm *vm)
{
	atomic_store(&vm->pause.gate, 0);
	dv_futex_wake(&vm->pause.gate, INT_MAX);
	if (vm->io_wake >= 0)
		dv_eventfd_post(vm->io_wake);
}

int dv_vm_pause(struct dv_vm *vm, unsigned int timeout_ms)
{
	struct dv_pause *p = &vm->pause;
	struct timespec deadline = after_ms(timeout_ms);
	uint64_t t0 = dv_now_ns();
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	if (p->paused) {
		rc = -EALREADY;
		goto out;
	}
	if (atomic_load(&vm->stopping)) {
		rc = -ESHUTDOWN;
		goto out;
	}
	atomic_store(&p->gate, 1);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		dv_vcpu_post(&vm->vcpus[i], DV_EV_PAUSE);
	if (vm->io_wake >= 0)
		dv_eventfd_post(vm->io_wake);
	if (!wait_parked(vm, (int)vm->nr_vcpus + 1, &deadline)) {
		rc = atomic_load(&vm->stopping) ? -ESHUTDOWN : -ETIMEDOUT;
		open_gate(vm);
		deadline = after_ms(timeout_ms);
		wait_parked(vm, 0, &deadline);
		goto out;
	}
	p->paused = true;
	p->since_ns = dv_now_ns();
	p->last_stop_ns = p->since_ns - t0;
	p->count++;
out:
	pthread_mutex_unlock(&p->lock);
	return rc;
}

int dv_vm_resume(struct dv_vm *vm)
{
	struct dv_pause *p = &vm->pause;
	struct timespec deadline = after_ms(5000);

	pthread_mutex_lock(&p->lock);
	if (!p->paused) {
		pthread_mutex_unlock(&p->lock);
		return -EALREADY;
	}
	p->total_ns += dv_now_ns() - p->since_ns;
	p->paused = false;
	open_gate(vm);
	/* All gone before another pause can count them again */
	wait_parked(vm, 0, &deadline);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

bool dv_vm_paused(struct dv_vm *vm)
{
	bool paused;

	pthread_mutex_lock(&vm->pause.lock);
	paused = vm->pause.paused;
	pthread_mutex_unlock(&vm->pause.lock);
	return paused;
}

void dv_pause_arrive(struct dv_vm *vm)
{
	atomic_fetch_add(&vm->pause.parked, 1);
	dv_futex_wake(&vm->pause.parked, INT_MAX);
}

void dv_pause_leave(struct dv_vm *vm)
{
	atomic_fetch_sub(&vm->pause.parked, 1);
	dv_futex_wake(&vm->pause.parked, INT_MAX);
}

void dv_pause_park(struct dv_vm *vm, void (*take)(void *), void *vcpu)
{
	struct dv_pause *p = &vm->pause;
	int seen = atomic_load(&p->retake);

	take(vcpu);
	dv_pause_arrive(vm);
	while (atomic_load(&p->gate) && !atomic_load(&vm->stopping)) {
		int now = atomic_load(&p->retake);

		if (now != seen) {
			seen = now;
			take(vcpu);
			atomic_fetch_add(&p->retaken, 1);
			dv_futex_wake(&p->retaken, INT_MAX);
			continue;
		}
		dv_futex_wait(&p->gate, 1, NULL);
	}
	dv_pause_leave(vm);
}

int dv_vm_pause_retake(struct dv_vm *vm, unsigned int timeout_ms)
{
	struct dv_pause *p = &vm->pause;
	struct timespec deadline = after_ms(timeout_ms);

	atomic_store(&p->retaken, 0);
	atomic_fetch_add(&p->retake, 1);
	dv_futex_wake(&p->gate, INT_MAX); /* the gate stays shut: they take and wait again */
	for (;;) {
		int n = atomic_load(&p->retaken);

		if (n >= (int)vm->nr_vcpus)
			return 0;
		if (atomic_load(&vm->stopping) || dv_now_ns() >= dv_timespec_ns(&deadline))
			return -ETIMEDOUT;
		dv_futex_wait(&p->retaken, n, &deadline);
	}
}

void dv_pause_release(struct dv_vm *vm)
{
	atomic_store(&vm->pause.gate, 0);
	dv_futex_wake(&vm->pause.gate, INT_MAX);
	dv_futex_wake(&vm->pause.parked, INT_MAX);
}
