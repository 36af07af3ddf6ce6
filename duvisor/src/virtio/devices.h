/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A VM's virtio-mmio devices, from its configuration: one virtio-blk per
 * --disk, one virtio-net per --net, a virtio-rng always, and a
 * virtio-console with --console virtio. They take the MMIO windows at
 * DV_VIRTIO_BASE + i * DV_VIRTIO_STRIDE and PLIC sources DV_VIRTIO_IRQ + i
 * in that order, so the guest's vda is the first --disk and eth0 the first
 * --net. All their queue work runs on the I/O thread's loop.
 */
#ifndef DV_VM_VIRTIO_H
#define DV_VM_VIRTIO_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "boot/fdt.h"
#include "vmm/ioloop.h"

#define DV_VM_MAX_VIRTIO (DV_CLI_MAX_DISKS + DV_CLI_MAX_NETS + 2)

struct dv_vm;
struct dv_vdev_slot;

struct dv_vm_virtio {
	unsigned int n;
	struct dv_vdev_slot *slot[DV_VM_MAX_VIRTIO];
	struct dv_fdt_virtio fdt[DV_VM_MAX_VIRTIO];
	struct dv_vcons *console; /* NULL without --console virtio */
};

/*
 * Opens the disks and taps, creates the devices and registers their MMIO
 * windows and loop handlers. Returns 0 or a DV_EXIT_* code after printing
 * what failed (DV_EXIT_FILE for a disk that cannot be opened).
 */
int dv_vm_virtio_create(struct dv_vm *vm, struct dv_ioloop *loop, struct dv_vm_virtio *v);
void dv_vm_virtio_destroy(struct dv_vm_virtio *v);

/* The I/O thread: move queued console input into the virtio console. */
void dv_vm_virtio_console_feed(struct dv_vm_virtio *v);
/* --stats: one line per device. */
void dv_vm_virtio_print_stats(struct dv_vm_virtio *v, FILE *f);

#endif /* DV_VM_VIRTIO_H */
