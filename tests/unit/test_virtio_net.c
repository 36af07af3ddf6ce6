// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-net, driven as a guest driver would (vdrv.h), over a non-blocking
 * SOCK_SEQPACKET socketpair standing in for the tap: one record per frame,
 * header included, as a tap with IFF_VNET_HDR carries them.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"
#include "vdrv.h"
#include "virtio/net.h"

#define UNTOUCHED 0xee
#define RXQ	  DV_VNET_RXQ
#define TXQ	  DV_VNET_TXQ
#define BIG	  (DV_VNET_HDR_LEN + DV_VNET_MAX_FRAME) /* the largest chain or frame */
#define RXBUF	  1526					/* header and a 1514-byte frame */

static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

static struct vdrv d;
static struct dv_vnet net;
static bool live;
static int sv[2] = {-1, -1}; /* sv[0] is the device's tap, sv[1] the host's side */
static uint8_t pkt[BIG + 4096], got[BIG + 4096];

static void cleanup(void)
{
	if (live) {
		dv_vnet_destroy(&net);
		vdrv_fini(&d);
		close(sv[0]);
		close(sv[1]);
		live = false;
	}
}

static void make(void)
{
	static bool registered;

	if (!registered && !atexit(cleanup))
		registered = true;
	cleanup();
	vdrv_init(&d);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) ||
	    dv_vnet_init(&net, &d.mem, vdrv_irq(&d), sv[0], mac, (struct dv_vdev_kick){0}))
		abort();
	live = true;
	vdrv_attach(&d, &net.t);
	if (vdrv_up(&d, vdrv_features(&d) & ~VDRV_BIT(VIRTIO_RING_F_EVENT_IDX), 2,
		    DV_VNET_QUEUE_SIZE) != VDRV_STATUS_OK)
		abort();
}

/* A header (bytes 1..12, num_buffers 0xffff) and a frame of len bytes, seeded. */
static size_t packet(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < DV_VNET_HDR_LEN; i++)
		p[i] = (uint8_t)(i + 1);
	p[10] = p[11] = 0xff;
	for (size_t i = 0; i < len; i++)
		p[DV_VNET_HDR_LEN + i] = (uint8_t)(seed + i * 3);
	return DV_VNET_HDR_LEN + len;
}

/* What the host side received: the record's length, or -errno (-EAGAIN: nothing). */
static ssize_t host_recv(void)
{
	ssize_t r = recv(sv[1], got, sizeof(got), MSG_DONTWAIT);

	return r < 0 ? -errno : r;
}

static void host_send(const uint8_t *p, size_t len)
{
	if (send(sv[1], p, len, MSG_DONTWAIT) != (ssize_t)len)
		abort();
}

/* Sends a TX chain; the length it came back with, or ~0u if it did not. */
static uint32_t tx(const struct vdrv_buf *b, unsigned int n, bool indirect)
{
	uint16_t before = vdrv_used_idx(&d, TXQ);
	uint16_t head = indirect ? vdrv_send_indirect(&d, TXQ, b, n) : vdrv_send(&d, TXQ, b, n);
	struct vring_used_elem e;

	if (vdrv_used_idx(&d, TXQ) != (uint16_t)(before + 1))
		return ~0u;
	e = vdrv_used(&d, TXQ, before);
	return e.id == head ? e.len : ~0u;
}

/* Posts an RX chain (no notify); returns its head. */
static uint16_t post(const struct vdrv_buf *b, unsigned int n)
{
	uint16_t head = vdrv_chain(&d, RXQ, b, n);

	vdrv_offer(&d, RXQ, head);
	return head;
}

