/*
 * Every error path of the ABI (docs/driver-abi.md, Calls): bad region
 * sizes and flags, calls in the wrong order, registration conflicts,
 * disallowed delegation bits, another VM's addresses, unknown requests and
 * bad argument pointers. Each must fail with the documented errno and leave
 * the VM usable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dv.h"
#include "report.h"
#include "tests.h"

#define MIB (1UL << 20)
#define GIB (1UL << 30)

/* errno of a call that should fail, or 0 if it succeeded. */
static int err_of(long ret)
{
	return ret == -1 ? errno : 0;
}

static const char *ename(int e)
{
	return e ? strerrorname_np(e) : "success";
}

#define EXPECT_ERRNO(want, call)                                                                   \
	do {                                                                                       \
		errno = 0;                                                                         \
		int __e = err_of((long)(call));                                                    \
		expect(__e == (want), "%s: %s, want %s", #call, ename(__e), ename(want));          \
	} while (0)

static int open_vm(void)
{
	int fd = open(DV_DEV, O_RDWR | O_CLOEXEC);
	expect(fd >= 0, "open: %s", strerror(errno));
	return fd;
}

/* errno of mmap(len, flags, off) on fd; a mapping that succeeds is undone. */
static int mmap_err(int fd, size_t len, int flags, off_t off)
{
	errno = 0;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, off);
	if (p != MAP_FAILED) {
		munmap(p, len);
		return 0;
	}
	return errno;
}

#define EXPECT_MMAP(want, fd, len, flags, off)                                                     \
	do {                                                                                       \
		int __e = mmap_err(fd, len, flags, off);                                           \
		expect(__e == (want), "mmap(len %#lx, %s, off %#lx): %s, want %s",                 \
		       (unsigned long)(len), #flags, (unsigned long)(off), ename(__e),             \
		       ename(want));                                                               \
	} while (0)

static void mmap_errors(void)
{
	int fd = open_vm();
	if (fd < 0)
		return;
	EXPECT_MMAP(EINVAL, fd, 0, MAP_SHARED, 0);
	report("err_mmap_len_zero");
	EXPECT_MMAP(EINVAL, fd, GIB + 4096, MAP_SHARED, 0);
	EXPECT_MMAP(EINVAL, fd, 2 * GIB, MAP_SHARED, 0);
	report("err_mmap_too_big");
	EXPECT_MMAP(EINVAL, fd, 4096, MAP_PRIVATE, 0);
	report("err_mmap_private");
	/* An offset names a region to map again, which only an adopted VM may (t_handover.c) */
	EXPECT_MMAP(EPERM, fd, 4096, MAP_SHARED, 4096);
	report("err_mmap_offset");
	/* 1 GiB is a legal size but more than the host's CMA area. */
	EXPECT_MMAP(ENOMEM, fd, GIB, MAP_SHARED, 0);
	report("err_mmap_enomem");

	/* None of the failures above used a region slot: 8 fit, the 9th not. */
	void *r[DUVISOR_MAX_REGIONS];
	int made = 0;
	for (int i = 0; i < DUVISOR_MAX_REGIONS; i++) {
		r[i] = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (!expect(r[i] != MAP_FAILED, "region %d of %d: %s", i + 1, DUVISOR_MAX_REGIONS,
			    strerror(errno)))
			break;
		made++;
	}
	if (made == DUVISOR_MAX_REGIONS)
		EXPECT_MMAP(ENOSPC, fd, 4096, MAP_SHARED, 0);
	/* munmap does not give a region back: the VM's memory lives as long
	 * as the VM. */
	if (made)
		munmap(r[0], 4096);
	if (made == DUVISOR_MAX_REGIONS)
		EXPECT_MMAP(ENOSPC, fd, 4096, MAP_SHARED, 0);
	report("err_mmap_enospc");
	/* A mapping holds the file, and so the VM: unmap before closing. */
	for (int i = 1; i < made; i++)
		munmap(r[i], 4096);
	close(fd);
}

