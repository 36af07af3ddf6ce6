/*
 * vCPU threads: two threads of one VM run their guests at the same time,
 * each with its own HU state; and a vCPU thread that moves between harts
 * keeps its guest's state. The kernel must carry the HU and VS CSRs with
 * the thread (docs/driver-abi.md "What the kernel does"): the counting
 * guest keeps one counter in vsscratch, a VS CSR only the kernel saves,
 * and another in s0, which entry.S keeps in memory between exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "csr.h"
#include "dv.h"
#include "report.h"
#include "tests.h"

#define RAM_SIZE    (2UL << 20)
#define SLOT_GPA(i) (GUEST_RAM_GPA + 0x180000UL + 8UL * (i))

struct counter {
	struct dv_vm *vm;
	uint32_t index;
	unsigned ticks; /* exits to take */
	uint64_t spin;	/* guest loop iterations between exits */
	uint64_t start; /* initial s0 */
	int move_self;	/* sched_setaffinity to the next hart before each entry */
	pid_t tid;
	volatile int running;
	/* results */
	char err[256];
	uint32_t doorbell;
	unsigned cpus_seen; /* bitmap of harts the thread ran on */
	unsigned moves;	    /* exits that came back on another hart than entered */
};

static int pin(pid_t tid, int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(tid, sizeof(set), &set);
}

/* One vCPU running g_count; fills c->err on the first discrepancy. */
static void *count_thread(void *arg)
{
	struct counter *c = arg;
	struct dv_vcpu v;
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	c->tid = (pid_t)syscall(SYS_gettid);
	if (dv_vcpu_init(&v, c->vm, c->index, GPA_OF(g_count)) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", dv_error());
		return NULL;
	}
	c->doorbell = v.doorbell;
	v.ctx.x[R_S0] = c->start;
	v.ctx.x[R_A0] = c->spin;
	v.ctx.x[R_A6] = SLOT_GPA(c->index);
	c->running = 1;
	for (unsigned i = 1; i <= c->ticks; i++) {
		if (c->move_self) {
			int target = (int)(i % (unsigned)ncpu);
			if (pin(0, target) < 0 || sched_getcpu() != target) {
				snprintf(c->err, sizeof(c->err), "could not move to hart %d: %s",
					 target, strerror(errno));
				break;
			}
		}
		int before = sched_getcpu();
		dv_run(&v);
		int after = sched_getcpu();
		c->cpus_seen |= 1u << before | 1u << after;
		c->moves += before != after;
		uint64_t vs = csr_read(CSR_HUVSSCRATCH);
		if (v.ctx.ucause != CAUSE_VS_ECALL || v.ctx.x[R_A7] != GFN_TICK) {
			snprintf(c->err, sizeof(c->err), "exit %u: %s", i, dv_exit_str(&v));
			break;
		}
		if (v.ctx.x[R_S0] != c->start + i || v.ctx.x[R_T0] != i || vs != i) {
			snprintf(c->err, sizeof(c->err),
				 "exit %u on hart %d: s0 = %lu (want %lu), guest vsscratch = %lu, "
				 "huvsscratch = %lu (want %u)",
				 i, after, (unsigned long)v.ctx.x[R_S0],
				 (unsigned long)(c->start + i), (unsigned long)v.ctx.x[R_T0],
				 (unsigned long)vs, i);
			break;
		}
		v.ctx.pc += 4;
	}
	c->running = 0;
	if (dv_vcpu_fini(&v) < 0 && !c->err[0])
		snprintf(c->err, sizeof(c->err), "%s", dv_error());
	return NULL;
}

static void two_vcpus(void)
{
	struct dv_vm vm = {.fd = -1};
	struct counter c[2];
	pthread_t th[2];
	if (!expect(dv_vm_open(&vm, RAM_SIZE) == 0, "%s", dv_error()))
		goto out;
	for (int i = 0; i < 2; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i] = (struct counter){.vm = &vm,
					.index = (uint32_t)i,
					.ticks = 300,
					.spin = 2000,
					.start = 1000000UL * (uint64_t)(i + 1)};
	}
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, count_thread, &c[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 2; i++) {
		expect(!c[i].err[0], "vCPU %d: %s", i, c[i].err);
		expect(c[i].doorbell == vm.win.lo + (uint32_t)i, "vCPU %d doorbell %u, want %u", i,
		       c[i].doorbell, vm.win.lo + i);
		uint64_t slot = *(uint64_t *)dv_gpa_ptr(&vm, SLOT_GPA(i));
		expect(slot == c[i].start + c[i].ticks, "vCPU %d stored %lu in RAM, want %lu", i,
		       (unsigned long)slot, (unsigned long)(c[i].start + c[i].ticks));
	}
