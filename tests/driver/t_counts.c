/*
 * The driver's counts of what it holds for all VMs together
 * (/sys/class/misc/duvisor/{vms,vipi_windows,vcpus,memory_bytes},
 * docs/driver-abi.md "Counts"): each call moves them by exactly what it
 * takes or gives back, failed calls not at all, and they are back where
 * they started as soon as a hypervisor process is gone, whether it closed
 * everything, exited with its VMs open or was killed with its guests
 * running. The group runs last but one, so it also finds out whether any
 * earlier group left something behind (the counts must all read 0 then).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dv.h"
#include "report.h"
#include "tests.h"

#define SYSFS_DIR "/sys/class/misc/duvisor/"
#define RAM_SIZE  (16UL << 20)
#define VM_BYTES  (RAM_SIZE + DV_PT_SIZE) /* what dv_vm_open() maps */
#define SLOT_GPA  (GUEST_RAM_GPA + 0x180000UL)

struct counts {
	long vms, windows, vcpus, bytes;
};

static const char *const count_file[] = {"vms", "vipi_windows", "vcpus", "memory_bytes"};

static long *count_field(struct counts *c, int i)
{
	long *f[] = {&c->vms, &c->windows, &c->vcpus, &c->bytes};
	return f[i];
}

/* Read all four; on failure say why (through expect) and return false. */
static bool read_counts(struct counts *c)
{
	bool ok = true;
	for (int i = 0; i < 4; i++) {
		char path[96], buf[32] = "";
		snprintf(path, sizeof(path), SYSFS_DIR "%s", count_file[i]);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		int e = errno;
		if (fd >= 0)
			close(fd);
		char *end = NULL;
		long v = n > 0 ? strtol(buf, &end, 10) : -1;
		if (!expect(n > 0 && end && end != buf && *end == '\n' && end[1] == 0 && v >= 0,
			    "%s: %s", path, n < 0 ? strerror(e) : "not one number and a newline"))
			ok = false;
		*count_field(c, i) = v;
	}
	return ok;
}

static const char *counts_str(const struct counts *c)
{
	static char buf[128];
	snprintf(buf, sizeof(buf), "vms %ld vipi_windows %ld vcpus %ld memory_bytes %ld", c->vms,
		 c->windows, c->vcpus, c->bytes);
	return buf;
}

/* The counts now are base plus these amounts exactly. */
static bool expect_counts(const char *when, const struct counts *base, long vms, long windows,
			  long vcpus, long bytes)
{
	struct counts now, want = {base->vms + vms, base->windows + windows, base->vcpus + vcpus,
				   base->bytes + bytes};
	if (!read_counts(&now))
		return false;
	if (now.vms == want.vms && now.windows == want.windows && now.vcpus == want.vcpus &&
	    now.bytes == want.bytes)
		return true;
	char got[128];
	snprintf(got, sizeof(got), "%s", counts_str(&now));
	return expect(false, "%s: %s, want %s", when, got, counts_str(&want));
}

static bool start(struct counts *base)
{
	return read_counts(base);
}

static void *map(int fd, size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
}

/* The files exist, are read-only for everyone, and read 0 when no VM is
 * left from the groups before. */
static void files_and_zero(void)
{
	struct counts c;
	for (int i = 0; i < 4; i++) {
		char path[96];
		struct stat st;
		snprintf(path, sizeof(path), SYSFS_DIR "%s", count_file[i]);
		if (!expect(stat(path, &st) == 0, "stat %s: %s", path, strerror(errno)))
			continue;
		expect((st.st_mode & 0777) == 0444, "%s is mode %03o, want 0444", path,
		       (unsigned)(st.st_mode & 0777));
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		expect(fd < 0, "%s opened for writing", path);
		if (fd >= 0)
			close(fd);
	}
	report("counts_files");
	if (read_counts(&c))
		expect(!c.vms && !c.windows && !c.vcpus && !c.bytes,
		       "before this group: %s: an earlier group left something behind",
		       counts_str(&c));
	report("counts_zero_after_groups");
}

