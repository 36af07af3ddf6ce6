/* CSR numbers and access helpers: the DV-Ext ones and the accessors come from
 * duvisor's dvext backend (the one definition), the standard ones the suite
 * needs by number are here. */
#ifndef DVEXT_CSR_H
#define DVEXT_CSR_H

#include <stdint.h>

#include "../../duvisor/src/backend/dvext/csr.h"

/* Standard CSRs by number (so one macro set serves both). */
#define CSR_SSTATUS    0x100
#define CSR_SIE	       0x104
#define CSR_STVEC      0x105
#define CSR_SCOUNTEREN 0x106
#define CSR_SSCRATCH   0x140
#define CSR_SEPC       0x141
#define CSR_SCAUSE     0x142
#define CSR_STVAL      0x143
#define CSR_SIP	       0x144
#define CSR_STIMECMP   0x14d
#define CSR_SATP       0x180
#define CSR_VSSTATUS   0x200
#define CSR_VSIE       0x204
#define CSR_VSTVEC     0x205
#define CSR_VSSCRATCH  0x240
#define CSR_VSEPC      0x241
#define CSR_VSCAUSE    0x242
#define CSR_VSTVAL     0x243
#define CSR_VSIP       0x244
#define CSR_VSTIMECMP  0x24d
#define CSR_VSATP      0x280
#define CSR_HSTATUS    0x600
#define CSR_HEDELEG    0x602
#define CSR_HIDELEG    0x603
#define CSR_HIE	       0x604
#define CSR_HTIMEDELTA 0x605
#define CSR_HCOUNTEREN 0x606
#define CSR_HENVCFG    0x60a
#define CSR_HTVAL      0x643
#define CSR_HIP	       0x644
#define CSR_HVIP       0x645
#define CSR_HTINST     0x64a
#define CSR_HGATP      0x680
#define CSR_TIME       0xc01
#define CSR_MSTATUS    0x300
#define CSR_MEDELEG    0x302
#define CSR_MIDELEG    0x303
#define CSR_MIE	       0x304
#define CSR_MTVEC      0x305
#define CSR_MCOUNTEREN 0x306
#define CSR_MENVCFG    0x30a
#define CSR_MSCRATCH   0x340
#define CSR_MEPC       0x341
#define CSR_MCAUSE     0x342
#define CSR_MTVAL      0x343
#define CSR_MIP	       0x344
#define CSR_MTINST     0x34a
#define CSR_MTVAL2     0x34b
#define CSR_PMPCFG0    0x3a0
#define CSR_PMPADDR0   0x3b0
#define CSR_MHARTID    0xf14

/* Field bits. */
#define MSTATUS_UIE  (1UL << 0) /* N extension, gone: must never stick */
#define MSTATUS_MIE  (1UL << 3)
#define MSTATUS_UPIE (1UL << 4)
#define MSTATUS_MPIE (1UL << 7)
#define MSTATUS_MPP  (3UL << 11)
#define MSTATUS_MPRV (1UL << 17)
#define MSTATUS_TVM  (1UL << 20)
#define MSTATUS_TW   (1UL << 21)
#define MSTATUS_TSR  (1UL << 22)
#define MSTATUS_SXL  (3UL << 34)
#define MSTATUS_GVA  (1UL << 38)
#define MSTATUS_MPV  (1UL << 39)
#define HSTATUS_GVA  (1UL << 6)
#define HSTATUS_SPV  (1UL << 7)
#define HSTATUS_SPVP (1UL << 8)
#define HSTATUS_HU   (1UL << 9)
#define HSTATUS_VTVM (1UL << 20)
#define HSTATUS_VTW  (1UL << 21)
#define HSTATUS_VTSR (1UL << 22)

#define IRQ_U_SOFT   0
#define IRQ_S_SOFT   1
#define IRQ_VS_SOFT  2
#define IRQ_U_TIMER  4
#define IRQ_S_TIMER  5
#define IRQ_VS_TIMER 6
#define IRQ_M_TIMER  7
#define IRQ_S_EXT    9
#define IRQ_VS_EXT   10
#define CAUSE_IRQ    (1UL << 63)

#define EXC_INSN_ACCESS	 1
#define EXC_ILLEGAL	 2
#define EXC_LOAD_ACCESS	 5
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U	 8
#define EXC_ECALL_S	 9
#define EXC_ECALL_VS	 10
#define EXC_INSN_PF	 12
#define EXC_LOAD_PF	 13
#define EXC_STORE_PF	 15
#define EXC_INSN_GPF	 20
#define EXC_LOAD_GPF	 21
#define EXC_VIRT_INSN	 22
#define EXC_STORE_GPF	 23

#define MENVCFG_STCE (1UL << 63)

/* GCC 12 cannot name the H extension in -march and emits its own ISA
 * attribute, so H instructions are enabled locally. */
#define H_INSN(s) ".option push\n.option arch, +h\n" s "\n.option pop"

static inline void hfence_gvma_all(void)
{
	__asm__ volatile(H_INSN("hfence.gvma zero, zero")::: "memory");
}
static inline void hfence_vvma_all(void)
{
	__asm__ volatile(H_INSN("hfence.vvma zero, zero")::: "memory");
}
static inline void sfence_vma_all(void)
{
	__asm__ volatile("sfence.vma" ::: "memory");
}

/* Hypervisor virtual-machine loads and stores (standard encodings). A
 * faulting access is skipped by the trap handler, so the result register
 * keeps the value it had: preset it to a poison value. */
static inline uint64_t hlv_d(uint64_t gva)
{
	uint64_t v = 0xdeadbeefdeadbeefUL;
	__asm__ volatile(H_INSN("hlv.d %0, (%1)") : "+r"(v) : "r"(gva) : "memory");
	return v;
}
static inline uint64_t hlvx_hu(uint64_t gva)
{
	uint64_t v = 0xdeadbeefdeadbeefUL;
	__asm__ volatile(H_INSN("hlvx.hu %0, (%1)") : "+r"(v) : "r"(gva) : "memory");
	return v;
}
static inline void hsv_d(uint64_t gva, uint64_t v)
{
	__asm__ volatile(H_INSN("hsv.d %0, (%1)")::"r"(v), "r"(gva) : "memory");
}

static inline uint64_t rdtime(void)
{
	return csr_read(CSR_TIME);
}

#endif
