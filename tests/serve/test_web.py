"""`gdtui serve web` with a real websocket client on loopback: what one tab can take is bounded.

Most tests serve a stand-in Textual app (tests/serve/web_child.py, which shows the size,
folder and export quota it was given) from a server in the test's own event loop; the
shutdown tests run the real `gdtui serve web` with the real app.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import io
import json
import os
import re
import signal
import socket
import sys
import time
import tomllib
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import aiohttp
import pytest
from textual_serve.app_service import AppService
from textual_serve.server import Server

from gdtui.serve import textual_serve_adapter
from gdtui.serve.limits import KEY_BURST, KEY_RATE, MAX_COLUMNS, MAX_ROWS
from gdtui.serve.textual_serve_adapter import WebServer
from gdtui.serve.web import (
    WebConfig,
    app_argv,
    app_command,
    clamp_size,
    origin_allowed,
    public_url_for,
)
from tests.serve.conftest import ROOT, TIMEOUT, plain

SHOW = [sys.executable, str(Path(__file__).with_name("web_child.py"))]
LINUX = sys.platform.startswith("linux")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


StartServer = Callable[..., Awaitable[WebServer]]


@pytest.fixture
async def serve() -> AsyncIterator[StartServer]:
    """A factory for in-process web servers on free loopback ports, all closed after."""
    servers: list[WebServer] = []

    async def start(**options: Any) -> WebServer:
        port = free_port()
        options.setdefault("argv", SHOW)
        options.setdefault("app_env", {"GDTUI_MAX_EXPORTS": "7"})
        config = WebConfig("127.0.0.1", port, f"http://127.0.0.1:{port}", **options)
        server = WebServer(config)
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.close()


class Tab:
    """A websocket client standing in for one browser tab."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        self.websocket = websocket
        self.output = bytearray()

    @property
    def text(self) -> str:
        return plain(bytes(self.output))

    async def until(self, pattern: str) -> re.Match[str]:
        """Read the app's output until `pattern` shows (a regular expression)."""
        async with asyncio.timeout(TIMEOUT):
            while not (found := re.search(pattern, self.text)):
                message = await self.websocket.receive()
                if message.type == aiohttp.WSMsgType.BINARY:
                    self.output.extend(message.data)
                elif message.type != aiohttp.WSMsgType.TEXT:
                    raise AssertionError(f"closed before {pattern!r}: {self.text[-300:]!r}")
        return found

    async def closed(self) -> int | None:
        """Read until the server closes the tab; its close code."""
        async with asyncio.timeout(TIMEOUT):
            async for message in self.websocket:
                if message.type == aiohttp.WSMsgType.BINARY:
                    self.output.extend(message.data)
        return self.websocket.close_code


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def open_tab(
    http: aiohttp.ClientSession, server: WebServer, query: str = "width=80&height=24", **kw: Any
) -> Tab:
    url = f"ws://127.0.0.1:{server.port}/ws?{query}"
    return Tab(await http.ws_connect(url, **kw))


# -- where a tab may come from -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "public", "allowed"),
    [
        (None, "http://127.0.0.1:8000", True),  # a script, not a browser page
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000", True),
        ("http://localhost:8000", "http://127.0.0.1:8000", True),
        ("http://[::1]:8000", "http://127.0.0.1:8000", True),
        ("http://localhost:8001", "http://127.0.0.1:8000", False),
        ("https://127.0.0.1:8000", "http://127.0.0.1:8000", False),
        ("http://evil.example", "http://127.0.0.1:8000", False),
        ("null", "http://127.0.0.1:8000", False),  # a sandboxed frame or a file:// page
        ("https://gd.example.org", "https://gd.example.org", True),
        ("https://GD.example.org:443", "https://gd.example.org", True),
        ("http://gd.example.org", "https://gd.example.org", False),
        ("http://localhost:443", "https://gd.example.org", False),
        ("https://gd.example.org.evil.example", "https://gd.example.org", False),
    ],
)
def test_which_origins_may_open_an_app(origin: str | None, public: str, allowed: bool) -> None:
    assert origin_allowed(origin, public) is allowed