/* open: one VM and its window; close: both back. */
static void open_close(void)
{
	struct counts b;
	if (!start(&b))
		goto out;
	int fd = open(DV_DEV, O_RDWR | O_CLOEXEC);
	if (expect(fd >= 0, "open: %s", strerror(errno))) {
		expect_counts("after open", &b, 1, 1, 0, 0);
		close(fd);
	}
	expect_counts("after close", &b, 0, 0, 0, 0);
out:
	report("counts_open_close");
}

/* Each region adds its size; a region unmapped stays the VM's; the VM
 * outlives its file while a mapping is left, and everything goes with the
 * last mapping. */
static void regions(void)
{
	struct counts b;
	if (!start(&b))
		goto out;
	int fd = open(DV_DEV, O_RDWR | O_CLOEXEC);
	if (!expect(fd >= 0, "open: %s", strerror(errno)))
		goto out;
	void *big = map(fd, RAM_SIZE);
	if (!expect(big != MAP_FAILED, "mmap %lu: %s", RAM_SIZE, strerror(errno))) {
		close(fd);
		goto out;
	}
	expect_counts("a 16 MiB region", &b, 1, 1, 0, (long)RAM_SIZE);
	void *small = map(fd, 4096);
	if (expect(small != MAP_FAILED, "mmap 4096: %s", strerror(errno))) {
		expect_counts("and a 4 KiB region", &b, 1, 1, 0, (long)RAM_SIZE + 4096);
		munmap(small, 4096);
		expect_counts("4 KiB region unmapped (the VM keeps it)", &b, 1, 1, 0,
			      (long)RAM_SIZE + 4096);
	}
	close(fd);
	expect_counts("file closed, 16 MiB still mapped", &b, 1, 1, 0, (long)RAM_SIZE + 4096);
	munmap(big, RAM_SIZE);
	expect_counts("last mapping gone", &b, 0, 0, 0, 0);
out:
	report("counts_regions");
}

/* A failed mmap takes nothing. */
static void mmap_errors(void)
{
	struct counts b;
	if (!start(&b))
		goto out;
	int fd = open(DV_DEV, O_RDWR | O_CLOEXEC);
	if (!expect(fd >= 0, "open: %s", strerror(errno)))
		goto out;
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	expect(p == MAP_FAILED && errno == EINVAL, "MAP_PRIVATE: %s",
	       p == MAP_FAILED ? strerror(errno) : "mapped");
	p = map(fd, (1UL << 30) + 4096);
	expect(p == MAP_FAILED && errno == EINVAL, "1 GiB + 4 KiB: %s",
	       p == MAP_FAILED ? strerror(errno) : "mapped");
	/* more than the whole CMA area (768 MiB on the test host) */
	p = map(fd, 1UL << 30);
	expect(p == MAP_FAILED && errno == ENOMEM, "1 GiB: %s",
	       p == MAP_FAILED ? strerror(errno) : "mapped");
	expect_counts("after EINVAL and ENOMEM", &b, 1, 1, 0, 0);

	void *r[DUVISOR_MAX_REGIONS];
	int n = 0;
	for (; n < DUVISOR_MAX_REGIONS; n++) {
		r[n] = map(fd, 4096);
		if (!expect(r[n] != MAP_FAILED, "region %d: %s", n, strerror(errno)))
			break;
	}
	p = map(fd, 4096);
	expect(p == MAP_FAILED && errno == ENOSPC, "region %d: %s", n,
	       p == MAP_FAILED ? strerror(errno) : "mapped");
	expect_counts("8 regions, a 9th refused", &b, 1, 1, 0, 4096L * n);
	for (int i = 0; i < n; i++)
		munmap(r[i], 4096);
	close(fd);
	expect_counts("after close", &b, 0, 0, 0, 0);
out:
	report("counts_mmap_errors");
}

/* --- vCPU registrations ------------------------------------------------ */

static struct dv_vm reg_vm;

enum reg_action { UNREGISTER, JUST_EXIT };

