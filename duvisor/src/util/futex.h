/* SPDX-License-Identifier: GPL-2.0-only */
/* Futex waits and wakes on a process-private word (lock.c, a vCPU's idle word). */
#ifndef DV_UTIL_FUTEX_H
#define DV_UTIL_FUTEX_H

#include <stdatomic.h>
#include <time.h>

/*
 * Sleep while *word == val, until woken or, with deadline, until that
 * CLOCK_MONOTONIC time passes; returns at once if *word != val. May return
 * early (a signal): the caller looks at what it waits for again.
 */
void dv_futex_wait(atomic_int *word, int val, const struct timespec *deadline);
/* Wake up to n threads sleeping on word */
void dv_futex_wake(atomic_int *word, int n);

#endif /* DV_UTIL_FUTEX_H */
