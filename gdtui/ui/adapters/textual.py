"""The one module that reaches into Textual past its public API.

Beyond Textual's public API this module uses, and only here:

- `textual.widgets._footer.FooterKey` and `FooterLabel`, the widgets `Footer.compose`
  yields (not exported from `textual.widgets`), for the tests that hold `KeysFooter`, which
  draws the keys itself, to what Textual's `Footer` draws (`footer_widgets`);
- `App._driver`, the running app's driver, to leave and re-enter application mode when a
  pre-started app is handed to a login (`gdtui.serve.pool`): `App.suspend` does that too
  but also signals the app as suspended and needs a driver that can suspend;
- `Screen._get_breakpoint_classes`, the classes a screen's breakpoints give it at a size,
  to give them before it mounts (`breakpoint_classes`) rather than after its first paint;
- `Widget._clear_arrangement_cache`, to place a screen's children as they stand now
  (`placements_now`): Textual keys the arrangements it keeps by size and children, not by
  styles or content, so one kept from before a class or a line changed is out of date;
- `App._display`, where an update becomes escape sequences, and the compositor's update
  types (`CompositorUpdate`, `ChopsUpdate` with its `chops`, `spans` and `chop_ends`,
  `LayoutUpdate` with its `strips` and `region`), to send only the cells that changed
  (`SendsChangedCells`), and `Console._color_system`, as Textual's `Strip.render` reads it;
- `Screen._compositor` and `App._background_screens`, to export the screen as SVG as
  `App.export_screenshot` does but through a console of the app's own colour system
  (`export_svg`, which `SendsChangedCells.export_screenshot` uses): Rich keeps a style's
  escape codes on the style (`Style._ansi`) for the first colour system it is written in,
  so Textual's truecolor export left every style on screen to be sent in truecolor to a
  16- or 256-colour terminal from then on;
- `Screen._compositor`, for the text and the cells of a frame in tests (`frame_lines`,
  `frame_strips`, `screen_lines`): Textual has no public call for them; and replaced by a
  `RowsCompositor` (`render_changed_rows`), which overrides
  `Compositor.render_partial_update` and reads the compositor's `_dirty_regions`,
  `_regions_to_spans`, `cuts` and `visible_widgets` as Textual's own method does.

Textual is pinned in pyproject.toml below its next major;
tests/test_adapters.py checks these names and fails loudly if they change.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from itertools import compress, groupby, pairwise, repeat
from operator import itemgetter, ne
from typing import Any

from rich.cells import cached_cell_len, get_character_cell_size
from rich.color import ColorSystem
from rich.console import Console, RenderableType
from rich.segment import Segment
from rich.style import Style
from textual import on
from textual._compositor import ChopsUpdate, Compositor, CompositorUpdate, LayoutUpdate
from textual.app import App, ReturnType
from textual.driver import Driver
from textual.geometry import Region, Size
from textual.layout import DockArrangeResult
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

__all__ = [
    "TESTED_MAJOR",
    "ChopsUpdate",
    "Compositor",
    "LayoutUpdate",
    "RowsCompositor",
    "SendsChangedCells",
    "TerminalCells",
    "app_driver",
    "breakpoint_classes",
    "export_svg",
    "footer_widgets",
    "frame_lines",
    "frame_strips",
    "placements_now",
    "render_changed_rows",
    "screen_lines",
    "textual_version",
]

#: The Textual major version this adapter was tested with.
TESTED_MAJOR = 8


def textual_version() -> tuple[int, int]:
    """The installed Textual's (major, minor)."""
    from importlib.metadata import version  # some 40 ms of imports a first screen needs not

    major, minor, *_ = version("textual").split(".")
    return int(major), int(minor)


def footer_widgets() -> tuple[type[Widget], type[Widget]]:
    """Textual's `FooterKey` and `FooterLabel`, for the tests (imported when asked: the app
    draws its footer itself, and their module costs some 3 ms of the first screen)."""
    from textual.widgets._footer import FooterKey, FooterLabel

    return FooterKey, FooterLabel


