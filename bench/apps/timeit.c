/*
 * timeit: the elapsed time of a command, in nanoseconds of CLOCK_MONOTONIC,
 * for the applications stage of make bench (bench/apps_bench.py). Under
 * QEMU -icount shift=0 one nanosecond is one instruction executed.
 *
 *   timeit LABEL COMMAND [ARG...]   run COMMAND, then print
 *                                   "TIMEIT LABEL <ns> <exit status>"
 *   timeit                          print the clock, "<ns>"
 *
 * Built static for riscv64 by apps_bench.py; its output goes to stdout
 * after the command's own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long long t0, t1;
	int status, rc;
	pid_t pid;

	if (argc < 2) {
		printf("%lld\n", now());
		return 0;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: timeit LABEL COMMAND [ARG...]\n");
		return 2;
	}
	fflush(stdout);
	t0 = now();
	pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("timeit: waitpid");
		return 1;
	}
	t1 = now();
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("TIMEIT %s %lld %d\n", argv[1], t1 - t0, rc);
	return rc;
}
