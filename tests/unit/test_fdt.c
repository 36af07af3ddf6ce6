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

/* The devices under /soc, as a board's would emit them with the node formats */
enum tdev_kind { T_PLIC, T_SERIAL, T_VIRTIO };

struct tdev {
	enum tdev_kind kind;
	uint64_t base, size;
	uint32_t n; /* the PLIC's ndev, else the interrupt */
};

static void tdev_emit(struct dv_fdt_writer *w, const void *ctx)
{
	const struct tdev *t = ctx;

	if (t->kind == T_PLIC)
		dv_fdt_plic(w, t->base, t->size, t->n);
	else if (t->kind == T_SERIAL)
		dv_fdt_serial(w, t->base, t->size, t->n);
	else
		dv_fdt_virtio_mmio(w, t->base, t->size, t->n);
}

#define MAX_TDEVS 8

/* A description and the devices its nodes point at */
struct machine {
	struct dv_fdt_desc d;
	struct tdev dev[MAX_TDEVS];
	struct dv_fdt_node node[MAX_TDEVS];
};

static void set_devs(struct machine *m, const struct tdev *devs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		m->dev[i] = devs[i];
		m->node[i] = (struct dv_fdt_node){tdev_emit, &m->dev[i]};
	}
	m->d.nodes = m->node;
	m->d.nnodes = n;
}

static const struct tdev board[] = {
    {T_PLIC, PLIC_BASE, 0x600000, 95}, {T_SERIAL, UART_BASE, 0x100, 10},
    {T_VIRTIO, 0x10001000, 0x1000, 1}, {T_VIRTIO, 0x10002000, 0x1000, 2},
    {T_VIRTIO, 0x10008000, 0x200, 8},
};

static void base_machine(struct machine *m, unsigned int ncpus)
{
	memset(m, 0, sizeof(*m));
	m->d = (struct dv_fdt_desc){
	    .ncpus = ncpus,
	    .isa = "rv64imafdch_sstc",
	    .mmu = DV_FDT_MMU_SV48,
	    .timebase = 10000000,
	    .ram_base = RAM_BASE,
	    .ram_size = 256ULL << 20,
	    .bootargs = "console=ttyS0 earlycon=sbi",
	};
	set_devs(m, board, sizeof(board) / sizeof(board[0]));
}

