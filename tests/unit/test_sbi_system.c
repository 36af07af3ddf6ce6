// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SBI extensions for the machine, on the scripted backend: TIME
 * (set_timer programs the calling vCPU's timer), SRST (every type and
 * reason: shutdown exits 0, a reboot DV_EXIT_GUEST, a system failure
 * DV_EXIT_SYSFAIL, documented in --help; reserved and vendor types and
 * reasons are invalid and stop nothing) and DBCN (write, read and
 * write_byte on duvisor's terminal, with buffers outside RAM, base_hi set,
 * and unknown functions whatever their arguments).
 */
#include <string.h>

#include "cli/cli.h"
#include "fake_backend.h"
#include "sbi/sbi.h"
#include "vmm/console.h"
#include "unit.h"

#define RAM  (1ULL << 20)
#define ADDR (FAKE_RAM_BASE + 0x3000)

static uint8_t *ram(struct fake_vm *f, uint64_t gpa)
{
	return f->vm.mem.host + (gpa - FAKE_RAM_BASE);
}

UT_TEST(time_set_timer_programs_the_callers_timer)
{
	static const uint64_t deadlines[] = {0, 1, 0x123456789abcdefULL, UINT64_MAX};
	struct fake_vm *f = fake_vm_new(2, RAM);

	for (unsigned int i = 0; i < sizeof(deadlines) / sizeof(deadlines[0]); i++) {
		struct fake_sbi_res r;

		f->fv[1].x[11] = 0x5555;
		r = fake_sbi_call(f, 1, SBI_EXT_TIME, SBI_TIME_SET_TIMER, deadlines[i], 7, 7);
		UT_CHECK(r.done && r.error == SBI_SUCCESS && r.value == 0 && !r.legacy,
			 "deadline %#llx: %lld", (unsigned long long)deadlines[i],
			 (long long)r.error);
		UT_CHECK(fake_count(f, 1, FAKE_SET_TIMER) == i + 1 &&
			     fake_last(f, 1, FAKE_SET_TIMER)->a == deadlines[i],
			 "deadline %#llx not set", (unsigned long long)deadlines[i]);
		UT_CHECK(f->fv[1].x[11] == 0, "a1 not 0");
	}
	UT_CHECK(fake_count(f, 0, FAKE_SET_TIMER) == 0, "another vCPU's timer was set");
	UT_CHECK(f->fv[1].pc == 4 * 4, "pc %llu", (unsigned long long)f->fv[1].pc);
	fake_vm_free(f);
}

UT_TEST(srst_every_type_and_reason)
{
	static const struct {
		uint64_t type, reason;
		int status; /* -1: invalid, nothing stops */
	} cases[] = {
	    {SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_NONE, DV_EXIT_OK},
	    {SBI_SRST_TYPE_COLD_REBOOT, SBI_SRST_REASON_NONE, DV_EXIT_GUEST},
	    {SBI_SRST_TYPE_WARM_REBOOT, SBI_SRST_REASON_NONE, DV_EXIT_GUEST},
	    {SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_SYSFAILURE, DV_EXIT_SYSFAIL},
	    {SBI_SRST_TYPE_COLD_REBOOT, SBI_SRST_REASON_SYSFAILURE, DV_EXIT_SYSFAIL},
	    {SBI_SRST_TYPE_WARM_REBOOT, SBI_SRST_REASON_SYSFAILURE, DV_EXIT_SYSFAIL},
	    /* reset_type and reset_reason are 32 bits: a0/a1's upper halves do not count */
	    {(1ULL << 32) | SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_NONE, DV_EXIT_OK},
	    {SBI_SRST_TYPE_SHUTDOWN, (1ULL << 40) | SBI_SRST_REASON_SYSFAILURE, DV_EXIT_SYSFAIL},
	    /* reserved and vendor-specific types and reasons */
	    {3, SBI_SRST_REASON_NONE, -1},
	    {0xefffffff, SBI_SRST_REASON_NONE, -1},
	    {0xf0000000, SBI_SRST_REASON_NONE, -1},
	    {0xffffffff, SBI_SRST_REASON_SYSFAILURE, -1},
	    {SBI_SRST_TYPE_SHUTDOWN, 2, -1},
	    {SBI_SRST_TYPE_COLD_REBOOT, 0xefffffff, -1},
	    {SBI_SRST_TYPE_SHUTDOWN, 0xf0000000, -1},
	    {SBI_SRST_TYPE_WARM_REBOOT, 0xffffffff, -1},
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_vm *f = fake_vm_new(3, RAM);
		int rc = fake_exit(
		    f, 1,
		    FAKE_SBI(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, cases[i].type, cases[i].reason));
		bool stopping = atomic_load(&f->vm.stopping);
		int code = atomic_load(&f->vm.exit_code);

		UT_CHECK(rc == 1, "case %u: dispatch %d", i, rc);
		if (cases[i].status < 0) {
			const struct fake_rec *d = fake_last(f, 1, FAKE_SBI_DONE);

			UT_CHECK(!stopping, "type %#llx reason %#llx stopped the VM",
				 (unsigned long long)cases[i].type,
				 (unsigned long long)cases[i].reason);
			UT_CHECK(d && (int64_t)d->a == SBI_ERR_INVALID_PARAM,
				 "type %#llx reason %#llx: %lld", (unsigned long long)cases[i].type,
				 (unsigned long long)cases[i].reason, d ? (long long)d->a : 1LL);
		} else {
			UT_CHECK(stopping && code == cases[i].status,
				 "type %#llx reason %#llx: stopping %d exit %d, want %d",
				 (unsigned long long)cases[i].type,
				 (unsigned long long)cases[i].reason, stopping, code,
				 cases[i].status);
			UT_CHECK(fake_count(f, 1, FAKE_SBI_DONE) == 0, "case %u: the call returned",
				 i);
			for (unsigned int v = 0; v < 3; v++)
				UT_CHECK(atomic_load(&f->vm.vcpus[v].events) & DV_EV_STOP,
					 "case %u: vCPU %u not stopped", i, v);
		}
		fake_vm_free(f);
	}
}

