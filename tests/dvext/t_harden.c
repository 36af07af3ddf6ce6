/* R-CSR-ISO: no value written to a register HU mode may write reaches M- or
 * HS-mode state, and every such register reads back a legal value
 * (docs/dv-ext.md §3.3). Regression tests for issue 10: QEMU stored
 * vsstatus whole and ORed it into mstatus on every guest entry (MPRV, TSR,
 * MIE... written by U-mode reached M), kept a reserved vsatp/hgatp MODE that
 * aborted the machine at the next walk (HLV or guest entry), and kept 64
 * bits of hcounteren.
 *
 * How a check works. A HU body (hs_run MODE_U) writes the register, reads
 * it back, enters the guest with HURET and is back at the guest's exit; HS
 * then takes a snapshot of every HS register and, through an ecall, of M's
 * (struct m_snap), and compares it with a reference snapshot taken the same
 * way after writing the register's harmless initial value. Everything is
 * compared exactly: both snapshots come out of the same sequence of
 * transitions, so the fields the harness itself moves are equal in both:
 *  - mstatus as M reads it on the ecall from HS: MPP = S, MPIE = HS's MIE
 *    (0), MIE = 0, MPV = 0, GVA = 0 (written by that trap); SIE = 0,
 *    SPP = U and SPIE = its value before the run (hs_run's sret sets
 *    SIE <- SPIE, SPIE <- 1, SPP <- U, the exit ecall SPIE <- SIE, SIE <- 0,
 *    SPP <- U again); a HURET and the guest's exit to HU swap the S bank
 *    out and back, so they must leave all of these as they were;
 *  - sepc, scause, stval, htval, htinst, hstatus.SPV/SPVP/GVA: written by
 *    the same trap each time (the exit ecall from HU; in the tests that
 *    enter the guest from HS with sret, the guest's exit fault, after
 *    which SPP = VS).
 * Only what the written register legitimately is may differ: the register
 * itself when it is another name for an HS register ("= X", e.g. hcounteren
 * must equal what hucounteren read back in HU), vsip/hvip (one mip), the
 * VS bits of mie that vsie is (also hie), and vsip.STIP, the guest's timer
 * line, which huvstimecmp and huvtimectl raise. M's mip is compared without
 * the U and VS interrupt bits, which HU sets by design (doorbells, the
 * vtimer, hvip). */
#include "harness.h"
#include "probes.h"
#include "stage2.h"

extern char guest_vs_vec[];

#define VS_IRQS ((1UL << IRQ_VS_SOFT) | (1UL << IRQ_VS_TIMER) | (1UL << IRQ_VS_EXT))
#define U_IRQS	((1UL << IRQ_U_SOFT) | (1UL << IRQ_U_TIMER))
#define S_IRQS	((1UL << IRQ_S_SOFT) | (1UL << IRQ_S_TIMER) | (1UL << IRQ_S_EXT))
/* The sweeps delegate every VS interrupt to VS, so vsie/vsip have fields. */
#define SWEEP_HIDELEG VS_IRQS

/* §3.3 legal values. */
#define VSSTATUS_LEGAL                                                                             \
	(SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP | SSTATUS_FS | SSTATUS_SUM | SSTATUS_MXR |       \
	 SSTATUS_UXL | SSTATUS_SD)
#define ENVCFG_LEGAL ((1UL << 0) | (3UL << 4) | (1UL << 6) | (1UL << 7) | (1UL << 62) | (1UL << 63))
#define ATP_MODE(v)  ((v) >> 60)
#define ATP_PPN	     0xfffffffffffUL
#define MARK	     0x6a0d5a17c3e1f00dUL

/* ---- snapshots of HS and M state ---- */

#define HS_REGS(X)                                                                                 \
	X(SSTATUS, sstatus)                                                                        \
	X(SIE, sie)                                                                                \
	X(SIP, sip)                                                                                \
	X(STVEC, stvec)                                                                            \
	X(SCOUNTEREN, scounteren)                                                                  \
	X(SSCRATCH, sscratch)                                                                      \
	X(SEPC, sepc)                                                                              \
	X(SCAUSE, scause)                                                                          \
	X(STVAL, stval)                                                                            \
	X(SATP, satp)                                                                              \
	X(STIMECMP, stimecmp)                                                                      \
	X(HSTATUS, hstatus)                                                                        \
	X(HEDELEG, hedeleg)                                                                        \
	X(HIDELEG, hideleg)                                                                        \
	X(HIE, hie)                                                                                \
	X(HTIMEDELTA, htimedelta)                                                                  \
	X(HCOUNTEREN, hcounteren)                                                                  \
	X(HENVCFG, henvcfg)                                                                        \
	X(HTVAL, htval)                                                                            \
	X(HTINST, htinst)                                                                          \
	X(HVIP, hvip)                                                                              \
	X(HGATP, hgatp)                                                                            \
	X(VSSTATUS, vsstatus)                                                                      \
	X(VSIE, vsie)                                                                              \
	X(VSTVEC, vstvec)                                                                          \
	X(VSSCRATCH, vsscratch)                                                                    \
	X(VSEPC, vsepc)                                                                            \
	X(VSCAUSE, vscause)                                                                        \
	X(VSTVAL, vstval)                                                                          \
	X(VSIP, vsip)                                                                              \
	X(VSTIMECMP, vstimecmp)                                                                    \
	X(VSATP, vsatp)

#define X_ENUM(N, n) R_##N,
#define X_NUM(N, n)  CSR_##N,
#define X_NAME(N, n) #n,
#define X_READ(N, n) s->hs[R_##N] = csr_read(CSR_##N);
enum { HS_REGS(X_ENUM) N_HS };
static const uint16_t hs_num[N_HS] = {HS_REGS(X_NUM)};
static const char *const hs_name[N_HS] = {HS_REGS(X_NAME)};

