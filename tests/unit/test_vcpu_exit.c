// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vCPU's exit dispatch (vmm/vcpu.c) on the scripted backend: every
 * exit reason, what the backend is asked to do for it (completions,
 * injected exceptions with their cause and tval, nothing at all), what
 * the handler returns (>0 go on, 0 leave, <0 error with a register dump),
 * the per-reason counts, the backend's system events with duvisor's exit
 * statuses, the PLIC driving a vCPU's external interrupt line through
 * MMIO exits, and the run loop's own paths (boot hart reset, backends that
 * start harts themselves, a failing vcpu_init, an error exit).
 */
#include <errno.h>
#include <string.h>

#include "cli/cli.h"
#include "fake_backend.h"
#include "hw/plic.h"
#include "sbi/sbi.h"
#include "vmm/exit.h"
#include "unit.h"

#define RAM	 (1ULL << 20)
#define DEV_BASE 0x10000000ULL
#define DEV_SIZE 0x100ULL

enum { EXC_INST_ACCESS = 1, EXC_ILLEGAL = 2, EXC_LOAD_ACCESS = 5, EXC_STORE_ACCESS = 7 };

/* A device that records its accesses */
static struct {
	int reads, writes, fail;
	uint64_t offset, val;
	unsigned int size;
} dev;

static int dev_read(void *opaque, uint64_t offset, unsigned size, uint64_t *val)
{
	(void)opaque;
	dev.reads++;
	dev.offset = offset;
	dev.size = size;
	*val = 0xdeadbeefcafe0000ULL | offset;
	return dev.fail;
}

static int dev_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	(void)opaque;
	dev.writes++;
	dev.offset = offset;
	dev.size = size;
	dev.val = val;
	return dev.fail;
}

static const struct dv_mmio_ops dev_ops = {dev_read, dev_write};

static struct fake_vm *vm_with_dev(void)
{
	struct fake_vm *f = fake_vm_new(2, RAM);

	memset(&dev, 0, sizeof(dev));
	if (dv_mmio_register(&f->vm.mmio, "dev", DEV_BASE, DEV_SIZE, &dev_ops, NULL))
		abort();
	return f;
}

static struct dv_exit mmio(uint64_t gpa, unsigned int width, bool store, uint64_t data)
{
	return (struct dv_exit){.reason = DV_VMEXIT_MMIO,
				.mmio = {.gpa = gpa,
					 .gva = 0xffffffff00000000ULL | gpa,
					 .data = data,
					 .width = width,
					 .is_store = store}};
}

static struct dv_exit other(enum dv_vmexit_reason reason, uint64_t cause, uint64_t tval,
			    uint64_t insn)
{
	return (struct dv_exit){.reason = reason, .other = {cause, tval, insn}};
}

static uint64_t stat(struct fake_vm *f, enum dv_stat s)
{
	return f->vm.vcpus[0].stats.count[s];
}

UT_TEST(sbi_exit_returns_through_sbi_done)
{
	struct fake_vm *f = fake_vm_new(1, RAM);
	int rc = fake_exit(f, 0, FAKE_SBI(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID));
	const struct fake_rec *d = fake_last(f, 0, FAKE_SBI_DONE);

	UT_CHECK(rc == 1, "rc %d", rc);
	UT_CHECK(d && d->a == 0 && d->b == DV_SBI_IMPL_ID && d->c == 0, "sbi_done wrong");
	UT_CHECK(stat(f, DV_STAT_SBI) == 1, "sbi count %llu",
		 (unsigned long long)stat(f, DV_STAT_SBI));
	fake_vm_free(f);
}

