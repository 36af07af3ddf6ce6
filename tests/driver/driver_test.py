#!/usr/bin/env python3
"""Driver suite: /dev/duvisor and the kernel's DV-Ext support, from user space.

Boots the emulated host once (2 harts) and runs two binaries built by
tests/driver/Makefile into build/tests/driver/:

- driver_selftest: a tiny user-level hypervisor (vm.c, stage2.c, vcpu.c,
  entry.S) running guest routines (guest.S) through every exit type, vCPU
  threads, signals, SIGKILL, every ioctl error path, attacks on the host
  and the driver's counts in /sys/class/misc/duvisor/;
  it prints 'ok <name>' / 'FAIL <name>: why' per check, checked here;
- exitloop: 1,000,000 guest ecalls, each an exit handled in user mode, with
  the kernel's own count of guest traps (KEY=value lines).

Both run as an ordinary user (uid 1000) whose only privilege is the device's
group (the host's init gives /dev/duvisor group kvm): driver_selftest drops
root in each group's child, except the groups that need it (harden_kvm, for
/dev/kvm), and starts exitloop the same way (--as-user).
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import hostvm  # noqa: E402
from dvtest import check, main, test  # noqa: E402

HARTS = 2
EXITS = 1000000
OUT = os.path.join(hostvm.TOP, "build", "tests", "driver")
BINARIES = {"/test/driver_selftest": os.path.join(OUT, "driver_selftest"),
            "/test/exitloop": os.path.join(OUT, "exitloop")}
MISSING = ("%s missing: build with 'make -C tests/driver O=%s KHEADERS=<dir>' (or 'make test')"
           % (" or ".join(BINARIES.values()), OUT))

# Runs inside the host. Each selftest group has its own time limit; the
# whole run is bounded by the boot timeout below.
SCRIPT = r"""
echo DEV=$(ls -l /dev/duvisor 2>&1)
/test/driver_selftest
rc=$?
echo SELFTEST_RC=$rc
/test/driver_selftest --as-user /test/exitloop %d
echo EXITLOOP_RC=$?
c=/sys/class/misc/duvisor
echo COUNTS_END=$(cat $c/vms $c/vipi_windows $c/vcpus $c/memory_bytes)
echo DMESG_BAD=$(dmesg | grep -cE 'Oops|BUG:|WARNING:|Unable to handle|Call Trace')
dmesg | grep -E 'Oops|BUG:|WARNING:|Unable to handle|Call Trace' | head -n 20
exit $rc
""" % EXITS

run = hostvm.Once(SCRIPT, BINARIES,
                  "build with 'make -C tests/driver O=%s KHEADERS=<dir>' (or 'make test')" % OUT,
                  smp=HARTS, timeout=1500,
                  log=os.path.join(hostvm.TOP, "build", "logs", "test-driver.log"))


def lines():
    return [l.strip() for l in run().lines()]


def expect_ok(*names):
    """Each named check printed 'ok <name>'; otherwise say why not."""
    ls = lines()
    problems = []
    for name in names:
        if "ok " + name in ls:
            continue
        fail = [l for l in ls if l.startswith("FAIL %s:" % name) or l == "FAIL " + name]
        if fail:
            problems.append(fail[0])
            continue
        # a group that crashed or timed out prints one FAIL for the group
        others = [l for l in ls if l.startswith("FAIL ")]
        problems.append("no result for %r%s" % (
            name, "; failures: " + " | ".join(others[:3]) if others else "; see " + run().log))
    check(not problems, "; ".join(problems))


def number(key):
    v = run().value(key)
    check(v is not None and re.match(r"^-?\d+$", v), "%s=%r" % (key, v))
    return int(v)


@test("driver_selftest and exitloop are built")
def _():
    for p in BINARIES.values():
        check(os.path.exists(p), MISSING)


@test("/dev/duvisor exists; API version 1; regions and QUERY_ADDR; vIPI windows")
def _():
    expect_ok("api_version", "regions_query_addr", "vipi_window")


@test("REGISTER_VCPU opens the gate with zeroed HU state; doorbell = lo + index")
def _():
    expect_ok("register_vcpu")


@test("ecall exit (cause 10): all 31 registers both ways, a0/a1 answers reach the guest")
def _():
    expect_ok("exit_ecall_regs", "exit_ecall_args")


@test("guest page faults (21, 23): utval = GPA, hutval = GPA >> 2; mapped and resumed")
def _():
    expect_ok("exit_load_gpf", "exit_store_gpf")


@test("virtual-instruction exits (22): WFI with VTW, HU CSR, HS-only CSR, HURET; resumed")
def _():
    expect_ok("exit_virtual_wfi", "exit_virtual_hu_csr", "exit_virtual_hs_csr",
              "exit_virtual_huret", "exit_virtual_resume")


@test("delegated exits never enter the kernel (GET_STATS guest_exceptions = 0)")
def _():
    expect_ok("exits_bypass_kernel")


@test("two threads as two vCPUs of one VM run their guests at once")
def _():
    expect_ok("two_vcpus")


@test("a vCPU thread moved between harts keeps its guest state (100 moves, and moves in-guest)")
def _():
    expect_ok("migrate_between_exits", "migrate_in_guest")


@test("a vCPU thread that exits is unregistered; REMOTE_FENCE reaches a vCPU on another hart")
def _():
    expect_ok("thread_exit_unregisters", "remote_fence")


@test("a vCPU thread's exit has unregistered it by the time pthread_join() returns")
def _():
    expect_ok("thread_exit_unregisters_before_join")


@test("a signal to a thread in its guest forces a HOST_EXIT exit, runs on the altstack, re-entry")
def _():
    expect_ok("signal_forced_exit", "signal_reenter", "signal_process_directed",
              "signal_stats_forced_exits")


@test("SIGKILL of a process running guests mid-loop; its CMA memory is freed")
def _():
    expect_ok("sigkill_mid_loop", "sigkill_memory_freed")


@test("mmap errors: length 0, unaligned, > 1 GiB, not MAP_SHARED, offset, ENOMEM, ENOSPC")
def _():
    expect_ok("err_mmap_len_zero", "err_mmap_len_unaligned", "err_mmap_too_big",
              "err_mmap_private", "err_mmap_offset", "err_mmap_enomem", "err_mmap_enospc")


@test("order errors: REGISTER before mmap ENXIO, SET_DELEG/mmap after REGISTER EBUSY")
def _():
    expect_ok("err_register_before_mmap", "err_deleg_after_register", "err_mmap_after_register")


@test("registration errors: double EBUSY, index taken EEXIST, index >= 16 EINVAL, UNREGISTER")
def _():
    expect_ok("err_double_register", "err_index_taken", "err_register_index_range",
              "err_unregister_not_vcpu", "err_unregister_other_thread", "err_unregister_twice")


@test("SET_DELEG disallowed bits EINVAL; QUERY_ADDR of another VM EINVAL; VM limit")
def _():
    expect_ok("err_deleg_bits", "err_query_addr_other_vm", "err_too_many_vms")


@test("unknown ioctl ENOTTY; bad pointers EFAULT without side effects")
def _():
    expect_ok("err_unknown_ioctl", "err_efault", "err_efault_leaves_no_vcpu")


@test("a forked child: EPERM on the parent's VM, no guest mappings, gate closed; exec closes it")
def _():
    expect_ok("fork_child_calls_eperm", "fork_child_no_mapping", "fork_child_gate_closed",
              "exec_closes_gate", "fork_parent_vm_intact")


@test("undelegated guest exceptions: forced exit, then SIGILL / SIGSEGV")
def _():
    expect_ok("undelegated_ecall_sigill", "undelegated_gpf_sigsegv", "undelegated_gpf_record",
              "undelegated_virtual_insn_sigill", "guest_illegal_insn")


@test("attack: stage-2 root in kernel memory, another VM or nowhere -> SIGBUS")
def _():
    expect_ok("attack_root_kernel", "attack_root_other_vm", "attack_root_nowhere")


@test("attack: stage-2 leaf/table into another VM or the kernel -> SIGBUS, marker unchanged")
def _():
    expect_ok("attack_leaf_other_vm_store", "attack_leaf_other_vm_load",
              "attack_leaf_kernel_load", "attack_table_other_vm")


@test("attack: HS-only CSRs from HU and U -> SIGILL")
def _():
    expect_ok("attack_hdvctl_from_hu", "attack_hpmcbase_write_from_hu",
              "attack_hpmcbase_read_from_hu", "attack_hdvctl_from_u")


@test("attack: HU CSRs, HLV, HURET, HUFENCE without registration -> SIGILL; HURET UPV=0 stays U")
def _():
    expect_ok("attack_hu_csr_from_u", "attack_hugatp_from_u", "attack_utvec_from_u",
              "attack_hlv_from_u", "attack_huret_from_u", "attack_hufence_from_u",
              "attack_hu_csr_after_unregister", "attack_huret_upv0_stays_user")


@test("/dev/duvisor is 0660 root:<group>; the tests run as uid 1000 with that group only")
def _():
    expect_ok("unprivileged_device_group")


@test("huvsstatus: M-mode and other non-sstatus bits read back clear; guest entries with them")
def _():
    expect_ok("vsstatus_mprv", "vsstatus_tsr", "vsstatus_tvm", "vsstatus_tw", "vsstatus_sum",
              "vsstatus_mxr", "vsstatus_mie", "vsstatus_mpie", "vsstatus_mpp", "vsstatus_uie",
              "vsstatus_upie", "vsstatus_uxl", "vsstatus_sxl", "vsstatus_mpv", "vsstatus_gva",
              "vsstatus_all_ones")


@test("after every huvsstatus attack the host and a canary VM (its RAM, its exit loop) are intact")
def _():
    expect_ok("vsstatus_host_survives")


@test("huvsatp MODE 0..15 then HLV and HURET: only supported modes stick; QEMU survives")
def _():
    expect_ok("vsatp_mode_warl")


@test("hucounteren is 32 bits; huvstvec ignores MODE 2 and 3")
def _():
    expect_ok("hu_csr_warl")


@test("a doorbell a dead VM left is not pending in the next VM given its vIPI window")
def _():
    expect_ok("vipi_recycled_window")


@test("a vCPU starts with its doorbell clear, even if it was rung before it registered")
def _():
    expect_ok("vipi_register_clears_doorbell")


@test("a new vCPU reads huvsstatus = UXL 2, nothing else (after another process; on a fresh hart)")
def _():
    expect_ok("vsstatus_reset_at_register", "vsstatus_reset_fresh_hart")


@test("a VM handed to the owner's next image: adopted only after HANDOVER and an exec, once, by "
      "the owner alone; its regions mapped again are the same pages; a guest runs on the old tables")
def _():
    expect_ok("handover_misuse_without_exec", "handover_needs_the_mark", "handover_adopt_after_exec")


@test("vfork() and CLONE_VM children, and the owner after exec: EPERM; the parent's VM still runs")
def _():
    expect_ok("clone_vm_child_eperm", "clone_vfork_child_eperm", "vfork_child_eperm",
              "clone_vm_parent_intact", "exec_owner_eperm")


@test("the hypervisor's own HLV/HSV refused by PMC or stage 2: SIGSEGV at the guest address")
def _():
    expect_ok("hlv_pmc_si_addr", "hsv_pmc_si_addr", "hlv_gpf_si_addr")


@test("a KVM guest reads time on each hart after a DV-Ext process left hucounteren 0 there")
def _():
    expect_ok(*["kvm_after_dvext_hart%d" % i for i in range(HARTS)])


@test("the driver's counts (sysfs: vms, vipi_windows, vcpus, memory_bytes) move by exactly what "
      "each call takes, not on errors, and are back when a process closes, exits or is SIGKILLed")
def _():
    expect_ok("counts_files", "counts_open_close", "counts_regions", "counts_mmap_errors",
              "counts_vcpus", "counts_vcpu_holds_vm", "counts_exit_with_vms", "counts_sigkill",
              "counts_vm_limit", "counts_fork_holds_file")


@test("the driver's counts read 0 after all the groups before them, and after the whole run")
def _():
    expect_ok("counts_zero_after_groups")
    end = run().value("COUNTS_END")
    check(end == "0 0 0 0", "vms vipi_windows vcpus memory_bytes at the end: %r" % end)


@test("after every attack a new VM runs normally")
def _():
    expect_ok("sane_after_attacks")


@test("driver_selftest verdict is pass, no check failed")
def _():
    r = run()
    fails = [l for l in lines() if l.startswith("FAIL ")]
    check(not fails, "failures: %s" % " | ".join(fails))
    check(r.value("DRIVER_SELFTEST") == "pass", "DRIVER_SELFTEST=%s" % r.value("DRIVER_SELFTEST"))
    check(r.value("SELFTEST_RC") == "0", "selftest exited %s" % r.value("SELFTEST_RC"))


@test("exitloop: %d guest ecalls, each an exit handled in user mode" % EXITS)
def _():
    r = run()
    err = r.value("EXITLOOP_ERROR")
    check(r.value("EXITLOOP") == "pass", "EXITLOOP=%s%s" % (r.value("EXITLOOP"),
                                                            ": " + err if err else ""))
    check(number("EXITS") == EXITS + 1, "EXITS=%s" % r.value("EXITS"))
    for k in ("EXITS", "ELAPSED_MS", "NS_PER_EXIT", "GUEST_TRAPS", "GUEST_IRQS",
              "GUEST_EXCEPTIONS", "FORCED_EXITS", "VCPU_LOADS", "VOLUNTARY_CTXT_SWITCHES",
              "NONVOLUNTARY_CTXT_SWITCHES"):
        print("  %s=%s" % (k, r.value(k)))


@test("exitloop: no guest exception reached the kernel; kernel entries < 1% of exits")
def _():
    exits = number("EXITS")
    check(number("GUEST_EXCEPTIONS") == 0, "GUEST_EXCEPTIONS=%d" % number("GUEST_EXCEPTIONS"))
    traps = number("GUEST_TRAPS")
    check(traps < exits // 100, "GUEST_TRAPS=%d for %d exits" % (traps, exits))
    check(number("GUEST_IRQS") == traps, "GUEST_IRQS=%d of GUEST_TRAPS=%d"
          % (number("GUEST_IRQS"), traps))
    check(number("FORCED_EXITS") == 0, "FORCED_EXITS=%d" % number("FORCED_EXITS"))


@test("host kernel printed no oops, BUG or warning")
def _():
    # hostvm.run already fails the run on an oops or panic on the console;
    # this also covers messages below the console log level.
    n = run().value("DMESG_BAD")
    check(n == "0", "dmesg has %s oops/BUG/WARNING lines; see %s" % (n, run().log))


main("driver")
