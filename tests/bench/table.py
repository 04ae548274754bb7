#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The benchmark's table: figures of both backends from one boot.

    table.py CONSOLE_LOG... [--md FILE] [--plot DIR] [--date DATE]

Reads the "bench| BACKEND ROUND KEY VALUE" lines tests/guest/t/bench-backends.sh
and bench-nested.sh printed (and its "bench| info ..." line); prints, for each figure, both
backends' min / median / max over the rounds and the ratio ours / in-tree
(taken round by round, then min / median / max), then the targets of issue 14
and whether each is met.  --md writes the same as Markdown, --plot draws
figure 6 and table bytes against window size with gnuplot (PNG).
Exits 1 if a log holds no complete round.
"""
import argparse
import collections
import os
import statistics
import subprocess
import sys
import tempfile

OURS, INTREE = "spapr-tce-v2", "in-tree"

# key: (label, unit, True if higher is better, None for a plain count)
FIGURES = [
    ("map_one_eps", "1. MAP_DMA of 256 MiB, one ioctl", "entries/s", True),
    ("map_page_eps", "1. MAP_DMA of 256 MiB, one ioctl per 64 KiB", "entries/s", True),
    ("unmap_one_eps", "2. UNMAP_DMA of 256 MiB, one ioctl", "entries/s", True),
    ("unmap_page_eps", "2. UNMAP_DMA of 256 MiB, one ioctl per 64 KiB", "entries/s", True),
    ("null_ioctl_cps", "   floor: an ioctl that does nothing", "calls/s", True),
    ("dpdk_p50_us", "3. map+unmap pair, 4 KiB..2 MiB: median", "us", False),
    ("dpdk_p99_us", "3. map+unmap pair, 4 KiB..2 MiB: p99", "us", False),
    ("prereg_ms_per_gib", "4. REGISTER_MEMORY", "ms/GiB", False),
    ("unreg_ms_per_gib", "4. UNREGISTER_MEMORY", "ms/GiB", False),
]
for w, name in ((30, "1 GiB"), (36, "64 GiB"), (40, "1 TiB")):
    FIGURES += [
        ("win%d_levels" % w, "5. %s window: levels (QEMU's choice)" % name, "", None),
        ("win%d_create_us" % w, "5. %s window: create" % name, "us", False),
        ("win%d_remove_us" % w, "5. %s window: remove, table freed" % name, "us", False),
        ("win%d_bytes_empty" % w, "5. %s window: table bytes, empty" % name, "bytes", False),
        ("win%d_bytes_mapped" % w, "5. %s window: table bytes, 256 MiB mapped" % name, "bytes", False),
        ("win%d_bytes_min" % w, "5. %s window: least the geometry needs" % name, "bytes", None),
    ]
FIGURES += [
    ("windef_remove_us", "5. default window (2 GiB of 4 KiB pages): remove, table freed", "us", False),
    ("regions1_map_ns", "6. MAP_DMA over 1 registration", "ns/entry", False),
    ("regions16_map_ns", "6. MAP_DMA over 16 registrations", "ns/entry", False),
    ("regions256_map_ns", "6. MAP_DMA over 256 registrations", "ns/entry", False),
    ("qemu4k_levels", "7. 256 GiB window of 4 KiB pages: levels", "", None),
    ("qemu4k_locked_kib", "7. the window's locked_vm charge", "KiB", False),
    ("qemu4k_bytes_empty", "7. table bytes, empty", "bytes", False),
    ("qemu4k_bytes_mapped", "7. table bytes, 512 MiB guest mapped", "bytes", False),
    ("qemu4k_bytes_min", "7. least the geometry needs", "bytes", None),
]
for kind, how in (("ddw", "its DDW mapping all RAM"), ("tce", "TCEs per request (disable_ddw)")):
    for op in ("write", "read"):
        FIGURES.append(("nested_%s_%s_mbs" % (kind, op),
                        "8. nested guest under KVM-HV, O_DIRECT %s, %s" % (op, how), "MB/s", True))


def parse(paths):
    """{backend: {round: {key: [values]}}} and the info line's words."""
    runs = collections.defaultdict(lambda: collections.defaultdict(
        lambda: collections.defaultdict(list)))
    info = {}
    for path in paths:
        with open(path, errors="replace") as f:
            for line in f:
                w = line.split()
                if len(w) < 2 or w[0] != "bench|":
                    continue
                if w[1] == "info":
                    info = dict(zip(w[2::2], w[3::2]))
                elif len(w) == 5:
                    runs[w[1]][int(w[2])][w[3]].append(float(w[4]))
    return runs, info


