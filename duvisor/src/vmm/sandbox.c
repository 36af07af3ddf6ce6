// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sandbox a duvisor thread enters once its set-up is done (sandbox.h):
 * no new privileges, no capabilities, and a seccomp filter (seccomp.c) of
 * the system calls its kind of thread makes from then on. Anything else
 * is refused: a hypervisor taken over through its guest can still run that
 * guest's exits, and nothing more.
 *
 * mmap and mprotect are allowed only without PROT_EXEC: no new code can
 * be mapped. ioctl is allowed only with the requests the thread makes (the
 * backend's; the terminal's TCSETS and a tap's TUNSETOFFLOAD on I/O
 * threads): no TIOCSTI into the terminal, nothing of another device.
 *
 * A forbidden call is never made: the filter answers SECCOMP_RET_TRAP,
 * SIGSYS, whose handler (vmm/crash.c) names the call and ends the
 * process with status 128 + SIGSYS. Code that took the process over and
 * ignored SIGSYS would only see its calls fail.
 */
#include <errno.h>
#include <linux/capability.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmm/sandbox.h"
#include "vmm/seccomp.h"

/* A call allowed with any arguments */
// clang-format off
#define ANY(n) {.nr = (n), .check = DV_ARG_ANY}
// clang-format on
#define NROF(a) (sizeof(a) / sizeof((a)[0]))
#define LIST(a) ((struct dv_sys_rules){a, NROF(a)})

static const uint32_t dv_prot_exec = PROT_EXEC;
static const uint32_t dv_clone_thread = CLONE_THREAD;

/* What every kind of thread does: memory, locks, time, signals, exit */
static const struct dv_sys_rule dv_sys_common[] = {
    ANY(SYS_futex),
    ANY(SYS_clock_gettime),
    ANY(SYS_clock_nanosleep),
    ANY(SYS_nanosleep),
    ANY(SYS_sched_yield),
    ANY(SYS_rt_sigreturn),
    ANY(SYS_rt_sigprocmask),
    ANY(SYS_restart_syscall),
    ANY(SYS_brk),
#ifdef SYS_mmap
    {SYS_mmap, DV_ARG_BITS_CLEAR, 2, 1, &dv_prot_exec},
#endif
    {SYS_mprotect, DV_ARG_BITS_CLEAR, 2, 1, &dv_prot_exec},
    ANY(SYS_munmap),
    ANY(SYS_madvise),
    ANY(SYS_mremap),
    ANY(SYS_gettid),
    ANY(SYS_getpid),
    ANY(SYS_tgkill),
    ANY(SYS_exit),
    ANY(SYS_exit_group),
    ANY(SYS_write),
    ANY(SYS_writev),
    ANY(SYS_getrandom),
    ANY(SYS_sched_getaffinity),
    ANY(SYS_fstat),
#ifdef SYS_newfstatat
    ANY(SYS_newfstatat),
#endif
};

/*
 * The I/O, disk and helper threads, and the main thread: the device back
 * ends' file descriptors (disk images, taps, eventfds, the terminal)
 */
static const struct dv_sys_rule dv_sys_io[] = {
    ANY(SYS_read),	  /* eventfds, taps, signalfd, timerfd, the terminal */
    ANY(SYS_epoll_pwait), /* the I/O thread's loop */
#ifdef SYS_epoll_wait
    ANY(SYS_epoll_wait),
#endif
    ANY(SYS_epoll_ctl),	      /* stdin paused and resumed */
    ANY(SYS_close),	      /* tear-down */
    ANY(SYS_timerfd_settime), /* virtio-rng's retry timer */
};

/* The control API: its clients, one at a time (api/server.c) */
static const struct dv_sys_rule dv_sys_api[] = {
    ANY(SYS_accept4), ANY(SYS_recvfrom),
    ANY(SYS_recvmsg), /* a snapshot's files come with its request */
    ANY(SYS_sendto),  ANY(SYS_ppoll),
    ANY(SYS_close),   ANY(SYS_fsync), /* ... and are synced once written */
};

/*
 * --live-upgrade on: the API thread also execs the next binary, which
 * runs under this thread's filter (a filter outlives an exec; its threads
 * add their own to it). So it allows, with the I/O and disk kinds' calls,
 * what that start takes:
 * reading the state, the backend's set-up, threads, signals, event fds and
 * confining them; still no open, no socket, no exec but of a descriptor
 * (execveat), no ptrace, no new privileges. A duvisor taken over can use
 * this thread for them: docs/security.md says what that costs.
 */
