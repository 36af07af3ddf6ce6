// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control API's server (api/server.c) with routes of its own: the
 * answers to good and bad requests, and a live Unix socket: its mode,
 * stale and live sockets at the path, clients that go away.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/server.h"
#include "unit.h"

static int calls;

static int r_ping(void *ctx, const struct dv_http_req *req, struct dv_json *j, char *why, size_t n)
{
	(void)ctx, (void)req, (void)why, (void)n;
	calls++;
	dv_json_object(j, NULL);
	dv_json_str(j, "pong", "yes");
	dv_json_end(j);
	return 200;
}

static int r_act(void *ctx, const struct dv_http_req *req, struct dv_json *j, char *why, size_t n)
{
	char path[32];

	(void)ctx, (void)j;
	calls++;
	if (req->body_len &&
	    !dv_json_get_str(req->body, req->body_len, "path", path, sizeof(path)) &&
	    !strcmp(path, "conflict")) {
		snprintf(why, n, "it conflicts");
		return 409;
	}
	return 204;
}

static int r_big(void *ctx, const struct dv_http_req *req, struct dv_json *j, char *why, size_t n)
{
	(void)ctx, (void)req, (void)why, (void)n;
	dv_json_array(j, NULL);
	for (int i = 0; i < 100000; i++)
		dv_json_u64(j, NULL, 1234567);
	dv_json_end(j);
	return 200;
}

static const char *const act_keys[] = {"path", NULL};
static const struct dv_api_route routes[] = {
    {"vmm.ping", "GET", r_ping, NULL, 0},
    {"vm.act", "PUT", r_act, act_keys, 0},
    {"vm.big", "GET", r_big, NULL, 0},
};
static const struct dv_api_table table = {routes, 3, NULL};

/* The answer to request: its status, and its body copied to body */
static int ask(const char *request, char *body, size_t cap)
{
	static char out[DV_API_MAX_ANSWER + 1];
	size_t n =
	    dv_api_answer(&table, request, strlen(request), NULL, 0, -1, out, sizeof(out) - 1);
	char *b;

	out[n] = '\0';
	b = strstr(out, "\r\n\r\n");
	if (body)
		snprintf(body, cap, "%s", b ? b + 4 : "");
	return n > 12 ? atoi(out + 9) : -1;
}

