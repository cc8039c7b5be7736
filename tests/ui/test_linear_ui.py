"""Linear regression on screen: the debugger opens a linear preset, steps it and draws its
plots, and the plots' costs are the lesson's J(w, b) computed here by hand."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import ContentSwitcher

from gdtui.build import build_session
from gdtui.scenario import load_scenario
from gdtui.ui import plotting
from gdtui.ui.app import GdtuiApp

from .helpers import debugger

SIZE = (80, 24)
PRESET = Path(__file__).parents[2] / "scenarios" / "house-prices.toml"


def house_prices() -> tuple[np.ndarray, np.ndarray, float]:
    data = tomllib.loads(PRESET.read_text("utf-8"))
    x = np.array(data["problem"]["x"], dtype=float)
    return x, np.array(data["problem"]["y"], dtype=float), data["optimizer"]["alpha"]


def lesson_cost(w: float, b: float) -> float:
    x, y, _ = house_prices()
    return float(sum((w * xi + b - yi) ** 2 for xi, yi in zip(x, y, strict=True)) / (2 * len(x)))


async def test_the_debugger_opens_a_linear_preset_and_steps() -> None:
    x, y, alpha = house_prices()
    w, b = alpha * float(np.mean(x * y)), alpha * float(np.mean(y))  # one step from (0, 0)
    app = GdtuiApp(load_scenario("house-prices"))
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        assert "Linear regression: house size vs price" in screen.status_line.text
        await pilot.press("n")
        await pilot.pause()
        assert screen.session.current.step == 1
        assert "step 1 │ paused" in screen.status_line.text
        state = screen.state_panel.text
        assert f"{w:.3f}" in state and f"{b:.3f}" in state
        assert f"{lesson_cost(w, b):.3f}" in state
        assert f"w := w - alpha*dw = {w:.3f}" in screen.update_panel.text
        assert "moves RIGHT" in screen.update_panel.text


async def test_a_linear_preset_cycles_through_every_plot() -> None:
    app = GdtuiApp(load_scenario("house-prices"))
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        await pilot.press("n", "n")
        for view in ["surface", "history", "data", "curve"]:
            await pilot.press("v")
            await pilot.pause()
            assert screen.query_one(ContentSwitcher).current == f"plot-{view}"


@pytest.mark.parametrize("component", [0, 1])
def test_the_cost_curve_is_the_lessons_cost_along_w_and_b(component: int) -> None:
    session = build_session(load_scenario("house-prices"))
    session.step(3)
    snapshot = session.current
    ws, costs = plotting.curve_along(session, snapshot, component, (0.0, 200.0), points=21)
    w, b = snapshot.theta
    expected = [lesson_cost(t, b) if component == 0 else lesson_cost(w, t) for t in ws]
    np.testing.assert_allclose(costs, expected, rtol=1e-12)


def test_the_cost_surface_is_the_lessons_cost_over_w_and_b() -> None:
    session = build_session(load_scenario("house-prices"))
    assert plotting.has_surface(session.problem)
    ws, bs = np.linspace(0, 200, 7), np.linspace(-50, 150, 5)
    grid, sampled = plotting.cost_grid(session.problem, ws, bs)
    assert sampled is None
    expected = [[lesson_cost(w, b) for w in ws] for b in bs]
    np.testing.assert_allclose(grid, expected, rtol=1e-12)
