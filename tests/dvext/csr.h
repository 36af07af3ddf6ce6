/* CSR numbers and access helpers. DV-Ext CSRs have no assembler names, so
 * every access goes through the numeric form (csrr rd, 0x6c0). */
#ifndef DVEXT_CSR_H
#define DVEXT_CSR_H

#include <stdint.h>

/* DV-Ext, HS-only (docs/dv-ext.md §3.1). */
#define CSR_HDVCTL    0x6c0
#define CSR_HUDELEG   0x6c1
#define CSR_HUIDELEG  0x6c2
#define CSR_HDVVCPUID 0x6c3
#define CSR_HDVWIN    0x6c4
#define CSR_HPMCBASE0 0x6d0
#define CSR_HPMCSIZE0 0x6d8

/* DV-Ext, HU (§3.2). */
#define CSR_HUSTATUS	0x800
#define CSR_HUIE	0x804
#define CSR_HUTIMEDELTA 0x805
#define CSR_HUCOUNTEREN 0x806
#define CSR_HUENVCFG	0x80a
#define CSR_HUTVAL	0x843
#define CSR_HUIP	0x844
#define CSR_HUVIP	0x845
#define CSR_HUTINST	0x84a
#define CSR_HUGATP	0x880
#define CSR_HUVTIMECMP	0x8c0
#define CSR_HUVTIMECTL	0x8c1
#define CSR_HUVIPI	0x8c2
#define CSR_UTVEC	0x005
#define CSR_USCRATCH	0x040
#define CSR_UEPC	0x041
#define CSR_UCAUSE	0x042
#define CSR_UTVAL	0x043
#define CSR_HUVSSTATUS	0x400
#define CSR_HUVSIE	0x404
#define CSR_HUVSTVEC	0x405
#define CSR_HUVSSCRATCH 0x440
#define CSR_HUVSEPC	0x441
#define CSR_HUVSCAUSE	0x442
#define CSR_HUVSTVAL	0x443
#define CSR_HUVSIP	0x444
#define CSR_HUVSTIMECMP 0x44d
#define CSR_HUVSATP	0x480

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
#define SSTATUS_SIE  (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP  (1UL << 8)
#define SSTATUS_VS   (3UL << 9)
#define SSTATUS_FS   (3UL << 13)
#define SSTATUS_XS   (3UL << 15)
#define SSTATUS_SUM  (1UL << 18)
#define SSTATUS_MXR  (1UL << 19)
#define SSTATUS_UXL  (3UL << 32)
#define SSTATUS_SD   (1UL << 63)
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

#define HUSTATUS_UIE  (1UL << 0)
#define HUSTATUS_UPIE (1UL << 4)
#define HUSTATUS_GVA  (1UL << 6)
#define HUSTATUS_UPV  (1UL << 7)
#define HUSTATUS_UPVP (1UL << 8)
#define HUSTATUS_VTVM (1UL << 20)
#define HUSTATUS_VTW  (1UL << 21)
#define HUSTATUS_VTSR (1UL << 22)
#define HUSTATUS_MASK 0x7001d1UL

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

#define HUDELEG_ALL  ((1UL << 10) | (1UL << 20) | (1UL << 21) | (1UL << 22) | (1UL << 23))
#define MENVCFG_STCE (1UL << 63)

#define __csr_str(x) #x
#define csr_str(x)   __csr_str(x)

#define csr_read(csr)                                                                              \
	({                                                                                         \
		uint64_t __v;                                                                      \
		__asm__ volatile("csrr %0, " csr_str(csr) : "=r"(__v)::"memory");                  \
		__v;                                                                               \
	})
#define csr_write(csr, val)                                                                        \
	__asm__ volatile("csrw " csr_str(csr) ", %0" ::"rK"((uint64_t)(val)) : "memory")
#define csr_set(csr, val)                                                                          \
	__asm__ volatile("csrs " csr_str(csr) ", %0" ::"rK"((uint64_t)(val)) : "memory")
#define csr_clear(csr, val)                                                                        \
	__asm__ volatile("csrc " csr_str(csr) ", %0" ::"rK"((uint64_t)(val)) : "memory")
#define csr_swap(csr, val)                                                                         \
	({                                                                                         \
		uint64_t __v;                                                                      \
		__asm__ volatile("csrrw %0, " csr_str(csr) ", %1"                                  \
				 : "=r"(__v)                                                       \
				 : "rK"((uint64_t)(val))                                           \
				 : "memory");                                                      \
		__v;                                                                               \
	})

/* GCC 12 cannot name the H extension in -march and emits its own ISA
 * attribute, so H instructions are enabled locally. */
#define H_INSN(s) ".option push\n.option arch, +h\n" s "\n.option pop"

/* HURET: the old URET encoding (SYSTEM, funct12 = 0x002). */
#define HURET_INSN 0x00200073
static inline void huret(void)
{
	__asm__ volatile(".word 0x00200073" ::: "memory");
}

/* HUFENCE.GVMA: funct7 1110001, rs1 = GPA >> 2 (x0: all), rs2 = 0. */
static inline void hufence_gvma(uint64_t gpa_shr2)
{
	__asm__ volatile(".insn r 0x73, 0, 0x71, x0, %0, x0" ::"r"(gpa_shr2) : "memory");
}
static inline void hufence_gvma_all(void)
{
	__asm__ volatile(".insn r 0x73, 0, 0x71, x0, x0, x0" ::: "memory");
}
/* HUFENCE.VVMA: funct7 1010001, rs1 = GVA (x0: all), rs2 = ASID (x0: all). */
static inline void hufence_vvma_all(void)
{
	__asm__ volatile(".insn r 0x73, 0, 0x51, x0, x0, x0" ::: "memory");
}
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
