// SPDX-License-Identifier: GPL-2.0-only
/* The guest device tree: build it, parse it back with libfdt, check every property. */
#include "boot/fdt.h"
#include "unit.h"

#include <errno.h>
#include <string.h>
#include <libfdt.h>

#define RAM_BASE  0x80000000ULL
#define UART_BASE 0x10000000ULL
#define PLIC_BASE 0x0c000000ULL

static const struct dv_fdt_virtio virtio_devs[] = {
    {0x10001000, 0x1000, 1},
    {0x10002000, 0x1000, 2},
    {0x10008000, 0x200, 8},
};

static struct dv_fdt_desc base_desc(unsigned int ncpus)
{
	return (struct dv_fdt_desc){
	    .ncpus = ncpus,
	    .isa = "rv64imafdch_sstc",
	    .mmu = DV_FDT_MMU_SV48,
	    .timebase = 10000000,
	    .ram_base = RAM_BASE,
	    .ram_size = 256ULL << 20,
	    .bootargs = "console=ttyS0 earlycon=sbi",
	    .uart = {UART_BASE, 10},
	    .plic = {PLIC_BASE, 0x600000, 95},
	    .virtio = virtio_devs,
	    .nvirtio = 3,
	};
}

static char fdt[64 * 1024];

/* ---- property readers: each checks the property's presence and length ---- */

static const void *prop(int *ut_failed, const char *path, const char *name, int *len)
{
	int off = fdt_path_offset(fdt, path);
	const void *p;

	UT_CHECK(off >= 0, "no node %s: %s", path, fdt_strerror(off));
	if (off < 0)
		return NULL;
	p = fdt_getprop(fdt, off, name, len);
	UT_CHECK(p != NULL, "%s has no %s", path, name);
	return p;
}

static void check_u32(int *ut_failed, const char *path, const char *name, uint32_t want)
{
	int len;
	const fdt32_t *p = prop(ut_failed, path, name, &len);

	if (!p)
		return;
	UT_CHECK(len == 4, "%s %s: length %d", path, name, len);
	UT_CHECK(len == 4 && fdt32_to_cpu(*p) == want, "%s %s = %#x, want %#x", path, name,
		 len == 4 ? fdt32_to_cpu(*p) : 0, want);
}

static void check_u64(int *ut_failed, const char *path, const char *name, uint64_t want)
{
	int len;
	const fdt64_t *p = prop(ut_failed, path, name, &len);
	uint64_t v;

	if (!p)
		return;
	UT_CHECK(len == 8, "%s %s: length %d", path, name, len);
	memcpy(&v, p, 8);
	v = fdt64_to_cpu(v);
	UT_CHECK(len == 8 && v == want, "%s %s = %#llx, want %#llx", path, name,
		 (unsigned long long)v, (unsigned long long)want);
}

/* Any property by its raw bytes (strings include their NULs). */
static void check_raw(int *ut_failed, const char *path, const char *name, const void *want,
		      int wantlen)
{
	int len;
	const void *p = prop(ut_failed, path, name, &len);

	if (!p)
		return;
	UT_CHECK(len == wantlen && !memcmp(p, want, (size_t)len), "%s %s: length %d, want %d", path,
		 name, len, wantlen);
}

#define check_str(path, name, s) check_raw(ut_failed, path, name, s, (int)sizeof(s))

static void check_dstr(int *ut_failed, const char *path, const char *name, const char *s)
{
	check_raw(ut_failed, path, name, s, (int)strlen(s) + 1);
}

static void check_reg(int *ut_failed, const char *path, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = {cpu_to_fdt64(base), cpu_to_fdt64(size)};

	check_raw(ut_failed, path, "reg", reg, sizeof(reg));
}

static void check_absent(int *ut_failed, const char *path, const char *name)
{
	int off = fdt_path_offset(fdt, path);

	UT_CHECK(off >= 0 && !fdt_getprop(fdt, off, name, NULL), "%s has %s", path, name);
}

static int count_subnodes(const char *path)
{
	int off = fdt_path_offset(fdt, path), n = 0, sub;

	fdt_for_each_subnode(sub, fdt, off) n++;
	return n;
}

static int count_props(const char *path)
{
	int off = fdt_path_offset(fdt, path), n = 0, p;

	fdt_for_each_property_offset(p, fdt, off) n++;
	return n;
}

