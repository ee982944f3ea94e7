#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Composes bench/run.sh's measurements into one Markdown table (printed; run.sh writes it to
bench/RESULTS.md).

    python3 bench/make_table.py DIR COMMAND [MAX_ENTRIES]

DIR holds one Google Benchmark JSON file per gradcheck/loop benchmark and torch.jsonl (optional).
"""
import glob
import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone

ORDER = ["P1", "P2", "P3", "P4", "P5"]
ABOUT = {
    "P1": "linear-MSE sum((W*X + b).^2)/16 wrt W (n x n)",
    "P2": "bilinear wa'*A*B*wb wrt B (n x n)",
    "P3": "Jacobian of A*H*W wrt H (n x n, form vec)",
    "P4": "softmax cross-entropy wrt W (10 x n)",
    "P5": "logdet(X) wrt X (n x n, spd)",
}


def read_benchmarks(folder):
    """{(tool, problem): {"ms", "pass", "peak", "entries", "evaluations"}} from Google Benchmark JSON."""
    out = {}
    for path in glob.glob(os.path.join(folder, "*.json")):
        with open(path) as f:
            data = json.load(f)
        runs = data.get("benchmarks", [])
        chosen = [b for b in runs if b.get("aggregate_name") == "min"] or [b for b in runs if b.get("run_type") == "iteration"]
        for b in chosen:
            tool, family, size = b["run_name"].split("/")[:3]
            assert b["time_unit"] == "ms", b["time_unit"]
            out[(tool, f"{family}/{size}")] = {
                "ms": b["cpu_time"], "real_ms": b["real_time"], "pass": b.get("pass", 0) >= 0.5, "peak": b.get("peak_rss_mb"),
                "entries": int(b.get("entries", 0)), "evaluations": int(b.get("evaluations", 0)),
            }
    return out


def read_torch(folder):
    out = {}
    path = os.path.join(folder, "torch.jsonl")
    if os.path.exists(path):
        for line in open(path):
            r = json.loads(line)
            out[(r["tool"], r["problem"])] = {"ms": r["ms"], "pass": r["pass"], "peak": r["peak_rss_mb"]}
    return out


def ms(x):
    if x is None:
        return "-"
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    r = a / b
    return f"{r:.3g}x" if r < 100 else f"{r:.0f}x"


def environment():
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
        except Exception:  # noqa: BLE001 - informational only
            return "?"
    cpu = sh("lscpu | sed -n 's/^Model name: *//p'") or platform.processor()
    version = lambda package: sh(f"dpkg-query -W -f='${{Version}}' {package} 2>/dev/null") or "not installed"
    return [
        f"date: {datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"cpu: {cpu} x {os.cpu_count()}; load average at the end: {' '.join(open('/proc/loadavg').read().split()[:3])} "
        "(a shared machine: other jobs ran at the same time)",
        f"debian: {sh('cat /etc/debian_version')}; g++ {sh('g++ -dumpfullversion')}; "
        f"armadillo {version('libarmadillo-dev')}; benchmark {version('libbenchmark-dev')}; "
        f"python3-torch {version('python3-torch')}",
        "threads: 1 (OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=1, torch.set_num_threads(1))",
    ]


def main():
    folder, command = sys.argv[1], sys.argv[2]
    max_entries = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    bench = read_benchmarks(folder)
    torch = read_torch(folder)
    problems = sorted({p for (_, p) in bench}, key=lambda p: (ORDER.index(p.split("/")[0]), int(p.split("=")[1])))
    have_torch = bool(torch)
    lines = ["# Benchmark: gradcheck against a hand-written loop and torch.autograd.gradcheck", "",
             f"Produced by `{command}` (this file is overwritten by it; the figures are measured, never typed).", "",
             "```", *environment(), "```", ""]
    head = ["problem", "entries", "entry-wise ms", "directional ms", "loop ms"]
    if have_torch:
        head += ["torch full ms", "torch fast ms"]
    head += ["loop / entry-wise (x faster)"]
    if have_torch:
        head += ["torch full / entry-wise", "torch fast / directional"]
    head += ["peak MB (entry-wise, directional, loop" + (", torch full, torch fast)" if have_torch else ")"), "verdicts"]
    lines += ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * (len(head) - 2) + ["---"]) + "|"]
    for p in problems:
        e, d, l = bench.get(("entrywise", p)), bench.get(("directional", p)), bench.get(("loop", p))
        tf, tq = torch.get(("torch-full", p)), torch.get(("torch-fast", p))
        get = lambda r, k: r[k] if r else None
        row = [p.replace("/", " "), str(get(e, "entries") or get(l, "entries") or "-"),
               ms(get(e, "ms")), ms(get(d, "ms")), ms(get(l, "ms"))]
        if have_torch:
            row += [ms(get(tf, "ms")), ms(get(tq, "ms"))]
        row += [ratio(get(l, "ms"), get(e, "ms"))]
        if have_torch:
            row += [ratio(get(tf, "ms"), get(e, "ms")), ratio(get(tq, "ms"), get(d, "ms"))]
        peaks = [get(r, "peak") for r in ([e, d, l] + ([tf, tq] if have_torch else []))]
        row += [" / ".join("-" if x is None else f"{x:.0f}" for x in peaks)]
        verdict = lambda r: "-" if r is None else ("pass" if r["pass"] else "FAIL")
        row += [" ".join(verdict(r) for r in ([e, d, l] + ([tf, tq] if have_torch else [])))]
        lines.append("| " + " | ".join(row) + " |")
    callables = [p for p in problems if ("callable1", p) in bench]
    if callables:
        lines += ["", "C++ callables (f a C++ function: no structure to exploit, every evaluation a full one; "
                      "`Options::threads` 1 and 2):", "",
                  "| problem | loop ms | callable ms | evaluations (callable / loop) | per evaluation (callable / loop) "
                  "| 1 thread wall ms | 2 threads wall ms | 2-thread speed-up | the callable alone, 2-thread speed-up "
                  "| verdicts |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for p in callables:
            l, c1, c2 = bench.get(("loop", p)), bench.get(("callable1", p)), bench.get(("callable2", p))
            b1, b2 = bench.get(("bare1", p)), bench.get(("bare2", p))
            if not (l and c1 and c2):
                continue
            ceiling = ratio(b1["real_ms"], b2["real_ms"]) if b1 and b2 else "-"
            per_eval = (c1["ms"] / c1["evaluations"]) / (l["ms"] / l["evaluations"])
            verdict = lambda r: "pass" if r["pass"] else "FAIL"
            lines.append("| " + " | ".join([
                p.replace("/", " "), ms(l["ms"]), ms(c1["ms"]), f"{c1['evaluations']} / {l['evaluations']}",
                f"{per_eval:.2f}x", ms(c1["real_ms"]), ms(c2["real_ms"]), ratio(c1["real_ms"], c2["real_ms"]),
                ceiling, " ".join(verdict(r) for r in (c1, c2, l))]) + " |")
        lines += ["", "The callable's check evaluates f four times per entry (at h and 2h, for the error bound), "
                      "the loop twice (at h only, no bound): the per-evaluation column is the harness's overhead "
                      "on each call of f (CPU time / evaluations, callable over loop). The thread columns are "
                      "wall-clock times of the same run (the machine's other load shows in them). The callable alone: "
                      "the loop's two evaluations of f per entry and nothing else, split over 1 and 2 threads as "
                      "`Options::threads` splits them, each thread on its own copy of the point (bench/table.cpp, "
                      "run_bare): how far f itself scales on this machine, the ceiling of the column before it."]
    if max_entries > 0:
        lines += ["", f"`-`: not run (`--max-entries {max_entries}`: the peers' full checks (the loop, torch full) of "
                      f"variables with more entries were skipped to keep the run short; `bench/run.sh` alone runs "
                      f"them all)."]
    lines += ["", "Problems (float64, seed 42, one trial, one point):", ""]
    lines += [f"- {k}: {v}" for k, v in ABOUT.items()]
    lines += ["",
              "Method. Times are CPU times of the process (one thread), not wall-clock: the machine is shared and "
              "wall-clock time there measures the other jobs too. Each benchmark runs in its own process (peak MB is that process's peak resident memory, "
              "the runtime included: torch's is mostly the library). gradcheck: `run_check` on the problem "
              "compiled from its expressions (gradcheck::set_f, as the case runner), one trial, default options "
              "(entry-wise: central differences at h and 2h with their error bound, at one step for an f that "
              "is a polynomial of degree <= 2 in the variable (P1, P2, P3), tightened where undecided; "
              "directional: 8 probes and the "
              "noise measurement); Google Benchmark: the fastest CPU time of 5 repetitions of at least 0.3 s each (another job on the "
              "shared machine only ever adds time), the loop timed once from 65,536 entries. loop: bench/table.cpp's hand-written Armadillo loop over the same "
              "point (hand-written f and derivative, central difference at gradcheck's default step "
              "eps^(1/3) max(1,|x|), the same test |a - n| <= 1e-7 + 1e-5 |n|). torch: bench/bench_torch.py, "
              "`torch.autograd.gradcheck` with its defaults (eps 1e-6, atol 1e-5, rtol 1e-3), full and "
              "fast_mode, the fastest of >= 5 calls and >= 1 s (one call when it takes over 2 s), its own random "
              "data of the same definitions. Verdicts in column order (entry-wise, directional, loop, torch "
              "full, torch fast). Ratios are of one run on one machine; compare ratios, not absolute times "
              "across runs.", ""]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
