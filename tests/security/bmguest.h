/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The security suite's bare-metal guests (storm.c, idle.c): SBI calls, the
 * console, the time. They start at gcrt0.S with their stack below the
 * image (the first 2 MiB of RAM hold nothing else), so that they run in
 * duvisor's smallest VM (16 MiB).
 */
#ifndef BMGUEST_H
#define BMGUEST_H

#include <stdint.h>

#define TIMEBASE       10000000UL /* Hz: the host's, QEMU virt's 10 MHz */
#define SBI_EXT_BASE   0x10
#define SBI_EXT_TIME   0x54494d45
#define SBI_LEGACY_PUT 1
#define UART_RBR       0x10000000UL /* the ns16550a: receive buffer */
#define UART_LSR       0x10000005UL /* line status; bit 0: a byte is there */

struct sbiret {
	long error, value;
};

static inline struct sbiret sbi_call(long ext, long fid, long arg0)
{
	register long a0 __asm__("a0") = arg0;
	register long a1 __asm__("a1") = 0;
	register long a6 __asm__("a6") = fid;
	register long a7 __asm__("a7") = ext;

	__asm__ __volatile__("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
	return (struct sbiret){a0, a1};
}

/* SBI v0.1 console: duvisor answers it on both backends */
static inline void putc(char c)
{
	sbi_call(SBI_LEGACY_PUT, 0, c);
}

/*
 * A byte from duvisor's standard input, or -1. duvisor moves its input
 * into the UART's receive FIFO as the guest takes it, so it is read there
 * (SBI getchar finds nothing once the UART holds it).
 */
static inline int getc(void)
{
	if (!(*(volatile uint8_t *)UART_LSR & 1))
		return -1;
	return *(volatile uint8_t *)UART_RBR;
}

static inline void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static inline void putdec(uint64_t v)
{
	char b[24];
	int n = 0;

	do
		b[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		putc(b[--n]);
}

static inline uint64_t now(void)
{
	uint64_t t;

	__asm__ __volatile__("rdtime %0" : "=r"(t));
	return t;
}

#endif /* BMGUEST_H */
