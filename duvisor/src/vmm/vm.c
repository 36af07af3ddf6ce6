// SPDX-License-Identifier: GPL-2.0-only
/*
 * A VM's life: memory and devices, the boot image and device tree, one
 * thread per vCPU running its exit loop (vcpu.c), and an I/O thread for
 * the console, signals and devices (io_thread.c), until the VM stops
 * (SBI shutdown or reset, a signal, the console escape, or an error).
 */
#define _GNU_SOURCE /* pthread_timedjoin_np */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "backend/backend.h"
#include "boot/fdt.h"
#include "boot/loader.h"
#include "cli/cli.h"
#include "hw/plic.h"
#include "jail/jail.h"
#include "vmm/api_vm.h"
#include "vmm/console.h"
#include "vmm/io_thread.h"
#include "vmm/vm.h"
#include "vmm/sandbox.h"

#define DV_DTB_SIZE	    (64 * 1024)
#define DV_DEFAULT_TIMEBASE 10000000ULL

struct dv_boot {
	uint64_t entry, dtb;
};

void dv_vm_stop(struct dv_vm *vm, int exit_code)
{
	bool was = atomic_exchange(&vm->stopping, true);
	unsigned int i;

	if (!was)
		atomic_store(&vm->exit_code, exit_code);
	dv_pause_release(vm);
	for (i = 0; i < vm->nr_vcpus; i++)
		dv_vcpu_post(&vm->vcpus[i], DV_EV_STOP);
	if (vm->io_wake >= 0)
		dv_eventfd_post(vm->io_wake); /* the I/O thread sleeps in epoll */
}

struct dv_irq_line dv_vm_irq_line(struct dv_vm *vm, unsigned int src)
{
	return (struct dv_irq_line){dv_plic_line_set, vm->plic, src};
}

static uint64_t dv_timebase_given;

void dv_host_timebase_set(uint64_t hz)
{
	dv_timebase_given = hz;
}

uint64_t dv_host_timebase(void)
{
	FILE *f;
	uint8_t b[4];
	uint64_t hz = DV_DEFAULT_TIMEBASE;

	if (dv_timebase_given)
		return dv_timebase_given; /* a new image of a live upgrade opens no file */
	f = fopen("/proc/device-tree/cpus/timebase-frequency", "rb");
	if (f) {
		if (fread(b, 1, 4, f) == 4)
			hz = (uint64_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
		fclose(f);
	}
	return hz ? hz : DV_DEFAULT_TIMEBASE;
}

/*
 * The board: the kinds of device a VM has, in the order they are created.
 * Each takes its MMIO window and PLIC source from the one allocator in this
 * order, so the guest's vda is the first --disk and eth0 the first --net;
 * the PLIC comes first, as the others' interrupt lines lead to it.
 */
static const struct dv_device_ops *const dv_board[] = {
    &dv_plic_device, &dv_uart_device, &dv_vblk_device,
    &dv_vnet_device, &dv_vrng_device, &dv_vcons_device,
};

static int dv_vm_devices(struct dv_vm *vm)
{
	return dv_devices_create(&vm->devs, dv_board, sizeof(dv_board) / sizeof(dv_board[0]), vm,
				 vm->cfg, &vm->mmio, DV_DEV_MMIO_BASE, DV_DEV_MMIO_END,
				 DV_PLIC_SOURCES);
}

/* Kernel, initrd and device tree into guest RAM (0 or a DV_EXIT_* code) */
static int dv_vm_boot(struct dv_vm *vm, struct dv_boot *boot)
{
	const struct dv_config *cfg = vm->cfg;
	struct dv_fdt_node nodes[DV_MAX_DEVICES];
	struct dv_boot_layout lay = {0};
	struct dv_fdt_desc d = {
	    .ncpus = vm->nr_vcpus,
	    .isa = vm->cpu.isa,
	    .mmu = vm->cpu.sv48 ? DV_FDT_MMU_SV48 : DV_FDT_MMU_SV39,
	    .timebase = (uint32_t)vm->timebase,
	    .ram_base = vm->mem.gpa_base,
	    .ram_size = vm->mem.size,
	    .bootargs = cfg->cmdline,
	    .nodes = nodes,
	    .nnodes = dv_devices_fdt(&vm->devs, nodes, DV_MAX_DEVICES),
	};
	char err[256];
	void *dtb;
	int rc;

	rc = dv_load_linux(&vm->mem, cfg->kernel, cfg->initrd, DV_DTB_SIZE, &lay, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "duvisor: %s\n", err);
		return rc == -ENOENT || rc == -EACCES ? DV_EXIT_FILE : DV_EXIT_FAILURE;
	}
	if (cfg->initrd) {
		d.has_initrd = true;
		d.initrd_start = lay.initrd_start;
		d.initrd_end = lay.initrd_end;
	}
	dtb = dv_gpa_ptr(&vm->mem, lay.dtb, DV_DTB_SIZE);
	rc = dtb ? dv_fdt_build(&d, dtb, DV_DTB_SIZE) : -ENOSPC;
	if (rc) {
		fprintf(stderr, "duvisor: device tree: %s\n", strerror(-rc));
		return DV_EXIT_FAILURE;
	}
	if (cfg->dump_dtb) {
		FILE *f = fopen(cfg->dump_dtb, "wb");
		size_t len = ((const uint8_t *)dtb)[4] << 24 | ((const uint8_t *)dtb)[5] << 16 |
			     ((const uint8_t *)dtb)[6] << 8 | ((const uint8_t *)dtb)[7];

		if (!f || fwrite(dtb, 1, len, f) != len || fclose(f)) {
			fprintf(stderr, "duvisor: --dump-dtb %s: %s\n", cfg->dump_dtb,
				strerror(errno));
			return DV_EXIT_FILE;
		}
	}
	boot->entry = lay.entry;
	boot->dtb = lay.dtb;
	return 0;
}