def best(values, higher):
    """The best repetition of a round (the first run also allocates)."""
    return max(values) if higher else min(values)


def per_round(runs, backend, key, higher):
    out = {}
    for r, figs in runs[backend].items():
        if key in figs:
            out[r] = best(figs[key], higher if higher is not None else False)
    return out


def fmt(x):
    if x is None:
        return "-"
    if abs(x) >= 1e6:
        return "%.4g" % x
    if abs(x) >= 100 or x == int(x):
        return "%d" % round(x)
    return "%.3g" % x


def mmm(values):
    if not values:
        return None, None, None
    return min(values), statistics.median(values), max(values)


def build(runs):
    rows = []
    med = {}
    for key, label, unit, higher in FIGURES:
        a = per_round(runs, OURS, key, higher)
        b = per_round(runs, INTREE, key, higher)
        if not a and not b:
            continue
        ratios = [a[r] / b[r] for r in a if r in b and b[r]]
        rows.append((label, unit, {None: "", True: "higher", False: "lower"}[higher],
                     mmm(list(b.values())), mmm(list(a.values())), mmm(ratios)))
        med[key] = (statistics.median(a.values()) if a else None,
                    statistics.median(b.values()) if b else None,
                    statistics.median(ratios) if ratios else None)
    return rows, med


def targets(runs, med):
    """Issue 14's targets: (what, measured, met)."""
    out = []
    for key, what in (("map_one_eps", "map, one ioctl"), ("map_page_eps", "map, ioctl per 64 KiB"),
                      ("unmap_one_eps", "unmap, one ioctl"),
                      ("unmap_page_eps", "unmap, ioctl per 64 KiB")):
        if key in med and med[key][2] is not None:
            r = med[key][2]
            out.append(("%s: ours / in-tree >= 1.5" % what, "%.2f" % r, r >= 1.5))
    # A call per 64 KiB cannot beat an ioctl that does nothing: the best ratio
    # the floor leaves, ours' empty ioctl against in-tree's call per 64 KiB
    # (of 64 KiB / IOMMU page entries).
    shifts = per_round(runs, OURS, "page_shift", None).values()
    per_call = 2 ** max(0, 16 - int(min(shifts))) if shifts else 1
    for key, what in (("map_page_eps", "map"), ("unmap_page_eps", "unmap")):
        if key in med and "null_ioctl_cps" in med and med[key][1]:
            bound = med["null_ioctl_cps"][0] / (med[key][1] / per_call)
            out.append(("%s, ioctl per 64 KiB: the most the ioctl floor allows "
                        "(ours' empty ioctl / in-tree's call)" % what, "%.2f" % bound, None))
    if "regions1_map_ns" in med and "regions256_map_ns" in med:
        for name, i in ((OURS, 0), (INTREE, 1)):
            g = med["regions256_map_ns"][i] / med["regions1_map_ns"][i]
            out.append(("6. %s: cost per entry, 256 / 1 registrations%s" %
                        (name, " <= 1.1" if i == 0 else " (for reference)"),
                        "%.2f" % g, g <= 1.1 if i == 0 else None))
    for prefix in ("win30", "win36", "win40", "qemu4k"):
        k = prefix + "_bytes_mapped"
        if k in med and med[k][0] is not None and med[k][1]:
            ours, intree = med[k][0], med[k][1]
            least = med[prefix + "_bytes_min"][0]
            out.append(("%s: table bytes mapped, ours <= in-tree" % prefix,
                        "%s <= %s" % (fmt(ours), fmt(intree)), ours <= intree))
            out.append(("%s: table bytes mapped, ours <= 1.05 x least" % prefix,
                        "%.3f" % (ours / least), ours <= 1.05 * least))
    if "win30_create_us" in med and "win40_create_us" in med:
        g = med["win40_create_us"][0] / med["win30_create_us"][0]
        out.append(("create 1 TiB / create 1 GiB, ours <= 2", "%.2f" % g, g <= 2))
    return out


