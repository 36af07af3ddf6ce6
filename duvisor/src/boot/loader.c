// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Linux loader: parse the RISC-V Image header, lay out kernel, initrd
 * and DTB slot in guest RAM (see loader.h), and read the files straight into
 * guest memory through dv_gpa_ptr.
 */
#include "boot/loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t errlen, int ret,
						      const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* *v rounded up to a (a power of two); false on overflow. */
static bool align_up(uint64_t *v, uint64_t a)
{
	if (*v > UINT64_MAX - (a - 1))
		return false;
	*v = (*v + a - 1) & ~(a - 1);
	return true;
}

/* An opened regular file. */
struct dv_file {
	const char *what; /* "kernel" or "initrd", for messages */
	const char *path;
	int fd;
	uint64_t size;
};

static int file_open(struct dv_file *f, char *err, size_t errlen)
{
	struct stat st;
	int e;

	f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		e = errno;
		return fail(err, errlen, -e, "%s '%s': %s", f->what, f->path, strerror(e));
	}
	if (fstat(f->fd, &st)) {
		e = errno;
		return fail(err, errlen, -e, "%s '%s': %s", f->what, f->path, strerror(e));
	}
	if (S_ISDIR(st.st_mode))
		return fail(err, errlen, -EISDIR, "%s '%s': %s", f->what, f->path,
			    strerror(EISDIR));
	if (!S_ISREG(st.st_mode))
		return fail(err, errlen, -EINVAL, "%s '%s': not a regular file", f->what, f->path);
	f->size = (uint64_t)st.st_size;
	return 0;
}

/* Read exactly len bytes at offset 0 into dst. */
static int file_read(struct dv_file *f, void *dst, uint64_t len, char *err, size_t errlen)
{
	uint8_t *p = dst;
	uint64_t done = 0;

	while (done < len) {
		size_t chunk = len - done > (1U << 30) ? (1U << 30) : (size_t)(len - done);
		ssize_t r = pread(f->fd, p + done, chunk, (off_t)done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			return fail(err, errlen, -e, "%s '%s': %s", f->what, f->path, strerror(e));
		}
		if (r == 0)
			return fail(err, errlen, -EIO, "%s '%s': file shrank to %llu bytes",
				    f->what, f->path, (unsigned long long)done);
		done += (uint64_t)r;
	}
	return 0;
}

/* The header fields the loader uses. */
struct dv_image_hdr {
	uint64_t text_offset;
	uint64_t image_size;
};

static int parse_header(const struct dv_file *f, const uint8_t h[DV_IMAGE_HDR_SIZE],
			struct dv_image_hdr *hdr, char *err, size_t errlen)
{
	static const uint8_t magic[8] = {'R', 'I', 'S', 'C', 'V', 0, 0, 0};
	static const uint8_t magic2[4] = {'R', 'S', 'C', 0x05};

