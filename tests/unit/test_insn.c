// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MMIO load/store decoder: every RV64GC load/store form, raw and as the
 * transformed instruction of htinst; value extension and truncation; and
 * everything it must refuse.
 *
 * The encodings were assembled with GNU as 2.40 (riscv64-linux-gnu-as
 * -march=rv64gc, `.option norvc` for the 32-bit forms, `.option rvc` for the
 * c. forms) and the text is objdump's (-M numeric,no-aliases), so the
 * register in the text is the register the decoder must report.  The
 * expected properties of each mnemonic come from the ISA manual
 * (mem_mnems[]), not from the decoder's table.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/insn.h"
#include "unit.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct mem_mnem {
	const char *name;
	bool is_store, is_fp, sign_extend;
	unsigned int width;
};

/* What each form does, from the ISA manual. */
/* clang-format off */
static const struct mem_mnem mem_mnems[] = {
	/* name       store  fp     sext   width */
	{"lb",        false, false, true,  1},
	{"lh",        false, false, true,  2},
	{"lw",        false, false, true,  4},
	{"ld",        false, false, false, 8},
	{"lbu",       false, false, false, 1},
	{"lhu",       false, false, false, 2},
	{"lwu",       false, false, false, 4},
	{"flw",       false, true,  false, 4},
	{"fld",       false, true,  false, 8},
	{"sb",        true,  false, false, 1},
	{"sh",        true,  false, false, 2},
	{"sw",        true,  false, false, 4},
	{"sd",        true,  false, false, 8},
	{"fsw",       true,  true,  false, 4},
	{"fsd",       true,  true,  false, 8},
	{"c.lw",      false, false, true,  4},
	{"c.ld",      false, false, false, 8},
	{"c.fld",     false, true,  false, 8},
	{"c.sw",      true,  false, false, 4},
	{"c.sd",      true,  false, false, 8},
	{"c.fsd",     true,  true,  false, 8},
	{"c.lwsp",    false, false, true,  4},
	{"c.ldsp",    false, false, false, 8},
	{"c.fldsp",   false, true,  false, 8},
	{"c.swsp",    true,  false, false, 4},
	{"c.sdsp",    true,  false, false, 8},
	{"c.fsdsp",   true,  true,  false, 8},
};
/* clang-format on */

struct mem32_case {
	uint32_t insn;
	const char *text;
	unsigned int reg;
};

