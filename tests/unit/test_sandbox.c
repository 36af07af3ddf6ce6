// SPDX-License-Identifier: GPL-2.0-only
/*
 * duvisor's sandbox, natively: a child process enters it and makes one
 * system call; a forbidden one kills it with SIGSYS, an allowed one lets
 * it exit 0. The calls are raw syscall()s, so that no library wrapper
 * adds or changes any.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmm/sandbox.h"
#include "unit.h"

/* A request standing for a backend's (made on fd -1: EBADF if let through) */
#define FAKE_BACKEND_IOCTL 0xae80u

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
	C_READ,
	C_SIGACTION,
	C_SIGALTSTACK,
	C_IOCTL_TIOCSTI,
	C_IOCTL_BACKEND,
	C_IOCTL_TCSETS,
	C_WRITE,
	C_MMAP_RW,
	C_FUTEX,
	C_GETTID,
	C_PREADV,
	C_FDATASYNC,
};

static const char *const names[] = {
    "execve",
    "openat",
    "socket",
    "ptrace",
    "clone",
    "mmap(PROT_EXEC)",
    "mprotect(PROT_EXEC)",
    "kill",
    "setuid",
    "read",
    "rt_sigaction",
    "sigaltstack",
    "ioctl(TIOCSTI)",
    "ioctl(backend's)",
    "ioctl(TCSETS)",
    "write",
    "mmap(RW)",
    "futex",
    "gettid",
    "preadv",
    "fdatasync",
};

static long make(enum call c)
{
	static char *const argv[] = {"/bin/true", NULL};
	static int word;
	char byte = 'x';
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
	case C_READ:
		return syscall(SYS_read, -1, &byte, 1);
	case C_SIGACTION:
		return syscall(SYS_rt_sigaction, SIGUSR2, NULL, NULL, 8);
	case C_SIGALTSTACK:
		return syscall(SYS_sigaltstack, NULL, NULL);
	case C_IOCTL_TIOCSTI:
		/* Typing into the terminal duvisor runs on: a way out of any sandbox */
		return syscall(SYS_ioctl, -1, TIOCSTI, &byte);
	case C_IOCTL_BACKEND:
		return syscall(SYS_ioctl, -1, FAKE_BACKEND_IOCTL, 0);
	case C_IOCTL_TCSETS:
		return syscall(SYS_ioctl, -1, TCSETS, NULL);
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
	case C_PREADV:
		return syscall(SYS_preadv, -1, NULL, 0, 0, 0);
	case C_FDATASYNC:
		return syscall(SYS_fdatasync, -1);
	}
	return -1;
}

/* The child's fate: -SIGNAL if killed, else its exit status; disk_io: vCPUs serve disks */
static int run_disk(enum dv_thread_kind kind, enum call c, bool disk_io)
{
	static const uint32_t backend[] = {FAKE_BACKEND_IOCTL};
	const struct dv_ioctls ioctls = {backend, 1};
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (disk_io)
			dv_sandbox_vcpu_disk_io();
		if (dv_sandbox_enter(kind, &ioctls))
			syscall(SYS_exit_group, 100);
		make(c);
		syscall(SYS_exit_group, 0); /* no atexit, no leak check: raw exit */
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1000;
	return WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
}

static int run(enum dv_thread_kind kind, enum call c)
{
	return run_disk(kind, c, false);
}

UT_TEST(vcpu_threads_cannot_run_programs_open_files_or_reach_the_network)
{
	static const enum call forbidden[] = {
	    C_EXECVE,	 C_OPENAT,	  C_SOCKET,	   C_PTRACE,	  C_CLONE,
	    C_MMAP_EXEC, C_MPROTECT_EXEC, C_KILL,	   C_SETUID,	  C_READ,
	    C_SIGACTION, C_SIGALTSTACK,	  C_IOCTL_TIOCSTI, C_IOCTL_TCSETS};

	for (unsigned int i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
		int r = run(DV_THREAD_VCPU, forbidden[i]);

		UT_CHECK(r == -SIGSYS, "vCPU thread, %s: %d (want killed by SIGSYS)",
			 names[forbidden[i]], r);
	}
}

UT_TEST(io_threads_cannot_either)
{
	static const enum call forbidden[] = {C_EXECVE,	   C_OPENAT,	  C_SOCKET,	  C_PTRACE,
					      C_CLONE,	   C_KILL,	  C_MMAP_EXEC,	  C_SETUID,
					      C_SIGACTION, C_SIGALTSTACK, C_IOCTL_TIOCSTI};

	for (unsigned int i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
		int r = run(DV_THREAD_IO, forbidden[i]);

		UT_CHECK(r == -SIGSYS, "I/O thread, %s: %d (want killed by SIGSYS)",
			 names[forbidden[i]], r);
	}
}

