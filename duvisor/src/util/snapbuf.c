// SPDX-License-Identifier: GPL-2.0-only
/* State as bytes (snapbuf.h). */
#include <stdlib.h>
#include <string.h>

#include "util/snapbuf.h"

void dv_snap_w_init(struct dv_snap_w *w)
{
	memset(w, 0, sizeof(*w));
}

void dv_snap_w_free(struct dv_snap_w *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

void dv_snap_put(struct dv_snap_w *w, const void *p, size_t n)
{
	if (w->nomem)
		return;
	if (w->cap - w->len < n) {
		size_t cap = w->cap ? w->cap : 4096;
		uint8_t *b;

		while (cap - w->len < n)
			cap *= 2;
		b = realloc(w->buf, cap);
		if (!b) {
			w->nomem = true;
			return;
		}
		w->buf = b;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void dv_snap_u64(struct dv_snap_w *w, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	dv_snap_put(w, b, 8);
}

void dv_snap_u32(struct dv_snap_w *w, uint32_t v)
{
	uint8_t b[4];

	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	dv_snap_put(w, b, 4);
}

void dv_snap_bytes(struct dv_snap_w *w, const void *p, uint32_t n)
{
	dv_snap_u32(w, n);
	dv_snap_put(w, p, n);
}

void dv_snap_r_init(struct dv_snap_r *r, const void *p, size_t n)
{
	r->p = p;
	r->end = r->p + n;
	r->bad = false;
}

bool dv_snap_get(struct dv_snap_r *r, void *p, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		memset(p, 0, n);
		return false;
	}
	memcpy(p, r->p, n);
	r->p += n;
	return true;
}

uint64_t dv_snap_get_u64(struct dv_snap_r *r)
{
	uint8_t b[8];
	uint64_t v = 0;

	dv_snap_get(r, b, 8);
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

uint32_t dv_snap_get_u32(struct dv_snap_r *r)
{
	uint8_t b[4];
	uint32_t v = 0;

	dv_snap_get(r, b, 4);
	for (int i = 3; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

uint64_t dv_snap_get_max(struct dv_snap_r *r, uint64_t max)
{
	uint64_t v = dv_snap_get_u64(r);

	if (v > max) {
		r->bad = true;
		return 0;
	}
	return v;
}

const uint8_t *dv_snap_get_bytes(struct dv_snap_r *r, uint32_t *n, uint32_t cap)
{
	const uint8_t *p;

	*n = dv_snap_get_u32(r);
	if (r->bad || *n > cap || (size_t)(r->end - r->p) < *n) {
		r->bad = true;
		*n = 0;
		return NULL;
	}
	p = r->p;
	r->p += *n;
	return p;
}

/* 8 bytes at a time: a snapshot's RAM is hundreds of MiB */
uint64_t dv_snap_hash(uint64_t h, const void *data, size_t n)
{
	const uint8_t *p = data;
	uint64_t w;

	while (n >= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
		p += 8;
		n -= 8;
	}
	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h ^ (h >> 32);
}
