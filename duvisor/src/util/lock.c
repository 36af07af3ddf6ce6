// SPDX-License-Identifier: GPL-2.0-only
/* The contended half of struct dv_lock (lock.h): sleep and wake on a futex. */
#include "util/futex.h"
#include "util/lock.h"

void dv_lock_wait(struct dv_lock *l, int seen)
{
	/* Mark it contended, then sleep while it stays so; whoever takes it
	 * from here leaves the mark, so that its release wakes the next */
	if (seen != 2)
		seen = atomic_exchange_explicit(&l->word, 2, memory_order_acquire);
	while (seen) {
		dv_futex_wait(&l->word, 2, NULL);
		seen = atomic_exchange_explicit(&l->word, 2, memory_order_acquire);
	}
}

void dv_lock_wake(struct dv_lock *l)
{
	dv_futex_wake(&l->word, 1);
}
