"""The update rules, held to hand-worked steps, to PyTorch's documented algorithms written out
element by element, and to traces recorded from real PyTorch."""

from __future__ import annotations

import importlib.util
import inspect
import json
import math
from pathlib import Path

import numpy as np
import pytest

from gdtui.engine.optimizers import HYPERPARAMETERS, OPTIMIZER_KINDS, Optimizer, max_state_size

HERE = Path(__file__).parent
REFERENCE = json.loads((HERE / "torch_reference.json").read_text())

# Hyperparameter sets to try besides the defaults: every key each rule takes, changed.
SETTINGS = [
    ("gd", {}),
    ("momentum", {}),
    ("momentum", {"momentum": 0.5}),
    ("nesterov", {}),
    ("nesterov", {"momentum": 0.3}),
    ("adagrad", {}),
    ("adagrad", {"eps": 1e-4}),
    ("rmsprop", {}),
    ("rmsprop", {"rho": 0.9, "eps": 1e-6}),
    ("adam", {}),
    ("adam", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6}),
    ("adam", {"beta1": 0.2, "beta2": 0.5}),
]


def setting_id(setting: tuple[str, dict[str, float]]) -> str:
    kind, params = setting
    return kind + "".join(f"-{k}={v:g}" for k, v in params.items())


# -- an independent implementation ------------------------------------------------------------


def reference_trace(
    kind: str, params: dict[str, float], theta0: list[float], grads, alphas
) -> list[list[float]]:
    """PyTorch's documented algorithm (the pseudo-code of the torch.optim pages), one float at
    a time in plain Python, with weight decay 0, dampening 0, lr_decay 0, amsgrad off,
    RMSprop not centred. Returns theta after every step."""
    p = {**HYPERPARAMETERS[kind], **params}
    theta = list(theta0)
    size = len(theta)
    buf = [0.0] * size  # SGD's momentum buffer b
    state_sum = [0.0] * size  # Adagrad
    v = [0.0] * size  # RMSprop's square average; Adam's second moment
    m = [0.0] * size  # Adam's first moment
    trace = []
    for t, (g_row, gamma) in enumerate(zip(grads, alphas, strict=True), start=1):
        for i in range(size):
            g = float(g_row[i])
            if kind == "gd":
                theta[i] = theta[i] - gamma * g
            elif kind in ("momentum", "nesterov"):
                mu = p["momentum"]
                buf[i] = g if t == 1 else mu * buf[i] + g
                step = g + mu * buf[i] if kind == "nesterov" else buf[i]
                theta[i] = theta[i] - gamma * step
            elif kind == "adagrad":
                state_sum[i] = state_sum[i] + g * g
                theta[i] = theta[i] - gamma * g / (math.sqrt(state_sum[i]) + p["eps"])
            elif kind == "rmsprop":
                rho = p["rho"]
                v[i] = rho * v[i] + (1 - rho) * g * g
                theta[i] = theta[i] - gamma * g / (math.sqrt(v[i]) + p["eps"])
            elif kind == "adam":
                beta1, beta2 = p["beta1"], p["beta2"]
                m[i] = beta1 * m[i] + (1 - beta1) * g
                v[i] = beta2 * v[i] + (1 - beta2) * g * g
                m_hat = m[i] / (1 - beta1**t)
                v_hat = v[i] / (1 - beta2**t)
                theta[i] = theta[i] - gamma * m_hat / (math.sqrt(v_hat) + p["eps"])
            else:
                raise AssertionError(kind)
        trace.append(list(theta))
    return trace


def engine_trace(kind: str, params: dict[str, float], theta0, grads, alphas) -> np.ndarray:
    """Our optimizer fed the same gradients: theta after every step."""
    optimizer = Optimizer(kind, params)
    theta = np.array(theta0, dtype=np.float64)
    state = optimizer.initial_state(theta.size)
    trace = []
    for grad, alpha in zip(grads, alphas, strict=True):
        theta, state = optimizer.update(theta, np.array(grad, dtype=np.float64), state, alpha)
        trace.append(theta)
    return np.array(trace)


def assert_traces_close(actual: np.ndarray, expected, rtol: float = 1e-12) -> None:
    expected = np.array(expected)
    # A parameter that lands near 0 after cancelling larger terms keeps the absolute error of
    # those terms, so its relative error can be large through no fault of the update.
    atol = rtol * float(np.abs(expected).max())
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


