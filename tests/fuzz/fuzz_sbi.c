// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: SBI dispatch (the extensions in sbi/) with any extension id, function
 * id and arguments, from any running vCPU of a VM of 1..DV_MAX_VCPUS, on
 * the unit tests' scripted backend (tests/unit/fake_backend.c). A call goes
 * through dv_sbi_call(), or through the exit dispatch as a vCPU thread
 * makes it (dv_handle_exit: the backend's sbi_done gets the result), or
 * through dv_handle_exit_inline() as dvext makes it from its exit stub.
 * The harness plays the vCPUs' run loops: a vCPU the guest started is
 * picked up (reset at its start address, running) when the input says.
 *
 * Input: header: nr_vcpus u8, flags u8 (bit 0 the backend takes WFI and
 * the timer itself, DV_CAP_WFI_TIMER; bit 1 it has no set_timer; bit 2
 * every vCPU starts running), then operations until the input ends, an
 * opcode u8 (% OP_COUNT) and its arguments:
 *   OP_CALL:    caller u8 (among the running vCPUs), path u8, extension
 *               choice u8 (and u64 if raw), function choice u8 (and u64),
 *               six arguments, each a kind u8 and a value (see arg())
 *   OP_PICKUP:  vCPU u8: its run loop takes a pending HSM start
 *   OP_TAKE:    vCPU u8: it enters its guest, taking IPI and fence events
 *   OP_INPUT:   len u8 and len bytes: host input on the console
 *   OP_WAKE:    vCPU u8, how u8: something for hart_suspend to wake on
 *
 * Checked after every call, besides ASan/UBSan (the vCPU array is
 * allocated to the VM's size, so no index >= nr_vcpus is touched
 * unnoticed), against a reference computed here from the SBI
 * specification (v2.0) and sbi.h:
 * - the result: a valid SBI error code (for a v0.1 call, the call's value
 *   or -2 in a0 alone), value 0 with an error, exactly the error and value
 *   the reference gives; an unknown extension or function is
 *   SBI_ERR_NOT_SUPPORTED, and BASE probe_extension agrees with what is
 *   served; sbi_done is called iff the guest goes on after the ecall, with
 *   that result; dv_handle_exit_inline() does nothing at all for what is
 *   not quick;
 * - the vCPUs: events are posted (and kicked) exactly on the harts an IPI,
 *   RFENCE or HSM start names, none on any other, none when the hart mask
 *   is invalid; HSM states change only as the spec allows (STOPPED to
 *   START_PENDING by hart_start, START_PENDING to STARTED by the run loop,
 *   STARTED to STOPPED by hart_stop on the caller itself, SUSPENDED only
 *   while the caller sleeps in hart_suspend, which ends STARTED);
 *   hart_get_status reports the state; a started hart is reset at the
 *   address and with the opaque value its hart_start gave, a0 its id;
 * - the VM stops (with the exit status sbi.h gives) exactly on a valid
 *   SRST or a v0.1 shutdown, and then nothing else happens;
 * - the console: DBCN and v0.1 output is exactly the guest's bytes (stdout
 *   is a memfd here), input is read in order; guest RAM changes only where
 *   DBCN console_read writes; the timer is set only by set_timer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/cli.h"
#include "fake_backend.h"
#include "fuzz_common.h"
#include "sbi/sbi.h"
#include "vmm/console.h"
#include "vmm/exit.h"

#define RAM_SIZE 0x4000ull
#define MAX_OPS	 512
#define NR_MAX	 DV_MAX_VCPUS
#define CON_RING 4096 /* vmm/console.c's input ring */

enum { OP_CALL, OP_PICKUP, OP_TAKE, OP_INPUT, OP_WAKE, OP_COUNT };
enum { VIA_CALL, VIA_EXIT, VIA_INLINE };

static struct fake_vm *f;
static unsigned int nr;
static int out_fd = -1; /* stdout: the console's output */
static off_t out_seen;
static uint8_t shadow[RAM_SIZE];
static unsigned int in_suspend = ~0u; /* the vCPU in hart_suspend, whose state is SUSPENDED */
static unsigned int calls, errors;

