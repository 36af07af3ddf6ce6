// SPDX-License-Identifier: GPL-2.0-only
/*
 * What duvisor uses as it enters its jail (limits.h), read from /proc
 * while the host's /proc is still in reach.
 */
#define _GNU_SOURCE /* pthread_getattr_default_np */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jail/limits.h"

/* One past the highest descriptor open (the one reading /proc/self/fd aside) */
static int open_fds(unsigned int *fds)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int own;

	if (!d)
		return -errno;
	own = dirfd(d);
	*fds = 0;
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (*end || end == e->d_name || fd == own)
			continue;
		if ((unsigned long)fd + 1 > *fds)
			*fds = (unsigned int)fd + 1;
	}
	closedir(d);
	return 0;
}

/* VmSize, from the first field of /proc/self/statm (pages; no scanf: it brings FP code) */
static int mapped_bytes(uint64_t *bytes)
{
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	char buf[64], *end;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	*bytes = strtoull(buf, &end, 10) * (uint64_t)sysconf(_SC_PAGESIZE);
	return end == buf ? -EIO : 0;
}

/* A new thread's stack and guard, as pthread_create makes them by default */
static uint64_t stack_bytes(void)
{
	pthread_attr_t a;
	size_t stack = 8 << 20, guard = 4096;

	if (!pthread_getattr_default_np(&a)) {
		pthread_attr_getstacksize(&a, &stack);
		pthread_attr_getguardsize(&a, &guard);
		pthread_attr_destroy(&a);
	}
	return (uint64_t)stack + guard;
}

static bool is_regular(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISREG(st.st_mode);
}

int dv_jail_usage_measure(const struct dv_config *cfg, unsigned int threads,
			  struct dv_jail_usage *use)
{
	int rc;

	*use = (struct dv_jail_usage){.threads = threads};
	rc = open_fds(&use->fds);
	if (!rc)
		rc = mapped_bytes(&use->mapped);
	if (rc)
		return rc;
	use->thread_stack = stack_bytes();
	use->output_to_file = is_regular(STDOUT_FILENO) || is_regular(STDERR_FILENO);
	for (unsigned int i = 0; i < cfg->ndisks; i++) {
		struct stat st;

		/* RLIMIT_FSIZE bounds writes to regular files only */
		if (!cfg->disks[i].readonly && !stat(cfg->disks[i].path, &st) &&
		    S_ISREG(st.st_mode) && (uint64_t)st.st_size > use->largest_disk)
			use->largest_disk = (uint64_t)st.st_size;
	}
	return 0;
}
