"""Sending only the cells that changed: a terminal fed gdtui's bytes shows what one fed
Textual's own bytes shows, character and colour alike, for fewer bytes.

Two emulated terminals (pyte) are fed every paint of the same app: one as Textual writes
it, one as `SendsChangedCells` sends it.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pyte
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.color import ColorSystem
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from textual._compositor import CompositorUpdate
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from gdtui.ui.adapters import textual as textual_adapter
from gdtui.ui.adapters.textual import SendsChangedCells, TerminalCells, frame_strips
from gdtui.ui.app import GdtuiApp

from .helpers import scenario, screen_lines, settle, until


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
        return textual_adapter._cells([Segment(text)], textual_adapter._Styles())

    old, new = cells(before), cells(after)
    assert list(textual_adapter._runs(old, new)) == runs
    # Written over the old row, the runs leave the new row on a terminal.
    screen = pyte.Screen(30, 1)
    stream = pyte.Stream(screen)
    stream.feed(before)
    for start, stop in runs:
        stream.feed(f"\x1b[1;{start + 1}H" + "".join(c for c, _ in new[start:stop]))
    assert screen.display[0].rstrip() == after


#: An SGR sequence and its parameters.
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def colour_kinds(data: str) -> set[str]:
    """The kinds of colour the SGR sequences in `data` use: "16", "256" or "truecolor"."""
    kinds = set()
    for match in SGR.finditer(data):
        codes = match.group(1).split(";")
        while codes:
            code = codes.pop(0)
            if code in ("38", "48"):
                kind = codes.pop(0)
                kinds.add("256" if kind == "5" else "truecolor")
                del codes[: 1 if kind == "5" else 3]
            elif code.isdigit() and (30 <= int(code) <= 49 or 90 <= int(code) <= 107):
                kinds.add("16")
    return kinds


async def test_an_export_leaves_a_16_colour_terminal_its_16_colours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rich keeps a style's escape codes on the style for the first colour system it is
    # written in: an SVG export written in truecolor left the styles on screen to be sent
    # in truecolor from then on.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TERM", "xterm")
    for variable in ("COLORTERM", "NO_COLOR", "FORCE_COLOR", "TEXTUAL_COLOR_SYSTEM"):
        monkeypatch.delenv(variable, raising=False)
    app = GdtuiApp(scenario("logistic"))
    assert app.console.color_system == "standard"
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "n")
        await pilot.press("e")
        await until(pilot, lambda: any(tmp_path.glob("*.svg")))
        await settle(pilot)
        await press(pilot, "n", "v", "n")
        after = "".join(strip.render(app.console) for strip in frame_strips(app.screen))
    assert colour_kinds(after) == {"16"}


async def test_the_export_draws_what_textuals_export_draws() -> None:
    app = GdtuiApp(scenario("two_features"))
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "n", "n")
        ours = app.export_screenshot(title="two features", simplify=True)
        assert ours == App.export_screenshot(app, title="two features", simplify=True)
        assert app.export_screenshot() == App.export_screenshot(app)


# -- the piece-by-piece comparison against the cell-by-cell one ----------------------------------

RED, GREEN = Style(color="red"), Style(color="green", bold=True)
RED_AGAIN = Style(color="red")  # equal to RED, another object: its cells compare equal
RED_CODED = Style(color="red")  # equal to RED, with other codes cached (as another app's)
RED_CODED._ansi = "38;5;9"
STYLES = [None, RED, GREEN, RED_AGAIN, RED_CODED]
CHARACTERS = " ab⠈⠢⢄│─"  # one cell each: ASCII, braille, box drawing


@st.composite
def row_pieces(draw: st.DrawFn, width: int) -> list[Segment]:
    """Segments spanning `width` cells of one-cell characters, in random styles."""
    segments, left = [], width
    while left:
        size = draw(st.integers(1, left))
        text = draw(st.text(st.sampled_from(CHARACTERS), min_size=size, max_size=size))
        segments.append(Segment(text, draw(st.sampled_from(STYLES))))
        left -= size
    return segments


@given(data=st.data(), width=st.integers(1, 30), at=st.integers(0, 5))
@settings(max_examples=300, deadline=None)
def test_pieces_compared_find_the_cells_compared(data: st.DataObject, width: int, at: int) -> None:
    before = data.draw(row_pieces(width))
    after = data.draw(row_pieces(width))
    styles = textual_adapter._Styles()
    row = textual_adapter._cells([Segment("x" * at), *before, Segment("yz")], styles)
    # The library path: every cell of the new segments compared with the row's.
    new = textual_adapter._cells(after, styles)
    old = row[at : at + width]
    expected = [
        at + column
        for column, cells in enumerate(zip(old, new, strict=True))
        if cells[0] != cells[1]
    ]
    wanted = [*row[:at], *new, *row[at + width :]]
    differ = textual_adapter._narrow_changes(row, at, before, after, styles)
    assert differ == expected
    # The row shows the new segments, each cell's style the very object `_cells` gives.
    assert [(c, id(s)) for c, s in row] == [(c, id(s)) for c, s in wanted]


def test_pieces_are_not_compared_for_wide_or_joining_characters() -> None:
    styles = textual_adapter._Styles()
    row = textual_adapter._cells([Segment("abcd")], styles)
    for text in ("a日c", "ae\u0301d"):  # (same count of cells, but not one a character)
        assert (
            textual_adapter._narrow_changes(row, 0, [Segment("abcd")], [Segment(text)], styles)
            is None
        )
    assert [c for c, _ in row] == list("abcd")  # untouched


def test_codes_follow_the_codes_a_style_carries() -> None:
    cells = TerminalCells()
    style = Style(color="red")
    style._ansi = "31"
    out: list[str] = []
    cells._write(out, [("a", style)], None, ColorSystem.TRUECOLOR)
    style._ansi = "38;5;9"  # (as Textual caches them for another colour system)
    cells._write(out, [("b", style)], None, ColorSystem.TRUECOLOR)
    assert out == ["\x1b[31m", "a", "\x1b[38;5;9m", "b"]
