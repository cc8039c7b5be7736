"""What the first screen puts off until it is needed still works when it is needed: the
collector paused for the start-up, the dialogs imported on their key, the plot views built
when first shown."""

from __future__ import annotations

import argparse
import gc
import io

import pytest

from gdtui.__main__ import open_debugger
from gdtui.scenario import Scenario
from gdtui.ui.app import GdtuiApp

from .helpers import scenario

SIZE = (80, 24)


def test_gdtui_pauses_the_collector_for_the_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []

    def run(opened: Scenario) -> None:
        seen.append(gc.isenabled())

    monkeypatch.setattr("gdtui.ui.app.run", run)
    args = argparse.Namespace(scenario="bowl-from-left", overrides=[])
    try:
        assert open_debugger(args, io.StringIO(), io.StringIO()) == 0
    finally:
        gc.enable()
    assert seen == [False]


async def test_the_collector_runs_again_once_the_screen_is_up() -> None:
    gc.disable()  # as `gdtui` leaves it for the start-up
    try:
        app = GdtuiApp(scenario("curve"))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.enable()
