// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-console as a device of the VM: with --console virtio, the guest's
 * hvc0 on duvisor's terminal, served by the I/O thread's loop, which also
 * feeds it the terminal's input (dv_vcons_feed()).
 */
#include <stdlib.h>

#include "api/json.h"
#include "cli/cli.h"
#include "vmm/console.h"
#include "vmm/vm.h"
#include "virtio/console.h"
#include "virtio/devices.h"

struct cons_device {
	struct dv_vdev v; /* first: the shared part */
	struct dv_vcons cons;
	bool model;
};

void dv_vcons_feed(struct dv_vcons *c)
{
	uint8_t buf[256];
	size_t n, took;

	/* Queued terminal input into the guest's receive buffers, as much as they take */
	while (c && (n = dv_console_peek(buf, sizeof(buf))) > 0) {
		took = dv_vcons_input(c, buf, n);
		dv_console_consume(took);
		if (took < n)
			break;
	}
}

static void cons_kicked(struct dv_io_handler *h, uint32_t events)
{
	struct cons_device *c = h->opaque;

	(void)events;
	dv_eventfd_drain(h->fd);
	dv_vcons_serve(&c->cons);
	/* New receive buffers may take input that waited */
	dv_vcons_feed(&c->cons);
}

static void cons_out(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	dv_console_write(buf, len);
}

static unsigned int cons_count(const struct dv_config *cfg)
{
	return cfg->console == DV_CONSOLE_VIRTIO;
}

static int cons_create(struct dv_vm *vm, struct dv_device *dev)
{
	struct cons_device *c = dv_vdev_new(dev, sizeof(*c));
	struct dv_vdev_kick kick;
	int rc;

	if (!c)
		return DV_EXIT_FAILURE;
	rc = dv_vdev_kick_init(&c->v, vm->loop, cons_kicked, c, &kick);
	if (!rc)
		rc = dv_vcons_init(&c->cons, &vm->mem, dv_vm_irq_line(vm, dev->irq), cons_out, NULL,
				   kick);
	c->model = !rc;
	if (!rc)
		rc = dv_vdev_start(&c->v, dev, &c->cons.t);
	if (!rc)
		vm->vcons = &c->cons;
	return dv_vdev_created(dev, rc);
}

static void cons_destroy(struct dv_device *dev)
{
	struct cons_device *c = dev->priv;

	if (!c)
		return;
	if (c->model)
		dv_vcons_destroy(&c->cons);
	dv_vdev_free(dev);
}

static void cons_stats(const struct dv_device *dev, FILE *f)
{
	const struct cons_device *c = dev->priv;

	dv_vdev_stats(dev, f);
	fprintf(f, "duvisor: %s: in %llu bytes, out %llu bytes\n", dev->name,
		(unsigned long long)c->cons.rx_bytes, (unsigned long long)c->cons.tx_bytes);
}

static void cons_counters(const struct dv_device *dev, struct dv_json *j)
{
	const struct cons_device *c = dev->priv;

	dv_vdev_counters(dev, j);
	dv_json_u64(j, "in_bytes", c->cons.rx_bytes);
	dv_json_u64(j, "out_bytes", c->cons.tx_bytes);
}

const struct dv_device_ops dv_vcons_device = {
    .name = "virtio-console",
    .mmio_size = DV_VIRTIO_MMIO_SIZE,
    .irq = DV_DEV_IRQ_ANY,
    .count = cons_count,
    .create = cons_create,
    .fdt = dv_vdev_fdt,
    .reset = dv_vdev_reset,
    .destroy = cons_destroy,
    .stats = cons_stats,
    .counters = cons_counters,
    .save = dv_vdev_save,
    .load = dv_vdev_load,
};
