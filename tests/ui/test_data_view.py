"""The data view (`v`) and dw term by term (`d`), checked on what the screen shows."""

from __future__ import annotations

import re

import numpy as np
import pytest

from gdtui.scenario import load_scenario
from gdtui.ui.app import GdtuiApp
from gdtui.ui.screens.dw_terms import TermsScreen
from gdtui.ui.widgets.data_plot import DataPlot, boundary

from .helpers import debugger, scenario

SIZE = (80, 24)
WIDE = (120, 40)


def plot_text(plot: DataPlot) -> str:
    return "\n".join(plot.render_line(y).text for y in range(plot.size.height))


def title(app: GdtuiApp) -> str:
    return str(debugger(app).query_one("#plot-view").border_title)


async def to_data_view(pilot, app: GdtuiApp) -> DataPlot:  # type: ignore[no-untyped-def]
    for _ in range(4):
        if title(app) == "data":
            break
        await pilot.press("v")
    assert title(app) == "data"
    await pilot.pause()
    return debugger(app).query_one("#plot-data", DataPlot)


@pytest.mark.parametrize("steps", [1, 4, 30])
async def test_threshold_is_minus_b_over_w(steps: int) -> None:
    app = GdtuiApp(load_scenario("logistic-one-feature"))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press(*["n"] * steps)
        plot = await to_data_view(pilot, app)
        snapshot = debugger(app).session.current
        w, b = float(snapshot.theta[0]), float(snapshot.theta[1])
        assert plot.threshold == -b / w
        assert f"x = -b/w = {-b / w:.4g}" in plot_text(plot)


async def test_threshold_moves_as_you_step() -> None:
    app = GdtuiApp(load_scenario("logistic-one-feature"))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("n")
        plot = await to_data_view(pilot, app)
        before = re.search(r"x = -b/w = (\S+)", plot_text(plot))
        await pilot.press("n", "n")
        await pilot.pause()
        after = re.search(r"x = -b/w = (\S+)", plot_text(plot))
        assert before is not None and after is not None
        assert before.group(1) != after.group(1)


async def test_w_zero_has_no_threshold() -> None:
    app = GdtuiApp(load_scenario("separable"))  # starts at w = 0
    async with app.run_test(size=WIDE) as pilot:
        plot = await to_data_view(pilot, app)
        assert plot.threshold is None
        assert "w = 0: no threshold" in plot_text(plot)


async def test_labels_have_their_own_markers() -> None:
    app = GdtuiApp(load_scenario("separable"))  # three 0s, three 1s
    async with app.run_test(size=WIDE) as pilot:
        text = plot_text(await to_data_view(pilot, app))
        canvas = "\n".join(line for line in text.splitlines() if "│" in line)
        assert canvas.count("o") == 3 and canvas.count("+") == 3
        assert "o y=0" in text and "+ y=1" in text


async def test_two_features_show_the_boundary() -> None:
    app = GdtuiApp(scenario("two_features"))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("n", "n", "n")
        plot = await to_data_view(pilot, app)
        w0, w1, b = (float(v) for v in debugger(app).session.current.theta)
        text = plot_text(plot)
        assert f"{w0:.3g}*x1" in text and f"{abs(w1):.3g}*x2" in text and "= 0" in text
        xs, ys = boundary(np.array([w0, w1]), b, (0.0, 5.0))
        np.testing.assert_allclose(w0 * xs + w1 * ys + b, 0.0, atol=1e-9)


async def test_more_features_say_why_there_is_no_picture() -> None:
    app = GdtuiApp(scenario("three_features"))
    async with app.run_test(size=WIDE) as pilot:
        plot = await to_data_view(pilot, app)
        text = " ".join(plot_text(plot).split())
        assert "3 features: no picture." in text
        assert "a screen shows two dimensions" in text


async def test_linear_draws_the_line() -> None:
    app = GdtuiApp(load_scenario("house-prices"))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("n", "n")
        plot = await to_data_view(pilot, app)
        w, b = (float(v) for v in debugger(app).session.current.theta)
        assert f"yhat = w*x + b = {w:.3g}*x + {b:.3g}" in plot_text(plot)


@pytest.mark.parametrize(("name", "views"), [
    ("curve", ["cost curve", "cost history"]),
    ("logistic", ["cost curve", "cost surface (w, b)", "cost history", "data"]),
    ("two_features", ["cost curve", "cost surface (w, b)", "cost history", "data"]),
])  # fmt: skip
async def test_v_cycles_through_the_views_the_problem_has(name: str, views: list[str]) -> None:
    app = GdtuiApp(scenario(name))
    async with app.run_test(size=SIZE) as pilot:
        seen = [title(app)]
        for _ in range(len(views)):
            await pilot.press("v")
            seen.append(title(app))
        assert seen == [*views, views[0]]


# -- dw term by term --------------------------------------------------------------------------


