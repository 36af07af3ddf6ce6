// SPDX-License-Identifier: GPL-2.0-only
/*
 * The jail's options: --jail DIR, --jail-uid N, --jail-gid N,
 * --jail-allow-root and --jail-limits KEY=VALUE,... (src/jail/jail.h does
 * the confining; this file only checks what was asked for).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/opt.h"

/* uid_t and gid_t are 32 bits; (uid_t)-1 means "unchanged" to the kernel */
#define DV_JAIL_MAX_ID 4294967294ULL

/* Decimal digits only, at most max: 0, or -EINVAL (syntax) / -ERANGE */
static int parse_decimal(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > max)
			return -ERANGE;
	}
	*out = v;
	return 0;
}

int dv_cli_set_jail(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err)
{
	if (!*val)
		return dv_cli_bad(err, o, NULL, "empty directory name");
	cfg->jail.dir = val;
	return 0;
}

static int set_id(uint32_t *id, bool *has, const struct dv_opt *o, const char *val, FILE *err)
{
	uint64_t v = 0;
	int r = parse_decimal(val, strlen(val), DV_JAIL_MAX_ID, &v);

	if (r == -ERANGE)
		return dv_cli_bad(err, o, val, "out of range (0 to %llu)", DV_JAIL_MAX_ID);
	if (r)
		return dv_cli_bad(err, o, val,
				  "not a number (a numeric id: names are not looked up)");
	*id = (uint32_t)v;
	*has = true;
	return 0;
}

int dv_cli_set_jail_uid(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err)
{
	return set_id(&cfg->jail.uid, &cfg->jail.has_uid, o, val, err);
}

int dv_cli_set_jail_gid(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err)
{
	return set_id(&cfg->jail.gid, &cfg->jail.has_gid, o, val, err);
}

int dv_cli_set_jail_allow_root(struct dv_config *cfg, const struct dv_opt *o, const char *val,
			       FILE *err)
{
	(void)o, (void)val, (void)err;
	cfg->jail.allow_root = true;
	return 0;
}

/* The keys of --jail-limits, in enum dv_jail_limit order */
static const struct {
	const char *key;
	bool is_size; /* SIZE with K/M/G, 0 allowed; else a count of at least 1 */
} dv_jail_keys[DV_JAIL_NLIMITS] = {
    [DV_JAIL_NOFILE] = {"nofile", false},
    [DV_JAIL_NPROC] = {"nproc", false},
    [DV_JAIL_FSIZE] = {"fsize", true},
    [DV_JAIL_AS] = {"as", true},
};

/* What one --jail-limits item callback needs */
struct limits_ctx {
	struct dv_jail_cfg *jail;
	const struct dv_opt *o;
	const char *val;
	FILE *err;
};

static int limit_item(void *ctx, const char *key, size_t keylen, const char *v, size_t vlen)
{
	struct limits_ctx *c = ctx;
	char num[32];
	uint64_t x = 0;
	int k, r;

	for (k = 0; k < DV_JAIL_NLIMITS; k++)
		if (dv_cli_key_is(key, keylen, dv_jail_keys[k].key))
			break;
	if (k == DV_JAIL_NLIMITS)
		return dv_cli_bad(c->err, c->o, c->val,
				  "unknown key '%.*s' (syntax: " JAIL_LIMITS_SYNTAX ")",
				  (int)keylen, key);
	if (c->jail->limits_set & (1u << k))
		return dv_cli_bad(c->err, c->o, c->val, "'%s' given twice", dv_jail_keys[k].key);
	if (!v || vlen == 0)
		return dv_cli_bad(c->err, c->o, c->val, "%s needs a value", dv_jail_keys[k].key);
	if (dv_jail_keys[k].is_size) {
		if (vlen >= sizeof(num))
			r = -ERANGE;
		else {
			memcpy(num, v, vlen);
			num[vlen] = '\0';
			r = dv_cli_parse_size(num, &x);
		}
		/* RLIM_INFINITY is all ones: keep clear of it */
		if (!r && x > (1ULL << 62))
			r = -ERANGE;
		if (!r && k == DV_JAIL_AS && x == 0)
			return dv_cli_bad(c->err, c->o, c->val, "as must not be 0");
	} else {
		r = parse_decimal(v, vlen, 1ULL << 31, &x);
		if (!r && x == 0)
			return dv_cli_bad(c->err, c->o, c->val, "%s must be at least 1",
					  dv_jail_keys[k].key);
	}
	if (r == -ERANGE)
		return dv_cli_bad(c->err, c->o, c->val, "%s: '%.*s' is too large",
				  dv_jail_keys[k].key, (int)vlen, v);
	if (r)
		return dv_cli_bad(
		    c->err, c->o, c->val, "%s: '%.*s' is not a %s", dv_jail_keys[k].key, (int)vlen,
		    v, dv_jail_keys[k].is_size ? "size (bytes, or with K, M or G)" : "number");
	c->jail->limits[k] = x;
	c->jail->limits_set |= 1u << k;
	return 0;
}

int dv_cli_set_jail_limits(struct dv_config *cfg, const struct dv_opt *o, const char *val,
			   FILE *err)
{
	struct limits_ctx c = {.jail = &cfg->jail, .o = o, .val = val, .err = err};

	return dv_cli_kv_walk(val, limit_item, &c) ? -1 : 0;
}

/* The first jail option given without --jail, or NULL */
static const char *orphan_option(const struct dv_jail_cfg *j)
{
	if (j->has_uid)
		return "--jail-uid";
	if (j->has_gid)
		return "--jail-gid";
	if (j->allow_root)
		return "--jail-allow-root";
	if (j->limits_set)
		return "--jail-limits";
	return NULL;
}

int dv_cli_check_jail(const struct dv_config *cfg, FILE *err)
{
	const struct dv_jail_cfg *j = &cfg->jail;
	struct stat st;
	int e = 0;

	if (!j->dir) {
		if (orphan_option(j))
			return dv_cli_usage_error(err, "%s needs --jail DIR", orphan_option(j));
		return DV_EXIT_OK;
	}
	if (!j->has_uid || !j->has_gid)
		return dv_cli_usage_error(err,
					  "--jail needs --jail-uid N and --jail-gid N (the user "
					  "and group the jailed duvisor runs as)");
	if (!j->allow_root && (j->uid == 0 || j->gid == 0))
		return dv_cli_usage_error(err,
					  "--jail-%s 0: the jailed duvisor would keep root's %s; "
					  "give another id, or add --jail-allow-root",
					  j->uid == 0 ? "uid" : "gid",
					  j->uid == 0 ? "user" : "group");
	if (stat(j->dir, &st))
		e = errno;
	else if (!S_ISDIR(st.st_mode))
		e = ENOTDIR;
	if (!e)
		return DV_EXIT_OK;
	fprintf(err, PROG ": --jail '%s': %s\n", j->dir, strerror(e));
	return DV_EXIT_FILE;
}
