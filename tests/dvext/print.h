/* Console output on the virt machine's ns16550 UART (0x10000000). Usable
 * from every mode: all modes see physical memory (Bare translation, PMP
 * open; the guest's stage 2 maps the UART at GPA = HPA). */
#ifndef DVEXT_PRINT_H
#define DVEXT_PRINT_H

#include <stdarg.h>

void putc_raw(char c);
void puts_raw(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);

#endif
