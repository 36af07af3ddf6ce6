/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Confinement of duvisor's threads once the VM is set up (sandbox.c).
 * Each thread enters it itself, at the point from which it only serves the
 * VM: vCPU threads after their backend set-up, the I/O, disk and helper
 * threads at their start, the main thread after starting the others.
 */
#ifndef DV_VMM_SANDBOX_H
#define DV_VMM_SANDBOX_H

#include <stdbool.h>

enum dv_thread_kind {
	DV_THREAD_VCPU, /* runs the guest and its exits */
	DV_THREAD_IO,	/* device back ends, the console, the main thread */
};

/*
 * This thread: no new privileges, no capabilities, and only the system
 * calls of its kind (anything else kills the process with SIGSYS).
 * 0, or -errno (a kernel without seccomp filters: -EINVAL).
 */
int dv_sandbox_enter(enum dv_thread_kind kind);

/* Whether threads enter it (--sandbox, default on), and doing so if they do */
extern bool dv_sandbox_wanted;
void dv_sandbox_thread(enum dv_thread_kind kind);

#endif /* DV_VMM_SANDBOX_H */
