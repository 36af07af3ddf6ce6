// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live upgrade (upgrade.h, docs/upgrade.md).
 *
 * The state, in a memfd the exec keeps (every integer little-endian):
 *   fixed in every version: magic "DVUPGRD\n", u32 version, u32 the old
 *   binary's fd, u32 the version a new binary refused (0: none), u32 0;
 *   version 1: u64 when the VM was paused (CLOCK_MONOTONIC), u64 the
 *   timebase, u32 vCPUs, u32 the next binary's fd, the backend's
 *   descriptors (4 x u32) and words (4 x u64), u32 the API socket, u32 the
 *   ctl connection, u32 disks and their fds, u32 links and their fds, the
 *   run options (u32 count, each as bytes), the terminal's settings
 *   (bytes), and the body of vmm/snapshot.c (vCPUs, devices).
 * Guest RAM does not move: on dvext the driver keeps the VM's regions
 * (DUVISOR_HANDOVER, DUVISOR_ADOPT), on kvm it is a memfd.
 */
#define _GNU_SOURCE /* execveat, memfd_create */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "api/http.h"
#include "cli/cli.h"
#include "util/clock.h"
#include "util/snapbuf.h"
#include "vmm/api_vm.h"
#include "vmm/console.h"
#include "vmm/snapshot.h"
#include "vmm/upgrade.h"
#include "vmm/vm.h"

#define DV_UPGRADE_FIXED   24 /* the header every version starts with */
#define DV_UPGRADE_MAX	   (64u << 20)
#define DV_UPGRADE_MAXARGS 256

extern char **environ;

/*
 * A marker every duvisor binary holds: the upgrade refuses a file without
 * one (another program would end the process, and the VM with it). The
 * version after it may differ: that binary then hands the VM back.
 */
#define DV_UPGRADE_MARK "duvisor-live-upgrade-state-version="
#define DV_STR_(x)	#x
#define DV_STR(x)	DV_STR_(x)
__attribute__((used)) const char dv_upgrade_mark[] = DV_UPGRADE_MARK DV_STR(DV_UPGRADE_VERSION);

/*
 * Whether fd is a regular file of at most 64 MiB holding DV_UPGRADE_MARK
 * (read with pread, 64 KiB at a time)
 */
static bool is_duvisor(int fd)
{
	static char buf[65536 + sizeof(DV_UPGRADE_MARK)];
	const size_t mlen = sizeof(DV_UPGRADE_MARK) - 1;
	struct stat st;
	off_t off = 0;
	size_t have = 0;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (64 << 20))
		return false;
	for (;;) {
		ssize_t r = pread(fd, buf + have, sizeof(buf) - have, off);

		if (r <= 0)
			return false;
		off += r;
		have += (size_t)r;
		if (memmem(buf, have, DV_UPGRADE_MARK, mlen))
			return true;
		if (have >= mlen) { /* keep the tail: the marker may straddle two reads */
			memmove(buf, buf + have - (mlen - 1), mlen - 1);
			have = mlen - 1;
		}
	}
}

int dv_upgrade_prepare(struct dv_vm *vm)
{
	struct dv_upgrade_out *u = &vm->upgrade;

	u->exe_fd = u->state_fd = -1;
	if (!vm->cfg->live_upgrade)
		return 0;
	if (vm->cfg->upgrade) { /* an upgraded image keeps what it was given */
		u->exe_fd = vm->cfg->upgrade->exe_fd;
		u->state_fd = vm->cfg->upgrade_fd;
		u->generation = vm->cfg->upgrade->generation;
		return 0;
	}
	u->exe_fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	u->state_fd = memfd_create("duvisor-upgrade", MFD_CLOEXEC);
	if (u->exe_fd < 0 || u->state_fd < 0) {
		fprintf(stderr, "duvisor: --live-upgrade: %s: %s\n",
			u->exe_fd < 0 ? "its own binary" : "a memfd for the state",
			strerror(errno));
		return DV_EXIT_FAILURE;
	}
	return 0;
}

/* Keep (or not) fd open across exec */
static int keep(int fd, bool on)
{
	if (fd < 0)
		return 0;
	return fcntl(fd, F_SETFD, on ? 0 : FD_CLOEXEC) < 0 ? -errno : 0;
}

static void put_i32(struct dv_snap_w *w, int v)
{
	dv_snap_u32(w, (uint32_t)v);
}

