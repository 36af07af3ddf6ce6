#!/usr/bin/env python3
"""make bench, applications stage (issue 12, item 3): the programs of
bench/apps/ (make bench-apps), each for a fixed amount of work,

  - natively on the emulated host, pinned to one hart (native1) and on
    both (native2): the "native" figures,
  - in a Linux guest under duvisor --backend dvext and --backend kvm,
    with 1 and with 2 vCPUs (dvext1, dvext2, kvm1, kvm2),

one boot of the same 2-hart host per backend and vCPU count (one for both
native runs), under QEMU -icount shift=0,sleep=off: 1 ns of emulated time
is 1 instruction executed (by either hart), so every figure counts
instructions, on the same QEMU, kernel and duvisor.

    bench/apps_bench.py [--quick] [--configs native,dvext1,...] [--apps a,b]
                        [--no-repeat | --repeat]

run(quick=False) -> dict is the stage for bench/bench.py; as a program it
writes build/bench/apps.json and prints a Markdown table. Console logs:
build/logs/bench-apps-<config>.log. What is measured and how:
bench/apps/README.md ("The applications stage of make bench").
"""
import argparse
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
import hostvm  # noqa: E402

OUT = os.path.join(TOP, "build", "bench")
LOGDIR = os.path.join(TOP, "build", "logs")
ICOUNT = ["-icount", "shift=0,sleep=off"]
# QEMU's -seed fixes what QEMU hands the machine at random (the device
# tree's rng-seed): with it a boot repeats, two harts included (see
# docs/benchmarks.md, "Repeatability"). Every boot here uses the same.
SEED = 1
HOST_SMP = 2
GUEST_MEM = "256M"
DISK_MB = 64
# boots: name -> (backend, vCPUs); "native" is one boot giving native1 and native2
BOOTS = {"native": None, "dvext1": ("dvext", 1), "dvext2": ("dvext", 2),
         "kvm1": ("kvm", 1), "kvm2": ("kvm", 2)}
COLUMNS = ["native1", "native2", "dvext1", "dvext2", "kvm1", "kvm2"]
LABELS = {"native1": "native, 1 hart", "native2": "native, 2 harts",
          "dvext1": "dvext 1 vCPU", "dvext2": "dvext 2 vCPUs",
          "kvm1": "kvm 1 vCPU", "kvm2": "kvm 2 vCPUs"}

# The work, full and quick. Every figure is a fixed amount of work except
# qperf's, which runs for a fixed (emulated) time and reports a rate.
# "reps": app -> (unmeasured warm-up runs, measured runs), default (0, 1);
# the figure is the median of the measured runs. The first run of a
# program in a boot costs more (7zr: 13% more instructions); the others
# vary from run to run on two harts, each run a sample.
WORK = {
    False: {"hb_g": 5, "hb_l": 20, "z_in": "/bench/bin/fio", "iperf_n": "24M",
            "qperf_t": 1, "mc_x": 5000, "fio_seq": "16M", "fio_rnd": "4M",
            "reps": {"hackbench": (1, 3), "7zr": (1, 1), "iperf_g2h": (0, 3),
                     "iperf_h2g": (0, 3), "qperf_lat": (0, 3), "qperf_bw": (0, 3),
                     "memcached": (0, 3), "fio_randread": (0, 3), "fio_randwrite": (0, 3),
                     "fio_seqread": (0, 3), "fio_seqwrite": (0, 3)}},
    True: {"hb_g": 2, "hb_l": 10, "z_in": "/bench/bin/qperf", "iperf_n": "8M",
           "qperf_t": 1, "mc_x": 2000, "fio_seq": "8M", "fio_rnd": "2M",
           "reps": {"hackbench": (1, 3), "7zr": (1, 1)}},
}
QUICK_APPS = ("hackbench", "7zr", "iperf_g2h", "iperf_h2g", "qperf_lat", "memcached",
              "fio_randread", "fio_seqread")

# key, label, unit, lower is better, where, command.
#   where "local": runs on the machine under test (the host natively, the
#   guest otherwise), its server on PEER (127.0.0.1 natively, the host
#   10.0.2.1 from a guest); "remote": a client in the host drives a server
#   on the machine under test (SERVER: 127.0.0.1 natively, the guest
#   10.0.2.2). Commands are formatted with WORK's keys plus key, PEER,
#   SERVER, DISK, DIRECT, DISK_MB. timeit (bench/apps/timeit.c) prints the
#   command's elapsed CLOCK_MONOTONIC nanoseconds.
FIO = ("fio --name={key} --filename={DISK} --direct={DIRECT} --ioengine=psync "
       "--output-format=json ")
