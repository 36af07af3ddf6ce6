"""Stress cases of the security suite (issue 13, items 4 and 5), registered
with tests/lib/dvtest.py by security_test.py's import; each runs once per
backend like the rest of the suite.

Nothing lost on a crash. A Linux guest mounts an ext4 filesystem on its
virtio disk and runs crashrec (crashrec.c): batches of 16 records of 256
bytes (run, batch, sequence number, a payload derived from them, CRC-32)
appended to a new file r<run>, fsync after each batch, "SYNCED <run>
<batch>" printed only once fsync has returned. The host SIGKILLs duvisor
at a random moment of the writing (a delay after the writer starts,
uniform in 0..1.5 s, from a seed that is printed; DV_CRASH_SEED repeats a
run), keeps a snapshot of the disk image, and boots the next run on the
same image: DV_CRASH_KILLS kills (8 by default; 50 for the long run). The
killed process is what this models: duvisor's death, not the host's; the
host's page cache survives it, so whatever duvisor had written is in the
image and what it had not is lost.
The checks run on this machine, with Debian's e2fsprogs (the same tools
the virtio suite checks its images with), on each snapshot: the emulated
host has no e2fsprogs (busybox has none) and the snapshots leave it as a
QEMU disk of its own (slot k at k * 64 MiB; slot 0 the fresh filesystem,
made here with mkfs.ext4). Cross-building e2fsprogs for the host would
check the same bytes with a second copy of the same tools. (The guest
kernel has ext4 for this: CONFIG_EXT4_FS in platform/linux/duvisor.config.)
What "clean" means after a crash: a crash leaves a journal to replay,
which is the filesystem working as designed, so first `e2fsck -E
journal_only -y` replays it (as mounting would) and must exit 0 or 1;
then `e2fsck -fn`, a full read-only check, must exit 0, and it may report
nothing but the superblock's free-block and free-inode totals, which ext4
does not keep current while mounted (it recounts them at mount) and which
e2fsck itself does not count as errors. Anything else, any inconsistency
left after the replay, fails the case. And in every snapshot, every batch
of every run up to the last one that run reported synced must be there,
record for record; a file must not change once a later run has booted on
the image (nothing writes it any more).

Many VMs at once. Linux guests of 32 MiB are started one after another,
each once the previous one has begun to boot, until one is refused: every
one before it must reach user space and stay up, all at the same time
(each prints MANY_UP, then waits for a line on its console: duvisor's
standard input, a FIFO), the refused one must exit 1 with an error that
says why, and all must exit 0 when told to stop. dvext: guest RAM comes
from the 768 MiB CMA area, so memory is the limit long before the
driver's 63 VMs: the refusal must name guest memory and ENOMEM, with less
CMA free than one more VM takes (its RAM and a 1 MiB stage-2 region).
kvm: guest RAM is ordinary anonymous memory; under Linux's default
overcommit a VM too many is never refused (the OOM killer ends some
process later). A host that wants refusals sets strict accounting, and so
does the test: vm.overcommit_memory = 2 with a commit limit 768 MiB above
what is committed before the first VM (dvext's budget); the refusal must
name guest memory and ENOMEM, with the commit limit reached. The consoles'
logs are then kept on a ramfs: each new page of a tmpfs file is charged to
the commit, and a process without CAP_SYS_ADMIN (duvisor once sandboxed)
may not take the last admin_reserve_kbytes (8 MiB) of it, so with the last
VM that close to the limit the logs of the guests still booting stopped
mid-line (ENOSPC), which looked like guests stalled in "Unpacking initramfs".
The driver's own limit (dvext only): 63 VMs, a vIPI window each. Running
VMs cannot reach it here: QEMU's virt puts the device tree at 3 GiB, so
the CMA area cannot exceed 1 GiB, and 63 of duvisor's smallest VMs (16
MiB of RAM and a 1 MiB stage-2 region each) take more. So vmhold
(vmhold.c) takes slots as other hypervisor processes would, by opening
/dev/duvisor: with nothing else running it gets 63, then EMFILE; beside a
running bare-metal VM (idle.c) it gets 62, and one more duvisor must then
exit 1 naming /dev/duvisor and EMFILE's message; the running VM exits 0
when told to stop, and once vmhold lets go a new VM runs in a freed slot.

Exit storm beside a victim. Two bare-metal guests (storm.c) make exits as
fast as they can, one MMIO loads of the UART, one SBI calls; a Linux
victim VM beside them runs a fixed amount of work: a CPU loop (sha256 of
4 MiB from tmpfs, 12 times) and 4 rounds of 1 MiB written to its disk and
read back cold with sha256 checks (as security_test.py's victim). The
victim runs once alone and once in the storm; its phase times (the
guest's clock, which is the host's) and their ratio are printed, with
the storm's exit rates and the latency of a host command (the fork of a
shell that exits, timed from /proc/uptime read by the probing shell itself)
alone and during the storm. The victim must finish every round intact with
exit 0 both times; the storms must storm (a median of at least 2000
exits/s each) and stop cleanly (exit 0) when told to; the host must
answer: no probe during the storm slower than 5 s, and their median under
0.5 s (with no storm the median is a few hundredths of a second, and the
slowest probe on a loaded build machine 1-2 s).
"""
import os
import random
import re
import shutil
import struct
import subprocess
import tempfile
import zlib

