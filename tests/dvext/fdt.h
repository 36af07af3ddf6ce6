#ifndef DVEXT_FDT_H
#define DVEXT_FDT_H
#include <stdint.h>
/* The `riscv,isa` string of /cpus/cpu@0 in the flattened device tree at
 * dtb, or 0 if there is none. */
const char *fdt_cpu0_isa(uint64_t dtb);
/* Does the ISA string contain `ext` as one whole '_'-separated extension? */
int isa_has_ext(const char *isa, const char *ext);
#endif
