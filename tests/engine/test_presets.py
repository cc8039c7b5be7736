"""The preset lessons: each one runs cleanly, and each teaching note says what the run shows.

The claims are checked from the run, against numbers worked out here independently: the
bowl's closed form, the roots of a cubic, Newton's method for logistic regression.
"""

from __future__ import annotations

import csv
import functools
import math
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gdtui.build import build_session
from gdtui.engine.session import RunResult, Session
from gdtui.scenario import load_scenario

SCENARIOS = Path(__file__).parents[2] / "scenarios"
PRESETS = sorted(path.stem for path in SCENARIOS.glob("*.toml"))

#: How `gdtui trace` runs a lesson: until it converges, diverges or reaches max_steps.
UNTIL_DONE = frozenset({"converged"})


def toml(name: str) -> dict[str, Any]:
    """A preset as written, for the settings its notes talk about."""
    return tomllib.loads((SCENARIOS / f"{name}.toml").read_text("utf-8"))


def run_fresh(
    name: str, overrides: Sequence[str] = (), stop_on: frozenset[str] = UNTIL_DONE
) -> tuple[Session, RunResult]:
    """Load, build and run a preset."""
    session = build_session(load_scenario(name, overrides))
    return session, session.run(None, stop_on=stop_on)


@functools.cache
def _run_once(
    name: str, overrides: tuple[str, ...], stop_on: frozenset[str]
) -> tuple[Session, RunResult]:
    return run_fresh(name, overrides, stop_on)


def run(
    name: str, overrides: Sequence[str] = (), stop_on: frozenset[str] = UNTIL_DONE
) -> tuple[Session, RunResult]:
    """A preset's run, made once per module: the tests only read it (a long run such as
    separable's takes seconds)."""
    return _run_once(name, tuple(overrides), stop_on)


def path(session: Session) -> np.ndarray:
    """The parameters at every step, one row a step: w components, then b."""
    return session.path()


def bowl(w: float) -> float:
    """J(w) = (w - 3)**2, the bowl of the first lessons."""
    return (w - 3) ** 2


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_loads_and_runs_to_the_end_without_warnings(name: str) -> None:
    session, result = run_fresh(name)
    assert result.status in {"converged", "diverged", "max_steps"}
    assert result.step == session.last
    assert 0 < session.last <= toml(name)["stop"]["max_steps"]
    assert np.isfinite(path(session)).all()


@pytest.mark.parametrize("name", PRESETS)
def test_continue_where_a_breakpoint_fired_always_makes_progress(name: str) -> None:
    session = build_session(load_scenario(name))
    stops = 0
    while True:
        result = session.run()  # c, as the debugger continues
        if result.status != "breakpoint":
            break
        assert result.steps >= 1
        stops += 1
        if stops == 20:  # an event of every step (cost_increase, slope_sign_flip)
            assert result.step == 20
            break
    assert stops <= 20


def test_there_are_fifteen_presets() -> None:
    assert len(PRESETS) == 15


# --- the bowl, from either side ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "slope", "move"), [("bowl-from-left", -1, +1),
                                                     ("bowl-from-right", +1, -1)])  # fmt: skip
def test_the_bowl_moves_against_the_slope_toward_3(name: str, slope: int, move: int) -> None:
    session, result = run(name)
    w = path(session)[:, 0]
    assert np.sign(session.snapshot(0).dw) == slope
    # Every step goes the same way, each one shorter than the last, and it ends at 3.
    steps = np.diff(w)
    assert (np.sign(steps) == move).all()
    assert (np.abs(steps[1:]) < np.abs(steps[:-1])).all()
    assert result.status == "converged"
    assert w[-1] == pytest.approx(3.0, abs=1e-6)


# --- the learning rate ------------------------------------------------------------------------