/* Every 32-bit form with rd/rs2 = 0, 1, 10, 31, several bases and offsets. */
/* clang-format off */
static const struct mem32_case mem32_cases[] = {
	{0x00008003, "lb x0,0(x1)", 0},
	{0x800f8083, "lb x1,-2048(x31)", 1},
	{0x7ff10503, "lb x10,2047(x2)", 10},
	{0xfff00f83, "lb x31,-1(x0)", 31},
	{0x00009003, "lh x0,0(x1)", 0},
	{0x800f9083, "lh x1,-2048(x31)", 1},
	{0x7ff11503, "lh x10,2047(x2)", 10},
	{0xfff01f83, "lh x31,-1(x0)", 31},
	{0x0000a003, "lw x0,0(x1)", 0},
	{0x800fa083, "lw x1,-2048(x31)", 1},
	{0x7ff12503, "lw x10,2047(x2)", 10},
	{0xfff02f83, "lw x31,-1(x0)", 31},
	{0x0000b003, "ld x0,0(x1)", 0},
	{0x800fb083, "ld x1,-2048(x31)", 1},
	{0x7ff13503, "ld x10,2047(x2)", 10},
	{0xfff03f83, "ld x31,-1(x0)", 31},
	{0x0000c003, "lbu x0,0(x1)", 0},
	{0x800fc083, "lbu x1,-2048(x31)", 1},
	{0x7ff14503, "lbu x10,2047(x2)", 10},
	{0xfff04f83, "lbu x31,-1(x0)", 31},
	{0x0000d003, "lhu x0,0(x1)", 0},
	{0x800fd083, "lhu x1,-2048(x31)", 1},
	{0x7ff15503, "lhu x10,2047(x2)", 10},
	{0xfff05f83, "lhu x31,-1(x0)", 31},
	{0x0000e003, "lwu x0,0(x1)", 0},
	{0x800fe083, "lwu x1,-2048(x31)", 1},
	{0x7ff16503, "lwu x10,2047(x2)", 10},
	{0xfff06f83, "lwu x31,-1(x0)", 31},
	{0x0000a007, "flw f0,0(x1)", 0},
	{0x800fa087, "flw f1,-2048(x31)", 1},
	{0x7ff12507, "flw f10,2047(x2)", 10},
	{0xfff02f87, "flw f31,-1(x0)", 31},
	{0x0000b007, "fld f0,0(x1)", 0},
	{0x800fb087, "fld f1,-2048(x31)", 1},
	{0x7ff13507, "fld f10,2047(x2)", 10},
	{0xfff03f87, "fld f31,-1(x0)", 31},
	{0x80008023, "sb x0,-2048(x1)", 0},
	{0x7e1f8fa3, "sb x1,2047(x31)", 1},
	{0x00a10023, "sb x10,0(x2)", 10},
	{0xfff00fa3, "sb x31,-1(x0)", 31},
	{0x80009023, "sh x0,-2048(x1)", 0},
	{0x7e1f9fa3, "sh x1,2047(x31)", 1},
	{0x00a11023, "sh x10,0(x2)", 10},
	{0xfff01fa3, "sh x31,-1(x0)", 31},
	{0x8000a023, "sw x0,-2048(x1)", 0},
	{0x7e1fafa3, "sw x1,2047(x31)", 1},
	{0x00a12023, "sw x10,0(x2)", 10},
	{0xfff02fa3, "sw x31,-1(x0)", 31},
	{0x8000b023, "sd x0,-2048(x1)", 0},
	{0x7e1fbfa3, "sd x1,2047(x31)", 1},
	{0x00a13023, "sd x10,0(x2)", 10},
	{0xfff03fa3, "sd x31,-1(x0)", 31},
	{0x8000a027, "fsw f0,-2048(x1)", 0},
	{0x7e1fafa7, "fsw f1,2047(x31)", 1},
	{0x00a12027, "fsw f10,0(x2)", 10},
	{0xfff02fa7, "fsw f31,-1(x0)", 31},
	{0x8000b027, "fsd f0,-2048(x1)", 0},
	{0x7e1fbfa7, "fsd f1,2047(x31)", 1},
	{0x00a13027, "fsd f10,0(x2)", 10},
	{0xfff03fa7, "fsd f31,-1(x0)", 31},
};
/* clang-format on */

struct mem16_case {
	uint16_t insn;
	const char *text;
	unsigned int reg;
	uint32_t expanded; /* the 32-bit equivalent, assembled the same way */
};

/* Every compressed form: rd'/rs2' = 8, 9, 12, 15 (CL/CS) and rd/rs2 = 0 or
 * 1, 2, 15, 31 (CI/CSS), from offset 0 to the largest one. */
