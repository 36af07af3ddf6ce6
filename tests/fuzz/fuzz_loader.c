// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the Linux Image loader (boot/loader.c).
 *
 * Input: mode u8, then
 * - mode % 4 == 3, the layout alone (dv_boot_plan): RAM base u64 and size
 *   u64 (any, as long as base + size does not pass 2^64), text_offset,
 *   image_size, initrd_size and dtb_size u64;
 * - else a whole load (dv_load_linux) from memfd files, with
 *     RAM:     base choice u8, size in pages u16 (up to 16 MiB), k u16
 *     DTB:     choice u8, size u32
 *     err:     length u16 (% 300; 300: err NULL)
 *     kernel:  path choice u8 (the file, a missing path, a directory,
 *              /dev/null), magic choice u8, text_offset choice u8 and u64,
 *              image_size choice u8 and u64, flags u64, bytes written u32,
 *              size u32 (the file is extended with a hole to it), seed u8
 *     initrd:  path choice u8 (none, the file, ...), bytes u32, size u32,
 *              seed u8
 *   The file's first 64 bytes are the header built from those fields, the
 *   rest a pattern from the seed.
 *
 * Guest RAM is an mmap'd range whose end abuts an inaccessible page (and
 * so does the page before it), so a write outside RAM faults at once, even
 * from the kernel (pread fails with EFAULT) or libc.
 *
 * Checked, besides ASan/UBSan:
 * - the result is exactly the one loader.h lists for the input: the errno
 *   of an unreadable path, -ENOEXEC (bad magic, big-endian, shorter than
 *   the header), -EINVAL (image_size 0, beyond 1 GiB or below the file's
 *   size, an empty initrd, dtb_size 0 or beyond 2 MiB), -ENOMEM when it
 *   does not fit (decided by a reference layout computed here in 128-bit
 *   arithmetic), else 0; an error comes with a message, NUL-terminated
 *   inside errlen (nothing is written past errlen), success with none;
 * - the layout: the kernel at base + text_offset rounded up to 2 MiB, its
 *   image_size inside RAM; the DTB slot 2 MiB aligned, after the kernel,
 *   ending below the top (3 GiB when RAM starts below it); the initrd page
 *   aligned between them; all as the reference says; out untouched on
 *   failure;
 * - RAM: after a success the kernel's range holds the file (its hole as
 *   zeros) then zeros up to image_size, the initrd's range holds the
 *   initrd, and nothing else was written (pages next to the ranges are
 *   filled with a pattern that must survive; any other page the loader
 *   touched must lie inside a range: mincore); after a failure before the
 *   files are read, RAM was not touched at all;
 * - no file descriptor is left open.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot/loader.h"
#include "fuzz_common.h"

#define PAGE	   4096ull
#define MAX_RAM	   (16ull << 20)
#define MAX_DATA   (64u << 10) /* bytes written to a file; the rest is a hole */
#define MAX_FILE   (32u << 20)
#define MB2	   (2ull << 20)
#define RAM_BASE   0x80000000ull /* DV_RAM_BASE */
#define GUARD_FILL 0xa5
#define ERR_SIZE   300
#define ERR_CANARY 0x5a

typedef unsigned __int128 u128;

static uint8_t *region; /* PAGE + MAX_RAM + PAGE, inaccessible but for the RAM in use */
static int kfd = -1, ifd = -1;
static char kpath[64], ipath[64];
static uint8_t kbuf[MAX_DATA], ibuf[MAX_DATA];
static uint8_t zero_page[PAGE];
static unsigned char resident[MAX_RAM / PAGE];

/* The layout loader.h describes, computed with no chance of overflow; false if it does not fit */
static bool ref_plan(uint64_t base, uint64_t size, uint64_t text, uint64_t image, uint64_t initrd,
		     uint64_t dtb_size, struct dv_boot_layout *l)
{
	u128 b = base, end = b + size, ks, kend, top, dtb, lo, ir, half;

	ks = (b + text + MB2 - 1) / MB2 * MB2;
	if (ks >= end || ks + image > end)
		return false;
	kend = ks + image;
	top = b < DV_DTB_LIMIT ? (end < DV_DTB_LIMIT ? end : DV_DTB_LIMIT) : end;
	if (kend > top || dtb_size > top - kend)
		return false;
	dtb = (top - dtb_size) / MB2 * MB2;
	if (dtb < kend)
		return false;
	*l = (struct dv_boot_layout){(uint64_t)ks,  (uint64_t)ks, (uint64_t)kend, 0, 0,
				     (uint64_t)dtb, dtb_size};
	if (!initrd)
		return true;
	lo = (kend + PAGE - 1) / PAGE * PAGE;
	if (lo > dtb || initrd > dtb - lo)
		return false;
	half = size / 2 < DV_INITRD_WINDOW / 2 ? size / 2 : DV_INITRD_WINDOW / 2;
	ir = (ks + half + PAGE - 1) / PAGE * PAGE;
	if (ir < lo)
		ir = lo;
	if (ir + initrd > dtb)
		ir = (dtb - initrd) / PAGE * PAGE;
	l->initrd_start = (uint64_t)ir;
	l->initrd_end = (uint64_t)(ir + initrd);
	return true;
}

