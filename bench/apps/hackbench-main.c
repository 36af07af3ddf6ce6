// SPDX-License-Identifier: GPL-2.0
/*
 * hackbench for the benchmark initramfs: the Linux 6.1 kernel's own copy of
 * hackbench, tools/perf/bench/sched-messaging.c ("perf bench sched
 * messaging"), built alone with this main() and the globals perf's bench
 * driver would provide (scripts/build-bench-apps.sh).
 *
 * Options: -g groups (10), -l loops (100), -p pipes instead of socketpairs,
 * -t threads instead of processes. Prints "Total time: S.MMM [sec]".
 */
#include <sys/time.h>

int bench_format;		/* BENCH_FORMAT_DEFAULT */
unsigned int bench_repeat = 1;
struct timeval bench__start, bench__end, bench__runtime;

int bench_sched_messaging(int argc, const char **argv);

int main(int argc, const char **argv)
{
	return bench_sched_messaging(argc, argv);
}
