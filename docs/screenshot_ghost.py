"""Make the README's screenshot of comparing runs from the app itself:
`python docs/screenshot_ghost.py`.

alpha-overshoot (alpha 0.9) run 25 steps and kept as a ghost (`m`), then alpha lowered to
0.30 (`-` three times), started again (`0`) and stepped 6 times, at 100x32: saved as
docs/ghost.svg.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from gdtui.scenario import load_scenario
from gdtui.ui.app import GdtuiApp

HERE = Path(__file__).resolve().parent


async def main() -> None:
    """Keep a run, lower alpha, run again, and save the screen."""
    app = GdtuiApp(load_scenario("alpha-overshoot"))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press(*["n"] * 25, "m", "-", "-", "-", "0", *["n"] * 6)
        await pilot.pause()
        app.clear_notifications()
        await pilot.pause()
        app.save_screenshot("ghost.svg", path=str(HERE))


if __name__ == "__main__":
    asyncio.run(main())