APPS = [
    ("hackbench", "hackbench: {hb_g} groups of 20+20 processes, {hb_l} loops (socketpairs)",
     "ms", True, "local", "timeit hackbench hackbench -g {hb_g} -l {hb_l}"),
    ("7zr", "7-Zip: compress {z_in} (LZMA -mx1, 1 thread)", "ms", True, "local",
     "rm -f /tmp/z.7z; timeit 7zr 7zr a -bd -mmt1 -mx1 /tmp/z.7z {z_in}"),
    ("iperf_g2h", "iperf TCP guest → host, {iperf_n}B", "ms", True, "local",
     "iperf -c {PEER} -n {iperf_n} -f k"),
    ("iperf_h2g", "iperf TCP host → guest, {iperf_n}B", "ms", True, "remote",
     "iperf -c {SERVER} -n {iperf_n} -f k"),
    ("qperf_lat", "qperf tcp_lat guest → host, for {qperf_t} s", "µs", True, "local",
     "qperf -e 6 -t {qperf_t} {PEER} tcp_lat"),
    ("qperf_bw", "qperf tcp_bw guest → host, for {qperf_t} s", "MB/s", False, "local",
     "qperf -e 6 -t {qperf_t} {PEER} tcp_bw"),
    ("memcached", "memcached in the guest, memaslap in the host: {mc_x} ops (90% get)",
     "µs/op", True, "remote", "memaslap -s {SERVER}:11211 -T 1 -c 4 -x {mc_x}"),
    ("fio_randread", "fio 4 KiB random read, {fio_rnd}B", "µs/IO", True, "local",
     FIO + "--rw=randread --bs=4k --size={DISK_MB}M --io_size={fio_rnd}"),
    ("fio_randwrite", "fio 4 KiB random write, {fio_rnd}B", "µs/IO", True, "local",
     FIO + "--rw=randwrite --bs=4k --size={DISK_MB}M --io_size={fio_rnd}"),
    ("fio_seqread", "fio 1 MiB sequential read, {fio_seq}B", "µs/IO", True, "local",
     FIO + "--rw=read --bs=1M --size={fio_seq}"),
    ("fio_seqwrite", "fio 1 MiB sequential write, {fio_seq}B", "µs/IO", True, "local",
     FIO + "--rw=write --bs=1M --size={fio_seq}"),
]
APP_INDEX = {a[0]: a for a in APPS}
# stress (bench/apps) has no metric: not run. 7zr b is time-calibrated and
# long (37 emulated seconds): 7zr a of a fixed file instead.

# The boot run twice, the same script, for the determinism check
REPEAT_BOOT = "dvext2"


def progress(msg):
    print("bench: apps: " + msg, flush=True)


# ------------------------------------------------------------ the scripts

def block(tag, key, cmd, work):
    """Shell lines running cmd (work["reps"]: unmeasured warm-up runs,
    then the measured runs) with its output kept in a file: nothing but a
    short marker goes to a console while benchmarks run (a guest's UART
    output costs exits, and drains after the echo returns); /tmp/results
    is printed at the end. The sleep lets the marker drain before the next
    benchmark starts."""
    warmup, reps = work["reps"].get(key, (0, 1))
    s = ""
    if warmup:
        s += "for i in %s; do { %s; } >/dev/null 2>&1; done\n" % (
            " ".join(str(i) for i in range(warmup)), cmd)
    s += (": >/tmp/out; rc=0\nfor i in %s; do echo \"@@REP $i\" >>/tmp/out; "
          "{ %s; } >>/tmp/out 2>&1 || rc=$?; done\n" % (
              " ".join(str(i) for i in range(reps)), cmd))
    s += ("{ echo \"@@BEGIN %s %s\"; cat /tmp/out; echo \"@@END %s %s $rc\"; } >>/tmp/results\n"
          "echo \"@@DONE %s %s $rc $(cut -d' ' -f1 /proc/uptime)\"; sleep 0.2\n"
          % (tag, key, tag, key, tag, key))
    return s


def commands(tag, apps, where, work, peer=None, server=None, disk=None, direct=0, prefix=""):
    out = []
    for key, _, _, _, w, cmd in APPS:
        if key in apps and w == where:
            out.append(block(tag, key, prefix + cmd.format(
                key=key, PEER=peer, SERVER=server, DISK=disk, DIRECT=direct, DISK_MB=DISK_MB,
                **work), work))
    return "".join(out)


PRELUDE = """export PATH=/bench/bin:$PATH
cd /tmp
seedrng
grep -qs '^root:' /etc/passwd || echo 'root:x:0:0::/:/bin/sh' >>/etc/passwd
: >/tmp/results
"""

