"""What the first screen does not need stays out of the start-up, so it cannot creep back
unnoticed: each start runs in a fresh interpreter, which reports the modules it loaded.

`gdtui check` loads no event loop and no UI; the debugger's first screen, drawn for real
(headless), loads no dialog, no server and no package metadata.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PRESET = Path(__file__).resolve().parent.parent / "scenarios" / "bowl-from-left.toml"

#: Run `gdtui check`, then report the modules loaded.
CHECK = f"""
import contextlib, io, json, sys
from gdtui.__main__ import main
with contextlib.redirect_stdout(io.StringIO()):
    status = main(["check", {str(PRESET)!r}])
print(json.dumps([status, sorted(sys.modules)]))
"""

#: Draw the debugger's first screen on the default lesson, then report the modules loaded.
FIRST_SCREEN = """
import asyncio, json, sys
from gdtui.scenario import DEFAULT_SCENARIO, load_scenario
from gdtui.ui.app import GdtuiApp

async def first_screen():
    app = GdtuiApp(load_scenario(DEFAULT_SCENARIO))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        return app.screen.query_one("#plot-curve").display

shown = asyncio.run(first_screen())
print(json.dumps([shown, sorted(sys.modules)]))
"""

#: Packages and modules that the first screen must not load.
NOT_AT_FIRST_SCREEN = (
    "gdtui.serve",
    "gdtui.ui.screens.alpha_input",
    "gdtui.ui.screens.breakpoints",
    "gdtui.ui.screens.caption_input",
    "gdtui.ui.screens.dw_terms",
    "gdtui.ui.screens.goto_step",
    "gdtui.ui.screens.help",
    "gdtui.ui.screens.optimizer_picker",
    "gdtui.ui.screens.scenario_picker",
    "gdtui.ui.screens.start_input",
    "gdtui.engine.terms",
    "gdtui.trace",
    "gdtui.expr",  # the default lesson has no formula and only built-in breakpoints
    "gdtui.lesson.predict",  # predict mode (`p`)
    "gdtui.classroom.answers",  # predict mode in a class
    "asyncssh",
    "textual_serve",
    "importlib.metadata",
    "numpy.ma",
    "importlib.resources",
    "zipfile",
    "textual.widgets._footer",  # gdtui's footer draws the keys itself
)

#: What `gdtui check` must not load (every command builds `gdtui serve`'s parser, from
#: `gdtui.serve.cli`, but nothing that serves).
NOT_AT_CHECK = ("asyncio", "textual", "rich", "plotext", "gdtui.ui", "gdtui.serve.ssh",
                "gdtui.serve.web", "asyncssh", "textual_serve", "importlib.metadata")  # fmt: skip


def loaded(code: str) -> tuple[object, list[str]]:
    """What `code` reports, and the modules a fresh interpreter had loaded by then."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)  # fmt: skip
    answer, modules = json.loads(done.stdout.splitlines()[-1])
    return answer, modules


def within(modules: list[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == f or m.startswith(f"{f}.") for f in forbidden))


#: Import the `gdtui` command's module, then report the modules loaded.
COMMAND_MODULE = """
import json, sys
import gdtui.__main__
print(json.dumps([None, sorted(sys.modules)]))
"""


#: Run `gdtui` up to its app (not run), then report the modules loaded.
OPEN = """
import json, sys
import gdtui.ui.app
gdtui.ui.app.run = lambda scenario: None
from gdtui.__main__ import main
status = main([])
print(json.dumps([status, sorted(sys.modules)]))
"""


def test_gdtui_parses_its_command_line_without_the_other_commands() -> None:
    # The debugger's branch of the command line is built alone: not the servers' parser,
    # nor the trace's formats.
    status, modules = loaded(OPEN)
    assert status == 0 and "gdtui.cli" in modules
    assert within(modules, ("gdtui.serve", "gdtui.trace")) == []


def test_the_command_imports_nothing_before_it_pauses_the_collector() -> None:
    # `main` pauses the collector for a screen's start-up before the heavy imports.
    _, modules = loaded(COMMAND_MODULE)
    assert "gdtui.__main__" in modules
    assert within(modules, ("numpy", "textual", "gdtui.cli", "gdtui.scenario")) == []


def test_gdtui_check_loads_no_event_loop_and_no_ui() -> None:
    status, modules = loaded(CHECK)
    assert status == 0
    assert "numpy" in modules  # it did check the scenario
    assert within(modules, NOT_AT_CHECK) == []


@pytest.fixture(scope="module")
def first_screen_modules() -> list[str]:
    shown, modules = loaded(FIRST_SCREEN)
    assert shown is True
    return modules


def test_the_first_screen_was_drawn_with_its_plot(first_screen_modules: list[str]) -> None:
    # Without this, an empty answer below could mean the screen never came up.
    assert {"gdtui.ui.screens.debugger", "plotext", "numpy"} <= set(first_screen_modules)


@pytest.mark.parametrize("module", NOT_AT_FIRST_SCREEN)
def test_the_first_screen_leaves_it_for_later(first_screen_modules: list[str], module: str) -> None:
    assert within(first_screen_modules, (module,)) == []
