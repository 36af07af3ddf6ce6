// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Linux loader on fake RAM, with small synthetic Image files: placement
 * (pinned for several RAM sizes), alignment, overlap, what is written and
 * what is not, and every error.
 */
#include "boot/loader.h"
#include "unit.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MiB	 (1ULL << 20)
#define GiB	 (1ULL << 30)
#define RAM_BASE 0x80000000ULL
#define RAM_MAX	 (64 * MiB + 4096)
#define FILL	 0xa5

static uint8_t *ram;
static char tmpdir[64];
static char path_k[128], path_i[128];

static void setup(void)
{
	if (!ram) {
		ram = malloc(RAM_MAX);
		if (!ram)
			exit(1);
	}
	memset(ram, FILL, RAM_MAX);
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/dv-test-loader.XXXXXX");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(1);
		}
		snprintf(path_k, sizeof(path_k), "%s/Image", tmpdir);
		snprintf(path_i, sizeof(path_i), "%s/initrd", tmpdir);
	}
}

__attribute__((destructor)) static void teardown(void)
{
	if (tmpdir[0]) {
		unlink(path_k);
		unlink(path_i);
		rmdir(tmpdir);
	}
	free(ram);
}

static struct dv_guest_mem mem_of(uint64_t base, uint64_t size)
{
	return (struct dv_guest_mem){.host = ram, .gpa_base = base, .size = size};
}

