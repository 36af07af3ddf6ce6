/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A vCPU's exit dispatch (vcpu.c), for the SBI code that sleeps as WFI
 * does and for the unit tests that feed it exits.
 */
#ifndef DV_VMM_EXIT_H
#define DV_VMM_EXIT_H

#include <stdbool.h>

struct dv_exit;
struct dv_vcpu;

/*
 * Handle one exit of vcpu, on its thread: >0 go on running the guest, 0
 * leave the run loop (the VM stops), <0 an error (a register dump was
 * printed).
 */
int dv_handle_exit(struct dv_vcpu *vcpu, const struct dv_exit *e);

/*
 * For a backend that can finish an exit without returning from its guest
 * entry (dvext): handle e if it is one that neither sleeps nor changes the
 * vCPU's run state nor ends the VM (MMIO, the SBI extensions marked quick)
 * and return true; else false, with nothing done, for the run loop.
 */
bool dv_handle_exit_inline(struct dv_vcpu *vcpu, const struct dv_exit *e);

/*
 * WFI: sleep until an interrupt is pending for the guest, its timer is due,
 * an event is posted to vcpu or the VM stops. Needs the backend's
 * irq_pending, guest_time and timer_deadline (no DV_CAP_WFI_TIMER).
 */
void dv_vcpu_idle(struct dv_vcpu *vcpu);

#endif /* DV_VMM_EXIT_H */
