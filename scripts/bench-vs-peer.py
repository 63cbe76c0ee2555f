#!/usr/bin/env python3
"""Helper of bench-vs-peer.sh: collects JSON lines and prints the side-by-side Markdown table.

    bench-vs-peer.py add RAW SIDE ATTEMPT [ROUND] < lines   append JSON lines (stdin) to RAW, tagged with side, attempt, round
    bench-vs-peer.py busy RAW SIDE TAG [ROUND]               other_cores_busy of the round's best attempt so far ("missing" if none)
    bench-vs-peer.py table RAW [HEADER]                      the Markdown table of the best attempt of every row
A row is contaminated when other_cores_busy >= 0.1 (the peer's rule, ../shared/peer/README.md);
of several attempts the least contaminated one counts. With several rounds (--rounds), each round's
best attempts give one ratio; the table shows the median round and the range of the rounds' ratios.
"""
import json
import statistics
import sys

CONTAMINATED = 0.1


def read(raw):
    with open(raw) as f:
        return [json.loads(line) for line in f if line.strip()]


def best(rows, side, tag, round_=None):
    candidates = [r for r in rows if r.get("side") == side and r.get("tag") == tag and round_ in (None, r.get("round", 0))]
    return min(candidates, key=lambda r: (r["other_cores_busy"], -r["attempt"])) if candidates else None


def rounds_of(rows):
    return sorted({r.get("round", 0) for r in rows})


def combined(rows, side, tag):
    """The best attempt of a single round; over several rounds, a record of the medians of the rounds
    that have a result (min_s / max_s: the fastest and slowest round), keeping each round's record
    in "per_round" (round -> record)."""
    found = {n: best(rows, side, tag, n) for n in rounds_of(rows)}
    found = {n: r for n, r in found.items() if r}
    if len(rounds_of(rows)) == 1 or not found:
        return next(iter(found.values()), None)
    per_round = list(found.values())
    record = dict(per_round[0])
    medians = [r["median_s"] for r in per_round]
    record.update(median_s=statistics.median(medians), min_s=min(medians), max_s=max(medians),
                  other_cores_busy=max(r["other_cores_busy"] for r in per_round), per_round=found)
    if "compute" in record:
        c = [r["compute"]["median"] for r in per_round]
        record["compute"] = {"median": statistics.median(c), "min": min(c), "max": max(c)}
    if "peak_rss_mib" in record:
        record["peak_rss_mib"] = statistics.median(r["peak_rss_mib"] for r in per_round)
    return record


def add(raw, side, attempt, round_=0):
    with open(raw, "a") as out:
        for line in sys.stdin:
            line = line.strip()
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            record["side"] = side
            record["attempt"] = int(attempt)
            record["round"] = int(round_)
            out.write(json.dumps(record) + "\n")


def seconds(r):
    return f"{r['median_s']:.3f} s ({r['min_s']:.3f}–{r['max_s']:.3f})"


