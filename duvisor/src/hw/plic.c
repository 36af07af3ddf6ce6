// SPDX-License-Identifier: GPL-2.0-only
/*
 * SiFive PLIC model (see plic.h for the register layout and the rules on
 * guest accesses and locking).
 *
 * The PLIC core keeps, per source, a pending bit fed by a gateway and a
 * claimed bit. With level-triggered gateways, as here, a source is pending
 * while its line is high and it is not claimed: a claim hands it to one
 * context and hides it from every context until that context completes it;
 * completion lets the gateway forward the line again, so a device still
 * asserting its line is pending again at once. A context is offered the
 * enabled pending source of highest priority strictly above its threshold,
 * the lowest id winning ties; priority 0 never interrupts.
 */
#include "hw/plic.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/lock.h"
#include "util/snapbuf.h"
#include "vmm/faults.h"

#define PLIC_WORDS (DV_PLIC_MAX_SOURCES / 32)

struct plic_context {
	uint32_t enable[PLIC_WORDS];
	uint32_t threshold;
	bool out; /* level last driven on line */
	struct dv_irq_line line;
};

struct dv_plic {
	struct dv_lock lock;
	unsigned int nsources;
	unsigned int ncontexts;
	unsigned int nwords;	      /* 32-bit words of the source bitmaps in use */
	uint32_t valid[PLIC_WORDS];   /* bits of sources 1..nsources-1 */
	uint32_t level[PLIC_WORDS];   /* input lines, from dv_plic_set_irq() */
	uint32_t claimed[PLIC_WORDS]; /* claimed and not yet completed */
	uint8_t priority[DV_PLIC_MAX_SOURCES];
	struct plic_context ctx[DV_PLIC_MAX_CONTEXTS];
};

static uint32_t plic_bit(unsigned int src)
{
	return UINT32_C(1) << (src % 32);
}

/* The source context c would get from a claim now, or 0. */
static unsigned int plic_best(const struct dv_plic *p, const struct plic_context *c)
{
	unsigned int best = 0;
	uint32_t best_prio = c->threshold;

	for (unsigned int w = 0; w < p->nwords; w++) {
		uint32_t bits = p->level[w] & ~p->claimed[w] & c->enable[w];

		while (bits) {
			unsigned int src = w * 32 + (unsigned int)__builtin_ctz(bits);

			bits &= bits - 1;
			/* Strictly greater: ascending scan keeps the lowest id on ties. */
			if (p->priority[src] > best_prio) {
				best = src;
				best_prio = p->priority[src];
			}
		}
	}
	return best;
}

/* Re-evaluates every context's output after any change of state. */
static void plic_update(struct dv_plic *p)
{
	for (unsigned int i = 0; i < p->ncontexts; i++) {
		struct plic_context *c = &p->ctx[i];
		bool level = plic_best(p, c) != 0;

		if (level != c->out) {
			c->out = level;
			dv_irq_set(&c->line, level);
		}
	}
}

struct dv_plic *dv_plic_create(unsigned int nsources, unsigned int ncontexts,
			       const struct dv_irq_line *ctx_lines)
{
	struct dv_plic *p;

	if (nsources < 2 || nsources > DV_PLIC_MAX_SOURCES || ncontexts == 0 ||
	    ncontexts > DV_PLIC_MAX_CONTEXTS || !ctx_lines) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	dv_lock_init(&p->lock);
	p->nsources = nsources;
	p->ncontexts = ncontexts;
	p->nwords = (nsources + 31) / 32;
	for (unsigned int src = 1; src < nsources; src++)
		p->valid[src / 32] |= plic_bit(src);
	for (unsigned int i = 0; i < ncontexts; i++)
		p->ctx[i].line = ctx_lines[i];
	return p;
}

void dv_plic_destroy(struct dv_plic *p)
{
	if (!p)
		return;
	free(p);
}

void dv_plic_set_irq(struct dv_plic *p, unsigned int src, bool level)
{
	uint32_t *word, old;

	if (src == 0 || src >= p->nsources)
		return;
	word = &p->level[src / 32];
	dv_lock(&p->lock);
	old = *word;
	*word = level ? old | plic_bit(src) : old & ~plic_bit(src);
	if (*word != old)
		plic_update(p);
	dv_unlock(&p->lock);
}

/*
 * Register regions. Each handler gets the offset relative to its region,
 * 4-byte aligned, and checks it against this PLIC's sources and contexts.
 */

/*
 * Priorities are WARL with three bits: any value is accepted and its low
 * three bits are kept (as QEMU does with num-priorities = 7). Source 0 has
 * no priority register: it reads 0.
 */
