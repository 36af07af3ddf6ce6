// SPDX-License-Identifier: GPL-2.0-only
/*
 * storm: a guest that does nothing but make its hypervisor work, to run
 * beside a victim VM (stress_cases.py, "exit storm").
 *
 * Built twice:
 * - storm_mmio.img: loads of the UART's line status register, each one an
 *   MMIO exit that duvisor's UART model answers (on both backends);
 * - storm_sbi.img: SBI BASE get_spec_version calls, each one an exit with
 *   no effect (on dvext duvisor answers it straight from its exit stub; on
 *   kvm, KVM answers it in the host kernel).
 * It prints "STORM <kind> up", then every second "STORM <kind> <exits in
 * that second>"; a byte on its console (duvisor's standard input) ends it:
 * "STORM <kind> stop" and a shutdown (duvisor exits 0).
 */
#include "bmguest.h"

#ifdef STORM_SBI
#define KIND "sbi"
static inline void one_exit(void)
{
	sbi_call(SBI_EXT_BASE, 0, 0);
}
#else
#define KIND "mmio"
static inline void one_exit(void)
{
	(void)*(volatile uint8_t *)UART_LSR;
}
#endif

int main(void);

int main(void)
{
	uint64_t n = 0, next = now() + TIMEBASE;

	puts("STORM " KIND " up\n");
	for (;;) {
		for (int i = 0; i < 256; i++)
			one_exit();
		n += 256;
		if (now() < next)
			continue;
		puts("STORM " KIND " ");
		putdec(n);
		putc('\n');
		n = 0;
		next = now() + TIMEBASE;
		if (getc() >= 0)
			break;
	}
	puts("STORM " KIND " stop\n");
	return 0;
}
