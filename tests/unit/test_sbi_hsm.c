// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI HSM on the scripted backend: hart_start (invalid harts and
 * addresses, a hart already started or pending), hart_stop, hart_get_status
 * in every state, and hart_suspend: retentive (returns 0 like WFI once an
 * interrupt is pending, the timer is due, an IPI or an external interrupt
 * comes; SUSPENDED meanwhile) and non-retentive (resumes at resume_addr
 * with a0 = hartid, a1 = opaque, keeping a pending IPI), the reserved and
 * platform-specific types and bad resume addresses, and a backend that
 * takes WFI itself. Some tests run the vCPUs' real threads (vmm/vcpu.c).
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "fake_backend.h"
#include "sbi/sbi.h"
#include "unit.h"

#define RAM  (1ULL << 20)
#define ADDR (FAKE_RAM_BASE + 0x2000)

static struct fake_sbi_res status(struct fake_vm *f, uint64_t hart)
{
	return fake_sbi_call(f, 0, SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, hart, 0, 0);
}

UT_TEST(hsm_start_and_status)
{
	struct fake_vm *f = fake_vm_new(3, RAM);
	struct fake_sbi_res r;
	struct dv_vcpu *v1 = &f->vm.vcpus[1];

	r = status(f, 0);
	UT_CHECK(r.error == 0 && r.value == SBI_HSM_STATE_STARTED, "hart 0: %lld/%lld",
		 (long long)r.error, (long long)r.value);
	r = status(f, 1);
	UT_CHECK(r.error == 0 && r.value == SBI_HSM_STATE_STOPPED, "hart 1: %lld",
		 (long long)r.value);
	r = status(f, 3);
	UT_CHECK(r.error == SBI_ERR_INVALID_PARAM, "hart 3 (none): %lld", (long long)r.error);
	r = status(f, UINT64_MAX);
	UT_CHECK(r.error == SBI_ERR_INVALID_PARAM, "hart -1: %lld", (long long)r.error);

	/* Invalid harts and addresses start nothing */
	r = fake_sbi_call(f, 0, SBI_EXT_HSM, SBI_HSM_HART_START, 3, ADDR, 0);
	UT_CHECK(r.error == SBI_ERR_INVALID_PARAM, "start hart 3: %lld", (long long)r.error);
	r = fake_sbi_call(f, 0, SBI_EXT_HSM, SBI_HSM_HART_START, 1, FAKE_RAM_BASE - 4, 0);
	UT_CHECK(r.error == SBI_ERR_INVALID_ADDRESS, "below RAM: %lld", (long long)r.error);
	r = fake_sbi_call(f, 0, SBI_EXT_HSM, SBI_HSM_HART_START, 1, FAKE_RAM_BASE + RAM, 0);
	UT_CHECK(r.error == SBI_ERR_INVALID_ADDRESS, "past RAM: %lld", (long long)r.error);
	UT_CHECK(atomic_load(&v1->state) == DV_VCPU_STOPPED && !fake_events(f, 1),
		 "a failed start changed hart 1");

	r = fake_sbi_call(f, 0, SBI_EXT_HSM, SBI_HSM_HART_START, 1, ADDR, 0xabcdef);
	UT_CHECK(r.done && r.error == SBI_SUCCESS && r.value == 0, "start: %lld",
		 (long long)r.error);
	UT_CHECK(atomic_load(&v1->state) == DV_VCPU_START_PENDING && v1->start_pc == ADDR &&
		     v1->start_arg == 0xabcdef,
		 "state %d pc %#llx arg %#llx", atomic_load(&v1->state),
		 (unsigned long long)v1->start_pc, (unsigned long long)v1->start_arg);
	UT_CHECK((fake_events(f, 1) & DV_EV_START) && fake_count(f, 1, FAKE_KICK) == 1,
		 "hart 1 not woken");
	r = status(f, 1);
	UT_CHECK(r.value == SBI_HSM_STATE_START_PENDING, "hart 1: %lld", (long long)r.value);
	r = fake_sbi_call(f, 0, SBI_EXT_HSM, SBI_HSM_HART_START, 1, ADDR + 4, 0);
	UT_CHECK(r.error == SBI_ERR_ALREADY_AVAILABLE && v1->start_pc == ADDR,
		 "start a pending hart: %lld", (long long)r.error);
	r = fake_sbi_call(f, 0, SBI_EXT_HSM, SBI_HSM_HART_START, 0, ADDR, 0);
	UT_CHECK(r.error == SBI_ERR_ALREADY_AVAILABLE, "start myself: %lld", (long long)r.error);
	r = status(f, 2);
	UT_CHECK(r.value == SBI_HSM_STATE_STOPPED, "hart 2: %lld", (long long)r.value);
	fake_vm_free(f);
}