/* Build d into fdt[] and check the whole tree against d. */
static void build_and_check(int *ut_failed, const struct dv_fdt_desc *d)
{
	char path[64], intc[128];
	int r;

	memset(fdt, 0xa5, sizeof(fdt));
	r = dv_fdt_build(d, fdt, sizeof(fdt));
	UT_CHECK(r == 0, "dv_fdt_build: %d", r);
	if (r)
		return;
	r = fdt_check_full(fdt, sizeof(fdt));
	UT_CHECK(r == 0, "fdt_check_full: %s", fdt_strerror(r));
	if (r)
		return;
	/* Packed: the strings block, last, ends the blob. */
	UT_CHECK(fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt) == fdt_totalsize(fdt),
		 "not packed: strings end at %u, total %u",
		 fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt), fdt_totalsize(fdt));
	UT_CHECK(fdt_num_mem_rsv(fdt) == 0, "reserve map has %d entries", fdt_num_mem_rsv(fdt));

	/* root */
	check_u32(ut_failed, "/", "#address-cells", 2);
	check_u32(ut_failed, "/", "#size-cells", 2);
	check_str("/", "compatible", "riscv-virtio");
	check_str("/", "model", "DuVisor riscv64 virt");
	UT_CHECK(count_props("/") == 4, "/ has %d properties", count_props("/"));
	UT_CHECK(count_subnodes("/") == 5, "/ has %d subnodes", count_subnodes("/"));

	/* cpus */
	check_u32(ut_failed, "/cpus", "#address-cells", 1);
	check_u32(ut_failed, "/cpus", "#size-cells", 0);
	check_u32(ut_failed, "/cpus", "timebase-frequency", d->timebase);
	UT_CHECK(count_props("/cpus") == 3, "/cpus has %d properties", count_props("/cpus"));
	UT_CHECK(count_subnodes("/cpus") == (int)d->ncpus, "/cpus has %d subnodes",
		 count_subnodes("/cpus"));
	for (unsigned int i = 0; i < d->ncpus; i++) {
		int off;

		snprintf(path, sizeof(path), "/cpus/cpu@%u", i);
		snprintf(intc, sizeof(intc), "%s/interrupt-controller", path);
		check_str(path, "device_type", "cpu");
		check_u32(ut_failed, path, "reg", i);
		check_str(path, "status", "okay");
		check_str(path, "compatible", "riscv");
		check_dstr(ut_failed, path, "riscv,isa", d->isa);
		check_dstr(ut_failed, path, "mmu-type",
			   d->mmu == DV_FDT_MMU_SV39 ? "riscv,sv39" : "riscv,sv48");
		UT_CHECK(count_props(path) == 6, "%s has %d properties", path, count_props(path));
		UT_CHECK(count_subnodes(path) == 1, "%s has %d subnodes", path,
			 count_subnodes(path));
		check_str(intc, "compatible", "riscv,cpu-intc");
		check_u32(ut_failed, intc, "#address-cells", 0);
		check_u32(ut_failed, intc, "#interrupt-cells", 1);
		check_raw(ut_failed, intc, "interrupt-controller", "", 0);
		check_u32(ut_failed, intc, "phandle", DV_FDT_PHANDLE_INTC(i));
		UT_CHECK(count_props(intc) == 5, "%s has %d properties", intc, count_props(intc));
		off = fdt_node_offset_by_phandle(fdt, DV_FDT_PHANDLE_INTC(i));
		UT_CHECK(off >= 0 && off == fdt_path_offset(fdt, intc), "phandle %u is not %s",
			 DV_FDT_PHANDLE_INTC(i), intc);
	}
	snprintf(path, sizeof(path), "/cpus/cpu@%u", d->ncpus);
	UT_CHECK(fdt_path_offset(fdt, path) < 0, "%s exists", path);

	/* memory */
	snprintf(path, sizeof(path), "/memory@%llx", (unsigned long long)d->ram_base);
	check_str(path, "device_type", "memory");
	check_reg(ut_failed, path, d->ram_base, d->ram_size);
	UT_CHECK(count_props(path) == 2, "%s has %d properties", path, count_props(path));

	/* chosen */
	char uart[64];
	snprintf(uart, sizeof(uart), "/soc/serial@%llx", (unsigned long long)d->uart.base);
	if (d->bootargs)
		check_dstr(ut_failed, "/chosen", "bootargs", d->bootargs);
	else
		check_absent(ut_failed, "/chosen", "bootargs");
	check_dstr(ut_failed, "/chosen", "stdout-path", uart);
	check_dstr(ut_failed, "/aliases", "serial0", uart);
	if (d->has_initrd) {
		check_u64(ut_failed, "/chosen", "linux,initrd-start", d->initrd_start);
		check_u64(ut_failed, "/chosen", "linux,initrd-end", d->initrd_end);
	} else {
		check_absent(ut_failed, "/chosen", "linux,initrd-start");
		check_absent(ut_failed, "/chosen", "linux,initrd-end");
	}
	UT_CHECK(count_props("/chosen") == (d->bootargs ? 2 : 1) + (d->has_initrd ? 2 : 0),
		 "/chosen has %d properties", count_props("/chosen"));
	UT_CHECK(fdt_path_offset(fdt, uart) >= 0, "stdout-path %s does not resolve", uart);

	/* soc */
	check_str("/soc", "compatible", "simple-bus");
	check_u32(ut_failed, "/soc", "#address-cells", 2);
	check_u32(ut_failed, "/soc", "#size-cells", 2);
	check_raw(ut_failed, "/soc", "ranges", "", 0);
	UT_CHECK(count_props("/soc") == 4, "/soc has %d properties", count_props("/soc"));
	UT_CHECK(count_subnodes("/soc") == 2 + (int)d->nvirtio, "/soc has %d subnodes",
		 count_subnodes("/soc"));

	/* plic */
	char plic[64];
	fdt32_t ie[2 * DV_FDT_MAX_CPUS];
	snprintf(plic, sizeof(plic), "/soc/plic@%llx", (unsigned long long)d->plic.base);
	check_str(plic, "compatible", "sifive,plic-1.0.0\0riscv,plic0");
	check_reg(ut_failed, plic, d->plic.base, d->plic.size);
	check_u32(ut_failed, plic, "#address-cells", 0);
	check_u32(ut_failed, plic, "#interrupt-cells", 1);
	check_raw(ut_failed, plic, "interrupt-controller", "", 0);
	check_u32(ut_failed, plic, "riscv,ndev", d->plic.ndev);
	check_u32(ut_failed, plic, "phandle", DV_FDT_PHANDLE_PLIC);
	for (unsigned int i = 0; i < d->ncpus; i++) {
		ie[2 * i] = cpu_to_fdt32(2 + i);
		ie[2 * i + 1] = cpu_to_fdt32(9);
	}
	check_raw(ut_failed, plic, "interrupts-extended", ie, (int)(8 * d->ncpus));
	UT_CHECK(count_props(plic) == 8, "%s has %d properties", plic, count_props(plic));
	UT_CHECK(fdt_node_offset_by_phandle(fdt, DV_FDT_PHANDLE_PLIC) == fdt_path_offset(fdt, plic),
		 "PLIC phandle does not resolve to %s", plic);

	/* serial */
	check_str(uart, "compatible", "ns16550a");
	check_reg(ut_failed, uart, d->uart.base, 0x100);
	check_u32(ut_failed, uart, "clock-frequency", 3686400);
	check_u32(ut_failed, uart, "interrupts", d->uart.irq);
	check_u32(ut_failed, uart, "interrupt-parent", DV_FDT_PHANDLE_PLIC);
	UT_CHECK(count_props(uart) == 5, "%s has %d properties", uart, count_props(uart));

	/* virtio-mmio */
	for (unsigned int i = 0; i < d->nvirtio; i++) {
		snprintf(path, sizeof(path), "/soc/virtio_mmio@%llx",
			 (unsigned long long)d->virtio[i].base);
		check_str(path, "compatible", "virtio,mmio");
		check_reg(ut_failed, path, d->virtio[i].base, d->virtio[i].size);
		check_u32(ut_failed, path, "interrupts", d->virtio[i].irq);
		check_u32(ut_failed, path, "interrupt-parent", DV_FDT_PHANDLE_PLIC);
		UT_CHECK(count_props(path) == 4, "%s has %d properties", path, count_props(path));
	}
}

