// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Sv39x4 stage-2 table builder (backend/dvext/stage2.c), checked with a
 * software walker that follows hgatp and the tables as the hardware does
 * (privileged spec, "Two-Stage Address Translation"). The table region is an
 * ordinary buffer with a pretend host physical address.
 *
 * The checks at the top of the GPA space, for overlaps (-EEXIST) and for
 * host addresses beyond the PPN field were added with fixes to stage2.c.
 * A map that fails part-way (-ENOMEM) leaves what it mapped: callers give
 * up on the VM. ("hugatp" is DV-Ext's name for the G-stage root.)
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/dvext/stage2.h"
#include "unit.h"

#define REGION_HPA  0x90000000ULL
#define REGION_SIZE (1u << 20)
#define KiB	    1024ULL
#define MiB	    (1024 * KiB)
#define GiB	    (1024 * MiB)
#define GPA_TOP	    (1ULL << 41)

#define PTE_V 0x01ULL
#define PTE_R 0x02ULL
#define PTE_W 0x04ULL
#define PTE_X 0x08ULL
#define PTE_U 0x10ULL
#define PTE_G 0x20ULL
#define PTE_A 0x40ULL
#define PTE_D 0x80ULL

/* Reported, not counted as failures, until stage2.c is fixed. */
/* The fake table region: a buffer standing for host memory at REGION_HPA. */
static uint8_t *region;

static struct dv_stage2 fresh(int *ut_failed, size_t size)
{
	struct dv_stage2 s;
	int rc;

	if (!region)
		region = aligned_alloc(DV_S2_ROOT_SIZE, REGION_SIZE);
	memset(region, 0xa5, REGION_SIZE); /* the root must be cleared by init */
	memset(&s, 0, sizeof(s));
	rc = dv_s2_init(&s, region, REGION_HPA, size);
	UT_CHECK(rc == 0, "init: %d", rc);
	return s;
}

enum walk_result {
	WALK_OK,
	WALK_UNMAPPED, /* a clean guest-page fault: an invalid PTE or a GPA beyond 41 bits */
	WALK_BROKEN,   /* the tables themselves are malformed */
};

struct walk {
	uint64_t hpa;
	int level; /* of the leaf: 2 = 1 GiB, 1 = 2 MiB, 0 = 4 KiB */
	uint64_t pte;
	const char *why;
};

/*
 * Translate gpa through hgatp as an Sv39x4 G-stage walk, reading tables
 * from the fake region only (its first `used` bytes).
 */
static enum walk_result walk(uint64_t hgatp, size_t used, uint64_t gpa, struct walk *w)
{
	uint64_t a = (hgatp & ((1ULL << 44) - 1)) << 12;

	memset(w, 0, sizeof(*w));
	if (hgatp >> 60 != 8) {
		w->why = "hgatp mode is not Sv39x4";
		return WALK_BROKEN;
	}
	if (a % DV_S2_ROOT_SIZE) {
		w->why = "root not 16 KiB aligned";
		return WALK_BROKEN;
	}
	if (gpa >> 41) {
		w->why = "GPA beyond 41 bits";
		return WALK_UNMAPPED;
	}
	for (int level = 2; level >= 0; level--) {
		uint64_t tsize = level == 2 ? DV_S2_ROOT_SIZE : 4096;
		uint64_t idx = level == 2 ? (gpa >> 30) & 0x7ff : (gpa >> (12 + 9 * level)) & 0x1ff;
		uint64_t pte, ppn;

		if (a < REGION_HPA || a + tsize > REGION_HPA + used) {
			w->why = "table outside the used part of the region";
			return WALK_BROKEN;
		}
		memcpy(&pte, region + (a - REGION_HPA) + idx * 8, 8);
		w->pte = pte;
		w->level = level;
		if (!(pte & PTE_V)) {
			w->why = "invalid PTE";
			return WALK_UNMAPPED;
		}
		if ((pte & PTE_W) && !(pte & PTE_R)) {
			w->why = "W without R";
			return WALK_BROKEN;
		}
		if (pte >> 54) {
			w->why = "reserved/PBMT/N bits set";
			return WALK_BROKEN;
		}
		ppn = (pte >> 10) & ((1ULL << 44) - 1);
		if (!(pte & (PTE_R | PTE_X))) {
			if (pte & (PTE_U | PTE_A | PTE_D)) {
				w->why = "U/A/D in a non-leaf PTE";
				return WALK_BROKEN;
			}
			if (level == 0) {
				w->why = "pointer PTE at level 0";
				return WALK_BROKEN;
			}
			a = ppn << 12;
			continue;
		}
		/* A leaf: G-stage leaves must be U; A/D set or Svade faults */
		if ((pte & 0xff) != (PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D)) {
			w->why = "leaf is not V|R|W|X|U|A|D (no G)";
			return WALK_BROKEN;
		}
		if (level && ppn & ((1ULL << (9 * level)) - 1)) {
			w->why = "misaligned superpage";
			return WALK_BROKEN;
		}
		w->hpa = (ppn << 12) | (gpa & ((1ULL << (12 + 9 * level)) - 1));
		return WALK_OK;
	}
	w->why = "walk fell off level 0";
	return WALK_BROKEN;
}

/* Check gpa translates to hpa through a leaf of the given level. */
static void expect(int *ut_failed, const struct dv_stage2 *s, uint64_t gpa, uint64_t hpa, int level)
{
	struct walk w;
	enum walk_result r = walk(dv_s2_hugatp(s), s->used, gpa, &w);

	UT_CHECK(r == WALK_OK, "gpa %#llx: walk %d (%s, level %d, pte %#llx)",
		 (unsigned long long)gpa, r, w.why, w.level, (unsigned long long)w.pte);
	if (r != WALK_OK)
		return;
	UT_CHECK(w.hpa == hpa, "gpa %#llx -> %#llx, want %#llx", (unsigned long long)gpa,
		 (unsigned long long)w.hpa, (unsigned long long)hpa);
	UT_CHECK(w.level == level, "gpa %#llx: leaf at level %d, want %d", (unsigned long long)gpa,
		 w.level, level);
}

static void expect_unmapped(int *ut_failed, const struct dv_stage2 *s, uint64_t gpa)
{
	struct walk w;
	enum walk_result r = walk(dv_s2_hugatp(s), s->used, gpa, &w);

	UT_CHECK(r == WALK_UNMAPPED, "gpa %#llx: walk %d (%s), hpa %#llx", (unsigned long long)gpa,
		 r, w.why ? w.why : "mapped", (unsigned long long)w.hpa);
}

/* Every 2 MiB boundary of [gpa, gpa + size), and its first and last byte. */
static void expect_range(int *ut_failed, const struct dv_stage2 *s, uint64_t gpa, uint64_t hpa,
			 uint64_t size, int level)
{
	expect(ut_failed, s, gpa, hpa, level);
	expect(ut_failed, s, gpa + size - 1, hpa + size - 1, level);
	for (uint64_t off = (2 * MiB - gpa % (2 * MiB)) % (2 * MiB); off < size; off += 2 * MiB) {
		expect(ut_failed, s, gpa + off, hpa + off, level);
		if (off)
			expect(ut_failed, s, gpa + off - 1, hpa + off - 1, level);
	}
	expect_unmapped(ut_failed, s, gpa - 1);
	expect_unmapped(ut_failed, s, gpa + size);
}

UT_TEST(init_clears_the_root_and_sets_hgatp)
{
	struct dv_stage2 s = fresh(ut_failed, REGION_SIZE);
	uint64_t hgatp = dv_s2_hugatp(&s), nonzero = 0;

	UT_CHECK(s.va == region && s.hpa == REGION_HPA && s.size == REGION_SIZE, "fields");
	UT_CHECK(s.used == DV_S2_ROOT_SIZE, "used %zu", s.used);
	for (size_t i = 0; i < DV_S2_ROOT_SIZE; i++)
		nonzero |= region[i];
	UT_CHECK(nonzero == 0, "root not cleared");
	UT_CHECK(hgatp >> 60 == 8, "mode %llu", (unsigned long long)(hgatp >> 60));
	UT_CHECK(((hgatp >> 44) & 0x3fff) == 0, "vmid %#llx",
		 (unsigned long long)((hgatp >> 44) & 0x3fff));
	UT_CHECK((hgatp & ((1ULL << 44) - 1)) == REGION_HPA >> 12, "ppn %#llx",
		 (unsigned long long)(hgatp & ((1ULL << 44) - 1)));
	expect_unmapped(ut_failed, &s, 0);
	expect_unmapped(ut_failed, &s, 0x80000000);
	expect_unmapped(ut_failed, &s, GPA_TOP - 1);
}

UT_TEST(init_rejects_unaligned_or_small_regions)
{
	struct dv_stage2 s;
	uint8_t *buf = aligned_alloc(DV_S2_ROOT_SIZE, 2 * DV_S2_ROOT_SIZE);

	UT_CHECK(dv_s2_init(&s, buf, REGION_HPA + 4096, DV_S2_ROOT_SIZE) == -EINVAL, "4 KiB");
	UT_CHECK(dv_s2_init(&s, buf, REGION_HPA + 8192, DV_S2_ROOT_SIZE) == -EINVAL, "8 KiB");
	UT_CHECK(dv_s2_init(&s, buf, REGION_HPA + 1, DV_S2_ROOT_SIZE) == -EINVAL, "1 byte");
	UT_CHECK(dv_s2_init(&s, buf, REGION_HPA, DV_S2_ROOT_SIZE - 1) == -EINVAL, "too small");
	UT_CHECK(dv_s2_init(&s, buf, REGION_HPA, 0) == -EINVAL, "empty");
	UT_CHECK(dv_s2_init(&s, buf, REGION_HPA + DV_S2_ROOT_SIZE, DV_S2_ROOT_SIZE) == 0,
		 "exactly a root, 16 KiB aligned");
	free(buf);
}

UT_TEST(map_512m_with_2m_leaves)
{
	struct dv_stage2 s = fresh(ut_failed, REGION_SIZE);
	const uint64_t gpa = 0x80000000, hpa = 0x100200000, size = 512 * MiB;
	int rc = dv_s2_map(&s, gpa, hpa, size);

	UT_CHECK(rc == 0, "map: %d", rc);
	/* One level-1 table under root[2]; no level-0 tables */
	UT_CHECK(s.used == DV_S2_ROOT_SIZE + 4096, "used %zu", s.used);
	expect_range(ut_failed, &s, gpa, hpa, size, 1);
	expect(ut_failed, &s, gpa + 0x123456, hpa + 0x123456, 1);
	expect_unmapped(ut_failed, &s, 0);
	expect_unmapped(ut_failed, &s, 0xa0000000);
	expect_unmapped(ut_failed, &s, 0xbfffffff);
	expect_unmapped(ut_failed, &s, 0xc0000000);
	expect_unmapped(ut_failed, &s, 0x80000000 + 512 * GiB); /* 9-bit index aliases */
	expect_unmapped(ut_failed, &s, GPA_TOP - 1);
	expect_unmapped(ut_failed, &s, GPA_TOP + 0x80000000);
}

UT_TEST(map_4k_aligned_hpa_uses_4k_leaves)
{
	struct dv_stage2 s = fresh(ut_failed, REGION_SIZE);
	const uint64_t gpa = 0x80000000, hpa = 0x100001000, size = 4 * MiB + 12 * KiB;
	int rc = dv_s2_map(&s, gpa, hpa, size);

	UT_CHECK(rc == 0, "map: %d", rc);
	/* One level-1 table, three level-0 tables (the 2 MiB blocks touched) */
	UT_CHECK(s.used == DV_S2_ROOT_SIZE + 4 * 4096, "used %zu", s.used);
	expect_range(ut_failed, &s, gpa, hpa, size, 0);
	for (uint64_t off = 0; off < size; off += 4096) {
		expect(ut_failed, &s, gpa + off, hpa + off, 0);
		expect(ut_failed, &s, gpa + off + 4095, hpa + off + 4095, 0);
	}
}

UT_TEST(map_mixes_4k_and_2m_leaves)
{
	struct dv_stage2 s = fresh(ut_failed, REGION_SIZE);
	/* 4 KiB up to 0x80200000, one 2 MiB leaf, then 4 KiB again */
	const uint64_t gpa = 0x801ff000, hpa = 0x1001ff000, size = 2 * MiB + 8 * KiB;
	int rc = dv_s2_map(&s, gpa, hpa, size);

	UT_CHECK(rc == 0, "map: %d", rc);
	UT_CHECK(s.used == DV_S2_ROOT_SIZE + 3 * 4096, "used %zu", s.used);
	expect(ut_failed, &s, gpa, hpa, 0);
	expect(ut_failed, &s, 0x801fffff, 0x1001fffff, 0);
	expect(ut_failed, &s, 0x80200000, 0x100200000, 1);
	expect(ut_failed, &s, 0x803fffff, 0x1003fffff, 1);
	expect(ut_failed, &s, 0x80400000, 0x100400000, 0);
	expect(ut_failed, &s, gpa + size - 1, hpa + size - 1, 0);
	expect_unmapped(ut_failed, &s, gpa - 1);
	expect_unmapped(ut_failed, &s, gpa + size);
	expect_unmapped(ut_failed, &s, 0x80000000);
}

UT_TEST(map_across_gib_and_at_the_top_root_entry)
{
	struct dv_stage2 s = fresh(ut_failed, REGION_SIZE);
	const uint64_t top = GPA_TOP - GiB; /* root index 2047 */
	int rc;

	rc = dv_s2_map(&s, 0xbfe00000, 0x140000000, 4 * MiB);
	UT_CHECK(rc == 0, "across 3 GiB: %d", rc);
	UT_CHECK(s.used == DV_S2_ROOT_SIZE + 2 * 4096, "used %zu", s.used);
	expect_range(ut_failed, &s, 0xbfe00000, 0x140000000, 4 * MiB, 1);

	rc = dv_s2_map(&s, top, 0x180000000, 2 * MiB);
	UT_CHECK(rc == 0, "root index 2047: %d", rc);
	expect_range(ut_failed, &s, top, 0x180000000, 2 * MiB, 1);

	rc = dv_s2_map(&s, GPA_TOP - 8 * KiB, 0x1c0000000, 4 * KiB);
	UT_CHECK(rc == 0, "next to last page: %d", rc);
	expect(ut_failed, &s, GPA_TOP - 8 * KiB, 0x1c0000000, 0);
	expect_unmapped(ut_failed, &s, GPA_TOP - 4 * KiB);

	/* The last page of the GPA space can be mapped */
	rc = dv_s2_map(&s, GPA_TOP - 4 * KiB, 0x1c0001000, 4 * KiB);
	UT_CHECK(rc == 0, "mapping [2^41 - 4 KiB, 2^41) fails: %d", rc);
	if (rc == 0)
		expect(ut_failed, &s, GPA_TOP - 1, 0x1c0001fff, 0);
}

UT_TEST(map_rejects_unaligned_and_out_of_range)
{
	struct dv_stage2 s = fresh(ut_failed, REGION_SIZE);

	UT_CHECK(dv_s2_map(&s, 0x80000800, 0x100000000, 4096) == -EINVAL, "gpa");
	UT_CHECK(dv_s2_map(&s, 0x80000001, 0x100000000, 4096) == -EINVAL, "gpa + 1");
	UT_CHECK(dv_s2_map(&s, 0x80000000, 0x100000800, 4096) == -EINVAL, "hpa");
	UT_CHECK(dv_s2_map(&s, 0x80000000, 0x100000000, 0x800) == -EINVAL, "size");
	UT_CHECK(dv_s2_map(&s, 0x80000000, 0x100000000, 2 * MiB + 1) == -EINVAL, "size + 1");
	UT_CHECK(dv_s2_map(&s, GPA_TOP, 0x100000000, 4096) == -EINVAL, "at 2^41");
	UT_CHECK(dv_s2_map(&s, GPA_TOP - 4096, 0x100000000, 8192) == -EINVAL, "across 2^41");
	UT_CHECK(dv_s2_map(&s, 1ULL << 63, 0x100000000, 4096) == -EINVAL, "bit 63");
	UT_CHECK(dv_s2_map(&s, UINT64_MAX & ~0xfffULL, 0x100000000, 8192) == -EINVAL, "wraps");
	UT_CHECK(dv_s2_map(&s, 0x80000000, 0x100000000, UINT64_MAX & ~0xfffULL) == -EINVAL,
		 "huge size");
	UT_CHECK(s.used == DV_S2_ROOT_SIZE, "a rejected map allocated tables: used %zu", s.used);
	expect_unmapped(ut_failed, &s, 0x80000000);
	expect_unmapped(ut_failed, &s, GPA_TOP - 4096);
}

UT_TEST(map_runs_out_of_table_space)
{
	struct dv_stage2 s;
	int rc;

	/* Only the root: even a 2 MiB leaf needs a level-1 table */
	s = fresh(ut_failed, DV_S2_ROOT_SIZE);
	UT_CHECK(dv_s2_map(&s, 0x80000000, 0x100000000, 2 * MiB) == -ENOMEM, "root only");
	UT_CHECK(s.used == DV_S2_ROOT_SIZE, "used %zu", s.used);

	/* Root + one table (and a tail too small for another): 2 MiB fits, 4 KiB does not */
	s = fresh(ut_failed, DV_S2_ROOT_SIZE + 4096 + 4095);
	UT_CHECK(dv_s2_map(&s, 0x80000000, 0x100000000, 2 * MiB) == 0, "2 MiB leaf");
	UT_CHECK(dv_s2_map(&s, 0x80200000, 0x100201000, 4096) == -ENOMEM, "needs a level-0 table");
	UT_CHECK(dv_s2_map(&s, 0xc0000000, 0x100400000, 2 * MiB) == -ENOMEM, "another GiB");
	UT_CHECK(s.used == DV_S2_ROOT_SIZE + 4096, "used %zu", s.used);
	expect_range(ut_failed, &s, 0x80000000, 0x100000000, 2 * MiB, 1);

	/* Fill the whole region with level-0 tables, one per 2 MiB block */
	s = fresh(ut_failed, REGION_SIZE);
	const unsigned int tables = (REGION_SIZE - DV_S2_ROOT_SIZE) / 4096;
	unsigned int n;

	for (n = 0; n < 1000; n++) {
		rc = dv_s2_map(&s, 0x80000000 + n * 2 * MiB, 0x100001000 + n * 8192, 4096);
		if (rc)
			break;
	}
	UT_CHECK(rc == -ENOMEM && n == tables - 1, "rc %d after %u maps (room for %u tables)", rc,
		 n, tables);
	UT_CHECK(s.used == REGION_SIZE, "used %zu", s.used);
	for (unsigned int i = 0; i < n; i++)
		expect(ut_failed, &s, 0x80000000 + i * 2 * MiB + 0x10, 0x100001010 + i * 8192, 0);
	expect_unmapped(ut_failed, &s, 0x80000000 + n * 2 * MiB);
}

UT_TEST(map_meeting_existing_leaves)
{
	struct dv_stage2 s = fresh(ut_failed, REGION_SIZE);
	size_t used;
	int rc;

	/* A request over an existing page is an overlap: refused, the page kept */
	UT_CHECK(dv_s2_map(&s, 0x80000000, 0x100001000, 4096) == 0, "4 KiB");
	rc = dv_s2_map(&s, 0x80000000, 0x100200000, 2 * MiB);
	UT_CHECK(rc == -EEXIST, "2 MiB over it: %d", rc);
	expect_range(ut_failed, &s, 0x80000000, 0x100001000, 4096, 0);

	/* A page inside a 2 MiB leaf is an overlap too */
	UT_CHECK(dv_s2_map(&s, 0x80400000, 0x100400000, 2 * MiB) == 0, "2 MiB");
	used = s.used;
	rc = dv_s2_map(&s, 0x80401000, 0x200000000, 4096);
	UT_CHECK(rc < 0, "overlapping a 2 MiB leaf: %d", rc);
	UT_CHECK(rc == -EEXIST, "overlapping a 2 MiB leaf answers %d", rc);
	UT_CHECK(s.used == used, "used %zu -> %zu", used, s.used);
	expect_range(ut_failed, &s, 0x80400000, 0x100400000, 2 * MiB, 1);
}

UT_TEST(map_hpa_beyond_the_ppn_field)
{
	struct dv_stage2 s = fresh(ut_failed, REGION_SIZE);
	struct walk w;
	int rc;

	/* An hpa the 44-bit PPN cannot hold is refused */
	rc = dv_s2_map(&s, 0x80000000, 1ULL << 56, 4096);
	UT_CHECK(rc == -EINVAL, "hpa 2^56 accepted: %d", rc);
	if (rc == 0)
		UT_CHECK(walk(dv_s2_hugatp(&s), s.used, 0x80000000, &w) == WALK_BROKEN,
			 "walker should see the reserved bits");
}

UT_MAIN()
