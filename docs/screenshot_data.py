"""Make the README's screenshots of the data view, of dw term by term and of linear regression
from the app itself: `python docs/screenshot_data.py`.

The lesson's logistic regression after ten steps, at 100x32: the data view (`v` three times)
saved as docs/data-view.svg, and `d` saved as docs/dw-terms.svg. Then `house-prices` after
twenty steps, its data view saved as docs/linear.svg.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from gdtui.scenario import DEFAULT_SCENARIO, load_scenario
from gdtui.ui.app import GdtuiApp

HERE = Path(__file__).resolve().parent


async def main() -> None:
    """Step the default scenario, show the data, then the terms, saving each screen."""
    app = GdtuiApp(load_scenario(DEFAULT_SCENARIO))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press(*["n"] * 10, "v", "v", "v")
        await pilot.pause()
        app.save_screenshot("data-view.svg", path=str(HERE))
        await pilot.press("d")
        await pilot.pause()
        app.save_screenshot("dw-terms.svg", path=str(HERE))
    app = GdtuiApp(load_scenario("house-prices"))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press(*["n"] * 20, "v", "v", "v")
        await pilot.pause()
        app.save_screenshot("linear.svg", path=str(HERE))


if __name__ == "__main__":
    asyncio.run(main())
