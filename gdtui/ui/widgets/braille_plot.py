"""What the debugger's plots share: plotext lays out the axes, labels and marker characters,
numpy draws the many-point lines as braille under them, and the result goes to the screen
straight from plotext's character matrix (textual-plotext's own path took 17-290 ms a frame).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import lru_cache
from itertools import groupby
from types import MethodType
from typing import Any

import numpy as np
from plotext._utility import get_color_code
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.strip import Strip
from textual_plotext import PlotextPlot

from gdtui.ui import plotting
from gdtui.ui.plotting import Range, Vector

#: Past steps drawn as the path.
TRAIL = 30

#: Markers, told apart without colour: now, where the step lands, earlier steps.
CURRENT, LANDING, PATH = "●", "x", "·"

#: Arrowheads of the step.
LEFT, RIGHT = "◀", "▶"

#: Points of a braille layer, whether they are joined, and their plotext colour name.
Layer = tuple[Vector, Vector, bool, str]


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
        self._limits: tuple[Range, Range] = ((0.0, 1.0), (0.0, 1.0))
        self._strips: tuple[tuple[Hashable, ...], list[Strip]] | None = None

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
        key = (*key, self.size)
        if key == self._key:
            return
        self._key = key
        self.plt.clear_data()
        self._layers = []
        draw()
        self.rebuilds += 1
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        """Draw again at the new size: resolution and ticks follow it."""
        if self._again is not None:
            self._again()

    def axes(
        self, x_range: Range, y_range: Range, *, x_count: int = 0, log_y: bool = False
    ) -> None:
        """Fix the plotted ranges, with round ticks.

        Args:
            x_range: The data at the left and right edge.
            y_range: The data at the bottom and top edge (`log10(J)` when `log_y`).
            x_count: At most this many x ticks (0: as many as fit).
            log_y: Label y ticks as the powers of ten they stand for.
        """
        self._limits = (x_range, y_range)
        width, height = self.size
        x_count = min(x_count or width, max(2, width // 10))
        y_ticks = plotting.log_ticks if log_y else plotting.ticks
        self.plt.xlim(*x_range)
        self.plt.ylim(*y_range)
        self.plt.xticks(*plotting.ticks(*x_range, x_count))
        self.plt.yticks(*y_ticks(*y_range, max(2, height // 4)))

    def line(self, xs: Vector, ys: Vector, color: str) -> None:
        """Draw a line through the points, as braille, under the markers."""
        self._layers.append((np.asarray(xs, np.float64), np.asarray(ys, np.float64), True, color))

    def dots(self, xs: Vector, ys: Vector, color: str) -> None:
        """Draw the points as braille dots, under the markers."""
        self._layers.append((np.asarray(xs, np.float64), np.asarray(ys, np.float64), False, color))

    def accent(self, color: str) -> str:
        """`color` for a marker; under NO_COLOR the text colour, as every colour turns grey
        there and a red dot would be a dim one."""
        return "default" if self.app.no_color else color

    def underlay(self, cols: int, rows: int) -> list[Layer]:
        """Layers drawn first, made once the canvas's size in cells is known."""
        return []

    def render_line(self, y: int) -> Strip:
        """One line of the figure, built once per rebuild, size and theme."""
        theme = self._get_plotext_theme_name(self.app.theme)
        key = (self.size, theme, self.rebuilds)
        if self._strips is None or self._strips[0] != key:
            self._strips = (key, self._render_strips(theme))
        strips = self._strips[1]
        return strips[y] if 0 <= y < len(strips) else Strip.blank(self.size.width)

    def _render_strips(self, theme: str) -> list[Strip]:
        width, height = self.size
        plot: Any = self.plt  # the figure's build steps are not in textual-plotext's stubs
        plot.plotsize(width, height)
        plot._set_size(width, height)  # as textual-plotext does: plotsize alone may not stick
        plot.theme(theme)
        plot._set_sizes()
        matrix = plot.monitor.matrix
        matrix.set_matrices = MethodType(_fill_matrices, matrix)
        plot._build_matrix()
        cols, rows = matrix.Cols_canvas, matrix.Rows_canvas
        layers = [*self.underlay(len(cols), len(rows)), *self._layers]
        bits, owner = plotting.braille(
            [layer[:3] for layer in layers], *self._limits, len(cols), len(rows)
        )
        for r, c in zip(*np.nonzero(bits), strict=True):
            row, col = rows.start + int(r), cols.start + int(c)
            if matrix.marker[row][col] == " ":
                matrix.marker[row][col] = chr(0x2800 + int(bits[r, c]))
                matrix.fullground[row][col] = layers[owner[r, c]][3]
        return [_strip(matrix, row, width) for row in reversed(range(matrix.rows))]


def _fill_matrices(matrix: Any) -> None:
    """Plotext's `set_matrices`, a row at a time instead of a call per cell: at 200x50 that
    call alone took most of a frame."""
    cols, rows = matrix.cols, matrix.rows
    start = max(0, min(matrix.Cols_canvas.start, cols))
    stop = max(start, min(matrix.Cols_canvas.stop, cols))
    axes, canvas = matrix.axes_color, matrix.canvas_color
    inside = [axes] * start + [canvas] * (stop - start) + [axes] * (cols - stop)
    matrix.marker = [[" "] * cols for _ in range(rows)]
    matrix.fullground = [["default"] * cols for _ in range(rows)]
    matrix.background = [
        list(inside) if row in matrix.Rows_canvas else [axes] * cols for row in range(rows)
    ]
    matrix.style = [["default"] * cols for _ in range(rows)]


def _strip(matrix: Any, row: int, width: int) -> Strip:
    """One row of plotext's matrix as a strip, one segment per run of one style."""
    markers = matrix.marker[row]
    cells = zip(matrix.fullground[row], matrix.background[row], matrix.style[row], strict=True)
    segments, col = [], 0
    for colors, run in groupby(cells):
        end = col + len(list(run))
        segments.append(Segment("".join(markers[col:end]), _style(*colors)))
        col = end
    # Every character plotext places takes one cell.
    strip = Strip(segments, len(markers))
    return strip if len(markers) == width else strip.adjust_cell_length(width)
