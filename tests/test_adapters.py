"""The adapters that reach past plotext's, Textual's and asyncssh's public APIs: if a test
here fails, the library changed what its adapter relies on. Check the adapter against the
new version before widening its pin in pyproject.toml."""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from asyncssh.channel import SSHChannel, map_handler_name
from plotext._figure import _figure_class
from plotext._matrix import matrix_class
from plotext._monitor import monitor_class
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Label, Static

from gdtui.serve import asyncssh_adapter
from gdtui.ui.adapters import plotext as plotext_adapter
from gdtui.ui.adapters import textual as textual_adapter

ROOT = Path(__file__).parent.parent


def pins(name: str) -> list[str]:
    """The project's requirements on the package `name`."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return [
        d for d in pyproject["project"]["dependencies"]
        if d.split("=")[0].split(">")[0].split("<")[0] == name
    ]  # fmt: skip


def parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


# -- plotext ---------------------------------------------------------------------------------


def test_plotext_is_the_version_tested() -> None:
    assert plotext_adapter.plotext_version() in plotext_adapter.TESTED_VERSIONS
    assert pins("plotext") == ["plotext==5.3.2"]


def test_plotext_names_the_adapter_uses_are_there() -> None:
    assert parameters(plotext_adapter.correct_coord) == ["string", "label", "coord"]
    assert parameters(plotext_adapter.get_color_code) == ["color"]
    assert parameters(_figure_class._set_size) == ["self", "width", "height"]
    assert parameters(_figure_class._set_sizes) == ["self"]
    assert parameters(_figure_class._build_matrix) == ["self"]
    # A kept base: the monitor's build, and the helpers it places points with.
    assert parameters(monitor_class.build_plot) == ["self"]
    assert parameters(plotext_adapter.get_matrix_data) == ["data", "lim", "bins"]
    assert parameters(plotext_adapter.brush) == ["lists"]
    assert parameters(plotext_adapter.remove_outsiders) == ["x", "y", "width", "height", "other"]
    assert "braille" in plotext_adapter.hd_symbols
    # A new base drawn as build_plot() draws it: the settings it reads, and its calls.
    assert parameters(plotext_adapter.replace_none) == ["data", "num_data"]
    assert parameters(matrix_class.insert_element)[:5] == ["self", "col", "row", "marker",
                                                           "fullground"]  # fmt: skip
    monitor = monitor_class()
    for name in ("grid", "x_date", "y_date", "xaxes", "yaxes", "ticks_color", "ticks_style"):
        assert hasattr(monitor, name), name
    # The replacements take what plotext's methods take, in the same order.
    for name in ("set_matrices", "add_horizontal_string", "add_vertical_string"):
        ours = parameters(getattr(plotext_adapter, name.replace("set_", "fill_")))
        assert ours[1:] == parameters(getattr(matrix_class, name))[1:], name


def test_plotext_colour_codes_and_label_places() -> None:
    # plotext's 16 colours are codes 0-15 in the terminal's order (red is 1).
    assert plotext_adapter.get_color_code("red") == 1
    assert plotext_adapter.get_color_code("blue") == 4
    # A label in four free cells starting at 1, placed by plotext's own rule.
    assert plotext_adapter.correct_coord(list("    "), "ab", 1) in range(0, 3)


def figure(width: int, height: int, faster: bool) -> Any:
    """A small figure drawn into its matrix, by plotext's methods or the adapter's."""
    plot = _figure_class()
    plot.plot([0.0, 1.0, 2.0, 3.0], [3.0, 1.0, 0.5, 2.0], marker="dot")
    plot.title("J(w,b)")
    plot.xlabel("w")
    plot.ylabel("cost")
    plotext_adapter.set_size(plot, width, height)
    plot.theme("pro")
    plotext_adapter.set_sizes(plot)
    if faster:
        plotext_adapter.fill_faster(plot.monitor.matrix)
    plotext_adapter.build_matrix(plot)
    return plot.monitor.matrix


@pytest.mark.parametrize("size", [(40, 12), (80, 24), (23, 9)])
def test_the_faster_matrix_fill_draws_what_plotext_draws(size: tuple[int, int]) -> None:
    width, height = size
    theirs, ours = figure(width, height, False), figure(width, height, True)
    assert (theirs.cols, theirs.rows) == (width, height)  # the size stuck
    assert "".join(map("".join, theirs.marker)).strip()  # something was drawn
    for layer in ("marker", "fullground", "background", "style"):
        assert getattr(ours, layer) == getattr(theirs, layer), layer
    for name in ("Cols_canvas", "Rows_canvas", "axes_color", "canvas_color"):
        assert hasattr(ours, name), name


# -- Textual ---------------------------------------------------------------------------------


def test_textual_is_the_major_version_tested() -> None:
    major, _ = textual_adapter.textual_version()
    assert major == textual_adapter.TESTED_MAJOR
    assert pins("textual") == [f"textual>=8.2,<{textual_adapter.TESTED_MAJOR + 1}"]


def test_textual_names_the_adapter_uses_are_there() -> None:
    footer_key, footer_label = textual_adapter.footer_widgets()
    assert issubclass(footer_key, Widget)
    assert issubclass(footer_label, Label)
    assert "action" in parameters(footer_key.__init__)
    assert parameters(Screen._get_breakpoint_classes) == ["self", "dimension", "breakpoints"]
    # Placing a screen's children as they stand: the arrangements it keeps, and how.
    assert parameters(Widget._clear_arrangement_cache) == ["self"]
    assert "self._arrangement_cache.get(cache_key)" in inspect.getsource(Screen.arrange)
    # Sending the changed cells: where an update becomes bytes, and what an update holds.
    assert parameters(App._display) == ["self", "screen", "renderable"]
    assert "render_segments" in inspect.getsource(App._display)
    chops = parameters(textual_adapter.ChopsUpdate.__init__)
    assert chops == ["self", "chops", "spans", "chop_ends"]
    assert parameters(textual_adapter.LayoutUpdate.__init__) == ["self", "strips", "region"]
    assert "screen_region in self._dirty_regions" in inspect.getsource(
        textual_adapter.Compositor.render_update
    )  # a whole screen refreshed is a full update: what the terminal shows is known again
    # Rendering the rows that changed: the partial update it replaces, and what it reads.
    compositor = textual_adapter.Compositor
    assert parameters(compositor.render_partial_update) == ["self"]
    partial = inspect.getsource(compositor.render_partial_update)
    for name in ("self._dirty_regions", "self._regions_to_spans(", "self.cuts", "ChopsUpdate("):
        assert name in partial, name
    assert "visible_widgets.items()" in inspect.getsource(compositor._get_renders)
    assert "self._compositor = Compositor()" in inspect.getsource(Screen.__init__)
    # The SVG export: Textual's, with the app's colour system for its truecolor.
    assert parameters(App.export_screenshot) == ["self", "title", "simplify"]
    export = inspect.getsource(App.export_screenshot)
    assert 'color_system="truecolor"' in export
    assert "screen_stack=self.app._background_screens" in export
    assert "screen_stack=self.app._background_screens, simplify=simplify" in export
    assert "screen_stack" in parameters(textual_adapter.Compositor.render_update)


class Hello(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("hello, w and b")
        yield Footer()


async def test_textual_driver_compositor_and_footer_through_the_adapter() -> None:
    app = Hello()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        driver = textual_adapter.app_driver(app)
        assert driver is not None
        assert callable(driver.suspend_application_mode)
        assert callable(driver.resume_application_mode)
        frame = textual_adapter.frame_lines(app.screen)
        assert len(frame) == 6 and frame[0].startswith("hello, w and b")
        lines = textual_adapter.screen_lines(app.screen)
        assert len(lines) == 6 and lines[0].startswith("hello, w and b")
        strips = textual_adapter.frame_strips(app.screen)
        assert [strip.text for strip in strips] == frame


async def test_placements_now_follow_text_changed_since_the_last_layout() -> None:
    app = Hello()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        static = app.screen.query_one(Static)

        def height(result: Any) -> int:
            return next(p.region.height for p in result.placements if p.widget is static)

        assert height(textual_adapter.placements_now(app.screen)) == 1
        static.update("w\nb\nJ(w,b)")  # laid out again only once the app is idle
        assert height(app.screen.arrange(app.screen.size)) == 1  # what Textual kept
        assert height(textual_adapter.placements_now(app.screen)) == 3
        await pilot.pause()
        assert static.region.height == 3


class Sized(Screen[None]):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (50, "-wide")]


class Breakpoints(App[None]):
    VERTICAL_BREAKPOINTS = [(0, "-short"), (10, "-tall")]  # the app's, for a screen without

    def get_default_screen(self) -> Screen[None]:
        return Sized()


@pytest.mark.parametrize("size", [(40, 6), (50, 10), (90, 30)])
async def test_breakpoint_classes_are_those_textual_gives(size: tuple[int, int]) -> None:
    app = Breakpoints()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        classes = textual_adapter.breakpoint_classes(app.screen, app.size)
        assert sorted(classes) == ["-narrow", "-short", "-tall", "-wide"]
        assert {name for name, on in classes.items() if on} == set(app.screen.classes)


# -- asyncssh --------------------------------------------------------------------------------


def test_asyncssh_is_the_major_version_tested() -> None:
    major, _ = asyncssh_adapter.asyncssh_version()
    assert major == asyncssh_adapter.TESTED_MAJOR
    assert pins("asyncssh") == [f"asyncssh>=2.14,<{asyncssh_adapter.TESTED_MAJOR + 1}"]


def test_asyncssh_names_the_adapter_uses_are_there() -> None:
    for name in asyncssh_adapter.PATCHED:
        handler = getattr(asyncssh.SSHServerChannel, name)  # AttributeError: gone
        assert parameters(handler) == ["self", "packet"], name
    # asyncssh finds a request's handler by name on the channel, so one set on the
    # instance is the one called: these are the names of the requests we handle.
    assert "getattr(self, name" in inspect.getsource(SSHChannel._service_next_request)
    handled = [
        f"_process_{map_handler_name(request)}_request"
        for request in ("env", "auth-agent-req@openssh.com", "x11-req")
    ]
    assert handled == list(asyncssh_adapter.PATCHED)


def test_asyncssh_hook_and_unhook_a_channel() -> None:
    chan = object.__new__(asyncssh.SSHServerChannel)
    told: list[str] = []

    def on_env(packet: Any) -> bool:
        return True

    def refuse(what: str) -> Any:
        told.append(what)
        return lambda packet: False

    asyncssh_adapter.hook_channel(chan, on_env, refuse)
    assert vars(chan)[asyncssh_adapter.ENV_REQUEST] is on_env
    assert told == ["agent forwarding (-A)", "X11 forwarding (-X)"]
    for name, _ in asyncssh_adapter.REFUSED:
        assert vars(chan)[name](None) is False
    asyncssh_adapter.unhook_channel(chan)
    assert not set(asyncssh_adapter.PATCHED) & set(vars(chan))
    asyncssh_adapter.unhook_channel(chan)  # twice is harmless
