"""Kill loop with leak checks (issue 13, item 4), a case of the security
suite registered with tests/lib/dvtest.py by security_test.py's import; it
runs once per backend like the rest of the suite.

In one boot of the emulated host (2 harts), DV_LEAK_CYCLES times (8 by
default, 200 for the full loop): start the shipped duvisor with a Linux
guest (2 vCPUs, 128 MiB, a 4 MiB virtio disk) whose initrd boots, then
prints to the serial console in a shell loop for 2 to 3 seconds (an
exit-heavy phase: every character is an MMIO exit, the loop keeps a vCPU
busy), then writes random data to its disk with fsync, round after round,
until it dies; and
SIGKILL duvisor at a random moment of one of the three phases: during boot
(on an idle machine the guest may already have reached user space by
then), in the console phase, or during the disk writes. Each cycle picks its
phase and a delay into it (up to 2.5 s from the start for boot, up to
1.2 s after the guest announces the phase for the other two) from a
random generator whose seed is printed; DV_LEAK_SEED=<seed> repeats a run.
The first three cycles take the three phases once each, in random order.

Every duvisor must be alive when killed (status 137). Afterwards, with the
page cache dropped before and after: the host's CmaFree and MemFree are
back to their figures before the first cycle, within LEAK_SLACK_KB each
(the kernel lends free CMA pages to movable allocations and keeps freed
slab pages, so both move by a few MiB with no VM running; one leaked VM
would hold 128 MiB); on dvext, the driver's counts
(/sys/class/misc/duvisor/: vms, vipi_windows, vcpus, memory_bytes) are all
0 (on kvm they do not apply: nothing there uses /dev/duvisor); the host
printed no oops, BUG or warning; and a VM of the largest size the CMA area
fits (640 MiB) still starts and reaches user space.
"""
import os
import random
import time

import hostvm
from dvguest import duvisor_line, guest_initrd, tagged
from dvtest import backend, check, test

LOGDIR = os.path.join(hostvm.TOP, "build", "logs")
CYCLES = int(os.environ.get("DV_LEAK_CYCLES", "8"))
LEAK_SLACK_KB = 8192  # as security_test.py's CMA_SLACK_KB
BIG_VM = "640M"  # as security_test.py's: most of the 768 MiB CMA area
PHASES = ("boot", "exits", "disk")
# the longest delay (ms) into each phase; boot counts from duvisor's start
MAX_DELAY_MS = {"boot": 2500, "exits": 1200, "disk": 1200}

# The guest: it announces each phase on its console, which is duvisor's
# output, which the host watches.
GUEST = r"""
echo LEAK_PHASE_EXITS
read t0 rest </proc/uptime
end=$((${t0%.*} + 3))
i=0
while read t rest </proc/uptime && [ ${t%.*} -lt $end ]; do
  echo "leak $i: the serial console takes one exit per character of this line"
  i=$((i+1))
done
dd if=/dev/urandom of=/tmp/r bs=64k count=8 2>/dev/null
echo LEAK_PHASE_DISK
n=0
while :; do
  dd if=/tmp/r of=/dev/vda bs=64k seek=$((n % 8 * 8)) conv=fsync 2>/dev/null
  n=$((n+1))
  echo LEAK_WROTE $n
done
"""

MEM = "awk '/^MemFree/ {f=$2} /^CmaFree/ {c=$2} END {print f, c}' /proc/meminfo"
COUNTS = "/sys/class/misc/duvisor"

# One cycle per line of the schedule: "<n> <phase> <delay ms>".
HOST = r"""
dd if=/dev/zero of=/tmp/leak.img bs=1M count=4 2>/dev/null
sync; echo 3 > /proc/sys/vm/drop_caches
echo MEM_BEFORE=$(%(mem)s)
[ -d %(counts)s ] && echo COUNTS_BEFORE=$(cat %(counts)s/vms %(counts)s/vipi_windows \
  %(counts)s/vcpus %(counts)s/memory_bytes)
t0=$(cut -d. -f1 /proc/uptime)
while read n phase delay; do
  duvisor run --backend %(backend)s --kernel /guest/Image --initrd /test/leak.cpio.gz \
    --cpus 2 --memory 128M --disk path=/tmp/leak.img </dev/null >/tmp/c.log 2>&1 &
  pid=$!
  case $phase in
  exits) marker=LEAK_PHASE_EXITS ;;
  disk) marker=LEAK_PHASE_DISK ;;
  *) marker= ;;
  esac
  w=0
  if [ -n "$marker" ]; then
    while ! grep -q $marker /tmp/c.log && kill -0 $pid 2>/dev/null && [ $w -lt 1200 ]; do
      usleep 50000; w=$((w+1))
    done
  fi
  usleep $((delay * 1000))
  last=$(grep -o '^LEAK_PHASE_[A-Z]*' /tmp/c.log | tail -n 1)
  kill -KILL $pid
  wait $pid
  rc=$?
  echo "CYCLE $n $phase $delay ${last:-LEAK_PHASE_BOOT} $rc $(grep -c LEAK_WROTE /tmp/c.log)"
  [ $rc -eq 137 ] || tail -n 5 /tmp/c.log
done <<'EOF'
%(schedule)s
EOF
echo LOOP_SECONDS=$(($(cut -d. -f1 /proc/uptime) - t0))
sleep 1; sync; echo 3 > /proc/sys/vm/drop_caches
echo MEM_AFTER=$(%(mem)s)
[ -d %(counts)s ] && echo COUNTS_AFTER=$(cat %(counts)s/vms %(counts)s/vipi_windows \
  %(counts)s/vcpus %(counts)s/memory_bytes)
echo DMESG_BAD=$(dmesg | grep -cE 'Oops|BUG:|WARNING:|Unable to handle|Call Trace')
"""


