/*
 * The happy path of the ABI: API version, regions and what QUERY_ADDR says
 * about them, the vIPI window, and registration (doorbell id, zeroed HU
 * state, the gate).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csr.h"
#include "dv.h"
#include "report.h"
#include "tests.h"

#define MIB (1UL << 20)

static void api_version(void)
{
	int fd = open(DV_DEV, O_RDWR | O_CLOEXEC);
	if (expect(fd >= 0, "open %s: %s", DV_DEV, strerror(errno))) {
		int v = ioctl(fd, DUVISOR_GET_API_VERSION);
		expect(v == DUVISOR_API_VERSION, "GET_API_VERSION = %d (%s), want %d", v,
		       v < 0 ? strerror(errno) : "", DUVISOR_API_VERSION);
		close(fd);
	}
	report("api_version");
}

/* mmap gives zeroed, physically contiguous memory; 2 MiB aligned from 2 MiB
 * up; QUERY_ADDR answers for any address inside. */
static void regions(void)
{
	int fd = open(DV_DEV, O_RDWR | O_CLOEXEC);
	if (!expect(fd >= 0, "open: %s", strerror(errno)))
		goto out;
	uint8_t *big = mmap(NULL, 2 * MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	uint8_t *small = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!expect(big != MAP_FAILED && small != MAP_FAILED, "mmap: %s", strerror(errno)))
		goto out;
	int nonzero = 0;
	for (size_t i = 0; i < 2 * MIB; i += 64)
		nonzero |= big[i];
	expect(!nonzero, "new region is not zeroed");
	big[0] = 1;
	big[2 * MIB - 1] = 2;

	struct duvisor_addr a, b, s;
	if (expect(dv_query(fd, big, &a) == 0, "QUERY_ADDR start: %s", strerror(errno)) &&
	    expect(dv_query(fd, big + 0x12345, &b) == 0, "QUERY_ADDR middle: %s",
		   strerror(errno))) {
		expect(a.region_uaddr == (uint64_t)(uintptr_t)big && a.region_size == 2 * MIB,
		       "region 0x%llx+0x%llx, want %p+0x%lx", (unsigned long long)a.region_uaddr,
		       (unsigned long long)a.region_size, (void *)big, 2 * MIB);
		expect((a.hpa & (2 * MIB - 1)) == 0,
		       "2 MiB region at HPA 0x%llx, not 2 MiB aligned", (unsigned long long)a.hpa);
		expect(b.hpa == a.hpa + 0x12345 && b.region_uaddr == a.region_uaddr,
		       "middle: hpa 0x%llx (start 0x%llx), region 0x%llx",
		       (unsigned long long)b.hpa, (unsigned long long)a.hpa,
		       (unsigned long long)b.region_uaddr);
	}
	if (expect(dv_query(fd, small + 4095, &s) == 0, "QUERY_ADDR small: %s", strerror(errno))) {
		expect(s.region_uaddr == (uint64_t)(uintptr_t)small && s.region_size == 4096,
		       "small region reported as 0x%llx+0x%llx", (unsigned long long)s.region_uaddr,
		       (unsigned long long)s.region_size);
		expect((s.hpa & 4095) == 4095, "small hpa 0x%llx", (unsigned long long)s.hpa);
		uint64_t s0 = s.hpa - 4095;
		expect(s0 + 4096 <= a.hpa || s0 >= a.hpa + 2 * MIB, "regions overlap in HPA");
	}
out:
	if (fd >= 0)
		close(fd);
	report("regions_query_addr");
}

static void vipi_window(void)
{
	struct dv_vm a = {.fd = -1}, b = {.fd = -1};
	if (!expect(dv_vm_open(&a, 2 * MIB) == 0, "VM A: %s", dv_error()) ||
	    !expect(dv_vm_open(&b, 2 * MIB) == 0, "VM B: %s", dv_error()))
		goto out;
	expect(a.win.lo >= 1 && a.win.hi == a.win.lo + DUVISOR_MAX_VCPUS - 1 && a.win.hi <= 1023,
	       "window A %u..%u", a.win.lo, a.win.hi);
	expect(b.win.hi < a.win.lo || b.win.lo > a.win.hi, "windows overlap: %u..%u and %u..%u",
	       a.win.lo, a.win.hi, b.win.lo, b.win.hi);
out:
	dv_vm_close(&a);
	dv_vm_close(&b);
	report("vipi_window");
}

/*
 * Registration opens the gate with all HU state zeroed and returns
 * doorbell lo + index; after UNREGISTER the index is free again and a new
 * registration starts from zeroed state once more.
 */
static void registration(void)
{
	struct dv_vm vm = {.fd = -1};
	if (!expect(dv_vm_open(&vm, 2 * MIB) == 0, "%s", dv_error()))
		goto out;
	struct duvisor_vcpu reg = {.index = 3};
	if (!expect(ioctl(vm.fd, DUVISOR_REGISTER_VCPU, &reg) == 0, "REGISTER_VCPU: %s",
		    strerror(errno)))
		goto out;
	expect(reg.doorbell == vm.win.lo + 3, "doorbell %u, want lo %u + 3", reg.doorbell,
	       vm.win.lo);
	/* HU mode: these reads would be SIGILL in plain U. */
	uint64_t st = csr_read(CSR_HUSTATUS), atp = csr_read(CSR_HUGATP);
	uint64_t tvec = csr_read(CSR_UTVEC), scr = csr_read(CSR_USCRATCH);
	uint64_t vsatp = csr_read(CSR_HUVSATP), ie = csr_read(CSR_HUIE);
	expect(!st && !atp && !tvec && !scr && !vsatp && !ie,
	       "HU state not zeroed: hustatus 0x%lx hugatp 0x%lx utvec 0x%lx uscratch 0x%lx "
	       "huvsatp 0x%lx huie 0x%lx",
	       (unsigned long)st, (unsigned long)atp, (unsigned long)tvec, (unsigned long)scr,
	       (unsigned long)vsatp, (unsigned long)ie);
	csr_write(CSR_USCRATCH, 0x1234);
	csr_write(CSR_HUVSSCRATCH, 0x5678);
	expect(csr_read(CSR_USCRATCH) == 0x1234, "uscratch does not hold a value");
	expect(ioctl(vm.fd, DUVISOR_UNREGISTER_VCPU) == 0, "UNREGISTER: %s", strerror(errno));

	reg.index = 3;
	if (expect(ioctl(vm.fd, DUVISOR_REGISTER_VCPU, &reg) == 0, "re-REGISTER index 3: %s",
		   strerror(errno))) {
		uint64_t s1 = csr_read(CSR_USCRATCH), s2 = csr_read(CSR_HUVSSCRATCH);
		expect(!s1 && !s2,
		       "state left from the last registration: uscratch 0x%lx "
		       "huvsscratch 0x%lx",
		       (unsigned long)s1, (unsigned long)s2);
		ioctl(vm.fd, DUVISOR_UNREGISTER_VCPU);
	}
out:
	dv_vm_close(&vm);
	report("register_vcpu");
}

void t_basic(void)
{
	api_version();
	regions();
	vipi_window();
	registration();
}