#define N_M (int)(sizeof(struct m_snap) / sizeof(uint64_t))
static const char *const m_name[N_M] = {"mstatus",    "medeleg", "mideleg",  "mie",
					"mip",	      "mtvec",	 "mscratch", "menvcfg",
					"mcounteren", "pmpcfg0", "pmpaddr0"};

struct state {
	uint64_t hs[N_HS];
	uint64_t dv[MAX_PROBES]; /* the HS-only DV-Ext registers (hs_only_csrs[]) */
	union {
		struct m_snap m;
		uint64_t mv[N_M];
	};
};

/* M first: if a leak set TVM or TSR, M puts mstatus back right away so the
 * HS reads below (satp) and the next sret do not trap; the snapshot keeps
 * what M found. */
static void snap(struct state *s, const struct state *ref)
{
	sbi_call(SBI_SNAP_M, (uint64_t)&s->m);
	s->m.mip &= ~(U_IRQS | VS_IRQS);
	if (ref && s->m.mstatus != ref->m.mstatus)
		sbi_call(SBI_SET_MSTATUS, ref->m.mstatus);
	HS_REGS(X_READ)
	s->hs[R_SIP] &= S_IRQS;
	for (int i = 0; i < n_hs_only_csrs; i++)
		s->dv[i] = dvext_present ? hs_only_csrs[i].rd() : 0;
}

static int hs_slot(uint16_t num)
{
	for (int i = 0; i < N_HS; i++)
		if (hs_num[i] == num)
			return i;
	return -1;
}

/* Failure lines are limited per test (a broken QEMU fails thousands of
 * writes); the rest are counted. */
static int budget, quiet;
#define FAIL(...)                                                                                  \
	do {                                                                                       \
		if (budget > 0) {                                                                  \
			budget--;                                                                  \
			check_msg(__LINE__, __VA_ARGS__);                                          \
		} else {                                                                           \
			test_failed = 1;                                                           \
			quiet++;                                                                   \
		}                                                                                  \
	} while (0)

static void fail_begin(void)
{
	budget = 12;
	quiet = 0;
}

static void fail_end(void)
{
	if (quiet)
		printf("  ... and %d more failures\n", quiet);
}

/* `what` names the write that came before, e.g. "huvsstatus = 0x20000". */
static int compare(const struct state *e, const struct state *g, const char *what)
{
	int bad = 0;
	for (int i = 0; i < N_M; i++)
		if (e->mv[i] != g->mv[i]) {
			bad++;
			FAIL("after %s: M's %s = 0x%lx, expected 0x%lx (bits 0x%lx changed)", what,
			     m_name[i], g->mv[i], e->mv[i], g->mv[i] ^ e->mv[i]);
		}
	for (int i = 0; i < N_HS; i++)
		if (e->hs[i] != g->hs[i]) {
			bad++;
			FAIL("after %s: %s = 0x%lx, expected 0x%lx (bits 0x%lx changed)", what,
			     hs_name[i], g->hs[i], e->hs[i], g->hs[i] ^ e->hs[i]);
		}
	for (int i = 0; i < n_hs_only_csrs; i++)
		if (e->dv[i] != g->dv[i]) {
			bad++;
			FAIL("after %s: %s = 0x%lx, expected 0x%lx", what, hs_only_csrs[i].name,
			     g->dv[i], e->dv[i]);
		}
	return bad;
}

/* ---- legal values (§3.3) ---- */

static int legal(uint16_t num, uint64_t v)
{
	uint64_t mode = ATP_MODE(v);

	switch (num) {
	case CSR_HUSTATUS:
		return !(v & ~HUSTATUS_MASK);
	case CSR_HUIE:
	case CSR_HUIP:
		return !(v & ~U_IRQS);
	case CSR_HUCOUNTEREN:
		return v >> 32 == 0;
	case CSR_HUENVCFG:
		return !(v & ~ENVCFG_LEGAL);
	case CSR_HUVIP:
		return !(v & ~VS_IRQS);
	case CSR_HUGATP: /* MODE 0, 8, 9; VMID (and bits 59:58) read 0 */
		return (mode == 0 || mode == 8 || mode == 9) && !(v & (0xffffUL << 44));
	case CSR_HUVTIMECTL:
		return !(v & ~3UL);
	case CSR_HUVIPI:
		return v == 0;
	case CSR_UTVEC:
	case CSR_HUVSTVEC:
		return (v & 3) < 2;
	case CSR_UEPC:
		return !(v & 1);
	case CSR_HUVSSTATUS:
		/* No M, HS or N field; UXL read-only 2 (U and VU run at MXL);
		 * SD at most a summary of a dirty FS (no V, no XS here). */
		return !(v & ~VSSTATUS_LEGAL) && (v & SSTATUS_UXL) == (2UL << 32) &&
		       (!(v & SSTATUS_SD) || (v & SSTATUS_FS) == SSTATUS_FS);
	case CSR_HUVSATP:
		return mode == 0 || mode == 8 || mode == 9 || mode == 10;
	case CSR_HUVSIE:
	case CSR_HUVSIP: /* the VS interrupts hideleg delegates, in S positions */
		return !(v & ~(SWEEP_HIDELEG >> 1));
	default: /* hutimedelta, hutval, hutinst, huvtimecmp, uscratch, ucause,
		  * utval, huvsscratch, huvsepc, huvscause, huvstval, huvstimecmp */
		return 1;
	}
}

/* Registers the guest's exit trap to HU writes (so they need not read the
 * same after the guest ran), and huip, a view of pending doorbells. */
static int trap_written(uint16_t num)
{
	return num == CSR_HUSTATUS || num == CSR_HUTVAL || num == CSR_HUTINST || num == CSR_UEPC ||
	       num == CSR_UCAUSE || num == CSR_UTVAL || num == CSR_HUIP;
}

