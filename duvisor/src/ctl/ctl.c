// SPDX-License-Identifier: GPL-2.0-only
/*
 * duvisor ctl (ctl.h): one HTTP request per verb to the API socket, the
 * answer read until the server closes the connection.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
    {"reboot", "PUT", "vm.reboot"},
};

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
	int fd, n, status;

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
	n = snprintf(req, sizeof(req), "%s /api/v1/%s HTTP/1.1\r\nHost: localhost\r\n\r\n",
		     v->method, v->endpoint);
	if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
		fprintf(err, "duvisor ctl: %s: %s\n", ctl->socket, strerror(errno));
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
	buf[len] = '\0';
	status = parse_answer(buf, len, &body);
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
