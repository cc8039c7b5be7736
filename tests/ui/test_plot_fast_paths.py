"""The braille plots' fast paths draw exactly what the slow ones would: each figure is
drawn both ways, step after step, and compared cell by cell (text and style)."""

from __future__ import annotations

import pytest
from rich.segment import Segment
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from gdtui.engine.session import Session
from gdtui.lesson.actions import Load
from gdtui.lesson.ghost import keep
from gdtui.ui.widgets.braille_plot import BraillePlot
from gdtui.ui.widgets.cost_curve import CostCurvePlot
from gdtui.ui.widgets.cost_history import CostHistoryPlot
from gdtui.ui.widgets.cost_surface import CostSurfacePlot
from tests.ui.test_plot_widgets import PlotApp, curve, logistic, show

THEMES = ["textual-dark", "textual-light", "nord"]


def cells(plot: BraillePlot, *, bases: bool) -> list[list[Segment]]:
    """The plot's lines drawn now, each cell a segment, with or without kept bases."""
    kept = plot._bases
    if not bases:
        plot._bases = None
    try:
        strips = plot._render_strips(plot._theme())
    finally:
        plot._bases = kept
    return [[cell for segment in strip for cell in _split(segment)] for strip in strips]


def _split(segment: Segment) -> list[Segment]:
    return [Segment(char, segment.style) for char in segment.text]


def sessions() -> list[tuple[str, Session]]:
    return [
        ("curve", curve(alpha=0.4)),
        ("curve with b", curve("w**2 + 10*b**2", alpha=0.05)),
        ("logistic", logistic(2)),
    ]


@pytest.mark.parametrize("size", [(80, 24), (200, 50), (60, 20), (30, 8)])
@pytest.mark.parametrize("make", [CostCurvePlot, CostHistoryPlot])
@pytest.mark.parametrize("ghost", [False, True], ids=["alone", "ghost"])
async def test_a_kept_base_draws_what_plotext_draws(
    make: type[BraillePlot], size: tuple[int, int], ghost: bool
) -> None:
    plot = make()
    async with PlotApp(plot).run_test(size=size) as pilot:
        for theme in THEMES:
            pilot.app.theme = theme
            for _, session in sessions():
                kept = keep(session, Load("bowl-from-right")) if ghost else None
                if kept is not None:
                    session.back(session.current.step)
                for _ in range(6):
                    if isinstance(plot, CostHistoryPlot):
                        plot.show(session, kept)
                    else:
                        plot.show(session, ghost=kept)
                    await pilot.pause()
                    assert cells(plot, bases=True) == cells(plot, bases=False)
                    session.step()
        assert plot._bases is not None and plot._bases.drawn > 0


async def test_a_figure_a_base_cannot_draw_is_left_to_plotext() -> None:
    plot = CostSurfacePlot()  # its path is a plotext line: drawn by plotext
    async with PlotApp(plot).run_test(size=(80, 24)) as pilot:
        session = curve("w**2 + 10*b**2", alpha=0.05)
        session.step(5)
        show(plot, session)
        await pilot.pause()
        assert plot._bases is not None
        drawn = plot._bases.drawn
        assert cells(plot, bases=True) == cells(plot, bases=False)
        assert plot._bases.drawn == drawn


def textuals(plot: BraillePlot, crop: Region) -> list[Strip]:
    """The lines as Textual's own path draws them, with its work for every line."""
    return Widget.render_lines(plot, crop)


def segments(strips: list[Strip]) -> list[list[Segment]]:
    return [[cell for segment in strip for cell in _split(segment)] for strip in strips]


@pytest.fixture
def no_color(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """NO_COLOR set (True) or not (False) for the app the test starts."""
    if request.param:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    return bool(request.param)


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"], indirect=True)
@pytest.mark.parametrize("ansi", [False, True], ids=["truecolor", "ansi"])
@pytest.mark.parametrize("make", [CostCurvePlot, CostHistoryPlot, CostSurfacePlot])
async def test_plot_lines_are_what_textual_would_draw(
    make: type[BraillePlot], ansi: bool, no_color: bool
) -> None:
    plot = make()
    async with PlotApp(plot).run_test(size=(90, 26)) as pilot:
        pilot.app.ansi_color = ansi
        session = curve("w**2 + 10*b**2", alpha=0.05)
        crops = [Region(0, 0, 90, 26), Region(0, 3, 90, 5), Region(7, 0, 40, 26),
                 Region(50, 20, 40, 6)]  # fmt: skip
        for theme in [*THEMES, "ansi-dark", "ansi-light"]:
            pilot.app.theme = theme
            for _ in range(3):
                show(plot, session)
                await pilot.pause()
                assert plot._frame() == 0
                for crop in crops:
                    ours = plot.render_lines(crop)
                    assert [line.cell_length for line in ours] == [crop.width] * crop.height
                    assert segments(ours) == segments(textuals(plot, crop)), (theme, crop)
                session.step()


@pytest.mark.parametrize("make", [CostCurvePlot, CostHistoryPlot])
async def test_a_crop_beyond_the_plot_is_drawn_as_textual_draws_it(
    make: type[BraillePlot],
) -> None:
    """The compositor can ask for more rows than the plot has while a resize is pending
    (seen once in CI as an IndexError on a 60x20 screen)."""
    plot = make()
    async with PlotApp(plot).run_test(size=(60, 20)) as pilot:
        show(plot, curve())
        await pilot.pause()
        for crop in [Region(0, 0, 60, 21), Region(0, 18, 60, 4), Region(50, 0, 12, 20)]:
            ours = plot.render_lines(crop)
            assert segments(ours) == segments(textuals(plot, crop)), crop


@pytest.mark.parametrize(
    ("border", "padding", "frame"),
    [(("round", "red"), 0, 1), (("heavy", "blue"), 0, 1), (("round", "red"), 1, None),
     (None, 1, None)],
    ids=["round", "heavy", "border and padding", "padding"],
)  # fmt: skip
@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"], indirect=True)
async def test_a_framed_plot_is_drawn_as_textual_draws_it(
    border: tuple[str, str] | None,
    padding: int,
    frame: int | None,
    no_color: bool,
) -> None:
    plot = CostHistoryPlot()
    if border is not None:
        plot.styles.border = border
        plot.border_title = "cost history"
    plot.styles.padding = padding
    async with PlotApp(plot).run_test(size=(60, 20)) as pilot:
        session = curve()
        for theme in THEMES:
            pilot.app.theme = theme
            show(plot, session)
            await pilot.pause()
            assert plot._frame() == frame
            for crop in [Region(0, 0, 60, 20), Region(0, 5, 60, 3), Region(0, 19, 60, 1),
                         Region(3, 0, 20, 20)]:  # fmt: skip
                ours = plot.render_lines(crop)
                assert segments(ours) == segments(textuals(plot, crop)), (theme, crop)
            if border is not None:
                assert plot.render_lines(Region(0, 0, 60, 20))[0].text.startswith(
                    "╭" if border[0] == "round" else "┏"
                )
            session.step()
