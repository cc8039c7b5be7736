"""The stepping session: time travel bit for bit, branching, divergence, stops and breakpoints."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest

from gdtui.build import build_session
from gdtui.engine import history
from gdtui.engine.breakpoints import Breakpoint
from gdtui.engine.optimizers import OPTIMIZER_KINDS, Optimizer
from gdtui.engine.problems import CurveProblem, LogisticProblem
from gdtui.engine.session import PARAMETER_LIMIT, Session
from gdtui.engine.snapshot import Snapshot
from gdtui.expr import parse_cost
from gdtui.scenario import list_presets, load_scenario

# Divergence must be a state: no RuntimeWarning may escape the engine anywhere in this file.
pytestmark = pytest.mark.filterwarnings("error")

#: A learning rate per optimizer that makes visible progress on the logistic problem.
ALPHAS = {
    "gd": 0.5,
    "momentum": 0.1,
    "nesterov": 0.1,
    "adagrad": 0.3,
    "rmsprop": 0.01,
    "adam": 0.05,
}


def curve(text: str) -> CurveProblem:
    return CurveProblem(parse_cost(text))


def logistic(n: int = 100, m: int = 30, seed: int = 0) -> LogisticProblem:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = (rng.random(m) < 0.5).astype(np.float64)
    return LogisticProblem(X, y)


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def assert_same_snapshot(actual: Snapshot, expected: Snapshot) -> None:
    """Every value of the step, compared bit for bit."""
    assert actual.step == expected.step
    for name in ("theta", "grad", "state", "next_theta", "next_state"):
        a, e = getattr(actual, name), getattr(expected, name)
        assert a.shape == e.shape, name
        assert a.tobytes() == e.tobytes(), f"{name} differs at step {expected.step}"
    assert bits(actual.cost) == bits(expected.cost)
    assert bits(actual.alpha) == bits(expected.alpha)
    assert actual.optimizer == expected.optimizer


def live_trace(session: Session, steps: int) -> list[Snapshot]:
    """The snapshots the run loop itself produced, one `step()` at a time."""
    trace = [session.current]
    for _ in range(steps):
        result = session.step()
        assert result.status == "steps_done"
        trace.append(session.current)
    return trace


PROBLEMS = {
    # theta has 101 floats, so the history keeps full rows only every few steps.
    "logistic-n100": lambda: (logistic(), np.random.default_rng(1).normal(size=101) * 0.1),
    "curve-w-b": lambda: (curve("w**4 - 3*w**2 + w + (b - w)**2"), np.array([2.0, -1.0])),
}


def make_session(problem_name: str, kind: str, **kwargs) -> Session:
    problem, theta0 = PROBLEMS[problem_name]()
    alpha = ALPHAS[kind] if problem_name.startswith("logistic") else 0.01
    return Session(problem, Optimizer(kind), alpha, theta0, max_steps=10_000, **kwargs)


# -- time travel ---------------------------------------------------------------------------


def test_big_problem_keeps_rows_only_at_checkpoints():
    # Otherwise the bit-for-bit tests below would not exercise the replay at all.
    assert make_session("logistic-n100", "adam").history.checkpoint_every > 1


@pytest.mark.parametrize("problem_name", PROBLEMS)
@pytest.mark.parametrize("kind", OPTIMIZER_KINDS)
def test_goto_and_back_restore_every_step_bit_for_bit(problem_name, kind):
    session = make_session(problem_name, kind)
    trace = live_trace(session, 30)
    order = np.random.default_rng(2).permutation(len(trace))
    for k in order:
        assert_same_snapshot(session.goto(int(k)), trace[k])
        assert_same_snapshot(session.current, trace[k])
    session.goto(30)
    for k in range(29, -1, -1):
        assert_same_snapshot(session.back(), trace[k])
    for k in order:
        assert_same_snapshot(session.snapshot(int(k)), trace[k])
    for snapshot, expected in zip(session.snapshots(), trace, strict=True):
        assert_same_snapshot(snapshot, expected)


@pytest.mark.parametrize("problem_name", PROBLEMS)
@pytest.mark.parametrize("kind", OPTIMIZER_KINDS)
def test_one_long_run_records_the_same_steps_as_single_steps(problem_name, kind):
    trace = live_trace(make_session(problem_name, kind), 30)
    session = make_session(problem_name, kind)
    assert session.step(30).step == 30
    for snapshot, expected in zip(session.snapshots(), trace, strict=True):
        assert_same_snapshot(snapshot, expected)
    np.testing.assert_array_equal(session.costs(), [s.cost for s in trace])
    np.testing.assert_array_equal(session.path(), [s.theta for s in trace])


@pytest.mark.parametrize("kind", OPTIMIZER_KINDS)
def test_stepping_forward_after_back_walks_the_same_run(kind):
    session = make_session("logistic-n100", kind)
    trace = live_trace(session, 30)
    session.back(17)
    assert session.current.step == 13
    result = session.step(10)
    assert (result.status, result.steps, result.step) == ("steps_done", 10, 23)
    assert_same_snapshot(session.current, trace[23])
    result = session.step(12)  # past the recorded end: 7 recorded steps, then 5 new ones
    assert (result.status, result.steps, result.step) == ("steps_done", 12, 35)
    assert session.last == 35
    for snapshot, expected in zip(session.snapshots(0, 31), trace, strict=True):
        assert_same_snapshot(snapshot, expected)


def test_goto_clamps_to_the_recorded_steps_and_snapshot_refuses_others():
    session = make_session("curve-w-b", "gd")
    session.step(5)
    assert session.goto(99).step == 5
    assert session.goto(-3).step == 0
    assert session.back().step == 0
    for step in (-1, 6):
        with pytest.raises(IndexError):
            session.snapshot(step)


def test_snapshot_arrays_are_read_only():
    session = make_session("curve-w-b", "momentum")
    session.step(3)
    with pytest.raises(ValueError):
        session.current.theta[0] = 0.0
    with pytest.raises(ValueError):
        session.current.state[0] = 0.0


# -- changing settings -------------------------------------------------------------------------


def test_changing_alpha_after_back_branches_from_the_cursor():
    session = Session(curve("(w - 3)**2"), Optimizer("gd"), 0.1, [0.0])
    trace = live_trace(session, 20)
    session.goto(10)
    session.set_alpha(0.3)
    assert session.last == session.current.step == 10
    assert session.current.alpha == 0.3
    assert session.current.next_w == pytest.approx(trace[10].w - 0.3 * trace[10].dw, rel=1e-15)
    session.step(5)
    for k in range(10, 15):
        before, after = session.snapshot(k), session.snapshot(k + 1)
        # The lesson's rule with the new alpha: w := w - alpha*dw, and dw = 2(w - 3).
        assert after.w == before.w - 0.3 * before.dw
        assert before.dw == pytest.approx(2 * (before.w - 3), rel=1e-12)
    # The steps before the branch are untouched, and each keeps the alpha it was taken with.
    for k in range(10):
        assert_same_snapshot(session.snapshot(k), trace[k])
    assert [session.snapshot(k).alpha for k in range(16)] == [0.1] * 10 + [0.3] * 6


def test_setting_the_same_alpha_keeps_the_recorded_future():
    session = Session(curve("(w - 3)**2"), Optimizer("gd"), 0.1, [0.0])
    session.step(20)
    session.goto(10)
    session.set_alpha(0.1)
    assert session.last == 20


@pytest.mark.parametrize("branch_at", [0, 6, 7, 15, 16, 17, 111, 112, 199])
def test_a_branch_equals_a_run_that_went_that_way_from_the_start(monkeypatch, branch_at):
    # Tiny storage chunks (16 steps of scalars, 16 rows), so forgetting the future after
    # `branch_at` cuts through chunk and checkpoint boundaries (rows every 7 steps).
    monkeypatch.setattr(history, "CHUNK", 16)
    monkeypatch.setattr(history, "ROW_CHUNK_FLOATS", 1)

    def new_session() -> Session:
        problem = logistic(n=100, m=20)
        return Session(problem, Optimizer("momentum"), 0.1, np.zeros(101), tolerance=0.0)

    branched = new_session()
    branched.step(200)
    branched.goto(branch_at)
    branched.set_alpha(0.05)
    branched.set_optimizer(Optimizer("adam"))
    branched.step(60)
    straight = new_session()
    straight.step(branch_at)
    straight.set_alpha(0.05)
    straight.set_optimizer(Optimizer("adam"))
    straight.step(60)
    assert branched.last == straight.last == branch_at + 60
    for snapshot, expected in zip(branched.snapshots(), straight.snapshots(), strict=True):
        assert_same_snapshot(snapshot, expected)
    np.testing.assert_array_equal(branched.costs(), straight.costs())
    assert branched.history.nbytes() == straight.history.nbytes()


def test_switching_back_at_the_same_step_restores_the_run():
    session = Session(curve("w**4 - 3*w**2 + w"), Optimizer("momentum"), 0.01, [2.0])
    trace = live_trace(session, 20)
    session.goto(10)
    session.set_optimizer(Optimizer("adam"))
    session.set_optimizer(Optimizer("momentum"))
    assert session.last == 10  # the future was forgotten...
    session.step(10)
    for k in range(21):  # ...and the same settings bring back the same run
        assert_same_snapshot(session.snapshot(k), trace[k])


@pytest.mark.parametrize("alpha", [0.0, -0.1, math.nan, math.inf])
def test_alpha_must_be_positive_and_finite(alpha):
    session = Session(curve("(w - 3)**2"), Optimizer("gd"), 0.1, [0.0])
    with pytest.raises(ValueError, match="alpha"):
        session.set_alpha(alpha)


@pytest.mark.parametrize("switch_at", [10, 14])  # between checkpoints, and on one (every 7)
def test_set_optimizer_mid_run_applies_from_the_next_step(switch_at):
    session = make_session("logistic-n100", "gd")
    alpha = session.alpha
    session.step(switch_at)
    before = session.current
    session.set_optimizer(Optimizer("adam"))
    switched = session.current
    assert switched.optimizer == Optimizer("adam")
    assert switched.theta.tobytes() == before.theta.tobytes()
    # A new optimizer starts with fresh state, as a new torch optimizer would.
    assert not switched.state.any()
    assert session.snapshot(switch_at - 1).optimizer == Optimizer("gd")
    trace = live_trace(session, 6)
    # Adam's first step moves each parameter by alpha*g/(|g| + eps): m_hat = g, v_hat = g**2.
    g = switched.grad
    np.testing.assert_allclose(
        trace[1].theta - trace[0].theta, -alpha * g / (np.abs(g) + 1e-8), rtol=1e-12, atol=1e-300
    )
    # The steps after it carry Adam's state along.
    adam = Optimizer("adam")
    state = adam.initial_state(g.size)
    for k in range(6):
        theta, state = adam.update(trace[k].theta, trace[k].grad, state, alpha)
        np.testing.assert_array_equal(trace[k + 1].theta, theta)
    # Revisiting replays across the switch (from a checkpoint before it) bit for bit.
    for k in range(switch_at, switch_at + 7):
        assert_same_snapshot(session.goto(k), trace[k - switch_at])
    assert session.goto(switch_at - 3).optimizer == Optimizer("gd")


def test_reset_keeps_the_settings_and_restart_takes_a_new_start():
    session = Session(curve("(w - 3)**2"), Optimizer("gd"), 0.1, [0.0])
    session.step(5)
    session.set_alpha(0.2)
    session.set_optimizer(Optimizer("momentum"))
    snapshot = session.reset()
    assert (snapshot.step, session.last, snapshot.w) == (0, 0, 0.0)
    assert (snapshot.alpha, snapshot.optimizer) == (0.2, Optimizer("momentum"))
    snapshot = session.restart([5.0])
    assert (snapshot.w, snapshot.dw) == (5.0, 4.0)
    with pytest.raises(ValueError, match="1 numbers"):
        session.restart([1.0, 2.0])


# -- divergence ------------------------------------------------------------------------------


def test_divergence_is_a_state_that_keeps_the_last_finite_step():
    # J = w**2, alpha = 1.5: w := w - 1.5*2w = -2w, so w_k = (-2)**k. 2**498 ~ 8.2e149 is
    # within the 1e150 limit, 2**499 ~ 1.6e150 is not: the update from step 498 is not taken.
    session = Session(curve("w**2"), Optimizer("gd"), 1.5, [1.0], max_steps=10_000)
    result = session.run()
    assert (result.status, result.steps, result.step) == ("diverged", 498, 498)
    assert session.diverged
    assert session.current.w == 2.0**498 and session.current.cost == 2.0**996
    assert session.current.next_w == -(2.0**499)
    assert session.last == 498
    # Stepping again stays put; the run is still there to inspect.
    result = session.step()
    assert (result.status, result.steps, result.step) == ("diverged", 0, 498)
    assert session.back().w == -(2.0**497)
    assert not session.diverged
    result = session.run()
    assert (result.status, result.steps, result.step) == ("diverged", 1, 498)


def test_after_divergence_a_smaller_alpha_branches_and_converges():
    session = Session(curve("w**2"), Optimizer("gd"), 1.5, [1.0], max_steps=10_000)
    session.run()
    session.goto(10)
    session.set_alpha(0.1)
    assert not session.diverged
    result = session.run()
    assert result.status == "converged"
    assert session.snapshot(10).w == 1024.0


@pytest.mark.parametrize(
    ("text", "w0", "alpha", "diverged_at"),
    [
        # J = w: dw = 1, w_1 = -alpha. Exactly 1e150 is still a number we keep...
        ("w", 0.0, 1e150, 1),
        # ...but 2e150 is not.
        ("w", 0.0, 2e150, 0),
        # J = sqrt(w): dw = 1/(2 sqrt w) = 0.5 at w = 1, w_1 = 1 - 4*0.5 = -1, sqrt(-1) = nan.
        ("sqrt(w)", 1.0, 4.0, 0),
        # J = -1/w: dw = 1/w**2 = 1, w_1 = 1 - 1 = 0, J = -1/0 = -inf.
        ("-1/w", 1.0, 1.0, 0),
        # J = -w**3 runs off to -inf with a slope of 3w**2: w grows like w + 0.3w**2 until
        # the next w passes 1e150 while the cost and w are still finite numbers.
        ("-w**3", 1.0, 0.1, 12),
    ],
)
def test_what_counts_as_diverged(text, w0, alpha, diverged_at):
    session = Session(curve(text), Optimizer("gd"), alpha, [w0], max_steps=10_000)
    result = session.run()
    assert (result.status, result.step) == ("diverged", diverged_at)
    current = session.current
    assert abs(current.w) <= PARAMETER_LIMIT and math.isfinite(current.cost)
    next_cost = session.problem.cost(current.next_theta)
    assert abs(current.next_w) > PARAMETER_LIMIT or not math.isfinite(next_cost)
    # Asking again, or reading the step, stays quiet (a slope of 3w**2 ~ 5e166 overflows
    # its own square: the norm is inf, not a warning).
    assert session.run().status == "diverged"
    assert current.grad_norm >= 0.0


def test_logistic_with_a_huge_alpha_diverges_quietly():
    # The logistic cost's slope is bounded (|dw_j| <= max |X_ij|), so only a single huge step
    # can leave the 1e150 box: from theta = 0, db = mean(1/2 - y) is not 0 for these labels.
    problem = logistic(n=5, m=31)
    session = Session(problem, Optimizer("gd"), 1e300, np.zeros(6))
    assert session.current.db == pytest.approx(np.mean(0.5 - problem.y), rel=1e-15)
    result = session.run()
    assert (result.status, result.step) == ("diverged", 0)
    assert np.array_equal(session.current.theta, np.zeros(6))
    assert np.abs(session.current.next_theta).max() > PARAMETER_LIMIT
    assert session.step(5).steps == 0
    # A sane alpha from there goes on as if nothing happened.
    session.set_alpha(0.5)
    assert session.step(5).step == 5


@pytest.mark.parametrize("enabled", [True, False])
def test_diverged_breakpoint_names_itself(enabled):
    session = Session(
        curve("w**2"), Optimizer("gd"), 1.5, [1.0], breakpoints=[Breakpoint("diverged", enabled)]
    )
    result = session.run()
    assert result.status == "diverged"
    assert result.breakpoint == ("diverged" if enabled else None)


# -- stops -------------------------------------------------------------------------------------


def test_converged_stop():
    # J = (w-3)**2, alpha 0.1 from 0: w - 3 shrinks by 1 - 0.2 = 0.8 a step, so
    # |dw| = 6 * 0.8**k, which is <= 1e-6 first at k = 70 (9.8e-7; k = 69 gives 1.2e-6).
    session = Session(curve("(w - 3)**2"), Optimizer("gd"), 0.1, [0.0], tolerance=1e-6)
    result = session.run()
    assert (result.status, result.steps, result.step) == ("converged", 70, 70)
    again = session.run()
    assert (again.status, again.steps) == ("converged", 0)
    # `step` is explicit: it moves on anyway.
    assert session.step().step == 71


def test_continue_over_recorded_steps_stops_where_it_converged():
    session = Session(curve("(w - 3)**2"), Optimizer("gd"), 0.1, [0.0], tolerance=1e-6)
    session.step(100)  # `step` goes past the converged step 70 (see above)
    session.goto(0)
    result = session.run()
    assert (result.status, result.steps, result.step) == ("converged", 70, 70)
    assert session.last == 100


@pytest.mark.parametrize("w0", [math.nan, math.inf, 1e200])
def test_a_start_that_is_not_a_finite_point_has_already_diverged(w0):
    session = Session(curve("w**2"), Optimizer("gd"), 0.1, [w0])
    assert session.diverged
    result = session.run()
    assert (result.status, result.steps, result.step) == ("diverged", 0, 0)


def test_max_steps_stop():
    session = Session(curve("(w - 3)**2"), Optimizer("gd"), 1e-4, [0.0], max_steps=25)
    result = session.run()
    assert (result.status, result.steps, result.step) == ("max_steps", 25, 25)
    assert session.step(10).steps == 0
    session.goto(20)
    result = session.step(100)
    assert (result.status, result.steps, result.step) == ("max_steps", 5, 25)


def test_run_limit():
    session = Session(curve("(w - 3)**2"), Optimizer("gd"), 1e-4, [0.0])
    result = session.run(limit=5)
    assert (result.status, result.steps, result.step) == ("steps_done", 5, 5)


# -- breakpoints -------------------------------------------------------------------------------


def test_cost_increase_stops_the_first_time_the_cost_goes_up():
    # J = w**2 with alpha 1.5 doubles |w| each step: the cost goes up at step 1.
    session = Session(
        curve("w**2"), Optimizer("gd"), 1.5, [1.0], breakpoints=[Breakpoint("cost_increase")]
    )
    result = session.run()
    assert (result.status, result.step, result.breakpoint) == ("breakpoint", 1, "cost_increase")
    assert session.current.cost == 4.0


def test_cost_increase_does_not_fire_while_the_cost_goes_down():
    # Separable data: moving w right lowers every example's cost, and with slopes of ~1e-11
    # an alpha of 1e7 moves it right by ~7e-5 a step from w = 25, where J ~ 7e-12 and the
    # curvature is ~1e-10, far below 2/alpha, so J really goes down every step, by ~7 parts
    # in 1e6: the cost must be accurate to far better than that for the breakpoint to see it.
    X, y = np.array([[1.0], [2.0], [-1.0], [-2.0]]), np.array([1.0, 1.0, 0.0, 0.0])
    session = Session(
        LogisticProblem(X, y),
        Optimizer("gd"),
        1e7,
        [25.0, 0.0],
        tolerance=0.0,
        breakpoints=[Breakpoint("cost_increase")],
    )
    result = session.run(limit=100)
    assert (result.status, result.step) == ("steps_done", 100)
    assert np.all(np.diff(session.path()[:, 0]) > 0)
    assert np.all(np.diff(session.costs()) < 0)


def test_step_ignores_breakpoints():
    session = Session(
        curve("w**2"), Optimizer("gd"), 1.5, [1.0], breakpoints=[Breakpoint("cost_increase")]
    )
    result = session.step(10)
    assert (result.status, result.step) == ("steps_done", 10)
    assert all(session.hits(k) == ("cost_increase",) for k in range(1, 11))


@pytest.mark.parametrize(
    ("alpha", "flips"),
    [
        # J = (w-3)**2 has L = J'' = 2. alpha = 0.75 is between 1/L and 2/L: w - 3 is
        # multiplied by 1 - 2*0.75 = -0.5, so dw changes sign every step, yet J goes down.
        (0.75, True),
        # alpha = 0.25 < 1/L: multiplied by 0.5, never across the bottom.
        (0.25, False),
    ],
)
def test_slope_sign_flip(alpha, flips):
    session = Session(
        curve("(w - 3)**2"),
        Optimizer("gd"),
        alpha,
        [0.0],
        breakpoints=[Breakpoint("slope_sign_flip"), Breakpoint("cost_increase")],
    )
    session.step(10)
    for k in range(1, 11):
        assert session.hits(k) == (("slope_sign_flip",) if flips else ())
        # dw_k = 2(w_k - 3) = -6 * (1 - 2*alpha)**k
        assert np.sign(session.snapshot(k).dw) == -np.sign((1 - 2 * alpha) ** k)
    session.goto(0)
    result = session.run()
    assert result.status == ("breakpoint" if flips else "converged")


@pytest.mark.parametrize(
    ("w0", "alpha"),
    [
        # Already at the bottom of (w-3)**2: dw = 0, nothing moves, J stays 0.
        (3.0, 0.1),
        # alpha = 1/L = 0.5 lands on the bottom in one step: w_1 = 0 - 0.5*(-6) = 3 exactly.
        # dw goes from -6 to 0 (not across 0) and J from 9 to 0, then stays.
        (0.0, 0.5),
    ],
)
def test_landing_on_the_bottom_is_neither_a_flip_nor_an_increase(w0, alpha):
    session = Session(
        curve("(w - 3)**2"),
        Optimizer("gd"),
        alpha,
        [w0],
        breakpoints=[Breakpoint("slope_sign_flip"), Breakpoint("cost_increase")],
    )
    session.step(3)
    assert session.current.w == 3.0 and session.current.cost == 0.0
    assert [session.hits(k) for k in range(1, 4)] == [(), (), ()]


def test_converged_breakpoint():
    session = Session(
        curve("(w - 3)**2"), Optimizer("gd"), 0.1, [0.0], breakpoints=[Breakpoint("converged")]
    )
    # Without the converged stop, the breakpoint is what stops at step 70 (see above).
    result = session.run(stop_on=frozenset({"breakpoint"}))
    assert (result.status, result.step, result.breakpoint) == ("breakpoint", 70, "converged")


@pytest.mark.parametrize(
    ("when", "expected_step"),
    [
        ("step == 50", 50),
        # |dw| = 6 * 0.8**k < 1e-3 first at k = 39 (9.98e-4; k = 38 gives 1.25e-3).
        ("abs(dw) < 1e-3", 39),
        # w = 3 - 3*0.8**k > 2.5 when 0.8**k < 1/6: first at k = 9 (0.134; k = 8 gives 0.168).
        ("w > 2.5", 9),
    ],
)
def test_expression_breakpoints_stop_where_they_first_hold(when, expected_step):
    session = Session(
        curve("(w - 3)**2"), Optimizer("gd"), 0.1, [0.0], breakpoints=[Breakpoint(when)]
    )
    result = session.run()
    assert (result.status, result.step, result.breakpoint) == ("breakpoint", expected_step, when)


def test_cost_increase_fires_on_every_rise_and_the_expression_where_a_rise_begins():
    # A non-convex curve and an alpha that overshoots now and then. The built-in is an event
    # of one step: every step whose cost is above the one before. The same test written as an
    # expression is a watchpoint: it fires where the cost starts rising, after a fall.
    session = Session(
        curve("w**4 - 3*w**2 + w"),
        Optimizer("momentum"),
        0.05,
        [2.0],
        breakpoints=[Breakpoint("cost_increase"), Breakpoint("cost > prev_cost")],
    )
    session.step(60)
    costs = session.costs()
    increases = [k for k in range(1, 61) if costs[k] > costs[k - 1]]
    starts = [k for k in increases if k - 1 not in increases]
    assert increases, "the case should have some increases"
    assert len(increases) < 60
    assert len(starts) < len(increases), "the case should rise on consecutive steps"
    for k in range(1, 61):
        expected = ("cost_increase",) * (k in increases) + ("cost > prev_cost",) * (k in starts)
        assert session.hits(k) == expected


def test_vector_expression_breakpoint_on_logistic_regression():
    session = Session(
        logistic(n=5),
        Optimizer("gd"),
        0.5,
        np.zeros(6),
        breakpoints=[Breakpoint("norm(dw) < 0.05")],
    )
    result = session.run()
    assert result.status == "breakpoint"
    norms = [float(np.linalg.norm(s.dw)) for s in session.snapshots()]
    assert norms[-1] < 0.05 <= min(norms[1:-1])


def test_at_most_52_breakpoints():
    # Which breakpoints fired is kept as the bits of one float64.
    with pytest.raises(ValueError, match="52"):
        Session(
            curve("w**2"), Optimizer("gd"), 0.1, [1.0], breakpoints=[Breakpoint("step > 0")] * 53
        )


def test_a_disabled_breakpoint_does_not_stop_the_run():
    session = Session(
        curve("(w - 3)**2"),
        Optimizer("gd"),
        0.1,
        [0.0],
        breakpoints=[Breakpoint("step == 5", enabled=False)],
    )
    result = session.run()
    assert (result.status, result.step, result.breakpoint) == ("converged", 70, None)
    assert session.hits(5) == ()  # not reported while disabled ...
    session.set_breakpoints([Breakpoint("step == 5", enabled=True)])
    assert session.hits(5) == ("step == 5",)  # ... but recorded, so enabling it shows it


# -- a condition fires where it becomes true ---------------------------------------------------
#
# On (w - 3)**2 from w = 0 with alpha = 0.1, w_k = 3 - 3*0.8**k: w > 2.5 first holds at k = 9
# (see above) and then holds on every step after, up to convergence at step 70.


def test_a_condition_that_stays_true_fires_once():
    session = Session(
        curve("(w - 3)**2"), Optimizer("gd"), 0.1, [0.0], breakpoints=[Breakpoint("w > 2.5")]
    )
    session.step(80)
    w = session.path()[:, 0]
    assert (w[9:] > 2.5).all() and (w[:9] <= 2.5).all()
    assert [k for k in range(81) if session.hits(k)] == [9]


def test_continue_where_a_condition_fired_goes_on_to_the_next_stop():
    session = Session(
        curve("(w - 3)**2"), Optimizer("gd"), 0.1, [0.0], breakpoints=[Breakpoint("w > 2.5")]
    )
    first = session.run()
    assert (first.status, first.step, first.breakpoint) == ("breakpoint", 9, "w > 2.5")
    second = session.run()
    assert (second.status, second.step, second.breakpoint) == ("converged", 70, None)


def test_a_condition_that_goes_false_and_true_again_fires_again():
    # From w = 7 with alpha = 0.9, w_k - 3 = 4*(-0.8)**k: w > 3 holds at even k only. It
    # holds at the start, where nothing fires, so it fires at 2, 4, 6, ...
    session = Session(
        curve("(w - 3)**2"), Optimizer("gd"), 0.9, [7.0], breakpoints=[Breakpoint("w > 3")]
    )
    session.step(20)
    assert session.path()[:, 0] - 3 == pytest.approx(4 * (-0.8) ** np.arange(21), rel=1e-12)
    assert [k for k in range(21) if session.hits(k)] == list(range(2, 21, 2))
    session.goto(0)
    stops = [session.run().step for _ in range(3)]
    assert stops == [2, 4, 6]


def test_a_condition_true_at_the_start_does_not_fire_while_it_stays_true():
    session = Session(
        curve("(w - 3)**2"), Optimizer("gd"), 0.1, [2.8], breakpoints=[Breakpoint("w > 2.5")]
    )
    result = session.run()
    # |dw_k| = 0.4*0.8**k <= 1e-6 first at k = 58 (57.8 rounded up).
    assert (result.status, result.step) == ("converged", 58)
    assert not any(session.hits(k) for k in range(session.last + 1))


def test_converged_fires_once_where_the_slope_first_meets_the_tolerance():
    session = Session(
        curve("(w - 3)**2"), Optimizer("gd"), 0.1, [0.0], breakpoints=[Breakpoint("converged")]
    )
    session.step(90)
    # |dw_k| = 6*0.8**k <= 1e-6 first at k = 70, and stays below after.
    assert [k for k in range(91) if session.hits(k)] == [70]
    session.goto(70)
    result = session.run(stop_on=frozenset({"breakpoint"}), limit=10)
    assert (result.status, result.step) == ("steps_done", 80)


def test_a_disabled_condition_is_recorded_and_enabling_it_shows_where_it_became_true():
    session = Session(
        curve("(w - 3)**2"), Optimizer("gd"), 0.1, [0.0],
        breakpoints=[Breakpoint("w > 2.5", enabled=False)],
    )  # fmt: skip
    result = session.run(limit=30)
    assert (result.status, result.step) == ("steps_done", 30)  # not stopped at 9 ...
    session.set_breakpoints([Breakpoint("w > 2.5")])
    assert [k for k in range(31) if session.hits(k)] == [9]  # ... but recorded there
    # Switched on where it has long held, it does not stop the next step: c goes on.
    result = session.run()
    assert (result.status, result.step) == ("converged", 70)


def test_recorded_hits_are_bit_exact_after_back_goto_and_branching():
    def fresh() -> Session:
        return Session(
            curve("(w - 3)**2"), Optimizer("gd"), 0.9, [7.0],
            breakpoints=[Breakpoint("w > 3"), Breakpoint("slope_sign_flip")],
        )  # fmt: skip

    session = fresh()
    session.step(30)
    hits = [session.hits(k) for k in range(31)]
    # Revisit: back, goto, and walk the recorded run again with continue.
    session.back(7)
    session.goto(3)
    walked = []
    while session.current.step < 30:
        result = session.run(limit=30 - session.current.step)
        walked.append((result.step, result.breakpoint))
    # The flip is an event of every step; w > 3 becomes true again at each even step.
    assert walked == [(k, "w > 3" if k % 2 == 0 else "slope_sign_flip") for k in range(4, 31)]
    assert [session.hits(k) for k in range(31)] == hits
    # Branch at step 12, where w > 3 holds: the same alpha set again is no branch, a new
    # one is, and what held at step 12 decides what fires at step 13.
    session.goto(12)
    session.set_alpha(0.1)  # now (w - 3) shrinks by 0.8 a step, staying above 3
    session.step(5)
    assert (session.path()[12:, 0] > 3).all()
    assert [session.hits(k) for k in range(13)] == hits[:13]
    assert [session.hits(k) for k in range(13, 18)] == [()] * 5
    # A new session that makes the same moves records the same bits.
    again = fresh()
    again.step(12)
    again.set_alpha(0.1)
    again.step(5)
    assert [again.hits(k) for k in range(18)] == [session.hits(k) for k in range(18)]


def test_hits_survive_checkpoints_far_apart():
    # Many features make wide rows, kept only every few steps: hits still come from the
    # per-step record, so a rebuilt step shows them.
    problem = logistic(n=300)
    session = Session(problem, Optimizer("gd"), 0.5, np.zeros(301),
                      breakpoints=[Breakpoint("norm(dw) < 0.05")])  # fmt: skip
    assert session.history.checkpoint_every > 1
    result = session.run()
    assert result.status == "breakpoint"
    fired = result.step
    session.step(20)
    session.goto(fired - 3)
    assert [k for k in range(session.last + 1) if session.hits(k)] == [fired]
    assert session.run().step == fired  # walking the record again stops there ...
    assert session.run().step > fired  # ... and continue goes on from there


def test_walking_the_recorded_run_again_stops_at_the_same_breakpoint():
    session = Session(
        curve("(w - 3)**2"), Optimizer("gd"), 0.1, [0.0], breakpoints=[Breakpoint("step == 50")]
    )
    session.step(60)
    session.goto(10)
    result = session.run()
    assert (result.status, result.steps, result.step) == ("breakpoint", 40, 50)


# -- where a step goes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("w0", "expected"),
    [
        # The lesson: positive slope -> w decreases (moves left); negative -> moves right.
        (5.0, "left"),
        (1.0, "right"),
        (3.0, "stay"),
    ],
)
def test_gd_moves_by_the_lessons_sign_rule(w0, expected):
    session = Session(curve("(w - 3)**2"), Optimizer("gd"), 0.1, [w0])
    assert session.current.move == {"w": expected}
    assert session.current.downhill == session.current.move


def test_gd_moves_each_component_against_its_slope():
    session = Session(logistic(n=5), Optimizer("gd"), 0.5, np.ones(6))
    for snapshot in [session.current, session.goto(session.step(5).step)]:
        dw = snapshot.dw
        assert snapshot.move["w"] == ["left" if d > 0 else "right" for d in dw]
        assert snapshot.move["b"] == ("left" if snapshot.db > 0 else "right")
        assert snapshot.move == snapshot.downhill


def test_momentum_can_move_uphill():
    # Heavy ball on (w-3)**2 from 0: the velocity carries w past 3, so for a while it keeps
    # moving right although the slope is positive and downhill is left.
    session = Session(curve("(w - 3)**2"), Optimizer("momentum"), 0.1, [0.0])
    session.step(30)
    uphill = [s for s in session.snapshots() if s.move != s.downhill]
    assert uphill
    first = uphill[0]
    assert first.dw > 0 and first.next_w > first.w
    assert (first.move, first.downhill) == ({"w": "right"}, {"w": "left"})


def test_grad_norm_is_the_length_of_dw_and_db():
    session = Session(curve("w**2 + 25*b**2"), Optimizer("gd"), 0.01, [3.0, 0.2])
    # (dw, db) = (2w, 50b) = (6, 10)
    assert session.current.grad_norm == pytest.approx(math.hypot(6.0, 10.0), rel=1e-15)
    assert (session.current.dw, session.current.db) == (6.0, 10.0)


# -- memory --------------------------------------------------------------------------------------

MB = 1_000_000


def test_history_of_a_million_curve_steps_fits_in_200_mb():
    # Rows have room for any optimizer's state, so plain GD (the fastest) allocates the same.
    session = Session(curve("(w - 3)**2 + 1"), Optimizer("gd"), 1e-9, [0.0], max_steps=10**7)
    steps = 200_000
    assert session.step(steps).step == steps
    assert session.history.nbytes() * (1_000_000 / steps) < 200 * MB


def test_history_of_100k_steps_with_101_parameters_fits_in_200_mb():
    session = Session(
        logistic(n=100, m=10), Optimizer("adam"), 1e-6, np.zeros(101), max_steps=10**7
    )
    steps = 10_000
    assert session.step(steps).step == steps
    assert session.history.nbytes() * (100_000 / steps) < 200 * MB


@pytest.mark.parametrize("name", [name for name, _ in list_presets()])
def test_landing_cost_is_the_cost_the_next_step_records(name):
    session = build_session(load_scenario(name))
    for _ in range(5):
        before = session.current
        landing = session.landing_cost(before)  # not yet recorded: evaluated at next_theta
        result = session.step(1)
        if not result.steps:
            assert not math.isfinite(landing) or session.diverged
            break
        assert landing == session.current.cost
        assert session.landing_cost(session.snapshot(before.step)) == landing  # recorded
