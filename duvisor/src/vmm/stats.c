// SPDX-License-Identifier: GPL-2.0-only
#include "vmm/stats.h"

static const char *const dv_stat_names[DV_STAT_NR] = {
    [DV_STAT_SBI] = "sbi-call",	  [DV_STAT_MMIO] = "mmio",
    [DV_STAT_WFI] = "wfi",	  [DV_STAT_KICK] = "kick",
    [DV_STAT_HOST] = "host-exit", [DV_STAT_FAULT_INJECTED] = "fault-injected",
    [DV_STAT_OTHER] = "other",	  [DV_STAT_STAGE2] = "stage2-fault",
};

const char *dv_stat_name(enum dv_stat s)
{
	return s < DV_STAT_NR ? dv_stat_names[s] : "?";
}

void dv_stats_print(FILE *f, const struct dv_stats *per_vcpu, unsigned int nr_vcpus)
{
	uint64_t total[DV_STAT_NR] = {0}, all = 0;
	unsigned int v;
	int s;

	for (v = 0; v < nr_vcpus; v++)
		for (s = 0; s < DV_STAT_NR; s++)
			total[s] += per_vcpu[v].count[s];
	fprintf(f, "duvisor: exits by reason\n");
	for (s = 0; s < DV_STAT_NR; s++) {
		fprintf(f, "  %-16s %12llu\n", dv_stat_names[s], (unsigned long long)total[s]);
		all += total[s];
	}
	fprintf(f, "  %-16s %12llu\n", "total", (unsigned long long)all);
}
