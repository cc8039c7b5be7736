"""The one module that reaches into plotext, for the braille plots.

plotext has no public call to build a figure's character matrix without printing it, nor to
turn a colour name into its code. `gdtui.ui.widgets.braille_plot` builds the matrix itself
(textual-plotext's own path took 17-290 ms a frame). Beyond plotext's public API this module
uses, and only here:

- `plotext._utility.correct_coord(string, label, coord)`, to place a label where plotext
  places its own (`add_horizontal_string`, replaced on the matrix);
- `plotext._utility.get_color_code(color)`, to turn a theme's colour names into codes;
- the figure's `_set_size(width, height)`, as textual-plotext calls it: `plotsize` alone
  may not stick;
- the figure's `_set_sizes()` and `_build_matrix()`, the steps of `build()` before the
  matrix is turned into text, and `_no_plots`;
- the figure's monitor (`plot.monitor`, a `plotext._monitor.monitor_class`): its settings,
  read as a whole to tell when two figures share their axes (`BaseMatrices`), and its
  signals (`x`, `y`, `marker`, `color`, `style`, `lines`, `fillx`, `filly`, `label`,
  `xside`, `yside`), `title`, `xlabel`, `text`, `default`, `fast_plot`, and the
  `build_plot()` they feed;
- `plotext._utility.get_matrix_data`, `brush`, `remove_outsiders` and `hd_symbols`, to
  place a figure's scatter points as `build_plot()` places them, and `add_extra_spaces`,
  `max_length` and `replace_none`, to find the canvas and its ticks as `build_plot()`
  finds them and draw a base's axes and ticks as it draws them (the monitor's `grid`,
  `x_date`, `y_date`, `xaxes`, `yaxes`, `ticks_color`, `ticks_style` and its matrix's
  `insert_element`, beside the settings above);
- the monitor's matrix (`plotext._matrix.matrix_class`, reached as `plot.monitor.matrix`):
  its `set_matrices()`, `add_horizontal_string(...)` and `add_vertical_string(...)`,
  replaced on the instance by faster equivalents (`fill_faster`), and the attributes they
  and the widget read and write (`cols`, `rows`, `Cols`, `Rows`, `Cols_canvas`,
  `Rows_canvas`, `marker`, `fullground`, `background`, `style`, `axes_color`,
  `canvas_color`).

plotext is pinned in pyproject.toml to the version this was tested with;
tests/test_adapters.py checks these names and fails loudly if they change.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MethodType
from typing import Any

from plotext._utility import (
    add_extra_spaces,
    brush,
    correct_coord,
    get_color_code,
    get_matrix_data,
    hd_symbols,
    max_length,
    remove_outsiders,
    replace_none,
)

__all__ = [
    "TESTED_VERSIONS",
    "BaseMatrices",
    "add_horizontal_string",
    "add_vertical_string",
    "build_matrix",
    "correct_coord",
    "fill_faster",
    "fill_matrices",
    "get_color_code",
    "plotext_version",
    "set_size",
]

#: The plotext versions (major, minor, patch) this adapter was tested with.
TESTED_VERSIONS = ((5, 3, 2),)


def plotext_version() -> tuple[int, int, int]:
    """The installed plotext's (major, minor, patch)."""
    from importlib.metadata import version  # some 40 ms of imports a first screen needs not

    major, minor, patch, *_ = version("plotext").split(".")
    return int(major), int(minor), int(patch)


def set_size(plot: Any, width: int, height: int) -> None:
    """Size the figure `plot` to `width` x `height` characters, so that it sticks."""
    plot.plotsize(width, height)
    plot._set_size(width, height)  # as textual-plotext does: plotsize alone may not stick


def set_sizes(plot: Any) -> None:
    """Lay out the figure `plot`'s subplots for its size (before its matrix is read)."""
    plot._set_sizes()


def build_matrix(plot: Any, bases: BaseMatrices | None = None) -> None:
    """Draw the figure `plot` into its monitor's character matrix, without printing it.

    Args:
        plot: The figure, sized (`set_size`, `set_sizes`).
        bases: Where to keep its axes drawn without its data, title and x label, to draw
            them only when they change (see `BaseMatrices`); None draws it all.
    """
    if bases is None or not bases.draw(plot):
        plot._build_matrix()


