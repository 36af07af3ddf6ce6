// SPDX-License-Identifier: GPL-2.0-only
/*
 * Snapshot and restore (snapshot.h, docs/snapshot.md).
 *
 * state: the header, then the body it checksums:
 *   magic "DVSNAP\r\n", u32 version, u32 backend (0 dvext, 1 kvm),
 *   u32 vCPUs, u32 0, u64 RAM bytes, u64 RAM checksum, u64 body bytes,
 *   u64 body checksum;
 *   body: per vCPU its HSM state (u32), guest time, a pending HSM start's
 *   address and argument, and its registers (struct dv_vcpu_regs, as
 *   64-bit words), then every device's
 *   state under its name (dv_devices_save()).
 * Every integer little-endian; checksums dv_snap_hash().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/snapbuf.h"
#include "vmm/snapshot.h"
#include "vmm/vm.h"

#define DV_SNAP_HEADER	 56
#define DV_SNAP_REGWORDS (sizeof(struct dv_vcpu_regs) / 8)
#define DV_SNAP_CHUNK	 (4u << 20)

_Static_assert(sizeof(struct dv_vcpu_regs) % 8 == 0, "registers as words");

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, void *p, size_t n)
{
	uint8_t *b = p;

	while (n) {
		ssize_t r = read(fd, b, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -ENODATA;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Options that name this process's own things: not the VM's */
static int skip_option(char *const *argv, int i, int argc)
{
	static const char *const own[] = {"--api-socket", "--dump-dtb"};

	for (size_t k = 0; k < sizeof(own) / sizeof(own[0]); k++) {
		size_t n = strlen(own[k]);

		if (!strncmp(argv[i], own[k], n) && argv[i][n] == '=')
			return 1;
		if (!strcmp(argv[i], own[k]))
			return i + 1 < argc ? 2 : 1;
	}
	return 0;
}

static int write_config(const struct dv_config *cfg, int fd)
{
	struct dv_snap_w w;
	int rc = 0;

	dv_snap_w_init(&w);
	for (int i = 0; i < cfg->run_argc;) {
		int skip = skip_option(cfg->run_argv, i, cfg->run_argc);

		if (skip) {
			i += skip;
			continue;
		}
		if (strchr(cfg->run_argv[i], '\n'))
			rc = -EINVAL; /* one argument per line */
		dv_snap_put(&w, cfg->run_argv[i], strlen(cfg->run_argv[i]));
		dv_snap_put(&w, "\n", 1);
		i++;
	}
	if (!rc)
		rc = w.nomem ? -ENOMEM : write_all(fd, w.buf, w.len);
	dv_snap_w_free(&w);
	return rc;
}

static void put_vcpu(struct dv_snap_w *w, const struct dv_vcpu_snap *s)
{
	const uint64_t *words = (const uint64_t *)&s->regs;

	dv_snap_u32(w, (uint32_t)s->hsm);
	dv_snap_u64(w, s->time);
	dv_snap_u64(w, s->start_pc);
	dv_snap_u64(w, s->start_arg);
	for (size_t i = 0; i < DV_SNAP_REGWORDS; i++)
		dv_snap_u64(w, words[i]);
}

int dv_snapshot_body(struct dv_vm *vm, struct dv_snap_w *body, char *why, size_t whylen)
{
	int rc;

	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].snap.rc) {
			snprintf(why, whylen, "vCPU %u: its registers: %s", i,
				 strerror(-vm->vcpus[i].snap.rc));
			return vm->vcpus[i].snap.rc;
		}
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		put_vcpu(body, &vm->vcpus[i].snap);
	rc = dv_devices_save(&vm->devs, body);
	if (rc) {
		snprintf(why, whylen, "%s",
			 rc == -EBUSY ? "a device is mid-request: try again"
				      : "a device's state (see duvisor's output)");
		return rc;
	}
	if (body->nomem) {
		snprintf(why, whylen, "no memory for the state");
		return -ENOMEM;
	}
	return 0;
}

