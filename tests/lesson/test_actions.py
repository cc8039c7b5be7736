"""The action stream: the wire format, and replays that match bit for bit (headless)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from gdtui.engine.session import Session
from gdtui.lesson import actions, wire
from gdtui.lesson.actions import (
    Back,
    Caption,
    DropGhost,
    Goto,
    KeepGhost,
    Load,
    Reset,
    Restart,
    SetAlpha,
    SetBreakpoints,
    SetOptimizer,
    ShowGhost,
    Step,
)

EVERY_KIND = [
    Load("ravine", ("optimizer.alpha=0.05",)),
    Step(3),
    Back(1),
    Goto(0),
    Caption(3, "watch the sign of dw flip at every step"),
    SetAlpha(0.1 + 0.2),  # 0.30000000000000004: every bit must survive
    SetOptimizer("adam", (("beta1", 0.8),)),
    Restart((1 / 3, -2.5)),
    Restart(None),
    Reset(),
    SetBreakpoints((("cost_increase", True), ("abs(dw) < 1e-3", False))),
    KeepGhost(),
    DropGhost(),
    ShowGhost(
        ("gd", "adam"),
        (0.1, 0.3),
        (1 / 3, -2.5),
        2,
        np.arange(3).astype("<i8").tobytes(),
        np.array([1.5, np.inf, np.nan]).tobytes(),
        np.array([0, 2], "<i8").tobytes(),
        np.array([1 / 3, -2.5, 7.0, -1e300]).tobytes(),
    ),
]


@pytest.mark.parametrize("action", EVERY_KIND, ids=lambda a: type(a).__name__)
def test_an_action_survives_the_wire(action: actions.Action) -> None:
    line = wire.encode(action)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert wire.decode(line) == action


#: A well-formed `show_ghost` line, made wrong one part at a time below.
GHOST = (
    b'{"op": "show_ghost", "optimizers": ["gd"], "alphas": [0.1], "theta0": [0.5], "last": 1, '
    b'"steps": "AAAAAAAAAAABAAAAAAAAAA==", "costs": "AAAAAAAA8D8AAAAAAADwPw==", '
    b'"path_steps": "AAAAAAAAAAABAAAAAAAAAA==", '
    b'"path": "AAAAAAAA8D8AAAAAAADwPw=="}'
)


def test_the_well_formed_ghost_line_reads() -> None:
    action = wire.decode(GHOST)
    assert isinstance(action, ShowGhost)
    assert np.frombuffer(action.costs, "<f8").tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b"not json",
        b"[]",
        b'{"op": "jump"}',
        b'{"k": 1}',
        b'{"op": "step"}',
        b'{"op": "step", "k": -1}',
        b'{"op": "step", "k": 1.5}',
        b'{"op": "step", "k": true}',
        b'{"op": "step", "k": 1, "extra": 0}',
        b'{"op": "step", "k": 10000000000}',
        b'{"op": "set_alpha", "alpha": NaN}',
        b'{"op": "set_alpha", "alpha": Infinity}',
        b'{"op": "set_alpha", "alpha": "0.1"}',
        b'{"op": "run", "limit": null, "stop_on": ["converged"]}',
        b'{"op": "caption", "step": 1, "text": ""}',
        b'{"op": "caption", "step": 1, "text": "two\\nlines"}',
        b'{"op": "caption", "text": "no step"}',
        b'{"op": "set_optimizer", "kind": "sgd9000", "params": {}}',
        b'{"op": "set_optimizer", "kind": "gd", "params": {"momentum": 0.9}}',
        b'{"op": "restart", "theta0": []}',
        b'{"op": "restart", "theta0": ["a"]}',
        b'{"op": "load", "source": "", "overrides": []}',
        b'{"op": "load", "source": "ravine", "overrides": [1]}',
        b'{"op": "set_breakpoints", "breakpoints": [["x > 1"]]}',
        b'{"op": "keep_ghost", "step": 3}',
        b'{"op": "drop_ghost", "ghost": null}',
        b'{"op": "step", "k": 1}' + b" " * wire.MAX_LINE,
        # A ghost's parts: optimizers it knows, positive alphas, float64s in base64.
        GHOST.replace(b'["gd"]', b'["sgd9000"]'),
        GHOST.replace(b'["gd"]', b"[]"),
        GHOST.replace(b"[0.1]", b"[-0.1]"),
        GHOST.replace(b"[0.1]", b'["nan"]'),
        GHOST.replace(b'"costs": "AAAAAAAA8D8AAAAAAADwPw=="', b'"costs": "AAAAAAAA8D8"'),
        GHOST.replace(b'"costs": "AAAAAAAA8D8AAAAAAADwPw=="', b'"costs": "AAAA"'),
        GHOST.replace(b'"costs": "AAAAAAAA8D8AAAAAAADwPw=="', b'"costs": [1.0, 1.0]'),
        GHOST.replace(b'"costs": "AAAAAAAA8D8AAAAAAADwPw=="', b'"costs": "!!!!"'),
        GHOST.replace(b'"steps": "AAAAAAAAAAABAAAAAAAAAA=="', b'"steps": [0, 1]'),
        GHOST.replace(b'"steps": "AAAAAAAAAAABAAAAAAAAAA=="', b'"steps": ""'),
        GHOST.replace(b', "last": 1', b""),
    ],
)
def test_junk_is_rejected(line: bytes) -> None:
    with pytest.raises(ValueError):
        wire.decode(line)


LESSON = [
    Step(5),
    SetAlpha(0.7),
    Step(3),
    Back(2),
    SetOptimizer("momentum", (("momentum", 0.8),)),
    Step(4),
    Goto(3),
    Step(50),
    Caption(3, "the slope flips sign"),
    SetBreakpoints((("cost_increase", True), ("slope_sign_flip", False))),
    Step(20),
    SetOptimizer("adam", ()),
    Step(7),
    Restart((0.5, -0.25)),
    Step(2),
    Reset(),
    Step(3),
    Back(1),
]


def fingerprint(session: Session) -> tuple[object, ...]:
    """Everything a student's screen draws from, as exact bytes."""
    current = session.current
    return (
        session.last,
        current.step,
        current.theta.tobytes(),
        current.grad.tobytes(),
        current.state.tobytes(),
        current.next_theta.tobytes(),
        session.costs().tobytes(),
        session.path().tobytes(),
        session.alpha,
        session.optimizer,
        tuple((bp.when, bp.enabled) for bp in session.breakpoints),
        tuple(session.hits(step) for step in range(session.last + 1)),
    )