#: The monitor's settings that are its data, title and x label (drawn on a kept base), its
#: own parts (the matrix, and helpers whose `repr` is not their state), or its limits (a
#: base depends on them only through the cells its ticks fall in: `_layout`).
_NOT_BASE = frozenset(
    ("x", "y", "marker", "color", "style", "lines", "fillx", "filly", "label", "signals",
     "past_colors", "xside", "yside", "title", "xlabel", "matrix", "date", "default",
     "xlim", "ylim")
)  # fmt: skip

#: The signal settings put aside while the base is drawn, and what a signal-less one has.
_SIGNALS = ("x", "y", "marker", "color", "style", "lines", "fillx", "filly", "label")


class _Base:
    """A matrix of axes, ticks and labels, and where a figure's data and texts go on it."""

    def __init__(self, monitor: Any, title_row: int) -> None:
        matrix = monitor.matrix
        self.layers = [
            [list(row) for row in layer]
            for layer in (matrix.marker, matrix.fullground, matrix.background, matrix.style)
        ]
        self.cols, self.rows = matrix.cols, matrix.rows
        self.canvas = (matrix.Cols_canvas, matrix.Rows_canvas)
        self.colors = (matrix.axes_color, matrix.canvas_color)
        self.title_row = title_row


class BaseMatrices:
    """Figures' matrices drawn without their data, kept by everything else they show.

    `build_plot()` draws a figure's axes, ticks and labels, then its title and x label,
    then its points, on a fresh matrix; from one step to the next only the points, the
    title and the x label change. This keeps the matrix drawn without them, for each set
    of settings it was drawn for, and puts them on a copy as `build_plot()` would: only
    for figures where that draws the very same cells (scatter points of one-character
    markers; axes, limits and ticks set; no texts, legends or upper x axis; the title and
    label rows left blank by the rest), else `draw()` declines and plotext draws it all.
    """

    def __init__(self, size: int = 4) -> None:
        self.size = size
        """How many bases to keep (the last used)."""
        self.drawn = 0
        """How many matrices were drawn on a base (rather than by plotext)."""
        self._kept: dict[str, _Base | None] = {}

    def draw(self, plot: Any) -> bool:
        """Draw `plot`'s matrix from a kept base, made now if need be.

        Returns:
            Whether it did: False leaves the figure to plotext's own build.
        """
        if not plot._no_plots:
            return False
        monitor = plot.monitor
        if not _simple(monitor):
            return False
        layout = _layout(monitor)
        key = repr(
            (
                sorted((k, v) for k, v in vars(monitor).items() if k not in _NOT_BASE),
                sorted(set(monitor.xside)), sorted(set(monitor.yside)), monitor.title is None,
                monitor.xlabel[0] is None, monitor.xlabel[1], monitor.ylabel, layout,
            )
        )  # fmt: skip
        fresh = key not in self._kept  # then the matrix is the base, drawn just now
        base = _draw_base(monitor, layout) if fresh else self._kept.pop(key)
        self._kept[key] = base  # the last used last
        while len(self._kept) > self.size:
            del self._kept[next(iter(self._kept))]
        if base is None:
            return False
        _draw_on(monitor, base, copy=not fresh)
        self.drawn += 1
        return True


def _simple(monitor: Any) -> bool:
    """Whether `build_plot()` would draw `monitor`'s figure as `BaseMatrices` does."""
    lower, left = monitor.default.xside[0], monitor.default.yside[0]
    used_y = {0 if side == left else 1 for side in monitor.yside}
    return (
        not monitor.fast_plot
        and not monitor.text
        and monitor.xlabel[1] is None
        and all(side == lower for side in monitor.xside)
        and not any(monitor.lines)
        and not any(fill is not False for fill in (*monitor.fillx, *monitor.filly))
        and all(label is None for label in monitor.label)
        and all(
            isinstance(m, str) and len(m) == 1 and m not in hd_symbols
            for markers in monitor.marker
            for m in markers
        )
        and (not monitor.signals or None not in monitor.xlim[0])
        and (not monitor.signals or monitor.xticks[0] is not None)
        and monitor.xscale[0] == monitor.default.xscale[0]
        and monitor.xdirection == monitor.ydirection == [1, 1]
        and monitor.hcoord == monitor.vcoord == [[], []]
        and all(
            None not in monitor.ylim[i]
            and monitor.yticks[i] is not None
            and monitor.yscale[i] == monitor.default.yscale[0]
            for i in used_y
        )
    )


