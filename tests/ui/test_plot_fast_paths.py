"""The braille plots' fast paths draw exactly what the slow ones would: each figure is
drawn both ways, step after step, and compared cell by cell (text and style)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plotext._dict import themes
from plotext._figure import _figure_class
from rich.segment import Segment
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from gdtui.engine.session import Session
from gdtui.lesson.actions import Load
from gdtui.lesson.ghost import keep
from gdtui.ui import plotting
from gdtui.ui.adapters import plotext as plotext_adapter
from gdtui.ui.widgets.braille_plot import BraillePlot
from gdtui.ui.widgets.cost_curve import CostCurvePlot
from gdtui.ui.widgets.cost_history import CostHistoryPlot
from gdtui.ui.widgets.cost_surface import CostSurfacePlot
from tests.ui.test_plot_widgets import PlotApp, curve, logistic, show

THEMES = ["textual-dark", "textual-light", "nord"]


def cells(plot: BraillePlot, *, bases: bool) -> list[list[Segment]]:
    """The plot's lines drawn now, each cell a segment, with or without kept bases."""
    kept = plot._bases
    if not bases:
        plot._bases = None
    try:
        strips = plot._render_strips(plot._theme(), plot.size)
    finally:
        plot._bases = kept
    return [[cell for segment in strip for cell in _split(segment)] for strip in strips]


def _split(segment: Segment) -> list[Segment]:
    return [Segment(char, segment.style) for char in segment.text]


def sessions() -> list[tuple[str, Session]]:
    return [
        ("curve", curve(alpha=0.4)),
        ("curve with b", curve("w**2 + 10*b**2", alpha=0.05)),
        ("logistic", logistic(2)),
    ]


@pytest.mark.parametrize("size", [(80, 24), (200, 50), (60, 20), (30, 8)])
@pytest.mark.parametrize("make", [CostCurvePlot, CostHistoryPlot])
@pytest.mark.parametrize("ghost", [False, True], ids=["alone", "ghost"])
async def test_a_kept_base_draws_what_plotext_draws(
    make: type[BraillePlot], size: tuple[int, int], ghost: bool
) -> None:
    plot = make()
    async with PlotApp(plot).run_test(size=size) as pilot:
        for theme in THEMES:
            pilot.app.theme = theme
            for _, session in sessions():
                kept = keep(session, Load("bowl-from-right")) if ghost else None
                if kept is not None:
                    session.back(session.current.step)
                for _ in range(6):
                    if isinstance(plot, CostHistoryPlot):
                        plot.show(session, kept)
                    else:
                        plot.show(session, ghost=kept)
                    await pilot.pause()
                    assert cells(plot, bases=True) == cells(plot, bases=False)
                    session.step()
        assert plot._bases is not None and plot._bases.drawn > 0


async def test_a_figure_a_base_cannot_draw_is_left_to_plotext() -> None:
    plot = CostSurfacePlot()  # its path is a plotext line: drawn by plotext
    async with PlotApp(plot).run_test(size=(80, 24)) as pilot:
        session = curve("w**2 + 10*b**2", alpha=0.05)
        session.step(5)
        show(plot, session)
        await pilot.pause()
        assert plot._bases is not None
        drawn = plot._bases.drawn
        assert cells(plot, bases=True) == cells(plot, bases=False)
        assert plot._bases.drawn == drawn


def textuals(plot: BraillePlot, crop: Region) -> list[Strip]:
    """The lines as Textual's own path draws them, with its work for every line."""
    return Widget.render_lines(plot, crop)


def segments(strips: list[Strip]) -> list[list[Segment]]:
    return [[cell for segment in strip for cell in _split(segment)] for strip in strips]


