"""A plot shows the same at a size whatever size it had before: after a resize, each plot's
lines are, cell for cell, those of a plot that was at the new size all along. And the
screen shows the panels, where and as a fresh app at the new size shows them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

from gdtui.build import build_session
from gdtui.scenario import load_scenario
from gdtui.ui.adapters.textual import frame_strips
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


@asynccontextmanager
async def resized(preset: str, steps: int, sizes: list[Size]) -> AsyncIterator[GdtuiApp]:
    """The app running `preset`, `steps` steps on at `sizes[0]`, resized to each later size
    in turn."""
    app = GdtuiApp(load_scenario(preset))
    async with app.run_test(size=sizes[0]) as pilot:
        await pilot.press(*["n"] * steps)
        for size in sizes[1:]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
        await pilot.pause()
        yield app


async def app_after(preset: str, steps: int, sizes: list[Size]) -> dict:
    async with resized(preset, steps, sizes) as app:
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


#: Where the debugger puts what it shows, besides the footer.
PLACES = ("status", "left", "state", "history", "notes", "plot-view", "update", "bottom", "log",
          "notes-wide")  # fmt: skip


def on_screen(widget: Widget) -> bool:
    """Whether `widget` and every container around it is displayed."""
    return all(node.display for node in widget.ancestors_with_self if isinstance(node, Widget))


async def screen_after(preset: str, steps: int, sizes: list[Size]) -> tuple[dict, list[Strip]]:
    """Where each panel on screen is, and the whole screen's cells, after `steps` steps of
    `preset` at `sizes[0]` and a resize to each later size in turn."""
    async with resized(preset, steps, sizes) as app:
        screen = debugger(app)
        places = {
            place: widget.region
            for place in PLACES
            for widget in screen.query(f"#{place}")
            if on_screen(widget)
        }
        return places, frame_strips(app.screen)


# Shrunk, the step log's row goes and the left column has its rows: the history showed
# beside the state, and the update kept the height of sentences cut for the old width.
# Grown, each panel is shown where it was shown before (one that was hidden has drawn none
# of the steps: see above).
@pytest.mark.parametrize(
    "preset",
    ["logistic-one-feature", "ravine", "house-prices", "logistic-two-features", "two-valleys"],
)
@pytest.mark.parametrize(
    ("before", "after"),
    [
        ((120, 40), (80, 24)),
        ((200, 50), (100, 32)),
        ((100, 32), (80, 24)),
        ((80, 24), (60, 20)),
        ((200, 50), (60, 20)),
        ((100, 32), (200, 50)),
        ((120, 40), (200, 50)),
    ],
    ids=str,
)
async def test_after_a_resize_the_screen_is_a_fresh_apps_at_that_size(
    preset: str, before: Size, after: Size
) -> None:
    places, cells = await screen_after(preset, 3, [before, after])
    fresh_places, fresh_cells = await screen_after(preset, 3, [after])
    assert places == fresh_places
    assert cells == fresh_cells