static uint8_t pattern(uint64_t i, uint8_t seed)
{
	return (uint8_t)(i * 7 + seed + (i >> 8));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

enum magic_kind { MAGIC_BOTH, MAGIC2_ONLY, MAGIC_OLD_ONLY, MAGIC_NONE };

struct image_spec {
	uint64_t text_offset, image_size, flags;
	size_t file_size; /* >= 64 unless testing short files */
	enum magic_kind magic;
};

/* Write a synthetic Image: the header, then pattern bytes; jump instruction in code0. */
static void write_image(const struct image_spec *s)
{
	uint8_t *buf = malloc(s->file_size + 64);
	FILE *f;

	for (size_t i = 0; i < s->file_size + 64; i++)
		buf[i] = pattern(i, 1);
	memset(buf, 0, 64);
	put_le64(buf, 0x0000006f); /* code0: j . (never run here) */
	put_le64(buf + 8, s->text_offset);
	put_le64(buf + 16, s->image_size);
	put_le64(buf + 24, s->flags);
	put_le64(buf + 32, 2); /* version 0.2 */
	if (s->magic == MAGIC_BOTH || s->magic == MAGIC_OLD_ONLY)
		memcpy(buf + 48, "RISCV\0\0", 8);
	if (s->magic == MAGIC_BOTH || s->magic == MAGIC2_ONLY)
		memcpy(buf + 56, "RSC\x05", 4);
	f = fopen(path_k, "w");
	if (!f || fwrite(buf, 1, s->file_size, f) != s->file_size) {
		perror(path_k);
		exit(1);
	}
	fclose(f);
	free(buf);
}

static void write_initrd(size_t size)
{
	FILE *f = fopen(path_i, "w");

	for (size_t i = 0; i < size; i++)
		fputc(pattern(i, 99), f);
	fclose(f);
}

static const struct image_spec linux_like = {
    .text_offset = 2 * MiB,
    .image_size = 3 * MiB + 12345,
    .file_size = 200 * 1024 + 3,
    .magic = MAGIC_BOTH,
};

static bool disjoint(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a1 <= b0 || b1 <= a0;
}

static uint64_t page_up(uint64_t v)
{
	return (v + 4095) & ~4095ULL;
}

/*
 * The rule, restated: the DTB at the top of RAM (or of its part below
 * 3 GiB) aligned down to 2 MiB; the initrd min(RAM / 2, 128 MiB) past the
 * kernel, page aligned, unless it only fits lower, below the DTB.
 */
static uint64_t rule_dtb(const struct dv_guest_mem *m, uint64_t dtb_size)
{
	uint64_t end = m->gpa_base + m->size;
	uint64_t top = m->gpa_base < 3 * GiB && end > 3 * GiB ? 3 * GiB : end;

	return (top - dtb_size) & ~(2 * MiB - 1);
}

static uint64_t rule_initrd(const struct dv_guest_mem *m, const struct dv_boot_layout *l,
			    uint64_t size)
{
	uint64_t half = m->size / 2 < 128 * MiB ? m->size / 2 : 128 * MiB;
	uint64_t at = page_up(l->kernel_start + half);

	if (at < page_up(l->kernel_end))
		at = page_up(l->kernel_end);
	if (at + size > l->dtb)
		at = (l->dtb - size) & ~4095ULL;
	return at;
}

/* Where a layout must put things, what it must write, and what it must leave alone. */
static void check_layout(int *ut_failed, const struct dv_guest_mem *m, const struct image_spec *s,
			 size_t initrd_size, size_t dtb_size, const struct dv_boot_layout *l)
{
	uint64_t want_k = (m->gpa_base + s->text_offset + 2 * MiB - 1) & ~(2 * MiB - 1);
	uint64_t ram_end = m->gpa_base + m->size, dtb_end = l->dtb + dtb_size;

	UT_CHECK(l->entry == want_k && l->kernel_start == want_k, "kernel at %#llx, want %#llx",
		 (unsigned long long)l->kernel_start, (unsigned long long)want_k);
	UT_CHECK(l->kernel_start % (2 * MiB) == 0, "kernel not 2 MiB aligned");
	UT_CHECK(l->kernel_end == l->kernel_start + s->image_size, "kernel_end %#llx",
		 (unsigned long long)l->kernel_end);
	UT_CHECK(l->dtb == rule_dtb(m, dtb_size), "dtb at %#llx, want %#llx",
		 (unsigned long long)l->dtb, (unsigned long long)rule_dtb(m, dtb_size));
	UT_CHECK(l->dtb % (2 * MiB) == 0, "dtb not 2 MiB aligned: %#llx",
		 (unsigned long long)l->dtb);
	if (initrd_size) {
		UT_CHECK(l->initrd_start == rule_initrd(m, l, initrd_size),
			 "initrd at %#llx, want %#llx", (unsigned long long)l->initrd_start,
			 (unsigned long long)rule_initrd(m, l, initrd_size));
		UT_CHECK(l->initrd_start % 4096 == 0, "initrd not page aligned");
		UT_CHECK(l->initrd_end == l->initrd_start + initrd_size, "initrd_end %#llx",
			 (unsigned long long)l->initrd_end);
	} else {
		UT_CHECK(l->initrd_start == 0 && l->initrd_end == 0, "initrd %#llx..%#llx",
			 (unsigned long long)l->initrd_start, (unsigned long long)l->initrd_end);
	}
	UT_CHECK(l->dtb_size == dtb_size, "dtb_size %llu", (unsigned long long)l->dtb_size);

	/* Everything inside RAM and nothing overlapping. */
	UT_CHECK(l->kernel_start >= m->gpa_base && l->kernel_end <= ram_end, "kernel outside RAM");
	UT_CHECK(l->dtb >= m->gpa_base && dtb_end <= ram_end, "dtb outside RAM");
	UT_CHECK(disjoint(l->kernel_start, l->kernel_end, l->dtb, dtb_end), "kernel/dtb overlap");
	if (initrd_size) {
		UT_CHECK(l->initrd_start >= m->gpa_base && l->initrd_end <= ram_end,
			 "initrd outside RAM");
		UT_CHECK(disjoint(l->kernel_start, l->kernel_end, l->initrd_start, l->initrd_end),
			 "kernel/initrd overlap");
		UT_CHECK(disjoint(l->initrd_start, l->initrd_end, l->dtb, dtb_end),
			 "initrd/dtb overlap");
	}

	/* RAM contents: the file, zeroed bss, the initrd, untouched elsewhere. */
	const uint8_t *k = ram + (l->kernel_start - m->gpa_base);
	uint64_t koff = l->kernel_start - m->gpa_base, bad = UINT64_MAX;
	for (uint64_t i = 0; i < koff && bad == UINT64_MAX; i++)
		if (ram[i] != FILL)
			bad = i;
	UT_CHECK(bad == UINT64_MAX, "RAM below the kernel written at offset %#llx",
		 (unsigned long long)bad);
	UT_CHECK(k[8] == (uint8_t)s->text_offset && k[56] == 'R', "header not copied");
	for (uint64_t i = 64; i < s->file_size && bad == UINT64_MAX; i++)
		if (k[i] != pattern(i, 1))
			bad = i;
	UT_CHECK(bad == UINT64_MAX, "kernel byte %llu wrong", (unsigned long long)bad);
	for (uint64_t i = s->file_size; i < s->image_size && bad == UINT64_MAX; i++)
		if (k[i])
			bad = i;
	UT_CHECK(bad == UINT64_MAX, "bss byte %llu not zero", (unsigned long long)bad);
	const uint8_t *ir = ram + (l->initrd_start - m->gpa_base);
	for (uint64_t i = 0; i < initrd_size && bad == UINT64_MAX; i++)
		if (ir[i] != pattern(i, 99))
			bad = i;
	UT_CHECK(bad == UINT64_MAX, "initrd byte %llu wrong", (unsigned long long)bad);
	/* The gap before the initrd, the DTB slot and the rest of RAM are left alone. */
	uint64_t from = l->kernel_end - m->gpa_base;
	uint64_t to = (initrd_size ? l->initrd_start : l->dtb) - m->gpa_base;
	for (uint64_t i = from; i < to && bad == UINT64_MAX; i++)
		if (ram[i] != FILL)
			bad = i;
	for (uint64_t i = (initrd_size ? l->initrd_end : l->dtb) - m->gpa_base;
	     i < m->size && bad == UINT64_MAX; i++)
		if (ram[i] != FILL)
			bad = i;
	UT_CHECK(bad == UINT64_MAX, "RAM offset %#llx written outside kernel and initrd",
		 (unsigned long long)bad);
}

static int load(const struct dv_guest_mem *m, const char *initrd, size_t dtb_size,
		struct dv_boot_layout *l, char *err)
{
	memset(l, 0x77, sizeof(*l));
	memset(err, 'x', 512);
	return dv_load_linux(m, path_k, initrd, dtb_size, l, err, 512);
}

UT_TEST(kernel_only)
{
	struct dv_boot_layout l;
	char err[512];
	struct dv_guest_mem m;
	int r;

	setup();
	m = mem_of(RAM_BASE, 32 * MiB);
	write_image(&linux_like);
	r = load(&m, NULL, 64 * 1024, &l, err);
	UT_CHECK(r == 0, "r=%d: %s", r, err);
	UT_CHECK(err[0] == '\0', "message on success: %s", err);
	if (!r)
		check_layout(ut_failed, &m, &linux_like, 0, 64 * 1024, &l);
	UT_CHECK(l.entry == RAM_BASE + 2 * MiB, "entry %#llx", (unsigned long long)l.entry);
}

UT_TEST(kernel_and_initrd)
{
	static const size_t sizes[] = {1, 4095, 4096, 12345, 3 * MiB + 1};
	struct dv_boot_layout l;
	char err[512];
	struct dv_guest_mem m;

	setup();
	write_image(&linux_like);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (size_t dtb = 1; dtb <= 2 * MiB; dtb *= 1024) {
			int r;

			memset(ram, FILL, RAM_MAX);
			m = mem_of(RAM_BASE, 32 * MiB);
			write_initrd(sizes[i]);
			r = load(&m, path_i, dtb, &l, err);
			UT_CHECK(r == 0, "initrd %zu dtb %zu: r=%d: %s", sizes[i], dtb, r, err);
			if (!r)
				check_layout(ut_failed, &m, &linux_like, sizes[i], dtb, &l);
		}
	}
}

