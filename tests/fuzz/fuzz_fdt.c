// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the device tree builder (boot/fdt.c) on any machine
 * description: the description's fields, the isa and bootargs strings,
 * the devices under /soc (node kind, base, size, interrupt or ndev, in any
 * order and number) and the size of the buffer.
 *
 * Input: flags u8 (bit 0 raw ncpus, bit 1 nodes NULL, bit 2 has_initrd,
 * bit 3 raw initrd end), ncpus u8, isa choice u8 (NULL, "", the usual one,
 * or len u8 bytes of the input), mmu u32, timebase u32, RAM base and size
 * u64, initrd start u64 and end u32/u64, bootargs choice u8 (NULL or len
 * u16 bytes of the input), buffer choice u8 and u32, nnodes u8, then per
 * node: kind u8, base u64, size choice u8 and u64, n choice u8 and u32 (the
 * PLIC's ndev, or the interrupt).
 *
 * The tree is built twice: in a buffer big enough for any input, and in
 * one of the size the input chooses (a little more or less than the tree
 * needs, or anything), with an ASan-poisoned canary after its end (libfdt
 * itself is not instrumented: its memcpy/memmove are checked by ASan's
 * interceptors, its plain stores by the canary).
 *
 * Checked, besides ASan/UBSan:
 * - the result is 0 exactly for the descriptions fdt.h accepts (1..64
 *   cpus, an isa, a known mmu, a timebase and a RAM size, initrd end not
 *   before its start, nodes when nnodes; at most one PLIC, with ndev
 *   1..1023 and a size; devices with a size and an interrupt 1..ndev),
 *   else -EINVAL (or -ENOSPC for the small buffer, if it is too small);
 * - a built tree passes fdt_check_full() within the buffer's size, is
 *   packed (totalsize is what it needs), and says what the description
 *   says: every cpu with its reg, isa, mmu-type and interrupt controller
 *   (phandle 2 + i); the memory node; each device under /soc in order
 *   with its name, reg, interrupts and interrupt-parent, the PLIC with
 *   riscv,ndev and one S-level context per hart; /chosen with bootargs,
 *   the initrd and stdout-path naming the first serial node, which is
 *   also /aliases/serial0; phandles unique, every one referenced present;
 * - the small buffer builds if it holds the tree (totalsize of the big
 *   build) and the SW_SLACK bytes the builder needs on the way, fails with
 *   -ENOSPC if it cannot hold the tree, and a built tree has the same bytes
 *   as the big one; nothing is written past the buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include <sanitizer/asan_interface.h>

#include "boot/fdt.h"
#include "fuzz_common.h"

#define BIG	  (256u << 10)
#define GUARD	  64
#define CANARY	  0xc3
#define MAX_NODES 10
#define PLIC_NDEV 1023
#define ISA	  "rv64imafdch_sstc"
/*
 * libfdt's sequential-write mode keeps the header 16-byte aligned (48 bytes)
 * and fdt_pack() moves the blocks up to 8-byte alignment (40): the tree needs
 * up to 8 bytes more while it is built than when it is done.
 */
#define SW_SLACK 8

enum kind { K_PLIC, K_SERIAL, K_VIRTIO };

struct dev {
	enum kind kind;
	uint64_t base, size;
	uint32_t n;
};

static void dev_emit(struct dv_fdt_writer *w, const void *ctx)
{
	const struct dev *d = ctx;

	if (d->kind == K_PLIC)
		dv_fdt_plic(w, d->base, d->size, d->n);
	else if (d->kind == K_SERIAL)
		dv_fdt_serial(w, d->base, d->size, d->n);
	else
		dv_fdt_virtio_mmio(w, d->base, d->size, d->n);
}

static const char *const names[] = {"plic", "serial", "virtio_mmio"};

static uint8_t *big;
static char isa[257], bootargs[4097];

/* Whether fdt.h accepts the description's fields (checked before anything is written) */
static bool fields_valid(const struct dv_fdt_desc *d)
{
	return d->ncpus >= 1 && d->ncpus <= DV_FDT_MAX_CPUS && d->isa && d->isa[0] &&
	       (d->mmu == DV_FDT_MMU_SV48 || d->mmu == DV_FDT_MMU_SV39) && d->timebase &&
	       d->ram_size && !(d->has_initrd && d->initrd_end < d->initrd_start) &&
	       !(d->nnodes && !d->nodes);
}

/* Whether fdt.h accepts the description and its devices */
static bool desc_valid(const struct dv_fdt_desc *d, const struct dev *dev)
{
	unsigned int plics = 0;
	uint32_t ndev = 0, max_irq = 0;

	if (!fields_valid(d))
		return false;
	for (unsigned int i = 0; i < d->nnodes; i++) {
		if (!dev[i].size)
			return false;
		if (dev[i].kind == K_PLIC) {
			if (plics++ || dev[i].n < 1 || dev[i].n > PLIC_NDEV)
				return false;
			ndev = dev[i].n;
		} else {
			if (!dev[i].n)
				return false;
			if (dev[i].n > max_irq)
				max_irq = dev[i].n;
		}
	}
	return max_irq <= ndev;
}

/* ---- reading the tree back ---- */

static const void *getprop(const void *fdt, int node, const char *name, int *len)
{
	const void *p = fdt_getprop(fdt, node, name, len);

	FZ_CHECK(p, "node %d (%s) has no %s", node, fdt_get_name(fdt, node, NULL), name);
	return p;
}

static void check_raw(const void *fdt, int node, const char *name, const void *want, int wlen)
{
	int len;
	const void *p = getprop(fdt, node, name, &len);

	FZ_CHECK(len == wlen && !memcmp(p, want, (size_t)len), "%s's %s: %d bytes, want %d",
		 fdt_get_name(fdt, node, NULL), name, len, wlen);
}

static void check_u32(const void *fdt, int node, const char *name, uint32_t v)
{
	fdt32_t be = cpu_to_fdt32(v);

	check_raw(fdt, node, name, &be, 4);
}

static void check_u64(const void *fdt, int node, const char *name, uint64_t v)
{
	fdt64_t be = cpu_to_fdt64(v);

	check_raw(fdt, node, name, &be, 8);
}

static void check_str(const void *fdt, int node, const char *name, const char *s)
{
	check_raw(fdt, node, name, s, (int)strlen(s) + 1);
}

static void check_reg(const void *fdt, int node, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = {cpu_to_fdt64(base), cpu_to_fdt64(size)};

	check_raw(fdt, node, "reg", reg, sizeof(reg));
}

static int node_at(const void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);

	FZ_CHECK(off >= 0, "no node %s: %s", path, fdt_strerror(off));
	return off;
}