static void *register_thread(void *arg)
{
	long action = (long)arg;
	struct duvisor_vcpu v = {.index = action == UNREGISTER ? 1 : 2};
	if (ioctl(reg_vm.fd, DUVISOR_REGISTER_VCPU, &v) < 0)
		return (void *)(long)errno;
	if (action == UNREGISTER && ioctl(reg_vm.fd, DUVISOR_UNREGISTER_VCPU) < 0)
		return (void *)(long)errno;
	return NULL; /* JUST_EXIT: the thread's exit unregisters it */
}

static void *register_taken(void *arg)
{
	(void)arg;
	struct duvisor_vcpu v = {.index = 0};
	return ioctl(reg_vm.fd, DUVISOR_REGISTER_VCPU, &v) < 0 ? (void *)(long)errno : NULL;
}

static void vcpus(void)
{
	struct counts b;
	pthread_t th;
	void *ret;
	if (!start(&b))
		goto out;
	if (!expect(dv_vm_open(&reg_vm, RAM_SIZE) == 0, "%s", dv_error()))
		goto close;
	struct duvisor_vcpu v = {.index = 0};
	if (!expect(ioctl(reg_vm.fd, DUVISOR_REGISTER_VCPU, &v) == 0, "REGISTER 0: %s",
		    strerror(errno)))
		goto close;
	expect_counts("vCPU 0 registered", &b, 1, 1, 1, (long)VM_BYTES);

	/* refused registrations take nothing */
	expect(ioctl(reg_vm.fd, DUVISOR_REGISTER_VCPU, &v) < 0 && errno == EBUSY,
	       "registering twice: %s", strerror(errno));
	struct duvisor_vcpu big = {.index = DUVISOR_MAX_VCPUS};
	pthread_create(&th, NULL, register_taken, NULL);
	pthread_join(th, &ret);
	expect((long)ret == EEXIST, "index 0 from another thread: %s", strerror((int)(long)ret));
	expect(ioctl(reg_vm.fd, DUVISOR_UNREGISTER_VCPU) == 0, "UNREGISTER 0: %s", strerror(errno));
	expect_counts("vCPU 0 unregistered", &b, 1, 1, 0, (long)VM_BYTES);
	expect(ioctl(reg_vm.fd, DUVISOR_REGISTER_VCPU, &big) < 0 && errno == EINVAL, "index 16: %s",
	       strerror(errno));
	expect(ioctl(reg_vm.fd, DUVISOR_REGISTER_VCPU, (void *)8) < 0 && errno == EFAULT,
	       "bad pointer: %s", strerror(errno));
	expect_counts("after EBUSY, EEXIST, EINVAL, EFAULT", &b, 1, 1, 0, (long)VM_BYTES);

	/* another thread registers and unregisters; a third ends registered */
	pthread_create(&th, NULL, register_thread, (void *)(long)UNREGISTER);
	pthread_join(th, &ret);
	expect(!ret, "thread with UNREGISTER: %s", strerror((int)(long)ret));
	expect_counts("a thread registered and unregistered", &b, 1, 1, 0, (long)VM_BYTES);
	pthread_create(&th, NULL, register_thread, (void *)(long)JUST_EXIT);
	pthread_join(th, &ret);
	expect(!ret, "thread that exits registered: %s", strerror((int)(long)ret));
	expect_counts("a registered thread ended (joined)", &b, 1, 1, 0, (long)VM_BYTES);
close:
	dv_vm_close(&reg_vm);
	expect_counts("VM closed", &b, 0, 0, 0, 0);
out:
	report("counts_vcpus");
}

/* A vCPU thread keeps its VM alive after the file and every mapping are
 * gone; the VM and its memory go when the thread ends. */
static int hold_pipe[4] = {-1, -1, -1, -1}; /* test <- thread: [0] [1]; thread <- test: [2] [3] */

static void *hold_thread(void *arg)
{
	(void)arg;
	struct duvisor_vcpu v = {.index = 3};
	char c = ioctl(reg_vm.fd, DUVISOR_REGISTER_VCPU, &v) == 0 ? 'r' : 'e';
	if (write(hold_pipe[1], &c, 1) != 1 || read(hold_pipe[2], &c, 1) != 1)
		return (void *)1L;
	return NULL; /* ends registered */
}

