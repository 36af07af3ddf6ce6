/*
 * /dev/duvisor driver selftest: runs inside the emulated host (see
 * driver_test.py). Each test group runs in a forked child with a time
 * limit; every check prints "ok <name>" or "FAIL <name>: why", and the run
 * ends with DRIVER_SELFTEST=pass or DRIVER_SELFTEST=fail (exit status 0 or
 * 1).
 *
 *   driver_selftest [group...]    run only the named groups
 *   driver_selftest --exec-probe  (t_fork.c) read hustatus: SIGILL expected
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "csr.h"
#include "dv.h"
#include "report.h"
#include "tests.h"

static const struct group {
	const char *name;
	void (*fn)(void);
	int timeout_s;
} groups[] = {
    {"basic", t_basic, 60},	 {"exits", t_exits, 60},     {"vcpus", t_vcpus, 180},
    {"fence", t_fence, 60},	 {"signals", t_signals, 60}, {"errors", t_errors, 60},
    {"fork", t_fork, 60},	 {"kill", t_kill, 60},	     {"undelegated", t_undeleg, 90},
    {"attacks", t_attacks, 180}, {"sane", t_sane, 60},
};

static bool wanted(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "--exec-probe"))
		return 5 + (int)(csr_read(CSR_HUSTATUS) & 1);
	if (access(DV_DEV, R_OK | W_OK) != 0) {
		printf("FAIL device: %s is missing or not accessible\n", DV_DEV);
		printf("DRIVER_SELFTEST=fail\n");
		return 1;
	}
	int failed = 0;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (!wanted(groups[i].name, argc, argv))
			continue;
		printf("# group %s\n", groups[i].name);
		uint64_t t0 = now_ms();
		failed += !run_group(groups[i].name, groups[i].fn, groups[i].timeout_s);
		printf("# group %s: %lu ms\n", groups[i].name, (unsigned long)(now_ms() - t0));
	}
	printf("DRIVER_SELFTEST=%s\n", failed ? "fail" : "pass");
	return failed ? 1 : 0;
}