#define DV_STOP_GRACE_S 5

/*
 * Wait for the vCPU threads to end. Once the VM is stopping, a vCPU thread
 * that does not end within DV_STOP_GRACE_S seconds is stuck (a hang in
 * the hypervisor's own code: nothing can kick it out): the process ends
 * anyway, with the VM's exit status, and the kernel frees the VM.
 */
static void dv_join_vcpus(struct dv_vm *vm, unsigned int n)
{
	struct timespec stop_seen = {0}, now, slice;
	unsigned int j = 0;

	while (j < n) {
		clock_gettime(CLOCK_REALTIME, &slice);
		slice.tv_nsec += 100000000L;
		if (slice.tv_nsec >= 1000000000L) {
			slice.tv_sec++;
			slice.tv_nsec -= 1000000000L;
		}
		if (!pthread_timedjoin_np(vm->vcpus[j].thread, NULL, &slice)) {
			j++;
			continue;
		}
		if (!atomic_load(&vm->stopping))
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!stop_seen.tv_sec)
			stop_seen = now;
		else if (now.tv_sec - stop_seen.tv_sec >= DV_STOP_GRACE_S) {
			fprintf(stderr,
				"duvisor: vCPU %u did not stop within %d s of the VM stopping; "
				"exiting without it\n",
				j, DV_STOP_GRACE_S);
			dv_console_restore();
			_exit(atomic_load(&vm->exit_code));
		}
	}
}

