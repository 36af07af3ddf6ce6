// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the PLIC model (hw/plic.c), against a reference model
 * written here from plic.h and the PLIC specification.
 *
 * Input: flags u8, nsources u16, ncontexts u8, then operations until the
 * input ends: an opcode u8 (% OP_COUNT) and its arguments (see the enum).
 * The flags choose the size: bit 0 raw create arguments, which may be
 * invalid; else bit 1 up to 1024 sources and 4 contexts, or with bit 2 up
 * to 64 contexts; else up to 128 sources and 16 contexts (a board's 64 and
 * 15). The big ones get 16 operations: every change re-evaluates every
 * context. The structured operations aim at the registers; the raw ones
 * take any offset and size.
 *
 * Checked, besides ASan/UBSan:
 * - dv_plic_create() refuses (NULL, EINVAL) exactly the arguments plic.h
 *   calls bad;
 * - every read (priority, pending, enable, threshold, claim, and any other
 *   offset or size, which must read 0) returns what the model says;
 * - a claim returns 0 or a source < nsources that was pending, enabled for
 *   the context and above its threshold, of the highest such priority (the
 *   lowest id on ties), and hides it from every context until completed;
 * - a completion of an id that is not claimed, or not enabled for the
 *   context, changes nothing (no line moves, later reads agree);
 * - after every operation each context's line is high exactly when some
 *   enabled pending source of its is above its threshold; set() is called
 *   only on a change, for a context < ncontexts, with the PLIC's lock held
 *   (plic.h: the callbacks run under it; this file includes plic.c to see
 *   the lock).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"
#include "hw/plic.c"

#define MAX_OPS 1024
#define NSRC	DV_PLIC_MAX_SOURCES
#define NCTX	DV_PLIC_MAX_CONTEXTS

enum {
	OP_PRIORITY,  /* src u16, value u32 */
	OP_ENABLE,    /* ctx u8, word u8, value u32 */
	OP_THRESHOLD, /* ctx u8, value u32 */
	OP_CLAIM,     /* ctx u8 */
	OP_COMPLETE,  /* ctx u8, id u16 (bit 15: the last id claimed) */
	OP_READ,      /* region u8, index u16 */
	OP_SET_IRQ,   /* src u16 (bit 15: the level) */
	OP_RAW_WRITE, /* offset u32, size u8, value u64 */
	OP_RAW_READ,  /* offset u32, size u8 */
	OP_BURST,     /* src u8: raise 40 lines from src, enable them for context 0, serve them */
	OP_COUNT
};

/* The reference model and the checks, not instrumented for coverage: they would take most
 * of the time, and guide nothing */
#define MODEL __attribute__((no_sanitize("coverage")))

static struct {
	unsigned int nsrc, nctx;
	uint8_t prio[NSRC];
	/* bitmaps, 64 sources a word */
	uint64_t level[NSRC / 64], claimed[NSRC / 64];
	uint64_t en[NCTX][NSRC / 64];
	uint32_t thr[NCTX];
} m;

MODEL static bool bit(const uint64_t *map, unsigned int s)
{
	return map[s / 64] >> (s % 64) & 1;
}

MODEL static void setbit(uint64_t *map, unsigned int s, bool v)
{
	if (v)
		map[s / 64] |= 1ull << (s % 64);
	else
		map[s / 64] &= ~(1ull << (s % 64));
}

static struct dv_plic *plic;
static bool line[NCTX];	      /* as set() drove it */
static unsigned int moves;    /* set() calls */
static uint32_t last_claimed; /* for OP_COMPLETE */
static unsigned int claims, completions;
static bool sweeping; /* the final read of every register: lines checked once, after */

static void ctx_set(void *opaque, unsigned int n, bool level)
{
	(void)opaque;
	FZ_CHECK(n < m.nctx, "set() of context %u of %u", n, m.nctx);
	FZ_CHECK(!dv_trylock(&plic->lock), "context %u's line set without the PLIC's lock", n);
	FZ_CHECK(line[n] != level, "context %u's line set to %d again", n, level);
	line[n] = level;
	moves++;
}

