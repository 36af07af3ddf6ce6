/* One read and one write function per DV-Ext CSR (CSR numbers must be
 * immediates), for the gate tests and the reset-value snapshot. */
#ifndef DVEXT_PROBES_H
#define DVEXT_PROBES_H
#include <stdint.h>
#include "hart.h"

struct csr_probe {
	uint16_t num;
	const char *name;
	uint64_t (*rd)(void);
	void (*wr)(uint64_t);
};

extern const struct csr_probe hs_only_csrs[];
extern const int n_hs_only_csrs;
extern const struct csr_probe hu_csrs[];
extern const int n_hu_csrs;

/* §3.2 "= X": the H or VS register a HU name stands for (read from HS),
 * or 0 when the HU register has its own storage. */
const struct csr_probe *hu_alias_target(uint16_t hu_num);

/* Values read on each hart before anything wrote a DV-Ext CSR; for a HU
 * alias also X's value, read from HS at the same point (by hu_csrs index). */
#define MAX_PROBES 64
extern uint64_t reset_hs_only[NHARTS][MAX_PROBES], reset_hu[NHARTS][MAX_PROBES];
extern uint64_t reset_alias_target[NHARTS][MAX_PROBES];
extern int reset_snap_valid[NHARTS];
void snapshot_reset_values(void);

/* The DV-Ext instructions, for the gate tests. */
void probe_huret_jump(void); /* HURET with UPV = 0 to the next instruction */
void probe_huret(void);	     /* a bare HURET: only where it must trap */
void probe_hufence_gvma(void);
void probe_hufence_vvma(void);
uint64_t probe_hlv(uint64_t gva);
#endif