UT_TEST(mmio_loads_and_stores_reach_the_device)
{
	struct fake_vm *f = vm_with_dev();
	const struct fake_rec *d;
	int rc;

	rc = fake_exit(f, 0, mmio(DEV_BASE + 0x10, 4, false, 0));
	d = fake_last(f, 0, FAKE_MMIO_DONE);
	UT_CHECK(rc == 1 && dev.reads == 1 && dev.offset == 0x10 && dev.size == 4, "load");
	UT_CHECK(d && d->a == 0xdeadbeefcafe0010ULL && d->b == DEV_BASE + 0x10 && d->c == 0,
		 "load completed with %#llx", d ? (unsigned long long)d->a : 0);
	rc = fake_exit(f, 0, mmio(DEV_BASE + 0x22, 2, true, 0xabcd));
	d = fake_last(f, 0, FAKE_MMIO_DONE);
	UT_CHECK(rc == 1 && dev.writes == 1 && dev.offset == 0x22 && dev.size == 2 &&
		     dev.val == 0xabcd,
		 "store: offset %#llx size %u val %#llx", (unsigned long long)dev.offset, dev.size,
		 (unsigned long long)dev.val);
	UT_CHECK(d && d->b == DEV_BASE + 0x22 && d->c == 1, "store not completed");
	UT_CHECK(fake_count(f, 0, FAKE_MMIO_DONE) == 2 && fake_count(f, 0, FAKE_INJECT) == 0,
		 "completions");
	UT_CHECK(stat(f, DV_STAT_MMIO) == 2, "mmio count");
	fake_vm_free(f);
}

/* What the dvext backend's exit path finishes without the run loop, and what it leaves to it */
UT_TEST(inline_exits_are_only_those_that_neither_sleep_nor_stop)
{
	struct fake_vm *f = vm_with_dev();
	struct dv_vcpu *v = &f->vm.vcpus[0];
	const struct fake_rec *d;
	struct dv_exit e;

	e = mmio(DEV_BASE + 0x10, 4, false, 0);
	UT_CHECK(dv_handle_exit_inline(v, &e) && dev.reads == 1, "MMIO load not handled inline");
	d = fake_last(f, 0, FAKE_MMIO_DONE);
	UT_CHECK(d && d->a == 0xdeadbeefcafe0010ULL, "MMIO load not completed");
	e = FAKE_SBI(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID);
	UT_CHECK(dv_handle_exit_inline(v, &e), "SBI BASE not handled inline");
	d = fake_last(f, 0, FAKE_SBI_DONE);
	UT_CHECK(d && d->b == DV_SBI_IMPL_ID, "SBI BASE not completed");
	UT_CHECK(stat(f, DV_STAT_MMIO) == 1 && stat(f, DV_STAT_SBI) == 1, "counted as in the loop");
	fake_log_clear(f, 0);
	/* HSM (may sleep or stop the hart), SRST and v0.1 (shutdown), WFI, faults: the loop's */
	e = FAKE_SBI(SBI_EXT_HSM, SBI_HSM_HART_STOP);
	UT_CHECK(!dv_handle_exit_inline(v, &e), "HSM handled inline");
	e = FAKE_SBI(SBI_EXT_SRST, 0);
	UT_CHECK(!dv_handle_exit_inline(v, &e), "SRST handled inline");
	e = FAKE_SBI(SBI_LEGACY_SHUTDOWN, 0);
	UT_CHECK(!dv_handle_exit_inline(v, &e), "v0.1 shutdown handled inline");
	e = FAKE_SBI(0x0a000000, 0);
	UT_CHECK(!dv_handle_exit_inline(v, &e), "unknown extension handled inline");
	e = other(DV_VMEXIT_WFI, 0, 0, 0);
	UT_CHECK(!dv_handle_exit_inline(v, &e), "WFI handled inline");
	e = other(DV_VMEXIT_GUEST_FAULT, EXC_LOAD_ACCESS, 0, 0);
	UT_CHECK(!dv_handle_exit_inline(v, &e), "fault handled inline");
	UT_CHECK(fake_count(f, 0, FAKE_SBI_DONE) == 0 && fake_count(f, 0, FAKE_INJECT) == 0 &&
		     atomic_load(&v->state) == f->vm.vcpus[0].state &&
		     !atomic_load(&f->vm.stopping),
		 "a refused exit was partly handled");
	UT_CHECK(stat(f, DV_STAT_SBI) == 1, "refused exits counted");
	/* A VM that is stopping: everything back to the loop, which ends */
	atomic_store(&f->vm.stopping, true);
	e = mmio(DEV_BASE + 0x10, 4, false, 0);
	UT_CHECK(!dv_handle_exit_inline(v, &e) && dev.reads == 1, "handled while stopping");
	fake_vm_free(f);
}

