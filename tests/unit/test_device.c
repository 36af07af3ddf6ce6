// SPDX-License-Identifier: GPL-2.0-only
/*
 * The board's device registry with fake kinds: instances per the
 * configuration, windows and sources from the allocator, the MMIO bus,
 * device-tree nodes in creation order, threads started in creation order
 * once all exist, destroy in reverse, and failures.
 */
#include <errno.h>
#include <string.h>

#include "cli/cli.h"
#include "vmm/device.h"
#include "unit.h"

#define BASE 0x10001000ULL
#define END  0x10100000ULL

static struct dv_devices devs;
static struct dv_mmio_bus bus;
static struct dv_config cfg;
static char trace[512]; /* what the fake kinds did, in order */
static int fail_create_of = -1;
static int fail_start_of = -1;

static void note(const char *what, const struct dv_device *dev)
{
	size_t len = strlen(trace);

	snprintf(trace + len, sizeof(trace) - len, "%s %s;", what, dev->name);
}

static int nop_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
	(void)opaque, (void)off, (void)size;
	*val = 0;
	return 0;
}

static const struct dv_mmio_ops nop_mmio = {.read = nop_read};

static unsigned int count_disks(const struct dv_config *c)
{
	return c->ndisks;
}

static int fake_create(struct dv_vm *vm, struct dv_device *dev)
{
	(void)vm;
	note("create", dev);
	dev->mmio = &nop_mmio;
	dev->priv = dev;
	return fail_create_of == (int)dev->index ? DV_EXIT_FILE : 0;
}

static int fake_start(struct dv_device *dev)
{
	note("start", dev);
	return fail_start_of == (int)dev->index ? -EAGAIN : 0;
}

static void fake_fdt(const struct dv_device *dev, struct dv_fdt_writer *w)
{
	(void)dev, (void)w;
}

static void fake_reset(struct dv_device *dev)
{
	note("reset", dev);
}

static void fake_destroy(struct dv_device *dev)
{
	note("destroy", dev);
}

static const struct dv_device_ops fixed_kind = {
    .name = "fixed",
    .mmio_base = 0x10000000,
    .mmio_size = 0x100,
    .irq = 10,
    .count = dv_device_one,
    .create = fake_create,
    .fdt = fake_fdt,
    .destroy = fake_destroy,
};

static const struct dv_device_ops disk_kind = {
    .name = "disk",
    .mmio_size = 0x200,
    .irq = DV_DEV_IRQ_ANY,
    .count = count_disks,
    .create = fake_create,
    .start = fake_start,
    .threads = 1,
    .fdt = fake_fdt,
    .reset = fake_reset,
    .destroy = fake_destroy,
};

static const struct dv_device_ops quiet_kind = {
    .name = "quiet",
    .mmio_size = 0x1000,
    .irq = DV_DEV_IRQ_NONE,
    .count = dv_device_one,
    .create = fake_create,
    .destroy = fake_destroy,
};

static int create(const struct dv_device_ops *const *kinds, unsigned int n)
{
	memset(&bus, 0, sizeof(bus));
	memset(trace, 0, sizeof(trace));
	return dv_devices_create(&devs, kinds, n, NULL, &cfg, &bus, BASE, END, 64);
}

UT_TEST(instances_windows_sources)
{
	static const struct dv_device_ops *const kinds[] = {&fixed_kind, &disk_kind, &quiet_kind};
	struct dv_fdt_node nodes[DV_MAX_DEVICES];
	unsigned int n;

	cfg.ndisks = 3;
	fail_create_of = -1;
	UT_CHECK(create(kinds, 3) == 0, "create");
	UT_CHECK(devs.n == 5, "%u devices", devs.n);
	UT_CHECK(
	    !strcmp(trace, "create fixed0;create disk0;create disk1;create disk2;create quiet0;"),
	    "trace %s", trace);
	UT_CHECK(devs.dev[0].base == 0x10000000 && devs.dev[0].irq == 10, "the fixed device");
	for (unsigned int i = 0; i < 3; i++) {
		const struct dv_device *d = &devs.dev[1 + i];

		UT_CHECK(!strcmp(d->name, (const char *[]){"disk0", "disk1", "disk2"}[i]) &&
			     d->index == i,
			 "disk %u is %s", i, d->name);
		UT_CHECK(d->base == BASE + i * 0x1000ULL && d->size == 0x200, "disk %u at %#llx", i,
			 (unsigned long long)d->base);
		UT_CHECK(d->irq == i + 1, "disk %u on source %u", i, d->irq);
	}
	UT_CHECK(devs.dev[4].irq == 0 && devs.dev[4].base == BASE + 0x3000, "quiet0");
	UT_CHECK(bus.count == 5 && bus.win[1].base == BASE && !strcmp(bus.win[1].name, "disk0"),
		 "the bus has %u windows", bus.count);
	n = dv_devices_fdt(&devs, nodes, DV_MAX_DEVICES);
	UT_CHECK(n == 4 && nodes[0].ctx == &devs.dev[0] && nodes[3].ctx == &devs.dev[3],
		 "%u nodes, in creation order (quiet has none)", n);
	memset(trace, 0, sizeof(trace));
	dv_devices_reset(&devs);
	UT_CHECK(!strcmp(trace, "reset disk0;reset disk1;reset disk2;"), "reset %s", trace);
	memset(trace, 0, sizeof(trace));
	dv_devices_destroy(&devs);
	UT_CHECK(!strcmp(trace, "destroy quiet0;destroy disk2;destroy disk1;destroy disk0;"
				"destroy fixed0;"),
		 "destroy %s", trace);
	UT_CHECK(devs.n == 0, "%u left", devs.n);
}