/* ---- the sweep of one register ---- */

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Dense and sparse random values (a few bits set make single fields and
 * small combinations likely). */
static uint64_t rnd(uint64_t *s, int i)
{
	uint64_t a = xorshift64(s);
	if (i % 3 == 1)
		a &= xorshift64(s);
	if (i % 3 == 2)
		a &= xorshift64(s) & xorshift64(s);
	return a;
}

struct sweep {
	const struct csr_probe *p;
	uint64_t val;		 /* the value written last, kept for the entry */
	uint64_t rb, rb_after;	 /* read back at once, and after the guest ran */
	uint64_t vip, vsip;	 /* huvip, huvsip after the guest ran */
	uint64_t guest;		 /* the guest's sstatus (vsstatus as it ran) */
	int restored;		 /* made safe for the harness before the entry */
	int batch;		 /* PRNG values written (read back only) before val */
	uint64_t seed;		 /* ... from this state */
	int batch_bad;		 /* how many of them read back an illegal value */
	uint64_t bad_wr, bad_rd; /* the first one */
	uint64_t hugatp, uscratch;
};

static uint64_t g_sstatus(uint64_t unused)
{
	(void)unused;
	return csr_read(CSR_SSTATUS);
}

/* HU: registers the harness's own HU trap path or the guest's stage 2 run
 * on get their sane value back before the entry; a vsatp with a real
 * translation mode (and a random root) too. Every other value stays in
 * place while the guest runs: nothing is pending or enabled that it could
 * turn into a trap (hvip, vsie and the guest's SIE are never non-zero
 * together, huideleg is 0). A vsatp MODE that is not supported is left in
 * place too: that is the entry that aborted QEMU. */
static int make_safe(struct sweep *s)
{
	uint64_t mode = ATP_MODE(s->rb);

	switch (s->p->num) {
	case CSR_UTVEC:
		csr_write(CSR_UTVEC, u_vec());
		return 1;
	case CSR_USCRATCH:
		csr_write(CSR_USCRATCH, s->uscratch);
		return 1;
	case CSR_HUGATP:
		csr_write(CSR_HUGATP, s->hugatp);
		hufence_gvma_all();
		return 1;
	case CSR_HUVSATP:
		if (mode == 8 || mode == 9 || mode == 10) {
			csr_write(CSR_HUVSATP, 0);
			hufence_vvma_all();
			return 1;
		}
		return 0;
	}
	return 0;
}

static uint64_t hu_sweep(uint64_t arg)
{
	struct sweep *s = (struct sweep *)arg;
	const struct csr_probe *p = s->p;

	for (int i = 0; i < s->batch; i++) {
		uint64_t v = rnd(&s->seed, i), r;
		p->wr(v);
		r = p->rd();
		if (!legal(p->num, r) && s->batch_bad++ == 0) {
			s->bad_wr = v;
			s->bad_rd = r;
		}
	}
	p->wr(s->val);
	s->rb = p->rd();
	s->restored = make_safe(s);
	s->guest = hu_run_guest(MODE_VS, g_sstatus, 0);
	s->rb_after = p->rd();
	s->vip = csr_read(CSR_HUVIP);
	s->vsip = csr_read(CSR_HUVSIP);
	return 0;
}

/* What HS and M must show after s ran, from the reference. */
static void expect(struct state *e, const struct state *ref, const struct sweep *s)
{
	const struct csr_probe *x = hu_alias_target(s->p->num);
	*e = *ref;
	if (x)
		e->hs[hs_slot(x->num)] = s->rb_after;
	switch (s->p->num) {
	case CSR_HUVIP: /* one mip: vsip shows the delegated VSSIP */
		e->hs[R_VSIP] = s->vsip;
		break;
	case CSR_HUVSIP:
		e->hs[R_HVIP] = s->vip;
		break;
	case CSR_HUVSIE: { /* vsie is the delegated VS bits of mie (= hie) */
		uint64_t b = (s->rb_after << 1) & SWEEP_HIDELEG;
		e->hs[R_HIE] = (ref->hs[R_HIE] & ~SWEEP_HIDELEG) | b;
		e->m.mie = (ref->m.mie & ~SWEEP_HIDELEG) | b;
		break;
	}
	/* The guest's timer line is its VSTIP, which vsip shows as STIP
	 * (t_vsip.c): a past huvstimecmp raises it, and so does the vtimer
	 * with EN and TGT, its compare value being 0 here (dv_reset). */
	case CSR_HUVSTIMECMP:
		if (s->rb_after <= rdtime() + ref->hs[R_HTIMEDELTA])
			e->hs[R_VSIP] |= 1UL << IRQ_S_TIMER;
		break;
	case CSR_HUVTIMECTL:
		if ((s->rb_after & 3) == 3)
			e->hs[R_VSIP] |= 1UL << IRQ_S_TIMER;
		break;
	}
}

struct run {
	struct sweep s;
	struct state ref;
	uint64_t base; /* the register's value before the test */
	uint64_t vstvec, vsscratch;
};

/* HS: the machine as every sweep has it; then the reference snapshot. */
static void run_begin(struct run *r, uint16_t num)
{
	struct hart *h = this_hart();

	fail_begin();
	dv_setup();
	csr_write(CSR_HIDELEG, SWEEP_HIDELEG);
	csr_write(CSR_HIE, 0);
	r->vstvec = csr_swap(CSR_VSTVEC, guest_vs_vec);
	r->vsscratch = csr_swap(CSR_VSSCRATCH, &h->gvs);
	r->s = (struct sweep){0};
	for (int i = 0; i < n_hu_csrs; i++)
		if (hu_csrs[i].num == num)
			r->s.p = &hu_csrs[i];
	r->s.hugatp = csr_read(CSR_HUGATP);
	r->s.uscratch = csr_read(CSR_USCRATCH);
	r->s.seed = 0x9e3779b97f4a7c15UL ^ ((uint64_t)num << 32 | num);
	r->base = r->s.p->rd();
	r->s.val = r->base;
	hs_run(MODE_U, hu_sweep, (uint64_t)&r->s);
	snap(&r->ref, 0);
	if (!legal(num, r->base))
		FAIL("%s starts with an illegal value 0x%lx", r->s.p->name, r->base);
}

