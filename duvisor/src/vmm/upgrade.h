/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Live upgrade (vmm.upgrade, --live-upgrade on; docs/upgrade.md): the VM
 * paused, its vCPUs' and devices' state written to a memfd, the process
 * execs the new binary with the VM's memory, disks, taps, the API socket
 * and the backend's descriptors kept open; the new image ("duvisor
 * upgraded FD") takes them over and the guest goes on.
 */
#ifndef DV_VMM_UPGRADE_H
#define DV_VMM_UPGRADE_H

#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"

struct dv_vm;
struct dv_config;
struct dv_restore;

#define DV_UPGRADE_MAGIC "DVUPGRD\n"
#ifndef DV_UPGRADE_VERSION
#define DV_UPGRADE_VERSION 1 /* of the state; a test build changes it (tests/e2e) */
#endif

/* What the new image took from the old one's state */
struct dv_upgrade_in {
	struct dv_handover backend;
	int api_fd, client_fd; /* the listening socket; the ctl waiting for its answer (-1) */
	int exe_fd;	       /* the old binary */
	uint64_t paused_ns;    /* CLOCK_MONOTONIC when the old image paused the VM */
	uint64_t timebase;
	struct dv_restore *restore; /* the vCPUs and devices */
	uint64_t state_bytes;
	uint32_t refused;    /* the old image again: a new binary refused the state (its version) */
	uint32_t generation; /* upgrades of this process so far */
};

/* Upgrades of one process: each image stacks its threads' seccomp filters on the last's */
#define DV_UPGRADE_MAX_GENERATIONS 100

/* The old image's side */
struct dv_upgrade_out {
	int exe_fd, state_fd; /* -1 without --live-upgrade on */
	uint32_t generation;
	uint64_t last_pause_ns;
};

/* Old image, before confinement: its own binary and the state's memfd (0 or a DV_EXIT_*) */
int dv_upgrade_prepare(struct dv_vm *vm);
/*
 * Old image, the API thread: pause, write the state, exec binfd. Returns
 * only if it could not (-errno with why; the VM goes on as it was).
 */
int dv_upgrade_exec(struct dv_vm *vm, int binfd, int client_fd, char *why, size_t whylen);
/*
 * New image: read the state in cfg->upgrade_fd into cfg (the options, the
 * descriptors to take over). A state of another version: exec the old
 * binary again on it, which goes on with its VM (returns only if that
 * fails). 0 or a DV_EXIT_* after saying why.
 */
int dv_upgrade_take(struct dv_config *cfg);
/* New image, the VM running again: answer the ctl that asked (pause in ns) */
void dv_upgrade_answer(struct dv_vm *vm);

#endif /* DV_VMM_UPGRADE_H */
