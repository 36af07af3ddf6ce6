// SPDX-License-Identifier: GPL-2.0-only
/* JSON writer and reader of the control API: see json.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/json.h"

/* ---- writer ---- */

static void put(struct dv_json *j, const char *s, size_t n)
{
	if (j->overflow || j->cap - 1 - j->len < n) {
		j->overflow = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void put_str(struct dv_json *j, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	put(j, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			put(j, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			put(j, esc, 6);
		} else {
			put(j, (const char *)&c, 1);
		}
	}
	put(j, "\"", 1);
}

/* The comma and the member's name before a value */
static void member(struct dv_json *j, const char *key)
{
	if (!j->first[j->depth])
		put(j, ",", 1);
	j->first[j->depth] = false;
	if (key) {
		put_str(j, key);
		put(j, ":", 1);
	}
}

void dv_json_init(struct dv_json *j, char *buf, size_t cap)
{
	memset(j, 0, sizeof(*j));
	j->buf = buf;
	j->cap = cap;
	buf[0] = '\0';
	j->first[0] = true;
}

static void open_(struct dv_json *j, const char *key, const char *c)
{
	member(j, key);
	put(j, c, 1);
	if (j->depth >= DV_JSON_MAX_DEPTH) {
		j->overflow = true;
		return;
	}
	j->first[++j->depth] = true;
	j->closer[j->depth] = *c == '{' ? '}' : ']';
}

void dv_json_object(struct dv_json *j, const char *key)
{
	open_(j, key, "{");
}

void dv_json_array(struct dv_json *j, const char *key)
{
	open_(j, key, "[");
}

void dv_json_end(struct dv_json *j)
{
	if (!j->depth) {
		j->overflow = true;
		return;
	}
	put(j, &j->closer[j->depth--], 1);
}

void dv_json_str(struct dv_json *j, const char *key, const char *val)
{
	member(j, key);
	put_str(j, val);
}

void dv_json_u64(struct dv_json *j, const char *key, uint64_t val)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%llu", (unsigned long long)val);

	member(j, key);
	put(j, num, (size_t)n);
}

void dv_json_bool(struct dv_json *j, const char *key, bool val)
{
	member(j, key);
	put(j, val ? "true" : "false", val ? 4 : 5);
}

size_t dv_json_done(struct dv_json *j)
{
	return j->overflow || j->depth ? 0 : j->len;
}

/* ---- reader ---- */

struct rd {
	const char *p, *end;
};

static void ws(struct rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int hex4(struct rd *r, unsigned int *u)
{
	*u = 0;
	if (r->end - r->p < 4)
		return -EINVAL;
	for (int i = 0; i < 4; i++) {
		int h = hexval(*r->p++);

		if (h < 0)
			return -EINVAL;
		*u = *u << 4 | (unsigned int)h;
	}
	return 0;
}

/* Append code point u as UTF-8 to out (counting past cap) */
static void utf8(unsigned int u, char *out, size_t cap, size_t *n)
{
	unsigned char b[4];
	size_t k;

	if (u < 0x80) {
		b[0] = (unsigned char)u;
		k = 1;
	} else if (u < 0x800) {
		b[0] = (unsigned char)(0xc0 | u >> 6);
		b[1] = (unsigned char)(0x80 | (u & 0x3f));
		k = 2;
	} else if (u < 0x10000) {
		b[0] = (unsigned char)(0xe0 | u >> 12);
		b[1] = (unsigned char)(0x80 | (u >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (u & 0x3f));
		k = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | u >> 18);
		b[1] = (unsigned char)(0x80 | (u >> 12 & 0x3f));
		b[2] = (unsigned char)(0x80 | (u >> 6 & 0x3f));
		b[3] = (unsigned char)(0x80 | (u & 0x3f));
		k = 4;
	}
	for (size_t i = 0; i < k; i++, (*n)++)
		if (out && *n < cap)
			out[*n] = (char)b[i];
}

/*
 * A string at r->p (its opening quote): decoded into out[0..cap) when out,
 * its decoded length in *len (also past cap); *nul when it holds U+0000.
 */
static int string(struct rd *r, char *out, size_t cap, size_t *len, bool *nul)
{
	size_t n = 0;
	unsigned int u, lo;

	*nul = false;
	if (r->p >= r->end || *r->p != '"')
		return -EINVAL;
	r->p++;
	while (r->p < r->end && *r->p != '"') {
		unsigned char c = (unsigned char)*r->p++;

		if (c < 0x20)
			return -EINVAL;
		if (c != '\\') {
			if (out && n < cap)
				out[n] = (char)c;
			n++;
			continue;
		}
		if (r->p >= r->end)
			return -EINVAL;
		c = (unsigned char)*r->p++;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			break;
		case 'b':
			c = '\b';
			break;
		case 'f':
			c = '\f';
			break;
		case 'n':
			c = '\n';
			break;
		case 'r':
			c = '\r';
			break;
		case 't':
			c = '\t';
			break;
		case 'u':
			if (hex4(r, &u))
				return -EINVAL;
			if (u >= 0xdc00 && u < 0xe000)
				return -EINVAL; /* a low surrogate alone */
			if (u >= 0xd800 && u < 0xdc00) {
				if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
					return -EINVAL;
				r->p += 2;
				if (hex4(r, &lo) || lo < 0xdc00 || lo >= 0xe000)
					return -EINVAL;
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (!u)
				*nul = true;
			utf8(u, out, cap, &n);
			continue;
		default:
			return -EINVAL;
		}
		if (out && n < cap)
			out[n] = (char)c;
		n++;
	}
	if (r->p >= r->end)
		return -EINVAL;
	r->p++;
	*len = n;
	return 0;
}

static int literal(struct rd *r, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n))
		return -EINVAL;
	r->p += n;
	return 0;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int number(struct rd *r)
{
	const char *s = r->p;

	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p < r->end && *r->p == '0')
		r->p++;
	else if (r->p < r->end && *r->p >= '1' && *r->p <= '9')
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	else
		return -EINVAL;
	if (r->p < r->end && *r->p == '.') {
		s = ++r->p;
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
		if (r->p == s)
			return -EINVAL;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		s = r->p;
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
		if (r->p == s)
			return -EINVAL;
	}
	return 0;
}

