/* Just enough of a flattened-device-tree reader for R-DISC-1. */
#include <stdint.h>
#include "fdt.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP	       4
#define FDT_END	       9

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static uint64_t slen(const char *s)
{
	uint64_t n = 0;
	while (s[n])
		n++;
	return n;
}

const char *fdt_cpu0_isa(uint64_t dtb)
{
	const uint8_t *base = (const uint8_t *)dtb;
	if (!dtb || be32(base) != FDT_MAGIC)
		return 0;
	const uint8_t *p = base + be32(base + 8);
	const char *strings = (const char *)base + be32(base + 12);
	int depth = 0, in_cpus = 0, in_cpu0 = 0;

	for (;;) {
		uint32_t tok = be32(p);
		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;
			depth++;
			if (depth == 2)
				in_cpus = streq(name, "cpus");
			if (depth == 3)
				in_cpu0 = in_cpus && streq(name, "cpu@0");
			p += (slen(name) + 1 + 3) & ~3UL;
		} else if (tok == FDT_END_NODE) {
			if (depth == 3)
				in_cpu0 = 0;
			if (depth == 2)
				in_cpus = 0;
			depth--;
		} else if (tok == FDT_PROP) {
			uint32_t len = be32(p), nameoff = be32(p + 4);
			const char *val = (const char *)p + 8;
			if (in_cpu0 && depth == 3 && streq(strings + nameoff, "riscv,isa"))
				return val;
			p += 8 + ((len + 3) & ~3UL);
		} else if (tok == FDT_NOP) {
			continue;
		} else {
			return 0;
		}
	}
}

int isa_has_ext(const char *isa, const char *ext)
{
	uint64_t n = slen(ext);
	const char *p = isa;
	while (*p) {
		const char *q = p;
		while (*q && *q != '_')
			q++;
		if ((uint64_t)(q - p) == n) {
			uint64_t i = 0;
			while (i < n && p[i] == ext[i])
				i++;
			if (i == n)
				return 1;
		}
		p = *q ? q + 1 : q;
	}
	return 0;
}
