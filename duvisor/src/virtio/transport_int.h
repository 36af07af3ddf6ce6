/* SPDX-License-Identifier: GPL-2.0-only */
/* What transport.c and transport_queue.c share; called with the device's lock held. */
#ifndef DV_VIRTIO_TRANSPORT_INT_H
#define DV_VIRTIO_TRANSPORT_INT_H

#include "virtio/transport.h"

/* The interrupt line follows InterruptStatus: up while any bit is set. */
void dv_virtio_mmio_update_irq(struct dv_virtio_mmio *d);
/* A malformed queue: DEVICE_NEEDS_RESET and a configuration interrupt. */
void dv_virtio_mmio_needs_reset_locked(struct dv_virtio_mmio *d);

#endif /* DV_VIRTIO_TRANSPORT_INT_H */
