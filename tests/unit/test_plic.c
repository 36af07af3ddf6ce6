// SPDX-License-Identifier: GPL-2.0-only
/* The PLIC model, driven through its MMIO handlers as Linux's irq-sifive-plic does. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "hw/plic.h"
#include "util/snapbuf.h"
#include "unit.h"

#define PRIO(src)      (DV_PLIC_PRIORITY_BASE + 4 * (uint64_t)(src))
#define PENDING(w)     (DV_PLIC_PENDING_BASE + 4 * (uint64_t)(w))
#define ENABLE(ctx, w) (DV_PLIC_ENABLE_BASE + DV_PLIC_ENABLE_STRIDE * (uint64_t)(ctx) + 4 * (w))
#define THRESH(ctx)    (DV_PLIC_CONTEXT_BASE + DV_PLIC_CONTEXT_STRIDE * (uint64_t)(ctx))
#define CLAIM(ctx)     (THRESH(ctx) + DV_PLIC_CONTEXT_CLAIM)

#define NSRC 64 /* sources 1..63: two enable words */
#define NCTX 4

/* Records what the PLIC drives on each context line. */
struct recorder {
	pthread_mutex_t lock;
	bool level[NCTX];
	unsigned int calls[NCTX];
};

static void rec_set(void *opaque, unsigned int n, bool level)
{
	struct recorder *r = opaque;

	pthread_mutex_lock(&r->lock);
	if (n < NCTX) {
		r->level[n] = level;
		r->calls[n]++;
	}
	pthread_mutex_unlock(&r->lock);
}

static struct dv_plic *make(struct recorder *r, unsigned int nsources)
{
	struct dv_irq_line lines[NCTX];

	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	for (unsigned int i = 0; i < NCTX; i++)
		lines[i] = (struct dv_irq_line){rec_set, r, i};
	return dv_plic_create(nsources, NCTX, lines);
}

static uint32_t rd(int *ut_failed, struct dv_plic *p, uint64_t off)
{
	uint64_t v = 0xdeadbeef;
	int rc = dv_plic_mmio_ops.read(p, off, 4, &v);

	UT_CHECK(rc == 0, "read 0x%llx: rc %d", (unsigned long long)off, rc);
	UT_CHECK(v <= UINT32_MAX, "read 0x%llx: 0x%llx", (unsigned long long)off,
		 (unsigned long long)v);
	return (uint32_t)v;
}

static void wr(int *ut_failed, struct dv_plic *p, uint64_t off, uint32_t val)
{
	int rc = dv_plic_mmio_ops.write(p, off, 4, val);

	UT_CHECK(rc == 0, "write 0x%llx: rc %d", (unsigned long long)off, rc);
}

/* Enables src on ctx the way Linux's __plic_toggle does: read, or, write. */
static void enable(int *ut_failed, struct dv_plic *p, unsigned int ctx, unsigned int src)
{
	uint64_t off = ENABLE(ctx, src / 32);

	wr(ut_failed, p, off, rd(ut_failed, p, off) | UINT32_C(1) << (src % 32));
}

static void disable(int *ut_failed, struct dv_plic *p, unsigned int ctx, unsigned int src)
{
	uint64_t off = ENABLE(ctx, src / 32);

	wr(ut_failed, p, off, rd(ut_failed, p, off) & ~(UINT32_C(1) << (src % 32)));
}

