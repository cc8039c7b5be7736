"""Engine benchmarks: the cost of a step against bare numpy, steps per second, memory."""

from __future__ import annotations

import math
import time
import tracemalloc

import numpy as np

from benchmarks.common import Result, interleaved
from gdtui.engine.optimizers import Optimizer
from gdtui.engine.problems import CurveProblem, LogisticProblem
from gdtui.engine.session import Session
from gdtui.expr import parse_cost

MB = 1024 * 1024


def logistic_step_ratio() -> Result:
    """One GD step on m = 100,000, n = 20 through the session, against a bare numpy step that
    computes the same cost and gradient (as the trace benchmark's script does: the session
    records J at every step, so a reference without it would time less work)."""
    m, n, steps = 100_000, 20, 10
    rng = np.random.default_rng(0)
    X = rng.normal(size=(m, n))
    y = (X @ rng.normal(size=n) + rng.normal(size=m) > 0).astype(np.float64)
    alpha = 0.1
    session = Session(
        LogisticProblem(X, y), Optimizer("gd"), alpha, np.zeros(n + 1), max_steps=10**9
    )
    w, b = np.zeros(n), 0.0

    def engine() -> None:
        session.run(steps, stop_on=frozenset())

    def bare() -> None:
        nonlocal w, b
        for _ in range(steps):
            yhat = 1.0 / (1.0 + np.exp(-(X @ w + b)))
            cost = -np.mean(y * np.log(yhat) + (1.0 - y) * np.log(1.0 - yhat))
            error = yhat - y
            dw = X.T @ error / m
            db = error.mean()
            w = w - alpha * dw
            b = b - alpha * db
        assert math.isfinite(cost)

    with np.errstate(over="ignore", divide="ignore"):
        engine_time, bare_time = interleaved(engine, bare)
    ratio = engine_time / bare_time
    return Result(
        "logistic GD step, m=100000 n=20: engine / bare numpy",
        ratio, "x", "<= 1.15", ratio <= 1.15,
        f"engine {engine_time / steps * 1e3:.2f} ms/step, "
        f"bare {bare_time / steps * 1e3:.2f} ms/step",
    )  # fmt: skip


def curve_steps_per_second() -> Result:
    """1-D curve steps per second through the session (expression, optimizer, history)."""
    steps = 100_000
    rates, cpu_rates = [], []
    for _ in range(5):
        session = Session(
            CurveProblem(parse_cost("w**4 - 3*w**2 + w")), Optimizer("gd"), 1e-4, [2.0],
            max_steps=10**9, tolerance=0.0,
        )  # fmt: skip
        start, cpu = time.perf_counter(), time.process_time()
        session.run(steps, stop_on=frozenset())
        rates.append(steps / (time.perf_counter() - start))
        cpu_rates.append(steps / (time.process_time() - cpu))
    rate = sorted(rates)[len(rates) // 2]
    # CPU time too: on a shared machine it is steadier than the wall clock.
    cpu_rate = sorted(cpu_rates)[len(cpu_rates) // 2]
    return Result(
        "1-D curve steps per second through the session", rate, "steps/s", ">= 100000",
        rate >= 100_000, f"median of 5 runs of 100,000 steps of w**4 - 3*w**2 + w; "
        f"{cpu_rate:,.0f} steps/CPU-s",
    )  # fmt: skip


def _peak_memory(session: Session, steps: int) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    session.run(steps, stop_on=frozenset())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - before) / MB


def memory_curve() -> Result:
    """Memory for 10^6 steps of a 1-D curve."""
    session = Session(
        CurveProblem(parse_cost("(w - 3)**2")), Optimizer("adam"), 1e-7, [0.0],
        max_steps=10**9, tolerance=0.0,
    )  # fmt: skip
    used = _peak_memory(session, 1_000_000)
    return Result("memory for 10^6 1-D curve steps (adam)", used, "MiB", "< 200", used < 200)


def memory_vector() -> Result:
    """Memory for 10^5 steps with n = 100."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 100))
    y = (X[:, 0] + rng.normal(size=200) > 0).astype(np.float64)
    session = Session(
        LogisticProblem(X, y), Optimizer("adam"), 1e-4, np.zeros(101),
        max_steps=10**9, tolerance=0.0,
    )  # fmt: skip
    used = _peak_memory(session, 100_000)
    return Result("memory for 10^5 steps, n=100 (adam)", used, "MiB", "< 200", used < 200)


def goto_replay() -> Result:
    """Time to revisit an old step (replayed from its checkpoint), against one step."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 100))
    y = (X[:, 0] > 0).astype(np.float64)
    session = Session(
        LogisticProblem(X, y), Optimizer("adam"), 1e-3, np.zeros(101), max_steps=10**9
    )
    session.run(2000, stop_on=frozenset())
    targets = iter(range(1, 10**6, 7))

    def goto() -> None:
        session.snapshot(next(targets) % 2000)

    def step() -> None:
        session.problem.cost_and_gradient(session.current.theta)

    goto_time, step_time = interleaved(goto, step, rounds=51)
    ratio = goto_time / step_time
    return Result(
        "goto an old step, n=100: time / one gradient evaluation", ratio, "x",
        f"<= {session.history.checkpoint_every}", ratio <= session.history.checkpoint_every,
        f"checkpoint every {session.history.checkpoint_every} steps",
    )  # fmt: skip


def ghost_keep() -> Result:
    """`m` on a run of 10^6 steps: keeping it as a ghost, against reading its costs once."""
    from gdtui.lesson.actions import Load
    from gdtui.lesson.ghost import keep

    session = Session(
        CurveProblem(parse_cost("(w - 3)**2")), Optimizer("adam"), 1e-7, [0.0],
        max_steps=10**9, tolerance=0.0,
    )  # fmt: skip
    session.run(1_000_000, stop_on=frozenset())
    load = Load("bench")
    ghost_time, read_time = interleaved(
        lambda: keep(session, load), lambda: session.costs().sum(), rounds=7
    )
    ghost = keep(session, load)
    kept = (ghost.steps.nbytes + ghost.costs.nbytes + ghost.path_steps.nbytes
            + ghost.path.nbytes) / 1024  # fmt: skip
    ratio = ghost_time / read_time
    return Result(
        "keep a 10^6-step run as a ghost: time / reading its costs once", ratio, "x",
        "<= 20", ratio <= 20,
        f"keep {ghost_time * 1e3:.1f} ms, read {read_time * 1e3:.1f} ms, "
        f"{len(ghost.costs)} costs and {len(ghost.path)} points kept, {kept:.0f} KiB",
    )  # fmt: skip


BENCHMARKS = [logistic_step_ratio, curve_steps_per_second, memory_curve, memory_vector,
              goto_replay, ghost_keep]  # fmt: skip


def finite(result: Result) -> bool:
    """Whether the figure is a real number."""
    return math.isfinite(result.value)
