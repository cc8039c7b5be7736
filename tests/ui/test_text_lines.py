"""Panels repaint the lines that changed, each rendered on its own (`TextLines`): what they
draw is what Textual draws for their whole text, and the screen after a step is the screen
a whole repaint draws."""

from __future__ import annotations

from typing import Any

import pytest
import textual.content as textual_content
from rich.segment import ControlType, Segment
from rich.style import Style as RichStyle
from rich.terminal_theme import MONOKAI
from textual._styles_cache import StylesCache
from textual.app import App, ComposeResult
from textual.color import Color
from textual.content import Content
from textual.filter import ANSIToTruecolor
from textual.geometry import Region
from textual.pilot import Pilot
from textual.strip import Strip
from textual.style import Style as TextStyle
from textual.visual import Visual, visualize
from textual.widget import Widget

from gdtui.ui.adapters.textual import frame_strips
from gdtui.ui.app import GdtuiApp
from gdtui.ui.widgets.braille_plot import BraillePlot
from gdtui.ui.widgets.text_lines import (
    Frame,
    FrameReader,
    TextLines,
    assembled,
    filtered,
    is_plain,
    placed_strip,
    styled,
)

from .helpers import debugger, scenario

#: Steps forward and back, another component, predict mode asking and answered, a view.
KEYS = ["n", "n", "n", "b", "n", "j", "n", "p", "h", "l", "p", "v", "n", "k", "0", "n"]

THEMES = ["textual-dark", "textual-light", "ansi-dark"]


def shown(app: GdtuiApp) -> list[TextLines]:
    """The text panels on screen (laid out, displayed, in a displayed container)."""
    return [
        panel
        for panel in debugger(app).query(TextLines)
        if panel.size.width
        and all(node.display for node in panel.ancestors_with_self if isinstance(node, Widget))
    ]


def textual_rows(panel: TextLines) -> list[Strip]:
    """The panel's rows as Textual renders a widget's whole text (`Widget.render_line`)."""
    width, height = panel.size
    visual = visualize(panel, panel.render(), markup=False)
    strips = Visual.to_strips(panel, visual, width, height, panel.visual_style)
    blank = Strip.blank(width, panel.visual_style.rich_style)
    return [strips[y] if y < len(strips) else blank for y in range(height)]


async def press(pilot: Pilot[None], key: str) -> None:
    await pilot.press(key)
    await pilot.pause()


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", [(200, 50), (80, 24)], ids=["200x50", "80x24"])
@pytest.mark.parametrize("name", ["logistic", "two_features", "momentum"])
async def test_each_row_is_the_row_textual_renders_for_the_whole_text(
    name: str, size: tuple[int, int], theme: str
) -> None:
    app = GdtuiApp(scenario(name))
    async with app.run_test(size=size) as pilot:
        app.theme = theme
        checked = 0
        for key in KEYS:
            await press(pilot, key)
            for panel in shown(app):
                rows = [panel.render_line(y) for y in range(panel.size.height)]
                # Characters, styles and the offsets text selection reads, segment by segment.
                assert rows == textual_rows(panel), (key, panel.id, panel.text)
                checked += 1
        assert checked >= 2 * len(KEYS)  # the update and the state at least


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"])
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("name", ["logistic", "two_features"])
async def test_after_each_key_the_screen_is_what_a_whole_repaint_draws(
    name: str, theme: str, no_color: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = GdtuiApp(scenario(name))
    async with app.run_test(size=(200, 50)) as pilot:
        app.theme = theme
        await pilot.pause()
        for key in KEYS:
            await press(pilot, key)
            after_key = frame_strips(app.screen)
            for widget in app.screen.query(Widget):
                widget.refresh()  # forget every line drawn: all of it is drawn again
            await pilot.pause()
            assert after_key == frame_strips(app.screen), key


async def test_a_step_repaints_only_the_rows_that_changed() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=(200, 50)) as pilot:
        await press(pilot, "n")
        panel = debugger(app).update_panel
        before = [panel.render_line(y) for y in range(panel.size.height)]
        await press(pilot, "n")
        after = [panel.render_line(y) for y in range(panel.size.height)]
        kept = [y for y in range(len(after)) if after[y] is before[y]]
        # The rule and J(next) change; the verdict (the slope's sign) does not.
        assert before[1].text == after[1].text and kept == [1], panel.text


