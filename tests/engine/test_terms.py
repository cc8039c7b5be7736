"""dw term by term: the terms against an independent computation, the slope against the
engine's to the last bit."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.build import build_session
from gdtui.engine.snapshot import LEFT, RIGHT, STAY
from gdtui.engine.terms import pull, slope_terms
from gdtui.scenario import load_scenario

CASES = [
    ("logistic-one-feature", 0),
    ("logistic-one-feature", 25),
    ("logistic-two-features", 7),
    ("unscaled-features", 40),
    ("separable", 300),
    ("house-prices", 12),
    ("house-prices-unscaled", 3),
]


def at_step(name: str, steps: int):  # type: ignore[no-untyped-def]
    session = build_session(load_scenario(name))
    session.step(steps)
    return session


@pytest.mark.parametrize(("name", "steps"), CASES)
def test_the_slope_is_the_engines_bit_for_bit(name: str, steps: int) -> None:
    session = at_step(name, steps)
    snapshot = session.current
    for j in range(session.layout.size):
        assert slope_terms(session.problem, snapshot, j).slope == snapshot.grad[j]


@pytest.mark.parametrize(("name", "steps"), CASES)
def test_terms_are_the_lessons_formula(name: str, steps: int) -> None:
    session = at_step(name, steps)
    problem, theta = session.problem, session.current.theta
    # Written the plain way, apart from the engine's margin arithmetic.
    z = problem.X @ theta[:-1] + theta[-1]
    yhat = z if name.startswith("house") else 1.0 / (1.0 + np.exp(-z))
    for j in range(problem.n_w):
        terms = slope_terms(problem, session.current, j)
        np.testing.assert_allclose(terms.yhat, yhat, rtol=1e-12)
        np.testing.assert_allclose(terms.terms, (yhat - problem.y) * problem.X[:, j],
                                   rtol=1e-9, atol=1e-12)  # fmt: skip
        assert terms.total == pytest.approx(float(np.sum(terms.terms)), rel=1e-9, abs=1e-12)
    db = slope_terms(problem, session.current, problem.n_w)
    np.testing.assert_allclose(db.terms, yhat - problem.y, rtol=1e-9, atol=1e-12)
    assert (db.x == 1).all()


def test_order_is_by_the_size_of_the_pull() -> None:
    session = at_step("logistic-two-features", 3)
    terms = slope_terms(session.problem, session.current, 0)
    sizes = np.abs(terms.terms[terms.order])
    assert (np.diff(sizes) <= 0).all()
    assert sorted(terms.order.tolist()) == list(range(terms.m))


@pytest.mark.parametrize(("term", "way"), [(2.5, LEFT), (-0.1, RIGHT), (0.0, STAY)])
def test_a_positive_term_pulls_left(term: float, way: str) -> None:
    assert pull(term) == way


@pytest.mark.parametrize("strongest", [1, 10, 199])
def test_the_strongest_alone_are_the_head_of_the_full_order(strongest: int) -> None:
    session = at_step("logistic-two-features", 3)
    full = slope_terms(session.problem, session.current, 1)
    head = slope_terms(session.problem, session.current, 1, strongest)
    assert len(head.order) == strongest
    np.testing.assert_array_equal(np.abs(head.terms[head.order]),
                                  np.abs(full.terms[full.order[:strongest]]))  # fmt: skip
    assert head.slope == full.slope
