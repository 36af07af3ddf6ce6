#!/usr/bin/env python3
"""Security evaluation: the paper's six hypervisor-bug classes (its Table 6),
injected into duvisor-faults (duvisor/src/vmm/faults.h), each next to a
victim VM, on each backend where the class applies.

For each class, in one emulated host: a victim VM (the shipped duvisor)
writes random data to its virtio disk and reads it back with the page cache
dropped, round after round, checking sha256; the faulty VM runs
duvisor-faults armed with DUVISOR_FAULT=<class>:<n> and a guest that
triggers it. The faulty duvisor must end with a report (a fatal-signal line,
or for the endless loop the stop-grace message after SIGTERM); the victim
must finish every round intact with exit 0; the host must not oops (the
harness fails on any oops or panic); a new VM must boot afterwards; the
host's free CMA memory must be back to what it was before the VMs.
Also: the shipped duvisor holds none of the fault code.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import hostvm  # noqa: E402
from dvguest import duvisor_line, guest_initrd, tagged, value  # noqa: E402
from dvtest import backend, check, main, test  # noqa: E402

LOGDIR = os.path.join(hostvm.TOP, "build", "logs")
FAULTS = os.path.join(hostvm.TOP, "build", "tests", "security", "duvisor", "duvisor-faults")
SBITIME = os.path.join(hostvm.TOP, "build", "tests", "e2e", "sbitime.img")
ROUNDS = 6

VICTIM = r"""
dd if=/dev/urandom of=/tmp/a bs=64k count=16 2>/dev/null
want=$(sha256sum /tmp/a | cut -c1-64)
i=0
while [ $i -lt %d ]; do
  dd if=/tmp/a of=/dev/vda bs=64k conv=fsync 2>/dev/null
  echo 3 > /proc/sys/vm/drop_caches
  got=$(dd if=/dev/vda bs=64k count=16 2>/dev/null | sha256sum | cut -c1-64)
  if [ "$got" = "$want" ]; then echo VICTIM_OK $i; else echo VICTIM_BAD $i; fi
  i=$((i+1))
