// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's device tree, written with libfdt's sequential-write API. The
 * tree is a table of top-level node emitters; /soc walks a list of devices,
 * each kind emitting its own node. Errors are sticky in the writer, so the
 * emitters read as the tree they produce and the first libfdt error is the
 * one reported.
 */
#include "boot/fdt.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <libfdt.h>

/* The number of interrupt sources a PLIC can have (source 0 means none). */
#define PLIC_MAX_NDEV 1023

struct fdtw {
	void *fdt;
	int err; /* first libfdt error, or 0 */
};

static void fw_check(struct fdtw *w, int r)
{
	if (r < 0 && !w->err)
		w->err = r;
}

__attribute__((format(printf, 2, 3))) static void fw_begin(struct fdtw *w, const char *fmt, ...)
{
	char name[64];
	va_list ap;

	if (w->err)
		return;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	fw_check(w, fdt_begin_node(w->fdt, name));
}

static void fw_end(struct fdtw *w)
{
	if (!w->err)
		fw_check(w, fdt_end_node(w->fdt));
}

static void fw_prop(struct fdtw *w, const char *name, const void *val, int len)
{
	if (!w->err)
		fw_check(w, fdt_property(w->fdt, name, val, len));
}

static void fw_str(struct fdtw *w, const char *name, const char *s)
{
	if (!w->err)
		fw_check(w, fdt_property_string(w->fdt, name, s));
}

static void fw_u32(struct fdtw *w, const char *name, uint32_t v)
{
	if (!w->err)
		fw_check(w, fdt_property_u32(w->fdt, name, v));
}

static void fw_u64(struct fdtw *w, const char *name, uint64_t v)
{
	if (!w->err)
		fw_check(w, fdt_property_u64(w->fdt, name, v));
}

static void fw_empty(struct fdtw *w, const char *name)
{
	fw_prop(w, name, NULL, 0);
}

/* reg = <base size> in two address and two size cells. */
static void fw_reg(struct fdtw *w, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = {cpu_to_fdt64(base), cpu_to_fdt64(size)};

	fw_prop(w, "reg", reg, sizeof(reg));
}

/* Interrupt source irq of the PLIC. */
static void fw_plic_irq(struct fdtw *w, uint32_t irq)
{
	fw_u32(w, "interrupts", irq);
	fw_u32(w, "interrupt-parent", DV_FDT_PHANDLE_PLIC);
}

/* ---- devices on /soc ---- */

enum dv_fdt_dev_kind {
	DEV_PLIC,
	DEV_UART,
	DEV_VIRTIO_MMIO,
	DEV_NR_KINDS,
};

struct dv_fdt_dev {
	enum dv_fdt_dev_kind kind;
	uint64_t base, size;
	uint32_t irq;
};

typedef void (*dev_emit_fn)(struct fdtw *w, const struct dv_fdt_desc *d,
			    const struct dv_fdt_dev *dev);

static void emit_plic(struct fdtw *w, const struct dv_fdt_desc *d, const struct dv_fdt_dev *dev)
{
	static const char compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	fdt32_t ctx[2 * DV_FDT_MAX_CPUS];

	/*
	 * Context i is hart i's S-level context: Linux's PLIC driver walks
	 * interrupts-extended in order and uses an entry only if its cause is
	 * the supervisor external interrupt.
	 */
	for (unsigned int i = 0; i < d->ncpus; i++) {
		ctx[2 * i] = cpu_to_fdt32(DV_FDT_PHANDLE_INTC(i));
		ctx[2 * i + 1] = cpu_to_fdt32(DV_FDT_IRQ_S_EXT);
	}
	fw_begin(w, "plic@%llx", (unsigned long long)dev->base);
	fw_prop(w, "compatible", compat, sizeof(compat));
	fw_reg(w, dev->base, dev->size);
	fw_u32(w, "#address-cells", 0);
	fw_u32(w, "#interrupt-cells", 1);
	fw_empty(w, "interrupt-controller");
	fw_u32(w, "riscv,ndev", d->plic.ndev);
	fw_prop(w, "interrupts-extended", ctx, (int)(2 * d->ncpus * sizeof(ctx[0])));
	fw_u32(w, "phandle", DV_FDT_PHANDLE_PLIC);
	fw_end(w);
}

static void emit_uart(struct fdtw *w, const struct dv_fdt_desc *d, const struct dv_fdt_dev *dev)
{
	(void)d;
	fw_begin(w, "serial@%llx", (unsigned long long)dev->base);
	fw_str(w, "compatible", "ns16550a");
	fw_reg(w, dev->base, dev->size);
	fw_u32(w, "clock-frequency", DV_FDT_UART_CLK);
	fw_plic_irq(w, dev->irq);
	fw_end(w);
}

