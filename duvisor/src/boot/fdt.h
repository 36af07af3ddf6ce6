/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's device tree: a QEMU-virt-like machine for a Linux 6.1 riscv64
 * guest, built with libfdt from a plain description of the machine and the
 * board's devices, each of which emits its own node under /soc:
 *
 *   /cpus/cpu@N                   one per hart, each with its
 *     interrupt-controller          "riscv,cpu-intc" (phandle DV_FDT_PHANDLE_INTC(N))
 *   /memory@RAM_BASE
 *   /soc                          simple-bus, 2 address cells, 2 size cells
 *     /plic@BASE                  dv_fdt_plic(): "sifive,plic-1.0.0", "riscv,plic0"
 *     /serial@BASE                dv_fdt_serial(): ns16550a on the PLIC
 *     /virtio_mmio@BASE...        dv_fdt_virtio_mmio(): "virtio,mmio" on the PLIC
 *   /chosen                       bootargs, stdout-path (the first serial), linux,initrd-start/-end
 *   /aliases                      serial0 (with a serial)
 *
 * The PLIC has one context per hart, the S-level one: context i is hart i,
 * taking the supervisor external interrupt (cause 9), so the PLIC model
 * numbers its contexts the same way.
 */
#ifndef DV_FDT_BUILD_H
#define DV_FDT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DV_FDT_MAX_CPUS 64

/* Phandles are fixed, so a node can point at one before it is emitted. */
#define DV_FDT_PHANDLE_PLIC    1
#define DV_FDT_PHANDLE_INTC(i) (2 + (i))

/* The interrupt a hart's cpu-intc raises for PLIC S-level contexts. */
#define DV_FDT_IRQ_S_EXT 9

#define DV_FDT_UART_CLK 3686400 /* Hz: what QEMU's virt machine advertises */

enum dv_fdt_mmu {
	DV_FDT_MMU_SV48, /* "riscv,sv48" (default) */
	DV_FDT_MMU_SV39, /* "riscv,sv39" */
};

/* The tree being written: device nodes are emitted into it. */
struct dv_fdt_writer;

/* A node under /soc: emit(w, ctx) writes it, with the node formats below. */
struct dv_fdt_node {
	void (*emit)(struct dv_fdt_writer *w, const void *ctx);
	const void *ctx;
};

struct dv_fdt_desc {
	unsigned int ncpus;  /* 1..DV_FDT_MAX_CPUS */
	const char *isa;     /* riscv,isa of every hart, e.g. "rv64imafdc_sstc" */
	enum dv_fdt_mmu mmu; /* mmu-type of every hart */
	uint32_t timebase;   /* Hz of the time CSR */
	uint64_t ram_base;   /* /memory reg */
	uint64_t ram_size;
	const char *bootargs;		 /* /chosen bootargs; NULL: none */
	bool has_initrd;		 /* emit linux,initrd-start/-end */
	uint64_t initrd_start;		 /* guest physical */
	uint64_t initrd_end;		 /* exclusive */
	const struct dv_fdt_node *nodes; /* the devices under /soc, nnodes of them */
	unsigned int nnodes;
};

/*
 * The node formats of the board's devices, for their emitters. A node whose
 * values cannot be right (size 0, interrupt 0 or beyond the PLIC's
 * riscv,ndev, ndev outside 1..1023, an interrupt with no PLIC node) makes
 * dv_fdt_build() fail with -EINVAL.
 */
/* The PLIC: sources 1..ndev; context i is hart i's S-level one. */
void dv_fdt_plic(struct dv_fdt_writer *w, uint64_t base, uint64_t size, uint32_t ndev);
/* An ns16550a on PLIC source irq; the first one emitted is stdout-path and serial0. */
void dv_fdt_serial(struct dv_fdt_writer *w, uint64_t base, uint64_t size, uint32_t irq);
/* A virtio-mmio transport on PLIC source irq. */
void dv_fdt_virtio_mmio(struct dv_fdt_writer *w, uint64_t base, uint64_t size, uint32_t irq);

/*
 * Build the DTB into buf[0..size). Returns 0, -EINVAL for a description that
 * cannot be expressed (no cpus, too many, no isa, initrd end before start, a
 * bad device node) or a libfdt failure, -ENOSPC if buf is too small. The
 * result is packed: fdt_totalsize(buf) is what to copy.
 */
int dv_fdt_build(const struct dv_fdt_desc *d, void *buf, size_t size);

#endif /* DV_FDT_BUILD_H */
