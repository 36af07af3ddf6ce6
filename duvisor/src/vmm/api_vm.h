/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VM's control API (--api-socket, docs/api.md): its socket, opened
 * before duvisor confines itself, and the thread serving it, which is
 * never a vCPU's.
 */
#ifndef DV_VMM_API_VM_H
#define DV_VMM_API_VM_H

#include <pthread.h>
#include <stdbool.h>

struct dv_vm;

struct dv_api {
	int lfd;     /* the listening socket */
	int stop_fd; /* eventfd: the thread ends */
	pthread_t thread;
	bool running;
};

/* Open cfg->api_socket for vm (vm->api): 0, or a DV_EXIT_* code after saying why */
int dv_vm_api_open(struct dv_vm *vm);
/* Start serving: 0 or -errno */
int dv_vm_api_start(struct dv_vm *vm);
/* Stop serving and close (after the VM stopped) */
void dv_vm_api_close(struct dv_vm *vm);

#endif /* DV_VMM_API_VM_H */