static void run_end(struct run *r)
{
	r->s.p->wr(r->base);
	csr_write(CSR_VSTVEC, r->vstvec);
	csr_write(CSR_VSSCRATCH, r->vsscratch);
	fail_end();
}

/* "name = label" or "name = 0x..." into buf (64 bytes). */
static void describe(char *buf, const char *name, const char *label, uint64_t v)
{
	char *p = buf, *end = buf + 63;
	while (*name && p < end)
		*p++ = *name++;
	for (const char *q = " = "; *q && p < end; q++)
		*p++ = *q;
	if (label) {
		while (*label && p < end)
			*p++ = *label++;
	} else {
		int started = 0;
		for (const char *q = "0x"; *q && p < end; q++)
			*p++ = *q;
		for (int sh = 60; sh >= 0; sh -= 4) {
			unsigned d = (v >> sh) & 15;
			if (d || started || sh == 0) {
				started = 1;
				if (p < end)
					*p++ = "0123456789abcdef"[d];
			}
		}
	}
	*p = 0;
}

/* One write from HU, the guest entered and left, then every check. */
static void try_value(struct run *r, uint64_t v, const char *label)
{
	struct sweep *s = &r->s;
	const char *n = s->p->name;
	struct state e, g;
	char what[64];

	s->val = v;
	s->batch_bad = 0;
	hs_run(MODE_U, hu_sweep, (uint64_t)s);
	snap(&g, &r->ref);
	describe(what, n, label, v);
	if (!legal(s->p->num, s->rb))
		FAIL("%s: reads back 0x%lx: not a legal value", what, s->rb);
	if (!legal(s->p->num, s->rb_after))
		FAIL("%s: reads 0x%lx after the guest ran: not a legal value", what, s->rb_after);
	if (!trap_written(s->p->num) && !s->restored && s->rb_after != s->rb)
		FAIL("%s: read back 0x%lx, but 0x%lx after the guest ran", what, s->rb,
		     s->rb_after);
	if (s->batch_bad)
		FAIL("%s: %d of %d random writes read back illegal values, first 0x%lx -> 0x%lx", n,
		     s->batch_bad, s->batch, s->bad_wr, s->bad_rd);
	/* The guest ran on the value: its sstatus is vsstatus. */
	if (s->p->num == CSR_HUVSSTATUS && (s->guest & ~SSTATUS_SD) != (s->rb & ~SSTATUS_SD))
		FAIL("%s: the guest's sstatus was 0x%lx", what, s->guest);
	expect(&e, &r->ref, s);
	compare(&e, &g, what);
	s->p->wr(r->base);
}

/* ---- every HU-writable register: all-ones, zero, each bit, random ---- */

#define N_RANDOM 2048  /* random values, each with a guest entry and every check */
#define N_BATCH	 16384 /* then random values only read back, then one entry */

static void sweep(uint16_t num)
{
	struct run r;

	run_begin(&r, num);
	try_value(&r, ~0UL, 0);
	try_value(&r, 0, 0);
	for (int b = 0; b < 64; b++)
		try_value(&r, 1UL << b, 0);
	for (int i = 0; i < N_RANDOM; i++)
		try_value(&r, rnd(&r.s.seed, i), 0);
	r.s.batch = N_BATCH;
	try_value(&r, rnd(&r.s.seed, 0), 0);
	r.s.batch = 0;
	run_end(&r);
}

/* The registers of §3.2 a HU write can change (huvipi: its own test). */
static const uint16_t swept[] = {
    CSR_HUSTATUS,   CSR_HUIE,	    CSR_HUTIMEDELTA, CSR_HUCOUNTEREN, CSR_HUENVCFG,
    CSR_HUTVAL,	    CSR_HUIP,	    CSR_HUVIP,	     CSR_HUTINST,     CSR_HUGATP,
    CSR_HUVTIMECMP, CSR_HUVTIMECTL, CSR_UTVEC,	     CSR_USCRATCH,    CSR_UEPC,
    CSR_UCAUSE,	    CSR_UTVAL,	    CSR_HUVSIE,	     CSR_HUVSTVEC,    CSR_HUVSSCRATCH,
    CSR_HUVSEPC,    CSR_HUVSCAUSE,  CSR_HUVSTVAL,    CSR_HUVSIP,      CSR_HUVSTIMECMP,
    CSR_HUVSSTATUS, CSR_HUVSATP,    CSR_HUVIPI,
};

TEST(harden_every_hu_register_is_swept, "R-CSR-ISO", T_DV)
{
	for (int i = 0; i < n_hu_csrs; i++) {
		int found = 0;
		for (unsigned k = 0; k < sizeof(swept) / sizeof(swept[0]); k++)
			found |= swept[k] == hu_csrs[i].num;
		if (!found)
			check_msg(__LINE__, "%s (0x%x) has no harden_sweep_* test", hu_csrs[i].name,
				  hu_csrs[i].num);
	}
	CHECK_EQ(sizeof(swept) / sizeof(swept[0]), n_hu_csrs);
}

/* ---- huvsstatus: every field of mstatus that is not sstatus's ---- */