static void check_tree(const void *fdt, size_t size, const struct dv_fdt_desc *d,
		       const struct dev *dev)
{
	char path[128], console[128] = "";
	uint32_t phandles[2 + DV_FDT_MAX_CPUS] = {0};
	int r = fdt_check_full(fdt, size), node, sub, n, len;
	const fdt32_t *p;
	bool plic = false;

	FZ_CHECK(r == 0, "fdt_check_full: %s", fdt_strerror(r));
	FZ_CHECK(fdt_totalsize(fdt) <= size &&
		     fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt) == fdt_totalsize(fdt),
		 "not packed: totalsize %u, strings end %u, buffer %zu", fdt_totalsize(fdt),
		 fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt), size);
	FZ_CHECK(fdt_num_mem_rsv(fdt) == 0, "reserve map entries");

	node = node_at(fdt, "/");
	check_u32(fdt, node, "#address-cells", 2);
	check_u32(fdt, node, "#size-cells", 2);
	check_str(fdt, node, "compatible", "riscv-virtio");

	node = node_at(fdt, "/cpus");
	check_u32(fdt, node, "timebase-frequency", d->timebase);
	n = 0;
	fdt_for_each_subnode(sub, fdt, node)
	{
		int intc;

		snprintf(path, sizeof(path), "cpu@%u", n);
		FZ_CHECK(!strcmp(fdt_get_name(fdt, sub, NULL), path), "cpu %d named %s", n,
			 fdt_get_name(fdt, sub, NULL));
		check_u32(fdt, sub, "reg", (uint32_t)n);
		check_str(fdt, sub, "riscv,isa", d->isa);
		check_str(fdt, sub, "mmu-type",
			  d->mmu == DV_FDT_MMU_SV39 ? "riscv,sv39" : "riscv,sv48");
		intc = fdt_subnode_offset(fdt, sub, "interrupt-controller");
		FZ_CHECK(intc >= 0, "cpu %d has no interrupt-controller", n);
		check_u32(fdt, intc, "phandle", DV_FDT_PHANDLE_INTC(n));
		check_str(fdt, intc, "compatible", "riscv,cpu-intc");
		n++;
	}
	FZ_CHECK(n == (int)d->ncpus, "%d cpus, want %u", n, d->ncpus);

	snprintf(path, sizeof(path), "/memory@%llx", (unsigned long long)d->ram_base);
	check_reg(fdt, node_at(fdt, path), d->ram_base, d->ram_size);

	node = node_at(fdt, "/soc");
	n = 0;
	fdt_for_each_subnode(sub, fdt, node)
	{
		const struct dev *v = &dev[n];

		FZ_CHECK(n < (int)d->nnodes, "more than %u nodes under /soc", d->nnodes);
		snprintf(path, sizeof(path), "%s@%llx", names[v->kind],
			 (unsigned long long)v->base);
		FZ_CHECK(!strcmp(fdt_get_name(fdt, sub, NULL), path), "soc node %d: %s, want %s", n,
			 fdt_get_name(fdt, sub, NULL), path);
		check_reg(fdt, sub, v->base, v->size);
		if (v->kind == K_PLIC) {
			plic = true;
			check_u32(fdt, sub, "riscv,ndev", v->n);
			check_u32(fdt, sub, "phandle", DV_FDT_PHANDLE_PLIC);
			p = getprop(fdt, sub, "interrupts-extended", &len);
			FZ_CHECK(len == 8 * (int)d->ncpus, "interrupts-extended: %d bytes", len);
			for (unsigned int i = 0; i < d->ncpus; i++)
				FZ_CHECK(fdt32_to_cpu(p[2 * i]) == DV_FDT_PHANDLE_INTC(i) &&
					     fdt32_to_cpu(p[2 * i + 1]) == DV_FDT_IRQ_S_EXT,
					 "PLIC context %u", i);
		} else {
			check_u32(fdt, sub, "interrupts", v->n);
			check_u32(fdt, sub, "interrupt-parent", DV_FDT_PHANDLE_PLIC);
			if (v->kind == K_SERIAL && !console[0])
				snprintf(console, sizeof(console), "/soc/%s", path);
		}
		n++;
	}
	FZ_CHECK(n == (int)d->nnodes, "%d nodes under /soc, want %u", n, d->nnodes);
	FZ_CHECK(plic || !console[0], "an interrupt with no PLIC");

	node = node_at(fdt, "/chosen");
	if (d->bootargs)
		check_str(fdt, node, "bootargs", d->bootargs);
	else
		FZ_CHECK(!fdt_getprop(fdt, node, "bootargs", NULL), "bootargs without any");
	if (d->has_initrd) {
		check_u64(fdt, node, "linux,initrd-start", d->initrd_start);
		check_u64(fdt, node, "linux,initrd-end", d->initrd_end);
	} else {
		FZ_CHECK(!fdt_getprop(fdt, node, "linux,initrd-start", NULL), "an initrd");
	}
	if (console[0]) {
		check_str(fdt, node, "stdout-path", console);
		check_str(fdt, node_at(fdt, "/aliases"), "serial0", console);
		check_str(fdt, node_at(fdt, console), "compatible", "ns16550a");
	} else {
		FZ_CHECK(!fdt_getprop(fdt, node, "stdout-path", NULL), "stdout-path, no serial");
		FZ_CHECK(fdt_path_offset(fdt, "/aliases") < 0, "aliases without a serial");
	}

	/* phandles: unique, and every one named (PLIC, cpu-intc) exists */
	for (node = fdt_next_node(fdt, -1, NULL); node >= 0;
	     node = fdt_next_node(fdt, node, NULL)) {
		uint32_t ph = fdt_get_phandle(fdt, node);

		if (!ph)
			continue;
		FZ_CHECK(ph < 2 + DV_FDT_MAX_CPUS && !phandles[ph], "phandle %u twice or unknown",
			 ph);
		phandles[ph] = 1;
	}
	FZ_CHECK(!plic || phandles[DV_FDT_PHANDLE_PLIC], "no PLIC phandle");
	for (unsigned int i = 0; i < d->ncpus; i++)
		FZ_CHECK(phandles[DV_FDT_PHANDLE_INTC(i)], "no phandle for cpu %u's intc", i);
}