static const struct dv_sys_rule dv_sys_upgrade[] = {
    ANY(SYS_execveat),
    ANY(SYS_read),
    ANY(SYS_pread64),
    ANY(SYS_pwrite64),
    ANY(SYS_lseek),
    ANY(SYS_ftruncate),
    ANY(SYS_fcntl),
    /* threads, no processes: glibc falls back from clone3 (its flags are in memory) to clone */
    {SYS_clone, DV_ARG_BITS_SET, 0, 1, &dv_clone_thread},
#ifdef SYS_clone3
    {SYS_clone3, DV_ARG_ENOSYS, 0, 0, NULL},
#endif
    ANY(SYS_set_robust_list),
    ANY(SYS_set_tid_address),
#ifdef SYS_rseq
    ANY(SYS_rseq),
#endif
    ANY(SYS_prlimit64),
    ANY(SYS_rt_sigaction),
    ANY(SYS_sigaltstack),
    ANY(SYS_signalfd4),
    ANY(SYS_epoll_create1),
    ANY(SYS_epoll_ctl),
    ANY(SYS_epoll_pwait),
    ANY(SYS_eventfd2),
    ANY(SYS_timerfd_create),
    ANY(SYS_timerfd_settime),
    ANY(SYS_prctl),
    ANY(SYS_capget),
    ANY(SYS_capset),
    ANY(SYS_seccomp),
    ANY(SYS_getuid),
    ANY(SYS_geteuid),
    ANY(SYS_getgid),
    ANY(SYS_getegid),
    ANY(SYS_uname),
    ANY(SYS_readlinkat),
    ANY(SYS_sendmsg),
    ANY(SYS_membarrier),
};

/* A disk's requests: the I/O kind's, and a vCPU's when a disk is served on vCPUs (io=vcpu) */
static const struct dv_sys_rule dv_sys_disk[] = {
    ANY(SYS_preadv), ANY(SYS_pwritev), ANY(SYS_fdatasync), /* a guest's flush */
};

/* ioctl requests of the I/O kind besides the backend's */
static const uint32_t dv_io_own_ioctls[] = {
    TCSETS,	   /* the terminal restored at exit (tcsetattr) */
    TUNSETOFFLOAD, /* a tap follows the offloads its guest driver took */
};

/* ... and what the next image's start makes of them (--live-upgrade on) */
static const uint32_t dv_upgrade_own_ioctls[] = {
    TCGETS,	  /* isatty(), tcgetattr() */
    BLKGETSIZE64, /* a disk on a block device */
};

/* The supervisor: wait for the VM's process, relay signals, exit */
static const struct dv_sys_rule dv_sys_supervisor[] = {
    ANY(SYS_rt_sigtimedwait), /* sigwaitinfo */
    ANY(SYS_wait4),
    ANY(SYS_rt_sigreturn),
    ANY(SYS_restart_syscall),
    ANY(SYS_write), /* a word on stderr */
    ANY(SYS_exit),
    ANY(SYS_exit_group),
};

static bool dv_sandbox_wanted;
static bool dv_vcpu_disk_io;
static struct dv_ioctls dv_ioctls_of[DV_THREAD_KINDS]; /* the backend's, per kind (static tables) */

/* Drop every capability but keep (a CAP_* bit, 0: none) of this thread; ambient ones too */
static int dv_drop_caps(unsigned int keep)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2] = {{0}};

	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	d[0].effective = d[0].permitted = keep;
	if (syscall(SYS_capset, &h, d) < 0)
		return -errno;
	return 0;
}

/* No new privileges, caps but keep, then the filter of lists */
static int dv_confine(const struct dv_sys_rules *lists, unsigned int n, unsigned int keep)
{
	struct dv_seccomp f;
	int rc = dv_seccomp_build(&f, lists, n);

	if (rc)
		return rc;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	rc = dv_drop_caps(keep);
	return rc ? rc : dv_seccomp_install(&f);
}

