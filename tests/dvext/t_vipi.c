/* R-VIPI-*: doorbells. */
#include "harness.h"
#include "stage2.h"

static uint64_t hu_ring(uint64_t id)
{
	csr_write(CSR_HUVIPI, id);
	return 0;
}

static uint64_t usip_of(uint64_t id)
{
	csr_write(CSR_HDVVCPUID, id);
	return csr_read(CSR_HUIP) & 1;
}

static void ring(uint64_t id)
{
	hs_run(MODE_U, hu_ring, id);
}

/* R-VIPI-1, R-VIPI-3: ringing sets exactly that doorbell; USIP follows
 * hdvvcpuid, re-evaluated on every write. */
TEST(vipi_ring_in_window_and_switch_in, "R-VIPI-1 R-VIPI-3", T_DV)
{
	dv_setup();
	csr_write(CSR_HDVWIN, (10UL << 16) | 3);
	csr_write(CSR_HDVVCPUID, 0);
	catch_begin();
	ring(5);
	catch_end();
	EXPECT_NO_TRAP();
	CHECK_EQ(usip_of(5), 1); /* switched in after the ring: seen */
	CHECK_EQ(usip_of(6), 0);
	CHECK_EQ(usip_of(4), 0);
	CHECK_EQ(usip_of(0), 0);
	CHECK_EQ(usip_of(5), 1);
}

static uint64_t h1_usip(uint64_t id)
{
	csr_write(CSR_HDVVCPUID, id);
	uint64_t v = csr_read(CSR_HUIP) & 1;
	csr_write(CSR_HDVVCPUID, 0);
	return v;
}

/* R-VIPI-2: outside the window (or id 0, or LO > HI): illegal, to HS, and
 * nothing is rung. */
TEST(vipi_outside_window_illegal_rings_nothing, "R-VIPI-2", T_DV)
{
	dv_setup();
	csr_write(CSR_HDVWIN, (10UL << 16) | 3);
	catch_begin();
	ring(11);
	ring(2);
	catch_end();
	CHECK_EQ(this_hart()->nrec, 2);
	CHECK_EQ(trap_at(0)->level, LVL_HS);
	CHECK_EQ(trap_at(0)->cause, EXC_ILLEGAL);
	CHECK_EQ(trap_at(1)->cause, EXC_ILLEGAL);
	CHECK_EQ(usip_of(11), 0);
	CHECK_EQ(usip_of(2), 0);
	csr_write(CSR_HDVWIN, (10UL << 16) | 0);
	catch_begin();
	ring(0);
	catch_end();
	EXPECT_TRAP(LVL_HS, EXC_ILLEGAL);
	csr_write(CSR_HDVWIN, (3UL << 16) | 10); /* LO > HI: none */
	catch_begin();
	ring(5);
	catch_end();
	EXPECT_TRAP(LVL_HS, EXC_ILLEGAL);
	CHECK_EQ(usip_of(5), 0);
	uint64_t r = 1;
	hart1_call(h1_usip, 5, 500 * TICKS_PER_MS, &r);
	CHECK_EQ(r, 0);
}

/* R-VIPI-1, R-VIPI-2: HS (and M) may ring too, with the same window
 * check; HS needs no gate (EN = 0 and EN = 1 alike). */
TEST(vipi_ring_from_hs_and_m_window_checked, "R-VIPI-1 R-VIPI-2", T_DV)
{
	for (int en = 0; en < 2; en++) {
		uint64_t in = 4 + en, r = 0;
		if (en)
			dv_setup();
		csr_write(CSR_HDVWIN, (10UL << 16) | 3);
		csr_write(CSR_HDVVCPUID, 0);
		catch_begin();
		csr_write(CSR_HUVIPI, in);
		catch_end();
		EXPECT_NO_TRAP();
		CHECK_EQ(usip_of(in), 1);
		CHECK_EQ(usip_of(in + 2), 0);
		hart1_call(h1_usip, in, 500 * TICKS_PER_MS, &r);
		CHECK_EQ(r, 1);
		/* Outside: above HI, below LO, id 0; then LO > HI. */
		csr_write(CSR_HDVVCPUID, 0);
		catch_begin();
		csr_write(CSR_HUVIPI, 11);
		csr_write(CSR_HUVIPI, 2);
		csr_write(CSR_HUVIPI, 0);
		csr_write(CSR_HDVWIN, (3UL << 16) | 10);
		csr_write(CSR_HUVIPI, 7);
		catch_end();
		CHECK_EQ(this_hart()->nrec, 4);
		for (int i = 0; i < this_hart()->nrec && i < MAXREC; i++) {
			CHECK_EQ(trap_at(i)->level, LVL_HS);
			CHECK_EQ(trap_at(i)->cause, EXC_ILLEGAL);
		}
		CHECK_EQ(usip_of(11), 0);
		CHECK_EQ(usip_of(2), 0);
		CHECK_EQ(usip_of(7), 0);
		r = 1;
		hart1_call(h1_usip, 11, 500 * TICKS_PER_MS, &r);
		CHECK_EQ(r, 0);
		r = 1;
		hart1_call(h1_usip, 7, 500 * TICKS_PER_MS, &r);
		CHECK_EQ(r, 0);
	}
	/* M, inside the window (outside would trap in M, fatal here). */
	csr_write(CSR_HDVWIN, (10UL << 16) | 3);
	CHECK_EQ(usip_of(8), 0);
	sbi_call(SBI_RING, 8);
	CHECK_EQ(usip_of(8), 1);
	csr_write(CSR_HDVVCPUID, 0);
}

