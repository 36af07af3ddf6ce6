// SPDX-License-Identifier: GPL-2.0-only
/* virtio-console: see console.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/console.h"

#define BIT64(n) (1ull << (n))

/* dv_vdev_notify() serves through a void pointer */
static void serve_any(void *dev)
{
	dv_vcons_serve(dev);
}

static void cons_notify(void *opaque, unsigned int queue)
{
	struct dv_vcons *c = opaque;

	dv_vdev_notify(&c->pending, queue, &c->kick, serve_any, c);
}

static const struct dv_virtio_dev_ops cons_ops = {
    .device_id = VIRTIO_ID_CONSOLE,
    .features = BIT64(VIRTIO_RING_F_INDIRECT_DESC) | BIT64(VIRTIO_RING_F_EVENT_IDX),
    .nqueues = 2,
    .queue_max = DV_VCONS_QUEUE_SIZE,
    .config_size = DV_VCONS_CONFIG_SIZE,
    .notify = cons_notify,
};

int dv_vcons_init(struct dv_vcons *c, const struct dv_guest_mem *mem, struct dv_irq_line irq,
		  void (*out)(void *ctx, const uint8_t *buf, size_t len), void *out_ctx,
		  struct dv_vdev_kick kick)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->req = malloc(sizeof(*c->req));
	if (!c->req)
		return -ENOMEM;
	c->out = out;
	c->out_ctx = out_ctx;
	c->kick = kick;
	rc = dv_virtio_mmio_init(&c->t, mem, &cons_ops, c, irq);
	if (rc) {
		free(c->req);
		c->req = NULL;
	}
	return rc;
}

void dv_vcons_destroy(struct dv_vcons *c)
{
	dv_virtio_mmio_destroy(&c->t);
	free(c->req);
	c->req = NULL;
}

void dv_vcons_serve(struct dv_vcons *c)
{
	struct dv_virtq_req *r = c->req;
	bool pushed = false;
	uint32_t gen;
	unsigned int i;

	dv_vdev_take(&c->pending);
	while (dv_virtio_mmio_pop(&c->t, DV_VCONS_TXQ, r, &gen) == 1) {
		for (i = 0; i < r->nread; i++)
			if (c->out)
				c->out(c->out_ctx, r->read[i].ptr, r->read[i].len);
		c->tx_bytes += r->read_len;
		if (!dv_virtio_mmio_push(&c->t, DV_VCONS_TXQ, gen, r->head, 0))
			pushed = true;
	}
	if (pushed)
		dv_virtio_mmio_signal_used(&c->t, DV_VCONS_TXQ);
	/* Receive buffers are used when input arrives (dv_vcons_input) */
}

bool dv_vcons_can_input(struct dv_vcons *c)
{
	return dv_virtio_mmio_queue_has_work(&c->t, DV_VCONS_RXQ);
}

size_t dv_vcons_input(struct dv_vcons *c, const uint8_t *buf, size_t len)
{
	struct dv_virtq_req *r = c->req;
	bool pushed = false;
	size_t done = 0;
	uint32_t gen;

	while (done < len && dv_virtio_mmio_pop(&c->t, DV_VCONS_RXQ, r, &gen) == 1) {
		size_t n = dv_segs_write(r->write, r->nwrite, 0, buf + done, len - done);

		if (!dv_virtio_mmio_push(&c->t, DV_VCONS_RXQ, gen, r->head, (uint32_t)n)) {
			pushed = true;
			done += n;
		}
		/* A chain with no writable bytes is returned empty; the loop moves on */
	}
	c->rx_bytes += done;
	if (pushed)
		dv_virtio_mmio_signal_used(&c->t, DV_VCONS_RXQ);
	return done;
}
