"""The one module that reaches into textual-serve, for `gdtui serve web`.

textual-serve's `Server` starts each tab's app through a shell in the server's folder, takes
any window size and any Origin, never caps the tabs, and leaves apps running when the server
is killed. We keep its page, static files, app protocol and downloads, and replace the
websocket handler. Beyond its public API this module uses, and only here:

- `AppService._open_app_process(width, height)`, overridden to start the app without a shell,
  in a folder of its own, with a parent-death signal;
- `AppService._build_environment(width, height)`, `AppService._process` and
  `AppService._stdin`, which that override must fill in as the original does;
- `Server._make_app()`, to listen from a running event loop (`WebServer.start`);
- that `AppService.run` reads the app's stderr with `process.stderr.read(n)`
  into a buffer it never caps: `KeptStderr` stands in for that stream.

textual-serve is pinned in pyproject.toml to the versions this was tested with;
tests/serve/test_web.py checks these names and fails loudly if they change.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import tempfile
import time
from asyncio.subprocess import PIPE, Process
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any, cast

from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from gdtui.serve.limits import KeyBudget
from gdtui.serve.web import (
    MAX_MESSAGE_BYTES,
    QUIT_GRACE,
    WebConfig,
    clamp_size,
    die_with_parent,
    origin_allowed,
)

#: The textual-serve versions (major, minor) this adapter was tested with.
TESTED_VERSIONS = ((1, 1),)

#: Our page: focuses the terminal on load and fetches nothing from any other host.
TEMPLATES = Path(__file__).parent / "templates"

log = logging.getLogger("textual-serve")

#: How much of a tab app's stderr is kept for the server's output when the app ends.
STDERR_KEPT = 64 * 1024


def textual_serve_version() -> tuple[int, int]:
    """The installed textual-serve's (major, minor)."""
    major, minor, *_ = version("textual-serve").split(".")
    return int(major), int(minor)


class KeptStderr:
    """An app's stderr as textual-serve reads it, keeping at most `limit` bytes.

    textual-serve appends all an app writes to stderr to a buffer it prints when the app
    ends. Past the limit this goes on reading, so the app never blocks on a full pipe, drops
    the rest and ends with one line saying how much went.

    Args:
        stream: The app's stderr pipe.
        limit: Bytes passed on before dropping.
    """

    def __init__(self, stream: asyncio.StreamReader, limit: int = STDERR_KEPT) -> None:
        self._stream = stream
        self._left = limit
        self._told = False

    async def read(self, n: int = -1) -> bytes:
        """Up to `n` bytes while under the limit; then the rest is read and dropped."""
        if self._left > 0:
            data = await self._stream.read(self._left if n < 0 else min(n, self._left))
            self._left -= len(data)
            return data
        if self._told:
            return b""
        dropped = 0
        while data := await self._stream.read(65536):
            dropped += len(data)
        self._told = True
        return (
            f"\n[gdtui: {dropped:,} more bytes of this app's stderr dropped]\n".encode()
            if dropped
            else b""
        )


class TabApp(AppService):
    """One tab's app: no shell, its own folder, and it dies with the server.

    Args:
        argv: The app's command line.
        folder: Its working folder (where `e` writes).
        env: Variables added to textual-serve's environment for the app.
        preexec: Run in the child before exec (the parent-death signal), if any.
        **kwargs: As for `AppService`.
    """

    def __init__(
        self,
        argv: list[str],
        folder: str,
        env: dict[str, str],
        preexec: Callable[[], None] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = argv
        self.folder = folder
        self.env = env
        self.preexec = preexec

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        environment = self._build_environment(width=width, height=height)
        environment.update(self.env)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=PIPE,
            stdout=PIPE,
            stderr=PIPE,
            env=environment,
            cwd=self.folder,
            preexec_fn=self.preexec,
        )
        assert process.stdin is not None and process.stderr is not None
        self._stdin = process.stdin
        process.stderr = cast(asyncio.StreamReader, KeptStderr(process.stderr))
        return process

    @property
    def pid(self) -> int | None:
        """The app's process id, once started."""
        return None if self._process is None else self._process.pid

    async def run(self) -> None:
        await super().run()
        # The app has gone (q, a crash, or killed): its tab must not stay open on nothing.
        await self.remote_close()

    async def end(self, grace: float = QUIT_GRACE) -> None:
        """Ask the app to quit; kill it if it has not gone within `grace` seconds."""
        process = self._process
        if process is not None and process.returncode is None:
            await self.send_meta({"type": "quit"})
            try:
                await asyncio.wait_for(process.wait(), grace)
            except TimeoutError:
                process.kill()
                await process.wait()
        await self.stop()


