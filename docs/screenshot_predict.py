"""Make the README's screenshot of predict mode from the app itself:
`python docs/screenshot_predict.py`.

The lesson's logistic regression at 100x32: `p`, a right answer (`l`), then a wrong one
(`h`), so the screen shows the verdict, the rule of the step just made, the next question
and the score; saved as docs/predict.svg.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from gdtui.scenario import DEFAULT_SCENARIO, load_scenario
from gdtui.ui.app import GdtuiApp

HERE = Path(__file__).resolve().parent


async def main() -> None:
    """Predict twice, once right and once wrong, and save the screen."""
    app = GdtuiApp(load_scenario(DEFAULT_SCENARIO))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("p", "l", "h")
        await pilot.pause()
        app.save_screenshot("predict.svg", path=str(HERE))


if __name__ == "__main__":
    asyncio.run(main())
