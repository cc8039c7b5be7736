"""What the first screen puts off until it is needed still works when it is needed: the
collector paused for the start-up, and the curve's samples sorted without `np.unique`.
(The dialogs, imported on their key, are opened by tests/ui/test_dialogs.py.) And what it
does early is right: the panels that fit are chosen before the first layout."""

from __future__ import annotations

import argparse
import gc
import io
from collections.abc import Iterable

import numpy as np
import pytest
from textual.dom import DOMNode

from gdtui.__main__ import main, open_debugger
from gdtui.engine.optimizers import Optimizer
from gdtui.engine.problems import CurveProblem
from gdtui.engine.session import Session
from gdtui.expr import parse_cost
from gdtui.scenario import Scenario
from gdtui.ui import plotting
from gdtui.ui.app import GdtuiApp
from gdtui.ui.screens.debugger import DebuggerScreen
from gdtui.ui.screens.viewing import STYLED_BY
from gdtui.ui.widgets.cost_history import CostHistoryPlot
from gdtui.ui.widgets.cost_surface import CostSurfacePlot
from gdtui.ui.widgets.data_plot import DataPlot
from gdtui.ui.widgets.notes import Notes, reflow
from gdtui.ui.widgets.state_panel import StatePanel

from .helpers import debugger, scenario, screen_lines
from .test_terminal_cells import Terminals

#: Every widget the arrangement's classes style.
ARRANGED = ", ".join(STYLED_BY.values())

SIZE = (80, 24)


def test_gdtui_pauses_the_collector_for_the_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []

    def run(opened: Scenario) -> None:
        seen.append(gc.isenabled())

    monkeypatch.setattr("gdtui.ui.app.run", run)
    args = argparse.Namespace(scenario="bowl-from-left", overrides=[])
    try:
        assert open_debugger(args, io.StringIO(), io.StringIO()) == 0
    finally:
        gc.enable()
    assert seen == [False]


def test_gdtui_starts_the_collector_again_when_no_screen_opens() -> None:
    assert gc.isenabled()
    assert main(["no-such-scenario"]) == 2  # paused for the imports, then refused
    assert gc.isenabled()


async def test_the_collector_runs_again_once_the_screen_is_up() -> None:
    gc.disable()  # as `gdtui` leaves it for the start-up
    try:
        app = GdtuiApp(scenario("curve"))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.enable()


@pytest.mark.parametrize(
    ("w_range", "points", "exact"),
    [((-1.0, 1.0), 11, ()), ((-1.0, 1.0), 11, (0.2, 0.35, 0.35)), ((0.0, 3.0), 7, (3.0, 7.0))],
)
def test_the_curve_samples_are_np_uniques(
    w_range: tuple[float, float], points: int, exact: tuple[float, ...]
) -> None:
    # The curve sorts its samples without np.unique (whose first call imports numpy.ma).
    problem = CurveProblem(parse_cost("(w - 0.3)**2"))
    session = Session(problem, Optimizer("gd"), 0.1, [0.35])
    ws, costs = plotting.curve_along(session, session.current, 0, w_range, points, exact=exact)
    lo, hi = w_range
    inside = [t for t in (0.35, *exact) if lo <= t <= hi]
    expected = np.unique(np.concatenate((np.linspace(lo, hi, points), inside)))
    assert ws.dtype == np.float64 and ws.tolist() == expected.tolist()
    assert costs.tolist() == [(w - 0.3) ** 2 for w in expected.tolist()]


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40), (200, 50)])
@pytest.mark.parametrize("name", ["curve", "logistic"])
async def test_the_panels_that_fit_are_chosen_before_the_first_layout(
    monkeypatch: pytest.MonkeyPatch, name: str, size: tuple[int, int]
) -> None:
    # Textual's size classes and the arrangement, as they are when the screen has mounted
    # (before its first layout and paint), must be those it keeps once laid out: a class
    # changed after that restyles every widget and paints the screen again.
    mounted: list[set[str]] = []
    on_mount = DebuggerScreen.on_mount

    def recorded(screen: DebuggerScreen) -> None:
        on_mount(screen)
        mounted.append(set(screen.classes))

    monkeypatch.setattr(DebuggerScreen, "on_mount", recorded)
    app = GdtuiApp(scenario(name))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#main").size.height  # laid out
        assert mounted == [set(app.screen.classes)]


