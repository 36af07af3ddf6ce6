/*
 * DUVISOR_REMOTE_FENCE: HFENCE on every hart, for stage-2 changes a vCPU
 * on another hart may have cached.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "csr.h"
#include "dv.h"
#include "report.h"
#include "tests.h"

#define RAM_SIZE (2UL << 20)

static int pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * DUVISOR_REMOTE_FENCE: a vCPU on another hart may cache a stage-2
 * translation; HUFENCE only covers the hart it runs on. The vCPU thread
 * (hart 1) reads GPA FENCE_GPA, exits and busy-waits in user mode, so its
 * hart keeps its translations (no context switch, whose hdvctl write would
 * flush them). Hart 0 points FENCE_GPA at another page and calls
 * REMOTE_FENCE; the next read must see the new page. A last round without
 * the fence shows whether the check can tell (informational): QEMU flushes
 * a hart's TLB whenever V changes, so there every exit and entry already
 * drops the stale translation and the check only proves the call works.
 */
#define FENCE_GPA 0x90000000UL

static struct {
	struct dv_vm vm;
	volatile int phase, go;
	volatile uint64_t seen[3];
	char err[200];
} F;

static void *fence_vcpu(void *arg)
{
	(void)arg;
	struct dv_vcpu v;
	if (pin(1) < 0 || dv_vcpu_init(&v, &F.vm, 0, GPA_OF(g_read)) < 0) {
		snprintf(F.err, sizeof(F.err), "set-up: %s", dv_error());
		F.phase = 99;
		return NULL;
	}
	v.ctx.x[R_A6] = FENCE_GPA;
	for (int round = 0; round < 3; round++) {
		dv_run(&v);
		if (v.ctx.ucause != CAUSE_VS_ECALL || v.ctx.x[R_A7] != GFN_TICK) {
			snprintf(F.err, sizeof(F.err), "round %d: %s", round, dv_exit_str(&v));
			F.phase = 99;
			break;
		}
		F.seen[round] = v.ctx.x[R_A0];
		v.ctx.pc += 4;
		F.phase = round + 1;
		while (F.go != round + 1) {
			/* spin: no syscall, no context switch on purpose */
		}
	}
	dv_vcpu_fini(&v);
	return NULL;
}

static bool fence_wait(int phase)
{
	uint64_t end = now_ms() + 10000;
	while (F.phase < phase && now_ms() < end)
		sleep_ms(1);
	return F.phase == phase;
}

void t_fence(void)
{
	pthread_t th;
	memset(&F, 0, sizeof(F));
	F.vm.fd = -1;
	if (!expect(dv_vm_open(&F.vm, RAM_SIZE) == 0, "%s", dv_error()) ||
	    !expect(pin(0) == 0, "pin to hart 0: %s", strerror(errno)))
		goto out;
	/* pages 0x1c0000.. of RAM hold 1, 2, 3 */
	for (uint64_t i = 0; i < 3; i++)
		*(uint64_t *)(F.vm.ram + 0x1c0000 + 4096 * i) = i + 1;
	dv_s2_map(&F.vm, FENCE_GPA, F.vm.ram_hpa + 0x1c0000, S2_RWX);
	pthread_create(&th, NULL, fence_vcpu, NULL);
	if (expect(fence_wait(1), "no first exit (%s)", F.err) &&
	    expect(F.seen[0] == 1, "first read %lu, want 1", (unsigned long)F.seen[0])) {
		dv_s2_map(&F.vm, FENCE_GPA, F.vm.ram_hpa + 0x1c0000 + 4096, S2_RWX);
		expect(ioctl(F.vm.fd, DUVISOR_REMOTE_FENCE) == 0, "REMOTE_FENCE: %s",
		       strerror(errno));
		F.go = 1;
		if (expect(fence_wait(2), "no second exit (%s)", F.err))
			expect(F.seen[1] == 2, "read %lu after remap + REMOTE_FENCE, want 2",
			       (unsigned long)F.seen[1]);
		dv_s2_map(&F.vm, FENCE_GPA, F.vm.ram_hpa + 0x1c0000 + 8192, S2_RWX);
		F.go = 2;
		if (fence_wait(3))
			printf("# remap without a fence: vCPU read %lu (%s)\n",
			       (unsigned long)F.seen[2],
			       F.seen[2] == 2 ? "stale: the fence matters" : "new page");
	}
	F.go = 3;
	pthread_join(th, NULL);
	expect(!F.err[0], "%s", F.err);
out:
	dv_vm_close(&F.vm);
	report("remote_fence");
}
