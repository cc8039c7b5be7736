"""Make the README's screenshot from the app itself: `python docs/screenshot.py`.

The lesson's logistic regression after a few steps, at 100x32, saved as docs/screenshot.svg.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from gdtui.scenario import DEFAULT_SCENARIO, load_scenario
from gdtui.ui.app import GdtuiApp

HERE = Path(__file__).resolve().parent


async def main() -> None:
    """Step the default scenario and save what the screen shows."""
    app = GdtuiApp(load_scenario(DEFAULT_SCENARIO))
    async with app.run_test(size=(100, 32)) as pilot:
        for _ in range(6):
            await pilot.press("n")
        await pilot.pause()
        app.save_screenshot("screenshot.svg", path=str(HERE))


if __name__ == "__main__":
    asyncio.run(main())
