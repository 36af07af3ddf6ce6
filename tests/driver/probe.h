/*
 * Watching a child die: attacks and undelegated guest exceptions must kill
 * the process that tries them, by a given signal, and leave the host alone.
 *
 * The parent sets up a shared page (probe_init) and spawns the child; the
 * child installs one-shot handlers (probe_catch) that note the signal and
 * its si_code in the page and return. For a fault the kernel reports after
 * forcing an exit from the guest, the handler returns to utvec with the
 * guest's registers, so dv_run() returns with the exit record, which
 * probe_guest() notes too; re-entering repeats the fault, and this time the
 * default action ends the child. For a fault of the hypervisor's own code
 * (an HS-only CSR, say) the instruction is simply retried and the default
 * action ends the child. Either way the parent sees the real death.
 */
#ifndef DRIVER_PROBE_H
#define DRIVER_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "dv.h"

struct probe {
	volatile int stage; /* 1: set up, about to attack */
	volatile int signo; /* first signal caught, its si_code, si_addr */
	volatile int code;
	volatile uint64_t addr;
	volatile int exited; /* dv_run() returned (forced exit) */
	volatile uint64_t ucause, utval, hutval, pc, guest_exceptions;
	char err[160]; /* set-up error in the child */
};

extern struct probe *probe;

void probe_init(void);
/* In the child: one-shot handlers for SIGBUS, SIGSEGV, SIGILL on an
 * alternate stack. */
void probe_catch(void);
/* In the child: attack by entering the guest; see above. Returns an exit
 * status only if the child survived (3: an exit without a signal). */
int probe_guest(struct dv_vcpu *v);
/* Child-side set-up failure: note it, exit 2. */
int probe_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parent: run fn(arg) in a child and expect it killed by want_sig after
 * reaching stage 1. Adds reasons with expect(); returns true if it was. */
bool expect_killed(int (*fn)(void *), void *arg, int want_sig);
/* "signal SIGBUS code 3 addr 0x...; exit ucause 7 ..." for messages. */
const char *probe_str(void);

#endif
