/*
 * Issue 10: what an unprivileged hypervisor process (its only privilege
 * the device's group, priv.h) could do to the host, the machine and the
 * next user of a hart, through state DV-Ext lends it:
 *
 * - vsstatus (huvsstatus) with M-mode bits: QEMU ORed vsstatus into mstatus
 *   on every guest entry, so MPRV, TSR, TVM, TW, MIE, SXL... reached M and
 *   HS mode (TSR: the host kernel's sret became illegal, an oops). Each bit
 *   is written, read back (only sstatus's fields may show) and taken into
 *   the guest hundreds of times on each hart while a canary VM runs; the
 *   hypervisor, the host and the canary must come out unharmed.
 * - vsatp (huvsatp) with an unsupported MODE, then HLV and HURET: QEMU
 *   asserted and the whole machine died. hcounteren and vstvec are WARL too.
 * - hcounteren (hucounteren) = 0 left on a hart: a KVM guest there could
 *   no longer read time (t_harden_kvm, which needs root for /dev/kvm).
 * - a doorbell a dead VM rang stays pending in its recycled vIPI window:
 *   the next VM's first entry exited at once with a U software interrupt.
 * - vsstatus.UXL left by an earlier process: a new vCPU must read the
 *   reset value.
 * - a vfork()/CLONE_VM child shares the owner's mm but is another process:
 *   EPERM for every call (docs/driver-abi.md); so is the owner after exec.
 * - a PMC access fault of the hypervisor's own HLV/HSV: SIGSEGV
 *   (SEGV_ACCERR) with si_addr = the guest address, not the pc.
 *
 * DV_HARDEN=word[,word] in the environment runs only the checks whose names
 * contain one of the words (for trying one attack at a time on a stack that
 * does not survive the others).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "csr.h"
#include "dv.h"
#include "priv.h"
#include "probe.h"
#include "report.h"
#include "tests.h"

#define RAM_SIZE    (2UL << 20)
#define KERNEL_HPA  0x80200000UL /* where OpenSBI loads the kernel image */
#define ATTACK_GPA  0x90000000UL /* own L1 slot, outside guest RAM */
#define PATTERN_OFF 0x100000UL	 /* canary pattern: 512 KiB of guest RAM */
#define PATTERN_LEN 0x80000UL
#define SLOT_GPA    (GUEST_RAM_GPA + 0x180000UL)
#define CHILD_MS    30000
#define VSS_ROUNDS  300
#define MAX_HARTS   8

/* ---- shared helpers ---- */

/* What a child tells its parent: a page shared across fork(). */
static struct shared {
	volatile int stage;
	volatile uint64_t v[8];
	char err[256];
} * sh;

static void shared_init(void)
{
	if (!sh) {
		sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (sh == MAP_FAILED) {
			perror("mmap shared");
			exit(1);
		}
	}
	memset(sh, 0, sizeof(*sh));
}

/* In a child: note what went wrong, exit 2. */
static int child_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int child_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sh->err, sizeof(sh->err), fmt, ap);
	va_end(ap);
	return 2;
}

/* Parent: the child must have exited 0; otherwise say why. */
static bool expect_child_ok(int status, const char *what)
{
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	return expect(false, "%s: child %s%s%s", what, status_str(status), sh->err[0] ? ": " : "",
		      sh->err);
}

static int run_child(int (*fn)(void *), void *arg)
{
	shared_init();
	pid_t pid = spawn(fn, arg);
	if (pid < 0)
		return -1;
	return wait_child(pid, CHILD_MS);
}

static bool want(const char *name)
{
	const char *only = getenv("DV_HARDEN");
	if (!only || !*only)
		return true;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", only);
	for (char *save, *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save))
		if (strstr(name, w))
			return true;
	return false;
}

static int harts(void)
{
	int n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > MAX_HARTS ? MAX_HARTS : n;
}

static int pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return -1;
	return sched_getcpu() == cpu ? 0 : -1;
}

/* hlv.d / hsv.d from HU mode: a guest access at privilege hustatus.UPVP. */
static inline uint64_t hlv_d(uint64_t gva)
{
	uint64_t v;
	__asm__ __volatile__(".insn r 0x73, 4, 0x36, %0, %1, x0" : "=r"(v) : "r"(gva) : "memory");
	return v;
}

static inline uint32_t hlv_w(uint64_t gva)
{
	uint64_t v;
	__asm__ __volatile__(".insn r 0x73, 4, 0x34, %0, %1, x0" : "=r"(v) : "r"(gva) : "memory");
	return (uint32_t)v;
}

static inline void hsv_d(uint64_t gva, uint64_t val)
{
	__asm__ __volatile__(".insn r 0x73, 4, 0x37, x0, %0, %1" : : "r"(gva), "r"(val) : "memory");
}

/* ---- 1. vsstatus: only sstatus's fields, nothing reaches M or HS ---- */

#define VSS_WRITABLE                                                                               \
	(SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP | SSTATUS_FS | SSTATUS_SUM | SSTATUS_MXR)

static const struct vss_case {
	const char *name;
	uint64_t val;
} vss_cases[] = {
    {"vsstatus_mprv", 1UL << 17}, {"vsstatus_tsr", 1UL << 22}, {"vsstatus_tvm", 1UL << 20},
    {"vsstatus_tw", 1UL << 21},	  {"vsstatus_sum", 1UL << 18}, {"vsstatus_mxr", 1UL << 19},
    {"vsstatus_mie", 1UL << 3},	  {"vsstatus_mpie", 1UL << 7}, {"vsstatus_mpp", 3UL << 11},
    {"vsstatus_uie", 1UL << 0},	  {"vsstatus_upie", 1UL << 4}, {"vsstatus_uxl", 3UL << 32},
    {"vsstatus_sxl", 3UL << 34},  {"vsstatus_mpv", 1UL << 39}, {"vsstatus_gva", 1UL << 38},
    {"vsstatus_all_ones", ~0UL},
};

/* What huvsstatus must read after writing val: its sstatus fields, UXL = 2,
 * and SD, which summarizes FS (and so may be set when FS is). */
static bool vss_legal(uint64_t rb, uint64_t val)
{
	return (rb & ~SSTATUS_SD) == ((val & VSS_WRITABLE) | SSTATUS_UXL_64) &&
	       (!(rb & SSTATUS_SD) || (rb & SSTATUS_FS) == SSTATUS_FS);
}

