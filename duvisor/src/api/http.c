// SPDX-License-Identifier: GPL-2.0-only
/*
 * A strict, small HTTP/1.1 request parser (RFC 9112) for the control API:
 * a request line "METHOD SP target SP HTTP/1.x", header fields up to an
 * empty line (CRLF or a bare LF ending each line), and a body of exactly
 * Content-Length bytes. Anything it does not need is refused rather than
 * guessed at: transfer codings, a length given twice differently, obs-fold
 * continuation lines, control characters in a field.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/http.h"

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The end of the head: the offset just past its empty line, or 0 */
static size_t head_end(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Next line of [*p, end): its start and length without CR LF; false at end */
static bool next_line(const char **p, const char *end, const char **line, size_t *n)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));

	if (!nl)
		return false;
	*line = *p;
	*n = (size_t)(nl - *p);
	if (*n && (*line)[*n - 1] == '\r')
		(*n)--;
	*p = nl + 1;
	return true;
}

static int parse_request_line(const char *l, size_t n, struct dv_http_req *req)
{
	const char *sp1 = memchr(l, ' ', n), *sp2, *target, *q;
	size_t mlen, tlen;

	if (!sp1)
		return -400;
	mlen = (size_t)(sp1 - l);
	if (!mlen || mlen >= sizeof(req->method))
		return mlen ? -501 : -400;
	for (size_t i = 0; i < mlen; i++)
		if (!is_tchar(l[i]))
			return -400;
	memcpy(req->method, l, mlen);
	req->method[mlen] = '\0';
	target = sp1 + 1;
	sp2 = memchr(target, ' ', n - mlen - 1);
	if (!sp2)
		return -400;
	tlen = (size_t)(sp2 - target);
	if (!tlen || target[0] != '/')
		return -400;
	for (size_t i = 0; i < tlen; i++)
		if ((unsigned char)target[i] <= 0x20 || (unsigned char)target[i] >= 0x7f)
			return -400;
	q = memchr(target, '?', tlen);
	if (q)
		tlen = (size_t)(q - target);
	if (tlen >= sizeof(req->path))
		return -414;
	memcpy(req->path, target, tlen);
	req->path[tlen] = '\0';
	n -= (size_t)(sp2 + 1 - l);
	if (n != 8 || memcmp(sp2 + 1, "HTTP/1.", 7))
		return -400;
	if (sp2[8] != '0' && sp2[8] != '1')
		return sp2[8] >= '0' && sp2[8] <= '9' ? -505 : -400;
	return 0;
}

/* A Content-Length value: digits alone, at most DV_HTTP_MAX_BODY */
static int parse_length(const char *v, size_t n, size_t *out)
{
	size_t x = 0;

	if (!n)
		return -400;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -400;
		if (x > DV_HTTP_MAX_BODY)
			return -413;
		x = x * 10 + (size_t)(v[i] - '0');
	}
	if (x > DV_HTTP_MAX_BODY)
		return -413;
	*out = x;
	return 0;
}

static int parse_field(const char *l, size_t n, bool *has_len, size_t *clen)
{
	const char *colon = memchr(l, ':', n), *v;
	size_t nlen, vlen, x;
	int rc;

	if (!colon || colon == l)
		return -400;
	nlen = (size_t)(colon - l);
	for (size_t i = 0; i < nlen; i++)
		if (!is_tchar(l[i]))
			return -400; /* also a space before the colon, and obs-fold lines */
	v = colon + 1;
	vlen = n - nlen - 1;
	while (vlen && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	for (size_t i = 0; i < vlen; i++)
		if (((unsigned char)v[i] < 0x20 && v[i] != '\t') || v[i] == 0x7f)
			return -400;
	if (nlen == 17 && !strncasecmp(l, "Transfer-Encoding", 17))
		return -501;
	if (nlen == 14 && !strncasecmp(l, "Content-Length", 14)) {
		rc = parse_length(v, vlen, &x);
		if (rc)
			return rc;
		if (*has_len && x != *clen)
			return -400;
		*has_len = true;
		*clen = x;
	}
	return 0;
}

int dv_http_parse(const char *buf, size_t len, struct dv_http_req *req)
{
	size_t end = head_end(buf, len < DV_HTTP_MAX_HEAD ? len : DV_HTTP_MAX_HEAD), n, clen = 0;
	const char *p = buf, *line;
	bool has_len = false, first = true;
	int rc;

	memset(req, 0, sizeof(*req));
	for (size_t i = 0; i < sizeof(req->fds) / sizeof(req->fds[0]); i++)
		req->fds[i] = -1;
	req->conn = -1;
	if (!end)
		return len >= DV_HTTP_MAX_HEAD ? -431 : 0;
	while (next_line(&p, buf + end, &line, &n) && n) {
		rc = first ? parse_request_line(line, n, req)
			   : parse_field(line, n, &has_len, &clen);
		if (rc)
			return rc;
		first = false;
	}
	if (first)
		return -400; /* an empty line first */
	if (len - end < clen)
		return 0;
	req->body = buf + end;
	req->body_len = clen;
	return (int)(end + clen);
}

const char *dv_http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 204:
		return "No Content";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 415:
		return "Unsupported Media Type";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Unknown";
	}
}

size_t dv_http_response(char *out, size_t cap, int status, const char *extra_headers,
			const char *body, size_t body_len)
{
	int n = snprintf(out, cap,
			 "HTTP/1.1 %d %s\r\n%s%sContent-Length: %zu\r\nConnection: close\r\n\r\n",
			 status, dv_http_reason(status), extra_headers ? extra_headers : "",
			 body_len ? "Content-Type: application/json\r\n" : "", body_len);

	if (n < 0 || (size_t)n >= cap || cap - (size_t)n < body_len)
		return 0;
	if (body_len)
		memcpy(out + n, body, body_len);
	return (size_t)n + body_len;
}