static void emit_virtio_mmio(struct fdtw *w, const struct dv_fdt_desc *d,
			     const struct dv_fdt_dev *dev)
{
	(void)d;
	fw_begin(w, "virtio_mmio@%llx", (unsigned long long)dev->base);
	fw_str(w, "compatible", "virtio,mmio");
	fw_reg(w, dev->base, dev->size);
	fw_plic_irq(w, dev->irq);
	fw_end(w);
}

static const dev_emit_fn dev_emitters[DEV_NR_KINDS] = {
    [DEV_PLIC] = emit_plic,
    [DEV_UART] = emit_uart,
    [DEV_VIRTIO_MMIO] = emit_virtio_mmio,
};

/* ---- top-level nodes ---- */

static void emit_cpus(struct fdtw *w, const struct dv_fdt_desc *d)
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

static void emit_memory(struct fdtw *w, const struct dv_fdt_desc *d)
{
	fw_begin(w, "memory@%llx", (unsigned long long)d->ram_base);
	fw_str(w, "device_type", "memory");
	fw_reg(w, d->ram_base, d->ram_size);
	fw_end(w);
}

static void uart_path(const struct dv_fdt_desc *d, char *buf, size_t len)
{
	snprintf(buf, len, "/soc/serial@%llx", (unsigned long long)d->uart.base);
}

static void emit_chosen(struct fdtw *w, const struct dv_fdt_desc *d)
{
	char path[64];

	uart_path(d, path, sizeof(path));
	fw_begin(w, "chosen");
	if (d->bootargs)
		fw_str(w, "bootargs", d->bootargs);
	fw_str(w, "stdout-path", path);
	if (d->has_initrd) {
		fw_u64(w, "linux,initrd-start", d->initrd_start);
		fw_u64(w, "linux,initrd-end", d->initrd_end);
	}
	fw_end(w);
}

static void emit_aliases(struct fdtw *w, const struct dv_fdt_desc *d)
{
	char path[64];

	uart_path(d, path, sizeof(path));
	fw_begin(w, "aliases");
	fw_str(w, "serial0", path);
	fw_end(w);
}

static void emit_soc(struct fdtw *w, const struct dv_fdt_desc *d)
{
	struct dv_fdt_dev devs[2 + DV_FDT_MAX_VIRTIO];
	unsigned int n = 0;

	devs[n++] = (struct dv_fdt_dev){DEV_PLIC, d->plic.base, d->plic.size, 0};
	devs[n++] = (struct dv_fdt_dev){DEV_UART, d->uart.base, DV_FDT_UART_SIZE, d->uart.irq};
	for (unsigned int i = 0; i < d->nvirtio; i++)
		devs[n++] = (struct dv_fdt_dev){DEV_VIRTIO_MMIO, d->virtio[i].base,
						d->virtio[i].size, d->virtio[i].irq};

	fw_begin(w, "soc");
	fw_str(w, "compatible", "simple-bus");
	fw_u32(w, "#address-cells", 2);
	fw_u32(w, "#size-cells", 2);
	fw_empty(w, "ranges");
	for (unsigned int i = 0; i < n; i++)
		dev_emitters[devs[i].kind](w, d, &devs[i]);
	fw_end(w);
}

typedef void (*node_emit_fn)(struct fdtw *w, const struct dv_fdt_desc *d);

static const node_emit_fn node_emitters[] = {
    emit_cpus, emit_memory, emit_chosen, emit_aliases, emit_soc,
};

static bool irq_ok(const struct dv_fdt_desc *d, uint32_t irq)
{
	return irq >= 1 && irq <= d->plic.ndev;
}

static bool desc_ok(const struct dv_fdt_desc *d)
{
	if (d->ncpus < 1 || d->ncpus > DV_FDT_MAX_CPUS || !d->isa || !d->isa[0])
		return false;
	if (d->mmu != DV_FDT_MMU_SV48 && d->mmu != DV_FDT_MMU_SV39)
		return false;
	if (!d->timebase || !d->ram_size || !d->plic.size)
		return false;
	if (d->plic.ndev < 1 || d->plic.ndev > PLIC_MAX_NDEV || !irq_ok(d, d->uart.irq))
		return false;
	if (d->has_initrd && d->initrd_end < d->initrd_start)
		return false;
	if (d->nvirtio > DV_FDT_MAX_VIRTIO || (d->nvirtio && !d->virtio))
		return false;
	for (unsigned int i = 0; i < d->nvirtio; i++)
		if (!d->virtio[i].size || !irq_ok(d, d->virtio[i].irq))
			return false;
	return true;
}

int dv_fdt_build(const struct dv_fdt_desc *d, void *buf, size_t size)
{
	struct fdtw w = {.fdt = buf};

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
