// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sandbox a duvisor thread enters once its set-up is done (sandbox.h):
 * no new privileges, no capabilities, and a seccomp filter of the system
 * calls its kind of thread makes from then on. Anything else kills the
 * whole process (SIGSYS): a hypervisor taken over through its guest can
 * still run that guest's exits, and nothing more.
 *
 * The filters are classic BPF built here with the kernel's macros: check
 * the architecture (a foreign one is killed), load the syscall number,
 * compare it with each allowed one. mmap and mprotect are allowed only
 * without PROT_EXEC: no new code can be mapped.
 *
 * A forbidden call is never made: the filter answers SECCOMP_RET_TRAP,
 * SIGSYS, whose handler (vmm/crash.c) names the call and ends the
 * process with status 128 + SIGSYS. Code that took the process over and
 * ignored SIGSYS would only see its calls fail.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmm/sandbox.h"

#if defined(__riscv) && __riscv_xlen == 64
#define DV_AUDIT_ARCH AUDIT_ARCH_RISCV64
#elif defined(__x86_64__)
#define DV_AUDIT_ARCH AUDIT_ARCH_X86_64 /* the native unit tests */
#elif defined(__aarch64__)
#define DV_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "duvisor's sandbox: unknown architecture"
#endif

/* What every kind of thread does: memory, locks, time, signals, exit */
static const int dv_sys_common[] = {
    SYS_futex,		SYS_clock_gettime,   SYS_clock_nanosleep,
    SYS_nanosleep,	SYS_sched_yield,     SYS_rt_sigreturn,
    SYS_rt_sigprocmask, SYS_restart_syscall, SYS_brk,
    SYS_munmap,		SYS_madvise,	     SYS_mremap,
    SYS_gettid,		SYS_getpid,	     SYS_tgkill,
    SYS_exit,		SYS_exit_group,	     SYS_write,
    SYS_writev,		SYS_getrandom,	     SYS_sched_getaffinity,
    SYS_fstat,
#ifdef SYS_newfstatat
    SYS_newfstatat,
#endif
};

/* A vCPU: its backend's ioctls (KVM_RUN, the driver's), the console */
static const int dv_sys_vcpu[] = {
    SYS_ioctl,
    SYS_read,
};

/* The I/O, disk and helper threads, and the main thread */
static const int dv_sys_io[] = {
    SYS_ioctl,
    SYS_read,
    SYS_readv,
    SYS_pread64,
    SYS_pwrite64,
    SYS_preadv,
    SYS_pwritev,
    SYS_fsync,
    SYS_fdatasync,
    SYS_epoll_pwait,
    SYS_epoll_ctl,
    SYS_close,
    SYS_sigaltstack,
    SYS_rt_sigaction,
#ifdef SYS_epoll_wait
    SYS_epoll_wait,
#endif
#ifdef SYS_poll
    SYS_poll,
#endif
    SYS_ppoll,
    SYS_timerfd_settime,
    SYS_timerfd_gettime, /* virtio-rng's retry timer */
};

#define DV_MAX_ALLOWED 64
/* arch check 3, nr load 1, mmap/mprotect 2 x 4, per allowed 2, kill 1 */
#define DV_MAX_INSNS (4 + 8 + 2 * DV_MAX_ALLOWED + 1)

struct dv_filter {
	struct sock_filter insn[DV_MAX_INSNS];
	unsigned int n;
};

static void emit(struct dv_filter *f, struct sock_filter i)
{
	if (f->n < DV_MAX_INSNS)
		f->insn[f->n++] = i;
}

static void allow(struct dv_filter *f, int nr)
{
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)nr, 0, 1));
	emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
}

/* nr allowed when its argument arg has no PROT_EXEC (the nr is in A) */
static void allow_no_exec(struct dv_filter *f, int nr, unsigned int arg)
{
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)nr, 0, 3));
	emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, args[arg])));
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 1, 0));
	emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
	/* PROT_EXEC, or another call: A no longer holds nr, so reload it */
	emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, nr)));
}

static int dv_build(struct dv_filter *f, enum dv_thread_kind kind)
{
	const int *extra = kind == DV_THREAD_VCPU ? dv_sys_vcpu : dv_sys_io;
	size_t n_extra = kind == DV_THREAD_VCPU ? sizeof(dv_sys_vcpu) / sizeof(int)
						: sizeof(dv_sys_io) / sizeof(int);
	size_t i;

	if (sizeof(dv_sys_common) / sizeof(int) + n_extra > DV_MAX_ALLOWED)
		return -E2BIG;
	f->n = 0;
	emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, arch)));
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, DV_AUDIT_ARCH, 1, 0));
	emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
	emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, nr)));
	/* The kind's own calls first: a KVM vCPU's ioctl is checked on every exit */
	for (i = 0; i < n_extra; i++)
		allow(f, extra[i]);
#ifdef SYS_mmap
	allow_no_exec(f, SYS_mmap, 2);
#endif
	allow_no_exec(f, SYS_mprotect, 2);
	for (i = 0; i < sizeof(dv_sys_common) / sizeof(int); i++)
		allow(f, dv_sys_common[i]);
	emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP));
	return f->n < DV_MAX_INSNS ? 0 : -E2BIG;
}

/* Drop every capability of this thread: effective, permitted, inheritable, ambient */
static int dv_drop_caps(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2] = {{0}};

	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (syscall(SYS_capset, &h, d) < 0)
		return -errno;
	return 0;
}

int dv_sandbox_enter(enum dv_thread_kind kind)
{
	struct dv_filter f;
	struct sock_fprog prog;
	int rc;

	rc = dv_build(&f, kind);
	if (rc)
		return rc;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	rc = dv_drop_caps();
	if (rc)
		return rc;
	prog.len = (unsigned short)f.n;
	prog.filter = f.insn;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return -errno;
	return 0;
}

bool dv_sandbox_wanted;

/*
 * A thread that cannot be confined must not go on unconfined: the VM
 * would run with a hypervisor that is not what the user asked for.
 */
void dv_sandbox_thread(enum dv_thread_kind kind)
{
	int rc;

	if (!dv_sandbox_wanted)
		return;
	rc = dv_sandbox_enter(kind);
	if (rc) {
		fprintf(stderr,
			"duvisor: sandbox: %s (a kernel without CONFIG_SECCOMP_FILTER? "
			"--sandbox off runs without it)\n",
			strerror(-rc));
		_exit(1);
	}
}