struct vss_arg {
	uint64_t val;
	int cpu;
};

/* v[0] = 1 if a read-back was wrong, v[1] the value, v[2] the round;
 * v[3] huvsstatus after the last exit, v[4] rounds done. */
static int vss_child(void *arg)
{
	const struct vss_arg *a = arg;
	struct dv_vm vm;
	struct dv_vcpu v;
	if (pin(a->cpu) < 0)
		return child_fail("cannot run on hart %d: %s", a->cpu, strerror(errno));
	if (dv_vm_open(&vm, RAM_SIZE) < 0 || dv_vcpu_init(&v, &vm, 0, GPA_OF(g_loop)) < 0)
		return child_fail("%s", dv_error());
	for (int i = 0; i < VSS_ROUNDS; i++) {
		csr_write(CSR_HUVSSTATUS, a->val);
		uint64_t rb = csr_read(CSR_HUVSSTATUS);
		if (!vss_legal(rb, a->val) && !sh->v[0]) {
			sh->v[0] = 1;
			sh->v[1] = rb;
			sh->v[2] = (uint64_t)i;
			/* Now, before the entry that may take the host down */
			printf("# hart %d: huvsstatus = 0x%lx written, reads 0x%lx; entering the "
			       "guest with it\n",
			       a->cpu, (unsigned long)a->val, (unsigned long)rb);
			fflush(stdout);
		}
		v.ctx.pc = GPA_OF(g_loop);
		v.ctx.x[R_S0] = 1;
		if (dv_run_to_done(&v, 2) < 0)
			return child_fail("entry %d on hart %d: %s", i, sched_getcpu(), dv_error());
		sh->v[4] = (uint64_t)i + 1;
	}
	sh->v[3] = csr_read(CSR_HUVSSTATUS);
	if (dv_vcpu_fini(&v) < 0)
		return child_fail("%s", dv_error());
	dv_vm_close(&vm);
	return 0;
}

/* The canary: another VM of the group's process, its vCPU thread taking
 * exits in bursts the whole time, its RAM holding a known pattern. */
static struct canary {
	struct dv_vm vm;
	pthread_t th;
	volatile int stop, started;
	volatile uint64_t exits;
	char err[256];
} cn;

static uint64_t pattern(uint64_t i)
{
	uint64_t z = (i + 1) * 0x9e3779b97f4a7c15UL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
	return z ^ (z >> 31);
}

static void *canary_thread(void *arg)
{
	(void)arg;
	struct dv_vcpu v;
	if (dv_vcpu_init(&v, &cn.vm, 0, GPA_OF(g_count)) < 0) {
		snprintf(cn.err, sizeof(cn.err), "%s", dv_error());
		cn.started = 1;
		return NULL;
	}
	v.ctx.x[R_A0] = 50; /* spin between exits */
	v.ctx.x[R_A6] = SLOT_GPA;
	cn.started = 1;
	while (!cn.stop) {
		for (int k = 0; k < 50; k++) {
			dv_run(&v);
			uint64_t n = cn.exits + 1;
			if (v.ctx.ucause != CAUSE_VS_ECALL || v.ctx.x[R_A7] != GFN_TICK ||
			    v.ctx.x[R_S0] != n) {
				snprintf(cn.err, sizeof(cn.err), "canary exit %lu: s0 %lu: %s",
					 (unsigned long)n, (unsigned long)v.ctx.x[R_S0],
					 dv_exit_str(&v));
				return NULL;
			}
			v.ctx.pc += 4;
			cn.exits = n;
		}
		sleep_ms(1);
	}
	dv_vcpu_fini(&v);
	return NULL;
}

static bool canary_start(void)
{
	memset(&cn, 0, sizeof(cn));
	cn.vm.fd = -1;
	if (!expect(dv_vm_open(&cn.vm, RAM_SIZE) == 0, "canary VM: %s", dv_error()))
		return false;
	uint64_t *p = (uint64_t *)(cn.vm.ram + PATTERN_OFF);
	for (uint64_t i = 0; i < PATTERN_LEN / 8; i++)
		p[i] = pattern(i);
	pthread_create(&cn.th, NULL, canary_thread, NULL);
	while (!cn.started)
		sleep_ms(1);
	return expect(!cn.err[0], "%s", cn.err);
}

/* The canary still runs (100 more exits within 10 s), its RAM is intact. */
static void canary_check_and_stop(void)
{
	uint64_t before = cn.exits, end = now_ms() + 10000;
	while (cn.exits < before + 100 && !cn.err[0] && now_ms() < end)
		sleep_ms(5);
	expect(!cn.err[0], "%s", cn.err);
	expect(cn.exits >= before + 100, "canary took %lu exits in 10 s",
	       (unsigned long)(cn.exits - before));
	cn.stop = 1;
	pthread_join(cn.th, NULL);
	const uint64_t *p = (const uint64_t *)(cn.vm.ram + PATTERN_OFF);
	uint64_t bad = 0, first = 0;
	for (uint64_t i = 0; i < PATTERN_LEN / 8; i++)
		if (p[i] != pattern(i) && !bad++)
			first = i;
	expect(!bad, "canary RAM: %lu words changed, the first at offset 0x%lx", (unsigned long)bad,
	       (unsigned long)(PATTERN_OFF + 8 * first));
	uint64_t slot = *(uint64_t *)dv_gpa_ptr(&cn.vm, SLOT_GPA);
	expect(slot == cn.exits, "canary guest stored %lu, took %lu exits", (unsigned long)slot,
	       (unsigned long)cn.exits);
	printf("# canary VM: %lu exits\n", (unsigned long)cn.exits);
	dv_vm_close(&cn.vm);
}

