// SPDX-License-Identifier: GPL-2.0-only
/* The scripted backend of the unit tests: see fake_backend.h. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake_backend.h"
#include "vmm/vcpu_snap.h"
#include "vmm/crash.h"
#include "vmm/exit.h"

#define FAKE_TAKEN_EVENTS (DV_EV_IPI | DV_EV_FENCE_I | DV_EV_FENCE_VMA)

static struct fake_vm *fake_of(struct dv_vcpu *vcpu)
{
	return (struct fake_vm *)((char *)vcpu->vm - offsetof(struct fake_vm, vm));
}

static atomic_ulong fake_seq;

static void fake_rec(struct dv_vcpu *vcpu, enum fake_op op, uint64_t a, uint64_t b, uint64_t c)
{
	struct fake_vcpu *v = vcpu->backend;

	pthread_mutex_lock(&v->lock);
	if (v->nlog < FAKE_MAX_LOG)
		v->log[v->nlog++] = (struct fake_rec){op, a, b, c, atomic_fetch_add(&fake_seq, 1)};
	pthread_mutex_unlock(&v->lock);
}

/* A test that waits for something that never comes fails, it does not hang */
__attribute__((constructor)) static void fake_watchdog(void)
{
	alarm(120);
}

uint64_t fake_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool fake_wait(struct fake_vm *f, bool (*cond)(struct fake_vm *f, unsigned int arg),
	       unsigned int arg, unsigned int ms)
{
	uint64_t end = fake_now_ms() + ms;

	while (!cond(f, arg)) {
		if (fake_now_ms() >= end)
			return false;
		usleep(500);
	}
	return true;
}

/* The stand-in for vmm/vm.c's: the first code wins, every vCPU is told */
void dv_vm_stop(struct dv_vm *vm, int exit_code)
{
	if (!atomic_exchange(&vm->stopping, true))
		atomic_store(&vm->exit_code, exit_code);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		dv_vcpu_post(&vm->vcpus[i], DV_EV_STOP);
}

/* Snapshots are not scripted: the stand-ins for vmm/vcpu_snap.c (never restoring, vm->restore NULL)
 */
void dv_vcpu_snap_take(struct dv_vcpu *vcpu)
{
	vcpu->snap.rc = -EOPNOTSUPP;
}

void dv_vcpu_snap_take_cb(void *vcpu)
{
	dv_vcpu_snap_take(vcpu);
}

int dv_vcpu_restore(struct dv_vcpu *vcpu)
{
	(void)vcpu;
	return -EOPNOTSUPP;
}

void dv_vcpu_restore_skip(struct dv_vcpu *vcpu)
{
	(void)vcpu;
}

/* vmm/crash.c's alternate signal stack would fight ASan's own over the thread's exit */
int dv_crash_thread_init(void)
{
	return 0;
}

static int fake_vm_init(struct dv_vm *vm)
{
	(void)vm;
	return 0;
}

static void fake_vm_destroy(struct dv_vm *vm)
{
	(void)vm;
}

static void fake_describe(struct dv_vm *vm, struct dv_cpu_desc *d)
{
	(void)vm;
	*d = (struct dv_cpu_desc){"rv64imafdc", true, FAKE_TIMEBASE, DV_MAX_VCPUS};
}

static int fake_vcpu_init(struct dv_vcpu *vcpu)
{
	struct fake_vcpu *v = vcpu->backend;

	v->inited = true;
	return v->init_rc;
}

static void fake_vcpu_destroy(struct dv_vcpu *vcpu)
{
	((struct fake_vcpu *)vcpu->backend)->destroyed = true;
}

static void fake_vcpu_reset(struct dv_vcpu *vcpu, uint64_t pc, uint64_t a0, uint64_t a1)
{
	struct fake_vcpu *v = vcpu->backend;

	memset(v->x, 0, sizeof(v->x));
	v->pc = pc;
	v->x[10] = a0;
	v->x[11] = a1;
	fake_rec(vcpu, FAKE_RESET, pc, a0, a1);
}

