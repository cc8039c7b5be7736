"""A late joiner's start: a `Resume` at the teacher's exact state, and what follows it.

The claim checked here is the one the classroom rests on: a run resumed from a state (and
the few actions `catch_up` adds) shows the same floats, bit for bit, as the run that
replayed every action since the teacher's `Load`, now and for every step after.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtui.engine.session import Session
from gdtui.lesson import actions, wire
from gdtui.lesson.actions import (
    Back,
    Caption,
    Goto,
    Load,
    Resume,
    SetAlpha,
    SetBreakpoints,
    SetOptimizer,
    Step,
    catch_up,
)

OPTIMIZERS = [
    ("gd", ()),
    ("momentum", (("momentum", 0.8),)),
    ("adam", (("beta1", 0.85),)),
]

#: A curve, a ravine (w and b) and a logistic preset (a vector w).
SOURCES = ["bowl-from-left", "ravine", "logistic-two-features"]


def state(session: Session, step: int) -> tuple[object, ...]:
    """Everything about one recorded step, as exact bytes."""
    snapshot = session.snapshot(step)
    return (
        snapshot.step,
        snapshot.theta.tobytes(),
        snapshot.grad.tobytes(),
        snapshot.cost,
        snapshot.state.tobytes(),
        snapshot.next_theta.tobytes(),
        snapshot.next_state.tobytes(),
        snapshot.alpha,
        snapshot.optimizer,
    )


def agree(full: Session, joined: Session) -> None:
    """The joined run holds the full run's steps from its first on, bit for bit, and its
    cursor and settings."""
    assert joined.last == full.last
    assert joined.current.step == full.current.step
    assert joined.costs(joined.first).tobytes() == full.costs(joined.first).tobytes()
    for step in range(joined.first, joined.last + 1):
        assert state(joined, step) == state(full, step)
    assert joined.theta0.tobytes() == full.theta0.tobytes()
    assert [(bp.when, bp.enabled) for bp in joined.breakpoints] == [
        (bp.when, bp.enabled) for bp in full.breakpoints
    ]


def lesson(kind: str, params: tuple[tuple[str, float], ...]) -> list[actions.Action]:
    """A teacher's lesson with a long run, a change of alpha and of optimizer, and a look
    back: the state must carry the optimizer's own numbers (momentum's velocity, Adam's
    averages and step count) to continue bit for bit."""
    return [
        SetOptimizer(kind, params),
        Step(400),
        SetAlpha(0.01),
        Step(60),
        Back(30),
        SetAlpha(0.02),
        SetBreakpoints((("cost_increase", True),)),
        Step(9),
        Back(4),
    ]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(("kind", "params"), OPTIMIZERS, ids=[k for k, _ in OPTIMIZERS])
def test_a_joiner_from_the_state_and_one_replaying_everything_agree_bit_for_bit(
    source: str, kind: str, params: tuple[tuple[str, float], ...]
) -> None:
    stream = [Load(source), *lesson(kind, params)]
    _, full = actions.replay(stream)
    state_actions = catch_up(Load(source), full)
    assert isinstance(state_actions[0], Resume)
    _, joined = actions.replay(state_actions)
    assert 0 < joined.first <= full.current.step  # it did start from the state
    agree(full, joined)
    # And the teacher's next actions keep them together.
    for action in (Step(3), SetOptimizer("momentum", ()), Step(25), Back(10), Step(40)):
        actions.apply(full, action)
        actions.apply(joined, action)
        agree(full, joined)


@pytest.mark.parametrize("source", SOURCES)
def test_the_state_survives_the_wire(source: str) -> None:
    _, full = actions.replay([Load(source), *lesson("adam", ())])
    sent = catch_up(Load(source), full)
    received = [wire.decode(wire.encode(action)) for action in sent]
    assert received == sent
    _, joined = actions.replay(received)
    agree(full, joined)


def test_the_state_starts_a_window_before_the_cursor_so_b_works_there() -> None:
    _, full = actions.replay([Load("bowl-from-left"), Step(1000)])
    _, joined = actions.replay(catch_up(Load("bowl-from-left"), full))
    assert full.current.step > actions.BACK_WINDOW  # (it stops at its max_steps)
    assert joined.first == full.current.step - actions.BACK_WINDOW
    assert joined.back(actions.BACK_WINDOW + 5).step == joined.first  # no further
    assert joined.hits(joined.first) == ()  # its step before is not here


def test_a_state_early_in_the_run_starts_at_step_0() -> None:
    _, full = actions.replay([Load("ravine"), Step(7), Back(2)])
    sent = catch_up(Load("ravine"), full)
    assert sent[0].step == 0  # type: ignore[union-attr]
    assert sent[1:] == [Step(7), Goto(5)]


def test_a_restart_after_the_state_starts_where_the_teachers_does() -> None:
    stream = [Load("ravine"), actions.Restart((0.5, -0.25)), Step(300)]
    _, full = actions.replay(stream)
    _, joined = actions.replay(catch_up(Load("ravine"), full))
    for session in (full, joined):
        actions.apply(session, actions.Reset())
        actions.apply(session, Step(5))
    agree(full, joined)
    assert joined.first == 0


@settings(max_examples=25, deadline=None)
@given(
    moves=st.lists(
        st.one_of(
            st.builds(Step, st.integers(1, 300)),
            st.builds(Back, st.integers(1, 150)),
            st.builds(SetAlpha, st.sampled_from([0.01, 0.05, 0.1, 0.3])),
            st.sampled_from([SetOptimizer(kind, params) for kind, params in OPTIMIZERS]),
        ),
        max_size=12,
    ),
    window=st.integers(0, 200),
)
def test_any_lesson_resumes_bit_for_bit(moves: list[actions.Action], window: int) -> None:
    _, full = actions.replay([Load("ravine"), *moves])
    _, joined = actions.replay(catch_up(Load("ravine"), full, window))
    agree(full, joined)
    actions.apply(full, Step(50))
    actions.apply(joined, Step(50))
    agree(full, joined)


def test_special_floats_keep_every_bit_on_the_wire() -> None:
    tiny, third = 5e-324, 1 / 3
    resume = Resume("adam-ish", (), 3, (third, -0.0), "adam", (), (tiny, math.inf, -math.inf,
                    0.1 + 0.2, 2.0), 0.1, (1.0, 2.0), ())  # fmt: skip
    back = wire.decode(wire.encode(resume))
    assert isinstance(back, Resume)
    assert [x.hex() for x in back.state] == [x.hex() for x in resume.state]
    assert [x.hex() for x in back.theta] == [x.hex() for x in resume.theta]
    nan = wire.decode(wire.encode(Resume("r", (), 0, (math.nan,), "gd", (), (), 0.1, (1.0,))))
    assert math.isnan(nan.theta[0])  # type: ignore[union-attr]


GOOD = (
    b'{"op":"resume","source":"ravine","overrides":[],"step":5,"theta":[0.1,0.2],'
    b'"kind":"momentum","params":{"momentum":0.9},"state":[0.0,"inf"],"alpha":0.1,'
    b'"theta0":[1.0,2.0],"breakpoints":[["cost_increase",true]]}'
)


def test_a_well_formed_resume_is_read() -> None:
    assert isinstance(wire.decode(GOOD), Resume)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (b'"step":5', b'"step":-1'),
        (b'"step":5', b'"step":5.0'),
        (b'"theta":[0.1,0.2]', b'"theta":[]'),
        (b'"theta":[0.1,0.2]', b'"theta":[0.1,"0.2"]'),
        (b'"theta":[0.1,0.2]', b'"theta":[0.1,true]'),
        (b'"theta":[0.1,0.2]', b'"theta":0.1'),
        (b'"state":[0.0,"inf"]', b'"state":[0.0,"infinity"]'),
        (b'"state":[0.0,"inf"]', b'"state":[0.0,Infinity]'),
        (b'"alpha":0.1', b'"alpha":0'),
        (b'"alpha":0.1', b'"alpha":"nan"'),
        (b'"kind":"momentum"', b'"kind":"sgd9000"'),
        (b'"params":{"momentum":0.9}', b'"params":{"beta1":0.9}'),
        (b'"theta0":[1.0,2.0]', b'"theta0":null'),
        (b'"breakpoints":[["cost_increase",true]]', b'"breakpoints":[["cost_increase"]]'),
        (b'"overrides":[]', b'"overrides":[1]'),
        (b'"source":"ravine"', b'"source":""'),
        (b',"alpha":0.1', b""),  # a key missing
        (b'"alpha":0.1', b'"alpha":0.1,"diverged":false'),  # a key too many
    ],
)
def test_a_malformed_resume_is_rejected(key: bytes, value: bytes) -> None:
    assert key in GOOD
    with pytest.raises(ValueError):
        wire.decode(GOOD.replace(key, value))


@pytest.mark.parametrize(
    "resume",
    [
        Resume("ravine", (), 5, (0.1,), "gd", (), (), 0.1, (1.0, 2.0)),  # theta too short
        Resume("ravine", (), 5, (0.1, 0.2), "momentum", (), (), 0.1, (1.0, 2.0)),  # no state
        Resume("ravine", (), 10**8, (0.1, 0.2), "gd", (), (), 0.1, (1.0, 2.0)),  # past max
        Resume("ravine", (), 5, (0.1, 0.2), "gd", (), (), 0.1, (1.0,)),  # theta0 too short
    ],
)
def test_a_state_that_does_not_fit_the_scenario_is_refused(resume: Resume) -> None:
    with pytest.raises(ValueError):
        actions.replay([resume])


def test_a_caption_is_kept_out_of_the_state() -> None:
    _, full = actions.replay([Load("ravine"), Step(3), Caption(2, "look")])
    assert not any(isinstance(a, Caption) for a in catch_up(Load("ravine"), full))