def breakpoint_classes(screen: Screen[Any], size: Size) -> dict[str, bool]:
    """The classes `screen`'s breakpoints (or its app's) give it at `size`, each class to
    set or to clear, as Textual gives them on the screen's first resize: after its first
    layout and paint, restyling every widget and painting again."""
    app = screen.app
    horizontal = (app.HORIZONTAL_BREAKPOINTS if screen.HORIZONTAL_BREAKPOINTS is None
                  else screen.HORIZONTAL_BREAKPOINTS) or []  # fmt: skip
    vertical = (app.VERTICAL_BREAKPOINTS if screen.VERTICAL_BREAKPOINTS is None
                else screen.VERTICAL_BREAKPOINTS) or []  # fmt: skip
    classes = {name: False for _, name in (*horizontal, *vertical)}
    for name in screen._get_breakpoint_classes(size.width, horizontal):
        classes[name] = True
    for name in screen._get_breakpoint_classes(size.height, vertical):
        classes[name] = True
    return classes


def placements_now(screen: Screen[Any]) -> DockArrangeResult:
    """Where `screen`'s layout places its children at its size, with the styles and the
    content they have now, as its next layout will (not one kept from an earlier layout at
    this size: after a resize, or a class that hides a row, that one is out of date)."""
    screen._clear_arrangement_cache()
    return screen.arrange(screen.size)


def app_driver(app: App[Any]) -> Any:
    """The running `app`'s driver (None before it runs)."""
    return app._driver


def export_svg(app: App[Any], title: str | None = None, simplify: bool = False) -> str:
    """The screen as SVG, as `App.export_screenshot` makes it (`title` and `simplify` as
    there), written through a console of the app's colour system: the escape codes Rich
    keeps on each style on screen are then the ones the app sends (Textual's export
    writes them in truecolor)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system=app.console.color_system or "truecolor",  # type: ignore[arg-type]
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(
        app.screen._compositor.render_update(
            full=True, screen_stack=app._background_screens, simplify=simplify
        )
    )
    return console.export_svg(title=title or app.title)


def frame_lines(screen: Screen[Any]) -> list[str]:
    """The text of `screen`'s whole frame, one string per row, as the compositor renders
    it for a full update."""
    update = screen._compositor.render_full_update()
    return ["".join(strip.text for strip in line) for line in update.strips]


def frame_strips(screen: Screen[Any]) -> list[Strip]:
    """`screen`'s whole frame, a strip per row (characters and styles), as the compositor
    renders it for a full update."""
    update = screen._compositor.render_full_update()
    return [Strip.join(line) for line in update.strips]


def screen_lines(screen: Screen[Any]) -> list[str]:
    """The text of `screen` as its compositor renders it, one string per row."""
    return [strip.text for strip in screen._compositor.render_strips()]


# -- rendering the rows that changed --------------------------------------------------------------


class RowsCompositor(Compositor):
    """Textual's compositor, but a partial update renders each widget only on the rows
    where it shows through a region that changed.

    Textual renders, for a partial update, every widget that overlaps the box around all
    the regions that changed, each across that box, and then keeps the lines those regions
    are on. A step changes the status line at the top and the step log at the bottom, so
    that box is the whole screen: every container and every panel was rendered again, at
    some 0.1 ms each though nothing in them changed, and a plot's every row was cut up
    into chops to be dropped.

    Here a widget is rendered on a row only where a chop it shows (the part of a row between
    two widget edges, in front) meets a region that changed; it is rendered across its
    whole width, so that the chop is whole, as in Textual's update. The update holds the
    same chops as Textual's wherever they meet a changed region, and Textual's
    `ChopsUpdate` (and `TerminalCells`) send nothing else.
    """

    _fronts: list[list[tuple[int, int, Widget | None]]] = []
    """Per row, each chop's first column, the column after it, and the widget in front
    there (None: no widget), for `_fronts_of`."""
    _fronts_of: tuple[object, object] = (None, None)
    """The visible widgets and the cuts `_fronts` was found for."""

    def clear(self) -> None:
        """As Textual's: no reference to a widget kept (the screen closes)."""
        super().clear()
        self._fronts, self._fronts_of = [], (None, None)

    def render_partial_update(self) -> ChopsUpdate | None:
        """As Textual's, but each widget rendered on the rows it changes (see above)."""
        update_regions = self._dirty_regions.copy()
        self._dirty_regions.clear()
        if not update_regions:
            return None
        spans = list(self._regions_to_spans(update_regions))
        cuts = self.cuts
        visible = self.visible_widgets
        fronts = self._fronts
        if self._fronts_of[0] is not visible or self._fronts_of[1] is not cuts:
            fronts = self._fronts = _fronts(visible, cuts)
            self._fronts_of = (visible, cuts)
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(line[:-1]) for line in cuts]
        # Per widget, the chops (by row, then first column) it shows that meet a region
        # that changed.
        wanted: dict[Widget, dict[int, list[int]]] = {}
        for y, x1, x2 in spans:
            for cut, end, widget in fronts[y]:
                if cut < x2 and end > x1 and widget is not None:
                    wanted.setdefault(widget, {}).setdefault(y, []).append(cut)
        intersection = Region.intersection
        for widget, rows in wanted.items():
            region, clip = visible[widget]
            left, _, width, _ = intersection(region, clip)
            right = left + width
            for top, bottom in _runs_of(sorted(rows)):
                crop = Region(left - region.x, top - region.y, width, bottom - top)
                for y, strip in zip(range(top, bottom), widget.render_lines(crop), strict=False):
                    final_cuts = [cut for cut in cuts[y] if right >= cut >= left]
                    chops_line, chops_wanted = chops[y], rows[y]
                    if len(final_cuts) == 2 and strip.cell_length == width:
                        chops_line[left] = strip  # (one chop: the strip, as `divide` gives)
                        continue
                    parts = strip.divide([cut - left for cut in final_cuts[1:]])
                    for cut, part in zip(final_cuts, parts, strict=False):
                        if cut in chops_wanted:
                            chops_line[cut] = part
        chop_ends = [line[1:] for line in cuts]
        return ChopsUpdate(chops, spans, chop_ends)