out:
	dv_vm_close(&vm);
	report("two_vcpus");
}

/* 100 moves to the next hart between exits (sched_setaffinity in the loop). */
static void migrate_between_exits(void)
{
	struct dv_vm vm = {.fd = -1};
	struct counter c = {.index = 0, .ticks = 100, .spin = 100, .start = 0, .move_self = 1};
	pthread_t th;
	if (!expect(sysconf(_SC_NPROCESSORS_ONLN) >= 2, "needs 2 harts") ||
	    !expect(dv_vm_open(&vm, RAM_SIZE) == 0, "%s", dv_error()))
		goto out;
	c.vm = &vm;
	pthread_create(&th, NULL, count_thread, &c);
	pthread_join(th, NULL);
	expect(!c.err[0], "%s", c.err);
	expect(__builtin_popcount(c.cpus_seen) >= 2, "ran on harts 0x%x only", c.cpus_seen);
	dv_vm_close(&vm);
out:
	report("migrate_between_exits");
}

/* Moves while the guest runs: another thread flips the vCPU thread's
 * affinity every few milliseconds; the kernel migrates it from inside
 * its guest (a host timer interrupt, then schedule on return). */
static void migrate_in_guest(void)
{
	struct dv_vm vm = {.fd = -1};
	struct counter c = {.index = 1, .ticks = 60, .spin = 1000000, .start = 7};
	pthread_t th;
	if (!expect(dv_vm_open(&vm, RAM_SIZE) == 0, "%s", dv_error()))
		goto out;
	c.vm = &vm;
	pthread_create(&th, NULL, count_thread, &c);
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN), flips = 0;
	uint64_t end = now_ms() + 60000;
	while (!c.running && now_ms() < end)
		sleep_ms(1);
	while (c.running && now_ms() < end) {
		pin(c.tid, flips++ % ncpu);
		sleep_ms(7);
	}
	pthread_join(th, NULL);
	expect(!c.err[0], "%s", c.err);
	expect(c.moves > 0 || flips < 4, "never came back on another hart (%d flips)", flips);
	printf("MIGRATE_IN_GUEST_FLIPS=%d MOVES=%u\n", flips, c.moves);
	dv_vm_close(&vm);
out:
	report("migrate_in_guest");
}

/*
 * A vCPU thread that ends without UNREGISTER is unregistered by its exit
 * (driver-abi.md): its index is free for another thread. Two checks:
 * eventually (the index is free within a second), and by the time
 * pthread_join() has returned - what a hypervisor restarting a vCPU thread
 * relies on. The second races with the kernel if it unregisters late in
 * the exit path (after the exiting thread's joiners have been woken), so
 * it is repeated to catch the race.
 */
#define EXIT_ROUNDS 20

static void *register_and_exit(void *arg)
{
	struct dv_vcpu v;
	if (dv_vcpu_init(&v, arg, 2, GPA_OF(g_loop)) < 0)
		return (void *)(intptr_t)(errno ? errno : -1);
	return NULL;
}

/* errno of a new thread registering as index 2 (and exiting), 0 if it could. */
static int exit_round(struct dv_vm *vm)
{
	pthread_t th;
	void *err;
	pthread_create(&th, NULL, register_and_exit, vm);
	pthread_join(th, &err);
	return (int)(intptr_t)err;
}

static void thread_exit_unregisters(void)
{
	struct dv_vm vm = {.fd = -1};
	int raced = 0, other = 0, still_taken = 0;
	if (!expect(dv_vm_open(&vm, RAM_SIZE) == 0, "%s", dv_error()))
		goto out;
	for (int i = 0; i < EXIT_ROUNDS; i++) {
		int e = exit_round(&vm);
		if (e == EEXIST) {
			raced++;
			/* wait for the exited thread's registration to go */
			uint64_t end = now_ms() + 1000;
			while (e == EEXIST && now_ms() < end) {
				sleep_ms(1);
				e = exit_round(&vm);
			}
			still_taken += e == EEXIST;
		}
		if (e && e != EEXIST)
			other = e;
	}
	expect(!other, "REGISTER_VCPU: %s", strerrorname_np(other));
	expect(!still_taken, "index 2 still taken 1 s after its thread exited (%d of %d rounds)",
	       still_taken, EXIT_ROUNDS);
	report("thread_exit_unregisters");
	expect(!raced,
	       "index 2 taken (EEXIST) right after pthread_join() of its exited thread in %d of %d "
	       "rounds: the kernel unregisters after waking the joiner",
	       raced, EXIT_ROUNDS);
	report("thread_exit_unregisters_before_join");
out:
	dv_vm_close(&vm);
}

void t_vcpus(void)
{
	two_vcpus();
	migrate_between_exits();
	migrate_in_guest();
	thread_exit_unregisters();
}
