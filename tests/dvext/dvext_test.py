#!/usr/bin/env python3
"""DV-Ext conformance suite: runs the bare-metal program (tests/dvext/*.c,
built by this folder's Makefile into build/tests/dvext/) straight on QEMU's
virt machine (-bios none), once with the CPU property xdvext=on and once
without it, and turns every line "PASS|FAIL|SKIP <name> [<rules>]" the
program prints into a test here.

With xdvext=on every test of the program must pass (except the harness
self-test, which must fail). Without it the program must say "DV-Ext
absent", pass its R-DISC and plain-H tests and pass none of its DV-Ext
tests (they are reported SKIP).
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from dvtest import check, main, test  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(TOP, "build", "tests", "dvext")
ELF = os.path.join(OUT, "dvext.elf")
LOGS = os.path.join(TOP, "build", "logs")
TIMEOUT = 240  # seconds per QEMU run; every test also has a 3 s watchdog
LINE_RE = re.compile(r"^(PASS|FAIL|SKIP) (\S+) \[([^\]]*)\](.*)$")
SELFTEST = "selftest_unexpected_trap_fails"


def qemu_path():
    with open(os.path.join(TOP, "build", "artifacts.env")) as f:
        for line in f:
            if line.startswith("QEMU="):
                return line.strip().split("=", 1)[1]
    raise RuntimeError("no QEMU= line in build/artifacts.env")


def build():
    r = subprocess.run(["make", "--no-print-directory", "-C", HERE, "O=" + OUT],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        raise RuntimeError("build failed:\n" + r.stdout[-3000:])


def run(dvext):
    cpu = "rv64,h=true,sstc=true" + (",xdvext=on" if dvext else "")
    cmd = [qemu_path(), "-M", "virt", "-cpu", cpu, "-smp", "2", "-m", "256M",
           "-bios", "none", "-kernel", ELF, "-display", "none", "-monitor", "none",
           "-serial", "stdio", "-no-reboot"]
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=TIMEOUT, errors="replace")
        text, rc = r.stdout, r.returncode
    except subprocess.TimeoutExpired as e:
        out = e.stdout or b""
        text = out.decode(errors="replace") if isinstance(out, bytes) else out
        text += "\n[killed after %d s]\n" % TIMEOUT
        rc = None
    os.makedirs(LOGS, exist_ok=True)
    with open(os.path.join(LOGS, "test-dvext-%s.log" % ("on" if dvext else "off")), "w") as f:
        f.write(" ".join(cmd) + "\n" + text)
    return text, rc


def parse(text):
    """{name: (status, rules, detail lines)} in program order."""
    results, last = {}, None
    for line in text.splitlines():
        line = line.rstrip("\r")
        m = LINE_RE.match(line)
        if m:
            results[m.group(2)] = (m.group(1), m.group(3), list(pending))
            pending.clear()
            last = m.group(2)
        elif line.startswith("  "):
            pending.append(line.strip())
    return results, last


pending = []
build_error = None
try:
    build()
except Exception as e:  # reported by the tests below
    build_error = str(e)

runs = {}
for mode in (True, False):
    if build_error:
        runs[mode] = ("", None)
    else:
        runs[mode] = run(mode)


def finished(text):
    return "DVEXT-DONE" in text and re.search(r"dvext: \d+ passed, \d+ failed", text)


@test("program builds")
def _():
    check(build_error is None, build_error)


# ---- xdvext=on ----
on_text, on_rc = runs[True]


@test("xdvext=on: QEMU accepts the property and the program runs to its end")
def _():
    check(on_text, "no output")
    check("DV-Ext present" in on_text, "program did not detect DV-Ext; tail:\n%s" % on_text[-1500:])
    check(finished(on_text), "program did not finish (rc %r); tail:\n%s" % (on_rc, on_text[-1500:]))


on_results, _ = parse(on_text)
pending.clear()


def register_on(name, status, rules, detail):
    if name == SELFTEST:
        @test("xdvext=on: harness reports an unexpected trap as a failure and continues")
        def _():
            check(status == "FAIL", "self-test was %s" % status)
        return
    if status == "SKIP":
        return

    @test("xdvext=on: %s [%s]" % (name, rules))
    def _():
        check(status == "PASS", "\n    " + "\n    ".join(detail or ["(no detail)"]))


for name, (status, rules, detail) in on_results.items():
    register_on(name, status, rules, detail)

# ---- xdvext absent ----
off_text, off_rc = runs[False]
off_results, _ = parse(off_text)
pending.clear()


@test("absent: program says 'DV-Ext absent' and runs to its end")
def _():
    check("DV-Ext absent" in off_text, "no 'DV-Ext absent'; tail:\n%s" % off_text[-1500:])
    check(finished(off_text), "program did not finish (rc %r)" % off_rc)


@test("absent: no DV-Ext test passes (they are skipped)")
def _():
    bad = [n for n, (s, rules, _) in off_results.items()
           if s == "PASS" and not (rules.startswith("R-DISC") or rules == "baseline")]
    check(not bad, "passed without DV-Ext: %s" % ", ".join(bad))
    check(any(s == "SKIP" for s, _, _ in off_results.values()), "no DV-Ext test was skipped")


def register_off(name, status, rules, detail):
    if name == SELFTEST or status == "SKIP":
        return

    @test("absent: %s [%s]" % (name, rules))
    def _():
        check(status == "PASS", "\n    " + "\n    ".join(detail or ["(no detail)"]))


for name, (status, rules, detail) in off_results.items():
    register_off(name, status, rules, detail)


@test("absent: R-DISC-2 tests ran")
def _():
    names = [n for n, (s, r, _) in off_results.items() if "R-DISC-2" in r and s != "SKIP"]
    check(len(names) >= 2, "R-DISC-2 tests run: %r" % names)


main("dvext")