MODEL static unsigned int model_best(unsigned int c)
{
	unsigned int best = 0, prio = m.thr[c];

	for (unsigned int w = 0; w < (m.nsrc + 63) / 64; w++) {
		uint64_t cand = m.level[w] & ~m.claimed[w] & m.en[c][w];

		while (cand) {
			unsigned int s = 64 * w + (unsigned int)__builtin_ctzll(cand);

			cand &= cand - 1;
			if (m.prio[s] > prio) {
				best = s;
				prio = m.prio[s];
			}
		}
	}
	return best;
}

MODEL static void check_lines(const char *after)
{
	for (unsigned int c = 0; c < m.nctx; c++) {
		bool want = model_best(c) != 0;

		FZ_CHECK(line[c] == want, "after %s: context %u's line %d, want %d", after, c,
			 line[c], want);
	}
}

MODEL static uint32_t model_claim(unsigned int c)
{
	unsigned int s = model_best(c);

	if (s)
		setbit(m.claimed, s, true);
	return s;
}

/* true when the completion takes effect */
MODEL static bool model_complete(unsigned int c, uint32_t id)
{
	if (id == 0 || id >= m.nsrc || !bit(m.claimed, id) || !bit(m.en[c], id))
		return false;
	setbit(m.claimed, id, false);
	return true;
}

/* The model's register file, decoded from plic.h's layout */
MODEL static uint64_t model_read(uint64_t off, unsigned int size)
{
	uint64_t v = 0, w, c, reg;

	if (size != 4 || off % 4 || off >= DV_PLIC_SIZE)
		return 0;
	if (off < 0x1000) {
		w = off / 4;
		return w < m.nsrc ? m.prio[w] : 0;
	}
	if (off >= 0x1000 && off < 0x1080) {
		w = (off - 0x1000) / 4;
		for (unsigned int b = 0; b < 32; b++)
			if (bit(m.level, 32 * w + b) && !bit(m.claimed, 32 * w + b))
				v |= 1ull << b;
		return v;
	}
	if (off >= 0x2000 && off < 0x2000 + 0x80 * NCTX) {
		c = (off - 0x2000) / 0x80;
		w = (off - 0x2000) % 0x80 / 4;
		if (c >= m.nctx)
			return 0;
		for (unsigned int b = 0; b < 32; b++)
			if (bit(m.en[c], 32 * w + b))
				v |= 1ull << b;
		return v;
	}
	if (off >= 0x200000 && off < 0x200000 + 0x1000 * NCTX) {
		c = (off - 0x200000) / 0x1000;
		reg = off % 0x1000;
		if (c >= m.nctx)
			return 0;
		if (reg == 0)
			return m.thr[c];
		if (reg == 4)
			return model_claim((unsigned int)c);
	}
	return 0;
}

/* The model's write; true if it is a completion that takes effect */
MODEL static bool model_write(uint64_t off, unsigned int size, uint32_t val)
{
	uint64_t w, c, reg, s;

	if (size != 4 || off % 4 || off >= DV_PLIC_SIZE)
		return false;
	if (off < 0x1000) {
		s = off / 4;
		if (s && s < m.nsrc)
			m.prio[s] = val & 7;
	} else if (off >= 0x2000 && off < 0x2000 + 0x80 * NCTX) {
		c = (off - 0x2000) / 0x80;
		w = (off - 0x2000) % 0x80 / 4;
		if (c >= m.nctx)
			return false;
		for (unsigned int b = 0; b < 32; b++) {
			s = 32 * w + b;
			if (s && s < m.nsrc)
				setbit(m.en[c], s, val >> b & 1);
		}
	} else if (off >= 0x200000 && off < 0x200000 + 0x1000 * NCTX) {
		c = (off - 0x200000) / 0x1000;
		reg = off % 0x1000;
		if (c >= m.nctx)
			return false;
		if (reg == 0)
			m.thr[c] = val & 7;
		else if (reg == 4)
			return model_complete((unsigned int)c, val);
	}
	return false;
}

MODEL static bool is_claim(uint64_t off, unsigned int size)
{
	return size == 4 && off >= 0x200000 && off < 0x200000 + 0x1000 * NCTX &&
	       (off - 0x200000) / 0x1000 < m.nctx && off % 0x1000 == 4;
}