static bool same_layout(const struct dv_boot_layout *a, const struct dv_boot_layout *b)
{
	return a->entry == b->entry && a->kernel_start == b->kernel_start &&
	       a->kernel_end == b->kernel_end && a->initrd_start == b->initrd_start &&
	       a->initrd_end == b->initrd_end && a->dtb == b->dtb && a->dtb_size == b->dtb_size;
}

/* What the layout must be, whatever the reference says */
static void check_layout(uint64_t base, uint64_t size, uint64_t image, uint64_t initrd,
			 uint64_t dtb_size, const struct dv_boot_layout *l)
{
	u128 end = (u128)base + size,
	     top = base < DV_DTB_LIMIT && end > DV_DTB_LIMIT ? DV_DTB_LIMIT : end;

	FZ_CHECK(l->entry == l->kernel_start && l->kernel_start % MB2 == 0 &&
		     l->kernel_start >= base && l->kernel_end - l->kernel_start == image,
		 "kernel [%#llx, %#llx) of %llu", (unsigned long long)l->kernel_start,
		 (unsigned long long)l->kernel_end, (unsigned long long)image);
	FZ_CHECK(l->dtb % MB2 == 0 && l->dtb >= l->kernel_end && l->dtb_size == dtb_size &&
		     (u128)l->dtb + dtb_size <= top,
		 "DTB %#llx+%llu, kernel end %#llx, top %#llx", (unsigned long long)l->dtb,
		 (unsigned long long)dtb_size, (unsigned long long)l->kernel_end,
		 (unsigned long long)top);
	if (!initrd) {
		FZ_CHECK(!l->initrd_start && !l->initrd_end, "an initrd range without an initrd");
		return;
	}
	FZ_CHECK(l->initrd_start % PAGE == 0 && l->initrd_start >= l->kernel_end &&
		     l->initrd_end - l->initrd_start == initrd && l->initrd_end <= l->dtb,
		 "initrd [%#llx, %#llx) of %llu, kernel end %#llx, DTB %#llx",
		 (unsigned long long)l->initrd_start, (unsigned long long)l->initrd_end,
		 (unsigned long long)initrd, (unsigned long long)l->kernel_end,
		 (unsigned long long)l->dtb);
}

static void plan_only(struct fz *f)
{
	uint64_t base = fz_u64(f), size = fz_u64(f), text = fz_u64(f), image = fz_u64(f);
	uint64_t initrd = fz_u64(f), dtb_size = fz_u64(f);
	struct dv_guest_mem mem;
	struct dv_boot_layout l, want, canary;
	char err[128];
	bool fits;
	int r;

	if (size > UINT64_MAX - base) /* RAM that would pass 2^64 */
		size = UINT64_MAX - base;
	mem = (struct dv_guest_mem){NULL, base, size};
	memset(&canary, 0x77, sizeof(canary));
	l = canary;
	err[0] = 'x';
	r = dv_boot_plan(&mem, text, image, initrd, dtb_size, &l, err, sizeof(err));
	fits = ref_plan(base, size, text, image, initrd, dtb_size, &want);
	if (fz_verbose())
		fprintf(stderr,
			"loader: plan RAM %#llx+%#llx, image %#llx at +%#llx, initrd %#llx, "
			"dtb %#llx: %d\n",
			(unsigned long long)base, (unsigned long long)size,
			(unsigned long long)image, (unsigned long long)text,
			(unsigned long long)initrd, (unsigned long long)dtb_size, r);
	FZ_CHECK(r == (fits ? 0 : -ENOMEM),
		 "plan(base %#llx size %#llx text %#llx image %#llx initrd %#llx dtb %#llx): %d, "
		 "reference %d",
		 (unsigned long long)base, (unsigned long long)size, (unsigned long long)text,
		 (unsigned long long)image, (unsigned long long)initrd,
		 (unsigned long long)dtb_size, r, fits);
	if (r) {
		FZ_CHECK(!memcmp(&l, &canary, sizeof(l)), "a failed plan wrote out");
		FZ_CHECK(memchr(err, 0, sizeof(err)) && err[0] && strstr(err, "does not fit"),
			 "plan's message: %.127s", err);
		return;
	}
	FZ_CHECK(same_layout(&l, &want),
		 "layout kernel %#llx-%#llx initrd %#llx-%#llx dtb %#llx, reference %#llx-%#llx "
		 "%#llx-%#llx %#llx",
		 (unsigned long long)l.kernel_start, (unsigned long long)l.kernel_end,
		 (unsigned long long)l.initrd_start, (unsigned long long)l.initrd_end,
		 (unsigned long long)l.dtb, (unsigned long long)want.kernel_start,
		 (unsigned long long)want.kernel_end, (unsigned long long)want.initrd_start,
		 (unsigned long long)want.initrd_end, (unsigned long long)want.dtb);
	check_layout(base, size, image, initrd, dtb_size, &l);
}

