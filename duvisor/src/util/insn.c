// SPDX-License-Identifier: GPL-2.0-only
/*
 * RV64GC load/store decoding for MMIO emulation (see insn.h).
 *
 * Every load/store form of RV64GC, and every memory access recognised only
 * to be refused, is one row of dv_mem_forms[]: an instruction matches a row
 * when (insn & mask) == match, and the first matching row wins, so a
 * narrower row (a reserved sub-encoding, a specific funct3) comes before the
 * wider one it carves out of.  A 32-bit instruction has bits 1:0 = 0b11 and a
 * 16-bit one does not, so the 32-bit and the compressed rows never match
 * the same instruction.
 */
#include <errno.h>
#include <stddef.h>

#include "util/insn.h"

/* Where the data register is: rd or rs2 of a 32-bit instruction (and rd of
 * the CI format), rd'/rs2' of the CL/CS formats, rs2 of the CSS format. */
enum dv_reg_field {
	DV_REG_RD,
	DV_REG_RS2,
	DV_REG_CPRIME,
	DV_REG_CRS2,
};

#define DV_F_STORE 0x1
#define DV_F_FP	   0x2
#define DV_F_SEXT  0x4

struct dv_mem_form {
	uint32_t mask;
	uint32_t match;
	int err; /* recognised, but not emulated (-EOPNOTSUPP) or reserved (-EINVAL) */
	uint8_t width;
	uint8_t flags;
	uint8_t reg;
};

#define MASK32	0x0000707fu /* funct3, opcode */
#define MASK16	0x0000e003u /* funct3, quadrant */
#define RD_MASK 0x00000f80u

#define STORE DV_F_STORE
#define FP    DV_F_FP
#define SEXT  DV_F_SEXT
#define NOSUP (-EOPNOTSUPP)

/* clang-format off */
static const struct dv_mem_form dv_mem_forms[] = {
	/* mask, match, error, width, flags, data register field */

	/* RV64I: funct3 = log2(width), and funct3 bit 2 marks an unsigned load */
	{MASK32, 0x00000003, 0, 1, SEXT, DV_REG_RD},	/* lb */
	{MASK32, 0x00001003, 0, 2, SEXT, DV_REG_RD},	/* lh */
	{MASK32, 0x00002003, 0, 4, SEXT, DV_REG_RD},	/* lw */
	{MASK32, 0x00003003, 0, 8, 0, DV_REG_RD},	/* ld */
	{MASK32, 0x00004003, 0, 1, 0, DV_REG_RD},	/* lbu */
	{MASK32, 0x00005003, 0, 2, 0, DV_REG_RD},	/* lhu */
	{MASK32, 0x00006003, 0, 4, 0, DV_REG_RD},	/* lwu */
	{MASK32, 0x00000023, 0, 1, STORE, DV_REG_RS2},	/* sb */
	{MASK32, 0x00001023, 0, 2, STORE, DV_REG_RS2},	/* sh */
	{MASK32, 0x00002023, 0, 4, STORE, DV_REG_RS2},	/* sw */
	{MASK32, 0x00003023, 0, 8, STORE, DV_REG_RS2},	/* sd */

	/* F and D.  The other funct3 values of LOAD-FP/STORE-FP belong to other
	 * extensions: 1 is Zfh (flh/fsh), 4 is Q (flq/fsq), and 0, 5, 6, 7 are
	 * the element widths of the vector loads/stores. */
	{MASK32, 0x00002007, 0, 4, FP, DV_REG_RD},		/* flw */
	{MASK32, 0x00003007, 0, 8, FP, DV_REG_RD},		/* fld */
	{MASK32, 0x00002027, 0, 4, STORE | FP, DV_REG_RS2},	/* fsw */
	{MASK32, 0x00003027, 0, 8, STORE | FP, DV_REG_RS2},	/* fsd */
	{0x0000007f, 0x00000007, NOSUP, 0, 0, 0},		/* flh, flq, vector */
	{0x0000007f, 0x00000027, NOSUP, 0, 0, 0},		/* fsh, fsq, vector */

	/* AMO: LR/SC/AMO of A (.w, .d), Zabha (.b, .h), Zacas (amocas.q);
	 * funct3 5-7 are reserved */
	{MASK32, 0x0000002f, NOSUP, 0, 0, 0},	/* amo*.b */
	{MASK32, 0x0000102f, NOSUP, 0, 0, 0},	/* amo*.h */
	{MASK32, 0x0000202f, NOSUP, 0, 0, 0},	/* lr.w, sc.w, amo*.w */
	{MASK32, 0x0000302f, NOSUP, 0, 0, 0},	/* lr.d, sc.d, amo*.d */
	{MASK32, 0x0000402f, NOSUP, 0, 0, 0},	/* amocas.q */

	/* C, quadrant 0 (CL/CS formats: rd'/rs2' are x8..x15 or f8..f15) */
	{MASK16, 0x2000, 0, 8, FP, DV_REG_CPRIME},		/* c.fld */
	{MASK16, 0x4000, 0, 4, SEXT, DV_REG_CPRIME},		/* c.lw */
	{MASK16, 0x6000, 0, 8, 0, DV_REG_CPRIME},		/* c.ld */
	{MASK16, 0xa000, 0, 8, STORE | FP, DV_REG_CPRIME},	/* c.fsd */
	{MASK16, 0xc000, 0, 4, STORE, DV_REG_CPRIME},		/* c.sw */
	{MASK16, 0xe000, 0, 8, STORE, DV_REG_CPRIME},		/* c.sd */

	/* C, quadrant 2 (CI/CSS formats, sp-relative); rd = x0 is reserved
	 * for the integer loads (not for c.fldsp: f0 is a register) */
	{MASK16 | RD_MASK, 0x4002, -EINVAL, 0, 0, 0},		/* c.lwsp x0 */
	{MASK16 | RD_MASK, 0x6002, -EINVAL, 0, 0, 0},		/* c.ldsp x0 */
	{MASK16, 0x2002, 0, 8, FP, DV_REG_RD},			/* c.fldsp */
	{MASK16, 0x4002, 0, 4, SEXT, DV_REG_RD},		/* c.lwsp */
	{MASK16, 0x6002, 0, 8, 0, DV_REG_RD},			/* c.ldsp */
	{MASK16, 0xa002, 0, 8, STORE | FP, DV_REG_CRS2},	/* c.fsdsp */
	{MASK16, 0xc002, 0, 4, STORE, DV_REG_CRS2},		/* c.swsp */
	{MASK16, 0xe002, 0, 8, STORE, DV_REG_CRS2},		/* c.sdsp */
};
/* clang-format on */

