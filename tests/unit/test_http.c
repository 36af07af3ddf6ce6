// SPDX-License-Identifier: GPL-2.0-only
/* The control API's HTTP request parser and response writer (api/http.c). */
#include <stdio.h>
#include <string.h>

#include "api/http.h"
#include "unit.h"

static int parse(const char *s, struct dv_http_req *r)
{
	return dv_http_parse(s, strlen(s), r);
}

UT_TEST(a_get_and_a_put_with_a_body)
{
	struct dv_http_req r;
	const char *put = "PUT /api/v1/vm.snapshot HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n"
			  "Content-Type: application/json\r\n\r\n{\"a\":1}";
	const char *get = "GET /api/v1/vm.info HTTP/1.1\r\nHost: localhost\r\n\r\n";
	int n = parse(get, &r);

	UT_CHECK(n == (int)strlen(get) && !strcmp(r.method, "GET") &&
		     !strcmp(r.path, "/api/v1/vm.info") && r.body_len == 0,
		 "GET: %d %s %s", n, r.method, r.path);
	n = parse(put, &r);
	UT_CHECK(n == (int)strlen(put) && !strcmp(r.method, "PUT") && r.body_len == 7 &&
		     !memcmp(r.body, "{\"a\":1}", 7),
		 "PUT: %d %zu", n, r.body_len);
	/* bare LF lines, HTTP/1.0, a query (ignored) */
	n = parse("GET /api/v1/vmm.ping?x=1 HTTP/1.0\nHost: a\n\n", &r);
	UT_CHECK(n > 0 && !strcmp(r.path, "/api/v1/vmm.ping"), "LF lines: %d %s", n, r.path);
}

UT_TEST(more_bytes_are_asked_for_until_the_request_is_whole)
{
	const char *req = "PUT /api/v1/vm.pause HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}";
	struct dv_http_req r;

	for (size_t i = 0; i < strlen(req); i++)
		UT_CHECK(dv_http_parse(req, i, &r) == 0, "complete after %zu bytes", i);
	UT_CHECK(dv_http_parse(req, strlen(req), &r) == (int)strlen(req), "whole");
	/* bytes after the request (a pipelined second one) are not taken */
	char two[256];

	snprintf(two, sizeof(two), "%sGET / HTTP/1.1\r\n\r\n", req);
	UT_CHECK(parse(two, &r) == (int)strlen(req), "takes exactly one request");
}

UT_TEST(each_malformed_request_gets_its_status)
{
	static const struct {
		const char *req;
		int status;
	} bad[] = {
	    {"\r\n\r\n", 400},
	    {"GET\r\n\r\n", 400},
	    {"GET /x\r\n\r\n", 400},
	    {"GET x HTTP/1.1\r\n\r\n", 400},
	    {"GET /x HTTP/2.0\r\n\r\n", 400},
	    {"GET /x HTTP/1.9\r\n\r\n", 505},
	    {"GET /x HTTP/1.1 \r\n\r\n", 400},
	    {"GET  /x HTTP/1.1\r\n\r\n", 400},
	    {"G(T /x HTTP/1.1\r\n\r\n", 400},
	    {"VERYLONGMETHOD /x HTTP/1.1\r\n\r\n", 501},
	    {"GET /a\x01 HTTP/1.1\r\n\r\n", 400},
	    {"GET /x HTTP/1.1\r\nNoColon\r\n\r\n", 400},
	    {"GET /x HTTP/1.1\r\n: empty name\r\n\r\n", 400},
	    {"GET /x HTTP/1.1\r\nBad Name: v\r\n\r\n", 400},
	    {"GET /x HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400},
	    {"GET /x HTTP/1.1\r\nA: b\x01\r\n\r\n", 400},
	    {"PUT /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
	    {"PUT /x HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400},
	    {"PUT /x HTTP/1.1\r\nContent-Length:\r\n\r\n", 400},
	    {"PUT /x HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n", 400},
	    {"PUT /x HTTP/1.1\r\nContent-Length: 16385\r\n\r\n", 413},
	    {"PUT /x HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413},
	    {"PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
	};
	struct dv_http_req r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int n = parse(bad[i].req, &r);

		UT_CHECK(n == -bad[i].status, "request %zu: %d, want -%d", i, n, bad[i].status);
	}
}

UT_TEST(a_long_path_or_head_is_refused)
{
	static char buf[DV_HTTP_MAX_HEAD + 64];
	struct dv_http_req r;
	int n;

	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "GET /", 5);
	memcpy(buf + 5 + DV_HTTP_MAX_PATH, " HTTP/1.1\r\n\r\n", 13);
	n = dv_http_parse(buf, 5 + DV_HTTP_MAX_PATH + 13, &r);
	UT_CHECK(n == -414, "long path: %d", n);
	/* a head that never ends */
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "GET / HTTP/1.1\r\nX: ", 19);
	n = dv_http_parse(buf, sizeof(buf), &r);
	UT_CHECK(n == -431, "endless head: %d", n);
	n = dv_http_parse(buf, DV_HTTP_MAX_HEAD - 1, &r);
	UT_CHECK(n == 0, "a head still within its bound: %d", n);
}

UT_TEST(the_response_has_its_length_and_closes)
{
	char out[256];
	size_t n = dv_http_response(out, sizeof(out), 200, NULL, "{}", 2);

	out[n] = '\0';
	UT_CHECK(!strcmp(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			      "Content-Length: 2\r\nConnection: close\r\n\r\n{}"),
		 "%s", out);
	n = dv_http_response(out, sizeof(out), 405, "Allow: GET\r\n", NULL, 0);
	out[n] = '\0';
	UT_CHECK(strstr(out, "405 Method Not Allowed\r\nAllow: GET\r\n") &&
		     strstr(out, "Content-Length: 0\r\n") && !strstr(out, "Content-Type"),
		 "%s", out);
	UT_CHECK(dv_http_response(out, 40, 200, NULL, "{}", 2) == 0, "did not fit but wrote");
}

UT_MAIN()