MODEL static uint64_t rd(uint64_t off, unsigned int size)
{
	uint64_t got = 0xdeadbeef, want;
	bool claim = is_claim(off, size);
	unsigned int c = (unsigned int)((off - 0x200000) / 0x1000);
	unsigned int before = claim ? model_best(c) : 0;
	int r = dv_plic_mmio_ops.read(plic, off, size, &got);

	want = model_read(off, size);
	FZ_CHECK(r == 0, "read %#llx/%u failed: %d", (unsigned long long)off, size, r);
	if (claim) {
		/* what a claim may return, whatever the model says */
		FZ_CHECK(got < m.nsrc, "context %u claimed %llu of %u sources", c,
			 (unsigned long long)got, m.nsrc);
		FZ_CHECK(!got || (bit(m.level, got) && bit(m.en[c], got) && m.prio[got] > m.thr[c]),
			 "context %u claimed %llu: level %d enabled %d priority %u threshold %u", c,
			 (unsigned long long)got, bit(m.level, got), bit(m.en[c], got), m.prio[got],
			 m.thr[c]);
		FZ_CHECK(got == before, "context %u claimed %llu, the best was %u", c,
			 (unsigned long long)got, before);
		claims += got != 0;
		if (got)
			last_claimed = (uint32_t)got;
	}
	FZ_CHECK(got == want, "read %#llx/%u: %#llx, want %#llx", (unsigned long long)off, size,
		 (unsigned long long)got, (unsigned long long)want);
	if (!sweeping)
		check_lines("a read");
	return got;
}

MODEL static void wr(uint64_t off, unsigned int size, uint64_t val)
{
	unsigned int before = moves;
	bool took = model_write(off, size, (uint32_t)val);
	bool complete = size == 4 && off % 0x1000 == 4 && off >= 0x200000;
	int r = dv_plic_mmio_ops.write(plic, off, size, val);

	FZ_CHECK(r == 0, "write %#llx/%u failed: %d", (unsigned long long)off, size, r);
	/* a completion that is ignored changes nothing at all */
	FZ_CHECK(!complete || took || moves == before, "ignored completion of %u moved a line",
		 (uint32_t)val);
	completions += took;
	check_lines("a write");
}

MODEL static void set_irq(unsigned int src, bool level)
{
	if (src && src < m.nsrc)
		setbit(m.level, src, level);
	if (src & 1)
		dv_plic_line_set(plic, src, level);
	else
		dv_plic_set_irq(plic, src, level);
	check_lines("set_irq");
}

static const unsigned int sizes[4] = {4, 1, 2, 8};

