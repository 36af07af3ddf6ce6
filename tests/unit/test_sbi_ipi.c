// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI IPI and every RFENCE call on the scripted backend: hart masks and
 * bases (-1: every hart), invalid masks (the whole call fails, no hart
 * gets anything), the event and the kick each target gets, the HFENCE
 * calls (not supported), and, on the vCPUs' real threads (vmm/vcpu.c), an
 * IPI and a remote fence reaching a hart that runs its guest: the fence
 * returns only after the target left its guest, and the target takes each
 * before it enters again.
 */
#include <string.h>

#include "fake_backend.h"
#include "sbi/sbi.h"
#include "unit.h"

#define RAM  (1ULL << 20)
#define ADDR (FAKE_RAM_BASE + 0x2000)

static void clear_all(struct fake_vm *f)
{
	for (unsigned int i = 0; i < f->nr_vcpus; i++) {
		atomic_store(&f->vm.vcpus[i].events, 0);
		fake_log_clear(f, i);
	}
}

/* Which vCPUs got ev, and were kicked for it (bit i = vCPU i) */
static unsigned int posted(struct fake_vm *f, unsigned int ev)
{
	unsigned int m = 0;

	for (unsigned int i = 0; i < f->nr_vcpus; i++) {
		bool got = fake_events(f, i) & ev, kicked = fake_count(f, i, FAKE_KICK) == 1;

		if (got != kicked)
			return 0xdead;
		m |= (unsigned int)got << i;
	}
	return m;
}

/* No vCPU has an event but ev */
static bool only(struct fake_vm *f, unsigned int ev)
{
	for (unsigned int i = 0; i < f->nr_vcpus; i++)
		if (fake_events(f, i) & ~ev)
			return false;
	return true;
}

static const struct {
	uint64_t mask, base;
	unsigned int want; /* the harts named, of 4 */
} masks[] = {
    {0x1, 0, 0x1}, {0xa, 0, 0xa}, {0xf, 0, 0xf},	  {0x1, 2, 0x4},	  {0x3, 2, 0xc},
    {0x0, 0, 0x0}, {0x0, 3, 0x0}, {0x0, UINT64_MAX, 0xf}, {0x5, UINT64_MAX, 0xf}, /* base -1: every
										     hart, the mask
										     ignored */
};
static const struct {
	uint64_t mask, base;
} bad_masks[] = {
    {0x10, 0}, {0x11, 0}, {0x1, 4}, {0x3, 3}, {0x0, 4}, {1ULL << 63, 0}, {0x1, UINT64_MAX - 1},
};

UT_TEST(ipi_to_the_harts_named)
{
	struct fake_vm *f = fake_vm_running(4, RAM);

	for (unsigned int i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		struct fake_sbi_res r;

		clear_all(f);
		r = fake_sbi_call(f, 1, SBI_EXT_IPI, SBI_IPI_SEND_IPI, masks[i].mask, masks[i].base,
				  0);
		UT_CHECK(r.done && r.error == SBI_SUCCESS, "mask %#llx base %#llx: %lld",
			 (unsigned long long)masks[i].mask, (unsigned long long)masks[i].base,
			 (long long)r.error);
		UT_CHECK(posted(f, DV_EV_IPI) == masks[i].want && only(f, DV_EV_IPI),
			 "mask %#llx base %#llx: IPIs %#x", (unsigned long long)masks[i].mask,
			 (unsigned long long)masks[i].base, posted(f, DV_EV_IPI));
	}
	for (unsigned int i = 0; i < sizeof(bad_masks) / sizeof(bad_masks[0]); i++) {
		struct fake_sbi_res r;

		clear_all(f);
		r = fake_sbi_call(f, 1, SBI_EXT_IPI, SBI_IPI_SEND_IPI, bad_masks[i].mask,
				  bad_masks[i].base, 0);
		UT_CHECK(r.done && r.error == SBI_ERR_INVALID_PARAM, "mask %#llx base %#llx: %lld",
			 (unsigned long long)bad_masks[i].mask,
			 (unsigned long long)bad_masks[i].base, (long long)r.error);
		/* No hart gets anything, not even the valid ones named */
		UT_CHECK(posted(f, ~0u) == 0, "mask %#llx base %#llx posted %#x",
			 (unsigned long long)bad_masks[i].mask,
			 (unsigned long long)bad_masks[i].base, posted(f, ~0u));
	}
	fake_vm_free(f);
}

