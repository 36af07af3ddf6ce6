/* R-CSR-*: reset values, access from M/HS, WARL masks, aliases. */
#include "harness.h"
#include "probes.h"
#include "stage2.h"

/* R-CSR-RESET: read on both harts in hs_main before anything wrote one.
 * A register with its own storage resets to 0; a HU name of an H or VS
 * register ("= X") resets like X, e.g. huvsstatus shows vsstatus's
 * read-only UXL: it must read exactly what X read from HS at that point. */
TEST(csr_reset_own_zero_aliases_like_target, "R-CSR-RESET", T_DV)
{
	int n_alias = 0;
	for (int i = 0; i < n_hu_csrs; i++)
		n_alias += hu_alias_target(hu_csrs[i].num) != 0;
	CHECK_EQ(n_alias, 14); /* 4 H + 10 VS rows in §3.2 */
	for (int h = 0; h < NHARTS; h++) {
		CHECK(reset_snap_valid[h]);
		for (int i = 0; i < n_hs_only_csrs; i++)
			if (reset_hs_only[h][i])
				check_msg(__LINE__, "hart %d %s resets to 0x%lx", h,
					  hs_only_csrs[i].name, reset_hs_only[h][i]);
		for (int i = 0; i < n_hu_csrs; i++) {
			const struct csr_probe *x = hu_alias_target(hu_csrs[i].num);
			if (!x && reset_hu[h][i])
				check_msg(__LINE__, "hart %d %s (own storage) resets to 0x%lx", h,
					  hu_csrs[i].name, reset_hu[h][i]);
			if (x && reset_hu[h][i] != reset_alias_target[h][i])
				check_msg(__LINE__, "hart %d %s resets to 0x%lx, %s read 0x%lx", h,
					  hu_csrs[i].name, reset_hu[h][i], x->name,
					  reset_alias_target[h][i]);
		}
	}
}

/* R-CSR-HS, R-CSR-HU: M and HS may access every DV-Ext CSR. */
TEST(csr_all_accessible_from_hs, "R-CSR-HS R-CSR-HU", T_DV)
{
	catch_begin();
	for (int i = 0; i < n_hs_only_csrs; i++)
		hs_only_csrs[i].rd();
	for (int i = 0; i < n_hu_csrs; i++)
		hu_csrs[i].rd();
	catch_end();
	EXPECT_NO_TRAP();
}

/* Write all ones, read the WARL mask back; write 0, read 0. */
static void check_mask(const struct csr_probe *p, uint64_t mask, int line)
{
	p->wr(~0UL);
	uint64_t v = p->rd();
	if (v != mask)
		check_msg(line, "%s: wrote ~0, read 0x%lx, expected 0x%lx", p->name, v, mask);
	p->wr(0);
	v = p->rd();
	if (v != 0)
		check_msg(line, "%s: wrote 0, read 0x%lx", p->name, v);
}

static const struct csr_probe *find(const struct csr_probe *t, int n, uint16_t num)
{
	for (int i = 0; i < n; i++)
		if (t[i].num == num)
			return &t[i];
	return 0;
}

TEST(csr_hs_only_warl_masks, "R-CSR-HS", T_DV)
{
	const struct csr_probe *t = hs_only_csrs;
	int n = n_hs_only_csrs;
	check_mask(find(t, n, CSR_HDVCTL), 1, __LINE__);
	check_mask(find(t, n, CSR_HUDELEG), HUDELEG_ALL, __LINE__);
	check_mask(find(t, n, CSR_HUIDELEG), 0x11, __LINE__);
	check_mask(find(t, n, CSR_HDVVCPUID), 0x3ff, __LINE__);
	check_mask(find(t, n, CSR_HDVWIN), 0x3ff03ff, __LINE__);
	/* PMC: 64-bit registers whose bits 11:0 are read-only zero. */
	for (int i = 0; i < 8; i++) {
		check_mask(find(t, n, CSR_HPMCBASE0 + i), ~0xfffUL, __LINE__);
		check_mask(find(t, n, CSR_HPMCSIZE0 + i), ~0xfffUL, __LINE__);
	}
	/* A typical value goes through unchanged. */
	csr_write(CSR_HDVWIN, (7UL << 16) | 3);
	CHECK_EQ(csr_read(CSR_HDVWIN), (7UL << 16) | 3);
	csr_write(CSR_HDVWIN, 0);
}

/* §3.1: hpmcbase and hpmcsize hold bits 63:12 (above any physical-address
 * width too), 11:0 read zero: each bit on its own, then typical values. */
