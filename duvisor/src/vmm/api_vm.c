// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM's endpoints of the control API (docs/api.md) and the thread
 * serving them (api/server.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/server.h"
#include "cli/cli.h"
#include "util/clock.h"
#include "vmm/api_vm.h"
#include "vmm/ioloop.h"
#include "vmm/sandbox.h"
#include "vmm/vm.h"

#define DV_API_PAUSE_MS 5000 /* for every vCPU to reach an exit boundary */

static const char *const dv_vcpu_state_names[] = {
    [DV_VCPU_STOPPED] = "stopped",
    [DV_VCPU_START_PENDING] = "starting",
    [DV_VCPU_RUNNING] = "running",
    [DV_VCPU_SUSPENDED] = "suspended",
};

static const char *vm_state(struct dv_vm *vm)
{
	if (atomic_load(&vm->stopping))
		return "stopping";
	return dv_vm_paused(vm) ? "paused" : "running";
}

static int api_ping(void *ctx, const struct dv_http_req *req, struct dv_json *j, char *why,
		    size_t n)
{
	struct dv_vm *vm = ctx;

	(void)req, (void)why, (void)n;
	dv_json_object(j, NULL);
	dv_json_str(j, "version", DV_VERSION);
	dv_json_u64(j, "pid", (uint64_t)getpid());
	dv_json_str(j, "backend", vm->ops->name);
	dv_json_end(j);
	return 200;
}

static void info_config(struct dv_vm *vm, struct dv_json *j)
{
	const struct dv_config *c = vm->cfg;
	char mac[18];

	dv_json_object(j, "config");
	dv_json_u64(j, "cpus", vm->nr_vcpus);
	dv_json_u64(j, "memory_bytes", vm->mem_size);
	dv_json_str(j, "kernel", c->kernel);
	if (c->initrd)
		dv_json_str(j, "initrd", c->initrd);
	dv_json_str(j, "cmdline", c->cmdline);
	dv_json_str(j, "console", c->console == DV_CONSOLE_VIRTIO ? "virtio" : "serial");
	dv_json_bool(j, "sandbox", !c->no_sandbox);
	dv_json_array(j, "disks");
	for (unsigned int i = 0; i < c->ndisks; i++) {
		dv_json_object(j, NULL);
		dv_json_str(j, "path", c->disks[i].path);
		dv_json_bool(j, "readonly", c->disks[i].readonly);
		dv_json_str(j, "io", c->disks[i].io == DV_DISK_IO_VCPU ? "vcpu" : "thread");
		dv_json_end(j);
	}
	dv_json_end(j);
	dv_json_array(j, "nets");
	for (unsigned int i = 0; i < c->nnets; i++) {
		dv_json_object(j, NULL);
		dv_json_str(j, "tap", c->nets[i].tap);
		if (c->nets[i].has_mac) {
			const uint8_t *m = c->nets[i].mac;

			snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
				 m[2], m[3], m[4], m[5]);
			dv_json_str(j, "mac", mac);
		}
		dv_json_end(j);
	}
	dv_json_end(j);
	dv_json_end(j);
}

static int api_info(void *ctx, const struct dv_http_req *req, struct dv_json *j, char *why,
		    size_t n)
{
	struct dv_vm *vm = ctx;

	(void)req, (void)why, (void)n;
	dv_json_object(j, NULL);
	dv_json_str(j, "state", vm_state(vm));
	dv_json_str(j, "backend", vm->ops->name);
	info_config(vm, j);
	dv_json_array(j, "vcpus");
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		int s = atomic_load(&vm->vcpus[i].state);

		dv_json_object(j, NULL);
		dv_json_u64(j, "id", i);
		dv_json_str(j, "state",
			    s >= 0 && s <= DV_VCPU_SUSPENDED ? dv_vcpu_state_names[s] : "?");
		dv_json_end(j);
	}
	dv_json_end(j);
	dv_json_end(j);
	return 200;
}

