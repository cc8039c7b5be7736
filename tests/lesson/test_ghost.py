"""The ghost (`m`): what a kept run keeps, bounded however long the run (headless)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gdtui.build import build_session
from gdtui.engine.optimizers import Optimizer
from gdtui.engine.session import Session
from gdtui.lesson import ghost as ghosts
from gdtui.lesson import wire
from gdtui.lesson.actions import Load, Resume, ShowGhost, apply, catch_up, open_resumed
from gdtui.lesson.recording import load_of
from gdtui.scenario import load_scenario

LOAD = Load("alpha-overshoot")


def session_of(name: str = "alpha-overshoot") -> Session:
    return build_session(load_scenario(name))


def test_a_short_run_keeps_every_cost_and_every_point_of_its_path() -> None:
    session = session_of()
    session.step(12)
    ghost = ghosts.keep(session, LOAD)
    assert ghost.last == 12 and ghost.load == LOAD
    assert ghost.steps.tolist() == list(range(13)) == ghost.path_steps.tolist()
    assert np.array_equal(ghost.costs, session.costs())
    expected = np.array([session.snapshot(k).theta for k in range(13)])
    assert np.array_equal(ghost.path, expected)
    assert np.array_equal(ghost.path_costs, session.costs())


def test_it_keeps_the_run_up_to_the_furthest_step_not_the_cursor() -> None:
    session = session_of()
    session.step(10)
    session.back(7)
    ghost = ghosts.keep(session, LOAD)
    assert ghost.last == 10
    assert ghost.costs[-1] == session.costs(10, 11)[0]


def test_it_is_a_copy_the_run_going_on_does_not_change() -> None:
    session = session_of()
    session.step(5)
    ghost = ghosts.keep(session, LOAD)
    theta0, costs = ghost.theta0.copy(), ghost.costs.copy()
    session.restart(np.array([1.0]))
    session.step(3)
    assert np.array_equal(ghost.theta0, theta0) and np.array_equal(ghost.costs, costs)


def test_it_keeps_the_alpha_and_optimizer_it_ran_with() -> None:
    session = session_of()
    session.step(2)
    assert ghosts.keep(session, LOAD).alphas == (0.9,)
    assert ghosts.keep(session, LOAD).optimizers == ("gd",)
    session.set_alpha(0.3)
    session.set_optimizer(Optimizer("adam", {}))
    session.step(2)
    ghost = ghosts.keep(session, LOAD)
    assert ghost.alphas == (0.9, 0.3) and ghost.optimizers == ("gd", "adam")


def test_a_run_of_no_step_keeps_its_start() -> None:
    ghost = ghosts.keep(session_of(), LOAD)
    assert ghost.last == 0 and ghost.steps.tolist() == [0] and ghost.path.shape == (1, 1)


def test_a_long_run_keeps_a_bounded_sample_with_its_extremes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ghosts, "COST_BUCKETS", 10)
    monkeypatch.setattr(ghosts, "PATH_POINTS", 16)
    session = session_of("alpha-too-small")
    session.step(400)
    ghost = ghosts.keep(session, Load("alpha-too-small"))
    costs = session.costs()
    assert len(ghost.path_steps) <= 16 and len(ghost.steps) <= 2 * 10 + 2 + 16
    assert ghost.steps[0] == 0 and ghost.steps[-1] == 400
    assert np.array_equal(ghost.costs, costs[ghost.steps])
    assert ghost.costs.min() == costs.min() and ghost.costs.max() == costs.max()
    for k, theta in zip(ghost.path_steps, ghost.path, strict=True):
        assert np.array_equal(theta, session.snapshot(int(k)).theta)
    assert np.array_equal(ghost.path_costs, costs[ghost.path_steps])


@pytest.mark.parametrize("n", [1, 2, 7, 20, 21, 1000, 10**6])
@pytest.mark.parametrize("buckets", [1, 3, 10])
def test_decimate_keeps_first_last_and_every_blocks_extremes(n: int, buckets: int) -> None:
    values = np.random.default_rng(n).normal(size=n)
    kept = ghosts.decimate(values, buckets)
    assert len(kept) <= max(2 * buckets, 2 * buckets + 2 if n > 2 * buckets else n)
    assert kept[0] == 0 and kept[-1] == n - 1
    assert np.all(np.diff(kept) > 0)
    assert values[kept].min() == values.min() and values[kept].max() == values.max()
    if n > 2 * buckets:  # and each block's own lowest and highest
        size = -(-n // buckets)
        for start in range(0, n, size):
            block = values[start : start + size]
            inside = values[kept[(kept >= start) & (kept < start + size)]]
            assert inside.min() == block.min() and inside.max() == block.max()
    else:
        assert kept.tolist() == list(range(n))


def test_decimate_keeps_a_spike_and_skips_nan_when_it_can() -> None:
    values = np.linspace(1.0, 0.0, 10_000)
    values[5_000], values[7_000] = 50.0, np.nan
    kept = ghosts.decimate(values, 8)
    assert 5_000 in kept and 7_000 not in kept
    assert ghosts.decimate(np.full(100, np.nan), 8).tolist()[:1] == [0]


@pytest.mark.parametrize("last", [0, 5, 255, 256, 10_000, 10**6])
def test_path_sample_is_bounded_with_the_first_steps_and_the_last(last: int) -> None:
    steps = ghosts.path_sample(last, 256)
    assert steps[0] == 0 and steps[-1] == last and len(steps) <= 256
    assert np.all(np.diff(steps) > 0)
    assert steps[: min(last + 1, 128)].tolist() == list(range(min(last + 1, 128)))


def test_a_late_joiners_run_is_kept_from_its_first_recorded_step() -> None:
    """A run resumed from the teacher's state at step 4,900 (`catch_up`) has no steps before
    it: its ghost starts there, each cost and point the teacher's own at that step."""
    scenario = load_scenario("alpha-too-small")
    teacher = build_session(scenario)
    teacher.run(5000, stop_on=frozenset())
    resume, *rest = catch_up(load_of(scenario), teacher)
    assert isinstance(resume, Resume) and resume.step > 0
    joiner = open_resumed(resume)[1]
    for action in rest:
        apply(joiner, action)
    ghost = ghosts.keep(joiner, Load("alpha-too-small"))
    assert ghost.steps[0] == ghost.path_steps[0] == resume.step and ghost.last == 5000
    assert np.array_equal(ghost.costs, teacher.costs(resume.step, 5001))
    expected = np.array([teacher.snapshot(int(k)).theta for k in ghost.path_steps])
    assert np.array_equal(ghost.path, expected)