static uint64_t ctx_off(unsigned int c, unsigned int reg)
{
	return 0x200000 + 0x1000ull * c + reg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct dv_irq_line lines[NCTX];
	uint8_t flags = fz_u8(&f);
	unsigned int nsrc = fz_u16(&f), nctx = fz_u8(&f), c, s, n, max_ops;
	uint64_t off;

	/*
	 * Every change re-evaluates every context over every pending source:
	 * the big PLICs are slow, so they get fewer operations.
	 */
	max_ops = MAX_OPS;
	if (flags & 1) {
		nsrc %= NSRC + 8;
		nctx %= NCTX + 4;
		max_ops = 16;
	} else if (flags & 2) {
		nsrc = 2 + nsrc % (NSRC - 1);
		nctx = 1 + nctx % NCTX;
		max_ops = flags & 4 ? 16 : MAX_OPS;
		if (!(flags & 4) && nctx > 4)
			nctx = 1 + nctx % 4;
	} else {
		/* a board's size (64 sources, up to 15 harts) */
		nsrc = 2 + nsrc % 127;
		nctx = 1 + nctx % 16;
	}
	for (c = 0; c < NCTX; c++)
		lines[c] = (struct dv_irq_line){ctx_set, NULL, c};
	memset(&m, 0, sizeof(m));
	memset(line, 0, sizeof(line));
	m.nsrc = nsrc;
	m.nctx = nctx;
	moves = claims = completions = 0;
	last_claimed = 0;
	errno = 0;
	plic = dv_plic_create(nsrc, nctx, lines);
	if (nsrc < 2 || nsrc > NSRC || nctx < 1 || nctx > NCTX) {
		FZ_CHECK(!plic && errno == EINVAL, "create(%u, %u): %p, errno %d", nsrc, nctx,
			 (void *)plic, errno);
		return 0;
	}
	FZ_CHECK(plic, "create(%u, %u) failed: errno %d", nsrc, nctx, errno);
	FZ_CHECK(!dv_plic_create(nsrc, nctx, NULL) && errno == EINVAL, "create without lines");

	for (n = 0; n < max_ops && f.n; n++) {
		unsigned int op = fz_u8(&f) % OP_COUNT;
		uint32_t v;

		switch (op) {
		case OP_PRIORITY:
			s = fz_u16(&f) % NSRC;
			wr(4ull * s, 4, fz_u32(&f));
			break;
		case OP_ENABLE:
			c = fz_u8(&f) % (NCTX + 2);
			s = fz_u8(&f) % 33;
			wr(0x2000 + 0x80ull * c + 4 * s, 4, fz_u32(&f));
			break;
		case OP_THRESHOLD:
			c = fz_u8(&f) % (NCTX + 2);
			wr(ctx_off(c, 0), 4, fz_u32(&f));
			break;
		case OP_CLAIM:
			c = fz_u8(&f) % nctx;
			rd(ctx_off(c, 4), 4);
			break;
		case OP_COMPLETE:
			c = fz_u8(&f) % (nctx + 1);
			v = fz_u16(&f);
			wr(ctx_off(c, 4), 4, v & 0x8000 ? last_claimed : v);
			break;
		case OP_READ:
			s = fz_u8(&f) % 4;
			v = fz_u16(&f);
			off = s == 0   ? 4ull * (v % NSRC)
			      : s == 1 ? 0x1000 + 4ull * (v % 33)
			      : s == 2 ? 0x2000 + 0x80ull * (v / 33 % (NCTX + 1)) + 4 * (v % 33)
				       : ctx_off(v % (NCTX + 1), 0);
			rd(off, 4);
			break;
		case OP_SET_IRQ:
			v = fz_u16(&f);
			set_irq((v & 0x7fff) % (NSRC + 8), v >> 15);
			break;
		case OP_RAW_WRITE:
			off = fz_u32(&f) % (DV_PLIC_SIZE + 0x100);
			s = sizes[fz_u8(&f) % 4];
			wr(off, s, fz_u64(&f));
			break;
		case OP_RAW_READ:
			off = fz_u32(&f) % (DV_PLIC_SIZE + 0x100);
			rd(off, sizes[fz_u8(&f) % 4]);
			break;
		case OP_BURST:
			s = fz_u8(&f);
			for (unsigned int i = s; i < s + 40 && i < nsrc; i++) {
				wr(4ull * i, 4, i);
				set_irq(i, true);
			}
			for (unsigned int w = s / 32; w <= (s + 39) / 32 && w < 32; w++)
				wr(0x2000 + 4ull * w, 4, ~0u);
			/* the driver's loop; the device lowers its line once served */
			for (unsigned int i = 0; i < 64 && (v = (uint32_t)rd(ctx_off(0, 4), 4));
			     i++) {
				set_irq(v, false);
				wr(ctx_off(0, 4), 4, v);
			}
			break;
		}
	}
	/* every register, as the model has it (claims last: they change state) */
	sweeping = true;
	for (s = 0; s < nsrc; s++)
		rd(4ull * s, 4);
	for (s = 0; s < (nsrc + 31) / 32 + 1; s++)
		rd(0x1000 + 4ull * s, 4);
	for (c = 0; c < nctx; c++) {
		for (s = 0; s < (nsrc + 31) / 32; s++)
			rd(0x2000 + 0x80ull * c + 4 * s, 4);
		rd(ctx_off(c, 0), 4);
	}
	sweeping = false;
	for (c = 0; c < nctx; c++)
		rd(ctx_off(c, 4), 4);
	if (fz_verbose())
		fprintf(stderr,
			"plic: %u sources, %u contexts, %u ops, %u claims, %u completions, "
			"%u line moves\n",
			nsrc, nctx, n, claims, completions, moves);
	dv_plic_destroy(plic);
	plic = NULL;
	return 0;
}
