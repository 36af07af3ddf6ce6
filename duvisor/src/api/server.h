/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control API's server (docs/api.md): a Unix stream socket, one
 * request per connection, answered from a table of routes. It knows
 * nothing of VMs: vmm/api_vm.c gives it the VM's routes.
 */
#ifndef DV_API_SERVER_H
#define DV_API_SERVER_H

#include <stddef.h>

#include "api/http.h"
#include "api/json.h"

#define DV_API_PREFIX	  "/api/v1/"
#define DV_API_MAX_ANSWER 16384 /* a whole response */
#define DV_API_CONN_MS	  5000	/* a client has this long to send its request */
#define DV_API_MAX_FDS	  4	/* descriptors a request may bring (SCM_RIGHTS) */

/*
 * A route's handler: the request (its body checked by the route's keys),
 * an answer to fill (a JSON value, for status 200), and why (for an error
 * status: the "error" member of the answer). Returns the HTTP status.
 */
typedef int (*dv_api_fn)(void *ctx, const struct dv_http_req *req, struct dv_json *ans, char *why,
			 size_t whylen);

struct dv_api_route {
	const char *name;   /* after DV_API_PREFIX: "vm.pause" */
	const char *method; /* "GET" or "PUT" */
	dv_api_fn fn;
	const char *const *keys; /* the body's allowed members; NULL: none (no body, or {}) */
	unsigned int nfds;	 /* descriptors it takes with the request (SCM_RIGHTS); 0: none */
};

struct dv_api_table {
	const struct dv_api_route *routes;
	unsigned int n;
	void *ctx;
};

/*
 * The whole response to the bytes buf[0..len) (a request as dv_http_parse()
 * took it, or the error status it returned), which came with fds[0..nfds)
 * (still the caller's to close), in out[0..cap): its length.
 */
size_t dv_api_answer(const struct dv_api_table *t, const char *buf, size_t len, const int *fds,
		     unsigned int nfds, int conn, char *out, size_t cap);

/*
 * A listening socket at path, readable and writable by its owner alone. A
 * stale socket there (nothing listening) is replaced; anything else is
 * left alone and refused. The fd, or -errno with why filled.
 */
int dv_api_listen(const char *path, char *why, size_t whylen);

/* One connection: read a request within DV_API_CONN_MS, answer it, close it */
void dv_api_serve_one(int fd, const struct dv_api_table *t);

/* Accept and serve connections on lfd until stop_fd is readable */
void dv_api_serve(int lfd, int stop_fd, const struct dv_api_table *t);

#endif /* DV_API_SERVER_H */