def parse_rows(text: str) -> list[tuple[int, float, str]]:
    """(i, term, pull) for each example row of the terms screen."""
    rows = []
    for line in text.splitlines():
        match = re.match(r"\s+(\d+)\s.*\s([+-]?\d\S*)\s+(← LEFT|RIGHT →|none)$", line)
        if match:
            rows.append((int(match.group(1)), float(match.group(2)), match.group(3)))
    return rows


async def open_terms(pilot, app: GdtuiApp, steps: int, *keys: str) -> TermsScreen:  # type: ignore[no-untyped-def]
    await pilot.press(*["n"] * steps, *keys, "d")
    await pilot.pause()
    assert isinstance(app.screen, TermsScreen)
    return app.screen


@pytest.mark.parametrize(
    ("name", "steps", "component"),
    [("logistic-one-feature", 5, 0), ("logistic-two-features", 3, 1), ("house-prices", 4, 0),
     ("unscaled-features", 10, 1)],
)  # fmt: skip
async def test_terms_add_up_to_the_displayed_dw_exactly(
    name: str, steps: int, component: int
) -> None:
    app = GdtuiApp(load_scenario(name))
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_terms(pilot, app, steps, *["j"] * component)
        snapshot = debugger(app).session.current
        slope = "dw" if snapshot.layout.n_w == 1 else f"dw[{component}]"
        feature = "x_i" if snapshot.layout.n_w == 1 else f"x_i[{component}]"
        text = screen.text
        assert text.startswith(f"{slope} = (1/m) * sum(") and f") * {feature})\n" in text
        total = re.search(r"sum of the ([\d,]+) terms = (\S+)", text)
        result = re.search(rf"{re.escape(slope)} = sum / m = \S+ / ([\d,]+)\n\s+= (\S+)", text)
        assert total is not None and result is not None
        m = int(result.group(1).replace(",", ""))
        assert float(total.group(2)) / m == snapshot.grad[component]
        assert float(result.group(2)) == snapshot.grad[component]
        shown = f"(state panel: {screen_slope(snapshot.grad[component])})"
        assert shown in text


def screen_slope(value: float) -> str:
    from gdtui.ui.format import number

    return number(float(value), signed=True)


async def test_rows_sorted_by_pull_with_left_and_right_by_sign() -> None:
    app = GdtuiApp(load_scenario("logistic-one-feature"))
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_terms(pilot, app, 5)
        rows = parse_rows(screen.text)
        assert sorted(i for i, _, _ in rows) == list(range(1, 21))  # m = 20: every example
        sizes = [abs(term) for _, term, _ in rows]
        assert sizes == sorted(sizes, reverse=True)
        for _, term, way in rows:
            assert way == ("← LEFT" if term > 0 else "RIGHT →" if term < 0 else "none")
        assert {way for _, _, way in rows} == {"← LEFT", "RIGHT →"}


async def test_large_m_shows_the_strongest_and_counts_the_rest() -> None:
    app = GdtuiApp(load_scenario("logistic-two-features"))  # 200 examples
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_terms(pilot, app, 3)
        rows = parse_rows(screen.text)
        assert len(rows) == 10
        assert "and the other 190 examples" in screen.text
        session = debugger(app).session
        problem, theta = session.problem, session.current.theta
        yhat = 1.0 / (1.0 + np.exp(-(problem.X @ theta[:2] + theta[2])))
        terms = (yhat - problem.y) * problem.X[:, 0]
        strongest = np.argsort(-np.abs(terms))[:10] + 1
        assert [i for i, _, _ in rows] == strongest.tolist()


async def test_db_after_the_last_w_component() -> None:
    app = GdtuiApp(load_scenario("logistic-one-feature"))
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_terms(pilot, app, 5)
        await pilot.press("j")
        text = screen.text
        assert text.startswith("db = (1/m) * sum(yhat_i - y_i)")
        value = re.search(r"db = sum / m = \S+ / 20\n\s+= (\S+)", text)
        assert value is not None
        assert float(value.group(1)) == debugger(app).session.current.grad[1]
        await pilot.press("escape")
        assert app.screen is debugger(app)


async def test_linear_terms_use_the_line() -> None:
    app = GdtuiApp(load_scenario("house-prices"))
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_terms(pilot, app, 1)
        assert screen.text.startswith("dw = (1/m) * sum((w*x_i + b - y_i) * x_i)")


async def test_a_curve_has_no_terms() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        assert app.screen is debugger(app)
        assert any("no examples" in n.message for n in app._notifications)


async def test_with_b_selected_the_terms_are_db() -> None:
    app = GdtuiApp(load_scenario("logistic-one-feature"))
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_terms(pilot, app, 3, "j")  # j on the main screen selects b
        assert screen.text.startswith("db = (1/m) * sum(yhat_i - y_i)")
        assert "pulls b" in screen.text
