// SPDX-License-Identifier: GPL-2.0-only
/*
 * The jail natively: a child jails itself as duvisor does (dv_jail_begin,
 * dv_jail_enter) and this process, as the host would, looks at it through
 * /proc: its user and group, namespaces, root, limits, descriptors, and its
 * supervisor's confinement; then stops it through the supervisor. The jail
 * needs root: run as another user, only the refusal is checked.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jail/jail.h"
#include "jail/jail_int.h"
#include "unit.h"

#define JAIL_ID	  4242 /* an id no process of this machine is likely to have */
#define VM_STATUS 42   /* the jailed child's exit status when all its own checks passed */

static char base[64], jail_dir[128], full_dir[128], root_dir[128];

static void make_dirs(void)
{
	char f[192];
	int fd;

	if (base[0])
		return;
	snprintf(base, sizeof(base), "/tmp/dv-test-jail.XXXXXX");
	if (!mkdtemp(base)) {
		perror("mkdtemp");
		exit(1);
	}
	chmod(base, 0755);
	snprintf(jail_dir, sizeof(jail_dir), "%s/jail", base);
	snprintf(full_dir, sizeof(full_dir), "%s/full", base);
	snprintf(root_dir, sizeof(root_dir), "%s/root", base);
	snprintf(f, sizeof(f), "%s/full/something", base);
	if (mkdir(jail_dir, 0755) || mkdir(full_dir, 0755) || mkdir(root_dir, 0755) ||
	    (fd = open(f, O_CREAT | O_WRONLY, 0644)) < 0) {
		perror(base);
		exit(1);
	}
	close(fd);
}

__attribute__((destructor)) static void remove_dirs(void)
{
	char f[192];

	if (!base[0])
		return;
	snprintf(f, sizeof(f), "%s/full/something", base);
	unlink(f);
	rmdir(full_dir);
	rmdir(jail_dir);
	rmdir(root_dir);
	rmdir(base);
}

static struct dv_config jail_config(const char *dir)
{
	struct dv_config c = {.ncpus = 1};

	c.jail = (struct dv_jail_cfg){
	    .dir = dir, .has_uid = true, .has_gid = true, .uid = JAIL_ID, .gid = JAIL_ID};
	c.jail.limits_set = 1u << DV_JAIL_NOFILE;
	c.jail.limits[DV_JAIL_NOFILE] = 24;
	return c;
}

static int wait_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

/* Run fn in a child; its exit status, or -signal */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1000;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

/* The same, with what it writes to stderr in err */
static int in_child_said(int (*fn)(void), char *err, size_t len)
{
	int p[2], r;
	ssize_t n;
	pid_t pid;

	err[0] = '\0';
	if (pipe(p))
		return -1000;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDERR_FILENO);
		_exit(fn());
	}
	close(p[1]);
	n = pid < 0 ? 0 : read(p[0], err, len - 1);
	err[n > 0 ? n : 0] = '\0';
	close(p[0]);
	r = pid < 0 ? -1 : wait_status(pid);
	return r >= 1000 ? -(r - 1000) : r;
}

UT_TEST(jail_dir_must_be_empty)
{
	char first[64] = "";

	make_dirs();
	UT_CHECK(dv_jail_dir_empty(jail_dir, first, sizeof(first)) == 0, "empty dir");
	UT_CHECK(dv_jail_dir_empty(full_dir, first, sizeof(first)) == -ENOTEMPTY &&
		     !strcmp(first, "something"),
		 "non-empty dir: first '%s'", first);
	UT_CHECK(dv_jail_dir_empty("/nonexistent/dv", first, sizeof(first)) == -ENOENT,
		 "missing dir");
}

static int begin_as_nobody(void)
{
	struct dv_config c = jail_config(jail_dir);

	if (geteuid() == 0 && setresuid(65534, 65534, 65534))
		return 100;
	return dv_jail_begin(&c.jail);
}