def same_ghost(a: ghosts.Ghost, b: ghosts.Ghost) -> bool:
    """Every field, every float bit for bit (nan too)."""
    arrays = ("theta0", "steps", "costs", "path_steps", "path")
    return (
        (a.load, a.optimizers, a.alphas, a.last) == (b.load, b.optimizers, b.alphas, b.last)
        and all(getattr(a, n).shape == getattr(b, n).shape for n in arrays)
        and all(getattr(a, n).tobytes() == getattr(b, n).tobytes() for n in arrays)
    )


@pytest.mark.parametrize(
    ("name", "steps"),
    [("alpha-overshoot", 12), ("alpha-too-small", 5000), ("alpha-divergent", 600),
     ("logistic-two-features", 30)],
)  # fmt: skip
def test_a_ghost_shown_elsewhere_is_the_same_ghost(name: str, steps: int) -> None:
    """What a student who joins late draws: the teacher's ghost through the wire, exact
    (a long run's decimated costs, a diverging run's 1e299, a three-parameter path)."""
    session = session_of(name)
    session.set_alpha(session.current.alpha)  # a change of alpha on the way, kept too
    session.step(steps)
    ghost = ghosts.keep(session, Load(name))
    action = wire.decode(wire.encode(ghosts.shown(ghost)))
    assert isinstance(action, ShowGhost)
    again = ghosts.from_shown(action, Load(name), session.layout.size)
    assert same_ghost(again, ghost)
    assert np.array_equal(again.path_costs, ghost.path_costs, equal_nan=True)


def steps(*values: int) -> bytes:
    return np.array(values, "<i8").tobytes()


def bad(ghost: ghosts.Ghost, **changes: object) -> ShowGhost:
    return dataclasses.replace(ghosts.shown(ghost), **changes)


def test_a_ghost_whose_parts_disagree_is_refused() -> None:
    session = session_of()
    session.step(6)
    ghost = ghosts.keep(session, LOAD)
    shown = ghosts.shown(ghost)
    two = np.zeros(2).tobytes()
    for action, size in [
        (shown, 2),  # another scenario's runs
        (bad(ghost, costs=shown.costs[:-8]), 1),  # a cost short
        (bad(ghost, path=shown.path + two), 1),  # a point too many
        (bad(ghost, steps=steps(0, 2, 1, 3, 4, 5, 6)), 1),  # not ascending
        (bad(ghost, last=5), 1),  # the last step is not the last kept
        (bad(ghost, steps=steps(0, 1, 2, 3, 4, 6), costs=shown.costs[:-8]), 1),  # 5's cost gone
        (bad(ghost, steps=steps(-1, 1, 2, 3, 4, 5, 6)), 1),  # a step before the start
        (bad(ghost, alphas=()), 1),
        (bad(ghost, optimizers=("gd", "adam", "gd")), 1),
    ]:
        with pytest.raises(ValueError, match="show_ghost"):
            ghosts.from_shown(action, LOAD, size)
    assert same_ghost(ghosts.from_shown(shown, LOAD, 1), ghost)
