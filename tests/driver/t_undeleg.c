/*
 * Guest exceptions the VM did not delegate go to the host kernel, which
 * must not oops: it forces an exit with the exception's own cause, then
 * signals the process (docs/driver-abi.md): SIGSEGV (SEGV_ACCERR) for guest
 * page faults, SIGILL (ILL_ILLTRP) for the rest. Each runs in a child that
 * must die by that signal.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "csr.h"
#include "dv.h"
#include "probe.h"
#include "report.h"
#include "tests.h"

#define RAM_SIZE (2UL << 20)
#define BIT(n)	 (1UL << (n))

struct undeleg {
	uint64_t edeleg;
	const char *entry;
	uint64_t hustatus; /* extra bits, VTW */
};

static int run_undelegated(void *arg)
{
	const struct undeleg *u = arg;
	struct dv_vm vm;
	struct dv_vcpu v;
	probe_catch();
	if (dv_vm_open_deleg(&vm, RAM_SIZE, u->edeleg, DUVISOR_IDELEG_ALLOWED) < 0 ||
	    dv_vcpu_init(&v, &vm, 0, GPA_OF(u->entry)) < 0)
		return probe_fail("%s", dv_error());
	v.ctx.hustatus |= u->hustatus;
	return probe_guest(&v);
}

static void check(const struct undeleg *u, int sig, int code, uint64_t cause, const char *name)
{
	if (expect_killed(run_undelegated, (void *)u, sig)) {
		expect(probe->signo == sig && probe->code == code,
		       "first signal %d code %d, want %d/%d", probe->signo, probe->code, sig, code);
		expect(probe->exited && probe->ucause == cause, "want forced exit ucause %lu: %s",
		       (unsigned long)cause, probe_str());
		expect(probe->guest_exceptions >= 1, "GET_STATS guest_exceptions = %lu, want >= 1",
		       (unsigned long)probe->guest_exceptions);
	}
	report(name);
}

/*
 * An illegal instruction in the guest can never be delegated to HU
 * (R-TRAP-2). Either the host's hedeleg routes it to the guest's own
 * vstvec (as KVM does for its guests; g_trap then reports scause 2 with
 * a GFN_TRAP ecall) or the kernel gets it and the process dies by SIGILL.
 * driver-abi.md does not say which; both leave the host alone.
 */
static void guest_illegal(void)
{
	struct undeleg u = {DUVISOR_EDELEG_ALLOWED, g_illegal, 0};
	probe_init();
	pid_t pid = spawn(run_undelegated, &u);
	int st = wait_child(pid, 20000);
	if (probe->err[0]) {
		expect(false, "child set-up: %s", probe->err);
	} else if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 3) {
		/* a plain exit: the guest's trap handler's ecall */
		expect(probe->ucause == CAUSE_VS_ECALL && probe->pc >= GPA_OF(g_trap) &&
			   probe->pc < GPA_OF(g_trap) + 32,
		       "child exited after %s, want the GFN_TRAP ecall of g_trap", probe_str());
		printf("# guest illegal instruction: taken by the guest (hedeleg)\n");
	} else if (st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGILL) {
		expect(probe->exited && probe->ucause == 2, "want forced exit ucause 2: %s",
		       probe_str());
		printf("# guest illegal instruction: SIGILL to the hypervisor\n");
	} else {
		expect(false, "child %s (%s)", status_str(st), probe_str());
	}
	report("guest_illegal_insn");
}

void t_undeleg(void)
{
	struct undeleg u;

	u = (struct undeleg){DUVISOR_EDELEG_ALLOWED & ~BIT(CAUSE_VS_ECALL), g_regs, 0};
	check(&u, SIGILL, ILL_ILLTRP, CAUSE_VS_ECALL, "undelegated_ecall_sigill");

	u = (struct undeleg){DUVISOR_EDELEG_ALLOWED & ~(BIT(CAUSE_LOAD_GPF) | BIT(CAUSE_STORE_GPF)),
			     g_fault, 0};
	check(&u, SIGSEGV, SEGV_ACCERR, CAUSE_LOAD_GPF, "undelegated_gpf_sigsegv");
	if (probe->exited)
		expect(probe->hutval == GUEST_FAULT_LOAD_GPA >> 2, "hutval 0x%lx, want 0x%lx",
		       (unsigned long)probe->hutval, (unsigned long)GUEST_FAULT_LOAD_GPA >> 2);
	report("undelegated_gpf_record");

	u = (struct undeleg){DUVISOR_EDELEG_ALLOWED & ~BIT(CAUSE_VIRTUAL_INSN), g_virt,
			     HUSTATUS_VTW};
	check(&u, SIGILL, ILL_ILLTRP, CAUSE_VIRTUAL_INSN, "undelegated_virtual_insn_sigill");

	guest_illegal();
}