# Natively: the programs twice in one boot, both ends on the host over
# loopback, the disk a file in its tmpfs. native1: the programs measured
# (and memcached) on hart 0, their peers (the servers, memaslap) on hart 1,
# as with one vCPU; native2: anywhere on both harts.
NATIVE = PRELUDE + """dd if=/dev/zero of=/tmp/disk.img bs=1M count=%(disk_mb)d 2>/dev/null
cat >/tmp/pass.sh <<'PASS_END'
tag=$1
P=
if [ -n "$2" ]; then taskset -p $2 $$ >/dev/null; P="taskset $3"; fi
$P iperf -s -B 127.0.0.1 >/tmp/iperf-s.log 2>&1 & ip=$!
$P qperf >/tmp/qperf-s.log 2>&1 & qp=$!
memcached -u root -d -l 127.0.0.1 -p 11211 -t 1 -m 64 -P /tmp/memcached.pid
sleep 1
%(local)s%(remote)s
kill $ip $qp $(cat /tmp/memcached.pid)
wait
sleep 1
PASS_END
sh /tmp/pass.sh native1 1 2
sh /tmp/pass.sh native2
cat /tmp/results
exit 0
"""

GUEST = PRELUDE + """ip addr add 10.0.2.2/24 dev eth0 && ip link set eth0 up
n=0; until ping -c 1 -W 1 10.0.2.1 >/dev/null 2>&1 || [ $n -gt 60 ]; do n=$((n+1)); done
echo "@@NPROC $(nproc)"
# the host pins the vCPU threads meanwhile: tell it (port 7002), wait for it (7003)
n=0; until echo up | nc 10.0.2.1 7002 || [ $n -gt 100 ]; do n=$((n+1)); sleep 1; done
nc -l -p 7003 </dev/null >/dev/null
sleep 0.2
%(local)s
# the host's clients next: iperf and memcached servers here, then tell the
# host (port 7000) and wait until it says it is done (port 7001)
iperf -s -B 10.0.2.2 >/tmp/iperf-s.log 2>&1 &
memcached -u root -d -l 10.0.2.2 -p 11211 -t 1 -m 64 -P /tmp/memcached.pid
sleep 1
n=0; until echo ready | nc 10.0.2.1 7000 || [ $n -gt 100 ]; do n=$((n+1)); sleep 1; done
nc -l -p 7001 </dev/null >/dev/null
cat /tmp/results
exit 0
"""

HOST = PRELUDE + """tunctl -t dvtap0 >/dev/null && ip addr add 10.0.2.1/24 dev dvtap0 && ip link set dvtap0 up || echo '@@HOST-FAILED tap'
dd if=/dev/zero of=/tmp/disk.img bs=1M count=%(disk_mb)d 2>/dev/null
# the host's side of the benchmarks: on hart 1 with one vCPU, anywhere with two
P='%(peer)s'
$P iperf -s -B 10.0.2.1 >/tmp/iperf-s.log 2>&1 &
$P qperf >/tmp/qperf-s.log 2>&1 &
%(pre)s
# duvisor's output (the guest's console) tagged G|, its exit status as
# @@G_RC; once it exits, the waits for the guest below are released
{ %(duvisor)s run --backend %(backend)s --kernel /guest/Image --initrd /test/guest.cpio.gz \\
	--cmdline 'console=ttyS0 earlycon=sbi quiet' --cpus %(cpus)d --memory %(mem)s --stats \\
	--net tap=dvtap0,mac=52:54:00:12:34:56 --disk path=/tmp/disk.img </dev/null 2>&1
  echo "__RC=$?"
  while :; do for p in 7002 7000; do nc 127.0.0.1 $p </dev/null; done; sleep 1; done >/dev/null 2>&1 &
} | sed -e 's/DV-TEST-EXIT/GUEST-EXIT/' -e 's/^__RC=\\(.*\\)$/@@G_RC \\1/;t' -e 's/^/G| /' &
dv=$!
alive() { kill -0 $dv 2>/dev/null; }
# vCPU i on hart i: duvisor creates its vCPU threads last
if timeout %(wait)d nc -l -p 7002 </dev/null >/dev/null && alive; then
	pid=$(pidof duvisor)
	cpu=0
	for t in $(ls /proc/$pid/task | sort -n | tail -n %(cpus)d); do
		taskset -p $((1 << cpu)) $t >/dev/null
		echo "@@PIN vCPU $cpu: $(taskset -p $t)"
		cpu=$((cpu + 1))
	done
	others=$(ls /proc/$pid/task | sort -n | head -n -%(cpus)d)
	if [ -n "%(others)s" ]; then
		for t in $others; do taskset -p %(others)s $t >/dev/null; done
		echo "@@PIN other threads ($(echo $others)): mask %(others)s"
	fi
	n=0; until echo go | nc 10.0.2.2 7003 || [ $n -gt 100 ] || ! alive; do n=$((n+1)); sleep 1; done
else
	echo '@@HOST-FAILED no up from the guest'
fi
if timeout %(wait)d nc -l -p 7000 </dev/null >/dev/null && alive; then
	for t in /proc/$pid/task/*; do echo "@@THREAD ${t##*/} on hart $(cut -d' ' -f39 $t/stat)"; done
%(remote)s
	n=0; until echo done | nc 10.0.2.2 7001 || [ $n -gt 100 ] || ! alive; do n=$((n+1)); sleep 1; done
else
	echo '@@HOST-FAILED no ready from the guest'
fi
wait $dv
cat /tmp/results
exit 0
"""