import hostvm
from dvguest import guest_initrd, tagged
from dvtest import backend, check, test

SEC = os.path.join(hostvm.TOP, "build", "tests", "security")
LOGDIR = os.path.join(hostvm.TOP, "build", "logs")
HINT = "run 'make test-bins'"


def need(path):
    check(os.path.exists(path), "%s missing: %s" % (path, HINT))
    return path


def tool(name):
    for d in ("/usr/sbin", "/sbin", "/usr/bin"):
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    return shutil.which(name)


# ---------------------------------------------------------------------------
# Nothing lost on a crash

CRASH_MB = 64            # the filesystem, and one snapshot slot
CRASH_BATCHES = 256      # per run at most: 50 runs of 256 x 4 KiB fit in the filesystem
CRASH_PER_BATCH = 16     # records per batch (256 bytes each)
CRASH_WINDOW = 1.5       # seconds after the writer starts: the kill falls in it
REC_SIZE = 256
REC_MAGIC = 0x52435644
M64 = (1 << 64) - 1

CRASH_GUEST = r"""
run=
for a in $(cat /proc/cmdline); do case $a in crash.run=*) run=${a#crash.run=} ;; esac; done
mount -t ext4 /dev/vda /mnt || { echo CRASH_MOUNT_FAILED; exit 1; }
/test/crashrec /mnt $run %d %d
echo CRASH_IDLE
sleep 100000
""" % (CRASH_BATCHES, CRASH_PER_BATCH)


def crash_record(run, batch, index):
    """The record crashrec.c writes, byte for byte."""
    seq = batch * CRASH_PER_BATCH + index
    s = ((run * 0x9e3779b97f4a7c15) & M64) ^ (((seq + 1) * 0xbf58476d1ce4e5b9) & M64)
    s = s or 1
    words = []
    for _ in range(28):
        s ^= (s << 13) & M64
        s ^= s >> 7
        s ^= (s << 17) & M64
        words.append(s)
    head = (struct.pack("<IIIIQ", REC_MAGIC, run, batch, index, seq) + struct.pack("<28Q", *words)
            + struct.pack("<I", CRASH_PER_BATCH))
    return head + struct.pack("<I", zlib.crc32(head))


def crash_stream(run):
    return b"".join(crash_record(run, b, i) for b in range(CRASH_BATCHES)
                    for i in range(CRASH_PER_BATCH))


def describe_record(raw):
    if len(raw) < REC_SIZE:
        return "%d bytes (a torn record)" % len(raw)
    magic, run, batch, index, seq = struct.unpack_from("<IIIIQ", raw)
    crc_ok = zlib.crc32(raw[:252]) == struct.unpack_from("<I", raw, 252)[0]
    return "magic %#x run %d batch %d index %d seq %d, crc %s" % (
        magic, run, batch, index, seq, "ok" if crc_ok else "BAD")


def check_run_file(snap, run, data, synced):
    """Every batch of run up to synced is in data, record for record."""
    want = (synced + 1) * CRASH_PER_BATCH * REC_SIZE
    if synced < 0:
        return
    check(data is not None, "snapshot %d: r%d is missing, but batch %d was reported synced"
          % (snap, run, synced))
    check(len(data) >= want, "snapshot %d: r%d holds %d bytes; the %d batches reported synced "
          "take %d" % (snap, run, len(data), synced + 1, want))
    exp = crash_stream(run)[:want]
    if data[:want] != exp:
        off = next(i for i in range(0, want, REC_SIZE) if data[i:i + REC_SIZE] != exp[i:i + REC_SIZE])
        check(False, "snapshot %d: r%d record %d (batch %d, synced up to %d) differs: %s" % (
            snap, run, off // REC_SIZE, off // REC_SIZE // CRASH_PER_BATCH, synced,
            describe_record(data[off:off + REC_SIZE])))


def beyond_synced(run, data, synced):
    """After the synced batches: how many records go on intact, and how many bytes follow."""
    start = (synced + 1) * CRASH_PER_BATCH * REC_SIZE
    exp, n = crash_stream(run), start
    while n + REC_SIZE <= len(data) and data[n:n + REC_SIZE] == exp[n:n + REC_SIZE]:
        n += REC_SIZE
    return (n - start) // REC_SIZE, len(data) - n


# e2fsck -fn output that is not an inconsistency (see the docstring)
FSCK_OK = re.compile(r"^(e2fsck [0-9.]+ \(|Pass [1-5][A-Za-z]?: |Free (blocks|inodes) count wrong "
                     r"\(\d+, counted=\d+\)\.$|Fix\? no$|\S+: \d+/\d+ files .*blocks$|$)")


