// SPDX-License-Identifier: GPL-2.0-only
/* virtio-console, driven as a guest driver would (vdrv.h): output in order, input as it fits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "vdrv.h"
#include "virtio/console.h"

#define UNTOUCHED 0xee
#define RXQ	  DV_VCONS_RXQ
#define TXQ	  DV_VCONS_TXQ

static struct vdrv d;
static struct dv_vcons cons;
static bool live;
static char out[256]; /* what reached the output callback */
static size_t out_len;
static unsigned int out_calls;

static void cleanup(void)
{
	if (live) {
		dv_vcons_destroy(&cons);
		vdrv_fini(&d);
		live = false;
	}
}

static void capture(void *ctx, const uint8_t *buf, size_t len)
{
	if (ctx != &out || out_len + len > sizeof(out))
		abort();
	memcpy(out + out_len, buf, len);
	out_len += len;
	out_calls++;
}

static void make_with(void (*fn)(void *, const uint8_t *, size_t))
{
	static bool registered;

	if (!registered && !atexit(cleanup))
		registered = true;
	cleanup();
	out_len = out_calls = 0;
	vdrv_init(&d);
	if (dv_vcons_init(&cons, &d.mem, vdrv_irq(&d), fn, &out, (struct dv_vdev_kick){0}))
		abort();
	live = true;
	vdrv_attach(&d, &cons.t);
	if (vdrv_up(&d, vdrv_features(&d) & ~VDRV_BIT(VIRTIO_RING_F_EVENT_IDX), 2,
		    DV_VCONS_QUEUE_SIZE) != VDRV_STATUS_OK)
		abort();
}

static void make(void)
{
	make_with(capture);
}

static struct vdrv_buf text(const char *s)
{
	return vdrv_out(&d, s, (uint32_t)strlen(s));
}

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

