#!/usr/bin/env python3
"""make bench: the paper's evaluation (issue 12) on both backends of the
same build, in one run, under -icount shift=0 (1 ns of the emulated
machine's time = 1 instruction).

    bench.py [--quick] [--stages micro,apps] [--no-doc] [--render]

Stages:
  micro  small bare-metal guests (bench/micro.S, s2pf.S, ipi.S) that time
         N repetitions of an operation with their own `time` CSR (10 MHz:
         100 instructions a tick), in a host of 1 hart (2 for the IPIs),
         with the QEMU plugin bench/prof/insncount.c counting every
         instruction by pc for the breakdowns (bench/breakdown.py);
  apps   applications (bench/apps_bench.py: bench/apps/README.md).
--quick (make bench-quick) runs the micro stage with one boot (seed 1)
per backend for the two-hart runs instead of IPI_BOOTS (seeds 1..5).

Figures are instructions per operation, the empty loop subtracted; the
ratio is dvext/kvm. Writes build/bench/results.json, build/bench/*.png and,
unless --no-doc, docs/benchmarks.md and docs/benchmarks-*.png.
BACKENDS="dvext kvm" (the default) names the backends to run; the doc is
written only when both ran.
"""
import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
sys.path.insert(0, HERE)
import breakdown  # noqa: E402
import hostvm  # noqa: E402

OUT = os.path.join(TOP, "build", "bench")
DOCS = os.path.join(TOP, "docs")
NS_PER_TICK = 100  # the virt machine's 10 MHz timebase
BACKENDS = tuple(os.environ.get("BACKENDS", "dvext kvm").split())
# sleep=off: when every hart is idle the clock jumps to the next timer at
# once instead of following real time; the windows measured never have
# every hart idle (their time equals the instructions counted in them).
ICOUNT = ["-icount", "shift=0,sleep=off"]
# QEMU's -seed fixes all it hands the machine at random (the device
# tree's rng-seed, which seeds the host kernel's random numbers): boot n
# gets seed n + 1. With a random seed a two-hart run was not the same
# twice (the host kernel's random choices change its scheduling).
HOST_EXTRA = []
IPI_BOOTS = 5  # two-hart runs: the median over seeds 1..IPI_BOOTS (see HOST_EXTRA)

# The guest runs: image, harts of the host, duvisor options, what the host
# does first, boots. Every run prints BENCH lines in the order of its
# plugin windows.
RUNS = {
    "micro": {"smp": 1, "args": "--memory 64M", "boots": 1},
    "s2pf": {"smp": 1, "args": "--memory 64M", "boots": 1, "prefault_off": True},
    "ipi": {"smp": 2, "args": "--memory 64M --cpus 2", "boots": IPI_BOOTS, "pin": 2,
            # KVM's halt polling spins the host hart the vCPU waits on; with
            # the harts run in turn it only delays the other one (see DOC)
            "pre": {"kvm": "echo 0 >/sys/module/kvm/parameters/halt_poll_ns"}},
}

# Pins each of duvisor's vCPU threads to a hart of its own, hart i for
# vCPU i, then sends the guest the byte it waits for on its UART. The guest
# says PIN-ME once every vCPU runs: duvisor has created all its threads,
# the vCPUs' last (duvisor/src/vmm/vm.c), so they are the highest tids.
# Left alone, Linux put both KVM vCPU threads on one hart in some boots.
PIN_SCRIPT = """rm -f /tmp/in; mkfifo /tmp/in
%(cmd)s </tmp/in >/tmp/out 2>&1 &
pid=$!
exec 3>/tmp/in
until grep -q PIN-ME /tmp/out; do usleep 10000; done
cpu=0
for t in $(ls /proc/$pid/task | sort -n | tail -n %(n)d); do
	taskset -p $((1 << cpu)) $t >/dev/null
	echo "B| PIN vCPU $cpu: $(taskset -p $t)"
	cpu=$((cpu + 1))
done
printf g >&3
wait $pid
exec 3>&-
sed 's/^/B| /' /tmp/out
"""

# The operations, in table order: key, run, kind, label, paper (KVM, DuVisor cycles).
# kind: time  = guest-timed loop, the empty loop subtracted;
#       lat   = the guest's summed latency (LAT line), nothing subtracted;
#       work  = the plugin's instructions without the spin loops (SPIN);
#       delta = op a minus op b (DERIVED).
OPS = [
    ("sbi", "micro", "time",
     "SBI call (BASE probe): KVM answers it in its kernel, dvext in duvisor", (618, 214)),
    ("mmio_ld", "micro", "time",
     "MMIO load of an emulated register (UART LSR), answered in user space", (4758, 494)),
    ("mmio_st", "micro", "time",
     "MMIO store to an emulated register (UART SCR), answered in user space", (4758, 494)),
    ("s2pf", "s2pf", "time",
     "stage-2 page fault: first touch (a store) of a 4 KiB page of guest RAM", (6344, 694)),
    ("s2pf_warm", "s2pf", "time",
     "the same store to a page already mapped (reference for the fault)", None),
    ("ipi_wfi", "ipi", "time",
     "virtual IPI round trip (2 IPIs), both vCPUs waiting in WFI", (4692, 147)),
    ("ipi_busy", "ipi", "work",
     "virtual IPI round trip, receiver spinning: instructions besides the spinning",
     (4692, 147)),
    ("ipi_poll", "ipi", "work",
     "virtual IPI round trip, both spinning (sender polls): instructions besides the spinning",
     (4692, 147)),
    ("vext_lat", "micro", "lat",
     "virtual external interrupt, latency: the guest's UART store that raises the line "
     "→ its handler's first instruction", (4084, 184)),
    ("vext_delivery", "micro", "delta",
     "virtual external interrupt, delivery: that latency minus the same store raising "
     "nothing (ier_nop)", (4084, 184)),
    ("vext", "micro", "time",
     "virtual external interrupt, all of it: trigger, handler, PLIC claim, UART ack, "
     "complete (4 MMIO accesses)", None),
    ("ier_nop", "micro", "time",
     "MMIO store to the UART's IER raising nothing (the trigger without the interrupt)", None),
    ("timer", "micro", "time",
     "timer interrupt taken by the guest (Sstc stimecmp in the past; no exit)", None),
]
DERIVED = {"vext_delivery": ("vext_lat", "ier_nop")}
# Issue 12's targets: dvext/kvm ratio, and dvext's own figure where it sets one
TARGETS = {"sbi": (0.25, 170), "mmio_ld": (0.08, 200), "mmio_st": (0.08, 200),
           "s2pf": (0.10, 400), "ipi_wfi": (0.05, None), "ipi_busy": (0.05, None),
           "ipi_poll": (0.05, None), "vext_lat": (0.05, None), "vext_delivery": (0.05, None)}
