/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A last word on a fatal signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT):
 * one line on stderr with the signal, the faulting address and the program
 * counter, so a crash is reported instead of a bare "Segmentation fault",
 * then the process ends with 128 + signal. The handler touches neither
 * TLS nor locks: on a vCPU thread it may run with the guest's tp.
 */
#ifndef DV_CRASH_H
#define DV_CRASH_H

void dv_crash_install(void);
/* Give the calling thread an alternate signal stack (vCPU threads: guest sp). */
int dv_crash_thread_init(void);

#endif /* DV_CRASH_H */