int dv_vm_run(const struct dv_config *cfg)
{
	struct dv_vm vm = {.cfg = cfg,
			   .mem_size = cfg->mem_size,
			   .nr_vcpus = cfg->ncpus,
			   .io_wake = -1,
			   .upgrade = {.exe_fd = -1, .state_fd = -1}};
	struct dv_io io = {.vm = &vm, .loop = {.epfd = -1}};
	int sigfd = -1;
	struct dv_boot boot = {0};
	pthread_t io_thread;
	sigset_t sigs;
	unsigned int i;
	int rc, code;

	dv_pause_init(&vm.pause);
	vm.ops = dv_backend_find(cfg->backend == DV_BACKEND_KVM ? "kvm" : "dvext");
	if (!vm.ops) {
		fprintf(stderr, "duvisor: no such backend\n");
		return DV_EXIT_BACKEND;
	}
	dv_sandbox_setup(!cfg->no_sandbox, &vm.ops->vcpu_ioctls, &vm.ops->io_ioctls,
			 &vm.ops->setup_ioctls);
	if (cfg->ncpus > DV_MAX_VCPUS) {
		fprintf(stderr, "duvisor: at most %d vCPUs\n", DV_MAX_VCPUS);
		return DV_EXIT_USAGE;
	}
	vm.vcpus = calloc(cfg->ncpus, sizeof(*vm.vcpus));
	if (!vm.vcpus)
		return DV_EXIT_FAILURE;
	for (i = 0; i < cfg->ncpus; i++) {
		vm.vcpus[i].vm = &vm;
		vm.vcpus[i].id = i;
	}

	/* A snapshot is checked whole before anything is set up for it */
	if (cfg->upgrade) {
		vm.restore = cfg->upgrade->restore; /* a live upgrade's new image */
		cfg->upgrade->restore = NULL;
	} else if (cfg->restore_dir) {
		code = dv_restore_open(cfg, &vm.restore);
		if (code)
			goto out_free;
	}
	if (vm.restore)
		pthread_barrier_init(&vm.restore_met, NULL, cfg->ncpus);
	if (cfg->upgrade && !vm.ops->vm_adopt) {
		fprintf(stderr, "duvisor: the %s backend cannot take a VM over\n", vm.ops->name);
		code = DV_EXIT_FAILURE;
		goto out_free;
	}
	rc = cfg->upgrade ? vm.ops->vm_adopt(&vm, &cfg->upgrade->backend) : vm.ops->vm_init(&vm);
	if (rc) {
		code = rc == -ENODEV ? DV_EXIT_BACKEND : DV_EXIT_FAILURE;
		goto out_free;
	}
	code = DV_EXIT_FAILURE;
	vm.ops->describe(&vm, &vm.cpu);
	vm.timebase = vm.cpu.timebase;
	if (cfg->ncpus > vm.cpu.max_vcpus) {
		fprintf(stderr, "duvisor: the %s backend runs at most %u vCPUs\n", vm.ops->name,
			vm.cpu.max_vcpus);
		code = DV_EXIT_USAGE;
		goto out_backend;
	}
	rc = dv_ioloop_init(&io.loop);
	vm.io_wake = dv_eventfd_new();
	if (rc || vm.io_wake < 0) {
		fprintf(stderr, "duvisor: I/O loop: %s\n", strerror(rc ? -rc : -vm.io_wake));
		goto out_backend;
	}
	vm.loop = &io.loop;
	rc = dv_vm_devices(&vm);
	if (rc) {
		code = rc;
		goto out_devices;
	}
	if (vm.restore) {
		rc = dv_restore_vm(vm.restore, &vm);
	} else {
		rc = dv_vm_boot(&vm, &boot);
		vm.vcpus[0].start_pc = boot.entry;
		vm.vcpus[0].start_arg = boot.dtb;
	}
	if (rc) {
		code = rc;
		goto out_devices;
	}

	/* Signals are for the I/O thread alone: vCPU threads may be in a guest */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	sigfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sigfd < 0 || dv_console_init()) {
		fprintf(stderr, "duvisor: console: %s\n", strerror(errno));
		goto out_devices;
	}
	rc = dv_io_setup(&io, sigfd);
	if (rc) {
		fprintf(stderr, "duvisor: I/O loop: %s\n", strerror(-rc));
		goto out_console;
	}
	rc = dv_vm_api_open(&vm);
	if (!rc)
		rc = dv_upgrade_prepare(&vm);
	if (rc) {
		code = rc;
		goto out_console;
	}
	/* Set up: the jail, then the threads (they inherit its namespaces, root and user) */
	rc = cfg->jail.dir && !cfg->upgrade /* a new image is in the jail already */
		 ? dv_jail_enter(cfg, 2 + !!vm.api + cfg->ncpus + dv_devices_threads(&vm.devs))
		 : 0;
	if (!rc)
		rc = dv_devices_start(&vm.devs);
	if (rc) {
		code = rc;
		goto out_console;
	}
	if (pthread_create(&io_thread, NULL, dv_io_thread, &io)) {
		fprintf(stderr, "duvisor: I/O thread: %s\n", strerror(errno));
		goto out_console;
	}
	for (i = 0; i < cfg->ncpus; i++) {
		if (pthread_create(&vm.vcpus[i].thread, NULL, dv_vcpu_thread, &vm.vcpus[i])) {
			fprintf(stderr, "duvisor: vCPU %u thread: %s\n", i, strerror(errno));
			dv_vm_stop(&vm, DV_EXIT_FAILURE);
			break;
		}
	}
	rc = dv_vm_api_start(&vm);
	if (rc) {
		fprintf(stderr, "duvisor: API thread: %s\n", strerror(-rc));
		dv_vm_stop(&vm, DV_EXIT_FAILURE);
	}
	/* From here on this thread only waits, reports and cleans up */
	dv_sandbox_thread(DV_THREAD_IO);
	dv_join_vcpus(&vm, i);
	dv_vm_stop(&vm, DV_EXIT_OK); /* every vCPU ended on its own: keep the first reason */
	pthread_join(io_thread, NULL);
	code = atomic_load(&vm.exit_code);
	if (vm.cfg->stats) {
		struct dv_stats *per = calloc(vm.nr_vcpus, sizeof(*per));

		for (i = 0; per && i < vm.nr_vcpus; i++)
			per[i] = vm.vcpus[i].stats;
		if (per)
			dv_stats_print(stderr, per, vm.nr_vcpus);
		free(per);
		dv_devices_stats(&vm.devs, stderr);
	}
out_console:
	dv_vm_api_close(&vm);
	dv_console_restore();
	dv_console_report();
	if (sigfd >= 0)
		close(sigfd);
out_devices:
	dv_devices_destroy(&vm.devs);
out_backend:
	dv_ioloop_destroy(&io.loop);
	if (vm.io_wake >= 0)
		close(vm.io_wake);
	vm.ops->vm_destroy(&vm);
out_free:
	free(vm.vcpus);
	if (vm.restore) {
		pthread_barrier_destroy(&vm.restore_met);
		dv_restore_free(vm.restore);
	}
	return code;
}