def fsck_snapshot(path, snap):
    """Replay the journal, then a full read-only check: clean as the docstring says."""
    rep = subprocess.run([tool("e2fsck"), "-E", "journal_only", "-y", path],
                         capture_output=True, text=True)
    check(rep.returncode in (0, 1), "snapshot %d: journal replay, e2fsck exit %d:\n%s" % (
        snap, rep.returncode, (rep.stdout + rep.stderr)[-1500:]))
    full = subprocess.run([tool("e2fsck"), "-fn", path], capture_output=True, text=True)
    out = (full.stdout + full.stderr).splitlines()
    odd = [l for l in out if not FSCK_OK.match(l.strip())]
    check(full.returncode == 0 and not odd, "snapshot %d: e2fsck -fn exit %d after the journal "
          "replay:\n%s" % (snap, full.returncode, "\n".join(out[-30:])))
    return "recovering journal" in (rep.stdout + rep.stderr).lower() or rep.returncode == 1


def dump_files(path, runs, into):
    """r<run> of each run from the image (None where there is none)."""
    cmds = os.path.join(into, "cmds")
    with open(cmds, "w") as f:
        for j in runs:
            f.write("dump /r%d %s/r%d\n" % (j, into, j))
    subprocess.run([tool("debugfs"), "-f", cmds, path], capture_output=True)
    files = {}
    for j in runs:
        p = os.path.join(into, "r%d" % j)
        files[j] = open(p, "rb").read() if os.path.exists(p) else None
        if os.path.exists(p):
            os.unlink(p)
    return files


def crash_case():
    kills = int(os.environ.get("DV_CRASH_KILLS", "8"))
    seed = int(os.environ.get("DV_CRASH_SEED") or random.SystemRandom().randrange(1 << 32))
    rng = random.Random(seed)
    delays = [int(rng.uniform(0, CRASH_WINDOW) * 1e6) for _ in range(kills)]
    print("  crash loop: %d kills, seed %d (DV_CRASH_SEED=%d DV_CRASH_KILLS=%d repeats them)"
          % (kills, seed, seed, kills), flush=True)
    crashrec = need(os.path.join(SEC, "crashrec"))
    os.makedirs(SEC, exist_ok=True)
    # (kills + 1) x 64 MiB; one per run of the suite, kept only when a check fails
    disk = os.path.join(SEC, "crash-%s-%d.disk" % (backend(), os.getpid()))
    slot = CRASH_MB << 20
    fresh = disk + ".fresh"
    for p in (disk, fresh):
        if os.path.exists(p):
            os.unlink(p)
    subprocess.run([tool("mkfs.ext4"), "-q", "-F", "-b", "4096", "-J", "size=4", "-E",
                    "lazy_itable_init=0,lazy_journal_init=0,nodiscard", fresh, "%dM" % CRASH_MB],
                   check=True, stdout=subprocess.DEVNULL)
    with open(fresh, "rb") as src, open(disk, "wb") as dst:
        dst.write(src.read())
        dst.truncate((kills + 1) * slot)
    os.unlink(fresh)
    g = guest_initrd(CRASH_GUEST, "crash", files={"/test/crashrec": crashrec})
    script = (
        "[ -b /dev/vda ] || { echo NO_SNAPSHOT_DISK; exit 1; }\n"
        "dd if=/dev/vda of=/tmp/crash.img bs=1M count=%d 2>/dev/null\n" % CRASH_MB +
        "k=1\nfor d in %s; do\n" % " ".join(map(str, delays)) +
        "  duvisor run --backend %s --kernel /guest/Image --initrd /test/crash.cpio.gz "
        "--memory 64M --cmdline \"console=ttyS0 earlycon=sbi crash.run=$k\" "
        "--disk path=/tmp/crash.img </dev/null >/tmp/c$k.log 2>&1 &\n" % backend() +
        "  dv=$!; n=0\n"
        "  while ! grep -q 'CRASHREC start' /tmp/c$k.log && kill -0 $dv 2>/dev/null "
        "&& [ $n -lt 1500 ]; do usleep 100000; n=$((n+1)); done\n"
        "  usleep $d\n"
        "  kill -KILL $dv; wait $dv; echo \"K${k}_RC=$?\"; echo \"K${k}_DELAY_US=$d\"\n"
        "  grep -v '^SYNCED' /tmp/c$k.log | sed \"s/^/C$k| /\"\n"
        "  grep '^SYNCED' /tmp/c$k.log | tail -n 1 | sed \"s/^/C$k| /\"\n"
        "  dd if=/tmp/crash.img of=/dev/vda bs=1M seek=$((k*%d)) conv=fsync 2>/dev/null "
        "|| echo SNAPSHOT_FAILED\n" % CRASH_MB +
        "  k=$((k+1))\ndone\nsync\n")
    extra = ["-drive", "file=%s,format=raw,if=none,id=snap" % disk,
             "-device", "virtio-blk-device,drive=snap"]
    try:
        crash_checks(kills, seed, script, g, extra, disk, slot)
    except AssertionError as e:
        raise AssertionError("%s\n(the snapshots are kept in %s)" % (e, disk))
    os.unlink(disk)


