/*
 * A VM belongs to the process that opened it: a forked child inherits the
 * file but every call on it fails with EPERM, it gets none of the VM's
 * mappings (VM_DONTCOPY), and its threads are not vCPUs even though the
 * parent's thread was one when it forked (the gate is per thread); exec
 * ends a registration too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "csr.h"
#include "dv.h"
#include "probe.h"
#include "report.h"
#include "tests.h"

#define RAM_SIZE (2UL << 20)

static struct dv_vm vm = {.fd = -1};

/* In the child: every call on the parent's VM file. */
static int child_calls(void *arg)
{
	(void)arg;
	struct duvisor_deleg d = {DUVISOR_EDELEG_ALLOWED, 0};
	struct duvisor_addr q = {.uaddr = (uint64_t)(uintptr_t)vm.ram};
	struct duvisor_vcpu reg = {.index = 5};
	struct duvisor_vipi_window w;
	struct duvisor_stats s;
	struct {
		const char *what;
		long ret;
		int err;
	} c[10];
	int n = 0;
#define CALL(expr) (errno = 0, c[n].what = #expr, c[n].ret = (long)(expr), c[n++].err = errno)
	CALL(ioctl(vm.fd, DUVISOR_GET_API_VERSION));
	CALL(ioctl(vm.fd, DUVISOR_SET_DELEG, &d));
	CALL(ioctl(vm.fd, DUVISOR_QUERY_ADDR, &q));
	CALL(ioctl(vm.fd, DUVISOR_REGISTER_VCPU, &reg));
	CALL(ioctl(vm.fd, DUVISOR_UNREGISTER_VCPU));
	CALL(ioctl(vm.fd, DUVISOR_REMOTE_FENCE));
	CALL(ioctl(vm.fd, DUVISOR_GET_VIPI_WINDOW, &w));
	CALL(ioctl(vm.fd, DUVISOR_GET_STATS, &s));
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vm.fd, 0);
	c[n].what = "mmap";
	c[n].ret = p == MAP_FAILED ? -1 : 0;
	c[n++].err = errno;
#undef CALL
	int bad = 0;
	for (int i = 0; i < n; i++)
		bad +=
		    !expect(c[i].ret == -1 && c[i].err == EPERM, "%s: %ld %s, want EPERM",
			    c[i].what, c[i].ret, c[i].ret == -1 ? strerrorname_np(c[i].err) : "");
	report("fork_child_calls_eperm");
	return bad ? 1 : 0;
}

/* In the child: the parent's guest RAM is not mapped here. */
static int child_touch_ram(void *arg)
{
	(void)arg;
	probe_catch();
	probe->stage = 1;
	return *(volatile uint8_t *)vm.ram;
}

/* In the child of a vCPU thread: the gate is closed. */
static int child_hu_csr(void *arg)
{
	(void)arg;
	probe_catch();
	probe->stage = 1;
	return (int)csr_read(CSR_HUSTATUS) + 5;
}

/*
 * exec ends a vCPU registration: a registered child execs this binary
 * with --exec-probe (driver_selftest.c), which reads hustatus and must die
 * by SIGILL.
 */
static int child_exec(void *arg)
{
	(void)arg;
	struct dv_vm own;
	struct dv_vcpu v;
	if (dv_vm_open(&own, RAM_SIZE) < 0 || dv_vcpu_init(&v, &own, 0, 0) < 0)
		return probe_fail("%s", dv_error());
	probe->stage = 1;
	execl("/proc/self/exe", "driver_selftest", "--exec-probe", (char *)NULL);
	return probe_fail("exec: %s", strerror(errno));
}

void t_fork(void)
{
	struct dv_vcpu v;
	if (!expect(dv_vm_open(&vm, RAM_SIZE) == 0, "%s", dv_error()) ||
	    !expect(dv_vcpu_init(&v, &vm, 0, GPA_OF(g_loop)) == 0, "%s", dv_error())) {
		report("fork_setup");
		dv_vm_close(&vm);
		return;
	}
	pid_t pid = spawn(child_calls, NULL);
	int st = wait_child(pid, 20000);
	if (!(st != -1 && WIFEXITED(st)))
		expect(false, "child %s", status_str(st));
	if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) != 0)
		expect(false, "see the child's FAIL line");
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		report("fork_child_calls");

	expect_killed(child_touch_ram, NULL, SIGSEGV);
	report("fork_child_no_mapping");

	expect_killed(child_hu_csr, NULL, SIGILL);
	report("fork_child_gate_closed");

	expect_killed(child_exec, NULL, SIGILL);
	report("exec_closes_gate");

	/* The parent's VM and vCPU are untouched by all that. */
	v.ctx.x[R_S0] = 100;
	expect(dv_run_to_done(&v, 101) == 0, "%s", dv_error());
	expect(csr_read(CSR_HUGATP) == dv_hugatp(&vm), "parent's hugatp changed");
	report("fork_parent_vm_intact");
	dv_vcpu_fini(&v);
	dv_vm_close(&vm);
}
