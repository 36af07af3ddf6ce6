#!/usr/bin/env python3
"""Where the instructions of each micro-benchmark go.

Reads the per-pc counts bench/prof/insncount.c wrote for the windows a
benchmark guest (bench/*.S) opened around each timed loop, and attributes
every pc to a layer (the guest, OpenSBI, the host kernel, duvisor in user
space, anything else) and to a function, from the symbols of the builds that
ran: the guest's ELF, OpenSBI's, the kernel's System.map and the duvisor
binary the host initramfs holds (the one that ran, not a newer build). It
also counts, per repetition, the entries into the host kernel (its trap
vector) and the guest exits (KVM's return from its guest; duvisor's exit
vector on dvext), and reads the plugin's exact totals.

    breakdown.py COUNTS REPS [--guest ELF] [--names a,b,...] [--top N]

prints a report; COUNTS is the plugin's output, REPS the repetitions of
each window (default guest build/bench/micro.elf with micro.S's windows).
bench.py uses analyse() for results.json and docs/benchmarks.md.
"""
import argparse
import bisect
import os
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
import hostvm  # noqa: E402

MICRO_WINDOWS = ["loop", "sbi", "mmio_ld", "mmio_st", "timer", "ier_nop", "vext", "vext_lat"]
LAYERS = ["guest", "opensbi", "kernel", "duvisor", "other"]
# First instructions whose executions count events: host-kernel entries (its
# trap vector: syscalls, interrupts, faults from user or kernel mode) and
# guest exits (KVM's return from its guest; DV-Ext's exit vector in duvisor)
ENTRY_POINTS = {"kernel_entries": [("kernel", "handle_exception")],
                "guest_exits": [("kernel", "__kvm_switch_return"), ("duvisor", "hu_exit")]}


class Symbols:
    def __init__(self, pairs):
        pairs = sorted(pairs)
        self.addr = [a for a, _ in pairs]
        self.name = [n for _, n in pairs]
        self.by_name = {n: a for a, n in pairs}

    def lookup(self, pc):
        i = bisect.bisect_right(self.addr, pc) - 1
        return self.name[i] if i >= 0 else "?"


def nm(path):
    out = subprocess.run(["riscv64-linux-gnu-nm", "-n", path], capture_output=True,
                         text=True, check=True).stdout
    return [(int(f[0], 16), f[2]) for f in (l.split() for l in out.splitlines())
            if len(f) == 3 and f[1] in "tTwW"]


def system_map(path):
    with open(path) as f:
        return [(int(f[0], 16), f[2]) for f in (l.split() for l in f)
                if len(f) == 3 and f[1] in "tTwW"]


def cpio_file(archive, name):
    """The last copy of name (no leading /) in a gzipped, possibly
    concatenated newc cpio archive, or None"""
    with open(archive, "rb") as f:
        raw = f.read()
    data = b""
    while raw:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data += d.decompress(raw)
        raw = d.unused_data
        while raw[:1] == b"\0":  # padding between members
            raw = raw[1:]
    found, off = None, 0
    while off + 110 <= len(data) and data[off:off + 6] in (b"070701", b"070702"):
        size = int(data[off + 54:off + 62], 16)
        nsize = int(data[off + 94:off + 102], 16)
        fname = data[off + 110:off + 110 + nsize - 1].decode("utf-8", "replace")
        off = (off + 110 + nsize + 3) & ~3
        if fname.lstrip("./") == name:
            found = data[off:off + size]
        off = (off + size + 3) & ~3
    return found


def duvisor_binary(out_dir):
    """The duvisor the host runs: /usr/bin/duvisor of its initramfs,
    extracted into out_dir (the build's own binary may be newer)"""
    env = hostvm.artifacts()
    path = os.path.join(out_dir, "duvisor.ran")
    stamp = path + ".from"
    key = "%s %d" % (env["INITRAMFS"], os.stat(env["INITRAMFS"]).st_mtime_ns)
    if os.path.exists(path) and os.path.exists(stamp) and open(stamp).read() == key:
        return path
    data = cpio_file(env["INITRAMFS"], "usr/bin/duvisor")
    if data is None:
        return env["DUVISOR"]
    with open(path, "wb") as f:
        f.write(data)
    with open(stamp, "w") as f:
        f.write(key)
    return path