UT_TEST(mmio_nothing_there_is_an_access_fault)
{
	struct fake_vm *f = vm_with_dev();
	const struct fake_rec *inj;

	fake_exit(f, 0, mmio(DEV_BASE + DEV_SIZE, 4, false, 0));
	inj = fake_last(f, 0, FAKE_INJECT);
	UT_CHECK(inj && inj->a == EXC_LOAD_ACCESS &&
		     inj->b == (0xffffffff00000000ULL | (DEV_BASE + DEV_SIZE)),
		 "load fault: cause %lld tval %#llx", inj ? (long long)inj->a : -1,
		 inj ? (unsigned long long)inj->b : 0);
	/* Straddling the device's end is nothing there either */
	fake_exit(f, 0, mmio(DEV_BASE + DEV_SIZE - 4, 8, true, 1));
	inj = fake_last(f, 0, FAKE_INJECT);
	UT_CHECK(inj && inj->a == EXC_STORE_ACCESS, "store fault: cause %lld",
		 inj ? (long long)inj->a : -1);
	/* A device that fails the access */
	dev.fail = -EIO;
	fake_exit(f, 0, mmio(DEV_BASE, 4, true, 1));
	inj = fake_last(f, 0, FAKE_INJECT);
	UT_CHECK(fake_count(f, 0, FAKE_INJECT) == 3 && inj->a == EXC_STORE_ACCESS,
		 "failing device not faulted");
	UT_CHECK(fake_count(f, 0, FAKE_MMIO_DONE) == 0 && dev.writes == 1 && dev.reads == 0,
		 "a faulting access completed or reached the device");
	UT_CHECK(stat(f, DV_STAT_FAULT_INJECTED) == 3, "fault count");
	fake_vm_free(f);
}

UT_TEST(mmio_nothing_there_without_inject_reads_zero)
{
	struct fake_vm *f = vm_with_dev();
	const struct fake_rec *d;

	f->ops.caps &= ~DV_CAP_INJECT;
	fake_exit(f, 0, mmio(0x20000000, 8, false, 0));
	d = fake_last(f, 0, FAKE_MMIO_DONE);
	UT_CHECK(d && d->a == 0 && fake_count(f, 0, FAKE_INJECT) == 0,
		 "a load from nothing did not read 0");
	fake_vm_free(f);
}

UT_TEST(wfi_sleeps_until_the_timer_or_an_interrupt)
{
	struct fake_vm *f = fake_vm_new(1, RAM);
	struct dv_exit wfi = {.reason = DV_VMEXIT_WFI};
	const struct fake_rec *log;
	uint64_t t0;
	int rc;

	f->fv[0].irq_pending = true;
	t0 = fake_now_ms();
	rc = fake_exit(f, 0, wfi);
	UT_CHECK(rc == 1 && fake_now_ms() - t0 < 1000, "pending interrupt: rc %d", rc);
	f->fv[0].irq_pending = false;
	f->fv[0].deadline = 40 * 1000000ULL;
	t0 = fake_now_ms();
	rc = fake_exit(f, 0, wfi);
	UT_CHECK(rc == 1 && fake_now_ms() - t0 >= 35 && fake_now_ms() - t0 < 2000,
		 "timer in 40 ms: slept %llu ms", (unsigned long long)(fake_now_ms() - t0));
	UT_CHECK(stat(f, DV_STAT_WFI) == 2, "wfi count");
	/* WFI does not complete anything: the backend already stepped over it */
	UT_CHECK(fake_log(f, 0, &log) == 0, "WFI asked the backend for something");
	fake_vm_free(f);
}