SPIN = {"ipi_busy": [("guest", "h1_spin")],
        "ipi_poll": [("guest", "h0_spin"), ("guest", "h1_spin")]}
OP_INDEX = {o[0]: o for o in OPS}
LAYER_NAMES = {"guest": "guest", "opensbi": "OpenSBI", "kernel": "host kernel",
               "duvisor": "duvisor", "other": "other"}


def progress(msg):
    print("bench: " + msg, flush=True)


def plugin_include():
    """The qemu-plugin.h the QEMU build installed beside its binary"""
    inc = os.path.join(os.path.dirname(hostvm.artifacts()["QEMU"]), "include")
    if not os.path.exists(os.path.join(inc, "qemu-plugin.h")):
        raise SystemExit("bench: no %s/qemu-plugin.h (run make qemu)" % inc)
    return inc


def snapshot_duvisor():
    """The duvisor of the host initramfs, copied once: every boot runs this
    copy (shipped as /test/duvisor) and the breakdowns read its symbols,
    however often the build changes meanwhile"""
    env = hostvm.artifacts()
    data = breakdown.cpio_file(env["INITRAMFS"], "usr/bin/duvisor")
    if data is None:
        raise SystemExit("bench: no /usr/bin/duvisor in %s" % env["INITRAMFS"])
    path = os.path.join(OUT, "duvisor")
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.chmod(path + ".tmp", 0o755)
    os.replace(path + ".tmp", path)
    return path, hashlib.sha256(data).hexdigest()


def parse_console(r):
    """BENCH, LAT and counter lines, --stats and the prefault note of one boot"""
    out = {"bench": [], "lat": {}, "counters": {}, "stats": {}, "prefault": None}
    for line in r.lines():
        if "DV-HOST-UP:" in line:  # "DV-HOST-UP: N harts, <uname -r>"
            out["host"] = line.split("DV-HOST-UP:", 1)[1].split(",")[-1].strip()
        if not line.startswith("B| "):
            continue
        f = line[3:].split()
        if f[:1] == ["PIN"]:
            out.setdefault("pins", []).append(line[3:])
        elif len(f) == 4 and f[0] == "BENCH":
            out["bench"].append((f[1], int(f[2], 16), int(f[3], 16)))
        elif len(f) == 4 and f[0] == "LAT":
            out["lat"][f[1]] = (int(f[2], 16), int(f[3], 16))
        elif len(f) == 2 and f[0] == "PREFAULT":
            out["prefault"] = f[1]
        elif len(f) == 2 and f[0].isupper():
            out["counters"][f[0]] = int(f[1], 16)
        elif len(f) == 2 and f[1].isdigit():
            out["stats"][f[0]] = int(f[1])
        elif line[3:].startswith("BENCH-FAILED"):
            out["failed"] = True
    return out


def boot(run, backend, n, duvisor):
    """One boot of the host running duvisor with the run's guest once"""
    spec = RUNS[run]
    opts = spec["args"]
    # The host's CRNG ready at once (bench/seedrng.c)
    script = "/test/seedrng\n"
    script += spec.get("pre", {}).get(backend, "") + "\n"
    if spec.get("prefault_off") and backend == "dvext":
        # duvisor maps all guest RAM up front unless it has this option
        script += ("if /test/duvisor run --help 2>&1 | grep -q -- --memory-prefault; then "
                   "PF='--memory-prefault off'; echo 'B| PREFAULT off'; "
                   "else PF=; echo 'B| PREFAULT eager'; fi\n")
        opts += " $PF"
    cmd = "/test/duvisor run --backend %s --kernel /test/guest.img %s --stats" % (backend, opts)
    if spec.get("pin"):
        script += PIN_SCRIPT % {"cmd": cmd, "n": spec["pin"]}
    else:
        script += cmd + " </dev/null 2>&1 | sed 's/^/B| /'\n"
    tag = "%s-%s%s" % (run, backend, "-%d" % n if spec["boots"] > 1 else "")
    # micro keeps the name the breakdown's default expects
    counts = os.path.join(OUT, "counts-%s.txt" % (backend if run == "micro" else tag))
    plugin = ["-plugin", "%s,out=%s" % (os.path.join(OUT, "insncount.so"), counts)]
    r = hostvm.run(script, files={"/test/guest.img": os.path.join(OUT, run + ".img"),
                                  "/test/duvisor": duvisor,
                                  "/test/seedrng": os.path.join(OUT, "seedrng")},
                   smp=spec["smp"], icount=False, timeout=1800,
                   extra=ICOUNT + HOST_EXTRA + ["-seed", str(n + 1)] + plugin,
                   log=os.path.join(TOP, "build", "logs", "bench-%s.log" % tag))
    res = parse_console(r)
    res["counts"] = counts
    res["log"] = r.log
    return res


def op_figures(run, backend, b, syms):
    """{op: {...}} for one boot of a run: guest-timed and plugin figures,
    and the breakdown with the empty loop's share taken off"""
    windows = breakdown.parse(b["counts"])
    names = [n for n, _, _ in b["bench"]]
    if len(windows) != len(names) or "loop" not in names:
        raise SystemExit("bench: %s/%s: %d windows for %d BENCH lines %r (log %s)" % (
            run, backend, len(windows), len(names), names, b["log"]))
    an = {}
    for (name, reps, ticks), w in zip(b["bench"], windows):
        a = breakdown.analyse(w, reps, syms)
        a["time"] = ticks * NS_PER_TICK / reps
        a["reps"] = reps
        an[name] = a
    floor = an["loop"]
    out = {}
    for name, a in an.items():
        if name == "loop":
            continue
        spin = 0.0
        for ly, fn in SPIN.get(name, []):
            spin += sum(n for n, fly, ffn in a["functions"] if (fly, ffn) == (ly, fn))
        d = breakdown.minus(a, floor)
        if spin:
            d["total"] -= spin
            d["layers"]["guest"] -= spin
            d["functions"] = [f for f in d["functions"]
                              if (f[1], f[2]) not in SPIN.get(name, [])]
        fig = {"reps": a["reps"],
               "time_insns": a["time"] - floor["time"],   # guest clock
               "plugin_insns": a["total"] - floor["total"],  # instructions counted
               "spin": spin, "breakdown": d}
        kind = OP_INDEX[name][2] if name in OP_INDEX else "time"
        fig["insns"] = fig["plugin_insns"] - spin if kind == "work" else fig["time_insns"]
        out[name] = fig
    for name, (reps, ticks) in b["lat"].items():
        w = an.get(name)
        out[name] = {"reps": reps, "time_insns": ticks * NS_PER_TICK / reps,
                     "plugin_insns": w["sub"] if w else None, "spin": 0.0, "breakdown": None}
        out[name]["insns"] = out[name]["time_insns"]
    return out


