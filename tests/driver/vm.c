/*
 * VM set-up on /dev/duvisor: one open file is one VM; its memory comes from
 * mmap() of the file (physically contiguous CMA memory, each region one PMC
 * range); DUVISOR_QUERY_ADDR gives a region's host physical address, which
 * the stage-2 tables need because the hardware walks them physically.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dv.h"

static __thread char err_buf[256];

const char *dv_error(void)
{
	return err_buf;
}

int dv_set_error(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

int dv_query(int fd, const void *uaddr, struct duvisor_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->uaddr = (uint64_t)(uintptr_t)uaddr;
	return ioctl(fd, DUVISOR_QUERY_ADDR, out);
}

static void *map_region(int fd, size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
}

/* The set-up of dv_vm_open_deleg() on a file already open (fd < 0: open one). */
static int vm_setup(struct dv_vm *vm, int fd, size_t ram_size, uint64_t edeleg, uint64_t ideleg)
{
	struct duvisor_addr a;
	memset(vm, 0, sizeof(*vm));
	vm->ram = MAP_FAILED;
	vm->pt = MAP_FAILED;

	vm->fd = fd >= 0 ? fd : open(DV_DEV, O_RDWR | O_CLOEXEC);
	if (vm->fd < 0)
		return dv_set_error("open %s: %s", DV_DEV, strerror(errno));
	int ver = ioctl(vm->fd, DUVISOR_GET_API_VERSION);
	if (ver != DUVISOR_API_VERSION)
		return dv_set_error("API version %d, want %d", ver, DUVISOR_API_VERSION);

	vm->ram = map_region(vm->fd, ram_size);
	if (vm->ram == MAP_FAILED)
		return dv_set_error("mmap RAM (%zu bytes): %s", ram_size, strerror(errno));
	vm->ram_size = ram_size;
	vm->pt = map_region(vm->fd, DV_PT_SIZE);
	if (vm->pt == MAP_FAILED)
		return dv_set_error("mmap page-table region: %s", strerror(errno));

	if (dv_query(vm->fd, vm->ram, &a) < 0)
		return dv_set_error("QUERY_ADDR RAM: %s", strerror(errno));
	vm->ram_hpa = a.hpa;
	if (dv_query(vm->fd, vm->pt, &a) < 0)
		return dv_set_error("QUERY_ADDR tables: %s", strerror(errno));
	vm->pt_hpa = a.hpa;

	if (dv_s2_init(vm) < 0)
		return -1;
	for (uint64_t off = 0; off < ram_size; off += 4096)
		if (dv_s2_map(vm, GUEST_RAM_GPA + off, vm->ram_hpa + off, S2_RWX) < 0)
			return -1;

	struct duvisor_deleg d = {.edeleg = edeleg, .ideleg = ideleg};
	if (ioctl(vm->fd, DUVISOR_SET_DELEG, &d) < 0)
		return dv_set_error("SET_DELEG: %s", strerror(errno));
	if (ioctl(vm->fd, DUVISOR_GET_VIPI_WINDOW, &vm->win) < 0)
		return dv_set_error("GET_VIPI_WINDOW: %s", strerror(errno));

	memcpy(vm->ram, guest_start, (size_t)(guest_end - guest_start));
	return 0;
}

int dv_vm_open_deleg(struct dv_vm *vm, size_t ram_size, uint64_t edeleg, uint64_t ideleg)
{
	return vm_setup(vm, -1, ram_size, edeleg, ideleg);
}

int dv_vm_open_fd(struct dv_vm *vm, int fd, size_t ram_size)
{
	return vm_setup(vm, fd, ram_size, DUVISOR_EDELEG_ALLOWED, DUVISOR_IDELEG_ALLOWED);
}

int dv_vm_open(struct dv_vm *vm, size_t ram_size)
{
	return dv_vm_open_deleg(vm, ram_size, DUVISOR_EDELEG_ALLOWED, DUVISOR_IDELEG_ALLOWED);
}

void dv_vm_close(struct dv_vm *vm)
{
	if (vm->ram != MAP_FAILED && vm->ram)
		munmap(vm->ram, vm->ram_size);
	if (vm->pt != MAP_FAILED && vm->pt)
		munmap(vm->pt, DV_PT_SIZE);
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
	vm->ram = vm->pt = NULL;
}

/* One counter of DUVISOR_GET_STATS, or ~0 if the call fails. */
uint64_t dv_stat(struct dv_vm *vm, size_t field_offset)
{
	struct duvisor_stats s;
	if (ioctl(vm->fd, DUVISOR_GET_STATS, &s) < 0)
		return ~0UL;
	uint64_t v;
	memcpy(&v, (char *)&s + field_offset, sizeof(v));
	return v;
}