def render(rows, tgts, info, rounds, date):
    lines = []
    lines.append("Kernel %s, QEMU %s, %s KiB pages, %s CPU(s); %s; %d rounds, backends "
                 "alternated in one boot (order swapped each round)." %
                 (info.get("kernel", "?"), info.get("machine", "?"),
                  info.get("page_kib", "?"), info.get("cpus", "?"), date, rounds))
    lines.append("")
    lines.append("| figure | unit | better | in-tree min / median / max | "
                 "spapr-tce-v2 min / median / max | ours / in-tree min / median / max |")
    lines.append("| --- | --- | --- | --- | --- | --- |")
    for label, unit, better, b, a, r in rows:
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            label, unit, better, " / ".join(fmt(x) for x in b),
            " / ".join(fmt(x) for x in a),
            " / ".join("-" if x is None else "%.2f" % x for x in r)))
    lines.append("")
    lines.append("| target | measured (medians) | met |")
    lines.append("| --- | --- | --- |")
    for what, val, met in tgts:
        lines.append("| %s | %s | %s |" % (what, val, {True: "yes", False: "**no**",
                                                        None: ""}[met]))
    return "\n".join(lines) + "\n"


def plot(med, outdir):
    """Figure 6 and table bytes against window size, as PNG."""
    data = tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False).name
    with open(data, "w") as f:
        for n in (1, 16, 256):
            k = "regions%d_map_ns" % n
            if k in med:
                f.write("%d %g %g\n" % (n, med[k][0], med[k][1]))
        f.write("\n\n")
        for w, gib in ((30, 1), (36, 64), (40, 1024)):
            k = "win%d_bytes_mapped" % w
            if k in med:
                f.write("%d %g %g %g\n" % (gib, med[k][0], med[k][1],
                                           med["win%d_bytes_min" % w][0]))
    script = """
set terminal png size 800,500 noenhanced
set output '%(d)s/regions.png'
set title 'Figure 6: one MAP_DMA of 256 MiB over N pre-registered regions'
set xlabel 'registrations'; set ylabel 'ns per entry (median)'
set logscale x 2; set yrange [0:*]; set key left top
plot '%(f)s' index 0 using 1:2 with linespoints title 'spapr-tce-v2', \
     '' index 0 using 1:3 with linespoints title 'in-tree'
set output '%(d)s/table-bytes.png'
set title 'Figure 5: TCE table bytes with 256 MiB mapped (64 KiB pages)'
set xlabel 'window (GiB)'; set ylabel 'bytes (median)'
set logscale xy; set yrange [*:*]
plot '%(f)s' index 1 using 1:2 with linespoints title 'spapr-tce-v2', \
     '' index 1 using 1:3 with linespoints title 'in-tree', \
     '' index 1 using 1:4 with linespoints title 'least the geometry needs'
""" % {"d": outdir, "f": data}
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    os.unlink(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--md")
    ap.add_argument("--plot")
    ap.add_argument("--date", default="")
    ap.add_argument("--require-all", action="store_true",
                    help="fail unless every figure is there for both backends")
    args = ap.parse_args()
    runs, info = parse(args.logs)
    rounds = len(set(runs[OURS]) & set(runs[INTREE]))
    if not rounds:
        print("table.py: no round with both backends in %s" % " ".join(args.logs))
        return 1
    if args.require_all:
        missing = ["%s %s" % (b, key) for key, _, _, _ in FIGURES for b in (OURS, INTREE)
                   if not per_round(runs, b, key, False)]
        if missing:
            print("table.py: missing figures: %s" % ", ".join(missing))
            return 1
    rows, med = build(runs)
    text = render(rows, targets(runs, med), info, rounds, args.date)
    print(text)
    if args.md:
        with open(args.md, "w") as f:
            f.write(text)
    if args.plot:
        plot(med, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
