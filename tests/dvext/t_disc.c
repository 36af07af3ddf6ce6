/* R-DISC: discovery, and the extension's absence. */
#include "harness.h"
#include "fdt.h"
#include "probes.h"
#include "stage2.h"

extern const char *dtb_isa;

/* R-DISC-1: the DTB advertises "xdvext" exactly when the CSRs exist. */
TEST(disc_isa_string_matches_csrs, "R-DISC-1", T_ANY)
{
	CHECK(dtb_isa != 0);
	if (!dtb_isa)
		return;
	CHECK_EQ(isa_has_ext(dtb_isa, "xdvext"), dvext_present);
	/* misa is unchanged: no single letter is added for DV-Ext, so the
	 * base string (before the first '_') has no 'z'/'x'. */
	for (const char *p = dtb_isa; *p && *p != '_'; p++)
		CHECK(*p != 'z' && *p != 'x');
}

static uint64_t u_probe_hu_csrs(uint64_t unused)
{
	(void)unused;
	for (int i = 0; i < n_hu_csrs; i++)
		hu_csrs[i].rd();
	probe_huret();
	probe_hufence_gvma();
	probe_hufence_vvma();
	return 0;
}

/* R-DISC-2: without the extension every DV-Ext CSR number and encoding is
 * an illegal instruction, from HS and from U (firmware redirects cause 2). */
TEST(disc_absent_all_illegal, "R-DISC-2", T_ABSENT)
{
	struct hart *h = this_hart();
	int n = n_hs_only_csrs + n_hu_csrs + 3;

	catch_begin();
	for (int i = 0; i < n_hs_only_csrs; i++)
		hs_only_csrs[i].rd();
	for (int i = 0; i < n_hu_csrs; i++)
		hu_csrs[i].rd();
	probe_huret();
	probe_hufence_gvma();
	probe_hufence_vvma();
	CHECK_EQ(catch_end(), n);
	for (int i = 0; i < h->nrec && i < MAXREC; i++) {
		CHECK_EQ(trap_at(i)->level, LVL_HS);
		CHECK_EQ(trap_at(i)->cause, EXC_ILLEGAL);
	}

	catch_begin();
	hs_run(MODE_U, u_probe_hu_csrs, 0);
	CHECK_EQ(catch_end(), n_hu_csrs + 3);
	for (int i = 0; i < h->nrec && i < MAXREC; i++)
		CHECK_EQ(trap_at(i)->cause, EXC_ILLEGAL);
}

static uint64_t g_probe_all(uint64_t unused)
{
	(void)unused;
	for (int i = 0; i < n_hs_only_csrs; i++)
		hs_only_csrs[i].rd();
	for (int i = 0; i < n_hu_csrs; i++)
		hu_csrs[i].rd();
	probe_huret();
	return 0;
}

/* R-DISC-2 from a guest: unimplemented CSRs and the old URET encoding are
 * illegal instructions (not virtual-instruction) in VS. */
TEST(disc_absent_illegal_from_vs, "R-DISC-2", T_ABSENT)
{
	struct hart *h = this_hart();
	struct s2 t = s2_new(0);
	csr_write(CSR_HGATP, s2_atp(t));
	hfence_gvma_all();
	catch_begin();
	uint64_t r = hs_run(MODE_VS, g_probe_all, 0);
	CHECK_EQ(catch_end(), n_hs_only_csrs + n_hu_csrs + 1);
	CHECK_EQ(r, 0);
	CHECK_EQ(h->hs_exit_from, EXIT_FROM_GUEST);
	for (int i = 0; i < h->nrec && i < MAXREC; i++)
		CHECK_EQ(trap_at(i)->cause, EXC_ILLEGAL);
}
