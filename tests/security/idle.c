// SPDX-License-Identifier: GPL-2.0-only
/*
 * idle: the smallest guest that stays up, to fill every VM slot of the
 * DV-Ext driver (stress_cases.py, "many VMs"): it prints "IDLE up", then
 * sleeps in WFI, woken every 200 ms by its timer (SBI set_timer) to look
 * for a byte on its console (duvisor's standard input); a byte ends it:
 * "IDLE stop" and a shutdown (duvisor exits 0).
 */
#include "bmguest.h"

#define SIE_STIE (1UL << 5)

int main(void);

int main(void)
{
	/*
	 * With sstatus.SIE clear no trap is taken: a pending enabled timer
	 * interrupt only ends the WFI, and the next set_timer clears it.
	 */
	__asm__ __volatile__("csrs sie, %0" ::"r"(SIE_STIE));
	puts("IDLE up\n");
	for (;;) {
		sbi_call(SBI_EXT_TIME, 0, (long)(now() + TIMEBASE / 5));
		__asm__ __volatile__("wfi");
		if (getc() >= 0)
			break;
	}
	sbi_call(SBI_EXT_TIME, 0, -1);
	puts("IDLE stop\n");
	return 0;
}
