// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PLIC as a device of the VM: where QEMU's virt machine has it, with
 * DV_PLIC_SOURCES sources and one S-level context per vCPU, whose line is
 * that vCPU's external interrupt. Created first: the other devices' lines
 * lead to it (dv_vm_irq_line()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "hw/plic.h"
#include "vmm/vm.h"

/* A PLIC context asserts or deasserts its hart's external interrupt */
static void ext_irq_line(void *opaque, unsigned int n, bool level)
{
	struct dv_vm *vm = opaque;

	vm->ops->set_ext_irq(&vm->vcpus[n], level);
}

static int plic_create(struct dv_vm *vm, struct dv_device *dev)
{
	struct dv_irq_line *ctx = calloc(vm->nr_vcpus, sizeof(*ctx));

	if (!ctx)
		return DV_EXIT_FAILURE;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		ctx[i] = (struct dv_irq_line){ext_irq_line, vm, i};
	vm->plic = dv_plic_create(DV_PLIC_SOURCES, vm->nr_vcpus, ctx);
	free(ctx);
	if (!vm->plic) {
		fprintf(stderr, "duvisor: %s: %s\n", dev->name, strerror(errno));
		return DV_EXIT_FAILURE;
	}
	dev->priv = vm->plic;
	dev->mmio = &dv_plic_mmio_ops;
	dev->mmio_opaque = vm->plic;
	return 0;
}

static void plic_fdt(const struct dv_device *dev, struct dv_fdt_writer *w)
{
	dv_fdt_plic(w, dev->base, dev->size, DV_PLIC_SOURCES - 1);
}

static void plic_destroy(struct dv_device *dev)
{
	dv_plic_destroy(dev->priv); /* NULL is fine */
}

static int plic_save(struct dv_device *dev, struct dv_snap_w *w)
{
	dv_plic_save(dev->priv, w);
	return 0;
}

static int plic_load(struct dv_device *dev, struct dv_snap_r *r)
{
	return dv_plic_load(dev->priv, r);
}

const struct dv_device_ops dv_plic_device = {
    .name = "plic",
    .mmio_base = DV_PLIC_BASE,
    .mmio_size = DV_PLIC_SIZE,
    .irq = DV_DEV_IRQ_NONE,
    .count = dv_device_one,
    .create = plic_create,
    .fdt = plic_fdt,
    .destroy = plic_destroy,
    .save = plic_save,
    .load = plic_load,
};
