// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: virtio-net (virtio_net.c, virtio_dev.c, virtio_mmio.c,
 * virtq.c) with fake guest RAM; the "tap" is one end of a non-blocking
 * AF_UNIX SOCK_SEQPACKET socketpair, the fuzzer holds the other (the host).
 *
 * Input: flags u8 (bit 1: a kick function instead of serving inline), the
 * driver's bring-up values (fz_bringup(), RX and TX queues), then
 * operations until the input ends. An opcode byte's low 7 bits pick the
 * operation (% OP_COUNT), bit 7 the queue. Besides raw guest-side and
 * register operations there are builders for a TX frame chain and an RX
 * buffer chain, and the host injects frames of any length (up to past the
 * largest a tap gives) into the tap.
 *
 * The host end is drained after each operation that can make the device
 * send (and at the end of the input): every frame the device
 * sent must be a header and a non-empty frame of at most DV_VNET_MAX_FRAME.
 * Both ends are drained before each input, so nothing carries over.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "virtio/net.h"

#define RAM_BASE   0x80000000ull
#define RAM_SIZE   0x10000ull
#define HEAP	   0x4000ull /* the chain builders' buffers: RAM from here on */
#define MAX_OPS	   1024
#define MAX_FRAME  (DV_VNET_HDR_LEN + DV_VNET_MAX_FRAME)
#define MAX_INJECT (MAX_FRAME + 64) /* longer than any read: SEQPACKET truncates */

enum {
	OP_MMIO_WRITE = FZ_G_COUNT, /* offset u16, size u8, value u64 */
	OP_MMIO_READ,		    /* offset u16, size u8 */
	OP_NOTIFY,		    /* QueueNotify of the op's queue */
	OP_SERVE,		    /* the server thread runs after a kick: dv_vnet_serve() */
	OP_RX,			    /* the tap is readable: dv_vnet_rx() */
	OP_INJECT,		    /* length u32, n u8, n bytes: a frame from the host */
	OP_CHAIN,		    /* length u32, layout u8: a chain on the op's queue */
	OP_BRINGUP,
	OP_CONFIG, /* the driver reads the config space */
	OP_COUNT
};

/* OP_CHAIN layout bits; buffers are device-writable on RX, readable on TX */
#define CH_SEGS	    3 /* 1 + (layout & 3) buffers */
#define CH_INDIRECT 4
#define CH_NOTIFY   8

static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

static struct dv_guest_mem mem;
static struct dv_vnet net;
static struct fz_mmio x = {.dev = &net.t};
static int sv[2] = {-1, -1};   /* sv[0]: the device's tap, sv[1]: the host */
static uint8_t *buf, *pattern; /* pattern: the rest of an injected frame */
static unsigned int kicks;
static uint64_t heap;
static uint16_t next_desc[2];

static void kick(void *ctx)
{
	FZ_CHECK(ctx == &net, "kick ctx");
	FZ_CHECK(atomic_load(&net.pending) & 3, "kicked with nothing pending");
	kicks++;
}

static void init_once(void)
{
	size_t i;

	fz_ram_alloc(&mem, RAM_BASE, RAM_SIZE);
	buf = malloc(MAX_INJECT);
	pattern = malloc(MAX_INJECT);
	if (!buf || !pattern ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv))
		abort();
	for (i = 0; i < MAX_INJECT; i++)
		pattern[i] = (uint8_t)i;
}

/* Reads what fd holds; on the host end, checks each frame the device sent. */
static void drain(int fd, bool host)
{
	for (;;) {
		ssize_t r = recv(fd, buf, MAX_INJECT, MSG_DONTWAIT | MSG_TRUNC);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			FZ_CHECK(errno == EAGAIN || errno == EWOULDBLOCK, "recv: errno %d", errno);
			return;
		}
		if (host)
			FZ_CHECK((size_t)r > DV_VNET_HDR_LEN && (size_t)r <= MAX_FRAME,
				 "the device sent %zd bytes", r);
	}
}

static void inject(struct fz *f)
{
	uint32_t len = fz_u32(f) % (MAX_INJECT + 1), have = fz_u8(f);

	if (have > len)
		have = len;
	have = (uint32_t)fz_bytes(f, buf, have);
	memcpy(buf + have, pattern + have, len - have);
	/* A full socket drops it, as a tap's queue would. */
	if (send(sv[1], buf, len, MSG_DONTWAIT) < 0)
		FZ_CHECK(errno == EAGAIN || errno == ENOBUFS || errno == EMSGSIZE, "send: errno %d",
			 errno);
}

static uint64_t alloc(uint64_t len)
{
	uint64_t at;

	if (len > RAM_SIZE - HEAP)
		len = RAM_SIZE - HEAP;
	if (heap + len > RAM_SIZE)
		heap = HEAP;
	at = heap;
	heap += (len + 15) & ~15ull;
	return RAM_BASE + at;
}

/*
 * A chain of len bytes in 1 to 4 buffers: a frame with its header to send
 * on TX, room for one to receive on RX. Longer than the RAM the builder has,
 * the buffers overlap (the device does not mind).
 */