UT_TEST(old_and_new_magic)
{
	static const enum magic_kind kinds[] = {MAGIC_BOTH, MAGIC2_ONLY, MAGIC_OLD_ONLY};
	struct image_spec s = linux_like;
	struct dv_boot_layout l;
	char err[512];

	setup();
	for (size_t i = 0; i < 3; i++) {
		struct dv_guest_mem m = mem_of(RAM_BASE, 32 * MiB);
		int r;

		s.magic = kinds[i];
		write_image(&s);
		r = load(&m, NULL, 4096, &l, err);
		UT_CHECK(r == 0, "magic kind %d: r=%d: %s", kinds[i], r, err);
	}
}

/* Kernel placement: base + text_offset rounded up to 2 MiB, from odd bases and offsets. */
UT_TEST(text_offset_alignment)
{
	static const struct {
		uint64_t base, text_offset, want;
	} cases[] = {
	    {RAM_BASE, 2 * MiB, RAM_BASE + 2 * MiB},
	    {RAM_BASE, 0, RAM_BASE},
	    {RAM_BASE, 4 * MiB, RAM_BASE + 4 * MiB},
	    {RAM_BASE, 0x1000, RAM_BASE + 2 * MiB},
	    {RAM_BASE, 2 * MiB + 1, RAM_BASE + 4 * MiB},
	    {RAM_BASE + 0x100000, 0, RAM_BASE + 2 * MiB},
	    {RAM_BASE + 0x100000, 2 * MiB, RAM_BASE + 4 * MiB},
	    {0, 2 * MiB, 2 * MiB},
	    {0x100000000ULL, 2 * MiB, 0x100200000ULL},
	};
	struct image_spec s = linux_like;
	struct dv_boot_layout l;
	char err[512];

	setup();
	write_initrd(5000);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dv_guest_mem m = mem_of(cases[i].base, 32 * MiB);
		int r;

		memset(ram, FILL, RAM_MAX);
		s.text_offset = cases[i].text_offset;
		write_image(&s);
		r = load(&m, path_i, 8192, &l, err);
		UT_CHECK(r == 0, "case %zu: r=%d: %s", i, r, err);
		UT_CHECK(l.kernel_start == cases[i].want, "case %zu: kernel at %#llx, want %#llx",
			 i, (unsigned long long)l.kernel_start, (unsigned long long)cases[i].want);
		if (!r)
			check_layout(ut_failed, &m, &s, 5000, 8192, &l);
	}
}