def _fronts(
    visible: dict[Widget, tuple[Region, Region]], cuts: list[list[int]]
) -> list[list[tuple[int, int, Widget | None]]]:
    """Per row of `cuts`, each chop's first column, the column after it, and the widget in
    front there: the first of `visible` (front to back) whose region, clipped, holds it."""
    on_row: list[list[tuple[int, int, Widget]]] = [[] for _ in cuts]
    for widget, (region, clip) in visible.items():
        x, y, width, height = Region.intersection(region, clip)
        if width and height:
            for row in on_row[max(y, 0) : y + height]:
                row.append((x, x + width, widget))
    return [
        [
            (cut, end, next((widget for x, after, widget in row if x <= cut < after), None))
            for cut, end in pairwise(line)
        ]
        for line, row in zip(cuts, on_row, strict=True)
    ]


def _runs_of(rows: list[int]) -> Iterator[tuple[int, int]]:
    """The runs of consecutive numbers in `rows` (ascending), as (first, after the last)."""
    top = last = rows[0]
    for y in rows[1:]:
        if y != last + 1:
            yield top, last + 1
            top = y
        last = y
    yield top, last + 1


def render_changed_rows(screen: Screen[Any]) -> None:
    """Have `screen`, not painted yet, render a partial update only on the rows of each
    widget that it changes (`RowsCompositor`)."""
    screen._compositor = RowsCompositor()


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
        self._sent: list[dict[int, Strip]] = []
        """Per row, the strips last sent whole, by column: Textual hands a line that did
        not change over as the same strip, which is then skipped without a look at its
        cells."""
        self._sgr: dict[tuple[int, int], tuple[Any, ...]] = {}
        """The SGR codes from a style to another (None: a link), by their identities."""
        self._styles = _Styles()

    def forget(self) -> None:
        """The terminal was cleared or may show something else: trust the next full update
        only."""
        self._rows, self._sent = [], []

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
        self.forget()
        if isinstance(update, LayoutUpdate) and update.region == size.region:
            lines = [list(line) for line in update.strips]
            rows = [
                _cells((segment for strip in line for segment in strip), self._styles)
                for line in lines
            ]
            if all(len(row) == size.width for row in rows):
                self._rows = rows
                self._sent = [dict(zip(_starts(line), line, strict=True)) for line in lines]
        return text

    def _changes(self, update: ChopsUpdate, console: Console) -> str:
        """The cells of `update` that differ from those on the terminal, as Textual's own
        `ChopsUpdate.render_segments` would place them."""
        color_system = console._color_system or ColorSystem.TRUECOLOR
        out: list[str] = []
        cursor_x = cursor_y = -1  # where the cursor is (-1: not known)
        style: Style | None = None  # the SGR state: None after a reset
        spans = update.spans
        if not spans:
            return ""
        # Textual renders every widget across the box around the spans, on their lines: a
        # chop inside the box is all of it as it now is, though its span may be narrower (a
        # region refreshed inside a border). Taken whole, a chop sent before is recognised.
        left = min([x1 for _, x1, _ in spans])
        right = max([x2 for _, _, x2 in spans])
        rows, sents, styles = self._rows, self._sent, self._styles
        chop_ends, chops = update.chop_ends, update.chops
        for y, x1, x2 in spans:
            row, sent = rows[y], sents[y]
            width = len(row)
            for end, (x, strip) in zip(chop_ends[y], chops[y].items(), strict=False):
                if strip is None or x > x2 or end <= x1:
                    continue
                if x >= left and end <= right:
                    before = sent.get(x)
                    if before is strip:
                        continue
                    segments, at = strip._segments, x
                    if before is not None and before.cell_length == strip.cell_length:
                        # Only the segments between those both strips begin and end with.
                        sent[x] = strip
                        was, segments, at = _middle(before._segments, segments, x)
                        if not segments:
                            continue
                        # The terminal shows `before` there: compared piece by piece.
                        differ = _narrow_changes(row, at, was, segments, styles)
                        if differ is not None:
                            for start, stop in _joined(differ):
                                out.append(_cursor_to(start, y, cursor_x, cursor_y))
                                style = self._write(out, row[start:stop], style, color_system)
                                cursor_x, cursor_y = (stop, y) if stop < width else (-1, -1)
                            continue
                    else:
                        _overwrite(sent, x, strip.cell_length, strip)
                else:
                    strip = strip.crop(0, min(end, x2) - x)
                    _overwrite(sent, x, strip.cell_length, None)
                    segments, at = strip._segments, x
                new = _cells(segments, styles)
                if len(new) > width - at:
                    del new[width - at :]
                old = row[at : at + len(new)]
                if new == old:
                    continue
                for start, stop in _runs(old, new):
                    out.append(_cursor_to(at + start, y, cursor_x, cursor_y))
                    style = self._write(out, new[start:stop], style, color_system)
                    cursor_x, cursor_y = (at + stop, y) if at + stop < width else (-1, -1)
                row[at : at + len(new)] = new
        if style is not None:
            out.append("\x1b[0m")
        return "".join(out)

    def _write(
        self, out: list[str], cells: list[Cell], style: Style | None, system: ColorSystem
    ) -> Style | None:
        """Write `cells` after the SGR state `style`; returns the state after them."""
        sgr = self._sgr
        for new, run in groupby(cells, key=_style_of):
            text = "".join(map(_character_of, run))
            if new is None:
                if style is not None:
                    out.append("\x1b[0m")
                out.append(text)
                style = None
                continue
            # By the styles' identities (cells hold one style object for equal styles) and
            # the codes Textual cached on them, without a Python-level hash of either; the
            # entry holds both styles, so no other object takes their identities meanwhile.
            old_ansi = None if style is None else style._ansi
            entry = sgr.get((id(style), id(new)))
            if entry is None or entry[2] is not old_ansi or entry[3] is not new._ansi:
                if len(sgr) > 65536:  # (a long session with ever new styles)
                    sgr.clear()
                # (None: a link, written as Textual writes it)
                codes = None if new.link else _sgr(style, new, system)
                entry = sgr[id(style), id(new)] = (style, new, old_ansi, new._ansi, codes)
            codes = entry[4]
            if codes is None:
                if style is not None:
                    out.append("\x1b[0m")
                out.append(Strip.render_style(new, text, system))
                style = None
                continue
            out.append(codes)
            out.append(text)
            style = new
        return style