static int value(struct rd *r, unsigned int depth);

/* An object or array at r->p; members named in keys (NULL: any) at the top */
static int container(struct rd *r, unsigned int depth, const char *const *keys, const char **bad,
		     const char **names, unsigned int *nnames)
{
	bool obj = *r->p == '{';
	char close = obj ? '}' : ']';
	bool nul;
	size_t len;
	int rc;

	if (depth >= DV_JSON_MAX_DEPTH)
		return -E2BIG;
	r->p++;
	ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return 0;
	}
	for (;;) {
		if (obj) {
			const char *name = r->p;

			rc = string(r, NULL, 0, &len, &nul);
			if (rc)
				return rc;
			if (keys) {
				const char *const *k;

				for (k = keys; *k; k++)
					if (strlen(*k) == len && !nul &&
					    !memcmp(name + 1, *k, len) &&
					    !memchr(name + 1, '\\', len))
						break;
				if (!*k) {
					*bad = name;
					return -ENOENT;
				}
				for (unsigned int i = 0; i < *nnames; i++)
					if (names[i] == *k)
						return -EINVAL; /* a name twice */
				names[(*nnames)++] = *k;
			}
			ws(r);
			if (r->p >= r->end || *r->p != ':')
				return -EINVAL;
			r->p++;
		}
		rc = value(r, depth + 1);
		if (rc)
			return rc;
		ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			ws(r);
			continue;
		}
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return 0;
		}
		return -EINVAL;
	}
}

static int value(struct rd *r, unsigned int depth)
{
	const char *unused = NULL;
	unsigned int none = 0;
	size_t len;
	bool nul;

	ws(r);
	if (r->p >= r->end)
		return -EINVAL;
	switch (*r->p) {
	case '{':
	case '[':
		return container(r, depth, NULL, &unused, NULL, &none);
	case '"':
		return string(r, NULL, 0, &len, &nul);
	case 't':
		return literal(r, "true");
	case 'f':
		return literal(r, "false");
	case 'n':
		return literal(r, "null");
	default:
		return number(r);
	}
}

#define DV_JSON_MAX_KEYS 32

int dv_json_check(const char *s, size_t n, const char *const *keys, const char **bad)
{
	struct rd r = {s, s + n};
	const char *names[DV_JSON_MAX_KEYS];
	unsigned int nnames = 0, nkeys = 0;
	int rc;

	while (keys[nkeys])
		nkeys++;
	if (nkeys > DV_JSON_MAX_KEYS)
		return -E2BIG;
	*bad = NULL;
	ws(&r);
	if (r.p >= r.end || *r.p != '{')
		return -EINVAL;
	rc = container(&r, 0, keys, bad, names, &nnames);
	if (rc)
		return rc;
	ws(&r);
	return r.p == r.end ? 0 : -EINVAL;
}

int dv_json_get_str(const char *s, size_t n, const char *key, char *out, size_t cap)
{
	struct rd r = {s, s + n};
	size_t klen = strlen(key), len;
	bool nul;

	ws(&r);
	if (r.p >= r.end || *r.p != '{')
		return -EINVAL;
	r.p++;
	for (;;) {
		const char *name;

		ws(&r);
		if (r.p >= r.end || *r.p == '}')
			return -ENOENT;
		name = r.p;
		if (string(&r, NULL, 0, &len, &nul))
			return -EINVAL;
		ws(&r);
		if (r.p >= r.end || *r.p != ':')
			return -EINVAL;
		r.p++;
		ws(&r);
		if (len == klen && !memcmp(name + 1, key, klen) && !memchr(name + 1, '\\', klen)) {
			if (r.p >= r.end || *r.p != '"')
				return -EINVAL;
			if (string(&r, out, cap, &len, &nul))
				return -EINVAL;
			if (nul)
				return -EINVAL;
			if (len >= cap)
				return -ENAMETOOLONG;
			out[len] = '\0';
			return 0;
		}
		if (value(&r, 1))
			return -EINVAL;
		ws(&r);
		if (r.p < r.end && *r.p == ',')
			r.p++;
	}
}