UT_TEST(srst_exit_statuses_are_distinct_and_documented)
{
	char help[8192] = {0};
	FILE *out = fmemopen(help, sizeof(help) - 1, "w");

	UT_CHECK(DV_EXIT_OK == 0 && DV_EXIT_GUEST == 5 && DV_EXIT_SYSFAIL == 6,
		 "exit statuses changed");
	UT_CHECK(DV_EXIT_SYSFAIL != DV_EXIT_FAILURE && DV_EXIT_SYSFAIL != DV_EXIT_USAGE &&
		     DV_EXIT_SYSFAIL != DV_EXIT_FILE && DV_EXIT_SYSFAIL != DV_EXIT_BACKEND,
		 "system failure shares a status");
	dv_cli_usage(out);
	fclose(out);
	UT_CHECK(strstr(help, "\n  5  the guest asked for a reboot"), "--help lacks status 5");
	UT_CHECK(strstr(help, "\n  6  the guest reported a system failure"),
		 "--help lacks status 6");
	UT_CHECK(dv_sbi_reset_status(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_SYSFAILURE) == 6 &&
		     dv_sbi_reset_status(SBI_SRST_TYPE_WARM_REBOOT, SBI_SRST_REASON_NONE) == 5 &&
		     dv_sbi_reset_status(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_NONE) == 0,
		 "dv_sbi_reset_status");
}

static struct fake_sbi_res dbcn(struct fake_vm *f, uint64_t fid, uint64_t a0, uint64_t a1,
				uint64_t a2, char *out, size_t len)
{
	struct fake_sbi_res r;

	fake_capture_start(1);
	r = fake_sbi_call(f, 0, SBI_EXT_DBCN, fid, a0, a1, a2);
	fake_capture_end(1, out, len);
	return r;
}

UT_TEST(dbcn_write)
{
	static const char msg[] = "hello, dbcn\n";
	struct fake_vm *f = fake_vm_new(1, RAM);
	struct fake_sbi_res r;
	char out[64];

	memcpy(ram(f, ADDR), msg, sizeof(msg) - 1);
	r = dbcn(f, SBI_DBCN_WRITE, sizeof(msg) - 1, ADDR, 0, out, sizeof(out));
	UT_CHECK(r.done && r.error == SBI_SUCCESS && r.value == (int64_t)sizeof(msg) - 1,
		 "error %lld value %lld", (long long)r.error, (long long)r.value);
	UT_CHECK(!strcmp(out, msg), "wrote '%s'", out);
	r = dbcn(f, SBI_DBCN_WRITE, 0, ADDR, 0, out, sizeof(out));
	UT_CHECK(r.error == SBI_SUCCESS && r.value == 0 && !out[0], "empty write: %lld '%s'",
		 (long long)r.error, out);
	/* The last bytes of RAM */
	memcpy(ram(f, FAKE_RAM_BASE + RAM - 3), "end", 3);
	r = dbcn(f, SBI_DBCN_WRITE, 3, FAKE_RAM_BASE + RAM - 3, 0, out, sizeof(out));
	UT_CHECK(r.error == SBI_SUCCESS && r.value == 3 && !strcmp(out, "end"),
		 "end of RAM: %lld '%s'", (long long)r.error, out);
	fake_vm_free(f);
}

/* Buffers not wholly in RAM, as (num_bytes, base_lo, base_hi) */
static const uint64_t bad_bufs[][3] = {
    {1, FAKE_RAM_BASE - 1, 0},
    {4, FAKE_RAM_BASE - 2, 0},
    {1, FAKE_RAM_BASE + RAM, 0},
    {3, FAKE_RAM_BASE + RAM - 2, 0},
    {RAM + 1, FAKE_RAM_BASE, 0},
    {UINT64_MAX, ADDR, 0},
    {1, UINT64_MAX, 0},
    {2, 0, 0},
    {4, ADDR, 1},
    {4, ADDR, 0xffffffff},
    {4, ADDR - FAKE_RAM_BASE, 1},
};