static void vcpu_holds_vm(void)
{
	struct counts b;
	pthread_t th;
	char c = 0;
	if (!start(&b) || !expect(pipe(hold_pipe) == 0 && pipe(hold_pipe + 2) == 0, "pipe"))
		goto out;
	if (!expect(dv_vm_open(&reg_vm, RAM_SIZE) == 0, "%s", dv_error())) {
		dv_vm_close(&reg_vm);
		goto out;
	}
	pthread_create(&th, NULL, hold_thread, NULL);
	if (expect(read(hold_pipe[0], &c, 1) == 1 && c == 'r', "the thread did not register")) {
		dv_vm_close(&reg_vm);
		expect_counts("file closed, mappings gone, a vCPU left", &b, 1, 1, 1,
			      (long)VM_BYTES);
	}
	c = 'x';
	expect(write(hold_pipe[3], &c, 1) == 1, "pipe write");
	pthread_join(th, NULL);
	dv_vm_close(&reg_vm);
	expect_counts("the vCPU thread ended (joined)", &b, 0, 0, 0, 0);
out:
	for (int i = 0; i < 4; i++)
		if (hold_pipe[i] >= 0)
			close(hold_pipe[i]);
	report("counts_vcpu_holds_vm");
}

/* --- processes that end with VMs open ---------------------------------- */

struct shared {
	volatile uint64_t exits; /* exits the looping vCPU took */
	volatile int ready;
	char err[160];
};
static struct shared *sh;
static struct dv_vm child_vm;

static void *spinner(void *arg)
{
	(void)arg;
	struct dv_vcpu v;
	if (dv_vcpu_init(&v, &child_vm, 1, GPA_OF(g_spin)) < 0) {
		snprintf(sh->err, sizeof(sh->err), "%s", dv_error());
		return NULL;
	}
	v.ctx.x[R_A6] = SLOT_GPA;
	sh->ready = 1;
	for (;;)
		dv_run(&v);
	return NULL;
}

/* One VM with two vCPU threads in their guests (one taking exits, one
 * spinning), two more VMs with memory and no vCPU. */
static int busy_child(void *arg)
{
	(void)arg;
	struct dv_vm more[2];
	struct dv_vcpu v;
	pthread_t th;
	if (dv_vm_open(&child_vm, RAM_SIZE) < 0 || dv_vm_open(&more[0], RAM_SIZE) < 0 ||
	    dv_vm_open(&more[1], RAM_SIZE) < 0) {
		snprintf(sh->err, sizeof(sh->err), "%s", dv_error());
		return 2;
	}
	pthread_create(&th, NULL, spinner, NULL);
	if (dv_vcpu_init(&v, &child_vm, 0, GPA_OF(g_count)) < 0) {
		snprintf(sh->err, sizeof(sh->err), "%s", dv_error());
		return 2;
	}
	v.ctx.x[R_A6] = SLOT_GPA + 8;
	for (;;) {
		dv_run(&v);
		v.ctx.pc += 4;
		sh->exits++;
	}
}

/* Start busy_child, wait until both its vCPUs run their guests, check the
 * counts; the caller then ends it. */
static pid_t start_busy(const struct counts *b)
{
	memset(sh, 0, sizeof(*sh));
	pid_t pid = spawn(busy_child, NULL);
	uint64_t end = now_ms() + 20000;
	while ((sh->exits < 1000 || !sh->ready) && !sh->err[0] && now_ms() < end)
		sleep_ms(10);
	if (expect(!sh->err[0], "child set-up: %s", sh->err) &&
	    expect(sh->exits >= 1000 && sh->ready, "child not running its guests (%lu exits)",
		   (unsigned long)sh->exits))
		expect_counts("3 VMs, 2 vCPUs in their guests", b, 3, 3, 2, 3L * (long)VM_BYTES);
	return pid;
}

