// SPDX-License-Identifier: GPL-2.0-only
/* The jail's two steps (jail.h), each a sequence of the parts in the other jail/ files. */
#define _GNU_SOURCE /* unshare, close_range */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "jail/jail.h"
#include "jail/jail_int.h"
#include "jail/limits.h"

static int dv_jail_fail(const char *what, int err)
{
	fprintf(stderr, "duvisor: jail: %s: %s\n", what, strerror(err));
	return DV_EXIT_JAIL;
}

int dv_jail_dir_empty(const char *dir, char *first, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return -errno;
	while (!rc && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(first, len, "%s", e->d_name);
		rc = -ENOTEMPTY;
	}
	closedir(d);
	return rc;
}

/* One namespace at a time, so that a missing one is named */
static int dv_jail_unshare(int flag, const char *name, const char *config)
{
	char what[64];

	if (!unshare(flag))
		return 0;
	snprintf(what, sizeof(what), "a new %s namespace", name);
	if (errno == EINVAL) {
		fprintf(stderr, "duvisor: jail: %s: the kernel has none (%s)\n", what, config);
		return DV_EXIT_JAIL;
	}
	return dv_jail_fail(what, errno);
}

int dv_jail_begin(const struct dv_jail_cfg *jail)
{
	char first[256];
	int rc;

	if (geteuid() != 0) {
		fprintf(stderr,
			"duvisor: --jail needs root: it makes namespaces, a new root and "
			"changes user (running as uid %u)\n",
			(unsigned int)geteuid());
		return DV_EXIT_JAIL;
	}
	rc = dv_jail_dir_empty(jail->dir, first, sizeof(first));
	if (rc == -ENOTEMPTY) {
		fprintf(stderr,
			"duvisor: --jail '%s': not empty (it holds '%s'): the jail's root "
			"starts empty\n",
			jail->dir, first);
		return DV_EXIT_JAIL;
	}
	if (rc)
		return dv_jail_fail(jail->dir, -rc);
	/* Whatever the caller left open is not the VM's to use */
	if (close_range(STDERR_FILENO + 1, ~0U, 0))
		return dv_jail_fail("closing inherited descriptors", errno);
	rc = dv_jail_fork();
	if (!rc)
		rc = dv_jail_unshare(CLONE_NEWNS, "mount", "CONFIG_NAMESPACES");
	if (!rc)
		rc = dv_jail_unshare(CLONE_NEWIPC, "IPC", "CONFIG_IPC_NS");
	if (!rc)
		rc = dv_jail_unshare(CLONE_NEWUTS, "UTS", "CONFIG_UTS_NS");
	/* The network's comes at dv_jail_enter (taps first): see if there is one */
	if (!rc && access("/proc/self/ns", F_OK) == 0 && access("/proc/self/ns/net", F_OK)) {
		fprintf(stderr, "duvisor: jail: a new network namespace: the kernel has none "
				"(CONFIG_NET_NS)\n");
		rc = DV_EXIT_JAIL;
	}
	return rc;
}

/* This process's threads, or -errno */
static int dv_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

int dv_jail_enter(const struct dv_config *cfg, unsigned int threads)
{
	const struct dv_jail_cfg *jail = &cfg->jail;
	struct dv_jail_usage use;
	struct dv_rlimits lim;
	const char *step;
	char why[256];
	int rc;

	/* Nothing else may run: a namespace, a root or a user would be this thread's alone */
	rc = dv_threads();
	if (rc < 0)
		return dv_jail_fail("/proc/self/task", -rc);
	if (rc != 1) {
		fprintf(stderr, "duvisor: jail: %d threads started before the jail\n", rc - 1);
		return DV_EXIT_JAIL;
	}
	rc = dv_jail_usage_measure(cfg, threads, &use);
	if (rc)
		return dv_jail_fail("reading what the VM uses in /proc", -rc);
	if (dv_jail_limits(jail, &use, &lim, why, sizeof(why))) {
		fprintf(stderr, "duvisor: --jail-limits: %s\n", why);
		return DV_EXIT_JAIL;
	}
	rc = dv_jail_unshare(CLONE_NEWNET, "network", "CONFIG_NET_NS");
	if (rc)
		return rc;
	rc = dv_jail_root(jail->dir, &step);
	if (rc)
		return dv_jail_fail(step, -rc);
	rc = dv_jail_drop_ids(jail->uid, jail->gid, &step);
	if (rc)
		return dv_jail_fail(step, -rc);
	rc = dv_jail_limits_apply(&lim, &step);
	if (rc)
		return dv_jail_fail(step, -rc);
	/* Not dumpable: no core, no ptrace or /proc/<pid>/mem by the jail's user */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		return dv_jail_fail("prctl", errno);
	return 0;
}
