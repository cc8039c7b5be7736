"""Record what real PyTorch optimizers do, so the tests can hold ours to it without torch.

Run it by hand after installing torch (it is not a dependency of gdtui):

    python tests/engine/make_torch_reference.py

It writes `torch_reference.json` beside itself. Each case runs one `torch.optim` optimizer in
float64 for a few steps on a small logistic-regression loss, feeding the gradient through
`param.grad`, and records the learning rate, the gradient and the parameters of every step.
`test_optimizers.py` replays those gradients through gdtui's optimizers and compares the
parameters; the gradients are stored, so the replay needs neither torch nor the loss.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

REFERENCE = Path(__file__).with_name("torch_reference.json")

STEPS = 12

#: (name, gdtui kind, gdtui hyperparameters, learning rate of each step).
CASES: list[tuple[str, str, dict[str, float], list[float]]] = [
    ("gd", "gd", {}, [0.5] * STEPS),
    ("momentum-default", "momentum", {}, [0.1] * STEPS),
    ("momentum-0.5", "momentum", {"momentum": 0.5}, [0.3] * STEPS),
    ("nesterov-default", "nesterov", {}, [0.1] * STEPS),
    ("nesterov-0.6", "nesterov", {"momentum": 0.6}, [0.2] * STEPS),
    ("adagrad-default", "adagrad", {}, [0.5] * STEPS),
    ("adagrad-eps", "adagrad", {"eps": 1e-3}, [0.3] * STEPS),
    ("rmsprop-default", "rmsprop", {}, [0.01] * STEPS),
    ("rmsprop-0.9", "rmsprop", {"rho": 0.9, "eps": 1e-6}, [0.05] * STEPS),
    ("adam-default", "adam", {}, [0.1] * STEPS),
    ("adam-betas", "adam", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6}, [0.05] * STEPS),
    # 1 - beta1 >= 0.5 takes the other branch of torch.lerp.
    ("adam-beta1-0.3", "adam", {"beta1": 0.3, "beta2": 0.9}, [0.05] * STEPS),
    # The learning rate changed between steps, as the debugger lets a teacher do.
    ("momentum-schedule", "momentum", {}, [0.1, 0.1, 0.4, 0.4, 0.05] + [0.2] * (STEPS - 5)),
    ("adam-schedule", "adam", {}, [0.1, 0.3, 0.3, 0.01] + [0.05] * (STEPS - 4)),
]


def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The loss's data (X, y) and the starting parameters (w..., b)."""
    rng = np.random.default_rng(20260131)
    X = rng.normal(size=(16, 3)) * np.array([1.0, 3.0, 0.2])
    y = (rng.random(16) < 0.5).astype(np.float64)
    theta0 = np.array([0.5, -1.5, 2.0, 0.25])
    return X, y, theta0


def make_optimizer(torch: Any, param: Any, kind: str, params: dict[str, float], lr: float):
    """The torch.optim optimizer that gdtui's `Optimizer(kind, params)` is meant to be."""
    optim = torch.optim
    if kind == "gd":
        return optim.SGD([param], lr=lr, foreach=False)
    if kind in ("momentum", "nesterov"):
        return optim.SGD(
            [param],
            lr=lr,
            momentum=params.get("momentum", 0.9),
            nesterov=kind == "nesterov",
            foreach=False,
        )
    if kind == "adagrad":
        return optim.Adagrad([param], lr=lr, eps=params.get("eps", 1e-10), foreach=False)
    if kind == "rmsprop":
        return optim.RMSprop(
            [param],
            lr=lr,
            alpha=params.get("rho", 0.99),
            eps=params.get("eps", 1e-8),
            foreach=False,
        )
    if kind == "adam":
        return optim.Adam(
            [param],
            lr=lr,
            betas=(params.get("beta1", 0.9), params.get("beta2", 0.999)),
            eps=params.get("eps", 1e-8),
            foreach=False,
        )
    raise ValueError(kind)


def trace(kind: str, params: dict[str, float], alphas: list[float]) -> dict[str, Any]:
    """Run torch's optimizer; returns theta0 and, per step, the gradient fed and the result."""
    import torch

    X_np, y_np, theta0 = data()
    X = torch.tensor(X_np, dtype=torch.float64)
    y = torch.tensor(y_np, dtype=torch.float64)
    theta = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer(torch, theta, kind, params, alphas[0])
    grads, thetas = [], []
    for alpha in alphas:
        for group in optimizer.param_groups:
            group["lr"] = alpha
        optimizer.zero_grad()
        z = X @ theta[:-1] + theta[-1]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
        loss.backward()
        grads.append(theta.grad.tolist())
        optimizer.step()
        thetas.append(theta.detach().tolist())
    return {"theta0": theta0.tolist(), "grads": grads, "thetas": thetas}


def reference() -> dict[str, Any]:
    """Every case, traced by the installed torch."""
    import torch

    cases = []
    for name, kind, params, alphas in CASES:
        cases.append(
            {"name": name, "kind": kind, "params": params, "alphas": alphas}
            | trace(kind, params, alphas)
        )
    return {"torch_version": torch.__version__, "dtype": "float64", "cases": cases}


def dumps(reference: dict[str, Any]) -> str:
    """JSON with one case a block and one vector a line. Floats are written with repr, which
    reads back to the same bits."""
    header = {key: value for key, value in reference.items() if key != "cases"}
    lines = ["{"] + [f" {json.dumps(key)}: {json.dumps(value)}," for key, value in header.items()]
    lines.append(' "cases": [')
    blocks = []
    for case in reference["cases"]:
        fields = []
        for key, value in case.items():
            if key in ("grads", "thetas"):
                rows = ",\n".join(f"    {json.dumps(row)}" for row in value)
                fields.append(f"   {json.dumps(key)}: [\n{rows}\n   ]")
            else:
                fields.append(f"   {json.dumps(key)}: {json.dumps(value)}")
        blocks.append("  {\n" + ",\n".join(fields) + "\n  }")
    lines.append(",\n".join(blocks))
    lines += [" ]", "}"]
    return "\n".join(lines) + "\n"


def main() -> None:
    REFERENCE.write_text(dumps(reference()))
    print(f"wrote {REFERENCE.name}: {len(CASES)} cases of {STEPS} steps")


if __name__ == "__main__":
    main()
