// SPDX-License-Identifier: GPL-2.0-only
/* duvisor: a user-level hypervisor for DV-Ext (see README.md). */
#include <stdio.h>

#include "cli/cli.h"
#include "ctl/ctl.h"
#include "jail/jail.h"
#include "vmm/crash.h"
#include "vmm/upgrade.h"
#include "vmm/vm.h"
#include "vmm/faults.h"

int main(int argc, char **argv)
{
	struct dv_config cfg;
	int rc = dv_cli_parse(argc, argv, &cfg, stderr);

	if (rc != DV_EXIT_OK)
		return rc;
	switch (cfg.action) {
	case DV_ACTION_HELP:
		dv_cli_usage(stdout);
		return DV_EXIT_OK;
	case DV_ACTION_VERSION:
		dv_cli_version(stdout);
		return DV_EXIT_OK;
	case DV_ACTION_CTL:
		return dv_ctl_run(&cfg.ctl, stdout, stderr);
	case DV_ACTION_UPGRADED:
		/* The new image of a live upgrade: in the old one's jail, with its VM */
		if (dv_faults_init())
			return DV_EXIT_USAGE;
		dv_crash_install();
		rc = dv_upgrade_take(&cfg);
		return rc ? rc : dv_vm_run(&cfg);
	default:
		if (dv_faults_init())
			return DV_EXIT_USAGE;
		dv_crash_install();
		/* Before anything is opened: the parent of a jail never returns */
		rc = cfg.jail.dir ? dv_jail_begin(&cfg.jail) : DV_EXIT_OK;
		if (rc)
			return rc;
		return dv_vm_run(&cfg);
	}
}
