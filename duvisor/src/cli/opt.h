/* SPDX-License-Identifier: GPL-2.0-only */
/* The option table's row and the error helper, shared by the cli/ files. */
#ifndef DV_CLI_OPT_H
#define DV_CLI_OPT_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"

#define PROG	    "duvisor"
#define DISK_SYNTAX "path=FILE[,readonly]"
#define NET_SYNTAX  "tap=NAME[,mac=xx:xx:xx:xx:xx:xx]"

struct dv_opt {
	const char *name; /* without the leading "--" */
	const char *arg;  /* value syntax for the help text; NULL: a flag */
	bool repeatable;
	const char *help;
	/* Store val (NULL for a flag); on error print why to err and return -1. */
	int (*set)(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err);
};

/* "duvisor: --opt 'value': why" plus the hint every usage error ends with. */
__attribute__((format(printf, 4, 5))) int dv_cli_bad(FILE *err, const struct dv_opt *o,
						     const char *val, const char *fmt, ...);

/* dev_opts.c: --disk and --net; does key[0..keylen) spell name? */
bool dv_cli_key_is(const char *key, size_t keylen, const char *name);
int dv_cli_set_disk(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err);
int dv_cli_set_net(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err);

#endif /* DV_CLI_OPT_H */
