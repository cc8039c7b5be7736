"""The linear-regression presets: every number their teaching notes state, checked against
numpy's least squares and eigenvalues computed here from the data files themselves."""

from __future__ import annotations

import csv
import re

import numpy as np
import pytest

from .test_presets import SCENARIOS, run, toml


def notes(name: str) -> str:
    """A preset's description on one line, so a claim split across lines still matches."""
    return " ".join(toml(name)["description"].split())


def inline_data(name: str) -> tuple[np.ndarray, np.ndarray]:
    """A preset's inline x (one feature) and y, as written."""
    problem = toml(name)["problem"]
    return np.array(problem["x"], dtype=float)[:, None], np.array(problem["y"], dtype=float)


def csv_data(name: str) -> tuple[np.ndarray, np.ndarray]:
    """A preset's CSV features and last-column targets, read with the csv module."""
    file = SCENARIOS / toml(name)["problem"]["data"]
    rows = list(csv.reader(file.read_text("utf-8").splitlines()))[1:]
    data = np.array(rows, dtype=float)
    return data[:, :-1], data[:, -1]


def with_ones(X: np.ndarray) -> np.ndarray:
    return np.column_stack((X, np.ones(len(X))))


def least_squares(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """The best (w..., b) and its J = 1/(2m) * sum of squared misses."""
    A = with_ones(X)
    best = np.linalg.lstsq(A, y, rcond=None)[0]
    return best, float(np.sum((A @ best - y) ** 2) / (2 * len(y)))


def lambda_max(X: np.ndarray) -> float:
    """The largest eigenvalue of J's Hessian (1/m) A.T @ A, A = [X, 1]."""
    A = with_ones(X)
    return float(np.linalg.eigvalsh(A.T @ A / len(A))[-1])


def stated(text: str, pattern: str) -> float:
    match = re.search(pattern, text)
    assert match, pattern
    return float(match.group(1))


# --- house-prices ------------------------------------------------------------------------------


def test_house_prices_converges_to_the_least_squares_line_the_notes_state() -> None:
    X, y = inline_data("house-prices")
    best, best_cost = least_squares(X, y)
    text = notes("house-prices")
    assert stated(text, r"w = ([\d.]+) \(") == round(best[0], 2)
    assert stated(text, r"and b = ([\d.]+)\.") == round(best[1], 2)
    assert stated(text, r"with J = ([\d.]+)") == round(best_cost, 2)
    assert "about $8,700 on average: sqrt(2*J)" in text
    assert round(np.sqrt(2 * best_cost), 1) == 8.7
    session, result = run("house-prices")
    assert result.status == "converged"
    assert result.step == stated(text, r"converges there in (\d+) steps")
    np.testing.assert_allclose(session.current.theta, best, atol=1e-5)


def test_house_prices_starts_with_both_slopes_negative() -> None:
    session, _ = run("house-prices")
    start = session.snapshot(0)
    assert start.dw[0] < 0 and start.db < 0
    assert (session.path()[1] > session.path()[0]).all()  # both move RIGHT


def test_house_prices_at_a_larger_alpha_takes_the_steps_the_notes_say() -> None:
    _, result = run("house-prices", ["optimizer.alpha=0.3"])
    assert result.status == "converged"
    assert result.step == stated(notes("house-prices"), r"alpha=0.3 converges in (\d+) steps")


# --- house-prices-diverge ----------------------------------------------------------------------


def test_the_divergence_threshold_is_two_over_the_largest_eigenvalue() -> None:
    X, _ = inline_data("house-prices-diverge")
    text = notes("house-prices-diverge")
    top = lambda_max(X)
    assert stated(text, r"lambda_max = ([\d.]+),") == round(top, 3)
    assert stated(text, r"threshold is alpha = ([\d.]+)\.") == round(2 / top, 3)
    assert toml("house-prices-diverge")["optimizer"]["alpha"] > 2 / top


@pytest.mark.parametrize(("alpha", "status"), [("0.39", "converged"), ("0.5", "diverged"),
                                               ("0.45", "diverged")])  # fmt: skip
def test_either_side_of_the_threshold(alpha: str, status: str) -> None:
    _, result = run("house-prices-diverge", [f"optimizer.alpha={alpha}"])
    assert result.status == status


def test_the_diverging_run_climbs_every_step_and_flips_side() -> None:
    session, result = run("house-prices-diverge")
    text = notes("house-prices-diverge")
    assert result.status == "diverged"
    assert result.step == stated(text, r"\"diverged\" at step (\d+)")
    costs = session.costs()
    assert (np.diff(costs) > 0).all()
    moves = np.sign(np.diff(session.path()[:, 0]))
    assert (moves[1:] == -moves[:-1]).all()
    # The distance to the bottom grows by |1 - alpha*lambda_max| a step.
    X, y = inline_data("house-prices-diverge")
    best, _ = least_squares(X, y)
    distance = np.linalg.norm(session.path() - best, axis=1)
    factor = 0.5 * lambda_max(X) - 1
    assert round(factor, 2) == stated(text, r"= -([\d.]+): it flips")
    assert distance[401] / distance[400] == pytest.approx(factor, rel=1e-6)


def test_the_diverge_notes_step_counts() -> None:
    text = notes("house-prices-diverge")
    _, slow = run("house-prices-diverge", ["optimizer.alpha=0.45"])
    _, fine = run("house-prices-diverge", ["optimizer.alpha=0.39"])
    assert fine.step == stated(text, r"converges \(in (\d+) steps\)")
    assert slow.step == stated(text, r"only slower \(step (\d+)\)")


# --- house-prices-unscaled ---------------------------------------------------------------------


def test_unscaled_size_drowns_bedrooms_and_sets_a_tiny_threshold() -> None:
    X, _ = csv_data("house-prices-unscaled")
    text = notes("house-prices-unscaled")
    session, _ = run("house-prices-unscaled")
    start = session.snapshot(0)
    assert abs(start.dw[0]) > 100 * abs(start.dw[1])  # hundreds of times
    threshold = 2 / lambda_max(X)
    assert stated(text, r"above alpha = ([\d.e-]+) = 2/lambda_max") == float(f"{threshold:.3g}")
    _, past = run("house-prices-unscaled", ["optimizer.alpha=4.9e-7", "stop.max_steps=100000"])
    assert past.status == "diverged"


def test_unscaled_crawls_where_the_notes_say() -> None:
    X, y = csv_data("house-prices-unscaled")
    best, best_cost = least_squares(X, y)
    text = notes("house-prices-unscaled")
    session, result = run("house-prices-unscaled")
    assert result.status == "max_steps" and result.step == 5000
    path = session.path()
    assert round(path[10, 0], 3) == stated(text, r"w\[0\] settles near ([\d.]+)")
    assert abs(path[5000, 0] - path[10, 0]) < 1e-4  # settled
    assert round(path[5000, 2], 3) == stated(text, r"b has reached ([\d.]+)")
    assert round(best[2], 1) == stated(text, r"of the ([\d.]+) the best fit")
    assert round(session.current.cost, 1) == stated(text, r"and J = ([\d.]+) is")
    assert round(best_cost, 1) == stated(text, r"the best J = ([\d.]+)\.")
    assert 9.5 < session.current.cost / best_cost < 10.5  # "ten times"


def test_standardized_the_same_houses_converge_in_the_steps_the_notes_say() -> None:
    _, best_cost = least_squares(*csv_data("house-prices-unscaled"))
    text = notes("house-prices-unscaled")
    session, result = run("house-prices-unscaled",
                          ["problem.standardize=true", "optimizer.alpha=0.5"])  # fmt: skip
    assert result.status == "converged"
    assert result.step == stated(text, r"reached in (\d+) steps")
    # Standardizing only rescales the features: the best cost is the same.
    assert session.current.cost == pytest.approx(best_cost, rel=1e-9)


def test_the_unscaled_csv_is_the_house_prices_data_in_square_feet() -> None:
    X, y = csv_data("house-prices-unscaled")
    x, prices = inline_data("house-prices")
    np.testing.assert_allclose(X[:, 0], 1000 * x[:, 0])
    np.testing.assert_array_equal(y, prices)
    assert toml("house-prices-unscaled")["problem"]["standardize"] is False