UT_TEST(hsm_stop_parks_the_caller)
{
	struct fake_vm *f = fake_vm_running(2, RAM);
	int rc = fake_exit(f, 1, FAKE_SBI(SBI_EXT_HSM, SBI_HSM_HART_STOP));

	UT_CHECK(rc == 1, "dispatch %d", rc);
	UT_CHECK(fake_count(f, 1, FAKE_SBI_DONE) == 0, "hart_stop returned to the guest");
	UT_CHECK(atomic_load(&f->vm.vcpus[1].state) == DV_VCPU_STOPPED, "state %d",
		 atomic_load(&f->vm.vcpus[1].state));
	UT_CHECK(status(f, 1).value == SBI_HSM_STATE_STOPPED, "status");
	UT_CHECK(!atomic_load(&f->vm.stopping), "the VM stopped");
	fake_vm_free(f);
}

static bool stopped(struct fake_vm *f, unsigned int i)
{
	return atomic_load(&f->vm.vcpus[i].state) == DV_VCPU_STOPPED;
}

/* Through the run loop: started, stopped, started again elsewhere */
UT_TEST(hsm_start_stop_start_on_the_vcpu_threads)
{
	struct fake_vm *f = fake_vm_new(2, RAM);
	const struct fake_rec *r0, *r1, *st;
	int code;

	fake_script(f, 0, FAKE_SBI(SBI_EXT_HSM, SBI_HSM_HART_START, 1, ADDR, 0x11));
	fake_script_until(f, 0, FAKE_SBI(SBI_EXT_HSM, SBI_HSM_HART_START, 1, ADDR + 0x100, 0x22),
			  stopped, 1);
	fake_script(f, 1, FAKE_SBI(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 1));
	fake_script(f, 1, FAKE_SBI(SBI_EXT_HSM, SBI_HSM_HART_STOP));
	fake_script(f, 1, FAKE_SBI(SBI_EXT_SRST, 0, SBI_SRST_TYPE_SHUTDOWN, 0));
	f->vm.vcpus[0].start_pc = FAKE_RAM_BASE;
	f->vm.vcpus[0].start_arg = 0xd7b;
	code = fake_vm_run(f);
	UT_CHECK(code == 0, "exit code %d", code);
	r0 = fake_nth(f, 0, FAKE_RESET, 0);
	UT_CHECK(r0 && r0->a == FAKE_RAM_BASE && r0->b == 0 && r0->c == 0xd7b,
		 "boot hart reset wrong");
	r0 = fake_nth(f, 1, FAKE_RESET, 0);
	r1 = fake_nth(f, 1, FAKE_RESET, 1);
	UT_CHECK(r0 && r0->a == ADDR && r0->b == 1 && r0->c == 0x11, "first start: pc a0 a1 wrong");
	UT_CHECK(r1 && r1->a == ADDR + 0x100 && r1->b == 1 && r1->c == 0x22,
		 "second start: pc a0 a1 wrong");
	UT_CHECK(fake_count(f, 1, FAKE_RESET) == 2, "resets %u", fake_count(f, 1, FAKE_RESET));
	/* get_status answered STARTED; stop and shutdown never returned */
	st = fake_nth(f, 1, FAKE_SBI_DONE, 0);
	UT_CHECK(st && st->a == 0 && st->b == SBI_HSM_STATE_STARTED &&
		     fake_count(f, 1, FAKE_SBI_DONE) == 1,
		 "hart 1's calls");
	UT_CHECK(fake_count(f, 0, FAKE_SBI_DONE) == 2 && fake_nth(f, 0, FAKE_SBI_DONE, 1)->a == 0,
		 "restart refused");
	UT_CHECK(f->fv[0].destroyed && f->fv[1].destroyed, "vCPUs not destroyed");
	fake_vm_free(f);
}

