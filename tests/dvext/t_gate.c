/* R-GATE-*: who may touch DV-Ext. hdvctl.EN is the only gate: with it a
 * U thread is the HU hypervisor; without it DV-Ext does not exist for U;
 * guests never see any of it. */
#include "harness.h"
#include "probes.h"
#include "stage2.h"

/* Every HU-mode facility once: all HU CSRs (read), HURET, both HUFENCEs
 * and HLV. Where they are illegal each traps once and is skipped. */
static uint64_t touch_hu_facilities(uint64_t gpa)
{
	for (int i = 0; i < n_hu_csrs; i++)
		hu_csrs[i].rd();
	probe_huret_jump();
	probe_hufence_gvma();
	probe_hufence_vvma();
	probe_hlv(gpa);
	return 0;
}

static uint64_t touch_hs_only(uint64_t unused)
{
	(void)unused;
	for (int i = 0; i < n_hs_only_csrs; i++)
		hs_only_csrs[i].rd();
	return 0;
}

static void all_traps_are(int n, int level, uint64_t cause, int line)
{
	struct hart *h = this_hart();
	if (h->nrec != n)
		check_msg(line, "expected %d traps, saw %d", n, h->nrec);
	for (int i = 0; i < h->nrec && i < MAXREC; i++)
		if (trap_at(i)->level != level || trap_at(i)->cause != cause)
			check_msg(line, "trap %d: level %d cause 0x%lx epc 0x%lx tval 0x%lx", i,
				  trap_at(i)->level, trap_at(i)->cause, trap_at(i)->epc,
				  trap_at(i)->tval);
}

/* Records are capped at MAXREC: run long probe lists in chunks. */
static uint64_t u_probe_hu_one(uint64_t i)
{
	hu_csrs[i].rd();
	return 0;
}

/* R-GATE-3: in plain U (EN = 0) each HU facility is illegal. */
TEST(gate_plain_u_all_illegal, "R-GATE-3 R-CSR-HU", T_DV)
{
	for (int i = 0; i < n_hu_csrs; i++) {
		catch_begin();
		hs_run(MODE_U, u_probe_hu_one, i);
		catch_end();
		if (this_hart()->nrec != 1 || trap_at(0)->cause != EXC_ILLEGAL)
			check_msg(__LINE__, "%s from plain U: %d traps, cause 0x%lx",
				  hu_csrs[i].name, this_hart()->nrec, trap_at(0)->cause);
	}
	catch_begin();
	hs_run(MODE_U, (body_fn)probe_huret, 0);
	hs_run(MODE_U, (body_fn)probe_hufence_gvma, 0);
	hs_run(MODE_U, (body_fn)probe_hufence_vvma, 0);
	hs_run(MODE_U, probe_hlv, RAM_BASE);
	catch_end();
	all_traps_are(4, LVL_HS, EXC_ILLEGAL, __LINE__);
}

/* R-GATE-1: hstatus.HU keeps its standard meaning (HLV in U) and does not
 * open DV-Ext; only hdvctl.EN does. */
TEST(gate_hstatus_hu_is_not_the_gate, "R-GATE-1", T_DV)
{
	csr_set(CSR_HSTATUS, HSTATUS_HU);
	for (int i = 0; i < n_hu_csrs; i++) {
		catch_begin();
		hs_run(MODE_U, u_probe_hu_one, i);
		catch_end();
		if (this_hart()->nrec != 1 || trap_at(0)->cause != EXC_ILLEGAL)
			check_msg(__LINE__, "%s from U with hstatus.HU=1: %d traps, cause 0x%lx",
				  hu_csrs[i].name, this_hart()->nrec, trap_at(0)->cause);
	}
	catch_begin();
	hs_run(MODE_U, (body_fn)probe_huret, 0);
	catch_end();
	EXPECT_TRAP(LVL_HS, EXC_ILLEGAL);
}

/* R-GATE-2: with EN = 1 the same U thread may use all of it (HLV too,
 * with hstatus.HU = 0). */
TEST(gate_hu_mode_all_legal, "R-GATE-2 R-CSR-HU R-HLV-1 R-FENCE-1", T_DV)
{
	dv_setup();
	catch_begin();
	hs_run(MODE_U, touch_hu_facilities, RAM_BASE);
	catch_end();
	EXPECT_NO_TRAP();
}

