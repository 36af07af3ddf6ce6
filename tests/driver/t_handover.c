/*
 * Handing a VM to the owner's next image (docs/driver-abi.md "Handing a
 * VM to the next image", live upgrade): DUVISOR_HANDOVER, exec with the
 * VM's file kept open, DUVISOR_ADOPT in the new image, its regions mapped
 * again at DUVISOR_REGION_OFFSET(i). The new image finds the same pages
 * (a pattern written before the exec, the same host physical addresses)
 * and runs a guest on the stage-2 tables built before the exec. Misuse:
 * adopting without the mark, without an exec, twice, from another
 * process; mapping a region again before adopting, past the last region,
 * at another size.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dv.h"
#include "probe.h"
#include "report.h"
#include "tests.h"

#define RAM_SIZE  (2UL << 20)
#define ROOT_SIZE (16UL << 10)
#define PATTERN	  0x4f6e6c696e65ULL /* at 1 MiB into guest RAM */

static void *remap(int fd, unsigned int region, size_t size)
{
	return mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    (off_t)DUVISOR_REGION_OFFSET(region));
}

/*
 * driver_selftest --adopt-probe FD RAM_HPA MARKED: the new image. Exit 0
 * when everything held; 10 + the bits of what did not (the parent says
 * which); MARKED 0: the old image did not hand the VM over, so adopting
 * must fail and nothing else is tried.
 */
int handover_adopt_probe(int fd, uint64_t ram_hpa, int marked)
{
	struct dv_vm vm = {.fd = fd};
	struct duvisor_addr a;
	struct dv_vcpu v;
	int bad = 0;

	errno = 0;
	if (!marked)
		return ioctl(fd, DUVISOR_ADOPT) == -1 && errno == EPERM ? 0 : 10 + 1;
	if (remap(fd, 0, RAM_SIZE) != MAP_FAILED || errno != EPERM)
		bad |= 2; /* mapped again before adopting */
	if (ioctl(fd, DUVISOR_ADOPT) != 0)
		return 10 + 4;
	errno = 0;
	if (!(ioctl(fd, DUVISOR_ADOPT) == -1 && errno == EPERM))
		bad |= 8; /* adopted twice */
	if (remap(fd, 0, RAM_SIZE / 2) != MAP_FAILED || remap(fd, 2, 4096) != MAP_FAILED)
		bad |= 16; /* another size, a region that does not exist */
	vm.ram = remap(fd, 0, RAM_SIZE);
	vm.pt = remap(fd, 1, DV_PT_SIZE);
	if (vm.ram == MAP_FAILED || vm.pt == MAP_FAILED)
		return 10 + bad + 32;
	vm.ram_size = RAM_SIZE;
	if (dv_query(fd, vm.ram, &a) || a.hpa != ram_hpa ||
	    *(volatile uint64_t *)(vm.ram + (1UL << 20)) != PATTERN)
		bad |= 64; /* not the same pages */
	if (dv_query(fd, vm.pt, &a))
		return 10 + bad + 32;
	vm.pt_hpa = a.hpa;
	vm.root_hpa = vm.pt_hpa + ((ROOT_SIZE - (vm.pt_hpa & (ROOT_SIZE - 1))) & (ROOT_SIZE - 1));
	vm.root = (uint64_t *)(vm.pt + (vm.root_hpa - vm.pt_hpa));
	/* the guest runs on the tables the old image built */
	if (dv_vcpu_init(&v, &vm, 0, GPA_OF(g_loop)) < 0)
		return 10 + bad + 128;
	v.ctx.x[R_S0] = 10;
	if (dv_run_to_done(&v, 11) < 0)
		bad |= 128;
	dv_vcpu_fini(&v);
	return bad ? 10 + bad : 0;
}

