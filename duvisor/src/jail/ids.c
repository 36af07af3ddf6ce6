// SPDX-License-Identifier: GPL-2.0-only
/* The jail's user and group (jail_int.h). */
#define _GNU_SOURCE /* setresuid, getresuid, setgroups */
#include <errno.h>
#include <grp.h>
#include <unistd.h>

#include "jail/jail_int.h"

int dv_jail_drop_ids(uint32_t uid, uint32_t gid, const char **step)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	*step = "setgroups";
	if (setgroups(0, NULL))
		return -errno;
	*step = "setresgid";
	if (setresgid(gid, gid, gid))
		return -errno;
	*step = "setresuid";
	if (setresuid(uid, uid, uid))
		return -errno;
	*step = "checking the ids";
	if (getresuid(&ru, &eu, &su) || getresgid(&rg, &eg, &sg))
		return -errno;
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid)
		return -EPERM;
	/* Another user for good: root's ids must be out of reach */
	*step = "checking root cannot be taken back";
	if (uid != 0 && (!setresuid(0, 0, 0) || errno != EPERM))
		return -EPERM;
	return 0;
}
