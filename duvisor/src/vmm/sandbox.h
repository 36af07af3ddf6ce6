/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Confinement of duvisor's threads once the VM is set up (sandbox.c).
 * Each thread enters it itself, at the point from which it only serves the
 * VM: vCPU threads after their backend set-up, the I/O, disk and helper
 * threads at their start, the main thread after starting the others.
 * The jail's supervisor (src/jail/) has a sandbox of its own.
 */
#ifndef DV_VMM_SANDBOX_H
#define DV_VMM_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum dv_thread_kind {
	DV_THREAD_VCPU,	       /* runs the guest and its exits */
	DV_THREAD_IO,	       /* device back ends, the console, the main thread */
	DV_THREAD_API,	       /* the control API's socket (--api-socket) */
	DV_THREAD_API_UPGRADE, /* ... with --live-upgrade on: what the next image needs to start */
	DV_THREAD_KINDS
};

/* ioctl requests a kind of thread may make (a backend's: backend.h) */
struct dv_ioctls {
	const uint32_t *cmd;
	unsigned int n;
};

#define DV_SANDBOX_MAX_IOCTLS 32

/*
 * This thread: no new privileges, no capabilities, and only the system
 * calls of its kind (anything else kills the process with SIGSYS); its
 * ioctls only with the requests in ioctls (NULL: none) and, for the I/O
 * kind, the terminal's and the taps' (sandbox.c).
 * 0, or -errno (a kernel without seccomp filters: -EINVAL).
 */
int dv_sandbox_enter(enum dv_thread_kind kind, const struct dv_ioctls *ioctls);

/*
 * The jail's supervisor (outside the VM's PID namespace): it waits for the
 * VM's process child and relays signals to it, nothing else. It keeps
 * CAP_KILL alone, and may signal child alone. 0 or -errno.
 */
int dv_sandbox_enter_supervisor(pid_t child);

/*
 * Whether threads enter it (--sandbox, default on), with the backend's
 * ioctls: its vCPU threads', its other threads', and those of its set-up
 * (allowed only to the thread that execs a live upgrade's next image).
 */
void dv_sandbox_setup(bool wanted, const struct dv_ioctls *vcpu, const struct dv_ioctls *io,
		      const struct dv_ioctls *setup);
/* vCPU threads serve disks too (--disk io=vcpu): they get a disk's calls */
void dv_sandbox_vcpu_disk_io(void);
/* Enter it if wanted, or end the process: a thread never goes on unconfined */
void dv_sandbox_thread(enum dv_thread_kind kind);

#endif /* DV_VMM_SANDBOX_H */
