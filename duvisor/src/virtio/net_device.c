// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-net as a device of the VM: one per --net, on its tap, served by
 * the I/O thread's loop: queue kicks, and the tap while the guest has
 * buffers to put its frames in.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "api/json.h"
#include "cli/cli.h"
#include "vmm/vm.h"
#include "virtio/devices.h"
#include "virtio/net.h"

struct net_device {
	struct dv_vdev v; /* first: the shared part */
	struct dv_vnet net;
	bool model;
	int tap; /* owned; -1: none */
	struct dv_io_handler tap_in;
	bool tap_polled;
};

/* Poll the tap for input only while the guest has somewhere to put it */
static void poll_tap(struct net_device *n)
{
	bool want = !dv_vnet_rx_stalled(&n->net);

	if (want != n->tap_polled && !dv_ioloop_modify(n->v.loop, &n->tap_in, want ? EPOLLIN : 0))
		n->tap_polled = want;
}

static void net_kicked(struct dv_io_handler *h, uint32_t events)
{
	struct net_device *n = h->opaque;

	(void)events;
	dv_eventfd_drain(h->fd);
	dv_vnet_serve(&n->net);
	poll_tap(n);
}

static void tap_readable(struct dv_io_handler *h, uint32_t events)
{
	struct net_device *n = h->opaque;

	(void)events;
	dv_vnet_rx(&n->net);
	poll_tap(n);
}

static void default_mac(unsigned int index, uint8_t mac[6])
{
	pid_t pid = getpid();

	/* Locally administered, unicast; differs between duvisor processes */
	mac[0] = 0x02;
	mac[1] = 0x64; /* 'd' */
	mac[2] = (uint8_t)(pid >> 16);
	mac[3] = (uint8_t)(pid >> 8);
	mac[4] = (uint8_t)pid;
	mac[5] = (uint8_t)index;
}

static unsigned int net_count(const struct dv_config *cfg)
{
	return cfg->nnets;
}

static int net_create(struct dv_vm *vm, struct dv_device *dev)
{
	const struct dv_net_cfg *link = &vm->cfg->nets[dev->index];
	struct net_device *n = dv_vdev_new(dev, sizeof(*n));
	struct dv_vdev_kick kick;
	const char *why;
	uint8_t mac[6];
	int rc;

	if (!n)
		return DV_EXIT_FAILURE;
	/* A live upgrade's new image takes the open tap over */
	n->tap = link->fd >= 0 ? link->fd : dv_tap_open(link->tap, &why);
	if (n->tap < 0) {
		fprintf(stderr, "duvisor: --net tap=%s: %s: %s\n", link->tap, why,
			strerror(-n->tap));
		return DV_EXIT_FAILURE;
	}
	if (link->has_mac)
		memcpy(mac, link->mac, 6);
	else
		default_mac(dev->index, mac);
	rc = dv_vdev_kick_init(&n->v, vm->loop, net_kicked, n, &kick);
	if (!rc)
		rc = dv_vnet_init(&n->net, &vm->mem, dv_vm_irq_line(vm, dev->irq), n->tap, mac,
				  kick);
	n->model = !rc;
	if (!rc)
		rc = dv_vdev_start(&n->v, dev, &n->net.t);
	if (!rc) {
		n->tap_in = (struct dv_io_handler){.fd = n->tap, .fn = tap_readable, .opaque = n};
		rc = dv_ioloop_add(vm->loop, &n->tap_in, EPOLLIN);
		n->tap_polled = !rc;
	}
	return dv_vdev_created(dev, rc);
}

static void net_destroy(struct dv_device *dev)
{
	struct net_device *n = dev->priv;

	if (!n)
		return;
	if (n->model)
		dv_vnet_destroy(&n->net);
	if (n->tap >= 0)
		close(n->tap);
	dv_vdev_free(dev);
}

static void net_stats(const struct dv_device *dev, FILE *f)
{
	const struct net_device *n = dev->priv;
	const struct dv_vnet_stats *s = &n->net.stats;

	dv_vdev_stats(dev, f);
	fprintf(f,
		"duvisor: %s: rx %llu packets %llu bytes %llu dropped (%llu stale), tx %llu "
		"packets %llu bytes %llu dropped\n",
		dev->name, (unsigned long long)s->rx_packets, (unsigned long long)s->rx_bytes,
		(unsigned long long)s->rx_dropped, (unsigned long long)s->rx_stale,
		(unsigned long long)s->tx_packets, (unsigned long long)s->tx_bytes,
		(unsigned long long)s->tx_dropped);
}

static void net_counters(const struct dv_device *dev, struct dv_json *j)
{
	const struct net_device *n = dev->priv;
	const struct dv_vnet_stats *s = &n->net.stats;

	dv_vdev_counters(dev, j);
	dv_json_u64(j, "rx_packets", s->rx_packets);
	dv_json_u64(j, "rx_bytes", s->rx_bytes);
	dv_json_u64(j, "rx_dropped", s->rx_dropped);
	dv_json_u64(j, "tx_packets", s->tx_packets);
	dv_json_u64(j, "tx_bytes", s->tx_bytes);
	dv_json_u64(j, "tx_dropped", s->tx_dropped);
}

static int net_save(struct dv_device *dev, struct dv_snap_w *w)
{
	struct net_device *n = dev->priv;

	return dv_vnet_save(&n->net, w);
}

static int net_load(struct dv_device *dev, struct dv_snap_r *r)
{
	struct net_device *n = dev->priv;

	return dv_vnet_load(&n->net, r);
}

static int net_handover_fd(const struct dv_device *dev)
{
	const struct net_device *n = dev->priv;

	return n->tap;
}

const struct dv_device_ops dv_vnet_device = {
    .name = "virtio-net",
    .mmio_size = DV_VIRTIO_MMIO_SIZE,
    .irq = DV_DEV_IRQ_ANY,
    .count = net_count,
    .create = net_create,
    .fdt = dv_vdev_fdt,
    .reset = dv_vdev_reset,
    .destroy = net_destroy,
    .stats = net_stats,
    .counters = net_counters,
    .save = net_save,
    .load = net_load,
    .handover_fd = net_handover_fd,
};