/* R-GATE-5, R-GATE-1: HS-only registers stay illegal in HU mode, and HU
 * cannot open or close its own gate. */
static uint64_t hu_write_hdvctl(uint64_t v)
{
	csr_write(CSR_HDVCTL, v);
	csr_write(CSR_HUDELEG, 0);
	csr_write(CSR_HPMCSIZE0, 0);
	return 0;
}

TEST(gate_hs_only_illegal_in_hu_and_u, "R-GATE-5 R-GATE-1 R-CSR-HS", T_DV)
{
	dv_setup();
	catch_begin();
	hs_run(MODE_U, touch_hs_only, 0);
	catch_end();
	all_traps_are(n_hs_only_csrs, LVL_HS, EXC_ILLEGAL, __LINE__);
	catch_begin();
	hs_run(MODE_U, hu_write_hdvctl, 0);
	catch_end();
	all_traps_are(3, LVL_HS, EXC_ILLEGAL, __LINE__);
	CHECK_EQ(csr_read(CSR_HDVCTL), 1);
	CHECK_EQ(csr_read(CSR_HUDELEG), HUDELEG_ALL);
	CHECK_EQ(csr_read(CSR_HPMCSIZE0), OUT_BASE - RAM_BASE);
	/* Plain U as well. */
	csr_write(CSR_HDVCTL, 0);
	catch_begin();
	hs_run(MODE_U, hu_write_hdvctl, 1);
	catch_end();
	all_traps_are(3, LVL_HS, EXC_ILLEGAL, __LINE__);
	CHECK_EQ(csr_read(CSR_HDVCTL), 0);
}

/* R-GATE-4: from a guest every DV-Ext facility, HS-only CSRs included, is
 * a virtual-instruction exception. hudeleg = 0 so they all land in HS. */
static uint64_t g_probe_chunk(uint64_t which)
{
	if (which == 0)
		return touch_hs_only(0);
	if (which == 1) {
		for (int i = 0; i < 14; i++)
			hu_csrs[i].rd();
		return 0;
	}
	if (which == 2) {
		for (int i = 14; i < n_hu_csrs; i++)
			hu_csrs[i].rd();
		return 0;
	}
	probe_huret();
	probe_hufence_gvma();
	probe_hufence_vvma();
	probe_hlv(RAM_BASE);
	return 0;
}

static uint64_t hu_run_probe(uint64_t arg)
{
	return hu_run_guest((enum mode)(arg >> 8), g_probe_chunk, arg & 0xff);
}

static void guest_gate(enum mode m, int via_hu)
{
	int counts[4] = {n_hs_only_csrs, 14, n_hu_csrs - 14, 4};
	for (int chunk = 0; chunk < 4; chunk++) {
		catch_begin();
		if (via_hu)
			hs_run(MODE_U, hu_run_probe, ((uint64_t)m << 8) | chunk);
		else
			hs_run(m, g_probe_chunk, chunk);
		catch_end();
		CHECK_EQ(this_hart()->hs_exit_from, EXIT_FROM_GUEST);
		all_traps_are(counts[chunk], LVL_HS, EXC_VIRT_INSN, __LINE__);
		for (int i = 0; i < this_hart()->nrec && i < MAXREC; i++)
			CHECK_EQ(trap_at(i)->hstatus & HSTATUS_SPV, HSTATUS_SPV);
	}
}

TEST(gate_vs_virtual_instruction, "R-GATE-4 R-CSR-HS R-CSR-HU", T_DV)
{
	dv_setup();
	csr_write(CSR_HUDELEG, 0);
	guest_gate(MODE_VS, 1);
}

TEST(gate_vu_virtual_instruction, "R-GATE-4 R-CSR-HS R-CSR-HU", T_DV)
{
	dv_setup();
	csr_write(CSR_HUDELEG, 0);
	guest_gate(MODE_VU, 1);
}

/* The same with EN = 0 (a KVM-style guest through hgatp). */
TEST(gate_vs_virtual_instruction_en0, "R-GATE-4 R-DISC-3", T_DV)
{
	struct s2 t = s2_new(0);
	csr_write(CSR_HGATP, s2_atp(t));
	hfence_gvma_all();
	guest_gate(MODE_VS, 0);
}