/*
 * A length that is not a multiple of the page size. driver-abi.md lists
 * EINVAL, but mmap() rounds len up to whole pages before any driver sees
 * it, so a driver cannot tell 4196 from 8192. What must hold either way:
 * the call fails with EINVAL, or the region is the rounded-up whole pages
 * (no partial page, nothing beyond it).
 */
static void mmap_unaligned(void)
{
	int fd = open_vm();
	if (fd < 0)
		return;
	errno = 0;
	uint8_t *p = mmap(NULL, 4096 + 100, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		expect(errno == EINVAL, "mmap(len 4196): %s, want EINVAL or a 2-page region",
		       ename(errno));
	} else {
		struct duvisor_addr q;
		if (expect(dv_query(fd, p, &q) == 0, "QUERY_ADDR: %s", ename(errno)))
			expect(q.region_size == 8192, "len 4196 gave a region of %llu bytes",
			       (unsigned long long)q.region_size);
		expect(dv_query(fd, p + 8192, &q) < 0, "QUERY_ADDR answers beyond the region");
		printf("# mmap(len 4196) succeeded: rounded up to 2 pages\n");
		munmap(p, 8192);
	}
	close(fd);
	report("err_mmap_len_unaligned");
}

/*
 * At most DUVISOR_MAX_VMS VMs at once (each holds a vIPI window); a freed
 * VM gives its window back. driver-abi.md does not name the errno. This
 * process must hold no other VM here (and a VM whose file is closed but
 * still mapped is alive: the mapping holds the file).
 */
static void too_many_vms(void)
{
	int fds[DUVISOR_MAX_VMS + 1], n = 0, err = 0;
	for (; n < DUVISOR_MAX_VMS + 1; n++) {
		fds[n] = open(DV_DEV, O_RDWR | O_CLOEXEC);
		if (fds[n] < 0) {
			err = errno;
			break;
		}
	}
	expect(n == DUVISOR_MAX_VMS, "opened %d VMs at once, want exactly %d (then %s)", n,
	       DUVISOR_MAX_VMS, ename(err));
	printf("# VM %d: %s\n", n + 1, ename(err));
	for (int i = 0; i < n; i++)
		close(fds[i]);
	int fd = open(DV_DEV, O_RDWR | O_CLOEXEC);
	expect(fd >= 0, "open after closing them all: %s", ename(errno));
	if (fd >= 0)
		close(fd);
	report("err_too_many_vms");
}

static void *unregister_thread(void *arg)
{
	struct dv_vm *vm = arg;
	EXPECT_ERRNO(EINVAL, ioctl(vm->fd, DUVISOR_UNREGISTER_VCPU));
	return NULL;
}

struct reg_try {
	struct dv_vm *vm;
	uint32_t index;
	int err;
};

static void *register_thread(void *arg)
{
	struct reg_try *t = arg;
	struct duvisor_vcpu reg = {.index = t->index};
	t->err = err_of(ioctl(t->vm->fd, DUVISOR_REGISTER_VCPU, &reg));
	if (!t->err)
		ioctl(t->vm->fd, DUVISOR_UNREGISTER_VCPU);
	return NULL;
}

static int register_in_thread(struct dv_vm *vm, uint32_t index)
{
	pthread_t th;
	struct reg_try t = {.vm = vm, .index = index};
	pthread_create(&th, NULL, register_thread, &t);
	pthread_join(th, NULL);
	return t.err;
}