/* The guest has nothing to do: wait for an event, as a guest in WFI would */
static void fake_idle(struct fake_vm *f, struct dv_vcpu *vcpu)
{
	uint64_t end = fake_now_ms() + FAKE_IDLE_LIMIT_MS;
	struct timespec ts = {(time_t)(end / 1000), (long)(end % 1000) * 1000000};

	if (!dv_vcpu_wait(vcpu, ~0u, false, &ts))
		dv_vm_stop(&f->vm, FAKE_EXIT_HUNG);
}

static int fake_vcpu_run(struct dv_vcpu *vcpu, struct dv_exit *exit)
{
	struct fake_vm *f = fake_of(vcpu);
	struct fake_vcpu *v = vcpu->backend;
	unsigned int ev = atomic_fetch_and(&vcpu->events, ~FAKE_TAKEN_EVENTS) & FAKE_TAKEN_EVENTS;
	const struct fake_step *s;

	if (ev)
		fake_rec(vcpu, FAKE_TOOK_EVENTS, ev, 0, 0);
	memset(exit, 0, sizeof(*exit));
	exit->reason = DV_VMEXIT_KICK;
	if (v->next == v->nscript) {
		fake_idle(f, vcpu);
	} else {
		s = &v->script[v->next++];
		if (!s->until || fake_wait(f, s->until, s->arg, FAKE_IDLE_LIMIT_MS))
			*exit = s->e;
		else
			dv_vm_stop(&f->vm, FAKE_EXIT_HUNG);
	}
	exit->pc = v->pc;
	fake_rec(vcpu, FAKE_RUN, exit->reason, 0, 0);
	return 0;
}

static void fake_sbi_done(struct dv_vcpu *vcpu, int64_t error, int64_t value, bool legacy)
{
	struct fake_vcpu *v = vcpu->backend;

	v->x[10] = (uint64_t)error;
	if (!legacy)
		v->x[11] = (uint64_t)value;
	v->pc += 4;
	fake_rec(vcpu, FAKE_SBI_DONE, (uint64_t)error, (uint64_t)value, legacy);
}

static void fake_mmio_done(struct dv_vcpu *vcpu, const struct dv_exit *exit, uint64_t value)
{
	fake_rec(vcpu, FAKE_MMIO_DONE, value, exit->mmio.gpa, exit->mmio.is_store);
}

static uint64_t fake_get_reg(struct dv_vcpu *vcpu, unsigned int n)
{
	struct fake_vcpu *v = vcpu->backend;

	return n && n < 32 ? v->x[n] : 0;
}

static void fake_set_reg(struct dv_vcpu *vcpu, unsigned int n, uint64_t val)
{
	struct fake_vcpu *v = vcpu->backend;

	if (n && n < 32)
		v->x[n] = val;
	fake_rec(vcpu, FAKE_SET_REG, n, val, 0);
}

static void fake_inject(struct dv_vcpu *vcpu, uint64_t cause, uint64_t tval)
{
	fake_rec(vcpu, FAKE_INJECT, cause, tval, 0);
}

/* As dvext does: the line is taken before the next entry, a rising one kicks */
static void fake_set_ext_irq(struct dv_vcpu *vcpu, bool level)
{
	fake_rec(vcpu, FAKE_EXT_IRQ, level, 0, 0);
	atomic_store(&vcpu->ext_irq, level);
	if (level)
		dv_vcpu_post(vcpu, 0);
}

static bool fake_irq_pending(struct dv_vcpu *vcpu)
{
	return ((struct fake_vcpu *)vcpu->backend)->irq_pending;
}

static uint64_t fake_guest_time(struct dv_vcpu *vcpu)
{
	return ((struct fake_vcpu *)vcpu->backend)->time;
}

static uint64_t fake_timer_deadline(struct dv_vcpu *vcpu)
{
	return ((struct fake_vcpu *)vcpu->backend)->deadline;
}

