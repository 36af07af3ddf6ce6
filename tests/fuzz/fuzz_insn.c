// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the MMIO load/store decoder (util/insn.c).
 *
 * Input: records of 25 bytes until the input ends (a short last record is
 * padded with zeros): insn u32 (the raw instruction, as read at the guest
 * pc), htinst u64 (a raw value of htinst), raw u64 (a loaded value, and
 * the register value of a store), rs1 u8 and junk u32 (what the hart may
 * leave in the transformed instruction's rs1 and immediate fields).
 *
 * Per record:
 * - dv_decode_mem(insn) equals a reference decoder written here from the
 *   ISA manual (a switch on opcode, funct3 and quadrant, not the decoder's
 *   table): the same result and, on success, the same access; *out is
 *   untouched on failure. A decoded access has width 1/2/4/8, reg < 32,
 *   len 2 for a compressed instruction and 4 otherwise, and no sign
 *   extension for stores, FP or 8-byte accesses.
 * - htinst agreement: the transformed instruction the hart writes for insn
 *   (privileged spec, "Transformed Instruction or Pseudoinstruction for
 *   mtinst or htinst": a compressed one expanded to its 32-bit equivalent
 *   with bit 1 cleared, the immediate fields zero, rs1 the offset of a
 *   misaligned access) decodes with dv_decode_htinst() to exactly what
 *   dv_decode_mem() gives for insn, for every load/store of RV64GC (and
 *   the same refusal for the recognised-but-refused ones); with garbage in
 *   the immediate fields too, which the decoder ignores.
 * - dv_decode_htinst(htinst) for the raw value: -EINVAL above bit 31, for
 *   bits 1:0 = 00 and 10, else what the reference gives for the 32-bit form.
 * - dv_mem_load_value() zero-/sign-extends (NaN-boxes a 4-byte FP load)
 *   exactly as the access says, computed here with shifts; and
 *   dv_mem_store_value() truncates; a store then a zero-extending load of
 *   the same width gives the register's low bytes back. The two are also
 *   called with arbitrary access fields (width 0, 3, 255, ...) for UBSan.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"
#include "util/insn.h"

struct ref {
	int ret;
	struct dv_mem_access a;
};

static struct ref ok(bool store, bool fp, bool sext, unsigned int width, unsigned int reg,
		     unsigned int len)
{
	return (struct ref){0, {store, fp, sext, width, reg, len}};
}

static struct ref err(int e)
{
	return (struct ref){e, {0}};
}

/* The reference's tables read best one form a line. */
/* clang-format off */

/* A 32-bit instruction (bits 1:0 = 0b11), from the ISA manual's opcode map. */
static struct ref ref32(uint32_t insn, unsigned int len)
{
	unsigned int opcode = insn & 0x7f, f3 = (insn >> 12) & 7;
	unsigned int rd = (insn >> 7) & 31, rs2 = (insn >> 20) & 31;

	switch (opcode) {
	case 0x03: /* LOAD: lb lh lw ld lbu lhu lwu; funct3 7 would be RV128's ldu */
		switch (f3) {
		case 0: return ok(false, false, true, 1, rd, len);
		case 1: return ok(false, false, true, 2, rd, len);
		case 2: return ok(false, false, true, 4, rd, len);
		case 3: return ok(false, false, false, 8, rd, len);
		case 4: return ok(false, false, false, 1, rd, len);
		case 5: return ok(false, false, false, 2, rd, len);
		case 6: return ok(false, false, false, 4, rd, len);
		default: return err(-EINVAL);
		}
	case 0x23: /* STORE: sb sh sw sd; funct3 4 would be RV128's sq */
		if (f3 > 3)
			return err(-EINVAL);
		return ok(true, false, false, 1u << f3, rs2, len);
	case 0x07: /* LOAD-FP: flw fld; flh (Zfh), flq (Q), vector loads: refused */
		if (f3 == 2 || f3 == 3)
			return ok(false, true, false, f3 == 2 ? 4 : 8, rd, len);
		return err(-EOPNOTSUPP);
	case 0x27: /* STORE-FP: fsw fsd; fsh, fsq, vector stores: refused */
		if (f3 == 2 || f3 == 3)
			return ok(true, true, false, f3 == 2 ? 4 : 8, rs2, len);
		return err(-EOPNOTSUPP);
	case 0x2f: /* AMO: A (.w .d), Zabha (.b .h), Zacas (.q); 5-7 reserved */
		return err(f3 <= 4 ? -EOPNOTSUPP : -EINVAL);
	default:
		return err(-EINVAL);
	}
}

/* A 16-bit instruction of RV64GC (no Zcb, Zcmp, ...). */
static struct ref ref16(uint16_t c)
{
	unsigned int q = c & 3, f3 = c >> 13;
	unsigned int rp = 8 + ((c >> 2) & 7); /* rd' / rs2' */
	unsigned int rd = (c >> 7) & 31, rs2 = (c >> 2) & 31;

	if (q == 0) {
		switch (f3) {
		case 1: return ok(false, true, false, 8, rp, 2);  /* c.fld */
		case 2: return ok(false, false, true, 4, rp, 2);  /* c.lw */
		case 3: return ok(false, false, false, 8, rp, 2); /* c.ld */
		case 5: return ok(true, true, false, 8, rp, 2);	  /* c.fsd */
		case 6: return ok(true, false, false, 4, rp, 2);  /* c.sw */
		case 7: return ok(true, false, false, 8, rp, 2);  /* c.sd */
		default: return err(-EINVAL); /* c.addi4spn, reserved (Zcb) */
		}
	}
	if (q == 2) {
		switch (f3) {
		case 1: return ok(false, true, false, 8, rd, 2); /* c.fldsp */
		case 2: /* c.lwsp; rd = x0 reserved */
			return rd ? ok(false, false, true, 4, rd, 2) : err(-EINVAL);
		case 3: /* c.ldsp; rd = x0 reserved */
			return rd ? ok(false, false, false, 8, rd, 2) : err(-EINVAL);
		case 5: return ok(true, true, false, 8, rs2, 2);  /* c.fsdsp */
		case 6: return ok(true, false, false, 4, rs2, 2); /* c.swsp */
		case 7: return ok(true, false, false, 8, rs2, 2); /* c.sdsp */
		default: return err(-EINVAL);
		}
	}
	return err(-EINVAL); /* quadrant 1: no loads or stores */
}

static struct ref ref_mem(uint32_t insn)
{
	return (insn & 3) == 3 ? ref32(insn, 4) : ref16((uint16_t)insn);
}

/*
 * The 32-bit equivalent of a compressed load/store (its immediate zero and
 * rs1 = rs1f), or 0 if c is not one.
 */
static uint32_t expand16(uint16_t c, unsigned int rs1f)
{
	unsigned int q = c & 3, f3 = c >> 13;
	unsigned int rp = 8 + ((c >> 2) & 7), rd = (c >> 7) & 31, rs2 = (c >> 2) & 31;
	uint32_t rs1 = (uint32_t)rs1f << 15;

	if (q == 0) {
		switch (f3) {
		case 1: return 0x3007 | rs1 | rp << 7;	/* fld */
		case 2: return 0x2003 | rs1 | rp << 7;	/* lw */
		case 3: return 0x3003 | rs1 | rp << 7;	/* ld */
		case 5: return 0x3027 | rs1 | rp << 20; /* fsd */
		case 6: return 0x2023 | rs1 | rp << 20; /* sw */
		case 7: return 0x3023 | rs1 | rp << 20; /* sd */
		}
	} else if (q == 2) {
		switch (f3) {
		case 1: return 0x3007 | rs1 | rd << 7; /* fld */
		case 2: return rd ? 0x2003 | rs1 | rd << 7 : 0; /* lw */
		case 3: return rd ? 0x3003 | rs1 | rd << 7 : 0; /* ld */
		case 5: return 0x3027 | rs1 | rs2 << 20; /* fsd */
		case 6: return 0x2023 | rs1 | rs2 << 20; /* sw */
		case 7: return 0x3023 | rs1 | rs2 << 20; /* sd */
		}
	}
	return 0;
}

/* clang-format on */

/*
 * What the hart writes to htinst for a trapping 32-bit load/store insn:
 * the immediate fields replaced by imm (0 per the spec) and rs1 by rs1f.
 * 0 if insn is not a load/store.
 */
static uint32_t transform32(uint32_t insn, unsigned int rs1f, uint32_t imm)
{
	uint32_t rs1 = (uint32_t)rs1f << 15, keep;

	switch (insn & 0x7f) {
	case 0x03:
	case 0x07: /* I-type: imm[11:0] in 31:20 */
		keep = insn & 0x000fffffu & ~(31u << 15);
		return keep | rs1 | (imm & 0xfff00000u);
	case 0x23:
	case 0x27: /* S-type: imm in 31:25 and 11:7 */
		keep = insn & 0x01fff07fu & ~(31u << 15);
		return keep | rs1 | (imm & 0xfe000f80u);
	case 0x2f: /* R-type (AMO): all but rs1 */
		return (insn & ~(31u << 15)) | rs1;
	}
	return 0;
}

static void check_access(const struct dv_mem_access *a, uint32_t insn)
{
	FZ_CHECK(a->width == 1 || a->width == 2 || a->width == 4 || a->width == 8, "%#x: width %u",
		 insn, a->width);
	FZ_CHECK(a->reg < 32, "%#x: reg %u", insn, a->reg);
	FZ_CHECK(a->len == ((insn & 3) == 3 ? 4u : 2u), "%#x: len %u", insn, a->len);
	FZ_CHECK(!a->sign_extend || (!a->is_store && !a->is_fp && a->width < 8),
		 "%#x: sign_extend with store %d fp %d width %u", insn, a->is_store, a->is_fp,
		 a->width);
	FZ_CHECK(!a->is_fp || a->width >= 4, "%#x: fp width %u", insn, a->width);
}

static bool same(int r1, const struct dv_mem_access *a1, int r2, const struct dv_mem_access *a2)
{
	if (r1 != r2)
		return false;
	return r1 || (a1->is_store == a2->is_store && a1->is_fp == a2->is_fp &&
		      a1->sign_extend == a2->sign_extend && a1->width == a2->width &&
		      a1->reg == a2->reg && a1->len == a2->len);
}

#define CANARY_ACCESS ((struct dv_mem_access){true, true, true, 0xdead, 0xbeef, 0xf00d})

/* dv_decode_htinst(), checking it leaves *out alone on failure. */
static int decode_htinst(uint64_t v, struct dv_mem_access *a)
{
	struct dv_mem_access canary = CANARY_ACCESS;
	int r;

	*a = canary;
	r = dv_decode_htinst(v, a);
	FZ_CHECK(r == 0 || r == -EINVAL || r == -EOPNOTSUPP, "htinst %#llx: %d",
		 (unsigned long long)v, r);
	FZ_CHECK(r == 0 || same(0, a, 0, &canary), "htinst %#llx failed (%d) and wrote *out",
		 (unsigned long long)v, r);
	return r;
}

static uint64_t width_mask(unsigned int w)
{
	return w >= 8 ? ~0ull : (1ull << (8 * w)) - 1;
}

static void check_values(const struct dv_mem_access *a, uint64_t raw, uint32_t insn)
{
	unsigned int shift = 64 - 8 * a->width;
	uint64_t want, got = dv_mem_load_value(a, raw), st = dv_mem_store_value(a, raw);
	struct dv_mem_access u = *a;

	if (a->is_fp)
		want = a->width == 8 ? raw : (raw & 0xffffffffull) | 0xffffffff00000000ull;
	else if (a->sign_extend)
		want = (uint64_t)((int64_t)(raw << shift) >> shift);
	else
		want = (raw << shift) >> shift;
	FZ_CHECK(got == want, "%#x: load of %#llx gave %#llx, want %#llx", insn,
		 (unsigned long long)raw, (unsigned long long)got, (unsigned long long)want);
	FZ_CHECK(st == ((raw << shift) >> shift), "%#x: store of %#llx gave %#llx", insn,
		 (unsigned long long)raw, (unsigned long long)st);
	/* what a store puts on the bus, a zero-extending load of that width gets back */
	u.is_fp = u.sign_extend = false;
	FZ_CHECK(dv_mem_load_value(&u, st) == st, "%#x: store/load of %#llx", insn,
		 (unsigned long long)raw);
}

static void one(struct fz *f)
{
	uint32_t insn = fz_u32(f);
	uint64_t ht = fz_u64(f), raw = fz_u64(f);
	unsigned int rs1f = fz_u8(f) & 31;
	uint32_t junk = fz_u32(f), t;
	struct dv_mem_access a = CANARY_ACCESS, canary = CANARY_ACCESS, b, arb;
	struct ref want = ref_mem(insn);
	int r = dv_decode_mem(insn, &a), rb;

	/* the decoder against the reference */
	FZ_CHECK(r == 0 || r == -EINVAL || r == -EOPNOTSUPP, "%#x: %d", insn, r);
	if (!r)
		check_access(&a, insn);
	FZ_CHECK(r == 0 || same(0, &a, 0, &canary), "%#x failed (%d) and wrote *out", insn, r);
	FZ_CHECK(same(r, &a, want.ret, &want.a),
		 "%#x: decoder %d {st %d fp %d sx %d w %u reg %u len %u}, reference %d {st %d fp "
		 "%d sx %d w %u reg %u len %u}",
		 insn, r, a.is_store, a.is_fp, a.sign_extend, a.width, a.reg, a.len, want.ret,
		 want.a.is_store, want.a.is_fp, want.a.sign_extend, want.a.width, want.a.reg,
		 want.a.len);
	if (!r)
		check_values(&a, raw, insn);

	/* its transformed instruction (htinst) says the same */
	if ((insn & 3) == 3)
		t = transform32(insn, rs1f, 0);
	else
		t = expand16((uint16_t)insn, rs1f) & ~2u;
	if (t) {
		rb = decode_htinst(t, &b);
		FZ_CHECK(same(r, &a, rb, &b), "%#x: raw %d, htinst %#x %d (reg %u/%u width %u/%u)",
			 insn, r, t, rb, a.reg, b.reg, a.width, b.width);
		/* the immediate (and, compressed, nothing else) is ignored */
		if ((insn & 3) == 3)
			t = transform32(insn, rs1f, junk);
		rb = decode_htinst(t, &b);
		FZ_CHECK(same(r, &a, rb, &b), "%#x: raw %d, htinst with junk %#x %d", insn, r, t,
			 rb);
	} else {
		FZ_CHECK(r == -EINVAL || (insn & 3) == 3, "%#x: compressed, decoded %d", insn, r);
	}

	/* a raw htinst value */
	rb = decode_htinst(ht, &b);
	if (ht >> 32 || (ht & 3) == 0 || (ht & 3) == 2) {
		FZ_CHECK(rb == -EINVAL, "htinst %#llx: %d", (unsigned long long)ht, rb);
	} else {
		want = ref32((uint32_t)ht | 2, (ht & 3) == 3 ? 4 : 2);
		FZ_CHECK(same(rb, &b, want.ret, &want.a),
			 "htinst %#llx: %d (w %u reg %u len %u), reference %d (w %u reg %u len %u)",
			 (unsigned long long)ht, rb, b.width, b.reg, b.len, want.ret, want.a.width,
			 want.a.reg, want.a.len);
	}

	/* the value helpers on any access at all: no undefined behaviour */
	arb = (struct dv_mem_access){junk & 1, junk & 2, junk & 4, (junk >> 8) & 0xff, 0, 4};
	(void)dv_mem_load_value(&arb, raw);
	FZ_CHECK(dv_mem_store_value(&arb, raw) == (raw & width_mask(arb.width)),
		 "store of width %u", arb.width);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};

	unsigned int n = 0;

	do {
		one(&f);
		n++;
	} while (f.n);
	if (fz_verbose())
		fprintf(stderr, "insn: %u instructions\n", n);
	return 0;
}
