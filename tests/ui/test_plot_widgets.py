"""The three plots, mounted alone: what they draw, and that they redraw only on change."""

from __future__ import annotations

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.pilot import Pilot

from gdtui.engine.optimizers import Optimizer
from gdtui.engine.problems import CurveProblem, LogisticProblem
from gdtui.engine.session import Session
from gdtui.expr import parse_cost
from gdtui.ui.adapters.textual import screen_lines
from gdtui.ui.widgets.braille_plot import BraillePlot
from gdtui.ui.widgets.cost_curve import CostCurvePlot
from gdtui.ui.widgets.cost_history import CostHistoryPlot
from gdtui.ui.widgets.cost_surface import CostSurfacePlot

SIZE = (80, 24)


class PlotApp(App[None]):
    """One plot filling the screen."""

    def __init__(self, plot: BraillePlot) -> None:
        super().__init__()
        self.plot = plot

    def compose(self) -> ComposeResult:
        yield self.plot


def curve(text: str = "(w - 3)**2", alpha: float = 0.1) -> Session:
    expression = parse_cost(text)
    theta0 = [0.5, 1.5] if expression.uses_b else [0.5]
    return Session(CurveProblem(expression), Optimizer("gd"), alpha, theta0)


def logistic(n: int) -> Session:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, n))
    y = (X[:, 0] + rng.normal(size=80) > 0).astype(np.float64)
    return Session(LogisticProblem(X, y), Optimizer("gd"), 0.5, [0.0] * (n + 1))


def show(plot: BraillePlot, session: Session, **options: object) -> None:
    if isinstance(plot, CostHistoryPlot):
        plot.show(session)
    else:
        plot.show(session, **options)  # type: ignore[attr-defined]


def screen_text(plot: BraillePlot) -> str:
    """What the plot shows, as plain text."""
    return "\n".join(plot.render_line(y).text for y in range(plot.size.height))


def canvas_text(plot: BraillePlot) -> str:
    """What the plot shows inside its frame: no title, ticks or legend."""
    lines = screen_text(plot).splitlines()
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    left = lines[top].index("┌") + 1
    return "\n".join(line[left:-1] for line in lines[top + 1 : bottom])


@pytest.mark.parametrize(
    ("session", "options", "title"),
    [
        (curve(), {}, "J(w) along w   slope dw=-5.00"),
        (logistic(3), {"component": 1}, "J along w[1]   slope dw[1]="),
        (logistic(3), {"component": 3}, "J along b   slope db="),
        (curve("w**2 + 10*b**2"), {}, "J along w   slope dw=+1.00"),
    ],
    ids=["curve", "vector w", "b", "curve with b"],
)
async def test_cost_curve_title_and_markers(session: Session, options: dict, title: str) -> None:
    plot = CostCurvePlot()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        plot.show(session, **options)
        await pilot.pause()
        text = screen_text(plot)
        assert title in text
        assert "●" in canvas_text(plot) and "x" in canvas_text(plot)
        assert len(text.splitlines()) == SIZE[1]


async def test_one_feature_is_called_w_as_in_the_lesson() -> None:
    plot = CostCurvePlot()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        plot.show(logistic(1))
        await pilot.pause()
        text = screen_text(plot)
        assert "J along w   slope dw=" in text and "● w=" in text and "w[0]" not in text


async def test_cost_curve_draws_the_tangent_only_when_asked() -> None:
    plot = CostCurvePlot()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        session = curve()
        plot.show(session, tangent=True)
        await pilot.pause()
        with_tangent = [layer[3] for layer in plot._layers]
        plot.show(session, tangent=False)
        await pilot.pause()
        assert "orange" in with_tangent and "orange" not in [layer[3] for layer in plot._layers]
        assert plot.rebuilds == 2


async def test_cost_curve_arrow_points_the_way_w_moves() -> None:
    plot = CostCurvePlot()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        plot.show(curve())  # w = 0.5 left of the minimum at 3: the step goes right
        await pilot.pause()
        assert "▶" in canvas_text(plot) and "◀" not in canvas_text(plot)


