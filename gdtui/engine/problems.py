"""What gradient descent minimises: a cost `J` and its exact gradient.

A problem sees its parameters as one flat float64 vector `theta`: the `w` components first,
then `b` when the problem has one. `cost_and_gradient(theta)` returns `J(theta)` and the
vector `(dw..., db)`.

The two problems on data, `LogisticProblem` and `LinearProblem`, share `DataProblem`: the
examples `X`, `y`, the score `z = X @ w + b`, and per example `predictions` (yhat) and
`residuals` (yhat - y), the quantities the lesson's `dw = (1/m) * sum((yhat_i - y_i) * x_i)`
is made of. `cost_of_scores` gives `J` for many score vectors at once, for plots.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
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


class DataProblem:
    """A cost over labelled examples, through the score `z = X @ w + b`.

    Subclasses say how a score becomes a prediction and a cost; what they share is here, so
    the plots and the views treat every kind of data problem alike.

    Args:
        X: Features, shape (m, n). Not copied: the problem only reads it.
        y: Labels, shape (m,).
    """

    has_b = True
    w_is_vector = True

    def __init__(self, X: Vector, y: Vector) -> None:
        self.X = np.asarray(X, dtype=np.float64)
        self.y = np.asarray(y, dtype=np.float64)
        self.m, self.n_w = self.X.shape

    def scores(self, theta: Vector) -> Vector:
        """`z = X @ w + b`, one score per example (a fresh array)."""
        z: Vector = self.X @ theta[:-1]
        z += theta[-1]
        return z

    def cost_of_scores(self, z: Vector, y: Vector | None = None) -> Vector:
        """`J` for scores `z` of any shape `(..., m)`: one cost per row of scores.

        For plots that need `J` at many `theta` at once (`z = X @ w + b` for each); a step
        uses the faster in-place `cost_and_gradient`.

        Args:
            z: Scores, the last axis running over the examples.
            y: The labels those examples have; `self.y` when None (a plot that samples rows
                passes the sampled labels).
        """
        raise NotImplementedError

    def costs(self, thetas: Vector) -> Vector:
        """`J` at each row of `thetas`, shape (k, n + 1): one cost per row."""
        thetas = np.atleast_2d(np.asarray(thetas, dtype=np.float64))
        with np.errstate(all="ignore"):
            z = thetas[:, :-1] @ self.X.T
            z += thetas[:, -1:]
            return self.cost_of_scores(z)

    def predictions(self, theta: Vector) -> Vector:
        """`yhat` for each example at `theta`."""
        raise NotImplementedError

    def residuals(self, theta: Vector) -> Vector:
        """`yhat - y` for each example at `theta`: the same floats `dw` and `db` are made
        of, so `X.T @ residuals / m` is the step's `dw`."""
        raise NotImplementedError


class LogisticProblem(DataProblem):
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

    def __init__(self, X: Vector, y: Vector) -> None:
        super().__init__(X, y)
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

    def _errors(self, theta: Vector) -> tuple[float, Vector]:
        """The cost and `yhat - y` (in a work array), from one pass over `X`."""
        cost, work, error, wrong_side = self._margin_terms(theta)
        # sigmoid(t) = 1/(1+e) where t >= 0, else e/(1+e), as `1/(1+e)` times e or 1. The
        # factor is max(e, wrong_side) (e <= 1, and nan stays nan): a masked copy costs
        # as much as an exp on 100,000 examples, a maximum a tenth of that.
        np.add(error, 1.0, out=work)
        np.reciprocal(work, out=work)
        np.maximum(error, wrong_side, out=error)
        error *= work
        error *= self._sign  # yhat - y
        return cost, error

    def cost(self, theta: Vector) -> float:
        with np.errstate(all="ignore"):
            return self._margin_terms(theta)[0]

    def cost_and_gradient(self, theta: Vector) -> tuple[float, Vector]:
        with np.errstate(all="ignore"):
            cost, error = self._errors(theta)
            grad = np.empty(self.n_w + 1)
            grad[:-1] = self.X.T @ error
            grad[:-1] /= self.m
            grad[-1] = error.mean()
        return cost, grad

    def cost_of_scores(self, z: Vector, y: Vector | None = None) -> Vector:
        return mean_cost(z, self.y if y is None else y)

    def predictions(self, theta: Vector) -> Vector:
        """`yhat = sigmoid(X @ w + b)`, exact in both tails."""
        with np.errstate(all="ignore"):
            return sigmoid(self.scores(theta))

    def residuals(self, theta: Vector) -> Vector:
        """`yhat - y`, as `s * sigmoid(t)`: a 0 label's tiny `yhat` keeps its digits, where
        `sigmoid(z) - y` would round it against 1."""
        with np.errstate(all="ignore"):
            return self._errors(theta)[1]