# KVM's halt polling (halt_poll_ns) spins the hart of a vCPU that waits:
# on hardware that overlaps the other hart's work, but with the harts run
# in turn under -icount it keeps the other from running and adds its spin
# to the clock (as in the micro stage's IPI run, docs/benchmarks.md)
PRE = {"kvm": "echo 0 >/sys/module/kvm/parameters/halt_poll_ns"}


# Where things run, by vCPU count. vCPU i is pinned to hart i. With one
# vCPU, duvisor's other threads (I/O, disk) and the host's side of each
# benchmark are pinned to hart 1; with two, they go anywhere. Left to the
# scheduler, where the disk thread landed decided a 1-vCPU boot's fio
# figures: 4 KiB random read on dvext 26.7 µs/IO with it on the vCPU's
# hart, 41.2 on the other (kvm 35.8 and 45.7); a change anywhere before
# (another script) moved it from one to the other.
OTHERS = {1: "2"}       # taskset mask for duvisor's threads besides the vCPUs
PEER_PIN = {1: "taskset 2"}  # prefix of the host's servers and clients


def scripts(boot_name, apps, work, duvisor_path):
    """(host script, guest script or None)"""
    if BOOTS[boot_name] is None:
        return NATIVE % {"disk_mb": DISK_MB,
                         "local": commands("$tag", apps, "local", work, peer="127.0.0.1",
                                           disk="/tmp/disk.img", direct=0),
                         "remote": commands("$tag", [a for a in apps if a != "iperf_h2g"],
                                            "remote", work, server="127.0.0.1", prefix="$P ")
                         }, None
    backend, cpus = BOOTS[boot_name]
    guest = GUEST % {"local": commands(boot_name, apps, "local", work, peer="10.0.2.1",
                                       disk="/dev/vda", direct=1)}
    host = HOST % {"disk_mb": DISK_MB, "duvisor": duvisor_path, "backend": backend,
                   "pre": PRE.get(backend, ""), "others": OTHERS.get(cpus, ""),
                   "peer": PEER_PIN.get(cpus, ""),
                   "cpus": cpus, "mem": GUEST_MEM, "wait": 3000,
                   "remote": commands(boot_name, apps, "remote", work, server="10.0.2.2",
                                      prefix="$P ")}
    return host, guest


# ------------------------------------------------------------ booting

def snapshot():
    """build/artifacts.env with the host's kernel and initramfs (duvisor,
    the guest's kernel) and the guest's base initramfs copied into
    build/bench/apps/: every boot of the stage runs these, however often the
    build changes meanwhile"""
    env = dict(hostvm.artifacts())
    d = os.path.join(OUT, "apps")
    os.makedirs(d, exist_ok=True)
    for k, name in (("KERNEL", "Image"), ("INITRAMFS", "host-initramfs.cpio.gz"),
                    ("GUEST_INITRD", "guest-initramfs.cpio.gz")):
        with open(env[k], "rb") as f:
            data = f.read()
        path = os.path.join(d, name)
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
        env[k + "_FROM"] = env[k]
        env[k] = path
    return env


def guest_initrd(env, script, files):
    """The guest's initrd: its base plus /test/run = script and files
    (tests/lib/dvguest.py's guest_initrd, on the snapshot)"""
    with open(env["GUEST_INITRD"], "rb") as f:
        data = f.read() + hostvm.overlay_cpio(script, files)
    with tempfile.NamedTemporaryFile(prefix="dv-apps-guest-", suffix=".cpio.gz",
                                     delete=False) as t:
        t.write(data)
        return t.name


