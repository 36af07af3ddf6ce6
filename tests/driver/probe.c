/* Watching a child die; see probe.h. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"
#include "report.h"

struct probe *probe;

void probe_init(void)
{
	if (!probe) {
		probe = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (probe == MAP_FAILED) {
			perror("mmap probe");
			exit(1);
		}
	}
	memset(probe, 0, sizeof(*probe));
}

/*
 * Runs with whatever registers the interrupted code had: after a forced
 * exit that is the guest's sp, gp and tp. So it runs on the alternate
 * stack, and touches only a global through a PC-relative address (the
 * binary is linked without relaxation, so nothing is gp-relative) and no
 * thread-local storage.
 */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (!probe->signo) {
		probe->signo = sig;
		probe->code = si->si_code;
		probe->addr = (uint64_t)(uintptr_t)si->si_addr;
	}
}

void probe_catch(void)
{
	static char stack[64 << 10];
	stack_t ss = {.ss_sp = stack, .ss_size = sizeof(stack)};
	sigaltstack(&ss, NULL);
	struct sigaction sa = {.sa_sigaction = on_fault,
			       .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
}

int probe_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(probe->err, sizeof(probe->err), fmt, ap);
	va_end(ap);
	return 2;
}

int probe_guest(struct dv_vcpu *v)
{
	probe->stage = 1;
	dv_run(v);
	probe->ucause = v->ctx.ucause;
	probe->utval = v->ctx.utval;
	probe->hutval = v->ctx.hutval;
	probe->pc = v->ctx.pc;
	probe->guest_exceptions = DV_STAT(v->vm, guest_exceptions);
	probe->exited = 1;
	if (!probe->signo)
		return 3; /* a plain exit: nothing stopped the attack */
	dv_run(v);
	return 4;
}

const char *probe_str(void)
{
	static char buf[320];
	int n = snprintf(buf, sizeof(buf), "signal %d code %d addr 0x%lx", probe->signo,
			 probe->code, (unsigned long)probe->addr);
	if (probe->exited)
		snprintf(buf + n, sizeof(buf) - (size_t)n,
			 "; exit ucause 0x%lx (%s) pc 0x%lx utval 0x%lx hutval 0x%lx",
			 (unsigned long)probe->ucause, dv_cause_name(probe->ucause),
			 (unsigned long)probe->pc, (unsigned long)probe->utval,
			 (unsigned long)probe->hutval);
	return buf;
}

bool expect_killed(int (*fn)(void *), void *arg, int want_sig)
{
	probe_init();
	pid_t pid = spawn(fn, arg);
	int status = wait_child(pid, 20000);
	bool killed = status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == want_sig;
	if (probe->err[0])
		return expect(false, "child set-up failed: %s", probe->err);
	expect(probe->stage == 1, "child never reached the attack (%s)", status_str(status));
	return expect(killed, "child %s, want killed by SIG%s (%s)", status_str(status),
		      sigabbrev_np(want_sig), probe_str());
}
