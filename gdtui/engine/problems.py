"""What gradient descent minimises: a cost `J` and its exact gradient.

A problem sees its parameters as one flat float64 vector `theta`: the `w` components first,
then `b` when the problem has one. `cost_and_gradient(theta)` returns `J(theta)` and the
vector `(dw..., db)`.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from gdtui.expr import Cost

Vector = NDArray[np.float64]


class Problem(Protocol):
    """A differentiable cost over `w` (and maybe `b`)."""

    #: How many components `w` has (1 for a curve).
    n_w: int
    #: Whether the problem has a `b`.
    has_b: bool
    #: Whether `w` is shown as a vector (logistic regression) rather than a number.
    w_is_vector: bool

    def cost_and_gradient(self, theta: Vector) -> tuple[float, Vector]:
        """`J` at `theta` and its gradient. Non-finite values are allowed (divergence)."""
        ...

    def cost(self, theta: Vector) -> float:
        """`J` at `theta`."""
        ...


def sigmoid(z: Vector) -> Vector:
    """The logistic function `1 / (1 + exp(-z))`, exact in both tails, with no overflow."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def mean_cost(z: Vector, y: Vector) -> Vector:
    """The lesson's `J` for scores `z` of any shape `(..., m)`: the mean over the last axis
    of `softplus((1 - 2y) * z)` (see `LogisticProblem`). For plots that need `J` at many
    points at once; a step uses the in-place version in `LogisticProblem`."""
    t = z * (1.0 - 2.0 * y)
    terms = np.log1p(np.exp(-np.abs(t)))
    terms += np.maximum(t, 0.0)
    result: Vector = terms.mean(axis=-1)
    return result


class LogisticProblem:
    """The lesson's logistic regression.

    `yhat = sigmoid(X @ w + b)` and
    `J(w, b) = -(1/m) * sum(y*log(yhat) + (1-y)*log(1-yhat))`, with
    `dw = X.T @ (yhat - y) / m` and `db = mean(yhat - y)`.

    The cost and the gradient come from one `z = X @ w + b`, so a step makes one pass over
    `X` for `z` and one for `dw`, and nothing else touches `X`.

    Both are written in the signed margin `t = s*z`, with `s = 1 - 2y` (+1 for a 0 label,
    -1 for a 1 label), so `t > 0` means the example sits on the wrong side:

    - per example the cost is `softplus(t) = max(t, 0) + log1p(exp(-|t|))` (the lesson's
      formula, since `log(yhat) = -softplus(-z)` and `log(1 - yhat) = -softplus(z)`): no
      `log(0)`, no overflow for large `|z|`, and only terms >= 0, so a tiny cost keeps its
      digits;
    - `yhat - y = s * sigmoid(t)`, and `sigmoid(t)` comes from the same `exp(-|t|)`.

    The arithmetic runs in place in two work arrays of length m: on large data a fresh
    temporary per operation costs more than the operation.

    Args:
        X: Features, shape (m, n). Not copied: the problem only reads it.
        y: Labels in {0, 1}, shape (m,).
    """

    has_b = True
    w_is_vector = True

    def __init__(self, X: Vector, y: Vector) -> None:
        self.X = np.asarray(X, dtype=np.float64)
        self.y = np.asarray(y, dtype=np.float64)
        self.m, self.n_w = self.X.shape
        self._sign = 1.0 - 2.0 * self.y

    def _margin_terms(self, theta: Vector) -> tuple[float, Vector, Vector, NDArray[np.bool_]]:
        """The cost, and (in work arrays) `t` and `e = exp(-|t|)` with the mask `t >= 0`."""
        t: Vector = self.X @ theta[:-1]
        t += theta[-1]
        t *= self._sign
        wrong_side = t >= 0
        e = np.abs(t)
        np.negative(e, out=e)
        np.exp(e, out=e)  # in (0, 1]
        np.maximum(t, 0.0, out=t)
        cost = float(t.sum())
        np.log1p(e, out=t)
        cost = (cost + float(t.sum())) / self.m
        return cost, t, e, wrong_side

    def cost(self, theta: Vector) -> float:
        with np.errstate(all="ignore"):
            return self._margin_terms(theta)[0]

    def cost_and_gradient(self, theta: Vector) -> tuple[float, Vector]:
        with np.errstate(all="ignore"):
            cost, work, error, wrong_side = self._margin_terms(theta)
            # sigmoid(t) = 1/(1+e) where t >= 0, else e/(1+e).
            np.add(error, 1.0, out=work)
            np.reciprocal(work, out=work)
            error *= work
            np.copyto(error, work, where=wrong_side)
            error *= self._sign  # yhat - y
            grad = np.empty(self.n_w + 1)
            grad[:-1] = self.X.T @ error
            grad[:-1] /= self.m
            grad[-1] = error.mean()
        return cost, grad


class CurveProblem:
    """A cost written as an expression in `w` (and maybe `b`), with its exact derivative.

    Args:
        expression: The parsed cost, e.g. `(w - 3)**2` or `w**2 + 25*b**2`.
    """

    n_w = 1
    w_is_vector = False

    def __init__(self, expression: Cost) -> None:
        self.expression = expression
        self.has_b = expression.uses_b
        self._evaluate = expression.evaluate

    def cost(self, theta: Vector) -> float:
        b = float(theta[1]) if self.has_b else 0.0
        return self.expression.value(float(theta[0]), b)

    def cost_and_gradient(self, theta: Vector) -> tuple[float, Vector]:
        # The engine's loop runs under np.errstate, so the fast path needs no context here.
        if self.has_b:
            cost, dw, db = self._evaluate(float(theta[0]), float(theta[1]))
            return float(cost), np.array((dw, db), dtype=np.float64)
        cost, dw, _ = self._evaluate(float(theta[0]), 0.0)
        return float(cost), np.array((dw,), dtype=np.float64)
