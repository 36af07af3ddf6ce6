/* Mode switches, DV-Ext set-up/reset, and hart 1's job loop. */
#include <stdint.h>
#include "csr.h"
#include "harness.h"
#include "stage2.h"

uint64_t hs_enter(struct jb *jb, body_fn fn, uint64_t arg, uint64_t sp, void *tramp);
uint64_t hu_enter(struct jb *jb, body_fn fn, uint64_t arg, uint64_t sp, void *tramp);
extern char tramp_u[], tramp_g[], hu_trap_entry[];

uint64_t hs_run(enum mode m, body_fn fn, uint64_t arg)
{
	struct hart *h = this_hart();
	uint64_t ss = csr_read(CSR_SSTATUS) & ~SSTATUS_SPP;
	uint64_t hs = csr_read(CSR_HSTATUS) & ~(HSTATUS_SPV | HSTATUS_SPVP);

	/* sret goes to SPP (U/S), and with hstatus.SPV = 1 to the guest. */
	if (m == MODE_VS)
		ss |= SSTATUS_SPP;
	if (m != MODE_U)
		hs |= HSTATUS_SPV | (m == MODE_VS ? HSTATUS_SPVP : 0);
	csr_write(CSR_SSTATUS, ss);
	csr_write(CSR_HSTATUS, hs);
	h->hs_exit_from = 0;
	if (m == MODE_U)
		return hs_enter(&h->hs_run_jb, fn, arg, STACK_TOP(h->hu_stack), tramp_u);
	return hs_enter(&h->hs_run_jb, fn, arg, STACK_TOP(h->guest_stack), tramp_g);
}

/* In HU mode: HURET with UPV = 1 and UPVP = the guest's privilege. */
uint64_t hu_run_guest(enum mode m, body_fn fn, uint64_t arg)
{
	struct hart *h = this_hart();
	uint64_t s = csr_read(CSR_HUSTATUS) & ~(HUSTATUS_UPV | HUSTATUS_UPVP);

	s |= HUSTATUS_UPV | (m == MODE_VS ? HUSTATUS_UPVP : 0);
	csr_write(CSR_HUSTATUS, s);
	return hu_enter(&h->hu_run_jb, fn, arg, STACK_TOP(h->guest_stack), tramp_g);
}

void guest_exit(uint64_t v)
{
	register uint64_t a0 __asm__("a0") = v;
	__asm__ volatile("sd a0, 0(%0)" ::"r"(EXIT_GPA), "r"(a0) : "memory");
	for (;;)
		;
}

uint64_t u_vec(void)
{
	return (uint64_t)hu_trap_entry;
}

static struct s2 default_s2[NHARTS];

void dv_setup(void)
{
	struct hart *h = this_hart();

	if (h->id == 0) {
		s2_reset_pool();
		default_s2[0] = s2_new(0);
	}
	csr_write(CSR_HDVCTL, 1);
	csr_write(CSR_HUDELEG, HUDELEG_ALL);
	csr_write(CSR_HUGATP, s2_atp(default_s2[0]));
	pmc_default();
	csr_write(CSR_UTVEC, hu_trap_entry);
	csr_write(CSR_USCRATCH, &h->hu_frame);
	csr_write(CSR_HUCOUNTEREN, ~0UL);
	hfence_gvma_all();
}

