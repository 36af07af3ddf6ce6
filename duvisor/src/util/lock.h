/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A mutex for the exit paths (device registers behind MMIO exits): taking
 * and releasing it uncontended is one atomic instruction each, against
 * some 30 instructions each for glibc's pthread_mutex. A contended waiter
 * sleeps on a futex. The word is 0 free, 1 held, 2 held with waiters
 * (Drepper, "Futexes Are Tricky", mutex 2). No condition variables; not
 * recursive.
 */
#ifndef DV_UTIL_LOCK_H
#define DV_UTIL_LOCK_H

#include <stdatomic.h>
#include <stdbool.h>

struct dv_lock {
	atomic_int word;
};

#define DV_LOCK_INIT                                                                               \
	{                                                                                          \
		0                                                                                  \
	}

void dv_lock_wait(struct dv_lock *l, int seen);
void dv_lock_wake(struct dv_lock *l);

static inline void dv_lock_init(struct dv_lock *l)
{
	atomic_init(&l->word, 0);
}

static inline void dv_lock(struct dv_lock *l)
{
	int seen = 0;

	if (!atomic_compare_exchange_strong_explicit(&l->word, &seen, 1, memory_order_acquire,
						     memory_order_relaxed))
		dv_lock_wait(l, seen);
}

/* Take it if it is free: true when taken (tests use it to see who holds what) */
static inline bool dv_trylock(struct dv_lock *l)
{
	int free_word = 0;

	return atomic_compare_exchange_strong_explicit(&l->word, &free_word, 1,
						       memory_order_acquire, memory_order_relaxed);
}

static inline void dv_unlock(struct dv_lock *l)
{
	if (atomic_exchange_explicit(&l->word, 0, memory_order_release) == 2)
		dv_lock_wake(l);
}

#endif /* DV_UTIL_LOCK_H */
