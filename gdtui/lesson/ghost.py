"""A run kept to compare with the next one (`m`): its costs and its path, drawn faintly
behind the run on screen, so "alpha 0.3 vs 0.9" or "gd vs momentum" is one picture.

What is kept is bounded whatever the run's length: a run of 10^6 steps keeps at most
`2 * COST_BUCKETS + 2 + PATH_POINTS` costs and `PATH_POINTS` points of its path (some
40 KiB; keeping one took 170 ms on a loaded machine, `python -m benchmarks ghost_keep`).

Headless: no textual, no rich.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from gdtui.engine.session import Session
from gdtui.lesson.actions import Load, ShowGhost

Vector = NDArray[np.float64]
Steps = NDArray[np.intp]
T = TypeVar("T")

#: Blocks of steps a long run's costs are kept in: each keeps its lowest and highest cost,
#: so a one-step spike of the kept run still shows (a plot is at most a few hundred
#: columns wide, and draws one block a column at best).
COST_BUCKETS = 1000

#: Steps whose parameters are kept for the path. Every step of a short run; of a longer
#: one, its first `PATH_POINTS // 2` steps (where gradient descent moves most) and then
#: steps spaced evenly on a log scale up to the last one.
PATH_POINTS = 256

#: The most costs a ghost keeps: every step of a run of up to `2 * COST_BUCKETS` steps, else
#: each block's two, the first and the last; and the path's steps.
MOST_COSTS = 2 * COST_BUCKETS + 2 + PATH_POINTS


@dataclass(frozen=True, eq=False)
class Ghost:
    """A run as it was when kept: what it was run with, and what it did.

    Attributes:
        load: The scenario it ran on, as the `Load` that opens it: a ghost is kept only
            while the scenario on screen is this one.
        optimizers: The update rule of its first update and, if it changed, of its last.
        alphas: The learning rate of its first update and, if it changed, of its last.
        theta0: Its start: `w` components, then `b`.
        last: The furthest step it took.
        steps: The steps whose costs are kept, ascending (its first recorded step, 0 but
            for a run resumed from another's state, and `last` among them).
        costs: `J` at each of `steps`.
        path_steps: The steps whose parameters are kept, ascending (its first recorded step
            and `last` among them).
        path: `theta` at each of `path_steps`, one row a step.
    """

    load: Load
    optimizers: tuple[str, ...]
    alphas: tuple[float, ...]
    theta0: Vector
    last: int
    steps: Steps
    costs: Vector
    path_steps: Steps
    path: Vector

    @property
    def path_costs(self) -> Vector:
        """`J` at each of `path_steps` (every path step's cost is among those kept)."""
        return self.costs[np.searchsorted(self.steps, self.path_steps)]


def keep(session: Session, load: Load) -> Ghost:
    """The session's run, up to the furthest step taken (not only up to the cursor).

    Args:
        session: The run to keep.
        load: The scenario it runs on.
    """
    # A run resumed from another's state (a late joiner's) is recorded from its first step.
    start, last = session.first, session.last
    costs = session.costs(start, last + 1)
    path_steps = start + path_sample(last - start, PATH_POINTS)
    # The path's costs are looked up among the kept ones: keep them all.
    steps = np.union1d(start + decimate(costs, COST_BUCKETS), path_steps)
    first = session.snapshot(start)
    final = session.snapshot(max(last - 1, start))  # the one that made the last update
    return Ghost(
        load=load,
        optimizers=_changed(first.optimizer.kind, final.optimizer.kind),
        alphas=_changed(first.alpha, final.alpha),
        theta0=session.theta0.copy(),
        last=last,
        steps=steps,
        costs=costs[steps - start].copy(),
        path_steps=path_steps,
        path=np.array([session.snapshot(int(k)).theta for k in path_steps]),
    )


def decimate(values: Vector, buckets: int) -> Steps:
    """The indices to keep of `values` so that they draw like all of them: every one when
    there are at most `2 * buckets`; else the first, the last, and the lowest and highest
    of each of `buckets` blocks of consecutive values. A nan is neither lowest nor highest
    (inf is highest), unless its block has nothing else.

    Returns:
        Indices, ascending, without repeats.
    """
    n = len(values)
    if n <= 2 * buckets:
        return np.arange(n, dtype=np.intp)
    size = math.ceil(n / buckets)
    pad = size * math.ceil(n / size) - n
    blocks = np.pad(np.asarray(values, np.float64), (0, pad), constant_values=np.nan)
    blocks = blocks.reshape(-1, size)
    nan = np.isnan(blocks)
    lowest = np.argmin(np.where(nan, np.inf, blocks), axis=1)
    highest = np.argmax(np.where(nan, -np.inf, blocks), axis=1)
    starts = np.arange(len(blocks)) * size
    kept = np.concatenate(([0, n - 1], starts + lowest, starts + highest))
    return np.unique(kept[kept < n]).astype(np.intp)


def path_sample(last: int, points: int) -> Steps:
    """At most `points` steps of `0..last`, 0 and `last` among them: every step of a short
    run, else the first `points // 2` and log-spaced steps after them.

    Returns:
        Steps, ascending, without repeats.
    """
    if last + 1 <= points:
        return np.arange(last + 1, dtype=np.intp)
    early = points // 2
    later = np.geomspace(early, last, points - early).round().astype(np.intp)
    return np.union1d(np.arange(early, dtype=np.intp), np.append(later, last))


def _changed(first: T, final: T) -> tuple[T, ...]:
    """`(first,)` when the run kept it, `(first, final)` when it changed on the way."""
    return (first,) if first == final else (first, final)


def shown(ghost: Ghost) -> ShowGhost:
    """The action that draws `ghost` on a screen whose run does not have it (a student's
    who joined after the teacher kept it)."""
    return ShowGhost(
        optimizers=ghost.optimizers,
        alphas=ghost.alphas,
        theta0=tuple(ghost.theta0.tolist()),
        last=ghost.last,
        steps=ghost.steps.astype("<i8").tobytes(),
        costs=ghost.costs.astype("<f8").tobytes(),
        path_steps=ghost.path_steps.astype("<i8").tobytes(),
        path=ghost.path.astype("<f8").tobytes(),
    )


def from_shown(action: ShowGhost, load: Load, size: int) -> Ghost:
    """The ghost `action` draws, on the scenario `load` opens, whose runs have `size`
    parameters.

    Raises:
        ValueError: It is not a ghost of such a run (its parts disagree in size or order).
    """
    steps = np.frombuffer(action.steps, dtype="<i8").astype(np.intp)
    path_steps = np.frombuffer(action.path_steps, dtype="<i8").astype(np.intp)
    costs = np.frombuffer(action.costs, dtype="<f8").astype(np.float64)
    path = np.frombuffer(action.path, dtype="<f8").astype(np.float64)
    if len(action.theta0) != size:
        raise ValueError(f"show_ghost: theta0 has {len(action.theta0)} parameters, "
                         f"this scenario's runs {size}")  # fmt: skip
    if not 1 <= len(action.optimizers) <= 2 or not 1 <= len(action.alphas) <= 2:
        raise ValueError("show_ghost: optimizers and alphas are one or two each")
    if len(costs) != len(steps) or len(steps) > MOST_COSTS:
        raise ValueError(f"show_ghost: a cost for each step, at most {MOST_COSTS}")
    if len(path) != len(path_steps) * size or not 0 < len(path_steps) <= PATH_POINTS:
        raise ValueError(f"show_ghost: a point of {size} for each path step, at most "
                         f"{PATH_POINTS}")  # fmt: skip
    ascending = all(np.all(np.diff(kept) > 0) for kept in (steps, path_steps))
    ends = {int(steps[-1]), int(path_steps[-1]), action.last} if steps.size else set()
    if not ascending or not steps.size or steps[0] < 0 or ends != {action.last}:
        raise ValueError("show_ghost: steps ascend to the last one")
    if not np.isin(path_steps, steps).all():
        raise ValueError("show_ghost: every path step has its cost")
    return Ghost(
        load=load,
        optimizers=action.optimizers,
        alphas=action.alphas,
        theta0=np.array(action.theta0, dtype=np.float64),
        last=action.last,
        steps=steps,
        costs=costs,
        path_steps=path_steps,
        path=path.reshape(len(path_steps), size),
    )