static bool all(const uint8_t *p, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* buf holds packet p of len bytes as the driver must see it: num_buffers = 1. */
static bool delivered(const uint8_t *buf, const uint8_t *p, size_t len)
{
	return !memcmp(buf, p, 10) && buf[10] == 1 && buf[11] == 0 &&
	       !memcmp(buf + DV_VNET_HDR_LEN, p + DV_VNET_HDR_LEN, len - DV_VNET_HDR_LEN);
}

UT_TEST(config_and_features)
{
	make();
	UT_CHECK(vdrv_rd(&d, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_NET, "device id");
	UT_CHECK(vdrv_features(&d) ==
		     (VDRV_BIT(VIRTIO_NET_F_MAC) | VDRV_BIT(VIRTIO_NET_F_STATUS) |
		      VDRV_BIT(VIRTIO_NET_F_CSUM) | VDRV_BIT(VIRTIO_NET_F_GUEST_CSUM) |
		      VDRV_BIT(VIRTIO_NET_F_GUEST_TSO4) | VDRV_BIT(VIRTIO_NET_F_GUEST_TSO6) |
		      VDRV_BIT(VIRTIO_NET_F_HOST_TSO4) | VDRV_BIT(VIRTIO_NET_F_HOST_TSO6) |
		      VDRV_BIT(VIRTIO_RING_F_INDIRECT_DESC) | VDRV_BIT(VIRTIO_RING_F_EVENT_IDX) |
		      VDRV_BIT(VIRTIO_F_VERSION_1)),
		 "features %#llx", (unsigned long long)vdrv_features(&d));
	for (uint32_t i = 0; i < 6; i++)
		UT_CHECK(vdrv_cfg(&d, i, 1) == mac[i], "mac[%u] %#x", i, vdrv_cfg(&d, i, 1));
	UT_CHECK(vdrv_cfg(&d, 0, 4) == 0x12005452, "mac, a word at 0: %#x", vdrv_cfg(&d, 0, 4));
	UT_CHECK(vdrv_cfg(&d, 4, 2) == 0x5634, "mac, a half at 4");
	UT_CHECK(vdrv_cfg(&d, 6, 2) == VIRTIO_NET_S_LINK_UP, "status: link up");
	UT_CHECK(vdrv_cfg(&d, 4, 4) == (0x5634 | VIRTIO_NET_S_LINK_UP << 16), "a word at 4");
	UT_CHECK(vdrv_cfg(&d, 8, 1) == 0 && vdrv_cfg(&d, 6, 4) == 0, "beyond the config space");
}

UT_TEST(tx_frame)
{
	struct vdrv_buf b[4];
	size_t len = packet(pkt, 60, 9);
	ssize_t r;

	make();
	b[0] = vdrv_out(&d, pkt, DV_VNET_HDR_LEN);
	b[1] = vdrv_out(&d, pkt + 12, 30);
	b[2] = vdrv_out(&d, pkt + 42, 30);
	UT_CHECK(tx(b, 3, false) == 0, "returned empty");
	r = host_recv();
	UT_CHECK(r == (ssize_t)len && !memcmp(got, pkt, len), "on the tap, header intact: %zd", r);
	UT_CHECK(host_recv() == -EAGAIN, "once");
	UT_CHECK(net.stats.tx_packets == 1 && net.stats.tx_bytes == 60, "stats");
	UT_CHECK(d.level && vdrv_ack(&d) == VIRTIO_MMIO_INT_VRING, "interrupt");

	/* The header split in two, through an indirect table. */
	len = packet(pkt, 200, 77);
	b[0] = vdrv_out(&d, pkt, 5);
	b[1] = vdrv_out(&d, pkt + 5, 7);
	b[2] = vdrv_out(&d, pkt + 12, 1);
	b[3] = vdrv_out(&d, pkt + 13, 199);
	UT_CHECK(tx(b, 4, true) == 0, "indirect: returned empty");
	r = host_recv();
	UT_CHECK(r == (ssize_t)len && !memcmp(got, pkt, len), "indirect: on the tap: %zd", r);
	UT_CHECK(net.stats.tx_packets == 2 && net.stats.tx_bytes == 260, "stats");
}

UT_TEST(tx_largest_frame)
{
	struct vdrv_buf b[1];
	size_t len = packet(pkt, DV_VNET_MAX_FRAME, 1);
	ssize_t r;

	make();
	b[0] = vdrv_out(&d, pkt, (uint32_t)len);
	UT_CHECK(tx(b, 1, false) == 0, "returned");
	r = host_recv();
	UT_CHECK(r == (ssize_t)len && !memcmp(got, pkt, len), "on the tap: %zd", r);
	UT_CHECK(net.stats.tx_packets == 1 && net.stats.tx_dropped == 0, "sent");
}

UT_TEST(tx_bad_length_dropped)
{
	static const uint32_t lens[] = {0, 1, 5, DV_VNET_HDR_LEN, BIG + 1, BIG + 4096};
	size_t n = sizeof(lens) / sizeof(lens[0]);

	make();
	packet(pkt, DV_VNET_MAX_FRAME + 4096, 3);
	for (size_t i = 0; i < n; i++) {
		struct vdrv_buf b[1] = {vdrv_out(&d, pkt, lens[i])};
		uint32_t len = tx(b, 1, false);

		UT_CHECK(len == 0, "%u bytes: returned empty (%u)", lens[i], len);
		UT_CHECK(host_recv() == -EAGAIN, "%u bytes: nothing sent", lens[i]);
	}
	UT_CHECK(net.stats.tx_dropped == n && net.stats.tx_packets == 0, "dropped: %llu",
		 (unsigned long long)net.stats.tx_dropped);
	UT_CHECK(vdrv_rd(&d, VIRTIO_MMIO_STATUS) == VDRV_STATUS_OK, "the device carries on");
}

UT_TEST(tx_writable_descriptors_dropped)
{
	struct vdrv_buf b[2];
	size_t len = packet(pkt, 60, 5);

	make();
	b[0] = vdrv_out(&d, pkt, (uint32_t)len);
	b[1] = vdrv_in(&d, 64, UNTOUCHED);
	UT_CHECK(tx(b, 2, false) == 0, "a frame then a writable buffer: returned empty");
	UT_CHECK(all(vdrv_bytes(&d, b[1]), 64, UNTOUCHED), "the writable buffer untouched");
	UT_CHECK(host_recv() == -EAGAIN, "nothing sent");
	b[0] = vdrv_in(&d, (uint32_t)len, UNTOUCHED);
	UT_CHECK(tx(b, 1, false) == 0, "writable only: returned empty");
	UT_CHECK(all(vdrv_bytes(&d, b[0]), len, UNTOUCHED), "untouched");
	UT_CHECK(host_recv() == -EAGAIN, "nothing sent");
	UT_CHECK(net.stats.tx_dropped == 2 && net.stats.tx_packets == 0, "dropped");
}

UT_TEST(tx_host_full_drops)
{
	size_t len = packet(pkt, DV_VNET_MAX_FRAME, 1);
	struct vdrv_buf b[1];
	unsigned int i;

	make();
	b[0] = vdrv_out(&d, pkt, (uint32_t)len);
	/* Nobody reads the host side: sooner or later the tap would block. */
	for (i = 0; i < 100 && !net.stats.tx_dropped; i++)
		UT_CHECK(tx(b, 1, false) == 0, "frame %u returned", i);
	UT_CHECK(net.stats.tx_dropped == 1 && net.stats.tx_packets == i - 1,
		 "a frame the host would not take is dropped: %llu sent, %llu dropped",
		 (unsigned long long)net.stats.tx_packets,
		 (unsigned long long)net.stats.tx_dropped);
	UT_CHECK(vdrv_used_idx(&d, TXQ) == i, "and returned");
}

UT_TEST(rx_frame)
{
	struct vdrv_buf b[1];
	size_t len = packet(pkt, 100, 42);
	struct vring_used_elem e;
	uint16_t head;

	make();
	b[0] = vdrv_in(&d, RXBUF, UNTOUCHED);
	head = post(b, 1);
	vdrv_notify(&d, RXQ);
	UT_CHECK(vdrv_used_idx(&d, RXQ) == 0 && !dv_vnet_rx_stalled(&net), "no frame yet");
	host_send(pkt, len);
	dv_vnet_rx(&net);
	e = vdrv_used(&d, RXQ, 0);
	UT_CHECK(vdrv_used_idx(&d, RXQ) == 1 && e.id == head && e.len == len, "used: %u %u", e.id,
		 e.len);
	UT_CHECK(delivered(vdrv_bytes(&d, b[0]), pkt, len), "the frame, num_buffers 1");
	UT_CHECK(all(vdrv_bytes(&d, b[0]) + len, RXBUF - len, UNTOUCHED), "nothing after it");
	UT_CHECK(net.stats.rx_packets == 1 && net.stats.rx_bytes == 100, "stats");
	UT_CHECK(d.level && vdrv_ack(&d) == VIRTIO_MMIO_INT_VRING, "interrupt");
	UT_CHECK(!dv_vnet_rx_stalled(&net) && host_recv() == -EAGAIN, "nothing left");
}

UT_TEST(rx_split_buffers)
{
	struct vdrv_buf b[3];
	size_t len = packet(pkt, 300, 7);
	uint8_t buf[400];
	uint16_t head;

	make();
	/* A buffer exactly as long as the frame, in three pieces cutting the header. */
	b[0] = vdrv_in(&d, 10, UNTOUCHED);
	b[1] = vdrv_in(&d, 3, UNTOUCHED);
	b[2] = vdrv_in(&d, (uint32_t)len - 13, UNTOUCHED);
	head = post(b, 3);
	host_send(pkt, len);
	dv_vnet_rx(&net);
	UT_CHECK(vdrv_used_idx(&d, RXQ) == 1 && vdrv_used(&d, RXQ, 0).id == head &&
		     vdrv_used(&d, RXQ, 0).len == len,
		 "used len %u", vdrv_used(&d, RXQ, 0).len);
	memcpy(buf, vdrv_bytes(&d, b[0]), 10);
	memcpy(buf + 10, vdrv_bytes(&d, b[1]), 3);
	memcpy(buf + 13, vdrv_bytes(&d, b[2]), len - 13);
	UT_CHECK(delivered(buf, pkt, len), "the frame across the pieces");

	/* And through an indirect table. */
	len = packet(pkt, 64, 99);
	b[0] = vdrv_in(&d, DV_VNET_HDR_LEN, UNTOUCHED);
	b[1] = vdrv_in(&d, RXBUF, UNTOUCHED);
	vdrv_offer(&d, RXQ, vdrv_indirect(&d, RXQ, b, 2));
	host_send(pkt, len);
	dv_vnet_rx(&net);
	memcpy(buf, vdrv_bytes(&d, b[0]), DV_VNET_HDR_LEN);
	memcpy(buf + DV_VNET_HDR_LEN, vdrv_bytes(&d, b[1]), len - DV_VNET_HDR_LEN);
	UT_CHECK(vdrv_used_idx(&d, RXQ) == 2 && vdrv_used(&d, RXQ, 1).len == len &&
		     delivered(buf, pkt, len),
		 "indirect");
}

UT_TEST(rx_stall_and_resume)
{
	static uint8_t p2[200];
	size_t len1 = packet(pkt, 80, 1), len2 = packet(p2, 150, 2);
	struct vdrv_buf b1[1], b2[1];

	make();
	host_send(pkt, len1);
	host_send(p2, len2);
	dv_vnet_rx(&net);
	UT_CHECK(dv_vnet_rx_stalled(&net), "no buffers: stalled");
	UT_CHECK(vdrv_used_idx(&d, RXQ) == 0 && !d.level, "nothing used");
	dv_vnet_rx(&net);
	UT_CHECK(dv_vnet_rx_stalled(&net) && net.stats.rx_dropped == 0, "still, nothing dropped");

	b1[0] = vdrv_in(&d, RXBUF, UNTOUCHED);
	post(b1, 1);
	UT_CHECK(dv_vnet_rx_stalled(&net), "a buffer posted but not notified");
	vdrv_notify(&d, RXQ);
	UT_CHECK(vdrv_used_idx(&d, RXQ) == 1 && vdrv_used(&d, RXQ, 0).len == len1 &&
		     delivered(vdrv_bytes(&d, b1[0]), pkt, len1),
		 "the notify delivered the first frame");
	UT_CHECK(dv_vnet_rx_stalled(&net), "the second waits");
	UT_CHECK(d.level, "interrupt");

	b2[0] = vdrv_in(&d, RXBUF, UNTOUCHED);
	post(b2, 1);
	vdrv_notify(&d, RXQ);
	UT_CHECK(vdrv_used_idx(&d, RXQ) == 2 && vdrv_used(&d, RXQ, 1).len == len2 &&
		     delivered(vdrv_bytes(&d, b2[0]), p2, len2),
		 "then the second");
	UT_CHECK(!dv_vnet_rx_stalled(&net), "no longer stalled");
	UT_CHECK(net.stats.rx_packets == 2 && net.stats.rx_dropped == 0, "stats");
	UT_CHECK(host_recv() == -EAGAIN, "nothing came back");
}

UT_TEST(rx_before_driver_ok_stalls)
{
	size_t len = packet(pkt, 80, 1);
	struct vdrv_buf b[1];

	make();
	vdrv_wr(&d, VIRTIO_MMIO_STATUS, 0);
	host_send(pkt, len);
	dv_vnet_rx(&net);
	UT_CHECK(dv_vnet_rx_stalled(&net), "no live queue: stalled");
	vdrv_up(&d, 0, 2, DV_VNET_QUEUE_SIZE);
	b[0] = vdrv_in(&d, RXBUF, UNTOUCHED);
	post(b, 1);
	vdrv_notify(&d, RXQ);
	/* The frame was read before the driver reset the device: it is dropped */
	UT_CHECK(!dv_vnet_rx_stalled(&net) && vdrv_used_idx(&d, RXQ) == 0 &&
		     net.stats.rx_dropped == 1,
		 "a frame from before the reset is dropped (used %u, dropped %llu)",
		 vdrv_used_idx(&d, RXQ), (unsigned long long)net.stats.rx_dropped);
	host_send(pkt, len);
	dv_vnet_rx(&net);
	UT_CHECK(vdrv_used_idx(&d, RXQ) == 1 && delivered(vdrv_bytes(&d, b[0]), pkt, len),
		 "the next frame is delivered");
}

UT_TEST(rx_buffer_too_small)
{
	static uint8_t p2[200];
	size_t len = packet(pkt, 100, 1), len2 = packet(p2, 100, 2);
	struct vdrv_buf small[1], fit[1];
	uint16_t hs, hf;

	make();
	small[0] = vdrv_in(&d, (uint32_t)len - 1, UNTOUCHED);
	fit[0] = vdrv_in(&d, (uint32_t)len2, UNTOUCHED);
	hs = post(small, 1);
	hf = post(fit, 1);
	host_send(pkt, len);
	host_send(p2, len2);
	dv_vnet_rx(&net);
	UT_CHECK(vdrv_used_idx(&d, RXQ) == 2, "both buffers used: %u", vdrv_used_idx(&d, RXQ));
	UT_CHECK(vdrv_used(&d, RXQ, 0).id == hs && vdrv_used(&d, RXQ, 0).len == 0,
		 "the small one returned empty: len %u", vdrv_used(&d, RXQ, 0).len);
	UT_CHECK(all(vdrv_bytes(&d, small[0]), len - 1, UNTOUCHED), "and untouched");
	UT_CHECK(vdrv_used(&d, RXQ, 1).id == hf && vdrv_used(&d, RXQ, 1).len == len2 &&
		     delivered(vdrv_bytes(&d, fit[0]), p2, len2),
		 "the first frame was dropped, the second fits exactly");
	UT_CHECK(net.stats.rx_dropped == 1 && net.stats.rx_packets == 1, "stats");
	UT_CHECK(!dv_vnet_rx_stalled(&net), "not stalled");
}

UT_TEST(rx_readable_buffer_dropped)
{
	size_t len = packet(pkt, 60, 1);
	struct vdrv_buf b[2];
	uint8_t ro[16];

	make();
	memset(ro, 0x5a, sizeof(ro));
	b[0] = vdrv_out(&d, ro, sizeof(ro));
	b[1] = vdrv_in(&d, RXBUF, UNTOUCHED);
	post(b, 2);
	host_send(pkt, len);
	dv_vnet_rx(&net);
	UT_CHECK(vdrv_used_idx(&d, RXQ) == 1 && vdrv_used(&d, RXQ, 0).len == 0, "returned empty");
	UT_CHECK(all(vdrv_bytes(&d, b[0]), sizeof(ro), 0x5a) &&
		     all(vdrv_bytes(&d, b[1]), RXBUF, UNTOUCHED),
		 "untouched");
	UT_CHECK(net.stats.rx_dropped == 1 && net.stats.rx_packets == 0, "dropped");
}

UT_TEST(rx_runt_dropped)
{
	size_t len = packet(pkt, 60, 1);
	struct vdrv_buf b[1];

	make();
	b[0] = vdrv_in(&d, RXBUF, UNTOUCHED);
	post(b, 1);
	host_send(pkt, DV_VNET_HDR_LEN);
	host_send(pkt, 5);
	dv_vnet_rx(&net);
	UT_CHECK(vdrv_used_idx(&d, RXQ) == 0 && net.stats.rx_dropped == 2,
		 "no frame: dropped without using a buffer");
	UT_CHECK(!dv_vnet_rx_stalled(&net), "not stalled");
	host_send(pkt, len);
	dv_vnet_rx(&net);
	UT_CHECK(vdrv_used_idx(&d, RXQ) == 1 && delivered(vdrv_bytes(&d, b[0]), pkt, len),
		 "the buffer takes the next frame");
}

UT_TEST(rx_several_frames_one_interrupt)
{
	struct vdrv_buf b[4][1];
	size_t len[4];

	make();
	for (int i = 0; i < 4; i++) {
		b[i][0] = vdrv_in(&d, RXBUF, UNTOUCHED);
		post(b[i], 1);
	}
	for (int i = 0; i < 4; i++) {
		len[i] = packet(pkt, 60 + 10 * (size_t)i, (uint8_t)i);
		host_send(pkt, len[i]);
	}
	dv_vnet_rx(&net);
	UT_CHECK(vdrv_used_idx(&d, RXQ) == 4 && d.raised == 1, "four used, one interrupt: %u %u",
		 vdrv_used_idx(&d, RXQ), d.raised);
	for (int i = 0; i < 4; i++) {
		packet(pkt, len[i] - DV_VNET_HDR_LEN, (uint8_t)i);
		UT_CHECK(vdrv_used(&d, RXQ, (uint16_t)i).len == len[i] &&
			     delivered(vdrv_bytes(&d, b[i][0]), pkt, len[i]),
			 "frame %d in order", i);
	}
}

UT_MAIN()