static int api_counters(void *ctx, const struct dv_http_req *req, struct dv_json *j, char *why,
			size_t n)
{
	struct dv_vm *vm = ctx;
	uint64_t total[DV_STAT_NR] = {0};

	(void)req, (void)why, (void)n;
	dv_json_object(j, NULL);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		char name[16];

		snprintf(name, sizeof(name), "vcpu%u", i);
		dv_json_object(j, name);
		for (int s = 0; s < DV_STAT_NR; s++) {
			/* Another thread's counts: each a whole aligned word, read once */
			uint64_t c =
			    __atomic_load_n(&vm->vcpus[i].stats.count[s], __ATOMIC_RELAXED);

			dv_json_u64(j, dv_stat_name((enum dv_stat)s), c);
			total[s] += c;
		}
		dv_json_end(j);
	}
	dv_json_object(j, "exits");
	for (int s = 0; s < DV_STAT_NR; s++)
		dv_json_u64(j, dv_stat_name((enum dv_stat)s), total[s]);
	dv_json_end(j);
	pthread_mutex_lock(&vm->pause.lock);
	dv_json_object(j, "pause");
	dv_json_u64(j, "count", vm->pause.count);
	dv_json_u64(j, "total_ns", vm->pause.total_ns);
	dv_json_u64(j, "last_stop_ns", vm->pause.last_stop_ns);
	dv_json_end(j);
	pthread_mutex_unlock(&vm->pause.lock);
	dv_devices_counters(&vm->devs, j);
	dv_json_end(j);
	return 200;
}

static int api_pause(void *ctx, const struct dv_http_req *req, struct dv_json *j, char *why,
		     size_t n)
{
	struct dv_vm *vm = ctx;
	int rc = dv_vm_pause(vm, DV_API_PAUSE_MS);

	(void)req, (void)j;
	switch (rc) {
	case 0:
		return 204;
	case -EALREADY:
		snprintf(why, n, "the VM is paused already");
		return 409;
	case -ESHUTDOWN:
		snprintf(why, n, "the VM is stopping");
		return 409;
	default:
		snprintf(why, n,
			 "not every vCPU reached an exit boundary within %d ms: the VM goes on",
			 DV_API_PAUSE_MS);
		return 500;
	}
}

static int api_resume(void *ctx, const struct dv_http_req *req, struct dv_json *j, char *why,
		      size_t n)
{
	(void)req, (void)j;
	if (dv_vm_resume(ctx)) {
		snprintf(why, n, "the VM is not paused");
		return 409;
	}
	return 204;
}

static int api_shutdown(void *ctx, const struct dv_http_req *req, struct dv_json *j, char *why,
			size_t n)
{
	(void)req, (void)j, (void)why, (void)n;
	dv_vm_stop(ctx, DV_EXIT_OK);
	return 204;
}

static int api_reboot(void *ctx, const struct dv_http_req *req, struct dv_json *j, char *why,
		      size_t n)
{
	/* As when the guest asks: duvisor ends with DV_EXIT_GUEST, its starter boots it again */
	(void)req, (void)j, (void)why, (void)n;
	dv_vm_stop(ctx, DV_EXIT_GUEST);
	return 204;
}

/*
 * The paused VM into the three files the client opened and sent along
 * (config, state, memory: duvisor ctl snapshot DIR makes them). Only they
 * are written: this thread cannot open a file.
 */
static int api_snapshot(void *ctx, const struct dv_http_req *req, struct dv_json *j, char *why,
			size_t n)
{
	struct dv_vm *vm = ctx;
	uint64_t t0, bytes;
	struct stat st;
	int rc;

	if (!dv_vm_paused(vm)) {
		snprintf(why, n, "pause the VM first (vm.pause)");
		return 409;
	}
	for (unsigned int i = 0; i < 3; i++) {
		if (fstat(req->fds[i], &st) || !S_ISREG(st.st_mode) || st.st_size) {
			snprintf(why, n, "file %u is not an empty regular file", i);
			return 400;
		}
	}
	t0 = dv_now_ns();
	rc = dv_vm_pause_retake(vm, 5000); /* each vCPU's state, with none running */
	if (rc) {
		snprintf(why, n, "a vCPU did not take its state within 5 s");
		return 500;
	}
	rc = dv_snapshot_write(vm, req->fds, &bytes, why, n);
	if (rc)
		return rc == -EBUSY ? 409 : 500;
	dv_json_object(j, NULL);
	dv_json_u64(j, "bytes", bytes);
	dv_json_u64(j, "ms", (dv_now_ns() - t0) / 1000000);
	dv_json_end(j);
	return 200;
}

