// SPDX-License-Identifier: GPL-2.0-only
/* The device options of the command line: --disk and --net; key=value lists. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "cli/opt.h"

int dv_cli_kv_walk(const char *s, dv_kv_fn item, void *ctx)
{
	for (;;) {
		size_t len = strcspn(s, ",");
		const char *eq = memchr(s, '=', len);
		int r;

		if (eq)
			r = item(ctx, s, (size_t)(eq - s), eq + 1, len - (size_t)(eq - s) - 1);
		else
			r = item(ctx, s, len, NULL, 0);
		if (r)
			return r;
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

/* State shared by the --disk and --net item callbacks. */
struct dv_kv_ctx {
	const struct dv_opt *o;
	const char *val; /* the whole option value, for messages */
	FILE *err;
	unsigned int seen; /* bit per key */
	void *dev;
};

bool dv_cli_key_is(const char *key, size_t keylen, const char *name)
{
	return strlen(name) == keylen && !strncmp(key, name, keylen);
}

/* Returns -1 after a message if the key was already given, else marks it. */
static int kv_once(struct dv_kv_ctx *c, unsigned int bit, const char *key, size_t keylen)
{
	if (c->seen & bit)
		return dv_cli_bad(c->err, c->o, c->val, "'%.*s' given twice", (int)keylen, key);
	c->seen |= bit;
	return 0;
}

static int disk_item(void *ctx, const char *key, size_t keylen, const char *v, size_t vlen)
{
	struct dv_kv_ctx *c = ctx;
	struct dv_disk_cfg *d = c->dev;

	if (dv_cli_key_is(key, keylen, "path")) {
		if (kv_once(c, 1, key, keylen))
			return -1;
		if (!v || vlen == 0)
			return dv_cli_bad(c->err, c->o, c->val, "empty path");
		if (vlen >= sizeof(d->path))
			return dv_cli_bad(c->err, c->o, c->val, "path longer than %zu characters",
					  sizeof(d->path) - 1);
		memcpy(d->path, v, vlen);
		d->path[vlen] = '\0';
		return 0;
	}
	if (dv_cli_key_is(key, keylen, "readonly")) {
		if (kv_once(c, 2, key, keylen))
			return -1;
		if (!v || (vlen == 2 && !strncmp(v, "on", 2)))
			d->readonly = true;
		else if (vlen == 3 && !strncmp(v, "off", 3))
			d->readonly = false;
		else
			return dv_cli_bad(c->err, c->o, c->val,
					  "readonly takes no value, or on/off");
		return 0;
	}
	if (dv_cli_key_is(key, keylen, "io")) {
		if (kv_once(c, 4, key, keylen))
			return -1;
		if (v && vlen == 4 && !strncmp(v, "vcpu", 4))
			d->io = DV_DISK_IO_VCPU;
		else if (v && vlen == 6 && !strncmp(v, "thread", 6))
			d->io = DV_DISK_IO_THREAD;
		else
			return dv_cli_bad(c->err, c->o, c->val, "io takes vcpu or thread");
		return 0;
	}
	return dv_cli_bad(c->err, c->o, c->val, "unknown key '%.*s' (syntax: " DISK_SYNTAX ")",
			  (int)keylen, key);
}

int dv_cli_set_disk(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err)
{
	struct dv_disk_cfg *d = &cfg->disks[cfg->ndisks];
	struct dv_kv_ctx c = {.o = o, .val = val, .err = err, .dev = d};

	if (cfg->ndisks >= DV_CLI_MAX_DISKS)
		return dv_cli_bad(err, o, val, "at most %d disks", DV_CLI_MAX_DISKS);
	memset(d, 0, sizeof(*d));
	d->fd = -1;
	if (dv_cli_kv_walk(val, disk_item, &c))
		return -1;
	if (!(c.seen & 1))
		return dv_cli_bad(err, o, val, "missing path= (syntax: " DISK_SYNTAX ")");
	cfg->ndisks++;
	return 0;
}

/* The rules of Linux dev_valid_name(). */
static bool ifname_valid(const char *s, size_t len)
{
	if (len == 0 || len >= DV_CLI_IFNAMSIZ)
		return false;
	if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == ':' || isspace((unsigned char)s[i]))
			return false;
	return true;
}

static int net_item(void *ctx, const char *key, size_t keylen, const char *v, size_t vlen)
{
	struct dv_kv_ctx *c = ctx;
	struct dv_net_cfg *n = c->dev;
	char mac[18];

	if (dv_cli_key_is(key, keylen, "tap")) {
		if (kv_once(c, 1, key, keylen))
			return -1;
		if (!v || !ifname_valid(v, vlen))
			return dv_cli_bad(
			    c->err, c->o, c->val,
			    "bad interface name '%.*s' (1 to %d characters, no '/', ':' "
			    "or spaces)",
			    (int)vlen, v ? v : "", DV_CLI_IFNAMSIZ - 1);
		memcpy(n->tap, v, vlen);
		n->tap[vlen] = '\0';
		return 0;
	}
	if (dv_cli_key_is(key, keylen, "mac")) {
		if (kv_once(c, 2, key, keylen))
			return -1;
		if (!v || vlen != 17)
			goto bad_mac;
		memcpy(mac, v, vlen);
		mac[vlen] = '\0';
		if (dv_cli_parse_mac(mac, n->mac))
			goto bad_mac;
		/* Bit 0 of the first octet marks a group address, not a NIC's. */
		if (n->mac[0] & 1)
			return dv_cli_bad(c->err, c->o, c->val, "mac %s is a multicast address",
					  mac);
		n->has_mac = true;
		return 0;
	bad_mac:
		return dv_cli_bad(c->err, c->o, c->val, "bad mac '%.*s' (want xx:xx:xx:xx:xx:xx)",
				  (int)vlen, v ? v : "");
	}
	return dv_cli_bad(c->err, c->o, c->val, "unknown key '%.*s' (syntax: " NET_SYNTAX ")",
			  (int)keylen, key);
}

int dv_cli_set_net(struct dv_config *cfg, const struct dv_opt *o, const char *val, FILE *err)
{
	struct dv_net_cfg *n = &cfg->nets[cfg->nnets];
	struct dv_kv_ctx c = {.o = o, .val = val, .err = err, .dev = n};

	if (cfg->nnets >= DV_CLI_MAX_NETS)
		return dv_cli_bad(err, o, val, "at most %d network devices", DV_CLI_MAX_NETS);
	memset(n, 0, sizeof(*n));
	n->fd = -1;
	if (dv_cli_kv_walk(val, net_item, &c))
		return -1;
	if (!(c.seen & 1))
		return dv_cli_bad(err, o, val, "missing tap= (syntax: " NET_SYNTAX ")");
	cfg->nnets++;
	return 0;
}