def test_alpha_too_small_crawls() -> None:
    alpha = toml("alpha-too-small")["optimizer"]["alpha"]
    session, result = run("alpha-too-small")
    w = path(session)[:, 0]
    assert w[0] == 7.0
    assert (np.diff(w) < 0).all()  # every step goes the right way
    # After 100 steps it has not covered half the way from 7 to 3 ...
    assert abs(w[100] - 3) > abs(w[0] - 3) / 2
    # ... and is where the notes say: on the bowl each step multiplies (w - 3) by 1 - 2*alpha.
    assert w[100] == pytest.approx(3 + 4 * (1 - 2 * alpha) ** 100, rel=1e-9)
    assert round(w[100], 2) == 5.19
    assert result.status == "converged"
    assert result.step > 1000


def test_alpha_overshoot_flips_the_slope_every_step_yet_converges() -> None:
    session, result = run("alpha-overshoot")
    w = path(session)[:, 0]
    dw = 2 * (w - 3)  # the bowl's slope, worked out here
    assert w[1] == pytest.approx(-0.2)  # the first jump in the notes: 7 to 3 - 3.2
    assert (dw[1:] * dw[:-1] < 0).all()
    ratios = np.abs(w[1:] - 3) / np.abs(w[:-1] - 3)
    assert ratios == pytest.approx(0.8, rel=1e-6)
    assert result.status == "converged"


def test_alpha_divergent_climbs_every_step_until_it_overflows() -> None:
    session, result = run("alpha-divergent")
    assert result.status == "diverged"
    w = path(session)[:, 0]
    costs = [bowl(x) for x in w]
    assert all(later > earlier for earlier, later in zip(costs, costs[1:], strict=False))
    assert session.costs().tolist() == pytest.approx(costs, rel=1e-12)
    assert np.abs(w[1:] - 3) / np.abs(w[:-1] - 3) == pytest.approx(2.0, rel=1e-9)
    # Every step fired the preset's cost_increase breakpoint, without stopping the run.
    assert all("cost_increase" in session.hits(k) for k in range(1, session.last + 1))


def test_alpha_divergent_c_stops_each_step_until_cost_increase_is_switched_off() -> None:
    session, _ = run_fresh("alpha-divergent", stop_on=frozenset())
    session.goto(0)
    # The notes: the breakpoint stops each time, and c takes the next step ...
    for k in range(1, 4):
        result = session.run()
        assert (result.status, result.step, result.breakpoint) == ("breakpoint", k,
                                                                    "cost_increase")  # fmt: skip
    # ... and with it switched off (B), c goes on until w would pass 1e150.
    session.set_breakpoints(
        bp.toggled() if bp.when == "cost_increase" else bp for bp in session.breakpoints
    )
    result = session.run()
    assert (result.status, result.breakpoint) == ("diverged", "diverged")
    assert result.step == session.last > 3
    # The last step shown is finite; the update that would leave it goes past 1e150, where
    # its square (the cost) no longer fits a float.
    assert math.isfinite(session.current.cost)
    assert abs(session.current.next_theta[0]) > 1e150


def test_alpha_divergent_would_converge_below_alpha_1() -> None:
    # The notes' rule: (w - 3) is multiplied by 1 - 2*alpha, so 0 < alpha < 1 converges.
    # (Just above 1 it grows too slowly to overflow within max_steps; 1.25 multiplies by -1.5.)
    _, below = run("alpha-divergent", ["optimizer.alpha=0.95"])
    _, above = run("alpha-divergent", ["optimizer.alpha=1.25"])
    assert below.status == "converged"
    assert above.status == "diverged"


# --- non-convex curves ------------------------------------------------------------------------


def two_valleys(w: float) -> float:
    return w**4 - 3 * w**2 + w


def test_two_valleys_start_decides_the_valley() -> None:
    # The slope 4w^3 - 6w + 1 vanishes at the two minima and the hill between them.
    roots = sorted(np.roots([4, 0, -6, 1]).real)
    deep, hill, shallow = roots
    assert 12 * deep**2 - 6 > 0 and 12 * shallow**2 - 6 > 0 and 12 * hill**2 - 6 < 0
    assert two_valleys(deep) < two_valleys(shallow)
    # The numbers in the notes.
    assert (round(deep, 2), round(two_valleys(deep), 2)) == (-1.30, -3.51)
    assert (round(shallow, 2), round(two_valleys(shallow), 2)) == (1.13, -1.07)
    assert round(hill, 2) == 0.17

    session, result = run("two-valleys")
    assert session.snapshot(0).dw < 0  # from 0.5 the slope is negative: w moves right
    assert result.status == "converged"
    assert session.current.w == pytest.approx(shallow, abs=1e-5)

    session, result = run("two-valleys", ["start.w=-0.5"])
    assert result.status == "converged"
    assert session.current.w == pytest.approx(deep, abs=1e-5)


