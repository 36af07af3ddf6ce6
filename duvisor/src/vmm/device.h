/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The board's devices. Each kind of device is an ops table: how many of it
 * the VM's configuration asks for, and how to create one, emit its
 * device-tree node, reset it, destroy it and print its --stats. The VM
 * creates the kinds of its board in order (vm.c): each instance gets its
 * MMIO window and PLIC source from the one allocator (devalloc.h) and is
 * registered here and on the MMIO bus; the guest's device tree is built by
 * walking the registered devices, each emitting its own node.
 */
#ifndef DV_DEVICE_H
#define DV_DEVICE_H

#include <stdint.h>
#include <stdio.h>

#include "boot/fdt.h"
#include "vmm/devalloc.h"
#include "vmm/mmio.h"

struct dv_config;
struct dv_device;
struct dv_json;
struct dv_snap_r;
struct dv_snap_w;
struct dv_vm;

#define DV_DEV_IRQ_NONE 0	   /* no interrupt */
#define DV_DEV_IRQ_ANY	UINT32_MAX /* any free PLIC source */

struct dv_device_ops {
	const char *name;   /* instances are name0, name1, ... */
	uint64_t mmio_base; /* fixed window base; 0: the allocator places it */
	uint64_t mmio_size; /* bytes of its register window */
	uint32_t irq;	    /* DV_DEV_IRQ_NONE, DV_DEV_IRQ_ANY or a fixed PLIC source */
	/* How many instances the configuration asks for. */
	unsigned int (*count)(const struct dv_config *cfg);
	/*
	 * Set instance dev->index up on its window and source and fill
	 * dev->mmio, dev->mmio_opaque and dev->priv. Returns 0, or a DV_EXIT_*
	 * code after printing what failed; destroy() is called either way.
	 */
	int (*create)(struct dv_vm *vm, struct dv_device *dev);
	/*
	 * Start the instance's threads (at most `threads` of them), once the
	 * VM is set up and duvisor confined (--jail): a namespace is the
	 * thread's own, so none may exist before. Returns 0 or -errno. NULL:
	 * it runs on the I/O thread or a vCPU's alone.
	 */
	int (*start)(struct dv_device *dev);
	unsigned int threads;
	/* Its node under /soc. */
	void (*fdt)(const struct dv_device *dev, struct dv_fdt_writer *w);
	/* Back to the state the guest found at boot. NULL: nothing to do. */
	void (*reset)(struct dv_device *dev);
	/* Stop its threads and free what it holds; copes with a failed create. */
	void (*destroy)(struct dv_device *dev);
	/* --stats lines. NULL: none. */
	void (*stats)(const struct dv_device *dev, FILE *f);
	/* Its counters as members of the open JSON object j (the API's vm.counters). NULL: none. */
	void (*counters)(const struct dv_device *dev, struct dv_json *j);
	/*
	 * Its state for a snapshot (docs/snapshot.md), the VM paused: 0, or
	 * -errno after saying why (-EBUSY: not now, try again). NULL: none.
	 */
	int (*save)(struct dv_device *dev, struct dv_snap_w *w);
	/* A snapshot's state, after create() and before start(): 0 or -EINVAL. NULL: none. */
	int (*load)(struct dv_device *dev, struct dv_snap_r *r);
	/* Live upgrade: the descriptor the next image takes over (its disk, its tap). NULL: none */
	int (*handover_fd)(const struct dv_device *dev);
};

struct dv_device {
	const struct dv_device_ops *ops;
	unsigned int index; /* among the devices of its kind */
	char name[24];
	uint64_t base, size; /* its MMIO window */
	uint32_t irq;	     /* its PLIC source, 0: none */
	const struct dv_mmio_ops *mmio;
	void *mmio_opaque;
	void *priv; /* the kind's state */
};

#define DV_MAX_DEVICES 32

struct dv_devices {
	struct dv_devalloc alloc;
	unsigned int n;
	struct dv_device dev[DV_MAX_DEVICES];
};

/* The kinds of this board, in the order vm.c creates them. */
extern const struct dv_device_ops dv_plic_device, dv_uart_device;
extern const struct dv_device_ops dv_vblk_device, dv_vnet_device, dv_vrng_device, dv_vcons_device;

/* A count() for a kind every VM has one of. */
unsigned int dv_device_one(const struct dv_config *cfg);

/*
 * Create count(cfg) instances of each kind in turn, with windows from
 * [mmio_base, mmio_end) unless the kind fixes its own, and sources
 * 1..nsources-1, and register their windows on bus. Returns 0 or a DV_EXIT_*
 * code (after printing what failed); the devices created so far stay
 * registered for dv_devices_destroy().
 */
int dv_devices_create(struct dv_devices *d, const struct dv_device_ops *const *kinds,
		      unsigned int nkinds, struct dv_vm *vm, const struct dv_config *cfg,
		      struct dv_mmio_bus *bus, uint64_t mmio_base, uint64_t mmio_end,
		      unsigned int nsources);
/* Start every device's threads, in creation order: 0 or DV_EXIT_FAILURE (said why). */
int dv_devices_start(struct dv_devices *d);
/* The threads dv_devices_start() may start. */
unsigned int dv_devices_threads(const struct dv_devices *d);
/* Destroy every device, the last created first. */
void dv_devices_destroy(struct dv_devices *d);
/* Reset every device, in creation order. */
void dv_devices_reset(struct dv_devices *d);
void dv_devices_stats(const struct dv_devices *d, FILE *f);
/*
 * Every device's state in creation order, each under its name; load finds
 * the same devices in the same order or fails: 0 or -errno (said why).
 */
int dv_devices_save(struct dv_devices *d, struct dv_snap_w *w);
int dv_devices_load(struct dv_devices *d, struct dv_snap_r *r);
/* The handover_fd() of the index-th device of the kind called name, or -1 */
int dv_devices_fd(const struct dv_devices *d, const char *name, unsigned int index);
/* Each device with counters as a member of the open JSON object j, named as the device */
void dv_devices_counters(const struct dv_devices *d, struct dv_json *j);
/* The devices' device-tree nodes, in creation order: fills nodes[0..max) and returns the count. */
unsigned int dv_devices_fdt(const struct dv_devices *d, struct dv_fdt_node *nodes,
			    unsigned int max);

#endif /* DV_DEVICE_H */