static unsigned int dv_mem_reg(uint32_t insn, enum dv_reg_field field)
{
	switch (field) {
	case DV_REG_RD:
		return (insn >> 7) & 0x1f;
	case DV_REG_RS2:
		return (insn >> 20) & 0x1f;
	case DV_REG_CPRIME:
		return 8 + ((insn >> 2) & 0x7);
	case DV_REG_CRS2:
		return (insn >> 2) & 0x1f;
	}
	return 0;
}

/* insn is a 32-bit instruction, or a 16-bit one with its high half clear. */
static int dv_decode(uint32_t insn, unsigned int len, struct dv_mem_access *out)
{
	uint32_t funct3 = (insn >> 12) & 7;

	/*
	 * The RV64I loads and stores first, without the table: what every MMIO
	 * exit with the hart's transformed instruction (htinst) comes as, the
	 * compressed ones included. Rows 0-10 of dv_mem_forms[] say the same.
	 */
	if ((insn & 0x7f) == 0x03 && funct3 != 7) {
		out->is_store = false;
		out->is_fp = false;
		out->sign_extend = funct3 < 3;
		out->width = 1 << (funct3 & 3);
		out->reg = (insn >> 7) & 0x1f;
		out->len = len;
		return 0;
	}
	if ((insn & 0x7f) == 0x23 && funct3 < 4) {
		out->is_store = true;
		out->is_fp = false;
		out->sign_extend = false;
		out->width = 1 << funct3;
		out->reg = (insn >> 20) & 0x1f;
		out->len = len;
		return 0;
	}
	for (size_t i = 0; i < sizeof(dv_mem_forms) / sizeof(dv_mem_forms[0]); i++) {
		const struct dv_mem_form *f = &dv_mem_forms[i];

		if ((insn & f->mask) != f->match)
			continue;
		if (f->err)
			return f->err;
		out->is_store = f->flags & DV_F_STORE;
		out->is_fp = f->flags & DV_F_FP;
		out->sign_extend = f->flags & DV_F_SEXT;
		out->width = f->width;
		out->reg = dv_mem_reg(insn, f->reg);
		out->len = len;
		return 0;
	}
	return -EINVAL;
}

int dv_decode_mem(uint32_t insn, struct dv_mem_access *out)
{
	/* bits 1:0 != 0b11 is a 16-bit instruction; whatever follows it in
	 * memory may be in the high half */
	if ((insn & 0x3) != 0x3)
		return dv_decode(insn & 0xffff, 2, out);
	return dv_decode(insn, 4, out);
}

int dv_decode_htinst(uint64_t htinst, struct dv_mem_access *out)
{
	if (htinst >> 32)
		return -EINVAL;
	switch (htinst & 0x3) {
	case 0x3:
		return dv_decode((uint32_t)htinst, 4, out);
	case 0x1:
		/* a compressed original, expanded, with bit 1 cleared */
		return dv_decode((uint32_t)htinst | 0x2, 2, out);
	default:
		/* 0 is "no information"; other values with bits 1:0 = 0b00 are
		 * the pseudoinstructions of implicit VS-stage page-table
		 * accesses (0x3000, 0x3020), not the guest's own access;
		 * 0b10 is reserved */
		return -EINVAL;
	}
}

static uint64_t dv_width_mask(unsigned int width)
{
	return width >= 8 ? ~0ull : (1ull << (8 * width)) - 1;
}

uint64_t dv_mem_load_value(const struct dv_mem_access *a, uint64_t raw)
{
	uint64_t mask = dv_width_mask(a->width);
	uint64_t v = raw & mask;

	/* a narrower FP value in a 64-bit f register is NaN-boxed */
	if (a->is_fp)
		return v | ~mask;
	if (a->sign_extend && a->width && a->width < 8) {
		uint64_t sign = 1ull << (8 * a->width - 1);

		v = (v ^ sign) - sign;
	}
	return v;
}

uint64_t dv_mem_store_value(const struct dv_mem_access *a, uint64_t reg_value)
{
	return reg_value & dv_width_mask(a->width);
}
