"""The actions that change a run: one record each, and how a session performs it.

The engine is deterministic, so the same actions applied to a fresh session of the same
scenario give the same floats, bit for bit: that is what lets a student follow the teacher
and a recording replay a lesson.

Record what happened, not what was asked. A *continue* that moved k steps before it was
paused is `Step(k)` (the same updates, since `step` stops early only where the run would
have too), and a `goto` past the recorded run is the `Step` that computed it: `Goto` only
moves within steps already recorded.

Each action names the `reason` the screen repaints for, so a new action brings its own
repaint rather than a second table to keep in step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from gdtui.engine.breakpoints import Breakpoint
from gdtui.engine.optimizers import Optimizer
from gdtui.engine.session import RunResult, Session
from gdtui.engine.snapshot import Snapshot
from gdtui.scenario import Scenario

#: Why the screen repaints: an action's own reason, or a worker's (`run`, `continue`).
Reason = Literal[
    "scenario", "step", "back", "goto", "run", "continue", "alpha", "optimizer", "restart",
    "reset", "breakpoints", "caption", "ghost", "follow",
]  # fmt: skip

#: Reasons whose action rewrites the recorded run: what was drawn of the old run goes.
REWRITES: frozenset[Reason] = frozenset({"scenario", "alpha", "optimizer", "restart", "reset"})


@dataclass(frozen=True)
class Load:
    """Open a scenario: a new session replaces the old one.

    Attributes:
        source: A preset name or a scenario file path, as `load_scenario` takes it.
        overrides: `KEY=VALUE` strings, as `--set` takes them.
    """

    reason: ClassVar[Reason] = "scenario"
    source: str
    overrides: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """`Session.step(k)`: k updates forward.

    Attributes:
        k: How many.
    """

    reason: ClassVar[Reason] = "step"
    k: int = 1


@dataclass(frozen=True)
class Back:
    """`Session.back(k)`: the cursor k steps back.

    Attributes:
        k: How many.
    """

    reason: ClassVar[Reason] = "back"
    k: int = 1


@dataclass(frozen=True)
class Goto:
    """`Session.goto(step)`: the cursor to a recorded step.

    Attributes:
        step: The step.
    """

    reason: ClassVar[Reason] = "goto"
    step: int


@dataclass(frozen=True)
class SetAlpha:
    """`Session.set_alpha(alpha)`.

    Attributes:
        alpha: The learning rate from the next update on.
    """

    reason: ClassVar[Reason] = "alpha"
    alpha: float


@dataclass(frozen=True)
class SetOptimizer:
    """`Session.set_optimizer(Optimizer(kind, params))`.

    Attributes:
        kind: One of the optimizer kinds.
        params: Its hyperparameters besides `alpha`.
    """

    reason: ClassVar[Reason] = "optimizer"
    kind: str
    params: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Restart:
    """`Session.restart(theta0)`: forget the run and start again.

    Attributes:
        theta0: The new start (`w` components, then `b`), or None for the same start.
    """

    reason: ClassVar[Reason] = "restart"
    theta0: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Reset:
    """`Session.reset()`: back to step 0, forgetting the run."""

    reason: ClassVar[Reason] = "reset"


@dataclass(frozen=True)
class SetBreakpoints:
    """`Session.set_breakpoints(...)`: the whole list, in order.

    Attributes:
        breakpoints: `(when, enabled)` pairs.
    """

    reason: ClassVar[Reason] = "breakpoints"
    breakpoints: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class Caption:
    """A line of narration shown from `step` on (until the next caption's step).

    It changes what the screen says, not the session: a recorded lesson carries its own
    narration this way.

    Attributes:
        step: The step it belongs to.
        text: One line.
    """

    reason: ClassVar[Reason] = "caption"
    step: int
    text: str


@dataclass(frozen=True)
class KeepGhost:
    """Keep the run as it stands as a ghost, drawn faintly behind the runs that follow
    (`gdtui.lesson.ghost`), replacing the one kept before.

    Like a caption, it changes what the screen draws, not the session; it is an action so
    that a class following the teacher, and a recorded lesson, compare the same two runs.
    """

    reason: ClassVar[Reason] = "ghost"


@dataclass(frozen=True)
class DropGhost:
    """Stop drawing the ghost."""

    reason: ClassVar[Reason] = "ghost"


Action = (
    Load | Step | Back | Goto | SetAlpha | SetOptimizer | Restart | Reset | SetBreakpoints
    | Caption | KeepGhost | DropGhost
)  # fmt: skip


def open_scenario(action: Load) -> tuple[Scenario, Session]:
    """The scenario a `Load` names and a session at its step 0.

    Raises:
        ScenarioError: The scenario cannot be read or is invalid.
    """
    from gdtui.build import build_session
    from gdtui.scenario import load_scenario

    scenario = load_scenario(action.source, action.overrides)
    return scenario, build_session(scenario)


def apply(session: Session, action: Action) -> RunResult | Snapshot | None:
    """Perform a non-`Load` action on `session`, as the teacher's session performed it.

    Returns:
        What the session method returned (None for a `Caption` or a ghost's action, which
        leave it alone: the screen performs those).

    Raises:
        ValueError: The action is a `Load` (use `open_scenario`), or the session refuses it
            (a bad alpha, a start of the wrong size).
    """
    match action:
        case Step(k):
            return session.step(k)
        case Back(k):
            return session.back(k)
        case Goto(step):
            return session.goto(step)
        case SetAlpha(alpha):
            return session.set_alpha(alpha)
        case SetOptimizer(kind, params):
            return session.set_optimizer(Optimizer(kind, dict(params)))
        case Restart(theta0):
            return session.restart(None if theta0 is None else _vector(theta0))
        case Reset():
            return session.reset()
        case SetBreakpoints(breakpoints):
            session.set_breakpoints(Breakpoint(when, enabled) for when, enabled in breakpoints)
            return None
        case Caption() | KeepGhost() | DropGhost():
            return None
        case Load():
            raise ValueError("a load makes a new session: use open_scenario")
    raise TypeError(f"not an action: {action!r}")


def replay(actions: Iterable[Action]) -> tuple[Scenario, Session]:
    """Build the state a stream of actions leads to; it must start with a `Load`.

    Raises:
        ValueError: The stream does not start with a `Load`.
    """
    scenario: Scenario | None = None
    session: Session | None = None
    for action in actions:
        if isinstance(action, Load):
            scenario, session = open_scenario(action)
        elif session is None:
            raise ValueError("an action stream starts with a load")
        else:
            apply(session, action)
    if scenario is None or session is None:
        raise ValueError("an action stream starts with a load")
    return scenario, session


def _vector(values: tuple[float, ...]) -> Any:
    import numpy as np

    return np.array(values, dtype=np.float64)