/* clang-format off */
static const struct mem16_case mem16_cases[] = {
	{0x4380, "c.lw x8,0(x15)", 8, 0x0007a403},
	{0x5c64, "c.lw x9,124(x8)", 9, 0x07c42483},
	{0x4150, "c.lw x12,4(x10)", 12, 0x00452603},
	{0x5dbc, "c.lw x15,120(x11)", 15, 0x0785a783},
	{0x6380, "c.ld x8,0(x15)", 8, 0x0007b403},
	{0x7c64, "c.ld x9,248(x8)", 9, 0x0f843483},
	{0x6510, "c.ld x12,8(x10)", 12, 0x00853603},
	{0x79fc, "c.ld x15,240(x11)", 15, 0x0f05b783},
	{0x2380, "c.fld f8,0(x15)", 8, 0x0007b407},
	{0x3c64, "c.fld f9,248(x8)", 9, 0x0f843487},
	{0x2510, "c.fld f12,8(x10)", 12, 0x00853607},
	{0x39fc, "c.fld f15,240(x11)", 15, 0x0f05b787},
	{0xc380, "c.sw x8,0(x15)", 8, 0x0087a023},
	{0xdc64, "c.sw x9,124(x8)", 9, 0x06942e23},
	{0xc150, "c.sw x12,4(x10)", 12, 0x00c52223},
	{0xddbc, "c.sw x15,120(x11)", 15, 0x06f5ac23},
	{0xe380, "c.sd x8,0(x15)", 8, 0x0087b023},
	{0xfc64, "c.sd x9,248(x8)", 9, 0x0e943c23},
	{0xe510, "c.sd x12,8(x10)", 12, 0x00c53423},
	{0xf9fc, "c.sd x15,240(x11)", 15, 0x0ef5b823},
	{0xa380, "c.fsd f8,0(x15)", 8, 0x0087b027},
	{0xbc64, "c.fsd f9,248(x8)", 9, 0x0e943c27},
	{0xa510, "c.fsd f12,8(x10)", 12, 0x00c53427},
	{0xb9fc, "c.fsd f15,240(x11)", 15, 0x0ef5b827},
	{0x4082, "c.lwsp x1,0(x2)", 1, 0x00012083},
	{0x517e, "c.lwsp x2,252(x2)", 2, 0x0fc12103},
	{0x4792, "c.lwsp x15,4(x2)", 15, 0x00412783},
	{0x4f8a, "c.lwsp x31,128(x2)", 31, 0x08012f83},
	{0x6082, "c.ldsp x1,0(x2)", 1, 0x00013083},
	{0x717e, "c.ldsp x2,504(x2)", 2, 0x1f813103},
	{0x67a2, "c.ldsp x15,8(x2)", 15, 0x00813783},
	{0x6f8a, "c.ldsp x31,128(x2)", 31, 0x08013f83},
	{0x2002, "c.fldsp f0,0(x2)", 0, 0x00013007},
	{0x317e, "c.fldsp f2,504(x2)", 2, 0x1f813107},
	{0x27a2, "c.fldsp f15,8(x2)", 15, 0x00813787},
	{0x2f8a, "c.fldsp f31,128(x2)", 31, 0x08013f87},
	{0xc002, "c.swsp x0,0(x2)", 0, 0x00012023},
	{0xdf8a, "c.swsp x2,252(x2)", 2, 0x0e212e23},
	{0xc23e, "c.swsp x15,4(x2)", 15, 0x00f12223},
	{0xc17e, "c.swsp x31,128(x2)", 31, 0x09f12023},
	{0xe002, "c.sdsp x0,0(x2)", 0, 0x00013023},
	{0xff8a, "c.sdsp x2,504(x2)", 2, 0x1e213c23},
	{0xe43e, "c.sdsp x15,8(x2)", 15, 0x00f13423},
	{0xe17e, "c.sdsp x31,128(x2)", 31, 0x09f13023},
	{0xa002, "c.fsdsp f0,0(x2)", 0, 0x00013027},
	{0xbf8a, "c.fsdsp f2,504(x2)", 2, 0x1e213c27},
	{0xa43e, "c.fsdsp f15,8(x2)", 15, 0x00f13427},
	{0xa17e, "c.fsdsp f31,128(x2)", 31, 0x09f13027},
};
/* clang-format on */

static const struct mem_mnem *mnem_of(const char *text)
{
	for (size_t i = 0; i < ARRAY_SIZE(mem_mnems); i++) {
		size_t n = strlen(mem_mnems[i].name);

		if (!strncmp(text, mem_mnems[i].name, n) && text[n] == ' ')
			return &mem_mnems[i];
	}
	return NULL;
}

/* Check every field of a decode of the form named by text. */
static void check_access(int *ut_failed, const char *what, const char *text, int rc,
			 const struct dv_mem_access *a, unsigned int reg, unsigned int len)
{
	const struct mem_mnem *m = mnem_of(text);

	UT_CHECK(m, "%s %s: mnemonic not in mem_mnems[]", what, text);
	UT_CHECK(rc == 0, "%s %s: rc %d", what, text, rc);
	if (!m || rc)
		return;
	UT_CHECK(a->is_store == m->is_store, "%s %s: is_store %d", what, text, a->is_store);
	UT_CHECK(a->is_fp == m->is_fp, "%s %s: is_fp %d", what, text, a->is_fp);
	UT_CHECK(a->sign_extend == m->sign_extend, "%s %s: sign_extend %d", what, text,
		 a->sign_extend);
	UT_CHECK(a->width == m->width, "%s %s: width %u", what, text, a->width);
	UT_CHECK(a->reg == reg, "%s %s: reg %u, want %u", what, text, a->reg, reg);
	UT_CHECK(a->len == len, "%s %s: len %u, want %u", what, text, a->len, len);
}

