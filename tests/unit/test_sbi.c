// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI dispatch (sbi/sbi.c) on the scripted backend: every extension id
 * finds its descriptor, errors map to SBI codes in one place, unknown
 * extensions and functions answer NOT_SUPPORTED and do nothing else; the
 * BASE extension (versions, ids, probing every extension and v0.1 id) and
 * the v0.1 calls (set_timer, putchar, getchar, shutdown; the others are
 * not offered). Each call goes through the core's exit dispatch as an SBI
 * exit and is checked in what the backend was asked to do.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fake_backend.h"
#include "sbi/sbi.h"
#include "vmm/console.h"
#include "unit.h"

#define RAM (1ULL << 20)

static const struct {
	uint64_t eid;
	const struct dv_sbi_ext *ext;
} routes[] = {
    {SBI_EXT_BASE, &dv_sbi_ext_base}, {SBI_EXT_TIME, &dv_sbi_ext_time},
    {SBI_EXT_IPI, &dv_sbi_ext_ipi},   {SBI_EXT_RFENCE, &dv_sbi_ext_rfence},
    {SBI_EXT_HSM, &dv_sbi_ext_hsm},   {SBI_EXT_SRST, &dv_sbi_ext_srst},
    {SBI_EXT_DBCN, &dv_sbi_ext_dbcn},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* Ids next to the supported ones, and ones nobody serves. */
static const uint64_t unsupported[] = {
    SBI_EXT_BASE + 1,
    0x12,
    0xff,
    SBI_EXT_TIME - 1,
    SBI_EXT_TIME + 1,
    SBI_EXT_IPI - 1,
    SBI_EXT_IPI + 1,
    SBI_EXT_RFENCE - 1,
    SBI_EXT_RFENCE + 1,
    SBI_EXT_HSM - 1,
    SBI_EXT_HSM + 1,
    SBI_EXT_SRST - 1,
    SBI_EXT_SRST + 1,
    SBI_EXT_DBCN - 1,
    SBI_EXT_DBCN + 1,
    0x504D55,	/* PMU */
    0x53555350, /* SUSP */
    0x43505043, /* CPPC */
    0x535441,	/* STA */
    0x08000000, /* experimental range */
    0x08FFFFFF,
    0x09000000, /* vendor range */
    0x09FFFFFF,
    0x0A000000, /* firmware range */
    0x0AFFFFFF,
    0xFFFFFFFF,
    (1ULL << 32) | SBI_EXT_TIME, /* a7 is compared whole */
    (1ULL << 32) | 0x01,
    UINT64_MAX,
};
#define NUNSUPPORTED (sizeof(unsupported) / sizeof(unsupported[0]))

/* v0.1 ids offered: set_timer, putchar, getchar, shutdown */
static bool legacy_offered(uint64_t eid)
{
	return eid == 0 || eid == 1 || eid == 2 || eid == 8;
}

/* Nothing but one sbi_done on vCPU 0, and no other vCPU touched */
static bool only_sbi_done(struct fake_vm *f)
{
	const struct fake_rec *log;
	unsigned int n;

	for (unsigned int i = 1; i < f->nr_vcpus; i++)
		if (fake_log(f, i, &log))
			return false;
	n = fake_log(f, 0, &log);
	return n == 1 && log[0].op == FAKE_SBI_DONE && !atomic_load(&f->vm.stopping);
}

UT_TEST(errors_map_to_sbi_codes)
{
	static const struct {
		int err;
		int64_t sbi;
	} map[] = {
	    {0, SBI_SUCCESS},
	    {-EOPNOTSUPP, SBI_ERR_NOT_SUPPORTED},
	    {-EINVAL, SBI_ERR_INVALID_PARAM},
	    {-EFAULT, SBI_ERR_INVALID_ADDRESS},
	    {-EPERM, SBI_ERR_DENIED},
	    {-EALREADY, SBI_ERR_ALREADY_AVAILABLE},
	    {-EIO, SBI_ERR_FAILED},
	    {-ENOMEM, SBI_ERR_FAILED},
	    {-12345, SBI_ERR_FAILED},
	};

	for (unsigned int i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		UT_CHECK(dv_sbi_error(map[i].err) == map[i].sbi, "errno %d: %lld", map[i].err,
			 (long long)dv_sbi_error(map[i].err));
}

UT_TEST(every_extension_has_its_descriptor)
{
	for (unsigned int i = 0; i < NROUTES; i++) {
		const struct dv_sbi_ext *e = dv_sbi_find(routes[i].eid);

		UT_CHECK(e == routes[i].ext, "eid %#llx: %s", (unsigned long long)routes[i].eid,
			 e ? e->name : "none");
		UT_CHECK(e && !e->legacy && e->nr_fns && e->fns, "eid %#llx descriptor",
			 (unsigned long long)routes[i].eid);
		/* dv_sbi_find's switch agrees with the descriptor's own range */
		UT_CHECK(e && e->eid_min == routes[i].eid && e->eid_max == routes[i].eid,
			 "eid %#llx range", (unsigned long long)routes[i].eid);
	}
	UT_CHECK(dv_sbi_ext_legacy.eid_min == 0 && dv_sbi_ext_legacy.eid_max == 0x0f, "v0.1 range");
	/* Served without the run loop only when no call sleeps, stops or ends anything */
	UT_CHECK(dv_sbi_ext_base.quick && dv_sbi_ext_time.quick && dv_sbi_ext_ipi.quick &&
		     dv_sbi_ext_rfence.quick && dv_sbi_ext_dbcn.quick,
		 "quick extensions");
	UT_CHECK(!dv_sbi_ext_hsm.quick && !dv_sbi_ext_srst.quick && !dv_sbi_ext_legacy.quick,
		 "HSM, SRST and v0.1 (shutdown, getchar) go through the run loop");
	for (uint64_t eid = 0; eid <= 0x0f; eid++)
		UT_CHECK(dv_sbi_find(eid) == &dv_sbi_ext_legacy, "v0.1 id %#llx",
			 (unsigned long long)eid);
	for (unsigned int i = 0; i < NUNSUPPORTED; i++)
		UT_CHECK(dv_sbi_find(unsupported[i]) == NULL, "found %#llx",
			 (unsigned long long)unsupported[i]);
}

UT_TEST(unknown_extensions_are_not_supported)
{
	struct fake_vm *f = fake_vm_new(2, RAM);

	for (unsigned int i = 0; i < NUNSUPPORTED; i++) {
		struct fake_sbi_res r;

		fake_log_clear(f, 0);
		f->fv[0].x[11] = 0x5555;
		r = fake_sbi_call(f, 0, unsupported[i], 0, 1, 2, 3);
		UT_CHECK(r.done && r.error == SBI_ERR_NOT_SUPPORTED && r.value == 0 && !r.legacy,
			 "eid %#llx: done %d error %lld value %lld",
			 (unsigned long long)unsupported[i], r.done, (long long)r.error,
			 (long long)r.value);
		UT_CHECK(only_sbi_done(f), "eid %#llx did more than answer",
			 (unsigned long long)unsupported[i]);
		UT_CHECK(f->fv[0].x[11] == 0, "a1 %#llx", (unsigned long long)f->fv[0].x[11]);
	}
	fake_vm_free(f);
}

UT_TEST(unknown_functions_are_not_supported)
{
	static const struct {
		uint64_t eid, first_unknown;
	} exts[] = {
	    {SBI_EXT_BASE, 7}, {SBI_EXT_TIME, 1}, {SBI_EXT_IPI, 1},  {SBI_EXT_RFENCE, 7},
	    {SBI_EXT_HSM, 4},  {SBI_EXT_SRST, 1}, {SBI_EXT_DBCN, 3},
	};
	struct fake_vm *f = fake_vm_new(2, RAM);

	for (unsigned int i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		const uint64_t first = exts[i].first_unknown;
		const uint64_t fids[] = {first,	     first + 1,	 0x100,
					 0xffffffff, 1ULL << 32, UINT64_MAX};

		for (unsigned int k = 0; k < sizeof(fids) / sizeof(fids[0]); k++) {
			struct fake_sbi_res r;

			fake_log_clear(f, 0);
			/* args a known function could take; a2 != 0 is DBCN's base_hi */
			r = fake_sbi_call(f, 0, exts[i].eid, fids[k], 0, FAKE_RAM_BASE, 1);
			UT_CHECK(r.done && r.error == SBI_ERR_NOT_SUPPORTED && r.value == 0,
				 "eid %#llx fid %#llx: error %lld", (unsigned long long)exts[i].eid,
				 (unsigned long long)fids[k], (long long)r.error);
			UT_CHECK(only_sbi_done(f), "eid %#llx fid %#llx did more",
				 (unsigned long long)exts[i].eid, (unsigned long long)fids[k]);
		}
	}
	fake_vm_free(f);
}

UT_TEST(base_versions_and_ids)
{
	struct fake_vm *f = fake_vm_new(1, RAM);
	struct fake_sbi_res r;

	r = fake_sbi_call(f, 0, SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0);
	UT_CHECK(r.error == SBI_SUCCESS && r.value == DV_SBI_SPEC_VERSION, "spec %#llx",
		 (unsigned long long)r.value);
	UT_CHECK(((r.value >> 24) & 0x7f) == 2 && (r.value & 0xffffff) == 0 && (r.value >> 31) == 0,
		 "spec version is not 2.0: %#llx", (unsigned long long)r.value);
	r = fake_sbi_call(f, 0, SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0);
	UT_CHECK(r.error == SBI_SUCCESS && r.value == DV_SBI_IMPL_ID, "impl id %#llx",
		 (unsigned long long)r.value);
	r = fake_sbi_call(f, 0, SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION, 0, 0, 0);
	UT_CHECK(r.error == SBI_SUCCESS && r.value == 1, "impl version %lld", (long long)r.value);
	for (uint64_t fid = SBI_BASE_GET_MVENDORID; fid <= SBI_BASE_GET_MIMPID; fid++) {
		f->fv[0].x[11] = 0x5555;
		r = fake_sbi_call(f, 0, SBI_EXT_BASE, fid, 0x1234, 0, 0);
		UT_CHECK(r.error == SBI_SUCCESS && r.value == 0 && !r.legacy && f->fv[0].x[11] == 0,
			 "fid %llu: error %lld value %#llx", (unsigned long long)fid,
			 (long long)r.error, (unsigned long long)r.value);
	}
	UT_CHECK(fake_count(f, 0, FAKE_SBI_DONE) == 6, "sbi_done %u",
		 fake_count(f, 0, FAKE_SBI_DONE));
	UT_CHECK(f->fv[0].pc == 6 * 4, "pc went on by %llu", (unsigned long long)f->fv[0].pc);
	fake_vm_free(f);
}

static int64_t probe(struct fake_vm *f, uint64_t eid)
{
	struct fake_sbi_res r = fake_sbi_call(f, 0, SBI_EXT_BASE, SBI_BASE_PROBE_EXT, eid, 0, 0);

	return r.error == SBI_SUCCESS ? r.value : -100 + r.error;
}

UT_TEST(base_probes_every_extension_and_legacy_id)
{
	struct fake_vm *f = fake_vm_new(1, RAM);

	for (unsigned int i = 0; i < NROUTES; i++)
		UT_CHECK(probe(f, routes[i].eid) == 1, "probe %s: %lld", routes[i].ext->name,
			 (long long)probe(f, routes[i].eid));
	for (uint64_t eid = 0; eid <= 0x0f; eid++)
		UT_CHECK(probe(f, eid) == legacy_offered(eid), "probe v0.1 id %llu: %lld",
			 (unsigned long long)eid, (long long)probe(f, eid));
	for (unsigned int i = 0; i < NUNSUPPORTED; i++)
		UT_CHECK(probe(f, unsupported[i]) == 0, "probe %#llx: %lld",
			 (unsigned long long)unsupported[i], (long long)probe(f, unsupported[i]));
	/* Probing does nothing else */
	UT_CHECK(fake_count(f, 0, FAKE_SET_TIMER) == 0 && fake_count(f, 0, FAKE_KICK) == 0,
		 "probing acted");
	fake_vm_free(f);
}

/* A backend without a timer to set offers neither TIME nor the v0.1 set_timer */
UT_TEST(no_timer_no_time_extension)
{
	struct fake_vm *f = fake_vm_new(1, RAM);
	struct fake_sbi_res r;

	f->ops.set_timer = NULL;
	UT_CHECK(probe(f, SBI_EXT_TIME) == 0, "TIME probed %lld",
		 (long long)probe(f, SBI_EXT_TIME));
	UT_CHECK(probe(f, SBI_LEGACY_SET_TIMER) == 0, "set_timer probed");
	UT_CHECK(probe(f, SBI_LEGACY_PUTCHAR) == 1, "putchar not probed");
	r = fake_sbi_call(f, 0, SBI_EXT_TIME, SBI_TIME_SET_TIMER, 1000, 0, 0);
	UT_CHECK(r.done && r.error == SBI_ERR_NOT_SUPPORTED, "TIME: %lld", (long long)r.error);
	r = fake_sbi_call(f, 0, SBI_LEGACY_SET_TIMER, 0, 1000, 0, 0);
	UT_CHECK(r.done && r.legacy && r.error == SBI_ERR_NOT_SUPPORTED, "v0.1: %lld",
		 (long long)r.error);
	fake_vm_free(f);
}

UT_TEST(legacy_set_timer)
{
	struct fake_vm *f = fake_vm_new(1, RAM);
	struct fake_sbi_res r;

	f->fv[0].x[11] = 0x5555;
	r = fake_sbi_call(f, 0, SBI_LEGACY_SET_TIMER, 0xf1d, 0x123456789abcULL, 7, 8);
	UT_CHECK(r.done && r.legacy && r.error == 0, "done %d legacy %d a0 %lld", r.done, r.legacy,
		 (long long)r.error);
	UT_CHECK(fake_count(f, 0, FAKE_SET_TIMER) == 1 &&
		     fake_last(f, 0, FAKE_SET_TIMER)->a == 0x123456789abcULL,
		 "timer not set to a0");
	UT_CHECK(f->fv[0].x[11] == 0x5555, "a1 written by a v0.1 call");
	fake_vm_free(f);
}

UT_TEST(legacy_putchar_and_getchar)
{
	struct fake_vm *f = fake_vm_new(1, RAM);
	struct fake_sbi_res r;
	char out[16];

	while (dv_console_getc() >= 0)
		;
	fake_capture_start(1);
	r = fake_sbi_call(f, 0, SBI_LEGACY_PUTCHAR, 0, 0x100 | 'Q', 0, 0);
	fake_capture_end(1, out, sizeof(out));
	UT_CHECK(!strcmp(out, "Q"), "putchar wrote '%s'", out);
	UT_CHECK(r.done && r.legacy && r.error == 0, "putchar a0 %lld", (long long)r.error);

	r = fake_sbi_call(f, 0, SBI_LEGACY_GETCHAR, 0, 0, 0, 0);
	UT_CHECK(r.done && r.legacy && r.error == -1, "getchar without input: %lld",
		 (long long)r.error);
	dv_console_input((const uint8_t *)"x\xff", 2);
	r = fake_sbi_call(f, 0, SBI_LEGACY_GETCHAR, 0, 0, 0, 0);
	UT_CHECK(r.error == 'x', "getchar %lld", (long long)r.error);
	r = fake_sbi_call(f, 0, SBI_LEGACY_GETCHAR, 0, 0, 0, 0);
	UT_CHECK(r.error == 0xff, "getchar of 0xff: %lld (not -1)", (long long)r.error);
	r = fake_sbi_call(f, 0, SBI_LEGACY_GETCHAR, 0, 0, 0, 0);
	UT_CHECK(r.error == -1, "getchar after the input: %lld", (long long)r.error);
	fake_vm_free(f);
}

UT_TEST(legacy_shutdown_stops_the_vm)
{
	struct fake_vm *f = fake_vm_new(2, RAM);
	int rc = fake_exit(f, 0, FAKE_SBI(SBI_LEGACY_SHUTDOWN, 0, 0, 0));

	UT_CHECK(rc == 1, "dispatch returned %d", rc);
	UT_CHECK(atomic_load(&f->vm.stopping) && atomic_load(&f->vm.exit_code) == 0,
		 "stopping %d code %d", atomic_load(&f->vm.stopping),
		 atomic_load(&f->vm.exit_code));
	UT_CHECK(fake_count(f, 0, FAKE_SBI_DONE) == 0, "the guest went on after shutdown");
	UT_CHECK(atomic_load(&f->vm.vcpus[1].events) & DV_EV_STOP, "vCPU 1 not told");
	fake_vm_free(f);
}

UT_TEST(legacy_calls_not_offered)
{
	struct fake_vm *f = fake_vm_new(2, RAM);

	atomic_store(&f->vm.vcpus[1].state, DV_VCPU_RUNNING);
	for (uint64_t eid = 0; eid <= 0x0f; eid++) {
		struct fake_sbi_res r;

		if (legacy_offered(eid))
			continue;
		fake_log_clear(f, 0);
		/* send_ipi and the fences would name every hart with a0 = 0 */
		r = fake_sbi_call(f, 0, eid, 0, 0, 0, 0);
		UT_CHECK(r.done && r.legacy && r.error == SBI_ERR_NOT_SUPPORTED,
			 "v0.1 id %llu: a0 %lld", (unsigned long long)eid, (long long)r.error);
		UT_CHECK(only_sbi_done(f), "v0.1 id %llu acted", (unsigned long long)eid);
	}
	fake_vm_free(f);
}

UT_MAIN()
