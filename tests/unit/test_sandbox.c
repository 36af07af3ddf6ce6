// SPDX-License-Identifier: GPL-2.0-only
/*
 * duvisor's sandbox, natively: a child process enters it and makes one
 * system call; a forbidden one kills it with SIGSYS, an allowed one lets
 * it exit 0. The calls are raw syscall()s, so that no library wrapper
 * adds or changes any.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmm/sandbox.h"
#include "unit.h"

enum call {
	C_EXECVE,
	C_OPENAT,
	C_SOCKET,
	C_PTRACE,
	C_CLONE,
	C_MMAP_EXEC,
	C_MPROTECT_EXEC,
	C_KILL,
	C_SETUID,
	C_WRITE,
	C_MMAP_RW,
	C_FUTEX,
	C_GETTID,
};

static const char *const names[] = {
    "execve", "openat", "socket", "ptrace",   "clone", "mmap(PROT_EXEC)", "mprotect(PROT_EXEC)",
    "kill",   "setuid", "write",  "mmap(RW)", "futex", "gettid",
};

static long make(enum call c)
{
	static char *const argv[] = {"/bin/true", NULL};
	static int word;
	void *p;

	switch (c) {
	case C_EXECVE:
		return syscall(SYS_execve, "/bin/true", argv, argv + 1);
	case C_OPENAT:
		return syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
	case C_SOCKET:
		return syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	case C_PTRACE:
		return syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
	case C_CLONE:
		return syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	case C_MMAP_EXEC:
		return syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	case C_MPROTECT_EXEC:
		p = (void *)syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return syscall(SYS_mprotect, p, 4096, PROT_READ | PROT_EXEC);
	case C_KILL:
		return syscall(SYS_kill, 1, 0);
	case C_SETUID:
		return syscall(SYS_setuid, 0);
	case C_WRITE:
		return syscall(SYS_write, 2, "", 0);
	case C_MMAP_RW:
		p = (void *)syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return p == MAP_FAILED ? -1 : 0;
	case C_FUTEX:
		return syscall(SYS_futex, &word, 1 /* FUTEX_WAKE */, 1, NULL, NULL, 0);
	case C_GETTID:
		return syscall(SYS_gettid);
	}
	return -1;
}

/* The child's fate: -SIGNAL if killed, else its exit status */
static int run(enum dv_thread_kind kind, enum call c)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (dv_sandbox_enter(kind))
			syscall(SYS_exit_group, 100);
		make(c);
		syscall(SYS_exit_group, 0); /* no atexit, no leak check: raw exit */
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1000;
	return WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
}

UT_TEST(vcpu_threads_cannot_run_programs_open_files_or_reach_the_network)
{
	static const enum call forbidden[] = {C_EXECVE,	       C_OPENAT, C_SOCKET,
					      C_PTRACE,	       C_CLONE,	 C_MMAP_EXEC,
					      C_MPROTECT_EXEC, C_KILL,	 C_SETUID};

	for (unsigned int i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
		int r = run(DV_THREAD_VCPU, forbidden[i]);

		UT_CHECK(r == -SIGSYS, "vCPU thread, %s: %d (want killed by SIGSYS)",
			 names[forbidden[i]], r);
	}
}

UT_TEST(io_threads_cannot_either)
{
	static const enum call forbidden[] = {C_EXECVE, C_OPENAT, C_SOCKET,    C_PTRACE,
					      C_CLONE,	C_KILL,	  C_MMAP_EXEC, C_SETUID};

	for (unsigned int i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
		int r = run(DV_THREAD_IO, forbidden[i]);

		UT_CHECK(r == -SIGSYS, "I/O thread, %s: %d (want killed by SIGSYS)",
			 names[forbidden[i]], r);
	}
}

UT_TEST(what_an_exit_needs_is_allowed)
{
	static const enum call allowed[] = {C_WRITE, C_MMAP_RW, C_FUTEX, C_GETTID};

	for (unsigned int i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		UT_CHECK(run(DV_THREAD_VCPU, allowed[i]) == 0, "vCPU thread, %s killed",
			 names[allowed[i]]);
		UT_CHECK(run(DV_THREAD_IO, allowed[i]) == 0, "I/O thread, %s killed",
			 names[allowed[i]]);
	}
}

UT_MAIN()