static void vsstatus_attacks(void)
{
	bool any = false;
	for (size_t c = 0; c < sizeof(vss_cases) / sizeof(vss_cases[0]); c++)
		any |= want(vss_cases[c].name);
	if (!any)
		return;
	if (!canary_start()) {
		report("vsstatus_setup");
		return;
	}
	for (size_t c = 0; c < sizeof(vss_cases) / sizeof(vss_cases[0]); c++) {
		const struct vss_case *k = &vss_cases[c];
		if (!want(k->name))
			continue;
		for (int cpu = 0; cpu < harts(); cpu++) {
			struct vss_arg a = {.val = k->val, .cpu = cpu};
			char what[64];
			snprintf(what, sizeof(what), "hart %d", cpu);
			int st = run_child(vss_child, &a);
			expect_child_ok(st, what);
			if (sh->v[0])
				expect(false,
				       "hart %d: huvsstatus = 0x%lx reads 0x%lx (round %lu), want "
				       "0x%lx: only SIE, SPIE, SPP, FS, SUM, MXR are writable, UXL "
				       "reads 2",
				       cpu, (unsigned long)k->val, (unsigned long)sh->v[1],
				       (unsigned long)sh->v[2],
				       (unsigned long)((k->val & VSS_WRITABLE) | SSTATUS_UXL_64));
			else if (sh->v[4] == VSS_ROUNDS &&
				 (sh->v[3] & ~(VSS_WRITABLE | SSTATUS_SD | SSTATUS_UXL)) != 0)
				expect(false, "hart %d: huvsstatus after the guest ran: 0x%lx", cpu,
				       (unsigned long)sh->v[3]);
			if (!cn.err[0])
				continue;
			expect(false, "%s", cn.err);
			break;
		}
		report(k->name);
	}
	canary_check_and_stop();
	report("vsstatus_host_survives");
}

/* ---- 2. vsatp MODE 0..15, then HLV and HURET; hcounteren, vstvec ---- */

#define VS_ROOT_GPA (GUEST_RAM_GPA + 0x100000UL)
#define VS_T1_GPA   (GUEST_RAM_GPA + 0x101000UL)
#define MARK_GPA    (GUEST_RAM_GPA + 0x180000UL)
#define MARK	    0x1122334455667788UL
#define PTE_V	    (1UL << 0)
#define PTE_RWX	    (7UL << 1)
#define PTE_AD	    (3UL << 6)

/*
 * VS-stage tables that map guest RAM (GVA 0x80000000 = GPA, a 1 GiB leaf)
 * in Sv39, Sv48 and Sv57 alike: root[2] is the Sv39 leaf; root[0] points
 * to T1, whose [2] is the same leaf for Sv48 and whose [0] points to T1
 * again for Sv57's extra level.
 */
static void vs_tables(struct dv_vm *vm)
{
	uint64_t *root = dv_gpa_ptr(vm, VS_ROOT_GPA), *t1 = dv_gpa_ptr(vm, VS_T1_GPA);
	uint64_t leaf = ((GUEST_RAM_GPA >> 12) << 10) | PTE_V | PTE_RWX | PTE_AD;
	uint64_t ptr = ((VS_T1_GPA >> 12) << 10) | PTE_V;
	memset(root, 0, 4096);
	memset(t1, 0, 4096);
	root[0] = ptr;
	root[2] = leaf;
	t1[0] = ptr;
	t1[2] = leaf;
	*(uint64_t *)dv_gpa_ptr(vm, MARK_GPA) = MARK;
}

static bool vsatp_mode_ok(unsigned m)
{
	return m == 0 || m == 8 || m == 9 || m == 10; /* Bare, Sv39, Sv48, Sv57 */
}

/* v[0] = vsatp read back; stage 1: HLV next, 2: HURET next, 3: done. v[1] =
 * what the HLV read. */
static int vsatp_child(void *arg)
{
	unsigned m = (unsigned)(uintptr_t)arg;
	struct dv_vm vm;
	struct dv_vcpu v;
	if (dv_vm_open(&vm, RAM_SIZE) < 0 || dv_vcpu_init(&v, &vm, 0, GPA_OF(g_loop)) < 0)
		return child_fail("%s", dv_error());
	vs_tables(&vm);
	csr_write(CSR_HUVSATP, (uint64_t)m << 60 | VS_ROOT_GPA >> 12);
	sh->v[0] = csr_read(CSR_HUVSATP);
	hufence_vvma_all();
	csr_write(CSR_HUSTATUS, HUSTATUS_UPVP); /* HLV as the guest's VS mode */
	sh->stage = 1;
	sh->v[1] = hlv_d(MARK_GPA);
	sh->stage = 2;
	v.ctx.x[R_S0] = 3;
	if (dv_run_to_done(&v, 4) < 0)
		return child_fail("guest with vsatp 0x%lx: %s", (unsigned long)sh->v[0],
				  dv_error());
	sh->stage = 3;
	dv_vcpu_fini(&v);
	dv_vm_close(&vm);
	return 0;
}

static void vsatp_modes(void)
{
	if (!want("vsatp_mode_warl"))
		return;
	for (unsigned m = 0; m < 16; m++) {
		uint64_t val = (uint64_t)m << 60 | VS_ROOT_GPA >> 12;
		int st = run_child(vsatp_child, (void *)(uintptr_t)m);
		unsigned rbm = (unsigned)(sh->v[0] >> 60);
		bool clean_sig =
		    st != -1 && WIFSIGNALED(st) &&
		    (WTERMSIG(st) == SIGSEGV || WTERMSIG(st) == SIGBUS || WTERMSIG(st) == SIGILL);
		if (sh->stage >= 1) {
			expect(vsatp_mode_ok(rbm),
			       "MODE %u: huvsatp reads 0x%lx, MODE %u unsupported", m,
			       (unsigned long)sh->v[0], rbm);
			if (vsatp_mode_ok(m))
				expect(sh->v[0] == val, "MODE %u: huvsatp reads 0x%lx, want 0x%lx",
				       m, (unsigned long)sh->v[0], (unsigned long)val);
		}
		if (sh->stage >= 2)
			expect(sh->v[1] == MARK, "MODE %u: HLV read 0x%lx, want 0x%lx", m,
			       (unsigned long)sh->v[1], MARK);
		if (clean_sig && !vsatp_mode_ok(m) && sh->stage >= 1) {
			printf("# vsatp MODE %u: the hypervisor got %s at stage %d (a clean "
			       "signal)\n",
			       m, status_str(st), sh->stage);
			continue;
		}
		char what[64];
		snprintf(what, sizeof(what), "MODE %u (stage %d)", m, sh->stage);
		expect_child_ok(st, what);
	}
	report("vsatp_mode_warl");
}

