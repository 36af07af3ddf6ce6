// SPDX-License-Identifier: GPL-2.0-only
/*
 * A VM's life: memory and devices, the boot image and device tree, one
 * thread per vCPU running its exit loop, and an I/O thread for the console
 * and signals. Exit handlers return to the loop; a vCPU leaves it when the
 * VM stops (SBI shutdown or reset, a signal, the console escape, or an error).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "../backend/backend.h"
#include "cli.h"
#include "console.h"
#include "crash.h"
#include "fdt_build.h"
#include "ioloop.h"
#include "loader.h"
#include "plic.h"
#include "sbi.h"
#include "uart.h"
#include "vm.h"

#define DV_DTB_SIZE	    (64 * 1024)
#define DV_DEFAULT_TIMEBASE 10000000ULL

enum { EXC_INST_ACCESS = 1, EXC_ILLEGAL = 2, EXC_LOAD_ACCESS = 5, EXC_STORE_ACCESS = 7 };

struct dv_boot {
	uint64_t entry, dtb;
};

static __thread struct dv_vcpu *dv_self;

struct dv_vcpu *dv_vcpu_self(void)
{
	return dv_self;
}

void dv_vm_stop(struct dv_vm *vm, int exit_code)
{
	bool was = atomic_exchange(&vm->stopping, true);
	unsigned int i;

	if (!was)
		atomic_store(&vm->exit_code, exit_code);
	for (i = 0; i < vm->nr_vcpus; i++)
		dv_vcpu_post(&vm->vcpus[i], DV_EV_STOP);
	if (vm->io_wake >= 0)
		dv_eventfd_post(vm->io_wake); /* the I/O thread sleeps in epoll */
}

void dv_vcpu_wake(struct dv_vcpu *vcpu)
{
	pthread_mutex_lock(&vcpu->lock);
	pthread_cond_signal(&vcpu->wake);
	pthread_mutex_unlock(&vcpu->lock);
}

void dv_vcpu_post(struct dv_vcpu *vcpu, unsigned int events)
{
	struct dv_vm *vm = vcpu->vm;

	atomic_fetch_or(&vcpu->events, events);
	dv_vcpu_wake(vcpu);
	/* Only threads the backend registered can ring; the I/O thread rings for the others */
	if (!vm->ops->kick(vcpu) && vm->io_wake >= 0) {
		atomic_fetch_or(&vm->kick_mask, 1u << vcpu->id);
		dv_eventfd_post(vm->io_wake);
	}
}

/* A PLIC context asserts or deasserts its hart's external interrupt */
static void dv_ext_irq_line(void *opaque, unsigned int n, bool level)
{
	struct dv_vm *vm = opaque;

	vm->ops->set_ext_irq(&vm->vcpus[n], level);
}

static void dv_uart_tx(void *opaque, uint8_t byte)
{
	(void)opaque;
	dv_console_write(&byte, 1);
}