/* A file exactly image_size long (no bss) and an image_size that is not 8-aligned. */
UT_TEST(image_size_edges)
{
	struct image_spec s = linux_like;
	struct dv_boot_layout l;
	char err[512];
	int r;

	setup();
	s.file_size = 100000;
	s.image_size = 100000;
	write_image(&s);
	write_initrd(77);
	struct dv_guest_mem m = mem_of(RAM_BASE, 32 * MiB);
	r = load(&m, path_i, 1000, &l, err);
	UT_CHECK(r == 0, "r=%d: %s", r, err);
	if (!r)
		check_layout(ut_failed, &m, &s, 77, 1000, &l);
	/* Odd sizes move nothing: the initrd and the DTB keep their places. */
	UT_CHECK(l.initrd_start == RAM_BASE + 18 * MiB && l.dtb == RAM_BASE + 30 * MiB,
		 "initrd %#llx dtb %#llx", (unsigned long long)l.initrd_start,
		 (unsigned long long)l.dtb);

	s.file_size = 64;
	s.image_size = 1;
	write_image(&s);
	r = load(&m, NULL, 1000, &l, err);
	UT_CHECK(r == -EINVAL, "image_size below the header accepted: r=%d", r);
}

/*
 * The layout pinned for several RAM sizes: where the kernel, the initrd and
 * the DTB land. Never right after the kernel's image_size: a guest may take
 * that memory before it has read its device tree.
 */
