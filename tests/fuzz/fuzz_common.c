// SPDX-License-Identifier: GPL-2.0-only
/* What the libFuzzer targets share: see fuzz_common.h. */
#include "fuzz_common.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: invariant failed: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

bool fz_verbose(void)
{
	static int v = -1;

	if (v < 0)
		v = getenv("FUZZ_VERBOSE") && *getenv("FUZZ_VERBOSE") &&
		    *getenv("FUZZ_VERBOSE") != '0';
	return v;
}

static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	FZ_CHECK(fd >= 0, "open /dev/null");
	close(fd);
	return fd;
}

int fz_fds_begin(void)
{
	return lowest_free_fd();
}

void fz_fds_end(int begin)
{
	int fd = lowest_free_fd();

	FZ_CHECK(fd == begin, "an fd leaked: the lowest free one went from %d to %d", begin, fd);
}

uint8_t fz_u8(struct fz *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

uint16_t fz_u16(struct fz *f)
{
	uint16_t lo = fz_u8(f);

	return (uint16_t)(lo | (uint16_t)fz_u8(f) << 8);
}

uint32_t fz_u32(struct fz *f)
{
	uint32_t lo = fz_u16(f);

	return lo | (uint32_t)fz_u16(f) << 16;
}

uint64_t fz_u64(struct fz *f)
{
	uint64_t lo = fz_u32(f);

	return lo | (uint64_t)fz_u32(f) << 32;
}

size_t fz_bytes(struct fz *f, void *dst, size_t len)
{
	if (len > f->n)
		len = f->n;
	memcpy(dst, f->p, len);
	f->p += len;
	f->n -= len;
	return len;
}

void fz_ram_alloc(struct dv_guest_mem *m, uint64_t gpa_base, uint64_t size)
{
	/* Exactly size bytes, so ASan's redzones sit right after the end of RAM. */
	m->host = aligned_alloc(4096, size);
	if (!m->host)
		abort();
	memset(m->host, 0, size);
	m->gpa_base = gpa_base;
	m->size = size;
}

uint64_t fz_addr(const struct dv_guest_mem *m, struct fz *f)
{
	return m->gpa_base + fz_u64(f);
}

static void put16(const struct dv_guest_mem *m, uint64_t gpa, uint16_t v)
{
	void *p = dv_gpa_ptr(m, gpa, 2);

	if (p)
		memcpy(p, &v, 2);
}

static uint16_t get16(const struct dv_guest_mem *m, uint64_t gpa)
{
	void *p = dv_gpa_ptr(m, gpa, 2);
	uint16_t v = 0;

	if (p)
		memcpy(&v, p, 2);
	return v;
}

void fz_put_desc(const struct dv_guest_mem *m, uint64_t gpa, uint64_t addr, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	struct vring_desc d = {addr, len, flags, next};
	void *p = dv_gpa_ptr(m, gpa, sizeof(d));

	if (p)
		memcpy(p, &d, sizeof(d));
}

void fz_avail_add(const struct dv_guest_mem *m, const struct fz_drvq *q, uint16_t head)
{
	uint16_t idx = get16(m, q->avail + 2);

	if (!q->num)
		return;
	put16(m, q->avail + 4 + 2ull * (idx % q->num), head);
	put16(m, q->avail + 2, (uint16_t)(idx + 1));
}

void fz_guest_op(unsigned int op, struct fz *f, const struct dv_guest_mem *m,
		 const struct fz_drvq *q)
{
	uint64_t off, addr;
	uint32_t len, i, count, max;
	uint8_t *table;
	uint16_t idx, flags, next;

	switch (op) {
	case FZ_G_POKE:
		off = fz_u16(f) % m->size;
		len = fz_u8(f);
		if (len > m->size - off)
			len = (uint32_t)(m->size - off);
		fz_bytes(f, m->host + off, len);
		break;
	case FZ_G_DESC:
		idx = fz_u16(f);
		addr = fz_addr(m, f);
		len = fz_u32(f);
		flags = fz_u16(f);
		next = fz_u16(f);
		if (q->num)
			fz_put_desc(m, q->desc + 16ull * (idx % q->num), addr, len, flags, next);
		break;
	case FZ_G_IDESC:
		off = fz_u16(f) % m->size;
		addr = fz_addr(m, f);
		len = fz_u32(f);
		flags = fz_u16(f);
		next = fz_u16(f);
		fz_put_desc(m, m->gpa_base + off, addr, len, flags, next);
		break;
	case FZ_G_AVAIL_ADD:
		fz_avail_add(m, q, fz_u16(f));
		break;
	case FZ_G_AVAIL_IDX:
		put16(m, q->avail + 2, fz_u16(f));
		break;
	case FZ_G_AVAIL_FLAGS:
		put16(m, q->avail, fz_u16(f));
		break;
	case FZ_G_USED_EVENT:
		put16(m, q->avail + 4 + 2ull * q->num, fz_u16(f));
		break;
	case FZ_G_CHAIN:
	case FZ_G_TABLE:
		idx = fz_u16(f);
		count = fz_u16(f);
		addr = fz_addr(m, f);
		len = fz_u32(f);
		flags = fz_u16(f) & (uint16_t)~VRING_DESC_F_NEXT;
		off = idx % m->size;
		/* What fits in the queue's table (if it lies in RAM), or in RAM */
		if (op == FZ_G_TABLE) {
			table = m->host + off;
			max = (uint32_t)((m->size - off) / 16);
		} else {
			table = dv_gpa_ptr(m, q->desc, VIRTQ_DESC_BYTES(q->num));
			max = table ? q->num : 0;
		}
		for (i = 0; i < count && i < max; i++) {
			struct vring_desc d = {addr, len, flags, (uint16_t)(i + 1)};

			if (i + 1 < count)
				d.flags |= VRING_DESC_F_NEXT;
			if (op == FZ_G_TABLE) {
				memcpy(table + 16 * i, &d, sizeof(d));
			} else {
				d.next = (uint16_t)((idx + i + 1) % q->num);
				memcpy(table + 16 * ((idx + i) % q->num), &d, sizeof(d));
			}
		}
		break;
	}
}

void fz_check_req(const struct dv_guest_mem *m, const struct dv_virtq_req *r, uint16_t qsize)
{
	uintptr_t lo = (uintptr_t)m->host, hi = lo + m->size;
	uint64_t total = 0;
	unsigned int i;

	FZ_CHECK(r->head < qsize, "head %u of a queue of %u", r->head, qsize);
	FZ_CHECK(r->nread <= DV_VIRTQ_MAX_SEGS && r->nwrite <= DV_VIRTQ_MAX_SEGS, "%u/%u segments",
		 r->nread, r->nwrite);
	for (i = 0; i < r->nread + r->nwrite; i++) {
		const struct dv_virtq_seg *s = i < r->nread ? &r->read[i] : &r->write[i - r->nread];
		uintptr_t p = (uintptr_t)s->ptr;

		FZ_CHECK(s->len && p >= lo && p <= hi && s->len <= hi - p,
			 "segment %u (%p, %u) outside RAM", i, s->ptr, s->len);
		if (i == r->nread) {
			FZ_CHECK(total == r->read_len, "read_len %lu, segments %lu",
				 (unsigned long)r->read_len, (unsigned long)total);
			total = 0;
		}
		total += s->len;
	}
	if (!r->nwrite)
		FZ_CHECK(total == r->read_len, "read_len %lu, segments %lu",
			 (unsigned long)r->read_len, (unsigned long)total);
	else
		FZ_CHECK(total == r->write_len, "write_len %lu, segments %lu",
			 (unsigned long)r->write_len, (unsigned long)total);
	if (!r->nwrite)
		FZ_CHECK(r->write_len == 0, "write_len %lu without segments",
			 (unsigned long)r->write_len);
}
