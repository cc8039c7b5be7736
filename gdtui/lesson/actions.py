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
from gdtui.engine.history import ALPHA
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


@dataclass(frozen=True)
class ShowGhost:
    """Draw a ghost kept from a run this screen does not have: the teacher's, for a student
    who joins, or follows again, after the teacher kept it. It travels in the teacher's
    state (see `gdtui.lesson.ghost.shown`), never in the teacher's recording.

    Attributes: those of `gdtui.lesson.ghost.Ghost` but its load (the scenario on screen
    is the ghost's); its arrays are their little-endian bytes (steps int64, costs and path
    float64, the path's rows one after another): exact, and a long ghost encodes in a
    third of the time JSON numbers take (the teacher sends it with every state).
    """

    reason: ClassVar[Reason] = "ghost"
    optimizers: tuple[str, ...]
    alphas: tuple[float, ...]
    theta0: tuple[float, ...]
    last: int
    steps: bytes
    costs: bytes
    path_steps: bytes
    path: bytes


@dataclass(frozen=True)
class Resume:
    """Open a scenario and go on from another run's exact state at `step`.

    What a student who joins a class late starts from, instead of replaying every action
    since the teacher's `Load`: the steps before `step` are not in the student's run. The
    teacher's recording keeps the actions, never a `Resume`.

    Attributes:
        source: A preset name or a scenario file path, as `load_scenario` takes it.
        overrides: `KEY=VALUE` strings, as `--set` takes them.
        step: The step the run goes on from.
        theta: The parameters there (`w` components, then `b`).
        kind: The optimizer of the update that leaves it.
        params: Its hyperparameters besides `alpha`.
        state: Its state there (momentum's velocity, Adam's averages and step count).
        alpha: The learning rate of the update that leaves it.
        theta0: Where a restart starts (the teacher may have restarted elsewhere).
        breakpoints: `(when, enabled)` pairs, as `SetBreakpoints` has them.
    """

    reason: ClassVar[Reason] = "scenario"
    source: str
    overrides: tuple[str, ...]
    step: int
    theta: tuple[float, ...]
    kind: str
    params: tuple[tuple[str, float], ...]
    state: tuple[float, ...]
    alpha: float
    theta0: tuple[float, ...]
    breakpoints: tuple[tuple[str, bool], ...] = ()


Action = (
    Load | Step | Back | Goto | SetAlpha | SetOptimizer | Restart | Reset | SetBreakpoints
    | Caption | KeepGhost | DropGhost | ShowGhost | Resume
)  # fmt: skip

#: Steps before the teacher's a late joiner's run starts at, so `b` works there too.
BACK_WINDOW = 100


def open_scenario(action: Load) -> tuple[Scenario, Session]:
    """The scenario a `Load` names and a session at its step 0.

    Raises:
        ScenarioError: The scenario cannot be read or is invalid.
    """
    from gdtui.build import build_session
    from gdtui.scenario import load_scenario

    scenario = load_scenario(action.source, action.overrides)
    return scenario, build_session(scenario)


def open_resumed(action: Resume) -> tuple[Scenario, Session]:
    """The scenario a `Resume` names and a session at its state.

    Raises:
        ScenarioError: The scenario cannot be read or is invalid.
        ValueError: The state does not fit the scenario (sizes, a bad alpha or step).
    """
    scenario, session = open_scenario(Load(action.source, action.overrides))
    session.set_breakpoints(Breakpoint(when, enabled) for when, enabled in action.breakpoints)
    session.restart(_vector(action.theta0))
    session.resume(action.step, action.theta, Optimizer(action.kind, dict(action.params)),
                   action.state, action.alpha)  # fmt: skip
    return scenario, session


def catch_up(load: Load, session: Session, window: int = BACK_WINDOW) -> list[Action]:
    """What a late joiner needs to stand where `session` stands: a `Resume` at most
    `window` steps before its cursor (so `b` works there as well), then the actions that
    rebuild the recorded run from there, and move the cursor back to where it is.

    Replayed, they give the same floats as `session` at every step from the `Resume`'s
    on (the breakpoints' hits are worked out anew, with the breakpoints set now).

    Cheap: the state is taken at a checkpoint (no gradient is evaluated), and the rest reads
    two columns of the history.

    Args:
        load: How `session`'s scenario was opened.
        session: The teacher's session (not busy in another thread).
        window: How far before the cursor the joiner's run may start.
    """
    cursor = session.current.step
    start = session.history.checkpoint_before(max(cursor - window, session.first))
    at = session.snapshot(start)
    resume = Resume(
        load.source, load.overrides, start, tuple(at.theta.tolist()), at.optimizer.kind,
        tuple(at.optimizer.params.items()), tuple(at.state.tolist()), at.alpha,
        tuple(session.theta0.tolist()),
        tuple((bp.when, bp.enabled) for bp in session.breakpoints),
    )  # fmt: skip
    actions: list[Action] = [resume]
    step, alpha, optimizer = start, at.alpha, at.optimizer
    for change in session.changes(start):
        actions.append(Step(change - step))
        if session.optimizer_at(change) != optimizer:
            optimizer = session.optimizer_at(change)
            actions.append(SetOptimizer(optimizer.kind, tuple(optimizer.params.items())))
        if session.history.scalar(change, ALPHA) != alpha:
            alpha = session.history.scalar(change, ALPHA)
            actions.append(SetAlpha(alpha))
        step = change
    if session.last > step:
        actions.append(Step(session.last - step))
    if cursor != session.last:
        actions.append(Goto(cursor))
    return actions


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
        case Caption() | KeepGhost() | DropGhost() | ShowGhost():
            return None
        case Load():
            raise ValueError("a load makes a new session: use open_scenario")
        case Resume():
            raise ValueError("a resume makes a new session: use open_resumed")
    raise TypeError(f"not an action: {action!r}")


def replay(actions: Iterable[Action]) -> tuple[Scenario, Session]:
    """Build the state a stream of actions leads to; it must start with a `Load` (or a
    `Resume`).

    Raises:
        ValueError: The stream does not start with a `Load`.
    """
    scenario: Scenario | None = None
    session: Session | None = None
    for action in actions:
        if isinstance(action, Load):
            scenario, session = open_scenario(action)
        elif isinstance(action, Resume):
            scenario, session = open_resumed(action)
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