/* The state, but for the body, into w; the fds to keep into keepfds (n of them) */
static void put_state(struct dv_vm *vm, struct dv_snap_w *w, const struct dv_handover *h, int binfd,
		      int client_fd, uint64_t paused, int *keepfds, unsigned int *n)
{
	const struct dv_config *cfg = vm->cfg;
	uint8_t tio[256];
	size_t tlen = dv_console_saved(tio, sizeof(tio));
	unsigned int k = 0;

	dv_snap_put(w, DV_UPGRADE_MAGIC, 8);
	dv_snap_u32(w, DV_UPGRADE_VERSION);
	put_i32(w, vm->upgrade.exe_fd);
	dv_snap_u32(w, 0);			    /* refused: the new binary may set it */
	dv_snap_u32(w, vm->upgrade.generation + 1); /* upgrades of this process */
	dv_snap_u64(w, paused);
	dv_snap_u64(w, vm->timebase);
	dv_snap_u32(w, vm->nr_vcpus);
	put_i32(w, binfd);
	keepfds[k++] = binfd; /* the next image's own binary, for its next upgrade */
	for (int i = 0; i < 4; i++) {
		put_i32(w, h->fds[i]);
		keepfds[k++] = h->fds[i];
	}
	for (int i = 0; i < 4; i++)
		dv_snap_u64(w, h->words[i]);
	put_i32(w, vm->api->lfd);
	put_i32(w, client_fd);
	keepfds[k++] = vm->api->lfd;
	keepfds[k++] = client_fd;
	keepfds[k++] = vm->upgrade.exe_fd;
	keepfds[k++] = vm->upgrade.state_fd;
	dv_snap_u32(w, cfg->ndisks);
	for (unsigned int i = 0; i < cfg->ndisks; i++) {
		int fd = dv_devices_fd(&vm->devs, "virtio-blk", i);

		put_i32(w, fd);
		keepfds[k++] = fd;
	}
	dv_snap_u32(w, cfg->nnets);
	for (unsigned int i = 0; i < cfg->nnets; i++) {
		int fd = dv_devices_fd(&vm->devs, "virtio-net", i);

		put_i32(w, fd);
		keepfds[k++] = fd;
	}
	dv_snap_u32(w, (uint32_t)cfg->run_argc);
	for (int i = 0; i < cfg->run_argc; i++)
		dv_snap_bytes(w, cfg->run_argv[i], (uint32_t)strlen(cfg->run_argv[i]));
	dv_snap_bytes(w, tio, (uint32_t)tlen);
	dv_snap_u64(w, vm->mem_size);
	*n = k;
}

int dv_upgrade_exec(struct dv_vm *vm, int binfd, int client_fd, char *why, size_t whylen)
{
	struct dv_upgrade_out *u = &vm->upgrade;
	struct dv_handover h = {{-1, -1, -1, -1}, {0}};
	int keepfds[16 + DV_CLI_MAX_DISKS + DV_CLI_MAX_NETS];
	bool was_paused = dv_vm_paused(vm);
	struct dv_snap_w w, body;
	char fdstr[16];
	char *argv[] = {"duvisor", "upgraded", fdstr, NULL};
	unsigned int nkeep = 0;
	uint64_t paused;
	int rc;

	if (u->state_fd < 0 || !vm->ops->handover) {
		snprintf(why, whylen, "start duvisor with --live-upgrade on to upgrade it");
		return -EOPNOTSUPP;
	}
	if (!is_duvisor(binfd)) {
		snprintf(why, whylen, "the file given is not a duvisor binary");
		return -ENOEXEC;
	}
	if (u->generation >= DV_UPGRADE_MAX_GENERATIONS) {
		/* Each image adds a layer of seccomp filters; the kernel bounds their sum */
		snprintf(why, whylen, "this process was upgraded %u times already: restart it",
			 u->generation);
		return -EOPNOTSUPP;
	}
	if (was_paused) {
		snprintf(why, whylen, "the VM is paused: resume it first");
		return -EBUSY;
	}
	paused = dv_now_ns();
	rc = dv_vm_pause(vm, 5000);
	if (!rc)
		rc = dv_vm_pause_retake(vm, 5000); /* each vCPU's state, with none running */
	if (rc) {
		snprintf(why, whylen, "pausing the VM: %s", strerror(-rc));
		if (dv_vm_paused(vm))
			dv_vm_resume(vm);
		return rc;
	}
	dv_snap_w_init(&w);
	dv_snap_w_init(&body);
	rc = dv_snapshot_body(vm, &body, why, whylen);
	if (!rc) {
		rc = vm->ops->handover(vm, &h);
		if (rc)
			snprintf(why, whylen, "the %s backend cannot hand the VM over: %s",
				 vm->ops->name, strerror(-rc));
	}
	if (!rc) {
		put_state(vm, &w, &h, binfd, client_fd, paused, keepfds, &nkeep);
		dv_snap_bytes(&w, body.buf, (uint32_t)body.len);
		if (w.nomem)
			rc = -ENOMEM;
		else if (pwrite(u->state_fd, w.buf, w.len, 0) != (ssize_t)w.len ||
			 ftruncate(u->state_fd, (off_t)w.len))
			rc = -errno;
		if (rc)
			snprintf(why, whylen, "writing the state: %s", strerror(-rc));
	}
	for (unsigned int i = 0; !rc && i < nkeep; i++)
		rc = keep(keepfds[i], true);
	if (!rc && atomic_load(&vm->stopping)) {
		rc = -ESHUTDOWN; /* stopped meanwhile (a signal): not handed to another binary */
		snprintf(why, whylen, "the VM is stopping");
	}
	if (!rc) {
		snprintf(fdstr, sizeof(fdstr), "%d", u->state_fd);
		syscall(SYS_execveat, binfd, "", argv, environ, AT_EMPTY_PATH);
		rc = -errno;
		snprintf(why, whylen, "exec of the new binary: %s", strerror(errno));
	}
	/* Still here: the VM goes on as it was */
	for (unsigned int i = 0; i < nkeep; i++)
		keep(keepfds[i], false);
	if (h.fds[0] >= 0 && vm->ops->handover_cancel)
		vm->ops->handover_cancel(vm);
	dv_snap_w_free(&w);
	dv_snap_w_free(&body);
	if (!was_paused)
		dv_vm_resume(vm);
	return rc;
}