def boot(env, script, files, log, timeout, on_line, stall=hostvm.BOOT_STALL):
    """hostvm.run with the console streamed: on_line(line) for each line
    and the log written as it comes. Returns (exit status, lines, seconds)."""
    with open(env["INITRAMFS"], "rb") as f:
        base = f.read()
    with tempfile.NamedTemporaryFile(prefix="dv-apps-", suffix=".cpio.gz", delete=False) as t:
        t.write(base)
        t.write(hostvm.overlay_cpio(script, files))
        initrd = t.name
    cmd = hostvm.qemu_command(env, HOST_SMP, "2G", "", ICOUNT + ["-seed", str(SEED)], initrd,
                              False)
    cmd += ["-display", "none", "-monitor", "none", "-serial", "stdio"]
    start = time.monotonic()
    lines, rc, reason, up = [], None, None, False
    with open(log, "w") as lf:
        lf.write("$ " + " ".join(cmd) + "\n")
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        try:
            pending = b""
            while True:
                left = timeout - (time.monotonic() - start)
                if left <= 0:
                    reason = "timed out after %ds" % timeout
                    break
                if stall and not up and time.monotonic() - start > stall:
                    reason = "stall"
                    break
                ready, _, _ = select.select([proc.stdout], [], [], min(left, 1.0))
                if not ready:
                    continue
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                pending += chunk
                *done, pending = pending.split(b"\n")
                for raw in done:
                    line = raw.decode("utf-8", "replace").rstrip("\r")
                    lines.append(line)
                    lf.write("[%7.1f] %s\n" % (time.monotonic() - start, line))
                    up = up or "DV-HOST-UP:" in line
                    m = hostvm.EXIT_RE.search(line)
                    if m:
                        rc = int(m.group(1))
                    elif hostvm.PANIC_RE.search(line) and reason is None:
                        reason = "kernel reported: " + line.strip()
                    on_line(line)
                lf.flush()
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            os.unlink(initrd)
    seconds = time.monotonic() - start
    if reason == "stall":
        progress("the host stalled before user space (log %s); booting it again" % log)
        return boot(env, script, files, log, timeout, on_line, stall=None)
    if reason is None and rc is None:
        reason = "host stopped (QEMU exit %s) without reporting DV-TEST-EXIT" % proc.returncode
    if reason is not None:
        raise hostvm.BootError("%s; console log %s; last lines:\n%s"
                               % (reason, log, hostvm.tail("\n".join(lines))))
    return rc, lines, seconds


# ------------------------------------------------------------ parsing

def blocks(lines):
    """{(tag, key): (text, exit status)} of the @@BEGIN/@@END blocks, from
    the host's lines and the guest's (G| ) alike"""
    out, cur, buf = {}, None, []
    for line in lines:
        if line.startswith("G| "):
            line = line[3:]
        f = line.split()
        if line.startswith("@@BEGIN ") and len(f) == 3:
            cur, buf = (f[1], f[2]), []
        elif line.startswith("@@END ") and cur is not None:
            out[cur] = ("\n".join(buf), int(f[3]) if len(f) > 3 and f[3].isdigit() else -1)
            cur = None
        elif cur is not None:
            buf.append(line)
    return out


UNITS = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "sec": 1e6, "s": 1e6}
BW = {"bytes/sec": 1e-6, "KB/sec": 1e-3, "MB/sec": 1.0, "GB/sec": 1e3}


