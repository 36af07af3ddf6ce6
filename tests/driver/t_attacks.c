/*
 * Attacks by a hypervisor process on the host, each in a child that must
 * die by the right signal while the host and other VMs go on:
 *
 * - stage-2 tables reaching memory the process does not own: a root
 *   (hugatp) in kernel memory, in another VM's region or nowhere; a leaf or
 *   a table pointer into another VM's region or the kernel. PMC checks every
 *   G-stage PTE read and the final address (R-PMC-1): the access faults to
 *   HS, which forces an exit and sends SIGBUS (BUS_ADRERR); the foreign
 *   memory is neither read nor written (R-PMC-2).
 * - DV-Ext state a process may not touch: HS-only CSRs from HU or plain U
 *   (R-GATE-5), HU CSRs and instructions without a registration (R-GATE-3),
 *   and HURET with UPV = 0 (R-HURET-2): SIGILL.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>

#include "csr.h"
#include "dv.h"
#include "probe.h"
#include "report.h"
#include "tests.h"

#define RAM_SIZE     (2UL << 20)
#define KERNEL_HPA   0x80200000UL     /* where OpenSBI loads the kernel image */
#define NOWHERE_HPA  0x1000000000UL   /* 64 GiB: no memory at all */
#define ATTACK_GPA   0x90000000UL     /* own L1 slot: GPA bits 40:30 = 2 */
#define ATTACK_GPA_T 0xc0000000UL     /* root slot 3: its table pointer is forged */
#define MARKER	     0x4d41524b4552UL /* "MARKER" */

static struct dv_vm victim; /* another VM, owned by the parent */
static uint64_t victim_page_hpa, victim_table_hpa;

struct attack {
	uint64_t root_hpa;  /* hugatp root, 0: the child's own */
	uint64_t leaf_hpa;  /* map ATTACK_GPA to this, 0: none */
	uint64_t table_hpa; /* root slot of ATTACK_GPA_T points here as a table */
	const char *entry;  /* guest routine */
	uint64_t target;    /* a6 for it */
};

static int guest_attack(void *arg)
{
	const struct attack *a = arg;
	struct dv_vm vm;
	struct dv_vcpu v;
	probe_catch();
	if (dv_vm_open(&vm, RAM_SIZE) < 0)
		return probe_fail("%s", dv_error());
	if (a->leaf_hpa && dv_s2_map(&vm, ATTACK_GPA, a->leaf_hpa, S2_RWX) < 0)
		return probe_fail("%s", dv_error());
	if (a->table_hpa)
		vm.root[(ATTACK_GPA_T >> 30) & 2047] = ((a->table_hpa >> 12) << 10) | S2_V;
	if (dv_vcpu_init(&v, &vm, 0, GPA_OF(a->entry)) < 0)
		return probe_fail("%s", dv_error());
	if (a->root_hpa) {
		csr_write(CSR_HUGATP, HUGATP_SV39X4 | (a->root_hpa >> 12));
		hufence_gvma_all();
	}
	v.ctx.x[R_A6] = a->target;
	return probe_guest(&v);
}

/* Killed by SIGBUS (BUS_ADRERR) after an access-fault exit at gpa. */
static void expect_pmc_kill(const struct attack *a, uint64_t cause, uint64_t gpa)
{
	if (!expect_killed(guest_attack, (void *)a, SIGBUS))
		return;
	expect(probe->signo == SIGBUS && probe->code == BUS_ADRERR,
	       "first signal %d code %d, want SIGBUS BUS_ADRERR", probe->signo, probe->code);
	expect(probe->exited && probe->ucause == cause && probe->hutval == gpa >> 2,
	       "want forced exit ucause %lu hutval 0x%lx: %s", (unsigned long)cause,
	       (unsigned long)(gpa >> 2), probe_str());
}

static void stage2_attacks(void)
{
	uint64_t *marker = (uint64_t *)(victim.ram + 0x1000);
	uint64_t entry = GPA_OF(g_touch);
	struct attack a;

	a = (struct attack){.root_hpa = KERNEL_HPA, .entry = g_touch, .target = GUEST_RAM_GPA};
	expect_pmc_kill(&a, CAUSE_FETCH_ACCESS, entry);
	report("attack_root_kernel");

	a = (struct attack){.root_hpa = victim.ram_hpa, .entry = g_touch, .target = GUEST_RAM_GPA};
	expect_pmc_kill(&a, CAUSE_FETCH_ACCESS, entry);
	report("attack_root_other_vm");

	a = (struct attack){.root_hpa = NOWHERE_HPA, .entry = g_touch, .target = GUEST_RAM_GPA};
	expect_pmc_kill(&a, CAUSE_FETCH_ACCESS, entry);
	report("attack_root_nowhere");

	*marker = MARKER;
	a = (struct attack){.leaf_hpa = victim_page_hpa, .entry = g_touch, .target = ATTACK_GPA};
	expect_pmc_kill(&a, CAUSE_STORE_ACCESS, ATTACK_GPA);
	expect(*marker == MARKER, "other VM's page now holds 0x%lx", (unsigned long)*marker);
	report("attack_leaf_other_vm_store");

	a = (struct attack){.leaf_hpa = victim_page_hpa, .entry = g_peek, .target = ATTACK_GPA};
	expect_pmc_kill(&a, CAUSE_LOAD_ACCESS, ATTACK_GPA);
	report("attack_leaf_other_vm_load");

	a = (struct attack){.leaf_hpa = KERNEL_HPA, .entry = g_peek, .target = ATTACK_GPA};
	expect_pmc_kill(&a, CAUSE_LOAD_ACCESS, ATTACK_GPA);
	report("attack_leaf_kernel_load");

	/* A table pointer (non-leaf PTE) into the other VM: the PTE read
	 * itself is out of range. */
	a = (struct attack){.table_hpa = victim_table_hpa, .entry = g_peek, .target = ATTACK_GPA_T};
	expect_pmc_kill(&a, CAUSE_LOAD_ACCESS, ATTACK_GPA_T);
	report("attack_table_other_vm");
	expect(*marker == MARKER, "other VM's page now holds 0x%lx", (unsigned long)*marker);
}