TEST(csr_hpmc_bits_63_12_writable, "R-CSR-HS", T_DV)
{
	const struct csr_probe *t = hs_only_csrs;
	int n = n_hs_only_csrs;
	for (int r = 0; r < 16; r++) {
		const struct csr_probe *p = find(t, n, CSR_HPMCBASE0 + r);
		for (int b = 0; b < 64; b++) {
			p->wr(1UL << b);
			uint64_t v = p->rd(), want = b >= 12 ? 1UL << b : 0;
			if (v != want)
				check_msg(__LINE__, "%s: wrote bit %d, read 0x%lx", p->name, b, v);
		}
		p->wr(0xff00000080200fffUL);
		CHECK_EQ(p->rd(), 0xff00000080200000UL);
		p->wr(0x0000000000001001UL);
		CHECK_EQ(p->rd(), 0x1000UL);
		p->wr(0);
		CHECK_EQ(p->rd(), 0);
	}
}

static uint64_t hu_warl(uint64_t unused)
{
	(void)unused;
	const struct csr_probe *t = hu_csrs;
	int n = n_hu_csrs;

	check_mask(find(t, n, CSR_HUSTATUS), HUSTATUS_MASK, __LINE__);
	check_mask(find(t, n, CSR_HUIE), 0x11, __LINE__);
	/* huip: read-only but for clearing bit 0; nothing pending here. */
	csr_write(CSR_HUIP, ~0UL);
	CHECK_EQ(csr_read(CSR_HUIP), 0);
	/* utvec: MODE 0/1; 2-3 leave MODE unchanged. */
	csr_write(CSR_UTVEC, 0x80001001UL);
	CHECK_EQ(csr_read(CSR_UTVEC), 0x80001001UL);
	csr_write(CSR_UTVEC, 0x80002002UL);
	CHECK_EQ(csr_read(CSR_UTVEC) & 3, 1);
	CHECK_EQ(csr_read(CSR_UTVEC) & ~3UL, 0x80002000UL);
	csr_write(CSR_UTVEC, 0x80003003UL);
	CHECK_EQ(csr_read(CSR_UTVEC), 0x80003001UL);
	csr_write(CSR_UTVEC, 0x80004000UL);
	CHECK_EQ(csr_read(CSR_UTVEC), 0x80004000UL);
	csr_write(CSR_UTVEC, u_vec());
	/* uepc: bit 0 read-only zero. */
	csr_write(CSR_UEPC, 0x80123457UL);
	CHECK_EQ(csr_read(CSR_UEPC), 0x80123456UL);
	/* Plain storage. */
	csr_write(CSR_USCRATCH, 0x0123456789abcdefUL);
	CHECK_EQ(csr_read(CSR_USCRATCH), 0x0123456789abcdefUL);
	csr_write(CSR_UTVAL, 0xfedcba9876543210UL);
	CHECK_EQ(csr_read(CSR_UTVAL), 0xfedcba9876543210UL);
	csr_write(CSR_UCAUSE, CAUSE_IRQ | 4);
	CHECK_EQ(csr_read(CSR_UCAUSE), CAUSE_IRQ | 4);
	csr_write(CSR_UCAUSE, 23);
	CHECK_EQ(csr_read(CSR_UCAUSE), 23);
	/* hugatp: MODE 0/8/9, other modes leave MODE unchanged; VMID reads 0. */
	uint64_t ppn = 0xfffffffffffUL, vmid = 0x3fffUL << 44;
	csr_write(CSR_HUGATP, (8UL << 60) | vmid | ppn);
	CHECK_EQ(csr_read(CSR_HUGATP), (8UL << 60) | ppn);
	csr_write(CSR_HUGATP, (9UL << 60) | 0x1234);
	CHECK_EQ(csr_read(CSR_HUGATP), (9UL << 60) | 0x1234);
	csr_write(CSR_HUGATP, (5UL << 60) | 0x5678);
	CHECK_EQ(csr_read(CSR_HUGATP) >> 60, 9);
	csr_write(CSR_HUGATP, 0);
	CHECK_EQ(csr_read(CSR_HUGATP), 0);
	/* huvtimectl: EN and TGT only (compare far away: no interrupt). */
	csr_write(CSR_HUVTIMECMP, ~0UL);
	CHECK_EQ(csr_read(CSR_HUVTIMECMP), ~0UL);
	csr_write(CSR_HUVTIMECTL, ~0UL);
	CHECK_EQ(csr_read(CSR_HUVTIMECTL), 3);
	csr_write(CSR_HUVTIMECTL, 0);
	/* huvipi reads 0. */
	CHECK_EQ(csr_read(CSR_HUVIPI), 0);
	return 0;
}

/* R-CSR-HU: the HU registers' fields, written from HU mode itself. */
TEST(csr_hu_warl_masks, "R-CSR-HU", T_DV)
{
	dv_setup();
	CHECK_EQ(hs_run(MODE_U, hu_warl, 0), 0);
}

/* §3.2: hutval and hutinst are also writable (the kernel restores them).
 * Values a HU trap could leave: a GPA >> 2 (50-bit GPA) and transformed
 * loads/stores (rs1 and offset zeroed). */
#define HUTVAL_HS  0x0000edcba9876543UL
#define HUTINST_HS 0x00003503UL /* ld a0, 0(x0) */
#define HUTVAL_HU  0x0000000020004000UL
#define HUTINST_HU 0x00a03023UL /* sd a0, 0(x0) */