/* The console's input, as vmm/console.c queues it */
static struct {
	uint8_t q[CON_RING];
	size_t head, count;
	bool escape;
} con;

/* ---- the backend's hooks: hart_suspend sleeps as SUSPENDED ---- */

static void check_suspended(struct dv_vcpu *vcpu)
{
	FZ_CHECK(vcpu->id == in_suspend, "vCPU %u idles outside hart_suspend", vcpu->id);
	FZ_CHECK(atomic_load(&vcpu->state) == DV_VCPU_SUSPENDED, "vCPU %u sleeps in state %d",
		 vcpu->id, atomic_load(&vcpu->state));
}

static uint64_t hook_deadline(struct dv_vcpu *vcpu)
{
	check_suspended(vcpu);
	return fake_backend_ops.timer_deadline(vcpu);
}

static bool hook_irq_pending(struct dv_vcpu *vcpu)
{
	check_suspended(vcpu);
	return fake_backend_ops.irq_pending(vcpu);
}

/* ---- the console ---- */

static void con_queue(uint8_t c)
{
	if (con.count < CON_RING)
		con.q[(con.head + con.count++) % CON_RING] = c;
}

static void console_input(const uint8_t *buf, size_t len)
{
	bool go_on = true, got;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = buf[i];

		if (con.escape) {
			con.escape = false;
			if (c == 'x' || c == 'X') {
				go_on = false;
				break;
			}
			if (c != DV_CONSOLE_ESCAPE)
				con_queue(DV_CONSOLE_ESCAPE);
			con_queue(c);
		} else if (c == DV_CONSOLE_ESCAPE) {
			con.escape = true;
		} else {
			con_queue(c);
		}
	}
	got = dv_console_input(buf, len);
	FZ_CHECK(got == go_on, "console input: %d, want %d", got, go_on);
	FZ_CHECK(dv_console_pending() == con.count, "console holds %zu, want %zu",
		 dv_console_pending(), con.count);
}

static int con_getc(void)
{
	int c;

	if (!con.count)
		return -1;
	c = con.q[con.head];
	con.head = (con.head + 1) % CON_RING;
	con.count--;
	return c;
}

/* What reached stdout since the last look */
static size_t out_new(uint8_t *buf, size_t len)
{
	off_t end = lseek(out_fd, 0, SEEK_CUR);
	ssize_t n;

	FZ_CHECK(end >= out_seen && (size_t)(end - out_seen) <= len, "%lld bytes of output",
		 (long long)(end - out_seen));
	n = pread(out_fd, buf, (size_t)(end - out_seen), out_seen);
	FZ_CHECK(n == end - out_seen, "reading the output back");
	out_seen = end;
	return (size_t)n;
}

/* ---- the reference ---- */

static bool in_ram(uint64_t gpa, uint64_t len)
{
	return gpa >= FAKE_RAM_BASE && len <= RAM_SIZE && gpa - FAKE_RAM_BASE <= RAM_SIZE - len;
}

/* The harts (hart_mask, hart_mask_base) names, as a bitmap; false if invalid */
static bool ref_harts(uint64_t mask, uint64_t base, uint32_t *set)
{
	*set = 0;
	if (base == UINT64_MAX) {
		*set = (1u << nr) - 1;
		return true;
	}
	if (base >= nr)
		return false;
	for (unsigned int i = 0; i < 64; i++) {
		if (!(mask >> i & 1))
			continue;
		if (base + i >= nr)
			return false;
		*set |= 1u << (base + i);
	}
	return true;
}

static bool has_timer(void)
{
	return f->ops.set_timer != NULL;
}

/* BASE probe_extension */
static int64_t ref_probe(uint64_t eid)
{
	switch (eid) {
	case SBI_EXT_BASE:
	case SBI_EXT_IPI:
	case SBI_EXT_RFENCE:
	case SBI_EXT_HSM:
	case SBI_EXT_SRST:
	case SBI_EXT_DBCN:
		return 1;
	case SBI_EXT_TIME:
	case SBI_LEGACY_SET_TIMER:
		return has_timer();
	case SBI_LEGACY_PUTCHAR:
	case SBI_LEGACY_GETCHAR:
	case SBI_LEGACY_SHUTDOWN:
		return 1;
	default:
		return 0;
	}
}

