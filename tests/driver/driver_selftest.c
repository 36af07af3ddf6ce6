/*
 * /dev/duvisor driver selftest: runs inside the emulated host (see
 * driver_test.py). Each test group runs in a forked child with a time
 * limit; every check prints "ok <name>" or "FAIL <name>: why", and the run
 * ends with DRIVER_SELFTEST=pass or DRIVER_SELFTEST=fail (exit status 0 or
 * 1).
 *
 * Started as root (the host's init runs it), it drops to an ordinary user
 * whose only privilege is the device's group (priv.h) in every group's
 * child; a group marked .root keeps root and drops it itself around all
 * it does with /dev/duvisor (t_harden.c: KVM needs root for /dev/kvm).
 *
 *   driver_selftest [group...]    run only the named groups
 *   driver_selftest --exec-probe  (t_fork.c) read hustatus: SIGILL expected
 *   driver_selftest --exec-owner FD (t_harden.c) calls on a VM opened before exec
 *   driver_selftest --adopt-probe FD HPA MARKED (t_handover.c) adopts a VM after exec
 *   driver_selftest --as-user PROGRAM [ARG...]
 *                                 become that user and exec PROGRAM
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "csr.h"
#include "dv.h"
#include "priv.h"
#include "report.h"
#include "tests.h"

static const struct test_group {
	const char *name;
	void (*fn)(void);
	int timeout_s;
	bool root; /* runs as root; drops privileges itself where it can */
} groups[] = {
    /* first: no guest may have run on a hart before it */
    {"fresh", t_harden_fresh, 30, false},
    {"basic", t_basic, 60, false},
    {"exits", t_exits, 60, false},
    {"vcpus", t_vcpus, 180, false},
    {"fence", t_fence, 60, false},
    {"signals", t_signals, 60, false},
    {"errors", t_errors, 60, false},
    {"fork", t_fork, 60, false},
    {"handover", t_handover, 60, false},
    {"kill", t_kill, 60, false},
    {"undelegated", t_undeleg, 90, false},
    {"attacks", t_attacks, 180, false},
    {"harden", t_harden, 240, false},
    /* /dev/kvm is root's (mode 0600); the DV-Ext processes it starts
     * drop to the test user */
    {"harden_kvm", t_harden_kvm, 90, true},
    /* after every other group that makes VMs: they must have left none */
    {"counts", t_counts, 90, false},
    {"sane", t_sane, 60, false},
};

/* The group a child runs as the test user (run_group() takes no argument). */
static void (*user_group_fn)(void);

static void run_as_user(void)
{
	char err[200];
	if (become_user(err, sizeof(err)) < 0) {
		expect(false, "%s", err);
		report("drop_privileges");
		return;
	}
	user_group_fn();
}

/*
 * The device is 0660 root:<its own group>, and that group is all a process
 * needs: as the test user with that group it opens the device, with no
 * capability left; the same user without the group cannot.
 */
static int open_without_group(void *arg)
{
	(void)arg;
	if (setgroups(0, NULL) < 0 || setresgid(DV_TEST_GID, DV_TEST_GID, DV_TEST_GID) < 0 ||
	    setresuid(DV_TEST_UID, DV_TEST_UID, DV_TEST_UID) < 0)
		return 2;
	int fd = open(DV_DEV, O_RDWR | O_CLOEXEC);
	return fd >= 0 ? 3 : errno == EACCES ? 0 : 4;
}

/* The test user's view, told through a shared page. */
static char *user_msg;

static int open_as_user(void *arg)
{
	(void)arg;
	char err[200];
	if (become_user(err, sizeof(err)) < 0) {
		snprintf(user_msg, 512, "%s", err);
		return 1;
	}
	int fd = open(DV_DEV, O_RDWR | O_CLOEXEC), e = errno;
	if (getuid() == 0 || geteuid() == 0 || getgid() == 0 || getegid() == 0)
		snprintf(user_msg, 512, "still root: %s", cred_str());
	else if (cap_effective() != 0 || cap_permitted() != 0)
		snprintf(user_msg, 512, "capabilities left: %s", cred_str());
	else if (fd < 0)
		snprintf(user_msg, 512, "open %s as %s: %s", DV_DEV, cred_str(), strerror(e));
	else
		snprintf(user_msg, 512, "ok %s", cred_str());
	return 0;
}

