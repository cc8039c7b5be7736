"""The headless core is proven headless: importing it never loads textual or rich.

Each module is imported in a fresh interpreter, so nothing another test imported can hide
(or fake) a dependency.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

UI_PACKAGES = ("textual", "rich")

HEADLESS_MODULES = [
    "gdtui",
    "gdtui.engine",
    "gdtui.engine.optimizers",
    "gdtui.engine.problems",
    "gdtui.engine.snapshot",
    "gdtui.engine.history",
    "gdtui.engine.breakpoints",
    "gdtui.engine.session",
    "gdtui.expr",
    "gdtui.scenario",
    "gdtui.build",
    "gdtui.trace",
    "gdtui.cli",
    "gdtui.lesson.actions",
    "gdtui.lesson.wire",
    "gdtui.lesson.recording",
    "gdtui.classroom.link",
    # The entry point parses the command line and imports the UI only to run it.
    "gdtui.__main__",
]

PROBE = """
import importlib, importlib.util, json, sys
name, packages = sys.argv[1], sys.argv[2].split(",")
if importlib.util.find_spec(name) is None:
    print(json.dumps({"missing": True}))
else:
    importlib.import_module(name)
    loaded = sorted(p for p in packages if p in sys.modules)
    print(json.dumps({"missing": False, "loaded": loaded}))
"""


def start_probe(module: str) -> subprocess.Popen[str]:
    """A fresh interpreter that imports `module` and reports which UI packages it holds."""
    return subprocess.Popen(
        [sys.executable, "-c", PROBE, module, ",".join(UI_PACKAGES)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_probe(probe: subprocess.Popen[str]) -> dict:
    stdout, stderr = probe.communicate(timeout=60)
    assert probe.returncode == 0, stderr
    return json.loads(stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    """Every module's report; the interpreters run side by side to keep this quick."""
    probes = {module: start_probe(module) for module in HEADLESS_MODULES}
    return {module: finish_probe(probe) for module, probe in probes.items()}


def loaded(report: dict, module: str) -> list[str]:
    if report["missing"]:
        pytest.skip(f"{module} does not exist yet")
    return report["loaded"]


@pytest.mark.parametrize("module", HEADLESS_MODULES)
def test_headless_module_does_not_load_the_ui(reports, module):
    assert loaded(reports[module], module) == []


def test_the_probe_sees_a_ui_import():
    # Without this, an empty answer above could mean the probe looks in the wrong place.
    pytest.importorskip("rich")
    assert "rich" in loaded(finish_probe(start_probe("rich.text")), "rich.text")