UT_TEST(rfence_every_call)
{
	static const struct {
		uint64_t fid;
		unsigned int ev;
	} calls[] = {
	    {SBI_RFENCE_FENCE_I, DV_EV_FENCE_I},
	    {SBI_RFENCE_SFENCE_VMA, DV_EV_FENCE_VMA},
	    {SBI_RFENCE_SFENCE_VMA_ASID, DV_EV_FENCE_VMA},
	};
	struct fake_vm *f = fake_vm_running(4, RAM);

	for (unsigned int c = 0; c < sizeof(calls) / sizeof(calls[0]); c++) {
		for (unsigned int i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
			struct fake_sbi_res r;

			clear_all(f);
			r = fake_sbi_call(f, 0, SBI_EXT_RFENCE, calls[c].fid, masks[i].mask,
					  masks[i].base, 0x1000);
			UT_CHECK(r.done && r.error == SBI_SUCCESS, "fid %llu mask %#llx: %lld",
				 (unsigned long long)calls[c].fid,
				 (unsigned long long)masks[i].mask, (long long)r.error);
			UT_CHECK(posted(f, calls[c].ev) == masks[i].want && only(f, calls[c].ev),
				 "fid %llu mask %#llx base %#llx: posted %#x",
				 (unsigned long long)calls[c].fid,
				 (unsigned long long)masks[i].mask,
				 (unsigned long long)masks[i].base, posted(f, calls[c].ev));
		}
		for (unsigned int i = 0; i < sizeof(bad_masks) / sizeof(bad_masks[0]); i++) {
			struct fake_sbi_res r;

			clear_all(f);
			r = fake_sbi_call(f, 0, SBI_EXT_RFENCE, calls[c].fid, bad_masks[i].mask,
					  bad_masks[i].base, 0);
			UT_CHECK(r.done && r.error == SBI_ERR_INVALID_PARAM && posted(f, ~0u) == 0,
				 "fid %llu bad mask %#llx base %#llx: %lld",
				 (unsigned long long)calls[c].fid,
				 (unsigned long long)bad_masks[i].mask,
				 (unsigned long long)bad_masks[i].base, (long long)r.error);
		}
	}
	/* The HFENCE calls are for a guest hypervisor: none here */
	for (uint64_t fid = SBI_RFENCE_HFENCE_GVMA_VMID; fid <= SBI_RFENCE_HFENCE_VVMA; fid++) {
		struct fake_sbi_res r;

		clear_all(f);
		r = fake_sbi_call(f, 0, SBI_EXT_RFENCE, fid, 0xf, 0, 0);
		UT_CHECK(r.done && r.error == SBI_ERR_NOT_SUPPORTED && posted(f, ~0u) == 0,
			 "hfence fid %llu: %lld", (unsigned long long)fid, (long long)r.error);
	}
	fake_vm_free(f);
}

/* vCPU 1 idles in its guest, having taken events n times */
static bool idle_after(struct fake_vm *f, unsigned int n)
{
	return atomic_load(&f->vm.vcpus[1].in_guest) && f->fv[1].next == f->fv[1].nscript &&
	       fake_count(f, 1, FAKE_TOOK_EVENTS) == n;
}

/*
 * vCPU 0 starts vCPU 1, waits until it runs its guest (idle), then sends
 * it an IPI and a remote SFENCE.VMA: the fence returns only after vCPU 1
 * left its guest, and vCPU 1 takes both before it enters again.
 */
UT_TEST(ipi_and_rfence_reach_a_running_hart)
{
	struct fake_vm *f = fake_vm_new(2, RAM);
	const struct fake_rec *fence_done, *left, *t;
	int code;

	fake_script(f, 0, FAKE_SBI(SBI_EXT_HSM, SBI_HSM_HART_START, 1, ADDR, 0));
	fake_script_until(f, 0, FAKE_SBI(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 2, 0), idle_after, 0);
	fake_script_until(f, 0, FAKE_SBI(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA, 2, 0, 0, 4096),
			  idle_after, 1);
	fake_script_until(f, 0, FAKE_SBI(SBI_EXT_SRST, 0, 0, 0), idle_after, 2);
	code = fake_vm_run(f);
	UT_CHECK(code == 0, "exit code %d", code);
	UT_CHECK(fake_count(f, 0, FAKE_SBI_DONE) == 3, "vCPU 0 calls done: %u",
		 fake_count(f, 0, FAKE_SBI_DONE));
	for (unsigned int k = 0; k < 3; k++)
		UT_CHECK(fake_nth(f, 0, FAKE_SBI_DONE, k)->a == 0, "call %u: %lld", k,
			 (long long)fake_nth(f, 0, FAKE_SBI_DONE, k)->a);
	/* vCPU 1 took the IPI, then the fence, each before entering again */
	t = fake_nth(f, 1, FAKE_TOOK_EVENTS, 0);
	UT_CHECK(t && t->a == DV_EV_IPI, "first taken %#llx", t ? (unsigned long long)t->a : 0);
	t = fake_nth(f, 1, FAKE_TOOK_EVENTS, 1);
	UT_CHECK(t && t->a == DV_EV_FENCE_VMA, "then %#llx", t ? (unsigned long long)t->a : 0);
	/* The fence returned after vCPU 1 left its guest for it (its second exit) */
	fence_done = fake_nth(f, 0, FAKE_SBI_DONE, 2);
	left = fake_nth(f, 1, FAKE_RUN, 1);
	UT_CHECK(fence_done && left && left->seq < fence_done->seq,
		 "the fence returned before the target left its guest");
	fake_vm_free(f);
}

UT_MAIN()