/* The device of a kind, or NULL */
static const struct tdev *find(const struct machine *m, enum tdev_kind kind)
{
	for (unsigned int i = 0; i < m->d.nnodes; i++)
		if (m->dev[i].kind == kind)
			return &m->dev[i];
	return NULL;
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

/* Build m into fdt[] and check the whole tree against it. */
static void build_and_check(int *ut_failed, const struct machine *m)
{
	const struct dv_fdt_desc *d = &m->d;
	const struct tdev *pd = find(m, T_PLIC), *sd = find(m, T_SERIAL);
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
	UT_CHECK(count_subnodes("/") == (sd ? 5 : 4), "/ has %d subnodes", count_subnodes("/"));

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

	/* chosen: stdout-path and serial0 are the serial's */
	char uart[64] = "";
	if (sd)
		snprintf(uart, sizeof(uart), "/soc/serial@%llx", (unsigned long long)sd->base);
	if (d->bootargs)
		check_dstr(ut_failed, "/chosen", "bootargs", d->bootargs);
	else
		check_absent(ut_failed, "/chosen", "bootargs");
	if (sd) {
		check_dstr(ut_failed, "/chosen", "stdout-path", uart);
		check_dstr(ut_failed, "/aliases", "serial0", uart);
		UT_CHECK(fdt_path_offset(fdt, uart) >= 0, "stdout-path %s does not resolve", uart);
	} else {
		check_absent(ut_failed, "/chosen", "stdout-path");
		UT_CHECK(fdt_path_offset(fdt, "/aliases") < 0, "/aliases without a serial");
	}
	if (d->has_initrd) {
		check_u64(ut_failed, "/chosen", "linux,initrd-start", d->initrd_start);
		check_u64(ut_failed, "/chosen", "linux,initrd-end", d->initrd_end);
	} else {
		check_absent(ut_failed, "/chosen", "linux,initrd-start");
		check_absent(ut_failed, "/chosen", "linux,initrd-end");
	}
	UT_CHECK(count_props("/chosen") ==
		     (d->bootargs ? 1 : 0) + (sd ? 1 : 0) + (d->has_initrd ? 2 : 0),
		 "/chosen has %d properties", count_props("/chosen"));

	/* soc */
	check_str("/soc", "compatible", "simple-bus");
	check_u32(ut_failed, "/soc", "#address-cells", 2);
	check_u32(ut_failed, "/soc", "#size-cells", 2);
	check_raw(ut_failed, "/soc", "ranges", "", 0);
	UT_CHECK(count_props("/soc") == 4, "/soc has %d properties", count_props("/soc"));
	UT_CHECK(count_subnodes("/soc") == (int)d->nnodes, "/soc has %d subnodes",
		 count_subnodes("/soc"));

	for (unsigned int i = 0; i < d->nnodes; i++) {
		const struct tdev *t = &m->dev[i];

		if (t->kind == T_PLIC) {
			fdt32_t ie[2 * DV_FDT_MAX_CPUS];

			snprintf(path, sizeof(path), "/soc/plic@%llx", (unsigned long long)t->base);
			check_str(path, "compatible", "sifive,plic-1.0.0\0riscv,plic0");
			check_reg(ut_failed, path, t->base, t->size);
			check_u32(ut_failed, path, "#address-cells", 0);
			check_u32(ut_failed, path, "#interrupt-cells", 1);
			check_raw(ut_failed, path, "interrupt-controller", "", 0);
			check_u32(ut_failed, path, "riscv,ndev", t->n);
			check_u32(ut_failed, path, "phandle", DV_FDT_PHANDLE_PLIC);
			for (unsigned int c = 0; c < d->ncpus; c++) {
				ie[2 * c] = cpu_to_fdt32(2 + c);
				ie[2 * c + 1] = cpu_to_fdt32(9);
			}
			check_raw(ut_failed, path, "interrupts-extended", ie, (int)(8 * d->ncpus));
			UT_CHECK(count_props(path) == 8, "%s has %d properties", path,
				 count_props(path));
			UT_CHECK(fdt_node_offset_by_phandle(fdt, DV_FDT_PHANDLE_PLIC) ==
				     fdt_path_offset(fdt, path),
				 "PLIC phandle does not resolve to %s", path);
			continue;
		}
		snprintf(path, sizeof(path), "/soc/%s@%llx",
			 t->kind == T_SERIAL ? "serial" : "virtio_mmio",
			 (unsigned long long)t->base);
		if (t->kind == T_SERIAL) {
			check_str(path, "compatible", "ns16550a");
			check_u32(ut_failed, path, "clock-frequency", 3686400);
		} else {
			check_str(path, "compatible", "virtio,mmio");
		}
		check_reg(ut_failed, path, t->base, t->size);
		check_u32(ut_failed, path, "interrupts", t->n);
		check_u32(ut_failed, path, "interrupt-parent", DV_FDT_PHANDLE_PLIC);
		UT_CHECK(count_props(path) == (t->kind == T_SERIAL ? 5 : 4), "%s has %d properties",
			 path, count_props(path));
	}
	UT_CHECK(pd || !d->nnodes, "a test machine without a PLIC");
}

UT_TEST(one_cpu_no_initrd)
{
	struct machine m;

	base_machine(&m, 1);
	build_and_check(ut_failed, &m);
}

UT_TEST(one_cpu_initrd)
{
	struct machine m;

	base_machine(&m, 1);
	m.d.has_initrd = true;
	m.d.initrd_start = 0x81000000;
	m.d.initrd_end = 0x81234567;
	build_and_check(ut_failed, &m);
}

UT_TEST(four_cpus_no_initrd)
{
	struct machine m;

	base_machine(&m, 4);
	build_and_check(ut_failed, &m);
}

UT_TEST(four_cpus_initrd_sv39)
{
	struct machine m;

	base_machine(&m, 4);
	m.d.mmu = DV_FDT_MMU_SV39;
	m.d.isa = "rv64imac";
	m.d.has_initrd = true;
	m.d.initrd_start = 0x1ffff000000ULL; /* above 4G: both cells used */
	m.d.initrd_end = 0x1ffff800000ULL;
	m.d.ram_base = 0x100000000ULL;
	m.d.ram_size = 16ULL << 30;
	build_and_check(ut_failed, &m);
}

UT_TEST(no_bootargs_no_virtio_max_cpus)
{
	struct machine m;

	base_machine(&m, DV_FDT_MAX_CPUS);
	m.d.bootargs = NULL;
	set_devs(&m, board, 2);
	build_and_check(ut_failed, &m);
}

/* Without a serial there is no stdout-path and no /aliases; devices in any order */
UT_TEST(no_serial_devices_reordered)
{
	static const struct tdev devs[] = {
	    {T_VIRTIO, 0x10003000, 0x200, 3},
	    {T_PLIC, PLIC_BASE, 0x4000000, 63},
	    {T_VIRTIO, 0x10001000, 0x200, 63},
	};
	struct machine m;

	base_machine(&m, 2);
	set_devs(&m, devs, 3);
	build_and_check(ut_failed, &m);
}

/* The first serial is the console */
UT_TEST(two_serials)
{
	static const struct tdev devs[] = {
	    {T_PLIC, PLIC_BASE, 0x600000, 95},
	    {T_SERIAL, 0x10000000, 0x100, 10},
	    {T_SERIAL, 0x10000100, 0x100, 11},
	};
	struct machine m;

	base_machine(&m, 1);
	set_devs(&m, devs, 3);
	UT_CHECK(dv_fdt_build(&m.d, fdt, sizeof(fdt)) == 0, "build");
	check_dstr(ut_failed, "/chosen", "stdout-path", "/soc/serial@10000000");
	check_dstr(ut_failed, "/aliases", "serial0", "/soc/serial@10000000");
}

UT_TEST(empty_initrd)
{
	struct machine m;

	base_machine(&m, 2);
	m.d.has_initrd = true;
	m.d.initrd_start = m.d.initrd_end = 0x82000000;
	build_and_check(ut_failed, &m);
}

UT_TEST(buffer_too_small)
{
	struct machine m;
	static char exact[64 * 1024];
	uint32_t need;
	int r;

	base_machine(&m, 4);
	m.d.has_initrd = true;
	m.d.initrd_start = 0x81000000;
	m.d.initrd_end = 0x82000000;
	r = dv_fdt_build(&m.d, fdt, sizeof(fdt));
	UT_CHECK(r == 0, "build: %d", r);
	need = fdt_totalsize(fdt);

	/* Every size below what is needed fails cleanly, without writing past it. */
	for (uint32_t size = 0; size < need; size++) {
		memset(exact, 0x5a, need + 64);
		r = dv_fdt_build(&m.d, exact, size);
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
		r = dv_fdt_build(&m.d, exact, size);
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
	struct machine m;
	int n = 0;

/* board[]: 0 the PLIC (ndev 95), 1 the serial, 2..4 virtio */
#define BAD(stmt)                                                                                  \
	do {                                                                                       \
		base_machine(&m, 2);                                                               \
		stmt;                                                                              \
		int r_ = dv_fdt_build(&m.d, fdt, sizeof(fdt));                                     \
		UT_CHECK(r_ == -EINVAL, "%s: %d", #stmt, r_);                                      \
		n++;                                                                               \
	} while (0)

	BAD(m.d.ncpus = 0);
	BAD(m.d.ncpus = DV_FDT_MAX_CPUS + 1);
	BAD(m.d.isa = NULL);
	BAD(m.d.isa = "");
	BAD(m.d.mmu = (enum dv_fdt_mmu)7);
	BAD(m.d.timebase = 0);
	BAD(m.d.ram_size = 0);
	BAD((m.d.has_initrd = true, m.d.initrd_start = 2, m.d.initrd_end = 1));
	BAD(m.d.nodes = NULL);
	BAD(m.dev[0].size = 0);
	BAD(m.dev[0].n = 0);
	BAD(m.dev[0].n = 1024);
	BAD(m.dev[1].n = 0);
	BAD(m.dev[1].n = 96);
	BAD(m.dev[1].size = 0);
	BAD(m.dev[2].n = 0);
	BAD(m.dev[3].n = 96);
	BAD(m.dev[4].size = 0);
	BAD(m.dev[2].kind = T_PLIC);   /* two PLICs */
	BAD(m.dev[0].kind = T_VIRTIO); /* interrupts, but no PLIC */
	UT_CHECK(n == 20, "ran %d cases", n);
#undef BAD
	/* The edges that are fine. */
	base_machine(&m, 2);
	m.dev[0].n = 1023;
	m.dev[1].n = 1023;
	UT_CHECK(dv_fdt_build(&m.d, fdt, sizeof(fdt)) == 0, "ndev 1023");
}

UT_MAIN()
