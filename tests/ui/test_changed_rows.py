"""Rendering only the rows that changed (`RowsCompositor`): a terminal fed its updates
shows, cell for cell, what one fed Textual's own compositor's updates shows, and what
Textual's full render of the frame shows."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pyte
import pytest
from textual.geometry import Region
from textual.widget import Widget

from gdtui.ui.adapters import textual as textual_adapter
from gdtui.ui.adapters.textual import RowsCompositor
from gdtui.ui.app import GdtuiApp
from gdtui.ui.screens import debugger as debugger_module
from gdtui.ui.widgets.text_lines import TextLines

from .helpers import debugger, scenario
from .test_terminal_cells import Terminals, press

#: Steps, views, a selected component, the projector, dialogs over the screen and gone.
KEYS = [("n",), ("n", "n", "n"), ("b",), ("v",), ("n",), ("v", "n"), ("j",), ("n",),
        ("question_mark",), ("escape",), ("z",), ("n",), ("z",), ("plus",), ("n", "n"),
        ("k",), ("n",)]  # fmt: skip


def full_frame(app: GdtuiApp, size: tuple[int, int]) -> list[list[tuple[object, ...]]]:
    """The cells of the frame as Textual's own full render draws it, on a fresh terminal."""
    screen = pyte.Screen(*size)
    update = app.screen._compositor.render_full_update()
    pyte.Stream(screen).feed(update.render_segments(app.console))
    return [
        [(c.data, c.fg, c.bg, c.bold, c.italics, c.underscore, c.reverse, c.strikethrough)
         for c in (screen.buffer[y][x] for x in range(size[0]))]
        for y in range(size[1])
    ]  # fmt: skip


async def frames(name: str, size: tuple[int, int], rows_only: bool) -> list[Any]:
    """What a terminal shows after each group of `KEYS`, fed every update of the app with
    the rows compositor (`rows_only`) or Textual's own, as Textual writes an update and as
    gdtui sends its changed cells."""
    app = GdtuiApp(scenario(name))
    terminals = Terminals(app, size)
    shown = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert isinstance(debugger(app)._compositor, RowsCompositor) is rows_only
        for keys in KEYS:
            await press(pilot, *keys)
            shown.append((keys, terminals.cells("textual"), terminals.cells("changed")))
    assert terminals.partial > 10  # compared after partial updates
    return shown


@pytest.mark.parametrize(("name", "size"), [("curve", (80, 24)), ("two_features", (200, 50))])
async def test_the_rows_rendered_show_what_textual_renders(
    name: str, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = await frames(name, size, rows_only=True)
    with monkeypatch.context() as patched:
        patched.setattr(debugger_module, "render_changed_rows", lambda screen: None)
        textual = await frames(name, size, rows_only=False)
    for ours_shown, textual_shown in zip(ours, textual, strict=True):
        assert ours_shown == textual_shown, ours_shown[0]


async def test_each_update_leaves_the_frame_textual_renders_whole() -> None:
    size = (150, 45)
    app = GdtuiApp(scenario("logistic"))
    terminals = Terminals(app, size)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for keys in KEYS:
            await press(pilot, *keys)
            assert terminals.cells("textual") == full_frame(app, size), keys


async def test_a_step_renders_no_widget_that_did_not_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rendered: list[tuple[Widget, Region]] = []

    def counted(cls: type[Widget]) -> Any:
        render_lines = cls.render_lines

        def render(widget: Widget, crop: Region) -> Any:
            rendered.append((widget, crop))
            return render_lines(widget, crop)

        return render

    app = GdtuiApp(scenario("two_features"))
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        await press(pilot, "n")
        for cls in (Widget, TextLines):  # (the text panels draw their rows their own way)
            monkeypatch.setattr(cls, "render_lines", counted(cls))
        await press(pilot, "n")
        names = {f"{type(widget).__name__}#{widget.id}" for widget, _ in rendered}
        # The containers hold nothing of their own that a step changes.
        containers = (
            "DebuggerScreen#None",
            "Horizontal#main",
            "Vertical#left",
            "Horizontal#bottom",
            "ContentSwitcher#plot-view",
            "KeysFooter#None",
        )
        assert not names.intersection(containers)
        assert "StatusLine#status" in names  # (what the step did change was rendered)
        status = app.query_one("#status")
        assert all(crop.height <= status.region.height for w, crop in rendered if w is status)


def test_the_adapter_replaces_the_compositor_of_a_screen() -> None:
    from textual.screen import Screen

    screen: Screen[None] = Screen()
    textual_adapter.render_changed_rows(screen)
    assert isinstance(screen._compositor, RowsCompositor)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_each_chop_is_drawn_by_the_widget_textual_finds_in_front(
    size: tuple[int, int],
) -> None:
    """`RowsCompositor` finds the widget that shows each chop once per layout: it is the
    one Textual's own look-up by layer finds there (`Compositor.layers_visible`)."""
    app = GdtuiApp(scenario("two_features"))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for keys in [(), ("v",), ("question_mark",)]:  # another view, a dialog over it all
            await press(pilot, *keys)
            compositor = app.screen._compositor
            fronts = textual_adapter._fronts(compositor.visible_widgets, compositor.cuts)
            layers = compositor.layers_visible
            assert len(fronts) == len(layers) == size[1]
            for y, row in enumerate(fronts):
                textual = [
                    (cut, end, next((w for w, c, _ in layers[y] if c.contains(cut, y)), None))
                    for cut, end in pairwise(compositor.cuts[y])
                ]
                assert row == textual, (keys, y)
            assert any(widget is not app.screen for row in fronts for *_, widget in row)


async def test_a_closed_screen_keeps_no_widget_in_its_compositor() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await press(pilot, "n")
        compositor = debugger(app)._compositor
        assert isinstance(compositor, RowsCompositor) and compositor._fronts
        compositor.clear()  # (as Textual does when the screen closes)
        assert not compositor._fronts and compositor._fronts_of == (None, None)
