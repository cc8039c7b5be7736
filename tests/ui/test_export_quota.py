"""`e` under a server's export quota: the count and the bytes are capped, and it says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App

from gdtui.exports import MAX_EXPORT_BYTES_VARIABLE, MAX_EXPORTS_VARIABLE
from gdtui.ui.app import GdtuiApp

from .helpers import scenario, settle

SIZE = (80, 24)


def messages(app: GdtuiApp) -> list[str]:
    return [notification.message for notification in app._notifications]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(MAX_EXPORTS_VARIABLE, raising=False)
    monkeypatch.delenv(MAX_EXPORT_BYTES_VARIABLE, raising=False)
    return tmp_path


async def test_the_count_is_capped_and_the_refusal_says_the_limit(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MAX_EXPORTS_VARIABLE, "2")
    app = GdtuiApp(scenario("logistic"))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3):
            await pilot.press("n", "e")
            await settle(pilot)
    names = sorted(path.name for path in in_tmp.iterdir())
    assert [name for name in names if name.endswith(".csv")] == [
        "gdtui-trace-logistic-step1.csv",
        "gdtui-trace-logistic-step2.csv",
    ]
    assert not any("step3" in name for name in names)
    assert "Export limit reached: this server allows 2 exports per session." in messages(app)


async def test_the_bytes_are_capped_and_no_partial_file_stays(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The SVG of an 80x24 screen alone is well over 5 kB: the first file cannot fit.
    monkeypatch.setenv(MAX_EXPORT_BYTES_VARIABLE, "5000")
    app = GdtuiApp(scenario("logistic"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "e")
        await settle(pilot)
        assert len(app.export_screenshot().encode()) > 5000
        await pilot.press("e")
        await settle(pilot)
    assert list(in_tmp.iterdir()) == []
    shown = messages(app)
    stopped = "Export stopped: this server allows 0.005 MB per session"
    assert any(message.startswith(stopped) for message in shown)


async def test_a_local_user_is_not_limited(in_tmp: Path) -> None:
    app = GdtuiApp(scenario("logistic"))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(25):  # more than any server's default count
            await pilot.press("e")
            await settle(pilot)
    assert len(list(in_tmp.iterdir())) == 4  # the same four files (with the lesson), rewritten
    assert not any("limit" in m or "stopped" in m for m in messages(app))


async def test_the_palette_has_no_screenshot_that_escapes_the_quota(in_tmp: Path) -> None:
    # Textual's palette offers "Screenshot", which saves to the user's Downloads folder
    # with no limit: the palette keeps Textual's other commands, and `e` is the export.
    app = GdtuiApp(scenario("logistic"))
    async with app.run_test(size=SIZE):
        textual = [command.title for command in App.get_system_commands(app, app.screen)]
        ours = [command.title for command in app.get_system_commands(app.screen)]
    assert "Screenshot" in textual
    assert ours == [title for title in textual if title != "Screenshot"]
    assert "Quit" in ours
