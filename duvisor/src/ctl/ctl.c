// SPDX-License-Identifier: GPL-2.0-only
/*
 * duvisor ctl (ctl.h): one HTTP request per verb to the API socket, the
 * answer read until the server closes the connection.
 */
#define _GNU_SOURCE /* struct ucred */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/http.h"
#include "cli/cli.h"
#include "ctl/ctl.h"

#define DV_CTL_MAX_ANSWER 65536

struct dv_ctl_verb {
	const char *verb, *method, *endpoint;
};

static const struct dv_ctl_verb dv_ctl_verbs[] = {
    {"ping", "GET", "vmm.ping"},	{"info", "GET", "vm.info"},
    {"counters", "GET", "vm.counters"}, {"pause", "PUT", "vm.pause"},
    {"resume", "PUT", "vm.resume"},	{"shutdown", "PUT", "vm.shutdown"},
    {"reboot", "PUT", "vm.reboot"},	{"snapshot", "PUT", "vm.snapshot"},
    {"upgrade", "PUT", "vmm.upgrade"},
};

static const char *const dv_snap_files[3] = {"config", "state", "memory"};

/*
 * snapshot DIR: a new directory of three new files, sent to duvisor open
 * for writing (it cannot open files itself); fds[3]. 0, or an exit code
 * after saying why (nothing is left behind).
 */
static int make_snapshot_files(const char *dir, int fds[3], FILE *err)
{
	char path[PATH_MAX];

	if (mkdir(dir, 0700)) {
		fprintf(err, "duvisor ctl: snapshot: %s: %s\n", dir, strerror(errno));
		return errno == EEXIST ? DV_EXIT_USAGE : DV_EXIT_FILE;
	}
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, dv_snap_files[i]);
		fds[i] = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fds[i] < 0) {
			fprintf(err, "duvisor ctl: snapshot: %s: %s\n", path, strerror(errno));
			return DV_EXIT_FILE;
		}
	}
	return 0;
}

/* A snapshot that did not happen leaves nothing */
static void remove_snapshot(const char *dir, int fds[3])
{
	char path[PATH_MAX];

	for (int i = 0; i < 3; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, dv_snap_files[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* The request, with fds (n of them) riding along */
static int send_with_fds(int sock, const char *req, size_t len, const int *fds, int n)
{
	union {
		char b[CMSG_SPACE(sizeof(int) * 3)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {(void *)req, len};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t w;

	if (n) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		m.msg_control = ctl.b;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
	}
	w = sendmsg(sock, &m, MSG_NOSIGNAL);
	return w == (ssize_t)len ? 0 : -1;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

/*
 * The server is this user's duvisor (or root's): snapshot files open for
 * writing and binaries go to no one else, whoever swapped the socket.
 */
static int check_peer(int fd, const char *path, FILE *err)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || len != sizeof(cred)) {
		fprintf(err, "duvisor ctl: %s: who serves it: %s\n", path, strerror(errno));
		return -1;
	}
	if (cred.uid != geteuid() && cred.uid != 0) {
		fprintf(err, "duvisor ctl: %s is served by uid %u, not by you or root\n", path,
			(unsigned int)cred.uid);
		return -1;
	}
	return 0;
}

/* The status and body of the answer in buf[0..len) (NUL-terminated); 0 if malformed */
static int parse_answer(char *buf, size_t len, const char **body)
{
	char *end = strstr(buf, "\r\n\r\n");
	int status = 0;

	/* "HTTP/1.x NNN " (no scanf: it would bring the FP code check-fp.py refuses) */
	if (!end || len < 13 || strncmp(buf, "HTTP/1.", 7) || buf[8] != ' ' || buf[12] != ' ')
		return 0;
	for (int i = 9; i < 12; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return 0;
		status = status * 10 + buf[i] - '0';
	}
	*body = end + 4;
	return status;
}

int dv_ctl_run(const struct dv_ctl_cfg *ctl, FILE *out, FILE *err)
{
	const struct dv_ctl_verb *v = NULL;
	char req[256], *buf;
	const char *body;
	size_t len = 0;
	int fd, n, status, files[3] = {-1, -1, -1}, rc;
	bool snapshot = !strcmp(ctl->verb, "snapshot"), upgrade = !strcmp(ctl->verb, "upgrade");

	for (size_t i = 0; i < sizeof(dv_ctl_verbs) / sizeof(dv_ctl_verbs[0]); i++)
		if (!strcmp(ctl->verb, dv_ctl_verbs[i].verb))
			v = &dv_ctl_verbs[i];
	if (!v) {
		fprintf(err, "duvisor ctl: unknown verb '%s'\n", ctl->verb);
		return DV_EXIT_USAGE;
	}
	fd = connect_to(ctl->socket);
	if (fd < 0) {
		fprintf(err, "duvisor ctl: %s: %s (is a duvisor run --api-socket serving it?)\n",
			ctl->socket, strerror(-fd));
		return DV_EXIT_FILE;
	}
	if (check_peer(fd, ctl->socket, err)) {
		close(fd);
		return DV_EXIT_FILE;
	}
	if (snapshot) {
		rc = make_snapshot_files(ctl->arg, files, err);
		if (rc) {
			if (rc != DV_EXIT_USAGE)
				remove_snapshot(ctl->arg, files);
			close(fd);
			return rc;
		}
	}
	if (upgrade) {
		files[0] = open(ctl->arg, O_RDONLY | O_CLOEXEC);
		if (files[0] < 0) {
			fprintf(err, "duvisor ctl: upgrade: %s: %s\n", ctl->arg, strerror(errno));
			close(fd);
			return DV_EXIT_FILE;
		}
	}
	n = snprintf(req, sizeof(req), "%s /api/v1/%s HTTP/1.1\r\nHost: localhost\r\n\r\n",
		     v->method, v->endpoint);
	if (send_with_fds(fd, req, (size_t)n, files, snapshot ? 3 : upgrade)) {
		fprintf(err, "duvisor ctl: %s: %s\n", ctl->socket, strerror(errno));
		if (snapshot)
			remove_snapshot(ctl->arg, files);
		close(fd);
		return DV_EXIT_FILE;
	}
	buf = malloc(DV_CTL_MAX_ANSWER + 1);
	if (!buf) {
		close(fd);
		return DV_EXIT_FAILURE;
	}
	for (;;) {
		ssize_t r = recv(fd, buf + len, DV_CTL_MAX_ANSWER - len, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (len += (size_t)r) == DV_CTL_MAX_ANSWER)
			break;
	}
	close(fd);
	if (upgrade)
		close(files[0]);
	buf[len] = '\0';
	status = parse_answer(buf, len, &body);
	if (snapshot && (status < 200 || status >= 300))
		remove_snapshot(ctl->arg, files);
	else if (snapshot)
		for (int i = 0; i < 3; i++)
			close(files[i]);
	if (!status) {
		fprintf(err, "duvisor ctl: %s: no answer (the VM may have stopped)\n", ctl->socket);
		free(buf);
		return DV_EXIT_FILE;
	}
	if (status >= 200 && status < 300) {
		fprintf(out, "%s\n", *body ? body : "{}");
		free(buf);
		return DV_EXIT_OK;
	}
	fprintf(err, "duvisor ctl: %s: %d %s: %s\n", ctl->verb, status, dv_http_reason(status),
		body);
	free(buf);
	return DV_EXIT_FAILURE;
}