/* hart_suspend on vCPU 1, on a thread of its own: it may sleep */
struct suspend_call {
	struct fake_vm *f;
	uint64_t type, addr, opaque;
	pthread_t thread;
	int rc;
	uint64_t ms;
};

static void *suspend_thread(void *arg)
{
	struct suspend_call *c = arg;
	uint64_t t0 = fake_now_ms();

	c->rc = fake_exit(c->f, 1,
			  FAKE_SBI(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, c->type, c->addr, c->opaque));
	c->ms = fake_now_ms() - t0;
	return NULL;
}

static void suspend_start(struct suspend_call *c, struct fake_vm *f, uint64_t type, uint64_t addr,
			  uint64_t opaque)
{
	*c = (struct suspend_call){.f = f, .type = type, .addr = addr, .opaque = opaque};
	pthread_create(&c->thread, NULL, suspend_thread, c);
}

static bool suspended(struct fake_vm *f, unsigned int i)
{
	return atomic_load(&f->vm.vcpus[i].state) == DV_VCPU_SUSPENDED;
}

UT_TEST(hsm_retentive_suspend_returns_at_once_with_an_interrupt_pending)
{
	struct fake_vm *f = fake_vm_running(2, RAM);
	struct suspend_call c;

	f->fv[1].irq_pending = true;
	suspend_start(&c, f, SBI_HSM_SUSPEND_RET_DEFAULT, 0, 0);
	pthread_join(c.thread, NULL);
	UT_CHECK(c.rc == 1 && fake_count(f, 1, FAKE_SBI_DONE) == 1, "rc %d", c.rc);
	UT_CHECK(fake_last(f, 1, FAKE_SBI_DONE)->a == 0 && f->fv[1].pc == 4, "error %lld, pc %llu",
		 (long long)fake_last(f, 1, FAKE_SBI_DONE)->a, (unsigned long long)f->fv[1].pc);
	UT_CHECK(c.ms < 1000, "slept %llu ms", (unsigned long long)c.ms);
	UT_CHECK(fake_count(f, 1, FAKE_RESET) == 0, "a retentive suspend reset the hart");
	UT_CHECK(status(f, 1).value == SBI_HSM_STATE_STARTED, "not STARTED after");
	fake_vm_free(f);
}

/* Suspended until vCPU 0 sends an IPI; SUSPENDED meanwhile */
UT_TEST(hsm_retentive_suspend_sleeps_until_an_ipi)
{
	struct fake_vm *f = fake_vm_running(2, RAM);
	struct suspend_call c;
	struct fake_sbi_res r;

	suspend_start(&c, f, SBI_HSM_SUSPEND_RET_DEFAULT, 0xbad, 0);
	UT_CHECK(fake_wait(f, suspended, 1, 2000), "hart 1 never SUSPENDED");
	usleep(50 * 1000);
	UT_CHECK(status(f, 1).value == SBI_HSM_STATE_SUSPENDED, "status %lld",
		 (long long)status(f, 1).value);
	UT_CHECK(fake_count(f, 1, FAKE_SBI_DONE) == 0, "returned without an interrupt");
	r = fake_sbi_call(f, 0, SBI_EXT_HSM, SBI_HSM_HART_START, 1, ADDR, 0);
	UT_CHECK(r.error == SBI_ERR_ALREADY_AVAILABLE, "started a suspended hart: %lld",
		 (long long)r.error);
	fake_sbi_call(f, 0, SBI_EXT_IPI, SBI_IPI_SEND_IPI, 2, 0, 0);
	pthread_join(c.thread, NULL);
	UT_CHECK(c.ms >= 50, "slept only %llu ms", (unsigned long long)c.ms);
	UT_CHECK(fake_count(f, 1, FAKE_SBI_DONE) == 1 && fake_last(f, 1, FAKE_SBI_DONE)->a == 0,
		 "not resumed with success");
	UT_CHECK(status(f, 1).value == SBI_HSM_STATE_STARTED && fake_count(f, 1, FAKE_RESET) == 0,
		 "not STARTED after");
	UT_CHECK(fake_events(f, 1) & DV_EV_IPI, "the IPI was lost");
	fake_vm_free(f);
}

