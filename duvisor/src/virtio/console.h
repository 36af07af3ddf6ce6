/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-console (virtio spec 5.3), a single port without the multiport
 * control queue: receiveq0 takes the host's input, transmitq0 carries the
 * guest's output to the output callback (the terminal).
 */
#ifndef DV_VIRTIO_CONSOLE_H
#define DV_VIRTIO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_console.h>

#include "virtio/dev.h"
#include "virtio/transport.h"

#define DV_VCONS_RXQ	     0
#define DV_VCONS_TXQ	     1
#define DV_VCONS_QUEUE_SIZE  64
#define DV_VCONS_CONFIG_SIZE sizeof(struct virtio_console_config) /* unused: reads as 0 */

struct dv_vcons {
	struct dv_virtio_mmio t;
	void (*out)(void *ctx, const uint8_t *buf, size_t len);
	void *out_ctx;
	struct dv_vdev_kick kick;
	atomic_uint pending;
	struct dv_virtq_req *req;
	uint64_t rx_bytes, tx_bytes;
};

int dv_vcons_init(struct dv_vcons *c, const struct dv_guest_mem *mem, struct dv_irq_line irq,
		  void (*out)(void *ctx, const uint8_t *buf, size_t len), void *out_ctx,
		  struct dv_vdev_kick kick);
void dv_vcons_destroy(struct dv_vcons *c);

/* After a kick: write out what the guest sent. */
void dv_vcons_serve(struct dv_vcons *c);
/*
 * Input for the guest: copies as much of buf as the posted receive buffers
 * take and returns how much that was (the caller keeps the rest).
 */
size_t dv_vcons_input(struct dv_vcons *c, const uint8_t *buf, size_t len);
/* Whether the guest posted receive buffers (input would be taken). */
bool dv_vcons_can_input(struct dv_vcons *c);

#endif /* DV_VIRTIO_CONSOLE_H */