async def test_cost_history_uses_a_log_axis_when_the_cost_falls_through_decades() -> None:
    plot = CostHistoryPlot()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        session = curve(alpha=0.4)
        session.step(20)
        plot.show(session)
        await pilot.pause()
        text = screen_text(plot)
        assert "J by step (log scale)   step 20 of 20" in text
        assert "1e-" in text  # power-of-ten labels
        # Built again at another size: plotext's own log axis fails here (issue #209).
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert "(log scale)" in screen_text(plot)


async def test_cost_history_marks_the_current_step_after_going_back() -> None:
    plot = CostHistoryPlot()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        session = curve(alpha=0.05)
        session.step(10)
        session.back(4)
        plot.show(session)
        await pilot.pause()
        assert "step 6 of 10" in screen_text(plot) and "●" in canvas_text(plot)


async def test_cost_surface_draws_contours_and_the_path() -> None:
    plot = CostSurfacePlot()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        session = curve("w**2 + 10*b**2", alpha=0.05)
        session.step(5)
        plot.show(session)
        await pilot.pause()
        assert "J(w, b) contours" in screen_text(plot)
        canvas = canvas_text(plot)
        assert "●" in canvas and "+" in canvas and "·" in canvas and "x" in canvas
        assert any("\u2801" <= ch <= "\u28ff" for ch in canvas)  # braille contours


async def test_cost_surface_says_when_there_is_no_surface() -> None:
    plot = CostSurfacePlot()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        plot.show(logistic(3))
        await pilot.pause()
        words = " ".join(screen_text(plot).replace("│", " ").split())
        assert "No surface to draw: J has 4 parameters here" in words


@pytest.mark.parametrize("make", [CostCurvePlot, CostHistoryPlot, CostSurfacePlot])
async def test_showing_the_same_step_again_does_not_rebuild(make: type[BraillePlot]) -> None:
    plot = make()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        session = curve("w**2 + 10*b**2", alpha=0.05)
        show(plot, session)
        await pilot.pause()
        show(plot, session)
        show(plot, session)
        await pilot.pause()
        assert plot.rebuilds == 1
        session.step()
        show(plot, session)
        await pilot.pause()
        assert plot.rebuilds == 2
        session.set_alpha(0.01)  # same step, another update: the landing moves
        show(plot, session)
        await pilot.pause()
        assert plot.rebuilds == 3


@pytest.mark.parametrize("make", [CostCurvePlot, CostHistoryPlot, CostSurfacePlot])
async def test_a_resize_redraws_at_the_new_size(make: type[BraillePlot]) -> None:
    plot = make()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        show(plot, curve("w**2 + 10*b**2"))
        await pilot.pause()
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert plot.rebuilds == 2
        assert all(len(plot.render_line(y).text) == 100 for y in range(30))


@pytest.mark.parametrize("make", [CostCurvePlot, CostHistoryPlot, CostSurfacePlot])
async def test_a_diverging_run_is_drawn(make: type[BraillePlot]) -> None:
    plot = make()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        session = curve("w**2 + 10*b**2", alpha=0.3)
        result = session.run(10_000)
        assert result.status == "diverged"
        show(plot, session)
        await pilot.pause()
        assert "●" in canvas_text(plot)
        assert all(len(line) == SIZE[0] for line in screen_text(plot).splitlines())


async def test_surface_window_starts_afresh_when_the_run_restarts() -> None:
    plot = CostSurfacePlot()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        session = curve("w**2 + 10*b**2", alpha=0.12)  # b overshoots further every step
        session.step(8)
        plot.show(session)
        await pilot.pause()
        grown = plot._limits[1]
        session.restart(alpha=0.01)
        plot.show(session)
        await pilot.pause()
        fresh = plot._limits[1]
        assert fresh[1] - fresh[0] < (grown[1] - grown[0]) / 10


async def test_cost_history_ticks_whole_steps() -> None:
    plot = CostHistoryPlot()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        session = curve()
        session.step(2)
        plot.show(session)
        await pilot.pause()
        axis = screen_text(plot).splitlines()[-1].split()
        assert axis == ["0", "1", "2"]


