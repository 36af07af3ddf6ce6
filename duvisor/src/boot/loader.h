/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Loading a RISC-V Linux Image, its initrd and a slot for its DTB into guest
 * RAM (Documentation/riscv/boot-image-header.rst), laid out as QEMU's and
 * kvmtool's riscv loaders do, so that nothing the guest needs lies where it
 * may take memory for itself:
 *
 *   RAM base                                                   top
 *   | text_offset (2 MiB on rv64)                              |
 *   v                                                          v
 *   +---------+--------------------+--------+--------+------+-----+
 *   |         | kernel: image_size |  ...   | initrd |  ... | DTB |
 *   +---------+--------------------+--------+--------+------+-----+
 *             ^ entry, 2 MiB aligned  ^ kernel + min(RAM / 2, 128 MiB), a page aligned
 *
 * - the kernel at base + text_offset rounded up to 2 MiB;
 * - the DTB slot at the top of RAM, aligned down to 2 MiB; "top" is the end
 *   of RAM, or 3 GiB when RAM starts below that (QEMU's riscv_load_fdt():
 *   the tree stays addressable by 32-bit code);
 * - the initrd in the upper half of a window of min(RAM, 256 MiB) from the
 *   kernel (QEMU's riscv_load_initrd()), page aligned; only if it does not
 *   fit below the DTB from there does it move down, as high as it fits.
 *
 * A guest may use memory right past its image_size before it has read the
 * device tree (a bare-metal kernel copying its DTB there did), so nothing
 * is put there. Everything must lie inside RAM. The caller builds the DTB
 * (dv_fdt_build) into dv_gpa_ptr(mem, out->dtb, dtb_size) afterwards, with
 * the initrd range from out.
 */
#ifndef DV_LOADER_H
#define DV_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_mem.h"

/* Linux rv64 maps its kernel with 2 MiB pages: its load address must be aligned to them. */
#define DV_KERNEL_ALIGN	 (2ULL << 20)
#define DV_INITRD_ALIGN	 4096ULL
#define DV_INITRD_WINDOW (256ULL << 20) /* the initrd goes in its upper half */
#define DV_DTB_ALIGN	 (2ULL << 20)
#define DV_DTB_LIMIT	 (3ULL << 30) /* the DTB ends below this when RAM starts below it */
/* Linux riscv maps the DTB early through two 2 MiB fixmap entries (MAX_FDT_SIZE). */
#define DV_DTB_MAX_SIZE (2ULL << 20)
/* image_size beyond this is a corrupt header, not a kernel. */
#define DV_IMAGE_MAX_SIZE (1ULL << 30)

/* The 64-byte Image header, little-endian. */
#define DV_IMAGE_HDR_SIZE      64
#define DV_IMAGE_TEXT_OFFSET   8
#define DV_IMAGE_SIZE_OFFSET   16
#define DV_IMAGE_FLAGS_OFFSET  24
#define DV_IMAGE_MAGIC_OFFSET  48   /* "RISCV\0\0\0", deprecated since header 0.2 */
#define DV_IMAGE_MAGIC2_OFFSET 56   /* "RSC\x05" */
#define DV_IMAGE_FLAG_BE       1ULL /* flags bit 0: big-endian kernel */

struct dv_boot_layout {
	uint64_t entry; /* guest physical address to start hart 0 at (a0 = hartid, a1 = dtb) */
	uint64_t kernel_start; /* == entry */
	uint64_t kernel_end;   /* kernel_start + image_size, exclusive */
	uint64_t initrd_start; /* 0 and 0 when there is no initrd */
	uint64_t initrd_end;   /* exclusive */
	uint64_t dtb;	       /* guest physical address of the dtb_size-byte DTB slot */
	uint64_t dtb_size;
};

/*
 * The layout for an Image whose header says text_offset and image_size, an
 * initrd of initrd_size bytes (0: none) and a dtb_size-byte DTB slot in mem
 * (only its base and size are used). Returns 0 and fills out, or -ENOMEM
 * with a one-line message in err when something does not fit (out is then
 * left alone).
 */
int dv_boot_plan(const struct dv_guest_mem *mem, uint64_t text_offset, uint64_t image_size,
		 uint64_t initrd_size, uint64_t dtb_size, struct dv_boot_layout *out, char *err,
		 size_t errlen);

/*
 * Read the Image file kernel (and the file initrd, unless NULL) into mem as
 * laid out above, leaving a dtb_size-byte slot for the DTB. Returns 0 and
 * fills out, or a negative errno with a one-line message in err:
 *   -errno of open/read  the file cannot be read (path and strerror)
 *   -ENOEXEC             not a little-endian RISC-V Linux Image (bad magic, too short)
 *   -EINVAL              image_size 0, beyond DV_IMAGE_MAX_SIZE or smaller than the file;
 *                        empty initrd; dtb_size 0 or beyond DV_DTB_MAX_SIZE
 *   -ENOMEM              it does not fit in RAM (the message says which part and where)
 * Guest RAM may have been partly written when it fails.
 */
int dv_load_linux(const struct dv_guest_mem *mem, const char *kernel, const char *initrd,
		  size_t dtb_size, struct dv_boot_layout *out, char *err, size_t errlen);

#endif /* DV_LOADER_H */
