/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The resource limits of a jailed duvisor (limits.c): the user's
 * (--jail-limits) checked against what the VM uses, defaults for the rest,
 * and what it uses, measured when it enters the jail (usage.c).
 */
#ifndef DV_JAIL_LIMITS_H
#define DV_JAIL_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/cli.h"

#define DV_JAIL_UNLIMITED UINT64_MAX /* RLIM_INFINITY */

/* Descriptors allowed beyond those open when the jail is entered */
#define DV_JAIL_FD_SPARE 16
/* Address space allowed beyond the mapped and the new threads' stacks (malloc arenas) */
#define DV_JAIL_AS_SPARE (256ULL << 20)

struct dv_rlimits {
	uint64_t nofile, nproc, core, fsize, as;
};

/* What duvisor uses as it enters the jail */
struct dv_jail_usage {
	unsigned int fds;      /* one past its highest open descriptor */
	unsigned int threads;  /* threads its process will have, itself included */
	uint64_t mapped;       /* address space mapped, guest RAM included (VmSize) */
	uint64_t thread_stack; /* address space a new thread's stack and guard take */
	uint64_t largest_disk; /* bytes of its largest writable disk file (block devices: 0) */
	bool output_to_file;   /* stdout or stderr is a regular file: it grows */
};

/*
 * The limits for use and the user's want. The defaults: nofile the open
 * descriptors and DV_JAIL_FD_SPARE; nproc the threads; core 0; fsize the
 * largest writable disk (unlimited when the output goes to a file); as the
 * mapped, the new threads' stacks and DV_JAIL_AS_SPARE. A wanted limit
 * below what the VM uses is refused: -EINVAL with why (one line).
 */
int dv_jail_limits(const struct dv_jail_cfg *want, const struct dv_jail_usage *use,
		   struct dv_rlimits *out, char *why, size_t whylen);

/* setrlimit (soft and hard) of each: 0, or -errno with *which the one refused */
int dv_jail_limits_apply(const struct dv_rlimits *l, const char **which);

/* usage.c: measure use (cfg: the disks), with threads as given: 0 or -errno */
int dv_jail_usage_measure(const struct dv_config *cfg, unsigned int threads,
			  struct dv_jail_usage *use);

#endif /* DV_JAIL_LIMITS_H */