/* ---- the new image ---- */

static int read_state(int fd, uint8_t **buf, size_t *len)
{
	struct stat st;
	ssize_t r;

	if (fstat(fd, &st) || st.st_size < DV_UPGRADE_FIXED || st.st_size > DV_UPGRADE_MAX)
		return -EINVAL;
	*buf = malloc((size_t)st.st_size);
	if (!*buf)
		return -ENOMEM;
	r = pread(fd, *buf, (size_t)st.st_size, 0);
	if (r != st.st_size) {
		free(*buf);
		return -EIO;
	}
	*len = (size_t)r;
	return 0;
}

/* A version this binary cannot read: say so in the state and give it back to the old binary */
static int refuse(int fd, int exe_fd)
{
	uint8_t v[4];
	char fdstr[16];
	char *argv[] = {"duvisor", "upgraded", fdstr, NULL};

	for (int i = 0; i < 4; i++)
		v[i] = (uint8_t)(DV_UPGRADE_VERSION >> (8 * i));
	if (pwrite(fd, v, 4, 16) != 4)
		return DV_EXIT_FAILURE;
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	syscall(SYS_execveat, exe_fd, "", argv, environ, AT_EMPTY_PATH);
	fprintf(stderr, "duvisor: live upgrade: back to the old binary: %s\n", strerror(errno));
	return DV_EXIT_FAILURE;
}

static int get_fd(struct dv_snap_r *r)
{
	uint32_t v = dv_snap_get_u32(r);

	return v > 65535 ? -1 : (int)v; /* -1 written as 0xffffffff */
}