@pytest.mark.parametrize("setting", SETTINGS, ids=setting_id)
@pytest.mark.parametrize("seed", range(4))
def test_matches_pytorch_documented_algorithm(setting, seed):
    kind, params = setting
    rng = np.random.default_rng(seed)
    size, steps = 5, 8
    theta0 = rng.normal(size=size) * 3
    # Slopes of very different sizes per component, and one exactly flat component.
    grads = rng.normal(size=(steps, size)) * 10.0 ** rng.uniform(-3, 3, size=size)
    grads[:, 2] = 0.0
    alphas = rng.uniform(0.001, 0.5, size=steps)
    expected = reference_trace(kind, params, theta0.tolist(), grads, alphas)
    assert_traces_close(engine_trace(kind, params, theta0, grads, alphas), expected)


def test_reference_trace_is_not_trivially_shared():
    # The comparison above means something only if the rules differ from each other.
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(4, 3))
    traces = [reference_trace(k, p, [1.0, 2.0, 3.0], grads, [0.1] * 4) for k, p in SETTINGS]
    finals = {tuple(trace[-1]) for trace in traces}
    assert len(finals) == len(SETTINGS)


# -- hand-worked steps -----------------------------------------------------------------------

HAND_WORKED = [
    # gd: w := w - alpha*dw = 0.5 - 0.1*2.4 = 0.26
    ("gd", 0.26),
    # momentum, first step: the buffer starts as the first slope, so it equals gd: 0.26
    ("momentum", 0.26),
    # nesterov, first step: buf = 2.4, step = dw + 0.9*buf = 2.4 + 2.16 = 4.56,
    # w = 0.5 - 0.1*4.56 = 0.044
    ("nesterov", 0.044),
    # adagrad: sum = 2.4**2 = 5.76, sqrt = 2.4, w = 0.5 - 0.1*2.4/(2.4 + 1e-10)
    # = 0.5 - 0.1*(1 - 1e-10/2.4) = 0.4 + 4.2e-12
    ("adagrad", 0.4000000000042),
    # rmsprop: v = 0.01*5.76 = 0.0576, sqrt = 0.24, w = 0.5 - 0.1*2.4/(0.24 + 1e-8)
    # = 0.5 - 1.0*(1 - 1e-8/0.24) = -0.5 + 4.16667e-8: RMSprop's first step is 10 times
    # alpha, because its average of squares starts at 0 and keeps only 1% of the first one.
    ("rmsprop", -0.4999999583333),
    # adam: m = 0.1*2.4 = 0.24, v = 0.001*5.76; m_hat = 2.4, v_hat = 5.76, sqrt = 2.4,
    # w = 0.5 - 0.1*2.4/(2.4 + 1e-8) = 0.4 + 0.1*1e-8/2.4 = 0.4 + 4.1667e-10
    ("adam", 0.40000000041667),
]


@pytest.mark.parametrize(("kind", "expected"), HAND_WORKED)
def test_first_step_by_hand(kind, expected):
    optimizer = Optimizer(kind)
    new_theta, _ = optimizer.update(
        np.array([0.5]), np.array([2.4]), optimizer.initial_state(1), 0.1
    )
    assert new_theta[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("kind", "expected"), [
    # momentum: buf = 0.9*2.4 + 1.0 = 3.16, w = 0.26 - 0.1*3.16 = -0.056
    ("momentum", -0.056),
    # nesterov: buf = 3.16, step = 1.0 + 0.9*3.16 = 3.844, w = 0.044 - 0.3844 = -0.3404
    ("nesterov", -0.3404),
    # adam: m = 0.9*0.24 + 0.1*1.0 = 0.316, v = 0.999*0.00576 + 0.001*1.0 = 0.00675424,
    # m_hat = 0.316/0.19 = 1.663157..., v_hat = 0.00675424/0.001999 = 3.378809...,
    # sqrt(v_hat) = 1.838153..., w = 0.4 - 0.1*1.663157/1.838153 = 0.4 - 0.0904798 = 0.3095202
    ("adam", 0.3095202),
])  # fmt: skip
def test_second_step_by_hand(kind, expected):
    optimizer = Optimizer(kind)
    theta, state = np.array([0.5]), optimizer.initial_state(1)
    theta, state = optimizer.update(theta, np.array([2.4]), state, 0.1)
    theta, state = optimizer.update(theta, np.array([1.0]), state, 0.1)
    assert theta[0] == pytest.approx(expected, rel=1e-6)


