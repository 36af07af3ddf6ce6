/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The HTTP/1.1 of the control API (docs/api.md): one request per
 * connection, parsed from a bounded buffer, and its one response. Pure
 * functions of their buffers, so the parser is tested and fuzzed natively.
 */
#ifndef DV_API_HTTP_H
#define DV_API_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define DV_HTTP_MAX_HEAD 8192  /* request line and headers */
#define DV_HTTP_MAX_BODY 16384 /* a request body */
#define DV_HTTP_MAX_PATH 128

struct dv_http_req {
	char method[8];
	char path[DV_HTTP_MAX_PATH]; /* without its query, which is ignored */
	size_t body_len;
	const char *body; /* into the parsed buffer; body_len bytes, not NUL-terminated */
	/* Unix sockets: descriptors that came with it (SCM_RIGHTS; the server owns them) */
	int fds[4];
	unsigned int nfds;
	int conn; /* the client's connection (-1: none), for an answer given later */
};

/*
 * Parse one request from buf[0..len). Returns the bytes it takes (head and
 * body) when it is all there, 0 when more bytes are needed, or minus the
 * HTTP status that answers it: 400 malformed, 413 a body above
 * DV_HTTP_MAX_BODY, 414 a path too long, 431 a head above
 * DV_HTTP_MAX_HEAD, 501 a transfer coding or a method name too long, 505
 * a version other than HTTP/1.0 or 1.1. Without Content-Length a request
 * has no body.
 */
int dv_http_parse(const char *buf, size_t len, struct dv_http_req *req);

/* The reason phrase of status ("Unknown" for one the API does not use) */
const char *dv_http_reason(int status);

/*
 * Write into out[0..cap) a whole response: the status line, Content-Type
 * application/json when there is a body, Content-Length, Connection:
 * close, and extra_headers (NULL or lines each ending in CRLF). Returns
 * its length, or 0 if it does not fit.
 */
size_t dv_http_response(char *out, size_t cap, int status, const char *extra_headers,
			const char *body, size_t body_len);

#endif /* DV_API_HTTP_H */
