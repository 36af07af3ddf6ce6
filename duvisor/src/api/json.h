/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * JSON for the control API: a writer into a fixed buffer (answers), and a
 * validating reader for request bodies, which are one object of named
 * members (RFC 8259; nesting at most DV_JSON_MAX_DEPTH deep).
 */
#ifndef DV_API_JSON_H
#define DV_API_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DV_JSON_MAX_DEPTH 16

struct dv_json {
	char *buf;
	size_t cap, len;
	bool overflow; /* something did not fit: the text is cut */
	unsigned int depth;
	bool first[DV_JSON_MAX_DEPTH + 1];  /* no member yet at this depth */
	char closer[DV_JSON_MAX_DEPTH + 1]; /* '}' or ']' of each open level */
};

/* An empty text in buf[0..cap) (cap >= 1) */
void dv_json_init(struct dv_json *j, char *buf, size_t cap);
/*
 * Members: key is the member's name inside an object, NULL inside an
 * array (or for the outermost value). Strings are escaped as needed.
 */
void dv_json_object(struct dv_json *j, const char *key);
void dv_json_array(struct dv_json *j, const char *key);
void dv_json_end(struct dv_json *j); /* of the innermost object or array */
void dv_json_str(struct dv_json *j, const char *key, const char *val);
void dv_json_u64(struct dv_json *j, const char *key, uint64_t val);
void dv_json_bool(struct dv_json *j, const char *key, bool val);
/* The text's length (NUL-terminated in buf), or 0 if it overflowed or is not closed */
size_t dv_json_done(struct dv_json *j);

/*
 * Check that s[0..n) is one JSON object, with nothing but white space
 * around it, whose member names are all in keys (a NULL-terminated list).
 * 0, -EINVAL (not JSON, or not an object; a duplicate name), -ENOENT (a
 * name not in keys: *bad points at it in s), -E2BIG (nested too deep).
 */
int dv_json_check(const char *s, size_t n, const char *const *keys, const char **bad);
/*
 * The string member key of the object s[0..n) (checked with dv_json_check
 * first), unescaped into out[0..cap) and NUL-terminated. 0, -ENOENT (no
 * such member), -EINVAL (not a string, or it holds a NUL), -ENAMETOOLONG.
 */
int dv_json_get_str(const char *s, size_t n, const char *key, char *out, size_t cap);

#endif /* DV_API_JSON_H */