/* What the vCPUs looked like */
struct snap {
	int state[NR_MAX];
	unsigned int events[NR_MAX];
	uint64_t start_pc[NR_MAX], start_arg[NR_MAX];
	bool stopping;
};

static void take_snap(struct snap *s)
{
	for (unsigned int i = 0; i < nr; i++) {
		struct dv_vcpu *v = &f->vm.vcpus[i];

		s->state[i] = atomic_load(&v->state);
		s->events[i] = atomic_load(&v->events);
		s->start_pc[i] = v->start_pc;
		s->start_arg[i] = v->start_arg;
	}
	s->stopping = atomic_load(&f->vm.stopping);
}

/* A call's expected effects, besides the result */
struct want {
	struct dv_sbi_ret r;
	struct snap after;
	unsigned int kicks[NR_MAX]; /* posts, each with a kick */
	bool reset;		    /* the caller is reset at reset_pc, a0 = id, a1 = reset_arg */
	uint64_t reset_pc, reset_arg;
	bool timer; /* the caller's timer is set to timer_to */
	uint64_t timer_to;
	int exit_code;	 /* when after.stopping */
	bool sleeps;	 /* hart_suspend sleeps (and must find a reason to wake) */
	uint64_t rd_gpa; /* DBCN read: where, and what (rd[nrd]) */
	size_t nrd;
	size_t nout; /* the console's output: out[nout] */
	/* the buffers last: want_init() clears what comes before them */
	uint8_t out[RAM_SIZE];
	uint8_t rd[RAM_SIZE];
};

static void want_init(struct want *w, const struct snap *before)
{
	memset(w, 0, offsetof(struct want, out));
	w->after = *before;
}

static void post(struct want *w, uint32_t harts, unsigned int ev)
{
	for (unsigned int i = 0; i < nr; i++)
		if (harts >> i & 1) {
			w->after.events[i] |= ev;
			w->kicks[i]++;
		}
}

static void stop(struct want *w, int code)
{
	w->after.stopping = true;
	w->exit_code = code;
	post(w, (1u << nr) - 1, DV_EV_STOP);
	w->r.no_advance = true;
}

/*
 * The reference: what the call does, from the SBI spec (v2.0) and sbi.h.
 * Returns the SBI error; sets w->r.value and the effects.
 */
static int64_t ref_fn(unsigned int self, uint64_t eid, uint64_t fid, const uint64_t *a,
		      struct want *w)
{
	uint32_t harts, type;
	int64_t v;

