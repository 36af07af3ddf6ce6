/*
 * Delegated exits, each taken in user mode and resumed: a VS ecall with
 * registers passed both ways, load and store guest page faults that the
 * hypervisor answers by mapping the page, and virtual-instruction exits for
 * what a guest may not execute (docs/dv-ext.md §4.2, R-GATE-4).
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <string.h>

#include "csr.h"
#include "dv.h"
#include "report.h"
#include "tests.h"

#define RAM_SIZE (2UL << 20)
/* RAM pages the fault test maps at the faulting GPAs. */
#define LOAD_PAGE_OFF  0x100000UL
#define STORE_PAGE_OFF 0x101000UL
#define LOAD_MARKER    0xfeedface12345678UL
#define WFI_INSN       0x10500073UL
#define EMULATED_CSR   0x77UL

static uint64_t pattern(int set, int reg)
{
	return (set ? 0xb0b0000000000000UL : 0xa0a0000000000000UL) | ((uint64_t)reg << 8) |
	       (uint64_t)reg;
}

static bool is_exit(struct dv_vcpu *v, uint64_t cause, const char *label)
{
	return expect(v->ctx.ucause == cause && v->ctx.pc == GPA_OF(label),
		      "want ucause %lu at 0x%lx, got %s", (unsigned long)cause,
		      (unsigned long)GPA_OF(label), dv_exit_str(v));
}

/* The exit came from the guest in VS: UPV = 1, UPVP = 1 (R-TRAP 4.2.2). */
static void from_vs(struct dv_vcpu *v)
{
	uint64_t s = v->ctx.exit_hustatus;
	expect((s & HUSTATUS_UPV) && (s & HUSTATUS_UPVP), "hustatus 0x%lx: UPV/UPVP not 1",
	       (unsigned long)s);
}

static void ecall_regs(struct dv_vcpu *v)
{
	dv_set_entry(v, GPA_OF(g_regs));
	for (int i = 1; i < 32; i++)
		v->ctx.x[i] = pattern(0, i);
	dv_run(v);
	if (is_exit(v, CAUSE_VS_ECALL, g_regs)) {
		from_vs(v);
		for (int i = 1; i < 32; i++)
			expect(v->ctx.x[i] == pattern(0, i),
			       "x%d = 0x%lx in the guest, loaded 0x%lx", i,
			       (unsigned long)v->ctx.x[i], (unsigned long)pattern(0, i));
		expect(v->ctx.utval == 0 && v->ctx.hutval == 0, "ecall: utval 0x%lx hutval 0x%lx",
		       (unsigned long)v->ctx.utval, (unsigned long)v->ctx.hutval);
		for (int i = 1; i < 32; i++)
			v->ctx.x[i] = pattern(1, i);
		v->ctx.pc += 4;
		dv_run(v);
		if (is_exit(v, CAUSE_VS_ECALL, g_regs_2))
			for (int i = 1; i < 32; i++)
				expect(v->ctx.x[i] == pattern(1, i),
				       "x%d = 0x%lx after re-entry, loaded 0x%lx", i,
				       (unsigned long)v->ctx.x[i], (unsigned long)pattern(1, i));
	}
	report("exit_ecall_regs");

	/* The guest computes with what the hypervisor answered. */
	const uint64_t a0 = 0x123456789UL, a1 = 0x0f0f0f0f00UL;
	v->ctx.x[R_A0] = a0;
	v->ctx.x[R_A1] = a1;
	v->ctx.pc += 4;
	dv_run(v);
	if (expect(v->ctx.ucause == CAUSE_VS_ECALL && v->ctx.x[R_A7] == GFN_DONE, "%s",
		   dv_exit_str(v))) {
		expect(v->ctx.x[R_A2] == a0 + a1, "guest a0 + a1 = 0x%lx, want 0x%lx",
		       (unsigned long)v->ctx.x[R_A2], (unsigned long)(a0 + a1));
		expect(v->ctx.x[R_A3] == (a0 ^ a1), "guest a0 ^ a1 = 0x%lx, want 0x%lx",
		       (unsigned long)v->ctx.x[R_A3], (unsigned long)(a0 ^ a1));
	}
	report("exit_ecall_args");
}

/* A guest page fault: cause, pc, utval = the guest address (bare VS-stage:
 * = GPA, GVA = 1), hutval = GPA >> 2. */
static bool is_gpf(struct dv_vcpu *v, uint64_t cause, const char *label, uint64_t gpa)
{
	if (!is_exit(v, cause, label))
		return false;
	from_vs(v);
	expect(v->ctx.utval == gpa, "utval 0x%lx, want GVA 0x%lx", (unsigned long)v->ctx.utval,
	       (unsigned long)gpa);
	expect(v->ctx.hutval == gpa >> 2, "hutval 0x%lx, want GPA >> 2 = 0x%lx",
	       (unsigned long)v->ctx.hutval, (unsigned long)(gpa >> 2));
	expect(v->ctx.exit_hustatus & HUSTATUS_GVA, "hustatus.GVA = 0 with a GVA in utval");
	return true;
}