@pytest.fixture
def no_color(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """NO_COLOR set (True) or not (False) for the app the test starts."""
    if request.param:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    return bool(request.param)


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"], indirect=True)
@pytest.mark.parametrize("ansi", [False, True], ids=["truecolor", "ansi"])
@pytest.mark.parametrize("make", [CostCurvePlot, CostHistoryPlot, CostSurfacePlot])
async def test_plot_lines_are_what_textual_would_draw(
    make: type[BraillePlot], ansi: bool, no_color: bool
) -> None:
    plot = make()
    async with PlotApp(plot).run_test(size=(90, 26)) as pilot:
        pilot.app.ansi_color = ansi
        session = curve("w**2 + 10*b**2", alpha=0.05)
        crops = [Region(0, 0, 90, 26), Region(0, 3, 90, 5), Region(7, 0, 40, 26),
                 Region(50, 20, 40, 6)]  # fmt: skip
        for theme in [*THEMES, "ansi-dark", "ansi-light"]:
            pilot.app.theme = theme
            for _ in range(3):
                show(plot, session)
                await pilot.pause()
                assert plot._frame() == 0
                for crop in crops:
                    ours = plot.render_lines(crop)
                    assert [line.cell_length for line in ours] == [crop.width] * crop.height
                    assert segments(ours) == segments(textuals(plot, crop)), (theme, crop)
                session.step()


@pytest.mark.parametrize("make", [CostCurvePlot, CostHistoryPlot])
async def test_a_crop_beyond_the_plot_is_drawn_as_textual_draws_it(
    make: type[BraillePlot],
) -> None:
    """The compositor can ask for more rows than the plot has while a resize is pending
    (seen once in CI as an IndexError on a 60x20 screen)."""
    plot = make()
    async with PlotApp(plot).run_test(size=(60, 20)) as pilot:
        show(plot, curve())
        await pilot.pause()
        for crop in [Region(0, 0, 60, 21), Region(0, 18, 60, 4), Region(50, 0, 12, 20)]:
            ours = plot.render_lines(crop)
            assert segments(ours) == segments(textuals(plot, crop)), crop


@pytest.mark.parametrize(
    ("border", "padding", "frame"),
    [(("round", "red"), 0, 1), (("heavy", "blue"), 0, 1), (("round", "red"), 1, None),
     (None, 1, None)],
    ids=["round", "heavy", "border and padding", "padding"],
)  # fmt: skip
@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"], indirect=True)
async def test_a_framed_plot_is_drawn_as_textual_draws_it(
    border: tuple[str, str] | None,
    padding: int,
    frame: int | None,
    no_color: bool,
) -> None:
    plot = CostHistoryPlot()
    if border is not None:
        plot.styles.border = border
        plot.border_title = "cost history"
    plot.styles.padding = padding
    async with PlotApp(plot).run_test(size=(60, 20)) as pilot:
        session = curve()
        for theme in THEMES:
            pilot.app.theme = theme
            show(plot, session)
            await pilot.pause()
            assert plot._frame() == frame
            for crop in [Region(0, 0, 60, 20), Region(0, 5, 60, 3), Region(0, 19, 60, 1),
                         Region(3, 0, 20, 20)]:  # fmt: skip
                ours = plot.render_lines(crop)
                assert segments(ours) == segments(textuals(plot, crop)), (theme, crop)
            if border is not None:
                assert plot.render_lines(Region(0, 0, 60, 20))[0].text.startswith(
                    "╭" if border[0] == "round" else "┏"
                )
            session.step()


#: What a bordered plot changes to, one after another in one app: its border's sides are
#: read from Textual once per size and style, and must be read again after each.
RESTYLES: list[tuple[str, Any]] = [
    ("theme", "textual-light"),
    ("border", ("heavy", "blue")),
    ("ansi", True),
    ("theme", "nord"),
    ("border", ("round", "red")),
    ("ansi", False),
    ("border", ("round", "green")),
    ("theme", "textual-dark"),
    ("border", None),
    ("border", ("ascii", "yellow")),
    ("size", (70, 22)),
    ("border", ("round", "red")),
]


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"], indirect=True)
@pytest.mark.parametrize("make", [CostCurvePlot, CostHistoryPlot])
async def test_a_plot_restyled_is_framed_as_textual_frames_it(
    make: type[BraillePlot], no_color: bool
) -> None:
    plot = make()
    plot.styles.border = ("round", "red")
    async with PlotApp(plot).run_test(size=(60, 20)) as pilot:
        session = curve()
        for what, value in [("theme", "textual-dark"), *RESTYLES]:
            if what == "theme":
                pilot.app.theme = value
            elif what == "border":
                plot.styles.border = value
            elif what == "ansi":
                pilot.app.ansi_color = value
            else:
                await pilot.resize_terminal(*value)
            show(plot, session)
            await pilot.pause()
            width, height = plot.region.size
            assert plot._frame() == (0 if value is None and what == "border" else 1)
            for crop in [Region(0, 0, width, height), Region(0, 5, width, 3),
                         Region(3, 2, 20, height - 2)]:  # fmt: skip
                ours = plot.render_lines(crop)
                assert segments(ours) == segments(textuals(plot, crop)), (what, value, crop)
            session.step()


# -- a base with new ticks, drawn without plotext's build_plot() -----------------------------

labels = st.text(alphabet="0123456789.-e+ x", max_size=7)
limits = st.tuples(
    st.floats(-100, 100, allow_nan=False), st.floats(0.01, 200, allow_nan=False)
).map(lambda lo_span: (lo_span[0], lo_span[0] + lo_span[1]))


@st.composite
def ticked(draw: st.DrawFn, lim: tuple[float, float]) -> tuple[list[float], list[str]]:
    """Tick values in and a little past `lim`, and a label for each."""
    lo, hi = lim
    span = hi - lo
    values = draw(st.lists(st.floats(lo - span / 4, hi + span / 4), max_size=9))
    return values, [draw(labels) for _ in values]


@st.composite
def figures(draw: st.DrawFn) -> dict[str, Any]:
    """The settings of a figure like the debugger's plots: limits, ticks and labels set,
    scatter points on the left or both y axes, and what else may come with them."""
    xlim, ylim, ylim_right = draw(limits), draw(limits), draw(limits)
    right = draw(st.booleans())
    return {
        "size": (draw(st.integers(1, 120)), draw(st.integers(1, 40))),
        "theme": draw(st.sampled_from(sorted(themes))),
        "xlim": xlim,
        "ylim": ylim,
        "ylim_right": ylim_right if right else None,
        "xticks": draw(ticked(xlim)),
        "yticks": draw(ticked(ylim)),
        "yticks_right": draw(ticked(ylim_right)) if right else None,
        "points": draw(
            st.lists(st.tuples(st.floats(-300, 300), st.floats(-300, 300)), min_size=1, max_size=6)
        ),  # fmt: skip
        "marker": draw(st.sampled_from(["x", "●", " ", "·"])),
        "title": draw(st.sampled_from([None, "", "J(w) at w = 0.5", "a title far too long " * 6])),
        "xlabel": draw(st.sampled_from([None, "", "w", "the legend " * 12])),
        "ylabel": draw(st.sampled_from([None, "J"])),
        "ylabel_right": draw(st.sampled_from([None, "log J"])),
        "xaxes": (draw(st.booleans()), draw(st.booleans())),
        "yaxes": (draw(st.booleans()), draw(st.booleans())),
        "grid": (draw(st.booleans()), draw(st.booleans())) if draw(st.booleans()) else None,
    }


def plotted(spec: dict[str, Any]) -> Any:
    """A plotext figure with `spec`, sized and themed, not yet drawn."""
    plot = _figure_class()
    xs, ys = zip(*spec["points"], strict=True)
    plot.scatter(list(xs), list(ys), marker=spec["marker"])
    plot.xlim(*spec["xlim"])
    plot.ylim(*spec["ylim"])
    plot.xticks(*spec["xticks"])
    plot.yticks(*spec["yticks"])
    if spec["ylim_right"] is not None:
        plot.scatter(list(xs), list(ys), marker=spec["marker"], yside="right")
        plot.ylim(*spec["ylim_right"], yside="right")
        plot.yticks(*spec["yticks_right"], yside="right")
    if spec["title"] is not None:
        plot.title(spec["title"])
    if spec["xlabel"] is not None:
        plot.xlabel(spec["xlabel"])
    if spec["ylabel"] is not None:
        plot.ylabel(spec["ylabel"])
    if spec["ylabel_right"] is not None:
        plot.ylabel(spec["ylabel_right"], yside="right")
    plotext_adapter.set_size(plot, *spec["size"])
    plot.theme(spec["theme"])
    plot.xaxes(*spec["xaxes"])
    plot.yaxes(*spec["yaxes"])
    if spec["grid"] is not None:
        plot.grid(*spec["grid"])
    plotext_adapter.set_sizes(plot)
    return plot


def layers(plot: Any) -> list[list[list[Any]]]:
    matrix = plot.monitor.matrix
    return [matrix.marker, matrix.fullground, matrix.background, matrix.style]


@settings(max_examples=300, deadline=None)
@given(figures(), figures())
def test_a_base_drawn_for_new_ticks_is_what_plotext_draws(
    spec: dict[str, Any], before: dict[str, Any]
) -> None:
    theirs = plotted(spec)
    theirs._build_matrix()  # plotext's own build, with its own matrix methods
    bases = plotext_adapter.BaseMatrices()
    # A base kept for other settings first, then one drawn for these, then kept for them.
    for kept in (before, spec, spec):
        ours = plotted(kept)
        plotext_adapter.fill_faster(ours.monitor.matrix)
        built: list[None] = []
        build_plot = ours.monitor.build_plot
        ours.monitor.build_plot = lambda built=built, build_plot=build_plot: (
            built.append(None),
            build_plot(),
        )
        drawn = bases.drawn
        plotext_adapter.build_matrix(ours, bases)
        if kept is spec:
            assert layers(ours) == layers(theirs)
            if bases.drawn > drawn and not any(spec["grid"] or ()):
                assert built == []  # the base was drawn without plotext


# -- braille dots, every layer in one pass -----------------------------------------------------


def braille_layer_by_layer(
    layers: list[tuple[Any, Any, Any]],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    cols: int,
    rows: int,
) -> tuple[np.ndarray, np.ndarray]:
    """`plotting.braille` as it was drawn before, a pass of numpy calls for each layer."""
    bits = np.zeros((rows, cols), dtype=np.uint8)
    owner = np.full((rows, cols), -1, dtype=np.intp)
    if cols < 1 or rows < 1:
        return bits, owner
    width, height = 2 * cols, 4 * rows

    def scale(values: Any, edges: tuple[float, float], dots: int) -> Any:
        with np.errstate(all="ignore"):
            scaled = (dots - 1) * (np.asarray(values, np.float64) - edges[0])
            return scaled / (edges[1] - edges[0])

    for index, (xs, ys, joined) in enumerate(layers):
        fx = np.clip(scale(xs, x_range, width), -width, 2 * width)
        fy = np.clip(scale(ys, y_range, height), -height, 2 * height)
        finite = np.isfinite(fx) & np.isfinite(fy)
        if joined and len(fx) > 1:
            ok = finite[:-1] & finite[1:]
            x0, y0 = fx[:-1][ok], fy[:-1][ok]
            dx, dy = fx[1:][ok] - x0, fy[1:][ok] - y0
            n = np.ceil(np.maximum(np.abs(dx), np.abs(dy))).astype(np.intp) + 1
            segment = np.repeat(np.arange(len(n)), n)
            t = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
            t = t / np.maximum(n[segment] - 1, 1)
            px, py = x0[segment] + t * dx[segment], y0[segment] + t * dy[segment]
            if joined == plotting.DASHED:
                on = np.arange(len(px)) % 6 < 2
                px, py = px[on], py[on]
        else:
            px, py = fx[finite], fy[finite]
        ix, iy = np.floor(px + 0.5).astype(np.intp), np.floor(py + 0.5).astype(np.intp)
        inside = (ix >= 0) & (ix < width) & (iy >= 0) & (iy < height)
        ix, iy = ix[inside], iy[inside]
        cells = (iy // 4, ix // 2)
        np.bitwise_or.at(bits, cells, plotting._DOTS[3 - iy % 4, ix % 2])
        owner[cells] = index
    return bits, owner


coordinates = st.one_of(
    st.floats(-0.5, 1.5),
    st.sampled_from([np.nan, np.inf, -np.inf, 1e300, -1e300, 0.0, 1.0]),
)


@st.composite
def braille_layers(draw: st.DrawFn) -> list[tuple[np.ndarray, np.ndarray, Any]]:
    """Layers as the plots draw them: lines, dashed lines and dots, some of one point or
    none, with points off the canvas and not finite."""
    out = []
    for _ in range(draw(st.integers(0, 6))):
        size = draw(st.integers(0, 30))
        xs = draw(st.lists(coordinates, min_size=size, max_size=size))
        ys = draw(st.lists(coordinates, min_size=size, max_size=size))
        joined = draw(st.sampled_from([True, False, plotting.DASHED]))
        out.append((np.array(xs, np.float64), np.array(ys, np.float64), joined))
    return out


@settings(max_examples=300, deadline=None)
@given(
    braille_layers(),
    st.sampled_from([(0.0, 1.0), (-0.25, 1.25), (0.5, 0.5), (0.3, 0.9)]),
    st.sampled_from([(0.0, 1.0), (1.0, 0.0), (0.2, 0.7)]),
    st.integers(0, 40),
    st.integers(0, 12),
)
def test_braille_in_one_pass_draws_what_a_pass_a_layer_drew(
    layers: list[tuple[np.ndarray, np.ndarray, Any]],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    cols: int,
    rows: int,
) -> None:
    bits, owner = plotting.braille(layers, x_range, y_range, cols, rows)
    old_bits, old_owner = braille_layer_by_layer(layers, x_range, y_range, cols, rows)
    assert bits.dtype == old_bits.dtype and owner.dtype == old_owner.dtype
    assert bits.tolist() == old_bits.tolist()
    assert owner.tolist() == old_owner.tolist()


def test_braille_of_the_plots_figures_is_what_a_pass_a_layer_drew() -> None:
    """The layers of a real cost curve (a long line, a dashed tangent, an arrow) and a
    history's, at the sizes of a 200x50 screen."""
    xs = np.linspace(-1.0, 3.0, 151)
    curve_layers = [
        (xs, (xs - 1.0) ** 2 + 0.1 * np.sin(9 * xs), True),
        (xs, (xs - 1.2) ** 2, False),
        (np.array([0.2, 0.8]), np.array([1.0, 0.5]), plotting.DASHED),
        (np.array([0.5, 0.9]), np.array([0.3, 0.3]), True),
    ]
    steps = np.arange(40.0)
    history = [(steps, np.log10(1 + np.exp(-steps / 5)), True)]
    for layers, x_range, y_range, cols, rows in [
        (curve_layers, (-1.0, 3.0), (-0.2, 4.2), 134, 27),
        (history, (0.0, 60.0), (0.0, 0.4), 40, 22),
    ]:
        bits, owner = plotting.braille(layers, x_range, y_range, cols, rows)
        old_bits, old_owner = braille_layer_by_layer(layers, x_range, y_range, cols, rows)
        assert bits.any()
        assert bits.tolist() == old_bits.tolist() and owner.tolist() == old_owner.tolist()


def test_a_background_of_one_colour_is_one_object() -> None:
    """Textual's themes give the axes and the canvas one colour, as two equal tuples: the
    matrix holds one of them, so a strip tells a row of one background by identity."""
    matrix = _figure_class().monitor.matrix
    matrix.set_size(30, 8)
    matrix.set_axes_color(tuple([30, 30, 30]))
    matrix.set_canvas_area(4, 26, 2, 6)
    matrix.set_canvas_color(tuple([30, 30, 30]))
    assert matrix.axes_color is not matrix.canvas_color
    plotext_adapter.fill_matrices(matrix)
    assert [row.count((30, 30, 30)) for row in matrix.background] == [30] * 8
    assert all(cell is row[0] for row in matrix.background for cell in row)