_style_of = itemgetter(1)
_character_of = itemgetter(0)


def _middle(
    before: list[Segment], after: list[Segment], x: int
) -> tuple[list[Segment], list[Segment], int]:
    """The segments of `before` and of `after` between those they share at their start and
    at their end, and the column they start at (both span the same cells from `x`)."""
    shortest = min(len(before), len(after))
    first = 0
    while first < shortest and before[first] == after[first]:
        text = after[first].text
        x += cached_cell_len(text)
        first += 1
    last = 0
    while last < shortest - first and before[-1 - last] == after[-1 - last]:
        last += 1
    return before[first : len(before) - last], after[first : len(after) - last], x


def _narrow_changes(
    row: list[Cell], at: int, before: list[Segment], after: list[Segment], styles: _Styles
) -> list[int] | None:
    """The columns where `after` differs from `before`, which the terminal shows from
    column `at` of `row`, with `row` brought to show `after`; None (and `row` untouched)
    unless both are text of one-cell characters spanning the same cells in the row.

    A step moves a marker or changes a digit amid long runs of one style: the two are
    walked piece by piece (a piece: where neither changes style), and only a piece whose
    text differs is compared cell by cell; a piece whose style differs has changed all
    along. The columns, and the row, are those `_cells` and `_runs` give, cell by cell.
    """
    old = _pieces(before, styles)
    new = _pieces(after, styles)
    if old is None or new is None or old[-1][0] != new[-1][0] or at + new[-1][0] > len(row):
        return None
    differ: list[int] = []
    old_start = new_start = 0
    old_pieces, new_pieces = iter(old), iter(new)
    old_end, old_text, old_style, old_class = next(old_pieces)
    new_end, new_text, new_style, new_class = next(new_pieces)
    position, total = 0, new[-1][0]
    while position < total:
        while old_end <= position:
            old_start = old_end
            old_end, old_text, old_style, old_class = next(old_pieces)
        while new_end <= position:
            new_start = new_end
            new_end, new_text, new_style, new_class = next(new_pieces)
        stop = min(old_end, new_end)
        was = (old_text if position == old_start and stop == old_end
               else old_text[position - old_start : stop - old_start])  # fmt: skip
        text = (new_text if position == new_start and stop == new_end
                else new_text[position - new_start : stop - new_start])  # fmt: skip
        if new_class is old_class:  # (equal styles, as cells compare)
            if new_style is not old_style:  # (the cells as `_cells` gives them)
                row[at + position : at + stop] = zip(text, repeat(new_style))
            if was != text:
                changed = list(compress(range(at + position, at + stop), map(ne, was, text)))
                differ += changed
                if new_style is old_style:  # (the others in the row as they are)
                    offset = at + position
                    for column in changed:
                        row[column] = (text[column - offset], new_style)
        else:
            differ.extend(range(at + position, at + stop))
            row[at + position : at + stop] = zip(text, repeat(new_style))
        position = stop
    return differ