int dv_sandbox_enter(enum dv_thread_kind kind, const struct dv_ioctls *ioctls)
{
	uint32_t cmds[DV_SANDBOX_MAX_IOCTLS + NROF(dv_io_own_ioctls) + NROF(dv_upgrade_own_ioctls)];
	unsigned int n = 0, nl = 0;
	struct dv_sys_rule ioctl_rule;
	struct dv_sys_rules lists[7];

	if (ioctls && ioctls->n > DV_SANDBOX_MAX_IOCTLS)
		return -E2BIG;
	for (unsigned int i = 0; ioctls && i < ioctls->n; i++)
		cmds[n++] = ioctls->cmd[i];
	for (unsigned int i = 0;
	     (kind == DV_THREAD_IO || kind == DV_THREAD_API_UPGRADE) && i < NROF(dv_io_own_ioctls);
	     i++)
		cmds[n++] = dv_io_own_ioctls[i];
	for (unsigned int i = 0; kind == DV_THREAD_API_UPGRADE && i < NROF(dv_upgrade_own_ioctls);
	     i++)
		cmds[n++] = dv_upgrade_own_ioctls[i];
	/* The kind's own calls first: a KVM vCPU's ioctl is checked on every exit */
	ioctl_rule = (struct dv_sys_rule){SYS_ioctl, DV_ARG_ONE_OF, 1, n, cmds};
	if (n)
		lists[nl++] = (struct dv_sys_rules){&ioctl_rule, 1};
	/*
	 * A filter outlives an exec, and a thread's filters stack: the next
	 * image's threads can make only what all their filters allow, so the
	 * thread that execs it allows what any of them will make
	 */
	if (kind == DV_THREAD_IO || kind == DV_THREAD_API_UPGRADE)
		lists[nl++] = LIST(dv_sys_io);
	if (kind == DV_THREAD_API || kind == DV_THREAD_API_UPGRADE)
		lists[nl++] = LIST(dv_sys_api);
	if (kind == DV_THREAD_API_UPGRADE)
		lists[nl++] = LIST(dv_sys_upgrade);
	if (kind == DV_THREAD_IO || kind == DV_THREAD_API_UPGRADE ||
	    (kind == DV_THREAD_VCPU && dv_vcpu_disk_io))
		lists[nl++] = LIST(dv_sys_disk);
	lists[nl++] = LIST(dv_sys_common);
	return dv_confine(lists, nl, 0);
}

int dv_sandbox_enter_supervisor(pid_t child)
{
	uint32_t pid = (uint32_t)child;
	struct dv_sys_rule kill_child = {SYS_kill, DV_ARG_ONE_OF, 0, 1, &pid};
	struct dv_sys_rules lists[] = {LIST(dv_sys_supervisor), {&kill_child, 1}};

	return dv_confine(lists, NROF(lists), 1u << CAP_KILL);
}

void dv_sandbox_setup(bool wanted, const struct dv_ioctls *vcpu, const struct dv_ioctls *io,
		      const struct dv_ioctls *setup)
{
	static uint32_t all[DV_SANDBOX_MAX_IOCTLS];
	const struct dv_ioctls *parts[] = {vcpu, io, setup};
	unsigned int n = 0;

	dv_sandbox_wanted = wanted;
	dv_ioctls_of[DV_THREAD_VCPU] = vcpu ? *vcpu : (struct dv_ioctls){NULL, 0};
	dv_ioctls_of[DV_THREAD_IO] = io ? *io : (struct dv_ioctls){NULL, 0};
	/* The next image of a live upgrade: all of them, and what its start makes */
	for (unsigned int p = 0; p < NROF(parts); p++)
		for (unsigned int i = 0; parts[p] && i < parts[p]->n && n < NROF(all); i++)
			all[n++] = parts[p]->cmd[i];
	dv_ioctls_of[DV_THREAD_API_UPGRADE] = (struct dv_ioctls){all, n};
}

void dv_sandbox_vcpu_disk_io(void)
{
	dv_vcpu_disk_io = true;
}

/*
 * A thread that cannot be confined must not go on unconfined: the VM
 * would run with a hypervisor that is not what the user asked for.
 */
void dv_sandbox_thread(enum dv_thread_kind kind)
{
	int rc;

	if (!dv_sandbox_wanted)
		return;
	rc = dv_sandbox_enter(kind, &dv_ioctls_of[kind]);
	if (rc) {
		fprintf(stderr,
			"duvisor: sandbox: %s (a kernel without CONFIG_SECCOMP_FILTER? "
			"--sandbox off runs without it)\n",
			strerror(-rc));
		_exit(1);
	}
}
