// SPDX-License-Identifier: GPL-2.0-only
/*
 * Injected hypervisor bugs (faults.h): built into duvisor-faults only.
 * Each misbehaviour is what the bug class does to a process, made
 * deterministic: a stack pointer overrun, a return address overwritten, an
 * undefined instruction, a loop that never ends, a freed object used.
 */
#ifdef DV_FAULTS
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmm/faults.h"

static const char *const dv_fault_names[] = {
    [DV_FAULT_MEM] = "mem",
    [DV_FAULT_IRQ] = "irq",
    [DV_FAULT_ISA] = "isa",
    [DV_FAULT_EXIT] = "exit",
    [DV_FAULT_PV] = "pv",
    [DV_FAULT_DEV] = "dev",
    [DV_FAULT_SYS_EXECVE] = "sys-execve",
    [DV_FAULT_SYS_OPEN] = "sys-open",
    [DV_FAULT_SYS_SOCKET] = "sys-socket",
    [DV_FAULT_SYS_PTRACE] = "sys-ptrace",
};

static enum dv_fault_class armed;
static unsigned long armed_n;
static atomic_ulong seen;

int dv_faults_init(void)
{
	const char *s = getenv("DUVISOR_FAULT");
	char *end;

	if (!s || !*s)
		return 0;
	for (unsigned int c = DV_FAULT_MEM; c < DV_FAULT_NR; c++) {
		size_t n = strlen(dv_fault_names[c]);

		if (strncmp(s, dv_fault_names[c], n) || s[n] != ':')
			continue;
		errno = 0;
		armed_n = strtoul(s + n + 1, &end, 10);
		if (errno || *end || !armed_n)
			break;
		armed = c;
		fprintf(stderr, "duvisor: fault build: %s armed for event %lu\n", dv_fault_names[c],
			armed_n);
		return 0;
	}
	fprintf(stderr,
		"duvisor: DUVISOR_FAULT=%s: want CLASS:N, CLASS one of mem irq isa exit pv "
		"dev sys-execve sys-open sys-socket sys-ptrace, N > 0\n",
		s);
	return -EINVAL;
}

bool dv_fault_hit(enum dv_fault_class c)
{
	if (c != armed)
		return false;
	if (atomic_fetch_add(&seen, 1) + 1 != armed_n)
		return false;
	fprintf(stderr, "duvisor: fault build: %s fault now (event %lu)\n", dv_fault_names[c],
		armed_n);
	return true;
}

/* The stack pointer runs off its stack (into unmapped memory) and is used */
__attribute__((noinline)) void dv_fault_smash_stack(void)
{
	__asm__ __volatile__("li sp, 0x1000\n\t"
			     "sd zero, 0(sp)" ::
				 : "memory");
	__builtin_unreachable();
}

/* This function's saved return address is overwritten, then it returns */
__attribute__((noinline)) void dv_fault_smash_return(void)
{
	volatile uint64_t frame[4];
	volatile uint64_t *p = frame;

	/* a linear overrun of the local array, up the stack over the saved ra */
	for (int i = 0; i < 64; i++)
		p[i] = 0xdead0000dead0000ULL;
}

__attribute__((noinline)) void dv_fault_illegal(void)
{
	__asm__ __volatile__(".word 0"); /* all zeros: an illegal instruction */
	__builtin_unreachable();
}

__attribute__((noinline)) void dv_fault_hang(void)
{
	for (;;)
		__asm__ __volatile__("" ::: "memory");
}

void dv_fault_free(void **obj)
{
	free(*obj);
	/* the freed memory reused: the pointer now reads back another object's bytes */
	*obj = (void *)(uintptr_t)0xdead000000000100ULL;
}

/* What code that took a vCPU thread over would try first */
void dv_fault_exit_escape(void)
{
	static char *const argv[] = {"/bin/sh", "-c", "echo ESCAPED", NULL};
	long r = 0;

	if (armed < DV_FAULT_SYS_EXECVE || !dv_fault_hit(armed))
		return;
	switch (armed) {
	case DV_FAULT_SYS_EXECVE:
		r = syscall(SYS_execve, argv[0], argv, argv + 3);
		break;
	case DV_FAULT_SYS_OPEN:
		r = syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
		break;
	case DV_FAULT_SYS_SOCKET:
		r = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
		break;
	case DV_FAULT_SYS_PTRACE:
		r = syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0); /* harmless if it goes through */
		break;
	default:
		break;
	}
	fprintf(stderr, "duvisor: fault build: the system call returned %ld: not confined\n", r);
}

bool dv_fault_uart_byte(unsigned char c)
{
	static const char marker[] = DV_FAULT_UART_MARKER;
	static size_t matched;

	if (armed != DV_FAULT_DEV)
		return false;
	matched = c == (unsigned char)marker[matched] ? matched + 1 : c == (unsigned char)marker[0];
	if (matched < sizeof(marker) - 1)
		return false;
	matched = 0;
	return dv_fault_hit(DV_FAULT_DEV);
}
#endif /* DV_FAULTS */