UT_TEST(hsm_retentive_suspend_wakes_for_the_timer_and_external_interrupts)
{
	struct fake_vm *f = fake_vm_running(2, RAM);
	struct suspend_call c;

	/* Timer due in 60 ms (ticks are ns) */
	f->fv[1].time = 1000;
	f->fv[1].deadline = 1000 + 60 * 1000000ULL;
	suspend_start(&c, f, SBI_HSM_SUSPEND_RET_DEFAULT, 0, 0);
	pthread_join(c.thread, NULL);
	UT_CHECK(c.ms >= 55 && c.ms < 2000, "timer 60 ms: slept %llu ms", (unsigned long long)c.ms);
	UT_CHECK(fake_count(f, 1, FAKE_SBI_DONE) == 1, "not resumed");

	/* Already due: no sleep */
	f->fv[1].deadline = 1000;
	suspend_start(&c, f, SBI_HSM_SUSPEND_RET_DEFAULT, 0, 0);
	pthread_join(c.thread, NULL);
	UT_CHECK(c.ms < 1000 && fake_count(f, 1, FAKE_SBI_DONE) == 2, "due timer: %llu ms",
		 (unsigned long long)c.ms);

	/* The PLIC raises hart 1's external interrupt */
	f->fv[1].deadline = UINT64_MAX;
	suspend_start(&c, f, SBI_HSM_SUSPEND_RET_DEFAULT, 0, 0);
	UT_CHECK(fake_wait(f, suspended, 1, 2000), "hart 1 never SUSPENDED");
	f->vm.ops->set_ext_irq(&f->vm.vcpus[1], true);
	pthread_join(c.thread, NULL);
	UT_CHECK(fake_count(f, 1, FAKE_SBI_DONE) == 3 && fake_last(f, 1, FAKE_SBI_DONE)->a == 0,
		 "external interrupt did not resume it");
	fake_vm_free(f);
}

UT_TEST(hsm_non_retentive_suspend_resumes_at_resume_addr)
{
	struct fake_vm *f = fake_vm_running(2, RAM);
	struct suspend_call c;
	const struct fake_rec *reset;

	f->fv[1].pc = 0x1234;
	suspend_start(&c, f, SBI_HSM_SUSPEND_NON_RET_DEFAULT, ADDR, 0xfeedf00d);
	UT_CHECK(fake_wait(f, suspended, 1, 2000), "hart 1 never SUSPENDED");
	UT_CHECK(status(f, 1).value == SBI_HSM_STATE_SUSPENDED, "status");
	fake_sbi_call(f, 0, SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1, 1, 0);
	pthread_join(c.thread, NULL);
	UT_CHECK(c.rc == 1, "rc %d", c.rc);
	/* Not a return from the call: a reset to resume_addr, a0 = hartid, a1 = opaque */
	UT_CHECK(fake_count(f, 1, FAKE_SBI_DONE) == 0, "the call returned");
	reset = fake_last(f, 1, FAKE_RESET);
	UT_CHECK(reset && reset->a == ADDR && reset->b == 1 && reset->c == 0xfeedf00d,
		 "resumed at %#llx a0 %#llx a1 %#llx", reset ? (unsigned long long)reset->a : 0,
		 reset ? (unsigned long long)reset->b : 0,
		 reset ? (unsigned long long)reset->c : 0);
	UT_CHECK(f->fv[1].pc == ADDR && f->fv[1].x[10] == 1 && f->fv[1].x[11] == 0xfeedf00d,
		 "registers");
	UT_CHECK(status(f, 1).value == SBI_HSM_STATE_STARTED, "not STARTED after");
	UT_CHECK(fake_events(f, 1) & DV_EV_IPI, "the waking IPI is lost over the resume");
	fake_vm_free(f);
}

