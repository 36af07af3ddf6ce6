// SPDX-License-Identifier: GPL-2.0-only
/* The MMIO bus: registration rules and dispatch. */
#include <errno.h>

#include "vmm/mmio.h"
#include "unit.h"

struct fake_dev {
	uint64_t last_off, last_val;
	unsigned last_size;
	int writes;
};

static int fake_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
	struct fake_dev *d = opaque;

	d->last_off = off;
	d->last_size = size;
	*val = 0x1234 + off;
	return 0;
}

static int fake_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct fake_dev *d = opaque;

	d->last_off = off;
	d->last_size = size;
	d->last_val = val;
	d->writes++;
	return 0;
}

static const struct dv_mmio_ops fake_ops = {fake_read, fake_write};

UT_TEST(register_rejects_overlap_and_bad_windows)
{
	struct dv_mmio_bus bus = {0};
	struct fake_dev d = {0};

	UT_CHECK(dv_mmio_register(&bus, "a", 0x1000, 0x100, &fake_ops, &d) == 0, "first window");
	UT_CHECK(dv_mmio_register(&bus, "b", 0x10ff, 0x10, &fake_ops, &d) == -EEXIST,
		 "overlap end");
	UT_CHECK(dv_mmio_register(&bus, "c", 0xf00, 0x101, &fake_ops, &d) == -EEXIST,
		 "overlap start");
	UT_CHECK(dv_mmio_register(&bus, "d", 0x1100, 0x100, &fake_ops, &d) == 0,
		 "adjacent is fine");
	UT_CHECK(dv_mmio_register(&bus, "e", 0x5000, 0, &fake_ops, &d) == -EINVAL, "zero size");
	UT_CHECK(dv_mmio_register(&bus, "f", UINT64_MAX - 1, 4, &fake_ops, &d) == -EINVAL, "wraps");
	UT_CHECK(dv_mmio_register(&bus, "g", 0x9000, 4, NULL, &d) == -EINVAL, "no ops");
}

UT_TEST(register_bounded)
{
	struct dv_mmio_bus bus = {0};
	struct fake_dev d = {0};
	int i, rc = 0;

	for (i = 0; i < DV_MMIO_MAX_WINDOWS; i++)
		rc |= dv_mmio_register(&bus, "w", 0x1000 * (i + 1), 0x100, &fake_ops, &d);
	UT_CHECK(rc == 0, "filling the bus");
	UT_CHECK(dv_mmio_register(&bus, "x", 0x100000, 0x100, &fake_ops, &d) == -ENOSPC, "full");
}

UT_TEST(access_dispatches_with_window_offsets)
{
	struct dv_mmio_bus bus = {0};
	struct fake_dev d = {0};
	uint64_t v = 0;

	dv_mmio_register(&bus, "a", 0x10000000, 0x100, &fake_ops, &d);
	UT_CHECK(dv_mmio_access(&bus, 0x10000005, 1, false, &v) == 0, "read");
	UT_CHECK(v == 0x1239 && d.last_off == 5 && d.last_size == 1, "v=%#lx off=%#lx",
		 (unsigned long)v, (unsigned long)d.last_off);
	v = 0xabcd;
	UT_CHECK(dv_mmio_access(&bus, 0x100000f8, 8, true, &v) == 0, "write");
	UT_CHECK(d.last_val == 0xabcd && d.last_off == 0xf8 && d.last_size == 8, "write seen");
}

UT_TEST(access_outside_or_straddling_is_enoent)
{
	struct dv_mmio_bus bus = {0};
	struct fake_dev d = {0};
	uint64_t v = 0;

	dv_mmio_register(&bus, "a", 0x10000000, 0x100, &fake_ops, &d);
	UT_CHECK(dv_mmio_access(&bus, 0x0fffffff, 1, false, &v) == -ENOENT, "below");
	UT_CHECK(dv_mmio_access(&bus, 0x10000100, 1, false, &v) == -ENOENT, "above");
	UT_CHECK(dv_mmio_access(&bus, 0x100000fc, 8, true, &v) == -ENOENT, "straddles the end");
	UT_CHECK(d.writes == 0, "nothing written");
}

UT_MAIN()
