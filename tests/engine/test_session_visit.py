"""`Session.run(visit=..., every=...)`: the steps a run reaches, handed over as it goes."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.build import build_session
from gdtui.engine.snapshot import Snapshot
from gdtui.scenario import load_scenario


def same(a: Snapshot, b: Snapshot) -> bool:
    """Whether two snapshots hold the same floats, bit for bit."""
    arrays = ("theta", "grad", "state", "next_theta", "next_state")
    return (
        a.step == b.step
        and a.cost == b.cost
        and a.alpha == b.alpha
        and a.optimizer == b.optimizer
        and all(np.array_equal(getattr(a, k), getattr(b, k)) for k in arrays)
    )


@pytest.mark.parametrize("every", [1, 3, 10])
@pytest.mark.parametrize(
    ("name", "overrides"),
    [("ravine", ["optimizer.kind=adam"]), ("logistic-two-features", ["optimizer.kind=momentum"])],
)
def test_visits_are_the_steps_rebuilt_from_the_record(
    name: str, overrides: list[str], every: int
) -> None:
    session = build_session(load_scenario(name, overrides))
    visited: list[Snapshot] = []
    session.run(40, stop_on=frozenset(), visit=visited.append, every=every)
    assert [s.step for s in visited] == list(range(every, 41, every))
    for snapshot in visited:
        assert same(snapshot, session._rebuild(snapshot.step))


def test_visits_walk_the_recorded_future_then_compute_new_steps() -> None:
    session = build_session(load_scenario("ravine"))
    session.run(20, stop_on=frozenset())
    session.goto(5)
    visited: list[Snapshot] = []
    result = session.run(25, stop_on=frozenset(), visit=visited.append, every=4)
    assert result.step == 30
    assert [s.step for s in visited] == [8, 12, 16, 20, 24, 28]
    for snapshot in visited:
        assert same(snapshot, session._rebuild(snapshot.step))


def test_a_run_that_stops_early_visits_no_step_past_its_stop() -> None:
    session = build_session(load_scenario("bowl-from-left"))
    visited: list[int] = []
    result = session.run(None, visit=lambda s: visited.append(s.step), every=1)
    assert result.status == "converged"
    assert visited == list(range(1, result.step + 1))