/* Bytes of the input as a NUL-terminated string in buf (an embedded NUL ends it early) */
static const char *input_string(struct fz *f, char *buf, size_t len)
{
	buf[fz_bytes(f, buf, len)] = 0;
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct dv_fdt_desc d = {0};
	struct dev dev[MAX_NODES];
	struct dv_fdt_node nodes[MAX_NODES];
	uint8_t flags = fz_u8(&f), c;
	unsigned int ncpus = fz_u8(&f), bufchoice;
	uint32_t bufraw;
	size_t need = 0, bsize;
	uint8_t *buf;
	int r, rs;
	bool valid;

	if (!big)
		big = malloc(BIG);
	d.ncpus = flags & 1 ? ncpus % (DV_FDT_MAX_CPUS + 3) : 1 + ncpus % DV_FDT_MAX_CPUS;
	c = fz_u8(&f);
	d.isa = c % 4 == 0   ? NULL
		: c % 4 == 1 ? ""
		: c % 4 == 2 ? ISA
			     : input_string(&f, isa, fz_u8(&f));
	d.mmu = (enum dv_fdt_mmu)(fz_u32(&f) % 3);
	d.timebase = fz_u32(&f);
	d.ram_base = fz_u64(&f);
	d.ram_size = fz_u64(&f);
	d.has_initrd = flags & 4;
	d.initrd_start = fz_u64(&f);
	d.initrd_end = flags & 8 ? fz_u64(&f) : d.initrd_start + fz_u32(&f);
	c = fz_u8(&f);
	d.bootargs = c & 1 ? input_string(&f, bootargs, fz_u16(&f) % (sizeof(bootargs) - 1)) : NULL;
	bufchoice = fz_u8(&f);
	bufraw = fz_u32(&f);
	d.nnodes = fz_u8(&f) % (MAX_NODES + 1);
	d.nodes = flags & 2 ? NULL : nodes;
	for (unsigned int i = 0; i < d.nnodes; i++) {
		uint8_t k = fz_u8(&f), sc, nc;
		uint64_t s;
		uint32_t n;

		dev[i].kind = (enum kind)(k % 3);
		dev[i].base = fz_u64(&f);
		sc = fz_u8(&f);
		s = fz_u64(&f);
		dev[i].size = sc % 4 == 0 ? 0 : sc % 4 == 1 ? s : 0x1000;
		nc = fz_u8(&f);
		n = fz_u32(&f);
		dev[i].n = nc % 4 == 0	 ? n
			   : nc % 4 == 1 ? 0
					 : 1 + n % (dev[i].kind ? 96 : PLIC_NDEV);
		nodes[i] = (struct dv_fdt_node){dev_emit, &dev[i]};
	}
	valid = desc_valid(&d, dev);

	/* in a buffer big enough for anything */
	memset(big, 0xa5, BIG);
	r = dv_fdt_build(&d, big, BIG);
	if (fz_verbose())
		fprintf(stderr, "fdt: %u cpus, %u nodes, bootargs %zu bytes: %d (%s), %u bytes\n",
			d.ncpus, d.nnodes, d.bootargs ? strlen(d.bootargs) : 0, r,
			valid ? "valid" : "invalid", r ? 0 : fdt_totalsize(big));
	FZ_CHECK(r == (valid ? 0 : -EINVAL), "build: %d for a %s description", r,
		 valid ? "valid" : "invalid");
	if (!r) {
		check_tree(big, BIG, &d, dev);
		need = fdt_totalsize(big);
	}

	/* in a buffer of the input's size, with a poisoned canary after it */
	switch (bufchoice % 4) {
	case 0:
		bsize = need + bufraw % (2 * SW_SLACK);
		break;
	case 1:
		bsize = need - 1 - bufraw % (2 * SW_SLACK);
		break;
	case 2:
		bsize = need ? need - 1 - bufraw % need : bufraw % 64;
		break;
	default:
		bsize = bufraw % (BIG / 4);
		break;
	}
	if (bsize > BIG)
		bsize = bufraw % 64;
	buf = malloc(bsize + GUARD);
	if (!buf)
		abort();
	memset(buf, 0x5a, bsize);
	memset(buf + bsize, CANARY, GUARD);
	ASAN_POISON_MEMORY_REGION(buf + bsize, GUARD);
	rs = dv_fdt_build(&d, buf, bsize);
	ASAN_UNPOISON_MEMORY_REGION(buf + bsize, GUARD);
	for (unsigned int i = 0; i < GUARD; i++)
		FZ_CHECK(buf[bsize + i] == CANARY, "written %u bytes past a %zu-byte buffer", i,
			 bsize);
	if (!fields_valid(&d))
		FZ_CHECK(rs == -EINVAL, "bad fields, in %zu bytes: %d", bsize, rs);
	else if (!valid) /* the first error wins: a bad node, or no room before it */
		FZ_CHECK(rs == -EINVAL || rs == -ENOSPC, "an invalid description built in %zu: %d",
			 bsize, rs);
	else if (bsize < need || bsize >= need + SW_SLACK)
		FZ_CHECK(rs == (bsize >= need ? 0 : -ENOSPC), "built in %zu bytes (needs %zu): %d",
			 bsize, need, rs);
	else
		FZ_CHECK(rs == 0 || rs == -ENOSPC, "built in %zu bytes (needs %zu): %d", bsize,
			 need, rs);
	if (valid && !rs)
		FZ_CHECK(!memcmp(buf, big, need), "the %zu-byte buffer's tree differs", bsize);
	free(buf);
	return 0;
}
