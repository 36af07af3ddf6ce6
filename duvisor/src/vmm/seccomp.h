/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A seccomp filter (classic BPF) built from lists of rules, for the
 * sandbox (sandbox.c). Each rule allows one system call, with any
 * arguments, with one argument among a few values, or with some bits of
 * one argument clear or set; or makes it fail with ENOSYS (a library then
 * falls back to an older call). A call no rule allows gets SECCOMP_RET_TRAP (SIGSYS,
 * the call is not made); a call of a foreign architecture kills the
 * process.
 */
#ifndef DV_VMM_SECCOMP_H
#define DV_VMM_SECCOMP_H

#include <linux/filter.h>
#include <stdint.h>

enum dv_arg_check {
	DV_ARG_ANY,	   /* any arguments */
	DV_ARG_ONE_OF,	   /* argument arg is one of vals[0..nvals) */
	DV_ARG_BITS_CLEAR, /* argument arg has none of the bits of vals[0] */
	DV_ARG_BITS_SET,   /* argument arg has all of the bits of vals[0] */
	DV_ARG_ENOSYS,	   /* not allowed, and not fatal: the call fails with ENOSYS */
};

/*
 * Arguments are compared on their low 32 bits: the checks are for
 * arguments the kernel takes as 32-bit (an ioctl's request, a pid, mmap's
 * prot), whose upper half it ignores.
 */
struct dv_sys_rule {
	int nr;
	enum dv_arg_check check;
	unsigned int arg;
	unsigned int nvals;
	const uint32_t *vals;
};

/* A list of rules (the filter takes them in the order given) */
struct dv_sys_rules {
	const struct dv_sys_rule *rule;
	unsigned int n;
};

#define DV_SECCOMP_MAX_INSNS 384

struct dv_seccomp {
	struct sock_filter insn[DV_SECCOMP_MAX_INSNS];
	unsigned int n;
};

/* The filter of lists[0..nlists): 0, or -E2BIG (too long) / -EINVAL (a bad rule) */
int dv_seccomp_build(struct dv_seccomp *f, const struct dv_sys_rules *lists, unsigned int nlists);

/* Install it on this thread (no_new_privs or CAP_SYS_ADMIN needed): 0 or -errno */
int dv_seccomp_install(const struct dv_seccomp *f);

#endif /* DV_VMM_SECCOMP_H */