/* Sleep in WFI until something is pending for the guest or its timer expires */
static void dv_vcpu_idle(struct dv_vcpu *vcpu)
{
	struct dv_vm *vm = vcpu->vm;
	uint64_t deadline = vm->ops->timer_deadline(vcpu);
	uint64_t now = vm->ops->guest_time(vcpu);
	struct timespec ts;

	if (deadline <= now || vm->ops->irq_pending(vcpu))
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (deadline - now < vm->timebase * 3600) {
		uint64_t ns = (deadline - now) * 1000000000ULL / vm->timebase;

		ts.tv_sec += ns / 1000000000ULL;
		ts.tv_nsec += ns % 1000000000ULL;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
	} else {
		ts.tv_sec += 3600;
	}
	pthread_mutex_lock(&vcpu->lock);
	while (!atomic_load(&vcpu->events) && !atomic_load(&vcpu->ext_irq) &&
	       !atomic_load(&vm->stopping))
		if (pthread_cond_timedwait(&vcpu->wake, &vcpu->lock, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&vcpu->lock);
}

static void dv_handle_sbi(struct dv_vcpu *vcpu, const struct dv_exit *e)
{
	struct dv_sbi_ret r = dv_sbi_call(vcpu, e->sbi.ext, e->sbi.fid, e->sbi.args);

	if (!r.no_advance)
		vcpu->vm->ops->sbi_done(vcpu, r.error, r.value, r.legacy);
}

static void dv_handle_mmio(struct dv_vcpu *vcpu, const struct dv_exit *e)
{
	const struct dv_backend_ops *ops = vcpu->vm->ops;
	uint64_t val = e->mmio.is_store ? e->mmio.data : 0;

	if (dv_mmio_access(&vcpu->vm->mmio, e->mmio.gpa, e->mmio.width, e->mmio.is_store, &val)) {
		vcpu->stats.count[DV_STAT_FAULT_INJECTED]++;
		if (ops->caps & DV_CAP_INJECT) {
			/* Nothing there: the guest gets an access fault, duvisor goes on */
			ops->inject_exception(vcpu,
					      e->mmio.is_store ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS,
					      e->mmio.gva);
			return;
		}
		val = 0; /* the backend cannot raise one: loads read 0, stores are dropped */
	}
	ops->mmio_done(vcpu, e, val);
}

/* The backend took an SBI reset call: end as the core's SRST would */
static void dv_handle_system(struct dv_vcpu *vcpu, const struct dv_exit *e)
{
	dv_vm_stop(vcpu->vm, e->system.type == DV_SYSTEM_SHUTDOWN ? DV_EXIT_OK : DV_EXIT_GUEST);
}

static void dv_dump(struct dv_vcpu *vcpu, const struct dv_exit *e)
{
	unsigned int i;

	fprintf(stderr, "duvisor: vCPU %u: unexpected exit, cause %#llx tval %#llx pc %#llx\n",
		vcpu->id, (unsigned long long)e->other.cause, (unsigned long long)e->other.tval,
		(unsigned long long)e->pc);
	for (i = 1; i < 32; i++)
		fprintf(stderr, "  x%-2u %016llx%s", i,
			(unsigned long long)vcpu->vm->ops->get_reg(vcpu, i),
			i % 4 == 3 ? "\n" : "");
	fprintf(stderr, "\n");
}

/* One exit: >0 go on, 0 leave the loop, <0 error */
static int dv_handle_exit(struct dv_vcpu *vcpu, const struct dv_exit *e)
{
	const struct dv_backend_ops *ops = vcpu->vm->ops;

	switch (e->reason) {
	case DV_EXIT_SBI:
		vcpu->stats.count[DV_STAT_SBI]++;
		dv_handle_sbi(vcpu, e);
		return 1;
	case DV_EXIT_MMIO:
		vcpu->stats.count[DV_STAT_MMIO]++;
		dv_handle_mmio(vcpu, e);
		return 1;
	case DV_EXIT_WFI:
		vcpu->stats.count[DV_STAT_WFI]++;
		dv_vcpu_idle(vcpu);
		return 1;
	case DV_EXIT_SYSTEM:
		vcpu->stats.count[DV_STAT_SBI]++;
		dv_handle_system(vcpu, e);
		return 0;
	case DV_EXIT_KICK:
		vcpu->stats.count[DV_STAT_KICK]++;
		return 1;
	case DV_EXIT_HOST:
		vcpu->stats.count[DV_STAT_HOST]++;
		return 1;
	case DV_EXIT_FETCH:
		vcpu->stats.count[DV_STAT_FAULT_INJECTED]++;
		ops->inject_exception(vcpu, EXC_INST_ACCESS, e->other.tval);
		return 1;
	case DV_EXIT_GUEST_FAULT:
		vcpu->stats.count[DV_STAT_FAULT_INJECTED]++;
		ops->inject_exception(vcpu, e->other.cause, e->other.tval);
		return 1;
	case DV_EXIT_ILLEGAL:
		vcpu->stats.count[DV_STAT_OTHER]++;
		ops->inject_exception(vcpu, EXC_ILLEGAL, e->other.insn);
		return 1;
	default:
		dv_dump(vcpu, e);
		return -EIO;
	}
}

struct dv_vcpu_boot {
	struct dv_vcpu *vcpu;
	const struct dv_boot *boot;
};

static void *dv_vcpu_thread(void *arg)
{
	struct dv_vcpu *vcpu = arg;
	struct dv_vm *vm = vcpu->vm;
	const struct dv_backend_ops *ops = vm->ops;
	struct dv_exit e;
	int rc;

	dv_self = vcpu;
	/* A fatal signal here may arrive with the guest's sp: report it on a stack of our own */
	if (dv_crash_thread_init())
		fprintf(stderr, "duvisor: vCPU %u: no alternate signal stack\n", vcpu->id);
	rc = ops->vcpu_init(vcpu);
	if (rc) {
		fprintf(stderr, "duvisor: vCPU %u: %s\n", vcpu->id, strerror(-rc));
		dv_vm_stop(vm, DV_EXIT_FAILURE);
		return NULL;
	}
	if (vcpu->id == 0)
		ops->vcpu_reset(vcpu, vcpu->start_pc, 0, vcpu->start_arg);
	/* Secondary harts wait for SBI HSM: here, or in the backend */
	if (vcpu->id == 0 || (ops->caps & DV_CAP_HART_START))
		atomic_store(&vcpu->state, DV_VCPU_RUNNING);
	while (!atomic_load(&vm->stopping)) {
		if (atomic_load(&vcpu->state) != DV_VCPU_RUNNING) {
			/* SBI HSM: a stopped hart waits to be started */
			pthread_mutex_lock(&vcpu->lock);
			while (!(atomic_load(&vcpu->events) & (DV_EV_START | DV_EV_STOP)))
				pthread_cond_wait(&vcpu->wake, &vcpu->lock);
			pthread_mutex_unlock(&vcpu->lock);
			if (atomic_fetch_and(&vcpu->events, ~DV_EV_START) & DV_EV_START &&
			    atomic_load(&vcpu->state) == DV_VCPU_START_PENDING) {
				ops->vcpu_reset(vcpu, vcpu->start_pc, vcpu->id, vcpu->start_arg);
				atomic_store(&vcpu->state, DV_VCPU_RUNNING);
			}
			continue;
		}
		atomic_store(&vcpu->in_guest, true);
		rc = ops->vcpu_run(vcpu, &e);
		atomic_store(&vcpu->in_guest, false);
		if (!rc)
			rc = dv_handle_exit(vcpu, &e);
		if (rc < 0) {
			dv_vm_stop(vm, DV_EXIT_FAILURE);
			break;
		}
	}
	ops->vcpu_destroy(vcpu);
	return NULL;
}

uint64_t dv_host_timebase(void)
{
	FILE *f = fopen("/proc/device-tree/cpus/timebase-frequency", "rb");
	uint8_t b[4];
	uint64_t hz = DV_DEFAULT_TIMEBASE;

	if (f) {
		if (fread(b, 1, 4, f) == 4)
			hz = (uint64_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
		fclose(f);
	}
	return hz ? hz : DV_DEFAULT_TIMEBASE;
}

static int dv_vm_devices(struct dv_vm *vm)
{
	struct dv_irq_line *ctx = calloc(vm->nr_vcpus, sizeof(*ctx));
	struct dv_irq_line uart_irq;
	unsigned int i;
	int rc;

	if (!ctx)
		return -ENOMEM;
	for (i = 0; i < vm->nr_vcpus; i++)
		ctx[i] = (struct dv_irq_line){dv_ext_irq_line, vm, i};
	vm->plic = dv_plic_create(DV_PLIC_SOURCES, vm->nr_vcpus, ctx);
	free(ctx);
	if (!vm->plic)
		return -ENOMEM;
	uart_irq = (struct dv_irq_line){dv_plic_line_set, vm->plic, DV_UART_IRQ};
	vm->uart = dv_uart_create(&uart_irq, dv_uart_tx, NULL);
	if (!vm->uart)
		return -ENOMEM;
	rc = dv_mmio_register(&vm->mmio, "plic", DV_PLIC_BASE, DV_PLIC_SIZE, &dv_plic_mmio_ops,
			      vm->plic);
	if (!rc)
		rc = dv_mmio_register(&vm->mmio, "uart", DV_UART_BASE, DV_UART_SIZE,
				      &dv_uart_mmio_ops, vm->uart);
	return rc;
}

/* Kernel, initrd and device tree into guest RAM (0 or a DV_EXIT_* code) */
static int dv_vm_boot(struct dv_vm *vm, struct dv_boot *boot)
{
	const struct dv_config *cfg = vm->cfg;
	struct dv_boot_layout lay;
	struct dv_fdt_desc d = {
	    .ncpus = vm->nr_vcpus,
	    .isa = vm->cpu.isa,
	    .mmu = vm->cpu.sv48 ? DV_FDT_MMU_SV48 : DV_FDT_MMU_SV39,
	    .timebase = (uint32_t)vm->timebase,
	    .ram_base = vm->mem.gpa_base,
	    .ram_size = vm->mem.size,
	    .bootargs = cfg->cmdline,
	    .uart = {DV_UART_BASE, DV_UART_IRQ},
	    .plic = {DV_PLIC_BASE, DV_PLIC_SIZE, DV_PLIC_SOURCES - 1},
	    .virtio = vm->virtio.fdt,
	    .nvirtio = vm->virtio.n,
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

/*
 * The I/O thread: one epoll loop for terminal input (to the UART or the
 * virtio console), signals, and the virtio devices' queues and taps.
 */
struct dv_io {
	struct dv_vm *vm;
	struct dv_ioloop loop;
	struct dv_io_handler sig, in, wake;
	bool stdin_open;
	bool stdin_polled; /* false: a regular file, read a chunk per turn */
	bool stdin_paused; /* the guest is behind on input: leave it in the kernel */
};

#define DV_IO_INPUT_HIGH 2048 /* queued input bytes above which stdin is not read */

static void dv_io_feed_uart(struct dv_vm *vm)
{
	int c;

	/* Move queued input into the UART while it takes it (SBI getchar shares it) */
	while (dv_console_pending()) {
		uint8_t b;

		c = dv_console_getc();
		if (c < 0)
			break;
		b = (uint8_t)c;
		if (dv_uart_rx(vm->uart, &b, 1) != 1)
			break; /* dropped only when the guest stopped reading for 4 KiB */
	}
}

static void dv_io_signal(struct dv_io_handler *h, uint32_t events)
{
	struct dv_io *io = h->opaque;
	struct signalfd_siginfo si;

	(void)events;
	if (read(h->fd, &si, sizeof(si)) == sizeof(si)) {
		fprintf(stderr, "\r\nduvisor: signal %u, stopping the VM\r\n", si.ssi_signo);
		dv_vm_stop(io->vm, 128 + (int)si.ssi_signo);
	}
}

static void dv_io_stdin(struct dv_io_handler *h, uint32_t events)
{
	struct dv_io *io = h->opaque;
	uint8_t buf[256];
	ssize_t n;

	(void)events;
	if (!io->stdin_open)
		return;
	if (dv_console_pending() > DV_IO_INPUT_HIGH)
		return;
	n = read(h->fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		io->stdin_open = false;
		if (io->stdin_polled)
			dv_ioloop_modify(&io->loop, h, 0);
	} else if (!dv_console_input(buf, (size_t)n)) {
		fprintf(stderr, "\r\nduvisor: escape, stopping the VM\r\n");
		dv_vm_stop(io->vm, DV_EXIT_OK);
	}
}

/* dv_vm_stop() or kicks posted by threads that cannot ring doorbells */
static void dv_io_wake(struct dv_io_handler *h, uint32_t events)
{
	struct dv_io *io = h->opaque;
	struct dv_vm *vm = io->vm;
	unsigned int mask;

	(void)events;
	dv_eventfd_drain(h->fd);
	mask = atomic_exchange(&vm->kick_mask, 0);
	for (unsigned int i = 0; mask && i < vm->nr_vcpus; i++)
		if (mask & (1u << i))
			vm->ops->kick(&vm->vcpus[i]);
}

static void *dv_io_thread(void *arg)
{
	struct dv_io *io = arg;
	struct dv_vm *vm = io->vm;

	if (vm->ops->io_thread_init && vm->ops->io_thread_init(vm))
		fprintf(stderr, "duvisor: I/O thread cannot kick vCPUs; input may lag\n");
	while (!atomic_load(&vm->stopping)) {
		/* Poll only for what no fd announces: UART room, unpollable stdin */
		bool busy = dv_console_pending() || (io->stdin_open && !io->stdin_polled);

		if (dv_ioloop_run_once(&io->loop, busy ? 20 : -1) < 0)
			break;
		if (io->stdin_open && !io->stdin_polled)
			dv_io_stdin(&io->in, 0);
		if (vm->cfg->console == DV_CONSOLE_VIRTIO)
			dv_vm_virtio_console_feed(&vm->virtio);
		else
			dv_io_feed_uart(vm);
		/* Leave input in the kernel while the guest has not taken what is queued */
		if (io->stdin_open && io->stdin_polled &&
		    io->stdin_paused != (dv_console_pending() > DV_IO_INPUT_HIGH)) {
			io->stdin_paused = !io->stdin_paused;
			dv_ioloop_modify(&io->loop, &io->in, io->stdin_paused ? 0 : EPOLLIN);
		}
	}
	return NULL;
}

/* The loop's own fds: signals, stdin and the wake-up for dv_vm_stop(). */
static int dv_io_setup(struct dv_io *io, int sigfd)
{
	int rc;

	io->sig = (struct dv_io_handler){sigfd, dv_io_signal, io};
	io->wake = (struct dv_io_handler){io->vm->io_wake, dv_io_wake, io};
	io->in = (struct dv_io_handler){STDIN_FILENO, dv_io_stdin, io};
	rc = dv_ioloop_add(&io->loop, &io->sig, EPOLLIN);
	if (!rc)
		rc = dv_ioloop_add(&io->loop, &io->wake, EPOLLIN);
	if (rc)
		return rc;
	io->stdin_open = true;
	rc = dv_ioloop_add(&io->loop, &io->in, EPOLLIN);
	io->stdin_polled = !rc;
	if (rc == -EBADF)
		io->stdin_open = false; /* stdin closed */
	else if (rc && rc != -EPERM)
		return rc;
	return 0; /* EPERM: a regular file (or /dev/null) is read a chunk per turn */
}

int dv_vm_run(const struct dv_config *cfg)
{
	struct dv_vm vm = {
	    .cfg = cfg, .mem_size = cfg->mem_size, .nr_vcpus = cfg->ncpus, .io_wake = -1};
	struct dv_io io = {.vm = &vm, .loop = {.epfd = -1}};
	int sigfd = -1;
	struct dv_boot boot;
	pthread_t io_thread;
	pthread_condattr_t mono;
	sigset_t sigs;
	unsigned int i;
	int rc, code;

	vm.ops = dv_backend_find(cfg->backend == DV_BACKEND_KVM ? "kvm" : "dvext");
	if (!vm.ops) {
		fprintf(stderr, "duvisor: no such backend\n");
		return DV_EXIT_BACKEND;
	}
	if (cfg->ncpus > DV_MAX_VCPUS) {
		fprintf(stderr, "duvisor: at most %d vCPUs\n", DV_MAX_VCPUS);
		return DV_EXIT_USAGE;
	}
	/* WFI deadlines are computed on the monotonic clock */
	pthread_condattr_init(&mono);
	pthread_condattr_setclock(&mono, CLOCK_MONOTONIC);
	vm.vcpus = calloc(cfg->ncpus, sizeof(*vm.vcpus));
	if (!vm.vcpus)
		return DV_EXIT_FAILURE;
	for (i = 0; i < cfg->ncpus; i++) {
		vm.vcpus[i].vm = &vm;
		vm.vcpus[i].id = i;
		pthread_mutex_init(&vm.vcpus[i].lock, NULL);
		pthread_cond_init(&vm.vcpus[i].wake, &mono);
	}

	rc = vm.ops->vm_init(&vm);
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
	rc = dv_vm_devices(&vm);
	if (rc) {
		fprintf(stderr, "duvisor: devices: %s\n", strerror(-rc));
		goto out_devices;
	}
	rc = dv_vm_virtio_create(&vm, &io.loop, &vm.virtio);
	if (rc) {
		code = rc;
		goto out_devices;
	}
	rc = dv_vm_boot(&vm, &boot);
	if (rc) {
		code = rc;
		goto out_devices;
	}
	vm.vcpus[0].start_pc = boot.entry;
	vm.vcpus[0].start_arg = boot.dtb;

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
	for (unsigned int j = 0; j < i; j++)
		pthread_join(vm.vcpus[j].thread, NULL);
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
		dv_vm_virtio_print_stats(&vm.virtio, stderr);
	}
out_console:
	dv_console_restore();
	if (sigfd >= 0)
		close(sigfd);
out_devices:
	dv_vm_virtio_destroy(&vm.virtio);
	if (vm.uart)
		dv_uart_destroy(vm.uart);
	if (vm.plic)
		dv_plic_destroy(vm.plic);
out_backend:
	dv_ioloop_destroy(&io.loop);
	if (vm.io_wake >= 0)
		close(vm.io_wake);
	vm.ops->vm_destroy(&vm);
out_free:
	free(vm.vcpus);
	return code;
}