/* hcounteren is 32 bits; vstvec keeps its MODE when given 2 or 3. */
static int warl_child(void *arg)
{
	(void)arg;
	struct dv_vm vm;
	struct dv_vcpu v;
	if (dv_vm_open(&vm, RAM_SIZE) < 0 || dv_vcpu_init(&v, &vm, 0, GPA_OF(g_loop)) < 0)
		return child_fail("%s", dv_error());
	csr_write(CSR_HUCOUNTEREN, ~0UL);
	sh->v[0] = csr_read(CSR_HUCOUNTEREN);
	uint64_t base = GPA_OF(g_trap);
	csr_write(CSR_HUVSTVEC, base | 1);
	sh->v[1] = csr_read(CSR_HUVSTVEC);
	csr_write(CSR_HUVSTVEC, (base + 0x100) | 2);
	sh->v[2] = csr_read(CSR_HUVSTVEC);
	csr_write(CSR_HUVSTVEC, (base + 0x100) | 3);
	sh->v[3] = csr_read(CSR_HUVSTVEC);
	/* and the guest still runs */
	csr_write(CSR_HUCOUNTEREN, 7);
	csr_write(CSR_HUVSTVEC, base);
	v.ctx.x[R_S0] = 2;
	if (dv_run_to_done(&v, 3) < 0)
		return child_fail("%s", dv_error());
	return 0;
}

static void hu_csr_warl(void)
{
	if (!want("hu_csr_warl"))
		return;
	int st = run_child(warl_child, NULL);
	if (expect_child_ok(st, "WARL")) {
		uint64_t base = GPA_OF(g_trap);
		expect(sh->v[0] == 0xffffffffUL, "hucounteren = ~0 reads 0x%lx, want 0xffffffff",
		       (unsigned long)sh->v[0]);
		expect(sh->v[1] == (base | 1), "huvstvec = 0x%lx reads 0x%lx",
		       (unsigned long)(base | 1), (unsigned long)sh->v[1]);
		expect(sh->v[2] == (base | 1) && sh->v[3] == (base | 1),
		       "huvstvec with MODE 2, 3: reads 0x%lx, 0x%lx, want 0x%lx unchanged",
		       (unsigned long)sh->v[2], (unsigned long)sh->v[3], (unsigned long)(base | 1));
	}
	report("hu_csr_warl");
}

/* ---- 4. a doorbell left in a recycled vIPI window ---- */

/* Process A: ring its own doorbell and that of vCPU 5, clear neither, exit.
 * v[0] = the window's lo, v[1] = huip after ringing. */
static int vipi_ringer(void *arg)
{
	(void)arg;
	struct dv_vm vm;
	struct dv_vcpu v;
	if (dv_vm_open(&vm, RAM_SIZE) < 0 || dv_vcpu_init(&v, &vm, 0, GPA_OF(g_loop)) < 0)
		return child_fail("%s", dv_error());
	sh->v[0] = vm.win.lo;
	csr_write(CSR_HUVIPI, v.doorbell);
	csr_write(CSR_HUVIPI, vm.win.lo + 5);
	sh->v[1] = csr_read(CSR_HUIP);
	return 0; /* exit with both rung */
}

/* B, vCPU index: registered, huip.USIP must be 0 and, with USIE on, the
 * first exit the guest's ecall. v[2 + 2 * k] = huip, v[3 + 2 * k] = ucause. */
static int vipi_first_entry(struct dv_vm *vm, uint32_t index, int k)
{
	struct dv_vcpu v;
	if (dv_vcpu_init(&v, vm, index, GPA_OF(g_loop)) < 0)
		return child_fail("%s", dv_error());
	sh->v[2 + 2 * k] = csr_read(CSR_HUIP);
	csr_write(CSR_HUIE, HUIP_USIP);
	v.ctx.x[R_S0] = 1;
	sh->v[3 + 2 * k] = dv_run(&v);
	/* Whatever it was, leave the doorbell clear for the next. */
	csr_write(CSR_HUIP, 0);
	if (dv_vcpu_fini(&v) < 0)
		return child_fail("%s", dv_error());
	return 0;
}

/* Process B: open VMs until one gets A's window; v[6] = files opened. */
static int vipi_recycler(void *arg)
{
	uint64_t lo = (uint64_t)(uintptr_t)arg;
	int fds[DUVISOR_MAX_VMS], n = 0, match = -1;
	for (; n < DUVISOR_MAX_VMS && match < 0; n++) {
		struct duvisor_vipi_window w;
		fds[n] = open(DV_DEV, O_RDWR | O_CLOEXEC);
		if (fds[n] < 0)
			break;
		if (ioctl(fds[n], DUVISOR_GET_VIPI_WINDOW, &w) == 0 && w.lo == lo)
			match = n;
	}
	sh->v[6] = (uint64_t)n;
	for (int i = 0; i < n; i++)
		if (i != match)
			close(fds[i]);
	if (match < 0)
		return child_fail("window %lu..%lu never came back in %d opens", (unsigned long)lo,
				  (unsigned long)lo + 15, n);
	struct dv_vm vm;
	if (dv_vm_open_fd(&vm, fds[match], RAM_SIZE) < 0)
		return child_fail("%s", dv_error());
	int r = vipi_first_entry(&vm, 0, 0);
	if (!r)
		r = vipi_first_entry(&vm, 5, 1);
	dv_vm_close(&vm);
	return r;
}

static void vipi_recycled(void)
{
	if (!want("vipi_recycled"))
		return;
	int st = run_child(vipi_ringer, NULL);
	if (!expect_child_ok(st, "process A")) {
		report("vipi_recycled_window");
		return;
	}
	uint64_t lo = sh->v[0];
	if (!(sh->v[1] & HUIP_USIP))
		printf("# process A's own doorbell did not show in huip (0x%lx)\n",
		       (unsigned long)sh->v[1]);
	st = run_child(vipi_recycler, (void *)(uintptr_t)lo);
	if (expect_child_ok(st, "process B")) {
		const uint32_t idx[2] = {0, 5};
		for (int k = 0; k < 2; k++) {
			uint64_t huip = sh->v[2 + 2 * k], cause = sh->v[3 + 2 * k];
			expect(!(huip & HUIP_USIP),
			       "vCPU %u (doorbell %lu): huip = 0x%lx right after REGISTER_VCPU: "
			       "the dead VM's doorbell is still pending",
			       idx[k], (unsigned long)(lo + idx[k]), (unsigned long)huip);
			expect(cause == CAUSE_VS_ECALL,
			       "vCPU %u: first exit ucause 0x%lx (%s), want the guest's ecall",
			       idx[k], (unsigned long)cause,
			       cause == CAUSE_INTERRUPT ? "U software interrupt: a doorbell"
							: dv_cause_name(cause));
		}
		printf("# window %lu..%lu came back at open %lu\n", (unsigned long)lo,
		       (unsigned long)lo + 15, (unsigned long)sh->v[6]);
	}
	report("vipi_recycled_window");
}

