/*
 * The test guests' shared constants: where guest RAM sits, the ecall
 * protocol between a guest and its hypervisor, and the fault addresses the
 * exit tests use. Included by guest.S and by C.
 *
 * Ecall protocol (SBI-like): a7 = function, a0..a5 arguments; the
 * hypervisor answers in a0/a1, advances uepc past the ecall and re-enters.
 */
#ifndef DRIVER_GUEST_H
#define DRIVER_GUEST_H

/* Guest RAM at the usual RISC-V DRAM base; the blob is copied to its start. */
#define GUEST_RAM_GPA 0x80000000

/* a7 of a guest ecall. */
#define GFN_DONE  0 /* the routine finished */
#define GFN_CHECK 1 /* "look at my registers" */
#define GFN_TICK  2 /* one iteration of a loop */
#define GFN_TRAP  3 /* the guest took a trap in VS: a0 scause, a1 sepc, a2 stval */

/* Unmapped GPAs the fault routine touches (outside the RAM mapping, in an
 * L1 slot of their own). The test maps them when the guest faults. */
#define GUEST_FAULT_LOAD_GPA  0x80400000
#define GUEST_FAULT_STORE_GPA 0x80401000
#define GUEST_STORE_VALUE     0x5107ed5107ed

/* g_time's SBI-style call (a7 = extension, a6 = function), in the SBI
 * experimental extension space so that KVM forwards it to user space whole
 * (KVM_EXIT_RISCV_SBI). GSBI_FID_TIME: a0 = the guest's time CSR;
 * GSBI_FID_TRAP: the guest took a trap, a0 scause, a1 sepc, a2 stval. */
#define GSBI_EXT_DV_TEST 0x08004456
#define GSBI_FID_TIME	 0x54
#define GSBI_FID_TRAP	 0xdead

/* Value the attack routine stores to its target. */
#define GUEST_ATTACK_VALUE 0x0bad0bad

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Labels in guest.S. The blob is data in this binary; it only ever runs
 * as a copy in guest RAM, at GUEST_RAM_GPA + (label - guest_start). */
extern const char guest_start[], guest_end[];
extern const char g_regs[], g_regs_2[], g_fault[], g_fault_load[], g_fault_store[], g_virt[],
    g_virt_wfi[], g_virt_csr[], g_virt_hs[], g_virt_huret[], g_count[], g_spin[], g_loop[],
    g_touch[], g_peek[], g_read[], g_illegal[], g_trap[], g_time[];

#define GPA_OF(label) ((uint64_t)GUEST_RAM_GPA + (uint64_t)((label)-guest_start))
#endif

#endif