static void order_errors(void)
{
	struct duvisor_vcpu reg = {.index = 0};
	struct duvisor_deleg all = {DUVISOR_EDELEG_ALLOWED, DUVISOR_IDELEG_ALLOWED};
	struct dv_vm vm = {.fd = -1}, other = {.fd = -1};

	int fd = open_vm();
	if (fd >= 0) {
		EXPECT_ERRNO(ENXIO, ioctl(fd, DUVISOR_REGISTER_VCPU, &reg));
		/* ... and the failed call did not make the thread a vCPU */
		EXPECT_ERRNO(EINVAL, ioctl(fd, DUVISOR_UNREGISTER_VCPU));
		close(fd);
	}
	report("err_register_before_mmap");

	if (!expect(dv_vm_open(&vm, 2 * MIB) == 0, "%s", dv_error()) ||
	    !expect(dv_vm_open(&other, 2 * MIB) == 0, "%s", dv_error())) {
		report("err_order_setup");
		goto out;
	}

	struct duvisor_deleg bad[] = {
	    {1UL << 2, 0},			    /* illegal instruction */
	    {1UL << 8, 0},			    /* ecall from U */
	    {DUVISOR_EDELEG_ALLOWED | 1UL << 1, 0}, /* fetch access fault (PMC) */
	    {0, 1UL << 1},			    /* supervisor software interrupt */
	    {0, 1UL << 5},			    /* supervisor timer */
	    {0, 1UL << 63},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		int e = err_of(ioctl(vm.fd, DUVISOR_SET_DELEG, &bad[i]));
		expect(e == EINVAL, "SET_DELEG edeleg %#llx ideleg %#llx: %s, want EINVAL",
		       (unsigned long long)bad[i].edeleg, (unsigned long long)bad[i].ideleg,
		       ename(e));
	}
	EXPECT_ERRNO(0, ioctl(vm.fd, DUVISOR_SET_DELEG, &all));
	report("err_deleg_bits");

	reg.index = DUVISOR_MAX_VCPUS;
	EXPECT_ERRNO(EINVAL, ioctl(vm.fd, DUVISOR_REGISTER_VCPU, &reg));
	reg.index = 0xffffffffu;
	EXPECT_ERRNO(EINVAL, ioctl(vm.fd, DUVISOR_REGISTER_VCPU, &reg));
	report("err_register_index_range");

	EXPECT_ERRNO(EINVAL, ioctl(vm.fd, DUVISOR_UNREGISTER_VCPU));
	report("err_unregister_not_vcpu");

	/* This thread becomes vCPU 0 of vm. */
	reg.index = 0;
	if (!expect(ioctl(vm.fd, DUVISOR_REGISTER_VCPU, &reg) == 0, "REGISTER_VCPU 0: %s",
		    strerror(errno))) {
		report("err_order_register");
		goto out;
	}
	EXPECT_ERRNO(EBUSY, ioctl(vm.fd, DUVISOR_SET_DELEG, &all));
	report("err_deleg_after_register");
	EXPECT_MMAP(EBUSY, vm.fd, 4096, MAP_SHARED, 0);
	report("err_mmap_after_register");

	reg.index = 1;
	EXPECT_ERRNO(EBUSY, ioctl(vm.fd, DUVISOR_REGISTER_VCPU, &reg));
	reg.index = 0;
	EXPECT_ERRNO(EBUSY, ioctl(other.fd, DUVISOR_REGISTER_VCPU, &reg));
	report("err_double_register");

	int e = register_in_thread(&vm, 0);
	expect(e == EEXIST, "another thread as index 0: %s, want EEXIST", ename(e));
	e = register_in_thread(&vm, 1);
	expect(e == 0, "another thread as index 1: %s", ename(e));
	report("err_index_taken");

	/* Not a vCPU of *this* VM; and a thread that is no vCPU at all. */
	EXPECT_ERRNO(EINVAL, ioctl(other.fd, DUVISOR_UNREGISTER_VCPU));
	pthread_t th;
	pthread_create(&th, NULL, unregister_thread, &vm);
	pthread_join(th, NULL);
	report("err_unregister_other_thread");

	EXPECT_ERRNO(0, ioctl(vm.fd, DUVISOR_UNREGISTER_VCPU));
	EXPECT_ERRNO(EINVAL, ioctl(vm.fd, DUVISOR_UNREGISTER_VCPU));
	/* the slot is free again */
	e = register_in_thread(&vm, 0);
	expect(e == 0, "index 0 after UNREGISTER: %s", ename(e));
	report("err_unregister_twice");

	/* QUERY_ADDR: only this VM's regions. */
	struct duvisor_addr q;
	int local;
	EXPECT_ERRNO(EINVAL, dv_query(vm.fd, other.ram, &q));
	EXPECT_ERRNO(EINVAL, dv_query(vm.fd, other.ram + 4096, &q));
	EXPECT_ERRNO(EINVAL, dv_query(vm.fd, &local, &q));
	/* One past the end of RAM: not inside it (it may be inside the
	 * table region, if that was mapped right after). */
	errno = 0;
	int r = dv_query(vm.fd, vm.ram + vm.ram_size, &q);
	expect(r < 0 ? errno == EINVAL : q.region_uaddr != (uint64_t)(uintptr_t)vm.ram,
	       "one past the end of RAM: %s", r < 0 ? ename(errno) : "reported inside RAM");
	EXPECT_ERRNO(EINVAL, dv_query(vm.fd, NULL, &q));
	report("err_query_addr_other_vm");
out:
	dv_vm_close(&vm);
	dv_vm_close(&other);
}