class WebServer(Server):
    """textual-serve's server with gdtui's limits.

    Args:
        config: How to serve.
    """

    def __init__(self, config: WebConfig) -> None:
        super().__init__(
            " ".join(config.argv),
            host=config.host,
            port=config.port,
            title="gdtui",
            public_url=config.public_url,
            templates_path=TEMPLATES,
        )
        self.config = config
        self.tabs: dict[TabApp, web.WebSocketResponse] = {}
        """The apps running, each with its tab's websocket."""
        self._preexec = die_with_parent()
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen from the running event loop (`serve` runs its own loop until a signal)."""
        self._runner = web.AppRunner(await self._make_app(), handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()

    async def close(self) -> None:
        """Stop listening and end every tab (after `start`)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def on_startup(self, app: web.Application) -> None:
        self.console.print(
            f"gdtui serve web: {self.public_url} (at most {self.config.max_sessions} tabs)",
            highlight=False,
        )

    async def on_shutdown(self, app: web.Application) -> None:
        """End every app at once, so that stopping takes seconds whatever is open."""
        tabs = list(self.tabs.items())
        if tabs:
            log.info("stopping: ending %d tab(s)", len(tabs))
        await asyncio.gather(
            *(websocket.close(code=WSCloseCode.GOING_AWAY) for _, websocket in tabs),
            *(tab.end() for tab, _ in tabs),
            return_exceptions=True,
        )

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One tab: check where it comes from and whether there is room, then run its app."""
        origin = request.headers.get("Origin")
        if not origin_allowed(origin, self.public_url):
            log.warning("refused a websocket from origin %r", origin)
            raise web.HTTPForbidden(text="gdtui: this page may not open an app here\n")
        # A page that never answers a close must not hold a stopping server for aiohttp's
        # default 10 s: the close handshake gets the apps' grace, no more.
        websocket = web.WebSocketResponse(
            heartbeat=15, max_msg_size=MAX_MESSAGE_BYTES, timeout=QUIT_GRACE
        )
        await websocket.prepare(request)
        if len(self.tabs) >= self.config.max_sessions:
            log.warning("refused a tab: %d open, the most allowed", len(self.tabs))
            await websocket.send_bytes(
                b"\r\n  gdtui: the class is full "
                + f"({self.config.max_sessions} tabs are open). ".encode()
                + b"Try again in a minute.\r\n"
            )
            await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER)
            return websocket
        width, height = clamp_size(request.query.get("width"), request.query.get("height"))
        folder = tempfile.mkdtemp(prefix="gdtui-web-")
        tab = TabApp(
            self.config.argv,
            folder,
            self.config.app_env,
            self._preexec,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        self.tabs[tab] = websocket  # before any await: the cap above must count this tab
        try:
            await tab.start(width, height)
            await self._relay(websocket, tab)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # one tab's failure must not reach the server
            log.warning("a tab failed: %s", error)
        finally:
            await tab.end()
            del self.tabs[tab]
            shutil.rmtree(folder, ignore_errors=True)
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse, tab: TabApp) -> None:
        """Pass the page's messages to the app, dropping any that is not well formed, and
        keys and pastes beyond their budgets (the app reads input eagerly: a flood of keys
        would grow it by gigabytes)."""
        keys = KeyBudget()  # the SSH server's: events at a human rate, pastes whole
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                dropped = keys.dropped
                admitted = keys.admit(data.encode("utf-8", "replace"), time.monotonic())
                if admitted:
                    await tab.send_bytes(admitted)
                if keys.dropped and not dropped:  # the first time only
                    log.warning("a tab sends input faster than anyone types: dropping it")
            elif kind == "resize" and isinstance(data, dict):
                await tab.set_terminal_size(*clamp_size(data.get("width"), data.get("height")))
            elif kind == "ping" and isinstance(data, str) and len(data) <= 32:
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await tab.blur()
            elif kind == "focus":
                await tab.focus()
