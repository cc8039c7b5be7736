"""Where `dw` comes from: the lesson's average of one term per example.

For a problem on data (logistic or linear regression) the slope is
`dw = (1/m) * sum((yhat_i - y_i) * x_i)` and `db = (1/m) * sum(yhat_i - y_i)`. `slope_terms`
writes one slope out that way, and makes its sum and its result with the very numpy
operations the problem's `cost_and_gradient` uses, so the result is the step's slope to the
last bit, not merely close to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gdtui.engine.problems import DataProblem
from gdtui.engine.snapshot import LEFT, RIGHT, STAY, Snapshot, direction

Vector = NDArray[np.float64]


def pull(term: float) -> str:
    """Where one term pulls its parameter: a positive term raises the slope, and the update
    `w := w - alpha*dw` then moves `w` LEFT."""
    return {LEFT: RIGHT, RIGHT: LEFT, STAY: STAY}[direction(term)]


@dataclass(frozen=True)
class SlopeTerms:
    """One slope as the lesson's average, term by term.

    Attributes:
        component: Which slope: `0..n_w-1` for a `dw` component, `n_w` for `db`.
        x: Per example, the feature the term multiplies (all ones for `db`).
        y: Per example, the label or target.
        yhat: Per example, the prediction.
        terms: Per example, `(yhat_i - y_i) * x_i` (just `yhat_i - y_i` for `db`).
        order: Example indices, strongest pull (largest `|term|`) first: every example, or
            only the strongest when asked for fewer.
        total: The sum of the terms, as the problem adds them.
        m: How many examples.
        slope: `total / m`: bit for bit the snapshot's slope.
    """

    component: int
    x: Vector
    y: Vector
    yhat: Vector
    terms: Vector
    order: NDArray[np.intp]
    total: float
    m: int
    slope: float


def slope_terms(
    problem: DataProblem, snapshot: Snapshot, component: int, strongest: int | None = None
) -> SlopeTerms:
    """The slope of `component` at `snapshot`, written as one term per example.

    Args:
        problem: The run's problem (logistic or linear regression).
        snapshot: The step on screen.
        component: `0..n_w-1` for a component of `dw`, `n_w` for `db`.
        strongest: Order only this many examples, the strongest pulls (all when None).

    Returns:
        The terms, their order and their sum; `slope` equals `snapshot.grad[component]`.
    """
    theta = np.asarray(snapshot.theta, dtype=np.float64)
    with np.errstate(all="ignore"):
        residuals = problem.residuals(theta)
        yhat = problem.predictions(theta)
        m = problem.m
        if component == problem.n_w:
            # As the problem does: `db = mean(yhat - y)`, a sum then one division by m.
            x = np.ones(m)
            terms = residuals.copy()
            total = float(np.add.reduce(residuals))
            slope = float(np.float64(total) / m)
        else:
            # As the problem does: every `dw` component from one `X.T @ residuals`, then
            # divided by m; a sum of just this column may add in another order.
            x = problem.X[:, component]
            terms = residuals * x
            sums = problem.X.T @ residuals
            total = float(sums[component])
            sums /= m
            slope = float(sums[component])
    # A NaN term (a diverged run) sorts last rather than first.
    strength = np.nan_to_num(np.abs(terms), nan=-1.0, posinf=np.inf)
    if strongest is None or strongest >= m:
        order = np.argsort(-strength, kind="stable")
    else:
        # A full sort of a large data set took most of the screen's time (0.35 s of 0.5 s
        # at 300,000 rows); the few strongest need only a partition.
        top = np.argpartition(-strength, strongest)[:strongest]
        order = top[np.argsort(-strength[top], kind="stable")]
    return SlopeTerms(component, x, problem.y, yhat, terms, order, total, m, slope)
