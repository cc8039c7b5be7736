"""Why a run cannot go on, and where it first converged: what the screen says about a stop."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.engine.optimizers import Optimizer
from gdtui.engine.problems import CurveProblem
from gdtui.engine.session import Session
from gdtui.expr import parse_cost

# Divergence is a state: no RuntimeWarning may escape the engine here either.
pytestmark = pytest.mark.filterwarnings("error")


def session(cost: str, w0: float, alpha: float, kind: str = "gd", **kwargs: float) -> Session:
    problem = CurveProblem(parse_cost(cost))
    return Session(problem, Optimizer(kind), alpha, [w0], **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cost", "w0", "alpha", "cause", "at"),
    [
        # log(w) at w = -1: J is nan where the run starts; no alpha helps.
        ("log(w)", -1.0, 0.1, "cost_undefined", 0),
        # sqrt(w) at 0 has a value but an infinite slope.
        ("sqrt(w)", 0.0, 0.1, "slope_undefined", 0),
        # From w = 0.5, dw = 2 and alpha = 1 land at w = -1.5, outside log's domain.
        ("log(w)", 0.5, 1.0, "landing_undefined", 0),
        # (w - 3)**2 with alpha = 1.5 doubles |w - 3| each step until w would pass 1e150.
        ("(w - 3)**2", 4.0, 1.5, "overflow", None),
    ],
)
def test_divergence_names_its_cause(
    cost: str, w0: float, alpha: float, cause: str, at: int | None
) -> None:
    s = session(cost, w0, alpha)
    assert s.divergence is None or at == 0
    result = s.run()
    assert result.status == "diverged"
    if at is not None:
        assert result.step == at
    assert s.divergence == cause


def test_no_divergence_no_cause() -> None:
    s = session("(w - 3)**2", 4.0, 0.1)
    s.step(3)
    assert s.divergence is None


def test_the_cause_belongs_to_the_cursors_step() -> None:
    s = session("(w - 3)**2", 4.0, 1.5)
    s.run()
    assert s.divergence == "overflow"
    s.back(1)
    assert s.divergence is None


def test_converged_at_is_the_first_step_within_tolerance() -> None:
    s = session("(w - 3)**2", 0.5, 0.1, max_steps=1000)
    s.step(300)
    # Independently: |w - 3| shrinks by 0.8 a step from 2.5, and |dw| = 2|w - 3|.
    first = next(k for k in range(301) if 2 * 2.5 * 0.8**k <= 1e-6)
    assert s.converged_at() == first == 70
    assert s.converged_at(first - 1) is None
    s.goto(50)
    assert s.converged_at() is None


def test_landing_slope_is_the_next_steps_slope() -> None:
    s = session("(w - 3)**2", 7.0, 0.9)
    current = s.current
    # w := 7 - 0.9*8 = -0.2, where dJ/dw = 2*(-0.2 - 3) = -6.4: the slope turned sign.
    assert s.landing_slope(current)[0] == pytest.approx(-6.4)
    s.step(1)
    assert np.array_equal(s.landing_slope(s.snapshot(0)), s.current.grad)