	if (eid <= SBI_EXT_LEGACY_MAX) {
		switch (eid) {
		case SBI_LEGACY_SET_TIMER:
			if (!has_timer())
				return SBI_ERR_NOT_SUPPORTED;
			w->timer = true;
			w->timer_to = a[0];
			return 0;
		case SBI_LEGACY_PUTCHAR:
			w->out[w->nout++] = (uint8_t)a[0];
			return 0;
		case SBI_LEGACY_GETCHAR:
			w->r.value = con_getc();
			return 0;
		case SBI_LEGACY_SHUTDOWN:
			stop(w, DV_EXIT_OK);
			return 0;
		}
		return SBI_ERR_NOT_SUPPORTED;
	}
	switch (eid) {
	case SBI_EXT_BASE:
		switch (fid) {
		case SBI_BASE_GET_SPEC_VERSION:
			w->r.value = 2 << 24;
			return 0;
		case SBI_BASE_GET_IMPL_ID:
			w->r.value = DV_SBI_IMPL_ID;
			return 0;
		case SBI_BASE_GET_IMPL_VERSION:
			w->r.value = 1;
			return 0;
		case SBI_BASE_PROBE_EXT:
			w->r.value = ref_probe(a[0]);
			return 0;
		case SBI_BASE_GET_MVENDORID:
		case SBI_BASE_GET_MARCHID:
		case SBI_BASE_GET_MIMPID:
			return 0;
		}
		return SBI_ERR_NOT_SUPPORTED;
	case SBI_EXT_TIME:
		if (!has_timer() || fid != SBI_TIME_SET_TIMER)
			return SBI_ERR_NOT_SUPPORTED;
		w->timer = true;
		w->timer_to = a[0];
		return 0;
	case SBI_EXT_IPI:
		if (fid != SBI_IPI_SEND_IPI)
			return SBI_ERR_NOT_SUPPORTED;
		if (!ref_harts(a[0], a[1], &harts))
			return SBI_ERR_INVALID_PARAM;
		post(w, harts, DV_EV_IPI);
		return 0;
	case SBI_EXT_RFENCE:
		if (fid > SBI_RFENCE_SFENCE_VMA_ASID) /* the HFENCEs: the guest has no H */
			return SBI_ERR_NOT_SUPPORTED;
		if (!ref_harts(a[0], a[1], &harts))
			return SBI_ERR_INVALID_PARAM;
		post(w, harts, fid == SBI_RFENCE_FENCE_I ? DV_EV_FENCE_I : DV_EV_FENCE_VMA);
		return 0;
	case SBI_EXT_HSM:
		switch (fid) {
		case SBI_HSM_HART_START:
			if (a[0] >= nr)
				return SBI_ERR_INVALID_PARAM;
			if (!in_ram(a[1], 1))
				return SBI_ERR_INVALID_ADDRESS;
			if (w->after.state[a[0]] != DV_VCPU_STOPPED)
				return SBI_ERR_ALREADY_AVAILABLE;
			w->after.state[a[0]] = DV_VCPU_START_PENDING;
			w->after.start_pc[a[0]] = a[1];
			w->after.start_arg[a[0]] = a[2];
			post(w, 1u << a[0], DV_EV_START);
			return 0;
		case SBI_HSM_HART_STOP:
			w->after.state[self] = DV_VCPU_STOPPED;
			w->r.no_advance = true;
			return 0;
		case SBI_HSM_HART_GET_STATUS:
			if (a[0] >= nr)
				return SBI_ERR_INVALID_PARAM;
			switch (w->after.state[a[0]]) {
			case DV_VCPU_STOPPED:
				v = SBI_HSM_STATE_STOPPED;
				break;
			case DV_VCPU_START_PENDING:
				v = SBI_HSM_STATE_START_PENDING;
				break;
			case DV_VCPU_RUNNING:
				v = SBI_HSM_STATE_STARTED;
				break;
			default:
				v = SBI_HSM_STATE_SUSPENDED;
				break;
			}
			w->r.value = v;
			return 0;
		case SBI_HSM_HART_SUSPEND:
			type = (uint32_t)a[0]; /* suspend_type is 32 bits */
			if (type != SBI_HSM_SUSPEND_RET_DEFAULT &&
			    type != SBI_HSM_SUSPEND_NON_RET_DEFAULT)
				return SBI_ERR_INVALID_PARAM;
			if (f->ops.caps & DV_CAP_WFI_TIMER)
				return SBI_ERR_NOT_SUPPORTED;
			if (type && !in_ram(a[1], 1))
				return SBI_ERR_INVALID_ADDRESS;
			w->sleeps = true;
			if (type) {
				w->reset = true;
				w->reset_pc = a[1];
				w->reset_arg = a[2];
				w->after.events[self] |=
				    DV_EV_IPI; /* kept for the guest, no kick */
				w->r.no_advance = true;
			}
			return 0;
		}
		return SBI_ERR_NOT_SUPPORTED;
	case SBI_EXT_SRST:
		if (fid != SBI_SRST_SYSTEM_RESET)
			return SBI_ERR_NOT_SUPPORTED;
		if ((uint32_t)a[0] > SBI_SRST_TYPE_WARM_REBOOT ||
		    (uint32_t)a[1] > SBI_SRST_REASON_SYSFAILURE)
			return SBI_ERR_INVALID_PARAM;
		stop(w, (uint32_t)a[1] == SBI_SRST_REASON_SYSFAILURE ? DV_EXIT_SYSFAIL
			: (uint32_t)a[0] == SBI_SRST_TYPE_SHUTDOWN   ? DV_EXIT_OK
								     : DV_EXIT_GUEST);
		return 0;
	case SBI_EXT_DBCN:
		switch (fid) {
		case SBI_DBCN_WRITE:
			if (a[2] || !in_ram(a[1], a[0]))
				return SBI_ERR_INVALID_PARAM;
			memcpy(w->out + w->nout, f->vm.mem.host + (a[1] - FAKE_RAM_BASE), a[0]);
			w->nout += a[0];
			w->r.value = (int64_t)a[0];
			return 0;
		case SBI_DBCN_READ:
			if (a[2] || !in_ram(a[1], a[0]))
				return SBI_ERR_INVALID_PARAM;
			w->rd_gpa = a[1];
			for (int c; w->nrd < a[0] && (c = con_getc()) >= 0;)
				w->rd[w->nrd++] = (uint8_t)c;
			w->r.value = (int64_t)w->nrd;
			return 0;
		case SBI_DBCN_WRITE_BYTE:
			w->out[w->nout++] = (uint8_t)a[0];
			return 0;
		}
		return SBI_ERR_NOT_SUPPORTED;
	}
	return SBI_ERR_NOT_SUPPORTED;
}

