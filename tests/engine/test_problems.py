"""Costs and gradients: checked against central finite differences and the lesson's formulas."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gdtui.engine.problems import CurveProblem, LogisticProblem, sigmoid
from gdtui.expr import parse_cost

FD_STEP = 1e-6


def central_differences(cost, theta: np.ndarray, h: float = FD_STEP) -> np.ndarray:
    """dJ/dtheta_i ~ (J(theta + h e_i) - J(theta - h e_i)) / 2h, one component at a time."""
    grad = np.empty_like(theta)
    for i in range(theta.size):
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (cost(up) - cost(down)) / (up[i] - down[i])
    return grad


def assert_gradient_matches_differences(grad: np.ndarray, cost_value: float, fd: np.ndarray):
    # Central differences are off by about h**2 * J''' (tiny here) plus the rounding of J
    # divided by h: eps * |J| / h ~ 2e-10 * |J|. A wrong gradient is off by O(|dJ|).
    atol = 1e-6 * (1.0 + abs(cost_value))
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=atol)


# -- logistic regression ---------------------------------------------------------------------


@st.composite
def logistic_cases(draw, max_abs_w: float = 50.0, max_abs_x: float = 20.0):
    """Random data X (m <= 30, n <= 5) and labels y, and a point theta = (w..., b) where
    z = X @ w + b reaches into the thousands; half the time the labels are the ones theta
    predicts."""
    m = draw(st.integers(1, 30))
    n = draw(st.integers(1, 5))
    finite = {"allow_nan": False, "allow_infinity": False}
    X = draw(hnp.arrays(np.float64, (m, n), elements=st.floats(-max_abs_x, max_abs_x, **finite)))
    y = draw(hnp.arrays(np.float64, m, elements=st.sampled_from([0.0, 1.0])))
    theta = draw(hnp.arrays(np.float64, n + 1, elements=st.floats(-max_abs_w, max_abs_w, **finite)))
    if draw(st.booleans()):
        # Labels the point fits: every example on its right side, a cost near 0.
        y = (X @ theta[:-1] + theta[-1] > 0).astype(np.float64)
    return X, y, theta


def naive_cost(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    """The lesson's J(w, b) written as in the lesson."""
    yhat = 1.0 / (1.0 + np.exp(-(X @ theta[:-1] + theta[-1])))
    return float(-np.mean(y * np.log(yhat) + (1 - y) * np.log(1 - yhat)))