UT_TEST(plic_create_checks_arguments)
{
	struct dv_irq_line lines[DV_PLIC_MAX_CONTEXTS + 1] = {0};
	struct dv_plic *p;

	errno = 0;
	UT_CHECK(!dv_plic_create(0, 1, lines) && errno == EINVAL, "nsources 0");
	UT_CHECK(!dv_plic_create(1, 1, lines), "nsources 1: no source exists");
	UT_CHECK(!dv_plic_create(DV_PLIC_MAX_SOURCES + 1, 1, lines), "nsources 1025");
	UT_CHECK(!dv_plic_create(32, 0, lines), "no context");
	UT_CHECK(!dv_plic_create(32, DV_PLIC_MAX_CONTEXTS + 1, lines), "65 contexts");
	UT_CHECK(!dv_plic_create(32, 1, NULL), "no lines");
	p = dv_plic_create(DV_PLIC_MAX_SOURCES, DV_PLIC_MAX_CONTEXTS, lines);
	UT_CHECK(p, "largest PLIC");
	/* Lines without set() are fine: dv_irq_set skips them. */
	if (p) {
		wr(ut_failed, p, PRIO(DV_PLIC_MAX_SOURCES - 1), 1);
		enable(ut_failed, p, DV_PLIC_MAX_CONTEXTS - 1, DV_PLIC_MAX_SOURCES - 1);
		dv_plic_set_irq(p, DV_PLIC_MAX_SOURCES - 1, true);
		UT_CHECK(rd(ut_failed, p, CLAIM(DV_PLIC_MAX_CONTEXTS - 1)) ==
			     DV_PLIC_MAX_SOURCES - 1,
			 "last source on last context");
	}
	dv_plic_destroy(p);
	dv_plic_destroy(NULL);
}

UT_TEST(plic_reset_state)
{
	struct recorder r;
	struct dv_plic *p = make(&r, NSRC);

	for (unsigned int src = 0; src < NSRC; src++)
		UT_CHECK(rd(ut_failed, p, PRIO(src)) == 0, "priority %u", src);
	for (unsigned int c = 0; c < NCTX; c++) {
		UT_CHECK(rd(ut_failed, p, ENABLE(c, 0)) == 0, "enable ctx %u", c);
		UT_CHECK(rd(ut_failed, p, THRESH(c)) == 0, "threshold ctx %u", c);
		UT_CHECK(rd(ut_failed, p, CLAIM(c)) == 0, "claim ctx %u", c);
		UT_CHECK(r.calls[c] == 0, "line %u driven at reset", c);
	}
	UT_CHECK(rd(ut_failed, p, PENDING(0)) == 0, "pending");
	dv_plic_destroy(p);
}

UT_TEST(plic_priority_is_warl)
{
	struct recorder r;
	struct dv_plic *p = make(&r, NSRC);

	wr(ut_failed, p, PRIO(1), 5);
	UT_CHECK(rd(ut_failed, p, PRIO(1)) == 5, "priority 5");
	wr(ut_failed, p, PRIO(2), 0xffffffff);
	UT_CHECK(rd(ut_failed, p, PRIO(2)) == 7, "all ones reads 7");
	wr(ut_failed, p, PRIO(3), 9);
	UT_CHECK(rd(ut_failed, p, PRIO(3)) == 1, "9 keeps its low three bits");
	wr(ut_failed, p, PRIO(0), 3);
	UT_CHECK(rd(ut_failed, p, PRIO(0)) == 0, "source 0 has no priority");
	wr(ut_failed, p, PRIO(NSRC), 3);
	UT_CHECK(rd(ut_failed, p, PRIO(NSRC)) == 0, "source past the last");
	wr(ut_failed, p, PRIO(DV_PLIC_MAX_SOURCES - 1), 3);
	UT_CHECK(rd(ut_failed, p, PRIO(DV_PLIC_MAX_SOURCES - 1)) == 0, "source 1023 absent");
	wr(ut_failed, p, THRESH(0), 0x12);
	UT_CHECK(rd(ut_failed, p, THRESH(0)) == 2, "threshold keeps three bits");
	dv_plic_destroy(p);
}

