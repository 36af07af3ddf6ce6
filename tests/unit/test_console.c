// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest console output that standard output does not take is dropped,
 * counted and reported on standard error: once when it starts, and the
 * total at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "vmm/console.h"

/* Run fn with stdout on the file `out` and stderr on a temporary file; err gets stderr */
static void with_fds(const char *out, void (*fn)(void), char *err, size_t size)
{
	char name[] = "/tmp/dv-console-XXXXXX";
	int e = mkstemp(name), o = open(out, O_WRONLY), old_out = dup(1), old_err = dup(2);
	ssize_t n = -1;

	if (e >= 0 && o >= 0 && old_out >= 0 && old_err >= 0) {
		fflush(stdout);
		dup2(o, 1);
		dup2(e, 2);
		fn();
		fflush(stderr);
		dup2(old_out, 1);
		dup2(old_err, 2);
		n = pread(e, err, size - 1, 0);
	}
	err[n > 0 ? n : 0] = 0;
	if (e >= 0)
		unlink(name);
	int fds[] = {e, o, old_out, old_err};

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static unsigned int count(const char *s, const char *what)
{
	unsigned int n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

static void write_some(void)
{
	dv_console_write("guest line 1\n", 13);
	dv_console_write("x", 1);
	dv_console_write("guest line 2\n", 13);
}

static void report(void)
{
	dv_console_report();
}

/* Runs first: nothing is counted yet */
UT_TEST(output_taken_is_not_counted)
{
	char err[256];

	with_fds("/dev/null", write_some, err, sizeof(err));
	UT_CHECK(dv_console_lost_bytes() == 0, "%llu bytes counted lost", dv_console_lost_bytes());
	UT_CHECK(!err[0], "stderr got \"%s\"", err);
	with_fds("/dev/null", report, err, sizeof(err));
	UT_CHECK(!err[0], "nothing was lost, yet the report says \"%s\"", err);
}

UT_TEST(output_not_taken_is_counted_and_reported)
{
	char err[256];

	/* /dev/full fails every write with ENOSPC, as a full file system does */
	with_fds("/dev/full", write_some, err, sizeof(err));
	UT_CHECK(dv_console_lost_bytes() == 27, "%llu bytes counted lost, 27 written",
		 dv_console_lost_bytes());
	UT_CHECK(count(err, "duvisor: the guest's console output is being lost: ") == 1 &&
		     strstr(err, strerror(ENOSPC)),
		 "not said once with the reason: \"%s\"", err);
	/* Output taken again is not counted */
	with_fds("/dev/null", write_some, err, sizeof(err));
	UT_CHECK(dv_console_lost_bytes() == 27, "%llu bytes counted lost", dv_console_lost_bytes());
	with_fds("/dev/null", report, err, sizeof(err));
	UT_CHECK(count(err, "duvisor: 27 bytes of the guest's console output lost (") == 1 &&
		     strstr(err, strerror(ENOSPC)),
		 "report \"%s\"", err);
}

UT_MAIN()