def crash_checks(kills, seed, script, g, extra, disk, slot):
    r = hostvm.run(script, files={"/test/crash.cpio.gz": g}, smp=2, timeout=120 + 40 * kills,
                   extra=extra, log=os.path.join(LOGDIR, "test-security-%s-crash.log" % backend()))
    check(r.rc == 0 and not any("SNAPSHOT_FAILED" in l or "NO_SNAPSHOT_DISK" in l
                                for l in r.lines()), "host script: exit %s" % r.rc)
    # A run that goes wrong is reported after the snapshots are checked
    synced, midwrite, problems, booted = {}, 0, [], set()
    for k in range(1, kills + 1):
        out = tagged(r, "C%d" % k)
        rc = r.value("K%d_RC" % k)
        got = [int(m.group(1)) for m in (re.match(r"SYNCED %d (\d+)" % k, l) for l in out) if m]
        synced[k] = got[-1] if got else -1
        if any("CRASHREC start run=%d" % k in l for l in out):
            booted.add(k)
            midwrite += not any("CRASH_IDLE" in l for l in out)
        if (k not in booted or rc != "137"
                or any("CRASHREC error" in l or "CRASH_MOUNT_FAILED" in l for l in out)):
            problems.append("run %d: %s, duvisor exit %r (not 137, its SIGKILL):\n%s" % (
                k, "the writer started" if k in booted else "the writer never started", rc,
                "\n".join(out[-8:])))
    work = tempfile.mkdtemp(prefix="dv-crash-")
    replays, extra_records, other_bytes = 0, 0, 0
    settled = {}  # run -> its file once a later run has booted on the image
    try:
        snap = os.path.join(work, "snap.img")
        with open(disk, "rb") as f:
            for k in range(1, kills + 1):
                f.seek(k * slot)
                with open(snap, "wb") as s:
                    s.write(f.read(slot))
                replays += fsck_snapshot(snap, k)
                files = dump_files(snap, range(1, k + 1), work)
                for j in range(1, k + 1):
                    check_run_file(k, j, files[j], synced[j])
                    if j in settled:
                        check(files[j] == settled[j], "snapshot %d: r%d changed after a later run "
                              "had booted on the image" % (k, j))
                    elif j < k and k in booted:
                        settled[j] = files[j]
                if files[k] is not None:
                    more, rest = beyond_synced(k, files[k], synced[k])
                    extra_records += more
                    other_bytes += rest
    finally:
        shutil.rmtree(work)
    total = sum(s + 1 for s in synced.values())
    print("  %d kills (seed %d), %d of them mid-write; %d synced batches (%d records) all intact "
          "in every later snapshot; %d journals replayed, e2fsck clean after each" % (
              kills, seed, midwrite, total, total * CRASH_PER_BATCH, replays))
    print("  past the last batch each run reported synced (no promise there): %d more records "
          "intact in order, then %d bytes of anything else" % (extra_records, other_bytes))
    check(not problems, "%d of %d runs went wrong (the snapshots of all %d are clean and "
          "intact):\n%s" % (len(problems), kills, kills, "\n".join(problems)))


@test("crash: duvisor SIGKILLed at random points under a guest writing to ext4 with fsync: "
      "e2fsck clean after the journal replay, every batch reported synced is intact")
def _():
    crash_case()


# ---------------------------------------------------------------------------
# Many VMs at once

MANY_MEM_MB = 32
MANY_TRIES = 40          # a VM more than either backend's budget takes
BUDGET_KB = 768 * 1024   # dvext: the CMA area (cma=768M); kvm: the commit budget set below
WINDOWS = 63             # DUVISOR_MAX_VMS (docs/driver-abi.md)
IDLE_MEM_MB = 16         # duvisor's smallest VM

MANY_GUEST = r"""
echo MANY_UP
read line < /dev/console
echo "MANY_STOP $line"
exit 0
"""