static void request_errors(void)
{
	struct dv_vm vm = {.fd = -1};
	if (!expect(dv_vm_open(&vm, 2 * MIB) == 0, "%s", dv_error())) {
		report("err_requests_setup");
		return;
	}
	uint64_t arg[8] = {0};
	EXPECT_ERRNO(ENOTTY, ioctl(vm.fd, _IO(DUVISOR_IOCTL, 0x7f)));
	EXPECT_ERRNO(ENOTTY, ioctl(vm.fd, _IOR(DUVISOR_IOCTL, 0x08, struct duvisor_stats), arg));
	/* the right number with the wrong size is another request */
	EXPECT_ERRNO(ENOTTY, ioctl(vm.fd, _IOW(DUVISOR_IOCTL, 0x01, __u32), arg));
	EXPECT_ERRNO(ENOTTY, ioctl(vm.fd, _IO(0xAE, 0x01))); /* KVM_CREATE_VM */
	report("err_unknown_ioctl");

	/* Bad pointers: NULL, a kernel address, and a read-only page for a
	 * call that writes its argument back. */
	void *kptr = (void *)0xffffffff80000000UL;
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT_ERRNO(EFAULT, ioctl(vm.fd, DUVISOR_SET_DELEG, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(vm.fd, DUVISOR_SET_DELEG, kptr));
	EXPECT_ERRNO(EFAULT, ioctl(vm.fd, DUVISOR_QUERY_ADDR, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(vm.fd, DUVISOR_QUERY_ADDR, kptr));
	EXPECT_ERRNO(EFAULT, ioctl(vm.fd, DUVISOR_GET_VIPI_WINDOW, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(vm.fd, DUVISOR_GET_VIPI_WINDOW, ro));
	EXPECT_ERRNO(EFAULT, ioctl(vm.fd, DUVISOR_GET_STATS, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(vm.fd, DUVISOR_GET_STATS, ro));
	EXPECT_ERRNO(EFAULT, ioctl(vm.fd, DUVISOR_REGISTER_VCPU, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(vm.fd, DUVISOR_REGISTER_VCPU, kptr));
	report("err_efault");

	/* REGISTER_VCPU whose doorbell cannot be written back (index 0 read
	 * from a read-only zero page): EFAULT, and no vCPU is left behind -
	 * the thread is not a vCPU and index 0 is free. */
	EXPECT_ERRNO(EFAULT, ioctl(vm.fd, DUVISOR_REGISTER_VCPU, ro)); /* index 0 */
	EXPECT_ERRNO(EINVAL, ioctl(vm.fd, DUVISOR_UNREGISTER_VCPU));
	struct duvisor_vcpu reg = {.index = 0};
	EXPECT_ERRNO(0, ioctl(vm.fd, DUVISOR_REGISTER_VCPU, &reg));
	EXPECT_ERRNO(0, ioctl(vm.fd, DUVISOR_UNREGISTER_VCPU));
	report("err_efault_leaves_no_vcpu");
	munmap(ro, 4096);
	dv_vm_close(&vm);
}

void t_errors(void)
{
	mmap_errors();
	mmap_unaligned();
	too_many_vms();
	order_errors();
	request_errors();
}
