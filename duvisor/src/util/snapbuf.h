/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A model's state as bytes, for snapshots and live upgrade
 * (docs/snapshot.md): a growing writer and a bounds-checked reader of
 * little-endian integers and byte strings. The reader never reads past its
 * end: a short or corrupt state sets bad and reads zeros.
 */
#ifndef DV_UTIL_SNAPBUF_H
#define DV_UTIL_SNAPBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dv_snap_w {
	uint8_t *buf;
	size_t len, cap;
	bool nomem; /* something did not fit in memory: the state is unusable */
};

struct dv_snap_r {
	const uint8_t *p, *end;
	bool bad; /* read past the end, or a value out of range */
};

void dv_snap_w_init(struct dv_snap_w *w);
void dv_snap_w_free(struct dv_snap_w *w);
void dv_snap_put(struct dv_snap_w *w, const void *p, size_t n);
void dv_snap_u64(struct dv_snap_w *w, uint64_t v);
void dv_snap_u32(struct dv_snap_w *w, uint32_t v);
/* n bytes with their length before them */
void dv_snap_bytes(struct dv_snap_w *w, const void *p, uint32_t n);

void dv_snap_r_init(struct dv_snap_r *r, const void *p, size_t n);
bool dv_snap_get(struct dv_snap_r *r, void *p, size_t n);
uint64_t dv_snap_get_u64(struct dv_snap_r *r);
uint32_t dv_snap_get_u32(struct dv_snap_r *r);
/* A value that must be at most max (else bad, and 0) */
uint64_t dv_snap_get_max(struct dv_snap_r *r, uint64_t max);
/* Bytes written by dv_snap_bytes: their length (at most cap, else bad) and a pointer to them */
const uint8_t *dv_snap_get_bytes(struct dv_snap_r *r, uint32_t *n, uint32_t cap);

/* A 64-bit checksum of data (not cryptographic: it finds damage, not forgery) */
uint64_t dv_snap_hash(uint64_t h, const void *data, size_t n);
#define DV_SNAP_HASH_SEED 0x6475766973657231ULL

#endif /* DV_UTIL_SNAPBUF_H */