/* Every register a test may have touched, back to its initial value. */
void dv_reset(void)
{
	struct hart *h = this_hart();

	csr_write(CSR_STIMECMP, ~0UL);
	csr_write(CSR_SIE, 0);
	csr_clear(CSR_SSTATUS, SSTATUS_SIE);
	csr_write(CSR_HVIP, 0);
	csr_write(CSR_HEDELEG, 0);
	csr_write(CSR_HIDELEG, 0);
	csr_write(CSR_HGATP, 0);
	csr_write(CSR_HTIMEDELTA, 0);
	csr_write(CSR_HCOUNTEREN, ~0UL);
	csr_write(CSR_HENVCFG, 0);
	csr_write(CSR_HSTATUS,
		  csr_read(CSR_HSTATUS) & ~(HSTATUS_HU | HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VTSR |
					    HSTATUS_VTW | HSTATUS_VTVM | HSTATUS_GVA));
	csr_write(CSR_VSATP, 0);
	csr_write(CSR_VSSTATUS, 0);
	csr_write(CSR_VSIE, 0);
	csr_write(CSR_VSTIMECMP, ~0UL);
	sbi_call(SBI_SET_SEIP, 0);
	h->catching = 0;
	h->nrec = 0;
	h->hu_irq_exits = 0;
	h->snap_u_ecall = 0;
	h->snap.valid = 0;
	if (dvext_present) {
		csr_write(CSR_HUVTIMECTL, 0);
		csr_write(CSR_HUVTIMECMP, 0);
		/* Hart 0, between tests: clear the doorbells the tests use (a
		 * clear is machine-wide, so hart 1 never does it). */
		for (uint64_t id = 1; h->id == 0 && id < 16; id++) {
			csr_write(CSR_HDVVCPUID, id);
			csr_clear(CSR_HUIP, 1);
		}
		csr_write(CSR_HDVVCPUID, 0);
		csr_write(CSR_HDVCTL, 0);
		csr_write(CSR_HUDELEG, 0);
		csr_write(CSR_HUIDELEG, 0);
		csr_write(CSR_HDVWIN, 0);
		pmc_clear();
		csr_write(CSR_HUSTATUS, 0);
		csr_write(CSR_HUIE, 0);
		csr_write(CSR_HUGATP, 0);
		csr_write(CSR_UTVEC, 0);
		csr_write(CSR_USCRATCH, 0);
		csr_write(CSR_UEPC, 0);
		csr_write(CSR_UCAUSE, 0);
		csr_write(CSR_UTVAL, 0);
		csr_write(CSR_HUTVAL, 0);
		csr_write(CSR_HUTINST, 0);
	}
	hfence_gvma_all();
	hfence_vvma_all();
	sfence_vma_all();
}

void delay_ticks(uint64_t ticks)
{
	uint64_t t0 = rdtime();
	while (rdtime() - t0 < ticks)
		;
}

/* ---- hart 1 ---- */

void call_with_jb(struct jb *jb, void (*fn)(void));

static struct {
	volatile int state; /* 0 idle, 1 posted, 2 done */
	body_fn fn;
	uint64_t arg;
	volatile uint64_t result;
} job;

static void run_job(void)
{
	job.result = job.fn(job.arg);
}

void hart1_loop(void)
{
	struct hart *h = this_hart();
	for (;;) {
		while (__atomic_load_n(&job.state, __ATOMIC_ACQUIRE) != 1)
			;
		job.result = ~0UL;
		sbi_call(SBI_WATCHDOG, 2000 * TICKS_PER_MS);
		call_with_jb(&h->test_jb, run_job);
		sbi_call(SBI_WATCHDOG, 0);
		dv_reset();
		__atomic_store_n(&job.state, 2, __ATOMIC_RELEASE);
	}
}

int hart1_post(body_fn fn, uint64_t arg)
{
	job.fn = fn;
	job.arg = arg;
	__atomic_store_n(&job.state, 1, __ATOMIC_RELEASE);
	return 0;
}

int hart1_call(body_fn fn, uint64_t arg, uint64_t timeout_ticks, uint64_t *result)
{
	hart1_post(fn, arg);
	return hart1_wait(timeout_ticks, result);
}

int hart1_wait(uint64_t timeout_ticks, uint64_t *result)
{
	uint64_t t0 = rdtime();
	while (__atomic_load_n(&job.state, __ATOMIC_ACQUIRE) != 2) {
		if (rdtime() - t0 > timeout_ticks) {
			check_msg(__LINE__, "hart 1 did not finish its job in time");
			return -1;
		}
	}
	job.state = 0;
	if (result)
		*result = job.result;
	return 0;
}
