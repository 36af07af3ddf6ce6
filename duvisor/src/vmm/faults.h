/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Injected hypervisor bugs, for the security evaluation only (docs/security.md).
 *
 * The test build, duvisor-faults, is compiled with DV_FAULTS and arms one
 * fault from the environment: DUVISOR_FAULT=<class>:<n> makes the n-th event
 * of that class misbehave as a bug of the paper's six CVE classes would.
 * The shipped duvisor is compiled without DV_FAULTS: every call below is an
 * empty inline function, and the binary holds none of it (tests/security
 * checks its symbols and strings).
 */
#ifndef DV_VMM_FAULTS_H
#define DV_VMM_FAULTS_H

#include <stdbool.h>
#include <stddef.h>

enum dv_fault_class {
	DV_FAULT_NONE,
	DV_FAULT_MEM,  /* CVE-2017-12188: stack overrun in the stage-2 path (n-th mapping) */
	DV_FAULT_IRQ,  /* CVE-2018-16882: interrupt state used after free (n-th line raised) */
	DV_FAULT_ISA,  /* CVE-2016-8630: undefined instruction in the WFI path (n-th WFI) */
	DV_FAULT_EXIT, /* CVE-2020-8834: stack corrupted in exit handling (n-th exit) */
	DV_FAULT_PV,   /* CVE-2016-5412: infinite loop in SBI set_timer (n-th call) */
	DV_FAULT_DEV,  /* CVE-2019-6974: UART state used after free (the guest prints a marker) */
	/* A vCPU thread taken over tries to leave the sandbox (n-th exit) */
	DV_FAULT_SYS_EXECVE,
	DV_FAULT_SYS_OPEN,
	DV_FAULT_SYS_SOCKET,
	DV_FAULT_SYS_PTRACE,
	DV_FAULT_NR
};

/* The marker whose output through the UART trips DV_FAULT_DEV */
#define DV_FAULT_UART_MARKER "DV-FAULT-UART"

#ifdef DV_FAULTS
/* Parse DUVISOR_FAULT: 0, or -EINVAL with a message on stderr */
int dv_faults_init(void);
/* One event of class c: true when it is the armed n-th one */
bool dv_fault_hit(enum dv_fault_class c);
/* The misbehaviours: none of them returns normally */
void dv_fault_smash_stack(void);
void dv_fault_smash_return(void);
void dv_fault_illegal(void);
void dv_fault_hang(void);
/* free(*obj) and leave *obj pointing where a reused freed object's field would */
void dv_fault_free(void **obj);
/* The UART's output so far ends with the marker */
bool dv_fault_uart_byte(unsigned char c);
/* One exit of a vCPU thread: makes the armed escape's system call at the n-th */
void dv_fault_exit_escape(void);
#else
static inline int dv_faults_init(void)
{
	return 0;
}
static inline bool dv_fault_hit(enum dv_fault_class c)
{
	(void)c;
	return false;
}
static inline void dv_fault_smash_stack(void)
{
}
static inline void dv_fault_smash_return(void)
{
}
static inline void dv_fault_illegal(void)
{
}
static inline void dv_fault_hang(void)
{
}
static inline void dv_fault_free(void **obj)
{
	(void)obj;
}
static inline bool dv_fault_uart_byte(unsigned char c)
{
	(void)c;
	return false;
}
static inline void dv_fault_exit_escape(void)
{
}
#endif

#endif /* DV_VMM_FAULTS_H */
