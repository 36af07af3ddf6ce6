/* R-TRAP-*: where guest exceptions go, and what a HU trap writes. */
#include "harness.h"
#include "stage2.h"

extern char tramp_u[];

static uint64_t g_ecall(uint64_t x)
{
	register uint64_t a0 __asm__("a0") = x;
	register uint64_t a7 __asm__("a7") = 0x1234;
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
	return a0 + 1;
}

static uint64_t g_load(uint64_t gpa)
{
	uint64_t v = 0x5555;
	__asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(gpa) : "memory");
	return v;
}

static uint64_t g_store(uint64_t gpa)
{
	__asm__ volatile("sd zero, 0(%0)" ::"r"(gpa) : "memory");
	return 7;
}

static uint64_t g_fetch(uint64_t gpa)
{
	((void (*)(void))gpa)();
	return 9;
}

static uint64_t g_virt_insn(uint64_t unused)
{
	(void)unused;
	return csr_read(CSR_HDVCTL) + 3; /* R-GATE-4: virtual instruction */
}

struct guest_call {
	enum mode m;
	body_fn fn;
	uint64_t arg;
};

/* HU body: run one guest with trap capture on; returns the guest's value. */
static uint64_t hu_run_captured(uint64_t p)
{
	const struct guest_call *c = (const struct guest_call *)p;
	return hu_run_guest(c->m, c->fn, c->arg);
}

/* One guest run from HU; HS state sentinels before, and M-mode's view of
 * the HS CSRs when the HU body ecalls back (R-TRAP-4). */
static uint64_t run_and_snapshot(enum mode m, body_fn fn, uint64_t arg)
{
	struct hart *h = this_hart();
	struct guest_call c = {m, fn, arg};

	csr_write(CSR_STVAL, 0x5a5a5a);
	csr_write(CSR_SCAUSE, 0x1d);
	csr_write(CSR_HTVAL, 0x3c3c);
	csr_set(CSR_HSTATUS, HSTATUS_GVA);
	/* U's exit ecall goes to M, which snapshots the HS CSRs. */
	uint64_t old = sbi_call(SBI_SET_MEDELEG, 0);
	sbi_call(SBI_SET_MEDELEG, old & ~(1UL << EXC_ECALL_U));
	h->snap_u_ecall = 1;
	catch_begin();
	uint64_t r = hs_run(MODE_U, hu_run_captured, (uint64_t)&c);
	catch_end();
	sbi_call(SBI_SET_MEDELEG, old);
	CHECK(h->snap.valid);
	CHECK_EQ(h->snap.scause, 0x1d);
	CHECK_EQ(h->snap.stval, 0x5a5a5a);
	CHECK_EQ(h->snap.htval, 0x3c3c);
	CHECK_EQ(h->snap.sepc, (uint64_t)tramp_u);
	CHECK_EQ(h->snap.hstatus & (HSTATUS_GVA | HSTATUS_SPV), HSTATUS_GVA);
	CHECK_EQ(h->snap.sstatus & SSTATUS_SPP, 0);
	/* The ecall came from U with V = 0: the HU trap had cleared V. */
	CHECK_EQ(h->snap.mstatus & (MSTATUS_MPV | MSTATUS_MPP), 0);
	return r;
}

/* R-TRAP-1/2/4: a VS ecall, delegated, reaches HU with the right state. */
TEST(trap_vs_ecall_to_hu, "R-TRAP-1 R-TRAP-2 R-TRAP-4", T_DV)
{
	dv_setup();
	uint64_t r = run_and_snapshot(MODE_VS, g_ecall, 41);
	CHECK_EQ(r, 42); /* HURET with uepc+4 resumed the guest */
	const struct trap_rec *t = EXPECT_TRAP(LVL_HU, EXC_ECALL_VS);
	CHECK_EQ(*(uint32_t *)t->epc, 0x00000073);
	CHECK_EQ(t->a7, 0x1234);
	CHECK_EQ(t->tval, 0);
	CHECK_EQ(t->tval2, 0);
	CHECK_EQ(t->status & (HUSTATUS_UPV | HUSTATUS_UPVP | HUSTATUS_GVA | HUSTATUS_UIE),
		 HUSTATUS_UPV | HUSTATUS_UPVP);
}