static const struct {
	const char *name;
	uint64_t bits;
} m_fields[] = {
    {"MPRV", MSTATUS_MPRV},
    {"TSR", MSTATUS_TSR},
    {"TVM", MSTATUS_TVM},
    {"TW", MSTATUS_TW},
    {"MIE", MSTATUS_MIE},
    {"MPIE", MSTATUS_MPIE},
    {"MPP=M", 3UL << 11},
    {"MPP=S", 1UL << 11},
    {"MPP=2", 2UL << 11},
    {"UIE", MSTATUS_UIE},
    {"UPIE", MSTATUS_UPIE},
    {"UXL=1", 1UL << 32},
    {"UXL=3", 3UL << 32},
    {"UXL=0", 0},
    {"MPV", MSTATUS_MPV},
    {"GVA", MSTATUS_GVA},
    {"SD", SSTATUS_SD},
    {"XS", SSTATUS_XS},
    {"VS", SSTATUS_VS},
    {"MBE|SBE", 3UL << 36},
    {"all of them", MSTATUS_MPRV | MSTATUS_TSR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_MIE |
			MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_UIE | MSTATUS_UPIE | MSTATUS_MPV |
			MSTATUS_GVA | SSTATUS_SD | SSTATUS_XS | SSTATUS_VS | (3UL << 36)},
    {"all of them and the legal fields", ~(MSTATUS_SXL | SSTATUS_UXL)},
};

/* Apart, and last in the program: a QEMU that ORs vsstatus into mstatus
 * makes HS (and M's view of S) run with SXL = 3, and whatever runs after
 * that is not the test any more. */
static const struct {
	const char *name;
	uint64_t bits;
} sxl_fields[] = {
    {"SXL=1", 1UL << 34},
    {"SXL=3", 3UL << 34},
};

/* R-CSR-ISO, issue 10: each field written to huvsstatus in HU mode, the
 * guest entered with it in place (HURET) and left: M's mstatus (and every
 * HS register) is as before, and huvsstatus reads back only SIE, SPIE,
 * SPP, FS, SUM, MXR with UXL = 2. */
TEST(harden_hu_vsstatus_m_fields_never_reach_mstatus, "R-CSR-ISO", T_DV)
{
	struct run r;

	run_begin(&r, CSR_HUVSSTATUS);
	CHECK_EQ(r.ref.m.mstatus & (MSTATUS_MPRV | MSTATUS_TSR | MSTATUS_TVM | MSTATUS_TW |
				    MSTATUS_MIE | MSTATUS_MPIE),
		 0);
	for (unsigned i = 0; i < sizeof(m_fields) / sizeof(m_fields[0]); i++)
		try_value(&r, m_fields[i].bits, m_fields[i].name);
	run_end(&r);
}

/* ---- the same from HS: vsstatus, then sret into the guest ---- */

static void hs_guest_env(int en)
{
	if (en) {
		dv_setup(); /* the guest runs on hugatp; its exit goes to HS */
		csr_write(CSR_HUDELEG, 0);
	} else {
		s2_reset_pool();
		csr_write(CSR_HGATP, s2_atp(s2_new(0)));
		hfence_gvma_all();
	}
}

/* HS writes vsstatus = bits, sret's into VS (hs_run, hstatus.SPV = 1), the
 * guest's exit lands in HS. Every run ends with the same trap from VS, so
 * the reference is such a run with vsstatus = 0. */
static void hs_vsstatus_try(const struct state *ref, const char *name, uint64_t bits)
{
	struct hart *h = this_hart();
	struct state e, g;
	char what[64];

	describe(what, "vsstatus (from HS)", name, bits);
	csr_write(CSR_VSSTATUS, bits);
	uint64_t rb = csr_read(CSR_VSSTATUS);
	uint64_t guest = hs_run(MODE_VS, g_sstatus, 0);
	snap(&g, ref);
	if (h->hs_exit_from != EXIT_FROM_GUEST)
		FAIL("%s: the guest did not run to its exit (%d)", what, h->hs_exit_from);
	if (!legal(CSR_HUVSSTATUS, rb))
		FAIL("%s: reads back 0x%lx: not a legal value", what, rb);
	if ((guest & ~SSTATUS_SD) != (rb & ~SSTATUS_SD))
		FAIL("%s: the guest's sstatus was 0x%lx, vsstatus read 0x%lx", what, guest, rb);
	e = *ref;
	e.hs[R_VSSTATUS] = g.hs[R_VSSTATUS];
	if (!legal(CSR_HUVSSTATUS, g.hs[R_VSSTATUS]))
		FAIL("%s: reads 0x%lx after the guest ran", what, g.hs[R_VSSTATUS]);
	compare(&e, &g, what);
	csr_write(CSR_VSSTATUS, 0);
}

static void hs_vsstatus_fields(int en)
{
	struct state ref;

	fail_begin();
	hs_guest_env(en);
	csr_write(CSR_VSSTATUS, 0);
	hs_run(MODE_VS, g_sstatus, 0);
	snap(&ref, 0);
	for (unsigned i = 0; i < sizeof(m_fields) / sizeof(m_fields[0]); i++)
		hs_vsstatus_try(&ref, m_fields[i].name, m_fields[i].bits);
	fail_end();
}

/* The plain H path (EN = 0, hgatp): QEMU's swap on sret with SPV = 1 is the
 * one that ORed vsstatus into mstatus; nothing of DV-Ext is needed. */
TEST(harden_hs_vsstatus_m_fields_never_reach_mstatus, "baseline", T_ANY)
{
	hs_vsstatus_fields(0);
}

/* R-CSR-ISO from HS with EN = 1 (the guest on hugatp). */
TEST(harden_hs_vsstatus_m_fields_never_reach_mstatus_en1, "R-CSR-ISO", T_DV)
{
	hs_vsstatus_fields(1);
}