/*
 * Within one VM: vCPU 0 rings vCPU 3's doorbell before any thread is vCPU
 * 3; the thread that then registers as vCPU 3 starts with it clear
 * (docs/driver-abi.md: a new vCPU's doorbell is not rung). v[0] = huip of
 * vCPU 0 after ringing its own, v[2], v[3] = vCPU 3's huip and first exit.
 */
static void *vipi_late_vcpu(void *arg)
{
	if (vipi_first_entry(arg, 3, 0))
		sh->v[5] = 1;
	return NULL;
}

static int vipi_register_child(void *arg)
{
	(void)arg;
	struct dv_vm vm;
	struct dv_vcpu v;
	pthread_t th;
	if (dv_vm_open(&vm, RAM_SIZE) < 0 || dv_vcpu_init(&v, &vm, 0, GPA_OF(g_loop)) < 0)
		return child_fail("%s", dv_error());
	csr_write(CSR_HUVIPI, vm.win.lo + 3);
	csr_write(CSR_HUVIPI, v.doorbell);
	sh->v[0] = csr_read(CSR_HUIP);
	csr_write(CSR_HUIP, 0);
	pthread_create(&th, NULL, vipi_late_vcpu, &vm);
	pthread_join(th, NULL);
	return sh->v[5] ? 2 : 0;
}

static void vipi_register_clears(void)
{
	if (!want("vipi_register_clears_doorbell"))
		return;
	int st = run_child(vipi_register_child, NULL);
	if (expect_child_ok(st, "VM")) {
		expect(sh->v[0] & HUIP_USIP, "ringing its own doorbell left huip = 0x%lx",
		       (unsigned long)sh->v[0]);
		expect(!(sh->v[2] & HUIP_USIP),
		       "vCPU 3, rung before it registered: huip = 0x%lx right after REGISTER_VCPU",
		       (unsigned long)sh->v[2]);
		expect(sh->v[3] == CAUSE_VS_ECALL,
		       "vCPU 3: first exit ucause 0x%lx (%s), want the "
		       "guest's ecall",
		       (unsigned long)sh->v[3],
		       sh->v[3] == CAUSE_INTERRUPT ? "U software interrupt"
						   : dv_cause_name(sh->v[3]));
	}
	report("vipi_register_clears_doorbell");
}

/* ---- 5. vsstatus at REGISTER_VCPU: the reset value ---- */

#define VSS_LEFTOVER                                                                               \
	(SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP | SSTATUS_SUM | SSTATUS_MXR | SSTATUS_FS |       \
	 (1UL << 32)) /* UXL = 1: RV32 */

/* v[0] = what it read back after writing VSS_LEFTOVER (A) or right after
 * registering (B). Neither enters a guest. */
static int vss_left(void *arg)
{
	int cpu = (int)(intptr_t)arg & 0xff, writer = (int)(intptr_t)arg >> 8;
	struct dv_vm vm;
	if (pin(cpu) < 0)
		return child_fail("cannot run on hart %d: %s", cpu, strerror(errno));
	if (dv_vm_open(&vm, RAM_SIZE) < 0)
		return child_fail("%s", dv_error());
	struct duvisor_vcpu reg = {.index = 0};
	if (ioctl(vm.fd, DUVISOR_REGISTER_VCPU, &reg) < 0)
		return child_fail("REGISTER_VCPU: %s", strerror(errno));
	if (writer)
		csr_write(CSR_HUVSSTATUS, VSS_LEFTOVER);
	sh->v[0] = csr_read(CSR_HUVSSTATUS);
	sh->v[1] = (uint64_t)sched_getcpu();
	return 0; /* exit: unregistered by the kernel */
}

static void vsstatus_reset(void)
{
	if (!want("vsstatus_reset_at_register"))
		return;
	for (int cpu = 0; cpu < harts(); cpu++) {
		char what[64];
		snprintf(what, sizeof(what), "hart %d writer", cpu);
		int st = run_child(vss_left, (void *)(intptr_t)(cpu | 1 << 8));
		if (!expect_child_ok(st, what))
			continue;
		uint64_t wrote = sh->v[0];
		snprintf(what, sizeof(what), "hart %d new vCPU", cpu);
		st = run_child(vss_left, (void *)(intptr_t)cpu);
		if (!expect_child_ok(st, what))
			continue;
		expect(sh->v[0] == SSTATUS_UXL_64,
		       "hart %d: a new vCPU reads huvsstatus = 0x%lx, want 0x%lx (UXL = 2, the "
		       "rest 0); the process before it on the hart wrote 0x%lx and read 0x%lx",
		       cpu, (unsigned long)sh->v[0], SSTATUS_UXL_64, (unsigned long)VSS_LEFTOVER,
		       (unsigned long)wrote);
	}
	report("vsstatus_reset_at_register");
}

/*
 * The same on harts no guest has run on since the machine's reset: the
 * first thing driver_selftest does (group "fresh"). A hart's vsstatus then
 * still holds what reset left there, which is not necessarily what a
 * guest exit leaves (sstatus's fields only).
 */
void t_harden_fresh(void)
{
	if (!want("vsstatus_reset_fresh_hart"))
		return;
	for (int cpu = 0; cpu < harts(); cpu++) {
		char what[64];
		snprintf(what, sizeof(what), "hart %d", cpu);
		int st = run_child(vss_left, (void *)(intptr_t)cpu);
		if (expect_child_ok(st, what))
			expect(sh->v[0] == SSTATUS_UXL_64,
			       "hart %d, no guest run there since reset: a new vCPU reads "
			       "huvsstatus = 0x%lx, want 0x%lx (UXL = 2, the rest 0)",
			       cpu, (unsigned long)sh->v[0], SSTATUS_UXL_64);
	}
	report("vsstatus_reset_fresh_hart");
}

/* ---- 6. vfork() and CLONE_VM children: another process, EPERM ---- */

/* A system call with no libc in between: the CLONE_VM child shares the
 * parent's thread pointer, so it must not touch errno or anything else
 * thread-local. Returns -errno on failure. Not inlined: the vfork() child
 * calls it from the parent's frame. */