static int begin_in_full_dir(void)
{
	struct dv_config c = jail_config(full_dir);

	return dv_jail_begin(&c.jail);
}

UT_TEST(jail_refuses_a_user_other_than_root_and_a_dir_not_empty)
{
	char err[512];
	int r;

	make_dirs();
	r = in_child_said(begin_as_nobody, err, sizeof(err));
	UT_CHECK(r == DV_EXIT_JAIL && strstr(err, "--jail needs root"), "not root: %d '%s'", r,
		 err);
	if (geteuid() != 0)
		return;
	r = in_child_said(begin_in_full_dir, err, sizeof(err));
	UT_CHECK(r == DV_EXIT_JAIL && strstr(err, "not empty (it holds 'something')"),
		 "DIR not empty: %d '%s'", r, err);
}

static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* A kernel without the namespace of flag, as far as unshare() tells: EINVAL for it */
static int without_namespace(unsigned int flag)
{
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_unshare, 0, 3),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, flag, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};

	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	       syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static int jail_without(unsigned int flag)
{
	struct dv_config c = jail_config(jail_dir);
	int rc;

	if (without_namespace(flag))
		return 100;
	rc = dv_jail_begin(&c.jail);
	return rc ? rc : dv_jail_enter(&c, 1);
}

static int jail_without_ipc(void)
{
	return jail_without(CLONE_NEWIPC);
}

static int jail_without_net(void)
{
	return jail_without(CLONE_NEWNET);
}

UT_TEST(a_namespace_the_kernel_lacks_is_named)
{
	char err[512];
	int r;

	if (geteuid() != 0)
		return;
	make_dirs();
	r = in_child_said(jail_without_ipc, err, sizeof(err));
	UT_CHECK(r == DV_EXIT_JAIL && strstr(err, "a new IPC namespace: the kernel has none "
						  "(CONFIG_IPC_NS)"),
		 "no IPC namespace: %d '%s'", r, err);
	r = in_child_said(jail_without_net, err, sizeof(err));
	UT_CHECK(r == DV_EXIT_JAIL && strstr(err, "a new network namespace: the kernel has none "
						  "(CONFIG_NET_NS)"),
		 "no network namespace: %d '%s'", r, err);
	UT_CHECK(count_entries(jail_dir) == 0, "the host's DIR is no longer empty");
}

/* The two ways to the new root, in a mount namespace of a child's own */
static int root_by(int (*how)(const char **))
{
	const char *step = "";

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, 0))
		return 100;
	if (mount("t", root_dir, "tmpfs", MS_RDONLY, "size=4k") || chdir(root_dir))
		return 101;
	if (how(&step))
		return 102;
	/* Empty and read-only; the host's files out of reach */
	if (!dv_jail_root_is_empty() || mkdir("/x", 0755) == 0 || errno != EROFS)
		return 103;
	return access("/tmp", F_OK) == 0 || access("/proc/self", F_OK) == 0 ? 104 : 0;
}

static int root_by_pivot(void)
{
	return root_by(dv_jail_root_pivot);
}

static int root_by_move(void)
{
	return root_by(dv_jail_root_move);
}

UT_TEST(the_new_root_by_pivot_root_and_by_moving_the_mount)
{
	int r;

	if (geteuid() != 0)
		return;
	make_dirs();
	r = in_child(root_by_pivot);
	UT_CHECK(r == 0, "pivot_root: step %d failed", r);
	r = in_child(root_by_move);
	UT_CHECK(r == 0, "move and chroot: step %d failed", r);
}

static int drop_ids(void)
{
	const char *step;
	gid_t groups[4];

	if (dv_jail_drop_ids(JAIL_ID, JAIL_ID + 1, &step))
		return 100;
	if (getuid() != JAIL_ID || geteuid() != JAIL_ID || getgid() != JAIL_ID + 1 ||
	    getegid() != JAIL_ID + 1)
		return 101;
	if (getgroups(4, groups) != 0)
		return 102;
	return setuid(0) == 0 || setgid(0) == 0 ? 103 : 0;
}