UT_TEST(kick_and_host_exits_just_go_on)
{
	struct fake_vm *f = fake_vm_new(1, RAM);
	const struct fake_rec *log;

	UT_CHECK(fake_exit(f, 0, other(DV_VMEXIT_KICK, 0, 0, 0)) == 1, "kick");
	UT_CHECK(fake_exit(f, 0, other(DV_VMEXIT_HOST, 0, 0, 0)) == 1, "host");
	UT_CHECK(fake_log(f, 0, &log) == 0, "the backend was asked for something");
	UT_CHECK(stat(f, DV_STAT_KICK) == 1 && stat(f, DV_STAT_HOST) == 1, "counts");
	fake_vm_free(f);
}

UT_TEST(faults_are_injected_with_cause_and_tval)
{
	static const struct {
		struct dv_exit e;
		uint64_t cause, tval;
	} cases[] = {
	    {{.reason = DV_VMEXIT_FETCH, .other = {20, 0x90000000, 0}},
	     EXC_INST_ACCESS,
	     0x90000000},
	    {{.reason = DV_VMEXIT_GUEST_FAULT, .other = {12, 0xffffffc000001000ULL, 0}},
	     12,
	     0xffffffc000001000ULL},
	    {{.reason = DV_VMEXIT_GUEST_FAULT, .other = {5, 0x1234, 0}}, 5, 0x1234},
	    {{.reason = DV_VMEXIT_ILLEGAL, .other = {22, 0x10500073, 0x7b200073}},
	     EXC_ILLEGAL,
	     0x7b200073},
	};
	struct fake_vm *f = fake_vm_new(1, RAM);

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fake_rec *inj;
		int rc = fake_exit(f, 0, cases[i].e);

		inj = fake_last(f, 0, FAKE_INJECT);
		UT_CHECK(rc == 1 && fake_count(f, 0, FAKE_INJECT) == i + 1, "case %u: rc %d", i,
			 rc);
		UT_CHECK(inj && inj->a == cases[i].cause && inj->b == cases[i].tval,
			 "case %u: cause %llu tval %#llx", i, inj ? (unsigned long long)inj->a : 0,
			 inj ? (unsigned long long)inj->b : 0);
	}
	UT_CHECK(stat(f, DV_STAT_FAULT_INJECTED) == 3 && stat(f, DV_STAT_OTHER) == 1, "counts");
	fake_vm_free(f);
}

/* A backend's SBI reset (KVM's system event): the loop ends, with SRST's statuses */
UT_TEST(system_events_end_the_vm_with_srsts_statuses)
{
	static const struct {
		enum dv_system_event type;
		uint32_t reason;
		int status;
	} cases[] = {
	    {DV_SYSTEM_SHUTDOWN, SBI_SRST_REASON_NONE, DV_EXIT_OK},
	    {DV_SYSTEM_REBOOT, SBI_SRST_REASON_NONE, DV_EXIT_GUEST},
	    {DV_SYSTEM_SHUTDOWN, SBI_SRST_REASON_SYSFAILURE, DV_EXIT_SYSFAIL},
	    {DV_SYSTEM_REBOOT, SBI_SRST_REASON_SYSFAILURE, DV_EXIT_SYSFAIL},
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_vm *f = fake_vm_new(2, RAM);
		struct dv_exit e = {.reason = DV_VMEXIT_SYSTEM,
				    .system = {.type = cases[i].type, .reason = cases[i].reason}};
		int rc = fake_exit(f, 0, e);

		UT_CHECK(rc == 0, "case %u: rc %d, the loop goes on", i, rc);
		UT_CHECK(atomic_load(&f->vm.stopping) &&
			     atomic_load(&f->vm.exit_code) == cases[i].status,
			 "case %u: exit %d, want %d", i, atomic_load(&f->vm.exit_code),
			 cases[i].status);
		UT_CHECK(atomic_load(&f->vm.vcpus[1].events) & DV_EV_STOP, "vCPU 1 not stopped");
		fake_vm_free(f);
	}
}

