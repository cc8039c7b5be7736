"""Breakpoints: conditions checked after every step, like a debugger's.

Built-in conditions name the moments a lesson is about (`cost_increase`, `slope_sign_flip`,
`converged`, `diverged`); anything else is an expression in the safe language over
`step, w, b, dw, db, cost, prev_cost, alpha`, such as `cost > prev_cost` or `abs(dw) < 1e-3`.

When a breakpoint fires:

- A condition (an expression, or `converged`) is a watchpoint: it fires on the step where it
  *becomes* true (it was false on the step before), not again while it stays true. So `c`
  where one fired always goes on, and `abs(dw) < 1e-3` stops once where the slope gets small
  instead of on every step after it.
- An event (`cost_increase`, `slope_sign_flip`) already compares a step with the one before
  it: it fires on every step where it happens, as the lessons on overshooting want to show
  each flip. (`diverged` is reported by the session: divergence is not a step.)

Conditions are also checked at step 0, against the start, so one that already holds there
does not fire at step 1; at step 0 `prev_cost` is missing, which makes a condition using it
false.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from gdtui.engine.snapshot import Layout

if TYPE_CHECKING:
    from gdtui.expr import Condition

Vector = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Arrival:
    """What a breakpoint sees after a step: the new values and the previous ones.

    Attributes:
        step: The step just reached.
        theta: Its parameters (`w`, then `b`).
        grad: Its gradient (`dw`, then `db`).
        cost: Its cost.
        prev_grad: The gradient one step earlier (None at step 0).
        prev_cost: The cost one step earlier (None at step 0).
        alpha: The learning rate of the update that led here (at step 0, of the first update).
        converged: Whether the gradient is within the tolerance.
        layout: How `theta` splits into `w` and `b`.
    """

    step: int
    theta: Vector
    grad: Vector
    cost: float
    prev_grad: Vector | None
    prev_cost: float | None
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
    return arrival.prev_cost is not None and arrival.cost > arrival.prev_cost


def _slope_sign_flip(arrival: Arrival) -> bool:
    # An overshoot: some component of dw changed sign, so w jumped over the bottom.
    if arrival.prev_grad is None:
        return False
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

#: The built-ins that are events of one step: they fire on every step where they happen.
EVENTS = frozenset({"cost_increase", "slope_sign_flip", "diverged"})


@dataclass(frozen=True, eq=False)
class Breakpoint:
    """A named condition, checked after every step (see the module notes for when it fires).

    Attributes:
        when: A built-in name or an expression, as written.
        enabled: Whether a hit stops `continue`.
    """

    when: str
    enabled: bool = True

    def __post_init__(self) -> None:
        condition: Condition | None = None
        if self.when not in BUILTIN:
            from gdtui.expr import parse_condition  # a built-in needs no parser

            condition = parse_condition(self.when)
        object.__setattr__(self, "_condition", condition)

    @property
    def description(self) -> str:
        """What the breakpoint means, in words."""
        if self.when in BUILTIN:
            return BUILTIN[self.when][1]
        return "the condition becomes true"

    @property
    def is_event(self) -> bool:
        """Whether it fires on every step where it holds (an event of one step), rather than
        only where it becomes true (a watchpoint)."""
        return self.when in EVENTS

    def holds(self, arrival: Arrival) -> bool:
        """Whether the condition holds on arriving at a step."""
        condition: Condition | None = self._condition  # type: ignore[attr-defined]
        if condition is None:
            return BUILTIN[self.when][0](arrival)
        return condition(arrival.variables)

    def toggled(self) -> Breakpoint:
        """The same breakpoint, enabled if it was disabled and vice versa."""
        return Breakpoint(self.when, not self.enabled)
