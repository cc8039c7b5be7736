"""A plot shows the same at a size whatever size it had before: after a resize, each plot's
lines are, cell for cell, those of a plot that was at the new size all along."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.segment import Segment

from gdtui.build import build_session
from gdtui.scenario import load_scenario
from gdtui.ui.app import GdtuiApp
from gdtui.ui.widgets.braille_plot import BraillePlot
from gdtui.ui.widgets.cost_curve import CostCurvePlot
from gdtui.ui.widgets.cost_history import CostHistoryPlot
from gdtui.ui.widgets.cost_surface import CostSurfacePlot
from gdtui.ui.widgets.data_plot import DataPlot
from tests.ui.helpers import debugger
from tests.ui.test_plot_widgets import PlotApp, show

PLOTS = [CostCurvePlot, CostHistoryPlot, CostSurfacePlot, DataPlot]

Size = tuple[int, int]


def cells(plot: BraillePlot) -> list[list[Segment]]:
    """The plot's lines as the screen gets them, each cell a segment (text and style)."""
    lines = [plot.render_line(y) for y in range(plot.size.height)]
    return [[Segment(c, s.style) for s in line for c in s.text] for line in lines]


async def stepped(make: type[BraillePlot], preset: str, steps: int, sizes: list[Size]) -> list:
    """The plot's cells after showing each of `steps` steps of `preset` at `sizes[0]`, then
    resizing to each later size in turn."""
    plot = make()
    session = build_session(load_scenario(preset))
    async with PlotApp(plot).run_test(size=sizes[0]) as pilot:
        for _ in range(steps):  # one draw a step, as the `n` key does
            session.step()
            show(plot, session)
            await pilot.pause()
        for size in sizes[1:]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
        return cells(plot)


PRESETS = ["logistic-one-feature", "bowl-from-left", "ravine", "house-prices", "two-valleys"]


@pytest.mark.parametrize("make", PLOTS)
@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize(
    ("before", "after"),
    [((80, 24), (120, 40)), ((120, 40), (80, 24)), ((60, 20), (200, 50))],
    ids=["grown", "shrunk", "60x20-to-200x50"],
)
async def test_a_resized_plot_draws_what_one_at_that_size_draws(
    make: type[BraillePlot], preset: str, before: Size, after: Size
) -> None:
    steps = 6
    assert await stepped(make, preset, steps, [before, after]) == await stepped(
        make, preset, steps, [after]
    )


sizes = st.tuples(st.integers(30, 200), st.integers(8, 50))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    make=st.sampled_from(PLOTS),
    preset=st.sampled_from(PRESETS),
    steps=st.integers(1, 40),
    sizes=st.lists(sizes, min_size=2, max_size=3),
)
def test_any_sizes_before_leave_no_trace(
    make: type[BraillePlot], preset: str, steps: int, sizes: list[Size]
) -> None:
    resized = asyncio.run(stepped(make, preset, steps, sizes))
    assert resized == asyncio.run(stepped(make, preset, steps, sizes[-1:]))


def app_plots(app: GdtuiApp) -> dict[str, list[list[Segment]]]:
    """Every plot on the screen, by id."""
    return {
        str(plot.id): cells(plot)
        for plot in debugger(app).query(BraillePlot)
        if plot.display and plot.size.area
    }


async def app_after(preset: str, steps: int, sizes: list[Size]) -> dict:
    app = GdtuiApp(load_scenario(preset))
    async with app.run_test(size=sizes[0]) as pilot:
        await pilot.press(*["n"] * steps)
        for size in sizes[1:]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
        await pilot.pause()
        return app_plots(app)


# Sizes at which the history panel is shown both before and after: one hidden before drew
# none of the steps, and its axes, grown step by step, start from the run's extent.
@pytest.mark.parametrize("preset", ["logistic-one-feature", "bowl-from-left", "house-prices"])
@pytest.mark.parametrize(
    ("before", "after"), [((80, 24), (120, 40)), ((80, 24), (200, 50)), ((120, 40), (200, 50))]
)
async def test_after_a_resize_the_app_draws_what_a_fresh_one_draws(
    preset: str, before: Size, after: Size
) -> None:
    resized = await app_after(preset, 5, [before, after])
    assert resized == await app_after(preset, 5, [after])