static __attribute__((noinline)) long raw_syscall(long n, long a0, long a1, long a2, long a3,
						  long a4, long a5)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a3 __asm__("a3") = a3;
	register long r_a4 __asm__("a4") = a4;
	register long r_a5 __asm__("a5") = a5;
	register long r_a7 __asm__("a7") = n;
	__asm__ __volatile__("ecall"
			     : "+r"(r_a0)
			     : "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5), "r"(r_a7)
			     : "memory");
	return r_a0;
}

#define N_CALLS 9
static const char *const call_names[N_CALLS] = {
    "GET_API_VERSION", "SET_DELEG",	  "QUERY_ADDR", "REGISTER_VCPU", "UNREGISTER_VCPU",
    "REMOTE_FENCE",    "GET_VIPI_WINDOW", "GET_STATS",	"mmap",
};

static struct cl {
	struct dv_vm vm;
	long ret[N_CALLS];
	struct duvisor_deleg d;
	struct duvisor_addr q;
	struct duvisor_vcpu reg;
	struct duvisor_vipi_window w;
	struct duvisor_stats s;
} cl;

/* Every call on the parent's VM, from a process sharing its mm. */
static int clone_calls(void *arg)
{
	(void)arg;
	long fd = cl.vm.fd;
	cl.d = (struct duvisor_deleg){DUVISOR_EDELEG_ALLOWED, 0};
	cl.q = (struct duvisor_addr){.uaddr = (uint64_t)(uintptr_t)cl.vm.ram};
	cl.reg = (struct duvisor_vcpu){.index = 5};
	cl.ret[0] = raw_syscall(SYS_ioctl, fd, DUVISOR_GET_API_VERSION, 0, 0, 0, 0);
	cl.ret[1] = raw_syscall(SYS_ioctl, fd, DUVISOR_SET_DELEG, (long)&cl.d, 0, 0, 0);
	cl.ret[2] = raw_syscall(SYS_ioctl, fd, DUVISOR_QUERY_ADDR, (long)&cl.q, 0, 0, 0);
	cl.ret[3] = raw_syscall(SYS_ioctl, fd, DUVISOR_REGISTER_VCPU, (long)&cl.reg, 0, 0, 0);
	cl.ret[4] = raw_syscall(SYS_ioctl, fd, DUVISOR_UNREGISTER_VCPU, 0, 0, 0, 0);
	cl.ret[5] = raw_syscall(SYS_ioctl, fd, DUVISOR_REMOTE_FENCE, 0, 0, 0, 0);
	cl.ret[6] = raw_syscall(SYS_ioctl, fd, DUVISOR_GET_VIPI_WINDOW, (long)&cl.w, 0, 0, 0);
	cl.ret[7] = raw_syscall(SYS_ioctl, fd, DUVISOR_GET_STATS, (long)&cl.s, 0, 0, 0);
	long p = raw_syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	cl.ret[8] = p < 0 && p > -4096 ? p : 0;
	if (p >= 0 || p <= -4096)
		raw_syscall(SYS_munmap, p, 4096, 0, 0, 0, 0);
	return 0;
}

static void expect_all_eperm(const char *who)
{
	for (int i = 0; i < N_CALLS; i++)
		expect(cl.ret[i] == -EPERM, "%s: %s returned %s, want EPERM", who, call_names[i],
		       cl.ret[i] < 0 ? strerrorname_np((int)-cl.ret[i]) : "success");
}

static int run_clone(int flags)
{
	size_t stack_size = 64 << 10;
	char *stack = malloc(stack_size);
	for (int i = 0; i < N_CALLS; i++)
		cl.ret[i] = 1;
	fflush(stdout);
	pid_t pid = clone(clone_calls, stack + stack_size, flags | SIGCHLD, NULL);
	if (pid < 0) {
		free(stack);
		return expect(false, "clone: %s", strerror(errno)), -1;
	}
	int st = wait_child(pid, CHILD_MS);
	free(stack);
	return st;
}

static volatile long vfork_ret[2];

static void clone_vm_children(void)
{
	if (!want("clone_vm") && !want("vfork"))
		return;
	cl.vm.fd = -1;
	if (!expect(dv_vm_open(&cl.vm, RAM_SIZE) == 0, "%s", dv_error())) {
		report("clone_vm_setup");
		return;
	}
	/* clone(CLONE_VM): a process sharing the mm, running alongside */
	int st = run_clone(CLONE_VM);
	if (expect(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "CLONE_VM child %s",
		   status_str(st)))
		expect_all_eperm("CLONE_VM child");
	report("clone_vm_child_eperm");

	/* clone(CLONE_VM | CLONE_VFORK): vfork() on its own stack */
	st = run_clone(CLONE_VM | CLONE_VFORK);
	if (expect(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "CLONE_VFORK child %s",
		   status_str(st)))
		expect_all_eperm("CLONE_VM|CLONE_VFORK child");
	report("clone_vfork_child_eperm");

	/* vfork() itself: the child runs on the parent's stack until _exit */
	struct duvisor_vcpu reg = {.index = 6};
	vfork_ret[0] = vfork_ret[1] = 1;
	fflush(stdout);
	pid_t pid = vfork();
	if (pid == 0) {
		vfork_ret[0] =
		    raw_syscall(SYS_ioctl, cl.vm.fd, DUVISOR_REGISTER_VCPU, (long)&reg, 0, 0, 0);
		vfork_ret[1] =
		    raw_syscall(SYS_ioctl, cl.vm.fd, DUVISOR_UNREGISTER_VCPU, 0, 0, 0, 0);
		_exit(0);
	}
	st = pid < 0 ? -1 : wait_child(pid, CHILD_MS);
	expect(st != -1 && WIFEXITED(st), "vfork child %s", status_str(st));
	for (int i = 0; i < 2; i++)
		expect(vfork_ret[i] == -EPERM, "vfork child: %s returned %s, want EPERM",
		       i ? "UNREGISTER_VCPU" : "REGISTER_VCPU",
		       vfork_ret[i] < 0 ? strerrorname_np((int)-vfork_ret[i]) : "success");
	report("vfork_child_eperm");

	/* The parent's VM: indices 5 and 6 free, it runs, one region each. */
	struct dv_vcpu v;
	struct duvisor_vcpu r5 = {.index = 5}, r6 = {.index = 6};
	if (expect(dv_vcpu_init(&v, &cl.vm, 0, GPA_OF(g_loop)) == 0, "%s", dv_error())) {
		v.ctx.x[R_S0] = 100;
		expect(dv_run_to_done(&v, 101) == 0, "%s", dv_error());
		dv_vcpu_fini(&v);
	}
	expect(ioctl(cl.vm.fd, DUVISOR_REGISTER_VCPU, &r5) == 0, "index 5: %s", strerror(errno));
	ioctl(cl.vm.fd, DUVISOR_UNREGISTER_VCPU);
	expect(ioctl(cl.vm.fd, DUVISOR_REGISTER_VCPU, &r6) == 0, "index 6: %s", strerror(errno));
	ioctl(cl.vm.fd, DUVISOR_UNREGISTER_VCPU);
	report("clone_vm_parent_intact");
	dv_vm_close(&cl.vm);
}