UT_TEST(layout_pinned)
{
	static const struct {
		uint64_t base, size, initrd, dtb_size;
		uint64_t want_initrd, want_dtb;
	} cases[] = {
	    /* RAM / 2 past the kernel; the DTB in the top 2 MiB */
	    {RAM_BASE, 16 * MiB, 5000, 64 * 1024, RAM_BASE + 10 * MiB, RAM_BASE + 14 * MiB},
	    {RAM_BASE, 32 * MiB, 5000, 64 * 1024, RAM_BASE + 18 * MiB, RAM_BASE + 30 * MiB},
	    {RAM_BASE, 64 * MiB, 5000, 64 * 1024, RAM_BASE + 34 * MiB, RAM_BASE + 62 * MiB},
	    {RAM_BASE, 64 * MiB, 5000, 2 * MiB, RAM_BASE + 34 * MiB, RAM_BASE + 62 * MiB},
	    /* not a multiple of 2 MiB: the DTB aligned down, the initrd up to a page */
	    {RAM_BASE, 48 * MiB + 4096, 5000, 64 * 1024, 0x81a01000, RAM_BASE + 46 * MiB},
	    /* too big for the upper half: as high as it fits below the DTB */
	    {RAM_BASE, 64 * MiB, 30 * MiB + 5, 64 * 1024, 0x81fff000, RAM_BASE + 62 * MiB},
	    /* RAM above 4 GiB */
	    {0x100000000ULL, 32 * MiB, 5000, 64 * 1024, 0x101200000ULL, 0x101e00000ULL},
	};
	struct dv_boot_layout l;
	char err[512];

	setup();
	write_image(&linux_like);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dv_guest_mem m = mem_of(cases[i].base, cases[i].size);
		int r;

		memset(ram, FILL, RAM_MAX);
		write_initrd(cases[i].initrd);
		r = load(&m, path_i, cases[i].dtb_size, &l, err);
		UT_CHECK(r == 0, "case %zu: r=%d: %s", i, r, err);
		if (r)
			continue;
		UT_CHECK(l.kernel_start == cases[i].base + 2 * MiB, "case %zu: kernel at %#llx", i,
			 (unsigned long long)l.kernel_start);
		UT_CHECK(l.initrd_start == cases[i].want_initrd,
			 "case %zu: initrd at %#llx, want %#llx", i,
			 (unsigned long long)l.initrd_start,
			 (unsigned long long)cases[i].want_initrd);
		UT_CHECK(l.dtb == cases[i].want_dtb, "case %zu: dtb at %#llx, want %#llx", i,
			 (unsigned long long)l.dtb, (unsigned long long)cases[i].want_dtb);
		check_layout(ut_failed, &m, &linux_like, cases[i].initrd, cases[i].dtb_size, &l);
	}
}