async def test_a_page_from_another_site_cannot_open_an_app(
    serve: StartServer, http: aiohttp.ClientSession
) -> None:
    server = await serve()
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await open_tab(http, server, headers={"Origin": "http://evil.example"})
    assert refused.value.status == 403
    assert server.tabs == {}
    tab = await open_tab(http, server, headers={"Origin": server.public_url})
    await tab.until(r"size 80x24")


# -- what a tab may take -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        ("65535", "65535", (MAX_COLUMNS, MAX_ROWS)),
        ("120", "40", (120, 40)),
        ("0", "-5", (1, 1)),
        ("wide", None, (80, 24)),
        (10**30, 3.7, (MAX_COLUMNS, 3)),
        (True, [1], (80, 24)),
    ],
)
def test_sizes_are_clamped(width: object, height: object, expected: tuple[int, int]) -> None:
    assert clamp_size(width, height) == expected


async def test_a_huge_window_is_clamped_at_the_start_and_on_resize(
    serve: StartServer, http: aiohttp.ClientSession
) -> None:
    server = await serve()
    tab = await open_tab(http, server, "width=65535&height=65535")
    await tab.until(rf"size {MAX_COLUMNS}x{MAX_ROWS}")
    await tab.websocket.send_json(["resize", {"width": 100000, "height": 30}])
    await tab.until(rf"size {MAX_COLUMNS}x30")
    # Malformed messages are dropped; the tab stays open and keeps answering.
    for junk in ('["resize", {"width": "x"}]', "[]", "{}", "not json", '["resize", 5]'):
        await tab.websocket.send_str(junk)
    await tab.websocket.send_json(["resize", {"width": 90, "height": 20}])
    await tab.until(r"size 90x20")
    await tab.websocket.send_json(["ping", "1"])
    async with asyncio.timeout(TIMEOUT):
        while (message := await tab.websocket.receive()).type != aiohttp.WSMsgType.TEXT:
            pass
    assert message.json() == ["pong", "1"]


async def test_tabs_beyond_the_cap_are_refused_with_a_message(
    serve: StartServer, http: aiohttp.ClientSession
) -> None:
    server = await serve(max_sessions=2)
    first, second = await open_tab(http, server), await open_tab(http, server)
    await first.until(r"size 80x24")
    await second.until(r"size 80x24")
    third = await open_tab(http, server)
    assert await third.closed() == aiohttp.WSCloseCode.TRY_AGAIN_LATER
    assert "the class is full (2 tabs are open)" in third.text
    await first.websocket.send_str('["stdin", "q"]')  # the app quits: its tab closes
    await first.closed()
    async with asyncio.timeout(TIMEOUT):  # its app is reaped just after the tab closes
        while len(server.tabs) > 1:
            await asyncio.sleep(0.05)
    again = await open_tab(http, server)
    await again.until(r"size 80x24")


async def test_each_tab_has_its_own_folder_and_the_export_quota(
    serve: StartServer, http: aiohttp.ClientSession
) -> None:
    server = await serve()
    tabs = [await open_tab(http, server, "width=200&height=5") for _ in range(2)]
    folders = [(await tab.until(r"folder (\S+) exports 7 ")).group(1) for tab in tabs]
    assert folders[0] != folders[1]
    assert all(os.path.isdir(folder) for folder in folders)
    assert os.getcwd() not in folders
    for tab in tabs:
        await tab.websocket.close()
    async with asyncio.timeout(TIMEOUT):
        while server.tabs:
            await asyncio.sleep(0.05)
    assert not any(os.path.exists(folder) for folder in folders)  # gone with its tab


async def test_a_flood_of_keys_is_dropped_a_large_paste_passes_and_q_still_works(
    serve: StartServer, http: aiohttp.ClientSession
) -> None:
    server = await serve()
    tab = await open_tab(http, server, "width=200&height=5")
    await tab.until(r"keys 0 paste 0 ")
    started = time.monotonic()
    chunk = "z" * 65_536
    for _ in range(16):  # 1 MB of keys, as fast as the socket takes them
        await tab.websocket.send_json(["stdin", chunk])
    await tab.websocket.send_json(["stdin", "\x1b[200~" + "p" * 1_000_000 + "\x1b[201~"])
    found = await tab.until(r"keys (\d+) paste 1000000 ")
    elapsed = time.monotonic() - started
    assert int(found.group(1)) <= KEY_BURST + KEY_RATE * elapsed
    async with asyncio.timeout(TIMEOUT):
        while not tab.websocket.closed:  # the budget refills: q gets through
            await tab.websocket.send_json(["stdin", "q"])
            with contextlib.suppress(TimeoutError):
                await tab.websocket.receive(timeout=0.2)