static void fake_set_timer(struct dv_vcpu *vcpu, uint64_t deadline)
{
	((struct fake_vcpu *)vcpu->backend)->deadline = deadline;
	fake_rec(vcpu, FAKE_SET_TIMER, deadline, 0, 0);
}

static bool fake_kick(struct dv_vcpu *target)
{
	fake_rec(target, FAKE_KICK, 0, 0, 0);
	return true;
}

const struct dv_backend_ops fake_backend_ops = {
    .name = "fake",
    .caps = DV_CAP_INJECT,
    .vm_init = fake_vm_init,
    .vm_destroy = fake_vm_destroy,
    .describe = fake_describe,
    .vcpu_init = fake_vcpu_init,
    .vcpu_destroy = fake_vcpu_destroy,
    .vcpu_reset = fake_vcpu_reset,
    .vcpu_run = fake_vcpu_run,
    .sbi_done = fake_sbi_done,
    .mmio_done = fake_mmio_done,
    .get_reg = fake_get_reg,
    .set_reg = fake_set_reg,
    .inject_exception = fake_inject,
    .set_ext_irq = fake_set_ext_irq,
    .irq_pending = fake_irq_pending,
    .guest_time = fake_guest_time,
    .timer_deadline = fake_timer_deadline,
    .set_timer = fake_set_timer,
    .kick = fake_kick,
};

struct fake_vm *fake_vm_new(unsigned int nr_vcpus, uint64_t ram_size)
{
	struct fake_vm *f = calloc(1, sizeof(*f));

	if (!f)
		abort();
	f->ops = fake_backend_ops;
	f->nr_vcpus = nr_vcpus;
	f->vm.ops = &f->ops;
	f->vm.nr_vcpus = nr_vcpus;
	f->vm.io_wake = -1;
	f->vm.timebase = FAKE_TIMEBASE;
	f->vm.mem = (struct dv_guest_mem){calloc(1, ram_size), FAKE_RAM_BASE, ram_size};
	f->vm.vcpus = calloc(nr_vcpus, sizeof(*f->vm.vcpus));
	f->fv = calloc(nr_vcpus, sizeof(*f->fv));
	if (!f->vm.mem.host || !f->vm.vcpus || !f->fv)
		abort();
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		struct dv_vcpu *vcpu = &f->vm.vcpus[i];

		vcpu->vm = &f->vm;
		vcpu->id = i;
		vcpu->backend = &f->fv[i];
		pthread_mutex_init(&f->fv[i].lock, NULL);
		f->fv[i].deadline = UINT64_MAX;
		/* As after boot: the first hart runs, the others wait for HSM */
		atomic_store(&vcpu->state, i ? DV_VCPU_STOPPED : DV_VCPU_RUNNING);
	}
	return f;
}

struct fake_vm *fake_vm_running(unsigned int nr_vcpus, uint64_t ram_size)
{
	struct fake_vm *f = fake_vm_new(nr_vcpus, ram_size);

	for (unsigned int i = 0; f && i < nr_vcpus; i++)
		atomic_store(&f->vm.vcpus[i].state, DV_VCPU_RUNNING);
	return f;
}

unsigned int fake_events(struct fake_vm *f, unsigned int i)
{
	return atomic_load(&f->vm.vcpus[i].events);
}

void fake_vm_free(struct fake_vm *f)
{
	for (unsigned int i = 0; i < f->nr_vcpus; i++) {
		pthread_mutex_destroy(&f->fv[i].lock);
	}
	free(f->vm.mem.host);
	free(f->vm.vcpus);
	free(f->fv);
	free(f);
}

void fake_script_until(struct fake_vm *f, unsigned int i, struct dv_exit e,
		       bool (*until)(struct fake_vm *f, unsigned int arg), unsigned int arg)
{
	struct fake_vcpu *v = &f->fv[i];

	if (v->nscript == FAKE_MAX_SCRIPT)
		abort();
	v->script[v->nscript++] = (struct fake_step){e, until, arg};
}