/* A pending IPI the backend already took must survive the reset of a resume */
UT_TEST(hsm_non_retentive_suspend_keeps_a_pending_ipi)
{
	struct fake_vm *f = fake_vm_running(2, RAM);
	struct suspend_call c;

	f->fv[1].irq_pending = true; /* e.g. sip.SSIP from an IPI taken before */
	suspend_start(&c, f, SBI_HSM_SUSPEND_NON_RET_DEFAULT, ADDR, 5);
	pthread_join(c.thread, NULL);
	UT_CHECK(fake_count(f, 1, FAKE_RESET) == 1 && fake_count(f, 1, FAKE_SBI_DONE) == 0,
		 "not resumed");
	UT_CHECK(fake_events(f, 1) & DV_EV_IPI, "no IPI posted again after the reset");
	fake_vm_free(f);
}

UT_TEST(hsm_suspend_invalid_requests)
{
	static const uint64_t bad_types[] = {1,		 0x0fffffff, 0x10000000, 0x7fffffff,
					     0x80000001, 0x8fffffff, 0x90000000, 0xffffffff};
	struct fake_vm *f = fake_vm_running(2, RAM);
	struct fake_sbi_res r;

	/* Nothing pending, no timer: a suspend would sleep for ever */
	for (unsigned int i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		r = fake_sbi_call(f, 1, SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, bad_types[i], ADDR, 0);
		UT_CHECK(r.done && r.error == SBI_ERR_INVALID_PARAM, "type %#llx: %lld",
			 (unsigned long long)bad_types[i], (long long)r.error);
	}
	r = fake_sbi_call(f, 1, SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_NON_RET_DEFAULT,
			  FAKE_RAM_BASE + RAM, 0);
	UT_CHECK(r.done && r.error == SBI_ERR_INVALID_ADDRESS, "resume past RAM: %lld",
		 (long long)r.error);
	r = fake_sbi_call(f, 1, SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_NON_RET_DEFAULT,
			  0x1000, 0);
	UT_CHECK(r.done && r.error == SBI_ERR_INVALID_ADDRESS, "resume below RAM: %lld",
		 (long long)r.error);
	UT_CHECK(fake_count(f, 1, FAKE_RESET) == 0 && status(f, 1).value == SBI_HSM_STATE_STARTED,
		 "an invalid suspend changed the hart");

	/* A backend that takes WFI itself cannot sleep here */
	f->ops.caps |= DV_CAP_WFI_TIMER;
	r = fake_sbi_call(f, 1, SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_RET_DEFAULT, 0,
			  0);
	UT_CHECK(r.error == SBI_ERR_NOT_SUPPORTED, "WFI in the backend: %lld", (long long)r.error);
	fake_vm_free(f);
}

static bool took_ipi_after_resume(struct fake_vm *f, unsigned int i)
{
	return fake_count(f, i, FAKE_RESET) == 2;
}

/* Through the run loop: hart 1 suspends non-retentively, an IPI resumes it */
UT_TEST(hsm_suspend_on_the_vcpu_threads)
{
	struct fake_vm *f = fake_vm_new(2, RAM);
	const struct fake_rec *reset, *ipi;
	int code;

	fake_script(f, 0, FAKE_SBI(SBI_EXT_HSM, SBI_HSM_HART_START, 1, ADDR, 0));
	fake_script_until(f, 0, FAKE_SBI(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 2, 0), suspended, 1);
	fake_script(f, 1,
		    FAKE_SBI(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_NON_RET_DEFAULT,
			     ADDR + 0x40, 0x77));
	fake_script_until(f, 1, FAKE_SBI(SBI_EXT_SRST, 0, SBI_SRST_TYPE_SHUTDOWN, 0),
			  took_ipi_after_resume, 1);
	code = fake_vm_run(f);
	UT_CHECK(code == 0, "exit code %d", code);
	reset = fake_nth(f, 1, FAKE_RESET, 1);
	UT_CHECK(reset && reset->a == ADDR + 0x40 && reset->b == 1 && reset->c == 0x77,
		 "not resumed at resume_addr");
	/* The IPI is taken on the entry after the resume */
	ipi = fake_nth(f, 1, FAKE_TOOK_EVENTS, 0);
	UT_CHECK(reset && ipi && (ipi->a & DV_EV_IPI) && ipi->seq > reset->seq,
		 "IPI not taken after the resume");
	fake_vm_free(f);
}

UT_MAIN()