/*
 * The transformed instruction the spec has the hart write to htinst for a
 * load or store: the immediate fields are zeroed, rs1 holds the address
 * offset (the faulting address minus the original one, for a misaligned
 * access split in parts), and for a compressed original bit 1 is cleared.
 */
static uint32_t transform(uint32_t insn32, bool is_store, unsigned int addr_off, bool compressed)
{
	/* keep funct3 and opcode, plus rd for a load or rs2 for a store */
	uint32_t keep = is_store ? 0x01f0707f : 0x00007fff;
	uint32_t t = (insn32 & keep) | (addr_off & 0x1f) << 15;

	return compressed ? t & ~0x2u : t;
}

static const unsigned int addr_offsets[] = {0, 1, 3, 7, 31};

UT_TEST(tables_cover_every_form)
{
	for (size_t i = 0; i < ARRAY_SIZE(mem_mnems); i++) {
		int n = 0;

		for (size_t j = 0; j < ARRAY_SIZE(mem32_cases); j++)
			n += mnem_of(mem32_cases[j].text) == &mem_mnems[i];
		for (size_t j = 0; j < ARRAY_SIZE(mem16_cases); j++)
			n += mnem_of(mem16_cases[j].text) == &mem_mnems[i];
		UT_CHECK(n >= 4, "%s has %d encodings", mem_mnems[i].name, n);
	}
}

UT_TEST(decode_every_32bit_form)
{
	for (size_t i = 0; i < ARRAY_SIZE(mem32_cases); i++) {
		const struct mem32_case *c = &mem32_cases[i];
		struct dv_mem_access a;
		int rc = dv_decode_mem(c->insn, &a);

		check_access(ut_failed, "raw", c->text, rc, &a, c->reg, 4);
	}
}

UT_TEST(decode_every_compressed_form)
{
	for (size_t i = 0; i < ARRAY_SIZE(mem16_cases); i++) {
		const struct mem16_case *c = &mem16_cases[i];
		struct dv_mem_access a;
		int rc = dv_decode_mem(c->insn, &a);

		check_access(ut_failed, "raw", c->text, rc, &a, c->reg, 2);
	}
}

/* The caller may read 32 bits at the pc: what follows a 16-bit instruction
 * must not change its decode. */
UT_TEST(compressed_ignores_high_half)
{
	static const uint32_t high[] = {0xffff0000, 0x00030000, 0x12345678u << 16};

	for (size_t i = 0; i < ARRAY_SIZE(mem16_cases); i++) {
		const struct mem16_case *c = &mem16_cases[i];

		for (size_t j = 0; j < ARRAY_SIZE(high); j++) {
			struct dv_mem_access a;
			int rc = dv_decode_mem(c->insn | high[j], &a);

			check_access(ut_failed, "high half set", c->text, rc, &a, c->reg, 2);
		}
	}
}

/* The 32-bit expansions the compressed rows carry (the bases of the htinst
 * cases below) are the same accesses. */
UT_TEST(compressed_expansions_match)
{
	for (size_t i = 0; i < ARRAY_SIZE(mem16_cases); i++) {
		const struct mem16_case *c = &mem16_cases[i];
		struct dv_mem_access a32;
		int rc32 = dv_decode_mem(c->expanded, &a32);

		/* the fields of the compressed form, but a 4-byte length */
		check_access(ut_failed, "expansion of", c->text, rc32, &a32, c->reg, 4);
	}
}

UT_TEST(htinst_every_32bit_form)
{
	for (size_t i = 0; i < ARRAY_SIZE(mem32_cases); i++) {
		const struct mem32_case *c = &mem32_cases[i];
		const struct mem_mnem *m = mnem_of(c->text);

		for (size_t j = 0; m && j < ARRAY_SIZE(addr_offsets); j++) {
			uint32_t t = transform(c->insn, m->is_store, addr_offsets[j], false);
			struct dv_mem_access a;
			int rc = dv_decode_htinst(t, &a);

			check_access(ut_failed, "htinst", c->text, rc, &a, c->reg, 4);
		}
	}
}