async def test_an_export_in_the_browser_arrives_as_one_download(
    serve: StartServer, http: aiohttp.ClientSession
) -> None:
    server = await serve(argv=app_argv(None))
    tab = await open_tab(http, server, "width=100&height=30")
    await tab.until(r"step 0")
    await tab.websocket.send_json(["stdin", "n"])
    await tab.until(r"step 1")
    await tab.websocket.send_json(["stdin", "e"])
    async with asyncio.timeout(TIMEOUT):
        while True:
            message = await tab.websocket.receive()
            if message.type == aiohttp.WSMsgType.BINARY:
                tab.output.extend(message.data)
            elif message.type == aiohttp.WSMsgType.TEXT and message.json()[0] != "pong":
                break
    kind, key = message.json()
    assert kind == "deliver_file_start"
    async with http.get(f"http://127.0.0.1:{server.port}/download/{key}") as response:
        assert response.status == 200
        assert (
            "gdtui-trace-logistic-one-feature-step1.zip" in response.headers["Content-Disposition"]
        )
        archive = zipfile.ZipFile(io.BytesIO(await response.read()))
    stem = "gdtui-trace-logistic-one-feature-step1"
    lesson = "logistic-one-feature-step1.lesson.jsonl"  # the run as a recorded lesson
    assert sorted(archive.namelist()) == [f"{stem}.csv", f"{stem}.jsonl", f"{stem}.svg", lesson]
    steps = [json.loads(line)["step"] for line in archive.read(f"{stem}.jsonl").splitlines()]
    assert steps == [0, 1]
    await tab.until(r"sent to your browser")


# -- the page ----------------------------------------------------------------------------------

REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)|url\(\s*["']?([^"')]+)""")


async def test_the_page_loads_nothing_from_another_host_and_focuses_the_terminal(
    serve: StartServer, http: aiohttp.ClientSession
) -> None:
    server = await serve()
    base = f"http://127.0.0.1:{server.port}"
    async with http.get(f"{base}/") as response:
        page = await response.text()
    assert f"ws://127.0.0.1:{server.port}/ws" in page
    assert ".xterm-helper-textarea" in page and ".focus(" in page
    seen: set[str] = set()
    pending = [page]
    while pending:
        text = pending.pop()
        for match in REFERENCE.finditer(text):
            url = match.group(1) or match.group(2)
            assert not re.match(r"\w+:|//", url), url  # relative: from wherever the page is
            url = urljoin(f"{base}/", url)
            if url not in seen:
                seen.add(url)
                async with http.get(url) as response:
                    assert response.status == 200, url
                    if url.endswith(".css"):
                        pending.append(await response.text())
    assert any(url.endswith("RobotoMono-VariableFont_wght.ttf") for url in seen)
    assert any(url.endswith("textual.js") for url in seen)


# -- ending ------------------------------------------------------------------------------------


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux)."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry))
    return children


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
async def web_server() -> AsyncIterator[tuple[asyncio.subprocess.Process, int]]:
    """`gdtui serve web` itself, in its own process, with the real app."""
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
        yield process, port
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), TIMEOUT)
            except TimeoutError:
                process.kill()
                await process.wait()


async def real_tabs(http: aiohttp.ClientSession, port: int, count: int) -> list[Tab]:
    tabs = []
    for _ in range(count):
        url = f"ws://127.0.0.1:{port}/ws?width=80&height=24"
        tabs.append(Tab(await http.ws_connect(url, headers={"Origin": f"http://localhost:{port}"})))
    for tab in tabs:
        await tab.until(r"step 0")
    return tabs


@pytest.mark.skipif(not LINUX, reason="reads /proc")
async def test_stopping_the_server_ends_every_tab_at_once(
    web_server: tuple[asyncio.subprocess.Process, int], http: aiohttp.ClientSession
) -> None:
    process, port = web_server
    tabs = await real_tabs(http, port, 3)
    apps = child_pids(process.pid)
    assert len(apps) == 3
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    await asyncio.wait_for(process.wait(), TIMEOUT)
    # Before, open tabs held the server up for 22 s to over a minute. Now the apps are asked
    # to quit together and killed after a 2 s grace (about 6 s in all on a loaded machine).
    assert time.monotonic() - started < 15
    assert process.returncode == 0
    assert not any(alive(pid) for pid in apps)
    for tab in tabs:
        assert await tab.closed() is not None


