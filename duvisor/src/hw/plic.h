/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A model of the SiFive PLIC as QEMU's virt machine has it ("sifive,plic-1.0.0",
 * driven by Linux's drivers/irqchip/irq-sifive-plic.c).
 *
 * Sources 1..nsources-1 are level-triggered inputs (source 0 does not exist:
 * a claim that returns 0 means "nothing"); contexts are the interrupt targets
 * (one per hart and privilege mode), each with an output line that is high
 * while the context has an interrupt it could claim.
 *
 * Guest register layout (offsets in the window, 32-bit registers):
 *
 *   0x000000 + 4*src                   priority of src (0 = never; 1..7)
 *   0x001000 + 4*word                  pending bits, read-only
 *   0x002000 + 0x80*ctx + 4*word       enable bits of ctx
 *   0x200000 + 0x1000*ctx              priority threshold of ctx
 *   0x200000 + 0x1000*ctx + 4          claim (read) / complete (write) of ctx
 *
 * Only aligned 4-byte accesses reach a register; any other width or an
 * unaligned offset reads 0 and is ignored on write (without the side effect
 * of a claim). Offsets that name no register read 0 and ignore writes. No
 * guest access ever fails the MMIO handler.
 *
 * Locking: one mutex per PLIC. dv_plic_set_irq() may be called from any
 * thread, concurrently with MMIO from vCPU threads. The context lines'
 * set() callbacks are called with that mutex held, so they must not call
 * back into the PLIC (they typically set a flag and kick a vCPU).
 */
#ifndef DV_PLIC_H
#define DV_PLIC_H

#include <stdbool.h>

#include "vmm/irq.h"
#include "vmm/mmio.h"

#define DV_PLIC_SIZE	     0x4000000
#define DV_PLIC_MAX_SOURCES  1024 /* counting the absent source 0 */
#define DV_PLIC_MAX_CONTEXTS 64
#define DV_PLIC_MAX_PRIORITY 7 /* three priority bits, as on QEMU virt */

#define DV_PLIC_PRIORITY_BASE	  0x0
#define DV_PLIC_PENDING_BASE	  0x1000
#define DV_PLIC_ENABLE_BASE	  0x2000
#define DV_PLIC_ENABLE_STRIDE	  0x80
#define DV_PLIC_CONTEXT_BASE	  0x200000
#define DV_PLIC_CONTEXT_STRIDE	  0x1000
#define DV_PLIC_CONTEXT_THRESHOLD 0x0
#define DV_PLIC_CONTEXT_CLAIM	  0x4

struct dv_plic;

/*
 * A PLIC with sources 1..nsources-1 (2 <= nsources <= 1024: Linux refuses a
 * PLIC whose riscv,ndev = nsources - 1 is 0) and ncontexts contexts
 * (1..64); context c drives ctx_lines[c], which is copied. All priorities,
 * enables and thresholds start at 0 and every line starts (and is assumed)
 * low. NULL with errno EINVAL on bad arguments, ENOMEM if out of memory.
 */
struct dv_plic *dv_plic_create(unsigned int nsources, unsigned int ncontexts,
			       const struct dv_irq_line *ctx_lines);
/* No other thread may use the PLIC any more. NULL is accepted. */
void dv_plic_destroy(struct dv_plic *p);
/* Drives input line src; ignored for src 0 or src >= nsources. Any thread. */
void dv_plic_set_irq(struct dv_plic *p, unsigned int src, bool level);
/* dv_plic_set_irq() as a struct dv_irq_line setter: {dv_plic_line_set, plic, source}. */
void dv_plic_line_set(void *plic, unsigned int src, bool level);

struct dv_snap_w;
struct dv_snap_r;
/*
 * Its state (snapshots, docs/snapshot.md): sources' lines, claims,
 * priorities, each context's enables and threshold. load checks the
 * geometry and legalises every value; it drives no line: dv_plic_resync()
 * drives every context's line as the state says, once its vCPUs can take it.
 */
void dv_plic_save(struct dv_plic *p, struct dv_snap_w *w);
int dv_plic_load(struct dv_plic *p, struct dv_snap_r *r);
void dv_plic_resync(struct dv_plic *p);

/* MMIO handlers for the DV_PLIC_SIZE window; opaque = struct dv_plic *. */
extern const struct dv_mmio_ops dv_plic_mmio_ops;

#endif /* DV_PLIC_H */
