"""What the debugger's plots share: plotext lays out the axes, labels and marker characters,
numpy draws the many-point lines as braille under them, and the result goes to the screen
straight from plotext's character matrix (textual-plotext's own path took 17-290 ms a frame).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Hashable
from functools import lru_cache
from itertools import groupby
from typing import Any

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.strip import Strip
from textual_plotext import PlotextPlot

from gdtui.ui import plotting
from gdtui.ui.adapters import plotext as plotext_adapter
from gdtui.ui.adapters.plotext import get_color_code
from gdtui.ui.plotting import Range, Vector
from gdtui.ui.widgets.text_lines import FrameReader

#: Past steps drawn as the path.
TRAIL = 30

#: Markers, told apart without colour: now, where the step lands, earlier steps.
CURRENT, LANDING, PATH = "●", "x", "·"

#: The tangent's legend: it is drawn dashed (as here, in braille), the curve solid.
TANGENT = "⠒ ⠒"

#: The legend of the curve drawn as dots, not joined: J once the other parameters moved.
AFTER = "⠂⠂⠂"

#: A kept run's points (`m`): a ghost, told apart from the path `·` without colour.
GHOST = "○"

#: Arrowheads of the step.
LEFT, RIGHT = "◀", "▶"

#: The braille character with each set of dots (bits as in `plotting.braille`).
BRAILLE = [chr(0x2800 + dots) for dots in range(256)]

#: Points of a braille layer, how they are joined (see `plotting.braille`), and their
#: plotext colour name.
Layer = tuple[Vector, Vector, plotting.Joined, str]

#: One line of plotext's matrix (markers, colours, backgrounds, styles) and its width.
Cells = tuple[list[str], list[Any], list[Any], list[str], int]


@lru_cache(maxsize=256)
def _style(fullground: object, background: object, style: str) -> Style:
    """The Rich style of a plotext cell (colour names, 256-colour codes or RGB)."""

    def color(value: object) -> Color | None:
        if isinstance(value, str):
            value = None if value == "default" else get_color_code(value)
        if isinstance(value, int):
            return Color.from_ansi(value)
        if isinstance(value, tuple):
            return Color.from_rgb(*value)
        return None

    return Style(color=color(fullground), bgcolor=color(background), bold=style == "bold")


class BraillePlot(PlotextPlot):
    """A plotext plot that is rebuilt only when what it shows changed, and drawn fast.

    Plotext spends most of a frame on its per-point Python and on printing the figure as
    ANSI text for Textual to parse again; here plotext draws only axes, labels and a few
    markers, `line()` and `dots()` layers are drawn as braille by numpy into the cells
    plotext left blank, and lines go to Textual as strips straight from the matrix.

    A subclass's `show()` calls `draw_if_changed(key, again, draw)`: `draw()` runs (on a
    cleared figure) only when `key` or the widget's size differs from the last call.
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.rebuilds = 0
        """How often the figure was rebuilt (a show() with nothing new does not rebuild)."""
        self._key: tuple[Hashable, ...] | None = None
        self._again: Callable[[], None] | None = None
        self._layers: list[Layer] = []
        self._marks: list[tuple[float, float, str, str]] = []
        self._faint: list[tuple[Vector, Vector, str, str, bool]] = []
        self._texts: tuple[str, str, str] = ("", "", "")
        self._offsets: list[tuple[Callable[..., None], list[float], str]] = []
        self._limits: tuple[Range, Range] = ((0.0, 1.0), (0.0, 1.0))
        self._strips: tuple[tuple[Hashable, ...], list[Strip]] | None = None
        self._lines: list[tuple[Cells, Strip]] = []
        self._rendering = False
        self._drawing: Size | None = None
        """The size `draw()` draws at, while it runs (see `figure_size`)."""
        self._frame_reader = FrameReader()
        """The border's sides Textual draws beside each line, read once per size and style."""
        self._bases: plotext_adapter.BaseMatrices | None = plotext_adapter.BaseMatrices()
        """The figure's axes drawn without its data, kept while they do not change (None
        has plotext draw it all, every time)."""

    def draw_if_changed(
        self, key: tuple[Hashable, ...], again: Callable[[], None], draw: Callable[[], None]
    ) -> None:
        """Rebuild the figure with `draw()` unless `key` is drawn at this size already.

        Args:
            key: What the figure shows (compared with `==`; snapshots compare by identity).
            again: Shows the same again, for a resize.
            draw: Draws the figure on the cleared `self.plt`.
        """
        self._again = again
        size = self.size
        if not size:  # not laid out yet: drawn when first rendered, at its size
            self._key = None
            self.refresh()
            return
        key = (*key, size)
        if key == self._key:
            return
        self._key = key
        self.plt.clear_data()
        self._layers = []
        self._marks = []
        self._faint = []
        self._texts = ("", "", "")
        self._offsets = []
        self._drawing = size
        try:
            draw()
        finally:
            self._drawing = None
        self.rebuilds += 1
        self._refresh_changed(size)

    @property
    def figure_size(self) -> Size:
        """The size the figure is drawn at: while `draw()` runs, the `size` read as it
        began (a read of `size` looks the widget up in the screen's layout: a plot's draw
        read it a dozen times a step)."""
        return self.size if self._drawing is None else self._drawing

    def _refresh_changed(self, size: Size) -> None:
        """Repaint the lines that differ from the figure on screen: a step moves a marker or
        two and a title, and Textual then redraws those lines alone.

        Args:
            size: The widget's size now.
        """
        if self._rendering:  # render_line builds the lines next
            return
        before = self._strips
        if before is None or not self.is_mounted:
            self.refresh()
            return
        key = self._strips_key(size)
        strips = self._render_strips(self._theme(), size)
        self._strips = (key, strips)
        if before[0][0] != key[0]:
            self.refresh()
            return
        width = size.width
        pairs = enumerate(zip(before[1], strips, strict=True))
        changed = [Region(0, y, width, 1) for y, (old, new) in pairs if old is not new]
        if changed:  # (no regions would repaint it all)
            self.refresh(*changed)

    def on_resize(self, event: events.Resize) -> None:
        """Draw again at the new size: resolution and ticks follow it."""
        if self._again is not None:
            self._again()

    def axes(
        self,
        x_range: Range,
        y_range: Range,
        *,
        x_count: int = 0,
        log_y: bool = False,
        y_labelled: Range | None = None,
        names: tuple[str, str] = ("x", "J"),
    ) -> list[str]:
        """Fix the plotted ranges, with round ticks whose labels are at most
        `plotting.LABEL_WIDTH` characters.

        Args:
            x_range: The data at the left and right edge.
            y_range: The data at the bottom and top edge (`log10(J)` when `log_y`).
            x_count: At most this many x ticks (0: as many as fit).
            log_y: Label y ticks as the powers of ten they stand for.
            y_labelled: Label only y ticks within this range (the values the data has),
                when not all of `y_range`.
            names: The axes' names, for the notes.

        Returns:
            How to read labels that are offsets (`J - 0.401495, x1e-7`), one note for each
            axis that has them: a plot shows them with its title.
        """
        self._limits = (x_range, y_range)
        width, height = self.figure_size
        x_count = min(x_count or width, max(2, width // 10))
        self.plt.xlim(*x_range)
        self.plt.ylim(*y_range)
        x_values, x_labels, x_note = plotting.axis_ticks(*x_range, x_count)
        self.plt.xticks(x_values, x_labels)
        lo, hi = y_range if y_labelled is None else y_labelled
        y_count = max(2, height // 4)
        if log_y:
            (y_values, y_labels), y_note = plotting.log_ticks(lo, hi, y_count), ""
        else:
            y_values, y_labels, y_note = plotting.axis_ticks(lo, hi, y_count)
        self.plt.yticks(y_values, y_labels)
        notes = [plotting.axis_note(names[1], y_note), plotting.axis_note(names[0], x_note)]
        self._offsets = [
            (self.plt.yticks, y_values, notes[0]),
            (self.plt.xticks, x_values, notes[1]),
        ]
        return [note for note in notes if note]

    def title(self, text: str) -> None:
        """The line above the plot (drawn here: plotext drops a title it finds too long
        for the room beside the y labels). An axis whose labels are offsets loses its
        labels when `text` has no room for the note that says so."""
        self.plt.title(text or "-")  # plotext makes room for it, if not always shows it
        self._texts = (text, *self._texts[1:])
        for set_ticks, values, note in self._offsets:
            if note and note not in text:  # no room to say how to read them: no labels
                set_ticks(values, [""] * len(values))

    def legend(self, text: str) -> None:
        """The line below the plot."""
        self.plt.xlabel(text or "-")
        self._texts = (self._texts[0], text, self._texts[2])

    def say(self, *texts: str) -> None:
        """A sentence in the middle of the plot, wrapped to it: why it is empty. Of several,
        longest first, the first that fits is shown (else the last, cut short)."""
        self._texts = (*self._texts[:2], "\n".join(texts))

    def line(self, xs: Vector, ys: Vector, color: str, *, joined: plotting.Joined = True) -> None:
        """Draw a line through the points (dashed when `joined` is `plotting.DASHED`), as
        braille, under the markers."""
        self._layers.append((np.asarray(xs, np.float64), np.asarray(ys, np.float64), joined, color))

    def mark(self, x: float, y: float, marker: str, color: str) -> None:
        """Put `marker` in the cell where the braille layers draw the point `(x, y)`, over
        them (plotext's `scatter()` rounds to cells its own way, up to a cell away: the end
        of a line would show past its marker)."""
        self._marks.append((x, y, marker, color))
        self.plt.scatter([x], [y], marker=" ")  # plotext draws axes only for data of its own

    def faint(
        self, xs: Vector, ys: Vector, marker: str, color: str, *, over_lines: bool = True
    ) -> None:
        """Put `marker` in every cell a point falls in, under the markers: a kept run drawn
        behind this one.

        Args:
            xs: The points' x.
            ys: The points' y.
            marker: The character.
            color: Its plotext colour name.
            over_lines: Whether it covers the braille lines and contours (a path drawn on
                the cost curve would otherwise vanish into it), or only blank cells (the
                run on screen stays whole where the two cross).
        """
        self._faint.append(
            (np.asarray(xs, np.float64), np.asarray(ys, np.float64), marker, color, over_lines)
        )

    def dots(self, xs: Vector, ys: Vector, color: str) -> None:
        """Draw the points as braille dots, under the markers."""
        self._layers.append((np.asarray(xs, np.float64), np.asarray(ys, np.float64), False, color))

    @property
    def limits(self) -> tuple[Range, Range]:
        """The data at the canvas's edges, as the last draw set them: `(x_range, y_range)`."""
        return self._limits

    @property
    def label_width(self) -> int:
        """Columns a title or legend may take."""
        return self.figure_size.width - 1

    def accent(self, color: str) -> str:
        """`color` for a marker; under NO_COLOR the text colour, as every colour turns grey
        there and a red dot would be a dim one."""
        return "default" if self.app.no_color else color

    def underlay(self, cols: int, rows: int) -> list[Layer]:
        """Layers drawn first, made once the canvas's size in cells is known."""
        return []

    def _theme(self) -> str:
        return self._get_plotext_theme_name(self.app.theme)

    def _strips_key(self, size: Size) -> tuple[Hashable, ...]:
        """What the lines depend on: the widget's size (`size`, read by the caller), the
        theme and the figure (and the terminal colours that ANSI colours are shown in, for
        the line filters)."""
        return (size, self._theme(), self.rebuilds, self.app.ansi_theme)

    def render_line(self, y: int) -> Strip:
        """One line of the figure, built once per rebuild, size and theme."""
        strips = self._current_strips()
        return strips[y] if 0 <= y < len(strips) else Strip.blank(self.size.width)

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines in `crop`, as Textual's own path draws them (`Widget.render_lines`),
        without its styling work on every line when the plot has no padding, tint or
        opacity (the whole cost curve at 200x50: 2.5 ms that way, 0.9 ms this way).

        The plot's strips are then final but for the app's line filters (NO_COLOR, ANSI
        colours), applied here as Textual applies them, and a border: its top and bottom
        lines are Textual's, and its sides are read from a line Textual draws once per size,
        border, background and filters (`FrameReader`, as `TextLines` reads a panel's),
        checked to hold that line's strip between them (else Textual draws it all).

        Args:
            crop: The region of the widget to draw.

        Returns:
            One strip for each line of `crop`, `crop.width` cells each.
        """
        # Each read of the size or the region looks the widget up in the screen's layout.
        size, region = self.size, self.region
        frame = self._frame(size, region)
        if frame is None:
            return super().render_lines(crop)
        width, height = region.size
        if not Region(0, 0, width, height).contains_region(crop):
            # The compositor can ask for a crop laid out for a size this widget has not
            # taken yet (a resize pending): Textual's path pads it.
            return super().render_lines(crop)
        strips = self._current_strips(size)
        rows = crop.line_range
        inner = [y for y in rows if frame <= y < height - frame]
        # (the first inner line too: the frame is read beside it)
        if not inner or not all(
            0 <= y - frame < len(strips) and strips[y - frame].cell_length == width - 2 * frame
            for y in (frame, *inner)
        ):
            return super().render_lines(crop)  # Textual pads a short line: let it
        lines = self._frame_reader.framed(
            self, crop, range(frame, height - frame), lambda y: strips[y - frame],
            super().render_lines, region,
        )  # fmt: skip
        # None: Textual does more to a line than known here.
        return super().render_lines(crop) if lines is None else lines

    def _frame(self, size: Size | None = None, region: Region | None = None) -> int | None:
        """How wide a frame Textual draws around the plot's strips unchanged: 0 with no
        border, 1 with a border all round; None when it does more to them (padding, an
        outline, hatch, tint, opacity or scrollbars).

        Args:
            size: The widget's `size`, when the caller has read it.
            region: Its `region`, likewise.
        """
        size = self.size if size is None else size
        region = self.region if region is None else region
        styles = self.styles
        edges = [bool(edge) for edge, _ in styles.border]
        frame = 1 if all(edges) else 0
        plain = (
            not self.BLANK
            and (any(edges) == all(edges))
            and size == (region.width - 2 * frame, region.height - 2 * frame)
            and not any(edge for edge, _ in styles.outline)
            and not any(styles.padding)
            and not (styles.has_rule("hatch") and styles.hatch != "none")
            and not styles.tint.a
            and styles.text_opacity == 1.0
            and self.opacity == 1.0
        )
        return frame if plain else None

    def _current_strips(self, size: Size | None = None) -> list[Strip]:
        """The figure's lines, built once per rebuild, size and theme.

        Args:
            size: The widget's `size`, when the caller has read it.
        """
        size = self.size if size is None else size
        if self._again is not None and (self._key is None or self._key[-1] != size):
            # Laid out at a new size, and painted before the resize event comes: draw for
            # this size now rather than paint a figure made for another and then this one.
            self._rendering = True
            try:
                self._again()
            finally:
                self._rendering = False
        key = self._strips_key(size)
        if self._strips is None or self._strips[0] != key:
            self._strips = (key, self._render_strips(self._theme(), size))
        return self._strips[1]

    def _render_strips(self, theme: str, size: Size) -> list[Strip]:
        width, height = size
        plot: Any = self.plt  # the figure's build steps are not in textual-plotext's stubs
        plotext_adapter.set_size(plot, width, height)
        plot.theme(theme)
        plotext_adapter.set_sizes(plot)
        matrix = plot.monitor.matrix
        plotext_adapter.fill_faster(matrix)
        plotext_adapter.build_matrix(plot, self._bases)
        cols, rows = matrix.Cols_canvas, matrix.Rows_canvas
        layers = [*self.underlay(len(cols), len(rows)), *self._layers]
        bits, owner = plotting.braille(
            [layer[:3] for layer in layers], *self._limits, len(cols), len(rows)
        )
        colors = [layer[3] for layer in layers]
        r, c = np.nonzero(bits)
        dotted = zip(
            (r + rows.start).tolist(), (c + cols.start).tolist(), bits[r, c].tolist(),
            owner[r, c].tolist(), strict=True,
        )  # fmt: skip
        for row, col, dots, layer in dotted:
            if matrix.marker[row][col] == " ":
                matrix.marker[row][col] = BRAILLE[dots]
                matrix.fullground[row][col] = colors[layer]
        self._place_faint(matrix, cols, rows)
        if self._marks:  # each in the cell of its dot (an earlier one under a later one)
            xs, ys, markers, inks = zip(*self._marks, strict=True)
            at = plotting.cells_of(np.array(xs), np.array(ys), *self._limits, len(cols),
                                   len(rows))  # fmt: skip
            for r, c, drawn, marker, color in zip(*at, markers, inks, strict=True):
                if drawn:
                    matrix.marker[rows.start + r][cols.start + c] = marker
                    matrix.fullground[rows.start + r][cols.start + c] = color
        self._write_texts(matrix, cols, rows)
        # A line whose cells are those of the last figure keeps its strip, which lets the
        # caller repaint only the lines that changed.
        before, self._lines = self._lines, []
        for y, row in enumerate(reversed(range(matrix.rows))):
            cells: Cells = (matrix.marker[row], matrix.fullground[row], matrix.background[row],
                            matrix.style[row], width)  # fmt: skip
            same = y < len(before) and before[y][0] == cells
            self._lines.append((cells, before[y][1] if same else _strip(matrix, row, width)))
        return [strip for _, strip in self._lines]

    def _place_faint(self, matrix: Any, cols: range, rows: range) -> None:
        """The `faint()` points, in the cells they may take (see there)."""
        for xs, ys, marker, color, over_lines in self._faint:
            at = plotting.cells_of(xs, ys, *self._limits, len(cols), len(rows))
            for r, c, drawn in zip(*at, strict=True):
                if not drawn:
                    continue
                row, col = rows.start + int(r), cols.start + int(c)
                cell = matrix.marker[row][col]
                if cell == " " or (over_lines and BRAILLE[1] <= cell <= BRAILLE[-1]):
                    matrix.marker[row][col] = marker
                    matrix.fullground[row][col] = color

    def _write_texts(self, matrix: Any, cols: range, rows: range) -> None:
        """The title, the legend and a sentence saying why the plot is empty, centred on
        the canvas where they fit, else moved left as far as they need."""
        title, legend, message = self._texts
        width = matrix.cols
        lines = [(matrix.rows - 1, title), (0, legend)] if matrix.rows > 1 else []
        if message:
            room = max(len(cols) - 2, 1)
            for text in message.split("\n"):
                wrapped = textwrap.wrap(text, room, break_long_words=True)
                if len(wrapped) <= len(rows):
                    break
            wrapped = wrapped[: len(rows)]
            # Rows count up from the bottom: the first line goes highest.
            first = min(rows.start + (len(rows) + len(wrapped)) // 2, rows.stop) - 1
            lines += [(first - i, line) for i, line in enumerate(wrapped)]
        centre = cols.start + len(cols) // 2
        for row, text in lines:
            if not text or not 0 <= row < matrix.rows:
                continue
            if row in (0, matrix.rows - 1):  # plotext's own, if it placed it, goes
                matrix.marker[row] = [" "] * width
            text = text[:width]
            col = max(0, min(centre - len(text) // 2, width - len(text)))
            matrix.marker[row][col : col + len(text)] = list(text)
            matrix.fullground[row][col : col + len(text)] = ["default"] * len(text)


def _strip(matrix: Any, row: int, width: int) -> Strip:
    """One row of plotext's matrix as a strip, one segment per run of one style."""
    markers = matrix.marker[row]
    fullground, background, style = (
        matrix.fullground[row],
        matrix.background[row],
        matrix.style[row],
    )
    size = len(markers)
    if size and background.count(background[0]) == size and style.count(style[0]) == size:
        # One background and style all along, as in Textual's themes (whose axes and canvas
        # share a colour): the runs are those of the text colour alone, found without
        # building a tuple a cell (a fifth of the time of the 30-odd lines a step redraws).
        runs = [(color, len(list(run))) for color, run in groupby(fullground)]
        other = background[0], style[0]
    else:
        cells = zip(fullground, background, style, strict=True)
        runs = [(colors, len(list(run))) for colors, run in groupby(cells)]
        other = None
    segments, col = [], 0
    for colors, length in runs:
        end = col + length
        look = _style(*colors) if other is None else _style(colors, *other)
        segments.append(Segment("".join(markers[col:end]), look))
        col = end
    # Every character plotext places takes one cell.
    strip = Strip(segments, size)
    return strip if size == width else strip.adjust_cell_length(width)