class Lines(App[None]):
    """Text panels with Textual's text rules: wrapped, and cut with an ellipsis."""

    CSS = """
    #cut { text-wrap: nowrap; text-overflow: ellipsis; padding: 0 1; border: round red; }
    #bold { text-style: bold; color: $accent; background: $panel; }
    """

    def compose(self) -> ComposeResult:
        yield TextLines(id="wrap")
        yield TextLines(id="cut")
        yield TextLines(id="bold")


ACCENT = TextStyle(foreground=Color.parse("#ff8800"), bold=True)
UNDERLINED = TextStyle(underline=True, background=Color.parse("#203040"))

#: Lines drawn straight from their spans: plain, styled in parts and nested, wide
#: characters, spaces at either end, a span to the end, exactly as wide as the panel.
PLAIN = [
    Content("w       0.260  dw   -5.480"),
    Content.assemble("J(w)  ", ("7.508", ACCENT), "  change ", ("-4.160 ▼", UNDERLINED)),
    Content.styled("  step 12 ◀  ", ACCENT).stylize(UNDERLINED, 2, 6),
    Content.assemble(("日本語 ", ACCENT), "é and e\u0301 "),
    Content("x" * 30),
]

#: Lines Textual does more to: too wide, a tab, a link, a style by name, empty.
NOT_PLAIN = [
    Content("x" * 31),
    Content("a\tb"),
    Content.styled("a link", TextStyle(link="https://example.com")),
    Content.styled("by name", "bold"),
    Content(""),
]


@pytest.mark.parametrize("panel", ["#wrap", "#cut", "#bold"])
async def test_a_plain_line_is_the_strip_textual_renders_for_it(panel: str) -> None:
    app = Lines()
    async with app.run_test(size=(34, 12)) as pilot:
        await pilot.pause()
        lines = app.query_one(panel, TextLines)
        width, style = 30, lines.visual_style
        for line in PLAIN:
            assert is_plain(line, width)
            for y in (0, 3):
                # As Textual renders it, as line y of a widget's text.
                text = Content("\n").join([*[Content("-")] * y, line])
                textual = Visual.to_strips(lines, text, width, None, style)[y]
                ours = placed_strip(line.render(style, end=""), style, y, line.cell_length)
                assert list(ours) == list(textual), (line, y)
        assert not any(is_plain(line, width) for line in NOT_PLAIN)


def all_rows(panel: TextLines) -> Region:
    return Region(0, 0, *panel.region.size)


