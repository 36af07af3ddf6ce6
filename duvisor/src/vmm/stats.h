/* SPDX-License-Identifier: GPL-2.0-only */
/* Exit counts by reason, per vCPU, printed with --stats. */
#ifndef DV_STATS_H
#define DV_STATS_H

#include <stdint.h>
#include <stdio.h>

enum dv_stat {
	DV_STAT_SBI,
	DV_STAT_MMIO,
	DV_STAT_WFI,
	DV_STAT_KICK,
	DV_STAT_HOST,
	DV_STAT_FAULT_INJECTED,
	DV_STAT_OTHER,
	DV_STAT_STAGE2, /* stage-2 page faults mapped (--memory-prefault off) */
	DV_STAT_NR
};

struct dv_stats {
	uint64_t count[DV_STAT_NR];
};

/* The reason's name ("sbi-call", ...) */
const char *dv_stat_name(enum dv_stat s);
void dv_stats_print(FILE *f, const struct dv_stats *per_vcpu, unsigned int nr_vcpus);

#endif /* DV_STATS_H */