UT_TEST(htinst_every_compressed_form)
{
	for (size_t i = 0; i < ARRAY_SIZE(mem16_cases); i++) {
		const struct mem16_case *c = &mem16_cases[i];
		const struct mem_mnem *m = mnem_of(c->text);

		for (size_t j = 0; m && j < ARRAY_SIZE(addr_offsets); j++) {
			uint32_t t = transform(c->expanded, m->is_store, addr_offsets[j], true);
			struct dv_mem_access a;
			int rc = dv_decode_htinst(t, &a);

			UT_CHECK((t & 0x3) == 0x1, "%s: transformed 0x%08x", c->text, t);
			check_access(ut_failed, "htinst", c->text, rc, &a, c->reg, 2);
		}
	}
}

/* A few transformed values worked out by hand from the spec's layout; text is
 * an original instruction that traps with that value. */
UT_TEST(htinst_literals)
{
	/* clang-format off */
	static const struct {
		uint64_t htinst;
		const char *text;
		unsigned int reg, len;
	} cases[] = {
		{0x00002501, "c.lw x10,0(x10)", 10, 2},	  /* c.lw 0x4108 -> lw x10, rs1 = 0 */
		{0x00902021, "c.sw x9,0(x8)", 9, 2},	  /* sw x9, bit 1 cleared */
		{0x00f03025, "c.fsdsp f15,0(x2)", 15, 2}, /* fsd f15, bit 1 cleared */
		{0x00003081, "c.ldsp x1,0(x2)", 1, 2},	  /* ld x1, bit 1 cleared */
		{0x0051b023, "sd x5,0(x0)", 5, 4},	  /* sd x5, address offset 3 */
		{0x00013087, "fld f1,0(x0)", 1, 4},	  /* fld f1, address offset 2 */
		{0x000fcf83, "lbu x31,0(x0)", 31, 4},	  /* lbu x31, address offset 31 */
	};
	/* clang-format on */

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct dv_mem_access a;
		int rc = dv_decode_htinst(cases[i].htinst, &a);

		check_access(ut_failed, "htinst literal", cases[i].text, rc, &a, cases[i].reg,
			     cases[i].len);
	}
}

UT_TEST(htinst_rejects_no_information_and_pseudoinstructions)
{
	/* clang-format off */
	static const struct {
		uint64_t htinst;
		int rc;
		const char *why;
	} cases[] = {
		{0, -EINVAL, "0: no information"},
		{0x00002000, -EINVAL, "pseudoinstruction: 32-bit VS-stage PTE read"},
		{0x00002020, -EINVAL, "pseudoinstruction: 32-bit VS-stage PTE write"},
		{0x00003000, -EINVAL, "pseudoinstruction: 64-bit VS-stage PTE read"},
		{0x00003020, -EINVAL, "pseudoinstruction: 64-bit VS-stage PTE write"},
		{0x00002502, -EINVAL, "bits 1:0 = 0b10 is reserved"},
		{0x0000000100002503ull, -EINVAL, "lw with bits above 31 set"},
		{0xffffffff00002503ull, -EINVAL, "lw with the high word all ones"},
		{0x00000013, -EINVAL, "addi (not a load/store)"},
		{0x00000011, -EINVAL, "addi from a compressed original"},
		{0x00000073, -EINVAL, "ecall"},
		{0x00007003, -EINVAL, "LOAD funct3 = 7 (reserved)"},
		{0x00004023, -EINVAL, "STORE funct3 = 4 (reserved)"},
		{0x08b0252f, -EOPNOTSUPP, "amoswap.w x10,x11 (rs1 = address offset 0)"},
		{0x1000b0ad, -EOPNOTSUPP, "lr.d x1 from a compressed original"},
		{0x02000087, -EOPNOTSUPP, "vle8.v v1"},
		{0x00001087, -EOPNOTSUPP, "flh f1"},
	};
	/* clang-format on */

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct dv_mem_access a;
		int rc = dv_decode_htinst(cases[i].htinst, &a);

		UT_CHECK(rc == cases[i].rc, "0x%llx (%s): rc %d, want %d",
			 (unsigned long long)cases[i].htinst, cases[i].why, rc, cases[i].rc);
	}
}

struct reject_case {
	uint32_t insn;
	const char *text;
};

