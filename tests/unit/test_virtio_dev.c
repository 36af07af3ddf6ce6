// SPDX-License-Identifier: GPL-2.0-only
/* The virtio device models' segment helpers: copies and iovecs at any offset, bounded. */
#include <stdint.h>
#include <string.h>

#include "unit.h"
#include "virtio/dev.h"

/* Three segments of 3, 1 and 5 bytes over backing "abc" "d" "efghi", with guards. */
static uint8_t mem[32];
static struct dv_virtq_seg segs[3];

static void fresh(void)
{
	memset(mem, '#', sizeof(mem));
	memcpy(mem + 1, "abc", 3);
	memcpy(mem + 8, "d", 1);
	memcpy(mem + 16, "efghi", 5);
	segs[0] = (struct dv_virtq_seg){mem + 1, 3};
	segs[1] = (struct dv_virtq_seg){mem + 8, 1};
	segs[2] = (struct dv_virtq_seg){mem + 16, 5};
}

/* The guards around the segments were not written. */
static int guards_intact(void)
{
	for (size_t i = 0; i < sizeof(mem); i++) {
		bool inside = (i >= 1 && i < 4) || i == 8 || (i >= 16 && i < 21);

		if (!inside && mem[i] != '#')
			return 0;
	}
	return 1;
}

UT_TEST(segs_read_across_segments)
{
	char buf[16];
	size_t n;

	fresh();
	memset(buf, 0, sizeof(buf));
	n = dv_segs_read(segs, 3, 0, buf, 9);
	UT_CHECK(n == 9 && !memcmp(buf, "abcdefghi", 9), "all: %zu '%.9s'", n, buf);
	memset(buf, 0, sizeof(buf));
	n = dv_segs_read(segs, 3, 2, buf, 4);
	UT_CHECK(n == 4 && !memcmp(buf, "cdef", 4), "from 2: %zu '%.4s'", n, buf);
	memset(buf, 0, sizeof(buf));
	n = dv_segs_read(segs, 3, 3, buf, 1);
	UT_CHECK(n == 1 && buf[0] == 'd', "at a segment boundary: %zu '%c'", n, buf[0]);
	memset(buf, 0, sizeof(buf));
	n = dv_segs_read(segs, 3, 6, buf, 16);
	UT_CHECK(n == 3 && !memcmp(buf, "ghi", 3) && buf[3] == 0, "short at the end: %zu", n);
	UT_CHECK(dv_segs_read(segs, 3, 9, buf, 4) == 0, "at the end");
	UT_CHECK(dv_segs_read(segs, 3, 1000, buf, 4) == 0, "far beyond the end");
	UT_CHECK(dv_segs_read(segs, 3, 0, buf, 0) == 0, "nothing asked");
	UT_CHECK(dv_segs_read(segs, 0, 0, buf, 4) == 0, "no segments");
}

UT_TEST(segs_write_across_segments)
{
	size_t n;

	fresh();
	n = dv_segs_write(segs, 3, 2, "XYZW", 4);
	UT_CHECK(n == 4, "wrote %zu", n);
	UT_CHECK(!memcmp(mem + 1, "abX", 3) && mem[8] == 'Y' && !memcmp(mem + 16, "ZWghi", 5),
		 "placed");
	UT_CHECK(guards_intact(), "nothing outside the segments");
	fresh();
	n = dv_segs_write(segs, 3, 7, "0123456789", 10);
	UT_CHECK(n == 2 && !memcmp(mem + 16, "efg01", 5), "short: %zu", n);
	UT_CHECK(guards_intact(), "no overrun past the last segment");
	UT_CHECK(dv_segs_write(segs, 3, 9, "x", 1) == 0 && guards_intact(), "at the end");
	UT_CHECK(dv_segs_write(segs, 3, ~0ull, "x", 1) == 0 && guards_intact(), "offset ~0");
}

UT_TEST(segs_iov)
{
	struct iovec iov[4];
	unsigned int k;

	fresh();
	k = dv_segs_iov(segs, 3, 0, 9, iov, 4);
	UT_CHECK(k == 3, "three pieces: %u", k);
	UT_CHECK(iov[0].iov_base == mem + 1 && iov[0].iov_len == 3, "piece 0");
	UT_CHECK(iov[1].iov_base == mem + 8 && iov[1].iov_len == 1, "piece 1");
	UT_CHECK(iov[2].iov_base == mem + 16 && iov[2].iov_len == 5, "piece 2");
	k = dv_segs_iov(segs, 3, 2, 3, iov, 4);
	UT_CHECK(k == 3 && iov[0].iov_base == mem + 3 && iov[0].iov_len == 1 &&
		     iov[1].iov_len == 1 && iov[2].iov_base == mem + 16 && iov[2].iov_len == 1,
		 "3 bytes from 2: %u", k);
	k = dv_segs_iov(segs, 3, 4, 100, iov, 4);
	UT_CHECK(k == 1 && iov[0].iov_base == mem + 16 && iov[0].iov_len == 5,
		 "len beyond the end stops at the end: %u", k);
	k = dv_segs_iov(segs, 3, 0, 9, iov, 2);
	UT_CHECK(k == 2 && iov[1].iov_len == 1, "at most max: %u", k);
	UT_CHECK(dv_segs_iov(segs, 3, 0, 0, iov, 4) == 0, "len 0");
	UT_CHECK(dv_segs_iov(segs, 3, 9, 1, iov, 4) == 0, "offset at the end");
	UT_CHECK(dv_segs_iov(segs, 3, 0, 9, iov, 0) == 0, "max 0");
}

UT_TEST(pending_bits)
{
	atomic_uint p = 0;

	dv_vdev_mark(&p, 0);
	dv_vdev_mark(&p, 3);
	dv_vdev_mark(&p, 3);
	UT_CHECK(dv_vdev_take(&p) == 0x9, "queues 0 and 3");
	UT_CHECK(dv_vdev_take(&p) == 0, "taken");
}

UT_MAIN()
