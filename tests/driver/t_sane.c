/*
 * After the attacks and the killed children: the host still runs VMs.
 * A new VM takes 10000 exits, both page-fault exits and finishes, with no
 * kernel-handled guest exception.
 */
#include "csr.h"
#include "dv.h"
#include "report.h"
#include "tests.h"

#define RAM_SIZE (4UL << 20)

void t_sane(void)
{
	struct dv_vm vm = {.fd = -1};
	struct dv_vcpu v;
	if (!expect(dv_vm_open(&vm, RAM_SIZE) == 0, "%s", dv_error()) ||
	    !expect(dv_vcpu_init(&v, &vm, 0, GPA_OF(g_loop)) == 0, "%s", dv_error()))
		goto out;
	v.ctx.x[R_S0] = 10000;
	expect(dv_run_to_done(&v, 10001) == 0, "ecall loop: %s", dv_error());

	dv_set_entry(&v, GPA_OF(g_fault));
	const uint64_t pages[2] = {GUEST_FAULT_LOAD_GPA, GUEST_FAULT_STORE_GPA};
	for (int i = 0; i < 2; i++) {
		uint64_t cause = dv_run(&v);
		if (!expect(cause == CAUSE_LOAD_GPF + 2UL * (uint64_t)i, "fault %d: %s", i,
			    dv_exit_str(&v)))
			goto out;
		dv_s2_map(&vm, pages[i], vm.ram_hpa + 0x200000 + 4096UL * (uint64_t)i, S2_RWX);
		hufence_gvma_all();
	}
	expect(dv_run_to_done(&v, 1) == 0, "after faults: %s", dv_error());
	uint64_t exc = DV_STAT(&vm, guest_exceptions);
	expect(exc == 0, "guest_exceptions = %lu", (unsigned long)exc);
	dv_vcpu_fini(&v);
out:
	dv_vm_close(&vm);
	report("sane_after_attacks");
}
