"""Actions as JSON: one object a line, for the classroom's relay and for recorded lessons.

`encode` makes an action one JSON line, `decode` reads one back strictly (anything else is a
`ValueError` naming the op and the key), so a bad line from a hub or a file never reaches a
session. Floats keep every bit: JSON writes their `repr`.

Headless: no textual, no rich.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from typing import Any

from gdtui.engine.optimizers import HYPERPARAMETERS
from gdtui.lesson.actions import (
    Action,
    Back,
    Caption,
    DropGhost,
    Goto,
    KeepGhost,
    Load,
    Reset,
    Restart,
    Resume,
    SetAlpha,
    SetBreakpoints,
    SetOptimizer,
    ShowGhost,
    Step,
)

#: The longest encoded action accepted (a `load` with overrides is the longest).
MAX_LINE = 64 * 1024

#: Step counts beyond this are not a lesson; rejecting them keeps a bad line from hanging a
#: student's session.
MAX_STEPS = 10**9

#: The longest caption: a line of narration, not an essay.
MAX_CAPTION = 500

#: The name of each action on the wire.
OPS: dict[type, str] = {
    Load: "load",
    Step: "step",
    Back: "back",
    Goto: "goto",
    SetAlpha: "set_alpha",
    SetOptimizer: "set_optimizer",
    Restart: "restart",
    Reset: "reset",
    SetBreakpoints: "set_breakpoints",
    Caption: "caption",
    KeepGhost: "keep_ghost",
    DropGhost: "drop_ghost",
    ShowGhost: "show_ghost",
    Resume: "resume",
}


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
        case SetAlpha(alpha):
            body = {"alpha": alpha}
        case SetOptimizer(kind, params):
            body = {"kind": kind, "params": dict(params)}
        case Restart(theta0):
            body = {"theta0": None if theta0 is None else list(theta0)}
        case Reset() | KeepGhost() | DropGhost():
            body = {}
        case SetBreakpoints(breakpoints):
            body = {"breakpoints": [[when, enabled] for when, enabled in breakpoints]}
        case Caption(step, text):
            body = {"step": step, "text": text}
        case ShowGhost():
            body = {"optimizers": list(action.optimizers), "alphas": _floats_out(action.alphas),
                    "theta0": _floats_out(action.theta0), "last": action.last,
                    "steps": _bytes_out(action.steps), "costs": _bytes_out(action.costs),
                    "path_steps": _bytes_out(action.path_steps),
                    "path": _bytes_out(action.path)}  # fmt: skip
        case Resume():
            body = {"source": action.source, "overrides": list(action.overrides),
                    "step": action.step, "theta": _floats_out(action.theta),
                    "kind": action.kind, "params": dict(action.params),
                    "state": _floats_out(action.state), "alpha": action.alpha,
                    "theta0": _floats_out(action.theta0),
                    "breakpoints": [list(pair) for pair in action.breakpoints]}  # fmt: skip
        case _:
            raise TypeError(f"not an action: {action!r}")
    return {"op": OPS[type(action)], **body}


def encode(action: Action) -> bytes:
    """One JSON line, newline included."""
    return dumps(to_json(action))


def dumps(message: dict[str, Any]) -> bytes:
    """Any message of ours as one compact JSON line, newline included."""
    return json.dumps(message, allow_nan=False, separators=(",", ":")).encode() + b"\n"


def decode(line: bytes | str) -> Action:
    """Read one encoded action back.

    Raises:
        ValueError: The line is not exactly one well-formed action.
    """
    return from_json(loads(line))


def loads(line: bytes | str) -> object:
    """One line's JSON value, strictly: no NaN, no Infinity, at most `MAX_LINE` long.

    Raises:
        ValueError: The line is too long or not JSON.
    """
    if len(line) > MAX_LINE:
        raise ValueError(f"a line is at most {MAX_LINE} bytes")
    try:
        return json.loads(line, parse_constant=_reject_constant)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"not JSON: {error}") from None


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
        action = Load(fields.text("source"), fields.overrides())
    elif op in ("step", "back"):
        fields.keys("k")
        action = (Step if op == "step" else Back)(fields.whole("k"))
    elif op == "goto":
        fields.keys("step")
        action = Goto(fields.whole("step"))
    elif op == "set_alpha":
        fields.keys("alpha")
        action = SetAlpha(fields.number("alpha"))
    elif op == "set_optimizer":
        fields.keys("kind", "params")
        action = SetOptimizer(*fields.optimizer())
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
    elif op in ("keep_ghost", "drop_ghost"):
        fields.keys()
        action = KeepGhost() if op == "keep_ghost" else DropGhost()
    elif op == "show_ghost":
        fields.keys("optimizers", "alphas", "theta0", "last", "steps", "costs", "path_steps",
                    "path")  # fmt: skip
        action = ShowGhost(
            fields.kinds("optimizers"),
            tuple(_positive(_finite(v, "alphas")) for v in fields.items("alphas")),
            fields.floats("theta0"), fields.whole("last"), fields.packed("steps"),
            fields.packed("costs"), fields.packed("path_steps"), fields.packed("path"),
        )  # fmt: skip
    elif op == "set_breakpoints":
        fields.keys("breakpoints")
        action = SetBreakpoints(fields.breakpoints())
    elif op == "caption":
        fields.keys("step", "text")
        text = fields.text("text")
        if "\n" in text or "\r" in text or len(text) > MAX_CAPTION:
            raise ValueError(f"caption: text is one line of at most {MAX_CAPTION} characters")
        action = Caption(fields.whole("step"), text)
    elif op == "resume":
        fields.keys("source", "overrides", "step", "theta", "kind", "params", "state",
                    "alpha", "theta0", "breakpoints")  # fmt: skip
        action = Resume(
            fields.text("source"), fields.overrides(), fields.whole("step"),
            fields.floats("theta"), *fields.optimizer(), fields.floats("state", empty=True),
            _positive(fields.number("alpha")), fields.floats("theta0"), fields.breakpoints(),
        )  # fmt: skip
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

    def overrides(self) -> tuple[str, ...]:
        overrides = self.items("overrides")
        if not all(isinstance(o, str) for o in overrides):
            raise ValueError(f"{self.op}: overrides are strings")
        return tuple(overrides)

    def optimizer(self) -> tuple[str, tuple[tuple[str, float], ...]]:
        kind, params = self.text("kind"), self.data["params"]
        if kind not in HYPERPARAMETERS or not isinstance(params, dict):
            raise ValueError(f"{self.op}: a known kind and a params object")
        if not set(params) <= set(HYPERPARAMETERS[kind]):
            raise ValueError(f"{self.op}: {kind} takes only {sorted(HYPERPARAMETERS[kind])}")
        return kind, tuple((str(k), _finite(v, k)) for k, v in params.items())

    def breakpoints(self) -> tuple[tuple[str, bool], ...]:
        pairs = self.items("breakpoints")
        if not all(
            isinstance(p, list) and len(p) == 2 and isinstance(p[0], str)
            and isinstance(p[1], bool)
            for p in pairs
        ):  # fmt: skip
            raise ValueError(f"{self.op}: breakpoints are a list of [when, enabled] pairs")
        return tuple((when, enabled) for when, enabled in pairs)

    def kinds(self, name: str) -> tuple[str, ...]:
        values = self.items(name)
        if not values or not all(isinstance(v, str) and v in HYPERPARAMETERS for v in values):
            raise ValueError(f"{self.op}: {name} is a non-empty list of optimizer names")
        return tuple(values)

    def packed(self, name: str) -> bytes:
        """8-byte numbers as base64 text (see `ShowGhost`)."""
        value = self.data[name]
        try:
            data = base64.b64decode(value, validate=True) if isinstance(value, str) else b""
        except binascii.Error:
            data = b""
        if not data or len(data) % 8:
            raise ValueError(f"{self.op}: {name} is base64 of 8-byte numbers")
        return data

    def floats(self, name: str, *, empty: bool = False) -> tuple[float, ...]:
        """A list of floats, each finite or one of the strings `nan`, `inf`, `-inf` (an
        optimizer's state may hold them where a run was about to diverge)."""
        values = self.items(name)
        if not values and not empty:
            raise ValueError(f"{self.op}: {name} is a non-empty list of numbers")
        return tuple(_float_in(v, name) for v in values)


def _finite(value: object, name: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} is a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} is a finite number")
    return number


#: How a float JSON has no number for travels: as its name, which `float()` reads back.
_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _floats_out(values: tuple[float, ...]) -> list[float | str]:
    return [v if math.isfinite(v) else repr(v) for v in values]


def _bytes_out(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _float_in(value: object, name: str) -> float:
    if isinstance(value, str) and value in _SPECIAL:
        return _SPECIAL[value]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} holds numbers (or 'nan', 'inf', '-inf')")
    return float(value)


def _positive(alpha: float) -> float:
    if alpha <= 0:
        raise ValueError("alpha is a positive number")
    return alpha


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a finite number")
