/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DV-Ext registers (docs/dv-ext.md §3) and the instructions that go with
 * them: the one definition that duvisor's dvext backend, the driver suite
 * (tests/driver) and the bare-metal conformance suite (tests/dvext) all
 * include. Plain macros, no headers: it serves hosted C, freestanding C and
 * assembly alike.
 *
 * The assembler knows none of these registers by name, so every access uses
 * the numeric form (csrr rd, 0x843). In HU mode (a registered vCPU thread:
 * U-mode, V = 0, hdvctl.EN = 1) the HU registers and the U trap CSRs are
 * legal; in plain U mode every one of them is an illegal instruction, and
 * the HS-only ones are illegal even in HU mode.
 */
#ifndef DV_DVEXT_CSR_H
#define DV_DVEXT_CSR_H

/* HS-only (the custom hypervisor range 0x6c0-0x6df, §3.1) */
#define CSR_HDVCTL    0x6c0
#define CSR_HUDELEG   0x6c1
#define CSR_HUIDELEG  0x6c2
#define CSR_HDVVCPUID 0x6c3
#define CSR_HDVWIN    0x6c4
#define CSR_HPMCBASE0 0x6d0
#define CSR_HPMCSIZE0 0x6d8

/* HU registers (§3.2) */
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
#define CSR_HUVIPI	0x8c2 /* write an id: ring that doorbell */

/* U trap CSRs (the withdrawn N extension's numbers) */
#define CSR_UTVEC    0x005
#define CSR_USCRATCH 0x040
#define CSR_UEPC     0x041
#define CSR_UCAUSE   0x042
#define CSR_UTVAL    0x043

/* The guest's VS CSRs as the HU hypervisor sees them (0x400 | vs & 0xff) */
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

/* hustatus */
#define HUSTATUS_UIE  (1UL << 0)
#define HUSTATUS_UPIE (1UL << 4)
#define HUSTATUS_GVA  (1UL << 6)
#define HUSTATUS_UPV  (1UL << 7) /* HURET enters the guest */
#define HUSTATUS_UPVP (1UL << 8) /* ... at VS (1) or VU (0) */
#define HUSTATUS_VTVM (1UL << 20)
#define HUSTATUS_VTW  (1UL << 21) /* guest WFI is a virtual-instruction exit */
#define HUSTATUS_VTSR (1UL << 22)
#define HUSTATUS_MASK 0x7001d1UL /* every writable bit */

/* huie / huip: USIE/USIP (the vIPI doorbell) and UTIE/UTIP (the vtimer) */
#define HUIE_USIE (1UL << 0)
#define HUIP_USIP (1UL << 0)
#define HUIP_UTIP (1UL << 4)

/* huvip: the guest's pending interrupts, at hvip's positions */
#define HVIP_VSSIP (1UL << 2)
#define HVIP_VSEIP (1UL << 10)

/* huenvcfg.STCE: the guest may use vstimecmp (Sstc) */
#define HUENVCFG_STCE (1UL << 63)

/* hugatp: MODE in bits 63:60 (8 = Sv39x4), root PPN in bits 43:0 */
#define HUGATP_SV39X4 (8UL << 60)

/* hudeleg: every exception HU mode may take (the guest's ecall, its page faults) */
#define HUDELEG_ALL ((1UL << 10) | (1UL << 20) | (1UL << 21) | (1UL << 22) | (1UL << 23))

/* huvsstatus has sstatus's fields; huvsie S-level positions */
#define SSTATUS_SIE    (1UL << 1)
#define SSTATUS_SPIE   (1UL << 5)
#define SSTATUS_SPP    (1UL << 8)
#define SSTATUS_VS     (3UL << 9)
#define SSTATUS_FS     (3UL << 13)
#define SSTATUS_XS     (3UL << 15)
#define SSTATUS_SUM    (1UL << 18)
#define SSTATUS_MXR    (1UL << 19)
#define SSTATUS_UXL    (3UL << 32) /* read-only: 2 (RV64) */
#define SSTATUS_UXL_64 (2UL << 32)
#define SSTATUS_SD     (1UL << 63) /* read-only summary of FS */
#define VSIE_SSIE      (1UL << 1)
#define VSIE_SEIE      (1UL << 9)

/* Instruction words with no assembler mnemonic (opcode SYSTEM) */
#define INSN_HURET	  0x00200073 /* the old URET encoding */
#define INSN_HUFENCE_GVMA 0xe2000073 /* funct7 1110001, rs1 = rs2 = x0: all */
#define INSN_HUFENCE_VVMA 0xa2000073 /* funct7 1010001, rs1 = rs2 = x0: all */

#ifndef __ASSEMBLER__
/* Two levels, so that CSR_HUSTATUS expands to its number before it is pasted */
#define __dv_str(x) #x
#define dv_str(x)   __dv_str(x)

#define csr_read(csr)                                                                              \
	({                                                                                         \
		unsigned long __v;                                                                 \
		__asm__ __volatile__("csrr %0, " dv_str(csr) : "=r"(__v)::"memory");               \
		__v;                                                                               \
	})
#define csr_write(csr, val)                                                                        \
	__asm__ __volatile__("csrw " dv_str(csr) ", %0" ::"rK"((unsigned long)(val)) : "memory")
#define csr_set(csr, val)                                                                          \
	__asm__ __volatile__("csrs " dv_str(csr) ", %0" ::"rK"((unsigned long)(val)) : "memory")
#define csr_clear(csr, val)                                                                        \
	__asm__ __volatile__("csrc " dv_str(csr) ", %0" ::"rK"((unsigned long)(val)) : "memory")
#define csr_swap(csr, val)                                                                         \
	({                                                                                         \
		unsigned long __v;                                                                 \
		__asm__ __volatile__("csrrw %0, " dv_str(csr) ", %1"                               \
				     : "=r"(__v)                                                   \
				     : "rK"((unsigned long)(val))                                  \
				     : "memory");                                                  \
		__v;                                                                               \
	})

/* HUFENCE.GVMA: rs1 = GPA >> 2 (x0: all), rs2 = 0; HUFENCE.VVMA: rs1 = GVA, rs2 = ASID */
#define hufence_gvma(gpa_shr2)                                                                     \
	__asm__ __volatile__(".insn r 0x73, 0, 0x71, x0, %0, x0" ::"r"(gpa_shr2) : "memory")
#define hufence_gvma_all() __asm__ __volatile__(".insn r 0x73, 0, 0x71, x0, x0, x0" ::: "memory")
#define hufence_vvma_all() __asm__ __volatile__(".insn r 0x73, 0, 0x51, x0, x0, x0" ::: "memory")
#define huret()		   __asm__ __volatile__(".word " dv_str(INSN_HURET)::: "memory")
#endif /* !__ASSEMBLER__ */

#endif /* DV_DVEXT_CSR_H */
