/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host terminal as the guest's console: output from the UART and the
 * SBI console, input collected by the I/O thread. Input is raw; the escape
 * sequence Ctrl-] x ends duvisor (Ctrl-] Ctrl-] sends a Ctrl-]).
 */
#ifndef DV_CONSOLE_H
#define DV_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DV_CONSOLE_ESCAPE 0x1d /* Ctrl-]: Ctrl-A is QEMU's own escape */

int dv_console_init(void); /* raw mode when stdin is a terminal */
void dv_console_restore(void);
/* To standard output; what it does not take is dropped and counted */
void dv_console_write(const void *buf, size_t len);
unsigned long long dv_console_lost_bytes(void);
/* On standard error, if any output was lost: how much, and why */
void dv_console_report(void);
/* Queue input for the guest; returns false when the escape to quit was seen. */
bool dv_console_input(const uint8_t *buf, size_t len);
int dv_console_getc(void); /* next input byte, or -1 */
size_t dv_console_pending(void);
/* Copy up to len queued bytes without taking them; then consume what was used. */
size_t dv_console_peek(uint8_t *buf, size_t len);
void dv_console_consume(size_t len);

/*
 * Live upgrade: the terminal's settings from before duvisor made it raw
 * (into buf: their length, 0 if it did not), and in the new image, the
 * settings to restore at exit instead of the (raw) ones it finds.
 */
size_t dv_console_saved(void *buf, size_t len);
void dv_console_take_saved(const void *buf, size_t len);

#endif /* DV_CONSOLE_H */
