"""The one module that reaches into Textual past its public API.

Beyond Textual's public API this module uses, and only here:

- `textual.widgets._footer.FooterKey` and `FooterLabel`, the widgets `Footer.compose`
  yields (not exported from `textual.widgets`), to mark those a narrow footer may drop;
- the reactive `Footer._bindings_ready`, set on a new footer so it shows its keys in its
  first paint instead of after the first change of bindings (`KeysFooter`);
- `App._driver`, the running app's driver, to leave and re-enter application mode when a
  pre-started app is handed to a login (`gdtui.serve.pool`): `App.suspend` does that too
  but also signals the app as suspended and needs a driver that can suspend;
- `App._display`, where an update becomes escape sequences, and the compositor's update
  types (`CompositorUpdate`, `ChopsUpdate` with its `chops`, `spans` and `chop_ends`,
  `LayoutUpdate` with its `strips` and `region`), to send only the cells that changed
  (`SendsChangedCells`), and `Console._color_system`, as Textual's `Strip.render` reads it;
- `Screen._compositor`, for the text of a frame in tests (`frame_lines`, `screen_lines`):
  Textual has no public call for it.

Textual is pinned in pyproject.toml below its next major;
tests/test_adapters.py checks these names and fails loudly if they change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib.metadata import version
from itertools import groupby, repeat
from operator import itemgetter
from typing import Any

from rich.cells import cell_len, get_character_cell_size
from rich.color import Color, ColorSystem
from rich.console import Console, RenderableType
from rich.style import Style
from textual import on
from textual._compositor import ChopsUpdate, Compositor, CompositorUpdate, LayoutUpdate
from textual.app import App, ReturnType
from textual.driver import Driver
from textual.geometry import Size
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel

__all__ = [
    "TESTED_MAJOR",
    "ChopsUpdate",
    "Compositor",
    "LayoutUpdate",
    "SendsChangedCells",
    "TerminalCells",
    "FooterKey",
    "FooterLabel",
    "app_driver",
    "frame_lines",
    "screen_lines",
    "show_keys_at_once",
    "textual_version",
]

#: The Textual major version this adapter was tested with.
TESTED_MAJOR = 8


def textual_version() -> tuple[int, int]:
    """The installed Textual's (major, minor)."""
    major, minor, *_ = version("textual").split(".")
    return int(major), int(minor)


def show_keys_at_once(footer: Footer) -> None:
    """Let `footer` compose its keys on its first paint rather than wait for the bindings
    to change first."""
    footer.set_reactive(Footer._bindings_ready, True)


def app_driver(app: App[Any]) -> Any:
    """The running `app`'s driver (None before it runs)."""
    return app._driver


def frame_lines(screen: Screen[Any]) -> list[str]:
    """The text of `screen`'s whole frame, one string per row, as the compositor renders
    it for a full update."""
    update = screen._compositor.render_full_update()
    return ["".join(strip.text for strip in line) for line in update.strips]


def screen_lines(screen: Screen[Any]) -> list[str]:
    """The text of `screen` as its compositor renders it, one string per row."""
    return [strip.text for strip in screen._compositor.render_strips()]


# -- sending the cells that changed --------------------------------------------------------------

#: A terminal cell: its character (empty for the right half of a wide one) and style.
Cell = tuple[str, Style | None]


class TerminalCells:
    """What the terminal shows, cell by cell, so that an update is sent as the cells it
    changes, each style as the SGR codes that differ from the last.

    Textual sends every line a widget refreshes, whole, and every run of one style as its
    full SGR codes then a reset. A step changes a handful of cells on most of those lines
    (a marker, a digit); over SSH without compression the rest was two thirds of the bytes.

    Only a full update (`LayoutUpdate`: Textual's first paint, a resize, a resume, a whole
    screen refreshed) tells what every cell shows: it is sent as Textual sends it and
    remembered. A partial update (`ChopsUpdate`) is then compared with what is remembered;
    before the first full update, or at another size, it is sent as Textual sends it.
    """

    def __init__(self) -> None:
        self._rows: list[list[Cell]] = []
        self._sgr: dict[tuple[Style | None, Style], str] = {}

    def forget(self) -> None:
        """The terminal was cleared or may show something else: trust the next full update
        only."""
        self._rows = []

    def sequence(self, update: CompositorUpdate, console: Console, size: Size) -> str:
        """The escape sequences that bring the terminal to show `update`.

        Args:
            update: What Textual's compositor rendered.
            console: The app's console (its colour system).
            size: The screen's size in cells.
        """
        if (
            isinstance(update, ChopsUpdate)
            and len(self._rows) == size.height
            and all(len(row) == size.width for row in self._rows[:1])
        ):
            return self._changes(update, console)
        text = update.render_segments(console)
        self._rows = []
        if isinstance(update, LayoutUpdate) and update.region == size.region:
            rows = [_cells(line) for line in update.strips]
            if all(len(row) == size.width for row in rows):
                self._rows = rows
        return text

    def _changes(self, update: ChopsUpdate, console: Console) -> str:
        """The cells of `update` that differ from those on the terminal, as Textual's own
        `ChopsUpdate.render_segments` would place them."""
        color_system = console._color_system or ColorSystem.TRUECOLOR
        out: list[str] = []
        cursor: tuple[int, int] | None = None
        style: Style | None = None  # the SGR state: None after a reset
        for y, x1, x2 in update.spans:
            row = self._rows[y]
            for end, (x, strip) in zip(update.chop_ends[y], update.chops[y].items(), strict=False):
                if strip is None or x > x2 or end <= x1:
                    continue
                if not (x2 > x >= x1 and end <= x2):
                    strip = strip.crop(0, min(end, x2) - x)
                new = _cells([strip])[: len(row) - x]
                old = row[x : x + len(new)]
                if new == old:
                    continue
                for start, stop in _runs(old, new):
                    if cursor != (start + x, y):
                        out.append(_move(cursor, start + x, y))
                    style = self._write(out, new[start:stop], style, color_system)
                    cursor = (stop + x, y) if stop + x < len(row) else None
                row[x : x + len(new)] = new
        if style is not None:
            out.append("\x1b[0m")
        return "".join(out)

    def _write(
        self, out: list[str], cells: list[Cell], style: Style | None, system: ColorSystem
    ) -> Style | None:
        """Write `cells` after the SGR state `style`; returns the state after them."""
        for new, run in groupby(cells, key=itemgetter(1)):
            text = "".join(character for character, _ in run)
            if new is None or new.link:  # a link is written as Textual writes it
                if style is not None:
                    out.append("\x1b[0m")
                out.append(text if new is None else Strip.render_style(new, text, system))
                style = None
                continue
            key = (style, new)
            codes = self._sgr.get(key)
            if codes is None:
                codes = self._sgr[key] = _sgr(style, new, system)
            out.append(codes)
            out.append(text)
            style = new
        return style


