"""The teaching notes: reflowed from the TOML file's line breaks, and scrolled with keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from gdtui.scenario import load_scenario
from gdtui.ui.app import GdtuiApp
from gdtui.ui.commands import COMMANDS
from gdtui.ui.widgets.notes import reflow

from .helpers import debugger, screen_lines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A paragraph broken where the file's author pressed Enter is one line again.
        ("The bowl J(w) from\nw = 4, with alpha\n= 1.5.",
         "The bowl J(w) from w = 4, with alpha = 1.5."),
        # Blank lines still separate paragraphs.
        ("One\ntwo.\n\nThree\nfour.", "One two.\n\nThree four."),
        # List items keep their own lines; an indented line goes on with the item.
        ("Look for:\n- first item\n  goes on\n- second\n* third\n1. fourth\n2) fifth",
         "Look for:\n- first item goes on\n- second\n* third\n1. fourth\n2) fifth"),
        # Any other indented line is kept as written.
        ("Code:\n    w := w - alpha*dw\nafter", "Code:\n    w := w - alpha*dw\nafter"),
        # A flush line after a list is a paragraph of its own, not part of the last item.
        ("- item\nText again\ngoes on", "- item\nText again goes on"),
    ],
)  # fmt: skip
def test_reflow_joins_paragraphs_and_keeps_lists(text: str, expected: str) -> None:
    assert reflow(text) == expected


def test_reflow_wraps_items_under_their_text() -> None:
    text = "- Each step jumps over the bottom and lands FARTHER away every step."
    assert reflow(text, 30).splitlines() == [
        "- Each step jumps over the",
        "  bottom and lands FARTHER",
        "  away every step.",
    ]


@pytest.mark.parametrize("width", range(16, 60))
def test_a_wrapped_line_never_starts_with_the_minus_of_a_formula(width: int) -> None:
    text = "The rule: the slope is 2*(w - 3), so a step multiplies (w - 3) by (1 - 2*alpha)."
    lines = reflow(text, width).splitlines()
    assert not any(line.startswith("- ") for line in lines)
    assert " ".join(lines) == text
    assert all(len(line) <= width for line in lines)


async def test_page_keys_scroll_the_notes_at_80x24() -> None:
    app = GdtuiApp(load_scenario("alpha-divergent"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        notes = debugger(app).notes_panel
        assert notes is not None and notes.max_scroll_y > 0
        top = screen_lines(app)[notes.region.y + 1]
        await pilot.press("pagedown")
        await pilot.pause()
        assert notes.scroll_y > 0
        assert screen_lines(app)[notes.region.y + 1] != top
        await pilot.press("pageup")
        await pilot.pause()
        assert notes.scroll_y == 0 and screen_lines(app)[notes.region.y + 1] == top


def test_help_names_the_keys_that_scroll_the_notes() -> None:
    keys = {c.key_display: c.help for c in COMMANDS}
    assert "notes" in keys["PgUp"] and "notes" in keys["PgDn"]


async def test_the_page_keys_say_so_when_no_notes_are_on_screen() -> None:
    app = GdtuiApp(load_scenario("alpha-divergent"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("pagedown")
        await pilot.pause()
        assert any("i shows them" in n.message for n in app._notifications)


async def test_the_page_keys_scroll_the_notes_whatever_has_the_focus(tmp_path: Path) -> None:
    # Twenty features: the rows of w[j] scroll too, and can hold the focus.
    rows = [[float((i * 7 + j * 3) % 5) for j in range(20)] for i in range(8)]
    notes_text = "\n\n".join(f"Paragraph {i} of the notes." for i in range(30))
    path = tmp_path / "wide.toml"
    path.write_text(
        f'name = "Twenty features"\ndescription = """{notes_text}"""\n'
        f'[problem]\nkind = "logistic"\nx = {rows}\ny = [0, 1, 0, 1, 0, 1, 0, 1]\n'
        '[optimizer]\nkind = "gd"\nalpha = 0.1\n'
    )
    app = GdtuiApp(load_scenario(str(path)))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = debugger(app)
        components = screen.query_one("#state-components")
        components.focus()
        await pilot.pause()
        assert components.max_scroll_y > 0 and app.focused is components
        notes = screen.notes_panel
        assert notes is not None and notes.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert notes.scroll_y > 0 and components.scroll_y == 0
