// SPDX-License-Identifier: GPL-2.0-only
/*
 * The jail's root (jail_int.h): a tmpfs of its own on DIR, so that nothing
 * put in DIR later on the host side shows in the jail, and the jail never
 * writes to the host's file system. It is read-only, without devices,
 * set-uid programs or execution, and holds nothing: duvisor opened all it
 * needs before.
 */
#define _GNU_SOURCE /* pivot_root has no glibc wrapper */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail/jail_int.h"

/* The smallest tmpfs: its root directory and nothing more fit */
#define DV_JAIL_TMPFS_OPTS  "size=4k,nr_inodes=2,mode=0555"
#define DV_JAIL_MOUNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

int dv_jail_root_pivot(const char **step)
{
	/* The old root goes on top of the new one, then is detached from it */
	*step = "pivot_root";
	if (syscall(SYS_pivot_root, ".", "."))
		return -errno;
	*step = "detaching the old root";
	if (umount2(".", MNT_DETACH))
		return -errno;
	*step = "chdir /";
	return chdir("/") ? -errno : 0;
}

int dv_jail_root_move(const char **step)
{
	/* As switch_root does: the host's mounts stay in this namespace, under it */
	*step = "moving the jail's tmpfs over /";
	if (mount(".", "/", NULL, MS_MOVE, NULL))
		return -errno;
	*step = "chroot";
	if (chroot("."))
		return -errno;
	*step = "chdir /";
	return chdir("/") ? -errno : 0;
}

bool dv_jail_root_is_empty(void)
{
	DIR *d = opendir("/");
	struct dirent *e;
	bool empty = d != NULL;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	if (d)
		closedir(d);
	return empty;
}

int dv_jail_root(const char *dir, const char **step)
{
	int rc;

	*step = "making mounts private";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -errno;
	*step = "mounting a tmpfs on the jail directory";
	if (mount("duvisor-jail", dir, "tmpfs", DV_JAIL_MOUNT_FLAGS, DV_JAIL_TMPFS_OPTS))
		return -errno;
	*step = "chdir to the jail directory";
	if (chdir(dir))
		return -errno;
	/* pivot_root refuses a root without a parent mount: rootfs (EINVAL) */
	rc = dv_jail_root_pivot(step);
	if (rc == -EINVAL)
		rc = dv_jail_root_move(step);
	if (rc)
		return rc;
	*step = "checking the new root";
	return dv_jail_root_is_empty() ? 0 : -EEXIST;
}
