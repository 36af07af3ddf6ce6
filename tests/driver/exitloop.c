/*
 * The cost of an exit handled in user mode: a guest makes N ecalls
 * (default 1,000,000), each one an exit to this process and a re-entry,
 * with no kernel involved. Prints KEY=value lines: the exits, the elapsed
 * time, DUVISOR_GET_STATS (kernel entries while the guest ran: only host
 * interrupts should appear, no guest exceptions), and this thread's
 * context switches. EXITLOOP=pass if every exit was the expected ecall.
 *
 *   exitloop [N]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <time.h>

#include "csr.h"
#include "dv.h"

#define RAM_SIZE (2UL << 20)

/* voluntary_ctxt_switches / nonvoluntary_ctxt_switches of this thread. */
static void ctxt_switches(long *vol, long *nonvol)
{
	FILE *f = fopen("/proc/thread-self/status", "r");
	char line[128];
	*vol = *nonvol = -1;
	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "voluntary_ctxt_switches: %ld", vol);
		sscanf(line, "nonvoluntary_ctxt_switches: %ld", nonvol);
	}
	if (f)
		fclose(f);
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000UL;
	struct dv_vm vm;
	struct dv_vcpu v;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (dv_vm_open(&vm, RAM_SIZE) < 0 || dv_vcpu_init(&v, &vm, 0, GPA_OF(g_loop)) < 0) {
		printf("EXITLOOP_ERROR=%s\nEXITLOOP=fail\n", dv_error());
		return 1;
	}
	v.ctx.x[R_S0] = n;

	long vol0, nonvol0, vol1, nonvol1;
	ctxt_switches(&vol0, &nonvol0);
	double t0 = seconds();
	unsigned long exits = 0;
	const char *bad = NULL;
	for (;;) {
		uint64_t cause = dv_run(&v);
		exits++;
		if (cause != CAUSE_VS_ECALL) {
			bad = dv_exit_str(&v);
			break;
		}
		v.ctx.pc += 4;
		if (v.ctx.x[R_A7] == GFN_DONE)
			break;
	}
	double t1 = seconds();
	ctxt_switches(&vol1, &nonvol1);

	struct duvisor_stats s;
	memset(&s, 0xff, sizeof(s));
	ioctl(vm.fd, DUVISOR_GET_STATS, &s);
	dv_vcpu_fini(&v);

	printf("EXITS=%lu\n", exits);
	printf("ELAPSED_MS=%.0f\n", (t1 - t0) * 1e3);
	printf("NS_PER_EXIT=%.0f\n", (t1 - t0) * 1e9 / (double)exits);
	printf("GUEST_TRAPS=%llu\n", (unsigned long long)s.guest_traps);
	printf("GUEST_IRQS=%llu\n", (unsigned long long)s.guest_irqs);
	printf("GUEST_EXCEPTIONS=%llu\n", (unsigned long long)s.guest_exceptions);
	printf("FORCED_EXITS=%llu\n", (unsigned long long)s.forced_exits);
	printf("VCPU_LOADS=%llu\n", (unsigned long long)s.vcpu_loads);
	printf("VOLUNTARY_CTXT_SWITCHES=%ld\n", vol1 - vol0);
	printf("NONVOLUNTARY_CTXT_SWITCHES=%ld\n", nonvol1 - nonvol0);
	if (bad)
		printf("EXITLOOP_ERROR=unexpected exit %lu: %s\n", exits, bad);
	else if (exits != n + 1)
		printf("EXITLOOP_ERROR=%lu exits, want %lu\n", exits, n + 1);
	bool pass = !bad && exits == n + 1;
	printf("EXITLOOP=%s\n", pass ? "pass" : "fail");
	return pass ? 0 : 1;
}