static int api_restore(void *ctx, const struct dv_http_req *req, struct dv_json *j, char *why,
		       size_t n)
{
	(void)ctx, (void)req, (void)j;
	snprintf(why, n,
		 "a duvisor runs one VM: restore a snapshot in a new one "
		 "(duvisor restore DIR)");
	return 501;
}

/*
 * Replace this binary under the running guest with the one whose
 * descriptor came with the request (duvisor ctl upgrade PATH). On success
 * this never returns: the new image answers the same connection.
 */
static int api_upgrade(void *ctx, const struct dv_http_req *req, struct dv_json *j, char *why,
		       size_t n)
{
	int rc = dv_upgrade_exec(ctx, req->fds[0], req->conn, why, n);

	(void)j;
	return rc == -EOPNOTSUPP || rc == -ENOEXEC || rc == -EBUSY ? 409 : 500;
}

static const struct dv_api_route dv_vm_routes[] = {
    {"vmm.ping", "GET", api_ping, NULL, 0},
    {"vm.info", "GET", api_info, NULL, 0},
    {"vm.counters", "GET", api_counters, NULL, 0},
    {"vm.pause", "PUT", api_pause, NULL, 0},
    {"vm.resume", "PUT", api_resume, NULL, 0},
    {"vm.shutdown", "PUT", api_shutdown, NULL, 0},
    {"vm.reboot", "PUT", api_reboot, NULL, 0},
    {"vm.snapshot", "PUT", api_snapshot, NULL, 3}, /* config, state, memory */
    {"vm.restore", "PUT", api_restore, NULL, 0},
    {"vmm.upgrade", "PUT", api_upgrade, NULL, 1}, /* the new binary */
};

int dv_vm_api_open(struct dv_vm *vm)
{
	static struct dv_api api;
	char why[128];

	if (!vm->cfg->api_socket)
		return 0;
	api = (struct dv_api){.lfd = -1, .stop_fd = -1};
	if (vm->cfg->upgrade) { /* the socket the old image listened on */
		api.lfd = vm->cfg->upgrade->api_fd;
		if (api.lfd < 0 || fcntl(api.lfd, F_SETFD, FD_CLOEXEC) < 0)
			snprintf(why, sizeof(why), "not handed over");
	} else {
		api.lfd = dv_api_listen(vm->cfg->api_socket, why, sizeof(why));
	}
	if (api.lfd < 0) {
		fprintf(stderr, "duvisor: --api-socket %s: %s\n", vm->cfg->api_socket, why);
		return DV_EXIT_FILE;
	}
	api.stop_fd = dv_eventfd_new();
	if (api.stop_fd < 0) {
		fprintf(stderr, "duvisor: API: %s\n", strerror(-api.stop_fd));
		close(api.lfd);
		return DV_EXIT_FAILURE;
	}
	vm->api = &api;
	return 0;
}

static void *dv_api_thread(void *arg)
{
	struct dv_vm *vm = arg;
	struct dv_api_table t = {dv_vm_routes, sizeof(dv_vm_routes) / sizeof(dv_vm_routes[0]), vm};

	dv_sandbox_thread(vm->cfg->live_upgrade ? DV_THREAD_API_UPGRADE : DV_THREAD_API);
	if (vm->cfg->upgrade) {
		/* A new image: answer the ctl that asked, once the guest runs again */
		for (int i = 0;
		     i < 10000 && !atomic_load(&vm->restored) && !atomic_load(&vm->stopping); i++) {
			struct timespec ms = {0, 1000000};

			nanosleep(&ms, NULL);
		}
		dv_upgrade_answer(vm);
	}
	dv_api_serve(vm->api->lfd, vm->api->stop_fd, &t);
	return NULL;
}

int dv_vm_api_start(struct dv_vm *vm)
{
	int rc;

	if (!vm->api)
		return 0;
	rc = pthread_create(&vm->api->thread, NULL, dv_api_thread, vm);
	if (rc)
		return -rc;
	vm->api->running = true;
	return 0;
}

void dv_vm_api_close(struct dv_vm *vm)
{
	if (!vm->api)
		return;
	if (vm->api->running) {
		dv_eventfd_post(vm->api->stop_fd);
		pthread_join(vm->api->thread, NULL);
	}
	close(vm->api->lfd);
	close(vm->api->stop_fd);
	vm->api = NULL;
}
