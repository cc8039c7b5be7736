"""The layout at every size from a projector's 60x20 to a wide 200x50: the update and the
plot keep their place, a panel that does not fit is hidden (and the plot says where it
went), none is crushed or left empty, and the footer keeps `? help` and `q quit`."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import ContentSwitcher

from gdtui.ui.app import GdtuiApp
from gdtui.ui.layout import HISTORY_MIN_HEIGHT, arrange

from .helpers import debugger, scenario, screen_lines

#: Per size, the panels on screen besides the status line, the plot and the update.
SHOWN = {
    (60, 20): set(),
    (80, 24): {"state", "history"},
    (120, 40): {"state", "history", "log", "notes-wide"},
    (200, 50): {"state", "history", "log", "notes-wide"},
}
PANELS = ("state", "history", "notes", "notes-wide", "log")
SIZES = [pytest.param(size, id=f"{size[0]}x{size[1]}") for size in SHOWN]


def on_screen(widget: Widget) -> bool:
    """Whether `widget` and every container around it is displayed."""
    return all(node.display for node in widget.ancestors_with_self if isinstance(node, Widget))


def text_in(app: GdtuiApp, region: Region) -> list[str]:
    """The screen's text inside `region`, one string per row."""
    return [line[region.x : region.right] for line in screen_lines(app)[region.y : region.bottom]]


def body(app: GdtuiApp, widget: Widget) -> str:
    """What a panel shows inside its border and padding."""
    return "\n".join(text_in(app, widget.content_region))


async def shown_panels(app: GdtuiApp) -> set[str]:
    screen = debugger(app)
    # A panel that was never shown may not be made yet (the step log's row).
    return {p for p in PANELS if any(on_screen(panel) for panel in screen.query(f"#{p}"))}


@pytest.mark.parametrize("name", ["curve", "logistic", "two_features", "diverging"])
@pytest.mark.parametrize("size", SIZES)
async def test_every_size_shows_the_panels_that_fit_none_empty(
    size: tuple[int, int], name: str
) -> None:
    app = GdtuiApp(scenario(name))
    async with app.run_test(size=size) as pilot:
        await pilot.press("n", "n")
        await pilot.pause()
        screen = debugger(app)
        shown = await shown_panels(app)
        # A tall state panel (a vector w) leaves the history no room at 80x24: it is
        # hidden then, the notes take its place, and the plot's border says where it went.
        expected = SHOWN[size]
        if "history" not in shown and size == (80, 24):
            expected = (expected - {"history"}) | {"notes"}
            assert "v: history" in screen.query_one("#plot-view").border_subtitle
        assert shown == expected
        plot = screen.query_one(ContentSwitcher)
        for widget in [screen.update_panel, plot] + [screen.query_one(f"#{p}") for p in shown]:
            assert widget.content_region.height >= 2, widget.id
            assert body(app, widget).strip(), f"{widget.id} is empty"
        # The plot keeps priority: never the 16 columns it had at 60x20.
        assert plot.region.width >= 38


@pytest.mark.parametrize("size", SIZES)
async def test_the_footer_always_shows_help_and_quit(size: tuple[int, int]) -> None:
    app = GdtuiApp(scenario("logistic"))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        footer = screen_lines(app)[-1]
        assert "? help" in footer and "q quit" in footer
        assert "n step" in footer


async def test_a_narrow_screen_offers_the_state_and_history_as_views() -> None:
    app = GdtuiApp(scenario("logistic"))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = debugger(app)
        assert "v: state, history" in screen.query_one("#plot-view").border_subtitle
        await pilot.press("v", "v")  # the surface, then the state
        await pilot.pause()
        assert screen.view == "state"
        state = body(app, screen.query_one("#plot-view"))
        assert "J(w,b)" in state and "b " in state
        await pilot.press("v")
        assert screen.view == "history"
        await pilot.press("i")
        await pilot.pause()
        assert screen.view == "notes"
        assert "Eight students" in " ".join(body(app, screen.query_one("#plot-view")).split())


async def test_the_history_view_does_not_repeat_the_history_beside_it() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "v")
        await pilot.pause()
        screen = debugger(app)
        assert screen.view == "history"
        assert not on_screen(screen.query_one("#history"))
        # The notes take its place, scrolled with the keys help names.
        notes = screen.query_one("#notes")
        assert on_screen(notes) and body(app, notes).strip()


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40)], ids=str)
async def test_z_gives_the_plot_the_screen_and_z_again_returns(size: tuple[int, int]) -> None:
    app = GdtuiApp(scenario("logistic"))
    async with app.run_test(size=size) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = debugger(app)
        plot = screen.query_one(ContentSwitcher)
        before = plot.region
        panels = await shown_panels(app)
        await pilot.press("z")
        await pilot.pause()
        assert await shown_panels(app) == set()
        assert plot.region.width == size[0]
        assert plot.region.height > before.height
        assert on_screen(screen.update_panel) and on_screen(screen.status_line)
        lines = screen_lines(app)
        assert "the next update" in "\n".join(lines)
        assert "z: all panels" in lines[plot.region.bottom - 1]
        await pilot.press("z")
        await pilot.pause()
        assert await shown_panels(app) == panels
        assert plot.region == before
        assert "? help" in screen_lines(app)[-1]


@pytest.mark.parametrize(("room", "history"), [(HISTORY_MIN_HEIGHT, True),
                                              (HISTORY_MIN_HEIGHT - 1, False)])  # fmt: skip
def test_the_history_is_hidden_rather_than_crushed(room: int, history: bool) -> None:
    arrangement = arrange(80, 24, view="curve", notes=None, projector=False, has_b=True,
                          left_room=room)  # fmt: skip
    assert arrangement.history is history
    assert ("v: history" in arrangement.hint) is not history


def test_a_wide_tall_screen_puts_the_notes_beside_the_log() -> None:
    arrangement = arrange(120, 40, view="curve", notes=None, projector=False, has_b=False,
                          left_room=20)  # fmt: skip
    assert arrangement.notes == "bottom" and arrangement.history and arrangement.bottom
    assert arrangement.views == ("curve", "history")


async def test_resizing_rearranges_and_a_view_that_left_goes_back_to_the_curve() -> None:
    app = GdtuiApp(scenario("logistic"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        screen = debugger(app)
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await pilot.pause()
        assert await shown_panels(app) == set()
        await pilot.press("v", "v")
        assert screen.view == "state"
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        # The state is beside the plot again: the view it had is not offered any more.
        assert screen.view == "curve"
        assert await shown_panels(app) == {"state", "history"}
        w = float(screen.session.current.theta[0])
        assert f"{w:.3f}" in body(app, screen.query_one("#state"))
