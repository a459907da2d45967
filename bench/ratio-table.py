#!/usr/bin/env python3
"""Prints xennet's benchmark ratio table (Markdown) from a JMH JSON result file and the C anchor's JSON.

Usage: ratio-table.py jmh.json [anchor.json]

Each JMH score is the median over forks of the per-fork mean (spread: min..max of the fork means); ring
benchmarks use their `messages` counter (round trips or elements per second), the copy benchmark its score.
"""
import json
import statistics
import sys

RING = "NetifTxRingRoundTripBenchmark.roundTrip"
AGRONA = "AgronaOneToOneBaselineBenchmark.roundTrip"
JCTOOLS_RT = "JctoolsSpscBaselineBenchmark.roundTrip"
JCTOOLS_1W = "JctoolsSpscBaselineBenchmark.oneWay"
COPY = "CopyLimitBenchmark.copy"


def fork_means(raw):
    return [sum(fork) / len(fork) for fork in raw if fork]


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def load_jmh(path):
    results = {}
    with open(path) as f:
        for entry in json.load(f):
            name = ".".join(entry["benchmark"].split(".")[-2:])
            params = entry.get("params", {})
            key = (name, int(params.get("batch", params.get("size", 0))))
            secondary = entry.get("secondaryMetrics", {})
            metric = secondary.get("messages", entry["primaryMetric"])
            alloc = secondary.get("gc.alloc.rate.norm")
            results[key] = dict(summary(fork_means(metric["rawData"])),
                                alloc=alloc["score"] if alloc else None)
    return results


def load_anchor(path):
    with open(path) as f:
        return {e["batch"]: summary(e["samples"]) for e in json.load(f)}


def fmt(s):
    if s is None:
        return "–"
    return "%.2f (%.2f–%.2f)" % (s["median"] / 1e6, s["min"] / 1e6, s["max"] / 1e6)


def ratio(a, b):
    if a is None or b is None or b["median"] == 0:
        return "–"
    return "%.2f×" % (a["median"] / b["median"])


def main():
    jmh = load_jmh(sys.argv[1])
    anchor = load_anchor(sys.argv[2]) if len(sys.argv) > 2 else {}
    batches = sorted({b for (name, b) in jmh if name != COPY} | set(anchor))
    if batches:
        print("Round trips, million messages/s: median of forks (min–max)\n")
        print("| batch | C anchor (ring.h) | xennet ring | Agrona 1:1 ×2 | JCTools SPSC ×2 | JCTools one-way "
              "| ring/C | ring/JCTools 1-way | ring/Agrona | Agrona/C | JCTools/C |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for b in batches:
            c, ring = anchor.get(b), jmh.get((RING, b))
            agrona, jrt, j1w = jmh.get((AGRONA, b)), jmh.get((JCTOOLS_RT, b)), jmh.get((JCTOOLS_1W, b))
            print("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                b, fmt(c), fmt(ring), fmt(agrona), fmt(jrt), fmt(j1w), ratio(ring, c), ratio(ring, j1w),
                ratio(ring, agrona), ratio(agrona, c), ratio(jrt, c)))
    sizes = sorted(b for (name, b) in jmh if name == COPY)
    if sizes:
        print("\nCopy limit (one thread, page-by-page putBytes from 256 guest pages)\n")
        print("| bytes | million packets/s (min–max) | GB/s (median) |")
        print("|---:|---:|---:|")
        for size in sizes:
            s = jmh[(COPY, size)]
            print("| %d | %s | %.1f |" % (size, fmt(s), s["median"] * size / 1e9))
    allocs = sorted((k, v["alloc"]) for k, v in jmh.items() if v["alloc"] is not None)
    if allocs:
        worst = max(a for _, a in allocs)
        print("\nAllocation (-prof gc, gc.alloc.rate.norm): at most %.3f B/op over %d cases" % (worst, len(allocs)))


if __name__ == "__main__":
    main()