UT_TEST(the_jails_user_and_group_for_good)
{
	int r = geteuid() == 0 ? in_child(drop_ids) : 0;

	UT_CHECK(r == 0, "step %d failed", r);
}

/*
 * The jailed process: jail itself, say READY on stdout (a pipe), wait for
 * SIGTERM (relayed by its supervisor), check from inside, and end with
 * VM_STATUS (or the number of the failed check).
 */
static int jailed(void)
{
	struct dv_config c = jail_config(jail_dir);
	sigset_t term;
	int sig = 0, rc;

	open("/dev/null", O_RDONLY); /* a descriptor the caller leaks: the jail closes it */
	rc = dv_jail_begin(&c.jail);
	if (!rc)
		rc = dv_jail_enter(&c, 1);
	if (rc)
		return rc;
	if (write(STDOUT_FILENO, "READY\n", 6) != 6)
		return 50;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	if (sigwait(&term, &sig) || sig != SIGTERM)
		return 51;
	if (getpid() != 1) /* pid 1 of its own namespace */
		return 52;
	if (!dv_jail_root_is_empty() || open("/etc/passwd", O_RDONLY) >= 0 || errno != ENOENT)
		return 53;
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0 || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 54;
	return VM_STATUS;
}

/* The first line of /proc/<pid>/<file> that starts with key, after it; "" if none */
static void proc_field(pid_t pid, const char *file, const char *key, char *out, size_t len)
{
	char path[64], buf[8192];
	ssize_t n;
	int fd;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, key, strlen(key))) {
			char *v = l + strlen(key), *e = strchr(v, '\n');

			while (*v == ' ' || *v == '\t')
				v++;
			snprintf(out, len, "%.*s", e ? (int)(e - v) : (int)strlen(v), v);
			return;
		}
	}
}

/* The child of parent (the jailed process, seen from here), or -1 */
static pid_t child_of(pid_t parent)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = -1;

	while (d && (e = readdir(d))) {
		char ppid[32];
		pid_t p = (pid_t)atoi(e->d_name);

		if (p <= 0)
			continue;
		proc_field(p, "status", "PPid:", ppid, sizeof(ppid));
		if (atoi(ppid) == parent)
			found = p;
	}
	if (d)
		closedir(d);
	return found;
}

static bool same_ns(pid_t pid, const char *ns)
{
	char a[64], b[64], pa[64], pb[64];
	ssize_t na, nb;

	snprintf(pa, sizeof(pa), "/proc/%d/ns/%s", (int)pid, ns);
	snprintf(pb, sizeof(pb), "/proc/self/ns/%s", ns);
	na = readlink(pa, a, sizeof(a) - 1);
	nb = readlink(pb, b, sizeof(b) - 1);
	return na <= 0 || nb <= 0 || (na == nb && !memcmp(a, b, (size_t)na));
}

/* Start jailed() under its supervisor; the supervisor's pid, the jailed one's, the report pipe */
static pid_t start_jailed(pid_t *vm, int *report)
{
	int p[2];
	char line[16] = "";
	struct pollfd pfd;
	pid_t sup;

	if (pipe(p))
		return -1;
	fflush(stdout); /* not written again by the child (to the pipe) */
	sup = fork();
	if (sup == 0) {
		dup2(p[1], STDOUT_FILENO);
		_exit(jailed());
	}
	close(p[1]);
	*report = p[0];
	pfd = (struct pollfd){.fd = p[0], .events = POLLIN};
	if (sup < 0 || poll(&pfd, 1, 10000) != 1 || read(p[0], line, sizeof(line) - 1) != 6 ||
	    strcmp(line, "READY\n"))
		*vm = -1;
	else
		*vm = child_of(sup);
	return sup;
}

