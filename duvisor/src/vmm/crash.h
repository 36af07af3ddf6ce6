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

#include <stdint.h>

void dv_crash_install(void);

/*
 * An expected fault: when SIGSEGV or SIGBUS hits the instruction at pc (a
 * load from guest memory the guest may unmap under us), the handler sets
 * register x<flag_reg> to 1 and resumes after the instruction, like the
 * kernel's exception fixups. Call before any thread may take such a fault.
 */
int dv_crash_add_fixup(uintptr_t pc, unsigned int flag_reg);
/* Give the calling thread an alternate signal stack (vCPU threads: guest sp). */
int dv_crash_thread_init(void);

#endif /* DV_CRASH_H */
