// SPDX-License-Identifier: GPL-2.0-only
/* Futex waits and wakes (futex.h) */
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/futex.h"

void dv_futex_wait(atomic_int *word, int val, const struct timespec *deadline)
{
	/* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time, not a relative one */
	syscall(SYS_futex, word, FUTEX_WAIT_BITSET_PRIVATE, val, deadline, NULL,
		FUTEX_BITSET_MATCH_ANY);
}

void dv_futex_wake(atomic_int *word, int n)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}
