"""Linear regression: cost and gradient against finite differences and the lesson's formula,
the optimum against numpy's least squares, and the per-example quantities both data problems
share."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gdtui.engine.optimizers import OPTIMIZER_KINDS, Optimizer
from gdtui.engine.problems import LinearProblem, LogisticProblem
from gdtui.engine.session import Session

from .test_problems import assert_gradient_matches_differences, central_differences

FINITE = {"allow_nan": False, "allow_infinity": False}


@st.composite
def linear_cases(draw, max_abs: float = 20.0):
    """Random data X (m <= 30, n <= 5), real targets y and a point theta = (w..., b)."""
    m = draw(st.integers(1, 30))
    n = draw(st.integers(1, 5))
    X = draw(hnp.arrays(np.float64, (m, n), elements=st.floats(-max_abs, max_abs, **FINITE)))
    y = draw(hnp.arrays(np.float64, m, elements=st.floats(-100.0, 100.0, **FINITE)))
    theta = draw(hnp.arrays(np.float64, n + 1, elements=st.floats(-max_abs, max_abs, **FINITE)))
    return X, y, theta


def lesson_cost(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    """J(w, b) = 1/(2m) * sum((w.x + b - y)**2), one example at a time as the lesson writes it."""
    m = len(y)
    total = 0.0
    for i in range(m):
        yhat = sum(float(theta[j]) * float(X[i, j]) for j in range(X.shape[1])) + float(theta[-1])
        total += (yhat - float(y[i])) ** 2
    return total / (2 * m)


@settings(max_examples=200, deadline=None)
@given(linear_cases())
def test_the_gradient_matches_central_differences(case) -> None:
    X, y, theta = case
    problem = LinearProblem(X, y)
    cost, grad = problem.cost_and_gradient(theta)
    fd = central_differences(problem.cost, theta)
    # J is quadratic, so central differences are exact but for the rounding of J.
    assert_gradient_matches_differences(grad, cost, fd)


@settings(max_examples=200, deadline=None)
@given(linear_cases())
def test_the_cost_is_the_lessons_and_never_negative(case) -> None:
    X, y, theta = case
    problem = LinearProblem(X, y)
    cost, _ = problem.cost_and_gradient(theta)
    assert cost >= 0.0
    assert cost == problem.cost(theta)
    assert cost == pytest.approx(lesson_cost(X, y, theta), rel=1e-9, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(linear_cases())
def test_dw_and_db_are_the_lessons_sums(case) -> None:
    X, y, theta = case
    m, n = X.shape
    _, grad = LinearProblem(X, y).cost_and_gradient(theta)
    errors = [sum(theta[j] * X[i, j] for j in range(n)) + theta[-1] - y[i] for i in range(m)]
    dw = [sum(errors[i] * X[i, j] for i in range(m)) / m for j in range(n)]
    db = sum(errors) / m
    scale = 1.0 + max(abs(e) for e in errors) * (1.0 + np.abs(X).max())
    np.testing.assert_allclose(grad, [*dw, db], rtol=1e-9, atol=1e-12 * scale)


def test_a_tiny_cost_near_the_minimum_keeps_its_digits() -> None:
    # Points exactly on y = 3x - 2: J is 0 at (3, -2) and, a hair away, exactly
    # 1/(2m) * sum((dw*x + db)**2). An expanded quadratic would lose it to cancellation.
    x = np.arange(1.0, 9.0)
    problem = LinearProblem(x[:, None], 3 * x - 2)
    assert problem.cost(np.array([3.0, -2.0])) == 0.0
    dw, db = 2.0**-30, -(2.0**-31)
    expected = float(np.sum((dw * x + db) ** 2) / (2 * len(x)))
    assert problem.cost(np.array([3.0 + dw, -2.0 + db])) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_gradient_descent_reaches_the_least_squares_solution(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n = 40, 3
    X = rng.standard_normal((m, n))
    y = X @ rng.normal(0, 3, n) + 1.5 + rng.normal(0, 0.5, m)
    A = np.column_stack((X, np.ones(m)))
    best = np.linalg.lstsq(A, y, rcond=None)[0]
    session = Session(LinearProblem(X, y), Optimizer("gd"), 0.3, np.zeros(n + 1),
                      max_steps=20_000, tolerance=1e-10)  # fmt: skip
    result = session.run(None, stop_on=frozenset({"converged"}))
    assert result.status == "converged"
    np.testing.assert_allclose(session.current.theta, best, atol=1e-8)


@pytest.mark.parametrize("kind", OPTIMIZER_KINDS)
def test_every_optimizer_lowers_the_cost_toward_least_squares(kind: str) -> None:
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 2))
    y = X @ np.array([2.0, -1.0]) + 0.5 + rng.normal(0, 0.1, 30)
    A = np.column_stack((X, np.ones(30)))
    best = np.linalg.lstsq(A, y, rcond=None)[0]
    problem = LinearProblem(X, y)
    session = Session(problem, Optimizer(kind), 0.05, np.zeros(3), max_steps=3000)
    session.run(None, stop_on=frozenset({"converged"}))
    start, end, floor = problem.cost(np.zeros(3)), session.current.cost, problem.cost(best)
    assert end < floor + 0.01 * (start - floor)


def test_the_hessian_is_the_gradients_derivative() -> None:
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((12, 2)) * [1.0, 5.0], rng.standard_normal(12)
    problem = LinearProblem(X, y)
    theta = rng.standard_normal(3)
    columns = []
    for j in range(3):
        step = np.zeros(3)
        step[j] = 1.0  # the gradient is linear in theta: a unit step is exact
        columns.append(problem.cost_and_gradient(theta + step)[1] -
                       problem.cost_and_gradient(theta)[1])  # fmt: skip
    np.testing.assert_allclose(problem.hessian(), np.column_stack(columns), atol=1e-12)


@pytest.mark.parametrize("problem_class", [LinearProblem, LogisticProblem])
def test_batch_costs_match_one_at_a_time(problem_class) -> None:
    rng = np.random.default_rng(3)
    X = rng.standard_normal((25, 3))
    y = (rng.random(25) < 0.5).astype(float)
    problem = problem_class(X, y)
    thetas = rng.normal(0, 2, (7, 4))
    expected = [problem.cost(theta) for theta in thetas]
    np.testing.assert_allclose(problem.costs(thetas), expected, rtol=1e-12)
    z = thetas[:, :-1] @ X.T + thetas[:, -1:]
    np.testing.assert_allclose(problem.cost_of_scores(z), expected, rtol=1e-12)
    # A sample of rows passes its own labels.
    rows = np.array([0, 3, 9])
    sample = problem_class(X[rows], y[rows])
    np.testing.assert_allclose(problem.cost_of_scores(z[:, rows], y[rows]),
                               [sample.cost(theta) for theta in thetas], rtol=1e-12)  # fmt: skip


def test_linear_predictions_are_the_line_and_residuals_their_misses() -> None:
    X = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]])
    y = np.array([1.0, -2.0, 4.0])
    problem = LinearProblem(X, y)
    theta = np.array([0.5, -1.0, 2.0])
    yhat = [0.5 * 1 - 1 * 2 + 2, 0.5 * 0 - 1 * -1 + 2, 0.5 * 3 - 1 * 0.5 + 2]
    np.testing.assert_allclose(problem.predictions(theta), yhat, rtol=1e-15)
    np.testing.assert_allclose(problem.residuals(theta), np.subtract(yhat, y), rtol=1e-15)


def test_logistic_predictions_are_the_sigmoid_and_residuals_keep_tiny_errors() -> None:
    X = np.array([[1.0], [-2.0], [40.0]])
    y = np.array([1.0, 0.0, 0.0])
    problem = LogisticProblem(X, y)
    theta = np.array([1.0, 0.5])
    z = np.array([1.5, -1.5, 40.5])
    np.testing.assert_allclose(problem.predictions(theta), 1 / (1 + np.exp(-z)), rtol=1e-15)
    residuals = problem.residuals(theta)
    np.testing.assert_allclose(residuals, 1 / (1 + np.exp(-z)) - y, rtol=1e-14)
    # A label 0 far on the wrong side, and the tiny error of a 1 label well fitted:
    far = LogisticProblem(np.array([[1.0]]), np.array([1.0])).residuals(np.array([50.0, 0.0]))
    assert far[0] == pytest.approx(-np.exp(-50.0), rel=1e-14)  # 1 - sigmoid(50) rounds to 0


@pytest.mark.parametrize("problem_class", [LinearProblem, LogisticProblem])
def test_residuals_are_the_floats_dw_and_db_are_made_of(problem_class) -> None:
    rng = np.random.default_rng(4)
    X = rng.standard_normal((50, 3))
    y = (rng.random(50) < 0.5).astype(float)
    problem = problem_class(X, y)
    theta = rng.standard_normal(4)
    _, grad = problem.cost_and_gradient(theta)
    residuals = problem.residuals(theta)
    assert (X.T @ residuals / 50 == grad[:-1]).all()
    assert residuals.mean() == grad[-1]
