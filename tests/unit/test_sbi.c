// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI dispatch (sbi.c): every extension id reaches its handler with eid, fid
 * and args intact, everything else answers NOT_SUPPORTED, and the BASE
 * extension. The other handlers are stubs here that record their calls.
 *
 * BASE probe_extension answers legacy ids one by one: only the calls
 * dv_sbi_legacy serves (0x00-0x02, 0x08) are reported as present.
 */
#include <stdint.h>
#include <string.h>

#include "sbi/sbi.h"
#include "unit.h"

enum stub {
	STUB_NONE,
	STUB_LEGACY,
	STUB_TIME,
	STUB_IPI,
	STUB_RFENCE,
	STUB_HSM,
	STUB_SRST,
	STUB_DBCN,
};

#define STUB_MAGIC 0x5b1000

static struct {
	int calls;
	enum stub which;
	struct dv_vcpu *vcpu;
	uint64_t eid, fid, args[6];
} rec;

static struct dv_sbi_ret stub(enum stub which, struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid,
			      const uint64_t *args)
{
	rec.calls++;
	rec.which = which;
	rec.vcpu = vcpu;
	rec.eid = eid;
	rec.fid = fid;
	memcpy(rec.args, args, sizeof(rec.args));
	return (struct dv_sbi_ret){.error = -100 - (int64_t)which,
				   .value = STUB_MAGIC + which,
				   .legacy = which == STUB_LEGACY,
				   .no_advance = which == STUB_HSM};
}

struct dv_sbi_ret dv_sbi_legacy(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid,
				const uint64_t *args)
{
	return stub(STUB_LEGACY, vcpu, eid, fid, args);
}

struct dv_sbi_ret dv_sbi_time(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid,
			      const uint64_t *args)
{
	return stub(STUB_TIME, vcpu, eid, fid, args);
}

struct dv_sbi_ret dv_sbi_ipi(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid, const uint64_t *args)
{
	return stub(STUB_IPI, vcpu, eid, fid, args);
}

struct dv_sbi_ret dv_sbi_rfence(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid,
				const uint64_t *args)
{
	return stub(STUB_RFENCE, vcpu, eid, fid, args);
}

struct dv_sbi_ret dv_sbi_hsm(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid, const uint64_t *args)
{
	return stub(STUB_HSM, vcpu, eid, fid, args);
}

struct dv_sbi_ret dv_sbi_srst(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid,
			      const uint64_t *args)
{
	return stub(STUB_SRST, vcpu, eid, fid, args);
}

struct dv_sbi_ret dv_sbi_dbcn(struct dv_vcpu *vcpu, uint64_t eid, uint64_t fid,
			      const uint64_t *args)
{
	return stub(STUB_DBCN, vcpu, eid, fid, args);
}

/* Every supported extension id, with the stub that must serve it. */
static const struct {
	uint64_t eid;
	enum stub which;
} routes[] = {
    /* legacy: the whole 0x00-0x0f range */
    {0x00, STUB_LEGACY},	   {0x01, STUB_LEGACY},	      {0x02, STUB_LEGACY},
    {0x03, STUB_LEGACY},	   {0x04, STUB_LEGACY},	      {0x05, STUB_LEGACY},
    {0x06, STUB_LEGACY},	   {0x07, STUB_LEGACY},	      {0x08, STUB_LEGACY},
    {0x09, STUB_LEGACY},	   {0x0a, STUB_LEGACY},	      {0x0b, STUB_LEGACY},
    {0x0c, STUB_LEGACY},	   {0x0d, STUB_LEGACY},	      {0x0e, STUB_LEGACY},
    {0x0f, STUB_LEGACY},	   {SBI_EXT_TIME, STUB_TIME}, {SBI_EXT_IPI, STUB_IPI},
    {SBI_EXT_RFENCE, STUB_RFENCE}, {SBI_EXT_HSM, STUB_HSM},   {SBI_EXT_SRST, STUB_SRST},
    {SBI_EXT_DBCN, STUB_DBCN},
};