static bool check_unprivileged(void)
{
	struct stat st;
	if (expect(stat(DV_DEV, &st) == 0, "stat %s: %s", DV_DEV, strerror(errno))) {
		expect((st.st_mode & 0777) == 0660 && st.st_uid == 0,
		       "%s is mode %03o uid %u, want 0660 owned by root", DV_DEV,
		       (unsigned)(st.st_mode & 0777), (unsigned)st.st_uid);
		expect(st.st_gid != 0,
		       "%s is in group 0: the host's init did not give it a group of its own "
		       "(platform/initramfs/rcS)",
		       DV_DEV);
	}
	if (geteuid() != 0) {
		printf("# not started as root: every group runs as %s; those that need root "
		       "fail\n",
		       cred_str());
		expect(access(DV_DEV, R_OK | W_OK) == 0, "%s is not accessible: %s", DV_DEV,
		       strerror(errno));
		return report("unprivileged_device_group");
	}
	int st1 = wait_child(spawn(open_without_group, NULL), 10000);
	expect(st1 != -1 && WIFEXITED(st1) && WEXITSTATUS(st1) == 0,
	       "uid %d without the device's group: %s, want EACCES (exit 0; 3: it opened the "
	       "device, 4: another error)",
	       DV_TEST_UID, status_str(st1));
	user_msg = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (user_msg == MAP_FAILED) {
		expect(false, "mmap: %s", strerror(errno));
		return report("unprivileged_device_group");
	}
	int st2 = wait_child(spawn(open_as_user, NULL), 10000);
	if (expect(st2 != -1 && WIFEXITED(st2), "child %s", status_str(st2))) {
		if (strncmp(user_msg, "ok ", 3))
			expect(false, "%s", user_msg[0] ? user_msg : "no answer");
		else
			printf("# test groups run as %s\n", user_msg + 3);
	}
	munmap(user_msg, 4096);
	return report("unprivileged_device_group");
}

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
	if (argc == 3 && !strcmp(argv[1], "--exec-owner"))
		return harden_exec_owner_probe(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "--adopt-probe"))
		return handover_adopt_probe(atoi(argv[2]), strtoull(argv[3], NULL, 10),
					    atoi(argv[4]));
	if (argc >= 3 && !strcmp(argv[1], "--as-user")) {
		char err[200];
		if (become_user(err, sizeof(err)) < 0) {
			fprintf(stderr, "driver_selftest --as-user: %s\n", err);
			return 126;
		}
		execv(argv[2], argv + 2);
		fprintf(stderr, "driver_selftest --as-user: exec %s: %s\n", argv[2],
			strerror(errno));
		return 127;
	}
	if (access(DV_DEV, F_OK) != 0) {
		printf("FAIL device: %s is missing\n", DV_DEV);
		printf("DRIVER_SELFTEST=fail\n");
		return 1;
	}
	int failed = !check_unprivileged();
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (!wanted(groups[i].name, argc, argv))
			continue;
		printf("# group %s%s\n", groups[i].name,
		       groups[i].root && geteuid() == 0 ? " (as root)" : "");
		uint64_t t0 = now_ms();
		user_group_fn = groups[i].fn;
		failed += !run_group(groups[i].name, groups[i].root ? groups[i].fn : run_as_user,
				     groups[i].timeout_s);
		printf("# group %s: %lu ms\n", groups[i].name, (unsigned long)(now_ms() - t0));
	}
	printf("DRIVER_SELFTEST=%s\n", failed ? "fail" : "pass");
	return failed ? 1 : 0;
}
