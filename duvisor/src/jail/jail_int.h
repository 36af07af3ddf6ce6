/* SPDX-License-Identifier: GPL-2.0-only */
/* The jail's steps (jail.h), one file each; exposed for jail.c and the unit tests. */
#ifndef DV_JAIL_INT_H
#define DV_JAIL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * supervisor.c: fork into a new PID namespace. Returns 0 in the child;
 * the parent supervises it and exits with its status (never returns), or
 * returns a DV_EXIT_* code (said why) if no child could be made.
 */
int dv_jail_fork(void);

/*
 * root.c: make DIR the root: a fresh empty read-only tmpfs on it, then
 * pivot_root into it and detach the old root, or, when the root cannot be
 * pivoted (the initramfs, rootfs), move the tmpfs over "/" and chroot into
 * it. In a mount namespace of our own, with private propagation. 0 or
 * -errno with *step naming what failed.
 */
int dv_jail_root(const char *dir, const char **step);
/* Its two ways, from the current directory the new root (for the unit tests) */
int dv_jail_root_pivot(const char **step);
int dv_jail_root_move(const char **step);
/* Whether "/" is an empty directory on its own mount (the check after the switch) */
bool dv_jail_root_is_empty(void);

/* ids.c: no supplementary groups, then gid and uid (real, effective, saved). 0 or -errno */
int dv_jail_drop_ids(uint32_t uid, uint32_t gid, const char **step);

/* jail.c: DIR holds nothing but "." and "..": 0, -ENOTEMPTY with one name in first, or -errno */
int dv_jail_dir_empty(const char *dir, char *first, size_t len);

#endif /* DV_JAIL_INT_H */