UT_TEST(plic_enables_are_per_context)
{
	struct recorder r;
	struct dv_plic *p = make(&r, NSRC);

	wr(ut_failed, p, ENABLE(0, 0), 0xffffffff);
	wr(ut_failed, p, ENABLE(0, 1), 0xffffffff);
	UT_CHECK(rd(ut_failed, p, ENABLE(0, 0)) == 0xfffffffe, "source 0 cannot be enabled");
	UT_CHECK(rd(ut_failed, p, ENABLE(0, 1)) == 0xffffffff, "sources 32..63");
	wr(ut_failed, p, ENABLE(0, 2), 0xffffffff);
	UT_CHECK(rd(ut_failed, p, ENABLE(0, 2)) == 0, "word past the last source");
	UT_CHECK(rd(ut_failed, p, ENABLE(1, 0)) == 0, "context 1 untouched");
	wr(ut_failed, p, ENABLE(0, 0), 0);
	wr(ut_failed, p, ENABLE(0, 1), 0);

	wr(ut_failed, p, PRIO(40), 1);
	enable(ut_failed, p, 2, 40);
	dv_plic_set_irq(p, 40, true);
	UT_CHECK(r.level[2] && !r.level[0] && !r.level[1] && !r.level[3], "only context 2");
	UT_CHECK(rd(ut_failed, p, CLAIM(0)) == 0, "context 0 cannot claim it");
	disable(ut_failed, p, 2, 40);
	UT_CHECK(!r.level[2], "disabling lowers the line");
	UT_CHECK(rd(ut_failed, p, PENDING(1)) == 1u << 8, "still pending");
	enable(ut_failed, p, 3, 40);
	UT_CHECK(r.level[3] && !r.level[2], "moved to context 3");
	UT_CHECK(rd(ut_failed, p, CLAIM(3)) == 40, "claimed on context 3");
	dv_plic_destroy(p);
}

UT_TEST(plic_threshold_masks)
{
	struct recorder r;
	struct dv_plic *p = make(&r, NSRC);

	wr(ut_failed, p, PRIO(5), 3);
	enable(ut_failed, p, 0, 5);
	wr(ut_failed, p, THRESH(0), 3);
	dv_plic_set_irq(p, 5, true);
	UT_CHECK(!r.level[0], "priority equal to the threshold is masked");
	UT_CHECK(rd(ut_failed, p, CLAIM(0)) == 0, "nothing to claim at threshold 3");
	UT_CHECK(rd(ut_failed, p, PENDING(0)) == 1u << 5, "pending though masked");
	wr(ut_failed, p, THRESH(0), 2);
	UT_CHECK(r.level[0], "threshold 2 lets priority 3 through");
	wr(ut_failed, p, THRESH(0), 7);
	UT_CHECK(!r.level[0], "threshold 7 (Linux's PLIC_DISABLE_THRESHOLD) masks all");
	wr(ut_failed, p, THRESH(0), 0);
	UT_CHECK(r.level[0], "threshold 0");
	wr(ut_failed, p, PRIO(5), 0);
	UT_CHECK(!r.level[0], "priority 0 never interrupts (Linux's mask)");
	UT_CHECK(rd(ut_failed, p, CLAIM(0)) == 0, "nothing to claim at priority 0");
	wr(ut_failed, p, PRIO(5), 1);
	UT_CHECK(r.level[0], "unmasked again");
	dv_plic_destroy(p);
}

UT_TEST(plic_claim_order)
{
	struct recorder r;
	struct dv_plic *p = make(&r, NSRC);
	static const unsigned int src[] = {5, 3, 9, 33, 60};
	static const uint32_t prio[] = {2, 2, 5, 2, 7};
	static const uint32_t order[] = {60, 9, 3, 5, 33, 0};

	for (unsigned int i = 0; i < 5; i++) {
		wr(ut_failed, p, PRIO(src[i]), prio[i]);
		enable(ut_failed, p, 1, src[i]);
		dv_plic_set_irq(p, src[i], true);
	}
	UT_CHECK(rd(ut_failed, p, PENDING(0)) == (1u << 3 | 1u << 5 | 1u << 9), "pending 0");
	UT_CHECK(rd(ut_failed, p, PENDING(1)) == (1u << 1 | 1u << 28), "pending 1");
	/* Highest priority first, the lowest id among equals. */
	for (unsigned int i = 0; i < 6; i++) {
		UT_CHECK(r.level[1] == (order[i] != 0), "line before claim %u", i);
		uint32_t got = rd(ut_failed, p, CLAIM(1));

		UT_CHECK(got == order[i], "claim %u: %u, expected %u", i, got, order[i]);
	}
	UT_CHECK(rd(ut_failed, p, PENDING(0)) == 0 && rd(ut_failed, p, PENDING(1)) == 0,
		 "claims clear pending bits");
	dv_plic_destroy(p);
}

