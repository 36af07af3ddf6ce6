// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ns16550a UART as a device of the VM: where QEMU's virt machine has
 * it, on its PLIC source (10), on duvisor's terminal; the guest's console
 * (stdout-path) unless --console virtio.
 */
#include <errno.h>
#include <string.h>

#include "cli/cli.h"
#include "hw/uart.h"
#include "vmm/console.h"
#include "vmm/vm.h"

static void uart_tx(void *opaque, uint8_t byte)
{
	(void)opaque;
	dv_console_write(&byte, 1);
}

static int uart_create(struct dv_vm *vm, struct dv_device *dev)
{
	struct dv_irq_line irq = dv_vm_irq_line(vm, dev->irq);

	vm->uart = dv_uart_create(&irq, uart_tx, NULL);
	if (!vm->uart) {
		fprintf(stderr, "duvisor: %s: %s\n", dev->name, strerror(errno));
		return DV_EXIT_FAILURE;
	}
	dev->priv = vm->uart;
	dev->mmio = &dv_uart_mmio_ops;
	dev->mmio_opaque = vm->uart;
	return 0;
}

static void uart_fdt(const struct dv_device *dev, struct dv_fdt_writer *w)
{
	dv_fdt_serial(w, dev->base, dev->size, dev->irq);
}

static void uart_destroy(struct dv_device *dev)
{
	dv_uart_destroy(dev->priv); /* NULL is fine */
}

static int uart_save(struct dv_device *dev, struct dv_snap_w *w)
{
	dv_uart_save(dev->priv, w);
	return 0;
}

static int uart_load(struct dv_device *dev, struct dv_snap_r *r)
{
	return dv_uart_load(dev->priv, r);
}

const struct dv_device_ops dv_uart_device = {
    .name = "uart",
    .mmio_base = DV_UART_BASE,
    .mmio_size = DV_UART_SIZE,
    .irq = DV_UART_IRQ,
    .count = dv_device_one,
    .create = uart_create,
    .fdt = uart_fdt,
    .destroy = uart_destroy,
    .save = uart_save,
    .load = uart_load,
};