static void killed(void)
{
	struct counts b;
	if (!start(&b))
		goto out;
	pid_t pid = start_busy(&b);
	kill(pid, SIGKILL);
	int st = wait_child(pid, 10000);
	expect(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child %s", status_str(st));
	/* no waiting: all of it is given back before the parent can reap */
	expect_counts("right after the SIGKILLed child was reaped", &b, 0, 0, 0, 0);
out:
	report("counts_sigkill");
}

static int exit_child(void *arg)
{
	(void)arg;
	struct dv_vm vms[3];
	for (int i = 0; i < 3; i++)
		if (dv_vm_open(&vms[i], RAM_SIZE) < 0) {
			snprintf(sh->err, sizeof(sh->err), "%s", dv_error());
			return 2;
		}
	struct duvisor_vcpu v = {.index = 5};
	if (ioctl(vms[1].fd, DUVISOR_REGISTER_VCPU, &v) < 0) {
		snprintf(sh->err, sizeof(sh->err), "REGISTER: %s", strerror(errno));
		return 2;
	}
	sh->ready = 1;
	while (sh->ready != 2)
		sleep_ms(5);
	exit(7); /* three VMs open, mapped, one vCPU registered */
}

static void exited(void)
{
	struct counts b;
	if (!start(&b))
		goto out;
	memset(sh, 0, sizeof(*sh));
	pid_t pid = spawn(exit_child, NULL);
	uint64_t end = now_ms() + 10000;
	while (!sh->ready && !sh->err[0] && now_ms() < end)
		sleep_ms(5);
	if (expect(sh->ready == 1, "child set-up: %s", sh->err[0] ? sh->err : "timed out"))
		expect_counts("child with 3 VMs, 1 vCPU", &b, 3, 3, 1, 3L * (long)VM_BYTES);
	sh->ready = 2;
	int st = wait_child(pid, 10000);
	expect(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 7, "child %s", status_str(st));
	expect_counts("right after the child exited", &b, 0, 0, 0, 0);
out:
	report("counts_exit_with_vms");
}

/* Up to the limit of VMs: the counts reach it exactly, and come back. */
static void vm_limit(void)
{
	struct counts b;
	int fds[DUVISOR_MAX_VMS + 1], n = 0;
	if (!start(&b))
		goto out;
	for (; n <= DUVISOR_MAX_VMS; n++) {
		fds[n] = open(DV_DEV, O_RDWR | O_CLOEXEC);
		if (fds[n] < 0)
			break;
	}
	expect(n + b.vms == DUVISOR_MAX_VMS && errno == EMFILE,
	       "%d VMs opened (with %ld alive before), then %s; want %d, then EMFILE", n, b.vms,
	       n <= DUVISOR_MAX_VMS ? strerror(errno) : "no error", DUVISOR_MAX_VMS);
	expect_counts("at the VM limit", &b, n, n, 0, 0);
	while (n > 0)
		close(fds[--n]);
	expect_counts("all closed", &b, 0, 0, 0, 0);
out:
	report("counts_vm_limit");
}

/* A VM whose file a forked child still holds lives until the child ends. */
static int fd_holder(void *arg)
{
	(void)arg;
	while (sh->ready != 2)
		sleep_ms(5);
	return 0;
}

static void fork_holds_file(void)
{
	struct counts b;
	struct dv_vm vm = {.fd = -1};
	if (!start(&b) || !expect(dv_vm_open(&vm, RAM_SIZE) == 0, "%s", dv_error()))
		goto out;
	memset(sh, 0, sizeof(*sh));
	pid_t pid = spawn(fd_holder, NULL); /* inherits the file, not the mappings */
	expect_counts("forked: the child holds the file", &b, 1, 1, 0, (long)VM_BYTES);
	dv_vm_close(&vm);
	expect_counts("parent closed and unmapped it", &b, 1, 1, 0, (long)VM_BYTES);
	sh->ready = 2;
	int st = wait_child(pid, 10000);
	expect(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %s", status_str(st));
	expect_counts("the child ended", &b, 0, 0, 0, 0);
out:
	dv_vm_close(&vm);
	report("counts_fork_holds_file");
}

void t_counts(void)
{
	sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		expect(false, "mmap: %s", strerror(errno));
		report("counts_files");
		return;
	}
	files_and_zero();
	open_close();
	regions();
	mmap_errors();
	vcpus();
	vcpu_holds_vm();
	exited();
	killed();
	vm_limit();
	fork_holds_file();
}