static uint32_t priority_read(struct dv_plic *p, uint64_t off)
{
	uint64_t src = off / 4;

	return src < p->nsources ? p->priority[src] : 0;
}

static void priority_write(struct dv_plic *p, uint64_t off, uint32_t val)
{
	uint64_t src = off / 4;

	if (src == 0 || src >= p->nsources)
		return;
	p->priority[src] = val & DV_PLIC_MAX_PRIORITY;
	plic_update(p);
}

/* Pending bits are read-only: only a claim clears one. */
static uint32_t pending_read(struct dv_plic *p, uint64_t off)
{
	uint64_t w = off / 4;

	return w < p->nwords ? p->level[w] & ~p->claimed[w] : 0;
}

/* Enable bits exist only for sources 1..nsources-1; the others read 0. */
static uint32_t enable_read(struct dv_plic *p, uint64_t off)
{
	uint64_t ctx = off / DV_PLIC_ENABLE_STRIDE, w = off % DV_PLIC_ENABLE_STRIDE / 4;

	return ctx < p->ncontexts && w < p->nwords ? p->ctx[ctx].enable[w] : 0;
}

static void enable_write(struct dv_plic *p, uint64_t off, uint32_t val)
{
	uint64_t ctx = off / DV_PLIC_ENABLE_STRIDE, w = off % DV_PLIC_ENABLE_STRIDE / 4;

	if (ctx >= p->ncontexts || w >= p->nwords)
		return;
	p->ctx[ctx].enable[w] = val & p->valid[w];
	plic_update(p);
}

/*
 * Claim: hands the context its best source (see plic_best) and marks it
 * claimed, which clears its pending bit for every context; 0 if none.
 */
static uint32_t plic_claim(struct dv_plic *p, struct plic_context *c)
{
	unsigned int src = plic_best(p, c);

	if (src) {
		p->claimed[src / 32] |= plic_bit(src);
		plic_update(p);
	}
	return src;
}

/*
 * Complete: the PLIC spec ignores a completion whose id is not enabled for
 * the completing context (Linux's plic_irq_eoi() enables the source around
 * its write for that reason); an id that is not claimed is ignored too.
 */
static void plic_complete(struct dv_plic *p, struct plic_context *c, uint32_t src)
{
	if (src == 0 || src >= p->nsources)
		return;
	if (!(p->claimed[src / 32] & c->enable[src / 32] & plic_bit(src)))
		return;
	p->claimed[src / 32] &= ~plic_bit(src);
	plic_update(p);
}

static uint32_t context_read(struct dv_plic *p, uint64_t off)
{
	uint64_t ctx = off / DV_PLIC_CONTEXT_STRIDE, reg = off % DV_PLIC_CONTEXT_STRIDE;

	if (ctx >= p->ncontexts)
		return 0;
	if (reg == DV_PLIC_CONTEXT_THRESHOLD)
		return p->ctx[ctx].threshold;
	if (reg == DV_PLIC_CONTEXT_CLAIM)
		return plic_claim(p, &p->ctx[ctx]);
	return 0;
}

static void context_write(struct dv_plic *p, uint64_t off, uint32_t val)
{
	uint64_t ctx = off / DV_PLIC_CONTEXT_STRIDE, reg = off % DV_PLIC_CONTEXT_STRIDE;

	if (ctx >= p->ncontexts)
		return;
	if (reg == DV_PLIC_CONTEXT_THRESHOLD) {
		/* WARL like the priorities: a threshold of 7 masks everything. */
		p->ctx[ctx].threshold = val & DV_PLIC_MAX_PRIORITY;
		plic_update(p);
	} else if (reg == DV_PLIC_CONTEXT_CLAIM) {
		plic_complete(p, &p->ctx[ctx], val);
	}
}

struct plic_region {
	uint64_t base;
	uint64_t size;
	uint32_t (*read)(struct dv_plic *p, uint64_t off);
	void (*write)(struct dv_plic *p, uint64_t off, uint32_t val); /* NULL: read-only */
};

/* The architectural extent of each region; the handlers trim it to this PLIC. */
#define PLIC_PRIORITY_SPAN (4 * DV_PLIC_MAX_SOURCES)
#define PLIC_PENDING_SPAN  (DV_PLIC_MAX_SOURCES / 8)
#define PLIC_ENABLE_SPAN   (DV_PLIC_MAX_CONTEXTS * DV_PLIC_ENABLE_STRIDE)
#define PLIC_CONTEXT_SPAN  (DV_PLIC_MAX_CONTEXTS * DV_PLIC_CONTEXT_STRIDE)