/* ---- a whole load ---- */

static void setup(void)
{
	region = mmap(NULL, MAX_RAM + 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	kfd = memfd_create("fuzz-kernel", MFD_CLOEXEC);
	ifd = memfd_create("fuzz-initrd", MFD_CLOEXEC);
	if (region == MAP_FAILED || kfd < 0 || ifd < 0)
		abort();
	snprintf(kpath, sizeof(kpath), "/proc/self/fd/%d", kfd);
	snprintf(ipath, sizeof(ipath), "/proc/self/fd/%d", ifd);
}

static uint8_t pattern(uint32_t i, uint8_t seed)
{
	return (uint8_t)(i * 167u + (i >> 8) * 13u + seed);
}

/* Fill fd with len bytes of buf (first 64: the header) and a hole up to size */
static void write_file(int fd, const uint8_t *buf, uint32_t len, uint32_t size)
{
	if (ftruncate(fd, 0) || (len && pwrite(fd, buf, len, 0) != (ssize_t)len) ||
	    ftruncate(fd, size > len ? size : len))
		abort();
}

static const char *path_of(unsigned int choice, const char *file)
{
	static const char *const others[] = {"/nonexistent/duvisor-fuzz", "/", "/dev/null"};

	return choice == 0 ? file : others[choice - 1];
}

static int path_errno(unsigned int choice)
{
	static const int e[] = {0, -ENOENT, -EISDIR, -EINVAL};

	return e[choice];
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static bool all_zero(const uint8_t *p, uint64_t len)
{
	while (len) {
		uint64_t n = len < PAGE ? len : PAGE;

		if (memcmp(p, zero_page, n))
			return false;
		p += n;
		len -= n;
	}
	return true;
}

struct range {
	uint64_t lo, hi; /* offsets in RAM */
};

static bool in_ranges(const struct range *r, unsigned int n, uint64_t off)
{
	for (unsigned int i = 0; i < n; i++)
		if (off >= r[i].lo && off < r[i].hi)
			return true;
	return false;
}

static void load(struct fz *f)
{
	static const uint64_t dtb_sizes[] = {0, 1, 4096, 64 << 10, MB2 - 1, MB2, MB2 + 1};
	unsigned int base_choice = fz_u8(f), pages = 1 + fz_u16(f) % (MAX_RAM / PAGE);
	uint64_t k = fz_u16(f), size = pages * PAGE, base;
	unsigned int dtb_choice = fz_u8(f);
	uint32_t dtb_raw = fz_u32(f);
	unsigned int errlen = fz_u16(f) % (ERR_SIZE + 1);
	unsigned int kchoice = fz_u8(f) % 4, magic = fz_u8(f), text_choice = fz_u8(f);
	uint64_t text = fz_u64(f);
	unsigned int image_choice = fz_u8(f);
	uint64_t image = fz_u64(f), flags = fz_u64(f);
	uint32_t klen = fz_u32(f) % (MAX_DATA + 1), ksize = fz_u32(f) % MAX_FILE;
	uint8_t kseed = fz_u8(f);
	unsigned int ichoice = fz_u8(f) % 5;
	uint32_t ilen = fz_u32(f) % (MAX_DATA + 1), isize = fz_u32(f) % MAX_FILE;
	uint8_t iseed = fz_u8(f);
	uint64_t dtb_size, kfile, ifile, hdr_text, hdr_image, hdr_flags;
	uint8_t h[DV_IMAGE_HDR_SIZE] = {0};
	char errbuf[ERR_SIZE + 16], *err = errlen == ERR_SIZE ? NULL : errbuf;
	struct dv_boot_layout l, want = {0}, canary;
	struct dv_guest_mem mem;
	struct range ranges[2];
	unsigned int nranges = 0;
	int r, expect, fds;
	bool magic_ok, read_files = false;
	uint8_t *host;
	size_t i;

	switch (base_choice % 5) {
	case 0:
		base = RAM_BASE;
		break;
	case 1:
		base = RAM_BASE + k * PAGE;
		break; /* not 2 MiB aligned */
	case 2:
		base = 0;
		break;
	case 3:
		base = DV_DTB_LIMIT - (size / 2 & ~(PAGE - 1)) + (k % 8) * MB2;
		break; /* 3 GiB */
	default:
		base = 0ull - size - (1 + k) * PAGE;
		break; /* the top of the address space */
	}
	dtb_size = dtb_choice < 7 ? dtb_sizes[dtb_choice] : dtb_raw % (MB2 + 2);
	host = region + PAGE + MAX_RAM - size;
	if (mprotect(host, size, PROT_READ | PROT_WRITE))
		abort();
	mem = (struct dv_guest_mem){host, base, size};

	/* the kernel file: header, pattern, hole */
	kfile = ksize > klen ? ksize : klen;
	switch (text_choice % 3) {
	case 0:
		hdr_text = 0;
		break;
	case 1:
		hdr_text = text % (8 * MB2);
		break;
	default:
		hdr_text = text;
		break;
	}
	switch (image_choice % 4) {
	case 0:
		hdr_image = kfile + (image % (4 * MB2));
		break;
	case 1:
		hdr_image = kfile - (image % 4);
		break;
	case 2:
		hdr_image = size - (image % (4 * MB2));
		break;
	default:
		hdr_image = image;
		break;
	}
	hdr_flags = flags & (magic & 0x80 ? ~0ull : 1ull);
	put64(h + DV_IMAGE_TEXT_OFFSET, hdr_text);
	put64(h + DV_IMAGE_SIZE_OFFSET, hdr_image);
	put64(h + DV_IMAGE_FLAGS_OFFSET, hdr_flags);
	if (magic & 1)
		memcpy(h + DV_IMAGE_MAGIC_OFFSET, "RISCV\0\0\0", 8);
	else
		put64(h + DV_IMAGE_MAGIC_OFFSET, flags * 3);
	if (magic & 2)
		memcpy(h + DV_IMAGE_MAGIC2_OFFSET, "RSC\x05", 4);
	else
		put64(h + DV_IMAGE_MAGIC2_OFFSET, flags * 5);
	memcpy(kbuf, h, sizeof(h));
	for (i = sizeof(h); i < klen; i++)
		kbuf[i] = pattern((uint32_t)i, kseed);
	write_file(kfd, kbuf, klen, ksize);
	/* the header as the file has it: what was written, then the hole */
	memset(h + (klen < sizeof(h) ? klen : sizeof(h)), 0,
	       sizeof(h) - (klen < sizeof(h) ? klen : sizeof(h)));
	hdr_text = get64(h + DV_IMAGE_TEXT_OFFSET);
	hdr_image = get64(h + DV_IMAGE_SIZE_OFFSET);
	magic_ok = !memcmp(h + DV_IMAGE_MAGIC2_OFFSET, "RSC\x05", 4) ||
		   !memcmp(h + DV_IMAGE_MAGIC_OFFSET, "RISCV\0\0\0", 8);

	/* the initrd: choice 0 none, 1 the file, 2.. the bad paths */
	ifile = isize > ilen ? isize : ilen;
	for (i = 0; i < ilen; i++)
		ibuf[i] = pattern((uint32_t)i, iseed);
	if (ichoice == 1)
		write_file(ifd, ibuf, ilen, isize);

	/* what loader.h says must happen */
	if (dtb_size == 0 || dtb_size > DV_DTB_MAX_SIZE)
		expect = -EINVAL;
	else if (kchoice)
		expect = path_errno(kchoice);
	else if (kfile < DV_IMAGE_HDR_SIZE || !magic_ok || (get64(h + DV_IMAGE_FLAGS_OFFSET) & 1))
		expect = -ENOEXEC;
	else if (!hdr_image || hdr_image > DV_IMAGE_MAX_SIZE || hdr_image < kfile)
		expect = -EINVAL;
	else if (ichoice > 1)
		expect = path_errno(ichoice - 1);
	else if (ichoice == 1 && !ifile)
		expect = -EINVAL;
	else if (!ref_plan(base, size, hdr_text, hdr_image, ichoice ? ifile : 0, dtb_size, &want))
		expect = -ENOMEM;
	else
		expect = 0;

	/* pages around the ranges the loader may write get a pattern that must survive */
	if (!expect) {
		ranges[nranges++] =
		    (struct range){want.kernel_start - base, want.kernel_end - base};
		if (ichoice)
			ranges[nranges++] =
			    (struct range){want.initrd_start - base, want.initrd_end - base};
		for (i = 0; i < nranges; i++) {
			memset(host + (ranges[i].lo & ~(PAGE - 1)), GUARD_FILL, PAGE);
			memset(host + ((ranges[i].hi - 1) & ~(PAGE - 1)), GUARD_FILL, PAGE);
		}
	}
	memset(errbuf, ERR_CANARY, sizeof(errbuf));
	memset(&canary, 0x77, sizeof(canary));
	l = canary;
	fds = fz_fds_begin();
	r = dv_load_linux(&mem, path_of(kchoice, kpath),
			  ichoice ? path_of(ichoice - 1, ipath) : NULL, dtb_size, &l, err, errlen);
	fz_fds_end(fds);
	if (fz_verbose())
		fprintf(stderr,
			"loader: RAM %#llx+%#llx, kernel %llu bytes (image %#llx at +%#llx), "
			"initrd %llu, dtb %llu: %d (%s)\n",
			(unsigned long long)base, (unsigned long long)size,
			(unsigned long long)kfile, (unsigned long long)hdr_image,
			(unsigned long long)hdr_text, (unsigned long long)(ichoice ? ifile : 0),
			(unsigned long long)dtb_size, r, err && errlen ? err : "-");

	FZ_CHECK(r == expect, "load: %d, want %d (%s)", r, expect, err && errlen ? err : "");
	/* the message: inside errlen, NUL-terminated, present exactly on failure */
	if (err) {
		for (i = errlen; i < sizeof(errbuf); i++)
			FZ_CHECK((uint8_t)errbuf[i] == ERR_CANARY, "err written at %zu of %u", i,
				 errlen);
		if (errlen) {
			FZ_CHECK(memchr(errbuf, 0, errlen), "err not terminated in %u bytes",
				 errlen);
			FZ_CHECK(!r == !errbuf[0] || errlen == 1, "result %d, message '%s'", r,
				 errbuf);
		}
	}
	if (r) {
		FZ_CHECK(!memcmp(&l, &canary, sizeof(l)), "a failed load wrote out");
	} else {
		FZ_CHECK(same_layout(&l, &want), "layout differs from the reference");
		check_layout(base, size, hdr_image, ichoice ? ifile : 0, dtb_size, &l);
		read_files = true;
	}

	/* RAM: the ranges hold the files, the rest was not touched */
	if (mincore(host, size, resident))
		abort();
	if (read_files) {
		uint8_t *kp = host + ranges[0].lo;
		uint64_t n = klen < hdr_image ? klen : hdr_image;

		FZ_CHECK(!memcmp(kp, kbuf, n) && all_zero(kp + n, hdr_image - n),
			 "the kernel's range is not the file then zeros");
		if (ichoice) {
			uint8_t *ip = host + ranges[1].lo;

			FZ_CHECK(!memcmp(ip, ibuf, ilen) && all_zero(ip + ilen, ifile - ilen),
				 "the initrd's range is not the file");
		}
	}
	for (uint64_t p = 0; p < size / PAGE; p++) {
		bool inside = false;

		if (!(resident[p] & 1))
			continue;
		FZ_CHECK(!expect, "failed with %d, yet RAM page %#llx was touched", r,
			 (unsigned long long)(p * PAGE));
		for (i = 0; i < nranges; i++)
			inside |= ranges[i].lo <= p * PAGE && (p + 1) * PAGE <= ranges[i].hi;
		for (uint64_t o = p * PAGE; !inside && o < (p + 1) * PAGE; o++)
			FZ_CHECK(in_ranges(ranges, nranges, o) || host[o] == GUARD_FILL,
				 "RAM written at %#llx outside the kernel and initrd",
				 (unsigned long long)(base + o));
	}

	if (madvise(host, size, MADV_DONTNEED) || mprotect(host, size, PROT_NONE))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	uint8_t mode = fz_u8(&f);

	if (!region)
		setup();
	if (mode % 4 == 3)
		plan_only(&f);
	else
		load(&f);
	return 0;
}