/*
 * The owner after exec is another process too (docs/driver-abi.md): a VM
 * file kept open across exec (no O_CLOEXEC) answers EPERM. The exec'd
 * program is this binary again: driver_selftest --exec-owner FD runs
 * harden_exec_owner_probe().
 */
int harden_exec_owner_probe(int fd)
{
	struct duvisor_vcpu reg = {.index = 0};
	int bad = 0;
	errno = 0;
	if (!(ioctl(fd, DUVISOR_GET_API_VERSION) == -1 && errno == EPERM))
		bad |= 1;
	errno = 0;
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!(p == MAP_FAILED && errno == EPERM))
		bad |= 2;
	errno = 0;
	if (!(ioctl(fd, DUVISOR_REGISTER_VCPU, &reg) == -1 && errno == EPERM))
		bad |= 4;
	return 10 + bad;
}

static int exec_owner_child(void *arg)
{
	(void)arg;
	char fdstr[16];
	int fd = open(DV_DEV, O_RDWR);
	if (fd < 0)
		return child_fail("open: %s", strerror(errno));
	void *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ram == MAP_FAILED)
		return child_fail("mmap: %s", strerror(errno));
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	execl("/proc/self/exe", "driver_selftest", "--exec-owner", fdstr, (char *)NULL);
	return child_fail("exec: %s", strerror(errno));
}

static void exec_owner(void)
{
	if (!want("exec_owner_eperm"))
		return;
	int st = run_child(exec_owner_child, NULL);
	if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) >= 10 && WEXITSTATUS(st) < 18) {
		int bad = WEXITSTATUS(st) - 10;
		expect(!(bad & 1), "after exec: GET_API_VERSION did not fail with EPERM");
		expect(!(bad & 2), "after exec: mmap did not fail with EPERM");
		expect(!(bad & 4), "after exec: REGISTER_VCPU did not fail with EPERM");
	} else {
		expect_child_ok(st, "exec'd owner");
	}
	report("exec_owner_eperm");
}

/* ---- 7. the hypervisor's own HLV/HSV refused: SIGSEGV at the guest address ---- */

struct hlv_arg {
	int op;		  /* 0 hlv.d, 1 hsv.d, 2 hlv.w */
	uint64_t gva;	  /* = GPA: vsatp is Bare */
	uint64_t map_hpa; /* ATTACK_GPA's stage-2 leaf, 0: unmapped */
};

static int hlv_child(void *arg)
{
	const struct hlv_arg *a = arg;
	struct dv_vm vm;
	struct dv_vcpu v;
	probe_catch();
	if (dv_vm_open(&vm, RAM_SIZE) < 0)
		return probe_fail("%s", dv_error());
	if (a->map_hpa && dv_s2_map(&vm, ATTACK_GPA, a->map_hpa, S2_R | S2_W) < 0)
		return probe_fail("%s", dv_error());
	if (dv_vcpu_init(&v, &vm, 0, GPA_OF(g_loop)) < 0)
		return probe_fail("%s", dv_error());
	probe->stage = 1;
	uint64_t got = 0;
	switch (a->op) {
	case 0:
		got = hlv_d(a->gva);
		break;
	case 1:
		hsv_d(a->gva, GUEST_ATTACK_VALUE);
		break;
	case 2:
		got = hlv_w(a->gva);
		break;
	}
	return 5 + (int)(got & 1); /* still alive: the access went through */
}

static void hlv_fault(const struct hlv_arg *a, const char *name)
{
	if (!want(name))
		return;
	if (expect_killed(hlv_child, (void *)a, SIGSEGV))
		expect(
		    probe->signo == SIGSEGV && probe->code == SEGV_ACCERR && probe->addr == a->gva,
		    "first signal %d code %d si_addr 0x%lx, want SIGSEGV SEGV_ACCERR si_addr "
		    "0x%lx (the guest address)",
		    probe->signo, probe->code, (unsigned long)probe->addr, (unsigned long)a->gva);
	else if (probe->signo)
		expect(false, "first signal %d code %d si_addr 0x%lx", probe->signo, probe->code,
		       (unsigned long)probe->addr);
	report(name);
}

static void hlv_faults(void)
{
	const struct hlv_arg load = {0, ATTACK_GPA + 0x18, KERNEL_HPA};
	const struct hlv_arg store = {1, ATTACK_GPA + 0x20, KERNEL_HPA};
	const struct hlv_arg gpf = {2, ATTACK_GPA + 0x1008, 0};
	hlv_fault(&load, "hlv_pmc_si_addr");
	hlv_fault(&store, "hsv_pmc_si_addr");
	hlv_fault(&gpf, "hlv_gpf_si_addr");
}

void t_harden(void)
{
	vsstatus_attacks();
	vsatp_modes();
	hu_csr_warl();
	vipi_recycled();
	vipi_register_clears();
	vsstatus_reset();
	clone_vm_children();
	exec_owner();
	hlv_faults();
}

/* ---- 3. KVM after DV-Ext on the same hart (as root: /dev/kvm) ---- */

#define KVM_RAM_SIZE 0x10000UL
#define CORE_REG(name)                                                                             \
	(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG(name))

static struct {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	uint8_t *mem;
} kv = {-1, -1, -1, NULL, NULL};