def parse(key, text):
    """The figure of each run (@@REP) and their median"""
    chunks = re.split(r"^@@REP \d+$", text, flags=re.M)[1:] or [text]
    figs = [parse_one(key, c) for c in chunks]
    bad = [f for f in figs if "error" in f]
    if bad:
        return bad[0]
    figs.sort(key=lambda f: f["value"])
    fig = dict(figs[(len(figs) - 1) // 2])
    if len(figs) > 1:
        fig["runs"] = [f["value"] for f in figs]
    return fig


def parse_one(key, text):
    """{"value": the figure in the app's unit, ...} or {"error": why}"""
    fig = {}
    m = re.search(r"^TIMEIT %s (\d+) (\d+)$" % re.escape(key), text, re.M)
    if m:
        fig["elapsed_ms"] = int(m.group(1)) / 1e6
    if key in ("hackbench", "7zr"):
        if not m:
            return {"error": "no TIMEIT line"}
        fig["value"] = fig["elapsed_ms"]
        return fig
    if key.startswith("iperf"):
        # the client's transfer, 4 decimals of a second
        m = re.search(r"\]\s+([\d.]+)-([\d.]+) sec\s+(\d+) KBytes\s+(\d+) Kbits/sec", text)
        if not m:
            return {"error": "no transfer line in iperf's output"}
        fig["value"] = (float(m.group(2)) - float(m.group(1))) * 1e3
        fig["kbytes"] = int(m.group(3))
        fig["mbit_s"] = int(m.group(3)) * 8.192 / fig["value"]
        return fig
    if key == "memcached":
        m = re.search(r"Ops: (\d+) TPS: (\d+)", text)
        if not m:
            return {"error": "no TPS in memaslap's output"}
        fig["ops"] = int(m.group(1))
        fig["tps"] = int(m.group(2))
        fig["value"] = 1e6 / fig["tps"]
        return fig
    if key == "qperf_lat":
        m = re.search(r"latency\s*=\s*([\d.]+) (\w+)", text)
        if not m:
            return {"error": "no latency in qperf's output"}
        fig["value"] = float(m.group(1)) * UNITS.get(m.group(2), float("nan"))
        return fig
    if key == "qperf_bw":
        m = re.search(r"bw\s*=\s*([\d.]+) (\S+)", text)
        if not m:
            return {"error": "no bw in qperf's output"}
        fig["value"] = float(m.group(1)) * BW.get(m.group(2), float("nan"))
        return fig
    if key.startswith("fio_"):
        try:
            job = json.loads(text[text.index("{"):text.rindex("}") + 1])["jobs"][0]
        except (ValueError, KeyError, IndexError) as e:
            return {"error": "fio's JSON: %s" % e}
        if job.get("error"):
            return {"error": "fio job error %s" % job["error"]}
        d = job["write" if "write" in key else "read"]
        fig["value"] = d["lat_ns"]["mean"] / 1e3
        fig["ios"] = d["total_ios"]
        fig["runtime_ms"] = d["runtime"]
        fig["mib_s"] = d["bw_bytes"] / 2 ** 20
        return fig
    return {"error": "no parser"}


# ------------------------------------------------------------ the stage

def build_timeit():
    os.makedirs(os.path.join(OUT, "apps"), exist_ok=True)
    src = os.path.join(HERE, "apps", "timeit.c")
    out = os.path.join(OUT, "apps", "timeit")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
        subprocess.run(["riscv64-linux-gnu-gcc", "-static", "-O2", "-Wall", "-Wextra", "-s",
                        "-o", out + ".tmp", src], check=True)
        os.replace(out + ".tmp", out)
    return out


def build_seedrng():
    """bench/seedrng.c (the micro stage's): the host's and the guest's CRNG
    ready at once, with fixed bytes"""
    src = os.path.join(HERE, "seedrng.c")
    out = os.path.join(OUT, "apps", "seedrng")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
        subprocess.run(["riscv64-linux-gnu-gcc", "-static", "-O2", "-Wall", "-Wextra", "-s",
                        "-o", out + ".tmp", src], check=True)
        os.replace(out + ".tmp", out)
    return out


def bench_files(apps_dir, timeit):
    bindir = os.path.join(apps_dir, "bin")
    files = {"/bench/bin/" + n: os.path.join(bindir, n) for n in sorted(os.listdir(bindir))
             if n != "stress"}
    files["/bench/bin/timeit"] = timeit
    files["/bench/bin/seedrng"] = build_seedrng()
    return files


def run_boot(env, name, apps, work, files, duvisor, suffix=""):
    """One boot: {"figures": {column: {app: figure}}, ...}"""
    host, guest = scripts(name, apps, work, "/test/duvisor" if duvisor else "duvisor")
    f = dict(files)
    gpath = None
    if duvisor:
        f["/test/duvisor"] = duvisor
    if guest is not None:
        gpath = guest_initrd(env, guest, files)
        f["/test/guest.cpio.gz"] = gpath
    log = os.path.join(LOGDIR, "bench-apps-%s%s.log" % (name, suffix))
    t0 = time.monotonic()

    def on_line(line):
        if line.startswith("G| "):
            line = line[3:]
        f = line.split()
        if f[:1] == ["@@DONE"] and len(f) >= 4:
            progress("%-8s %-14s %s (%.0f s into the boot)" % (
                f[1], f[2], "ok" if f[3] == "0" else "exit " + f[3], time.monotonic() - t0))
        elif f[:1] == ["@@HOST-FAILED"]:
            progress("%s: %s" % (name, line))

    try:
        rc, lines, secs = boot(env, host, f, log, 1200 if work is WORK[True] else 3000, on_line)
    finally:
        if gpath:
            os.unlink(gpath)
    res = {"log": log, "seconds": round(secs), "figures": {}}
    exits = None
    for l in lines:
        # duvisor --stats: its exits by reason over the whole boot
        if l.startswith("G| duvisor: exits by reason"):
            exits = res["exits"] = {}
            continue
        if exits is not None:
            f = l[3:].split() if l.startswith("G|   ") else []
            if len(f) == 2 and f[1].isdigit():
                exits[f[0]] = int(f[1])
                continue
            exits = None
        if l.startswith("@@G_RC "):
            res["duvisor_rc"] = int(l.split()[1])
        elif l.startswith("G| @@NPROC "):
            res["guest_cpus"] = int(l.split()[2])
        elif l.startswith("@@THREAD "):
            res.setdefault("threads", []).append(l[9:])
        elif l.startswith("@@PIN "):
            res.setdefault("pins", []).append(l[6:])
        elif "DV-HOST-UP:" in l:
            res["host"] = l.split("DV-HOST-UP:", 1)[1].strip()
    for (tag, key), (text, code) in blocks(lines).items():
        fig = parse(key, text) if code == 0 else {"error": "exit status %d" % code}
        if "error" in fig:
            fig["output"] = text[-1500:]
        res["figures"].setdefault(tag, {})[key] = fig
    tags = ["native1", "native2"] if BOOTS[name] is None else [name]
    for tag in tags:
        for key in apps:
            if key == "iperf_h2g" and BOOTS[name] is None:
                continue
            if key not in res["figures"].get(tag, {}):
                res["figures"].setdefault(tag, {})[key] = {
                    "error": "no result (duvisor exit %s; log %s)" % (res.get("duvisor_rc"), log)}
    return res


def summarise(figures, work):
    """Per app: each column's figure, the overhead over native with as many
    harts as vCPUs (%, in time: higher is slower) and kvm/dvext per vCPU
    count (time ratio: > 1 means dvext is faster)"""
    table = {}
    for key, label, unit, lower, _, _ in APPS:
        row = {}
        for c in COLUMNS:
            fig = figures.get(c, {}).get(key if not (c.startswith("native") and
                                                     key == "iperf_h2g") else "iperf_g2h")
            if fig and "value" in fig:
                row[c] = fig["value"]
        if not row:
            continue

        def cost(v):
            return v if lower else 1.0 / v
        ent = {"label": label.format(**work), "unit": unit, "lower_is_better": lower,
               "values": row, "overhead_pct": {}, "kvm_over_dvext": {}}
        for c, v in row.items():
            nat = row.get("native" + c[-1])
            if not c.startswith("native") and nat:
                ent["overhead_pct"][c] = (cost(v) / cost(nat) - 1) * 100
        for n in ("1", "2"):
            d, k = row.get("dvext" + n), row.get("kvm" + n)
            if d and k:
                ent["kvm_over_dvext"][n] = cost(k) / cost(d)
        table[key] = ent
    return table


def qemu_version(env):
    try:
        return subprocess.run([env["QEMU"], "--version"], capture_output=True,
                              text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        return "?"


def run(quick=False, duvisor=None, boots=None, apps=None, repeat=None):
    """The applications stage; returns what build/bench/apps.json holds.
    duvisor: a duvisor binary shipped into the host as /test/duvisor (the
    micro stage's snapshot), else the host's own /usr/bin/duvisor (of the
    initramfs copied at the start). repeat (default: not quick) boots
    REPEAT_BOOT once more, the same script, for the determinism check."""
    if repeat is None:
        repeat = not quick
    env = snapshot()
    apps_dir = env.get("BENCH_APPS")
    if not apps_dir or not os.path.isdir(os.path.join(apps_dir, "bin")):
        raise SystemExit("bench: apps: no BENCH_APPS in build/artifacts.env: run make bench-apps")
    os.makedirs(LOGDIR, exist_ok=True)
    t0 = time.monotonic()
    work = WORK[bool(quick)]
    apps = list(apps or (QUICK_APPS if quick else [a[0] for a in APPS]))
    boots = list(boots or BOOTS)
    files = bench_files(apps_dir, build_timeit())
    with open(os.path.join(apps_dir, "VERSIONS")) as f:
        vers = f.read()
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "quick": bool(quick), "qemu": qemu_version(env),
               "icount": " ".join(ICOUNT), "seed": SEED, "host_harts": HOST_SMP,
               "guest_memory": GUEST_MEM, "work": work, "apps": apps,
               "inputs": {k: env[k + "_FROM"] for k in ("KERNEL", "INITRAMFS", "GUEST_INITRD")},
               "duvisor": duvisor or "/usr/bin/duvisor of the host initramfs",
               "bench_apps": apps_dir, "versions": vers, "boots": {}, "figures": {}}
    for b in boots:
        progress("boot %s ..." % b)
        try:
            r = run_boot(env, b, apps, work, files, duvisor)
        except hostvm.BootError as e:
            progress("boot %s FAILED: %s" % (b, e))
            results["boots"][b] = {"error": str(e).split("; last lines:")[0]}
            continue
        results["figures"].update(r.pop("figures"))
        results["boots"][b] = r
        progress("boot %s done in %d s" % (b, r["seconds"]))
    rb = REPEAT_BOOT
    if repeat and rb in results["boots"] and "error" not in results["boots"][rb]:
        progress("boot %s again, the same script: the determinism check ..." % rb)
        try:
            r = run_boot(env, rb, apps, work, files, duvisor, suffix="-repeat")
            first = results["figures"].get(rb, {})
            second = r["figures"].get(rb, {})
            results["determinism"] = {"boot": rb, "seconds": r["seconds"], "apps": {
                k: {"first": first[k]["value"], "second": second[k]["value"],
                    "diff_pct": (second[k]["value"] / first[k]["value"] - 1) * 100}
                for k in apps if "value" in first.get(k, {}) and "value" in second.get(k, {})}}
            progress("determinism: %s" % determinism_line(results["determinism"]))
        except hostvm.BootError as e:
            results["determinism"] = {"boot": rb, "error": str(e).split("; last lines:")[0]}
    results["table"] = summarise(results["figures"], work)
    results["seconds"] = round(time.monotonic() - t0)
    return results


def determinism_line(d):
    if "error" in d:
        return "%s's second boot failed: %s" % (d["boot"], d["error"])
    same = [k for k, v in d["apps"].items() if v["first"] == v["second"]]
    diff = ["%s %.6g / %.6g (%+.2f%%)" % (k, v["first"], v["second"], v["diff_pct"])
            for k, v in d["apps"].items() if v["first"] != v["second"]]
    return "%s booted twice: %d of %d figures identical%s%s" % (
        d["boot"], len(same), len(d["apps"]), "" if not diff else "; differ: ",
        ", ".join(diff))


# ------------------------------------------------------------ output

def fmtv(v):
    return "—" if v is None else ("%.4g" % v)


def markdown(results):
    cols = [c for c in COLUMNS if c in results["figures"]]
    rows = ["| application | unit | " + " | ".join(LABELS[c] for c in cols) +
            " | kvm/dvext 1 vCPU | kvm/dvext 2 vCPUs |",
            "|" + "---|" * (4 + len(cols))]
    for key, _, _, _, _, _ in APPS:
        ent = results["table"].get(key)
        if ent is None:
            continue
        cells = []
        for c in cols:
            v = ent["values"].get(c)
            s = fmtv(v)
            if c in ent["overhead_pct"]:
                s += " (%+.0f%%)" % ent["overhead_pct"][c]
            elif v is None and "error" in results["figures"][c].get(key, {}):
                s = "failed"
            cells.append(s)
        rat = ["%.2f" % ent["kvm_over_dvext"][n] if n in ent["kvm_over_dvext"] else "—"
               for n in ("1", "2")]
        rows.append("| %s | %s%s | %s | %s |" % (
            ent["label"], ent["unit"], "" if ent["lower_is_better"] else " (higher: better)",
            " | ".join(cells), " | ".join(rat)))
    spread = []
    for key, _, _, _, _, _ in APPS:
        for c in cols:
            runs = results["figures"][c].get(key, {}).get("runs")
            if runs and runs[-1] > runs[0] * 1.05:
                spread.append("%s %s %s–%s" % (key, c, fmtv(runs[0]), fmtv(runs[-1])))
    if spread:
        rows.append("\nRuns more than 5%% apart (min–max of %s): %s." % (
            "the measured runs", "; ".join(spread)))
    return "\n".join(rows)


def failures(results):
    out = []
    for b, r in results["boots"].items():
        if "error" in r:
            out.append("boot %s: %s" % (b, r["error"]))
    for c, figs in results["figures"].items():
        for k, f in figs.items():
            if "error" in f:
                out.append("%s %s: %s" % (c, k, f["error"]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer apps, less work, no repeat")
    ap.add_argument("--configs", help="boots, comma-separated, of %s" % ",".join(BOOTS))
    ap.add_argument("--apps", help="comma-separated, of %s" % ",".join(APP_INDEX))
    ap.add_argument("--no-repeat", action="store_true", help="skip the determinism boot")
    ap.add_argument("--repeat", action="store_true", help="the determinism boot, also --quick")
    a = ap.parse_args()
    for c in (a.configs or "").split(","):
        if c and c not in BOOTS:
            raise SystemExit("no boot %r (%s)" % (c, ",".join(BOOTS)))
    for k in (a.apps or "").split(","):
        if k and k not in APP_INDEX:
            raise SystemExit("no app %r (%s)" % (k, ",".join(APP_INDEX)))
    res = run(a.quick, boots=a.configs and a.configs.split(","),
              apps=a.apps and a.apps.split(","), repeat=True if a.repeat else False if a.no_repeat else None)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "apps.json"), "w") as f:
        json.dump(res, f, indent=1)
    print(markdown(res))
    if res.get("determinism"):
        print("\ndeterminism: " + determinism_line(res["determinism"]))
    for l in failures(res):
        print("FAILED: " + l)
    print("\nbench: apps: %d s; build/bench/apps.json" % res["seconds"])


if __name__ == "__main__":
    main()