def _cells(strips: Iterable[Strip]) -> list[Cell]:
    """The cells the strips cover, left to right."""
    cells: list[Cell] = []
    for strip in strips:
        for text, style, control in strip:
            if control:
                continue
            if cell_len(text) == len(text):
                cells.extend(zip(text, repeat(style)))
                continue
            for character in text:
                width = get_character_cell_size(character)
                if width == 0 and cells:  # joins the character before it
                    cells[-1] = (cells[-1][0] + character, cells[-1][1])
                elif width:
                    cells.append((character, style))
                    cells.extend([("", style)] * (width - 1))
    return cells


def _runs(old: list[Cell], new: list[Cell]) -> Iterator[tuple[int, int]]:
    """The runs of cells that differ, as (start, stop); a run never splits a wide
    character, old or new."""
    n, i = len(new), 0
    while i < n:
        if new[i] == old[i]:
            i += 1
            continue
        start = i
        while i < n and new[i] != old[i]:
            i += 1
        while start > 0 and (new[start][0] == "" or old[start][0] == ""):
            start -= 1
        while i < n and (new[i][0] == "" or old[i][0] == ""):
            i += 1
        yield start, i


def _move(cursor: tuple[int, int] | None, x: int, y: int) -> str:
    """The shortest move from `cursor` (None: unknown) to `(x, y)`."""
    if cursor is not None and cursor[1] == y and x > cursor[0]:
        return f"\x1b[{x - cursor[0]}C"
    return f"\x1b[{y + 1};{x + 1}H"


def _sgr(old: Style | None, new: Style, system: ColorSystem) -> str:
    """The SGR sequence from the state `old` (None: reset) to the style `new`."""
    codes = Strip.render_ansi(new, system)
    if old is None:
        return f"\x1b[{codes}m" if codes else ""
    if codes == Strip.render_ansi(old, system):
        return ""
    if Strip.render_ansi(old.without_color, system) == Strip.render_ansi(
        new.without_color, system
    ):  # the same attributes: send the colours that changed
        changed = [
            ";".join(_color_codes(b, system, foreground)) or default
            for a, b, foreground, default in (
                (old.color, new.color, True, "39"),
                (old.bgcolor, new.bgcolor, False, "49"),
            )
            if _color_codes(a, system, foreground) != _color_codes(b, system, foreground)
        ]
        return f"\x1b[{';'.join(changed)}m"
    return f"\x1b[0;{codes}m" if codes else "\x1b[0m"


def _color_codes(color: Color | None, system: ColorSystem, foreground: bool) -> tuple[str, ...]:
    if color is None:
        return ()
    return tuple(color.downgrade(system).get_ansi_codes(foreground))


class _Changes(CompositorUpdate):
    """An update sent as the cells it changes (see `TerminalCells`)."""

    def __init__(self, update: CompositorUpdate, cells: TerminalCells, size: Size) -> None:
        self.update, self.cells, self.size = update, cells, size

    def render_segments(self, console: Console) -> str:
        return self.cells.sequence(self.update, console, self.size)


class SendsChangedCells(App[ReturnType]):
    """An app that sends the terminal only the cells an update changes (`TerminalCells`).

    It reaches into `App._display`, where Textual turns an update into escape sequences
    for the driver: the update it passes on is sent the same way, cursor and
    synchronised output included.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.terminal_cells = TerminalCells()
        """What the terminal shows."""

    @on(Driver.SignalResume)
    def _forget_terminal(self) -> None:
        """Back from a suspension, the terminal shows what another program left."""
        self.terminal_cells.forget()

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        if isinstance(renderable, CompositorUpdate) and not self.is_inline:
            renderable = _Changes(renderable, self.terminal_cells, screen.size)
        super()._display(screen, renderable)