def _layout(monitor: Any) -> tuple[int, int, list[list[int]], list[list[int]]]:
    """The canvas's width and height, and the columns and rows of the x and y ticks on
    it, as `build_plot()` finds them for a `_simple` figure: of the limits, all the axes
    show."""
    default, sides = monitor.default, (0, 1)
    xside = [default.xside[i] in monitor.xside for i in sides]
    yside = [default.yside[i] in monitor.yside for i in sides]
    xticks = [monitor.xticks[i] if xside[i] else None for i in sides]
    yticks = [monitor.yticks[i] if yside[i] else None for i in sides]
    xlabels = [monitor.xlabels[i] if xside[i] else None for i in sides]
    ylabels = [
        None if not yside[i] or monitor.ylabels[i] is None
        else add_extra_spaces(monitor.ylabels[i], default.yside[i])
        for i in sides
    ]  # fmt: skip
    width, height = monitor.size
    width_ylabels = [0 if labels is None else max_length(labels) for labels in ylabels]
    height_xlabels = [0 if labels is None else int(len(labels) > 0) for labels in xlabels]
    width_canvas = width - sum(monitor.yaxes) - sum(width_ylabels)
    top = any(text is not None for text in (monitor.title, monitor.xlabel[1]))
    bottom = any(text is not None for text in (*monitor.ylabel, monitor.xlabel[0]))
    height_canvas = height - sum(monitor.xaxes) - sum(height_xlabels) - top - bottom
    cols = [[] if t is None else get_matrix_data(t, monitor.xlim[i], width_canvas)
            for i, t in enumerate(xticks)]  # fmt: skip
    rows = [[] if t is None else get_matrix_data(t, monitor.ylim[i], height_canvas)
            for i, t in enumerate(yticks)]  # fmt: skip
    return width_canvas, height_canvas, cols, rows


def _draw_base(
    monitor: Any, layout: tuple[int, int, list[list[int]], list[list[int]]]
) -> _Base | None:
    """The matrix `build_plot()` draws for `monitor` without its points, title and x
    label; None when the rows the title and the label take are not left blank, or its
    canvas is not the one `layout` says (a figure `_layout` does not foresee)."""
    kept = {name: getattr(monitor, name) for name in _SIGNALS}
    title, xlabel = monitor.title, monitor.xlabel
    try:
        for name in _SIGNALS:  # each signal stays, with no points: its axes are drawn
            setattr(monitor, name, [[] for _ in kept[name]])
        monitor.lines = [False] * len(kept["lines"])
        monitor.fillx = [False] * len(kept["fillx"])
        monitor.filly = [False] * len(kept["filly"])
        monitor.label = [None] * len(kept["label"])
        # An empty text keeps its row and draws nothing.
        monitor.title = None if title is None else ""
        monitor.xlabel = [None if xlabel[0] is None else "", xlabel[1]]
        if _drawn_fast(monitor):
            _build_axes(monitor)
        else:
            monitor.build_plot()
    finally:
        for name, value in kept.items():
            setattr(monitor, name, value)
        monitor.title, monitor.xlabel = title, xlabel
    matrix = monitor.matrix
    rows = matrix.Rows_canvas
    if (len(matrix.Cols_canvas), len(rows)) != layout[:2]:
        return None
    title_row = rows.stop + monitor.xaxes[1]
    blank = [" "] * matrix.cols, ["default"] * matrix.cols, [matrix.axes_color] * matrix.cols
    for row, used in ((title_row, title is not None), (0, xlabel[0] is not None)):
        if used and row in matrix.Rows:
            cells = matrix.marker[row], matrix.fullground[row], matrix.background[row]
            if cells != blank or matrix.style[row] != blank[1]:
                return None
    return _Base(monitor, title_row)


