/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decoding the load or store a guest made to an MMIO window, so that the
 * hypervisor can emulate it: which register, how wide, which direction and
 * how the loaded value is extended.
 *
 * On a guest-page fault the trapping instruction comes either raw (read from
 * guest memory with HLVX.HU) or transformed, as the hart writes it to
 * htinst/hutinst (privileged spec, H extension, "Transformed Instruction or
 * Pseudoinstruction for mtinst or htinst").  The faulting address itself is in
 * htval/stval, so the address fields of the instruction are not decoded.
 */
#ifndef DV_INSN_H
#define DV_INSN_H

#include <stdbool.h>
#include <stdint.h>

struct dv_mem_access {
	bool is_store;
	bool is_fp;	    /* f register (FLW/FLD/FSW/FSD and C.FLD/C.FSD/C.FLDSP/C.FSDSP) */
	bool sign_extend;   /* loads: result sign-extended to 64 bits (LB, LH, LW) */
	unsigned int width; /* 1, 2, 4 or 8 bytes */
	unsigned int reg;   /* rd for loads, rs2 for stores: 0..31 (x or f register) */
	unsigned int len;   /* length of the original instruction: 2 or 4 */
};

/*
 * Decode a raw instruction: a 32-bit one, or a 16-bit one in the low half
 * (bits 1:0 != 0b11; the high half is then ignored, so the caller may read
 * 32 bits at the guest pc).  0, -EINVAL if it is not a load/store of RV64GC
 * (including reserved encodings), or -EOPNOTSUPP for a memory access this
 * decoder does not emulate: atomics (LR/SC/AMO), vector loads/stores, and the
 * half- and quad-precision FP loads/stores (FLH/FSH/FLQ/FSQ).  *out is
 * written only on success.
 */
int dv_decode_mem(uint32_t insn, struct dv_mem_access *out);

/*
 * Decode a transformed instruction from htinst/hutinst.  Bits 1:0 are 0b11
 * when the original was 32-bit and 0b01 when it was compressed (and has been
 * expanded to its 32-bit equivalent); the immediate and rs1 fields (the
 * latter holding the address offset of a misaligned access) are ignored.
 * 0 ("no information"), the pseudoinstructions of implicit VS-stage page
 * table accesses (bits 1:0 = 0b00), bits 1:0 = 0b10, any bit above 31, and
 * anything that is not a load/store give -EINVAL; -EOPNOTSUPP as for
 * dv_decode_mem().
 */
int dv_decode_htinst(uint64_t htinst, struct dv_mem_access *out);

/*
 * The value a load writes to its register, from the raw little-endian bytes
 * read (bits above the access width are ignored): zero- or sign-extended per
 * the access; a 4-byte FP load is NaN-boxed (upper 32 bits all ones), as FLW
 * writes a 64-bit f register.
 */
uint64_t dv_mem_load_value(const struct dv_mem_access *a, uint64_t raw);

/* The bytes a store writes, from the register value (truncated to width). */
uint64_t dv_mem_store_value(const struct dv_mem_access *a, uint64_t reg_value);

#endif /* DV_INSN_H */