UT_TEST(unexpected_exits_are_errors_with_a_register_dump)
{
	static const enum dv_vmexit_reason reasons[] = {DV_VMEXIT_INTERNAL, DV_VMEXIT_NONE,
							DV_VMEXIT_REASONS};
	struct fake_vm *f = fake_vm_new(1, RAM);

	for (unsigned int r = 0; r < 32; r++)
		f->fv[0].x[r] = 0x1111111100000000ULL + r;
	for (unsigned int i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		char err[4096];
		const struct fake_rec *log;
		int rc;

		fake_capture_start(2);
		rc = fake_exit(f, 0, other(reasons[i], 0x18, 0xbadc0de, 0));
		fake_capture_end(2, err, sizeof(err));
		UT_CHECK(rc == -EIO, "reason %d: rc %d", reasons[i], rc);
		UT_CHECK(strstr(err, "unexpected exit, cause 0x18 tval 0xbadc0de"),
			 "reason %d: dump '%s'", reasons[i], err);
		UT_CHECK(strstr(err, "x5  1111111100000005") && strstr(err, "x31 111111110000001f"),
			 "reason %d: registers missing", reasons[i]);
		UT_CHECK(fake_log(f, 0, &log) == 0, "reason %d: the backend was asked to act",
			 reasons[i]);
	}
	fake_vm_free(f);
}

/* The PLIC's context line for a hart is the backend's external interrupt */
static void plic_line(void *opaque, unsigned int n, bool level)
{
	struct fake_vm *f = opaque;

	f->vm.ops->set_ext_irq(&f->vm.vcpus[n], level);
}

UT_TEST(plic_drives_the_external_interrupt_through_mmio_exits)
{
	struct fake_vm *f = fake_vm_new(2, RAM);
	struct dv_irq_line lines[2] = {{plic_line, f, 0}, {plic_line, f, 1}};
	struct dv_plic *p = dv_plic_create(32, 2, lines);
	const uint64_t ctx1 = DV_PLIC_BASE + DV_PLIC_CONTEXT_BASE + DV_PLIC_CONTEXT_STRIDE;
	const struct fake_rec *d;

	UT_CHECK(p && !dv_mmio_register(&f->vm.mmio, "plic", DV_PLIC_BASE, DV_PLIC_SIZE,
					&dv_plic_mmio_ops, p),
		 "PLIC");
	/* vCPU 1's guest: source 5 at priority 1, enabled for its context */
	fake_exit(f, 1, mmio(DV_PLIC_BASE + 4 * 5, 4, true, 1));
	fake_exit(
	    f, 1,
	    mmio(DV_PLIC_BASE + DV_PLIC_ENABLE_BASE + DV_PLIC_ENABLE_STRIDE, 4, true, 1u << 5));
	UT_CHECK(fake_count(f, 1, FAKE_EXT_IRQ) == 0, "line moved before the source did");
	dv_plic_set_irq(p, 5, true);
	UT_CHECK(fake_count(f, 1, FAKE_EXT_IRQ) == 1 && fake_last(f, 1, FAKE_EXT_IRQ)->a == 1,
		 "line not raised");
	UT_CHECK(atomic_load(&f->vm.vcpus[1].ext_irq) && fake_count(f, 1, FAKE_KICK) == 1,
		 "vCPU 1 not told");
	UT_CHECK(fake_count(f, 0, FAKE_EXT_IRQ) == 0, "vCPU 0's line moved");
	/* The claim lowers the line and reads the source */
	fake_exit(f, 1, mmio(ctx1 + DV_PLIC_CONTEXT_CLAIM, 4, false, 0));
	d = fake_last(f, 1, FAKE_MMIO_DONE);
	UT_CHECK(d && d->a == 5, "claimed %lld", d ? (long long)d->a : -1);
	UT_CHECK(fake_count(f, 1, FAKE_EXT_IRQ) == 2 && fake_last(f, 1, FAKE_EXT_IRQ)->a == 0,
		 "line not lowered by the claim");
	/* Complete with the source still high: raised again */
	fake_exit(f, 1, mmio(ctx1 + DV_PLIC_CONTEXT_CLAIM, 4, true, 5));
	UT_CHECK(fake_count(f, 1, FAKE_EXT_IRQ) == 3 && fake_last(f, 1, FAKE_EXT_IRQ)->a == 1,
		 "line not raised after complete");
	dv_plic_destroy(p);
	fake_vm_free(f);
}