done
echo VICTIM_DONE
exit 0
""" % ROUNDS

# What the faulty guest does: boot (and idle a little), or print the marker
BOOT_IDLE = "sleep 3\nexit 0\n"
PRINT_MARKER = "sleep 1\necho DV-FAULT-UART > /dev/ttyS0\nsleep 3\nexit 0\n"

# class: (how armed, what the guest does, extra duvisor options, backends, paper's CVE)
CLASSES = {
    "mem": ("mem:3000", BOOT_IDLE, "--memory-prefault off", ("dvext",), "CVE-2017-12188"),
    "irq": ("irq:5", BOOT_IDLE, "", ("dvext", "kvm"), "CVE-2018-16882"),
    "isa": ("isa:3", BOOT_IDLE, "", ("dvext",), "CVE-2016-8630"),
    "exit": ("exit:3000", BOOT_IDLE, "", ("dvext", "kvm"), "CVE-2020-8834"),
    "pv": ("pv:2", None, "", ("dvext",), "CVE-2016-5412"),
    "dev": ("dev:1", PRINT_MARKER, "", ("dvext", "kvm"), "CVE-2019-6974"),
}
WHY_NA = {"mem": "KVM maps stage 2 in its kernel: duvisor has no memory path there",
          "isa": "KVM runs WFI in its kernel", "pv": "KVM answers SBI TIME in its kernel"}

CMA = "awk '/CmaFree/ {print $2}' /proc/meminfo"
# The kernel lends free CMA pages to movable allocations (page cache, the
# logs in tmpfs), so its free count moves by a few MiB with no VM running;
# a leaked VM would hold 128 MiB. And the largest VM the 768 MiB area fits:
CMA_SLACK_KB = 8192
BIG_VM = "640M"


def fault_case(name):
    arm, guest, opts, backends, _ = CLASSES[name]
    check(os.path.exists(FAULTS), "%s missing: run 'make test-bins'" % FAULTS)
    victim = guest_initrd(VICTIM, "victim")
    files = {"/test/victim.cpio.gz": victim, "/test/duvisor-faults": FAULTS}
    if guest is None:  # SBI set_timer: a bare-metal guest that calls it
        files["/test/sbitime.img"] = SBITIME
        faulty = "--kernel /test/sbitime.img --memory 64M"
    else:
        files["/test/faulty.cpio.gz"] = guest_initrd(guest, "faulty-" + name)
        faulty = "--kernel /guest/Image --initrd /test/faulty.cpio.gz --cpus 2 --memory 128M"
    script = (
        "dd if=/dev/zero of=/tmp/victim.img bs=1M count=4 2>/dev/null\n"
        "echo 3 > /proc/sys/vm/drop_caches\necho CMA_BEFORE=$(%s)\n" % CMA +
        # the victim: the shipped duvisor
        "( duvisor run --backend %s --kernel /guest/Image --initrd /test/victim.cpio.gz "
        "--cpus 2 --memory 128M --disk path=/tmp/victim.img </dev/null 2>&1; rc=$?; echo; "
        "echo \"__RC=$rc\" ) "
        "| sed -e 's/^__RC=/V_RC=/;t' -e 's/^/V| /' > /tmp/v.log &\n" % backend() +
        "vp=$!\nsleep 1\n"
        # the faulty one
        "chmod +x /test/duvisor-faults\n"
        "( DUVISOR_FAULT=%s /test/duvisor-faults run --backend %s %s %s </dev/null 2>&1; "
        "rc=$?; echo; echo \"__RC=$rc\" ) | sed -e 's/^__RC=/F_RC=/;t' -e 's/^/F| /' > /tmp/f.log &\n"
        % (arm, backend(), faulty, opts) +
        "fp=$!\n"
        # the endless loop never ends by itself: SIGTERM after a while
        "n=0; while kill -0 $fp 2>/dev/null && [ $n -lt 25 ]; do sleep 1; n=$((n+1)); done\n"
        "if kill -0 $fp 2>/dev/null; then echo FAULTY_HUNG; "
        "kill -TERM $(pidof duvisor-faults); fi\n"
        "wait $fp\nwait $vp\n"
        "cat /tmp/f.log /tmp/v.log\n"
        # afterwards: the memory is back, and a VM of the largest size boots
        "sleep 1\necho 3 > /proc/sys/vm/drop_caches\necho CMA_AFTER=$(%s)\n" % CMA
        + duvisor_line("N", "--initrd /test/victim.cpio.gz --memory %s --disk path=/tmp/victim.img"
                       % BIG_VM, limit=200) +
        # every VM gone: the driver holds nothing (its counts, dvext)
        "D=/sys/class/misc/duvisor; [ -d $D ] && echo COUNTS_AFTER=$(cat $D/vms $D/vipi_windows "
        "$D/vcpus $D/memory_bytes | tr '\\n' ' ')\n")
    r = hostvm.run(script, files=files, smp=2, timeout=900,
                   log=os.path.join(LOGDIR, "test-security-%s-%s.log" % (backend(), name)))
    f, v, n = tagged(r, "F"), tagged(r, "V"), tagged(r, "N")
    rc = r.value("F_RC")
    if name == "pv":
        check(any("FAULTY_HUNG" in l for l in r.lines()), "the looping duvisor ended by itself")
        check(rc == "143" and any("did not stop within" in l for l in f),
              "SIGTERM did not end the stuck duvisor (rc %r):\n%s" % (rc, "\n".join(f[-10:])))
    else:
        check(any("armed" in l for l in f) and any("fault now" in l for l in f),
              "the fault never fired:\n%s" % "\n".join(f[-15:]))
        check(rc not in (None, "0") and any("fatal signal" in l or "stack smashing" in l for l in f),
              "the faulty duvisor did not die with a report (rc %r):\n%s" % (rc, "\n".join(f[-10:])))
    oks = [l for l in v if l.startswith("VICTIM_OK")]
    check(len(oks) == ROUNDS and not any(l.startswith("VICTIM_BAD") for l in v) and
          r.value("V_RC") == "0", "victim: %d of %d rounds intact, rc %r:\n%s" % (
              len(oks), ROUNDS, r.value("V_RC"), "\n".join(v[-10:])))
    check(r.value("N_RC") == "0" and sum(1 for l in n if l.startswith("VICTIM_OK")) == ROUNDS,
          "a new %s VM afterwards: rc %r" % (BIG_VM, r.value("N_RC")))
    before, after = r.value("CMA_BEFORE"), r.value("CMA_AFTER")
    check(before and after and int(after) >= int(before) - CMA_SLACK_KB,
          "free CMA before %s kB, after %s kB" % (before, after))
    counts = (r.value("COUNTS_AFTER") or "").split()
    if backend() == "dvext":
        check(counts == ["0", "0", "0", "0"], "the driver's counts (VMs, vIPI windows, vCPUs, "
              "memory bytes) after every VM ended: %r" % counts)
    print("  %s (%s): faulty rc %s; victim %d/%d rounds intact; new VM ok; CMA %s kB -> %s kB%s"
          % (name, CLASSES[name][4], rc, len(oks), ROUNDS, before, after,
             "; driver counts 0" if counts else ""))


for _name in CLASSES:
    def _case(name=_name):
        fault_case(name)
    _na = [b for b in ("dvext", "kvm") if b not in CLASSES[_name][3]]
    test("%s (%s): only the faulty duvisor dies; the victim's disk rounds, the host, a new VM "
         "and the memory are unharmed" % (_name, CLASSES[_name][4]),
         only=CLASSES[_name][3][0] if _na else None, why=WHY_NA.get(_name))(_case)


# riscv64 system call numbers (asm-generic/unistd.h)
ESCAPES = {"sys-execve": 221, "sys-open": 56, "sys-socket": 198, "sys-ptrace": 117}


@test("sandbox: a vCPU thread taken over that calls execve, openat, socket or ptrace is stopped "
      "by the filter (status 159, the call named); with --sandbox off the same calls go through")
def _():
    check(os.path.exists(FAULTS), "%s missing: run 'make test-bins'" % FAULTS)
    g = guest_initrd(BOOT_IDLE, "escape")
    script = "chmod +x /test/duvisor-faults\n"
    for name in ESCAPES:
        for tag, opt in ((name, ""), (name + "-off", "--sandbox off")):
            script += (
                "( DUVISOR_FAULT=%s:300 timeout -s KILL 200 /test/duvisor-faults run --backend %s "
                "--kernel /guest/Image --initrd /test/g.cpio.gz --memory 128M %s </dev/null 2>&1; "
                "rc=$?; echo; echo \"__RC=$rc\" ) | sed -e 's/^__RC=/%s_RC=/;t' -e 's/^/%s| /'\n"
                % (name, backend(), opt, tag.upper().replace("-", "_"), tag))
    r = hostvm.run(script, files={"/test/g.cpio.gz": g, "/test/duvisor-faults": FAULTS}, smp=2,
                   timeout=1200, log=os.path.join(LOGDIR, "test-security-%s-escape.log" % backend()))
    for name, nr in ESCAPES.items():
        out = tagged(r, name)
        rc = r.value("%s_RC" % name.upper().replace("-", "_"))
        check(rc == "159" and any("forbidden system call %#x" % nr in l for l in out),
              "%s: rc %r (want 159 with the call %#x named):\n%s" % (name, rc, nr, "\n".join(out[-6:])))
        off = tagged(r, name + "-off")
        # unconfined, a successful execve does not return: the shell it ran says so
        check(any("not confined" in l or l.strip() == "ESCAPED" for l in off),
              "%s with --sandbox off: the call did not return:\n%s" % (name, "\n".join(off[-6:])))
        print("  %s: stopped, status %s; unconfined it returned" % (name, rc))


@test("the shipped duvisor holds none of the fault code")
def _():
    dv = hostvm.artifacts()["DUVISOR"]
    syms = subprocess.run(["riscv64-linux-gnu-nm", dv], capture_output=True, text=True).stdout
    strs = subprocess.run(["strings", dv], capture_output=True, text=True).stdout
    check("dv_fault" not in syms and "DUVISOR_FAULT" not in strs and "DV-FAULT" not in strs,
          "fault symbols or strings in %s" % dv)
    fs = subprocess.run(["riscv64-linux-gnu-nm", FAULTS], capture_output=True, text=True).stdout
    check("dv_fault_hit" in fs, "the fault build has no fault code")


import stress_cases  # noqa: E402,F401
import leak_cases  # noqa: E402,F401
if __name__ == "__main__":
    main("security")
