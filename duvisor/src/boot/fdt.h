/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's device tree: a QEMU-virt-like machine for a Linux 6.1 riscv64
 * guest, built with libfdt from a plain description of the machine.
 *
 *   /cpus/cpu@N                   one per hart, each with its
 *     interrupt-controller          "riscv,cpu-intc" (phandle DV_FDT_PHANDLE_INTC(N))
 *   /memory@RAM_BASE
 *   /chosen                       bootargs, stdout-path, linux,initrd-start/-end
 *   /aliases                      serial0
 *   /soc                          simple-bus, 2 address cells, 2 size cells
 *     /plic@BASE                  "sifive,plic-1.0.0", "riscv,plic0"
 *     /serial@BASE                ns16550a on the PLIC
 *     /virtio_mmio@BASE...        "virtio,mmio" on the PLIC
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

#define DV_FDT_MAX_CPUS	  64
#define DV_FDT_MAX_VIRTIO 32

/* Phandles are fixed, so a node can point at one before it is emitted. */
#define DV_FDT_PHANDLE_PLIC    1
#define DV_FDT_PHANDLE_INTC(i) (2 + (i))

/* The interrupt a hart's cpu-intc raises for PLIC S-level contexts. */
#define DV_FDT_IRQ_S_EXT 9

#define DV_FDT_UART_SIZE 0x100
#define DV_FDT_UART_CLK	 3686400 /* Hz: what QEMU's virt machine advertises */

enum dv_fdt_mmu {
	DV_FDT_MMU_SV48, /* "riscv,sv48" (default) */
	DV_FDT_MMU_SV39, /* "riscv,sv39" */
};

struct dv_fdt_virtio {
	uint64_t base, size;
	uint32_t irq; /* PLIC source, 1..ndev */
};

struct dv_fdt_desc {
	unsigned int ncpus;  /* 1..DV_FDT_MAX_CPUS */
	const char *isa;     /* riscv,isa of every hart, e.g. "rv64imafdc_sstc" */
	enum dv_fdt_mmu mmu; /* mmu-type of every hart */
	uint32_t timebase;   /* Hz of the time CSR */
	uint64_t ram_base;   /* /memory reg */
	uint64_t ram_size;
	const char *bootargs;  /* /chosen bootargs; NULL: none */
	bool has_initrd;       /* emit linux,initrd-start/-end */
	uint64_t initrd_start; /* guest physical */
	uint64_t initrd_end;   /* exclusive */
	struct {
		uint64_t base;
		uint32_t irq;
	} uart;
	struct {
		uint64_t base, size;
		uint32_t ndev; /* riscv,ndev: sources 1..ndev */
	} plic;
	const struct dv_fdt_virtio *virtio; /* nvirtio entries */
	unsigned int nvirtio;
};

/*
 * Build the DTB into buf[0..size). Returns 0, -EINVAL for a description that
 * cannot be expressed (no cpus, too many, no isa, initrd end before start,
 * an interrupt outside 1..ndev) or a libfdt failure, -ENOSPC if buf is too
 * small. The result is packed: fdt_totalsize(buf) is what to copy.
 */
int dv_fdt_build(const struct dv_fdt_desc *d, void *buf, size_t size);

#endif /* DV_FDT_BUILD_H */
