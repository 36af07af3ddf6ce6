// SPDX-License-Identifier: GPL-2.0-only
/* virtio-net on a tap: see net.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/snapbuf.h"
#include "virtio/net.h"

#define BIT64(n)	(1ull << (n))
#define NUM_BUFFERS_OFF offsetof(struct virtio_net_hdr_v1, num_buffers)

int dv_tap_open(const char *name, const char **why)
{
	struct ifreq ifr;
	int fd, hdr = DV_VNET_HDR_LEN, err;

	*why = "/dev/net/tun";
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	*why = "TUNSETIFF";
	if (ioctl(fd, TUNSETIFF, &ifr))
		goto err;
	*why = "TUNSETVNETHDRSZ";
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr))
		goto err;
	/* No offloads: the guest is offered none, so the tap must not send them */
	*why = "TUNSETOFFLOAD";
	if (ioctl(fd, TUNSETOFFLOAD, 0UL))
		goto err;
	return fd;
err:
	err = -errno;
	close(fd);
	return err;
}

/* dv_vdev_notify() serves through a void pointer */
static void serve_any(void *dev)
{
	dv_vnet_serve(dev);
}

static void net_notify(void *opaque, unsigned int queue)
{
	struct dv_vnet *n = opaque;

	dv_vdev_notify(&n->pending, queue, &n->kick, serve_any, n);
}

static uint32_t net_config_read(void *opaque, uint32_t off, unsigned size)
{
	struct dv_vnet *n = opaque;
	struct virtio_net_config cfg = {.status = VIRTIO_NET_S_LINK_UP};
	uint32_t v = 0;

	memcpy(cfg.mac, n->mac, sizeof(cfg.mac));
	memcpy(&v, (const uint8_t *)&cfg + off, size); /* the transport checked off + size */
	return v;
}

static const struct dv_virtio_dev_ops net_ops = {
    .device_id = VIRTIO_ID_NET,
    .features = BIT64(VIRTIO_NET_F_MAC) | BIT64(VIRTIO_NET_F_STATUS) | BIT64(VIRTIO_NET_F_CSUM) |
		BIT64(VIRTIO_NET_F_GUEST_CSUM) | BIT64(VIRTIO_NET_F_GUEST_TSO4) |
		BIT64(VIRTIO_NET_F_GUEST_TSO6) | BIT64(VIRTIO_NET_F_HOST_TSO4) |
		BIT64(VIRTIO_NET_F_HOST_TSO6) | BIT64(VIRTIO_RING_F_INDIRECT_DESC) |
		BIT64(VIRTIO_RING_F_EVENT_IDX),
    .nqueues = 2,
    .queue_max = DV_VNET_QUEUE_SIZE,
    .config_size = DV_VNET_CONFIG_SIZE,
    .notify = net_notify,
    .config_read = net_config_read,
};

static void net_free_buffers(struct dv_vnet *n)
{
	free(n->req);
	free(n->iov);
	free(n->frame);
	n->req = NULL;
	n->iov = NULL;
	n->frame = NULL;
}

int dv_vnet_init(struct dv_vnet *n, const struct dv_guest_mem *mem, struct dv_irq_line irq, int tap,
		 const uint8_t mac[6], struct dv_vdev_kick kick)
{
	int rc;

	memset(n, 0, sizeof(*n));
	n->req = malloc(sizeof(*n->req));
	n->iov = calloc(DV_VIRTQ_MAX_SEGS, sizeof(*n->iov));
	n->frame = malloc(DV_VNET_HDR_LEN + DV_VNET_MAX_FRAME);
	if (!n->req || !n->iov || !n->frame) {
		rc = -ENOMEM;
		goto err;
	}
	n->tap = tap;
	memcpy(n->mac, mac, 6);
	n->kick = kick;
	rc = dv_virtio_mmio_init(&n->t, mem, &net_ops, n, irq);
	if (!rc)
		return 0;
err:
	net_free_buffers(n);
	return rc;
}

void dv_vnet_destroy(struct dv_vnet *n)
{
	dv_virtio_mmio_destroy(&n->t);
	net_free_buffers(n);
}

static void net_tx(struct dv_vnet *n)
{
	struct dv_virtq_req *r = n->req;
	bool pushed = false;
	uint32_t gen;

	while (dv_virtio_mmio_pop(&n->t, DV_VNET_TXQ, r, &gen) == 1) {
		uint64_t len = r->read_len;

		/* A header and a frame of Ethernet size, device-readable only (spec 5.1.6.2) */
		if (r->nwrite || len <= DV_VNET_HDR_LEN ||
		    len > DV_VNET_HDR_LEN + DV_VNET_MAX_FRAME) {
			n->stats.tx_dropped++;
		} else {
			unsigned int k =
			    dv_segs_iov(r->read, r->nread, 0, len, n->iov, DV_VIRTQ_MAX_SEGS);
			ssize_t w;

			do
				w = writev(n->tap, n->iov, (int)k);
			while (w < 0 && errno == EINTR);
			if (w == (ssize_t)len) {
				n->stats.tx_packets++;
				n->stats.tx_bytes += len - DV_VNET_HDR_LEN;
			} else {
				n->stats
				    .tx_dropped++; /* the host would not take it: a lost frame */
			}
		}
		if (dv_virtio_mmio_push(&n->t, DV_VNET_TXQ, gen, r->head, 0) == 0)
			pushed = true;
	}
	if (pushed)
		dv_virtio_mmio_signal_used(&n->t, DV_VNET_TXQ);
}