UT_TEST(one_cpu_no_initrd)
{
	struct dv_fdt_desc d = base_desc(1);

	build_and_check(ut_failed, &d);
}

UT_TEST(one_cpu_initrd)
{
	struct dv_fdt_desc d = base_desc(1);

	d.has_initrd = true;
	d.initrd_start = 0x81000000;
	d.initrd_end = 0x81234567;
	build_and_check(ut_failed, &d);
}

UT_TEST(four_cpus_no_initrd)
{
	struct dv_fdt_desc d = base_desc(4);

	build_and_check(ut_failed, &d);
}

UT_TEST(four_cpus_initrd_sv39)
{
	struct dv_fdt_desc d = base_desc(4);

	d.mmu = DV_FDT_MMU_SV39;
	d.isa = "rv64imac";
	d.has_initrd = true;
	d.initrd_start = 0x1ffff000000ULL; /* above 4G: both cells used */
	d.initrd_end = 0x1ffff800000ULL;
	d.ram_base = 0x100000000ULL;
	d.ram_size = 16ULL << 30;
	build_and_check(ut_failed, &d);
}

UT_TEST(no_bootargs_no_virtio_max_cpus)
{
	struct dv_fdt_desc d = base_desc(DV_FDT_MAX_CPUS);

	d.bootargs = NULL;
	d.virtio = NULL;
	d.nvirtio = 0;
	build_and_check(ut_failed, &d);
}

