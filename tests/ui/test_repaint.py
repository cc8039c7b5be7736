"""What a step costs the screen: no layout, a footer's keys found once, a collector kept aside."""

from __future__ import annotations

import gc
from collections.abc import Callable

import pytest
from textual.app import App, ComposeResult

from gdtui.ui.app import GdtuiApp
from gdtui.ui.screens.debugger import GC_YOUNGEST
from gdtui.ui.widgets import footer
from gdtui.ui.widgets.status_line import Status, StatusLine

from .helpers import debugger, scenario, screen_lines

SIZE = (120, 40)


def counted(calls: list[str], name: str, method: Callable[..., object]) -> Callable[..., object]:
    """`method`, noting `name` in `calls` each time it runs."""

    def count(*args: object, **kwargs: object) -> object:
        calls.append(name)
        return method(*args, **kwargs)

    return count


@pytest.mark.parametrize("name", ["curve", "logistic", "two_features", "momentum"])
async def test_a_step_does_not_lay_the_screen_out_again(name: str) -> None:
    app = GdtuiApp(scenario(name))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = debugger(app)
        layouts: list[str] = []
        screen._refresh_layout = counted(layouts, "layout", screen._refresh_layout)  # type: ignore[method-assign]
        await pilot.press("n", "n", "b")
        await pilot.pause()
        assert screen.session.current.step == 2 and layouts == []


async def test_the_footer_shows_its_keys_without_building_them_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[str] = []
    monkeypatch.setattr(footer, "footer_keys", counted(built, "keys", footer.footer_keys))
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert built == ["keys"]
        await pilot.press("n", "tab", "tab")  # focus moves: the keys shown do not change
        await pilot.pause()
        keys = {key.key for key in shown(app)}
        assert "n" in keys and built == ["keys"]


async def test_the_footer_shows_remapped_keys() -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE) as pilot:
        app.set_keymap({"debugger.step": "f"})
        await pilot.pause()
        await pilot.pause()
        keys = {key.key for key in shown(app)}
        assert "f" in keys and "n" not in keys
        assert " f step " in screen_lines(app)[-1]


def shown(app: GdtuiApp) -> list[footer.KeyHint]:
    """The keys the footer shows (not in a group)."""
    items = app.query_one(footer.KeysFooter).keys.items
    return [item for item in items if isinstance(item, footer.KeyHint)]


async def test_the_collector_is_kept_aside_while_the_screen_is_up() -> None:
    before = gc.get_threshold()
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert gc.get_threshold()[0] == GC_YOUNGEST and gc.get_freeze_count() > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


class StatusApp(App[None]):
    """A status line alone, as wide as the screen, styled as the app styles it."""

    CSS = "StatusLine { height: auto; padding: 0 1; }"

    def compose(self) -> ComposeResult:
        yield StatusLine()


@pytest.mark.parametrize(("width", "lines"), [(60, 2), (120, 1)])
async def test_a_long_state_takes_a_second_line_only_where_it_does_not_fit(
    width: int, lines: int
) -> None:
    app = StatusApp()
    async with app.run_test(size=(90, 10)) as pilot:
        status = app.query_one(StatusLine)
        status.show(Status("Bowl from the left", "gd", 0.1, 70, "converged",
                           "✓ converged at step 70: the slope is (almost) zero"))  # fmt: skip
        await pilot.pause()
        await pilot.resize_terminal(width, 10)
        await pilot.pause()
        assert status.size.height == lines