int dv_snapshot_write(struct dv_vm *vm, const int fds[3], uint64_t *bytes, char *why, size_t whylen)
{
	struct dv_snap_w body, head;
	uint64_t ram_hash = DV_SNAP_HASH_SEED;
	int rc;

	*bytes = 0;
	dv_snap_w_init(&body);
	dv_snap_w_init(&head);
	rc = dv_snapshot_body(vm, &body, why, whylen);
	if (rc)
		goto out;
	rc = write_config(vm->cfg, fds[0]);
	if (rc) {
		snprintf(why, whylen, "writing config: %s", strerror(-rc));
		goto out;
	}
	for (uint64_t off = 0; off < vm->mem.size; off += DV_SNAP_CHUNK) {
		uint64_t n =
		    vm->mem.size - off < DV_SNAP_CHUNK ? vm->mem.size - off : DV_SNAP_CHUNK;

		ram_hash = dv_snap_hash(ram_hash, vm->mem.host + off, n);
		rc = write_all(fds[2], vm->mem.host + off, n);
		if (rc) {
			snprintf(why, whylen, "writing memory: %s", strerror(-rc));
			goto out;
		}
	}
	dv_snap_put(&head, DV_SNAP_MAGIC, 8);
	dv_snap_u32(&head, DV_SNAP_VERSION);
	dv_snap_u32(&head, vm->cfg->backend == DV_BACKEND_KVM);
	dv_snap_u32(&head, vm->nr_vcpus);
	dv_snap_u32(&head, 0);
	dv_snap_u64(&head, vm->mem.size);
	dv_snap_u64(&head, ram_hash);
	dv_snap_u64(&head, body.len);
	dv_snap_u64(&head, dv_snap_hash(DV_SNAP_HASH_SEED, body.buf, body.len));
	rc = head.nomem ? -ENOMEM : write_all(fds[1], head.buf, head.len);
	if (!rc)
		rc = write_all(fds[1], body.buf, body.len);
	for (int i = 0; !rc && i < 3; i++)
		rc = fsync(fds[i]) ? -errno : 0;
	if (rc)
		snprintf(why, whylen, "writing state: %s", strerror(-rc));
	else
		*bytes = head.len + body.len + vm->mem.size;
out:
	dv_snap_w_free(&body);
	dv_snap_w_free(&head);
	return rc;
}

/* ---- restore ---- */

struct dv_restore {
	char dir[PATH_MAX]; /* "": live upgrade, RAM in place */
	uint64_t ram_size, ram_hash;
	unsigned int nr_vcpus;
	uint8_t *body;
	uint64_t body_len;
	struct dv_snap_r devices; /* the body's part after the vCPUs */
	struct dv_vcpu_snap *vcpus;
};

/* The vCPUs' part of a body (r->body, r->nr_vcpus); r->devices the rest. 0 or -errno */
static int parse_body(struct dv_restore *r)
{
	struct dv_snap_r br;

	r->vcpus = calloc(r->nr_vcpus ? r->nr_vcpus : 1, sizeof(*r->vcpus));
	if (!r->vcpus)
		return -ENOMEM;
	dv_snap_r_init(&br, r->body, r->body_len);
	for (unsigned int i = 0; i < r->nr_vcpus; i++) {
		uint64_t *words = (uint64_t *)&r->vcpus[i].regs;

		r->vcpus[i].hsm = (int32_t)dv_snap_get_u32(&br);
		if (r->vcpus[i].hsm < DV_VCPU_STOPPED || r->vcpus[i].hsm > DV_VCPU_SUSPENDED)
			br.bad = true;
		r->vcpus[i].time = dv_snap_get_u64(&br);
		r->vcpus[i].start_pc = dv_snap_get_u64(&br);
		r->vcpus[i].start_arg = dv_snap_get_u64(&br);
		for (size_t k = 0; k < DV_SNAP_REGWORDS; k++)
			words[k] = dv_snap_get_u64(&br);
	}
	r->devices = br;
	return br.bad ? -EINVAL : 0;
}

int dv_restore_from_body(const void *body, size_t len, unsigned int nr_vcpus,
			 struct dv_restore **out)
{
	struct dv_restore *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return -ENOMEM;
	r->body = malloc(len ? len : 1);
	if (!r->body) {
		free(r);
		return -ENOMEM;
	}
	memcpy(r->body, body, len);
	r->body_len = len;
	r->nr_vcpus = nr_vcpus;
	rc = parse_body(r);
	if (rc) {
		dv_restore_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static int open_in(const char *dir, const char *name, int *fd)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		fprintf(stderr, "duvisor: restore: %s: %s\n", path, strerror(errno));
		return errno == ENOENT || errno == EACCES ? DV_EXIT_FILE : DV_EXIT_FAILURE;
	}
	return 0;
}

static int bad_state(const char *dir, const char *what)
{
	fprintf(stderr, "duvisor: restore: %s/%s: %s; nothing was changed\n", dir, DV_SNAP_STATE,
		what);
	return DV_EXIT_USAGE;
}