def _drawn_fast(monitor: Any) -> bool:
    """Whether `_build_axes` draws what `build_plot()` draws for `monitor`'s `_simple`
    figure without its points, title and x label: with no grid, no dates and a label for
    each tick."""
    return (
        not any(monitor.grid)
        and not any(monitor.x_date)
        and not any(monitor.y_date)
        and all(
            (ticks is None) == (labels is None)
            and (ticks is None or len(ticks) == len(labels))
            for ticks, labels in (*zip(monitor.xticks, monitor.xlabels, strict=True),
                                  *zip(monitor.yticks, monitor.ylabels, strict=True))
        )
    )  # fmt: skip


def _build_axes(monitor: Any) -> None:
    """`build_plot()` for a `_drawn_fast` figure whose signals have no points, with an
    empty or no title and lower x label: the same calls on the matrix in the same order,
    without the per-cell Python and the data work that draw nothing here (a new base was
    2 ms that way, most steps of a converging run, as its ticks change).

    It leaves the monitor's ticks, labels and limits as `build_plot()` leaves them."""
    sides = (0, 1)
    default, matrix = monitor.default, monitor.matrix
    width, height = monitor.size
    ticks_colors = monitor.ticks_color, monitor.ticks_style
    xside = [default.xside[i] in monitor.xside for i in sides]
    yside = [default.yside[i] in monitor.yside for i in sides]
    monitor.xticks = [monitor.xticks[i] if xside[i] else None for i in sides]
    monitor.xlabels = [monitor.xlabels[i] if xside[i] else None for i in sides]
    monitor.yticks = [monitor.yticks[i] if yside[i] else None for i in sides]
    monitor.ylabels = [monitor.ylabels[i] if yside[i] else None for i in sides]
    # As build_plot() sets them from no data: x limits as they were, y limits filled in.
    monitor.xlim = [list(monitor.xlim[i]) for i in sides]
    monitor.ylim = [replace_none(monitor.ylim[i], [-1, 1]) for i in sides]
    xticks, yticks = monitor.xticks, monitor.yticks
    xlabels = monitor.xlabels
    ylabels = [
        None if labels is None else add_extra_spaces(labels, default.yside[i])
        for i, labels in enumerate(monitor.ylabels)
    ]
    width_ylabels = [0 if labels is None else max_length(labels) for labels in ylabels]
    height_xlabels = [0 if labels is None else int(len(labels) > 0) for labels in xlabels]
    width_canvas = width - sum(monitor.yaxes) - sum(width_ylabels)
    top = monitor.title is not None or monitor.xlabel[1] is not None
    bottom = any(text is not None for text in (*monitor.ylabel, monitor.xlabel[0]))
    height_canvas = height - sum(monitor.xaxes) - sum(height_xlabels) - top - bottom
    col_start = width_ylabels[0] + monitor.yaxes[0]
    col_end = col_start + width_canvas
    row_start = bottom + height_xlabels[0] + monitor.xaxes[0]
    row_end = row_start + height_canvas
    cticks = [[] if ticks is None else get_matrix_data(ticks, monitor.xlim[i], width_canvas)
              for i, ticks in enumerate(xticks)]  # fmt: skip
    rticks = [[] if ticks is None else get_matrix_data(ticks, monitor.ylim[i], height_canvas)
              for i, ticks in enumerate(yticks)]  # fmt: skip

    matrix.set_size(width, height)
    matrix.set_axes_color(monitor.axes_color)
    matrix.set_canvas_area(col_start, col_end, row_start, row_end)
    matrix.set_canvas_color(monitor.canvas_color)
    matrix.set_matrices()
    # The lower x ticks, each where its label fits (the upper x axis has none).
    row_xticks = min(row_start - monitor.xaxes[0] - 1, height - 1)
    cticks[0] = [
        col
        for col, label in zip(cticks[0], xlabels[0] or (), strict=True)
        if height > 0
        and matrix.add_horizontal_string(
            col_start + col, row_xticks, label, *ticks_colors, alignment="dynamic",
            check_space=True,
        )
    ]  # fmt: skip
    if monitor.xaxes[0] and height_canvas >= -1:  # (sic: the upper axis, if the lower is on)
        matrix.add_horizontal_string(col_start, row_end, ["─"] * width_canvas, monitor.ticks_color)
    if width >= width_ylabels[0]:
        for row, label in zip(rticks[0], ylabels[0] or (), strict=True):
            matrix.add_horizontal_string(0, row + row_start, label, *ticks_colors)
    if monitor.yaxes[0] and width >= sum(width_ylabels) + 1:
        matrix.add_vertical_string(
            width_ylabels[0], row_start, _axis(height_canvas, rticks[0], "┤", "│"),
            monitor.ticks_color,
        )  # fmt: skip
    if monitor.yaxes[1] and width >= sum(width_ylabels) + monitor.yaxes[0] + 1:
        matrix.add_vertical_string(
            col_end, row_start, _axis(height_canvas, rticks[1], "├", "│"), monitor.ticks_color
        )
    if width >= sum(width_ylabels) + 1:
        for row, label in zip(rticks[1], ylabels[1] or (), strict=True):
            matrix.add_horizontal_string(col_end + 1, row + row_start, label, *ticks_colors)
    if height_canvas >= 0 and width_canvas >= 0:
        for on, col, row, corner in (
            (monitor.xaxes[0] and monitor.yaxes[0], col_start - 1, row_start - 1, "└"),
            (monitor.xaxes[0] and monitor.yaxes[1], col_end, row_start - 1, "┘"),
            (monitor.xaxes[1] and monitor.yaxes[0], col_start - 1, row_end, "┌"),
            (monitor.xaxes[1] and monitor.yaxes[1], col_end, row_end, "┐"),
        ):
            if on:
                matrix.insert_element(col, row, corner, monitor.ticks_color)
    if monitor.xaxes[0] and height_canvas >= -1:
        matrix.add_horizontal_string(
            col_start, row_start - 1, _axis(width_canvas, cticks[0], "┬", "─"), monitor.ticks_color
        )
    if monitor.ylabel[0] and height > 0:
        matrix.add_horizontal_string(0, 0, monitor.ylabel[0], *ticks_colors, check_space=True)
    if monitor.ylabel[1] and height > 0:
        matrix.add_horizontal_string(
            width - 1, 0, monitor.ylabel[1], *ticks_colors, check_space=True, alignment="right"
        )


