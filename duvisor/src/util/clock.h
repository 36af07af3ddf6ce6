/* SPDX-License-Identifier: GPL-2.0-only */
/* The monotonic clock in nanoseconds, and deadlines on it for futex waits. */
#ifndef DV_UTIL_CLOCK_H
#define DV_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t dv_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static inline struct timespec dv_ns_timespec(uint64_t ns)
{
	return (struct timespec){(time_t)(ns / 1000000000ULL), (long)(ns % 1000000000ULL)};
}

static inline uint64_t dv_timespec_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000ULL + (uint64_t)t->tv_nsec;
}

#endif /* DV_UTIL_CLOCK_H */