UT_TEST(dbcn_write_and_read_refuse_bad_buffers)
{
	struct fake_vm *f = fake_vm_new(1, RAM);
	struct fake_sbi_res r;
	char out[64];

	memset(f->vm.mem.host, 'r', RAM);
	while (dv_console_getc() >= 0)
		;
	dv_console_input((const uint8_t *)"z", 1);
	for (unsigned int i = 0; i < sizeof(bad_bufs) / sizeof(bad_bufs[0]); i++) {
		for (uint64_t fid = SBI_DBCN_WRITE; fid <= SBI_DBCN_READ; fid++) {
			r = dbcn(f, fid, bad_bufs[i][0], bad_bufs[i][1], bad_bufs[i][2], out,
				 sizeof(out));
			UT_CHECK(r.done && r.error == SBI_ERR_INVALID_PARAM && r.value == 0,
				 "fid %llu buffer %u: error %lld value %lld",
				 (unsigned long long)fid, i, (long long)r.error,
				 (long long)r.value);
			UT_CHECK(!out[0], "fid %llu buffer %u wrote '%s'", (unsigned long long)fid,
				 i, out);
		}
	}
	/* The refused reads took no input */
	UT_CHECK(dv_console_pending() == 1, "input consumed: %zu left", dv_console_pending());
	while (dv_console_getc() >= 0)
		;
	fake_vm_free(f);
}

UT_TEST(dbcn_read)
{
	struct fake_vm *f = fake_vm_new(1, RAM);
	struct fake_sbi_res r;
	char out[64];

	while (dv_console_getc() >= 0)
		;
	memset(ram(f, ADDR), '.', 16);
	r = dbcn(f, SBI_DBCN_READ, 8, ADDR, 0, out, sizeof(out));
	UT_CHECK(r.done && r.error == SBI_SUCCESS && r.value == 0, "no input: %lld/%lld",
		 (long long)r.error, (long long)r.value);
	UT_CHECK(!memcmp(ram(f, ADDR), "........", 8), "RAM written without input");
	dv_console_input((const uint8_t *)"abc", 3);
	r = dbcn(f, SBI_DBCN_READ, 2, ADDR, 0, out, sizeof(out));
	UT_CHECK(r.error == SBI_SUCCESS && r.value == 2 && !memcmp(ram(f, ADDR), "ab..", 4),
		 "read 2: %lld '%.4s'", (long long)r.value, (char *)ram(f, ADDR));
	r = dbcn(f, SBI_DBCN_READ, 10, ADDR + 8, 0, out, sizeof(out));
	UT_CHECK(r.error == SBI_SUCCESS && r.value == 1 && !memcmp(ram(f, ADDR + 8), "c.", 2),
		 "read the rest: %lld", (long long)r.value);
	UT_CHECK(!out[0], "a read wrote '%s'", out);
	/* Into the last byte of RAM */
	dv_console_input((const uint8_t *)"q", 1);
	r = dbcn(f, SBI_DBCN_READ, 1, FAKE_RAM_BASE + RAM - 1, 0, out, sizeof(out));
	UT_CHECK(r.value == 1 && *ram(f, FAKE_RAM_BASE + RAM - 1) == 'q', "end of RAM");
	fake_vm_free(f);
}

UT_TEST(dbcn_write_byte)
{
	struct fake_vm *f = fake_vm_new(1, RAM);
	struct fake_sbi_res r;
	char out[16];

	/* Only the low byte of a0; no buffer, so a1 and a2 do not matter */
	r = dbcn(f, SBI_DBCN_WRITE_BYTE, 0x7700 | 'A', UINT64_MAX, 1, out, sizeof(out));
	UT_CHECK(r.done && r.error == SBI_SUCCESS && r.value == 0, "error %lld value %lld",
		 (long long)r.error, (long long)r.value);
	UT_CHECK(!strcmp(out, "A"), "wrote '%s'", out);
	fake_vm_free(f);
}

/* The spec: an unknown function is NOT_SUPPORTED, not a check of its arguments */
UT_TEST(dbcn_unknown_functions_are_not_supported_whatever_the_args)
{
	static const uint64_t fids[] = {3, 4, 0xffffffff, UINT64_MAX};
	struct fake_vm *f = fake_vm_new(1, RAM);
	char out[16];

	for (unsigned int i = 0; i < sizeof(fids) / sizeof(fids[0]); i++)
		for (uint64_t a2 = 0; a2 <= 2; a2++) {
			struct fake_sbi_res r = dbcn(f, fids[i], 4, ADDR, a2, out, sizeof(out));

			UT_CHECK(r.done && r.error == SBI_ERR_NOT_SUPPORTED,
				 "fid %#llx a2 %llu: %lld", (unsigned long long)fids[i],
				 (unsigned long long)a2, (long long)r.error);
			UT_CHECK(!out[0], "fid %#llx wrote '%s'", (unsigned long long)fids[i], out);
		}
	fake_vm_free(f);
}

UT_MAIN()