static const struct plic_region plic_regions[] = {
    {DV_PLIC_PRIORITY_BASE, PLIC_PRIORITY_SPAN, priority_read, priority_write},
    {DV_PLIC_PENDING_BASE, PLIC_PENDING_SPAN, pending_read, NULL},
    {DV_PLIC_ENABLE_BASE, PLIC_ENABLE_SPAN, enable_read, enable_write},
    {DV_PLIC_CONTEXT_BASE, PLIC_CONTEXT_SPAN, context_read, context_write},
};

/* The region holding a well-formed access at offset, or NULL. */
static const struct plic_region *plic_region(uint64_t offset, unsigned size)
{
	if (size != 4 || offset % 4 || offset >= DV_PLIC_SIZE)
		return NULL;
	for (size_t i = 0; i < sizeof(plic_regions) / sizeof(plic_regions[0]); i++) {
		const struct plic_region *r = &plic_regions[i];

		if (offset >= r->base && offset - r->base < r->size)
			return r;
	}
	return NULL;
}

static int plic_mmio_read(void *opaque, uint64_t offset, unsigned size, uint64_t *val)
{
	struct dv_plic *p = opaque;
	const struct plic_region *r = plic_region(offset, size);

	*val = 0;
	if (!r)
		return 0;
	dv_lock(&p->lock);
	*val = r->read(p, offset - r->base);
	dv_unlock(&p->lock);
	return 0;
}

static int plic_mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	struct dv_plic *p = opaque;
	const struct plic_region *r = plic_region(offset, size);

	if (!r || !r->write)
		return 0;
	dv_lock(&p->lock);
	r->write(p, offset - r->base, (uint32_t)val);
	dv_unlock(&p->lock);
	return 0;
}

const struct dv_mmio_ops dv_plic_mmio_ops = {
    .read = plic_mmio_read,
    .write = plic_mmio_write,
};

void dv_plic_line_set(void *plic, unsigned int src, bool level)
{
	if (level && dv_fault_hit(DV_FAULT_IRQ))
		dv_fault_free(&plic);
	dv_plic_set_irq(plic, src, level);
}

void dv_plic_save(struct dv_plic *p, struct dv_snap_w *w)
{
	dv_lock(&p->lock);
	dv_snap_u32(w, p->nsources);
	dv_snap_u32(w, p->ncontexts);
	for (unsigned int i = 0; i < p->nwords; i++) {
		dv_snap_u32(w, p->level[i]);
		dv_snap_u32(w, p->claimed[i]);
	}
	dv_snap_put(w, p->priority, p->nsources);
	for (unsigned int c = 0; c < p->ncontexts; c++) {
		for (unsigned int i = 0; i < p->nwords; i++)
			dv_snap_u32(w, p->ctx[c].enable[i]);
		dv_snap_u32(w, p->ctx[c].threshold);
	}
	dv_unlock(&p->lock);
}

int dv_plic_load(struct dv_plic *p, struct dv_snap_r *r)
{
	int rc = 0;

	dv_lock(&p->lock);
	if (dv_snap_get_u32(r) != p->nsources || dv_snap_get_u32(r) != p->ncontexts) {
		rc = -EINVAL;
		goto out;
	}
	for (unsigned int i = 0; i < p->nwords; i++) {
		p->level[i] = dv_snap_get_u32(r) & p->valid[i];
		p->claimed[i] = dv_snap_get_u32(r) & p->valid[i];
	}
	dv_snap_get(r, p->priority, p->nsources);
	p->priority[0] = 0;
	for (unsigned int s = 1; s < p->nsources; s++)
		p->priority[s] &= DV_PLIC_MAX_PRIORITY;
	for (unsigned int c = 0; c < p->ncontexts; c++) {
		for (unsigned int i = 0; i < p->nwords; i++)
			p->ctx[c].enable[i] = dv_snap_get_u32(r) & p->valid[i];
		p->ctx[c].threshold = dv_snap_get_u32(r) & DV_PLIC_MAX_PRIORITY;
	}
	rc = r->bad ? -EINVAL : 0;
out:
	dv_unlock(&p->lock);
	return rc;
}

void dv_plic_resync(struct dv_plic *p)
{
	dv_lock(&p->lock);
	for (unsigned int i = 0; i < p->ncontexts; i++) {
		struct plic_context *c = &p->ctx[i];

		c->out = plic_best(p, c) != 0;
		dv_irq_set(&c->line, c->out);
	}
	dv_unlock(&p->lock);
}
