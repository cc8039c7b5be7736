"""`gdtui trace` benchmarks: gradient evaluations a step, logistic regression against a bare
numpy loop, and 1-D curve steps per second, all through the command as a user runs it."""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.common import Result, interleaved
from gdtui import cli
from gdtui.build import build_session
from gdtui.engine.problems import LogisticProblem
from gdtui.engine.snapshot import Snapshot
from gdtui.scenario import load_scenario
from gdtui.trace import write_trace

#: The logistic regression of the target: 100,000 examples of 20 features.
LOGISTIC = """
name = "Blobs, 100,000 x 20"
description = "Two Gaussian classes in 20 dimensions."
[problem]
kind = "logistic"
generate = { kind = "blobs", samples = 100000, features = 20, separation = 1.0, seed = 0 }
[optimizer]
kind = "gd"
alpha = 0.1
[stop]
max_steps = 10000000
tolerance = 0
"""

#: The same data, cost, gradient and update, written as a lean script would write them.
BARE_LOGISTIC = """
import math, sys
import numpy as np
m, n, steps, every, alpha = 100_000, 20, int(sys.argv[1]), 1000, 0.1
rng = np.random.default_rng(0)
y = rng.permutation(np.arange(1, m + 1) % 2).astype(np.float64)
X = np.outer((y - 0.5) * 1.0, np.full(n, 1.0 / math.sqrt(n))) + rng.standard_normal((m, n))
w, b = np.zeros(n), 0.0
for step in range(steps + 1):
    yhat = 1.0 / (1.0 + np.exp(-(X @ w + b)))
    cost = -np.mean(y * np.log(yhat) + (1.0 - y) * np.log(1.0 - yhat))
    error = yhat - y
    dw = X.T @ error / m
    db = error.mean()
    if step % every == 0 or step == steps:
        print(step, *w, b, *dw, db, cost, sep=",")
    w = w - alpha * dw
    b = b - alpha * db
"""

#: A 1-D curve that neither converges nor diverges for millions of steps.
CURVE = """
name = "Quartic"
description = "A slow walk down w**4 - 3*w**2 + w."
[problem]
kind = "curve"
cost = "w**4 - 3*w**2 + w"
[start]
w = 2.0
[optimizer]
kind = "gd"
alpha = 1e-4
[stop]
max_steps = 10000000
tolerance = 0
"""


@contextmanager
def scenario_file(text: str) -> Iterator[str]:
    """A scenario written to a temporary file, for the length of a benchmark."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "scenario.toml"
        path.write_text(text, "utf-8")
        yield str(path)


@contextmanager
def counted(cls: type, name: str, counts: list[Any], what: Callable[..., Any]) -> Iterator[None]:
    """Append `what(*args)` to `counts` on every call of `cls.name` while inside."""
    original = getattr(cls, name)

    def wrapper(*args: Any) -> Any:
        counts.append(what(*args))
        return original(*args)

    setattr(cls, name, wrapper)
    try:
        yield
    finally:
        setattr(cls, name, original)


def _count(run: Callable[[], object]) -> tuple[int, int]:
    """Gradient evaluations and snapshots built while `run` runs."""
    evaluations: list[Any] = []
    snapshots: list[Any] = []
    with (
        counted(LogisticProblem, "cost_and_gradient", evaluations, lambda *a: 1),
        counted(Snapshot, "__post_init__", snapshots, lambda s: s.step),
    ):
        run()
    return len(evaluations), len(snapshots)


def trace_gradient_evaluations() -> Result:
    """Gradient evaluations per step taken by `gdtui trace --every 10` (50 steps on
    100,000 x 20), against the old way: run, then write the recorded run."""
    steps, every = 50, 10
    with scenario_file(LOGISTIC) as path:
        argv = [path, "--steps", str(steps), "--every", str(every), "--format", "csv"]

        def trace() -> None:
            cli.run(["trace", *argv], io.StringIO(), io.StringIO())

        def recorded() -> None:
            session = build_session(load_scenario(path))
            result = session.run(steps, stop_on=frozenset())
            write_trace(session, io.StringIO(), "csv", result, every=every)

        evaluations, snapshots = _count(trace)
        old_evaluations, old_snapshots = _count(recorded)
    printed = steps // every + 1
    # The start's evaluation is step 0's, not a step taken.
    per_step = (evaluations - 1) / steps
    return Result(
        "gdtui trace: gradient evaluations per step taken (100000x20, --every 10)",
        per_step, "x", "== 1", per_step == 1,
        f"{evaluations} evaluations and {snapshots} snapshots for {steps} steps, {printed} "
        f"printed; run then write: {old_evaluations} evaluations, {old_snapshots} snapshots",
    )  # fmt: skip


def _command(argv: list[str]) -> Callable[[], None]:
    def run() -> None:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return run


def _cpu(run: Callable[[], None]) -> float:
    """CPU seconds of the child processes `run` waits for (the machine may be shared)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def trace_logistic_ratio() -> Result:
    """`gdtui trace --every 1000` on 100,000 x 20, against a bare numpy script that makes the
    same data and computes the same cost and gradient, both whole processes."""
    steps = 1000
    with scenario_file(LOGISTIC) as path:
        trace = _command([sys.executable, "-m", "gdtui", "trace", path, "--steps", str(steps),
                          "--every", "1000", "--format", "csv"])  # fmt: skip
        bare = _command([sys.executable, "-c", BARE_LOGISTIC, str(steps)])
        trace_time, bare_time = interleaved(trace, bare, rounds=3)
        trace_cpu, bare_cpu = _cpu(trace), _cpu(bare)
    ratio = trace_time / bare_time
    return Result(
        f"gdtui trace --every 1000, logistic 100000x20, {steps} steps: / bare numpy script",
        ratio, "x", "<= 1.15", ratio <= 1.15,
        f"trace {trace_time:.2f} s, bare {bare_time:.2f} s (wall, median of 3); "
        f"CPU {trace_cpu:.2f} s / {bare_cpu:.2f} s = {trace_cpu / bare_cpu:.2f}x",
    )  # fmt: skip


def trace_curve_steps_per_second() -> Result:
    """1-D curve steps per second through `gdtui trace --every N` (the whole command), with
    the session's own rate measured alongside."""
    steps = 1_000_000
    with scenario_file(CURVE) as path:
        trace = _command([sys.executable, "-m", "gdtui", "trace", path, "--steps", str(steps),
                          "--every", str(steps), "--format", "csv"])  # fmt: skip
        walls, cpus = [], []
        for _ in range(3):
            start = time.perf_counter()
            cpus.append(_cpu(trace))
            walls.append(time.perf_counter() - start)
        session = build_session(load_scenario(path))
        start, cpu = time.perf_counter(), time.process_time()
        session.run(steps, stop_on=frozenset())
        session_wall = time.perf_counter() - start
        session_cpu = time.process_time() - cpu
    wall, cpu = sorted(walls)[1], sorted(cpus)[1]
    rate = steps / wall
    return Result(
        "1-D curve steps per second through gdtui trace --every N", rate, "steps/s",
        ">= 150000", rate >= 150_000,
        f"{steps:,} steps, median of 3 commands: {wall:.2f} s wall, {steps / cpu:,.0f} "
        f"steps/CPU-s; the session alone: {steps / session_wall:,.0f} steps/s wall, "
        f"{steps / session_cpu:,.0f} steps/CPU-s",
    )  # fmt: skip


BENCHMARKS = [trace_gradient_evaluations, trace_logistic_ratio, trace_curve_steps_per_second]