def test_adam_first_step_is_alpha_against_each_slope_whatever_its_size():
    # m_hat = g and v_hat = g**2 after one step, so each component moves by alpha*sign(g)
    # (less eps/|g| relative: 1e-5 for the smallest slope here).
    optimizer = Optimizer("adam")
    theta = np.array([1.0, 2.0, 3.0])
    grad = np.array([1e-3, -50.0, 7.0])
    new_theta, _ = optimizer.update(theta, grad, optimizer.initial_state(3), 0.01)
    np.testing.assert_allclose(new_theta - theta, -0.01 * np.sign(grad), rtol=1e-4)


# -- purity ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", OPTIMIZER_KINDS)
def test_update_never_mutates_its_inputs(kind):
    optimizer = Optimizer(kind)
    rng = np.random.default_rng(1)
    theta, state = rng.normal(size=4), optimizer.initial_state(4)
    for _ in range(3):  # a state that is not all zeros
        theta, state = optimizer.update(theta, rng.normal(size=4), state, 0.1)
    grad = rng.normal(size=4)
    inputs = (theta, grad, state)
    copies = [a.copy() for a in inputs]
    for array in inputs:
        array.flags.writeable = False  # an in-place write would raise
    new_theta, new_state = optimizer.update(theta, grad, state, 0.1)
    for array, copy in zip(inputs, copies, strict=True):
        assert np.array_equal(array, copy)
    assert not np.shares_memory(new_theta, theta)
    assert new_state.size == 0 or not np.shares_memory(new_state, state)
    # Pure: the same inputs give the same bits.
    again_theta, again_state = optimizer.update(theta, grad, state, 0.1)
    assert np.array_equal(again_theta, new_theta)
    assert np.array_equal(again_state, new_state)


@pytest.mark.parametrize("kind", OPTIMIZER_KINDS)
@pytest.mark.parametrize("size", [1, 2, 101])
def test_state_has_its_declared_size(kind, size):
    optimizer = Optimizer(kind)
    state = optimizer.initial_state(size)
    assert state.shape == (optimizer.state_size(size),)
    assert optimizer.state_size(size) <= max_state_size(size)
    _, new_state = optimizer.update(np.ones(size), np.ones(size), state, 0.1)
    assert new_state.shape == state.shape


def test_defaults_are_filled_in_and_bad_settings_refused():
    assert Optimizer("adam").params == {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert Optimizer("adam", {"eps": 1e-6}).params["beta1"] == 0.9
    with pytest.raises(ValueError, match="unknown optimizer"):
        Optimizer("sgd-ish")
    with pytest.raises(ValueError, match="adam takes no rho"):
        Optimizer("adam", {"rho": 0.9})


# -- recorded PyTorch traces -------------------------------------------------------------------


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=lambda case: case["name"])
def test_replays_recorded_pytorch_trace(case):
    assert len(case["grads"]) == len(case["alphas"]) == len(case["thetas"]) >= 10
    actual = engine_trace(
        case["kind"], case["params"], case["theta0"], case["grads"], case["alphas"]
    )
    assert_traces_close(actual, case["thetas"])


def test_recorded_cases_cover_every_optimizer():
    assert {case["kind"] for case in REFERENCE["cases"]} == set(OPTIMIZER_KINDS)


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "make_torch_reference", HERE / "make_torch_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", [case[0] for case in load_generator().CASES])
def test_matches_live_pytorch(name):
    pytest.importorskip("torch")
    generator = load_generator()
    _, kind, params, alphas = next(case for case in generator.CASES if case[0] == name)
    live = generator.trace(kind, params, alphas)
    actual = engine_trace(kind, params, live["theta0"], live["grads"], alphas)
    assert_traces_close(actual, live["thetas"])


def test_defaults_are_pytorchs():
    torch = pytest.importorskip("torch")

    def default(cls, name):
        return inspect.signature(cls.__init__).parameters[name].default

    assert HYPERPARAMETERS["adagrad"]["eps"] == default(torch.optim.Adagrad, "eps")
    assert HYPERPARAMETERS["rmsprop"]["rho"] == default(torch.optim.RMSprop, "alpha")
    assert HYPERPARAMETERS["rmsprop"]["eps"] == default(torch.optim.RMSprop, "eps")
    betas = default(torch.optim.Adam, "betas")
    assert (HYPERPARAMETERS["adam"]["beta1"], HYPERPARAMETERS["adam"]["beta2"]) == betas
    assert HYPERPARAMETERS["adam"]["eps"] == default(torch.optim.Adam, "eps")
