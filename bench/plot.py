#!/usr/bin/env python3
"""The plots of make bench, from its results.json (bench.py runs this):

    plot.py RESULTS.json OUTDIR

writes OUTDIR/micro.png (instructions per operation, both backends, log
scale), OUTDIR/breakdown.png (the same by layer: guest, OpenSBI, host
kernel, duvisor, other) and, when the applications stage ran,
OUTDIR/apps.png (each application's cost relative to native, per
backend and vCPU count) and prints their paths. Needs matplotlib (Debian's
python3-matplotlib); the Agg backend, no display.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LAYERS = ["guest", "opensbi", "kernel", "duvisor", "other"]
LAYER_NAMES = {"guest": "guest", "opensbi": "OpenSBI", "kernel": "host kernel",
               "duvisor": "duvisor", "other": "other"}
LAYER_COLORS = {"guest": "#2ca02c", "opensbi": "#9467bd", "kernel": "#d62728",
                "duvisor": "#1f77b4", "other": "#7f7f7f"}
COLORS = {"dvext": "#1f77b4", "kvm": "#d62728"}
META = {"Software": None}  # the same bytes for the same figures


def value(op, b):
    f = op.get(b)
    if not f or f.get("not_measured") or f.get("insns") is None:
        return None
    return f["insns"]


def micro(results, backends, path):
    ops = [k for k, o in results["ops"].items() if o["kind"] != "delta"]
    fig, ax = plt.subplots(figsize=(11, 5))
    w = 0.8 / len(backends)
    top = 1
    for i, b in enumerate(backends):
        xs = [j + (i - (len(backends) - 1) / 2) * w for j in range(len(ops))]
        vals = [value(results["ops"][k], b) for k in ops]
        ax.bar(xs, [max(v, 1) if v is not None else 0 for v in vals], w, label=b,
               color=COLORS.get(b))
        for x, v in zip(xs, vals):
            label = "n/m" if v is None else "%d" % round(v)
            ax.text(x, max(v or 1, 1) * 1.1, label, ha="center", va="bottom", fontsize=7,
                    rotation=90)
            top = max(top, v or 1)
    ax.set_yscale("log")
    ax.set_ylim(1, top * 20)
    ax.set_xticks(range(len(ops)))
    ax.set_xticklabels(ops, rotation=30, ha="right")
    ax.set_ylabel("instructions per operation (-icount shift=0, log scale)")
    ax.set_title("duvisor micro-benchmarks, dvext and kvm (ipi_busy, ipi_poll: "
                 "spinning taken off; n/m: not measured)", fontsize=10)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata=META)
    plt.close(fig)


def layers(results, backends, path):
    ops = [k for k, o in results["ops"].items()
           if all(o.get(b, {}).get("breakdown") for b in backends)
           and max(o[b]["insns"] for b in backends) >= 10]
    fig, axes = plt.subplots(1, len(ops), figsize=(1.5 * len(ops) + 1.6, 4.2))
    for ax, k in zip(axes, ops):
        bottom = [0.0] * len(backends)
        for ly in LAYERS:
            vals = [max(results["ops"][k][b]["breakdown"]["layers"][ly], 0) for b in backends]
            ax.bar(range(len(backends)), vals, 0.6, bottom=bottom, color=LAYER_COLORS[ly],
                   label=LAYER_NAMES[ly])
            bottom = [x + y for x, y in zip(bottom, vals)]
        ax.set_xticks(range(len(backends)))
        ax.set_xticklabels(backends, fontsize=8)
        ax.set_title(k, fontsize=9)
        ax.tick_params(axis="y", labelsize=7)
    axes[0].set_ylabel("instructions per operation")
    axes[-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.suptitle("where the instructions go, by layer (linear scale per operation)",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata=META)
    plt.close(fig)


APP_COLUMNS = [("dvext1", "dvext, 1 vCPU", "#1f77b4"), ("kvm1", "kvm, 1 vCPU", "#d62728"),
               ("dvext2", "dvext, 2 vCPUs", "#aec7e8"), ("kvm2", "kvm, 2 vCPUs", "#ff9896")]


def apps(results, path):
    """Cost relative to native with as many harts as vCPUs (1 = native),
    log scale: the overhead_pct of the apps stage's table, plus one"""
    table = results["apps"]["table"]
    keys = [k for k, e in table.items() if e["overhead_pct"]]
    fig, ax = plt.subplots(figsize=(11, 5))
    w = 0.8 / len(APP_COLUMNS)
    for i, (c, label, color) in enumerate(APP_COLUMNS):
        xs = [j + (i - (len(APP_COLUMNS) - 1) / 2) * w for j in range(len(keys))]
        vals = [1 + table[k]["overhead_pct"].get(c, float("nan")) / 100 for k in keys]
        ax.bar(xs, vals, w, label=label, color=color)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.axhline(1.05, color="black", linewidth=0.6, linestyle=":")
    ax.set_yscale("log")
    ax.set_xticks(range(len(keys)))
    ax.set_xticklabels(keys, rotation=30, ha="right")
    ax.set_ylabel("cost relative to native (1 = native; log scale)")
    ax.set_title("applications in a guest, relative to the same program on the host "
                 "(dotted: 5% over native)", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata=META)
    plt.close(fig)


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    with open(sys.argv[1]) as f:
        results = json.load(f)
    backends = [b for b in ("dvext", "kvm") if b in results["backends"]]
    out = [os.path.join(sys.argv[2], "micro.png"), os.path.join(sys.argv[2], "breakdown.png")]
    micro(results, backends, out[0])
    layers(results, backends, out[1])
    if results.get("apps") and results["apps"].get("table"):
        out.append(os.path.join(sys.argv[2], "apps.png"))
        apps(results, out[-1])
    print(" ".join(out))


if __name__ == "__main__":
    main()
