/* SPDX-License-Identifier: GPL-2.0-only */
/* DV-Ext registers reachable in HU mode (docs/dv-ext.md §3.2). */
#ifndef DV_DVEXT_CSR_H
#define DV_DVEXT_CSR_H

#define CSR_UTVEC	0x005
#define CSR_USCRATCH	0x040
#define CSR_UEPC	0x041
#define CSR_UCAUSE	0x042
#define CSR_UTVAL	0x043
#define CSR_HUSTATUS	0x800
#define CSR_HUTVAL	0x843
#define CSR_HUTINST	0x84a
#define CSR_HUIE	0x804
#define CSR_HUTIMEDELTA 0x805
#define CSR_HUCOUNTEREN 0x806
#define CSR_HUENVCFG	0x80a
#define CSR_HUIP	0x844
#define CSR_HUVIP	0x845
#define CSR_HUGATP	0x880
#define CSR_HUVIPI	0x8c2
#define CSR_HUVSSTATUS	0x400
#define CSR_HUVSIE	0x404
#define CSR_HUVSTVEC	0x405
#define CSR_HUVSEPC	0x441
#define CSR_HUVSCAUSE	0x442
#define CSR_HUVSTVAL	0x443
#define CSR_HUVSTIMECMP 0x44d
#define CSR_HUVSATP	0x480

#define HUSTATUS_UPV  (1ULL << 7)
#define HUSTATUS_UPVP (1ULL << 8)
#define HUSTATUS_VTW  (1ULL << 21)
#define HUENVCFG_STCE (1ULL << 63)
#define HUIE_USIE     (1ULL << 0)
#define HUIP_USIP     (1ULL << 0)
#define HVIP_VSSIP    (1ULL << 2)
#define HVIP_VSEIP    (1ULL << 10)
#define VSIE_SSIE     (1ULL << 1) /* vsie: S-level positions */
#define VSIE_SEIE     (1ULL << 9)
#define SSTATUS_SIE   (1ULL << 1)
#define SSTATUS_SPIE  (1ULL << 5)
#define SSTATUS_SPP   (1ULL << 8)

#define INSN_HURET 0x00200073

#ifndef __ASSEMBLER__
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

#endif /* !__ASSEMBLER__ */

#endif /* DV_DVEXT_CSR_H */
