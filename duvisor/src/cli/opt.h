/* SPDX-License-Identifier: GPL-2.0-only */
/* The option table's row and the error helper, shared by the cli/ files. */
#ifndef DV_CLI_OPT_H
#define DV_CLI_OPT_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"

#define PROG		   "duvisor"
#define DISK_SYNTAX	   "path=FILE[,readonly][,io=vcpu|thread]"
#define NET_SYNTAX	   "tap=NAME[,mac=xx:xx:xx:xx:xx:xx]"
#define JAIL_LIMITS_SYNTAX "nofile=N,nproc=N,fsize=SIZE,as=SIZE"

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

/* "duvisor: <message>" plus the hint; returns DV_EXIT_USAGE. */
__attribute__((format(printf, 2, 3))) int dv_cli_usage_error(FILE *err, const char *fmt, ...);

/*
 * dev_opts.c: split a "key=value,key,..." list. For each item calls
 * item(ctx, key, keylen, value, valuelen) with value NULL for a bare key;
 * stops at the first error.
 */
typedef int (*dv_kv_fn)(void *ctx, const char *key, size_t keylen, const char *value,
			size_t valuelen);
int dv_cli_kv_walk(const char *s, dv_kv_fn item, void *ctx);

/* dev_opts.c: --disk and --net; does key[0..keylen) spell name? */
bool dv_cli_key_is(const char *key, size_t keylen, const char *name);
int dv_cli_set_disk(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err);
int dv_cli_set_net(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err);

/* jail_opts.c: --jail, --jail-uid, --jail-gid, --jail-allow-root, --jail-limits */
int dv_cli_set_jail(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err);
int dv_cli_set_jail_uid(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err);
int dv_cli_set_jail_gid(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err);
int dv_cli_set_jail_allow_root(struct dv_config *cfg, const struct dv_opt *o, const char *val,
			       FILE *err);
int dv_cli_set_jail_limits(struct dv_config *cfg, const struct dv_opt *o, const char *val,
			   FILE *err);
/*
 * After every option: the jail options need one another (usage error) and
 * DIR must be a directory (file error). DV_EXIT_OK, or the code after a line.
 */
int dv_cli_check_jail(const struct dv_config *cfg, FILE *err);

/*
 * restore_opts.c: the run options of a restore: DIR/config's, without those
 * over names, then over. The list in *argv and *argc, allocated, pointing
 * into *text, also allocated (dv_cli_release() frees both); DV_EXIT_OK, or
 * the code after a line to err.
 */
int dv_cli_restore_args(const char *dir, char **over, int nover, char ***argv, int *argc,
			char **text, FILE *err);

#endif /* DV_CLI_OPT_H */