static uint64_t hu_clear(uint64_t unused)
{
	(void)unused;
	csr_write(CSR_HUIP, csr_read(CSR_HUIP) | 1); /* writing 1: no effect */
	uint64_t still = csr_read(CSR_HUIP) & 1;
	csr_clear(CSR_HUIP, 1);
	return still;
}

/* R-VIPI-4: writing 0 to huip bit 0 clears this hart's doorbell, for
 * every hart. */
TEST(vipi_clear_through_huip, "R-VIPI-4 R-VIPI-1", T_DV)
{
	dv_setup();
	csr_write(CSR_HDVWIN, (10UL << 16) | 1);
	ring(7);
	uint64_t r = 0;
	hart1_call(h1_usip, 7, 500 * TICKS_PER_MS, &r);
	CHECK_EQ(r, 1); /* the other hart sees it too */
	csr_write(CSR_HDVVCPUID, 7);
	CHECK_EQ(hs_run(MODE_U, hu_clear, 0), 1);
	CHECK_EQ(csr_read(CSR_HUIP) & 1, 0);
	CHECK_EQ(usip_of(0), 0);
	CHECK_EQ(usip_of(7), 0);
	hart1_call(h1_usip, 7, 500 * TICKS_PER_MS, &r);
	CHECK_EQ(r, 0);
}

/* R-VIPI-1 end to end: hart 1 runs a vCPU (id 9) in a guest; hart 0, the
 * hypervisor's other thread, rings it; hart 1's guest exits to HU. */
static volatile int guest_ready;

static uint64_t g_wait_kick(uint64_t unused)
{
	(void)unused;
	guest_ready = 1;
	for (long i = 0; i < 200000000; i++)
		__asm__ volatile("" ::: "memory");
	return 0; /* never kicked */
}

static uint64_t hu_vcpu(uint64_t unused)
{
	(void)unused;
	this_hart()->hu_irq_exits = 1;
	return hu_run_guest(MODE_VS, g_wait_kick, 0); /* ~0 on a U interrupt */
}

static uint64_t h1_vcpu(uint64_t unused)
{
	(void)unused;
	struct hart *h = this_hart();
	dv_setup();
	csr_write(CSR_HDVVCPUID, 9);
	csr_write(CSR_HUIDELEG, 1);
	csr_write(CSR_HUIE, 1);
	h->nrec = 0;
	uint64_t r = hs_run(MODE_U, hu_vcpu, 0);
	if (r != ~0UL || h->nrec != 1)
		return 0x100 + h->nrec;
	if (h->rec[0].level != LVL_HU || h->rec[0].cause != (CAUSE_IRQ | IRQ_U_SOFT))
		return 0x200;
	if ((h->rec[0].status & (HUSTATUS_UPV | HUSTATUS_UPVP)) != (HUSTATUS_UPV | HUSTATUS_UPVP))
		return 0x300;
	if (csr_read(CSR_HUIP) & 1)
		return 0x400; /* the handler's huip write cleared it */
	return 1;
}

TEST(vipi_kicks_vcpu_on_other_hart, "R-VIPI-1 R-IRQ-2", T_DV)
{
	dv_setup(); /* builds the shared stage 2 hart 1 uses */
	csr_write(CSR_HDVWIN, (9UL << 16) | 9);
	guest_ready = 0;
	static uint64_t result;
	/* Hart 1 runs asynchronously: post, then ring once its guest runs. */
	hart1_post(h1_vcpu, 0);
	uint64_t t0 = rdtime();
	while (!guest_ready && rdtime() - t0 < 1000 * TICKS_PER_MS)
		;
	CHECK(guest_ready);
	ring(9);
	result = 0;
	hart1_wait(1500 * TICKS_PER_MS, &result);
	CHECK_EQ(result, 1);
}