UT_TEST(empty_initrd)
{
	struct dv_fdt_desc d = base_desc(2);

	d.has_initrd = true;
	d.initrd_start = d.initrd_end = 0x82000000;
	build_and_check(ut_failed, &d);
}

UT_TEST(buffer_too_small)
{
	struct dv_fdt_desc d = base_desc(4);
	static char exact[64 * 1024];
	uint32_t need;
	int r;

	d.has_initrd = true;
	d.initrd_start = 0x81000000;
	d.initrd_end = 0x82000000;
	r = dv_fdt_build(&d, fdt, sizeof(fdt));
	UT_CHECK(r == 0, "build: %d", r);
	need = fdt_totalsize(fdt);

	/* Every size below what is needed fails cleanly, without writing past it. */
	for (uint32_t size = 0; size < need; size++) {
		memset(exact, 0x5a, need + 64);
		r = dv_fdt_build(&d, exact, size);
		UT_CHECK(r == -ENOSPC, "size %u of %u: %d", size, need, r);
		for (uint32_t j = size; j < need + 64; j++)
			if (exact[j] != 0x5a) {
				UT_CHECK(0, "size %u: byte %u written", size, j);
				break;
			}
		if (*ut_failed)
			return;
	}
	/*
	 * Libfdt's sequential writer needs a few bytes more while it works than
	 * the finished tree takes; the first size that works gives the same tree.
	 */
	for (uint32_t size = need; size <= need + 64; size++) {
		r = dv_fdt_build(&d, exact, size);
		UT_CHECK(r == 0 || r == -ENOSPC, "size %u: %d", size, r);
		if (r == 0) {
			UT_CHECK(!memcmp(exact, fdt, need), "tree differs at size %u", size);
			return;
		}
	}
	UT_CHECK(0, "no size up to %u bytes more than the tree works", 64);
}

UT_TEST(invalid_descriptions)
{
	static const struct dv_fdt_virtio bad_irq0[] = {{0x10001000, 0x1000, 0}};
	static const struct dv_fdt_virtio bad_irq96[] = {{0x10001000, 0x1000, 96}};
	static const struct dv_fdt_virtio bad_size[] = {{0x10001000, 0, 1}};
	struct dv_fdt_desc d;
	int n = 0;

#define BAD(stmt)                                                                                  \
	do {                                                                                       \
		d = base_desc(2);                                                                  \
		stmt;                                                                              \
		int r_ = dv_fdt_build(&d, fdt, sizeof(fdt));                                       \
		UT_CHECK(r_ == -EINVAL, "%s: %d", #stmt, r_);                                      \
		n++;                                                                               \
	} while (0)

	BAD(d.ncpus = 0);
	BAD(d.ncpus = DV_FDT_MAX_CPUS + 1);
	BAD(d.isa = NULL);
	BAD(d.isa = "");
	BAD(d.mmu = (enum dv_fdt_mmu)7);
	BAD(d.timebase = 0);
	BAD(d.ram_size = 0);
	BAD(d.plic.size = 0);
	BAD(d.plic.ndev = 0);
	BAD(d.plic.ndev = 1024);
	BAD(d.uart.irq = 0);
	BAD(d.uart.irq = 96);
	BAD((d.has_initrd = true, d.initrd_start = 2, d.initrd_end = 1));
	BAD(d.nvirtio = DV_FDT_MAX_VIRTIO + 1);
	BAD(d.virtio = NULL);
	BAD(d.virtio = bad_irq0);
	BAD((d.virtio = bad_irq96, d.nvirtio = 1));
	BAD((d.virtio = bad_size, d.nvirtio = 1));
	UT_CHECK(n == 18, "ran %d cases", n);
#undef BAD
	/* The edges that are fine. */
	d = base_desc(2);
	d.plic.ndev = 1023;
	d.uart.irq = 1023;
	UT_CHECK(dv_fdt_build(&d, fdt, sizeof(fdt)) == 0, "ndev 1023");
}

UT_MAIN()