#: Sizes, and the ANSI colours' filter as the theme has it (None) or set on or off whatever
#: the theme: off as with `--ansi`, or on over an ANSI theme's colours (it then changes them).
FRAMED = [((200, 50), None), ((80, 24), None), ((80, 24), True), ((80, 24), False)]


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"])
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize(
    ("size", "ansi_color"), FRAMED, ids=["200x50", "80x24", "80x24-ansi", "80x24-truecolor"]
)
async def test_the_framed_rows_are_those_textual_draws(
    size: tuple[int, int],
    ansi_color: bool | None,
    theme: str,
    no_color: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = GdtuiApp(scenario("two_features"))
    async with app.run_test(size=size) as pilot:
        app.theme = theme
        if ansi_color is not None:
            app.ansi_color = ansi_color
        for key in ["n", "n", "j", "n", "p", "h", "p", "b"]:
            await press(pilot, key)
            for panel in shown(app):
                ours = panel.render_lines(all_rows(panel))
                # Textual's own path: its styles (border, padding, background), its filters.
                textual = Widget.render_lines(panel, all_rows(panel))
                assert [list(row) for row in ours] == [list(row) for row in textual], panel.id
                # And a part of the panel, as a compositor may ask for.
                part = Region(2, 1, panel.region.width - 3, 2)
                assert [list(row) for row in panel.render_lines(part)] == [
                    list(row) for row in Widget.render_lines(panel, part)
                ], panel.id


async def test_a_step_has_textual_style_no_row_of_a_text_panel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    styled: list[tuple[object, int]] = []
    render_line = StylesCache.render_line

    def counted(cache: StylesCache, *args: Any) -> Strip:
        # (styles, y, size, content_size, padding, base, background, render_content_line, ...)
        styled.append((args[7].__self__, args[1]))
        return render_line(cache, *args)

    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=(200, 50)) as pilot:
        await press(pilot, "n")
        await press(pilot, "n")  # the frames are read from Textual once
        monkeypatch.setattr(StylesCache, "render_line", counted)
        rendered: list[TextLines] = []
        panel_lines = TextLines.render_lines

        def noted(panel: TextLines, crop: Region) -> list[Strip]:
            rendered.append(panel)
            return panel_lines(panel, crop)

        monkeypatch.setattr(TextLines, "render_lines", noted)
        drawn: list[tuple[BraillePlot, Region]] = []
        plot_lines = BraillePlot.render_lines

        def plotted(plot: BraillePlot, crop: Region) -> list[Strip]:
            drawn.append((plot, crop))
            return plot_lines(plot, crop)

        monkeypatch.setattr(BraillePlot, "render_lines", plotted)
        await press(pilot, "n")
        # (a plot drew rows inside its border: the last check below is not empty-handed)
        assert any(
            any(0 < y < plot.region.height - 1 for y in crop.line_range) for plot, crop in drawn
        )
        # The status line, the state, the update and the log changed: none of their rows
        # went through Textual's styling, nor a line inside a plot's border (their frames
        # read once, as a panel's are).
        assert {panel.id for panel in rendered} >= {"status", "state-summary", "update", "log"}
        assert [(widget, y) for widget, y in styled if isinstance(widget, TextLines)] == []
        assert len(app.screen.query(BraillePlot)) >= 2  # the cost curve and history
        assert [
            (widget, y)
            for widget, y in styled
            if isinstance(widget, BraillePlot) and 0 < y < widget.region.height - 1
        ] == []