UT_TEST(routes_answer_and_bad_requests_get_a_json_error)
{
	char body[512];
	static const struct {
		const char *req, *want_in_body;
		int status;
	} cases[] = {
	    {"GET /api/v1/vmm.ping HTTP/1.1\r\n\r\n", "{\"pong\":\"yes\"}", 200},
	    {"PUT /api/v1/vm.act HTTP/1.1\r\n\r\n", "", 204},
	    {"PUT /api/v1/vm.act HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", "", 204},
	    {"PUT /api/v1/vm.act HTTP/1.1\r\nContent-Length: 19\r\n\r\n{\"path\":\"conflict\"}",
	     "{\"error\":\"it conflicts\"}", 409},
	    {"PUT /api/v1/vmm.ping HTTP/1.1\r\n\r\n", "vmm.ping takes GET, not PUT", 405},
	    {"DELETE /api/v1/vm.act HTTP/1.1\r\n\r\n", "vm.act takes PUT, not DELETE", 405},
	    {"GET /api/v1/vm.nothing HTTP/1.1\r\n\r\n", "no such endpoint: vm.nothing", 404},
	    {"GET /other HTTP/1.1\r\n\r\n", "endpoints are under /api/v1/", 404},
	    {"GET /api/v1/vmm.ping HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", "{\"pong\"", 200},
	    {"GET /api/v1/vmm.ping HTTP/1.1\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
	     "vmm.ping: unknown field \\\"a\\\"", 400},
	    {"PUT /api/v1/vm.act HTTP/1.1\r\nContent-Length: 14\r\n\r\n{\"nope\":\"yes\"}",
	     "unknown field \\\"nope\\\"", 400},
	    {"PUT /api/v1/vm.act HTTP/1.1\r\nContent-Length: 3\r\n\r\n[1]", "not a JSON object",
	     400},
	    {"PUT /api/v1/vm.act HTTP/1.1\r\nContent-Length: 3\r\n\r\n{{}", "not a JSON object",
	     400},
	    {"GET /api/v1/vm.big HTTP/1.1\r\n\r\n", "the answer does not fit", 500},
	    {"GET /x HTTP/3.0\r\n\r\n", "Bad Request", 400},
	    {"GET /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "Not Implemented", 501},
	    {"GET /x HTTP/1.1\r\n", "incomplete request", 400},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st = ask(cases[i].req, body, sizeof(body));

		UT_CHECK(st == cases[i].status && strstr(body, cases[i].want_in_body),
			 "case %zu: %d %s", i, st, body);
		if (st >= 400)
			UT_CHECK(!strncmp(body, "{\"error\":\"", 10), "case %zu: body %s", i, body);
	}
}

static char sock_path[108];

static void *serve(void *arg)
{
	int *fds = arg;

	dv_api_serve(fds[0], fds[1], &table);
	return NULL;
}

static int client(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sa.sun_path, sock_path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int roundtrip(const char *req, char *ans, size_t cap)
{
	int fd = client();
	size_t len = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return -1;
	}
	while ((r = read(fd, ans + len, cap - 1 - len)) > 0)
		len += (size_t)r;
	ans[len] = '\0';
	close(fd);
	return (int)len;
}

UT_TEST(a_live_socket_owned_by_its_user_serves_one_request_per_connection)
{
	char why[128], ans[1024];
	struct stat st;
	pthread_t t;
	int fds[2], fd, again;

	snprintf(sock_path, sizeof(sock_path), "/tmp/dv-api-test-%d.sock", getpid());
	unlink(sock_path);
	fds[0] = dv_api_listen(sock_path, why, sizeof(why));
	fds[1] = eventfd(0, 0);
	UT_CHECK(fds[0] >= 0, "listen: %s", why);
	if (fds[0] < 0)
		return;
	UT_CHECK(!stat(sock_path, &st) && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600,
		 "mode %o", st.st_mode & 0777);
	/* a second server on a live socket is refused, and the socket left alone */
	again = dv_api_listen(sock_path, why, sizeof(why));
	UT_CHECK(again == -EADDRINUSE && strstr(why, "another process"), "live socket: %d %s",
		 again, why);
	pthread_create(&t, NULL, serve, fds);

	UT_CHECK(roundtrip("GET /api/v1/vmm.ping HTTP/1.1\r\nHost: x\r\n\r\n", ans, sizeof(ans)) >
			 0 &&
		     strstr(ans, "HTTP/1.1 200 OK\r\n") && strstr(ans, "Connection: close") &&
		     strstr(ans, "{\"pong\":\"yes\"}"),
		 "%s", ans);
	/* a request sent in pieces */
	fd = client();
	if (write(fd, "PUT /api/v1/vm.act HTTP/1.1\r\nContent-Le", 39) != 39 ||
	    write(fd, "ngth: 2\r\n\r\n{", 12) != 12 || write(fd, "}", 1) != 1)
		UT_CHECK(0, "write");
	{
		ssize_t r = read(fd, ans, sizeof(ans) - 1);

		ans[r > 0 ? r : 0] = '\0';
	}
	close(fd);
	UT_CHECK(strstr(ans, "HTTP/1.1 204 No Content"), "%s", ans);
	/* clients that go away at once, or mid-request, do not stop the server */
	for (int i = 0; i < 20; i++) {
		fd = client();
		if (i % 2 && write(fd, "GET /api/v1/vm", 14) != 14)
			UT_CHECK(0, "write");
		close(fd);
	}
	calls = 0;
	UT_CHECK(roundtrip("GET /api/v1/vmm.ping HTTP/1.1\r\n\r\n", ans, sizeof(ans)) > 0 &&
		     strstr(ans, "200 OK") && calls == 1,
		 "after the quitters: %s", ans);
	/* garbage gets its error */
	UT_CHECK(roundtrip("\x01\x02\r\n\r\n", ans, sizeof(ans)) > 0 && strstr(ans, "400 Bad"),
		 "%s", ans);

	eventfd_write(fds[1], 1);
	pthread_join(t, NULL);
	close(fds[0]);
	close(fds[1]);
	/* the socket is stale now: a new server replaces it */
	fds[0] = dv_api_listen(sock_path, why, sizeof(why));
	UT_CHECK(fds[0] >= 0, "stale socket not replaced: %s", why);
	close(fds[0]);
	unlink(sock_path);
}

UT_TEST(a_path_that_is_not_a_socket_is_left_alone)
{
	char why[128], path[64];
	int fd, rc;

	snprintf(path, sizeof(path), "/tmp/dv-api-file-%d", getpid());
	fd = creat(path, 0600);
	close(fd);
	rc = dv_api_listen(path, why, sizeof(why));
	UT_CHECK(rc == -EEXIST && strstr(why, "not a socket") && !access(path, F_OK), "%d %s", rc,
		 why);
	unlink(path);
	memset(path, 'x', sizeof(path));
	path[0] = '/';
	char longp[200];

	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[199] = '\0';
	rc = dv_api_listen(longp, why, sizeof(why));
	UT_CHECK(rc == -ENAMETOOLONG, "long path: %d", rc);
	rc = dv_api_listen("/nonexistent-dir/x.sock", why, sizeof(why));
	UT_CHECK(rc == -ENOENT && why[0], "missing dir: %d %s", rc, why);
}

UT_MAIN()
