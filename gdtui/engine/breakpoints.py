"""Breakpoints: conditions checked after every step, like a debugger's.

Built-in conditions name the moments a lesson is about (`cost_increase`, `slope_sign_flip`,
`converged`, `diverged`); anything else is an expression in the safe language over
`step, w, b, dw, db, cost, prev_cost, alpha`, such as `cost > prev_cost` or `abs(dw) < 1e-3`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from gdtui.engine.snapshot import Layout
from gdtui.expr import Condition, parse_condition

Vector = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Arrival:
    """What a breakpoint sees after a step: the new values and the previous ones.

    Attributes:
        step: The step just reached.
        theta: Its parameters (`w`, then `b`).
        grad: Its gradient (`dw`, then `db`).
        cost: Its cost.
        prev_grad: The gradient one step earlier.
        prev_cost: The cost one step earlier.
        alpha: The learning rate of the update that led here.
        converged: Whether the gradient is within the tolerance.
        layout: How `theta` splits into `w` and `b`.
    """

    step: int
    theta: Vector
    grad: Vector
    cost: float
    prev_grad: Vector
    prev_cost: float
    alpha: float
    converged: bool
    layout: Layout

    @cached_property
    def variables(self) -> dict[str, object]:
        """The names a breakpoint expression may use (built once, shared by every
        expression breakpoint checked on this step)."""
        return {
            "step": float(self.step),
            "w": self.layout.w(self.theta),
            "b": self.layout.b(self.theta),
            "dw": self.layout.w(self.grad),
            "db": self.layout.b(self.grad),
            "cost": self.cost,
            "prev_cost": self.prev_cost,
            "alpha": self.alpha,
        }


def _cost_increase(arrival: Arrival) -> bool:
    return arrival.cost > arrival.prev_cost


def _slope_sign_flip(arrival: Arrival) -> bool:
    # An overshoot: some component of dw changed sign, so w jumped over the bottom.
    n = arrival.layout.n_w
    return bool(np.any(arrival.grad[:n] * arrival.prev_grad[:n] < 0))


def _converged(arrival: Arrival) -> bool:
    return arrival.converged


def _never(arrival: Arrival) -> bool:
    # `diverged` fires when the run diverges, which is not a step: the session reports it.
    return False


#: The built-in breakpoints and what each means.
BUILTIN: dict[str, tuple[Callable[[Arrival], bool], str]] = {
    "cost_increase": (_cost_increase, "the cost went up: J > previous J"),
    "slope_sign_flip": (_slope_sign_flip, "dw changed sign: the step overshot the minimum"),
    "converged": (_converged, "the slope is (almost) zero: norm(dw, db) <= tolerance"),
    "diverged": (_never, "the cost or a parameter stopped being a finite number"),
}


@dataclass(frozen=True, eq=False)
class Breakpoint:
    """A named condition, checked after every step.

    Attributes:
        when: A built-in name or an expression, as written.
        enabled: Whether a hit stops `continue`.
    """

    when: str
    enabled: bool = True

    def __post_init__(self) -> None:
        condition: Condition | None = None
        if self.when not in BUILTIN:
            condition = parse_condition(self.when)
        object.__setattr__(self, "_condition", condition)

    @property
    def description(self) -> str:
        """What the breakpoint means, in words."""
        if self.when in BUILTIN:
            return BUILTIN[self.when][1]
        return "the scenario's condition is true"

    def fires(self, arrival: Arrival) -> bool:
        """Whether the condition holds on arriving at a step."""
        condition: Condition | None = self._condition  # type: ignore[attr-defined]
        if condition is None:
            return BUILTIN[self.when][0](arrival)
        return condition(arrival.variables)

    def toggled(self) -> Breakpoint:
        """The same breakpoint, enabled if it was disabled and vice versa."""
        return Breakpoint(self.when, not self.enabled)