def naive_gradient(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """dw = X.T @ (yhat - y) / m and db = mean(yhat - y), as in the lesson's course."""
    yhat = 1.0 / (1.0 + np.exp(-(X @ theta[:-1] + theta[-1])))
    return np.append(X.T @ (yhat - y) / len(y), np.mean(yhat - y))


@settings(deadline=None, max_examples=150)
@given(logistic_cases())
def test_logistic_gradient_matches_finite_differences(case):
    X, y, theta = case
    problem = LogisticProblem(X, y)
    cost, grad = problem.cost_and_gradient(theta)
    assert grad.shape == theta.shape
    fd = central_differences(problem.cost, theta)
    assert_gradient_matches_differences(grad, cost, fd)


@settings(deadline=None, max_examples=100)
@given(logistic_cases(max_abs_w=1.0, max_abs_x=3.0))
def test_logistic_matches_the_lessons_formulas_where_they_are_finite(case):
    # |z| <= 3*5 + 1 = 16, so 1 - yhat >= 1e-7 and the naive logs lose at most ~1e-9.
    X, y, theta = case
    cost, grad = LogisticProblem(X, y).cost_and_gradient(theta)
    assert cost == pytest.approx(naive_cost(X, y, theta), rel=1e-8, abs=1e-12)
    np.testing.assert_allclose(grad, naive_gradient(X, y, theta), rtol=1e-9, atol=1e-12)


@settings(deadline=None, max_examples=40)
@given(logistic_cases())
def test_logistic_cost_alone_is_the_cost_of_cost_and_gradient(case):
    X, y, theta = case
    problem = LogisticProblem(X, y)
    assert problem.cost(theta) == problem.cost_and_gradient(theta)[0]


def accurate_cost(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    """J to a few ulps, one example at a time in plain Python: an example with label 1 costs
    -log(yhat) = softplus(-z), one with label 0 costs -log(1 - yhat) = softplus(z), and
    softplus(s) = max(s, 0) + log1p(exp(-|s|)) adds two terms >= 0, so nothing cancels."""
    terms = []
    for z, label in zip(X @ theta[:-1] + theta[-1], y, strict=True):
        s = -z if label == 1.0 else z
        terms.append(max(s, 0.0) + math.log1p(math.exp(-abs(s))))
    return math.fsum(terms) / len(terms)


@settings(deadline=None, max_examples=150)
@given(logistic_cases())
def test_logistic_cost_is_accurate_to_its_last_digits(case):
    # Also when it is tiny: well-separated examples each cost ~exp(-|z|), and a cost
    # computed as a difference of terms of size |z| would keep only noise of them.
    X, y, theta = case
    assert LogisticProblem(X, y).cost(theta) == pytest.approx(
        accurate_cost(X, y, theta), rel=1e-12, abs=0
    )


@pytest.mark.parametrize("w", [5.0, 12.0, 25.0, 30.0, 600.0])
def test_logistic_cost_of_well_separated_data_by_hand(w):
    # X = [1, 2, -1, -2], y = [1, 1, 0, 0], b = 0: every example is on its right side, with
    # |z| = w or 2w, so J = (2 log1p(e^-w) + 2 log1p(e^-2w)) / 4.
    X, y = np.array([[1.0], [2.0], [-1.0], [-2.0]]), np.array([1.0, 1.0, 0.0, 0.0])
    expected = (math.log1p(math.exp(-w)) + math.log1p(math.exp(-2 * w))) / 2
    assert LogisticProblem(X, y).cost(np.array([w, 0.0])) == pytest.approx(
        expected, rel=1e-13, abs=0
    )


@pytest.mark.parametrize(
    ("w", "expected_cost", "expected_dw", "expected_db"),
    [
        # X = [[1], [1]], y = [0, 1], b = 0, so z = w for both examples.
        # w = 1000: yhat = 1; the y=0 example costs -log(1 - yhat) = softplus(1000) = 1000,
        # the y=1 one -log(yhat) = log(1 + e^-1000) = 0, so J = 500;
        # yhat - y = [1, 0], so dw = db = 0.5.
        (1000.0, 500.0, 0.5, 0.5),
        # w = -1000: yhat = 0; now the y=1 example costs 1000 and the other 0: J = 500;
        # yhat - y = [0, -1], so dw = db = -0.5.
        (-1000.0, 500.0, -0.5, -0.5),
        # w = 0: yhat = 1/2 for both, J = log 2; yhat - y = [1/2, -1/2], so dw = db = 0.
        (0.0, math.log(2.0), 0.0, 0.0),
    ],
)
def test_logistic_stays_finite_and_silent_far_in_the_tails(
    w, expected_cost, expected_dw, expected_db
):
    problem = LogisticProblem(np.array([[1.0], [1.0]]), np.array([0.0, 1.0]))
    theta = np.array([w, 0.0])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        cost, grad = problem.cost_and_gradient(theta)
        cost_alone = problem.cost(theta)
    assert cost == pytest.approx(expected_cost, rel=1e-15)
    assert cost_alone == cost
    np.testing.assert_allclose(grad, [expected_dw, expected_db], rtol=1e-15, atol=1e-300)


@settings(deadline=None, max_examples=50)
@given(logistic_cases(max_abs_w=1000.0))
def test_logistic_never_warns_for_huge_z(case):
    X, y, theta = case
    problem = LogisticProblem(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost, grad = problem.cost_and_gradient(theta)
    assert math.isfinite(cost) and cost >= 0.0
    assert np.all(np.isfinite(grad))
    # |yhat - y| <= 1, so |dw_j| <= max |X_ij| and |db| <= 1.
    assert np.all(np.abs(grad[:-1]) <= np.abs(X).max(axis=0) + 1e-12)
    assert abs(grad[-1]) <= 1.0


@pytest.mark.parametrize("z", [-1000.0, -40.0, -1.0, 0.0, 1e-3, 2.5, 40.0, 800.0])
def test_sigmoid_matches_the_plain_formula_where_it_is_exact(z):
    # 1/(1 + e^-z) overflows e^-z for z < -709 (warning) but is still the right limit, 0.
    with np.errstate(over="ignore"):
        expected = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        actual = sigmoid(np.array([z]))[0]
    assert actual == pytest.approx(expected, rel=1e-15, abs=1e-300)


# -- curves ----------------------------------------------------------------------------------

# (cost as a user writes it, the same cost in plain Python)
CURVES = [
    ("(w - 3)**2", lambda w, b: (w - 3) ** 2),
    ("w**4 - 3*w**2 + w", lambda w, b: w**4 - 3 * w**2 + w),
    ("w**2 + 25*b**2", lambda w, b: w**2 + 25 * b**2),
    ("sin(w)*exp(b)", lambda w, b: math.sin(w) * math.exp(b)),
    ("sigmoid(w)", lambda w, b: 1 / (1 + math.exp(-w))),
    ("log(1 + w**2) + (b - 1)**2", lambda w, b: math.log(1 + w**2) + (b - 1) ** 2),
    ("sqrt(w**2 + 1) * cos(b)", lambda w, b: math.sqrt(w**2 + 1) * math.cos(b)),
    ("tanh(w*b) + w**2/10", lambda w, b: math.tanh(w * b) + w**2 / 10),
    ("exp(-w**2) * (w - b)", lambda w, b: math.exp(-(w**2)) * (w - b)),
]


def make_curve(text: str) -> CurveProblem:
    return CurveProblem(parse_cost(text))


def theta_of(problem: CurveProblem, w: float, b: float) -> np.ndarray:
    return np.array([w, b] if problem.has_b else [w])


@pytest.mark.parametrize(("text", "plain"), CURVES, ids=[c[0] for c in CURVES])
@settings(deadline=None, max_examples=60)
@given(w=st.floats(-5, 5), b=st.floats(-4, 4))
def test_curve_gradient_matches_finite_differences(text, plain, w, b):
    problem = make_curve(text)
    theta = theta_of(problem, w, b)
    cost, grad = problem.cost_and_gradient(theta)
    assert grad.shape == theta.shape
    fd = central_differences(problem.cost, theta)
    assert_gradient_matches_differences(grad, cost, fd)


@pytest.mark.parametrize(("text", "plain"), CURVES, ids=[c[0] for c in CURVES])
@settings(deadline=None, max_examples=60)
@given(w=st.floats(-5, 5), b=st.floats(-4, 4))
def test_curve_cost_is_the_written_formula(text, plain, w, b):
    problem = make_curve(text)
    b = b if problem.has_b else 0.0
    theta = theta_of(problem, w, b)
    cost, _ = problem.cost_and_gradient(theta)
    assert cost == pytest.approx(plain(w, b), rel=1e-12, abs=1e-15)
    assert problem.cost(theta) == cost


@pytest.mark.parametrize(("text", "plain"), CURVES, ids=[c[0] for c in CURVES])
def test_curve_knows_whether_it_has_b(text, plain):
    problem = make_curve(text)
    assert problem.has_b is ("b" in text)
    assert problem.n_w == 1 and not problem.w_is_vector


@pytest.mark.parametrize(
    ("text", "theta", "expected_grad"),
    [
        # d/dw (w-3)^2 = 2(w-3): at w = 5, 4
        ("(w - 3)**2", [5.0], [4.0]),
        # d/dw (w^4 - 3w^2 + w) = 4w^3 - 6w + 1: at w = 2, 32 - 12 + 1 = 21
        ("w**4 - 3*w**2 + w", [2.0], [21.0]),
        # (2w, 50b) at (1, -0.5): (2, -25)
        ("w**2 + 25*b**2", [1.0, -0.5], [2.0, -25.0]),
        # sigmoid'(0) = sigmoid(0)(1 - sigmoid(0)) = 1/4
        ("sigmoid(w)", [0.0], [0.25]),
    ],
)
def test_curve_gradient_by_hand(text, theta, expected_grad):
    _, grad = CurveProblem(parse_cost(text)).cost_and_gradient(np.array(theta))
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-15)