enum csr_attack {
	HS_CSR_WRITE, /* csrw hdvctl: switch the gate */
	HS_PMC_WRITE, /* csrw hpmcbase0: widen the PMC range */
	HS_CSR_READ,  /* csrr hpmcbase0 */
	HU_CSR_READ,  /* csrr hustatus */
	HU_HUGATP,    /* csrw hugatp */
	HU_UTVEC,     /* csrr utvec */
	HLV,	      /* hlv.d */
	HURET,	      /* huret */
	HUFENCE,      /* hufence.gvma */
	HURET_UPV0,   /* huret with UPV = 0, UPVP = 1 (needs HU mode) */
};

struct csr_attack_arg {
	enum csr_attack what;
	int mode; /* 0: plain U, never opened the device; 1: HU (registered);
		   * 2: registered, then unregistered */
};

uint64_t huret_stay(void);

static int do_csr_attack(enum csr_attack what)
{
	uint64_t v = 0, addr = (uint64_t)(uintptr_t)&v;
	switch (what) {
	case HS_CSR_WRITE:
		__asm__ __volatile__("csrw " dv_str(CSR_HDVCTL) ", zero");
		break;
	case HS_PMC_WRITE:
		__asm__ __volatile__("csrw " dv_str(CSR_HPMCBASE0) ", zero");
		break;
	case HS_CSR_READ:
		__asm__ __volatile__("csrr %0, " dv_str(CSR_HPMCBASE0) : "=r"(v));
		break;
	case HU_CSR_READ:
		__asm__ __volatile__("csrr %0, " dv_str(CSR_HUSTATUS) : "=r"(v));
		break;
	case HU_HUGATP:
		__asm__ __volatile__("csrw " dv_str(CSR_HUGATP) ", zero");
		break;
	case HU_UTVEC:
		__asm__ __volatile__("csrr %0, " dv_str(CSR_UTVEC) : "=r"(v));
		break;
	case HLV:
		/* hlv.d a0, (a1): funct7 0110110, rs2 00000, funct3 100 */
		__asm__ __volatile__("mv a1, %1\n\t.word 0x6c05c573\n\tmv %0, a0"
				     : "=r"(v)
				     : "r"(addr)
				     : "a0", "a1", "memory");
		break;
	case HURET:
		huret();
		break;
	case HUFENCE:
		hufence_gvma_all();
		break;
	case HURET_UPV0:
		v = huret_stay();
		break;
	}
	return 5 + (int)(v & 1); /* still alive: the attack worked */
}

static int csr_attack(void *arg)
{
	const struct csr_attack_arg *a = arg;
	struct dv_vm vm;
	struct dv_vcpu v;
	probe_catch();
	if (a->mode) {
		if (dv_vm_open(&vm, RAM_SIZE) < 0 || dv_vcpu_init(&v, &vm, 0, 0) < 0)
			return probe_fail("%s", dv_error());
		if (a->mode == 2 && dv_vcpu_fini(&v) < 0)
			return probe_fail("%s", dv_error());
	}
	probe->stage = 1;
	return do_csr_attack(a->what);
}

static void expect_sigill(enum csr_attack what, int mode, const char *name)
{
	struct csr_attack_arg a = {.what = what, .mode = mode};
	expect_killed(csr_attack, &a, SIGILL);
	report(name);
}

static void csr_attacks(void)
{
	expect_sigill(HS_CSR_WRITE, 1, "attack_hdvctl_from_hu");
	expect_sigill(HS_PMC_WRITE, 1, "attack_hpmcbase_write_from_hu");
	expect_sigill(HS_CSR_READ, 1, "attack_hpmcbase_read_from_hu");
	expect_sigill(HS_CSR_WRITE, 0, "attack_hdvctl_from_u");
	expect_sigill(HU_CSR_READ, 0, "attack_hu_csr_from_u");
	expect_sigill(HU_HUGATP, 0, "attack_hugatp_from_u");
	expect_sigill(HU_UTVEC, 0, "attack_utvec_from_u");
	expect_sigill(HLV, 0, "attack_hlv_from_u");
	expect_sigill(HURET, 0, "attack_huret_from_u");
	expect_sigill(HUFENCE, 0, "attack_hufence_from_u");
	expect_sigill(HU_CSR_READ, 2, "attack_hu_csr_after_unregister");
	expect_sigill(HURET_UPV0, 1, "attack_huret_upv0_stays_user");
}

void t_attacks(void)
{
	struct duvisor_addr q;
	if (!expect(dv_vm_open(&victim, RAM_SIZE) == 0, "victim VM: %s", dv_error()) ||
	    !expect(dv_query(victim.fd, victim.ram + 0x1000, &q) == 0, "QUERY_ADDR victim")) {
		report("attack_setup");
		return;
	}
	victim_page_hpa = q.hpa;
	victim_table_hpa = victim.ram_hpa + 0x2000; /* a zeroed page of the victim */
	stage2_attacks();
	csr_attacks();
	dv_vm_close(&victim);
}
