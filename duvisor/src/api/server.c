// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control API's server (server.h). Clients are served one at a time,
 * each within a bounded time and buffer, so a slow or hostile client
 * delays the next by DV_API_CONN_MS at most and never makes it allocate.
 * Every error is an answer with a JSON body {"error": "..."}.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "api/server.h"

static size_t error_answer(int status, const char *why, const char *extra, char *out, size_t cap)
{
	char body[640];
	struct dv_json j;
	size_t n;

	dv_json_init(&j, body, sizeof(body));
	dv_json_object(&j, NULL);
	dv_json_str(&j, "error", why);
	dv_json_end(&j);
	n = dv_json_done(&j);
	return dv_http_response(out, cap, status, extra, body, n);
}

/* The route of name and method; else NULL, with *other the method name takes (or NULL) */
static const struct dv_api_route *find(const struct dv_api_table *t, const char *name,
				       const char *method, const char **other)
{
	*other = NULL;
	for (unsigned int i = 0; i < t->n; i++) {
		if (strcmp(t->routes[i].name, name))
			continue;
		if (!strcmp(t->routes[i].method, method))
			return &t->routes[i];
		*other = t->routes[i].method;
	}
	return NULL;
}

size_t dv_api_answer(const struct dv_api_table *t, const char *buf, size_t len, const int *fds,
		     unsigned int nfds, int conn, char *out, size_t cap)
{
	static const char *const no_keys[] = {NULL};
	char body[DV_API_MAX_ANSWER - 256], why[512] = "", allow[64];
	const struct dv_api_route *r;
	struct dv_http_req req;
	struct dv_json ans;
	const char *name, *bad, *other;
	int status, rc;

	rc = dv_http_parse(buf, len, &req);
	if (rc <= 0) {
		status = rc ? -rc : 400;
		snprintf(why, sizeof(why), "%s",
			 rc ? dv_http_reason(status) : "incomplete request");
		return error_answer(status, why, NULL, out, cap);
	}
	if (strncmp(req.path, DV_API_PREFIX, strlen(DV_API_PREFIX))) {
		snprintf(why, sizeof(why), "no such path: endpoints are under %s", DV_API_PREFIX);
		return error_answer(404, why, NULL, out, cap);
	}
	name = req.path + strlen(DV_API_PREFIX);
	r = find(t, name, req.method, &other);
	if (!r && other) {
		snprintf(allow, sizeof(allow), "Allow: %s\r\n", other);
		snprintf(why, sizeof(why), "%s takes %s, not %s", name, other, req.method);
		return error_answer(405, why, allow, out, cap);
	}
	if (!r) {
		snprintf(why, sizeof(why), "no such endpoint: %.100s", name);
		return error_answer(404, why, NULL, out, cap);
	}
	if (nfds != r->nfds) {
		snprintf(why, sizeof(why),
			 "%s takes %u file descriptors with the request, not %u%s", name, r->nfds,
			 nfds, r->nfds ? " (duvisor ctl passes them: see docs/api.md)" : "");
		return error_answer(400, why, NULL, out, cap);
	}
	for (unsigned int i = 0; i < nfds && i < sizeof(req.fds) / sizeof(req.fds[0]); i++)
		req.fds[i] = fds[i];
	req.nfds = nfds;
	req.conn = conn;
	if (req.body_len) {
		rc = dv_json_check(req.body, req.body_len, r->keys ? r->keys : no_keys, &bad);
		if (rc == -ENOENT) {
			size_t n = (size_t)(req.body + req.body_len - bad);
			const char *q = memchr(bad + 1, '"', n - 1);

			snprintf(why, sizeof(why), "%s: unknown field %.*s", name,
				 q ? (int)(q - bad + 1 > 64 ? 64 : q - bad + 1) : 1, bad);
			return error_answer(400, why, NULL, out, cap);
		}
		if (rc) {
			snprintf(why, sizeof(why), "%s: the body is not a JSON object%s", name,
				 rc == -E2BIG ? " (nested too deep)" : "");
			return error_answer(400, why, NULL, out, cap);
		}
	}
	dv_json_init(&ans, body, sizeof(body));
	status = r->fn(t->ctx, &req, &ans, why, sizeof(why));
	if (status == 200) {
		size_t n = dv_json_done(&ans);

		if (!n)
			return error_answer(500, "the answer does not fit", NULL, out, cap);
		return dv_http_response(out, cap, 200, NULL, body, n);
	}
	if (status == 204)
		return dv_http_response(out, cap, 204, NULL, NULL, 0);
	return error_answer(status, why[0] ? why : dv_http_reason(status), NULL, out, cap);
}

