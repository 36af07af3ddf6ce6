// SPDX-License-Identifier: GPL-2.0-only
/*
 * duvisor restore DIR [OPTION]...: the run options the snapshot was taken
 * with (DIR/config, one per line: vmm/snapshot.c), then the ones given
 * here, which replace the snapshot's of the same name (--api-socket,
 * --sandbox, the jail's, --disk to move all disks, ...).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/opt.h"

#define DV_CONFIG_MAX 65536

/* DIR/config as lines (*lines, pointing into *text); 0 or DV_EXIT_FILE after saying why */
static int read_config(const char *dir, char **text_out, char ***lines, int *n, FILE *err)
{
	char path[PATH_MAX + 16], *text;
	struct stat st;
	ssize_t got;
	int fd, k = 0;

	snprintf(path, sizeof(path), "%s/config", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > DV_CONFIG_MAX) {
		fprintf(err, "duvisor: restore: %s: %s\n", path,
			fd < 0 ? strerror(errno) : "not a snapshot's config");
		if (fd >= 0)
			close(fd);
		return DV_EXIT_FILE;
	}
	text = calloc(1, (size_t)st.st_size + 1);
	got = text ? read(fd, text, (size_t)st.st_size) : -1;
	close(fd);
	if (got != st.st_size || memchr(text, '\0', (size_t)st.st_size) ||
	    (st.st_size && text[st.st_size - 1] != '\n')) {
		fprintf(err, "duvisor: restore: %s: not a snapshot's config\n", path);
		free(text);
		return DV_EXIT_FILE;
	}
	for (char *p = text; *p; p++)
		k += *p == '\n';
	*lines = calloc((size_t)k + 1, sizeof(**lines));
	if (!*lines) {
		free(text);
		return DV_EXIT_FAILURE;
	}
	*text_out = text;
	*n = 0;
	for (char *p = text; *p;) {
		char *nl = strchr(p, '\n');

		*nl = '\0';
		(*lines)[(*n)++] = p;
		p = nl + 1;
	}
	return 0;
}

/* The option name of argument a ("--disk" of "--disk=..." too), or NULL if it is a value */
static size_t opt_name_len(const char *a)
{
	const char *eq;

	if (strncmp(a, "--", 2) || !a[2])
		return 0;
	eq = strchr(a, '=');
	return eq ? (size_t)(eq - a) : strlen(a);
}

static bool given(char **over, int nover, const char *a)
{
	size_t n = opt_name_len(a);

	for (int i = 0; n && i < nover; i++)
		if (opt_name_len(over[i]) == n && !strncmp(over[i], a, n))
			return true;
	return false;
}

int dv_cli_restore_args(const char *dir, char **over, int nover, char ***argv, int *argc,
			char **text, FILE *err)
{
	char **saved, **all;
	int nsaved = 0, n = 0, rc = read_config(dir, text, &saved, &nsaved, err);

	if (rc)
		return rc;
	all = calloc((size_t)(nsaved + nover) + 1, sizeof(*all));
	if (!all) {
		free(saved);
		free(*text);
		*text = NULL;
		return DV_EXIT_FAILURE;
	}
	for (int i = 0; i < nsaved; i++) {
		if (given(over, nover, saved[i])) {
			/* the option and, unless --opt=value or a flag, its value */
			if (!strchr(saved[i], '=') && i + 1 < nsaved && !opt_name_len(saved[i + 1]))
				i++;
			continue;
		}
		all[n++] = saved[i];
	}
	for (int i = 0; i < nover; i++)
		all[n++] = over[i];
	free(saved);
	*argv = all;
	*argc = n;
	return 0;
}
