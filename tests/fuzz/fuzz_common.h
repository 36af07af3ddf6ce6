/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the libFuzzer targets share: reading typed values from the input,
 * fake guest RAM, a small model of the driver side of a split queue, and
 * register access to a virtio-mmio device with the transport's invariants.
 *
 * Input values are little-endian; a read past the end of the input gives 0,
 * so every input is valid and every field is a raw guest value (addresses
 * are offsets from the RAM base, wrapping, so each 64-bit value is reachable).
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_mem.h"
#include "virtio/transport.h"
#include "virtio/queue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stops the fuzzer with a message: an invariant of the code under test failed. */
#define FZ_CHECK(cond, ...)                                                                        \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                           \
	} while (0)

__attribute__((noreturn, format(printf, 4, 5))) void
fz_fail(const char *file, int line, const char *cond, const char *fmt, ...);

/* FUZZ_VERBOSE=1 in the environment: each input prints what it did (to check seeds). */
bool fz_verbose(void);

/*
 * Checks that an input left no file descriptor open: fz_fds_end(fz_fds_begin())
 * around it. (Not across inputs: libFuzzer's symbolizer keeps pipes open.)
 */
int fz_fds_begin(void);
void fz_fds_end(int begin);

/* The input, consumed front to back. */
struct fz {
	const uint8_t *p;
	size_t n;
};

uint8_t fz_u8(struct fz *f);
uint16_t fz_u16(struct fz *f);
uint32_t fz_u32(struct fz *f);
uint64_t fz_u64(struct fz *f);
/* Copies up to len bytes of input to dst; returns how many there were. */
size_t fz_bytes(struct fz *f, void *dst, size_t len);

/* Fake guest RAM: allocated once (page-aligned, exactly size bytes), zeroed per input. */
void fz_ram_alloc(struct dv_guest_mem *m, uint64_t gpa_base, uint64_t size);
/* An address the input gives: an offset from the RAM base, wrapping. */
uint64_t fz_addr(const struct dv_guest_mem *m, struct fz *f);

/* The driver's view of one split queue: where it put the three parts. */
struct fz_drvq {
	uint16_t num;
	uint64_t desc, avail, used;
};

/*
 * Guest-side operations on RAM, in the input as an opcode and arguments:
 * raw bytes anywhere in RAM, a descriptor in the queue's table or anywhere
 * (indirect tables), an avail ring entry, and the avail ring's fields; and,
 * so that long chains are cheap to reach, count descriptors linked by NEXT
 * (all alike but the last, which has no NEXT) in the queue's table or
 * anywhere in RAM.
 */
enum {
	FZ_G_POKE,
	FZ_G_DESC,
	FZ_G_IDESC,
	FZ_G_AVAIL_ADD,
	FZ_G_AVAIL_IDX,
	FZ_G_AVAIL_FLAGS,
	FZ_G_USED_EVENT,
	FZ_G_CHAIN, /* start u16, count u16, addr u64, len u32, flags u16 */
	FZ_G_TABLE, /* RAM offset u16, count u16, addr u64, len u32, flags u16 */
	FZ_G_COUNT
};
void fz_guest_op(unsigned int op, struct fz *f, const struct dv_guest_mem *m,
		 const struct fz_drvq *q);
/* Writes a descriptor at gpa if it lies in RAM. */
void fz_put_desc(const struct dv_guest_mem *m, uint64_t gpa, uint64_t addr, uint32_t len,
		 uint16_t flags, uint16_t next);
/* Adds head to the avail ring (if it lies in RAM) and bumps its idx. */
void fz_avail_add(const struct dv_guest_mem *m, const struct fz_drvq *q, uint16_t head);

/* Checks a popped request: every segment lies in RAM, the totals add up. */
void fz_check_req(const struct dv_guest_mem *m, const struct dv_virtq_req *r, uint16_t qsize);

/* A virtio-mmio device driven through its registers. */
struct fz_mmio {
	struct dv_virtio_mmio *dev;
	bool level; /* the interrupt line, as the transport drove it */
};

/* The line's set(): opaque is the struct fz_mmio. */
void fz_irq_set(void *opaque, unsigned int n, bool level);
uint64_t fz_mmio_read(struct fz_mmio *x, uint64_t off, unsigned size);
void fz_mmio_write(struct fz_mmio *x, uint64_t off, unsigned size, uint64_t val);
/* A register access from the input: offset in the window, size 1/2/4/8, value. */
void fz_mmio_op(struct fz_mmio *x, struct fz *f, bool write);
/* The driver's view of queue i, from the transport's registers. */
struct fz_drvq fz_mmio_drvq(const struct fz_mmio *x, unsigned int i);

/*
 * The driver's bring-up, from fixed code with values from the input: reset,
 * ACKNOWLEDGE, DRIVER, driver features (u64), FEATURES_OK, then per queue
 * QueueNum (u16) and the three addresses (u64 offsets from the RAM base),
 * QueueReady, and DRIVER_OK. A flags byte comes first: bit 0 skips
 * DRIVER_OK, bit 1 leaves the rings' old contents (else they are zeroed).
 */
void fz_bringup(struct fz_mmio *x, struct fz *f, const struct dv_guest_mem *m,
		unsigned int nqueues);

/* The transport's invariants, checked through its registers. */
void fz_check_transport(struct fz_mmio *x);

#endif /* FUZZ_COMMON_H */