void fake_script(struct fake_vm *f, unsigned int i, struct dv_exit e)
{
	fake_script_until(f, i, e, NULL, 0);
}

int fake_vm_run(struct fake_vm *f)
{
	unsigned int i;

	for (i = 0; i < f->nr_vcpus; i++)
		if (pthread_create(&f->vm.vcpus[i].thread, NULL, dv_vcpu_thread, &f->vm.vcpus[i]))
			abort();
	for (i = 0; i < f->nr_vcpus; i++)
		pthread_join(f->vm.vcpus[i].thread, NULL);
	return atomic_load(&f->vm.exit_code);
}

int fake_exit(struct fake_vm *f, unsigned int i, struct dv_exit e)
{
	return dv_handle_exit(&f->vm.vcpus[i], &e);
}

struct fake_sbi_res fake_sbi_call(struct fake_vm *f, unsigned int i, uint64_t eid, uint64_t fid,
				  uint64_t a0, uint64_t a1, uint64_t a2)
{
	unsigned int before = fake_count(f, i, FAKE_SBI_DONE);
	struct fake_sbi_res res = {.error = 1};
	const struct fake_rec *r;
	int rc = fake_exit(f, i, FAKE_SBI(eid, fid, a0, a1, a2));

	if (rc != 1) {
		fprintf(stderr, "fake: an SBI exit returned %d\n", rc);
		abort();
	}
	if (fake_count(f, i, FAKE_SBI_DONE) > before) {
		r = fake_last(f, i, FAKE_SBI_DONE);
		res = (struct fake_sbi_res){(int64_t)r->a, (int64_t)r->b, r->c != 0, true};
	}
	return res;
}

unsigned int fake_count(struct fake_vm *f, unsigned int i, enum fake_op op)
{
	struct fake_vcpu *v = &f->fv[i];
	unsigned int n = 0;

	pthread_mutex_lock(&v->lock);
	for (unsigned int k = 0; k < v->nlog; k++)
		n += v->log[k].op == op;
	pthread_mutex_unlock(&v->lock);
	return n;
}

const struct fake_rec *fake_nth(struct fake_vm *f, unsigned int i, enum fake_op op, unsigned int n)
{
	struct fake_vcpu *v = &f->fv[i];
	const struct fake_rec *r = NULL;

	pthread_mutex_lock(&v->lock);
	for (unsigned int k = 0; k < v->nlog && !r; k++)
		if (v->log[k].op == op && n-- == 0)
			r = &v->log[k];
	pthread_mutex_unlock(&v->lock);
	return r;
}

const struct fake_rec *fake_last(struct fake_vm *f, unsigned int i, enum fake_op op)
{
	unsigned int n = fake_count(f, i, op);

	return n ? fake_nth(f, i, op, n - 1) : NULL;
}

unsigned int fake_log(struct fake_vm *f, unsigned int i, const struct fake_rec **log)
{
	*log = f->fv[i].log;
	return f->fv[i].nlog;
}

void fake_log_clear(struct fake_vm *f, unsigned int i)
{
	pthread_mutex_lock(&f->fv[i].lock);
	f->fv[i].nlog = 0;
	pthread_mutex_unlock(&f->fv[i].lock);
}

static struct {
	int saved;
	FILE *tmp;
} capture = {.saved = -1};

void fake_capture_start(int fd)
{
	fflush(stdout);
	fflush(stderr);
	capture.tmp = tmpfile();
	capture.saved = dup(fd);
	if (!capture.tmp || capture.saved < 0 || dup2(fileno(capture.tmp), fd) < 0)
		abort();
}

size_t fake_capture_end(int fd, char *buf, size_t len)
{
	size_t n;

	fflush(stdout);
	fflush(stderr);
	dup2(capture.saved, fd);
	close(capture.saved);
	rewind(capture.tmp);
	n = fread(buf, 1, len - 1, capture.tmp);
	buf[n] = 0;
	fclose(capture.tmp);
	capture.tmp = NULL;
	return n;
}