def _pieces(
    segments: list[Segment], styles: _Styles
) -> list[tuple[int, str, Style | None, Style | None]] | None:
    """Each segment's end column (counted from its start), text, style as cells hold it
    and that style's class (`_Styles`); None if a segment is a control or has a character
    not one cell wide."""
    pieces = []
    end = 0
    seen = styles.seen
    for text, style, control in segments:
        size = len(text)
        if control or cached_cell_len(text) != size:
            return None
        ansi = None if style is None else style._ansi
        entry = seen.get(id(style))
        if entry is None or entry[1] is not ansi:
            entry = styles.look(style, ansi)
        end += size
        pieces.append((end, text, entry[2], entry[3]))
    return pieces or None


class _Styles:
    """The style object cells hold for each style, so that cells compare by identity, not
    by Rich's `__eq__` (Textual builds an equal style anew for many lines it renders).

    The style given is the first seen equal to it and carrying the same codes cached by
    Textual: equal styles from apps with another colour system carry other codes, and each
    cell is sent with its own. Styles given that are equal but carry other codes share a
    class: the first given equal to them, so that their cells compare equal by identity.
    """

    def __init__(self) -> None:
        self.given: dict[tuple[Style | None, Any], Style | None] = {}
        self.classes: dict[Style | None, Style | None] = {}
        self.seen: dict[int, tuple[Style | None, str | None, Style | None, Style | None]] = {}
        """By a style's identity: it, the codes it carried, the style given, its class.
        (The entry holds the style, so no other object takes its identity meanwhile.)"""

    def look(
        self, style: Style | None, ansi: str | None
    ) -> tuple[Style | None, str | None, Style | None, Style | None]:
        """The entry in `seen` for `style` carrying `ansi`, made anew."""
        given = self.given.setdefault((style, ansi), style)
        if len(self.seen) > 4096:  # (a long session with ever new styles)
            self.given.clear()
            self.classes.clear()
            self.seen.clear()
        entry = self.seen[id(style)] = (style, ansi, given, self.classes.setdefault(given, given))
        return entry


