// SPDX-License-Identifier: GPL-2.0-only
/* virtio-rng, driven as a guest driver would (vdrv.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "vdrv.h"
#include "virtio/rng.h"

#define UNTOUCHED 0xee

static struct vdrv d;
static struct dv_vrng rng;
static bool live;

static void cleanup(void)
{
	if (live) {
		dv_vrng_destroy(&rng);
		vdrv_fini(&d);
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
	if (dv_vrng_init(&rng, &d.mem, vdrv_irq(&d), (struct dv_vdev_kick){0}))
		abort();
	live = true;
	vdrv_attach(&d, &rng.t);
	if (vdrv_up(&d, vdrv_features(&d) & ~VDRV_BIT(VIRTIO_RING_F_EVENT_IDX), 1,
		    DV_VRNG_QUEUE_SIZE) != VDRV_STATUS_OK)
		abort();
}

/* Sends a chain; the length it came back with, or ~0u if it did not. */
static uint32_t run(const struct vdrv_buf *b, unsigned int n, bool indirect)
{
	uint16_t before = vdrv_used_idx(&d, 0);
	uint16_t head = indirect ? vdrv_send_indirect(&d, 0, b, n) : vdrv_send(&d, 0, b, n);
	struct vring_used_elem e;

	if (vdrv_used_idx(&d, 0) != (uint16_t)(before + 1))
		return ~0u;
	e = vdrv_used(&d, 0, before);
	return e.id == head ? e.len : ~0u;
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
	UT_CHECK(vdrv_rd(&d, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_RNG, "device id");
	UT_CHECK(vdrv_features(&d) ==
		     (VDRV_BIT(VIRTIO_RING_F_INDIRECT_DESC) | VDRV_BIT(VIRTIO_RING_F_EVENT_IDX) |
		      VDRV_BIT(VIRTIO_F_VERSION_1)),
		 "features %#llx", (unsigned long long)vdrv_features(&d));
	UT_CHECK(vdrv_cfg(&d, 0, 4) == 0, "no config space");
}

UT_TEST(fills_buffers)
{
	struct vdrv_buf a[1], b[1];
	uint32_t len;

	make();
	a[0] = vdrv_in(&d, 64, 0);
	len = run(a, 1, false);
	UT_CHECK(len == 64, "used len %u", len);
	UT_CHECK(!all(vdrv_bytes(&d, a[0]), 64, 0), "not all zero");
	UT_CHECK(d.level && vdrv_ack(&d) == VIRTIO_MMIO_INT_VRING, "interrupt");
	b[0] = vdrv_in(&d, 64, 0);
	len = run(b, 1, true);
	UT_CHECK(len == 64, "indirect: used len %u", len);
	UT_CHECK(memcmp(vdrv_bytes(&d, a[0]), vdrv_bytes(&d, b[0]), 64), "two requests differ");
	UT_CHECK(rng.bytes == 128, "bytes %llu", (unsigned long long)rng.bytes);
}

UT_TEST(capped_per_request)
{
	struct vdrv_buf b[3];
	uint32_t len;

	make();
	b[0] = vdrv_in(&d, 10000, UNTOUCHED);
	len = run(b, 1, false);
	UT_CHECK(len == DV_VRNG_MAX_REQ, "used len %u", len);
	UT_CHECK(all(vdrv_bytes(&d, b[0]) + DV_VRNG_MAX_REQ, 10000 - DV_VRNG_MAX_REQ, UNTOUCHED),
		 "nothing past the cap written");
	UT_CHECK(!all(vdrv_bytes(&d, b[0]) + DV_VRNG_MAX_REQ - 64, 64, UNTOUCHED),
		 "up to the cap written");

	for (int i = 0; i < 3; i++)
		b[i] = vdrv_in(&d, 3000, UNTOUCHED);
	len = run(b, 3, false);
	UT_CHECK(len == DV_VRNG_MAX_REQ, "three segments: used len %u", len);
	UT_CHECK(!all(vdrv_bytes(&d, b[0]) + 3000 - 64, 64, UNTOUCHED), "segment 0 filled");
	UT_CHECK(!all(vdrv_bytes(&d, b[1]) + DV_VRNG_MAX_REQ - 3000 - 64, 64, UNTOUCHED),
		 "segment 1 filled to the cap");
	UT_CHECK(
	    all(vdrv_bytes(&d, b[1]) + DV_VRNG_MAX_REQ - 3000, 6000 - DV_VRNG_MAX_REQ, UNTOUCHED),
	    "but not beyond");
	UT_CHECK(all(vdrv_bytes(&d, b[2]), 3000, UNTOUCHED), "segment 2 untouched");
	UT_CHECK(rng.bytes == 2 * DV_VRNG_MAX_REQ, "bytes");
}

UT_TEST(readable_buffers_untouched)
{
	uint8_t ro[32];
	struct vdrv_buf b[2];
	uint32_t len;

	make();
	memset(ro, 0x5a, sizeof(ro));
	b[0] = vdrv_out(&d, ro, sizeof(ro));
	len = run(b, 1, false);
	UT_CHECK(len == 0 && all(vdrv_bytes(&d, b[0]), sizeof(ro), 0x5a),
		 "readable only: returned empty (%u), untouched", len);
	b[1] = vdrv_in(&d, 16, UNTOUCHED);
	len = run(b, 2, false);
	UT_CHECK(len == 16 && all(vdrv_bytes(&d, b[0]), sizeof(ro), 0x5a),
		 "readable then writable: %u, the readable part untouched", len);
	UT_CHECK(rng.bytes == 16, "bytes");
}

UT_TEST(several_requests_one_notify)
{
	struct vdrv_buf b[5][1];

	make();
	for (int i = 0; i < 5; i++) {
		b[i][0] = vdrv_in(&d, (uint32_t)(8 + i), 0);
		vdrv_offer(&d, 0, vdrv_chain(&d, 0, b[i], 1));
	}
	vdrv_notify(&d, 0);
	UT_CHECK(vdrv_used_idx(&d, 0) == 5 && d.raised == 1, "five used, one interrupt");
	for (uint16_t i = 0; i < 5; i++)
		UT_CHECK(vdrv_used(&d, 0, i).id == i && vdrv_used(&d, 0, i).len == 8u + i,
			 "request %u", i);
}

UT_MAIN()