@pytest.mark.skipif(not LINUX, reason="the parent-death signal is Linux's")
async def test_apps_end_when_their_server_is_killed(
    web_server: tuple[asyncio.subprocess.Process, int], http: aiohttp.ClientSession
) -> None:
    process, port = web_server
    await real_tabs(http, port, 2)
    apps = child_pids(process.pid)
    assert len(apps) == 2
    process.kill()
    await process.wait()
    async with asyncio.timeout(TIMEOUT):
        while any(alive(pid) for pid in apps):
            await asyncio.sleep(0.1)


async def test_a_websocket_client_gets_the_apps_first_frame(
    web_server: tuple[asyncio.subprocess.Process, int], http: aiohttp.ClientSession
) -> None:
    _, port = web_server
    async with http.get(f"http://127.0.0.1:{port}/") as page:
        html = await page.text()
    assert f"ws://127.0.0.1:{port}/ws" in html
    (tab,) = await real_tabs(http, port, 1)
    await tab.websocket.send_str('["stdin", "n"]')
    await tab.until(r"step 1")


# -- the command and the adapter ---------------------------------------------------------------


def test_the_app_runs_without_a_shell_in_between() -> None:
    assert app_argv("ravine", python="/usr/bin/python3") == [
        "/usr/bin/python3", "-m", "gdtui", "ravine",
    ]  # fmt: skip
    assert app_command(None, python="/opt/my env/python") == "'/opt/my env/python' -m gdtui"


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


def test_the_adapter_matches_textual_serve() -> None:
    """If this fails, textual-serve changed what gdtui/serve/textual_serve_adapter.py
    reaches into: check the adapter against the new version before widening the pin."""
    installed = textual_serve_adapter.textual_serve_version()
    assert installed in textual_serve_adapter.TESTED_VERSIONS, installed
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins = [d for d in pyproject["project"]["dependencies"] if d.startswith("textual-serve")]
    assert pins == ["textual-serve>=1.1.3,<1.2"]
    opening = inspect.signature(AppService._open_app_process)
    assert list(opening.parameters) == ["self", "width", "height"]
    assert list(inspect.signature(AppService._build_environment).parameters) == [
        "self", "width", "height",
    ]  # fmt: skip
    assert "templates_path" in inspect.signature(Server.__init__).parameters
    reading = inspect.getsource(AppService.run)
    assert "stderr = process.stderr" in reading and "await stderr.read(" in reading
    assert inspect.iscoroutinefunction(Server._make_app)
    service = AppService(
        "true", write_bytes=None, write_str=None, close=None, download_manager=None
    )  # type: ignore[arg-type]
    assert service._process is None and service._stdin is None
    template = Path(Server("true").templates_path) / "app_index.html"
    assert "app_websocket_url" in template.read_text()  # the context our page relies on


async def _fed(data: bytes) -> asyncio.StreamReader:
    stream = asyncio.StreamReader()
    stream.feed_data(data)
    stream.feed_eof()
    return stream


async def _read_as_textual_serve_does(stderr: textual_serve_adapter.KeptStderr) -> bytes:
    kept = b""
    while data := await stderr.read(1024 * 4):
        kept += data
    return kept


async def test_an_apps_stderr_is_kept_up_to_a_limit_and_drained() -> None:
    stream = await _fed(b"x" * 1_000_000)
    kept = await _read_as_textual_serve_does(textual_serve_adapter.KeptStderr(stream, 10_000))
    assert kept.startswith(b"x" * 10_000)
    assert kept[10_000:] == b"\n[gdtui: 990,000 more bytes of this app's stderr dropped]\n"
    assert stream.at_eof()


async def test_an_apps_short_stderr_is_kept_whole() -> None:
    stream = await _fed(b"Traceback: boom\n")
    kept = await _read_as_textual_serve_does(textual_serve_adapter.KeptStderr(stream, 10_000))
    assert kept == b"Traceback: boom\n"