int dv_upgrade_take(struct dv_config *cfg)
{
	struct dv_upgrade_in *in = calloc(1, sizeof(*in));
	char **argv = NULL;
	uint8_t *buf = NULL;
	const uint8_t *p;
	struct dv_snap_r r;
	uint32_t version, refused, n, ndisks, nnets;
	int fd = cfg->upgrade_fd, rc, disk_fd[DV_CLI_MAX_DISKS], net_fd[DV_CLI_MAX_NETS], argc;
	size_t len = 0;

	if (!in || read_state(fd, &buf, &len) || memcmp(buf, DV_UPGRADE_MAGIC, 8)) {
		fprintf(stderr, "duvisor: upgraded: fd %d holds no live-upgrade state\n", fd);
		return DV_EXIT_USAGE;
	}
	dv_snap_r_init(&r, buf + 8, len - 8);
	version = dv_snap_get_u32(&r);
	in->exe_fd = get_fd(&r);
	refused = dv_snap_get_u32(&r);
	in->generation = dv_snap_get_u32(&r);
	if (version != DV_UPGRADE_VERSION) {
		fprintf(
		    stderr,
		    "duvisor: live upgrade: this binary reads state version %d, not %u: back to "
		    "the old binary\n",
		    DV_UPGRADE_VERSION, version);
		return refuse(fd, in->exe_fd);
	}
	in->paused_ns = dv_snap_get_u64(&r);
	in->timebase = dv_snap_get_u64(&r);
	n = dv_snap_get_u32(&r); /* vCPUs */
	{
		int next_exe = get_fd(&r);

		if (refused) {
			close(next_exe); /* the binary that refused */
			in->refused = refused;
			in->generation--; /* no upgrade happened */
		} else {
			close(in->exe_fd);     /* the old binary: no way back from here */
			in->exe_fd = next_exe; /* this binary, for the next upgrade */
		}
	}
	for (int i = 0; i < 4; i++)
		in->backend.fds[i] = get_fd(&r);
	for (int i = 0; i < 4; i++)
		in->backend.words[i] = dv_snap_get_u64(&r);
	in->api_fd = get_fd(&r);
	in->client_fd = get_fd(&r);
	ndisks = dv_snap_get_u32(&r);
	for (uint32_t i = 0; i < ndisks && i < DV_CLI_MAX_DISKS; i++)
		disk_fd[i] = get_fd(&r);
	nnets = dv_snap_get_u32(&r);
	for (uint32_t i = 0; i < nnets && i < DV_CLI_MAX_NETS; i++)
		net_fd[i] = get_fd(&r);
	argc = (int)dv_snap_get_u32(&r);
	if (r.bad || argc < 0 || argc > DV_UPGRADE_MAXARGS || ndisks > DV_CLI_MAX_DISKS ||
	    nnets > DV_CLI_MAX_NETS)
		goto bad;
	argv = calloc((size_t)argc + 1, sizeof(*argv));
	for (int i = 0; argv && i < argc; i++) {
		uint32_t alen;

		p = dv_snap_get_bytes(&r, &alen, 4096);
		argv[i] = p ? strndup((const char *)p, alen) : NULL;
		if (!argv[i])
			goto bad;
	}
	p = dv_snap_get_bytes(&r, &n, 256);
	if (p && n)
		dv_console_take_saved(p, n);
	dv_snap_get_u64(&r); /* RAM: the options say it too */
	p = dv_snap_get_bytes(&r, &n, DV_UPGRADE_MAX);
	if (!argv || r.bad || !p)
		goto bad;
	rc = dv_cli_parse_upgraded(argc, argv, cfg, stderr);
	if (rc)
		return rc;
	if (cfg->ndisks != ndisks || cfg->nnets != nnets)
		goto bad;
	for (uint32_t i = 0; i < ndisks; i++)
		cfg->disks[i].fd = disk_fd[i];
	for (uint32_t i = 0; i < nnets; i++)
		cfg->nets[i].fd = net_fd[i];
	rc = dv_restore_from_body(p, n, cfg->ncpus, &in->restore);
	if (rc)
		goto bad;
	in->state_bytes = len;
	/* What this image took over is not for another's it may exec */
	for (int i = 0; i < 4; i++)
		keep(in->backend.fds[i], false);
	for (uint32_t i = 0; i < ndisks; i++)
		keep(disk_fd[i], false);
	for (uint32_t i = 0; i < nnets; i++)
		keep(net_fd[i], false);
	keep(in->exe_fd, false);
	keep(in->client_fd, false);
	keep(fd, false);
	dv_host_timebase_set(in->timebase);
	cfg->upgrade = in;
	free(buf);
	return 0;
bad:
	fprintf(stderr, "duvisor: upgraded: the live-upgrade state is malformed\n");
	free(buf);
	return DV_EXIT_USAGE;
}

void dv_upgrade_answer(struct dv_vm *vm)
{
	const struct dv_upgrade_in *in = vm->cfg->upgrade;
	char body[256], out[512];
	uint64_t pause = dv_now_ns() - in->paused_ns;
	size_t m;
	int n, status = 200;

	if (!atomic_load(&vm->restored) || atomic_load(&vm->stopping)) {
		status = 500;
		n = snprintf(body, sizeof(body),
			     "{\"error\":\"the new binary could not take the VM over: see its "
			     "standard error\"}");
	} else if (in->refused) {
		status = 409;
		n = snprintf(body, sizeof(body),
			     "{\"error\":\"the new binary reads state version %u, not %d: the VM "
			     "goes on in this one\"}",
			     in->refused, DV_UPGRADE_VERSION);
	} else {
		n = snprintf(body, sizeof(body),
			     "{\"pause_us\":%llu,\"state_bytes\":%llu,\"version\":\"%s\"}",
			     (unsigned long long)(pause / 1000),
			     (unsigned long long)in->state_bytes, DV_VERSION);
		fprintf(stderr, "duvisor: upgraded to %s: the guest was paused for %llu us\n",
			DV_VERSION, (unsigned long long)(pause / 1000));
	}
	vm->upgrade.last_pause_ns = pause;
	if (in->client_fd < 0)
		return;
	m = dv_http_response(out, sizeof(out), status, NULL, body, (size_t)n);
	if (!m || send(in->client_fd, out, m, MSG_NOSIGNAL) != (ssize_t)m)
		fprintf(stderr, "duvisor: upgraded: the ctl that asked is gone\n");
	close(in->client_fd);
}
