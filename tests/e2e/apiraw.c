// SPDX-License-Identifier: GPL-2.0-only
/*
 * apiraw SOCKET [SILENT_MS]: a raw client of duvisor's control API for
 * the tests, run in the emulated host. It sends its stdin as is to the
 * Unix socket SOCKET and prints what comes back until the server closes.
 * With SILENT_MS it sends nothing and keeps the connection open that long
 * (a client that never speaks), then prints what came back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	static char buf[1 << 16];
	size_t len = 0;
	ssize_t r;
	int fd;

	if (argc < 2 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: apiraw SOCKET [SILENT_MS] <request\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("apiraw: connect");
		return 3;
	}
	if (argc > 2) {
		long ms = atol(argv[2]);
		struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};

		nanosleep(&t, NULL);
	} else {
		while ((r = read(0, buf, sizeof(buf))) > 0)
			if (write(fd, buf, (size_t)r) != r) {
				perror("apiraw: write");
				return 1;
			}
	}
	while (len < sizeof(buf) - 1 && (r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	fputs(buf, stdout);
	if (len && buf[len - 1] != '\n')
		putchar('\n');
	return 0;
}