/* VU ecall is cause 8: not delegable, it goes to HS. */
TEST(trap_vu_ecall_goes_to_hs, "R-TRAP-2", T_DV)
{
	dv_setup();
	struct guest_call c = {MODE_VU, g_ecall, 1};
	catch_begin();
	uint64_t r = hs_run(MODE_U, hu_run_captured, (uint64_t)&c);
	catch_end();
	const struct trap_rec *t = EXPECT_TRAP(LVL_HS, EXC_ECALL_U);
	CHECK_EQ(t->hstatus & (HSTATUS_SPV | HSTATUS_SPVP), HSTATUS_SPV);
	CHECK_EQ(r, 2);
}

static void check_gpf(const struct trap_rec *t, uint64_t gpa, int vs)
{
	CHECK_EQ(t->tval, gpa);
	CHECK_EQ(t->tval2, gpa >> 2);
	CHECK_EQ(t->status & (HUSTATUS_UPV | HUSTATUS_UPVP | HUSTATUS_GVA),
		 HUSTATUS_UPV | HUSTATUS_GVA | (vs ? HUSTATUS_UPVP : 0));
}

/* R-TRAP-1/2/4: the three guest page faults reach HU. */
TEST(trap_guest_page_faults_to_hu, "R-TRAP-1 R-TRAP-2 R-TRAP-4", T_DV)
{
	dv_setup();
	CHECK_EQ(run_and_snapshot(MODE_VS, g_load, GPA_TEST(7) + 0x10), 0x5555);
	check_gpf(EXPECT_TRAP(LVL_HU, EXC_LOAD_GPF), GPA_TEST(7) + 0x10, 1);

	CHECK_EQ(run_and_snapshot(MODE_VU, g_store, GPA_TEST(8) + 0x18), 7);
	check_gpf(EXPECT_TRAP(LVL_HU, EXC_STORE_GPF), GPA_TEST(8) + 0x18, 0);

	CHECK_EQ(run_and_snapshot(MODE_VS, g_fetch, GPA_TEST(9)), 9);
	check_gpf(EXPECT_TRAP(LVL_HU, EXC_INSN_GPF), GPA_TEST(9), 1);
}

/* R-TRAP-2: virtual instruction reaches HU, utval = the instruction. */
TEST(trap_virtual_instruction_to_hu, "R-TRAP-1 R-TRAP-2 R-TRAP-4", T_DV)
{
	dv_setup();
	run_and_snapshot(MODE_VS, g_virt_insn, 0);
	const struct trap_rec *t = EXPECT_TRAP(LVL_HU, EXC_VIRT_INSN);
	uint32_t insn = *(uint32_t *)t->epc;
	CHECK_EQ(insn & 0xfff0307f, 0x6c002073); /* csrrs rd, 0x6c0, x0 */
	CHECK(t->tval == insn || t->tval == 0);
	CHECK_EQ(t->tval2, 0);
	CHECK_EQ(t->status & (HUSTATUS_UPV | HUSTATUS_UPVP | HUSTATUS_GVA),
		 HUSTATUS_UPV | HUSTATUS_UPVP);
}

/* hutinst is what htinst would be: the same fault taken by HS and by HU. */
TEST(trap_hutinst_matches_htinst, "R-TRAP-1", T_DV)
{
	dv_setup();
	struct guest_call c = {MODE_VS, g_load, GPA_TEST(7)};
	catch_begin();
	hs_run(MODE_U, hu_run_captured, (uint64_t)&c);
	catch_end();
	uint64_t hu_tinst = EXPECT_TRAP(LVL_HU, EXC_LOAD_GPF)->tinst;
	csr_write(CSR_HUDELEG, 0);
	catch_begin();
	hs_run(MODE_U, hu_run_captured, (uint64_t)&c);
	catch_end();
	CHECK_EQ(hu_tinst, EXPECT_TRAP(LVL_HS, EXC_LOAD_GPF)->tinst);
}

/* R-TRAP-1: not in hudeleg -> HS (with SPV = 1), HU sees nothing. */
TEST(trap_undelegated_causes_go_to_hs, "R-TRAP-1", T_DV)
{
	static const struct {
		body_fn fn;
		uint64_t arg, cause;
	} cases[] = {
	    {g_ecall, 0, EXC_ECALL_VS},
	    {g_load, GPA_TEST(7), EXC_LOAD_GPF},
	    {g_store, GPA_TEST(7), EXC_STORE_GPF},
	    {g_fetch, GPA_TEST(7), EXC_INSN_GPF},
	    {g_virt_insn, 0, EXC_VIRT_INSN},
	};
	dv_setup();
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* Everything else delegated: only this cause stays with HS. */
		csr_write(CSR_HUDELEG, HUDELEG_ALL & ~(1UL << cases[i].cause));
		struct guest_call c = {MODE_VS, cases[i].fn, cases[i].arg};
		catch_begin();
		hs_run(MODE_U, hu_run_captured, (uint64_t)&c);
		catch_end();
		const struct trap_rec *t = EXPECT_TRAP(LVL_HS, cases[i].cause);
		CHECK_EQ(t->hstatus & (HSTATUS_SPV | HSTATUS_SPVP), HSTATUS_SPV | HSTATUS_SPVP);
	}
}