#define SWEEP(name, num)                                                                           \
	TEST(harden_sweep_##name, "R-CSR-ISO", T_DV)                                               \
	{                                                                                          \
		sweep(num);                                                                        \
	}
SWEEP(hustatus, CSR_HUSTATUS)
SWEEP(huie, CSR_HUIE)
SWEEP(hutimedelta, CSR_HUTIMEDELTA)
SWEEP(hucounteren, CSR_HUCOUNTEREN)
SWEEP(huenvcfg, CSR_HUENVCFG)
SWEEP(hutval, CSR_HUTVAL)
SWEEP(huip, CSR_HUIP)
SWEEP(huvip, CSR_HUVIP)
SWEEP(hutinst, CSR_HUTINST)
SWEEP(hugatp, CSR_HUGATP)
SWEEP(huvtimecmp, CSR_HUVTIMECMP)
SWEEP(huvtimectl, CSR_HUVTIMECTL)
SWEEP(utvec, CSR_UTVEC)
SWEEP(uscratch, CSR_USCRATCH)
SWEEP(uepc, CSR_UEPC)
SWEEP(ucause, CSR_UCAUSE)
SWEEP(utval, CSR_UTVAL)
SWEEP(huvsie, CSR_HUVSIE)
SWEEP(huvstvec, CSR_HUVSTVEC)
SWEEP(huvsscratch, CSR_HUVSSCRATCH)
SWEEP(huvsepc, CSR_HUVSEPC)
SWEEP(huvscause, CSR_HUVSCAUSE)
SWEEP(huvstval, CSR_HUVSTVAL)
SWEEP(huvsip, CSR_HUVSIP)
SWEEP(huvstimecmp, CSR_HUVSTIMECMP)

/* ---- huvipi: every value rings exactly the doorbell it may ring ---- */

#define VIPI_ID 9

struct vipi_try {
	uint64_t val, rb, usip;
};

static uint64_t hu_vipi(uint64_t arg)
{
	struct vipi_try *t = (struct vipi_try *)arg;
	csr_write(CSR_HUVIPI, t->val); /* outside the window: to HS, skipped */
	t->usip = csr_read(CSR_HUIP) & 1;
	t->rb = csr_read(CSR_HUVIPI);
	csr_clear(CSR_HUIP, 1);
	hu_run_guest(MODE_VS, g_sstatus, 0);
	return 0;
}

static void vipi_try(const struct state *ref, uint64_t v)
{
	struct vipi_try t = {.val = v};
	struct state g;
	char what[64];

	describe(what, "huvipi", 0, v);
	catch_begin();
	hs_run(MODE_U, hu_vipi, (uint64_t)&t);
	int n = catch_end();
	snap(&g, ref);
	if (v == VIPI_ID) {
		if (n != 0 || t.usip != 1)
			FAIL("%s (the window): %d traps, USIP %lu", what, n, t.usip);
	} else if (n != 1 || trap_at(0)->level != LVL_HS || trap_at(0)->cause != EXC_ILLEGAL ||
		   t.usip != 0) {
		FAIL("%s: %d traps (first: level %d cause 0x%lx), USIP %lu; expected one illegal "
		     "instruction to HS and nothing rung",
		     what, n, trap_at(0)->level, trap_at(0)->cause, t.usip);
	}
	if (t.rb != 0)
		FAIL("%s: reads 0x%lx", what, t.rb);
	compare(ref, &g, what);
}

/* R-CSR-ISO, R-VIPI-2 for every value: the window is the one id VIPI_ID,
 * which this hart answers to (its USIP shows the doorbell). */
TEST(harden_sweep_huvipi, "R-CSR-ISO R-VIPI-2", T_DV)
{
	struct state ref;
	struct vipi_try t = {.val = VIPI_ID};
	uint64_t seed = 0x5bd1e995UL;

	fail_begin();
	dv_setup();
	csr_write(CSR_HDVWIN, ((uint64_t)VIPI_ID << 16) | VIPI_ID);
	csr_write(CSR_HDVVCPUID, VIPI_ID);
	hs_run(MODE_U, hu_vipi, (uint64_t)&t);
	snap(&ref, 0);
	vipi_try(&ref, ~0UL);
	vipi_try(&ref, 0);
	for (int b = 0; b < 64; b++) {
		vipi_try(&ref, 1UL << b);
		vipi_try(&ref, VIPI_ID | (1UL << b));
	}
	for (int i = 0; i < N_RANDOM; i++)
		vipi_try(&ref, rnd(&seed, i));
	vipi_try(&ref, VIPI_ID);
	csr_write(CSR_HDVVCPUID, 0);
	fail_end();
}

/* ---- every MODE of vsatp, hugatp (HU) and vsatp, hgatp (HS) ---- */

/* VS-stage tables for Sv39, Sv48, Sv57, all the same identity map: GVA 0
 * and RAM_BASE, 1 GiB leaves (GVA 0..1 GiB holds EXIT_GPA, which the
 * guest's stage 2 leaves unmapped, so the guest can still exit). */
static uint64_t vs39[512] __attribute__((aligned(4096)));
static uint64_t vs48[512] __attribute__((aligned(4096)));
static uint64_t vs57[512] __attribute__((aligned(4096)));
/* G-stage roots for Sv48x4 and Sv57x4 over one Sv39x4 table: its first
 * page is exactly a level-2 table of the wider modes. */
static uint64_t g48[2048] __attribute__((aligned(16384)));
static uint64_t g57[2048] __attribute__((aligned(16384)));

#define PTE_TABLE(t) ((((uint64_t)(t) >> 12) << 10) | PTE_V)
#define PTE_GIGA(pa) ((((uint64_t)(pa) >> 12) << 10) | PTE_V | PTE_RWX | PTE_A | PTE_D)
#define PPN(t)	     ((uint64_t)(t) >> 12)

static void build_tables(const uint64_t *root39)
{
	for (int i = 0; i < 512; i++)
		vs39[i] = vs48[i] = vs57[i] = 0;
	for (int i = 0; i < 2048; i++)
		g48[i] = g57[i] = 0;
	vs39[0] = PTE_GIGA(0);
	vs39[RAM_BASE >> 30] = PTE_GIGA(RAM_BASE);
	vs48[0] = PTE_TABLE(vs39);
	vs57[0] = PTE_TABLE(vs48);
	g48[0] = PTE_TABLE(root39);
	g57[0] = PTE_TABLE(g48);
	page_a[0] = MARK;
}

static int vs_mode_ok(uint64_t m)
{
	return m == 0 || m == 8 || m == 9 || m == 10;
}

/* A vsatp value of MODE m whose root, if the mode is one, works. */
static uint64_t vsatp_of(uint64_t m)
{
	uint64_t ppn = m == 0 ? 0 : m == 8 ? PPN(vs39) : m == 10 ? PPN(vs57) : PPN(vs48);
	return (m << 60) | ppn;
}

static volatile uint64_t g_seen;

/* An HLV through a MODE that was (wrongly) kept can fault instead of
 * aborting (Sv32 walks): report it and do not enter a guest on it. */
static int hlv_trapped(int n, const char *reg, uint64_t m)
{
	if (!n)
		return 0;
	FAIL("%s MODE %lu: the HLV trapped (%d traps, to %s cause 0x%lx)", reg, m, n,
	     trap_at(0)->level == LVL_HS ? "HS" : "not HS", trap_at(0)->cause);
	return 1;
}

/* Guest: through its own translation, read the mark; return its satp. */
static uint64_t g_satp_load(uint64_t unused)
{
	(void)unused;
	g_seen = *(volatile uint64_t *)page_a;
	return csr_read(CSR_SATP);
}

struct atp_try {
	uint64_t val, rb, hlv, guest;
	int traps; /* the HLV faulted (to HS, recorded): no entry then */
};

/* HU: write huvsatp, then an HLV and a guest entry with what it holds. */
static uint64_t hu_vsatp(uint64_t arg)
{
	struct atp_try *t = (struct atp_try *)arg;
	csr_write(CSR_HUVSATP, t->val);
	t->rb = csr_read(CSR_HUVSATP);
	hufence_vvma_all();
	csr_set(CSR_HUSTATUS, HUSTATUS_UPVP); /* HLV as VS: the leaves are not U */
	t->hlv = probe_hlv((uint64_t)page_a);
	t->traps = this_hart()->nrec;
	t->guest = t->traps ? ~0UL : hu_run_guest(MODE_VS, g_satp_load, 0);
	return 0;
}

static uint64_t hu_hugatp(uint64_t arg)
{
	struct atp_try *t = (struct atp_try *)arg;
	csr_write(CSR_HUGATP, t->val);
	t->rb = csr_read(CSR_HUGATP);
	hufence_gvma_all();
	csr_write(CSR_HUVSATP, 0);
	csr_set(CSR_HUSTATUS, HUSTATUS_UPVP);
	t->hlv = probe_hlv((uint64_t)page_a);
	t->traps = this_hart()->nrec;
	/* With a Bare G stage the guest has no unmapped page to exit through
	 * (EXIT_GPA would be an access fault to HS, R-PMC-1): HLV only. */
	if (t->traps || !ATP_MODE(t->rb))
		t->guest = 0;
	else
		t->guest = hu_run_guest(MODE_VS, g_satp_load, 0);
	return 0;
}

/* R-CSR-ISO, R-CSR-HU: hugatp with each MODE 0..15 (§3.2: 0, 8, 9 taken;
 * another MODE leaves MODE as it was and takes the PPN), then HLV through
 * it and, unless Bare, a guest entry. */
TEST(harden_hu_hugatp_every_mode, "R-CSR-ISO R-CSR-HU R-HLV-1", T_DV)
{
	fail_begin();
	dv_setup();
	uint64_t old = csr_read(CSR_HUGATP);
	struct s2 other = s2_new(1);
	build_tables((uint64_t *)((old & ATP_PPN) << 12));
	for (uint64_t m = 0; m < 16; m++) {
		uint64_t ppn = m == 0 ? 0 : m == 9 ? PPN(g48) : PPN(other.root);
		struct atp_try t = {.val = (m << 60) | ppn};
		uint64_t want = m == 0 || m == 8 || m == 9 ? t.val : (8UL << 60) | ppn;
		csr_write(CSR_HUGATP, old);
		hfence_gvma_all();
		g_seen = m == 0 ? MARK : 0;
		catch_begin();
		hs_run(MODE_U, hu_hugatp, (uint64_t)&t);
		catch_end();
		if (t.rb != want)
			FAIL("hugatp MODE %lu: reads back 0x%lx, expected 0x%lx", m, t.rb, want);
		if (hlv_trapped(t.traps, "hugatp", m))
			continue;
		if (t.hlv != MARK)
			FAIL("hugatp MODE %lu: HLV read 0x%lx", m, t.hlv);
		if (t.guest != 0 || g_seen != MARK)
			FAIL("hugatp MODE %lu: the guest's satp 0x%lx, it read 0x%lx", m, t.guest,
			     g_seen);
	}
	csr_write(CSR_HUGATP, old);
	hfence_gvma_all();
	fail_end();
}

SWEEP(huvsstatus, CSR_HUVSSTATUS)
SWEEP(huvsatp, CSR_HUVSATP)

/* R-CSR-ISO, issue 10: huvsatp with each MODE 0..15. Bare, Sv39, Sv48 and
 * Sv57 are taken; any other write leaves vsatp as it was (here Sv39). Then
 * HLV from HU and a guest entry translate through it: on a QEMU that kept
 * MODE 5 both aborted the machine, so getting here is the first check. */
TEST(harden_hu_vsatp_every_mode, "R-CSR-ISO R-HLV-1", T_DV)
{
	fail_begin();
	dv_setup();
	build_tables((uint64_t *)((csr_read(CSR_HUGATP) & ATP_PPN) << 12));
	uint64_t old = vsatp_of(8);
	for (uint64_t m = 0; m < 16; m++) {
		struct atp_try t = {.val = vsatp_of(m)};
		uint64_t want = vs_mode_ok(m) ? t.val : old;
		csr_write(CSR_VSATP, old);
		g_seen = 0;
		catch_begin();
		hs_run(MODE_U, hu_vsatp, (uint64_t)&t);
		catch_end();
		if (t.rb != want)
			FAIL("huvsatp MODE %lu: reads back 0x%lx, expected 0x%lx", m, t.rb, want);
		if (hlv_trapped(t.traps, "huvsatp", m))
			continue;
		if (t.hlv != MARK)
			FAIL("huvsatp MODE %lu: HLV read 0x%lx", m, t.hlv);
		if (t.guest != t.rb || g_seen != MARK)
			FAIL("huvsatp MODE %lu: the guest's satp 0x%lx, it read 0x%lx", m, t.guest,
			     g_seen);
		CHECK_EQ(csr_read(CSR_VSATP), t.rb);
	}
	csr_write(CSR_VSATP, 0);
	fail_end();
}

/* Issue 10 from HS, plain H (EN = 0): vsatp and hgatp with each MODE 0..15,
 * then HLV and sret into the guest. vsatp as above; hgatp takes Bare,
 * Sv39x4, Sv48x4 and Sv57x4 and ignores any other write. */
TEST(harden_hs_vsatp_hgatp_every_mode, "baseline", T_ANY)
{
	struct hart *h = this_hart();

	fail_begin();
	s2_reset_pool();
	struct s2 a = s2_new(0), b = s2_new(1);
	uint64_t gold = s2_atp(a), vold = vsatp_of(8);
	build_tables(a.root);
	for (uint64_t m = 0; m < 16; m++) {
		uint64_t val = vsatp_of(m), want = vs_mode_ok(m) ? val : vold;
		csr_write(CSR_HGATP, gold);
		hfence_gvma_all();
		csr_write(CSR_VSATP, vold);
		csr_write(CSR_VSATP, val);
		uint64_t rb = csr_read(CSR_VSATP);
		hfence_vvma_all();
		if (rb != want)
			FAIL("vsatp MODE %lu from HS: reads back 0x%lx, expected 0x%lx", m, rb,
			     want);
		csr_set(CSR_HSTATUS, HSTATUS_SPVP); /* HLV as VS */
		catch_begin();
		uint64_t v = hlv_d((uint64_t)page_a);
		if (hlv_trapped(catch_end(), "vsatp (from HS)", m))
			continue;
		g_seen = 0;
		uint64_t satp = hs_run(MODE_VS, g_satp_load, 0);
		if (v != MARK || h->hs_exit_from != EXIT_FROM_GUEST || satp != rb || g_seen != MARK)
			FAIL("vsatp MODE %lu from HS: HLV 0x%lx, guest exit %d satp 0x%lx read "
			     "0x%lx",
			     m, v, h->hs_exit_from, satp, g_seen);
	}
	csr_write(CSR_VSATP, 0);
	for (uint64_t m = 0; m < 16; m++) {
		uint64_t ppn = m == 0 ? 0 : m == 9 ? PPN(g48) : m == 10 ? PPN(g57) : PPN(b.root);
		uint64_t val = (m << 60) | ppn, want = vs_mode_ok(m) ? val : gold;
		csr_write(CSR_HGATP, gold);
		csr_write(CSR_HGATP, val);
		uint64_t rb = csr_read(CSR_HGATP);
		hfence_gvma_all();
		if (rb != want)
			FAIL("hgatp MODE %lu: reads back 0x%lx, expected 0x%lx", m, rb, want);
		csr_set(CSR_HSTATUS, HSTATUS_SPVP);
		catch_begin();
		uint64_t v = hlv_d((uint64_t)page_a);
		if (hlv_trapped(catch_end(), "hgatp", m))
			continue;
		if (v != MARK)
			FAIL("hgatp MODE %lu: HLV read 0x%lx", m, v);
		if (!ATP_MODE(rb))
			continue; /* Bare: no unmapped GPA to exit through */
		g_seen = 0;
		uint64_t satp = hs_run(MODE_VS, g_satp_load, 0);
		if (h->hs_exit_from != EXIT_FROM_GUEST || satp != 0 || g_seen != MARK)
			FAIL("hgatp MODE %lu: guest exit %d satp 0x%lx read 0x%lx", m,
			     h->hs_exit_from, satp, g_seen);
	}
	csr_write(CSR_HGATP, 0);
	hfence_gvma_all();
	fail_end();
}

/* ---- last: SXL ---- */

TEST(harden_hs_vsstatus_sxl_never_reaches_mstatus, "baseline", T_ANY)
{
	struct state ref;

	fail_begin();
	hs_guest_env(0);
	csr_write(CSR_VSSTATUS, 0);
	hs_run(MODE_VS, g_sstatus, 0);
	snap(&ref, 0);
	for (unsigned i = 0; i < sizeof(sxl_fields) / sizeof(sxl_fields[0]); i++)
		hs_vsstatus_try(&ref, sxl_fields[i].name, sxl_fields[i].bits);
	fail_end();
}

TEST(harden_hu_vsstatus_sxl_never_reaches_mstatus, "R-CSR-ISO", T_DV)
{
	struct run r;

	run_begin(&r, CSR_HUVSSTATUS);
	for (unsigned i = 0; i < sizeof(sxl_fields) / sizeof(sxl_fields[0]); i++)
		try_value(&r, sxl_fields[i].bits, sxl_fields[i].name);
	run_end(&r);
}