/* The old image: a VM, a pattern in its RAM, the mark (or not), exec */
static int old_image(void *arg)
{
	int marked = (int)(intptr_t)arg;
	char fdstr[16], hpa[32], mark[4];
	struct dv_vm vm;

	if (dv_vm_open(&vm, RAM_SIZE) < 0)
		return probe_fail("%s", dv_error());
	*(volatile uint64_t *)(vm.ram + (1UL << 20)) = PATTERN;
	if (marked && ioctl(vm.fd, DUVISOR_HANDOVER, 1) < 0)
		return probe_fail("HANDOVER: %s", strerror(errno));
	/* 2: marked, then the mark taken back (an exec that failed) */
	if (marked == 2 && ioctl(vm.fd, DUVISOR_HANDOVER, 0) < 0)
		return probe_fail("HANDOVER 0: %s", strerror(errno));
	/* the file survives the exec, the mappings do not */
	int fd = fcntl(vm.fd, F_DUPFD, 100);
	if (fd < 0)
		return probe_fail("dup: %s", strerror(errno));
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	snprintf(hpa, sizeof(hpa), "%llu", (unsigned long long)vm.ram_hpa);
	snprintf(mark, sizeof(mark), "%d", marked == 1);
	execl("/proc/self/exe", "driver_selftest", "--adopt-probe", fdstr, hpa, mark,
	      (char *)NULL);
	return probe_fail("exec: %s", strerror(errno));
}

static void expect_probe(int st, const char *what)
{
	static const char *const why[] = {
	    "ADOPT of an unmarked VM did not fail with EPERM",
	    "a region was mapped again before ADOPT",
	    "ADOPT failed",
	    "a second ADOPT did not fail with EPERM",
	    "a region of another size, or one that does not exist, was mapped",
	    "the regions could not be mapped again",
	    "not the same pages (host address or the pattern)",
	    "no guest ran on the old tables",
	};

	if (!expect(st != -1 && WIFEXITED(st), "%s: new image %s", what, status_str(st)))
		return;
	int code = WEXITSTATUS(st);
	if (code == 0)
		return;
	if (!expect(code >= 10, "%s: exit %d (see its FAIL line)", what, code))
		return;
	for (int b = 0; b < 8; b++)
		if ((code - 10) & (1 << b))
			expect(false, "%s: %s", what, why[b]);
}

/* Another process (a fork of the owner) may not adopt; the owner's own mm may not either */
static int other_process(void *arg)
{
	struct dv_vm *vm = arg;

	errno = 0;
	return ioctl(vm->fd, DUVISOR_ADOPT) == -1 && errno == EPERM ? 0 : 1;
}

void t_handover(void)
{
	struct dv_vm vm;
	int st;

	/* Without an exec: no adoption, no second mapping */
	if (expect(dv_vm_open(&vm, RAM_SIZE) == 0, "%s", dv_error())) {
		errno = 0;
		expect(ioctl(vm.fd, DUVISOR_ADOPT) == -1 && errno == EPERM,
		       "ADOPT of an unmarked VM: %s", strerror(errno));
		errno = 0;
		expect(ioctl(vm.fd, DUVISOR_HANDOVER, 2) == -1 && errno == EINVAL,
		       "HANDOVER 2: %s", strerror(errno));
		expect(ioctl(vm.fd, DUVISOR_HANDOVER, 1) == 0, "HANDOVER: %s", strerror(errno));
		errno = 0;
		expect(ioctl(vm.fd, DUVISOR_ADOPT) == -1 && errno == EINVAL,
		       "ADOPT without an exec: %s", strerror(errno));
		errno = 0;
		expect(remap(vm.fd, 0, RAM_SIZE) == MAP_FAILED && errno == EPERM,
		       "a region mapped again without ADOPT: %s", strerror(errno));
		st = wait_child(spawn(other_process, &vm), 10000);
		expect(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		       "a forked child adopted its parent's VM (%s)", status_str(st));
		dv_vm_close(&vm);
	}
	report("handover_misuse_without_exec");

	st = wait_child(spawn(old_image, (void *)(intptr_t)0), 20000);
	expect_probe(st, "exec without HANDOVER");
	st = wait_child(spawn(old_image, (void *)(intptr_t)2), 20000);
	expect_probe(st, "exec after HANDOVER 1 then 0");
	report("handover_needs_the_mark");

	st = wait_child(spawn(old_image, (void *)(intptr_t)1), 20000);
	expect_probe(st, "exec after HANDOVER");
	report("handover_adopt_after_exec");
}
