/*
 * DV-Ext CSR numbers and access from user mode (docs/dv-ext.md §3).
 *
 * The assembler knows none of these registers by name, so every access
 * uses the numeric form (csrr rd, 0x843). In HU mode (a registered vCPU
 * thread: U-mode, V = 0, hdvctl.EN = 1) the HU registers and the U trap
 * CSRs are legal; in plain U mode every one of them is an illegal
 * instruction (R-GATE-3), and the HS-only ones are illegal even in HU mode
 * (R-GATE-5).
 */
#ifndef DRIVER_CSR_H
#define DRIVER_CSR_H

/* HS-only (custom hypervisor range 0x6C0-0x6DF). */
#define CSR_HDVCTL    0x6c0
#define CSR_HPMCBASE0 0x6d0

/* HU registers. */
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
#define CSR_HUVTIMECTL	0x8c1
#define CSR_HUVIPI	0x8c2 /* write an id: ring that doorbell */

/* huip / huie bits: USIP/USIE (vIPI doorbell) and UTIP/UTIE (vtimer). */
#define HUIP_USIP (1UL << 0)
#define HUIP_UTIP (1UL << 4)

/* U trap CSRs (the withdrawn N extension's numbers). */
#define CSR_UTVEC    0x005
#define CSR_USCRATCH 0x040
#define CSR_UEPC     0x041
#define CSR_UCAUSE   0x042
#define CSR_UTVAL    0x043

/* The guest's VS CSRs as the HU hypervisor sees them (0x400 | vs & 0xff). */
#define CSR_HUVSSTATUS	0x400
#define CSR_HUVSIE	0x404
#define CSR_HUVSTVEC	0x405
#define CSR_HUVSSCRATCH 0x440
#define CSR_HUVSATP	0x480

/* vsstatus fields: those of sstatus (HU sees the guest's sstatus). */
#define SSTATUS_SIE    (1UL << 1)
#define SSTATUS_SPIE   (1UL << 5)
#define SSTATUS_SPP    (1UL << 8)
#define SSTATUS_FS     (3UL << 13)
#define SSTATUS_SUM    (1UL << 18)
#define SSTATUS_MXR    (1UL << 19)
#define SSTATUS_UXL    (3UL << 32) /* read-only: 2 (RV64) */
#define SSTATUS_SD     (1UL << 63) /* read-only summary of FS */
#define SSTATUS_UXL_64 (2UL << 32)

/* hustatus fields. */
#define HUSTATUS_UIE  (1UL << 0)
#define HUSTATUS_UPIE (1UL << 4)
#define HUSTATUS_GVA  (1UL << 6)
#define HUSTATUS_UPV  (1UL << 7) /* HURET enters the guest */
#define HUSTATUS_UPVP (1UL << 8) /* ... at VS (1) or VU (0) */
#define HUSTATUS_VTVM (1UL << 20)
#define HUSTATUS_VTW  (1UL << 21) /* guest WFI is a virtual-instruction exit */
#define HUSTATUS_VTSR (1UL << 22)

/* hugatp: MODE in bits 63:60 (8 = Sv39x4), root PPN in bits 43:0. */
#define HUGATP_SV39X4 (8UL << 60)

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

/* Instruction words with no assembler mnemonic (opcode SYSTEM). */
#define INSN_HURET	  0x00200073 /* the old URET encoding */
#define INSN_HUFENCE_GVMA 0xe2000073 /* funct7 1110001, rs1 = rs2 = x0: all */
#define INSN_HUFENCE_VVMA 0xa2000073 /* funct7 1010001, rs1 = rs2 = x0: all */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Two levels so that a macro argument (CSR_HUSTATUS) expands to its number
 * before it is pasted into the instruction text. */
#define csr_read(csr)	    __csr_read(csr)
#define csr_write(csr, val) __csr_write(csr, val)
#define __csr_read(csr)                                                                            \
	({                                                                                         \
		uint64_t __v;                                                                      \
		__asm__ __volatile__("csrr %0, " #csr : "=r"(__v) : : "memory");                   \
		__v;                                                                               \
	})
#define __csr_write(csr, val)                                                                      \
	({ __asm__ __volatile__("csrw " #csr ", %0" : : "rK"((uint64_t)(val)) : "memory"); })

/* Invalidate this hart's cached G-stage translations (R-FENCE-2). */
static inline void hufence_gvma_all(void)
{
	__asm__ __volatile__(".word 0xe2000073" : : : "memory");
}
#endif

#endif