def test_plateau_saddle_converges_where_it_is_flat_not_at_the_minimum() -> None:
    tolerance = toml("plateau-saddle")["stop"]["tolerance"]
    session, result = run("plateau-saddle")
    w = path(session)[:, 0]
    assert session.snapshot(0).dw < 0
    assert (np.diff(w) > 0).all()  # always rightward, toward the saddle at 0
    assert result.status == "converged"
    assert session.current.grad_norm <= tolerance
    assert abs(w[-1]) < 0.01
    # The slope w**2*(w - 3) vanishes at 3 too, where the cost is far lower.
    minimum = 3**4 / 4 - 3**3
    assert session.current.cost > minimum + 6
    # The first steps are fast, the last ones crawl.
    assert abs(w[1] - w[0]) > 1000 * abs(w[-1] - w[-2])


def saddle_slope(w: float) -> float:
    """The slope of w**4/4 - w**3, worked out by hand: w**3 - 3*w**2 = w**2*(w - 3)."""
    return w**2 * (w - 3)


def test_plateau_saddle_breakpoint_stops_once_then_c_reaches_the_saddle() -> None:
    tolerance = toml("plateau-saddle")["stop"]["tolerance"]
    session = build_session(load_scenario("plateau-saddle"))
    first = session.run()  # c
    assert (first.status, first.breakpoint) == ("breakpoint", "abs(dw) < 1e-3")
    w = path(session)[:, 0]
    slopes = np.abs([saddle_slope(x) for x in w])
    # It stops where the slope first gets that small.
    assert slopes[-1] < 1e-3 <= slopes[:-1].min()
    second = session.run()  # c again: on to the saddle, not stuck at the breakpoint
    assert second.status == "converged"
    assert second.steps > 1000
    assert session.current.grad_norm <= tolerance
    assert abs(session.current.w) < 0.01
    assert [k for k in range(session.last + 1) if session.hits(k)] == [first.step]


# --- logistic regression ----------------------------------------------------------------------