UT_TEST(plic_claim_complete_cycle)
{
	struct recorder r;
	struct dv_plic *p = make(&r, NSRC);

	wr(ut_failed, p, PRIO(7), 1);
	enable(ut_failed, p, 0, 7);
	enable(ut_failed, p, 1, 7);
	dv_plic_set_irq(p, 7, true);
	UT_CHECK(r.level[0] && r.level[1], "both contexts see it");
	UT_CHECK(rd(ut_failed, p, CLAIM(0)) == 7, "context 0 claims");
	UT_CHECK(!r.level[0] && !r.level[1], "claimed: hidden from both");
	UT_CHECK(rd(ut_failed, p, CLAIM(1)) == 0, "context 1 cannot claim it too");
	UT_CHECK(rd(ut_failed, p, PENDING(0)) == 0, "pending cleared");

	/* The device is serviced: its line drops before the completion. */
	dv_plic_set_irq(p, 7, false);
	wr(ut_failed, p, CLAIM(0), 7);
	UT_CHECK(!r.level[0] && !r.level[1], "completed, line low: nothing");
	UT_CHECK(rd(ut_failed, p, PENDING(0)) == 0, "not pending");

	dv_plic_set_irq(p, 7, true);
	UT_CHECK(r.level[0] && r.level[1], "asserted again");
	UT_CHECK(rd(ut_failed, p, CLAIM(1)) == 7, "context 1 claims this time");
	wr(ut_failed, p, CLAIM(1), 3);
	wr(ut_failed, p, CLAIM(1), 0);
	wr(ut_failed, p, CLAIM(1), NSRC);
	wr(ut_failed, p, CLAIM(1), 0xffffffff);
	UT_CHECK(rd(ut_failed, p, CLAIM(1)) == 0 && !r.level[1], "bad completions ignored");
	dv_plic_set_irq(p, 7, false);
	wr(ut_failed, p, CLAIM(1), 7);
	wr(ut_failed, p, CLAIM(1), 7);
	UT_CHECK(!r.level[0] && !r.level[1], "double completion harmless");
	dv_plic_destroy(p);
}

UT_TEST(plic_level_reasserts_after_complete)
{
	struct recorder r;
	struct dv_plic *p = make(&r, NSRC);

	wr(ut_failed, p, PRIO(12), 4);
	enable(ut_failed, p, 0, 12);
	dv_plic_set_irq(p, 12, true);
	UT_CHECK(rd(ut_failed, p, CLAIM(0)) == 12, "claim");
	UT_CHECK(!r.level[0], "line low while claimed");
	dv_plic_set_irq(p, 12, true); /* still high: no new request while claimed */
	UT_CHECK(!r.level[0], "still low");
	wr(ut_failed, p, CLAIM(0), 12);
	UT_CHECK(r.level[0], "line still high: pending again after completion");
	UT_CHECK(rd(ut_failed, p, PENDING(0)) == 1u << 12, "pending bit back");
	UT_CHECK(rd(ut_failed, p, CLAIM(0)) == 12, "claimed again");
	dv_plic_destroy(p);
}

UT_TEST(plic_line_drop_before_claim)
{
	struct recorder r;
	struct dv_plic *p = make(&r, NSRC);

	wr(ut_failed, p, PRIO(2), 1);
	enable(ut_failed, p, 0, 2);
	dv_plic_set_irq(p, 2, true);
	UT_CHECK(r.level[0], "raised");
	dv_plic_set_irq(p, 2, false);
	UT_CHECK(!r.level[0] && rd(ut_failed, p, PENDING(0)) == 0, "level source withdrawn");
	UT_CHECK(rd(ut_failed, p, CLAIM(0)) == 0, "nothing to claim");
	dv_plic_set_irq(p, 0, true);
	dv_plic_set_irq(p, NSRC, true);
	dv_plic_set_irq(p, 0xffffffff, true);
	UT_CHECK(rd(ut_failed, p, PENDING(0)) == 0 && rd(ut_failed, p, PENDING(2)) == 0,
		 "absent sources ignored");
	dv_plic_destroy(p);
}

