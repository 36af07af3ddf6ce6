// SPDX-License-Identifier: GPL-2.0-only
/* The one allocator of MMIO windows and PLIC sources: placement, collisions, exhaustion. */
#include <errno.h>

#include "vmm/devalloc.h"
#include "unit.h"

#define BASE 0x10001000ULL
#define END  0x10100000ULL

static struct dv_devalloc a;

/* The window's base, or on an expected error the one asked for; ~0 on a surprise */
static uint64_t win(uint64_t size, uint64_t at, int want_rc)
{
	int rc = dv_devalloc_mmio(&a, size, &at);

	if (rc != want_rc)
		printf("  window %#llx bytes: rc %d, want %d\n", (unsigned long long)size, rc,
		       want_rc);
	return rc == want_rc ? at : ~0ULL;
}

/* The source handed out, or on an expected error the one asked for; ~0 on a surprise */
static uint32_t src(uint32_t want_src, int want_rc)
{
	uint32_t s = want_src;
	int rc = dv_devalloc_irq(&a, &s);

	if (rc != want_rc)
		printf("  source %u: rc %d, want %d\n", want_src, rc, want_rc);
	return rc == want_rc ? s : ~0U;
}

/* Windows land a page each from the base, in the order they are asked for */
UT_TEST(windows_in_order)
{
	dv_devalloc_init(&a, BASE, END, 64);
	for (unsigned int i = 0; i < 18; i++) {
		uint64_t at = win(0x200, 0, 0);

		UT_CHECK(at == BASE + i * 0x1000ULL, "window %u at %#llx", i,
			 (unsigned long long)at);
	}
	UT_CHECK(win(0x1001, 0, 0) == BASE + 18 * 0x1000ULL, "a two-page window");
	UT_CHECK(win(0x10, 0, 0) == BASE + 20 * 0x1000ULL, "after the two-page window");
}

/* Fixed windows (the PLIC, the UART) are where they ask, and dynamic ones step around them */
UT_TEST(fixed_windows)
{
	dv_devalloc_init(&a, BASE, END, 64);
	UT_CHECK(win(0x4000000, 0x0c000000, 0) == 0x0c000000, "the PLIC");
	UT_CHECK(win(0x100, 0x10000000, 0) == 0x10000000, "the UART");
	UT_CHECK(win(0x100, 0x10000000, -EBUSY) == 0x10000000, "the UART's place again");
	UT_CHECK(win(0x1000, 0x0fffff01, -EBUSY) != ~0ULL, "overlapping the UART's start");
	UT_CHECK(win(0x100, 0x10002000, 0) == 0x10002000, "a fixed window inside the region");
	UT_CHECK(win(0x200, 0, 0) == BASE, "first dynamic");
	UT_CHECK(win(0x200, 0, 0) == BASE + 0x2000, "steps past the fixed one");
	UT_CHECK(win(0x200, 0x10003000, -EBUSY) != ~0ULL, "a fixed window on a dynamic one");
}

UT_TEST(window_errors)
{
	dv_devalloc_init(&a, BASE, BASE + 0x3000, 64);
	UT_CHECK(win(0, 0, -EINVAL) != ~0ULL, "size 0");
	UT_CHECK(win(0x1000, 0xfffffffffffff800ULL, -EINVAL) != ~0ULL, "a window that wraps");
	UT_CHECK(win(0x3001, 0, -ENOSPC) != ~0ULL, "larger than the region");
	UT_CHECK(win(0x3000, 0, 0) == BASE, "exactly the region");
	UT_CHECK(win(1, 0, -ENOSPC) != ~0ULL, "the region is full");
	dv_devalloc_init(&a, BASE, END, 64);
	for (unsigned int i = 0; i < DV_DEVALLOC_MAX_WINDOWS; i++)
		win(0x100, 0, 0);
	UT_CHECK(win(0x100, 0, -EINVAL) != ~0ULL, "no slot left");
}

/* The UART keeps QEMU virt's source 10; every other device gets one of its own */
UT_TEST(sources_never_shared)
{
	uint32_t got[64] = {0};

	dv_devalloc_init(&a, BASE, END, 64);
	UT_CHECK(src(10, 0) == 10, "the UART's source");
	/* 8 disks, 8 links, rng and console: 1..9, then 11.. */
	for (unsigned int i = 0; i < 18; i++) {
		uint32_t s = src(0, 0);

		UT_CHECK(s == (i < 9 ? i + 1 : i + 2), "device %u on source %u", i, s);
		UT_CHECK(s < 64 && !got[s], "source %u handed out twice", s);
		if (s < 64)
			got[s] = 1;
	}
	UT_CHECK(src(10, -EBUSY) != ~0U, "source 10 again");
	UT_CHECK(src(19, -EBUSY) != ~0U, "a dynamic source, asked for by number");
	UT_CHECK(src(63, 0) == 63, "the last source");
	UT_CHECK(src(64, -EINVAL) != ~0U, "no source 64");
}

UT_TEST(sources_run_out)
{
	dv_devalloc_init(&a, BASE, END, 4);
	UT_CHECK(src(0, 0) == 1 && src(0, 0) == 2 && src(0, 0) == 3, "sources 1..3");
	UT_CHECK(src(0, -ENOSPC) != ~0U, "none left");
	dv_devalloc_init(&a, BASE, END, 5000);
	UT_CHECK(a.nsources == DV_DEVALLOC_MAX_SOURCES, "at most 1024 sources");
	UT_CHECK(src(1023, 0) == 1023 && src(1024, -EINVAL) != ~0U, "source 1023 is the last");
}

UT_MAIN()