def symbol_tables(guest_elf, out_dir=None, duvisor=None):
    """Symbols by layer; duvisor: the binary that ran (default: the
    initramfs's, extracted into out_dir or beside guest_elf)"""
    env = hostvm.artifacts()
    opensbi = os.path.splitext(env["OPENSBI"])[0] + ".elf"
    duvisor = duvisor or duvisor_binary(out_dir or os.path.dirname(os.path.abspath(guest_elf)))
    return {"guest": Symbols(nm(guest_elf)),
            "opensbi": Symbols(nm(opensbi)) if os.path.exists(opensbi) else Symbols([]),
            "kernel": Symbols(system_map(os.path.join(env["KBUILD"], "System.map"))),
            "duvisor": Symbols(nm(duvisor))}


def layer(pc):
    if pc >= 0xffffffff00000000:
        return "kernel"
    if 0x80000000 <= pc < 0x80200000:
        return "opensbi"
    if 0x80200000 <= pc < 0x80400000:
        return "guest"
    if pc < 0x80000000:
        return "duvisor"
    return "other"


def parse(path):
    """[{"pcs": {pc: count}, "total": n, "sub": (sum, n)}], by window"""
    windows, cur = [], None
    with open(path) as f:
        for line in f:
            a, *b = line.split()
            if a == "W":
                cur = {"pcs": {}, "total": None, "sub": (0, 0)}
                windows.append(cur)
            elif a == "T":
                cur["total"] = int(b[0])
            elif a == "S":
                cur["sub"] = (int(b[0]), int(b[1]))
            else:
                pc = int(a, 16)
                cur["pcs"][pc] = cur["pcs"].get(pc, 0) + int(b[0])
    return windows


def analyse(window, reps, syms):
    """Per repetition: total, layers, functions [(n, layer, function)],
    kernel entries and guest exits, and the sub-window mean"""
    layers, fns = {}, {}
    for pc, n in window["pcs"].items():
        ly = layer(pc)
        fn = syms[ly].lookup(pc) if ly in syms else "?"
        layers[ly] = layers.get(ly, 0) + n
        fns[(ly, fn)] = fns.get((ly, fn), 0) + n
    total = window["total"] if window["total"] is not None else sum(layers.values())
    events = {}
    for key, points in ENTRY_POINTS.items():
        n = 0
        for ly, sym in points:
            a = syms[ly].by_name.get(sym)
            if a is not None:
                n += window["pcs"].get(a, 0)
        events[key] = n / reps
    sub_sum, sub_n = window["sub"]
    return {"total": total / reps,
            "layers": {ly: layers.get(ly, 0) / reps for ly in LAYERS},
            "functions": sorted(((n / reps, ly, fn) for (ly, fn), n in fns.items()),
                                reverse=True),
            "sub": sub_sum / sub_n if sub_n else None, "sub_count": sub_n,
            **events}


def minus(a, floor):
    """a with floor's (the empty loop's) per-repetition cost taken off"""
    out = dict(a)
    out["total"] = a["total"] - floor["total"]
    out["layers"] = {ly: a["layers"][ly] - floor["layers"][ly] for ly in LAYERS}
    base = {(ly, fn): n for n, ly, fn in floor["functions"]}
    out["functions"] = sorted(((n - base.get((ly, fn), 0), ly, fn)
                               for n, ly, fn in a["functions"]), reverse=True)
    for k in ENTRY_POINTS:
        out[k] = a[k] - floor[k]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("counts")
    ap.add_argument("reps", type=int)
    ap.add_argument("--guest", default=os.path.join(TOP, "build", "bench", "micro.elf"))
    ap.add_argument("--names", default=",".join(MICRO_WINDOWS))
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--duvisor", help="the duvisor binary that ran (default: bench.py's "
                    "copy build/bench/duvisor if there, else the initramfs's)")
    a = ap.parse_args()
    dv = a.duvisor
    if dv is None and os.path.exists(os.path.join(TOP, "build", "bench", "duvisor")):
        dv = os.path.join(TOP, "build", "bench", "duvisor")
    syms = symbol_tables(a.guest, duvisor=dv)
    names = a.names.split(",")
    for i, w in enumerate(parse(a.counts)):
        name = names[i] if i < len(names) else "w%d" % i
        r = analyse(w, a.reps, syms)
        print("== %s: %.1f instructions per repetition, %.2f host-kernel entries, "
              "%.2f guest exits" % (name, r["total"], r["kernel_entries"], r["guest_exits"]))
        if r["sub"] is not None:
            print("  sub-window: %.1f instructions (%d)" % (r["sub"], r["sub_count"]))
        for ly in LAYERS:
            if r["layers"][ly] < 0.05:
                continue
            print("  %-8s %8.1f" % (ly, r["layers"][ly]))
            for n, fly, fn in [f for f in r["functions"] if f[1] == ly][:a.top]:
                if n >= 0.5:
                    print("      %8.1f  %s" % (n, fn))


if __name__ == "__main__":
    main()