/* Linux's plic_irq_eoi() on a source disabled meanwhile (affinity change). */
UT_TEST(plic_complete_needs_enable)
{
	struct recorder r;
	struct dv_plic *p = make(&r, NSRC);

	wr(ut_failed, p, PRIO(20), 1);
	enable(ut_failed, p, 0, 20);
	dv_plic_set_irq(p, 20, true);
	UT_CHECK(rd(ut_failed, p, CLAIM(0)) == 20, "claim");
	disable(ut_failed, p, 0, 20);
	enable(ut_failed, p, 1, 20);
	wr(ut_failed, p, CLAIM(0), 20);
	UT_CHECK(!r.level[1], "completion of a disabled id ignored");
	enable(ut_failed, p, 0, 20);
	wr(ut_failed, p, CLAIM(0), 20);
	disable(ut_failed, p, 0, 20);
	UT_CHECK(r.level[1] && !r.level[0], "completed with the enable set");
	UT_CHECK(rd(ut_failed, p, CLAIM(1)) == 20, "pending on the new context");
	dv_plic_destroy(p);
}

/* Lines are driven only when they change. */
UT_TEST(plic_lines_driven_on_change)
{
	struct recorder r;
	struct dv_plic *p = make(&r, NSRC);

	wr(ut_failed, p, PRIO(1), 1);
	wr(ut_failed, p, PRIO(2), 2);
	enable(ut_failed, p, 0, 1);
	enable(ut_failed, p, 0, 2);
	dv_plic_set_irq(p, 1, true);
	dv_plic_set_irq(p, 2, true);
	dv_plic_set_irq(p, 2, true);
	UT_CHECK(r.calls[0] == 1 && r.level[0], "one rising edge: %u calls", r.calls[0]);
	UT_CHECK(rd(ut_failed, p, CLAIM(0)) == 2, "claim 2");
	UT_CHECK(r.calls[0] == 1, "source 1 keeps it high");
	UT_CHECK(rd(ut_failed, p, CLAIM(0)) == 1, "claim 1");
	UT_CHECK(r.calls[0] == 2 && !r.level[0], "low");
	UT_CHECK(r.calls[1] == 0, "context 1 never driven");
	dv_plic_destroy(p);
}

