/* SPDX-License-Identifier: GPL-2.0-only */
/* The I/O thread of a VM (io_thread.c). */
#ifndef DV_IO_THREAD_H
#define DV_IO_THREAD_H

#include <stdbool.h>

#include "vmm/ioloop.h"

struct dv_vm;

struct dv_io {
	struct dv_vm *vm;
	struct dv_ioloop loop;
	struct dv_io_handler sig, in, wake;
	bool stdin_open;
	bool stdin_polled; /* false: a regular file, read a chunk per turn */
	bool stdin_paused; /* the guest is behind on input: leave it in the kernel */
	bool paused;	   /* the VM is paused: the devices' fds are not watched */
};

/* The loop's own fds: signals, stdin and the wake-up for dv_vm_stop(). */
int dv_io_setup(struct dv_io *io, int sigfd);
void *dv_io_thread(void *arg);

#endif /* DV_IO_THREAD_H */
