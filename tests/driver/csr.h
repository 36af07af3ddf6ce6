/*
 * DV-Ext CSR numbers and access from user mode: the one definition in
 * duvisor's dvext backend (docs/dv-ext.md §3), plus the exception causes
 * this suite's exits carry.
 */
#ifndef DRIVER_CSR_H
#define DRIVER_CSR_H

#include "../../duvisor/src/backend/dvext/csr.h"

/* ucause bit 63: an interrupt; its code is the U interrupt (0 vIPI, 4 vtimer). */
#define CAUSE_INTERRUPT (1UL << 63)

/* Exception causes (ucause) of the exits a test sees. */
#define CAUSE_FETCH_ACCESS 1
#define CAUSE_LOAD_ACCESS  5
#define CAUSE_STORE_ACCESS 7
#define CAUSE_VS_ECALL	   10
#define CAUSE_FETCH_GPF	   20
#define CAUSE_LOAD_GPF	   21
#define CAUSE_VIRTUAL_INSN 22
#define CAUSE_STORE_GPF	   23

#endif