class LinearProblem(DataProblem):
    """Linear regression, the lesson before logistic regression.

    `yhat = X @ w + b` and `J(w, b) = 1/(2m) * sum((yhat - y)**2)`, with
    `dw = X.T @ (yhat - y) / m` and `db = mean(yhat - y)`: the same gradient as logistic
    regression's, with the line in place of the sigmoid.

    The cost is summed from the residuals themselves, never from an expanded quadratic
    (`w.A.w - 2 w.c + y.y`), whose terms cancel near the minimum and leave only rounding:
    here every term is a square >= 0, so `J` is never negative and a small `J` keeps its
    digits. The residuals live in one work array of length m, reused for cost and gradient.

    Args:
        X: Features, shape (m, n). Not copied: the problem only reads it.
        y: Targets, any finite numbers, shape (m,).
    """

    def _residuals(self, theta: Vector) -> Vector:
        """`X @ w + b - y` in a fresh work array (one pass over `X`)."""
        r: Vector = self.X @ theta[:-1]
        r += theta[-1]
        r -= self.y
        return r

    def cost(self, theta: Vector) -> float:
        with np.errstate(all="ignore"):
            r = self._residuals(theta)
            return float(r @ r) / (2.0 * self.m)

    def cost_and_gradient(self, theta: Vector) -> tuple[float, Vector]:
        with np.errstate(all="ignore"):
            r = self._residuals(theta)
            cost = float(r @ r) / (2.0 * self.m)
            grad = np.empty(self.n_w + 1)
            grad[:-1] = self.X.T @ r
            grad[:-1] /= self.m
            grad[-1] = r.mean()
        return cost, grad

    def cost_of_scores(self, z: Vector, y: Vector | None = None) -> Vector:
        r = z - (self.y if y is None else y)
        np.square(r, out=r)
        result: Vector = r.mean(axis=-1) / 2.0
        return result

    def predictions(self, theta: Vector) -> Vector:
        """`yhat = X @ w + b`."""
        with np.errstate(all="ignore"):
            return self.scores(theta)

    def residuals(self, theta: Vector) -> Vector:
        """`yhat - y`."""
        with np.errstate(all="ignore"):
            return self._residuals(theta)

    def hessian(self) -> Vector:
        """`J`'s Hessian over `(w, b)`, the same at every `theta`: `A.T @ A / m` with
        `A = [X, 1]`. Gradient descent on `J` diverges for `alpha > 2 / lambda_max(A.T @ A / m)`.
        """
        A = np.hstack((self.X, np.ones((self.m, 1))))
        result: Vector = A.T @ A / self.m
        return result


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
        #: `J`, `dJ/dw` and `dJ/db` at `(w, b)` as numbers (`b` is ignored without a `b`):
        #: what `cost_and_gradient` returns, for a loop that keeps its parameters in floats.
        self.evaluate: Callable[[float, float], tuple[float, float, float]] = expression.evaluate

    def cost(self, theta: Vector) -> float:
        b = float(theta[1]) if self.has_b else 0.0
        return self.expression.value(float(theta[0]), b)

    def cost_and_gradient(self, theta: Vector) -> tuple[float, Vector]:
        # The engine's loop runs under np.errstate, so the fast path needs no context here.
        if self.has_b:
            cost, dw, db = self.evaluate(float(theta[0]), float(theta[1]))
            return float(cost), np.array((dw, db), dtype=np.float64)
        cost, dw, _ = self.evaluate(float(theta[0]), 0.0)
        return float(cost), np.array((dw,), dtype=np.float64)
