"""`gdtui serve web`: the page points its websocket home, and the app's first frame arrives."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from collections.abc import AsyncIterator

import aiohttp
import pytest

from gdtui.serve.web import app_command, public_url_for
from tests.serve.conftest import TIMEOUT, plain


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def web_port() -> AsyncIterator[int]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gdtui", "serve", "web", "--port", str(port),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        async with asyncio.timeout(TIMEOUT):
            while True:
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                except ConnectionRefusedError:
                    await asyncio.sleep(0.1)
                    continue
                writer.close()
                break
        yield port
    finally:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


async def test_a_websocket_client_gets_the_apps_first_frame(web_port: int) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{web_port}/") as page:
            html = await page.text()
        assert f"ws://127.0.0.1:{web_port}/ws" in html
        url = f"ws://127.0.0.1:{web_port}/ws?width=80&height=24"
        frames = bytearray()
        async with http.ws_connect(url) as websocket:
            async with asyncio.timeout(TIMEOUT * 2):
                async for message in websocket:
                    if message.type == aiohttp.WSMsgType.BINARY:
                        frames.extend(message.data)
                        if "step 0" in plain(bytes(frames)):
                            break
    assert "step 0" in plain(bytes(frames))


def test_the_app_runs_without_a_shell_in_between() -> None:
    assert app_command("ravine", python="/usr/bin/python3") == (
        "exec /usr/bin/python3 -m gdtui ravine"
    )
    assert app_command(None, python="/opt/my env/python").startswith("exec '/opt/my env/python'")


@pytest.mark.parametrize(
    ("host", "public", "expected"),
    [
        ("127.0.0.1", None, "http://127.0.0.1:8000"),
        ("::1", None, "http://[::1]:8000"),
        ("0.0.0.0", "https://gd.example.org/", "https://gd.example.org"),
    ],
)
def test_the_public_url(host: str, public: str | None, expected: str) -> None:
    assert public_url_for(host, 8000, public) == expected
