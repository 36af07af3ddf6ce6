/*
 * SIGKILL of a hypervisor process mid-loop: one vCPU thread taking exits,
 * another spinning in its guest. The process dies, the host stays up, and
 * the VM's memory goes back to CMA (its regions are freed once the file is
 * closed, every vCPU thread is gone and every mapping is gone, all of which
 * an exiting process does).
 *
 * CmaFree in /proc/meminfo alone cannot prove that: freed pages first go
 * to the per-CPU free lists, which CmaFree does not count, and from there
 * ordinary movable allocations may use them for a while. So the proof is
 * an allocation: a region of CmaTotal - 14 MiB cannot be had while the
 * child holds its 16 MiB, and must be had once it is dead (cma_alloc
 * drains the per-CPU lists and migrates movable pages out of its way).
 * CmaFree is printed for the record and must show the child's region in
 * use while it runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dv.h"
#include "report.h"
#include "tests.h"

#define RAM_SIZE    (16UL << 20)
#define SLOT_GPA    (GUEST_RAM_GPA + 0x180000UL)
#define PROBE_SHORT (14UL << 20) /* the probe region is CmaTotal less this */

struct shared {
	volatile uint64_t exits; /* exits the looping thread took */
	volatile int spinning;	 /* the spinning thread is about to enter */
	char err[160];
};
static struct shared *sh;
static struct dv_vm vm;

static long meminfo_kb(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kb = -1;
	size_t n = strlen(key);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':' &&
		    sscanf(line + n + 1, "%ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* errno of allocating a region of len bytes in a new VM, 0 on success. */
static int try_region(size_t len)
{
	int fd = open(DV_DEV, O_RDWR | O_CLOEXEC), err = 0;
	if (fd < 0)
		return errno;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		err = errno;
	else
		munmap(p, len);
	close(fd);
	return err;
}

static void *spinner(void *arg)
{
	(void)arg;
	struct dv_vcpu v;
	if (dv_vcpu_init(&v, &vm, 1, GPA_OF(g_spin)) < 0) {
		snprintf(sh->err, sizeof(sh->err), "%s", dv_error());
		return NULL;
	}
	v.ctx.x[R_A6] = SLOT_GPA;
	sh->spinning = 1;
	for (;;)
		dv_run(&v);
	return NULL;
}

static int victim(void *arg)
{
	(void)arg;
	struct dv_vcpu v;
	pthread_t th;
	if (dv_vm_open(&vm, RAM_SIZE) < 0) {
		snprintf(sh->err, sizeof(sh->err), "%s", dv_error());
		return 2;
	}
	pthread_create(&th, NULL, spinner, NULL);
	if (dv_vcpu_init(&v, &vm, 0, GPA_OF(g_count)) < 0) {
		snprintf(sh->err, sizeof(sh->err), "%s", dv_error());
		return 2;
	}
	v.ctx.x[R_A6] = SLOT_GPA + 8;
	for (;;) {
		dv_run(&v);
		v.ctx.pc += 4;
		sh->exits++;
	}
}

void t_kill(void)
{
	sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long total = meminfo_kb("CmaTotal"), before = meminfo_kb("CmaFree");
	size_t probe_len = ((size_t)total << 10) - PROBE_SHORT;
	pid_t pid = spawn(victim, NULL);
	uint64_t end = now_ms() + 20000;
	while ((sh->exits < 2000 || !sh->spinning) && !sh->err[0] && now_ms() < end)
		sleep_ms(10);
	long during = meminfo_kb("CmaFree");
	bool running = expect(!sh->err[0], "child set-up: %s", sh->err) &&
		       expect(sh->exits >= 2000 && sh->spinning,
			      "child not running its guests (%lu exits, spinner %d)",
			      (unsigned long)sh->exits, sh->spinning);
	int err_during = running ? try_region(probe_len) : 0;
	sleep_ms(50);
	kill(pid, SIGKILL);
	int st = wait_child(pid, 10000);
	if (running)
		expect(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child %s",
		       status_str(st));
	report("sigkill_mid_loop");

	/* Give deferred frees a moment, then the probe region must fit. */
	int err_after = -1;
	for (int i = 0; i < 50 && err_after; i++) {
		if (i)
			sleep_ms(20);
		err_after = try_region(probe_len);
	}
	long after = meminfo_kb("CmaFree");
	printf("CMA_KB total=%ld free_before=%ld free_during=%ld free_after=%ld probe=%zu\n", total,
	       before, during, after, probe_len >> 10);
	expect(total > (long)(PROBE_SHORT >> 10), "CmaTotal %ld kB", total);
	if (running) {
		expect(during <= total - (long)(RAM_SIZE >> 10),
		       "CmaFree %ld kB of %ld while the child held %lu kB", during, total,
		       RAM_SIZE >> 10);
		expect(err_during == ENOMEM,
		       "a %zu kB region while the child lived: %s, want ENOMEM", probe_len >> 10,
		       err_during ? strerrorname_np(err_during) : "success");
	}
	expect(err_after == 0, "a %zu kB region after the child died: %s: its memory was not freed",
	       probe_len >> 10, err_after > 0 ? strerrorname_np(err_after) : "?");
	report("sigkill_memory_freed");
}