@pytest.mark.parametrize("source", ["logistic-one-feature", "bowl-from-left"])
def test_replaying_the_teachers_actions_gives_the_same_state_bit_for_bit(source: str) -> None:
    load = Load(source)
    _, teacher = actions.open_scenario(load)
    lesson = [a for a in LESSON if not isinstance(a, Restart) or teacher.layout.size == 2]
    if teacher.layout.size != 2:
        lesson.append(Restart(tuple([0.5] * teacher.layout.size)))
    for action in lesson:
        actions.apply(teacher, action)
    # The student gets the lesson through the wire, as the hub relays it.
    received = [wire.decode(wire.encode(a)) for a in [load, *lesson]]
    _, student = actions.replay(received)
    assert fingerprint(student) == fingerprint(teacher)


def test_apply_refuses_a_load() -> None:
    _, session = actions.open_scenario(Load("bowl-from-left"))
    with pytest.raises(ValueError, match="open_scenario"):
        actions.apply(session, Load("ravine"))


def test_a_stream_must_start_with_a_load() -> None:
    with pytest.raises(ValueError, match="starts with a load"):
        actions.replay([Step(1)])


def test_apply_passes_on_what_the_session_returns() -> None:
    _, session = actions.open_scenario(Load("bowl-from-left"))
    result = actions.apply(session, Step(2))
    assert result is not None and getattr(result, "steps", None) == 2
    assert np.array_equal(session.current.theta, session.snapshot(2).theta)


@pytest.mark.parametrize(
    "module",
    ["gdtui.lesson.actions", "gdtui.lesson.wire", "gdtui.classroom.link", "gdtui.serve.classroom"],
)
def test_the_follow_mode_core_is_headless(module: str) -> None:
    code = f"import sys, {module}; print('textual' in sys.modules or 'rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