UT_TEST(the_api_thread_serves_its_socket_and_nothing_else)
{
	static const enum call forbidden[] = {C_EXECVE, C_OPENAT, C_SOCKET,    C_PTRACE,
					      C_CLONE,	C_KILL,	  C_MMAP_EXEC, C_SETUID,
					      C_READ,	C_PREADV, C_FDATASYNC, C_IOCTL_TIOCSTI};
	static const enum call allowed[] = {C_WRITE, C_MMAP_RW, C_FUTEX, C_GETTID};

	for (unsigned int i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
		int r = run(DV_THREAD_API, forbidden[i]);

		UT_CHECK(r == -SIGSYS, "API thread, %s: %d (want killed by SIGSYS)",
			 names[forbidden[i]], r);
	}
	for (unsigned int i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		UT_CHECK(run(DV_THREAD_API, allowed[i]) == 0, "API thread, %s killed",
			 names[allowed[i]]);
}

UT_TEST(the_api_thread_with_live_upgrade_allows_what_the_next_image_runs_and_no_more)
{
	static const enum call forbidden[] = {C_EXECVE,	   C_OPENAT, C_SOCKET,
					      C_PTRACE,	   C_CLONE,  C_KILL,
					      C_MMAP_EXEC, C_SETUID, C_IOCTL_TIOCSTI};
	static const enum call allowed[] = {C_READ,	     C_WRITE,	     C_FUTEX,  C_GETTID,
					    C_IOCTL_BACKEND, C_IOCTL_TCSETS, C_PREADV, C_FDATASYNC,
					    C_SIGACTION,     C_SIGALTSTACK};

	for (unsigned int i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
		int r = run(DV_THREAD_API_UPGRADE, forbidden[i]);

		UT_CHECK(r == -SIGSYS, "API thread (live upgrade), %s: %d (want killed by SIGSYS)",
			 names[forbidden[i]], r);
	}
	for (unsigned int i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		UT_CHECK(run(DV_THREAD_API_UPGRADE, allowed[i]) == 0,
			 "API thread (live upgrade), %s killed", names[allowed[i]]);
}

UT_TEST(what_an_exit_needs_is_allowed)
{
	static const enum call allowed[] = {C_WRITE, C_MMAP_RW, C_FUTEX, C_GETTID, C_IOCTL_BACKEND};

	for (unsigned int i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		UT_CHECK(run(DV_THREAD_VCPU, allowed[i]) == 0, "vCPU thread, %s killed",
			 names[allowed[i]]);
		UT_CHECK(run(DV_THREAD_IO, allowed[i]) == 0, "I/O thread, %s killed",
			 names[allowed[i]]);
	}
	/* Device back ends: reads (eventfds, taps), the terminal restored */
	UT_CHECK(run(DV_THREAD_IO, C_READ) == 0, "I/O thread, read killed");
	UT_CHECK(run(DV_THREAD_IO, C_IOCTL_TCSETS) == 0, "I/O thread, ioctl(TCSETS) killed");
}

UT_TEST(a_disks_calls_on_vcpu_threads_only_when_they_serve_disks)
{
	static const enum call disk[] = {C_PREADV, C_FDATASYNC};

	for (unsigned int i = 0; i < sizeof(disk) / sizeof(disk[0]); i++) {
		int r = run(DV_THREAD_VCPU, disk[i]);

		UT_CHECK(r == -SIGSYS, "vCPU thread, %s: %d (want killed by SIGSYS)",
			 names[disk[i]], r);
		UT_CHECK(run(DV_THREAD_IO, disk[i]) == 0, "I/O thread, %s killed", names[disk[i]]);
		UT_CHECK(run_disk(DV_THREAD_VCPU, disk[i], true) == 0,
			 "vCPU thread serving disks, %s killed", names[disk[i]]);
	}
	/* Serving disks gives a vCPU nothing else */
	UT_CHECK(run_disk(DV_THREAD_VCPU, C_READ, true) == -SIGSYS, "vCPU serving disks may read");
	UT_CHECK(run_disk(DV_THREAD_VCPU, C_OPENAT, true) == -SIGSYS,
		 "vCPU serving disks may open");
}

UT_TEST(no_ioctl_at_all_without_a_backend_list)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (dv_sandbox_enter(DV_THREAD_VCPU, NULL))
			syscall(SYS_exit_group, 100);
		make(C_IOCTL_BACKEND);
		syscall(SYS_exit_group, 0);
	}
	UT_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
		     WTERMSIG(status) == SIGSYS,
		 "a vCPU with no ioctls listed made one");
}

/*
 * The jail's supervisor: it may signal the VM's process and wait for it,
 * and nothing else. how: 0 kill the VM's process, 1 signal another
 * process, 2 open a file. Both are children of this process, which reaps
 * them; *victim_killed: the VM's process died of SIGKILL.
 */
static int run_supervisor(int how, bool *victim_killed)
{
	int status, r;
	pid_t victim = fork(), pid;

	if (victim == 0) {
		pause();
		syscall(SYS_exit_group, 0);
	}
	pid = victim < 0 ? -1 : fork();
	if (pid == 0) {
		if (dv_sandbox_enter_supervisor(victim))
			syscall(SYS_exit_group, 100);
		if (how == 1)
			syscall(SYS_kill, getppid(), 0);
		else if (how == 2)
			make(C_OPENAT);
		syscall(SYS_kill, victim, SIGKILL);
		syscall(SYS_wait4, victim, &status, 0, NULL); /* not its child here: ECHILD */
		syscall(SYS_exit_group, 0);
	}
	r = pid < 0 || waitpid(pid, &status, 0) != pid ? 1000
	    : WIFSIGNALED(status)		       ? -WTERMSIG(status)
						       : WEXITSTATUS(status);
	if (victim > 0) {
		kill(victim, SIGKILL); /* if the supervisor could not */
		*victim_killed = waitpid(victim, &status, 0) == victim && WIFSIGNALED(status) &&
				 WTERMSIG(status) == SIGKILL;
	}
	return r;
}

UT_TEST(the_supervisor_signals_and_waits_for_its_child_alone)
{
	bool killed = false;
	int r = run_supervisor(0, &killed);

	UT_CHECK(r == 0 && killed, "killing the VM's process: %d, killed %d", r, killed);
	r = run_supervisor(1, &killed);
	UT_CHECK(r == -SIGSYS, "signalling another process: %d (want SIGSYS)", r);
	r = run_supervisor(2, &killed);
	UT_CHECK(r == -SIGSYS, "openat: %d (want SIGSYS)", r);
}

UT_MAIN()