# Host shell. fill TRIES MARKER OPTIONS: start VMs one after another until
# one is refused or TRIES run; each must have begun to boot (MARKER on its
# console) before the next starts. VM i reads its console from the FIFO
# /tmp/in<i> and writes to /tmp/m<i>.log; $started is how many run.
# up_then_stop MARKER SECONDS: wait until every started VM printed MARKER,
# for as long as their consoles keep growing (a loaded machine boots many
# guests slowly: a minute with no new console output ends the wait), at
# most SECONDS; say how many run now, tell each to stop (a line on its
# console) and report each one's exit status.
FILL = r"""
meminfo() { awk -v k="$1:" '$1 == k {print $2}' /proc/meminfo; }
fill() {
  i=1
  while [ $i -le $1 ]; do
    mkfifo /tmp/in$i
    duvisor run --backend %s $3 0<>/tmp/in$i >/tmp/m$i.log 2>&1 &
    pid=$!; echo $pid > /tmp/pid$i; n=0
    while kill -0 $pid 2>/dev/null && ! grep -q "$2" /tmp/m$i.log && [ $n -lt 1200 ]; do
      usleep 100000; n=$((n+1)); done
    if ! kill -0 $pid 2>/dev/null; then
      echo "REFUSED_CMA=$(meminfo CmaFree) REFUSED_COMMIT=$(meminfo Committed_AS)"
      wait $pid; echo "REFUSED_RC=$?"; echo "REFUSED_AT=$i"; sed 's/^/R| /' /tmp/m$i.log
      rm /tmp/pid$i
      break
    fi
    i=$((i+1))
  done
  started=$((i-1)); [ $i -le $1 ] || started=$1
  echo "STARTED=$started"
}
up_then_stop() {
  t=0; still=0; size=0
  while [ $(grep -l "$1" /tmp/m*.log | wc -l) -lt $started ] && [ $t -lt $2 ] &&
        [ $still -lt 60 ]; do
    sleep 1; t=$((t+1))
    now=$(cat /tmp/m*.log | wc -c)
    if [ "$now" = "$size" ]; then still=$((still+1)); else still=0; size=$now; fi
  done
  echo "UP_WAIT=$t s (console quiet for $still s at the end)"
  alive=0; j=1
  while [ $j -le $started ]; do kill -0 $(cat /tmp/pid$j) && alive=$((alive+1)); j=$((j+1)); done
  echo "UP_COUNT=$(grep -l "$1" /tmp/m*.log | wc -l) ALIVE_COUNT=$alive"
  echo "ALL_UP_CMA_FREE=$(meminfo CmaFree) ALL_UP_COMMITTED=$(meminfo Committed_AS)"
  j=1; while [ $j -le $started ]; do echo stop > /tmp/in$j; j=$((j+1)); done
  j=1
  while [ $j -le $started ]; do
    wait $(cat /tmp/pid$j); echo "VM${j}_RC=$?"
    if grep -q "$1" /tmp/m$j.log; then grep -E 'MANY_|IDLE |duvisor:' /tmp/m$j.log
    else tail -n 12 /tmp/m$j.log; fi | sed "s/^/M$j| /"
    j=$((j+1))
  done
}
"""


def many_checks(r):
    """Those started all ran at once and exited 0; returns (started, the refused one's lines)."""
    started = int(r.value("STARTED") or 0)
    m = re.search(r"UP_COUNT=(\d+) ALIVE_COUNT=(\d+)", r.console)
    up, alive = (int(m.group(1)), int(m.group(2))) if m else (None, None)
    check(r.value("REFUSED_AT") is not None, "no VM was refused after %d started" % MANY_TRIES)
    down = [j for j in range(1, started + 1)
            if not any("MANY_UP" in l for l in tagged(r, "M%d" % j))]
    check(started >= 1 and up == started and alive == started and not down,
          "%d VMs started, %s of them up at once, %s alive; not up: %s\n%s" % (
              started, up, alive, down, "\n".join(tagged(r, "M%d" % down[0]) if down else [])))
    bad = [(j, r.value("VM%d_RC" % j)) for j in range(1, started + 1)
           if r.value("VM%d_RC" % j) != "0"]
    check(not bad, "told to stop, these did not exit 0: %s" % ", ".join(
        "VM %d: %s" % b for b in bad[:10]))
    check(all(any("MANY_STOP stop" in l for l in tagged(r, "M%d" % j))
              for j in range(1, started + 1)), "a VM exited without its stop line")
    return started, tagged(r, "R")


@test("many VMs: Linux guests of 32 MiB started until one is refused: all reach user space and "
      "run at once, the one too many fails with a clear error, all then exit 0")