int dv_restore_open(const struct dv_config *cfg, struct dv_restore **out)
{
	struct dv_restore *r = calloc(1, sizeof(*r));
	uint8_t head[DV_SNAP_HEADER];
	struct dv_snap_r hr;
	uint32_t version, backend;
	uint64_t body_hash;
	struct stat st;
	int fd = -1, rc;
	char what[160];

	if (!r)
		return DV_EXIT_FAILURE;
	snprintf(r->dir, sizeof(r->dir), "%s", cfg->restore_dir);
	rc = open_in(r->dir, DV_SNAP_STATE, &fd);
	if (rc)
		goto fail;
	if (read_all(fd, head, sizeof(head)) || memcmp(head, DV_SNAP_MAGIC, 8)) {
		rc = bad_state(r->dir, "not a duvisor snapshot");
		goto fail;
	}
	dv_snap_r_init(&hr, head + 8, sizeof(head) - 8);
	version = dv_snap_get_u32(&hr);
	if (version != DV_SNAP_VERSION) {
		snprintf(what, sizeof(what), "format version %u, this duvisor reads version %d",
			 version, DV_SNAP_VERSION);
		rc = bad_state(r->dir, what);
		goto fail;
	}
	backend = dv_snap_get_u32(&hr);
	r->nr_vcpus = dv_snap_get_u32(&hr);
	dv_snap_get_u32(&hr);
	r->ram_size = dv_snap_get_u64(&hr);
	r->ram_hash = dv_snap_get_u64(&hr);
	r->body_len = dv_snap_get_u64(&hr);
	body_hash = dv_snap_get_u64(&hr);
	if (backend != (cfg->backend == DV_BACKEND_KVM)) {
		snprintf(what, sizeof(what), "taken on the %s backend; restore it on the same one",
			 backend ? "kvm" : "dvext");
		rc = bad_state(r->dir, what);
		goto fail;
	}
	if (r->nr_vcpus != cfg->ncpus || r->ram_size != cfg->mem_size) {
		rc = bad_state(r->dir, "its vCPUs or RAM differ from its config");
		goto fail;
	}
	if (fstat(fd, &st) || (uint64_t)st.st_size != sizeof(head) + r->body_len ||
	    r->body_len > (64u << 20)) {
		rc = bad_state(r->dir, "its length is not what its header says (cut short?)");
		goto fail;
	}
	r->body = malloc(r->body_len ? r->body_len : 1);
	if (!r->body || read_all(fd, r->body, r->body_len)) {
		rc = bad_state(r->dir, "cannot be read");
		goto fail;
	}
	if (dv_snap_hash(DV_SNAP_HASH_SEED, r->body, r->body_len) != body_hash) {
		rc = bad_state(r->dir, "its checksum does not match: it is damaged");
		goto fail;
	}
	if (parse_body(r)) {
		rc = bad_state(r->dir, "its vCPUs' part is malformed");
		goto fail;
	}
	close(fd);
	*out = r;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	dv_restore_free(r);
	return rc;
}

void dv_restore_free(struct dv_restore *r)
{
	if (!r)
		return;
	free(r->body);
	free(r->vcpus);
	free(r);
}

int dv_restore_vm(struct dv_restore *r, struct dv_vm *vm)
{
	uint64_t h = DV_SNAP_HASH_SEED;
	struct stat st;
	int fd, rc;

	if (!r->dir[0])
		goto devices; /* live upgrade: RAM is where it was */
	rc = open_in(r->dir, DV_SNAP_MEMORY, &fd);
	if (rc)
		return rc;
	if (fstat(fd, &st) || (uint64_t)st.st_size != r->ram_size || vm->mem.size != r->ram_size) {
		fprintf(stderr, "duvisor: restore: %s/%s: not %llu bytes\n", r->dir, DV_SNAP_MEMORY,
			(unsigned long long)r->ram_size);
		close(fd);
		return DV_EXIT_USAGE;
	}
	for (uint64_t off = 0; off < r->ram_size; off += DV_SNAP_CHUNK) {
		uint64_t n = r->ram_size - off < DV_SNAP_CHUNK ? r->ram_size - off : DV_SNAP_CHUNK;

		rc = read_all(fd, vm->mem.host + off, n);
		if (rc) {
			fprintf(stderr, "duvisor: restore: %s/%s: %s\n", r->dir, DV_SNAP_MEMORY,
				strerror(-rc));
			close(fd);
			return DV_EXIT_FAILURE;
		}
		h = dv_snap_hash(h, vm->mem.host + off, n);
	}
	close(fd);
	if (h != r->ram_hash) {
		fprintf(stderr,
			"duvisor: restore: %s/%s: its checksum does not match: it is damaged\n",
			r->dir, DV_SNAP_MEMORY);
		return DV_EXIT_USAGE;
	}
devices:
	if (dv_devices_load(&vm->devs, &r->devices) || r->devices.p != r->devices.end) {
		fprintf(stderr, "duvisor: restore: %s: its devices are not this VM's\n", r->dir);
		return DV_EXIT_USAGE;
	}
	return 0;
}

const struct dv_vcpu_snap *dv_restore_vcpu(const struct dv_restore *r, unsigned int i)
{
	return i < r->nr_vcpus ? &r->vcpus[i] : NULL;
}
