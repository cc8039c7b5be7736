"""The classroom's action stream: one teacher operation as one line of JSON.

The engine is deterministic, so a student's screen can follow the teacher by replaying the
teacher's operations on a session of its own: the same actions applied to a fresh session of
the same scenario give the same floats, bit for bit. Each action is a small frozen record;
`encode` makes it one JSON line, `decode` reads one back (strictly: anything else is a
`ValueError`), and `apply` performs it on a `gdtui.engine.session.Session`.

Publish what happened, not what was asked. A *continue* that moved k steps before it was
paused is `Step(k)` (the same updates, since `step` stops early only where the run would
have too), and a `goto` past the recorded run is the `Step` that computed it: `Goto` only
moves within steps already recorded.

Headless: no textual, no rich.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gdtui.engine.breakpoints import Breakpoint
from gdtui.engine.optimizers import HYPERPARAMETERS, Optimizer
from gdtui.engine.session import RunResult, Session
from gdtui.engine.snapshot import Snapshot
from gdtui.scenario import Scenario

#: The longest encoded action accepted (a `load` with overrides is the longest).
MAX_LINE = 64 * 1024

#: Step counts beyond this are not a lesson; rejecting them keeps a bad line from hanging a
#: student's session.
MAX_STEPS = 10**9

#: What a run may stop on besides divergence and `max_steps` (see `Session.run`).
STOP_REASONS = frozenset({"converged", "breakpoint"})


@dataclass(frozen=True)
class Load:
    """Open a scenario: a new session replaces the old one.

    Attributes:
        source: A preset name or a scenario file path, as `load_scenario` takes it.
        overrides: `KEY=VALUE` strings, as `--set` takes them.
    """

    source: str
    overrides: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """`Session.step(k)`: k updates forward.

    Attributes:
        k: How many.
    """

    k: int = 1


@dataclass(frozen=True)
class Back:
    """`Session.back(k)`: the cursor k steps back.

    Attributes:
        k: How many.
    """

    k: int = 1


@dataclass(frozen=True)
class Goto:
    """`Session.goto(step)`: the cursor to a recorded step.

    Attributes:
        step: The step.
    """

    step: int


@dataclass(frozen=True)
class Run:
    """`Session.run(limit, stop_on)`: continue until a stop.

    Attributes:
        limit: At most this many steps, or None for no limit.
        stop_on: Which of `converged` and `breakpoint` stop the run.
    """

    limit: int | None
    stop_on: frozenset[str] = STOP_REASONS


@dataclass(frozen=True)
class SetAlpha:
    """`Session.set_alpha(alpha)`.

    Attributes:
        alpha: The learning rate from the next update on.
    """

    alpha: float


@dataclass(frozen=True)
class SetOptimizer:
    """`Session.set_optimizer(Optimizer(kind, params))`.

    Attributes:
        kind: One of the optimizer kinds.
        params: Its hyperparameters besides `alpha`.
    """

    kind: str
    params: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Restart:
    """`Session.restart(theta0)`: forget the run and start again.

    Attributes:
        theta0: The new start (`w` components, then `b`), or None for the same start.
    """

    theta0: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Reset:
    """`Session.reset()`: back to step 0, forgetting the run."""


@dataclass(frozen=True)
class SetBreakpoints:
    """`Session.set_breakpoints(...)`: the whole list, in order.

    Attributes:
        breakpoints: `(when, enabled)` pairs.
    """

    breakpoints: tuple[tuple[str, bool], ...]


Action = (
    Load | Step | Back | Goto | Run | SetAlpha | SetOptimizer | Restart | Reset | SetBreakpoints
)

#: The name of each action on the wire.
OPS: dict[type, str] = {
    Load: "load",
    Step: "step",
    Back: "back",
    Goto: "goto",
    Run: "run",
    SetAlpha: "set_alpha",
    SetOptimizer: "set_optimizer",
    Restart: "restart",
    Reset: "reset",
    SetBreakpoints: "set_breakpoints",
}


# -- the wire ------------------------------------------------------------------------------------


def to_json(action: Action) -> dict[str, Any]:
    """The action as a JSON-able dict with an `op` key."""
    body: dict[str, Any]
    match action:
        case Load(source, overrides):
            body = {"source": source, "overrides": list(overrides)}
        case Step(k) | Back(k):
            body = {"k": k}
        case Goto(step):
            body = {"step": step}
        case Run(limit, stop_on):
            body = {"limit": limit, "stop_on": sorted(stop_on)}
        case SetAlpha(alpha):
            body = {"alpha": alpha}
        case SetOptimizer(kind, params):
            body = {"kind": kind, "params": dict(params)}
        case Restart(theta0):
            body = {"theta0": None if theta0 is None else list(theta0)}
        case Reset():
            body = {}
        case SetBreakpoints(breakpoints):
            body = {"breakpoints": [[when, enabled] for when, enabled in breakpoints]}
        case _:
            raise TypeError(f"not an action: {action!r}")
    return {"op": OPS[type(action)], **body}


def encode(action: Action) -> bytes:
    """One JSON line, newline included. Floats keep every bit (JSON writes `repr`)."""
    return json.dumps(to_json(action), allow_nan=False, separators=(",", ":")).encode() + b"\n"


def decode(line: bytes | str) -> Action:
    """Read one encoded action back.

    Raises:
        ValueError: The line is not exactly one well-formed action.
    """
    if len(line) > MAX_LINE:
        raise ValueError(f"an action is at most {MAX_LINE} bytes")
    try:
        data = json.loads(line, parse_constant=_reject_constant)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"not JSON: {error}") from None
    return from_json(data)


def from_json(data: object) -> Action:
    """The action a decoded JSON object describes.

    Raises:
        ValueError: It is not exactly one well-formed action.
    """
    if not isinstance(data, dict):
        raise ValueError("an action is a JSON object")
    op = data.get("op")
    fields = _Fields(data, op)
    action: Action
    if op == "load":
        fields.keys("source", "overrides")
        overrides = fields.items("overrides")
        if not all(isinstance(o, str) for o in overrides):
            raise ValueError("load: overrides are strings")
        action = Load(fields.text("source"), tuple(overrides))
    elif op in ("step", "back"):
        fields.keys("k")
        action = (Step if op == "step" else Back)(fields.whole("k"))
    elif op == "goto":
        fields.keys("step")
        action = Goto(fields.whole("step"))
    elif op == "run":
        fields.keys("limit", "stop_on")
        limit = None if data["limit"] is None else fields.whole("limit")
        stop_on = fields.items("stop_on")
        if not set(stop_on) <= STOP_REASONS or not all(isinstance(s, str) for s in stop_on):
            raise ValueError(f"run: stop_on is a list from {sorted(STOP_REASONS)}")
        action = Run(limit, frozenset(stop_on))
    elif op == "set_alpha":
        fields.keys("alpha")
        action = SetAlpha(fields.number("alpha"))
    elif op == "set_optimizer":
        fields.keys("kind", "params")
        kind, params = fields.text("kind"), data["params"]
        if kind not in HYPERPARAMETERS or not isinstance(params, dict):
            raise ValueError("set_optimizer: a known kind and a params object")
        if not set(params) <= set(HYPERPARAMETERS[kind]):
            raise ValueError(f"set_optimizer: {kind} takes only {sorted(HYPERPARAMETERS[kind])}")
        action = SetOptimizer(kind, tuple((str(k), _finite(v, k)) for k, v in params.items()))
    elif op == "restart":
        fields.keys("theta0")
        theta0 = data["theta0"]
        if theta0 is None:
            action = Restart(None)
        elif isinstance(theta0, list) and theta0:
            action = Restart(tuple(_finite(v, "theta0") for v in theta0))
        else:
            raise ValueError("restart: theta0 is null or a list of numbers")
    elif op == "reset":
        fields.keys()
        action = Reset()
    elif op == "set_breakpoints":
        fields.keys("breakpoints")
        pairs = fields.items("breakpoints")
        if not all(
            isinstance(p, list) and len(p) == 2 and isinstance(p[0], str)
            and isinstance(p[1], bool)
            for p in pairs
        ):  # fmt: skip
            raise ValueError("set_breakpoints: a list of [when, enabled] pairs")
        action = SetBreakpoints(tuple((when, enabled) for when, enabled in pairs))
    else:
        raise ValueError(f"unknown op {op!r}")
    return action


class _Fields:
    """Typed access to an action's fields, with errors that name the op and the key."""

    def __init__(self, data: dict[str, Any], op: object) -> None:
        self.data, self.op = data, op

    def keys(self, *names: str) -> None:
        if set(self.data) != {"op", *names}:
            raise ValueError(f"{self.op}: expected the keys {sorted({'op', *names})}")

    def text(self, name: str) -> str:
        value = self.data[name]
        if not isinstance(value, str) or not value:
            raise ValueError(f"{self.op}: {name} is a non-empty string")
        return value

    def items(self, name: str) -> list[Any]:
        value = self.data[name]
        if not isinstance(value, list):
            raise ValueError(f"{self.op}: {name} is a list")
        return value

    def whole(self, name: str) -> int:
        value = self.data[name]
        # bool is an int to Python, but `true` steps is not a lesson.
        if type(value) is not int or not 0 <= value <= MAX_STEPS:
            raise ValueError(f"{self.op}: {name} is a whole number 0..{MAX_STEPS}")
        return value

    def number(self, name: str) -> float:
        return _finite(self.data[name], name)


def _finite(value: object, name: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} is a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} is a finite number")
    return number


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a finite number")


# -- performing actions --------------------------------------------------------------------------


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
        What the session method returned.

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
        case Run(limit, stop_on):
            return session.run(limit, stop_on=stop_on)
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
