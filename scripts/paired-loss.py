#!/usr/bin/env python3
"""Paired per-photo comparison of two networks scored against the same Gatys runs.

Usage: scripts/paired-loss.py BASE CANDIDATE [noise|content]

BASE and CANDIDATE are folders of `compare` reports, either as published (docs/compare/STYLE/INIT/report.json)
or as scripts/score-per-style.sh writes them (OUT/STYLE/STYLE/compare-INIT/report.json). For every style both
hold, prints the candidate's network loss over the base's per photo (geometric mean and its standard error, and on
how many photos the candidate is lower), for the total and each term, and how many photos' equivalent iterations
went up, down or stayed. Photos are matched by file name, since published reports do not carry content hashes.
When scoring uses REUSE_GATYS, both networks meet the very same optimisation runs, so the ratios are paired.
"""
import json
import math
import os
import sys


def report_path(folder, style, init):
    for candidate in (os.path.join(folder, style, init, "report.json"),
                      os.path.join(folder, style, style, f"compare-{init}", "report.json")):
        if os.path.exists(candidate):
            return candidate
    return None


def images_by_name(path):
    with open(path) as f:
        return {os.path.basename(i["content"]): i for i in json.load(f)["images"]}


def geometric_mean_ratio(ratios):
    logs = [math.log(r) for r in ratios]
    mean = sum(logs) / len(logs)
    sd = (sum((x - mean) ** 2 for x in logs) / (len(logs) - 1)) ** 0.5 if len(logs) > 1 else 0.0
    return math.exp(mean), math.exp(mean) * sd / len(logs) ** 0.5


def iterations_key(image):
    # null means Gatys never reached the network's loss within its run: more than any reached count.
    value = image["equivalent_iterations"]
    return math.inf if value is None else value


def main(argv):
    if len(argv) not in (3, 4) or (len(argv) == 4 and argv[3] not in ("noise", "content")):
        sys.exit("usage: paired-loss.py BASE CANDIDATE [noise|content]")
    base, candidate = argv[1], argv[2]
    init = argv[3] if len(argv) == 4 else "noise"
    styles = sorted(d for d in os.listdir(candidate) if os.path.isdir(os.path.join(candidate, d)))
    compared = 0
    for style in styles:
        base_report, candidate_report = report_path(base, style, init), report_path(candidate, style, init)
        if base_report is None or candidate_report is None:
            continue
        a, b = images_by_name(base_report), images_by_name(candidate_report)
        names = sorted(set(a) & set(b))
        if not names:
            sys.exit(f"{candidate_report}: no photo in common with {base_report}")
        compared += 1
        for term in ("total", "content", "style", "tv"):
            ratios = [b[n]["network"]["loss"][term] / a[n]["network"]["loss"][term] for n in names
                      if a[n]["network"]["loss"][term] > 0]
            if not ratios:
                continue
            mean, error = geometric_mean_ratio(ratios)
            lower = sum(1 for r in ratios if r < 1)
            print(f"{style:30s} {init:7s} {term:7s} candidate/base {mean:.3f} ± {error:.3f} (lower on {lower} of {len(ratios)})")
        up = sum(1 for n in names if iterations_key(b[n]) > iterations_key(a[n]))
        down = sum(1 for n in names if iterations_key(b[n]) < iterations_key(a[n]))
        print(f"{style:30s} {init:7s} equivalent iterations: more on {up}, fewer on {down}, equal on {len(names) - up - down}")
    if compared == 0:
        sys.exit(f"no style has a {init} report in both {base} and {candidate}")


if __name__ == "__main__":
    main(sys.argv)
