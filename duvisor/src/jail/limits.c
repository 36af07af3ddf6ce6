// SPDX-License-Identifier: GPL-2.0-only
/* The jail's resource limits: see limits.h. */
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>

#include "jail/limits.h"

#define MIB(x) ((unsigned long long)((x) >> 20))

int dv_jail_limits(const struct dv_jail_cfg *want, const struct dv_jail_usage *use,
		   struct dv_rlimits *out, char *why, size_t whylen)
{
	unsigned int set = want ? want->limits_set : 0;
	unsigned int new_threads = use->threads > 1 ? use->threads - 1 : 0;
	uint64_t as_needed = use->mapped + new_threads * use->thread_stack;

	out->nofile = (uint64_t)use->fds + DV_JAIL_FD_SPARE;
	out->nproc = use->threads;
	out->core = 0;
	out->fsize = use->output_to_file ? DV_JAIL_UNLIMITED : use->largest_disk;
	out->as = as_needed + DV_JAIL_AS_SPARE;
	if (set & (1u << DV_JAIL_NOFILE)) {
		out->nofile = want->limits[DV_JAIL_NOFILE];
		if (out->nofile < use->fds) {
			snprintf(why, whylen,
				 "nofile=%llu: duvisor has descriptors up to %u open already",
				 (unsigned long long)out->nofile, use->fds - 1);
			return -EINVAL;
		}
	}
	if (set & (1u << DV_JAIL_NPROC)) {
		out->nproc = want->limits[DV_JAIL_NPROC];
		if (out->nproc < use->threads) {
			snprintf(why, whylen, "nproc=%llu: the VM runs %u threads",
				 (unsigned long long)out->nproc, use->threads);
			return -EINVAL;
		}
	}
	if (set & (1u << DV_JAIL_FSIZE)) {
		out->fsize = want->limits[DV_JAIL_FSIZE];
		if (out->fsize < use->largest_disk) {
			snprintf(why, whylen,
				 "fsize=%llu: a disk of %llu bytes could not be written to its end",
				 (unsigned long long)out->fsize,
				 (unsigned long long)use->largest_disk);
			return -EINVAL;
		}
	}
	if (set & (1u << DV_JAIL_AS)) {
		out->as = want->limits[DV_JAIL_AS];
		if (out->as < as_needed) {
			snprintf(why, whylen,
				 "as=%llu: duvisor has %llu MiB mapped (guest RAM included) and "
				 "its %u new threads need %llu MiB of stack: at least %llu MiB",
				 (unsigned long long)out->as, MIB(use->mapped), new_threads,
				 MIB(new_threads * use->thread_stack),
				 MIB(as_needed + (1 << 20) - 1));
			return -EINVAL;
		}
	}
	return 0;
}

int dv_jail_limits_apply(const struct dv_rlimits *l, const char **which)
{
	const struct {
		int resource;
		const char *name;
		uint64_t value;
	} set[] = {
	    {RLIMIT_NOFILE, "RLIMIT_NOFILE", l->nofile},
	    {RLIMIT_NPROC, "RLIMIT_NPROC", l->nproc},
	    {RLIMIT_CORE, "RLIMIT_CORE", l->core},
	    {RLIMIT_FSIZE, "RLIMIT_FSIZE", l->fsize},
	    {RLIMIT_AS, "RLIMIT_AS", l->as},
	};

	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
		rlim_t v = set[i].value == DV_JAIL_UNLIMITED ? RLIM_INFINITY : (rlim_t)set[i].value;
		struct rlimit r = {v, v};

		if (setrlimit(set[i].resource, &r)) {
			*which = set[i].name;
			return -errno;
		}
	}
	return 0;
}