def on_screen(pilot: Pilot[None]) -> list[str]:
    """The screen as Textual would paint it now, from the lines it keeps."""
    return screen_lines(pilot.app.screen)


@pytest.mark.parametrize("make", [CostCurvePlot, CostHistoryPlot, CostSurfacePlot])
async def test_what_is_on_screen_is_the_figure_after_each_step(make: type[BraillePlot]) -> None:
    plot = make()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        session = curve("w**2 + 10*b**2", alpha=0.05)
        for _ in range(12):
            show(plot, session)
            await pilot.pause()
            assert on_screen(pilot) == screen_text(plot).splitlines()
            session.step()


@pytest.mark.parametrize("make", [CostHistoryPlot, CostSurfacePlot])
async def test_a_step_repaints_only_the_lines_that_changed(make: type[BraillePlot]) -> None:
    plot = make()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        session = curve("w**2 + 10*b**2", alpha=0.05)
        hints = {"w_range": (-1.0, 1.0), "b_range": (-2.0, 2.0)}  # as a lesson gives them
        for _ in range(60):  # nearly there: the axes have settled
            session.step()
            show(plot, session, **hints)
            await pilot.pause()
        repainted = spy_on_refresh(plot)
        session.step()
        show(plot, session, **hints)
        await pilot.pause()
        assert len(repainted) == 1 and 0 < len(repainted[0]) < SIZE[1] // 2


async def test_a_figure_drawn_again_the_same_repaints_nothing() -> None:
    plot = CostCurvePlot()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        session = curve(alpha=0.5)  # lands on the minimum at once, and stays
        session.step(2)
        plot.show(session)
        await pilot.pause()
        repainted = spy_on_refresh(plot)
        session.step()
        plot.show(session)
        await pilot.pause()
        assert plot.rebuilds == 2 and repainted == []


def spy_on_refresh(plot: BraillePlot) -> list[tuple[Region, ...]]:
    """The regions of each `refresh()` of `plot` from now on."""
    repainted: list[tuple[Region, ...]] = []
    refresh = plot.refresh

    def spy(*regions: Region, **options: bool) -> BraillePlot:
        repainted.append(regions)
        return refresh(*regions, **options)

    plot.refresh = spy  # type: ignore[method-assign]
    return repainted


def long_curve(steps: int) -> Session:
    session = Session(CurveProblem(parse_cost("(w - 3)**2")), Optimizer("gd"), 1e-5, [0.0],
                      max_steps=10**7, tolerance=0.0)  # fmt: skip
    session.run(steps, stop_on=frozenset())
    return session


async def test_cost_history_reads_only_the_steps_added_since_it_last_drew() -> None:
    plot = CostHistoryPlot()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        session = long_curve(100_000)
        plot.show(session)
        await pilot.pause()
        read: list[int] = []
        costs = session.costs

        def counted(start: int = 0, stop: int | None = None) -> np.ndarray:
            values = costs(start, stop)
            read.append(len(values))
            return values

        session.costs = counted  # type: ignore[method-assign]
        session.step()
        plot.show(session)
        await pilot.pause()
        assert 0 < sum(read) <= 2


async def test_cost_history_draws_a_branch_that_outgrew_the_old_run() -> None:
    session = long_curve(300)
    plot = CostHistoryPlot()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        plot.show(session)
        await pilot.pause()
        session.goto(100)
        session.set_alpha(3e-5)  # forgets steps 101..300: the run goes another way
        session.step(400)
        plot.show(session)
        await pilot.pause()
        branched = screen_text(plot)
    fresh = CostHistoryPlot()
    async with PlotApp(fresh).run_test(size=SIZE) as pilot:
        fresh.show(session)
        await pilot.pause()
        assert screen_text(fresh) == branched


async def test_cost_history_keeps_its_axes_while_the_run_fits_in_them() -> None:
    plot = CostHistoryPlot()
    async with PlotApp(plot).run_test(size=SIZE) as pilot:
        session = curve(alpha=0.05)
        rescaled = 0
        for _ in range(200):
            session.step()
            limits = plot._limits
            plot.show(session)
            await pilot.pause()
            rescaled += plot._limits != limits
        assert rescaled < 200 // 6