/* Ids next to the supported ones, and ones nobody serves. */
static const uint64_t unsupported[] = {
    SBI_EXT_BASE + 1, /* 0x11 */
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

#define NROUTES	     (sizeof(routes) / sizeof(routes[0]))
#define NUNSUPPORTED (sizeof(unsupported) / sizeof(unsupported[0]))

static struct dv_sbi_ret base_call(uint64_t fid, uint64_t a0)
{
	const uint64_t args[6] = {a0, 0x1111, 0x2222, 0x3333, 0x4444, 0x5555};

	return dv_sbi_call(NULL, SBI_EXT_BASE, fid, args);
}

UT_TEST(every_extension_reaches_its_handler_intact)
{
	struct dv_vcpu *vcpu = (struct dv_vcpu *)&rec; /* opaque, never dereferenced */

	for (unsigned int i = 0; i < NROUTES; i++) {
		uint64_t eid = routes[i].eid, fid = 0xf1d0 + i;
		const uint64_t args[6] = {0xa0 + i, 0xa1ULL << 40, UINT64_MAX, 0, 0xa4, 0xa5 + i};
		struct dv_sbi_ret r;

		memset(&rec, 0, sizeof(rec));
		r = dv_sbi_call(vcpu, eid, fid, args);
		UT_CHECK(rec.calls == 1, "eid %#llx: %d handler calls", (unsigned long long)eid,
			 rec.calls);
		UT_CHECK(rec.which == routes[i].which, "eid %#llx went to stub %d, not %d",
			 (unsigned long long)eid, rec.which, routes[i].which);
		UT_CHECK(rec.vcpu == vcpu && rec.eid == eid && rec.fid == fid,
			 "eid %#llx: handler saw eid %#llx fid %#llx", (unsigned long long)eid,
			 (unsigned long long)rec.eid, (unsigned long long)rec.fid);
		UT_CHECK(!memcmp(rec.args, args, sizeof(args)), "eid %#llx: args changed",
			 (unsigned long long)eid);
		/* The handler's answer comes back untouched */
		UT_CHECK(r.error == -100 - (int64_t)routes[i].which &&
			     r.value == STUB_MAGIC + routes[i].which &&
			     r.legacy == (routes[i].which == STUB_LEGACY) &&
			     r.no_advance == (routes[i].which == STUB_HSM),
			 "eid %#llx: ret error %lld value %#llx", (unsigned long long)eid,
			 (long long)r.error, (unsigned long long)r.value);
		UT_CHECK(dv_sbi_find(eid) != NULL, "find %#llx", (unsigned long long)eid);
	}
}

UT_TEST(base_is_served_by_sbi_c_itself)
{
	struct dv_sbi_ret r;

	memset(&rec, 0, sizeof(rec));
	r = base_call(0, 0);
	UT_CHECK(rec.calls == 0, "a stub answered BASE (stub %d)", rec.which);
	UT_CHECK(r.error == SBI_SUCCESS && r.value == DV_SBI_SPEC_VERSION, "error %lld value %#llx",
		 (long long)r.error, (unsigned long long)r.value);
	UT_CHECK(!r.legacy && !r.no_advance, "flags");
	UT_CHECK(dv_sbi_find(SBI_EXT_BASE) && dv_sbi_find(SBI_EXT_BASE)->call == dv_sbi_base,
		 "find BASE");
}

UT_TEST(unknown_extensions_are_not_supported)
{
	const uint64_t args[6] = {1, 2, 3, 4, 5, 6};

	for (unsigned int i = 0; i < NUNSUPPORTED; i++) {
		uint64_t eid = unsupported[i];
		struct dv_sbi_ret r;

		memset(&rec, 0, sizeof(rec));
		r = dv_sbi_call(NULL, eid, 0, args);
		UT_CHECK(r.error == SBI_ERR_NOT_SUPPORTED && r.value == 0 && !r.legacy &&
			     !r.no_advance,
			 "eid %#llx: error %lld value %lld", (unsigned long long)eid,
			 (long long)r.error, (long long)r.value);
		UT_CHECK(rec.calls == 0, "eid %#llx reached stub %d", (unsigned long long)eid,
			 rec.which);
		UT_CHECK(dv_sbi_find(eid) == NULL, "find %#llx", (unsigned long long)eid);
	}
}

UT_TEST(base_spec_version_is_2_0)
{
	struct dv_sbi_ret r = base_call(0, 0);

	UT_CHECK(r.error == SBI_SUCCESS, "error %lld", (long long)r.error);
	UT_CHECK(((r.value >> 24) & 0x7f) == 2, "major %lld", (long long)((r.value >> 24) & 0x7f));
	UT_CHECK((r.value & 0xffffff) == 0, "minor %lld", (long long)(r.value & 0xffffff));
	UT_CHECK((r.value >> 31) == 0, "bit 31 and up must be 0: %#llx",
		 (unsigned long long)r.value);
}

UT_TEST(base_ids)
{
	struct dv_sbi_ret r;

	r = base_call(1, 0);
	UT_CHECK(r.error == SBI_SUCCESS && r.value == DV_SBI_IMPL_ID, "impl id %#llx",
		 (unsigned long long)r.value);
	r = base_call(2, 0);
	UT_CHECK(r.error == SBI_SUCCESS && r.value == 1, "impl version %lld", (long long)r.value);
	for (uint64_t fid = 4; fid <= 6; fid++) {
		r = base_call(fid, 0x1234);
		UT_CHECK(r.error == SBI_SUCCESS && r.value == 0, "fid %llu: error %lld value %#llx",
			 (unsigned long long)fid, (long long)r.error, (unsigned long long)r.value);
	}
}

UT_TEST(base_probe_extension)
{
	struct dv_sbi_ret r;

	memset(&rec, 0, sizeof(rec));
	for (unsigned int i = 0; i < NROUTES; i++) {
		/* legacy ids are probed one by one: set_timer, putchar, getchar, shutdown */
		int want = routes[i].eid > 0x0f || ((0x107 >> routes[i].eid) & 1);

		r = base_call(3, routes[i].eid);
		UT_CHECK(r.error == SBI_SUCCESS && r.value == want,
			 "probe %#llx: error %lld value %lld", (unsigned long long)routes[i].eid,
			 (long long)r.error, (long long)r.value);
	}
	r = base_call(3, SBI_EXT_BASE);
	UT_CHECK(r.error == SBI_SUCCESS && r.value == 1, "probe BASE: %lld", (long long)r.value);
	for (unsigned int i = 0; i < NUNSUPPORTED; i++) {
		r = base_call(3, unsupported[i]);
		UT_CHECK(r.error == SBI_SUCCESS && r.value == 0,
			 "probe %#llx: error %lld value %lld", (unsigned long long)unsupported[i],
			 (long long)r.error, (long long)r.value);
	}
	UT_CHECK(rec.calls == 0, "probing called stub %d", rec.which);
}

UT_TEST(base_unknown_functions_are_not_supported)
{
	static const uint64_t fids[] = {7, 8, 0x100, 0xffffffff, 1ULL << 32, UINT64_MAX};

	memset(&rec, 0, sizeof(rec));
	for (unsigned int i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		struct dv_sbi_ret r = base_call(fids[i], SBI_EXT_BASE);

		UT_CHECK(r.error == SBI_ERR_NOT_SUPPORTED && r.value == 0 && !r.legacy,
			 "fid %#llx: error %lld value %lld", (unsigned long long)fids[i],
			 (long long)r.error, (long long)r.value);
	}
	UT_CHECK(rec.calls == 0, "a stub answered");
}

UT_MAIN()