/* Guest-sized RAM through dv_boot_plan(): the DTB below 3 GiB, the initrd 128 MiB in. */
UT_TEST(layout_large_ram)
{
	static const struct {
		uint64_t base, size, want_initrd, want_dtb;
	} cases[] = {
	    {RAM_BASE, 128 * MiB, RAM_BASE + 66 * MiB, RAM_BASE + 126 * MiB},
	    {RAM_BASE, 256 * MiB, RAM_BASE + 130 * MiB, RAM_BASE + 254 * MiB},
	    {RAM_BASE, 512 * MiB, RAM_BASE + 130 * MiB, RAM_BASE + 510 * MiB},
	    {RAM_BASE, 1 * GiB, RAM_BASE + 130 * MiB, 3 * GiB - 2 * MiB},
	    {RAM_BASE, 2 * GiB, RAM_BASE + 130 * MiB, 3 * GiB - 2 * MiB},
	    {RAM_BASE, 16 * GiB, RAM_BASE + 130 * MiB, 3 * GiB - 2 * MiB},
	    {0x100000000ULL, 4 * GiB, 0x108200000ULL, 0x1ffe00000ULL},
	};
	struct dv_boot_layout l;
	char err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dv_guest_mem m = {.gpa_base = cases[i].base, .size = cases[i].size};
		int r;

		memset(&l, 0x77, sizeof(l));
		r = dv_boot_plan(&m, 2 * MiB, 24 * MiB + 4321, 9 * MiB + 7, 64 * 1024, &l, err,
				 sizeof(err));
		UT_CHECK(r == 0, "case %zu: r=%d: %s", i, r, err);
		UT_CHECK(l.kernel_start == cases[i].base + 2 * MiB &&
			     l.kernel_end == l.kernel_start + 24 * MiB + 4321,
			 "case %zu: kernel %#llx..%#llx", i, (unsigned long long)l.kernel_start,
			 (unsigned long long)l.kernel_end);
		UT_CHECK(l.initrd_start == cases[i].want_initrd &&
			     l.initrd_end == l.initrd_start + 9 * MiB + 7,
			 "case %zu: initrd %#llx..%#llx, want from %#llx", i,
			 (unsigned long long)l.initrd_start, (unsigned long long)l.initrd_end,
			 (unsigned long long)cases[i].want_initrd);
		UT_CHECK(l.dtb == cases[i].want_dtb && l.dtb_size == 64 * 1024,
			 "case %zu: dtb %#llx, want %#llx", i, (unsigned long long)l.dtb,
			 (unsigned long long)cases[i].want_dtb);
	}
}

/* The fit check is exact: an initrd that just fills the room below the DTB loads; a byte more
 * fails. */
UT_TEST(fit_exactly)
{
	struct dv_boot_layout l;
	char err[512], want[96];
	/* 16 MiB: the kernel ends at 2 MiB + image_size, the DTB slot starts at 14 MiB */
	uint64_t room = 14 * MiB - page_up(2 * MiB + linux_like.image_size);
	struct dv_guest_mem m;
	int r;

	setup();
	m = mem_of(RAM_BASE, 16 * MiB);
	write_image(&linux_like);
	write_initrd(room);
	r = load(&m, path_i, 3000, &l, err);
	UT_CHECK(r == 0, "exact fit: r=%d: %s", r, err);
	if (!r) {
		check_layout(ut_failed, &m, &linux_like, room, 3000, &l);
		UT_CHECK(l.initrd_end == l.dtb, "the initrd does not end at the DTB");
	}

	write_initrd(room + 1);
	memset(ram, FILL, RAM_MAX);
	r = load(&m, path_i, 3000, &l, err);
	UT_CHECK(r == -ENOMEM, "one byte more: r=%d", r);
	snprintf(want, sizeof(want), "the initrd (%llu bytes) has no room in [%#llx, %#llx)",
		 (unsigned long long)room + 1, (unsigned long long)(RAM_BASE + 14 * MiB - room),
		 (unsigned long long)(RAM_BASE + 14 * MiB));
	UT_CHECK(strstr(err, "does not fit in RAM") && strstr(err, want), "msg: %s", err);
	UT_CHECK(strstr(err, "guest has 16777216 bytes (16 MiB)"), "msg: %s", err);
	UT_CHECK(l.entry == 0x7777777777777777ULL, "out written on error");
	UT_CHECK(ram[2 * MiB + 100] == FILL, "RAM written when it does not fit");
}

