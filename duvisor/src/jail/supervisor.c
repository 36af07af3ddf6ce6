// SPDX-License-Identifier: GPL-2.0-only
/*
 * The jail's PID namespace (jail_int.h). A process cannot enter a new PID
 * namespace itself, only its children are born in one: duvisor forks, the
 * child (pid 1 there) runs the VM, and the parent stays behind as its
 * supervisor. The supervisor holds nothing the VM uses (it forked before
 * anything was opened) and does nothing but relay the signals that stop a
 * VM and report how the VM's process ended, as duvisor's own exit status;
 * it is confined to just that (vmm/sandbox.h).
 */
#define _GNU_SOURCE /* unshare */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "jail/jail_int.h"
#include "vmm/sandbox.h"

/* The signals that stop a VM (vmm/vm.c), relayed */
static const int dv_relayed[] = {SIGINT, SIGTERM, SIGHUP};

__attribute__((noreturn)) static void dv_supervise(pid_t child, const sigset_t *wait_for)
{
	siginfo_t si;
	int status;

	/* stdout is the VM's; stderr stays for a word on a failure here */
	close(STDIN_FILENO);
	close(STDOUT_FILENO);
	if (dv_sandbox_enter_supervisor(child)) {
		fprintf(stderr, "duvisor: jail: the supervisor cannot confine itself: %s\n",
			strerror(errno));
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		_exit(DV_EXIT_JAIL);
	}
	for (;;) {
		if (sigwaitinfo(wait_for, &si) < 0)
			continue;
		if (si.si_signo != SIGCHLD) {
			kill(child, si.si_signo);
			continue;
		}
		if (waitpid(child, &status, WNOHANG) != child)
			continue;
		/* As a shell reports a process killed by a signal */
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
}

int dv_jail_fork(void)
{
	sigset_t wait_for, before, child_mask;
	pid_t pid;

	sigemptyset(&wait_for);
	for (size_t i = 0; i < sizeof(dv_relayed) / sizeof(dv_relayed[0]); i++)
		sigaddset(&wait_for, dv_relayed[i]);
	sigaddset(&wait_for, SIGCHLD);
	/* Blocked from here: none is lost before the supervisor waits for them */
	sigprocmask(SIG_BLOCK, &wait_for, &before);
	if (unshare(CLONE_NEWPID)) {
		int e = errno;

		sigprocmask(SIG_SETMASK, &before, NULL);
		fprintf(stderr, "duvisor: jail: a new PID namespace: %s\n",
			e == EINVAL ? "the kernel has none (CONFIG_PID_NS)" : strerror(e));
		return DV_EXIT_JAIL;
	}
	fflush(NULL); /* nothing buffered is written twice */
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "duvisor: jail: fork: %s\n", strerror(errno));
		return DV_EXIT_JAIL;
	}
	if (pid > 0)
		dv_supervise(pid, &wait_for);
	/*
	 * The VM: pid 1 of its namespace, where a signal without a handler
	 * is dropped. SIGINT, SIGTERM and SIGHUP stay blocked, so that they
	 * wait for the I/O thread's signalfd (vmm/vm.c blocks them anyway).
	 */
	child_mask = before;
	for (size_t i = 0; i < sizeof(dv_relayed) / sizeof(dv_relayed[0]); i++)
		sigaddset(&child_mask, dv_relayed[i]);
	sigprocmask(SIG_SETMASK, &child_mask, NULL);
	/* The VM ends with its supervisor (again after the jail's change of user) */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	return 0;
}
