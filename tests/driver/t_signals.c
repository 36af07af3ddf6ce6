/*
 * Signals to a thread running its guest (docs/driver-abi.md, Signals): the
 * kernel forces an exit (ucause = DUVISOR_CAUSE_HOST_EXIT, uepc = the guest
 * pc, UPV/UPVP as for a real exit), the thread continues at utvec with the
 * guest's registers and the handler runs on the alternate stack first; the
 * hypervisor then re-enters where the guest stopped.
 *
 * The guest spins (g_spin) storing its counter to RAM, so the main thread
 * knows it is in the guest before it sends the signal.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "csr.h"
#include "dv.h"
#include "report.h"
#include "tests.h"

#define RAM_SIZE (2UL << 20)
#define SLOT_GPA (GUEST_RAM_GPA + 0x180000UL)
#define ROUNDS	 3
#define POISON	 0xdead0000beef0000UL

/* Written by the handler, which runs with the guest's gp and tp (poisoned
 * below), so it only stores to globals (no TLS, no gp-relative access:
 * the binary is linked without relaxation). */
static volatile sig_atomic_t handled[3];
static volatile uintptr_t handler_stack;

static void on_signal(int sig)
{
	volatile char here;
	handled[sig == SIGUSR1 ? 0 : sig == SIGUSR2 ? 1 : 2]++;
	handler_stack = (uintptr_t)&here;
}

struct round {
	uint64_t cause, pc, s1, xstatus;
	int handled_before_return;
	uintptr_t stack;
};

static struct {
	struct dv_vm vm;
	volatile int round; /* rounds finished */
	volatile int go;    /* the main thread saw the guest run */
	struct round r[ROUNDS];
	char err[200];
	uint8_t *altstack_lo;
	uint64_t forced;
} S;

static void *vcpu_thread(void *arg)
{
	(void)arg;
	struct dv_vcpu v;
	/* SIGUSR2 is sent to the process; only this thread may take it. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (dv_vcpu_init(&v, &S.vm, 0, GPA_OF(g_spin)) < 0) {
		snprintf(S.err, sizeof(S.err), "%s", dv_error());
		S.round = ROUNDS;
		return NULL;
	}
	S.altstack_lo = v.altstack;
	v.ctx.x[R_A6] = SLOT_GPA;
	v.ctx.x[R_GP] = POISON;
	v.ctx.x[R_TP] = POISON + 1;
	v.ctx.x[R_SP] = POISON + 2;
	for (int i = 0; i < ROUNDS; i++) {
		int before = handled[0] + handled[1];
		dv_run(&v);
		struct round *r = &S.r[i];
		r->cause = v.ctx.ucause;
		r->pc = v.ctx.pc;
		r->s1 = v.ctx.x[R_S1];
		r->xstatus = v.ctx.exit_hustatus;
		r->handled_before_return = handled[0] + handled[1] - before;
		r->stack = handler_stack;
		S.round = i + 1;
		if (r->cause != DUVISOR_CAUSE_HOST_EXIT)
			break;
		/* re-enter at the guest pc the exit reported */
	}
	S.forced = DV_STAT(&S.vm, forced_exits);
	dv_vcpu_fini(&v);
	return NULL;
}

/* Wait until the guest's counter in RAM moves: the vCPU is in its guest. */
static bool guest_running(void)
{
	volatile uint64_t *slot = dv_gpa_ptr(&S.vm, SLOT_GPA);
	uint64_t end = now_ms() + 10000, first = *slot;
	while (now_ms() < end) {
		if (*slot != first && *slot != 0)
			return true;
		sleep_ms(5);
	}
	return false;
}

static bool round_done(int i)
{
	uint64_t end = now_ms() + 10000;
	while (S.round <= i && now_ms() < end)
		sleep_ms(5);
	return S.round > i;
}

void t_signals(void)
{
	pthread_t th;
	memset(&S, 0, sizeof(S));
	S.vm.fd = -1;
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_ONSTACK};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);

	if (!expect(dv_vm_open(&S.vm, RAM_SIZE) == 0, "%s", dv_error())) {
		report("signal_setup");
		return;
	}
	pthread_create(&th, NULL, vcpu_thread, NULL);
	/* Rounds 0 and 1: SIGUSR1 to the thread; round 2: SIGUSR2 to the
	 * process, which only the vCPU thread can take. */
	const char *names[ROUNDS] = {"signal_forced_exit", "signal_reenter",
				     "signal_process_directed"};
	uint64_t last_s1 = 0;
	for (int i = 0; i < ROUNDS; i++) {
		if (S.err[0] || !expect(guest_running(), "guest counter never moved")) {
			expect(!S.err[0], "%s", S.err);
			report(names[i]);
			break;
		}
		if (i < 2)
			pthread_kill(th, SIGUSR1);
		else
			kill(getpid(), SIGUSR2);
		if (!expect(round_done(i), "no exit within 10 s of the signal (handled %d/%d)",
			    handled[0], handled[1])) {
			report(names[i]);
			/* the thread is stuck in its guest: the group ends here */
			return;
		}
		struct round *r = &S.r[i];
		bool in_spin = r->pc >= GPA_OF(g_spin) && r->pc < GPA_OF(g_spin) + 12;
		expect(r->cause == DUVISOR_CAUSE_HOST_EXIT, "ucause 0x%lx, want 0x%llx",
		       (unsigned long)r->cause, DUVISOR_CAUSE_HOST_EXIT);
		expect(in_spin, "uepc 0x%lx is not in the spinning guest", (unsigned long)r->pc);
		expect((r->xstatus & HUSTATUS_UPV) && (r->xstatus & HUSTATUS_UPVP),
		       "hustatus 0x%lx: UPV/UPVP not 1", (unsigned long)r->xstatus);
		expect(r->handled_before_return == 1, "handler ran %d times before the exit path",
		       r->handled_before_return);
		expect(r->stack >= (uintptr_t)S.altstack_lo &&
			   r->stack < (uintptr_t)S.altstack_lo + (64 << 10),
		       "handler ran at sp 0x%lx, not on the alternate stack",
		       (unsigned long)r->stack);
		expect(r->s1 > last_s1, "guest counter %lu did not grow past %lu",
		       (unsigned long)r->s1, (unsigned long)last_s1);
		last_s1 = r->s1;
		report(names[i]);
	}
	pthread_join(th, NULL);
	expect(S.forced >= ROUNDS, "GET_STATS forced_exits = %lu, want >= %d",
	       (unsigned long)S.forced, ROUNDS);
	report("signal_stats_forced_exits");
	dv_vm_close(&S.vm);
}
