/* The test runner (hart 0, HS), checks and trap capture. */
#include <stdarg.h>
#include <stdint.h>
#include "csr.h"
#include "fdt.h"
#include "harness.h"
#include "probes.h"

void ctx_return(struct jb *jb, uint64_t v) __attribute__((noreturn));
void call_with_jb(struct jb *jb, void (*fn)(void));
void hart1_loop(void) __attribute__((noreturn));
extern char hs_trap_entry[];
extern const struct test __tests_start[], __tests_end[];

int dvext_present;
volatile int test_failed;
const char *dtb_isa;

void check_failed(int line, const char *what, uint64_t expected, uint64_t actual)
{
	test_failed = 1;
	printf("  line %d: %s: expected 0x%lx, got 0x%lx\n", line, what, expected, actual);
}

void check_msg(int line, const char *fmt, ...)
{
	va_list ap;
	test_failed = 1;
	printf("  line %d: ", line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void test_abort_now(void)
{
	struct hart *h = this_hart();
	test_failed = 1;
	h->catching = 0;
	printf("  (test aborted on hart %lu)\n", h->id);
	ctx_return(&h->test_jb, 1);
}

void catch_begin(void)
{
	struct hart *h = this_hart();
	h->nrec = 0;
	h->catching = 1;
}

int catch_end(void)
{
	struct hart *h = this_hart();
	h->catching = 0;
	return h->nrec;
}

const struct trap_rec *trap_at(int i)
{
	static const struct trap_rec none;
	struct hart *h = this_hart();
	return i < h->nrec && i < MAXREC ? &h->rec[i] : &none;
}

static const char *lvl_name(int l)
{
	return l == LVL_M ? "M" : l == LVL_HS ? "HS" : l == LVL_HU ? "HU" : "none";
}

static void dump_recs(void)
{
	struct hart *h = this_hart();
	for (int i = 0; i < h->nrec && i < MAXREC; i++) {
		const struct trap_rec *r = &h->rec[i];
		printf("    trap %d: %s cause 0x%lx epc 0x%lx tval 0x%lx tval2 0x%lx status 0x%lx "
		       "hstatus 0x%lx\n",
		       i, lvl_name(r->level), r->cause, r->epc, r->tval, r->tval2, r->status,
		       r->hstatus);
	}
}

const struct trap_rec *expect_trap(int line, int level, uint64_t cause)
{
	static const struct trap_rec none;
	struct hart *h = this_hart();
	if (h->nrec != 1 || h->rec[0].level != level || h->rec[0].cause != cause) {
		check_msg(line, "expected one trap to %s cause 0x%lx, saw %d:", lvl_name(level),
			  cause, h->nrec);
		dump_recs();
		return &none;
	}
	return &h->rec[0];
}

void expect_no_trap(int line)
{
	struct hart *h = this_hart();
	if (h->nrec) {
		check_msg(line, "expected no trap, saw %d:", h->nrec);
		dump_recs();
	}
}

static const struct test *current;

static void run_current(void)
{
	current->fn();
}

static void run_tests(void)
{
	struct hart *h = this_hart();
	int passed = 0, failed = 0, skipped = 0;

	for (const struct test *t = __tests_start; t < __tests_end; t++) {
		if ((t->flags & T_DV) && !dvext_present) {
			printf("SKIP %s [%s] (DV-Ext absent)\n", t->name, t->rules);
			skipped++;
			continue;
		}
		if ((t->flags & T_ABSENT) && dvext_present) {
			printf("SKIP %s [%s] (only without DV-Ext)\n", t->name, t->rules);
			skipped++;
			continue;
		}
		current = t;
		test_failed = 0;
		dv_reset();
		sbi_call(SBI_WATCHDOG, 3000 * TICKS_PER_MS);
		call_with_jb(&h->test_jb, run_current);
		sbi_call(SBI_WATCHDOG, 0);
		h->catching = 0;
		if (test_failed) {
			failed++;
			printf("FAIL %s [%s]\n", t->name, t->rules);
		} else {
			passed++;
			printf("PASS %s [%s]\n", t->name, t->rules);
		}
	}
	dv_reset();
	printf("dvext: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
	printf("DVEXT-DONE\n");
	sbi_call(SBI_POWEROFF, failed ? 1 : 0);
}

/* Entered from M-mode (mret) on every hart. */
void hs_main(uint64_t hartid, uint64_t dtb)
{
	struct hart *h = this_hart();

	csr_write(CSR_STVEC, hs_trap_entry);
	csr_write(CSR_SSCRATCH, &h->hs_frame);
	csr_write(CSR_SCOUNTEREN, ~0UL);
	/* Presence probe: hdvctl is an HS-only DV-Ext CSR; without the
	 * extension the access is an illegal instruction (R-DISC-2). Then,
	 * before anything writes one, the reset values (R-CSR-RESET). */
	catch_begin();
	(void)csr_read(CSR_HDVCTL);
	int present = catch_end() == 0;
	h->nrec = 0;
	if (present)
		snapshot_reset_values();
	if (hartid != 0)
		hart1_loop();
	dvext_present = present;

	printf("dvext conformance suite (bare metal), %d harts\n", NHARTS);
	dtb_isa = fdt_cpu0_isa(dtb);
	printf("riscv,isa of cpu@0: %s\n", dtb_isa ? dtb_isa : "(none)");
	printf("DV-Ext %s\n", dvext_present ? "present" : "absent");
	run_tests();
	for (;;)
		;
}
