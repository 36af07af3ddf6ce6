// SPDX-License-Identifier: GPL-2.0-only
/* struct dv_lock: mutual exclusion under contention, and sleeping waiters. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "util/lock.h"
#include "unit.h"

#define THREADS 4
#define ROUNDS	200000

static struct dv_lock lock = DV_LOCK_INIT;
static uint64_t counter; /* plain: only the lock keeps the increments whole */
static atomic_int inside;
static atomic_int overlaps;

static void *hammer(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		dv_lock(&lock);
		if (atomic_fetch_add(&inside, 1))
			atomic_fetch_add(&overlaps, 1);
		counter++;
		atomic_fetch_sub(&inside, 1);
		dv_unlock(&lock);
	}
	return NULL;
}

UT_TEST(contended_increments_are_all_kept)
{
	pthread_t t[THREADS];

	for (int i = 0; i < THREADS; i++)
		UT_CHECK(!pthread_create(&t[i], NULL, hammer, NULL), "thread %d", i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	UT_CHECK(counter == (uint64_t)THREADS * ROUNDS, "counter %llu of %llu",
		 (unsigned long long)counter, (unsigned long long)THREADS * ROUNDS);
	UT_CHECK(atomic_load(&overlaps) == 0, "%d overlaps", atomic_load(&overlaps));
	UT_CHECK(atomic_load(&lock.word) == 0, "left %d", atomic_load(&lock.word));
}

static struct dv_lock held = DV_LOCK_INIT;
static atomic_int got_it;

static void *waiter(void *arg)
{
	(void)arg;
	dv_lock(&held);
	atomic_store(&got_it, 1);
	dv_unlock(&held);
	return NULL;
}

UT_TEST(a_waiter_sleeps_until_the_release_and_then_gets_it)
{
	struct timespec ms = {0, 1000000};
	pthread_t t;
	int i;

	dv_lock(&held);
	UT_CHECK(!pthread_create(&t, NULL, waiter, NULL), "thread");
	/* the waiter marks the lock contended (2) and sleeps */
	for (i = 0; i < 2000 && atomic_load(&held.word) != 2; i++)
		nanosleep(&ms, NULL);
	UT_CHECK(atomic_load(&held.word) == 2, "word %d", atomic_load(&held.word));
	nanosleep(&ms, NULL);
	UT_CHECK(!atomic_load(&got_it), "entered while held");
	dv_unlock(&held);
	pthread_join(t, NULL);
	UT_CHECK(atomic_load(&got_it), "never woke");
	UT_CHECK(atomic_load(&held.word) == 0, "left %d", atomic_load(&held.word));
}

UT_TEST(trylock_takes_only_a_free_lock)
{
	struct dv_lock l = DV_LOCK_INIT;

	UT_CHECK(dv_trylock(&l), "free lock not taken");
	UT_CHECK(!dv_trylock(&l), "held lock taken again");
	dv_unlock(&l);
	UT_CHECK(dv_trylock(&l), "released lock not taken");
	dv_unlock(&l);
}

UT_MAIN()