def _():
    g = guest_initrd(MANY_GUEST, "many")
    opts = "--kernel /guest/Image --initrd /test/many.cpio.gz --memory %dM" % MANY_MEM_MB
    script = FILL % backend()
    if backend() == "kvm":
        # The FIFOs and logs on a ramfs, which the commit limit leaves alone (see the top);
        # strict accounting with a commit limit BUDGET_KB above what the host holds now
        script += ("mount -t ramfs ramfs /tmp\n"
                   "c=$(meminfo Committed_AS)\necho $((c + %d)) > /proc/sys/vm/overcommit_kbytes\n"
                   "echo 2 > /proc/sys/vm/overcommit_memory\n"
                   "echo COMMIT_LIMIT=$(meminfo CommitLimit)\necho COMMIT_BEFORE=$c\n" % BUDGET_KB)
    script += ("echo CMA_BEFORE=$(meminfo CmaFree)\nfill %d 'Linux version' '%s'\n"
               "up_then_stop MANY_UP 1200\n" % (MANY_TRIES, opts))
    r = hostvm.run(script, files={"/test/many.cpio.gz": g}, smp=2, timeout=2700,
                   log=os.path.join(LOGDIR, "test-security-%s-many.log" % backend()))
    started, refused = many_checks(r)
    rc, text = r.value("REFUSED_RC"), "\n".join(refused)
    check(rc == "1" and "guest memory (%d MiB)" % MANY_MEM_MB in text
          and "Cannot allocate memory" in text,
          "VM %d: exit %r, not a clear out-of-memory error:\n%s" % (started + 1, rc, text[-1500:]))
    m = re.search(r"REFUSED_CMA=(\d+) REFUSED_COMMIT=(\d+)", r.console)
    cma_left, committed = int(m.group(1)), int(m.group(2))
    if backend() == "dvext":
        # one more VM takes its RAM and a 1 MiB stage-2 region, both contiguous
        check(cma_left < (MANY_MEM_MB + 1) * 1024, "refused with %d kB of CMA still free"
              % cma_left)
        left = "%d kB of CMA free (of %s kB before)" % (cma_left, r.value("CMA_BEFORE"))
    else:
        limit = int(r.value("COMMIT_LIMIT"))
        check(committed + MANY_MEM_MB * 1024 > limit, "refused at %d kB committed of %d kB"
              % (committed, limit))
        left = "%d kB committed of a %d kB limit" % (committed, limit)
    print("  %s: %d VMs of %d MiB up at once, all exited 0; VM %d refused: %s; %s"
          % (backend(), started, MANY_MEM_MB, started + 1,
             next((l.strip() for l in refused if "guest memory" in l), "?"), left))


@test("a VM starts when the driver hands its stage-2 region off a 16 KiB boundary (another "
      "process holds a 4 KiB region first)", only="dvext",
      why="the stage-2 tables are KVM's own on kvm")
def _():
    idle, hold = need(os.path.join(SEC, "idle.img")), need(os.path.join(SEC, "vmhold"))
    script = ("chmod +x /test/vmhold\n"
              "mkfifo /tmp/h; /test/vmhold 1 4096 0<>/tmp/h >/tmp/h.log & hp=$!\n"
              "n=0; while ! grep -q VMHOLD /tmp/h.log && [ $n -lt 100 ]; do usleep 100000; "
              "n=$((n+1)); done; cat /tmp/h.log\n"
              "{ sleep 2; echo x; } | duvisor run --backend %s --kernel /test/idle.img "
              "--memory %dM 2>&1 | sed 's/^/P| /'\n"
              "echo > /tmp/h; wait $hp\n" % (backend(), IDLE_MEM_MB))
    r = hostvm.run(script, files={"/test/idle.img": idle, "/test/vmhold": hold}, smp=2,
                   timeout=120, log=os.path.join(LOGDIR, "test-security-%s-ptalign.log" % backend()))
    check(any(l.startswith("VMHOLD 1 ok") for l in r.lines()), "vmhold did not map its 4 KiB")
    out = tagged(r, "P")
    check(any("IDLE up" in l for l in out) and any("IDLE stop" in l for l in out) and
          not any("setting up guest memory" in l for l in out),
          "the VM after a 4 KiB region did not run:\n%s" % "\n".join(out[-6:]))


# vmhold MAX in the background on FIFO $1: its "VMHOLD <n> <error>" line
HOLD = r"""
hold() {
  mkfifo $1; vmhold %d 0<>$1 >$1.log & hp=$!; n=0
  while ! grep -q VMHOLD $1.log && [ $n -lt 100 ]; do usleep 100000; n=$((n+1)); done
  sed "s/^/$2 /" $1.log
}
"""


@test("many VMs: the driver's limit of 63 VMs: with the other 62 taken, a VM runs in the last "
      "slot, one more duvisor is refused with a clear error, a slot freed is used again",
      only="dvext", why="KVM has no VM-count limit of its own: memory is its limit (the case above)")