static bool kvm_setup(void)
{
	struct kvm_userspace_memory_region region = {
	    .slot = 0, .guest_phys_addr = GUEST_RAM_GPA, .memory_size = KVM_RAM_SIZE};
	uint64_t pc = GPA_OF(g_time), mode = KVM_RISCV_MODE_S;
	struct kvm_one_reg r_pc = {.id = CORE_REG(regs.pc), .addr = (uintptr_t)&pc};
	struct kvm_one_reg r_mode = {.id = CORE_REG(mode), .addr = (uintptr_t)&mode};
	int size;

	kv.kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (!expect(kv.kvm >= 0, "open /dev/kvm as %s: %s", cred_str(), strerror(errno)))
		return false;
	kv.vm = ioctl(kv.kvm, KVM_CREATE_VM, 0);
	if (!expect(kv.vm >= 0, "KVM_CREATE_VM: %s", strerror(errno)))
		return false;
	kv.mem =
	    mmap(NULL, KVM_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!expect(kv.mem != MAP_FAILED, "mmap: %s", strerror(errno)))
		return false;
	memcpy(kv.mem, guest_start, (size_t)(guest_end - guest_start));
	region.userspace_addr = (uintptr_t)kv.mem;
	if (!expect(ioctl(kv.vm, KVM_SET_USER_MEMORY_REGION, &region) == 0,
		    "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno)))
		return false;
	kv.vcpu = ioctl(kv.vm, KVM_CREATE_VCPU, 0);
	if (!expect(kv.vcpu >= 0, "KVM_CREATE_VCPU: %s", strerror(errno)))
		return false;
	size = ioctl(kv.kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (!expect(size >= (int)sizeof(struct kvm_run), "KVM_GET_VCPU_MMAP_SIZE: %d", size))
		return false;
	kv.run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, kv.vcpu, 0);
	if (!expect(kv.run != MAP_FAILED, "mmap kvm_run: %s", strerror(errno)))
		return false;
	return expect(ioctl(kv.vcpu, KVM_SET_ONE_REG, &r_pc) == 0 &&
			  ioctl(kv.vcpu, KVM_SET_ONE_REG, &r_mode) == 0,
		      "KVM_SET_ONE_REG: %s", strerror(errno));
}

/* One KVM_RUN: the guest must read time and report it (g_time). */
static bool kvm_time_exit(const char *when, uint64_t *time)
{
	struct kvm_run *run = kv.run;
	if (ioctl(kv.vcpu, KVM_RUN, 0) < 0)
		return expect(false, "%s: KVM_RUN failed: %s", when, strerrorname_np(errno));
	if (run->exit_reason != KVM_EXIT_RISCV_SBI ||
	    run->riscv_sbi.extension_id != GSBI_EXT_DV_TEST)
		return expect(false, "%s: KVM_RUN exit reason %u (extension %#lx)", when,
			      run->exit_reason, (unsigned long)run->riscv_sbi.extension_id);
	if (run->riscv_sbi.function_id == GSBI_FID_TRAP)
		return expect(false,
			      "%s: the KVM guest took a trap reading time: scause %#lx sepc %#lx "
			      "stval %#lx",
			      when, run->riscv_sbi.args[0], run->riscv_sbi.args[1],
			      run->riscv_sbi.args[2]);
	if (run->riscv_sbi.function_id != GSBI_FID_TIME)
		return expect(false, "%s: SBI function %#lx", when, run->riscv_sbi.function_id);
	*time = run->riscv_sbi.args[0];
	run->riscv_sbi.ret[0] = 0;
	run->riscv_sbi.ret[1] = 0;
	return true;
}

/*
 * The DV-Ext process, as the test user on the hart its parent pinned:
 * hucounteren = 0 (checked: the guest's rdtime is now a virtual-instruction
 * exit), huenvcfg and hutimedelta junk, huvsstatus junk; exits with all of
 * it in place. v[0..2] = what hucounteren, huenvcfg, hutimedelta read.
 */
static int dv_junk_child(void *arg)
{
	(void)arg;
	char err[200];
	struct dv_vm vm;
	struct dv_vcpu v;
	if (become_user(err, sizeof(err)) < 0)
		return child_fail("%s", err);
	if (dv_vm_open(&vm, RAM_SIZE) < 0 || dv_vcpu_init(&v, &vm, 0, GPA_OF(g_time)) < 0)
		return child_fail("%s", dv_error());
	csr_write(CSR_HUCOUNTEREN, 0);
	csr_write(CSR_HUENVCFG, ~0UL);
	csr_write(CSR_HUTIMEDELTA, 0x5a5a5a5a5a5aUL);
	sh->v[0] = csr_read(CSR_HUCOUNTEREN);
	sh->v[1] = csr_read(CSR_HUENVCFG);
	sh->v[2] = csr_read(CSR_HUTIMEDELTA);
	uint64_t cause = dv_run(&v);
	if (cause != CAUSE_VIRTUAL_INSN)
		return child_fail("with hucounteren = 0 the guest's rdtime gave %s, want a "
				  "virtual-instruction exit",
				  dv_exit_str(&v));
	csr_write(CSR_HUVSSTATUS, SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SUM | SSTATUS_MXR);
	return 0; /* exit as a vCPU, everything left as it is */
}

void t_harden_kvm(void)
{
	if (!want("kvm_after_dvext"))
		return;
	if (!kvm_setup()) {
		report("kvm_after_dvext_setup");
		return;
	}
	for (int cpu = 0; cpu < harts(); cpu++) {
		char name[64], when[64];
		uint64_t t0 = 0, t1 = 0;
		snprintf(name, sizeof(name), "kvm_after_dvext_hart%d", cpu);
		if (!expect(pin(cpu) == 0, "cannot run on hart %d: %s", cpu, strerror(errno))) {
			report(name);
			continue;
		}
		snprintf(when, sizeof(when), "hart %d, before this test's DV-Ext process", cpu);
		if (!kvm_time_exit(when, &t0)) {
			report(name);
			continue;
		}
		int st = run_child(dv_junk_child, NULL);
		if (expect_child_ok(st, "DV-Ext process")) {
			snprintf(when, sizeof(when), "hart %d, after a DV-Ext process there", cpu);
			if (kvm_time_exit(when, &t1))
				expect(t1 >= t0, "KVM guest time went back: %lu then %lu",
				       (unsigned long)t0, (unsigned long)t1);
			printf("# hart %d: DV-Ext process left hucounteren 0x%lx henvcfg 0x%lx "
			       "htimedelta 0x%lx; KVM guest time %lu -> %lu\n",
			       cpu, (unsigned long)sh->v[0], (unsigned long)sh->v[1],
			       (unsigned long)sh->v[2], (unsigned long)t0, (unsigned long)t1);
		}
		report(name);
	}
}