/* Each of kernel, initrd and DTB can be the part that does not fit. */
UT_TEST(does_not_fit)
{
	struct image_spec s = linux_like;
	struct dv_boot_layout l;
	char err[512];
	struct dv_guest_mem m;
	int r;

	setup();
	m = mem_of(RAM_BASE, 16 * MiB);
	s.image_size = 15 * MiB; /* ends past 16 MiB at offset 2 MiB */
	write_image(&s);
	r = load(&m, NULL, 4096, &l, err);
	UT_CHECK(r == -ENOMEM && strstr(err, "the kernel (image_size 15728640"), "kernel: r=%d %s",
		 r, err);

	write_image(&linux_like);
	write_initrd(11 * MiB);
	r = load(&m, path_i, 4096, &l, err);
	UT_CHECK(r == -ENOMEM && strstr(err, "the initrd (11534336 bytes)"), "initrd: r=%d %s", r,
		 err);

	/* The kernel reaches into the top 2 MiB: the DTB has no room */
	s.image_size = 13 * MiB;
	write_image(&s);
	r = load(&m, NULL, 4096, &l, err);
	UT_CHECK(r == -ENOMEM && strstr(err, "the DTB (4096 bytes)"), "dtb: r=%d %s", r, err);
	m.size = 2 * MiB + linux_like.image_size; /* nothing after the kernel */
	write_image(&linux_like);
	r = load(&m, NULL, 4096, &l, err);
	UT_CHECK(r == -ENOMEM && strstr(err, "the DTB (4096 bytes)"), "dtb: r=%d %s", r, err);

	/* text_offset beyond RAM, and so large the sum overflows. */
	s = linux_like;
	s.text_offset = 1ULL << 40;
	write_image(&s);
	m.size = 32 * MiB;
	r = load(&m, NULL, 4096, &l, err);
	UT_CHECK(r == -ENOMEM && strstr(err, "does not fit") && strstr(err, "0x10000000000"),
		 "huge text_offset: r=%d %s", r, err);
	s.text_offset = UINT64_MAX - 4096;
	write_image(&s);
	r = load(&m, NULL, 4096, &l, err);
	UT_CHECK(r == -ENOMEM && strstr(err, "does not fit") && strstr(err, "0xffffffffffffefff"),
		 "wrapping text_offset: r=%d %s", r, err);
}

/* Each row: a header change, the error, and words the message must hold. */
UT_TEST(bad_images)
{
	static const struct {
		struct image_spec s;
		int ret;
		const char *want;
	} cases[] = {
	    {{2 * MiB, 4 * MiB, 0, 4096, MAGIC_NONE}, -ENOEXEC, "bad magic"},
	    {{2 * MiB, 4 * MiB, 1, 4096, MAGIC_BOTH}, -ENOEXEC, "big-endian"},
	    {{2 * MiB, 0, 0, 4096, MAGIC_BOTH}, -EINVAL, "image_size is 0"},
	    {{2 * MiB, 2ULL << 30, 0, 4096, MAGIC_BOTH}, -EINVAL, "image_size 2147483648"},
	    {{2 * MiB, UINT64_MAX, 0, 4096, MAGIC_BOTH}, -EINVAL, "corrupt header"},
	    {{2 * MiB, 4095, 0, 4096, MAGIC_BOTH}, -EINVAL, "smaller than the file (4096"},
	    {{2 * MiB, 4 * MiB, 0, 63, MAGIC_BOTH}, -ENOEXEC, "63 bytes"},
	    {{2 * MiB, 4 * MiB, 0, 0, MAGIC_BOTH}, -ENOEXEC, "0 bytes"},
	};
	struct dv_boot_layout l;
	char err[512];

	setup();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dv_guest_mem m = mem_of(RAM_BASE, 32 * MiB);
		int r;

		write_image(&cases[i].s);
		r = load(&m, NULL, 4096, &l, err);
		UT_CHECK(r == cases[i].ret, "case %zu: r=%d want %d (%s)", i, r, cases[i].ret, err);
		UT_CHECK(strstr(err, cases[i].want) && strstr(err, path_k), "case %zu: msg %s", i,
			 err);
		UT_CHECK(l.entry == 0x7777777777777777ULL, "case %zu: out written", i);
	}
	/* Image 1.0 kernels (pre-0.2 header) have the old magic and garbage at 56. */
	struct image_spec s = linux_like;
	s.magic = MAGIC_OLD_ONLY;
	write_image(&s);
	struct dv_guest_mem m = mem_of(RAM_BASE, 32 * MiB);
	UT_CHECK(load(&m, NULL, 4096, &l, err) == 0, "old magic: %s", err);
}