int dv_api_listen(const char *path, char *why, size_t whylen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	mode_t old;
	int fd, probe, rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(why, whylen, "longer than %zu bytes", sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(why, whylen, "exists and is not a socket");
			return -EEXIST;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		rc = probe < 0 ? -errno : connect(probe, (struct sockaddr *)&sa, sizeof(sa));
		if (probe >= 0)
			close(probe);
		if (!rc) {
			snprintf(why, whylen, "another process serves it");
			return -EADDRINUSE;
		}
		unlink(path); /* stale: nobody listens */
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	old = umask(0177); /* the socket file, 0600: its owner alone may connect */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc || listen(fd, 8))
		goto fail;
	return fd;
fail:
	rc = -errno;
	snprintf(why, whylen, "%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

static long ms_left(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000 + (end->tv_nsec - now.tv_nsec) / 1000000;
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* gone, or not reading: its loss */
		p += w;
		n -= (size_t)w;
	}
}

/* Bytes into buf, and the descriptors that came with them into fds (the rest closed) */
static ssize_t recv_fds(int fd, char *buf, size_t cap, int *fds, unsigned int *nfds)
{
	union {
		char b[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {buf, cap};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl.b,
			   .msg_controllen = sizeof(ctl.b)};
	ssize_t r = recvmsg(fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	for (struct cmsghdr *c = r >= 0 ? CMSG_FIRSTHDR(&m) : NULL; c; c = CMSG_NXTHDR(&m, c)) {
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int got[8];

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(got, CMSG_DATA(c), (k > 8 ? 8 : k) * sizeof(int));
		for (size_t i = 0; i < k && i < 8; i++) {
			if (*nfds < DV_API_MAX_FDS)
				fds[(*nfds)++] = got[i];
			else
				close(got[i]);
		}
	}
	return r;
}

void dv_api_serve_one(int fd, const struct dv_api_table *t)
{
	static char in[DV_HTTP_MAX_HEAD + DV_HTTP_MAX_BODY], out[DV_API_MAX_ANSWER];
	struct dv_http_req req;
	struct timespec end;
	int fds[DV_API_MAX_FDS];
	unsigned int nfds = 0;
	size_t len = 0, n;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += DV_API_CONN_MS / 1000;
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		long left = ms_left(&end);
		ssize_t r;

		rc = dv_http_parse(in, len, &req);
		if (rc || len == sizeof(in))
			break;
		if (left <= 0) {
			n = error_answer(408, "the request did not come in time", NULL, out,
					 sizeof(out));
			send_all(fd, out, n);
			goto out;
		}
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		r = recv_fds(fd, in + len, sizeof(in) - len, fds, &nfds);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			goto out; /* closed before a whole request */
		len += (size_t)r;
	}
	n = dv_api_answer(t, in, len, fds, nfds, fd, out, sizeof(out));
	send_all(fd, out, n);
out:
	for (unsigned int i = 0; i < nfds; i++)
		close(fds[i]);
}

void dv_api_serve(int lfd, int stop_fd, const struct dv_api_table *t)
{
	for (;;) {
		struct pollfd p[2] = {{stop_fd, POLLIN, 0}, {lfd, POLLIN, 0}};
		int fd;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[0].revents)
			return;
		if (!p[1].revents)
			continue;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue; /* the client went away first, or fds ran out for a moment */
		dv_api_serve_one(fd, t);
		close(fd);
	}
}