/* R-TRAP-1, R-DISC-3: with EN = 0 hudeleg is ignored (a KVM guest). */
TEST(trap_en0_ignores_hudeleg, "R-TRAP-1 R-DISC-3", T_DV)
{
	struct s2 t = s2_new(0);
	csr_write(CSR_HGATP, s2_atp(t));
	csr_write(CSR_HUDELEG, HUDELEG_ALL);
	hfence_gvma_all();
	catch_begin();
	CHECK_EQ(hs_run(MODE_VS, g_ecall, 1), 2);
	hs_run(MODE_VS, g_load, GPA_TEST(7));
	hs_run(MODE_VS, g_virt_insn, 0);
	catch_end();
	CHECK_EQ(this_hart()->nrec, 3);
	CHECK_EQ(trap_at(0)->level, LVL_HS);
	CHECK_EQ(trap_at(0)->cause, EXC_ECALL_VS);
	CHECK_EQ(trap_at(1)->level, LVL_HS);
	CHECK_EQ(trap_at(1)->cause, EXC_LOAD_GPF);
	CHECK_EQ(trap_at(2)->level, LVL_HS);
	CHECK_EQ(trap_at(2)->cause, EXC_VIRT_INSN);
}

/* R-TRAP-3: exceptions raised in HU mode itself go to HS, even delegable
 * causes (an HLV guest-page fault). */
static uint64_t hu_faults(uint64_t gpa)
{
	register uint64_t a7 __asm__("a7") = 0x77;
	__asm__ volatile("ecall" ::"r"(a7) : "memory");
	(void)csr_read(CSR_SSTATUS);
	return hlv_d(gpa);
}

TEST(trap_faults_in_hu_mode_go_to_hs, "R-TRAP-3 R-HLV-1", T_DV)
{
	dv_setup();
	uint64_t before = this_hart()->hu_traps;
	catch_begin();
	CHECK_EQ(hs_run(MODE_U, hu_faults, GPA_TEST(7) + 8), 0xdeadbeefdeadbeefUL);
	catch_end();
	CHECK_EQ(this_hart()->nrec, 3);
	CHECK_EQ(trap_at(0)->level, LVL_HS);
	CHECK_EQ(trap_at(0)->cause, EXC_ECALL_U);
	CHECK_EQ(trap_at(1)->level, LVL_HS);
	CHECK_EQ(trap_at(1)->cause, EXC_ILLEGAL);
	CHECK_EQ(trap_at(2)->level, LVL_HS);
	CHECK_EQ(trap_at(2)->cause, EXC_LOAD_GPF);
	CHECK_EQ(trap_at(2)->tval2, (GPA_TEST(7) + 8) >> 2);
	CHECK_EQ(trap_at(2)->hstatus & HSTATUS_SPV, 0);
	CHECK_EQ(this_hart()->hu_traps, before);
}

/* R-TRAP-1: hedeleg routing to VS has precedence over hudeleg; causes
 * 10 and 20-23 can never be in hedeleg. */
extern char guest_vs_vec[];
static uint64_t g_breakpoint(uint64_t unused)
{
	(void)unused;
	struct hart *h = this_hart();
	csr_write(CSR_STVEC, guest_vs_vec);
	csr_write(CSR_SSCRATCH, &h->gvs);
	__asm__ volatile(".option push\n.option norvc\nebreak\n.option pop" ::: "memory");
	return h->gvs.cause;
}

TEST(trap_hedeleg_precedence, "R-TRAP-1", T_DV)
{
	csr_write(CSR_HEDELEG, ~0UL);
	CHECK_EQ(csr_read(CSR_HEDELEG) & HUDELEG_ALL, 0);
	csr_write(CSR_HEDELEG, 1UL << 3);
	dv_setup();
	this_hart()->gvs.count = 0;
	struct guest_call c = {MODE_VS, g_breakpoint, 0};
	catch_begin();
	uint64_t r = hs_run(MODE_U, hu_run_captured, (uint64_t)&c);
	catch_end();
	EXPECT_NO_TRAP();
	CHECK_EQ(r, 3); /* the guest's own handler saw the breakpoint */
}