/* clang-format off */
static const struct reject_case not_emulated[] = {
	/* A: LR/SC/AMO (GNU as -march=rv64gc) */
	{0x1005a52f, "lr.w x10,(x11)"},
	{0x100fb0af, "lr.d x1,(x31)"},
	{0x1863a2af, "sc.w x5,x6,(x7)"},
	{0x19f0b02f, "sc.d x0,x31,(x1)"},
	{0x08b6252f, "amoswap.w x10,x11,(x12)"},
	{0x0021b0af, "amoadd.d x1,x2,(x3)"},
	{0x4653222f, "amoor.w.aqrl x4,x5,(x6)"},
	{0xe1eebfaf, "amomaxu.d x31,x30,(x29)"},
	{0x0000002f, "Zabha: AMO funct3 = 0 (.b)"},
	{0x0000102f, "Zabha: AMO funct3 = 1 (.h)"},
	{0x0000402f, "Zacas: AMO funct3 = 4 (amocas.q)"},
	/* V (-march=rv64gcv) */
	{0x02050087, "vle8.v v1,(x10)"},
	{0x0205d107, "vle16.v v2,(x11)"},
	{0x00066187, "vle32.v v3,(x12),v0.t"},
	{0x020fff87, "vle64.v v31,(x31)"},
	{0x020500a7, "vse8.v v1,(x10)"},
	{0x02017427, "vse64.v v8,(x2)"},
	{0x0ab56087, "vlse32.v v1,(x10),x11"},
	{0x0e62d227, "vsoxei16.v v4,(x5),v6"},
	{0x02850087, "vl1re8.v v1,(x10)"},
	{0x028500a7, "vs1r.v v1,(x10)"},
	{0x03050087, "vle8ff.v v1,(x10)"},
	/* Zfh and Q (-march=rv64gcq_zfh) */
	{0x00251087, "flh f1,2(x10)"},
	{0x00151127, "fsh f1,2(x10)"},
	{0x01054087, "flq f1,16(x10)"},
	{0x00154827, "fsq f1,16(x10)"},
};
/* clang-format on */

/* clang-format off */
static const struct reject_case not_mem[] = {
	/* GNU as -march=rv64gcv_h */
	{0x00150513, "addi x10,x10,1"},
	{0x003100b3, "add x1,x2,x3"},
	{0x123452b7, "lui x5,0x12345"},
	{0x00000297, "auipc x5,0x0"},
	{0x000000ef, "jal x1,."},
	{0x000280e7, "jalr x1,0(x5)"},
	{0x00208063, "beq x1,x2,."},
	{0x00000073, "ecall"},
	{0x00100073, "ebreak"},
	{0x0330000f, "fence rw,rw"},
	{0x0000100f, "fence.i"},
	{0x100110f3, "csrrw x1,sstatus,x2"},
	{0x023170d3, "fadd.d f1,f2,f3"},
	{0x023100b3, "mul x1,x2,x3"},
	{0x0010809b, "addiw x1,x1,1"},
	{0x6805c573, "hlv.w x10,(x11)"},
	{0x6ea5c073, "hsv.d x10,(x11)"},
	{0x6835c573, "hlvx.wu x10,(x11)"},
	{0x10200073, "sret"},
	{0x10500073, "wfi"},
	{0x0c0170d7, "vsetvli x1,x2,e8,m1,ta,ma"},
	{0x022180d7, "vadd.vv v1,v2,v3"},
	{0x0001, "c.nop"},
	{0x0505, "c.addi x10,1"},
	{0x4515, "c.li x10,5"},
	{0x6505, "c.lui x10,0x1"},
	{0xa001, "c.j ."},
	{0xc001, "c.beqz x8,."},
	{0x852e, "c.mv x10,x11"},
	{0x952e, "c.add x10,x11"},
	{0x8082, "c.jr x1"},
	{0x0800, "c.addi4spn x8,x2,16"},
	{0x050e, "c.slli x10,0x3"},
	{0x9002, "c.ebreak"},
	{0x2505, "c.addiw x10,1 (quadrant 1, funct3 of c.fld)"},
	{0x8c05, "c.sub x8,x9"},
};
/* clang-format on */

