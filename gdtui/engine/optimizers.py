"""Update rules: the lesson's plain gradient descent, and the optimizers that grew out of it.

Every optimizer works on one flat float64 vector `theta` (the `w` components, then `b`) and
its gradient `grad` (the `dw` components, then `db`). An update is a pure function

    (theta, grad, state, alpha) -> (new_theta, new_state)

so a run can be replayed bit for bit from any saved state. `state` is a flat float64 vector
too (empty for plain GD), which lets the history store it in a plain numpy array.

The formulas, their order of operations and their defaults are those of PyTorch's
`torch.optim` single-tensor implementations (SGD with dampening 0, Adagrad, RMSprop
non-centred, Adam non-amsgrad; no weight decay), so a float64 trace agrees with PyTorch's
step for step. The learning rate is always called `alpha`; RMSprop's smoothing constant
(PyTorch's `alpha`) is called `rho` here so the two never meet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

Vector = NDArray[np.float64]

#: Default hyperparameters per optimizer, besides `alpha`. The keys are what a scenario's
#: `[optimizer]` table may set for that kind.
HYPERPARAMETERS: dict[str, dict[str, float]] = {
    "gd": {},
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.9},
    "adagrad": {"eps": 1e-10},
    "rmsprop": {"rho": 0.99, "eps": 1e-8},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}

#: One line per optimizer, for pickers and help screens.
DESCRIPTIONS: dict[str, str] = {
    "gd": "plain gradient descent: w := w - alpha*dw",
    "momentum": "heavy ball: a velocity that remembers past slopes",
    "nesterov": "momentum that looks ahead before it steps",
    "adagrad": "per-parameter steps that shrink as squared slopes add up",
    "rmsprop": "per-parameter steps scaled by a running average of squared slopes",
    "adam": "momentum plus RMSprop scaling, with bias correction",
}

OPTIMIZER_KINDS: tuple[str, ...] = tuple(HYPERPARAMETERS)


@dataclass(frozen=True)
class Optimizer:
    """An update rule with its hyperparameters (everything but `alpha`, which can change
    from one step to the next).

    Attributes:
        kind: One of `OPTIMIZER_KINDS`.
        params: The hyperparameters, defaults filled in.
    """

    kind: str
    params: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in HYPERPARAMETERS:
            raise ValueError(f"unknown optimizer {self.kind!r}")
        unknown = set(self.params) - set(HYPERPARAMETERS[self.kind])
        if unknown:
            raise ValueError(f"{self.kind} takes no {', '.join(sorted(unknown))}")
        object.__setattr__(self, "params", {**HYPERPARAMETERS[self.kind], **self.params})
        # Looked up once: `update` runs on every step of the engine's hot loop.
        object.__setattr__(self, "_update", _UPDATES[self.kind])

    def __hash__(self) -> int:
        return hash((self.kind, tuple(sorted(self.params.items()))))

    def label(self) -> str:
        """A short label such as `adam(beta1=0.9, beta2=0.999, eps=1e-08)`."""
        if not self.params:
            return self.kind
        inner = ", ".join(f"{k}={v:g}" for k, v in self.params.items())
        return f"{self.kind}({inner})"

    def state_size(self, size: int) -> int:
        """The length of the state vector for a parameter vector of `size` floats."""
        return _STATE_SIZE[self.kind](size)

    def initial_state(self, size: int) -> Vector:
        """The state before the first update (PyTorch's lazily created buffers)."""
        return np.zeros(self.state_size(size))

    def update(
        self, theta: Vector, grad: Vector, state: Vector, alpha: float
    ) -> tuple[Vector, Vector]:
        """One update. Returns new arrays; never modifies its arguments."""
        return self._update(theta, grad, state, alpha, self.params)  # type: ignore[attr-defined]


def _gd(theta: Vector, grad: Vector, state: Vector, alpha: float, p: dict[str, float]):
    return theta - alpha * grad, state


def _momentum_buffer(grad: Vector, state: Vector, momentum: float) -> Vector:
    # state = [buffer..., started]; PyTorch clones the first gradient into the buffer.
    if state[-1] == 0.0:
        return grad.copy()
    return state[:-1] * momentum + grad


def _momentum(theta: Vector, grad: Vector, state: Vector, alpha: float, p: dict[str, float]):
    buf = _momentum_buffer(grad, state, p["momentum"])
    return theta - alpha * buf, np.append(buf, 1.0)


def _nesterov(theta: Vector, grad: Vector, state: Vector, alpha: float, p: dict[str, float]):
    buf = _momentum_buffer(grad, state, p["momentum"])
    return theta - alpha * (grad + p["momentum"] * buf), np.append(buf, 1.0)


def _adagrad(theta: Vector, grad: Vector, state: Vector, alpha: float, p: dict[str, float]):
    state_sum = state + grad * grad
    std = np.sqrt(state_sum) + p["eps"]
    return theta - alpha * (grad / std), state_sum


def _rmsprop(theta: Vector, grad: Vector, state: Vector, alpha: float, p: dict[str, float]):
    rho = p["rho"]
    square_avg = state * rho + (1.0 - rho) * (grad * grad)
    avg = np.sqrt(square_avg) + p["eps"]
    return theta - alpha * (grad / avg), square_avg


def _adam(theta: Vector, grad: Vector, state: Vector, alpha: float, p: dict[str, float]):
    # state = [exp_avg..., exp_avg_sq..., step]
    n = theta.size
    exp_avg, exp_avg_sq, step = state[:n], state[n : 2 * n], state[-1] + 1.0
    beta1, beta2 = p["beta1"], p["beta2"]
    # torch.lerp(start, end, weight) with weight < 0.5 is start + weight * (end - start).
    weight = 1.0 - beta1
    if weight < 0.5:
        exp_avg = exp_avg + weight * (grad - exp_avg)
    else:
        exp_avg = grad - (grad - exp_avg) * (1.0 - weight)
    exp_avg_sq = exp_avg_sq * beta2 + (1.0 - beta2) * (grad * grad)
    bias_correction1 = 1.0 - beta1**step
    bias_correction2 = 1.0 - beta2**step
    step_size = alpha / bias_correction1
    denom = np.sqrt(exp_avg_sq) / math.sqrt(bias_correction2) + p["eps"]
    new_theta = theta - step_size * (exp_avg / denom)
    return new_theta, np.concatenate((exp_avg, exp_avg_sq, [step]))


_UPDATES = {
    "gd": _gd,
    "momentum": _momentum,
    "nesterov": _nesterov,
    "adagrad": _adagrad,
    "rmsprop": _rmsprop,
    "adam": _adam,
}

_STATE_SIZE = {
    "gd": lambda n: 0,
    "momentum": lambda n: n + 1,
    "nesterov": lambda n: n + 1,
    "adagrad": lambda n: n,
    "rmsprop": lambda n: n,
    "adam": lambda n: 2 * n + 1,
}


def max_state_size(size: int) -> int:
    """The largest state any optimizer keeps for `size` parameters (a history row holds any)."""
    return max(count(size) for count in _STATE_SIZE.values())
