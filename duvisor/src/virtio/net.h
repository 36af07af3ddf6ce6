/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-net (virtio spec 5.1) on a tap device: one RX and one TX queue,
 * a MAC address and link status, and the checksum and TCP segmentation
 * offloads the tap itself implements: a frame (or a TSO super-frame) is at
 * most DV_VNET_MAX_FRAME bytes. What the tap may hand us follows what the
 * driver accepted (TUNSETOFFLOAD once the driver is up), so a guest that
 * takes no offloads only ever sees plain frames; what the guest sends is
 * checked by the tap's own virtio_net_hdr validation.
 *
 * The tap carries the same 12-byte virtio_net_hdr in front of each frame
 * (IFF_VNET_HDR, TUNSETVNETHDRSZ 12), so frames pass through unchanged.
 * TX: each chain is written to the tap with one writev. RX: a frame read
 * from the tap waits in a bounce buffer until the driver posts a buffer
 * large enough; while none is posted the device stops reading the tap
 * (dv_vnet_rx_stalled()) and the kernel queues or drops, as on a real link.
 */
#ifndef DV_VIRTIO_NET_H
#define DV_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h> /* feature bits, link status, header and config layout */

#include "virtio/dev.h"
#include "virtio/transport.h"

#define DV_VNET_RXQ	   0
#define DV_VNET_TXQ	   1
#define DV_VNET_QUEUE_SIZE 256
#define DV_VNET_HDR_LEN	   sizeof(struct virtio_net_hdr_v1)
#define DV_VNET_MAX_FRAME  65550 /* an Ethernet frame up to 64 KiB, with VLAN tag */
#define DV_VNET_CONFIG_SIZE                                                                        \
	offsetof(struct virtio_net_config, max_virtqueue_pairs) /* mac, status */

struct dv_vnet_stats {
	uint64_t rx_packets, rx_bytes, rx_dropped; /* dropped: too big for the buffer, or bad */
	uint64_t rx_stale; /* of those: read before the driver's last reset or offload change */
	uint64_t tx_packets, tx_bytes, tx_dropped;
};

struct dv_vnet {
	struct dv_virtio_mmio t; /* the MMIO window's opaque */
	int tap;		 /* non-blocking; not owned */
	uint8_t mac[6];
	struct dv_vdev_kick kick;
	atomic_uint pending;
	struct dv_virtq_req *req;
	struct iovec *iov;
	uint8_t *frame;		   /* RX bounce: header + frame */
	size_t frame_len;	   /* bytes waiting in frame, 0: none */
	bool rx_stalled;	   /* a frame waits for RX buffers */
	uint32_t frame_gen;	   /* transport generation when the frame was read */
	uint64_t offload_features; /* driver features the tap offloads were last set for */
	unsigned long offloads;	   /* TUN_F_* in effect */
	struct dv_vnet_stats stats;
};

/*
 * Opens (or creates) the tap interface name with a virtio-net header,
 * non-blocking. Returns the fd or -errno; on failure *why says which step.
 */
int dv_tap_open(const char *name, const char **why);

struct dv_snap_w;
struct dv_snap_r;
/* The transport and a frame read from the tap that waits for an RX buffer (snapshots) */
int dv_vnet_save(struct dv_vnet *n, struct dv_snap_w *w);
int dv_vnet_load(struct dv_vnet *n, struct dv_snap_r *r);

/* tap: an fd carrying one header+frame per read and write. 0 or -errno. */
int dv_vnet_init(struct dv_vnet *n, const struct dv_guest_mem *mem, struct dv_irq_line irq, int tap,
		 const uint8_t mac[6], struct dv_vdev_kick kick);
void dv_vnet_destroy(struct dv_vnet *n);

/* After a kick: send what the driver queued on TX; retry RX if it posted buffers. */
void dv_vnet_serve(struct dv_vnet *n);
/* The tap is readable: move frames to the guest until it would block or buffers run out. */
void dv_vnet_rx(struct dv_vnet *n);
/* True while a frame waits for RX buffers: stop polling the tap for input. */
static inline bool dv_vnet_rx_stalled(const struct dv_vnet *n)
{
	return n->rx_stalled;
}

#endif /* DV_VIRTIO_NET_H */
