/*
 * Result lines and child processes for the driver tests.
 *
 * A check collects reasons with expect() and ends with report(name), which
 * prints "ok <name>" or "FAIL <name>: <reasons>". Test groups run in forked
 * children (run_group) so that one that crashes or hangs costs only its own
 * results; attacks run in a further child each (spawn/wait_child) so that
 * the signal they should die by is observed from outside.
 */
#ifndef DRIVER_REPORT_H
#define DRIVER_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Record a reason for the current check failing unless cond holds. */
bool expect(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the current check's result and start a new check. */
bool report(const char *name);
/* Failures reported by this process so far. */
int failures(void);

/* Run fn in a child; FAIL name if it dies by a signal or takes longer than
 * timeout_s. Returns true if the child exited 0. */
bool run_group(const char *name, void (*fn)(void), int timeout_s);

/* Fork a child that runs fn(arg) and _exit()s with its return value. */
pid_t spawn(int (*fn)(void *), void *arg);
/* Wait up to timeout_ms for pid; kills it on timeout. Returns the wait
 * status, or -1 on timeout. */
int wait_child(pid_t pid, int timeout_ms);
/* "exited 3", "killed by SIGBUS", "timed out" for a wait_child() result. */
const char *status_str(int status);

/* Milliseconds on the monotonic clock. */
uint64_t now_ms(void);
void sleep_ms(unsigned ms);

#endif