def schedule(seed, cycles):
    """[(phase, delay_ms)] for each cycle: the first three phases once each."""
    rnd = random.Random(seed)
    first = list(PHASES)
    rnd.shuffle(first)
    out = []
    for i in range(cycles):
        phase = first[i] if i < len(first) else rnd.choice(PHASES)
        out.append((phase, rnd.randint(0, MAX_DELAY_MS[phase])))
    return out


def pair(r, key):
    v = r.value(key)
    check(v and len(v.split()) == 2, "%s=%r" % (key, v))
    return [int(x) for x in v.split()]


@test("leak loop: %d cycles of start, run, SIGKILL at a random moment (boot, exit-heavy phase, "
      "disk write) in one host; then free memory back, driver counts 0, a %s VM still boots"
      % (CYCLES, BIG_VM))
def _():
    seed = int(os.environ.get("DV_LEAK_SEED") or random.SystemRandom().randrange(1 << 32))
    print("  seed %d (DV_LEAK_SEED=%d repeats this run), %d cycles" % (seed, seed, CYCLES),
          flush=True)
    plan = schedule(seed, CYCLES)
    script = HOST % {
        "mem": MEM, "counts": COUNTS, "backend": backend(),
        "schedule": "\n".join("%d %s %d" % (i, p, d) for i, (p, d) in enumerate(plan))}
    up = guest_initrd("exit 0\n", "leak-up")
    script += duvisor_line("N", "--initrd /test/up.cpio.gz --memory %s" % BIG_VM, limit=200)
    files = {"/test/leak.cpio.gz": guest_initrd(GUEST, "leak"), "/test/up.cpio.gz": up}
    t0 = time.monotonic()
    r = hostvm.run(script, files=files, smp=2, timeout=600 + 40 * CYCLES,
                   log=os.path.join(LOGDIR, "test-security-%s-leak.log" % backend()))
    elapsed = time.monotonic() - t0

    cycles = [line.split() for line in r.lines() if line.startswith("CYCLE ")]
    check(len(cycles) == CYCLES, "%d of %d cycles ran" % (len(cycles), CYCLES))
    alive = [c for c in cycles if len(c) < 7 or c[5] != "137"]
    check(not alive, "duvisor was not alive when killed (status 137) in cycles: %s"
          % ["%s (%s, status %s)" % (c[1], c[2], c[5] if len(c) > 5 else "?") for c in alive])
    # the moment landed in the phase it was meant for (boot: anywhere up to the console phase)
    reached = {"boot": ("LEAK_PHASE_BOOT", "LEAK_PHASE_EXITS"), "exits": ("LEAK_PHASE_EXITS",),
               "disk": ("LEAK_PHASE_DISK",)}
    missed = [c for c in cycles if c[4] not in reached[c[2]]]
    check(not missed, "cycles killed outside their phase: %s" % [" ".join(c[1:]) for c in missed])
    writes = sum(int(c[6]) for c in cycles if c[2] == "disk")
    tally = {p: sum(1 for c in cycles if c[2] == p) for p in PHASES}

    mem0, cma0 = pair(r, "MEM_BEFORE")
    mem1, cma1 = pair(r, "MEM_AFTER")
    print("  %d cycles in %s s (host run %.0f s): killed at boot %d, in the console phase %d, "
          "in the disk phase %d (%d disk writes done in those)" % (
              len(cycles), r.value("LOOP_SECONDS"), elapsed, tally["boot"], tally["exits"],
              tally["disk"], writes))
    print("  MemFree %d -> %d kB (%+d), CmaFree %d -> %d kB (%+d)"
          % (mem0, mem1, mem1 - mem0, cma0, cma1, cma1 - cma0))
    check(mem1 >= mem0 - LEAK_SLACK_KB, "MemFree %d kB before, %d kB after (slack %d kB)"
          % (mem0, mem1, LEAK_SLACK_KB))
    check(cma1 >= cma0 - LEAK_SLACK_KB, "CmaFree %d kB before, %d kB after (slack %d kB)"
          % (cma0, cma1, LEAK_SLACK_KB))
    if backend() == "dvext":
        before, after = r.value("COUNTS_BEFORE"), r.value("COUNTS_AFTER")
        print("  driver counts (vms vipi_windows vcpus memory_bytes): before %s, after %s"
              % (before, after))
        check(before == "0 0 0 0" and after == "0 0 0 0",
              "driver counts vms vipi_windows vcpus memory_bytes: before %r, after %r"
              % (before, after))
    else:
        print("  driver counts: N/A (the kvm backend does not use /dev/duvisor)")
    check(r.value("DMESG_BAD") == "0", "dmesg has %s oops/BUG/WARNING lines; see %s"
          % (r.value("DMESG_BAD"), r.log))
    n = tagged(r, "N")
    check(r.value("N_RC") == "0" and any("DV-GUEST-UP" in line for line in n),
          "a %s VM after the loop: rc %r:\n%s" % (BIG_VM, r.value("N_RC"), "\n".join(n[-10:])))