def table(raw, header=None):
    rows = read(raw)
    tags = []
    for r in rows:
        if r["tag"] not in tags:
            tags.append(r["tag"])
    out = []
    if header:
        out += [open(header).read().rstrip()]
        mkl = sorted({r["mkl_amd_avx512"] for r in rows if r.get("side") == "ours" and r.get("mkl_amd_avx512")})
        if mkl:
            out += [f"**MKL vendor check on AMD (ours, README \"MKL on AMD CPUs\"):** {'; '.join(mkl)}"]
        memory = sorted({(r.get("glibc_tunables") or "none", r.get("transparent_hugepages", "unknown")) for r in rows if r.get("side") == "ours" and "glibc_tunables" in r})
        if memory:
            out += ["**Allocator (ours, scripts/native-memory.sh):** " + "; ".join(f"GLIBC_TUNABLES={t}, transparent huge pages {h}" for t, h in memory)]
        out += [""]
    out += ["| work | ours | peer | ours/peer | other_cores_busy ours / peer |",
            "|---|---|---|---|---|"]
    contaminated = 0

    def busy_cell(o, p):
        nonlocal contaminated
        values = [x["other_cores_busy"] if x else None for x in (o, p)]
        text = " / ".join("–" if v is None else f"{v:.2f}" for v in values)
        if any(v is not None and v >= CONTAMINATED for v in values):
            contaminated += 1
            text += " **CONTAMINATED**"
        runs = [sum(1 for r in rows if r["side"] == side and r["tag"] == x["tag"]) for side, x in (("ours", o), ("peer", p)) if x]
        if max(runs, default=1) > len(rounds_of(rows)):
            text += f" (best of {'/'.join(map(str, runs))} runs)"
        return text

    def line(work, o, p, cell, ratio_of):
        ratio = f"{ratio_of(o) / ratio_of(p):.2f}" if o and p and ratio_of(p) else "–"
        if o and p and "per_round" in o and "per_round" in p:
            # Each round's pair ran back to back, so its ratio is what drift between rounds cannot move.
            both = sorted(set(o["per_round"]) & set(p["per_round"]))
            ratios = [ratio_of(o["per_round"][n]) / ratio_of(p["per_round"][n]) for n in both]
            if ratios:
                ratio = f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}, {len(ratios)} rounds)"
        out.append(f"| {work} | {cell(o, o) if o else 'failed'} | {cell(p, o) if p else 'failed'} | {ratio} | {busy_cell(o, p)} |")

    def timed(r, ours):
        text = seconds(r)
        if ours and ours.get("gflop"):
            text += f", {ours['gflop'] / r['median_s']:.0f} GFLOP/s"
        return text

    def compute(r, ours):
        c = r["compute"]
        return f"{c['median']:.3f} s ({c['min']:.3f}–{c['max']:.3f})"

    names = {"train": "train step {batch}x{size} {amp}", "infer": "stylise {size} px", "gatys": "optimisation eval {size} px {amp}"}
    for kind in ("train", "infer", "gatys"):
        for tag in tags:
            o, p = combined(rows, "ours", tag), combined(rows, "peer", tag)
            r = o or p
            if r["bench"] != kind:
                continue
            work = names[kind].format(batch=r["batch"], size=r["size"], amp="bf16" if r["amp"] == "bf16" else "fp32")
            line(work, o, p, timed, lambda x: x["median_s"])
            if kind == "train":
                line(work + ", compute only", o, p, compute, lambda x: x["compute"]["median"])
        if kind == "train":
            train = [t for t in tags if (combined(rows, "ours", t) or combined(rows, "peer", t))["bench"] == "train"]
            largest = max(((combined(rows, "ours", t) or combined(rows, "peer", t))["size"] for t in train), default=None)
            for tag in train:
                o, p = combined(rows, "ours", tag), combined(rows, "peer", tag)
                r = o or p
                if r["size"] == largest:
                    work = f"peak RSS, train {r['batch']}x{r['size']} {'bf16' if r['amp'] == 'bf16' else 'fp32'}"
                    line(work, o, p, lambda x, _: f"{x['peak_rss_mib']:.0f} MiB", lambda x: x["peak_rss_mib"])
    times = ("Times: median (min–max) of the timed steps. " if len(rounds_of(rows)) == 1 else
             f"Times: the median of {len(rounds_of(rows))} rounds' medians (fastest–slowest round); ours/peer: the median of "
             "the rounds' ratios (lowest–highest), each round timing ours and the peer back to back, in alternating order. ")
    out += ["",
            times + "GFLOP/s: the convolutions of the work as the peer defines it "
            "(one count per row, the same for both sides; see bench/FastStyle.Bench/TransformerFlops.cs). "
            + ("\"compute only\" leaves out the wait for the batch (ours decodes in the background, the peer in the step). "
               if any(r["bench"] == "train" for r in rows) else "")
            + f"CONTAMINATED: another process used >= {CONTAMINATED} cores during the timed steps; rerun on a quiet machine."]
    print("\n".join(out))
    return contaminated


def main(argv):
    if len(argv) in (4, 5) and argv[0] == "add":
        add(*argv[1:])
    elif len(argv) in (4, 5) and argv[0] == "busy":
        r = best(read(argv[1]), argv[2], argv[3], int(argv[4]) if len(argv) == 5 else None)
        print("missing" if r is None else r["other_cores_busy"])
    elif len(argv) in (2, 3) and argv[0] == "table":
        table(argv[1], argv[2] if len(argv) == 3 else None)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
