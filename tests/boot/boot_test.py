#!/usr/bin/env python3
"""Boot suite: the emulated host reaches user space with the expected harts,
the H extension and KVM."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import hostvm  # noqa: E402
from dvtest import check, main, test  # noqa: E402

HARTS = 4

# Runs inside the host; prints facts as KEY=value lines for the checks below.
PROBE = r"""
echo NPROC=$(nproc)
echo CPUINFO_HARTS=$(grep -c '^processor' /proc/cpuinfo)
echo ISA=$(grep -m1 '^isa' /proc/cpuinfo | sed 's/.*: *//')
echo KVM_DEV=$(test -c /dev/kvm && echo yes || echo no)
echo KVM_MSG=$(dmesg | grep -m1 'kvm.*hypervisor extension available' | sed 's/^\[[^]]*\] //')
echo UNAME=$(uname -r)
echo ECHO_OK=$(echo hello | tr a-z A-Z)
exit 7
"""

boot = None


def booted():
    global boot
    if boot is None:
        boot = hostvm.run(PROBE, smp=HARTS, timeout=180,
                          log=os.path.join(hostvm.TOP, "build", "logs", "test-boot.log"))
    return boot


@test("host boots and reaches user space; the test command's status comes back")
def _():
    r = booted()
    check("DV-HOST-UP" in r.console, "no DV-HOST-UP line on the console")
    check(r.value("ECHO_OK") == "HELLO", "user-space pipeline gave %r" % r.value("ECHO_OK"))
    check(r.rc == 7, "test command exited 7, runner saw %r" % r.rc)


@test("host sees %d harts" % HARTS)
def _():
    r = booted()
    check(r.value("NPROC") == str(HARTS), "nproc says %r" % r.value("NPROC"))
    check(r.value("CPUINFO_HARTS") == str(HARTS), "/proc/cpuinfo lists %r" % r.value("CPUINFO_HARTS"))


@test("kernel reports the H extension in the ISA string")
def _():
    isa = booted().value("ISA") or ""
    base = isa.split("_")[0]
    check(base.startswith("rv64") and "h" in base[4:], "ISA string %r lacks 'h'" % isa)


@test("KVM is available (/dev/kvm, hypervisor extension detected)")
def _():
    r = booted()
    check(r.value("KVM_DEV") == "yes", "/dev/kvm missing")
    check(r.value("KVM_MSG"), "dmesg has no 'hypervisor extension available'")


@test("runs the project's Linux 6.1 kernel")
def _():
    u = booted().value("UNAME") or ""
    check(u.startswith("6.1.") and u.endswith("-duvisor"), "uname -r is %r" % u)


@test("a 2-hart host under -icount shift=0 reaches user space, the same instruction count twice")
def _():
    # QEMU 7.2 starved the second hart under icount (patch 0013): Linux
    # reached Run /init and hung in the firmware's remote-fence wait.
    ticks = []
    for i in (1, 2):
        r = hostvm.run("echo NPROC=$(nproc); echo UP_CS=$(cut -d' ' -f1 /proc/uptime | tr -d .)",
                       smp=2, timeout=240, icount=True,
                       log=os.path.join(hostvm.TOP, "build", "logs", "test-boot-icount%d.log" % i))
        check(r.value("NPROC") == "2", "nproc %r" % r.value("NPROC"))
        ticks.append(int(r.value("UP_CS") or -1))
    # /proc/uptime counts 10 ms of virtual time, 10^7 instructions at shift=0
    check(ticks[0] > 0 and abs(ticks[0] - ticks[1]) <= 1,
          "uptime at user space %r cs: icount runs differ" % ticks)


@test("a host that panics is reported as a failure, not a pass")
def _():
    try:
        hostvm.run("echo c > /proc/sysrq-trigger; sleep 30", smp=1, timeout=120,
                   log=os.path.join(hostvm.TOP, "build", "logs", "test-boot-panic.log"))
    except hostvm.BootError as e:
        check("Kernel panic" in str(e) or "kernel reported" in str(e), "unexpected error: %s" % e)
        return
    raise AssertionError("runner returned normally from a panicking host")


main("boot")