UT_TEST(plic_malformed_accesses)
{
	struct recorder r;
	struct dv_plic *p = make(&r, NSRC);
	static const unsigned sizes[] = {1, 2, 8};
	uint64_t v;

	wr(ut_failed, p, PRIO(4), 1);
	enable(ut_failed, p, 0, 4);
	dv_plic_set_irq(p, 4, true);

	/* Other widths: read 0, write nothing, and a read is no claim. */
	for (unsigned int i = 0; i < 3; i++) {
		v = 0xdead;
		UT_CHECK(dv_plic_mmio_ops.read(p, CLAIM(0), sizes[i], &v) == 0 && v == 0,
			 "size %u claim read", sizes[i]);
		v = 0xdead;
		UT_CHECK(dv_plic_mmio_ops.read(p, PRIO(4), sizes[i], &v) == 0 && v == 0,
			 "size %u priority read", sizes[i]);
		UT_CHECK(dv_plic_mmio_ops.write(p, PRIO(4), sizes[i], 0) == 0, "size %u write",
			 sizes[i]);
		UT_CHECK(dv_plic_mmio_ops.write(p, CLAIM(0), sizes[i], 4) == 0, "size %u complete",
			 sizes[i]);
	}
	UT_CHECK(rd(ut_failed, p, PRIO(4)) == 1, "priority untouched");
	UT_CHECK(r.level[0], "still claimable");

	/* Unaligned offsets, holes, and offsets past the window. */
	static const uint64_t bad[] = {
	    PRIO(4) + 1,
	    CLAIM(0) + 2,
	    PENDING(0) + 3,
	    PENDING(2),
	    0x1080,
	    0x1ffc,
	    ENABLE(NCTX, 0),
	    ENABLE(DV_PLIC_MAX_CONTEXTS, 0),
	    0x1f0000,
	    THRESH(0) + 8,
	    THRESH(0) + 0xffc,
	    THRESH(NCTX),
	    CLAIM(NCTX),
	    CLAIM(DV_PLIC_MAX_CONTEXTS - 1),
	    CLAIM(DV_PLIC_MAX_CONTEXTS),
	    DV_PLIC_SIZE - 4,
	    DV_PLIC_SIZE,
	    UINT64_MAX - 3,
	    UINT64_MAX,
	};
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 0xdead;
		UT_CHECK(dv_plic_mmio_ops.read(p, bad[i], 4, &v) == 0 && v == 0, "read 0x%llx",
			 (unsigned long long)bad[i]);
		UT_CHECK(dv_plic_mmio_ops.write(p, bad[i], 4, 0xffffffff) == 0, "write 0x%llx",
			 (unsigned long long)bad[i]);
	}
	/* Pending bits are read-only. */
	wr(ut_failed, p, PENDING(0), 0);
	UT_CHECK(rd(ut_failed, p, PENDING(0)) == 1u << 4, "pending write ignored");
	wr(ut_failed, p, PENDING(0), 0xffffffff);
	UT_CHECK(rd(ut_failed, p, PENDING(0)) == 1u << 4, "pending cannot be set");
	UT_CHECK(r.level[0] && rd(ut_failed, p, CLAIM(0)) == 4, "state intact after all that");
	UT_CHECK(rd(ut_failed, p, CLAIM(0)) == 0, "and nothing invented");
	dv_plic_destroy(p);
}

/* A guest writing anything anywhere: the handlers never fail or crash. */
UT_TEST(plic_random_accesses)
{
	struct recorder r;
	struct dv_plic *p = make(&r, 40);
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (unsigned int i = 0; i < 200000; i++) {
		uint64_t v, off;
		unsigned size = 1u << (x % 4);

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		/* Mostly inside the populated part of the layout. */
		off = x % 4 == 0 ? x : (x >> 8) % 0x204000;
		if (x % 3 == 0)
			off &= ~3ull;
		if (x % 5 == 0)
			dv_plic_set_irq(p, (unsigned int)(x >> 32) % 48, x & 0x100);
		if (x & 0x200)
			UT_CHECK(dv_plic_mmio_ops.read(p, off, size, &v) == 0, "read");
		else
			UT_CHECK(dv_plic_mmio_ops.write(p, off, size, x >> 17) == 0, "write");
		if (*ut_failed)
			break;
	}
	dv_plic_destroy(p);
}

struct toggler {
	struct dv_plic *p;
	unsigned int src;
	atomic_bool *stop;
};

static void *toggle_thread(void *arg)
{
	struct toggler *t = arg;

	for (unsigned int i = 0; !atomic_load(t->stop); i++)
		dv_plic_set_irq(t->p, t->src, i & 1);
	dv_plic_set_irq(t->p, t->src, true);
	return NULL;
}