static uint64_t hu_tval_tinst(uint64_t unused)
{
	(void)unused;
	CHECK_EQ(csr_read(CSR_HUTVAL), HUTVAL_HS);
	CHECK_EQ(csr_read(CSR_HUTINST), HUTINST_HS);
	csr_write(CSR_HUTVAL, HUTVAL_HU);
	csr_write(CSR_HUTINST, HUTINST_HU);
	CHECK_EQ(csr_read(CSR_HUTVAL), HUTVAL_HU);
	CHECK_EQ(csr_read(CSR_HUTINST), HUTINST_HU);
	return 0;
}

TEST(csr_hutval_hutinst_writable, "R-CSR-HU", T_DV)
{
	dv_setup();
	csr_write(CSR_HUTVAL, HUTVAL_HS);
	csr_write(CSR_HUTINST, HUTINST_HS);
	CHECK_EQ(csr_read(CSR_HUTVAL), HUTVAL_HS);
	CHECK_EQ(csr_read(CSR_HUTINST), HUTINST_HS);
	catch_begin();
	CHECK_EQ(hs_run(MODE_U, hu_tval_tinst, 0), 0);
	catch_end();
	EXPECT_NO_TRAP();
	CHECK_EQ(csr_read(CSR_HUTVAL), HUTVAL_HU);
	CHECK_EQ(csr_read(CSR_HUTINST), HUTINST_HU);
	csr_write(CSR_HUTVAL, 0);
	csr_write(CSR_HUTINST, 0);
	CHECK_EQ(csr_read(CSR_HUTVAL), 0);
	CHECK_EQ(csr_read(CSR_HUTINST), 0);
}

static uint64_t hu_read_aliases(uint64_t unused)
{
	(void)unused;
	CHECK_EQ(csr_read(CSR_HUTIMEDELTA), 0x1111);
	CHECK_EQ(csr_read(CSR_HUCOUNTEREN), 0x5);
	CHECK_EQ(csr_read(CSR_HUENVCFG) & MENVCFG_STCE, MENVCFG_STCE);
	CHECK_EQ(csr_read(CSR_HUVIP), 1UL << IRQ_VS_SOFT);
	CHECK_EQ(csr_read(CSR_HUVSSCRATCH), 0x2222);
	CHECK_EQ(csr_read(CSR_HUVSEPC), 0x3334);
	CHECK_EQ(csr_read(CSR_HUVSCAUSE), 0x5);
	CHECK_EQ(csr_read(CSR_HUVSTVAL), 0x4444);
	CHECK_EQ(csr_read(CSR_HUVSTVEC), 0x80005000UL);
	CHECK_EQ(csr_read(CSR_HUVSATP), (8UL << 60) | 0x80123UL);
	CHECK_EQ(csr_read(CSR_HUVSTIMECMP), 0x123456789UL);
	/* ...and the other way round. */
	csr_write(CSR_HUTIMEDELTA, 0x9999);
	csr_write(CSR_HUCOUNTEREN, 0x7);
	csr_write(CSR_HUVIP, 1UL << IRQ_VS_EXT);
	csr_write(CSR_HUVSSCRATCH, 0x6666);
	csr_write(CSR_HUVSEPC, 0x7778);
	csr_write(CSR_HUVSATP, 0);
	csr_write(CSR_HUVSTIMECMP, ~0UL);
	return 0;
}

/* §3.2 "= X": the HU names address X's storage, both ways. */
TEST(csr_hu_aliases_share_storage, "R-CSR-HU", T_DV)
{
	dv_setup();
	csr_write(CSR_HTIMEDELTA, 0x1111);
	csr_write(CSR_HCOUNTEREN, 0x5);
	csr_write(CSR_HENVCFG, MENVCFG_STCE);
	csr_write(CSR_HVIP, 1UL << IRQ_VS_SOFT);
	csr_write(CSR_VSSCRATCH, 0x2222);
	csr_write(CSR_VSEPC, 0x3334);
	csr_write(CSR_VSCAUSE, 0x5);
	csr_write(CSR_VSTVAL, 0x4444);
	csr_write(CSR_VSTVEC, 0x80005000UL);
	csr_write(CSR_VSATP, (8UL << 60) | 0x80123UL);
	csr_write(CSR_VSTIMECMP, 0x123456789UL);
	hs_run(MODE_U, hu_read_aliases, 0);
	CHECK_EQ(csr_read(CSR_HTIMEDELTA), 0x9999);
	CHECK_EQ(csr_read(CSR_HCOUNTEREN), 0x7);
	CHECK_EQ(csr_read(CSR_HVIP), 1UL << IRQ_VS_EXT);
	CHECK_EQ(csr_read(CSR_VSSCRATCH), 0x6666);
	CHECK_EQ(csr_read(CSR_VSEPC), 0x7778);
	CHECK_EQ(csr_read(CSR_VSATP), 0);
	CHECK_EQ(csr_read(CSR_VSTIMECMP), ~0UL);
}
