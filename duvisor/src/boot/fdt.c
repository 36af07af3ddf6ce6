// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's device tree, written with libfdt's sequential-write API. The
 * tree is a table of top-level node emitters; /soc walks the board's
 * devices, each emitting its own node with the node formats here. Errors
 * are sticky in the writer, so the emitters read as the tree they produce
 * and the first error is the one reported.
 */
#include "boot/fdt.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libfdt.h>

/* The number of interrupt sources a PLIC can have (source 0 means none). */
#define PLIC_MAX_NDEV 1023

struct dv_fdt_writer {
	void *fdt;
	int err; /* first error, or 0 */
	const struct dv_fdt_desc *d;
	char path[128];	   /* of the node being written */
	char console[128]; /* of the first serial node, "" until there is one */
	uint32_t ndev;	   /* the PLIC's riscv,ndev, 0 until its node */
	uint32_t max_irq;  /* the highest PLIC source a node names */
};

static void fw_check(struct dv_fdt_writer *w, int r)
{
	if (r < 0 && !w->err)
		w->err = r;
}

__attribute__((format(printf, 2, 3))) static void fw_begin(struct dv_fdt_writer *w, const char *fmt,
							   ...)
{
	char name[64];
	va_list ap;

	if (w->err)
		return;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	fw_check(w, fdt_begin_node(w->fdt, name));
	if (name[0]) {
		size_t len = strlen(w->path);

		snprintf(w->path + len, sizeof(w->path) - len, "/%s", name);
	}
}

static void fw_end(struct dv_fdt_writer *w)
{
	char *slash = strrchr(w->path, '/');

	if (slash)
		*slash = '\0';
	if (!w->err)
		fw_check(w, fdt_end_node(w->fdt));
}

/* A value no tree may hold: the build fails with -EINVAL */
static void fw_bad(struct dv_fdt_writer *w)
{
	fw_check(w, -FDT_ERR_BADVALUE);
}

static void fw_prop(struct dv_fdt_writer *w, const char *name, const void *val, int len)
{
	if (!w->err)
		fw_check(w, fdt_property(w->fdt, name, val, len));
}

static void fw_str(struct dv_fdt_writer *w, const char *name, const char *s)
{
	if (!w->err)
		fw_check(w, fdt_property_string(w->fdt, name, s));
}

static void fw_u32(struct dv_fdt_writer *w, const char *name, uint32_t v)
{
	if (!w->err)
		fw_check(w, fdt_property_u32(w->fdt, name, v));
}

static void fw_u64(struct dv_fdt_writer *w, const char *name, uint64_t v)
{
	if (!w->err)
		fw_check(w, fdt_property_u64(w->fdt, name, v));
}

static void fw_empty(struct dv_fdt_writer *w, const char *name)
{
	fw_prop(w, name, NULL, 0);
}

/* reg = <base size> in two address and two size cells. */
static void fw_reg(struct dv_fdt_writer *w, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = {cpu_to_fdt64(base), cpu_to_fdt64(size)};

	fw_prop(w, "reg", reg, sizeof(reg));
}

/* Interrupt source irq of the PLIC. */
static void fw_plic_irq(struct dv_fdt_writer *w, uint32_t irq)
{
	if (!irq)
		fw_bad(w);
	if (irq > w->max_irq)
		w->max_irq = irq;
	fw_u32(w, "interrupts", irq);
	fw_u32(w, "interrupt-parent", DV_FDT_PHANDLE_PLIC);
}

/* ---- the node formats of the board's devices (under /soc) ---- */

void dv_fdt_plic(struct dv_fdt_writer *w, uint64_t base, uint64_t size, uint32_t ndev)
{
	static const char compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	fdt32_t ctx[2 * DV_FDT_MAX_CPUS];

	if (!size || ndev < 1 || ndev > PLIC_MAX_NDEV || w->ndev)
		fw_bad(w);
	w->ndev = ndev;
	/*
	 * Context i is hart i's S-level context: Linux's PLIC driver walks
	 * interrupts-extended in order and uses an entry only if its cause is
	 * the supervisor external interrupt.
	 */
	for (unsigned int i = 0; i < w->d->ncpus; i++) {
		ctx[2 * i] = cpu_to_fdt32(DV_FDT_PHANDLE_INTC(i));
		ctx[2 * i + 1] = cpu_to_fdt32(DV_FDT_IRQ_S_EXT);
	}
	fw_begin(w, "plic@%llx", (unsigned long long)base);
	fw_prop(w, "compatible", compat, sizeof(compat));
	fw_reg(w, base, size);
	fw_u32(w, "#address-cells", 0);
	fw_u32(w, "#interrupt-cells", 1);
	fw_empty(w, "interrupt-controller");
	fw_u32(w, "riscv,ndev", ndev);
	fw_prop(w, "interrupts-extended", ctx, (int)(2 * w->d->ncpus * sizeof(ctx[0])));
	fw_u32(w, "phandle", DV_FDT_PHANDLE_PLIC);
	fw_end(w);
}

void dv_fdt_serial(struct dv_fdt_writer *w, uint64_t base, uint64_t size, uint32_t irq)
{
	if (!size)
		fw_bad(w);
	fw_begin(w, "serial@%llx", (unsigned long long)base);
	if (!w->console[0])
		snprintf(w->console, sizeof(w->console), "%s", w->path);
	fw_str(w, "compatible", "ns16550a");
	fw_reg(w, base, size);
	fw_u32(w, "clock-frequency", DV_FDT_UART_CLK);
	fw_plic_irq(w, irq);
	fw_end(w);
}