/* Devices raising lines from their threads while a vCPU claims and completes. */
UT_TEST(plic_concurrent_devices)
{
	struct recorder r;
	struct dv_plic *p = make(&r, NSRC);
	struct toggler t[3];
	pthread_t th[3];
	atomic_bool stop = false;

	for (unsigned int i = 0; i < 3; i++) {
		t[i] = (struct toggler){p, 10 + i, &stop};
		wr(ut_failed, p, PRIO(10 + i), 1 + i);
		enable(ut_failed, p, 0, 10 + i);
	}
	for (unsigned int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, toggle_thread, &t[i]);
	for (unsigned int i = 0; i < 20000; i++) {
		uint32_t src = rd(ut_failed, p, CLAIM(0));

		if (src) {
			UT_CHECK(src >= 10 && src <= 12, "claimed %u", src);
			wr(ut_failed, p, CLAIM(0), src);
		}
	}
	atomic_store(&stop, true);
	for (unsigned int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	/* All lines end high: all three claimable, highest priority first. */
	for (uint32_t want = 12; want >= 10; want--)
		UT_CHECK(rd(ut_failed, p, CLAIM(0)) == want, "final claim %u", want);
	UT_CHECK(!r.level[0], "line low once all are claimed");
	dv_plic_destroy(p);
}

UT_TEST(plic_state_saves_loads_and_resyncs)
{
	struct recorder r1, r2;
	struct dv_plic *a = make(&r1, NSRC), *b;
	struct dv_snap_w w;
	struct dv_snap_r rd_;
	uint32_t claimed;

	wr(ut_failed, a, PRIO(5), 3);
	wr(ut_failed, a, PRIO(40), 7);
	enable(ut_failed, a, 1, 5);
	enable(ut_failed, a, 1, 40);
	wr(ut_failed, a, THRESH(1), 2);
	dv_plic_set_irq(a, 5, true);
	dv_plic_set_irq(a, 40, true);
	claimed = rd(ut_failed, a, CLAIM(1)); /* 40 (priority 7) is claimed, 5 pending */
	UT_CHECK(claimed == 40, "claimed %u", claimed);
	dv_snap_w_init(&w);
	dv_plic_save(a, &w);
	b = make(&r2, NSRC);
	dv_snap_r_init(&rd_, w.buf, w.len);
	UT_CHECK(dv_plic_load(b, &rd_) == 0 && rd_.p == rd_.end, "load failed");
	UT_CHECK(r2.calls[1] == 0, "load drove a line");
	dv_plic_resync(b);
	UT_CHECK(r2.level[1] && !r2.level[0] && r2.calls[0] == 1, "resync: %d %d", r2.level[1],
		 r2.level[0]);
	UT_CHECK(rd(ut_failed, b, PRIO(40)) == 7 && rd(ut_failed, b, THRESH(1)) == 2, "registers");
	UT_CHECK(rd(ut_failed, b, CLAIM(1)) == 5, "the pending source after load");
	wr(ut_failed, b, CLAIM(1), 40); /* completing the one claimed before the snapshot */
	UT_CHECK(rd(ut_failed, b, CLAIM(1)) == 40, "40 not pending again after its completion");
	/* another geometry, cuts, and all-ones values */
	dv_plic_destroy(b);
	b = make(&r2, NSRC / 2);
	dv_snap_r_init(&rd_, w.buf, w.len);
	UT_CHECK(dv_plic_load(b, &rd_) == -EINVAL, "a PLIC of other sources loaded");
	dv_plic_destroy(b);
	for (size_t n = 8; n < w.len; n++) {
		b = make(&r2, NSRC);
		dv_snap_r_init(&rd_, w.buf, n);
		UT_CHECK(dv_plic_load(b, &rd_) == -EINVAL, "cut to %zu loaded", n);
		dv_plic_destroy(b);
	}
	memset(w.buf + 8, 0xff, w.len - 8);
	b = make(&r2, NSRC);
	dv_snap_r_init(&rd_, w.buf, w.len);
	UT_CHECK(dv_plic_load(b, &rd_) == 0, "all-ones refused");
	UT_CHECK(rd(ut_failed, b, PRIO(0)) == 0 && rd(ut_failed, b, PRIO(1)) == 7 &&
		     rd(ut_failed, b, THRESH(0)) == 7 &&
		     rd(ut_failed, b, ENABLE(0, 0)) == 0xfffffffe,
		 "all-ones not legalised");
	dv_plic_destroy(b);
	dv_plic_destroy(a);
	dv_snap_w_free(&w);
}

UT_MAIN()