async def test_a_plot_view_is_made_when_first_shown_and_kept() -> None:
    app = GdtuiApp(scenario("logistic"))  # views: curve, surface, history, data
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert not screen.query(CostSurfacePlot) and not screen.query(DataPlot)
        assert [h.id for h in screen.query(CostHistoryPlot)] == ["history"]  # beside the state
        for _ in range(4):  # around the views and back to the curve
            await pilot.press("v")
            await pilot.pause()
        await pilot.press("v")  # the surface again: the plot made the first time
        await pilot.pause()
        surfaces = list(screen.query(CostSurfacePlot))
        assert len(surfaces) == 1 and surfaces[0].display and surfaces[0].size.height
        assert [p.id for p in screen.query(DataPlot)] == ["plot-data"]
        assert "J(w, b) contours" in "\n".join(screen_lines(app))


@pytest.mark.parametrize(("size", "expected"), [((80, 24), ["history"]), ((60, 20), ["left"])])
async def test_the_first_screen_restyles_only_what_its_arrangement_changed(
    monkeypatch: pytest.MonkeyPatch, size: tuple[int, int], expected: list[str]
) -> None:
    # Every widget is styled as it mounts, with its size's classes. After that, choosing the
    # panels that fit restyles the widgets that the classes it changed style (`STYLED_BY`:
    # at 80x24 it shows the history, at 60x20 it hides the left column), and showing the
    # screen restyles none: each full restyle took some 30 ms of 80x24.
    restyled: list[list[str]] = []
    on_mount = DebuggerScreen.on_mount

    def recorded(screen: DebuggerScreen) -> None:
        update_nodes = screen.app.stylesheet.update_nodes

        def noted(nodes: Iterable[DOMNode], animate: bool = False) -> None:
            nodes = list(nodes)
            restyled.append([str(node.id) for node in nodes])
            update_nodes(nodes, animate)

        monkeypatch.setattr(screen.app.stylesheet, "update_nodes", noted)
        on_mount(screen)

    monkeypatch.setattr(DebuggerScreen, "on_mount", recorded)
    app = GdtuiApp(scenario("logistic"))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert restyled == [expected]
        assert len(app.screen.query(ARRANGED)) > len(expected)


def styles_of(screen: DebuggerScreen) -> dict[str, object]:
    """Every widget's styles from the stylesheet, by its place in the DOM."""
    return {
        f"{index} {widget!r}": widget.styles.base.get_rules()
        for index, widget in enumerate(screen.walk_children(with_self=True))
    }


#: Changes of size and of what is shown, through every arrangement class.
CHANGES: list[tuple[int, int] | str] = [
    (200, 50), "i", (120, 40), "z", "z", (90, 30), "i", (60, 20), "v", (80, 24), "v", "i", "i",
]  # fmt: skip


@pytest.mark.parametrize("name", ["curve", "logistic"])
async def test_restyling_the_arranged_widgets_alone_styles_them_as_a_full_restyle(
    name: str,
) -> None:
    # Each change of size or of what is shown (the notes, the projector, a view) restyles
    # only `ARRANGED`: every widget must end up styled as Textual's own restyle of the
    # whole screen styles it.
    app = GdtuiApp(scenario(name))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = debugger(app)
        for step in CHANGES:
            if isinstance(step, tuple):
                await pilot.resize_terminal(*step)
            else:
                await pilot.press(step)
            await pilot.pause()
            await pilot.pause()
            arranged = styles_of(screen)
            screen.update_node_styles(animate=False)
            assert arranged == styles_of(screen), step


@pytest.mark.parametrize("name", ["curve", "logistic", "two_features"])
async def test_the_state_and_notes_views_are_made_when_first_shown(name: str) -> None:
    # On a screen too narrow for the left column, the state and the notes are views of the
    # plot area: made on the key that first shows them, they show what the left column's
    # state panel (filled as the screen starts, and hidden here) and the scenario show.
    app = GdtuiApp(scenario(name))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = debugger(app)
        assert not screen.query("#plot-state, #plot-notes")
        while screen.view != "state":
            await pilot.press("v")
        await pilot.pause()
        await pilot.pause()
        view = screen.query_one("#plot-state", StatePanel)
        left = screen.query_one("#state", StatePanel)
        assert view.display and view.text and view.text == left.text
        await pilot.press("n")  # a step repaints the view as it repaints the panel
        await pilot.pause()
        assert view.text == left.text
        await pilot.press("i")
        await pilot.pause()
        await pilot.pause()
        assert screen.view == "notes"
        notes = screen.query_one("#plot-notes", Notes)
        assert notes.display and notes in screen.notes_panels
        said = " ".join(reflow(screen.scenario.description).split())
        assert said and " ".join(notes.text.split()) == said
        first_words = " ".join(said.split()[:3])
        assert first_words in " ".join(" ".join(screen_lines(app)).split())


