"""What the debugger looks like, compared with approved SVG screenshots.

Run `pytest tests/ui/test_snapshots.py --snapshot-update` after a deliberate change of
the screen, and look at the new SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from gdtui.ui.app import GdtuiApp

from .helpers import scenario, settle

#: From a projector's 60x20 to a wide terminal's 200x50.
SIZES = [
    pytest.param(size, id=f"{size[0]}x{size[1]}")
    for size in ((60, 20), (80, 24), (120, 40), (200, 50))
]

SnapCompare = Callable[..., bool]


@pytest.mark.parametrize("size", SIZES)
def test_a_curve_after_three_steps(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    app = GdtuiApp(scenario("curve"))
    assert snap_compare(app, press=["n", "n", "n"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_logistic_after_five_steps(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    app = GdtuiApp(scenario("logistic"))
    assert snap_compare(app, press=["n"] * 5, terminal_size=size)


#: Not 200x50 after a continue: there the curve's x labels (near 1e150) land one column apart
#: from one run to the next, depending on the steps painted while continuing (see below).
DIVERGING_SIZES = SIZES[:3]


@pytest.mark.parametrize("size", DIVERGING_SIZES)
def test_a_diverging_run(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    async def continue_until_it_diverges(pilot: Pilot[None]) -> None:
        await pilot.press("c")
        await settle(pilot)

    app = GdtuiApp(scenario("diverging"))
    assert snap_compare(app, terminal_size=size, run_before=continue_until_it_diverges)


def test_a_diverging_run_at_200x50(snap_compare: SnapCompare) -> None:
    """The same stop, reached by going to its step and stepping once more (refused): the
    plots are drawn at that step alone, so their axes do not depend on the steps painted
    on the way."""

    async def go_to_the_stop_and_step(pilot: Pilot[None]) -> None:
        await pilot.press("g", *"498", "enter")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)

    app = GdtuiApp(scenario("diverging"))
    assert snap_compare(app, terminal_size=(200, 50), run_before=go_to_the_stop_and_step)


def test_two_features_second_component(snap_compare: SnapCompare) -> None:
    app = GdtuiApp(scenario("two_features"))
    assert snap_compare(app, press=["n", "n", "j"], terminal_size=(80, 24))


def test_momentum_against_the_slope(snap_compare: SnapCompare) -> None:
    app = GdtuiApp(scenario("momentum"))
    assert snap_compare(app, press=["n"] * 4, terminal_size=(80, 24))


def test_help(snap_compare: SnapCompare) -> None:
    app = GdtuiApp(scenario("overshoot"))
    assert snap_compare(app, press=["question_mark"], terminal_size=(80, 24))
