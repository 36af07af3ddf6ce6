/* Result lines and child processes; see report.h. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "report.h"

static char why[2048];
static int n_failed;

bool expect(bool cond, const char *fmt, ...)
{
	if (cond)
		return true;
	size_t len = strlen(why);
	if (len && len + 2 < sizeof(why)) {
		strcat(why, "; ");
		len += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why + len, sizeof(why) - len, fmt, ap);
	va_end(ap);
	return false;
}

bool report(const char *name)
{
	bool pass = why[0] == 0;
	if (pass) {
		printf("ok %s\n", name);
	} else {
		printf("FAIL %s: %s\n", name, why);
		n_failed++;
	}
	fflush(stdout);
	why[0] = 0;
	return pass;
}

int failures(void)
{
	return n_failed;
}

uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0) {
	}
}

pid_t spawn(int (*fn)(void *), void *arg)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn(arg));
	return pid;
}

int wait_child(pid_t pid, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;
	int status;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0)
			return -1;
		if (now_ms() >= end)
			break;
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

const char *status_str(int status)
{
	static char buf[64];
	if (status == -1)
		snprintf(buf, sizeof(buf), "timed out");
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by SIG%s",
			 sigabbrev_np(WTERMSIG(status)) ?: "?");
	else
		snprintf(buf, sizeof(buf), "exited %d", WEXITSTATUS(status));
	return buf;
}

static int group_child(void *arg)
{
	void (*fn)(void) = (void (*)(void))arg;
	fn();
	fflush(stdout);
	return failures() ? 1 : 0;
}

bool run_group(const char *name, void (*fn)(void), int timeout_s)
{
	pid_t pid = spawn(group_child, (void *)fn);
	if (pid < 0) {
		expect(false, "fork failed");
		report(name);
		return false;
	}
	int status = wait_child(pid, timeout_s * 1000);
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	if (status == -1 || WIFSIGNALED(status)) {
		expect(false, "test group %s", status_str(status));
		report(name);
	} else {
		n_failed++; /* the child printed its FAIL lines */
	}
	return false;
}
