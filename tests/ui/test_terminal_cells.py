"""Sending only the cells that changed: a terminal fed gdtui's bytes shows what one fed
Textual's own bytes shows, character and colour alike, for fewer bytes.

Two emulated terminals (pyte) are fed every paint of the same app: one as Textual writes
it, one as `SendsChangedCells` sends it.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pyte
import pytest
from rich.console import RenderableType
from rich.segment import Segment
from textual._compositor import CompositorUpdate
from textual.app import ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from gdtui.ui.adapters import textual as textual_adapter
from gdtui.ui.adapters.textual import SendsChangedCells
from gdtui.ui.app import GdtuiApp

from .helpers import scenario, screen_lines


class Terminals:
    """Two terminals fed every paint of `app`: Textual's bytes and the changed cells."""

    def __init__(self, app: SendsChangedCells[Any], size: tuple[int, int]) -> None:
        self.app = app
        self.screens = {"textual": pyte.Screen(*size), "changed": pyte.Screen(*size)}
        self.streams = {name: pyte.Stream(screen) for name, screen in self.screens.items()}
        self.sent = {"textual": 0, "changed": 0}
        self.partial = 0
        display = app._display

        def both(screen: Screen[Any], renderable: RenderableType | None) -> None:
            display(screen, renderable)  # headless: writes nothing
            if isinstance(renderable, CompositorUpdate):
                console = app.console
                textual = renderable.render_segments(console)
                changed = app.terminal_cells.sequence(renderable, console, screen.size)
                self.partial += type(renderable).__name__ == "ChopsUpdate"
                for name, data in (("textual", textual), ("changed", changed)):
                    self.streams[name].feed(data)
                    self.sent[name] += len(data.encode())

        app._display = both  # type: ignore[method-assign]

    def resize(self, width: int, height: int) -> None:
        for screen in self.screens.values():
            screen.resize(height, width)

    def cells(self, name: str) -> list[list[tuple[object, ...]]]:
        """Every cell: its character and how it looks."""
        screen = self.screens[name]
        return [
            [
                (c.data, c.fg, c.bg, c.bold, c.italics, c.underscore, c.reverse, c.strikethrough)
                for c in (screen.buffer[y][x] for x in range(screen.columns))
            ]
            for y in range(screen.lines)
        ]

    def text(self, name: str) -> list[str]:
        return [line.rstrip() for line in self.screens[name].display]


#: Steps forward and back, other views, a dialog over the screen and gone, a new alpha.
KEYS = [("n",), ("n", "n", "n"), ("b",), ("v",), ("n",), ("v", "n"), ("question_mark",),
        ("escape",), ("plus",), ("n", "n")]  # fmt: skip


async def press(pilot: Pilot[Any], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await pilot.pause()


@pytest.mark.parametrize(
    ("name", "size"), [("curve", (80, 24)), ("logistic", (120, 40)), ("two_features", (200, 50))]
)
async def test_the_changed_cells_show_what_textual_shows(name: str, size: tuple[int, int]) -> None:
    app = GdtuiApp(scenario(name))
    terminals = Terminals(app, size)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for keys in KEYS:
            await press(pilot, *keys)
            assert terminals.cells("changed") == terminals.cells("textual"), keys
            # And both show the compositor's frame.
            assert terminals.text("changed") == [line.rstrip() for line in screen_lines(app)]
        terminals.resize(size[0] - 7, size[1] - 3)  # a terminal resizes, then tells the app
        await pilot.resize_terminal(size[0] - 7, size[1] - 3)
        await pilot.pause()
        await press(pilot, "n", "n")
        assert terminals.cells("changed") == terminals.cells("textual")
    assert terminals.partial > 10  # the steps were sent as partial updates, compared
    assert terminals.sent["changed"] < terminals.sent["textual"] * 0.7


class Words(SendsChangedCells[None]):
    """A line of text that a key replaces with the next, wide characters among them."""

    LINES = ["日本語 text", "本日 text ok", "a 日本 text", "café e\u0301 ok", "ok"]

    def compose(self) -> ComposeResult:
        yield Static(self.LINES[0], id="words")

    def on_key(self) -> None:
        self.LINES.append(self.LINES.pop(0))
        self.query_one(Static).update(self.LINES[0])


async def test_wide_characters_are_sent_whole() -> None:
    app = Words()
    terminals = Terminals(app, (30, 3))
    async with app.run_test(size=(30, 3)) as pilot:
        await pilot.pause()
        for _ in range(len(Words.LINES) + 1):
            await press(pilot, "x")
            assert terminals.cells("changed") == terminals.cells("textual")
            # (pyte composes a combining accent with its letter)
            assert terminals.text("changed")[0] == unicodedata.normalize("NFC", Words.LINES[0])


@pytest.mark.parametrize(
    ("before", "after", "runs"),
    [
        ("w = 0.260 dw", "w = 0.261 dx", [(8, 12)]),  # four equal cells apart: one write
        ("w = 0.260 dw = -5.480", "w = 1.260 dw = -5.481", [(4, 5), (20, 21)]),  # far apart
        ("ab日本cd", "ab日x cd", [(4, 6)]),  # a wide character for two narrow ones
        ("a 日 b", "ab日 b", [(1, 2)]),  # (the wide one kept)
        ("same", "same", []),
    ],
)
def test_cells_a_few_apart_are_sent_as_one_run(
    before: str, after: str, runs: list[tuple[int, int]]
) -> None:
    def cells(text: str) -> list[Any]:
        return textual_adapter._cells([Segment(text)], {})

    old, new = cells(before), cells(after)
    assert list(textual_adapter._runs(old, new)) == runs
    # Written over the old row, the runs leave the new row on a terminal.
    screen = pyte.Screen(30, 1)
    stream = pyte.Stream(screen)
    stream.feed(before)
    for start, stop in runs:
        stream.feed(f"\x1b[1;{start + 1}H" + "".join(c for c, _ in new[start:stop]))
    assert screen.display[0].rstrip() == after
