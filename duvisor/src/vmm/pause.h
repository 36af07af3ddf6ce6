/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pausing a running VM (pause.c): every vCPU stops at an exit boundary,
 * with the exit it was in finished, and the I/O thread stops serving the
 * devices (their taps, queues and timers; terminal input is queued, not
 * given to the guest). Resume lets them go on. One controller at a time:
 * the API thread.
 */
#ifndef DV_VMM_PAUSE_H
#define DV_VMM_PAUSE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct dv_vm;

struct dv_pause {
	atomic_int gate;    /* futex word: 1 while the VM is to stay paused */
	atomic_int parked;  /* futex word: threads at their boundary (vCPUs, the I/O thread) */
	atomic_int retake;  /* bumped: every parked vCPU takes its state again */
	atomic_int retaken; /* futex word: vCPUs that did, for the current retake */
	pthread_mutex_t lock;
	bool paused;
	uint64_t since_ns; /* CLOCK_MONOTONIC when the last pause took effect */
	uint64_t count, total_ns, last_stop_ns; /* pauses, their time, the last one's stop */
};

void dv_pause_init(struct dv_pause *p);

/*
 * Stop the VM at its exit boundaries: 0 once every vCPU and the I/O thread
 * are there, -EALREADY (paused), -ESHUTDOWN (the VM is stopping), or
 * -ETIMEDOUT (a thread did not get there within timeout_ms: the VM goes on).
 */
int dv_vm_pause(struct dv_vm *vm, unsigned int timeout_ms);
/* Let it go on: 0, or -EALREADY (not paused) */
int dv_vm_resume(struct dv_vm *vm);
bool dv_vm_paused(struct dv_vm *vm);

/*
 * A vCPU at its boundary: wait here until resumed or the VM stops; take(vcpu)
 * its state on arriving and again at each dv_vm_pause_retake()
 */
void dv_pause_park(struct dv_vm *vm, void (*take)(void *), void *vcpu);
/*
 * The VM paused: have every vCPU take its state again, now that none runs
 * (what one took as it parked may predate another's IPI or HSM start to
 * it). 0, or -ETIMEDOUT.
 */
int dv_vm_pause_retake(struct dv_vm *vm, unsigned int timeout_ms);
/* A thread that goes on serving what is not paused (the I/O thread): it is there, or left */
void dv_pause_arrive(struct dv_vm *vm);
void dv_pause_leave(struct dv_vm *vm);
/* dv_vm_stop(): parked threads go, a controller waiting gives up */
void dv_pause_release(struct dv_vm *vm);

#endif /* DV_VMM_PAUSE_H */