static void build_chain(struct fz *f, unsigned int queue)
{
	uint32_t len = fz_u32(f) % (MAX_INJECT + 1), i;
	uint8_t layout = fz_u8(f);
	uint32_t k = 1 + (layout & CH_SEGS);
	struct fz_drvq q = fz_mmio_drvq(&x, queue);
	uint16_t flags = queue == DV_VNET_RXQ ? VRING_DESC_F_WRITE : 0;
	uint64_t addr[4], table, part;
	uint32_t lens[4];

	if (!q.num)
		return;
	for (i = 0; i < k; i++) {
		part = i + 1 < k ? len / k : len - (k - 1) * (len / k);
		lens[i] = (uint32_t)part;
		addr[i] = alloc(part);
		if (part > RAM_SIZE - HEAP) {
			/* Too long for the heap: it ends where RAM ends, over the rings. */
			addr[i] = RAM_BASE + RAM_SIZE - part;
		} else if (!flags) {
			memset(dv_gpa_ptr(&mem, addr[i], part), (int)(0x40 + i), part);
		}
	}
	if (layout & CH_INDIRECT) {
		table = alloc(16 * k);
		for (i = 0; i < k; i++)
			fz_put_desc(&mem, table + 16 * i, addr[i], lens[i],
				    (uint16_t)(flags | (i + 1 < k ? VRING_DESC_F_NEXT : 0)),
				    (uint16_t)(i + 1));
		fz_put_desc(&mem, q.desc + 16ull * (next_desc[queue] % q.num), table, 16 * k,
			    VRING_DESC_F_INDIRECT, 0);
		fz_avail_add(&mem, &q, (uint16_t)(next_desc[queue]++ % q.num));
	} else {
		uint16_t head = next_desc[queue] % q.num;

		for (i = 0; i < k; i++, next_desc[queue]++)
			fz_put_desc(&mem, q.desc + 16ull * (next_desc[queue] % q.num), addr[i],
				    lens[i],
				    (uint16_t)(flags | (i + 1 < k ? VRING_DESC_F_NEXT : 0)),
				    (uint16_t)((next_desc[queue] + 1) % q.num));
		fz_avail_add(&mem, &q, head);
	}
	if (layout & CH_NOTIFY)
		fz_mmio_write(&x, VIRTIO_MMIO_QUEUE_NOTIFY, 4, queue);
}

static void check_config(void)
{
	unsigned int i;

	for (i = 0; i < 6; i++)
		FZ_CHECK(fz_mmio_read(&x, VIRTIO_MMIO_CONFIG + i, 1) == mac[i], "mac[%u]", i);
	FZ_CHECK(fz_mmio_read(&x, VIRTIO_MMIO_CONFIG + 6, 2) == VIRTIO_NET_S_LINK_UP, "status");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct dv_irq_line line = {fz_irq_set, &x, 5};
	uint8_t flags = fz_u8(&f);
	struct dv_vdev_kick k = {flags & 2 ? kick : NULL, &net};
	unsigned int n;
	int fds;

	if (sv[0] < 0)
		init_once();
	fds = fz_fds_begin();
	memset(mem.host, 0, RAM_SIZE);
	heap = HEAP;
	kicks = 0;
	next_desc[0] = next_desc[1] = 0;
	x.level = false;
	drain(sv[0], false);
	drain(sv[1], true);
	if (dv_vnet_init(&net, &mem, line, sv[0], mac, k))
		abort();

	fz_bringup(&x, &f, &mem, 2);
	fz_check_transport(&x);
	for (n = 0; n < MAX_OPS && f.n; n++) {
		uint8_t b = fz_u8(&f);
		unsigned int op = (b & 0x7f) % OP_COUNT, queue = b >> 7;
		struct fz_drvq q;

		switch (op) {
		case OP_MMIO_WRITE:
			fz_mmio_op(&x, &f, true);
			break;
		case OP_MMIO_READ:
			fz_mmio_op(&x, &f, false);
			break;
		case OP_NOTIFY:
			fz_mmio_write(&x, VIRTIO_MMIO_QUEUE_NOTIFY, 4, queue);
			break;
		case OP_SERVE:
			dv_vnet_serve(&net);
			break;
		case OP_RX:
			dv_vnet_rx(&net);
			break;
		case OP_INJECT:
			inject(&f);
			break;
		case OP_CHAIN:
			build_chain(&f, queue);
			break;
		case OP_BRINGUP:
			fz_bringup(&x, &f, &mem, 2);
			break;
		case OP_CONFIG:
			check_config();
			break;
		default:
			q = fz_mmio_drvq(&x, queue);
			fz_guest_op(op, &f, &mem, &q);
			break;
		}
		fz_check_transport(&x);
		FZ_CHECK(!dv_vnet_rx_stalled(&net) || net.frame_len > DV_VNET_HDR_LEN,
			 "stalled on a frame of %zu bytes", net.frame_len);
		FZ_CHECK(net.frame_len <= MAX_FRAME, "a frame of %zu bytes", net.frame_len);
		/* Only these can make the device send (a notify serves TX inline) */
		if (op == OP_MMIO_WRITE || op == OP_NOTIFY || op == OP_SERVE || op == OP_CHAIN ||
		    op == OP_BRINGUP)
			drain(sv[1], true);
	}
	if (fz_verbose())
		fprintf(stderr,
			"net: status %#x, %u kicks, rx %lu packets %lu bytes %lu dropped, "
			"tx %lu packets %lu bytes %lu dropped%s\n",
			net.t.status, kicks, (unsigned long)net.stats.rx_packets,
			(unsigned long)net.stats.rx_bytes, (unsigned long)net.stats.rx_dropped,
			(unsigned long)net.stats.tx_packets, (unsigned long)net.stats.tx_bytes,
			(unsigned long)net.stats.tx_dropped, net.rx_stalled ? ", rx stalled" : "");
	dv_vnet_destroy(&net);
	drain(sv[0], false);
	drain(sv[1], true);
	fz_fds_end(fds);
	return 0;
}