UT_TEST(a_jailed_process_seen_from_the_host)
{
	static const char *const ns[] = {"mnt", "pid", "net", "ipc", "uts"};
	char v[128], want[64];
	int report, st;
	pid_t vm, sup;

	if (geteuid() != 0)
		return;
	make_dirs();
	sup = start_jailed(&vm, &report);
	UT_CHECK(sup > 0 && vm > 0, "the jailed process did not come up (supervisor %d)", sup);
	if (sup <= 0 || vm <= 0) {
		if (sup > 0) {
			kill(sup, SIGKILL);
			wait_status(sup);
		}
		return;
	}
	snprintf(want, sizeof(want), "%d\t%d\t%d\t%d", JAIL_ID, JAIL_ID, JAIL_ID, JAIL_ID);
	proc_field(vm, "status", "Uid:", v, sizeof(v));
	UT_CHECK(!strcmp(v, want), "Uid: '%s'", v);
	proc_field(vm, "status", "Gid:", v, sizeof(v));
	UT_CHECK(!strcmp(v, want), "Gid: '%s'", v);
	proc_field(vm, "status", "Groups:", v, sizeof(v));
	UT_CHECK(v[0] == '\0', "Groups: '%s'", v);
	proc_field(vm, "status", "NSpid:", v, sizeof(v));
	UT_CHECK(strstr(v, "\t1") && atoi(v) == vm, "NSpid: '%s' (want %d and 1)", v, vm);
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		UT_CHECK(!same_ns(vm, ns[i]), "its %s namespace is the host's", ns[i]);
	snprintf(v, sizeof(v), "/proc/%d/root", (int)vm);
	UT_CHECK(count_entries(v) == 0, "its root holds %d entries", count_entries(v));
	snprintf(v, sizeof(v), "/proc/%d/fd", (int)vm);
	UT_CHECK(count_entries(v) == 3, "%d descriptors open (want stdin, stdout, stderr)",
		 count_entries(v));
	proc_field(vm, "limits", "Max open files", v, sizeof(v));
	UT_CHECK(!strncmp(v, "24                   24 ", 24), "Max open files '%s'", v);
	proc_field(vm, "limits", "Max core file size", v, sizeof(v));
	UT_CHECK(!strncmp(v, "0                    0 ", 23), "Max core file size '%s'", v);
	proc_field(vm, "limits", "Max processes", v, sizeof(v));
	UT_CHECK(!strncmp(v, "1                    1 ", 23), "Max processes '%s'", v);
	/* The supervisor: confined, CAP_KILL alone, in the host's namespaces */
	proc_field(sup, "status", "Seccomp:", v, sizeof(v));
	UT_CHECK(!strcmp(v, "2"), "supervisor Seccomp: '%s'", v);
	proc_field(sup, "status", "CapEff:", v, sizeof(v));
	UT_CHECK(!strcmp(v, "0000000000000020"), "supervisor CapEff: '%s'", v);
	UT_CHECK(same_ns(sup, "mnt") && same_ns(sup, "net"), "supervisor not in the host's");
	/* SIGTERM to the supervisor reaches the VM; the VM's status is duvisor's */
	kill(sup, SIGTERM);
	st = wait_status(sup);
	UT_CHECK(st == VM_STATUS, "status %d (want %d; under %d: the jailed check that failed)", st,
		 VM_STATUS, VM_STATUS);
	close(report);
	UT_CHECK(count_entries(jail_dir) == 0, "the host's DIR is no longer empty");
}

UT_TEST(a_jailed_process_killed_ends_its_supervisor_with_128_plus_the_signal)
{
	int report, st;
	pid_t vm, sup;

	if (geteuid() != 0)
		return;
	make_dirs();
	sup = start_jailed(&vm, &report);
	UT_CHECK(sup > 0 && vm > 0, "the jailed process did not come up");
	if (vm > 0)
		kill(vm, SIGKILL);
	else if (sup > 0)
		kill(sup, SIGKILL);
	st = sup > 0 ? wait_status(sup) : -1;
	UT_CHECK(st == 128 + SIGKILL, "supervisor status %d (want %d)", st, 128 + SIGKILL);
	close(report);
}

UT_MAIN()
