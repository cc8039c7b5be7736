"""`gdtui serve ssh --max-exports`: the quota reaches each session's app over a real login."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

from tests.serve.conftest import TIMEOUT, Screen
from tests.serve.test_cli import app_screen, start_server


async def shows(screen: Screen, text: str, start: int = 0) -> None:
    """Wait until `text` shows on the screen, after output position `start`."""
    async with asyncio.timeout(TIMEOUT):
        while text not in screen.text(start):
            screen.changed.clear()
            await screen.changed.wait()


async def test_a_session_may_export_only_as_often_as_the_server_allows(tmp_path: Path) -> None:
    process, banner = await start_server(tmp_path, "--max-exports", "1")
    port = int(re.search(r"listening on \S+:(\d+)", banner)[1])  # type: ignore[index]
    try:
        async with app_screen(port) as (chan, screen):
            chan.write(b"e")
            await shows(screen, "Exported")
            mark = len(screen.data)
            chan.write(b"e")
            await shows(screen, "Export limit reached", mark)
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), TIMEOUT)