UT_TEST(config_and_features)
{
	make();
	UT_CHECK(vdrv_rd(&d, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_CONSOLE, "device id");
	UT_CHECK(vdrv_features(&d) ==
		     (VDRV_BIT(VIRTIO_RING_F_INDIRECT_DESC) | VDRV_BIT(VIRTIO_RING_F_EVENT_IDX) |
		      VDRV_BIT(VIRTIO_F_VERSION_1)),
		 "features %#llx", (unsigned long long)vdrv_features(&d));
	UT_CHECK(vdrv_cfg(&d, 0, 4) == 0 && vdrv_cfg(&d, 8, 4) == 0, "config reads 0");
}

UT_TEST(output_in_order)
{
	struct vdrv_buf b[3];

	make();
	b[0] = text("hel");
	b[1] = text("lo");
	vdrv_send(&d, TXQ, b, 2);
	UT_CHECK(out_len == 5 && !memcmp(out, "hello", 5), "first chain: '%.*s'", (int)out_len,
		 out);
	UT_CHECK(vdrv_used_idx(&d, TXQ) == 1 && vdrv_used(&d, TXQ, 0).len == 0, "returned empty");
	UT_CHECK(d.level && vdrv_ack(&d) == VIRTIO_MMIO_INT_VRING, "interrupt");
	/* Two chains queued, one notify; one of them indirect. */
	b[0] = text(" wor");
	vdrv_offer(&d, TXQ, vdrv_chain(&d, TXQ, b, 1));
	b[0] = text("l");
	b[1] = text("d\n");
	vdrv_offer(&d, TXQ, vdrv_indirect(&d, TXQ, b, 2));
	vdrv_notify(&d, TXQ);
	UT_CHECK(out_len == 12 && !memcmp(out, "hello world\n", 12), "all: '%.*s'", (int)out_len,
		 out);
	UT_CHECK(vdrv_used_idx(&d, TXQ) == 3, "all returned");
	UT_CHECK(cons.tx_bytes == 12, "tx_bytes %llu", (unsigned long long)cons.tx_bytes);
	UT_CHECK(vdrv_used_idx(&d, RXQ) == 0, "the receive queue untouched");
}

UT_TEST(output_ignores_writable_buffers)
{
	struct vdrv_buf b[2];

	make();
	b[0] = text("ok");
	b[1] = vdrv_in(&d, 8, UNTOUCHED);
	vdrv_send(&d, TXQ, b, 2);
	UT_CHECK(out_len == 2 && !memcmp(out, "ok", 2), "the readable part only");
	UT_CHECK(all(vdrv_bytes(&d, b[1]), 8, UNTOUCHED), "the writable part untouched");
	UT_CHECK(vdrv_used(&d, TXQ, 0).len == 0, "returned empty");
	b[0] = vdrv_in(&d, 8, UNTOUCHED);
	vdrv_send(&d, TXQ, b, 1);
	UT_CHECK(out_len == 2 && vdrv_used_idx(&d, TXQ) == 2, "a writable-only chain: returned");
}

UT_TEST(output_without_callback)
{
	struct vdrv_buf b[1];

	make_with(NULL);
	b[0] = text("lost");
	vdrv_send(&d, TXQ, b, 1);
	UT_CHECK(vdrv_used_idx(&d, TXQ) == 1 && out_len == 0, "returned, nowhere to go");
}

UT_TEST(input_fills_posted_buffers)
{
	struct vdrv_buf b[3][1];
	size_t n;

	make();
	UT_CHECK(!dv_vcons_can_input(&cons), "no buffers: no input");
	UT_CHECK(dv_vcons_input(&cons, (const uint8_t *)"x", 1) == 0, "none taken");
	b[0][0] = vdrv_in(&d, 4, UNTOUCHED);
	b[1][0] = vdrv_in(&d, 4, UNTOUCHED);
	post(b[0], 1);
	post(b[1], 1);
	UT_CHECK(dv_vcons_can_input(&cons), "buffers posted");
	n = dv_vcons_input(&cons, (const uint8_t *)"abcdefghij", 10);
	UT_CHECK(n == 8, "took %zu of 10", n);
	UT_CHECK(!memcmp(vdrv_bytes(&d, b[0][0]), "abcd", 4) &&
		     !memcmp(vdrv_bytes(&d, b[1][0]), "efgh", 4),
		 "in order");
	UT_CHECK(vdrv_used_idx(&d, RXQ) == 2 && vdrv_used(&d, RXQ, 0).len == 4 &&
		     vdrv_used(&d, RXQ, 1).len == 4,
		 "used lens");
	UT_CHECK(d.raised == 1 && vdrv_ack(&d) == VIRTIO_MMIO_INT_VRING, "one interrupt");
	UT_CHECK(!dv_vcons_can_input(&cons), "buffers used up");
	UT_CHECK(dv_vcons_input(&cons, (const uint8_t *)"ij", 2) == 0, "the rest waits");

	b[2][0] = vdrv_in(&d, 16, UNTOUCHED);
	post(b[2], 1);
	UT_CHECK(dv_vcons_can_input(&cons), "a new buffer");
	n = dv_vcons_input(&cons, (const uint8_t *)"ij", 2);
	UT_CHECK(n == 2 && !memcmp(vdrv_bytes(&d, b[2][0]), "ij", 2) &&
		     all(vdrv_bytes(&d, b[2][0]) + 2, 14, UNTOUCHED),
		 "the rest: %zu", n);
	UT_CHECK(vdrv_used(&d, RXQ, 2).len == 2, "used len %u", vdrv_used(&d, RXQ, 2).len);
	UT_CHECK(cons.rx_bytes == 10, "rx_bytes");
	UT_CHECK(out_len == 0, "input is not echoed");
}

UT_TEST(input_odd_buffers)
{
	struct vdrv_buf ro[1], split[2], spare[1];
	uint8_t junk[4] = {1, 2, 3, 4};
	uint16_t hr, hs;
	size_t n;

	make();
	ro[0] = vdrv_out(&d, junk, 4);
	split[0] = vdrv_in(&d, 2, UNTOUCHED);
	split[1] = vdrv_in(&d, 3, UNTOUCHED);
	hr = post(ro, 1);
	hs = post(split, 2);
	n = dv_vcons_input(&cons, (const uint8_t *)"xyzw", 4);
	UT_CHECK(n == 4, "took %zu", n);
	UT_CHECK(vdrv_used(&d, RXQ, 0).id == hr && vdrv_used(&d, RXQ, 0).len == 0 &&
		     !memcmp(vdrv_bytes(&d, ro[0]), junk, 4),
		 "a readable buffer returned empty, untouched");
	UT_CHECK(vdrv_used(&d, RXQ, 1).id == hs && vdrv_used(&d, RXQ, 1).len == 4,
		 "the split one used: %u", vdrv_used(&d, RXQ, 1).len);
	UT_CHECK(!memcmp(vdrv_bytes(&d, split[0]), "xy", 2) &&
		     !memcmp(vdrv_bytes(&d, split[1]), "zw", 2) &&
		     vdrv_bytes(&d, split[1])[2] == UNTOUCHED,
		 "across its pieces");

	spare[0] = vdrv_in(&d, 4, UNTOUCHED);
	post(spare, 1);
	UT_CHECK(dv_vcons_input(&cons, (const uint8_t *)"", 0) == 0, "no input");
	UT_CHECK(vdrv_used_idx(&d, RXQ) == 2 && dv_vcons_can_input(&cons),
		 "takes no buffer for nothing");
}

UT_TEST(input_needs_a_live_queue)
{
	struct vdrv_buf b[1];

	make();
	b[0] = vdrv_in(&d, 4, UNTOUCHED);
	post(b, 1);
	vdrv_wr(&d, VIRTIO_MMIO_STATUS, 0);
	UT_CHECK(!dv_vcons_can_input(&cons), "after a reset: no input");
	UT_CHECK(dv_vcons_input(&cons, (const uint8_t *)"a", 1) == 0 &&
		     all(vdrv_bytes(&d, b[0]), 4, UNTOUCHED),
		 "nothing taken or written");
}

UT_MAIN()
