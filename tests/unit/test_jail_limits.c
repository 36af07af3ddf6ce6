// SPDX-License-Identifier: GPL-2.0-only
/* The jail's resource limits: the defaults from what the VM uses, the user's checked, applied. */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jail/limits.h"
#include "unit.h"

#define MIB (1ULL << 20)

static const struct dv_jail_usage use = {
    .fds = 10,
    .threads = 5,
    .mapped = 300 * MIB,
    .thread_stack = 8 * MIB + 4096,
    .largest_disk = 64 * MIB,
    .output_to_file = false,
};

static struct dv_jail_cfg want(unsigned int set, uint64_t nofile, uint64_t nproc, uint64_t fsize,
			       uint64_t as)
{
	return (struct dv_jail_cfg){.limits_set = set, .limits = {nofile, nproc, fsize, as}};
}

UT_TEST(defaults_follow_what_the_vm_uses)
{
	struct dv_jail_cfg none = want(0, 0, 0, 0, 0);
	struct dv_rlimits l;
	char why[256] = "";
	int r = dv_jail_limits(&none, &use, &l, why, sizeof(why));

	UT_CHECK(r == 0, "r=%d why=%s", r, why);
	UT_CHECK(l.nofile == 10 + DV_JAIL_FD_SPARE, "nofile %llu", (unsigned long long)l.nofile);
	UT_CHECK(l.nproc == 5, "nproc %llu", (unsigned long long)l.nproc);
	UT_CHECK(l.core == 0, "core %llu", (unsigned long long)l.core);
	UT_CHECK(l.fsize == 64 * MIB, "fsize %llu", (unsigned long long)l.fsize);
	UT_CHECK(l.as == 300 * MIB + 4 * (8 * MIB + 4096) + DV_JAIL_AS_SPARE, "as %llu",
		 (unsigned long long)l.as);
}

UT_TEST(output_to_a_file_leaves_file_size_unlimited)
{
	struct dv_jail_usage u = use;
	struct dv_rlimits l;
	char why[256];

	u.output_to_file = true;
	UT_CHECK(!dv_jail_limits(NULL, &u, &l, why, sizeof(why)) && l.fsize == DV_JAIL_UNLIMITED,
		 "fsize %llu", (unsigned long long)l.fsize);
	u.output_to_file = false;
	u.largest_disk = 0;
	UT_CHECK(!dv_jail_limits(NULL, &u, &l, why, sizeof(why)) && l.fsize == 0,
		 "no writable disk: fsize %llu", (unsigned long long)l.fsize);
}

UT_TEST(the_users_limits_when_they_fit)
{
	struct dv_jail_cfg w = want(0xf, 10, 5, 64 * MIB, 300 * MIB + 4 * (8 * MIB + 4096));
	struct dv_rlimits l;
	char why[256] = "";
	int r = dv_jail_limits(&w, &use, &l, why, sizeof(why));

	UT_CHECK(r == 0, "exactly what is used: r=%d why=%s", r, why);
	UT_CHECK(l.nofile == 10 && l.nproc == 5 && l.fsize == 64 * MIB && l.core == 0,
		 "nofile %llu nproc %llu fsize %llu", (unsigned long long)l.nofile,
		 (unsigned long long)l.nproc, (unsigned long long)l.fsize);
	w = want(1u << DV_JAIL_NPROC, 0, 64, 0, 0);
	r = dv_jail_limits(&w, &use, &l, why, sizeof(why));
	UT_CHECK(r == 0 && l.nproc == 64 && l.nofile == 10 + DV_JAIL_FD_SPARE,
		 "nproc alone: r=%d nproc %llu nofile %llu", r, (unsigned long long)l.nproc,
		 (unsigned long long)l.nofile);
}

UT_TEST(limits_below_what_the_vm_uses_are_refused)
{
	static const struct {
		unsigned int key;
		uint64_t value;
		const char *say;
	} cases[] = {
	    {DV_JAIL_NOFILE, 9, "nofile=9: duvisor has descriptors up to 9 open"},
	    {DV_JAIL_NPROC, 4, "nproc=4: the VM runs 5 threads"},
	    {DV_JAIL_FSIZE, 64 * MIB - 1, "a disk of 67108864 bytes"},
	    {DV_JAIL_AS, 300 * MIB, "300 MiB mapped"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dv_jail_cfg w = want(1u << cases[i].key, 0, 0, 0, 0);
		struct dv_rlimits l;
		char why[256] = "";
		int r;

		w.limits[cases[i].key] = cases[i].value;
		r = dv_jail_limits(&w, &use, &l, why, sizeof(why));
		UT_CHECK(r == -EINVAL, "case %zu accepted", i);
		UT_CHECK(strstr(why, cases[i].say), "case %zu: '%s' lacks '%s'", i, why,
			 cases[i].say);
	}
}

/* In a child: apply, then read back; its exit status says what differed (0: none) */
static int apply_in_child(const struct dv_rlimits *l)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		const int res[] = {RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_CORE, RLIMIT_FSIZE,
				   RLIMIT_AS};
		const uint64_t val[] = {l->nofile, l->nproc, l->core, l->fsize, l->as};
		const char *which = NULL;

		if (dv_jail_limits_apply(l, &which))
			_exit(100);
		for (int i = 0; i < 5; i++) {
			struct rlimit r;
			rlim_t v = val[i] == DV_JAIL_UNLIMITED ? RLIM_INFINITY : val[i];

			if (getrlimit(res[i], &r) || r.rlim_cur != v || r.rlim_max != v)
				_exit(1 + i);
		}
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

UT_TEST(applied_as_soft_and_hard_limits)
{
	struct dv_rlimits l = {
	    .nofile = 40, .nproc = 4096, .core = 0, .fsize = 1 << 20, .as = 1ULL << 40};
	int r = apply_in_child(&l);

	UT_CHECK(r == 0, "limit %d of nofile, nproc, core, fsize, as differs (100: refused)", r);
	l.fsize = DV_JAIL_UNLIMITED;
	r = apply_in_child(&l);
	UT_CHECK(r == 0, "unlimited fsize: limit %d differs", r);
}

UT_MAIN()