def rounded(x):
    """x with its floats to 4 decimals, for results.json (--render then
    gives the same doc as the run did)"""
    if isinstance(x, float):
        return round(x, 4)
    if isinstance(x, dict):
        return {k: rounded(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [rounded(v) for v in x]
    return x


def mean(xs):
    return sum(xs) / len(xs)


def merge_boots(per_boot):
    """Each op's figures from its median boot (by insns: a boot of an odd
    number; the breakdown stays that boot's own), with the others' range.
    Boot n ran with QEMU's -seed n + 1: each repeats exactly."""
    out = {}
    for name in per_boot[0]:
        figs = sorted((p[name] for p in per_boot), key=lambda f: f["insns"])
        m = dict(figs[(len(figs) - 1) // 2])
        m["boots"] = len(figs)
        vals = [p[name]["insns"] for p in per_boot]
        m["spread"] = [min(vals), max(vals)] if len(figs) > 1 else None
        m["per_boot"] = vals if len(figs) > 1 else None
        out[name] = m
    return out


def compare_previous(results, prev):
    """Each op against the previous run of the same build (duvisor, QEMU,
    kernel): {"op/backend": relative difference}"""
    if not prev or prev.get("duvisor", {}).get("sha256") != results["duvisor"]["sha256"] or \
            prev.get("versions", {}).get("qemu") != results["versions"]["qemu"] or \
            prev.get("qemu") != results["qemu"] or "ops" not in prev or \
            prev.get("versions", {}).get("kernel") != results["versions"]["kernel"] or \
            prev.get("images") != results["images"] or \
            prev.get("ipi_boots") != results["ipi_boots"]:
        return None
    out = {}
    for key, o in results["ops"].items():
        po = prev["ops"].get(key)
        if not po:
            continue
        for b in BACKENDS:
            # prev went through results.json: compare at its precision
            x, y = po.get(b, {}).get("insns"), rounded(o[b].get("insns"))
            if x is None or y is None or o[b].get("not_measured") or abs(x) < 10:
                continue
            out["%s/%s" % (key, b)] = (y - x) / x
    # boot by boot (the same seed), the raw BENCH lines of the two-hart runs
    same = total = 0
    for run, spec in RUNS.items():
        if spec["smp"] == 1:
            continue
        for b in BACKENDS:
            pb = prev["runs"].get(run, {}).get(b, {}).get("boots", [])
            cb = results["runs"][run][b]["boots"]
            for x, y in zip(pb, cb):
                total += 1
                same += [list(t) for t in x["bench"]] == [list(t) for t in y["bench"]]
    return {"date": prev["date"], "diff": out, "two_hart_boots_same": [same, total]}


def stage_micro(results, duvisor, quick):
    """Boots every micro-benchmark run on each backend; fills results["ops"]"""
    runs = {}
    for run, spec in RUNS.items():
        boots = 1 if quick else spec["boots"]
        syms = breakdown.symbol_tables(os.path.join(OUT, run + ".elf"), duvisor=duvisor)
        for backend in BACKENDS:
            per_boot, raw = [], []
            for n in range(boots):
                t0 = time.monotonic()
                b = boot(run, backend, n, duvisor)
                if b.get("failed") or not b["bench"]:
                    raise SystemExit("bench: %s/%s: the guest failed (log %s)" % (
                        run, backend, b["log"]))
                check_counters(run, backend, b)
                per_boot.append(op_figures(run, backend, b, syms))
                raw.append({k: b.get(k) for k in ("host", "bench", "lat", "counters", "stats",
                                                  "prefault", "pins")})
                progress("%-5s %-5s boot %d/%d, %4.0f s: %s" % (
                    run, backend, n + 1, boots, time.monotonic() - t0,
                    ", ".join("%s %.0f" % (o, f["insns"]) for o, f in per_boot[-1].items())))
            runs.setdefault(run, {})[backend] = {"boots": raw, "ops": merge_boots(per_boot)}
    results["runs"] = {r: {b: {"boots": v["boots"]} for b, v in bs.items()}
                       for r, bs in runs.items()}
    ops = {}
    for key, run, kind, label, paper in OPS:
        o = {"label": label, "kind": kind, "run": run, "paper": paper}
        for backend in BACKENDS:
            if kind == "delta":
                a, b = DERIVED[key]
                fa = runs[run][backend]["ops"][a]
                fb = runs[run][backend]["ops"][b]
                o[backend] = {"insns": fa["insns"] - fb["insns"],
                              "plugin_insns": (fa["plugin_insns"] - fb["plugin_insns"]
                                               if fa["plugin_insns"] is not None else None),
                              "breakdown": None, "spread": None}
            else:
                o[backend] = dict(runs[run][backend]["ops"][key])
        if key in ("s2pf", "s2pf_warm") and "dvext" in BACKENDS:
            pf = results["runs"]["s2pf"]["dvext"]["boots"][0]["prefault"]
            o["dvext"]["prefault"] = pf
            if key == "s2pf" and pf != "off":
                o["dvext"]["not_measured"] = "eager mapping: 0 faults"
        if all(b in o for b in ("dvext", "kvm")) and o["kvm"]["insns"] and \
                not o["dvext"].get("not_measured"):
            o["ratio"] = o["dvext"]["insns"] / o["kvm"]["insns"]
        ops[key] = o
    results["ops"] = ops
    # the figures by backend, as results.json always had them
    for backend in BACKENDS:
        results["backends"][backend] = {
            "insns_per_op": {k: round(o[backend]["insns"]) for k, o in ops.items()},
            "exits": results["runs"]["micro"][backend]["boots"][0]["stats"]}


def check_counters(run, backend, b):
    """The guests' own counts: every interrupt taken, every claim right"""
    c, reps = b["counters"], {n: r for n, r, _ in b["bench"]}
    want = {}
    if run == "micro":
        want = {"TIMER": reps["timer"], "EXT": reps["vext"] + reps["vext_lat"], "EXT-BAD": 0}
    elif run == "ipi":
        want = {"IPIS": reps["ipi_wfi"] + 1 + reps["ipi_busy"] + reps["ipi_poll"]}
    for k, v in want.items():
        if c.get(k) != v:
            raise SystemExit("bench: %s/%s: %s %r, expected %d (log %s)" % (
                run, backend, k, c.get(k), v, b["log"]))


def stage_apps(results, duvisor, quick):
    """Applications (issue 12, item 3): bench/apps_bench.py's run() with
    the duvisor snapshot every micro boot ran (bench/apps/README.md says
    what runs where). Its whole result goes to build/bench/apps.json and
    results["apps"]; a boot or program that failed is reported, and the
    figures that did come out are kept."""
    import apps_bench
    r = apps_bench.run(quick=quick, duvisor=duvisor)
    with open(os.path.join(OUT, "apps.json"), "w") as f:
        json.dump(r, f, indent=1)
    for line in apps_bench.failures(r):
        progress("apps: FAILED: " + line)
    if r.get("determinism"):
        progress("apps: determinism: " + apps_bench.determinism_line(r["determinism"]))
    print(apps_bench.markdown(r))
    results["apps"] = r


STAGES = {"micro": stage_micro, "apps": stage_apps}


# ---------------------------------------------------------------- output

def fmt(x):
    return "—" if x is None else "%d" % round(x)


def cell(o, backend):
    f = o.get(backend)
    if f is None:
        return "—"
    if f.get("not_measured"):
        return "not measured (%s)" % f["not_measured"]
    s = fmt(f["insns"])
    if f.get("spread"):
        s += " (%d–%d)" % (round(f["spread"][0]), round(f["spread"][1]))
    return s


def main_table(results):
    rows = ["| operation | dvext | kvm | dvext/kvm | paper (KVM → DuVisor cycles) |",
            "|---|---|---|---|---|"]
    for key, _, _, label, paper in OPS:
        o = results["ops"][key]
        ratio = "%.2f" % o["ratio"] if "ratio" in o else "—"
        p = "%d → %d (%.2f)" % (paper[0], paper[1], paper[1] / paper[0]) if paper else "—"
        rows.append("| %s | %s | %s | %s | %s |" % (label, cell(o, "dvext"), cell(o, "kvm"),
                                                  ratio, p))
    return "\n".join(rows)


def top_functions(bd, n=5):
    out = []
    for v, ly, fn in bd["functions"]:
        if len(out) >= n or v < 0.5:
            break
        if ly in ("opensbi", "other") and fn == "?":
            fn = ly
        out.append("%s %d" % (fn, round(v)))
    return ", ".join(out)


def where(bd):
    """dvext's figure in a few words: its largest layers, exits, entries"""
    if bd is None:
        return "see `vext`"
    big = sorted(((v, k) for k, v in bd["layers"].items() if v >= 0.5), reverse=True)[:3]
    return "%s; %.1f guest exits, %.1f kernel entries" % (
        ", ".join("%s %d" % (LAYER_NAMES[k], round(v)) for v, k in big),
        bd["guest_exits"], bd["kernel_entries"])


def targets_table(results):
    rows = ["| operation | dvext/kvm | target | dvext | target | where dvext's instructions go |",
            "|---|---|---|---|---|---|"]
    for key, _, _, _, _ in OPS:
        if key not in TARGETS:
            continue
        o, (rt, at) = results["ops"][key], TARGETS[key]
        d = o["dvext"]
        if d.get("not_measured"):
            rows.append("| `%s` | — | ≤ %.2f | not measured | | %s |" % (key, rt, d["not_measured"]))
            continue
        r = o.get("ratio")
        rows.append("| `%s` | %s | ≤ %.2f %s | %d | %s | %s |" % (
            key, "%.2f" % r if r is not None else "—", rt,
            "met" if r is not None and r <= rt else "**missed**", round(d["insns"]),
            ("≤ %d %s" % (at, "met" if d["insns"] <= at else "**missed**")) if at else "",
            where(d.get("breakdown"))))
    return "\n".join(rows)


def breakdown_tables(results):
    parts = []
    for key, run, kind, label, _ in OPS:
        o = results["ops"][key]
        if any(o[b].get("breakdown") is None for b in BACKENDS):
            continue
        if max(o[b]["breakdown"]["total"] for b in BACKENDS) < 10:
            continue  # the guest's own instructions (timer, s2pf_warm)
        head = "**%s** (`%s`)" % (label, key)
        if kind == "work":
            head += "; spinning taken off: %s" % ", ".join(
                "%s %d" % (b, round(o[b]["spin"])) for b in BACKENDS)
        rows = [head, "",
                "| | total | guest | OpenSBI | host kernel | duvisor | other | kernel entries "
                "| guest exits | top functions |",
                "|---|---|---|---|---|---|---|---|---|---|"]
        for b in BACKENDS:
            bd = o[b]["breakdown"]
            ly = bd["layers"]
            rows.append("| %s | %d | %s | %s | %s | %s | %s | %.2f | %.2f | %s |" % (
                b, round(bd["total"]), *[fmt(ly[k]) for k in breakdown.LAYERS],
                bd["kernel_entries"], bd["guest_exits"], top_functions(bd)))
        parts.append("\n".join(rows))
    return "\n\n".join(parts)


def check_lines(results):
    """Guest clock against the plugin's count, per op"""
    worst = {}
    for key, o in results["ops"].items():
        if o["kind"] not in ("time", "lat"):
            continue
        for b in BACKENDS:
            f = o[b]
            if f.get("plugin_insns") is None or f.get("not_measured"):
                continue
            d = abs(f["time_insns"] - f["plugin_insns"])
            if d > worst.get(b, (-1, ""))[0]:
                worst[b] = (d, key)
    return ", ".join("%s %.1f (%s)" % (b, d, k) for b, (d, k) in sorted(worst.items()))


def spreads_line(results):
    parts = []
    for key, o in results["ops"].items():
        if RUNS[o["run"]]["smp"] == 1 or o["kind"] == "delta":
            continue
        parts.append("`%s` %s" % (key, ", ".join(
            "%s %.1f%%" % (b, (o[b]["spread"][1] - o[b]["spread"][0]) / o[b]["insns"] * 100)
            for b in BACKENDS if o[b].get("spread"))))
    return "; ".join(parts) if results["ipi_boots"] > 1 else "not measured (one seed only)"


def previous_line(results):
    """How this run compares with the previous run of the same build"""
    vp = results.get("vs_previous")
    if not vp or not vp["diff"]:
        return ("No earlier run of this same build (duvisor, QEMU) was there to compare "
                "with.")
    one = {k: v for k, v in vp["diff"].items() if RUNS[OP_INDEX[k.split("/")[0]][1]]["smp"] == 1}
    two = {k: v for k, v in vp["diff"].items() if k not in one}

    def worst(d):
        if not d:
            return "—"
        k = max(d, key=lambda k: abs(d[k]))
        return "%.3f%% (%s)" % (abs(d[k]) * 100, k)
    same, total = vp.get("two_hart_boots_same", [0, 0])
    boots = " (%d of its %d two-hart boots identical, seed for seed)" % (same, total) \
        if total else ""
    if not any(vp["diff"].values()):
        return ("The previous run of this same build (%s) gave the same %d figures%s." % (
            vp["date"], len(vp["diff"]), boots))
    n1 = sum(1 for v in one.values() if v == 0)
    ones = ("all %d one-hart figures identical" % len(one) if n1 == len(one) else
            "%d of %d one-hart figures identical (the largest difference %s)" % (
                n1, len(one), worst(one)))
    return ("Against the previous run of this same build (%s): %s, two-hart figures "
            "within %s%s." % (vp["date"], ones, worst(two), boots))


def report_previous(results):
    vp = results.get("vs_previous")
    if not vp:
        progress("no earlier run of this build to compare with")
        return
    same = [k for k, v in vp["diff"].items() if v == 0]
    progress("vs previous run of this build (%s): %d of %d figures identical, "
             "%d of %d two-hart boots" % (vp["date"], len(same), len(vp["diff"]),
                                          *vp["two_hart_boots_same"]))
    for k, v in sorted(vp["diff"].items(), key=lambda kv: -abs(kv[1])):
        if v:
            progress("  %-20s %+.4f%%" % (k, v * 100))


def kicks_line(results):
    """dvext's kick exits against the interrupts that caused them"""
    if "dvext" not in BACKENDS:
        return ""
    m = results["runs"]["micro"]["dvext"]["boots"][0]
    i = results["runs"]["ipi"]["dvext"]["boots"]
    ipis = sum(2 * b["counters"].get("IPIS", 0) for b in i)
    return ("On `dvext`, duvisor counted %d `kick` exits in the micro run, which "
            "injected %d external interrupts, and %d in the IPI runs, which sent %d IPIs: "
            "the receiving vCPU leaves its guest for every interrupt posted to it, "
            "also when it is running (doorbell) or is the sender itself (`vext`)." % (
                m["stats"].get("kick", 0), m["counters"].get("EXT", 0),
                sum(b["stats"].get("kick", 0) for b in i), ipis))


def exits_line(results):
    parts = []
    for b in BACKENDS:
        st = results["runs"]["micro"][b]["boots"][0]["stats"]
        parts.append("%s: %s" % (b, ", ".join("%s %d" % (k, v) for k, v in st.items()
                                               if v and k != "total")))
    return "; ".join(parts)


def plots(results):
    """bench/plot.py on results.json, with a Python that has matplotlib
    (Debian's python3-matplotlib is /usr/bin/python3's): the PNGs it wrote"""
    for py in (sys.executable, "/usr/bin/python3"):
        if not os.path.exists(py):
            continue
        if subprocess.run([py, "-c", "import matplotlib"], capture_output=True).returncode:
            continue
        out = subprocess.run([py, os.path.join(HERE, "plot.py"), os.path.join(OUT, "results.json"),
                              OUT], capture_output=True, text=True)
        if out.returncode:
            progress("plot.py failed: %s" % out.stderr.strip())
            return []
        return out.stdout.split()
    progress("no matplotlib (make deps installs python3-matplotlib): no plots")
    return []


def images():
    """sha256 of what the guests and the host run besides duvisor: the guest
    images, the plugin, and how bench.py boots them"""
    out = {}
    for name in list(RUNS) + ["insncount.so", "seedrng"]:
        path = os.path.join(OUT, name if name in ("insncount.so", "seedrng") else name + ".img")
        with open(path, "rb") as f:
            out[name] = hashlib.sha256(f.read()).hexdigest()[:16]
    out["boot"] = hashlib.sha256(repr((ICOUNT, HOST_EXTRA, RUNS, PIN_SCRIPT)).encode()
                                 ).hexdigest()[:16]
    return out


def versions():
    env = hostvm.artifacts()
    out = {}
    try:
        out["qemu"] = subprocess.run([env["QEMU"], "--version"], capture_output=True,
                                     text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        out["qemu"] = env["QEMU"]
    out["kernel"] = env["KERNEL"]
    out["opensbi"] = env["OPENSBI"]
    try:
        out["tree"] = subprocess.run(["git", "-C", TOP, "describe", "--always", "--dirty"],
                                     capture_output=True, text=True).stdout.strip()
    except OSError:
        out["tree"] = "?"
    return out


def write_doc(results):
    for name in ("micro", "breakdown", "apps"):
        src = os.path.join(OUT, name + ".png")
        if os.path.exists(src):
            shutil.copy(src, os.path.join(DOCS, "benchmarks-%s.png" % name))
    v = results["versions"]
    ipi = results["ops"]["ipi_busy"]
    busy_time = ", ".join("%s %d" % (b, round(ipi[b]["time_insns"])) for b in BACKENDS)
    poll_time = ", ".join("%s %d" % (b, round(results["ops"]["ipi_poll"][b]["time_insns"]))
                          for b in BACKENDS)
    spins = ", ".join("%s %d" % (b, round(ipi[b]["spin"])) for b in BACKENDS)
    wfi = results["ops"]["ipi_wfi"]
    wfi_check = ", ".join("%s %d vs %d" % (b, round(wfi[b]["time_insns"]),
                                            round(wfi[b]["plugin_insns"])) for b in BACKENDS)
    doc = DOC % {
        "date": results["date"], "machine": results["machine"], "qemu": v["qemu"],
        "kernel": results["runs"]["micro"]["dvext"]["boots"][0].get("host") or v["kernel"],
        "tree": v["tree"], "duvisor": results["duvisor"]["sha256"][:16],
        "stages": ", ".join(results["stages"]),
        "quick": " (`make bench-quick`: one boot per two-hart run)" if results["quick"] else "",
        "boots": ("%d boots" % results["ipi_boots"] if results["ipi_boots"] > 1
                  else "one boot (`make bench-quick`)"),
        "ranges": (("The two-hart (IPI) figures are those of the median of %d boots with "
                    "QEMU seeds 1 to %d, the lowest and highest in brackets (see \"Two harts\" "
                    "below); the others come from one boot (seed 1). Every boot repeats "
                    "exactly (see \"Repeatability\")."
                    % (results["ipi_boots"], results["ipi_boots"]))
                   if results["ipi_boots"] > 1 else
                   ("All figures come from one boot with QEMU seed 1 (`make bench-quick`; "
                    "`make bench` takes the two-hart ones as the median of five seeds, see "
                    "\"Two harts\" below). Every boot repeats exactly (see "
                    "\"Repeatability\").")) + " " +
                  previous_line(results) +
                  " The timer row and `s2pf_warm` are the guest's own instructions.", "table": main_table(results),
        "breakdowns": breakdown_tables(results), "targets": targets_table(results), "check": check_lines(results),
        "exits": exits_line(results), "kicks": kicks_line(results),
        "spreads": spreads_line(results), "boots_n": results["ipi_boots"], "busy_time": busy_time, "poll_time": poll_time,
        "spins": spins, "wfi_check": wfi_check,
        "prefault": results["ops"]["s2pf"]["dvext"].get("prefault"),
        "apps": apps_doc(results.get("apps"))}
    with open(os.path.join(DOCS, "benchmarks.md"), "w") as f:
        f.write(doc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="micro stage, one boot per run")
    ap.add_argument("--stages", help="comma-separated (default: micro,apps; --quick: micro)")
    ap.add_argument("--no-doc", action="store_true", help="leave docs/ alone")
    ap.add_argument("--render", action="store_true",
                    help="only redo the plots and doc from build/bench/results.json")
    a = ap.parse_args()
    if a.render:
        with open(os.path.join(OUT, "results.json")) as f:
            results = json.load(f)
        progress("plots: %s" % " ".join(plots(results)))
        print(main_table(results))
        if not a.no_doc:
            write_doc(results)
        return
    stages = (a.stages or ("micro" if a.quick else "micro,apps")).split(",")
    for s in stages:
        if s not in STAGES:
            raise SystemExit("bench: no stage %r (%s)" % (s, ", ".join(STAGES)))
    os.makedirs(OUT, exist_ok=True)
    subprocess.run(["make", "--no-print-directory", "-s", "-C", HERE, "O=" + OUT,
                    "QEMU_PLUGIN_INC=" + plugin_include()], check=True)
    duvisor, sha = snapshot_duvisor()
    t0 = time.monotonic()
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "machine": "%s, %d cores" % (platform.machine(), os.cpu_count()),
               "qemu": hostvm.artifacts()["QEMU"], "versions": versions(),
               "duvisor": {"sha256": sha, "from": hostvm.artifacts()["INITRAMFS"]},
               "icount": " ".join(ICOUNT), "quick": a.quick, "stages": stages,
               "ipi_boots": 1 if a.quick else IPI_BOOTS, "backends": {},
               "images": images()}
    for s in stages:
        progress("stage %s ..." % s)
        STAGES[s](results, duvisor, a.quick)
    results["seconds"] = round(time.monotonic() - t0)
    prev = None
    try:
        with open(os.path.join(OUT, "results.json")) as f:
            prev = json.load(f)
    except (OSError, ValueError):
        pass
    if "micro" in stages:
        results["vs_previous"] = compare_previous(results, prev)
        report_previous(results)
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(rounded(results), f, indent=1)
    if "micro" in stages:
        progress("plots: %s" % " ".join(plots(results)))
    if "micro" in stages:
        print(main_table(results))
    if "micro" in stages and not a.no_doc and set(BACKENDS) == {"dvext", "kvm"}:
        write_doc(results)
        progress("wrote docs/benchmarks.md")
    progress("done in %d s" % results["seconds"])


DOC_APPS = """## Applications

Not run this time (`make bench-quick`, or `--stages` without `apps`):
`make bench` runs them (`bench/apps_bench.py`, bench/apps/README.md).
"""

# Which applications are I/O-bound (issue 12's target: at least 1.2x kvm)
IO_APPS = ("iperf_g2h", "iperf_h2g", "qperf_lat", "qperf_bw", "memcached", "fio_randread",
           "fio_randwrite", "fio_seqread", "fio_seqwrite")


APPS_WHY = """Why the application targets are missed where they are:

- **Network** (iperf, qperf, memcached): the figure is the guest's, the
  host's network stack's and the peer program's instructions together (the
  peers run on the emulated host; two harts run in turn), and exits are a
  small part of it: both backends take about the same per packet
  (virtio-net's notify and interrupt), so kvm/dvext is near 1. Over
  native, the guest adds its own TCP/IP stack and the tap hop to the
  host's.
- **Disk, 1 vCPU**: a 4 KiB read natively is a page-cache copy; in a guest
  it is the guest's block layer, the notify exit, duvisor's `preadv` of the
  image (a host system call), the completion interrupt and the PLIC's
  claim and complete (two more exits). With `io=vcpu` (duvisor serves the
  disk in the notify's exit and the interrupt is pending as the guest
  resumes) dvext needs no host-kernel entry but the `preadv`; KVM takes
  every exit through `KVM_RUN`. Hence about 2x kvm, and still several
  times native.
- **Disk, 2 vCPUs**: the guest routes the disk's interrupt to one vCPU,
  often not the one whose task issued the read, so each completion wakes
  the other vCPU and then the task's (an IPI): the cross-vCPU wake-ups
  (host futex, host IPI, scheduler) cost about as much on both backends,
  and dvext loses its lead (not analysed further yet).
- **CPU-bound** (7zr) and **scheduler** (hackbench): no exits to speak
  of, within a few percent of native on both."""


def apps_doc(r):
    """The Applications section of docs/benchmarks.md from the apps stage's
    result (None: the stage did not run)"""
    if not r:
        return DOC_APPS
    import apps_bench
    t = r["table"]
    over = [(k, c, e["overhead_pct"][c]) for k, e in t.items() for c in e["overhead_pct"]]
    within = [x for x in over if x[2] <= 5]
    io = [(k, n, t[k]["kvm_over_dvext"][n]) for k in IO_APPS if k in t
          for n in ("1", "2") if n in t[k]["kvm_over_dvext"]]
    io_met = [x for x in io if x[2] >= 1.2]
    worst = sorted(over, key=lambda x: -x[2])[:3]
    lines = [
        "## Applications",
        "",
        "The programs of bench/apps/ (cross-built from Debian's sources by "
        "`make bench-apps`), each a fixed amount of work, natively on the "
        "emulated 2-hart host and in a Linux guest (%s) under `duvisor` on both "
        "backends with 1 and 2 vCPUs: one boot per column, %s, the same QEMU, "
        "kernel and duvisor as above. Figures are emulated time (instructions, "
        "see above) as each program reports it. How each runs, and what a 2-hart "
        "figure means under icount: bench/apps/README.md (\"The applications "
        "stage of make bench\"). %s%d s." % (
            r["guest_memory"], r["icount"],
            "Quick run (less work, one run each). " if r["quick"] else
            "Network and disk figures are the median of 3 runs. ", r["seconds"]),
        "",
        "![cost relative to native, per application](benchmarks-apps.png)",
        "",
        apps_bench.markdown(r),
        "",
        "In brackets: the guest's cost over native with as many harts as vCPUs. "
        "kvm/dvext: kvm's cost over dvext's (above 1: dvext is faster).",
        "",
        "Targets (issue 12): at most 5%% over native: %d of %d guest figures "
        "(the worst: %s). I/O-bound applications at least 1.2x kvm: %d of %d "
        "(%s)." % (
            len(within), len(over),
            ", ".join("%s %s %+.0f%%" % x for x in worst),
            len(io_met), len(io),
            ", ".join("%s %s vCPU %.2f" % x for x in io)),
    ]
    lines += ["", APPS_WHY]
    if r.get("determinism"):
        lines += ["", "Determinism: " + apps_bench.determinism_line(r["determinism"]) + "."]
    ex = []
    for b, v in r["boots"].items():
        e = v.get("exits")
        if e:
            ex.append("%s %s (%s)" % (b, e.get("total"), ", ".join(
                "%s %d" % (k, n) for k, n in e.items() if k != "total" and n)))
    if ex:
        lines += ["", "duvisor's exits per boot (`--stats`, the whole boot): " +
                  "; ".join(ex) + "."]
    fails = apps_bench.failures(r)
    if fails:
        lines += ["", "**Failed:** " + "; ".join(fails) + "."]
    return "\n".join(lines) + "\n"


DOC = """# Benchmarks

Generated by `make bench` (`bench/bench.py`) on %(date)s,
%(machine)s%(quick)s; do not edit, run it again. Stages: %(stages)s.
%(qemu)s, host kernel %(kernel)s, tree %(tree)s, duvisor
sha256 %(duvisor)s… (the copy from the host initramfs that every boot
ran). Raw figures: `build/bench/results.json`.

Unit: instructions per operation under QEMU `-icount shift=0,sleep=off`
(and `-seed`, see "Repeatability" below): 1 ns of the emulated machine's
time is one instruction, whichever hart, layer or privilege level
executes it; a trap the hardware takes costs none. Each figure is the
same guest on `dvext` and on `kvm`, the same duvisor binary and QEMU
build, in one run; the ratio is dvext/kvm, next to the paper's cycles
(FireSim). The guests (`bench/micro.S`, `bench/s2pf.S`,
`bench/ipi.S`) are bare metal with the Linux Image header; each times N
repetitions of an operation with its own `time` CSR (10 MHz: 100
instructions a tick) and the empty loop is subtracted. A QEMU plugin
(`bench/prof/insncount.c`) counts every instruction by pc in the same
windows for the breakdowns below; its counts and the guests' clocks
agree to within %(check)s instructions per operation (the worst op per
backend: the plugin also counts a guest instruction that traps, which
icount does not retire, once per MMIO access).

![instructions per operation, both backends](benchmarks-micro.png)

%(table)s

%(ranges)s

Issue 12's targets, dvext/kvm and duvisor's own path (instructions):

%(targets)s

Why the missed targets are missed (the breakdowns below give the counts):

- **SBI call and MMIO (duvisor's own path).** An exit to duvisor saves
  the guest's 31 registers and reads its trap CSRs in the exit stub
  (`hu_exit`, 53 instructions), and restores them and runs HURET on the
  way back (`hu_resume`, 33): 86 before any decision is taken, close to
  the floor of about 100 issue 12 names. Decoding the exit (cause,
  `htinst`, the guest address: `dvext_exit_inline`) is about 60; for an
  SBI call, finding the extension and function, the call and writing
  `a0`/`a1` back about 130, the BASE probe itself about 25. An MMIO load
  adds the instruction's decode, the bus lookup (`dv_handle_mmio`, 70),
  the UART's lock and register model (about 100) and the completion
  (about 30). 170 for an SBI call would leave nothing but the stub and a
  table jump; 200 for an emulated register would need the device model
  inside the exit stub. What is left is C code layered for every exit
  kind, not a kernel entry: dvext takes no kernel entry on these paths,
  KVM takes one per MMIO access (`KVM_RUN` returns to user space).
- **Virtual IPI.** The paper's 147 cycles is a guest that rings the
  target's doorbell itself from VS mode, the receiver spinning: the
  original DV-Ext left `vcpuid`/`vipi` open to every mode, so any guest
  could also ring any other VM's vCPUs. Here ringing is HU-only, within
  the window the kernel set (docs/dv-ext.md §7), so a guest's IPI is an SBI
  call (an exit to duvisor) and the target takes it through an exit of
  its own (the doorbell), twice per round trip: `ipi_poll` is those four
  exits and nothing else, 0.2 of KVM's. 0.05 would need IPIs that reach a
  running guest with no exit on either side: a guest-usable send that the
  hart checks against the VM's window, and a doorbell that sets the
  target's VSSIP itself. Neither is in DV-Ext yet. When the receiver
  waits in WFI its thread sleeps in the host kernel on both backends,
  and waking it (a host IPI, the scheduler, a context switch) is most of
  either figure (`ipi_wfi`).
- **Virtual external interrupt.** The paper's 184 cycles is a posted
  interrupt of its vPLIC: the device's line reaches the guest's hart in
  hardware and the guest claims and completes at a PLIC page mapped into
  it, with no exit. Here the PLIC is duvisor's model, so raising the line
  is the device's MMIO exit plus a doorbell exit to set VSEIP, and each
  claim and complete is an MMIO exit (`vext`: 5 exits, no kernel entry;
  KVM the same 4 accesses through `KVM_RUN` plus `KVM_INTERRUPT`).
  Hardware interrupt posting is not part of our DV-Ext.

## What each benchmark measures

- **SBI call**: `probe_extension(BASE)` from the guest. KVM answers it in
  the host kernel (guest exit to HS mode and back); on `dvext` the exit
  goes straight to duvisor in user mode (no kernel entry) and duvisor
  answers.
- **MMIO load / store**: a byte access to the UART's LSR / scratch
  register: a guest page fault on both backends, the instruction read back
  from guest memory and decoded, the UART model in duvisor. On `kvm` the
  exit goes through KVM and `KVM_RUN` returns to duvisor (an ioctl per
  access); on `dvext` it is taken in duvisor directly.
- **Stage-2 page fault**: the first store to each of 2048 4 KiB pages of
  guest RAM nothing touched before (8 MiB at 0x81000000 of the guest's 64
  MiB); `s2pf_warm` repeats the stores on the now-mapped pages. `kvm`: guest
  RAM is a memory slot of anonymous memory that KVM maps into stage 2 on
  demand, so each first touch is a stage-2 fault handled in KVM's kernel,
  which also has the host allocate and zero the page (`memset` in the
  breakdown). `dvext`: by default duvisor maps all guest RAM (from
  `/dev/duvisor`'s CMA area) into its stage-2 tables before the guest
  starts, so nothing faults; the benchmark runs it with `--memory-prefault
  off` when the binary has the option (this run: %(prefault)s), and then
  the first touch exits to duvisor in user mode, which writes the stage-2
  entry itself: no kernel entry, and no page to allocate or zero (the RAM
  came from `/dev/duvisor` at start).
- **Virtual IPI**: a two-vCPU guest (`--cpus 2`) on a two-hart host; vCPU 1
  started with SBI HSM `hart_start`. vCPU 0 sends an IPI with SBI
  `send_ipi` and waits; vCPU 1 takes the supervisor software interrupt
  (`sie.SSIE`, its handler clears `sip.SSIP`) and answers from its handler
  with an IPI back: one repetition is a round trip, two IPIs. `ipi_wfi`:
  both wait in WFI; `ipi_busy`: vCPU 1 spins with interrupts enabled
  instead; `ipi_poll`: vCPU 0 polls for the answer too. On `kvm` KVM
  handles `send_ipi` in its kernel and kicks the target's thread; on
  `dvext` duvisor handles it, wakes the target's thread if it sleeps in WFI
  and rings the target's DV-Ext doorbell.
- **Virtual external interrupt**: the guest enables the UART's THR-empty
  interrupt (`IER.ETBEI` with THR empty: a 16550 raises it at once) on
  PLIC source 10, enabled for context 0 (vCPU 0's S level) with priority 1,
  threshold 0 and `sie.SEIE`. `vext_lat`: from before that store to the
  first instruction of the guest's handler (the store's own MMIO exit
  included: the guest can only make a device raise its line through one);
  `vext_delivery` takes off the same store when it raises nothing
  (`ier_nop`); `vext`: the whole interrupt, the handler claiming it at the
  PLIC, clearing `IER` (the UART lowers its line) and completing it: four
  MMIO accesses and one injected interrupt. On `kvm` duvisor's PLIC model
  raises and lowers the vCPU's interrupt with `KVM_INTERRUPT`.
- **Timer interrupt**: Sstc `stimecmp` set in the past and taken by the
  guest, whose handler sets it to ~0: neither backend's host software runs
  (the row is the guest's own 4 instructions).

## Two harts under -icount

With two harts QEMU runs them in turn on one thread (round robin), each
for a slice of at most 10^4 instructions (a share of those left to the
next timer: patches 0013, 0014): only one hart runs at a time, and a
halted hart (WFI) executes nothing, so the emulated time a round trip
takes is the sum of the instructions both harts executed. The plugin confirms it: `ipi_wfi` per
round trip, guest clock vs instructions counted, %(wfi_check)s.

- **Receiver busy**: a hart that spins keeps running to the end of its
  slice, however early the other hart could go on: a round trip then takes
  whatever is left of the slice, not what the IPI costs. Guest-timed,
  `ipi_busy` took %(busy_time)s per round trip, of which vCPU 1's spin loop
  alone was %(spins)s; `ipi_poll` (both spinning) %(poll_time)s. These
  times measure QEMU's scheduling, not the hypervisors: the table gives
  instead the instructions executed besides the spin loops (counted by the
  plugin, the spin loops' own instructions taken off). They still include
  the host's timer ticks that fall into the spinning (a few hundred
  instructions per round trip) and, in `ipi_busy`, the sender's sleep and
  wake-up in WFI.
- **Pinned vCPU threads**: the host pins vCPU i's thread to hart i before
  the guest starts timing (the guest waits for it on its UART). Left to
  itself Linux put both of KVM's vCPU threads on one hart in two boots of
  five when tried (random seeds): a round trip was then a switch between
  two threads of one hart, with no idle hart to wake and no host IPI,
  about 11,400 instructions instead of about 17,900.
- **KVM's halt polling** (`halt_poll_ns`, 500 µs on riscv) is switched off
  for the IPI run: a vCPU that waits polls for up to that long before its
  thread sleeps, which on real hardware overlaps the other hart's work but
  here keeps the other hart from running at all (it made an `ipi_wfi`
  round trip about 16 times longer when tried).
- **Seeds**: another seed is another sample (see "Repeatability"): range
  over seeds 1 to %(boots_n)s, relative to the median: %(spreads)s. The
  spinning variants vary most: the length of a spin, and the timer ticks
  that fall into it, depend on where the slices fall, and now and then a
  hart spins on a kernel spinlock whose holder is the other hart, which
  cannot run before the slice ends. With slices of 10^6 instructions (QEMU
  patch 0014 before this was measured) such a spin cost up to half a
  million instructions, and a round trip whose phase put the other hart's
  futex lock in the way every time measured 185,000 to 296,000 instead of
  17,000 (dvext, `ipi_wfi`). Slices of 10^4 instructions bound such a
  spin to about ten thousand, closer to harts that really run at once.

## Repeatability and a quiet host

- QEMU's `-seed` fixes what QEMU hands the machine at random (the device
  tree's `rng-seed`, which seeds the host kernel's random numbers). With
  it, and with nothing reaching the machine from outside in real time,
  every boot repeats exactly, two-hart ones included. One-hart boots repeat
  without it too; two-hart boots did not: a round trip moved by 1-2%% from
  boot to boot (`ipi_busy` on `kvm` by up to 20%%), the host kernel's
  random choices steering its scheduling.
- The host's random number generator is made ready at once by
  `bench/seedrng.c` (256 fixed bits credited with `RNDADDENTROPY`). Left
  alone it takes about 10^9 instructions to seed itself, while duvisor
  starts a thread that waits for it in `getrandom()`, and the kernel's
  jitter-entropy loop then runs inside the timed loops. A virtio-rng on the
  host would seed it too, but QEMU serves its requests from its main loop,
  in real time: with one, one two-hart boot in three or so no longer
  repeated.
- Each guest sleeps 50 ms in WFI before its first timed loop, so that
  duvisor's other threads finish their set-up (their seccomp filters, for
  one) before it rather than in it.

## Where the instructions go

Per operation and backend, instructions per operation by layer: the guest,
OpenSBI (M mode), the host kernel, duvisor (user space, including its libc)
and anything else (the vDSO); host-kernel entries (executions of the
kernel's trap vector `handle_exception`: system calls, interrupts, faults)
and guest exits (KVM's `__kvm_switch_return`, duvisor's `hu_exit`) per
operation; the largest functions. The empty loop's share is taken off, so
a row adds up to the table's figure (the latency rows have no window of
their own: see `vext`).

![instructions by layer](benchmarks-breakdown.png)

%(breakdowns)s

Exits duvisor counted over the whole one-hart `micro` run (boot, console
output and shutdown included): %(exits)s. %(kicks)s

%(apps)s"""

if __name__ == "__main__":
    main()