/* Eighteen devices and one on source 10: each on a line of its own, none on 10 */
UT_TEST(full_board_distinct_sources)
{
	static const struct dv_device_ops *const kinds[] = {&fixed_kind, &disk_kind};
	uint64_t seen = 0;

	cfg.ndisks = 18;
	fail_create_of = -1;
	UT_CHECK(create(kinds, 2) == 0, "create");
	for (unsigned int i = 0; i < devs.n; i++) {
		uint32_t s = devs.dev[i].irq;

		UT_CHECK(s >= 1 && s < 64 && !(seen & (1ULL << s)), "%s on source %u, taken",
			 devs.dev[i].name, s);
		seen |= 1ULL << s;
	}
	UT_CHECK(devs.n == 19 && devs.dev[0].irq == 10, "%u devices", devs.n);
	dv_devices_destroy(&devs);
}

/* A failing create stops the board; what was created, and the failed one, are destroyed */
UT_TEST(create_fails)
{
	static const struct dv_device_ops *const kinds[] = {&fixed_kind, &disk_kind, &quiet_kind};

	cfg.ndisks = 3;
	fail_create_of = 1;
	UT_CHECK(create(kinds, 3) == DV_EXIT_FILE, "the kind's exit code");
	UT_CHECK(!strcmp(trace, "create fixed0;create disk0;create disk1;"), "trace %s", trace);
	memset(trace, 0, sizeof(trace));
	dv_devices_destroy(&devs);
	UT_CHECK(!strcmp(trace, "destroy disk1;destroy disk0;destroy fixed0;"), "destroy %s",
		 trace);
	fail_create_of = -1;
}

/* Two kinds wanting one source: the second is refused before it is created */
UT_TEST(fixed_source_taken)
{
	static const struct dv_device_ops other = {
	    .name = "other",
	    .mmio_base = 0x10000800,
	    .mmio_size = 0x100,
	    .irq = 10,
	    .count = dv_device_one,
	    .create = fake_create,
	    .destroy = fake_destroy,
	};
	static const struct dv_device_ops *const kinds[] = {&fixed_kind, &other};

	UT_CHECK(create(kinds, 2) == DV_EXIT_FAILURE, "a shared source accepted");
	UT_CHECK(!strcmp(trace, "create fixed0;"), "trace %s", trace);
	dv_devices_destroy(&devs);
}

/* Threads start after every device exists, in creation order; a failure stops there */
UT_TEST(threads_start_after_creation)
{
	static const struct dv_device_ops *const kinds[] = {&fixed_kind, &disk_kind, &quiet_kind};

	cfg.ndisks = 3;
	fail_create_of = -1;
	UT_CHECK(create(kinds, 3) == 0, "create");
	UT_CHECK(!strstr(trace, "start"), "started while created: %s", trace);
	UT_CHECK(dv_devices_threads(&devs) == 3, "%u threads (one per disk)",
		 dv_devices_threads(&devs));
	memset(trace, 0, sizeof(trace));
	UT_CHECK(dv_devices_start(&devs) == 0, "start");
	UT_CHECK(!strcmp(trace, "start disk0;start disk1;start disk2;"), "trace %s", trace);
	memset(trace, 0, sizeof(trace));
	fail_start_of = 1;
	UT_CHECK(dv_devices_start(&devs) == DV_EXIT_FAILURE, "a failed start not reported");
	UT_CHECK(!strcmp(trace, "start disk0;start disk1;"), "trace %s", trace);
	fail_start_of = -1;
	dv_devices_destroy(&devs);
}

UT_MAIN()