def hours_data() -> tuple[np.ndarray, np.ndarray]:
    """The lesson's 20 students, read here with the csv module."""
    with (SCENARIOS / "data" / "hours.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return np.array([float(r["hours"]) for r in rows]), np.array([float(r["passed"]) for r in rows])


def logistic_mle(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The maximum likelihood (w..., b) by Newton's method: the exact minimum of J(w, b)."""
    A = np.column_stack([X, np.ones(len(y))])
    theta = np.zeros(A.shape[1])
    for _ in range(100):
        p = 1 / (1 + np.exp(-(A @ theta)))
        gradient = A.T @ (p - y) / len(y)
        hessian = (A * (p * (1 - p))[:, None]).T @ A / len(y)
        theta = theta - np.linalg.solve(hessian, gradient)
    return theta


def test_logistic_one_feature_reaches_the_statistics_answer() -> None:
    hours, passed = hours_data()
    mle = logistic_mle(hours[:, None], passed)
    assert (round(mle[0], 2), round(mle[1], 2)) == (1.50, -4.08)  # the notes' numbers
    session, result = run("logistic-one-feature")
    assert result.status == "converged"
    assert session.current.theta == pytest.approx(mle, abs=1e-4)


def test_logistic_one_feature_starts_where_the_lesson_does() -> None:
    session, _ = run("logistic-one-feature")
    start = session.snapshot(0)
    assert start.cost == pytest.approx(math.log(2), rel=1e-15)
    assert start.dw[0] < 0  # w moves right
    assert start.db == 0.0  # half the students passed
    assert session.snapshot(1).db > 0
    b = path(session)[:, 1]
    assert (np.diff(b[1:]) < 0).all()  # b keeps moving left


def test_logistic_two_features_converges_with_a_vector_w() -> None:
    tolerance = toml("logistic-two-features")["stop"]["tolerance"]
    session, result = run("logistic-two-features")
    assert result.status == "converged"
    assert session.current.w.shape == (2,)
    assert session.current.grad_norm <= tolerance
    spec = load_scenario("logistic-two-features").problem
    assert session.current.theta == pytest.approx(logistic_mle(spec.X, spec.y), abs=1e-4)
    # The clouds overlap: the cost stays well above zero.
    assert session.current.cost > 0.1


def test_separable_data_never_converges() -> None:
    max_steps = toml("separable")["stop"]["max_steps"]
    session, result = run("separable")
    assert result.status == "max_steps"
    assert result.step == max_steps
    costs = session.costs()
    assert (np.diff(costs) < 0).all()
    assert costs[-1] > 0
    theta = path(session)
    w, b = theta[:, 0], theta[:, 1]
    # After the wobble of the first steps, w keeps growing and b keeps falling.
    assert (np.diff(w[5:]) > 0).all()
    assert (np.diff(b[1:]) < 0).all()
    assert w[-1] > 5


def test_separable_breakpoint_stops_once_w_is_large_and_c_keeps_going() -> None:
    max_steps = toml("separable")["stop"]["max_steps"]
    session = build_session(load_scenario("separable"))
    result = session.run()  # c
    assert result.status == "breakpoint"
    assert result.breakpoint == "w[0] > 5"
    w = path(session)[:, 0]
    assert w[-1] > 5 >= w[:-1].max()
    fired = result.step
    again = session.run()  # c again: it keeps going, to max_steps
    assert (again.status, again.step) == ("max_steps", max_steps)
    assert [k for k in range(session.last + 1) if session.hits(k)] == [fired]
    assert (path(session)[fired:, 0] > 5).all()


def test_ravine_zig_zags_under_gradient_descent() -> None:
    alpha = toml("ravine")["optimizer"]["alpha"]
    session, result = run("ravine")
    assert result.status == "converged"
    w, b = path(session).T
    assert (b[1:] * b[:-1] < 0).all()  # b flips sign on every step
    # On w**2 + 100*b**2 a step multiplies w by 1 - 2*alpha and b by 1 - 200*alpha.
    assert w[1:] / w[:-1] == pytest.approx(1 - 2 * alpha, rel=1e-9)
    assert b[1:] / b[:-1] == pytest.approx(1 - 200 * alpha, rel=1e-6)
    assert 0.98 < 1 - 2 * alpha < 1  # w shrinks by under 2% a step
    assert result.step == pytest.approx(870, rel=0.05)


@pytest.mark.parametrize(
    "overrides",
    [["optimizer.kind=momentum"], ["optimizer.kind=adam", "optimizer.alpha=0.5"]],
    ids=["momentum", "adam"],
)
def test_ravine_momentum_and_adam_converge_in_fewer_steps(overrides: list[str]) -> None:
    _, gd = run("ravine")
    _, other = run("ravine", overrides)
    assert other.status == "converged"
    assert other.step < 400 < gd.step


def test_unscaled_features_need_standardizing() -> None:
    session, result = run("unscaled-features")
    assert result.status == "max_steps"
    start = session.snapshot(0)
    assert abs(start.dw[1]) > 5 * abs(start.dw[0])  # the sleep slope drowns the hours slope
    scaled, scaled_result = run(
        "unscaled-features", ["problem.standardize=true", "optimizer.alpha=0.5"]
    )
    assert scaled_result.status == "converged"
    assert scaled_result.step < 1000  # a few hundred steps
    # Standardizing only rescales the features: the best cost is the same, and the unscaled
    # run stopped far above it.
    assert session.current.cost > scaled.current.cost + 0.1


def test_unscaled_features_bounce_at_a_larger_alpha() -> None:
    session, _ = run("unscaled-features", ["optimizer.alpha=0.0001"])
    costs = session.costs()
    assert (np.diff(costs) > 0).any()  # the cost goes up
    sleep = path(session)[:, 1]
    moves = np.sign(np.diff(sleep))
    assert (moves[1:] != moves[:-1]).sum() > 100  # w[1] bounces from side to side
