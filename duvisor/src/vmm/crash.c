// SPDX-License-Identifier: GPL-2.0-only
/* Fatal signal report: see crash.h. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "vmm/crash.h"

#define ALT_STACK_SIZE (64 * 1024)
#define MAX_FIXUPS     4

static struct {
	uintptr_t pc;
	unsigned int reg;
} fixups[MAX_FIXUPS];
static unsigned int nfixups;

int dv_crash_add_fixup(uintptr_t pc, unsigned int flag_reg)
{
	if (nfixups == MAX_FIXUPS || !flag_reg || flag_reg > 31)
		return -1;
	fixups[nfixups].pc = pc;
	fixups[nfixups].reg = flag_reg;
	__atomic_store_n(&nfixups, nfixups + 1, __ATOMIC_RELEASE);
	return 0;
}

static size_t put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return n;
}

static size_t put_hex(char *p, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	size_t n = 0;

	p[n++] = '0';
	p[n++] = 'x';
	for (int shift = 60; shift >= 0; shift -= 4)
		if (v >> shift || shift == 0 || n > 2)
			p[n++] = digits[(v >> shift) & 0xf];
	return n;
}

static void crash(int sig, siginfo_t *si, void *ctx)
{
	char line[256];
	size_t n = 0;
	uint64_t pc = 0, ra = 0, sp = 0;

#if defined(__riscv)
	ucontext_t *uc = ctx;
	unsigned int nf = __atomic_load_n(&nfixups, __ATOMIC_ACQUIRE);

	pc = uc->uc_mcontext.__gregs[0];
	ra = uc->uc_mcontext.__gregs[1];
	sp = uc->uc_mcontext.__gregs[2];
	for (unsigned int i = 0; (sig == SIGSEGV || sig == SIGBUS) && i < nf; i++) {
		if (fixups[i].pc == pc) {
			uc->uc_mcontext.__gregs[fixups[i].reg] = 1;
			uc->uc_mcontext.__gregs[0] = pc + 4;
			return;
		}
	}
#else
	(void)ctx;
#endif
	n += put_str(line + n, "\r\nduvisor: fatal signal ");
	n += put_hex(line + n, (uint64_t)sig);
	n += put_str(line + n, " code ");
	n += put_hex(line + n, (uint64_t)(int64_t)si->si_code);
	n += put_str(line + n, " addr ");
	n += put_hex(line + n, (uint64_t)(uintptr_t)si->si_addr);
	n += put_str(line + n, " pc ");
	n += put_hex(line + n, pc);
	n += put_str(line + n, " ra ");
	n += put_hex(line + n, ra);
	n += put_str(line + n, " sp ");
	n += put_hex(line + n, sp);
	if (sig == SIGSYS) { /* the sandbox refused it (vmm/sandbox.c) */
		n += put_str(line + n, " forbidden system call ");
		n += put_hex(line + n, (uint64_t)si->si_syscall);
	}
	n += put_str(line + n, "\r\n");
	if (write(STDERR_FILENO, line, n) < 0) {
		/* nothing left to report with */
	}
	/* exit_group directly: no atexit handlers, no TLS */
	syscall(SYS_exit_group, 128 + sig);
}

void dv_crash_install(void)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = crash;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK; /* kept: fixups may fire again */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

int dv_crash_thread_init(void)
{
	stack_t ss = {.ss_size = ALT_STACK_SIZE};

	ss.ss_sp = malloc(ALT_STACK_SIZE);
	if (!ss.ss_sp)
		return -1;
	return sigaltstack(&ss, NULL);
}
