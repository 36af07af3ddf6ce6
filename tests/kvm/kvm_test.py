#!/usr/bin/env python3
"""KVM suite: KVM works inside the emulated host. Runs kvm_selftest (built by
tests/kvm/Makefile into build/tests/kvm/) in the host: a one-vCPU VM whose
guest makes an MMIO store and load, two SBI calls KVM forwards to user space
and an SBI shutdown; the selftest checks each exit and the guest's registers
and prints 'ok <name>' / 'FAIL <name>: why' lines, checked here."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import hostvm  # noqa: E402
from dvtest import check, main, test  # noqa: E402

HARTS = 2
BINARY = os.path.join(hostvm.TOP, "build", "tests", "kvm", "kvm_selftest")
MISSING = ("%s is missing: build it with 'make -C tests/kvm O=%s' (or run 'make test')"
           % (BINARY, os.path.dirname(BINARY)))

# Runs inside the host. The selftest's own alarm ends it within 10 s.
SCRIPT = r"""
/test/kvm_selftest
rc=$?
echo SELFTEST_RC=$rc
echo DMESG_BAD=$(dmesg | grep -cE 'Oops|BUG:|WARNING:|Unable to handle|Call Trace')
exit $rc
"""

selftest = hostvm.Once(SCRIPT, {"/test/kvm_selftest": BINARY},
                       "build it with 'make -C tests/kvm O=%s' (or run 'make test')"
                       % os.path.dirname(BINARY), smp=HARTS, timeout=240,
                       log=os.path.join(hostvm.TOP, "build", "logs", "test-kvm.log"))


def expect_ok(*names):
    """Each named selftest check printed 'ok <name>'; otherwise say why not."""
    lines = [l.strip() for l in selftest().lines()]
    for name in names:
        if "ok " + name in lines:
            continue
        fail = [l for l in lines if l.startswith("FAIL %s:" % name)]
        if fail:
            raise AssertionError(fail[0])
        stopped = [l for l in lines if l.startswith("FAIL ")]
        raise AssertionError("selftest printed no result for %r%s" % (
            name, "; it stopped at: " + stopped[0] if stopped else "; see " + selftest().log))


@test("kvm_selftest binary is built")
def _():
    check(os.path.exists(BINARY), MISSING)


@test("/dev/kvm opens; API version 12; VM, guest memory, vCPU and PC set up")
def _():
    expect_ok("api_version", "create_vm", "guest_memory", "create_vcpu", "set_pc")


@test("guest MMIO store exits as KVM_EXIT_MMIO write with address, length and data")
def _():
    expect_ok("mmio_write")


@test("guest MMIO load exits as KVM_EXIT_MMIO read; the answer reaches the guest")
def _():
    # mmio_read checks the exit; sbi_forward (args[0] = value + 1) and
    # registers (t2) check the guest received the value user space gave.
    expect_ok("mmio_read", "sbi_forward", "registers")


@test("legacy SBI putchar is forwarded as KVM_EXIT_RISCV_SBI (EID 0x01)")
def _():
    expect_ok("sbi_legacy_putchar")


@test("experimental-space SBI call is forwarded with EID, FID and a0..a5")
def _():
    expect_ok("sbi_forward")


@test("SBI SRST shutdown ends the run with KVM_EXIT_SYSTEM_EVENT (shutdown)")
def _():
    expect_ok("system_event")


@test("guest registers after the run hold the MMIO and SBI answers; RAM store visible")
def _():
    expect_ok("registers", "guest_ram")


@test("selftest verdict is pass and it exited 0")
def _():
    r = selftest()
    fails = [l.strip() for l in r.lines() if l.strip().startswith("FAIL ")]
    check(not fails, "selftest failures: %s" % "; ".join(fails))
    check(r.value("KVM_SELFTEST") == "pass", "KVM_SELFTEST=%s" % r.value("KVM_SELFTEST"))
    check(r.rc == 0, "selftest exited %s" % r.rc)


@test("host kernel printed no oops, BUG or warning")
def _():
    # hostvm.run already fails the run on an oops or panic on the console;
    # this also covers messages below the console log level.
    n = selftest().value("DMESG_BAD")
    check(n == "0", "dmesg has %s oops/BUG/WARNING lines; see %s" % (n, selftest().log))


main("kvm")
