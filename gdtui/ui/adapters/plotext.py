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
  matrix is turned into text;
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

from plotext._utility import correct_coord, get_color_code

__all__ = [
    "TESTED_VERSIONS",
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


def build_matrix(plot: Any) -> None:
    """Draw the figure `plot` into its monitor's character matrix, without printing it."""
    plot._build_matrix()


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
