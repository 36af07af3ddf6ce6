/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The jail (--jail DIR): duvisor confines itself, in the manner of
 * Firecracker's jailer but from inside, in two steps around the VM's
 * set-up (docs/security.md).
 *
 * dv_jail_begin(), first, while duvisor is one thread and has opened
 * nothing: it must run as root; DIR must be empty; every descriptor beyond
 * stdin, stdout and stderr is closed. Then a new PID namespace: duvisor
 * forks; the parent stays outside as the VM's supervisor (it relays
 * SIGINT, SIGTERM and SIGHUP, exits with the VM's status, and is confined
 * itself) and never returns; the child, pid 1 of the new namespace, enters
 * new mount, IPC and UTS namespaces and returns to set the VM up. That
 * set-up opens everything the VM uses while the host's files are still in
 * reach: the backend's device, the kernel and initrd (read into guest
 * RAM and closed), the disks, the taps; --dump-dtb is written then too.
 *
 * dv_jail_enter(), once the VM is set up and before any of its threads
 * starts (a namespace belongs to a thread and those it creates): a new
 * network namespace (the taps, open already, stay in the host's), a fresh
 * empty read-only tmpfs on DIR as the root, the jail's user and group (no
 * supplementary groups; not dumpable; no new privileges), resource limits.
 * The threads then start and each enters its sandbox (vmm/sandbox.h).
 *
 * Both return 0, or a DV_EXIT_* code after saying what failed: the VM
 * never runs half-jailed.
 */
#ifndef DV_JAIL_H
#define DV_JAIL_H

#include "cli/cli.h"

int dv_jail_begin(const struct dv_jail_cfg *jail);

/* threads: how many the VM's process will have, this one included */
int dv_jail_enter(const struct dv_config *cfg, unsigned int threads);

#endif /* DV_JAIL_H */