def _axis(length: int, ticks: list[int], tick: str, line: str) -> list[str]:
    """An axis `length` cells long, with `tick` at the `ticks` on it and `line` elsewhere."""
    axis = [line] * max(length, 0)
    for at in ticks:
        if 0 <= at < length:
            axis[at] = tick
    return axis


def _draw_on(monitor: Any, base: _Base, *, copy: bool = True) -> None:
    """`monitor`'s matrix: a copy of `base` with the title, the x label and the points
    put as `build_plot()` puts them (it draws the same calls in the same order).

    Args:
        monitor: The figure's monitor.
        base: Its base.
        copy: Whether to copy `base` into the matrix first (False: it holds it already,
            `base` having just been drawn there).
    """
    matrix = monitor.matrix
    cols, rows = base.canvas
    if copy:
        matrix.set_size(base.cols, base.rows)
        matrix.set_axes_color(base.colors[0])
        matrix.set_canvas_area(cols.start, cols.stop, rows.start, rows.stop)
        matrix.set_canvas_color(base.colors[1])
        matrix.marker, matrix.fullground, matrix.background, matrix.style = (
            [list(row) for row in layer] for layer in base.layers
        )
    ticks = (monitor.ticks_color, monitor.ticks_style)
    centre = cols.start + len(cols) // 2
    height = base.rows
    if monitor.title and height > 0:
        matrix.add_horizontal_string(
            centre, base.title_row, monitor.title, *ticks, alignment="center", check_space=True
        )
    if monitor.xlabel[0] and height > 0:
        matrix.add_horizontal_string(
            centre, 0, monitor.xlabel[0], *ticks, alignment="center", check_space=True
        )
    width_canvas, height_canvas = len(cols), len(rows)
    if not width_canvas:
        return
    left = monitor.default.yside[0]
    for s in range(monitor.signals):
        ylim = monitor.ylim[0] if monitor.yside[s] == left else monitor.ylim[1]
        xs = get_matrix_data(monitor.x[s], monitor.xlim[0], width_canvas)
        ys = get_matrix_data(monitor.y[s], ylim, height_canvas)
        points = brush(xs, ys, monitor.marker[s], monitor.color[s], monitor.style[s])
        points = remove_outsiders(*points[:2], width_canvas, height_canvas, *points[2:])
        for x, y, marker, color, style in zip(*brush(*points), strict=True):
            col, row = x + cols.start, y + rows.start
            if matrix.legal(col, row):
                matrix.marker[row][col] = marker
                if color is not None:
                    matrix.fullground[row][col] = color
                if style is not None:
                    matrix.style[row][col] = style