UT_TEST(run_loop_resets_the_boot_hart_and_stops)
{
	struct fake_vm *f = fake_vm_new(2, RAM);
	const struct fake_rec *r;
	int code;

	f->vm.vcpus[0].start_pc = FAKE_RAM_BASE + 0x200000;
	f->vm.vcpus[0].start_arg = 0x87e00000;
	fake_script(f, 0, other(DV_VMEXIT_KICK, 0, 0, 0));
	fake_script(f, 0, FAKE_SBI(SBI_EXT_SRST, 0, SBI_SRST_TYPE_COLD_REBOOT, 0));
	code = fake_vm_run(f);
	r = fake_nth(f, 0, FAKE_RESET, 0);
	UT_CHECK(code == DV_EXIT_GUEST, "exit %d", code);
	UT_CHECK(r && r->a == FAKE_RAM_BASE + 0x200000 && r->b == 0 && r->c == 0x87e00000,
		 "boot hart: pc a0 a1 wrong");
	UT_CHECK(fake_count(f, 1, FAKE_RESET) == 0 && fake_count(f, 1, FAKE_RUN) == 0,
		 "a stopped hart ran");
	UT_CHECK(f->fv[0].inited && f->fv[1].inited && f->fv[0].destroyed && f->fv[1].destroyed,
		 "vcpu_init/destroy");
	fake_vm_free(f);
}

/* DV_CAP_HART_START: the backend starts secondaries; the core runs them at once */
UT_TEST(run_loop_with_harts_started_by_the_backend)
{
	struct fake_vm *f = fake_vm_new(2, RAM);
	int code;

	f->ops.caps |= DV_CAP_HART_START;
	fake_script(f, 1, FAKE_SBI(SBI_EXT_SRST, 0, SBI_SRST_TYPE_SHUTDOWN, 1));
	code = fake_vm_run(f);
	UT_CHECK(code == DV_EXIT_SYSFAIL, "exit %d", code);
	UT_CHECK(fake_count(f, 1, FAKE_RESET) == 0 && fake_count(f, 1, FAKE_RUN) == 1,
		 "secondary: resets %u runs %u", fake_count(f, 1, FAKE_RESET),
		 fake_count(f, 1, FAKE_RUN));
	fake_vm_free(f);
}

UT_TEST(run_loop_errors_stop_the_vm)
{
	struct fake_vm *f = fake_vm_new(1, RAM);
	char err[4096];
	int code;

	f->fv[0].init_rc = -ENOMEM;
	fake_capture_start(2);
	code = fake_vm_run(f);
	fake_capture_end(2, err, sizeof(err));
	UT_CHECK(code == DV_EXIT_FAILURE && fake_count(f, 0, FAKE_RUN) == 0,
		 "vcpu_init failed: exit %d", code);
	UT_CHECK(strstr(err, "vCPU 0: Cannot allocate memory"), "message '%s'", err);
	fake_vm_free(f);

	f = fake_vm_new(1, RAM);
	fake_script(f, 0, other(DV_VMEXIT_INTERNAL, 0x99, 0, 0));
	fake_capture_start(2);
	code = fake_vm_run(f);
	fake_capture_end(2, err, sizeof(err));
	UT_CHECK(code == DV_EXIT_FAILURE && f->fv[0].destroyed, "internal exit: exit %d", code);
	fake_vm_free(f);
}

UT_MAIN()