async def test_a_changed_row_is_repainted_across_its_border_and_padding() -> None:
    app = GdtuiApp(scenario("curve"))
    spans: list[tuple[int, int, int]] = []
    display = app._display

    def noted(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        spans.extend(getattr(renderable, "spans", []))

    app._display = noted  # type: ignore[method-assign]
    async with app.run_test(size=(200, 50)) as pilot:
        await press(pilot, "n")
        spans.clear()
        await press(pilot, "n")
        # The step log's rows shift: each is sent whole, as the writer then knows the row
        # it sent (the status line's too).
        for panel in (debugger(app).step_log, debugger(app).status_line):
            region = panel.region
            rows = {y for y, x1, x2 in spans if x1 <= region.x and x2 >= region.right}
            assert rows & set(range(region.y, region.bottom)), panel.id


#: Styles the ANSI colours' filter changes (an ANSI colour, foreground or background, or
#: any dim colour) and leaves (colours of the theme's own, none, attributes alone).
CHANGED_STYLES = [
    RichStyle(color="red"),
    RichStyle(bgcolor="bright_blue", bold=True),
    RichStyle(color="color(100)"),
    RichStyle(color="#ff8800", bgcolor="color(3)"),
    RichStyle(color="#ff8800", dim=True),
    RichStyle(color="default"),
]
KEPT_STYLES = [
    RichStyle(color="#ff8800", bgcolor="#203040", underline=True),
    RichStyle(bold=True),
    RichStyle(dim=True),
    RichStyle(bgcolor="#000000", meta={"offset": (3, 1)}),
    RichStyle(),
]


@pytest.mark.parametrize("background", [Color(0, 0, 0), Color(30, 40, 50), Color(250, 250, 250)])
def test_the_ansi_filter_leaves_a_row_with_no_ansi_colour_and_changes_one_as_textual_does(
    background: Color,
) -> None:
    line_filter = ANSIToTruecolor(MONOKAI)
    frame = Frame((), (), RichStyle(), 0, 0, (line_filter,), background)
    kept = [Segment("ab", style) for style in KEPT_STYLES] + [Segment("c")]
    for segments in [
        kept,
        *([*kept[:2], Segment("x", style), *kept[2:]] for style in CHANGED_STYLES),
        [*kept, Segment("\x1b[2J", None, [(ControlType.CLEAR,)])],  # (the filter drops it)
        [Segment("only", CHANGED_STYLES[0])],
        [],
    ]:
        row = Strip(segments)
        ours = filtered(row, frame)
        # The segments Textual's filter makes, and the same strip where that changes none.
        assert list(ours) == line_filter.apply(list(row), background), segments
        assert (ours is row) == (segments == line_filter.apply(segments, background))
        assert filtered(row, frame) == ours  # (and again, the styles known)


async def test_a_step_in_a_theme_of_its_own_colours_sends_no_row_through_the_ansi_filter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    filtered_rows: list[list[Segment]] = []
    apply = ANSIToTruecolor.apply

    def counted(line_filter: ANSIToTruecolor, segments: list[Segment], background: Color) -> Any:
        filtered_rows.append(segments)
        return apply(line_filter, segments, background)

    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=(200, 50)) as pilot:
        await press(pilot, "n")
        await press(pilot, "n")  # (the frames are read from Textual once)
        assert any(type(f) is ANSIToTruecolor for f in app.get_line_filters())
        monkeypatch.setattr(ANSIToTruecolor, "apply", counted)
        rendered: list[Region] = []
        lines = FrameReader._lines

        def noted(reader: FrameReader, crop: Region, *args: Any) -> list[Strip]:
            rendered.append(crop)
            return lines(reader, crop, *args)

        monkeypatch.setattr(FrameReader, "_lines", noted)
        await press(pilot, "n")
        await press(pilot, "n")
        # The panels' rows and the plots' were drawn anew (the plots' with ANSI colours),
        # and none went through Textual's filter, which makes every segment anew.
        assert len(rendered) >= 6
        assert filtered_rows == []


#: Texts with control codes Textual strips, characters past ASCII, none, nothing printable.
TEXTS = ["w := 0.5", "step 12 ◀", "J falls 11.668 → 7.508", "a\rb", "bell\x07 ▼", "\x0b\x0c",
         "", " ", "tab\there", "nbsp\u00a0é", "zero\u200bwidth", "e\u0301"]  # fmt: skip


@pytest.mark.parametrize("text", TEXTS)
def test_panel_text_is_the_content_textual_makes_of_it(text: str) -> None:
    def same(ours: Content, textual: Content) -> None:
        assert (ours.plain, ours.spans, ours.cell_length) == (
            textual.plain, textual.spans, textual.cell_length,
        )  # fmt: skip

    for style in ["", ACCENT, "bold"]:
        same(styled(text, style), Content.styled(text, style))
    same(styled(text), Content(text))
    parts: list[Any] = ["x ", (text, ACCENT), Content.styled(text, UNDERLINED), text, ""]
    same(assembled(*parts), Content.assemble(*parts))
    same(assembled(text), Content.assemble(text))


async def test_a_step_looks_for_control_codes_in_no_panel_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scanned: list[str] = []
    strip = textual_content._strip_control_codes

    def noted(text: str, *args: Any) -> str:
        scanned.append(text)
        return strip(text, *args)

    app = GdtuiApp(scenario("two_features"))
    async with app.run_test(size=(200, 50)) as pilot:
        await press(pilot, "n")
        monkeypatch.setattr(textual_content, "_strip_control_codes", noted)
        for key in ["n", "n", "j", "n"]:
            await press(pilot, key)
        # The status line, the state, the update and the log each showed new lines.
        assert {"status", "state-summary", "update", "log"} <= {
            panel.id for panel in shown(app) if panel.line_count
        }
        assert scanned == []