def _():
    idle, hold = need(os.path.join(SEC, "idle.img")), need(os.path.join(SEC, "vmhold"))
    opts = "--kernel /test/idle.img --memory %dM" % IDLE_MEM_MB
    script = (FILL % backend() + HOLD % (WINDOWS + 1) +
              "chmod +x /test/vmhold; export PATH=$PATH:/test\n"
              # with nothing else running: how many VMs the driver gives
              "hold /tmp/h1 ALONE; echo > /tmp/h1; wait $hp\n"
              # one VM running, the other slots taken
              "fill 1 'IDLE up' '%s'\n"
              "hold /tmp/h2 BESIDE\n"
              "duvisor run --backend %s %s </dev/null >/tmp/x.log 2>&1; echo EXTRA_RC=$?\n"
              "sed 's/^/X| /' /tmp/x.log\n"
              "echo > /tmp/h2; wait $hp\n"
              "up_then_stop 'IDLE up' 60\n"
              # a slot freed is used again
              "{ sleep 2; echo x; } | duvisor run --backend %s %s 2>&1 | sed 's/^/A| /'\n"
              % (opts, backend(), opts, backend(), opts))
    r = hostvm.run(script, files={"/test/idle.img": idle, "/test/vmhold": hold}, smp=2,
                   timeout=300, log=os.path.join(LOGDIR, "test-security-%s-windows.log" % backend()))
    alone = next((l.split()[2:] for l in r.lines() if l.startswith("ALONE VMHOLD")), None)
    beside = next((l.split()[2:] for l in r.lines() if l.startswith("BESIDE VMHOLD")), None)
    check(alone == [str(WINDOWS), "EMFILE"], "with nothing running the driver gave %r, want %d "
          "VMs then EMFILE" % (alone, WINDOWS))
    check(r.value("STARTED") == "1" and "UP_COUNT=1 ALIVE_COUNT=1" in r.console,
          "the VM in the last slot did not come up")
    check(beside == [str(WINDOWS - 1), "EMFILE"], "beside one VM the driver gave %r, want %d then "
          "EMFILE" % (beside, WINDOWS - 1))
    extra, rc = "\n".join(tagged(r, "X")), r.value("EXTRA_RC")
    check(rc == "1" and "/dev/duvisor" in extra and "Too many open files" in extra,
          "the VM too many: exit %r, not a clear refusal:\n%s" % (rc, extra[-800:]))
    check(r.value("VM1_RC") == "0", "the VM in the last slot: exit %r" % r.value("VM1_RC"))
    again = tagged(r, "A")
    check(any("IDLE up" in l for l in again) and any("IDLE stop" in l for l in again),
          "no VM in a freed slot:\n%s" % "\n".join(again[-5:]))
    print("  driver: %d VMs, then EMFILE; the VM too many: exit 1, \"%s\"; a freed slot is used "
          "again" % (WINDOWS, next((l.strip() for l in tagged(r, "X") if "/dev/duvisor" in l), "?")))


# ---------------------------------------------------------------------------
# Exit storm beside a victim

STORM_MIN_RATE = 2000       # exits/s each storm guest must keep up (a booted idle Linux guest: tens)
# The host's answer during the storm: the slowest host command allowed, and
# the median. The emulated host runs on a shared 2-core machine, where a
# command now and then waits a second or two even with no storm (its clock is
# the wall clock); a host starved by the storm would wait far longer.
HOST_LATENCY_BOUND = 5.0    # s
HOST_LATENCY_MEDIAN = 0.5   # s

STORM_VICTIM = r"""
t() { cut -d' ' -f1 /proc/uptime; }
dd if=/dev/urandom of=/tmp/cpu bs=64k count=64 2>/dev/null
dd if=/dev/urandom of=/tmp/a bs=64k count=16 2>/dev/null
want=$(sha256sum /tmp/a | cut -c1-64)
t0=$(t)
i=0; while [ $i -lt 12 ]; do sha256sum /tmp/cpu >/dev/null; i=$((i+1)); done
t1=$(t)
i=0
while [ $i -lt 4 ]; do
  dd if=/tmp/a of=/dev/vda bs=64k conv=fsync 2>/dev/null
  echo 3 > /proc/sys/vm/drop_caches
  got=$(dd if=/dev/vda bs=64k count=16 2>/dev/null | sha256sum | cut -c1-64)
  if [ "$got" = "$want" ]; then echo VICTIM_OK $i; else echo VICTIM_BAD $i; fi
  i=$((i+1))
done
t2=$(t)
echo "VICTIM_TIMES $t0 $t1 $t2"
exit 0
"""

# The host's probe: fork a shell that exits, timed with /proc/uptime read by
# the shell itself (no process of its own), every 0.3 s until $2 exists.
STORM_HOST = r"""
probe() {
  while [ ! -e $2 ]; do
    read a x < /proc/uptime; /bin/sh -c 'exit 0'; read b x < /proc/uptime
    echo "$1 $a $b"; usleep 300000
  done
}
victim() {
  probe PROBE_$1 /tmp/stop$1 & pp=$!
  { duvisor run --backend %(b)s --kernel /guest/Image --initrd /test/victim.cpio.gz --memory 128M \
      --disk path=/tmp/victim.img </dev/null 2>&1; echo "__RC=$?"; } |
    sed -e "s/^__RC=/V$1_RC=/;t" -e "s/^/V$1| /"
  touch /tmp/stop$1; wait $pp
}
dd if=/dev/zero of=/tmp/victim.img bs=1M count=4 2>/dev/null
victim 1
for s in mmio sbi; do
  mkfifo /tmp/in_$s
  duvisor run --backend %(b)s --kernel /test/storm_$s.img --memory 16M --stats 0<>/tmp/in_$s \
    >/tmp/$s.log 2>&1 &
  echo $! > /tmp/pid_$s
done
n=0
while [ $(cat /tmp/mmio.log /tmp/sbi.log | grep -c 'STORM .* up') -lt 2 ] && [ $n -lt 300 ]; do
  usleep 100000; n=$((n+1)); done
victim 2
for s in mmio sbi; do
  echo stop > /tmp/in_$s; wait $(cat /tmp/pid_$s); echo "STORM_${s}_RC=$?"
  sed "s/^/S_$s| /" /tmp/$s.log
done
"""


