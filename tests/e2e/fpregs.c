// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's floating-point state survives every kind of exit.
 *
 * duvisor's dvext backend leaves the guest's f0..f31 and fcsr in the hart
 * between exits (the vCPU thread never touches them; the host kernel saves
 * them with the thread). This guest fills all 32 registers and fcsr with a
 * pattern that changes every round, takes one exit of a kind that changes
 * round by round (an SBI call duvisor answers, an MMIO load, an MMIO store,
 * a WFI woken by its timer, an access to nothing that comes back as an
 * access fault, an SBI HSM call), and reads them all back. It prints
 * "FPREGS <rounds> <bad rounds> <timer irqs> <faults>" (hex) and shuts
 * down. The host runs several copies at once so that vCPU threads are also
 * switched out and in by the host kernel while their guests' state is live.
 */
#include <stdint.h>

#define VIRTIO	   0x10001000UL /* unused here; vguest.h wants one */
#define RESULT_TAG "FPREGS"
#include "vguest.h"

#define UART	   0x10000000UL
#define NOTHING	   0x00100000UL /* no device, no RAM: an access fault comes back */
#define ROUNDS	   1200
#define SIE_STIE   (1UL << 5)
#define SSTATUS_FS (3UL << 13)

static uint64_t want[33], got[33];
static volatile uint64_t timer_irqs, faults;

void trap(void);
__asm__(".balign 4\n"
	"trap:\n\t"
	"addi sp, sp, -32\n\t"
	"sd t0, 0(sp)\n\t"
	"sd t1, 8(sp)\n\t"
	"csrr t0, scause\n\t"
	"bltz t0, 1f\n\t"
	/* an access fault: skip the 4-byte load that took it */
	"csrr t1, sepc\n\t"
	"addi t1, t1, 4\n\t"
	"csrw sepc, t1\n\t"
	"la t1, faults\n\t"
	"ld t0, 0(t1)\n\t"
	"addi t0, t0, 1\n\t"
	"sd t0, 0(t1)\n\t"
	"j 2f\n"
	/* the timer: mask it (set_timer(-1) would be one more exit) */
	"1:\n\t"
	"li t0, 1 << 5\n\t"
	"csrc sie, t0\n\t"
	"la t1, timer_irqs\n\t"
	"ld t0, 0(t1)\n\t"
	"addi t0, t0, 1\n\t"
	"sd t0, 0(t1)\n"
	"2:\n\t"
	"ld t0, 0(sp)\n\t"
	"ld t1, 8(sp)\n\t"
	"addi sp, sp, 32\n\t"
	"sret\n");

static void load_fp(const uint64_t *v)
{
	__asm__ __volatile__(
#define L(n) "fld f" #n ", " #n "*8(%0)\n\t"
	    L(0) L(1) L(2) L(3) L(4) L(5) L(6) L(7) L(8) L(9) L(10) L(11) L(12) L(13) L(14) L(15)
		L(16) L(17) L(18) L(19) L(20) L(21) L(22) L(23) L(24) L(25) L(26) L(27) L(28) L(29)
		    L(30) L(31) "ld t0, 32*8(%0)\n\tfscsr t0\n"
#undef L
	    :
	    : "r"(v)
	    : "t0", "memory");
}

static void store_fp(uint64_t *v)
{
	__asm__ __volatile__(
#define S(n) "fsd f" #n ", " #n "*8(%0)\n\t"
	    S(0) S(1) S(2) S(3) S(4) S(5) S(6) S(7) S(8) S(9) S(10) S(11) S(12) S(13) S(14) S(15)
		S(16) S(17) S(18) S(19) S(20) S(21) S(22) S(23) S(24) S(25) S(26) S(27) S(28) S(29)
		    S(30) S(31) "frcsr t0\n\tsd t0, 32*8(%0)\n"
#undef S
	    :
	    : "r"(v)
	    : "t0", "memory");
}

static long sbi(long ext, long fid, long arg0)
{
	register long a0 __asm__("a0") = arg0;
	register long a1 __asm__("a1") = 0;
	register long a6 __asm__("a6") = fid;
	register long a7 __asm__("a7") = ext;

	__asm__ __volatile__("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
	return a0;
}

/* One exit of kind k; none of them touches an f register in the guest */
static void one_exit(unsigned int k)
{
	switch (k) {
	case 0: /* SBI BASE get_spec_version */
		sbi(0x10, 0, 0);
		break;
	case 1: /* MMIO load: the UART's LSR */
		(void)*(volatile uint8_t *)(UART + 5);
		break;
	case 2: /* MMIO store: the UART's scratch register */
		*(volatile uint8_t *)(UART + 7) = (uint8_t)k;
		break;
	case 3: { /* WFI until the timer: SBI set_timer, then sleep in duvisor or KVM */
		uint64_t before = timer_irqs;

		__asm__ __volatile__("csrs sie, %0" ::"r"(SIE_STIE));
		/*
		 * 20 us ahead: often passed by the time the vCPU waits in
		 * WFI, and the vCPU thread may be switched out right after
		 * the call (on kvm that lost the deadline for good before
		 * platform/linux/patches/0010; timerkeep.c tests it alone)
		 */
		sbi(0x54494d45, 0, (long)(now() + 200));
		while (timer_irqs == before)
			__asm__ __volatile__("wfi\n\tcsrsi sstatus, 2\n\tcsrci sstatus, 2" ::
						 : "memory");
		break;
	}
	case 4: /* an access to nothing: the guest gets an access fault (lw: 4 bytes) */
		__asm__ __volatile__("lw zero, 0(%0)" ::"r"(NOTHING) : "memory");
		break;
	default: /* SBI HSM hart_get_status(0) */
		sbi(0x48534d, 2, 0);
		break;
	}
}

int main(void)
{
	uint64_t bad = 0, r;
	unsigned int i;

	__asm__ __volatile__("csrw stvec, %0" ::"r"(trap));
	__asm__ __volatile__("csrs sstatus, %0" ::"r"(SSTATUS_FS));
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < 32; i++)
			want[i] = 0x9e3779b97f4a7c15ULL * (r * 33 + i + 1);
		want[32] = ((r % 5) << 5) | (r & 0x1f); /* frm 0..4, fflags */
		load_fp(want);
		one_exit(r % 6);
		store_fp(got);
		for (i = 0; i < 33; i++)
			if (got[i] != want[i])
				break;
		if (i < 33) {
			if (bad < 4) {
				puts("\nFPREGS-BAD round ");
				puthex(r);
				puts(" reg ");
				puthex(i);
				puts(" got ");
				puthex(got[i]);
				puts(" want ");
				puthex(want[i]);
				putc('\n');
			}
			bad++;
		}
	}
	puts("\nFPREGS ");
	puthex(ROUNDS);
	putc(' ');
	puthex(bad);
	putc(' ');
	puthex(timer_irqs);
	putc(' ');
	puthex(faults);
	putc('\n');
	return 0;
}