def fill_faster(matrix: Any) -> None:
    """Replace, on plotext's `matrix` only, the three methods that fill it with equivalents
    that work a row or a slice at a time (they drew most of a frame's time)."""
    matrix.set_matrices = MethodType(fill_matrices, matrix)
    matrix.add_horizontal_string = MethodType(add_horizontal_string, matrix)
    matrix.add_vertical_string = MethodType(add_vertical_string, matrix)


def fill_matrices(matrix: Any) -> None:
    """Plotext's `set_matrices`, a row at a time instead of a call per cell: at 200x50 that
    call alone took most of a frame."""
    cols, rows = matrix.cols, matrix.rows
    start = max(0, min(matrix.Cols_canvas.start, cols))
    stop = max(start, min(matrix.Cols_canvas.stop, cols))
    axes, canvas = matrix.axes_color, matrix.canvas_color
    if canvas == axes:  # one object (the themes' axes and canvas share a colour): a row of
        canvas = axes  # one colour is then told by identity, not a tuple compared a cell
    inside = [axes] * start + [canvas] * (stop - start) + [axes] * (cols - stop)
    matrix.marker = [[" "] * cols for _ in range(rows)]
    matrix.fullground = [["default"] * cols for _ in range(rows)]
    matrix.background = [
        list(inside) if row in matrix.Rows_canvas else [axes] * cols for row in range(rows)
    ]
    matrix.style = [["default"] * cols for _ in range(rows)]


def add_horizontal_string(
    matrix: Any,
    col: int,
    row: int,
    string: Sequence[str],
    fullground: Any = None,
    style: Any = None,
    background: Any = None,
    alignment: str = "left",
    check_space: bool = False,
    check_canvas: bool = False,
) -> bool:
    """Plotext's `add_horizontal_string` (labels, ticks, the axes), a slice at a time
    instead of a call per character: a third of plotext's time in a figure."""
    length = len(string)
    if alignment == "center":
        col -= length // 2
    elif alignment == "right":
        col -= length - 1
    elif alignment != "left":
        col = correct_coord(matrix.marker[row], string, col)
    if check_space:
        room = matrix.marker[row][max(col - 1, 0) : min(col + length + 1, matrix.cols)]
        if not (all(cell == " " for cell in room) and col >= 0 and col + length <= matrix.cols):
            return False
    cols, rows = (
        (matrix.Cols_canvas, matrix.Rows_canvas) if check_canvas else (matrix.Cols, matrix.Rows)
    )
    start = max(col, cols.start, 0)
    stop = min(col + length, cols.stop, matrix.cols)
    if row in rows and row in matrix.Rows and start < stop:
        matrix.marker[row][start:stop] = string[start - col : stop - col]
        for layer, value in ((matrix.fullground, fullground), (matrix.background, background),
                             (matrix.style, style)):  # fmt: skip
            if value is not None:
                layer[row][start:stop] = [value] * (stop - start)
    return True


def add_vertical_string(
    matrix: Any,
    col: int,
    row: int,
    string: Sequence[str],
    fullground: Any = None,
    style: Any = None,
    background: Any = None,
    alignment: str = "bottom",
    check_canvas: bool = False,
) -> None:
    """Plotext's `add_vertical_string` (the y axes), without a call per character."""
    if alignment == "center":
        row -= len(string) // 2
    elif alignment != "bottom":
        row -= len(string) - 1
    cols, rows = (
        (matrix.Cols_canvas, matrix.Rows_canvas) if check_canvas else (matrix.Cols, matrix.Rows)
    )
    if col not in cols or col not in matrix.Cols:
        return
    for r, marker in enumerate(string, start=row):
        if r in rows and r in matrix.Rows:
            matrix.marker[r][col] = marker
            if fullground is not None:
                matrix.fullground[r][col] = fullground
            if background is not None:
                matrix.background[r][col] = background
            if style is not None:
                matrix.style[r][col] = style