/* Hand the frame in the bounce buffer to the guest. False: no RX buffer yet. */
static bool deliver(struct dv_vnet *n, bool *pushed)
{
	struct dv_virtq_req *r = n->req;
	uint16_t one = 1;
	uint32_t gen;
	int rc;

	rc = dv_virtio_mmio_pop(&n->t, DV_VNET_RXQ, r, &gen);
	if (rc != 1)
		return rc < 0; /* a broken queue drops the frame; none posted: wait */
	if (r->nread || r->write_len < n->frame_len) {
		/* A buffer the guest can't take this frame in: drop it, return the buffer */
		n->stats.rx_dropped++;
		if (!dv_virtio_mmio_push(&n->t, DV_VNET_RXQ, gen, r->head, 0))
			*pushed = true;
		return true;
	}
	memcpy(n->frame + NUM_BUFFERS_OFF, &one, 2);
	dv_segs_write(r->write, r->nwrite, 0, n->frame, n->frame_len);
	if (!dv_virtio_mmio_push(&n->t, DV_VNET_RXQ, gen, r->head, (uint32_t)n->frame_len)) {
		*pushed = true;
		n->stats.rx_packets++;
		n->stats.rx_bytes += n->frame_len - DV_VNET_HDR_LEN;
	}
	return true;
}

/* TUN_F_* for what the driver accepted: segments need checksum offload too */
static unsigned long tap_offloads(uint64_t f)
{
	unsigned long o = 0;

	if (f & BIT64(VIRTIO_NET_F_GUEST_CSUM)) {
		o |= TUN_F_CSUM;
		if (f & BIT64(VIRTIO_NET_F_GUEST_TSO4))
			o |= TUN_F_TSO4;
		if (f & BIT64(VIRTIO_NET_F_GUEST_TSO6))
			o |= TUN_F_TSO6;
	}
	return o;
}

/* Before reading the tap: let it send what the driver now takes, no more */
static void sync_offloads(struct dv_vnet *n)
{
	uint64_t f;
	unsigned long o, old;

	if (!(dv_virtio_mmio_status(&n->t) & VIRTIO_CONFIG_S_DRIVER_OK))
		return;
	f = dv_virtio_mmio_features(&n->t);
	if (f == n->offload_features)
		return;
	n->offload_features = f;
	o = tap_offloads(f);
	if (o == n->offloads || ioctl(n->tap, TUNSETOFFLOAD, o))
		return; /* not a tap (tests), or unchanged: the offloads stay as they were */
	old = n->offloads;
	n->offloads = o;
	/* A frame read under offloads this driver does not take may use them */
	if (n->frame_len && (old & ~o)) {
		n->frame_len = 0;
		n->rx_stalled = false;
		n->stats.rx_dropped++;
		n->stats.rx_stale++;
	}
}

void dv_vnet_rx(struct dv_vnet *n)
{
	bool pushed = false;

	sync_offloads(n);

	for (;;) {
		if (!n->frame_len) {
			ssize_t r = read(n->tap, n->frame, DV_VNET_HDR_LEN + DV_VNET_MAX_FRAME);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break; /* EAGAIN: drained; errors: the same, retried on the next
					  event */
			if ((size_t)r <= DV_VNET_HDR_LEN) {
				n->stats.rx_dropped++;
				continue;
			}
			n->frame_len = (size_t)r;
			n->frame_gen = dv_virtio_mmio_generation(&n->t);
		} else if (n->frame_gen != dv_virtio_mmio_generation(&n->t)) {
			/* The driver reset the device since: the frame was for the link before */
			n->frame_len = 0;
			n->rx_stalled = false;
			n->stats.rx_dropped++;
			n->stats.rx_stale++;
			continue;
		}
		if (!deliver(n, &pushed)) {
			n->rx_stalled = true;
			break;
		}
		n->frame_len = 0;
		n->rx_stalled = false;
	}
	if (pushed)
		dv_virtio_mmio_signal_used(&n->t, DV_VNET_RXQ);
}

void dv_vnet_serve(struct dv_vnet *n)
{
	unsigned int q = dv_vdev_take(&n->pending);

	if (q & (1u << DV_VNET_TXQ))
		net_tx(n);
	/* New RX buffers: a stalled frame can go, and the tap is worth reading again */
	if (q & (1u << DV_VNET_RXQ))
		dv_vnet_rx(n);
}

int dv_vnet_save(struct dv_vnet *n, struct dv_snap_w *w)
{
	dv_virtio_mmio_save(&n->t, w);
	dv_snap_bytes(w, n->frame, (uint32_t)n->frame_len);
	dv_snap_u32(w, n->rx_stalled);
	return 0;
}

int dv_vnet_load(struct dv_vnet *n, struct dv_snap_r *r)
{
	const uint8_t *frame;
	uint32_t len;
	int rc = dv_virtio_mmio_load(&n->t, r);

	if (rc)
		return rc;
	frame = dv_snap_get_bytes(r, &len, DV_VNET_HDR_LEN + DV_VNET_MAX_FRAME);
	n->rx_stalled = dv_snap_get_u32(r) & 1;
	if (r->bad)
		return -EINVAL;
	if (len)
		memcpy(n->frame, frame, len);
	n->frame_len = len;
	n->frame_gen = dv_virtio_mmio_generation(&n->t);
	return 0;
}