/* clang-format off */
static const struct reject_case reserved[] = {
	{0x00000000, "all zeros (defined illegal)"},
	{0xffffffff, "all ones (longer than 32 bits)"},
	{0xffff0000, "16-bit all zeros with a high half"},
	{0x0000ffff, "low half all ones"},
	{0x00007003, "LOAD funct3 = 7"},
	{0xfff07f83, "LOAD funct3 = 7, all other fields set"},
	{0x00004023, "STORE funct3 = 4 (sq of RV128)"},
	{0x00005023, "STORE funct3 = 5"},
	{0x00006023, "STORE funct3 = 6"},
	{0x00007023, "STORE funct3 = 7"},
	{0x0000502f, "AMO funct3 = 5"},
	{0x0000602f, "AMO funct3 = 6"},
	{0x0000702f, "AMO funct3 = 7"},
	{0x4002, "c.lwsp x0,0(x2)"},
	{0x507e, "c.lwsp x0,252(x2)"},
	{0x6002, "c.ldsp x0,0(x2)"},
	{0x707e, "c.ldsp x0,504(x2)"},
	{0x8000, "quadrant 0 funct3 = 100"},
	{0x9ffc, "quadrant 0 funct3 = 100, all fields set"},
	{0x0000001f, "48-bit instruction prefix"},
	{0x0000003f, "64-bit instruction prefix"},
	{0x0000007f, "80-bit+ instruction prefix"},
};
/* clang-format on */

static void check_rejects(int *ut_failed, const struct reject_case *c, size_t n, int want)
{
	for (size_t i = 0; i < n; i++) {
		struct dv_mem_access a;
		int rc = dv_decode_mem(c[i].insn, &a);

		UT_CHECK(rc == want, "0x%08x (%s): rc %d, want %d", c[i].insn, c[i].text, rc, want);
	}
}

UT_TEST(rejects_atomics_vector_and_other_fp_widths)
{
	check_rejects(ut_failed, not_emulated, ARRAY_SIZE(not_emulated), -EOPNOTSUPP);
}

UT_TEST(rejects_other_instructions)
{
	check_rejects(ut_failed, not_mem, ARRAY_SIZE(not_mem), -EINVAL);
}

UT_TEST(rejects_reserved_encodings)
{
	check_rejects(ut_failed, reserved, ARRAY_SIZE(reserved), -EINVAL);
}

UT_TEST(out_untouched_on_error)
{
	struct dv_mem_access a, before;

	memset(&a, 0xa5, sizeof(a));
	memcpy(&before, &a, sizeof(a));
	UT_CHECK(dv_decode_mem(0x00150513, &a) == -EINVAL, "addi");
	UT_CHECK(dv_decode_mem(0x1005a52f, &a) == -EOPNOTSUPP, "lr.w");
	UT_CHECK(dv_decode_mem(0x4002, &a) == -EINVAL, "c.lwsp x0");
	UT_CHECK(dv_decode_htinst(0x3000, &a) == -EINVAL, "pseudoinstruction");
	UT_CHECK(!memcmp(&a, &before, sizeof(a)), "*out was written");
}

struct value_case {
	uint32_t insn;
	const char *text;
	uint64_t in, out;
};

