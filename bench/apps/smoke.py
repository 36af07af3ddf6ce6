#!/usr/bin/env python3
"""Smoke test of the benchmark programs (scripts/build-bench-apps.sh) on the
emulated RISC-V host: boots it once with bench-apps' bin/ as /bench/bin,
runs each program's version/help and a short real run (servers on
127.0.0.1 only, every run bounded), prints what each printed and
'N passed, N failed'; exits non-zero when one failed.

  bench/apps/smoke.py [--smp N] [--apps DIR] [--verbose]

Needs `make host bench-apps` first (BENCH_APPS in build/artifacts.env;
--apps takes another bench-apps output directory).
The console log is build/logs/bench-apps-smoke.log.
"""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
import hostvm  # noqa: E402

# name -> shell commands run inside the host (busybox sh, cwd /tmp, PATH
# has /bench/bin); a check passes when its commands exit 0. A program the
# build did not produce (see VERSIONS) is reported as skipped.
CHECKS = [
    ("iperf", "iperf3", """
iperf3 --version
iperf3 -s -D -1
sleep 1
iperf3 -c 127.0.0.1 -t 2
"""),
    ("iperf", "iperf", """
iperf --version || true  # iperf 2 exits 1 after printing it
iperf -s -B 127.0.0.1 >/tmp/iperf-s.log 2>&1 &
pid=$!
sleep 1
iperf -c 127.0.0.1 -t 2; rc=$?
kill $pid; wait $pid 2>/dev/null || true
exit $rc
"""),
    ("hackbench", "hackbench", """
hackbench -h 2>&1 | head -n 3
hackbench -l 10
"""),
    ("cpu", "stress-ng", """
stress-ng --version
stress-ng --cpu 1 --cpu-ops 100 --metrics-brief
"""),
    ("cpu", "7zr", """
7zr 2>&1 | head -n 3
# round trip, then 7-Zip's own benchmark (LZMA, 1 thread, 32 KiB dictionary)
7zr a -bd /tmp/t.7z /bench/bin/7zr >/dev/null && 7zr t -bd /tmp/t.7z | tail -n 2
7zr b 1 -mmt1 -md15
"""),
    ("cpu", "stress", """
stress --version
stress --cpu 1 --timeout 2
"""),
    ("fio", "fio", """
fio --version
fio --name=smoke --directory=/tmp --size=8M --bs=4k --rw=randrw \\
    --ioengine=psync --runtime=3 >/tmp/fio.out
grep -E 'IOPS|READ:|WRITE:' /tmp/fio.out
"""),
    ("memcached", "memcached", """
memcached --version
# memcached started by root must switch to a user (-u): give it root
grep -qs '^root:' /etc/passwd || echo 'root:x:0:0:root:/root:/bin/sh' >>/etc/passwd
memcached -u root -d -l 127.0.0.1 -p 11211 -t 1 -m 64 -P /tmp/memcached.pid
sleep 1
memaslap --version
memaslap -s 127.0.0.1:11211 -T 1 -c 4 -t 3s; rc=$?
kill $(cat /tmp/memcached.pid)
exit $rc
"""),
    ("rr", "qperf", """
qperf --version
qperf >/tmp/qperf-s.log 2>&1 &
pid=$!
sleep 1
qperf -t 2 127.0.0.1 tcp_lat tcp_bw udp_lat; rc=$?
kill $pid; wait $pid 2>/dev/null || true
exit $rc
"""),
]


def guest_script(names):
    parts = ["export PATH=/bench/bin:$PATH", "cd /tmp",
             "echo BENCH_VERSIONS_BEGIN; cat /bench/VERSIONS; echo BENCH_VERSIONS_END"]
    for _, name, cmds in CHECKS:
        if name not in names:
            continue
        parts.append("echo '=== SMOKE-BEGIN %s'" % name)
        # a subshell per check, its output and status marked
        parts.append("( set -e\n%s\n) 2>&1; echo \"=== SMOKE-END %s rc=$?\"" % (cmds.strip(), name))
    parts.append("exit 0")
    return "\n".join(parts) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--apps", help="a bench-apps output directory (default: BENCH_APPS)")
    ap.add_argument("--verbose", action="store_true", help="also print the whole console")
    args = ap.parse_args()

    env = hostvm.artifacts()
    apps = args.apps or env.get("BENCH_APPS")
    if not apps or not os.path.isdir(os.path.join(apps, "bin")):
        sys.exit("smoke: no BENCH_APPS in build/artifacts.env: run 'make bench-apps'")
    bindir = os.path.join(apps, "bin")
    names = sorted(os.listdir(bindir))
    files = {"/bench/bin/" + n: os.path.join(bindir, n) for n in names}
    files["/bench/VERSIONS"] = os.path.join(apps, "VERSIONS")

    log = os.path.join(TOP, "build", "logs", "bench-apps-smoke.log")
    r = hostvm.run(guest_script(names), files=files, smp=args.smp, timeout=600, log=log)
    if args.verbose:
        print(r.console)

    text = r.console.replace("\r", "")
    m = re.search(r"BENCH_VERSIONS_BEGIN\n(.*?)BENCH_VERSIONS_END", text, re.S)
    if m:
        print("VERSIONS (%s):\n%s" % (apps, m.group(1)))
    passed = failed = skipped = 0
    for role, name, _ in CHECKS:
        if name not in names:
            print("--- %-10s %-9s SKIPPED (not built; bench/apps/README.md)" % (name, role))
            skipped += 1
            continue
        m = re.search(r"=== SMOKE-BEGIN %s\n(.*?)=== SMOKE-END %s rc=(\d+)" %
                      (re.escape(name), re.escape(name)), text, re.S)
        if not m:
            print("--- %-10s %-9s FAILED: no result on the console (log: %s)" % (name, role, log))
            failed += 1
            continue
        ok = m.group(2) == "0"
        print("--- %-10s %-9s %s" % (name, role, "ok" if ok else "FAILED (exit %s)" % m.group(2)))
        print("\n".join("    " + l for l in m.group(1).rstrip("\n").splitlines()))
        passed += ok
        failed += not ok
    print("host run took %.0fs; console log: %s" % (r.seconds, log))
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
