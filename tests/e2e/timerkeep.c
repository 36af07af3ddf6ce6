// SPDX-License-Identifier: GPL-2.0-only
/*
 * An SBI set_timer deadline is still the guest's stimecmp when the call
 * returns, however the host schedules the vCPU thread in between.
 *
 * With Sstc the hypervisor answers set_timer by writing the guest's
 * vstimecmp (duvisor on dvext from its vCPU thread, KVM in its kernel),
 * and the host kernel saves and restores that register with the vCPU. Linux
 * 6.1's KVM restored a copy it refreshed only at the next guest exit, so a
 * vCPU thread scheduled out right after the call lost the new deadline
 * (platform/linux/patches/0010); a guest waiting for it then slept for
 * good. This guest makes ROUNDS calls with deadlines far ahead (never
 * reached; its timer interrupt stays disabled anyway), reads stimecmp back
 * after each and prints "TIMERKEEP <rounds> <mismatches> <first bad round>
 * <stimecmp read then> <deadline set then>" (hex). The host runs several
 * copies on two harts, so that their threads are switched often.
 */
#include <stdint.h>

#define VIRTIO	   0x10001000UL /* unused here; vguest.h wants one */
#define RESULT_TAG "TIMERKEEP"
#include "vguest.h"

#define ROUNDS	  20000
#define SBI_TIME  0x54494d45
#define CSR_STIME "0x14d" /* stimecmp (Sstc): the guest's vstimecmp */

static long sbi_set_timer(uint64_t deadline)
{
	register long a0 __asm__("a0") = (long)deadline;
	register long a1 __asm__("a1") = 0;
	register long a6 __asm__("a6") = 0;
	register long a7 __asm__("a7") = SBI_TIME;

	__asm__ __volatile__("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
	return a0;
}

int main(void)
{
	uint64_t bad = 0, first = ~0UL, got_then = 0, want_then = 0;

	for (uint64_t r = 0; r < ROUNDS; r++) {
		/* 100 ms ahead, and different every round */
		uint64_t deadline = now() + TIMEBASE / 10 + r, got;

		sbi_set_timer(deadline);
		__asm__ __volatile__("csrr %0, " CSR_STIME : "=r"(got));
		if (got != deadline) {
			if (!bad) {
				first = r;
				got_then = got;
				want_then = deadline;
			}
			bad++;
		}
	}
	sbi_set_timer(~0UL);
	puts("\nTIMERKEEP ");
	puthex(ROUNDS);
	putc(' ');
	puthex(bad);
	putc(' ');
	puthex(first);
	putc(' ');
	puthex(got_then);
	putc(' ');
	puthex(want_then);
	putc('\n');
	return 0;
}