def _cells(segments: Iterable[Segment], styles: _Styles) -> list[Cell]:
    """The cells the segments cover, left to right, each with the style cells hold for
    its own (`_Styles`)."""
    seen = styles.seen
    cells: list[Cell] = []
    extend = cells.extend
    for text, style, control in segments:
        if control:
            continue
        ansi = None if style is None else style._ansi
        entry = seen.get(id(style))
        if entry is None or entry[1] is not ansi:
            entry = styles.look(style, ansi)
        style = entry[2]
        if cached_cell_len(text) == len(text):
            extend(zip(text, repeat(style)))
            continue
        for character in text:
            width = get_character_cell_size(character)
            if width == 0 and cells:  # joins the character before it
                cells[-1] = (cells[-1][0] + character, cells[-1][1])
            elif width:
                cells.append((character, style))
                cells.extend([("", style)] * (width - 1))
    return cells


def _starts(strips: list[Strip]) -> list[int]:
    """The column each strip of a line starts at."""
    starts, x = [], 0
    for strip in strips:
        starts.append(x)
        x += strip.cell_length
    return starts


def _overwrite(sent: dict[int, Strip], x: int, width: int, strip: Strip | None) -> None:
    """Note `strip` as sent at columns `x` to `x + width` of a row, over the strips it
    overlaps (None: a part of a strip, not to be recognised again)."""
    stop = x + width
    for start in [k for k, s in sent.items() if k < stop and k + s.cell_length > x]:
        del sent[start]
    if strip is not None:
        sent[x] = strip


#: Equal cells between two runs that differ up to which the runs are sent as one: the
#: cells cost no more bytes than the cursor's move over them (`ESC [ n C`), and a write
#: fewer costs less time.
JOIN_GAP = 4


