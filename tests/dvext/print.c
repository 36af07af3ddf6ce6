/* A small printf: %s %c %d %u %x %p with l/ll, width and 0-padding. */
#include <stdint.h>
#include "print.h"

#define UART_BASE 0x10000000UL
#define UART_THR  0
#define UART_LSR  5
#define LSR_THRE  0x20

static volatile int print_lock;

void putc_raw(char c)
{
	volatile uint8_t *u = (volatile uint8_t *)UART_BASE;

	if (c == '\n')
		putc_raw('\r');
	while (!(u[UART_LSR] & LSR_THRE))
		;
	u[UART_THR] = (uint8_t)c;
}

void puts_raw(const char *s)
{
	while (*s)
		putc_raw(*s++);
}

static void put_num(uint64_t v, unsigned base, int width, char pad, int neg)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		buf[n++] = '-';
	while (n < width--)
		putc_raw(pad);
	while (n)
		putc_raw(buf[--n]);
}

int vprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			putc_raw(*fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, lng = 0;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			puts_raw(s ? s : "(null)");
			break;
		}
		case 'c':
			putc_raw((char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_num(v < 0 ? -(uint64_t)v : (uint64_t)v, 10, width, pad, v < 0);
			break;
		}
		case 'u':
			put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad,
				0);
			break;
		case 'x':
			put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad,
				0);
			break;
		case 'p':
			puts_raw("0x");
			put_num((uint64_t)va_arg(ap, void *), 16, width, pad, 0);
			break;
		case '%':
			putc_raw('%');
			break;
		default:
			putc_raw('%');
			putc_raw(*fmt);
			break;
		}
	}
	return 0;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	/* Serialise lines of the two harts; give up after a while so that a
	 * hart that died holding the lock cannot silence the other. */
	for (long spins = 0; __atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE); spins++)
		if (spins > 10000000)
			break;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
	return 0;
}