void dv_fdt_virtio_mmio(struct dv_fdt_writer *w, uint64_t base, uint64_t size, uint32_t irq)
{
	if (!size)
		fw_bad(w);
	fw_begin(w, "virtio_mmio@%llx", (unsigned long long)base);
	fw_str(w, "compatible", "virtio,mmio");
	fw_reg(w, base, size);
	fw_plic_irq(w, irq);
	fw_end(w);
}

/* ---- top-level nodes ---- */

static void emit_cpus(struct dv_fdt_writer *w, const struct dv_fdt_desc *d)
{
	fw_begin(w, "cpus");
	fw_u32(w, "#address-cells", 1);
	fw_u32(w, "#size-cells", 0);
	fw_u32(w, "timebase-frequency", d->timebase);
	for (unsigned int i = 0; i < d->ncpus; i++) {
		fw_begin(w, "cpu@%u", i);
		fw_str(w, "device_type", "cpu");
		fw_u32(w, "reg", i);
		fw_str(w, "status", "okay");
		fw_str(w, "compatible", "riscv");
		fw_str(w, "riscv,isa", d->isa);
		fw_str(w, "mmu-type", d->mmu == DV_FDT_MMU_SV39 ? "riscv,sv39" : "riscv,sv48");
		fw_begin(w, "interrupt-controller");
		fw_str(w, "compatible", "riscv,cpu-intc");
		fw_u32(w, "#address-cells", 0);
		fw_u32(w, "#interrupt-cells", 1);
		fw_empty(w, "interrupt-controller");
		fw_u32(w, "phandle", DV_FDT_PHANDLE_INTC(i));
		fw_end(w);
		fw_end(w);
	}
	fw_end(w);
}

static void emit_memory(struct dv_fdt_writer *w, const struct dv_fdt_desc *d)
{
	fw_begin(w, "memory@%llx", (unsigned long long)d->ram_base);
	fw_str(w, "device_type", "memory");
	fw_reg(w, d->ram_base, d->ram_size);
	fw_end(w);
}

static void emit_chosen(struct dv_fdt_writer *w, const struct dv_fdt_desc *d)
{
	fw_begin(w, "chosen");
	if (d->bootargs)
		fw_str(w, "bootargs", d->bootargs);
	if (w->console[0])
		fw_str(w, "stdout-path", w->console);
	if (d->has_initrd) {
		fw_u64(w, "linux,initrd-start", d->initrd_start);
		fw_u64(w, "linux,initrd-end", d->initrd_end);
	}
	fw_end(w);
}

static void emit_aliases(struct dv_fdt_writer *w, const struct dv_fdt_desc *d)
{
	(void)d;
	if (!w->console[0])
		return;
	fw_begin(w, "aliases");
	fw_str(w, "serial0", w->console);
	fw_end(w);
}

static void emit_soc(struct dv_fdt_writer *w, const struct dv_fdt_desc *d)
{
	fw_begin(w, "soc");
	fw_str(w, "compatible", "simple-bus");
	fw_u32(w, "#address-cells", 2);
	fw_u32(w, "#size-cells", 2);
	fw_empty(w, "ranges");
	for (unsigned int i = 0; i < d->nnodes; i++)
		d->nodes[i].emit(w, d->nodes[i].ctx);
	fw_end(w);
	/* Every source a device names must be one of the PLIC's */
	if (w->max_irq > w->ndev)
		fw_bad(w);
}

typedef void (*node_emit_fn)(struct dv_fdt_writer *w, const struct dv_fdt_desc *d);

/* /chosen and /aliases after /soc: they name the node a device emitted */
static const node_emit_fn node_emitters[] = {
    emit_cpus, emit_memory, emit_soc, emit_chosen, emit_aliases,
};

static bool desc_ok(const struct dv_fdt_desc *d)
{
	if (d->ncpus < 1 || d->ncpus > DV_FDT_MAX_CPUS || !d->isa || !d->isa[0])
		return false;
	if (d->mmu != DV_FDT_MMU_SV48 && d->mmu != DV_FDT_MMU_SV39)
		return false;
	if (!d->timebase || !d->ram_size)
		return false;
	if (d->has_initrd && d->initrd_end < d->initrd_start)
		return false;
	return !d->nnodes || d->nodes;
}

int dv_fdt_build(const struct dv_fdt_desc *d, void *buf, size_t size)
{
	struct dv_fdt_writer w = {.fdt = buf, .d = d};

	if (!desc_ok(d))
		return -EINVAL;
	fw_check(&w, fdt_create(buf, size > INT_MAX ? INT_MAX : (int)size));
	if (!w.err)
		fw_check(&w, fdt_finish_reservemap(buf));
	fw_begin(&w, "%s", ""); /* the root node */
	fw_u32(&w, "#address-cells", 2);
	fw_u32(&w, "#size-cells", 2);
	fw_str(&w, "compatible", "riscv-virtio");
	fw_str(&w, "model", "DuVisor riscv64 virt");
	for (size_t i = 0; i < sizeof(node_emitters) / sizeof(node_emitters[0]); i++)
		node_emitters[i](&w, d);
	fw_end(&w);
	if (!w.err)
		fw_check(&w, fdt_finish(buf));
	if (!w.err)
		fw_check(&w, fdt_pack(buf));
	if (w.err == -FDT_ERR_NOSPACE)
		return -ENOSPC;
	return w.err ? -EINVAL : 0;
}
