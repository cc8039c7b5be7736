"""One step of a run, frozen: the debugger's unit of display and of time travel."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gdtui.engine.optimizers import Optimizer

Vector = NDArray[np.float64]

#: Where the next update sends a parameter.
LEFT, RIGHT, STAY = "left", "right", "stay"

#: How a move is written: in words and arrows, never by colour alone.
MOVE_WORDS = {LEFT: "← LEFT", RIGHT: "RIGHT →", STAY: "stays"}


def norm(vector: Vector) -> float:
    """The Euclidean length of a vector. `math.hypot` on a list is several times faster than
    a numpy dot product for the few numbers of a curve's step, never overflows on the way,
    and gives inf for an inf and nan for a nan."""
    return math.hypot(*vector.tolist())


def direction(delta: float) -> str:
    """`left` for a decrease, `right` for an increase, `stay` for no change."""
    if delta < 0:
        return LEFT
    if delta > 0:
        return RIGHT
    return STAY


@dataclass(frozen=True)
class Layout:
    """How the flat vector `theta` splits into the lesson's `w` and `b`.

    Attributes:
        n_w: Components of `w`.
        has_b: Whether there is a `b` (the last component of `theta`).
        w_is_vector: Whether `w` is shown as a vector rather than a number.
    """

    n_w: int
    has_b: bool
    w_is_vector: bool

    @property
    def size(self) -> int:
        """The length of `theta`."""
        return self.n_w + int(self.has_b)

    def w(self, theta: Vector) -> float | Vector:
        """The `w` part of `theta`: a number, or a read-only vector."""
        if self.w_is_vector:
            return theta[: self.n_w]
        return float(theta[0])

    def b(self, theta: Vector) -> float | None:
        """The `b` part of `theta`, or None when the problem has no `b`."""
        return float(theta[-1]) if self.has_b else None

    def name(self, index: int) -> tuple[str, str]:
        """The parameter at `index` of `theta` and its slope, as the lesson writes them:
        `w`, `dw`; `w[j]`, `dw[j]` when `w` has several components; `b`, `db`."""
        if self.has_b and index == self.size - 1:
            return "b", "db"
        if self.w_is_vector and self.n_w > 1:
            return f"w[{index}]", f"dw[{index}]"
        return "w", "dw"

    def moves(self, delta: Vector) -> dict[str, str | list[str]]:
        """Per parameter, the direction of `delta`: `{"w": ..., "b": ...}`."""
        w_moves = [direction(float(d)) for d in delta[: self.n_w]]
        moves: dict[str, str | list[str]] = {"w": w_moves if self.w_is_vector else w_moves[0]}
        if self.has_b:
            moves["b"] = direction(float(delta[-1]))
        return moves


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The state of a run at one step, and the update that leaves it.

    Values describe the parameters *at* this step; `alpha`, `optimizer` and `next_theta`
    describe the update from this step to the next, so the screen can show
    `w := w - alpha*dw` with every number filled in.

    Attributes:
        step: Updates made so far (0 is the start).
        theta: The parameters, `w` then `b`.
        grad: The gradient at `theta`: `dw` then `db`.
        cost: `J(w, b)` at `theta`.
        alpha: The learning rate of the next update.
        optimizer: The update rule of the next update.
        state: The optimizer's state at this step (its momentum, averages, ...).
        next_theta: Where the next update lands.
        next_state: The optimizer's state after the next update.
        layout: How `theta` splits into `w` and `b`.
    """

    step: int
    theta: Vector
    grad: Vector
    cost: float
    alpha: float
    optimizer: Optimizer
    state: Vector
    next_theta: Vector
    next_state: Vector
    layout: Layout

    def __post_init__(self) -> None:
        for array in (self.theta, self.grad, self.state, self.next_theta, self.next_state):
            array.flags.writeable = False

    @property
    def w(self) -> float | Vector:
        """`w`: a number, or a vector for logistic regression."""
        return self.layout.w(self.theta)

    @property
    def b(self) -> float | None:
        """`b`, or None when the cost has no `b`."""
        return self.layout.b(self.theta)

    @property
    def dw(self) -> float | Vector:
        """The slope with respect to `w`: dJ/dw."""
        return self.layout.w(self.grad)

    @property
    def db(self) -> float | None:
        """The slope with respect to `b`: dJ/db, or None."""
        return self.layout.b(self.grad)

    @property
    def next_w(self) -> float | Vector:
        """`w` after the next update."""
        return self.layout.w(self.next_theta)

    @property
    def next_b(self) -> float | None:
        """`b` after the next update."""
        return self.layout.b(self.next_theta)

    @property
    def update(self) -> Vector:
        """What the next update adds to each parameter."""
        return self.next_theta - self.theta

    @property
    def move(self) -> dict[str, str | list[str]]:
        """Per parameter, where the next update actually sends it (left, right or stay)."""
        return self.layout.moves(self.update)

    @property
    def downhill(self) -> dict[str, str | list[str]]:
        """Per parameter, the lesson's sign rule: against the slope, toward lower cost.

        For plain GD this equals `move`; momentum and Adam may move against the slope.
        """
        return self.layout.moves(-self.grad)

    @property
    def grad_norm(self) -> float:
        """The length of the gradient, `norm((dw, db))`: zero at a minimum."""
        # A finite step can have a slope whose square overflows (a diverging run): inf.
        with np.errstate(all="ignore"):
            return norm(self.grad)