static bool quick(uint64_t eid)
{
	return eid == SBI_EXT_BASE || eid == SBI_EXT_TIME || eid == SBI_EXT_IPI ||
	       eid == SBI_EXT_RFENCE || eid == SBI_EXT_DBCN;
}

static bool valid_error(int64_t e)
{
	return e <= SBI_SUCCESS && e >= SBI_ERR_ALREADY_STOPPED;
}

/* ---- one call ---- */

static const uint64_t eids[] = {SBI_EXT_BASE,	SBI_EXT_TIME,	    SBI_EXT_IPI,
				SBI_EXT_RFENCE, SBI_EXT_HSM,	    SBI_EXT_SRST,
				SBI_EXT_DBCN,	0x504D55 /* PMU */, 0x53555350 /* SUSP */};

/* An argument: kind u8, then its value */
static uint64_t arg(struct fz *in)
{
	switch (fz_u8(in) % 7) {
	case 0:
		return fz_u8(in) % (NR_MAX + 2); /* a hart, a type */
	case 1:
		return FAKE_RAM_BASE + fz_u16(in); /* in or near RAM */
	case 2:
		return fz_u64(in);
	case 3:
		return UINT64_MAX;
	case 4:
		return 1ull << (fz_u8(in) % 64); /* a mask */
	case 5:
		return fz_u16(in); /* a mask, a size */
	default:
		return 0;
	}
}

