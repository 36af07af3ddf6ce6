// SPDX-License-Identifier: GPL-2.0-only
/*
 * The I/O thread: one epoll loop for terminal input (to the UART or the
 * virtio console), signals, and the virtio devices' queues and taps.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli/cli.h"
#include "hw/uart.h"
#include "vmm/console.h"
#include "vmm/io_thread.h"
#include "vmm/vm.h"
#include "virtio/devices.h"
#include "vmm/sandbox.h"

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

/*
 * A pause asked or ended (vmm/pause.h): the devices' fds are watched or
 * not. Only this thread runs their handlers, so none is mid-way once the
 * loop is paused here, between two turns.
 */
static void dv_io_follow_pause(struct dv_io *io)
{
	struct dv_vm *vm = io->vm;
	bool want = atomic_load(&vm->pause.gate);
	int rc;

	if (want == io->paused)
		return;
	rc = dv_ioloop_pause(&io->loop, want);
	if (rc)
		fprintf(stderr, "duvisor: %s the devices: %s\n", want ? "pausing" : "resuming",
			strerror(-rc));
	io->paused = want;
	if (want)
		dv_pause_arrive(vm);
	else
		dv_pause_leave(vm);
}

void *dv_io_thread(void *arg)
{
	struct dv_io *io = arg;
	struct dv_vm *vm = io->vm;

	if (vm->ops->io_thread_init && vm->ops->io_thread_init(vm))
		fprintf(stderr, "duvisor: I/O thread cannot kick vCPUs; input may lag\n");
	dv_sandbox_thread(DV_THREAD_IO);
	while (!atomic_load(&vm->stopping)) {
		/* Poll only for what no fd announces: UART room, unpollable stdin */
		bool busy =
		    !io->paused && (dv_console_pending() || (io->stdin_open && !io->stdin_polled));

		if (dv_ioloop_run_once(&io->loop, busy ? 20 : -1) < 0)
			break;
		dv_io_follow_pause(io);
		/* Paused, input waits in the queue, then in the kernel */
		if (!io->paused) {
			if (io->stdin_open && !io->stdin_polled)
				dv_io_stdin(&io->in, 0);
			if (vm->cfg->console == DV_CONSOLE_VIRTIO)
				dv_vcons_feed(vm->vcons);
			else
				dv_io_feed_uart(vm);
		}
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
int dv_io_setup(struct dv_io *io, int sigfd)
{
	int rc;

	/* Served while paused: signals, kicks, and input (queued, the escape seen) */
	io->sig = (struct dv_io_handler){sigfd, dv_io_signal, io, .control = true};
	io->wake = (struct dv_io_handler){io->vm->io_wake, dv_io_wake, io, .control = true};
	io->in = (struct dv_io_handler){STDIN_FILENO, dv_io_stdin, io, .control = true};
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