static void page_faults(struct dv_vcpu *v)
{
	struct dv_vm *vm = v->vm;
	uint64_t *load_page = (uint64_t *)(vm->ram + LOAD_PAGE_OFF);
	uint64_t *store_page = (uint64_t *)(vm->ram + STORE_PAGE_OFF);
	load_page[0] = LOAD_MARKER;

	dv_set_entry(v, GPA_OF(g_fault));
	dv_run(v);
	bool load_ok = is_gpf(v, CAUSE_LOAD_GPF, g_fault_load, GUEST_FAULT_LOAD_GPA);
	report("exit_load_gpf");
	if (!load_ok)
		return;

	/* Map the page and retry the same instruction (pc unchanged). A new
	 * mapping needs no fence architecturally (invalid entries are not
	 * cached), but HUFENCE.GVMA is what a hypervisor does. */
	expect(dv_s2_map(vm, GUEST_FAULT_LOAD_GPA, vm->ram_hpa + LOAD_PAGE_OFF, S2_RWX) == 0, "%s",
	       dv_error());
	hufence_gvma_all();
	dv_run(v);
	bool store_ok = is_gpf(v, CAUSE_STORE_GPF, g_fault_store, GUEST_FAULT_STORE_GPA + 8);
	if (store_ok) {
		expect(dv_s2_map(vm, GUEST_FAULT_STORE_GPA, vm->ram_hpa + STORE_PAGE_OFF, S2_RWX) ==
			   0,
		       "%s", dv_error());
		hufence_gvma_all();
		dv_run(v);
		if (expect(v->ctx.ucause == CAUSE_VS_ECALL && v->ctx.x[R_A7] == GFN_DONE,
			   "after mapping: %s", dv_exit_str(v))) {
			expect(v->ctx.x[R_A0] == LOAD_MARKER, "guest loaded 0x%lx, want 0x%lx",
			       (unsigned long)v->ctx.x[R_A0], LOAD_MARKER);
			expect(v->ctx.x[R_A1] == GUEST_STORE_VALUE, "guest read back 0x%lx",
			       (unsigned long)v->ctx.x[R_A1]);
			expect(store_page[1] == GUEST_STORE_VALUE,
			       "host sees 0x%lx at the stored address, want 0x%lx",
			       (unsigned long)store_page[1], (unsigned long)GUEST_STORE_VALUE);
		}
	}
	report("exit_store_gpf");
}

/* Virtual instruction: utval is the instruction word or 0 (as stval). */
static void virtual_insns(struct dv_vcpu *v)
{
	v->ctx.hustatus |= HUSTATUS_VTW;
	dv_set_entry(v, GPA_OF(g_virt));
	dv_run(v);
	if (is_exit(v, CAUSE_VIRTUAL_INSN, g_virt_wfi)) {
		from_vs(v);
		expect(v->ctx.utval == WFI_INSN || v->ctx.utval == 0, "utval 0x%lx for wfi",
		       (unsigned long)v->ctx.utval);
		expect(v->ctx.hutval == 0, "hutval 0x%lx, want 0", (unsigned long)v->ctx.hutval);
	}
	report("exit_virtual_wfi");

	v->ctx.pc = GPA_OF(g_virt_csr);
	dv_run(v);
	if (is_exit(v, CAUSE_VIRTUAL_INSN, g_virt_csr))
		v->ctx.x[R_A0] = EMULATED_CSR;
	report("exit_virtual_hu_csr");

	v->ctx.pc = GPA_OF(g_virt_hs);
	dv_run(v);
	is_exit(v, CAUSE_VIRTUAL_INSN, g_virt_hs);
	report("exit_virtual_hs_csr");

	v->ctx.pc = GPA_OF(g_virt_huret);
	dv_run(v);
	is_exit(v, CAUSE_VIRTUAL_INSN, g_virt_huret);
	report("exit_virtual_huret");

	v->ctx.pc += 4;
	dv_run(v);
	if (expect(v->ctx.ucause == CAUSE_VS_ECALL && v->ctx.x[R_A7] == GFN_DONE, "%s",
		   dv_exit_str(v)))
		expect(v->ctx.x[R_A0] == EMULATED_CSR, "guest csrr got 0x%lx, want 0x%lx",
		       (unsigned long)v->ctx.x[R_A0], EMULATED_CSR);
	report("exit_virtual_resume");
	v->ctx.hustatus &= ~HUSTATUS_VTW;
}

void t_exits(void)
{
	struct dv_vm vm = {.fd = -1};
	struct dv_vcpu v;
	if (!expect(dv_vm_open(&vm, RAM_SIZE) == 0, "%s", dv_error()) ||
	    !expect(dv_vcpu_init(&v, &vm, 0, GPA_OF(g_regs)) == 0, "%s", dv_error())) {
		report("exit_setup");
		return;
	}
	ecall_regs(&v);
	page_faults(&v);
	virtual_insns(&v);

	/* Every exit above was delegated: none may have entered the kernel
	 * as a guest exception. */
	uint64_t exc = DV_STAT(&vm, guest_exceptions);
	expect(exc == 0, "GET_STATS guest_exceptions = %lu, want 0", (unsigned long)exc);
	report("exits_bypass_kernel");
	dv_vcpu_fini(&v);
	dv_vm_close(&vm);
}