static void call(struct fz *in)
{
	unsigned int pick = fz_u8(in), via = fz_u8(in) % 3, c = fz_u8(in), self = nr;
	uint64_t eid, fid, a[6];
	struct dv_vcpu *vcpu;
	struct dv_sbi_ret got = {0};
	struct snap before, after;
	static struct want w;
	static uint8_t out[RAM_SIZE + 16];
	const struct fake_rec *rec;
	size_t nout;
	int64_t err;
	bool handled;
	int rc;

	/* the caller: a running vCPU */
	for (unsigned int i = 0, n = 0; i < nr; i++)
		if (atomic_load(&f->vm.vcpus[i].state) == DV_VCPU_RUNNING && n++ == pick % nr)
			self = i;
	for (unsigned int i = 0; self == nr && i < nr; i++)
		if (atomic_load(&f->vm.vcpus[i].state) == DV_VCPU_RUNNING)
			self = i;
	eid = c < 0xc0	 ? eids[c % (sizeof(eids) / sizeof(eids[0]))]
	      : c < 0xf0 ? c % 16 /* the v0.1 calls */
			 : fz_u64(in);
	c = fz_u8(in);
	fid = c < 0xf0 ? c % 8 : fz_u64(in);
	for (int i = 0; i < 6; i++)
		a[i] = arg(in);
	if (self == nr)
		return; /* every hart is stopped: nobody calls */
	vcpu = &f->vm.vcpus[self];

	/* the reference, from the state before */
	take_snap(&before);
	want_init(&w, &before);
	/* inline, what is not quick is left to the run loop: nothing is done */
	handled = via != VIA_INLINE || quick(eid);
	if (handled) {
		w.r.legacy = eid <= SBI_EXT_LEGACY_MAX;
		err = ref_fn(self, eid, fid, a, &w);
		if (w.r.legacy) {
			w.r.error = err ? err : w.r.value;
			w.r.value = 0;
		} else {
			w.r.error = err;
			if (err)
				w.r.value = 0;
		}
	}
	/* hart_suspend sleeps until something is pending: make sure something is */
	if (w.sleeps && handled) {
		struct fake_vcpu *fv = &f->fv[self];

		if (!fv->irq_pending && fv->deadline > fv->time && !atomic_load(&vcpu->events) &&
		    !atomic_load(&vcpu->ext_irq))
			fv->irq_pending = true;
	}
	for (unsigned int i = 0; i < nr; i++)
		fake_log_clear(f, i);
	memcpy(shadow, f->vm.mem.host, RAM_SIZE);

	/* the call */
	in_suspend = self;
	if (via == VIA_CALL) {
		got = dv_sbi_call(vcpu, eid, fid, a);
	} else {
		struct dv_exit e = {.reason = DV_VMEXIT_SBI, .sbi = {eid, fid, {0}}};

		memcpy(e.sbi.args, a, sizeof(a));
		if (via == VIA_EXIT) {
			rc = dv_handle_exit(vcpu, &e);
			FZ_CHECK(rc == 1, "dv_handle_exit of an SBI call: %d", rc);
		} else {
			FZ_CHECK(dv_handle_exit_inline(vcpu, &e) == handled,
				 "inline eid %#llx: handled %d", (unsigned long long)eid, !handled);
		}
	}
	in_suspend = ~0u;
	f->fv[self].irq_pending = false;
	calls++;
	errors += w.r.error != 0;

	/* the result */
	if (via == VIA_CALL) {
		FZ_CHECK(
		    got.legacy == w.r.legacy && got.error == w.r.error && got.value == w.r.value &&
			got.no_advance == w.r.no_advance,
		    "eid %#llx fid %#llx (%#llx %#llx %#llx) on hart %u: error %lld value %lld "
		    "legacy %d no_advance %d, want %lld %lld %d %d",
		    (unsigned long long)eid, (unsigned long long)fid, (unsigned long long)a[0],
		    (unsigned long long)a[1], (unsigned long long)a[2], self, (long long)got.error,
		    (long long)got.value, got.legacy, got.no_advance, (long long)w.r.error,
		    (long long)w.r.value, w.r.legacy, w.r.no_advance);
		FZ_CHECK(got.legacy || valid_error(got.error), "error %lld", (long long)got.error);
		FZ_CHECK(got.legacy || !got.error || !got.value, "error %lld with value %lld",
			 (long long)got.error, (long long)got.value);
	} else {
		rec = fake_last(f, self, FAKE_SBI_DONE);
		FZ_CHECK(fake_count(f, self, FAKE_SBI_DONE) == (handled && !w.r.no_advance),
			 "eid %#llx fid %#llx: sbi_done %u times", (unsigned long long)eid,
			 (unsigned long long)fid, fake_count(f, self, FAKE_SBI_DONE));
		FZ_CHECK(!rec || rec->c || valid_error((int64_t)rec->a), "sbi_done error %lld",
			 rec ? (long long)rec->a : 0);
		if (rec)
			FZ_CHECK(
			    (int64_t)rec->a == w.r.error && (int64_t)rec->b == w.r.value &&
				(bool)rec->c == w.r.legacy,
			    "eid %#llx fid %#llx (%#llx %#llx %#llx): sbi_done(%lld, %lld, %d), "
			    "want (%lld, %lld, %d)",
			    (unsigned long long)eid, (unsigned long long)fid,
			    (unsigned long long)a[0], (unsigned long long)a[1],
			    (unsigned long long)a[2], (long long)rec->a, (long long)rec->b,
			    (int)rec->c, (long long)w.r.error, (long long)w.r.value, w.r.legacy);
	}

	/* the vCPUs */
	take_snap(&after);
	for (unsigned int i = 0; i < nr; i++) {
		/* HSM: a call starts another stopped hart, or stops the caller; SUSPENDED
		 * lasts only as long as the caller's hart_suspend */
		FZ_CHECK(after.state[i] == before.state[i] ||
			     (before.state[i] == DV_VCPU_STOPPED &&
			      after.state[i] == DV_VCPU_START_PENDING && i != self) ||
			     (before.state[i] == DV_VCPU_RUNNING &&
			      after.state[i] == DV_VCPU_STOPPED && i == self),
			 "eid %#llx fid %#llx from hart %u: hart %u went from state %d to %d",
			 (unsigned long long)eid, (unsigned long long)fid, self, i, before.state[i],
			 after.state[i]);
		FZ_CHECK(after.state[i] == w.after.state[i],
			 "eid %#llx fid %#llx from hart %u: hart %u went from state %d to %d, want "
			 "%d",
			 (unsigned long long)eid, (unsigned long long)fid, self, i, before.state[i],
			 after.state[i], w.after.state[i]);
		FZ_CHECK(after.events[i] == w.after.events[i],
			 "eid %#llx fid %#llx (%#llx %#llx) from hart %u: hart %u's events %#x, "
			 "want %#x",
			 (unsigned long long)eid, (unsigned long long)fid, (unsigned long long)a[0],
			 (unsigned long long)a[1], self, i, after.events[i], w.after.events[i]);
		FZ_CHECK(after.start_pc[i] == w.after.start_pc[i] &&
			     after.start_arg[i] == w.after.start_arg[i],
			 "hart %u's start address", i);
		FZ_CHECK(fake_count(f, i, FAKE_KICK) == w.kicks[i],
			 "hart %u kicked %u times, "
			 "want %u",
			 i, fake_count(f, i, FAKE_KICK), w.kicks[i]);
		FZ_CHECK(fake_count(f, i, FAKE_RESET) == (w.reset && i == self),
			 "hart %u reset %u times", i, fake_count(f, i, FAKE_RESET));
		FZ_CHECK(fake_count(f, i, FAKE_SET_TIMER) == (w.timer && i == self),
			 "hart %u's timer set %u times", i, fake_count(f, i, FAKE_SET_TIMER));
		FZ_CHECK(!fake_count(f, i, FAKE_INJECT) && !fake_count(f, i, FAKE_SET_REG) &&
			     !fake_count(f, i, FAKE_MMIO_DONE),
			 "hart %u: the SBI call did more", i);
	}
	if (w.reset) {
		rec = fake_last(f, self, FAKE_RESET);
		FZ_CHECK(rec->a == w.reset_pc && rec->b == self && rec->c == w.reset_arg,
			 "resumed at %#llx a0 %llu a1 %#llx", (unsigned long long)rec->a,
			 (unsigned long long)rec->b, (unsigned long long)rec->c);
	}
	if (w.timer)
		FZ_CHECK(fake_last(f, self, FAKE_SET_TIMER)->a == w.timer_to, "timer set wrong");
	FZ_CHECK(after.stopping == w.after.stopping, "the VM stopping %d, want %d", after.stopping,
		 w.after.stopping);
	if (w.after.stopping)
		FZ_CHECK(atomic_load(&f->vm.exit_code) == w.exit_code, "exit code %d, want %d",
			 atomic_load(&f->vm.exit_code), w.exit_code);

	/* the console and RAM */
	nout = out_new(out, sizeof(out));
	FZ_CHECK(nout == w.nout && !memcmp(out, w.out, nout), "output %zu bytes, want %zu", nout,
		 w.nout);
	FZ_CHECK(dv_console_pending() == con.count, "input left %zu, want %zu",
		 dv_console_pending(), con.count);
	if (w.nrd)
		memcpy(shadow + (w.rd_gpa - FAKE_RAM_BASE), w.rd, w.nrd);
	FZ_CHECK(!memcmp(shadow, f->vm.mem.host, RAM_SIZE), "RAM changed");
}

