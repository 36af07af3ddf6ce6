/* DV-Ext CSR and instruction probes. */
#include <stdint.h>
#include "csr.h"
#include "harness.h"
#include "probes.h"

#include "probes_tab.inc"

uint64_t reset_hs_only[NHARTS][MAX_PROBES], reset_hu[NHARTS][MAX_PROBES];
uint64_t reset_alias_target[NHARTS][MAX_PROBES];
int reset_snap_valid[NHARTS];

/* The registers behind the "= X" rows of §3.2, by their standard numbers. */
#define ALIAS_RD(name, num)                                                                        \
	static uint64_t rd_x_##name(void)                                                          \
	{                                                                                          \
		return csr_read(num);                                                              \
	}
ALIAS_RD(htimedelta, CSR_HTIMEDELTA)
ALIAS_RD(hcounteren, CSR_HCOUNTEREN)
ALIAS_RD(henvcfg, CSR_HENVCFG)
ALIAS_RD(hvip, CSR_HVIP)
ALIAS_RD(vsstatus, CSR_VSSTATUS)
ALIAS_RD(vsie, CSR_VSIE)
ALIAS_RD(vstvec, CSR_VSTVEC)
ALIAS_RD(vsscratch, CSR_VSSCRATCH)
ALIAS_RD(vsepc, CSR_VSEPC)
ALIAS_RD(vscause, CSR_VSCAUSE)
ALIAS_RD(vstval, CSR_VSTVAL)
ALIAS_RD(vsip, CSR_VSIP)
ALIAS_RD(vstimecmp, CSR_VSTIMECMP)
ALIAS_RD(vsatp, CSR_VSATP)

static const struct {
	uint16_t hu_num;
	struct csr_probe x;
} hu_aliases[] = {
    {CSR_HUTIMEDELTA, {CSR_HTIMEDELTA, "htimedelta", rd_x_htimedelta, 0}},
    {CSR_HUCOUNTEREN, {CSR_HCOUNTEREN, "hcounteren", rd_x_hcounteren, 0}},
    {CSR_HUENVCFG, {CSR_HENVCFG, "henvcfg", rd_x_henvcfg, 0}},
    {CSR_HUVIP, {CSR_HVIP, "hvip", rd_x_hvip, 0}},
    {CSR_HUVSSTATUS, {CSR_VSSTATUS, "vsstatus", rd_x_vsstatus, 0}},
    {CSR_HUVSIE, {CSR_VSIE, "vsie", rd_x_vsie, 0}},
    {CSR_HUVSTVEC, {CSR_VSTVEC, "vstvec", rd_x_vstvec, 0}},
    {CSR_HUVSSCRATCH, {CSR_VSSCRATCH, "vsscratch", rd_x_vsscratch, 0}},
    {CSR_HUVSEPC, {CSR_VSEPC, "vsepc", rd_x_vsepc, 0}},
    {CSR_HUVSCAUSE, {CSR_VSCAUSE, "vscause", rd_x_vscause, 0}},
    {CSR_HUVSTVAL, {CSR_VSTVAL, "vstval", rd_x_vstval, 0}},
    {CSR_HUVSIP, {CSR_VSIP, "vsip", rd_x_vsip, 0}},
    {CSR_HUVSTIMECMP, {CSR_VSTIMECMP, "vstimecmp", rd_x_vstimecmp, 0}},
    {CSR_HUVSATP, {CSR_VSATP, "vsatp", rd_x_vsatp, 0}},
};

const struct csr_probe *hu_alias_target(uint16_t hu_num)
{
	for (unsigned i = 0; i < sizeof(hu_aliases) / sizeof(hu_aliases[0]); i++)
		if (hu_aliases[i].hu_num == hu_num)
			return &hu_aliases[i].x;
	return 0;
}

/* HS, before any DV-Ext CSR is written (R-CSR-RESET). */
void snapshot_reset_values(void)
{
	struct hart *h = this_hart();
	for (int i = 0; i < n_hs_only_csrs; i++)
		reset_hs_only[h->id][i] = hs_only_csrs[i].rd();
	for (int i = 0; i < n_hu_csrs; i++) {
		const struct csr_probe *x = hu_alias_target(hu_csrs[i].num);
		reset_hu[h->id][i] = hu_csrs[i].rd();
		reset_alias_target[h->id][i] = x ? x->rd() : 0;
	}
	reset_snap_valid[h->id] = 1;
}

/* HURET with hustatus.UPV = 0 lands on the next instruction in HU mode
 * (R-HURET-1); where it is illegal it traps and is skipped. */
void probe_huret_jump(void)
{
	__asm__ volatile("la t0, 1f\n"
			 "csrw " dv_str(CSR_UEPC) ", t0\n"
			 ".word " dv_str(INSN_HURET) "\n"
			 "1:\n" ::
			     : "t0", "memory");
}

void probe_huret(void)
{
	huret();
}

void probe_hufence_gvma(void)
{
	hufence_gvma_all();
}

void probe_hufence_vvma(void)
{
	hufence_vvma_all();
}

uint64_t probe_hlv(uint64_t gva)
{
	return hlv_d(gva);
}
