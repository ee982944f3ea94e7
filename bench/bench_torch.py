#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""torch.autograd.gradcheck on one benchmark problem, for bench/run.sh.

    /usr/bin/python3 bench/bench_torch.py P1/n=16 full|fast

Prints one JSON line: {"tool": "torch-full"|"torch-fast", "problem": ..., "ms": the fastest CPU
time (time.process_time) of one whole gradcheck call, "runs": ..., "pass": ..., "peak_rss_mb": ...}. One thread
(torch.set_num_threads(1)); float64; torch's default eps, atol and rtol (1e-6, 1e-5, 1e-3).
Needs Debian's python3-torch (apt-get install python3-torch).
"""
import json
import resource
import sys
import time

import torch
from torch.autograd import gradcheck

torch.set_num_threads(1)
torch.manual_seed(42)
F64 = torch.float64


def make(problem):
    """f and its input for a problem name "P<k>/n=<n>" (the definitions of bench/table.cpp)."""
    family, size = problem.split("/")
    n = int(size.split("=")[1])
    randn = lambda *shape: torch.randn(*shape, dtype=F64)
    if family == "P1":
        X, b = randn(n, 16), randn(n, 1)
        return (lambda W: ((W @ X + b) ** 2).sum() / 16), randn(n, n)
    if family == "P2":
        A, wa, wb = randn(n, n), randn(n), randn(n)
        return (lambda B: wa @ A @ B @ wb), randn(n, n)
    if family == "P3":
        A, W = randn(n, n), randn(n, n)
        return (lambda H: A @ H @ W), randn(n, n)
    if family == "P4":
        X = randn(n, 32)
        Y = torch.zeros(10, 32, dtype=F64)
        Y[torch.randint(0, 10, (32,)), torch.arange(32)] = 1.0
        return (lambda W: -(Y * torch.log(torch.softmax(W @ X, dim=0))).sum()), 0.1 * randn(10, n)
    if family == "P5":
        G = randn(n, n)
        return (lambda X: torch.logdet(X)), G @ G.T / n + torch.eye(n, dtype=F64)
    raise SystemExit(f"unknown problem {problem}")


def main():
    problem, mode = sys.argv[1], sys.argv[2]
    f, x0 = make(problem)
    x = x0.clone().requires_grad_(True)
    fast = mode == "fast"
    call = lambda: gradcheck(f, (x,), fast_mode=fast, raise_exception=False)
    passed = call()  # warm-up
    times = []
    # The fastest of at least 5 runs and 1 s in all (at most 51; another job on the machine only
    # ever adds time); a run over 2 s is timed once.
    while len(times) < 51:
        t0 = time.process_time()
        call()
        times.append(time.process_time() - t0)
        if times[0] > 2.0 or (len(times) >= 5 and sum(times) >= 1.0):
            break
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"tool": "torch-" + mode, "problem": problem, "ms": 1e3 * min(times),
                      "runs": len(times), "pass": bool(passed), "peak_rss_mb": peak}))


if __name__ == "__main__":
    main()
