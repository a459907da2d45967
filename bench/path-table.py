#!/usr/bin/env python3
"""Prints the full-path table (Markdown) from a JMH JSON result file: tx and rx path per packet size and grant
version, with ratios to the ring-only round trip (batch 64) and to the copy limit of the same size, the grant
operations, and gc.alloc.rate.norm of every case.

Usage: path-table.py jmh.json

Each score is the median over forks of the per-fork mean (spread: min..max of the fork means). The packet
paths use their `packets` counter, the ring its `messages` counter, the copy limit and grant ops their score.
Gbit/s = packets/s x size x 8 / 1e9 (the `bytes` counter gives the same number).
"""
import json
import statistics
import sys


def fork_means(raw):
    return [sum(fork) / len(fork) for fork in raw if fork]


def summary(metric):
    values = fork_means(metric["rawData"])
    return statistics.median(values), min(values), max(values), len(values)


def main(path):
    with open(path) as f:
        entries = json.load(f)
    paths, copy, ring, grant = {}, {}, None, {}
    for e in entries:
        name = ".".join(e["benchmark"].split(".")[-2:])
        p = e.get("params", {})
        sec = e.get("secondaryMetrics", {})
        alloc = sec.get("gc.alloc.rate.norm", {}).get("score")
        if name in ("TxPathBenchmark.txPath", "RxPathBenchmark.rxPath"):
            paths[(name[:2].lower(), int(p["size"]), int(p["grantVersion"]))] = (summary(sec["packets"]), alloc)
        elif name == "CopyLimitBenchmark.copy":
            copy[int(p["size"])] = (summary(e["primaryMetric"]), alloc)
        elif name == "NetifTxRingRoundTripBenchmark.roundTrip" and int(p.get("batch", 0)) == 64:
            ring = (summary(sec["messages"]), alloc)
        elif name.startswith("GrantOpsBenchmark."):
            grant[(name.split(".")[1], int(p["grantVersion"]))] = (summary(e["primaryMetric"]), alloc)

    def m(x):
        return f"{x / 1e6:.2f}"

    ring_rate = ring[0][0] if ring else None
    print("| path | bytes | grant | Mpps median (min–max), forks | Gbit/s | × ring-only | × copy-limit | B/op |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    if ring:
        (med, lo, hi, n), alloc = ring
        print(f"| ring-only (batch 64) | – | – | {m(med)} ({m(lo)}–{m(hi)}), {n} | – | 1.00 | – "
              f"| {alloc:.3f} |")
    for size in sorted(copy):
        (med, lo, hi, n), alloc = copy[size]
        rr = f"{med / ring_rate:.2f}" if ring_rate else "–"
        print(f"| copy-limit | {size} | – | {m(med)} ({m(lo)}–{m(hi)}), {n} | {med * size * 8 / 1e9:.1f} "
              f"| {rr} | 1.00 | {alloc:.3f} |")
    for (kind, size, version) in sorted(paths, key=lambda k: (k[1], k[0] != "tx", k[2])):
        (med, lo, hi, n), alloc = paths[(kind, size, version)]
        rr = f"{med / ring_rate:.2f}" if ring_rate else "–"
        cr = f"{med / copy[size][0][0]:.2f}" if size in copy else "–"
        print(f"| {kind}-path | {size} | v{version} | {m(med)} ({m(lo)}–{m(hi)}), {n} "
              f"| {med * size * 8 / 1e9:.1f} | {rr} | {cr} | {alloc:.3f} |")
    if grant:
        print()
        print("| grant op | v1 Mops/s (min–max) | v2 Mops/s (min–max) | B/op v1 / v2 |")
        print("|---|---:|---:|---:|")
        for op in ("permitAccess", "endAccess"):
            cells, allocs = [], []
            for v in (1, 2):
                if (op, v) in grant:
                    (med, lo, hi, n), alloc = grant[(op, v)]
                    cells.append(f"{m(med)} ({m(lo)}–{m(hi)})")
                    allocs.append(f"{alloc:.4f}")
                else:
                    cells.append("–")
                    allocs.append("–")
            print(f"| {op} | {cells[0]} | {cells[1]} | {' / '.join(allocs)} |")


if __name__ == "__main__":
    main(sys.argv[1])
