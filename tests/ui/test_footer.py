"""The footer draws the keys cell for cell as Textual's own `Footer` draws them (with its
spare keys marked, as gdtui's footer was), at every width and in every theme, and a click
on a key runs it."""

from __future__ import annotations

import pytest
from rich.style import Style
from textual.app import ComposeResult
from textual.pilot import Pilot
from textual.theme import Theme
from textual.widget import Widget
from textual.widgets import Footer

from gdtui.ui.adapters.textual import footer_widgets, frame_strips
from gdtui.ui.app import GdtuiApp
from gdtui.ui.screens import debugger as debugger_module
from gdtui.ui.screens.debugger import DebuggerScreen
from gdtui.ui.widgets.footer import SPARE_ACTIONS, KeysFooter

from .helpers import debugger, scenario

#: The widgets Textual's own `Footer` yields (see `mark_spare`).
FooterKey, FooterLabel = footer_widgets()

#: Where each part has a colour of its own, half see-through, so that every layer shows.
LAYERED = Theme(
    name="layered",
    primary="#0178d4",
    dark=True,
    variables={
        "footer-background": "#303050",
        "footer-item-background": "#80ff0040",
        "footer-key-background": "#0000ff60",
        "footer-key-foreground": "#ffcc00c0",
        "footer-description-background": "#ff000030",
        "footer-description-foreground": "#a0ffa0",
        "block-hover-background": "#ffffff30",
    },
)

THEMES = ["textual-dark", "textual-light", "ansi-dark", "nord", "layered"]
WIDTHS = [40, 60, 79, 80, 120]


class ReferenceFooter(Footer):
    """Textual's `Footer` as gdtui's footer was: its keys at once, and the spare ones
    (and a spare group's word) hidden on a narrow screen."""

    SCOPED_CSS = False
    DEFAULT_CSS = """
    DebuggerScreen.-slim ReferenceFooter .-spare { display: none; }
    DebuggerScreen.-slim ReferenceFooter KeyGroup { display: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.set_reactive(Footer._bindings_ready, True)

    def compose(self) -> ComposeResult:
        spare = False
        for widget in super().compose():
            yield mark_spare(widget, spare)
            spare = widget.has_class("-spare")


def mark_spare(widget: Widget, after_spare: bool) -> Widget:
    if isinstance(widget, FooterKey):
        if widget.action in SPARE_ACTIONS or widget.has_class("-command-palette"):
            widget.add_class("-spare")
    elif isinstance(widget, FooterLabel) and after_spare:
        widget.add_class("-spare")
    return widget


def cells(app: GdtuiApp) -> list[tuple[str, Style]]:
    """The footer's row, a (character, style) a cell (without the offsets Textual gives
    a mouse)."""
    row = frame_strips(debugger(app))[-1]
    return [
        (character, (segment.style or Style()).clear_meta_and_links())
        for segment in row
        for character in segment.text
    ]


async def start(pilot: Pilot[None], theme: str) -> None:
    if theme == "layered":
        pilot.app.register_theme(LAYERED)
    pilot.app.theme = theme
    await pilot.pause()
    await pilot.pause()


async def footer_row(
    footer: type[Widget], width: int, theme: str, hover: str | None = None
) -> list[tuple[str, Style]]:
    """The footer's row with `footer` in the debugger, `hover` (a word) under the mouse."""
    debugger_module.KeysFooter = footer  # type: ignore[misc]
    try:
        app = GdtuiApp(scenario("curve"))
        async with app.run_test(size=(width, 24)) as pilot:
            await start(pilot, theme)
            if hover is not None:
                text = "".join(character for character, _ in cells(app))
                await pilot.hover(debugger(app), offset=(text.index(hover), 23))
                await pilot.pause()
            return cells(app)
    finally:
        debugger_module.KeysFooter = KeysFooter  # type: ignore[misc]


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("width", WIDTHS)
async def test_the_footer_is_textuals_cell_for_cell(width: int, theme: str) -> None:
    ours = await footer_row(KeysFooter, width, theme)
    assert ours == await footer_row(ReferenceFooter, width, theme)


@pytest.mark.parametrize("theme", ["textual-dark", "layered"])
@pytest.mark.parametrize("word", ["back", "+", "palette"])
async def test_a_key_under_the_mouse_is_lit_as_textuals(word: str, theme: str) -> None:
    ours = await footer_row(KeysFooter, 80, theme, hover=word)
    assert ours == await footer_row(ReferenceFooter, 80, theme, hover=word)
    assert ours != await footer_row(KeysFooter, 80, theme)


@pytest.mark.parametrize("theme", ["textual-dark", "layered"])
async def test_a_key_that_cannot_run_is_dim_as_textuals(
    theme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        DebuggerScreen,
        "check_action",
        lambda self, action, parameters: None if action == "back" else True,
        raising=False,
    )
    ours = await footer_row(KeysFooter, 80, theme)
    assert ours == await footer_row(ReferenceFooter, 80, theme)
    monkeypatch.undo()
    enabled = await footer_row(KeysFooter, 80, theme)
    changed = [cell[0] for cell, other in zip(ours, enabled, strict=True) if cell != other]
    assert "".join(changed) == " b back "


async def click(pilot: Pilot[None], word: str) -> None:
    row = "".join(character for character, _ in cells(pilot.app))  # type: ignore[arg-type]
    await pilot.click(KeysFooter, offset=(row.index(word), 0))
    await pilot.pause()


async def test_a_click_on_a_key_runs_it() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await click(pilot, " n step")
        await click(pilot, "n step")
        await click(pilot, "step")
        assert debugger(app).session.current.step == 3
        await click(pilot, "b back")
        assert debugger(app).session.current.step == 2


async def test_a_click_between_keys_runs_nothing() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await click(pilot, " alpha")
        await click(pilot, " ▏")
        assert debugger(app).session.current.step == 0
        assert app.screen is debugger(app)


async def test_a_click_on_help_opens_it() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await click(pilot, "help")
        assert app.screen is not debugger(app)


@pytest.mark.parametrize("word", ["back", "+", "palette", "alpha"])
async def test_a_key_under_the_mouse_tells_what_textuals_does(word: str) -> None:
    told = []
    for footer in (KeysFooter, ReferenceFooter):
        debugger_module.KeysFooter = footer  # type: ignore[misc]
        try:
            app = GdtuiApp(scenario("curve"))
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                row = "".join(character for character, _ in cells(app))
                await pilot.hover(debugger(app), offset=(row.index(word), 23))
                await pilot.pause()
                under = app.mouse_over
                assert under is not None
                told.append((under.tooltip, under.styles.pointer))
        finally:
            debugger_module.KeysFooter = KeysFooter  # type: ignore[misc]
    assert told[0] == told[1]