/* The run loop of a vCPU that is not running: take a pending HSM start (vcpu.c) */
static void pickup(unsigned int i)
{
	struct dv_vcpu *v = &f->vm.vcpus[i];
	int state = atomic_load(&v->state);
	const struct fake_rec *rec;

	if (state == DV_VCPU_RUNNING || !(atomic_load(&v->events) & (DV_EV_START | DV_EV_STOP)))
		return;
	FZ_CHECK(state == DV_VCPU_START_PENDING, "hart %u: a start event in state %d", i, state);
	fake_log_clear(f, i);
	if (atomic_fetch_and(&v->events, ~DV_EV_START) & DV_EV_START &&
	    atomic_load(&v->state) == DV_VCPU_START_PENDING) {
		f->ops.vcpu_reset(v, v->start_pc, v->id, v->start_arg);
		atomic_store(&v->state, DV_VCPU_RUNNING);
	}
	rec = fake_last(f, i, FAKE_RESET);
	FZ_CHECK(rec && rec->a == v->start_pc && rec->b == i && rec->c == v->start_arg,
		 "hart %u started wrong", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = {data, size};
	uint8_t flags, buf[256];
	unsigned int n, i;

	if (out_fd < 0) {
		/* the console writes to stdout: make it a file to read back */
		out_fd = memfd_create("fuzz-sbi-stdout", MFD_CLOEXEC);
		if (out_fd < 0 || dup2(out_fd, STDOUT_FILENO) < 0)
			abort();
		close(out_fd);
		out_fd = STDOUT_FILENO;
	}
	if (ftruncate(out_fd, 0) || lseek(out_fd, 0, SEEK_SET))
		abort();
	out_seen = 0;
	nr = 1 + fz_u8(&in) % NR_MAX;
	flags = fz_u8(&in);
	f = flags & 4 ? fake_vm_running(nr, RAM_SIZE) : fake_vm_new(nr, RAM_SIZE);
	f->ops.caps |= flags & 1 ? DV_CAP_WFI_TIMER : 0;
	if (flags & 2)
		f->ops.set_timer = NULL;
	f->ops.timer_deadline = hook_deadline;
	f->ops.irq_pending = hook_irq_pending;
	for (i = 0; i < RAM_SIZE; i++)
		f->vm.mem.host[i] = (uint8_t)(i * 7 + (i >> 8));
	calls = errors = 0;

	for (n = 0; n < MAX_OPS && in.n && !atomic_load(&f->vm.stopping); n++) {
		switch (fz_u8(&in) % OP_COUNT) {
		case OP_CALL:
			call(&in);
			break;
		case OP_PICKUP:
			pickup(fz_u8(&in) % nr);
			break;
		case OP_TAKE:
			i = fz_u8(&in) % nr;
			if (atomic_load(&f->vm.vcpus[i].state) == DV_VCPU_RUNNING)
				atomic_fetch_and(&f->vm.vcpus[i].events,
						 ~(DV_EV_IPI | DV_EV_FENCE_I | DV_EV_FENCE_VMA));
			break;
		case OP_INPUT:
			console_input(buf, fz_bytes(&in, buf, fz_u8(&in)));
			break;
		case OP_WAKE:
			i = fz_u8(&in) % nr;
			switch (fz_u8(&in) % 3) {
			case 0:
				f->fv[i].time = f->fv[i].deadline;
				break;
			case 1:
				atomic_store(&f->vm.vcpus[i].ext_irq, true);
				break;
			default:
				atomic_store(&f->vm.vcpus[i].ext_irq, false);
				break;
			}
			break;
		}
	}
	if (fz_verbose())
		fprintf(stderr, "sbi: %u vCPUs, %u ops, %u calls, %u errors%s\n", nr, n, calls,
			errors, atomic_load(&f->vm.stopping) ? ", stopped" : "");

	/* the console's input is global: empty it for the next input */
	if (con.escape)
		console_input((const uint8_t *)"-", 1);
	dv_console_consume(dv_console_pending());
	memset(&con, 0, sizeof(con));
	fake_vm_free(f);
	f = NULL;
	return 0;
}