/* Loads: raw little-endian bytes (with garbage above the width) -> register. */
/* clang-format off */
static const struct value_case load_values[] = {
	{0x00008003, "lb", 0x80, 0xffffffffffffff80},
	{0x00008003, "lb", 0x7f, 0x7f},
	{0x00008003, "lb", 0xffffffffffffff7f, 0x7f},
	{0x00008003, "lb", 0x12345680, 0xffffffffffffff80},
	{0x0000c003, "lbu", 0x80, 0x80},
	{0x0000c003, "lbu", 0xffffffffffffffff, 0xff},
	{0x00009003, "lh", 0x8000, 0xffffffffffff8000},
	{0x00009003, "lh", 0x7fff, 0x7fff},
	{0x00009003, "lh", 0xabcd0080, 0x80},
	{0x0000d003, "lhu", 0x8000, 0x8000},
	{0x0000d003, "lhu", 0xffffffffffff8001, 0x8001},
	{0x0000a003, "lw", 0x80000000, 0xffffffff80000000},
	{0x0000a003, "lw", 0x7fffffff, 0x7fffffff},
	{0x0000a003, "lw", 0xdeadbeef80000000, 0xffffffff80000000},
	{0x0000a003, "lw", 0xffffffff00008000, 0x8000},
	{0x0000e003, "lwu", 0x80000000, 0x80000000},
	{0x0000e003, "lwu", 0xffffffff00000001, 0x1},
	{0x0000b003, "ld", 0x8000000000000000, 0x8000000000000000},
	{0x0000b003, "ld", 0x0123456789abcdef, 0x0123456789abcdef},
	{0x4380, "c.lw", 0x80000000, 0xffffffff80000000},
	{0x4380, "c.lw", 0x1234567876543210, 0x76543210},
	{0x4082, "c.lwsp", 0x80000000, 0xffffffff80000000},
	{0x6380, "c.ld", 0xfedcba9876543210, 0xfedcba9876543210},
	{0x6082, "c.ldsp", 0x8000000000000001, 0x8000000000000001},
	/* FLW NaN-boxes the single in the 64-bit f register */
	{0x0000a007, "flw", 0x3f800000, 0xffffffff3f800000},
	{0x0000a007, "flw", 0x12345678bf800000, 0xffffffffbf800000},
	{0x0000b007, "fld", 0x3ff0000000000000, 0x3ff0000000000000},
	{0x2380, "c.fld", 0xbff0000000000000, 0xbff0000000000000},
	{0x2002, "c.fldsp", 0x0000000000000001, 0x0000000000000001},
};
/* clang-format on */

/* Stores: register value -> the bytes written (truncated to the width). */
/* clang-format off */
static const struct value_case store_values[] = {
	{0x80008023, "sb", 0x1122334455667788, 0x88},
	{0x80008023, "sb", 0xffffffffffffff80, 0x80},
	{0x80009023, "sh", 0x1122334455667788, 0x7788},
	{0x8000a023, "sw", 0x1122334455667788, 0x55667788},
	{0x8000a023, "sw", 0xffffffff80000000, 0x80000000},
	{0x8000b023, "sd", 0x1122334455667788, 0x1122334455667788},
	{0x8000a027, "fsw", 0xffffffff3f800000, 0x3f800000},
	{0x8000b027, "fsd", 0xbff0000000000000, 0xbff0000000000000},
	{0xc380, "c.sw", 0x8877665544332211, 0x44332211},
	{0xc002, "c.swsp", 0x8877665544332211, 0x44332211},
	{0xe380, "c.sd", 0x8877665544332211, 0x8877665544332211},
	{0xe002, "c.sdsp", 0x8877665544332211, 0x8877665544332211},
	{0xa380, "c.fsd", 0x400921fb54442d18, 0x400921fb54442d18},
	{0xa002, "c.fsdsp", 0x400921fb54442d18, 0x400921fb54442d18},
};
/* clang-format on */

UT_TEST(load_value_extension)
{
	for (size_t i = 0; i < ARRAY_SIZE(load_values); i++) {
		const struct value_case *c = &load_values[i];
		struct dv_mem_access a;
		uint64_t v;

		if (dv_decode_mem(c->insn, &a) || a.is_store) {
			UT_CHECK(0, "%s 0x%08x does not decode as a load", c->text, c->insn);
			continue;
		}
		v = dv_mem_load_value(&a, c->in);
		UT_CHECK(v == c->out, "%s of 0x%016llx: 0x%016llx, want 0x%016llx", c->text,
			 (unsigned long long)c->in, (unsigned long long)v,
			 (unsigned long long)c->out);
	}
}

UT_TEST(store_value_truncation)
{
	for (size_t i = 0; i < ARRAY_SIZE(store_values); i++) {
		const struct value_case *c = &store_values[i];
		struct dv_mem_access a;
		uint64_t v;

		if (dv_decode_mem(c->insn, &a) || !a.is_store) {
			UT_CHECK(0, "%s 0x%08x does not decode as a store", c->text, c->insn);
			continue;
		}
		v = dv_mem_store_value(&a, c->in);
		UT_CHECK(v == c->out, "%s of 0x%016llx: 0x%016llx, want 0x%016llx", c->text,
			 (unsigned long long)c->in, (unsigned long long)v,
			 (unsigned long long)c->out);
	}
}

UT_MAIN()