def _runs(old: list[Cell], new: list[Cell]) -> list[tuple[int, int]]:
    """The runs of cells that differ, as (start, stop), those a few equal cells apart
    joined (`JOIN_GAP`); a run never splits a wide character, old or new."""
    # Compared in C: a row is some 200 cells, a step changes a few.
    differ = list(compress(range(len(new)), map(ne, old, new)))
    if not differ:
        return []
    runs, n = [], len(new)
    for start, stop in _joined(differ):
        while start > 0 and (new[start][0] == "" or old[start][0] == ""):
            start -= 1
        while stop < n and (new[stop][0] == "" or old[stop][0] == ""):
            stop += 1
        runs.append((start, stop))
    return runs


def _joined(columns: list[int]) -> list[tuple[int, int]]:
    """The runs of `columns` (ascending), as (start, stop), those up to `JOIN_GAP`
    columns apart joined."""
    runs: list[tuple[int, int]] = []
    if not columns:
        return runs
    start = last = columns[0]
    for column in columns:
        if column > last + JOIN_GAP:
            runs.append((start, last + 1))
            start = column
        last = column
    runs.append((start, last + 1))
    return runs


def _cursor_to(x: int, y: int, cursor_x: int, cursor_y: int) -> str:
    """The move from the cursor (`cursor_x`, `cursor_y`; -1 when not known) to column `x`
    of row `y`: none when it is there, forward on its row, else to the cell itself."""
    if cursor_y == y and cursor_x == x:
        return ""
    if cursor_y == y and x > cursor_x:
        return f"\x1b[{x - cursor_x}C"
    return f"\x1b[{y + 1};{x + 1}H"


def _sgr(old: Style | None, new: Style, system: ColorSystem) -> str:
    """The SGR sequence from the state `old` (None: reset) to the style `new`.

    The codes are Textual's own for each style (`Strip.render_style` reads those cached on
    the style, `Style._ansi`, before computing them for the colour system): the cells come
    out in the colours Textual would send, and only the colours that changed are sent.
    """
    codes = _ansi(new, system)
    if old is None:
        return f"\x1b[{codes}m" if codes else ""
    before = _ansi(old, system)
    if codes == before:
        return ""
    attributes, foreground, background = _split(codes)
    old_attributes, old_foreground, old_background = _split(before)
    if attributes != old_attributes:
        return f"\x1b[0;{codes}m" if codes else "\x1b[0m"
    changed = []
    if foreground != old_foreground:
        changed.append(foreground or "39")
    if background != old_background:
        changed.append(background or "49")
    return f"\x1b[{';'.join(changed)}m"


def _ansi(style: Style, system: ColorSystem) -> str:
    """The SGR codes Textual sends for `style`."""
    cached: str | None = style._ansi
    return cached if cached is not None else Strip.render_ansi(style, system)


def _split(codes: str) -> tuple[tuple[str, ...], str, str]:
    """SGR codes as (attributes, foreground colour, background colour)."""
    attributes: list[str] = []
    colours = {"3": "", "4": ""}
    parts = codes.split(";") if codes else []
    while parts:
        code = parts.pop(0)
        if code in ("38", "48"):  # 38;5;n or 38;2;r;g;b
            size = 2 if parts[:1] == ["5"] else 4
            colours[code[0]] = ";".join([code, *parts[:size]])
            del parts[:size]
        elif len(code) == 2 and code[0] in "34" and code[1] in "01234567":
            colours[code[0]] = code
        elif code[:-1] in ("9", "10") and code[-1:] in tuple("01234567"):
            colours["3" if code[0] == "9" else "4"] = code
        else:
            attributes.append(code)
    return tuple(attributes), colours["3"], colours["4"]


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

    def export_screenshot(self, *, title: str | None = None, simplify: bool = False) -> str:
        """The screen as SVG, as Textual exports it, but written in the app's own colour
        system (`export_svg`): for `e` and the snapshot tests alike."""
        return export_svg(self, title, simplify)

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        if isinstance(renderable, CompositorUpdate) and not self.is_inline:
            renderable = _Changes(renderable, self.terminal_cells, screen.size)
        super()._display(screen, renderable)
