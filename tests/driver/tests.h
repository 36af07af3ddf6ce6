/* The test groups of driver_selftest; each prints its own ok/FAIL lines. */
#ifndef DRIVER_TESTS_H
#define DRIVER_TESTS_H

#include <stdint.h>

void t_basic(void);		     /* t_basic.c: open, regions, QUERY_ADDR, window */
void t_exits(void);		     /* t_exits.c: ecall, guest page faults, virtual insn */
void t_vcpus(void);		     /* t_vcpus.c: two vCPU threads, migration */
void t_fence(void);		     /* t_fence.c: REMOTE_FENCE */
void t_signals(void);		     /* t_signals.c: forced exit for a signal, re-entry */
void t_kill(void);		     /* t_kill.c: SIGKILL mid-loop, memory freed */
void t_errors(void);		     /* t_errors.c: ioctl and mmap error paths */
void t_fork(void);
void t_handover(void); /* t_handover.c: a VM handed to the owner's next image */
int handover_adopt_probe(int fd, uint64_t ram_hpa, int marked);		     /* t_fork.c: a forked child and the parent's VM */
void t_attacks(void);		     /* t_attacks.c: stage-2 and CSR attacks */
void t_undeleg(void);		     /* t_undeleg.c: undelegated guest exceptions */
void t_harden_fresh(void);	     /* t_harden.c: vsstatus on harts no guest ran on */
void t_harden(void);		     /* t_harden.c: issue 10, as the unprivileged user */
void t_harden_kvm(void);	     /* t_harden.c: KVM on a hart after DV-Ext (root) */
int harden_exec_owner_probe(int fd); /* t_harden.c: --exec-owner FD */
void t_counts(void);		     /* t_counts.c: the driver's counts in sysfs */
void t_sane(void);		     /* t_sane.c: a normal VM still runs */

#endif
