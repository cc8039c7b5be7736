"""The float loop (plain GD on a curve, in Python floats) records what the array loop records,
bit for bit: the same history, the same stops, the same snapshots for a visitor."""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtui.engine import session as session_module
from gdtui.engine.breakpoints import Breakpoint
from gdtui.engine.history import COLUMNS, History
from gdtui.engine.optimizers import Optimizer
from gdtui.engine.problems import CurveProblem
from gdtui.engine.session import Session
from gdtui.engine.snapshot import Snapshot
from gdtui.expr import parse_cost

COSTS = ["(w - 3)**2", "w**4 - 3*w**2 + w", "w**2 + 25*b**2", "log(w)", "exp(w) - 2*w + b**2"]
BREAKPOINTS = ["cost_increase", "slope_sign_flip", "converged", "abs(dw) < 0.5", "w > 1"]


def _bits(snapshot: Snapshot) -> tuple[Any, ...]:
    arrays = (snapshot.theta, snapshot.grad, snapshot.state, snapshot.next_theta,
              snapshot.next_state)  # fmt: skip
    return (snapshot.step, *(a.tobytes() for a in arrays), np.float64(snapshot.cost).tobytes(),
            snapshot.alpha, snapshot.optimizer)  # fmt: skip


def _session(cost: str, start: list[float], alpha: float, when: list[str]) -> Session:
    problem = CurveProblem(parse_cost(cost))
    return Session(
        problem, Optimizer("gd"), alpha, start[: 1 + problem.has_b], max_steps=300,
        tolerance=1e-3, breakpoints=[Breakpoint(w, enabled=i != 1) for i, w in enumerate(when)],
    )  # fmt: skip


def _record(session: Session) -> tuple[Any, ...]:
    history = session.history
    scalars = np.concatenate([history.column(c) for c in range(COLUMNS)]).tobytes()
    rows = b"".join(
        history.row(s).tobytes() for s in range(0, session.last + 1, history.checkpoint_every)
    )
    return scalars, rows, _bits(session.current), session.divergence


def _drive(session: Session, moves: list[tuple[str, int]], every: int) -> list[Any]:
    """Run `moves` on `session`; everything a caller can see, in order."""
    seen: list[Any] = []
    for move, amount in moves:
        if move.startswith("run"):
            stop_on = frozenset(move.split()[1:])
            result = session.run(
                amount, stop_on, visit=lambda s: seen.append(_bits(s)), every=every
            )
            seen.append(result)
        elif move == "back":
            seen.append(_bits(session.back(amount)))
        elif move == "alpha":
            seen.append(_bits(session.set_alpha(session.alpha * (0.5 + amount / 4))))
        elif move == "adam":
            seen.append(_bits(session.set_optimizer(Optimizer("adam"))))
        elif move == "gd":
            seen.append(_bits(session.set_optimizer(Optimizer("gd"))))
    seen.append(_record(session))
    return seen


RUNS = ["run", "run converged", "run breakpoint", "run converged breakpoint"]
MOVES = st.lists(
    st.tuples(st.sampled_from(RUNS + ["back", "alpha", "adam", "gd"]),
              st.integers(1, 120)),  # fmt: skip
    min_size=1, max_size=6,
)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(
    cost=st.sampled_from(COSTS),
    start=st.lists(st.floats(-4, 4, allow_nan=False), min_size=2, max_size=2),
    alpha=st.sampled_from([1e-3, 0.01, 0.1, 0.45, 1.2]),
    when=st.lists(st.sampled_from(BREAKPOINTS), max_size=3, unique=True),
    moves=MOVES,
    every=st.integers(1, 40),
)
def test_float_loop_records_what_the_array_loop_records(
    cost: str, start: list[float], alpha: float, when: list[str],
    moves: list[tuple[str, int]], every: int,
) -> None:  # fmt: skip
    floats = _drive(_session(cost, start, alpha, when), moves, every)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Session, "_in_floats", lambda self: False)
        arrays = _drive(_session(cost, start, alpha, when), moves, every)
    assert floats == arrays


def test_the_float_loop_runs_plain_gd_on_a_curve(monkeypatch: pytest.MonkeyPatch) -> None:
    # The comparison above means something only if the float loop is the one that ran.
    calls: list[int] = []
    original = Session._compute_curve

    def counted(self: Session, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Session, "_compute_curve", counted)
    session = _session("(w - 3)**2", [0.0, 0.0], 0.1, [])
    session.run(10)
    assert calls == [1]
    session.set_optimizer(Optimizer("adam"))
    session.run(10)
    assert calls == [1]


def _long_run(steps: int, in_floats: bool) -> tuple[Any, list[int]]:
    session = Session(CurveProblem(parse_cost("w**4 - 3*w**2 + w")), Optimizer("gd"), 1e-4,
                      [2.0], max_steps=10**9, tolerance=0.0)  # fmt: skip
    if not in_floats:
        session._in_floats = lambda: False  # type: ignore[method-assign]
    visited: list[int] = []
    session.run(steps, frozenset(), visit=lambda s: visited.append(s.step), every=5000)
    return _record(session), visited


def test_long_float_run_crosses_blocks_and_chunks() -> None:
    # More steps than a block of the float loop and a chunk of the history.
    steps = session_module._BLOCK * 2 + 7 + (1 << 15)
    floats = _long_run(steps, in_floats=True)
    assert floats == _long_run(steps, in_floats=False)
    assert floats[1] == list(range(5000, steps + 1, 5000))


@pytest.mark.parametrize("checkpoint_every", [1, 3])
def test_history_extend_stores_what_append_and_store_row_store(checkpoint_every: int) -> None:
    rng = np.random.default_rng(checkpoint_every)
    size, steps = 4, 70_000
    values = rng.normal(size=(steps, COLUMNS))
    rows = rng.normal(size=(steps, size))
    one_by_one, in_blocks = History(size, checkpoint_every), History(size, checkpoint_every)
    for step in range(steps):
        one_by_one.append(*values[step][:3], int(values[step][3]), int(values[step][4]))
        if one_by_one.needs_row(step):
            one_by_one.store_row(step, rows[step])
    values[:, 3:] = values[:, 3:].astype(int)
    for first, last in [(0, 1), (1, 5000), (5000, 40_000), (40_000, steps)]:
        checkpoints = [s for s in range(first, last) if s % checkpoint_every == 0]
        in_blocks.extend(array("d", values[first:last].tobytes()),
                         array("d", rows[checkpoints].tobytes()))  # fmt: skip
    assert len(in_blocks) == len(one_by_one) == steps
    for column in range(COLUMNS):
        assert in_blocks.column(column).tobytes() == one_by_one.column(column).tobytes()
    for step in range(0, steps, checkpoint_every):
        assert in_blocks.row(step).tobytes() == one_by_one.row(step).tobytes()