@pytest.mark.parametrize("name", ["curve", "logistic"])
async def test_the_step_log_row_is_made_when_the_screen_first_has_room(name: str) -> None:
    # Below 34 rows the step log's row is not made; once the terminal grows, the row
    # shows what it shows on a screen that started at that size.
    grown = GdtuiApp(scenario(name))
    async with grown.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n")
        await pilot.pause()
        assert not grown.screen.query("#bottom, StepLog, #notes-wide")
        await pilot.resize_terminal(120, 40)
        for _ in range(4):
            await pilot.pause()
        row = grown.screen.query_one("#bottom").region
        grown_row = screen_lines(grown)[row.y : row.bottom]
    started = GdtuiApp(scenario(name))
    async with started.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n", "n")
        for _ in range(4):
            await pilot.pause()
        assert started.screen.query_one("#bottom").region == row
        assert screen_lines(started)[row.y : row.bottom] == grown_row
        assert "step" in "".join(grown_row) and "notes" in "".join(grown_row)


async def test_the_left_columns_notes_are_made_when_first_shown() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = debugger(app)
        assert not screen.query(Notes)  # the history has the room under the state
        await pilot.press("i")
        await pilot.pause()
        await pilot.pause()
        notes = screen.query_one("#notes", Notes)
        assert screen.notes_panel is notes and notes.parent is screen.query_one("#left")
        said = " ".join(reflow(screen.scenario.description).split())
        assert said and " ".join(notes.text.split()) == said
        region = notes.content_region
        shown = [
            line[region.x : region.right] for line in screen_lines(app)[region.y : region.bottom]
        ]
        assert " ".join(said.split()[:3]) in " ".join(" ".join(shown).split())


#: Sizes a first screen starts at: no left column, the smallest, a tall one, a wide one.
FIRST_SIZES = [(60, 20), (80, 24), (120, 40), (200, 50)]


async def first_screen(name: str, size: tuple[int, int]) -> tuple[object, ...]:
    """What a terminal shows once the first screen has settled (fed every paint, as Textual
    writes it and as gdtui sends its changed cells), and the panels' places."""
    app = GdtuiApp(scenario(name))
    terminals = Terminals(app, size)
    async with app.run_test(size=size) as pilot:
        for _ in range(4):
            await pilot.pause()
        places = {f"{w!r}": w.region for w in debugger(app).walk_children() if w.display}
        return terminals.cells("textual"), terminals.cells("changed"), places


@pytest.mark.parametrize("size", FIRST_SIZES)
@pytest.mark.parametrize("name", ["curve", "logistic", "two_features"])
async def test_the_first_screen_shows_what_arranging_it_again_at_its_size_showed(
    monkeypatch: pytest.MonkeyPatch, name: str, size: tuple[int, int]
) -> None:
    # The screen arranges its panels once, with the values written, and does not do it all
    # again on the three times Textual sends a starting screen its size (nor arrange them
    # before the values are written). Cell for cell, it shows what it showed when it did.
    once = await first_screen(name, size)
    load, resized = DebuggerScreen._load, DebuggerScreen._resized

    def load_arranged(screen: DebuggerScreen, *args: object, arrange: bool = True) -> None:
        load(screen, *args)  # type: ignore[arg-type]

    def resized_again(screen: DebuggerScreen) -> None:
        screen._arranged = None  # as if the size were new
        resized(screen)

    monkeypatch.setattr(DebuggerScreen, "_load", load_arranged)
    monkeypatch.setattr(DebuggerScreen, "_resized", resized_again)
    assert once == await first_screen(name, size)


@pytest.mark.parametrize("size", FIRST_SIZES)
async def test_the_first_screen_arranges_its_panels_once(
    monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    # Each arrangement measures the screen's layout twice and may restyle widgets; the
    # resizes Textual sends as a screen starts change nothing, and ask for no arrangement.
    # Once a step has written other values (the status line and the update may have grown),
    # the same size is arranged again, as a fresh screen at that step would arrange it.
    arranged: list[tuple[int, int]] = []
    arrange = DebuggerScreen._arrange

    def counted(screen: DebuggerScreen) -> None:
        arranged.append(screen.size)
        arrange(screen)

    monkeypatch.setattr(DebuggerScreen, "_arrange", counted)
    app = GdtuiApp(scenario("logistic"))
    async with app.run_test(size=size) as pilot:
        for _ in range(4):
            await pilot.pause()
        assert arranged == [size]
        await pilot.resize_terminal(*size)
        await pilot.press("n")
        for _ in range(4):
            await pilot.pause()
        assert arranged == [size]
        await pilot.resize_terminal(*size)
        for _ in range(4):
            await pilot.pause()
        assert arranged == [size, size]
        await pilot.resize_terminal(size[0] + 10, size[1] + 2)
        for _ in range(4):
            await pilot.pause()
        assert arranged == [size, size, (size[0] + 10, size[1] + 2)]