UT_TEST(file_errors)
{
	struct dv_boot_layout l;
	char err[512], missing[160];
	struct dv_guest_mem m;
	int r;

	setup();
	m = mem_of(RAM_BASE, 32 * MiB);
	snprintf(missing, sizeof(missing), "%s/missing", tmpdir);
	r = dv_load_linux(&m, missing, NULL, 4096, &l, err, sizeof(err));
	UT_CHECK(r == -ENOENT && strstr(err, "kernel") && strstr(err, missing) &&
		     strstr(err, strerror(ENOENT)),
		 "missing kernel: r=%d %s", r, err);
	r = dv_load_linux(&m, tmpdir, NULL, 4096, &l, err, sizeof(err));
	UT_CHECK(r == -EISDIR && strstr(err, tmpdir) && strstr(err, strerror(EISDIR)),
		 "directory kernel: r=%d %s", r, err);
	r = dv_load_linux(&m, "/dev/null", NULL, 4096, &l, err, sizeof(err));
	UT_CHECK(r == -EINVAL && strstr(err, "/dev/null") && strstr(err, "not a regular file"),
		 "device kernel: r=%d %s", r, err);

	write_image(&linux_like);
	r = dv_load_linux(&m, path_k, missing, 4096, &l, err, sizeof(err));
	UT_CHECK(r == -ENOENT && strstr(err, "initrd") && strstr(err, missing) &&
		     strstr(err, strerror(ENOENT)),
		 "missing initrd: r=%d %s", r, err);
	write_initrd(0);
	r = dv_load_linux(&m, path_k, path_i, 4096, &l, err, sizeof(err));
	UT_CHECK(r == -EINVAL && strstr(err, path_i) && strstr(err, "empty"),
		 "empty initrd: r=%d %s", r, err);

	if (geteuid() != 0) {
		chmod(path_k, 0);
		r = dv_load_linux(&m, path_k, NULL, 4096, &l, err, sizeof(err));
		UT_CHECK(r == -EACCES && strstr(err, strerror(EACCES)), "unreadable: r=%d %s", r,
			 err);
		chmod(path_k, 0644);
	} else {
		printf("  (unreadable-file case skipped as root)\n");
	}
}

UT_TEST(dtb_size_limits)
{
	struct dv_boot_layout l;
	char err[512];
	struct dv_guest_mem m;
	int r;

	setup();
	m = mem_of(RAM_BASE, 32 * MiB);
	write_image(&linux_like);
	r = load(&m, NULL, 0, &l, err);
	UT_CHECK(r == -EINVAL && strstr(err, "DTB size 0"), "dtb 0: r=%d %s", r, err);
	r = load(&m, NULL, 2 * MiB + 1, &l, err);
	UT_CHECK(r == -EINVAL && strstr(err, "DTB size 2097153"), "dtb 2M+1: r=%d %s", r, err);
	r = load(&m, NULL, 2 * MiB, &l, err);
	UT_CHECK(r == 0, "dtb 2M: r=%d %s", r, err);
}

UT_TEST(error_buffer)
{
	struct dv_boot_layout l;
	struct dv_guest_mem m;
	char small[12];
	int r;

	setup();
	m = mem_of(RAM_BASE, 32 * MiB);
	r = dv_load_linux(&m, "/nonexistent/Image", NULL, 4096, &l, NULL, 0);
	UT_CHECK(r == -ENOENT, "no err buffer: r=%d", r);
	memset(small, 'x', sizeof(small));
	r = dv_load_linux(&m, "/nonexistent/Image", NULL, 4096, &l, small, sizeof(small));
	UT_CHECK(r == -ENOENT && small[11] == '\0' && !strcmp(small, "kernel '/no"),
		 "truncated: r=%d '%.12s'", r, small);
}

UT_MAIN()