	if (memcmp(h + DV_IMAGE_MAGIC2_OFFSET, magic2, 4) &&
	    memcmp(h + DV_IMAGE_MAGIC_OFFSET, magic, 8))
		return fail(
		    err, errlen, -ENOEXEC,
		    "kernel '%s': not a RISC-V Linux Image (bad magic; want \"RSC\\x05\" at "
		    "56 or \"RISCV\" at 48)",
		    f->path);
	if (le64(h + DV_IMAGE_FLAGS_OFFSET) & DV_IMAGE_FLAG_BE)
		return fail(err, errlen, -ENOEXEC, "kernel '%s': a big-endian kernel", f->path);
	hdr->text_offset = le64(h + DV_IMAGE_TEXT_OFFSET);
	hdr->image_size = le64(h + DV_IMAGE_SIZE_OFFSET);
	if (hdr->image_size == 0)
		return fail(err, errlen, -EINVAL, "kernel '%s': image_size is 0", f->path);
	if (hdr->image_size > DV_IMAGE_MAX_SIZE)
		return fail(err, errlen, -EINVAL,
			    "kernel '%s': image_size %llu is beyond %llu MiB: a corrupt header",
			    f->path, (unsigned long long)hdr->image_size, DV_IMAGE_MAX_SIZE >> 20);
	if (hdr->image_size < f->size)
		return fail(err, errlen, -EINVAL,
			    "kernel '%s': image_size %llu is smaller than the file (%llu bytes)",
			    f->path, (unsigned long long)hdr->image_size,
			    (unsigned long long)f->size);
	return 0;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static int no_fit(char *err, size_t errlen, uint64_t ram_size, const char *what, uint64_t size,
		  uint64_t from, uint64_t to)
{
	return fail(err, errlen, -ENOMEM,
		    "does not fit in RAM: %s (%llu bytes) has no room in [%#llx, %#llx); the guest "
		    "has %llu bytes (%llu MiB)",
		    what, (unsigned long long)size, (unsigned long long)from,
		    (unsigned long long)to, (unsigned long long)ram_size,
		    (unsigned long long)(ram_size >> 20));
}

/*
 * The layout (see loader.h), in guest physical addresses; the checks keep
 * every sum below the end of RAM, which dv_guest_mem keeps from wrapping.
 */
int dv_boot_plan(const struct dv_guest_mem *mem, uint64_t text_offset, uint64_t image_size,
		 uint64_t initrd_size, uint64_t dtb_size, struct dv_boot_layout *out, char *err,
		 size_t errlen)
{
	uint64_t base = mem->gpa_base, end = base + mem->size, top, kstart = 0, kend, lo, ir;
	struct dv_boot_layout l;
	char what[96];

	/* The kernel: base + text_offset rounded up to 2 MiB */
	if (__builtin_add_overflow(base, text_offset, &kstart) ||
	    !align_up(&kstart, DV_KERNEL_ALIGN) || kstart >= end || image_size > end - kstart) {
		snprintf(what, sizeof(what), "the kernel (image_size %llu at text_offset %#llx)",
			 (unsigned long long)image_size, (unsigned long long)text_offset);
		return no_fit(err, errlen, mem->size, what, image_size, base, end);
	}
	kend = kstart + image_size;
	/* The DTB: the top of RAM, or of its part below 3 GiB, aligned down */
	top = base < DV_DTB_LIMIT ? min_u64(end, DV_DTB_LIMIT) : end;
	if (kend > top || dtb_size > top - kend || ((top - dtb_size) & ~(DV_DTB_ALIGN - 1)) < kend)
		return no_fit(err, errlen, mem->size, "the DTB", dtb_size, kend, top);
	l.dtb = (top - dtb_size) & ~(DV_DTB_ALIGN - 1);
	l.dtb_size = dtb_size;
	l.entry = l.kernel_start = kstart;
	l.kernel_end = kend;
	l.initrd_start = l.initrd_end = 0;
	if (!initrd_size) {
		*out = l;
		return 0;
	}
	/*
	 * The initrd: the upper half of a window of min(RAM, 256 MiB) from the
	 * kernel, well away from what the kernel may treat as free; lower
	 * only if it does not fit below the DTB there.
	 */
	lo = kend;
	align_up(&lo, DV_INITRD_ALIGN); /* kend <= dtb, a multiple of the page: lo <= dtb */
	if (initrd_size > l.dtb - lo)
		return no_fit(err, errlen, mem->size, "the initrd", initrd_size, lo, l.dtb);
	ir = kstart + min_u64(mem->size / 2, DV_INITRD_WINDOW / 2);
	align_up(&ir, DV_INITRD_ALIGN);
	if (ir < lo)
		ir = lo;
	if (ir > l.dtb || initrd_size > l.dtb - ir)
		ir = (l.dtb - initrd_size) & ~(DV_INITRD_ALIGN - 1);
	l.initrd_start = ir;
	l.initrd_end = ir + initrd_size;
	*out = l;
	return 0;
}

int dv_load_linux(const struct dv_guest_mem *mem, const char *kernel, const char *initrd,
		  size_t dtb_size, struct dv_boot_layout *out, char *err, size_t errlen)
{
	struct dv_file kf = {"kernel", kernel, -1, 0}, rf = {"initrd", initrd, -1, 0};
	uint8_t h[DV_IMAGE_HDR_SIZE];
	struct dv_image_hdr hdr = {0, 0};
	struct dv_boot_layout l;
	uint8_t *dst;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (dtb_size == 0 || dtb_size > DV_DTB_MAX_SIZE)
		return fail(err, errlen, -EINVAL, "DTB size %zu is not within 1..%llu", dtb_size,
			    DV_DTB_MAX_SIZE);
	r = file_open(&kf, err, errlen);
	if (r)
		goto out;
	if (kf.size < DV_IMAGE_HDR_SIZE) {
		r = fail(err, errlen, -ENOEXEC,
			 "kernel '%s': not a RISC-V Linux Image (%llu bytes, shorter than its "
			 "%d-byte header)",
			 kernel, (unsigned long long)kf.size, DV_IMAGE_HDR_SIZE);
		goto out;
	}
	r = file_read(&kf, h, sizeof(h), err, errlen);
	if (r)
		goto out;
	r = parse_header(&kf, h, &hdr, err, errlen);
	if (r)
		goto out;
	if (initrd) {
		r = file_open(&rf, err, errlen);
		if (r)
			goto out;
		if (rf.size == 0) {
			r = fail(err, errlen, -EINVAL, "initrd '%s': empty file", initrd);
			goto out;
		}
	}
	r = dv_boot_plan(mem, hdr.text_offset, hdr.image_size, rf.size, dtb_size, &l, err, errlen);
	if (r)
		goto out;

	/* dv_boot_plan() kept every range inside RAM, so these cannot fail. */
	dst = dv_gpa_ptr(mem, l.kernel_start, hdr.image_size);
	r = file_read(&kf, dst, kf.size, err, errlen);
	if (r)
		goto out;
	/* The rest of image_size is bss; Linux clears it too, but be deterministic. */
	memset(dst + kf.size, 0, hdr.image_size - kf.size);
	if (initrd) {
		dst = dv_gpa_ptr(mem, l.initrd_start, rf.size);
		r = file_read(&rf, dst, rf.size, err, errlen);
		if (r)
			goto out;
	}
	*out = l;
out:
	if (rf.fd >= 0)
		close(rf.fd);
	if (kf.fd >= 0)
		close(kf.fd);
	return r;
}