def storm_victim(r, k):
    v = tagged(r, "V%d" % k)
    oks = [l for l in v if l.startswith("VICTIM_OK")]
    check(len(oks) == 4 and not any("VICTIM_BAD" in l for l in v) and r.value("V%d_RC" % k) == "0",
          "victim %s: %d of 4 rounds intact, exit %r:\n%s" % (
              "alone" if k == 1 else "in the storm", len(oks), r.value("V%d_RC" % k),
              "\n".join(v[-10:])))
    times = next((l.split()[1:] for l in v if l.startswith("VICTIM_TIMES")), None)
    check(times and len(times) == 3, "victim %d: no times" % k)
    t0, t1, t2 = map(float, times)
    return t1 - t0, t2 - t1


def latencies(r, k):
    out = []
    for l in r.lines():
        m = re.match(r"PROBE_%d ([\d.]+) ([\d.]+)$" % k, l)
        if m:
            out.append(float(m.group(2)) - float(m.group(1)))
    check(len(out) >= 3, "only %d host probes in phase %d" % (len(out), k))
    return sorted(out)


@test("exit storm: an MMIO storm and an SBI storm beside a victim VM: the victim's disk rounds "
      "stay intact, its slowdown is measured, the host answers (every command within %.0f s, "
      "median under %.1f s)" % (HOST_LATENCY_BOUND, HOST_LATENCY_MEDIAN))
def _():
    files = {"/test/victim.cpio.gz": guest_initrd(STORM_VICTIM, "storm-victim"),
             "/test/storm_mmio.img": need(os.path.join(SEC, "storm_mmio.img")),
             "/test/storm_sbi.img": need(os.path.join(SEC, "storm_sbi.img"))}
    r = hostvm.run(STORM_HOST % {"b": backend()}, files=files, smp=2, timeout=900,
                   log=os.path.join(LOGDIR, "test-security-%s-storm.log" % backend()))
    cpu1, disk1 = storm_victim(r, 1)
    cpu2, disk2 = storm_victim(r, 2)
    rates = {}
    for s in ("mmio", "sbi"):
        out = tagged(r, "S_" + s)
        check(r.value("STORM_%s_RC" % s) == "0" and any("STORM %s stop" % s in l for l in out),
              "the %s storm did not stop cleanly when told: exit %r:\n%s" % (
                  s, r.value("STORM_%s_RC" % s), "\n".join(out[-8:])))
        per_s = sorted(int(m.group(1)) for m in (re.match(r"STORM %s (\d+)$" % s, l.strip())
                                                 for l in out) if m)
        check(len(per_s) >= 3, "the %s storm ran %d s only" % (s, len(per_s)))
        rates[s] = per_s[len(per_s) // 2]
        check(rates[s] >= STORM_MIN_RATE, "the %s storm made only %d exits/s" % (s, rates[s]))
        stats = next((l.split()[-1] for l in out if l.strip().startswith("total")), "?")
        rates[s + "_total"] = stats
    lat1, lat2 = latencies(r, 1), latencies(r, 2)
    check(lat2[-1] <= HOST_LATENCY_BOUND, "a host command took %.2f s during the storm (bound "
          "%.1f s): %s" % (lat2[-1], HOST_LATENCY_BOUND, lat2[-10:]))
    check(lat2[len(lat2) // 2] <= HOST_LATENCY_MEDIAN, "host commands took %.2f s (median) "
          "during the storm (bound %.1f s)" % (lat2[len(lat2) // 2], HOST_LATENCY_MEDIAN))
    print("  %s: storms: mmio %d exits/s, sbi %d exits/s (median of the guests' per-second "
          "counts; duvisor counted %s and %s exits in all)"
          % (backend(), rates["mmio"], rates["sbi"], rates["mmio_total"], rates["sbi_total"]))
    print("  victim alone: cpu %.2f s, disk %.2f s; in the storm: cpu %.2f s, disk %.2f s: its "
          "progress at %.0f%% (cpu) and %.0f%% (disk) of its rate alone; 4/4 disk rounds intact "
          "both times" % (cpu1, disk1, cpu2, disk2, 100 * cpu1 / max(cpu2, 0.01),
                          100 * disk1 / max(disk2, 0.01)))
    print("  host command (fork of a shell that exits): alone median %.2f s max %.2f s (%d probes); "
          "in the storm median %.2f s max %.2f s (%d probes)"
          % (lat1[len(lat1) // 2], lat1[-1], len(lat1), lat2[len(lat2) // 2], lat2[-1], len(lat2)))
