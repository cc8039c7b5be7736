"""Shared pieces for the serve tests: a host key, servers on free ports, a client screen."""

from __future__ import annotations

import asyncio
import io
import os
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from gdtui.serve.ssh import AppServer, SSHConfig

#: The stand-in app: fast to start, answers keys with one line each.
ECHO = [sys.executable, str(Path(__file__).with_name("echo_child.py"))]

#: The real app.
GDTUI = [sys.executable, "-m", "gdtui"]

#: The repository, for a fork server that must import the stand-in app.
ROOT = Path(__file__).resolve().parents[2]

#: Both ways a session's app can start.
SPAWNS = ["exec", "fork"]

#: Generous for a loaded CI machine; a passing run waits far less.
TIMEOUT = 20.0


@pytest.fixture(scope="session")
def host_key() -> Any:
    return asyncssh.generate_private_key("ssh-ed25519")


StartServer = Callable[..., Awaitable[AppServer]]


@pytest.fixture
async def serve(host_key: Any) -> AsyncIterator[StartServer]:
    """A factory for servers on free ports, all closed after the test."""
    servers: list[AppServer] = []

    async def start(spawn: str = "exec", **options: Any) -> AppServer:
        options.setdefault("command", ECHO)
        options.setdefault("failure_delay", 0.0)
        options.setdefault("hangup_grace", 1.0)
        if spawn == "fork":
            # The same app, forked from a warm fork server instead of exec'd.
            entry = "tests.serve.echo_child" if options["command"] == ECHO else "gdtui.__main__"
            options.update(fork_args=[], fork_entry=entry)
            options["child_env"] = {"PYTHONPATH": str(ROOT)}
        server = AppServer(SSHConfig(host_key=host_key, port=0, **options), log=io.StringIO())
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.close()


def log_of(server: AppServer) -> str:
    """What the server logged so far."""
    log = server._log
    assert isinstance(log, io.StringIO)
    return log.getvalue()


class Screen(asyncssh.SSHClientSession):
    """A client session that keeps everything it receives."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.errors = bytearray()
        self.changed = asyncio.Event()
        self.closed = asyncio.Event()

    def data_received(self, data: bytes, datatype: int | None) -> None:
        (self.errors if datatype == asyncssh.EXTENDED_DATA_STDERR else self.data).extend(data)
        self.changed.set()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed.set()
        self.changed.set()

    async def wait_for(self, pattern: bytes, start: int = 0, timeout: float = TIMEOUT) -> re.Match:
        """The first match of `pattern` in the output from `start` on, waiting for it."""
        regex = re.compile(pattern)
        async with asyncio.timeout(timeout):
            while True:
                match = regex.search(self.data, start)
                if match:
                    return match
                # Only new output can match now (patterns here are shorter than 4 KiB).
                start = max(start, len(self.data) - 4096)
                if self.closed.is_set():
                    raise AssertionError(f"closed before {pattern!r}: {bytes(self.data)[-400:]!r}")
                self.changed.clear()
                await self.changed.wait()

    def text(self, start: int = 0) -> str:
        """The output from `start` on with escape sequences removed."""
        return plain(bytes(self.data[start:]))


def plain(data: bytes) -> str:
    """Terminal output as text: escape sequences removed."""
    text = data.decode("utf-8", "replace")
    text = re.sub(r"\x1b\][^\x07\x1b]*(\x07|\x1b\\)", "", text)
    text = re.sub(r"\x1bP[^\x1b]*\x1b\\", "", text)
    return re.sub(r"\x1b\[[0-9;?<>=$]*[A-Za-z~]|\x1b[=>()][0-9A-B]?", "", text)


async def open_screen(
    server: AppServer,
    username: str = "student",
    size: tuple[int, int] = (80, 24),
    env: dict[str, str] | None = None,
    **connect: Any,
) -> tuple[Any, Any, Screen]:
    """Log in and start an interactive session: (connection, channel, screen)."""
    connect.setdefault("known_hosts", None)
    connect.setdefault("client_keys", None)
    connect.setdefault("agent_path", None)
    conn = await asyncssh.connect("127.0.0.1", server.port, username=username, **connect)
    chan, screen = await conn.create_session(
        Screen, term_type="xterm-256color", term_size=size, encoding=None, env=env or {}
    )
    return conn, chan, screen


def pid_alive(pid: int) -> bool:
    """Whether a process exists (a zombie counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


async def gone(pid: int, within: float = 5.0) -> bool:
    """Whether the process is gone within `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        if not pid_alive(pid):
            return True
        await asyncio.sleep(0.05)
    return not pid_alive(pid)


class Stuck(asyncssh.SSHClient):
    """A client that starts to log in and never finishes (a password never typed)."""

    async def password_auth_requested(self) -> str:
        await asyncio.sleep(3600)
        return ""


async def stuck(server: AppServer, source: str = "127.0.0.1") -> asyncio.Task[Any]:
    """A connection that has started to log in and waits; running until cancelled."""

    async def run() -> None:
        async with asyncssh.connect(
            "127.0.0.1",
            server.port,
            username="s",
            client_factory=Stuck,
            local_addr=(source, 0),
            known_hosts=None,
            client_keys=None,
            agent_path=None,
        ):
            pass

    task = asyncio.create_task(run())
    async with asyncio.timeout(TIMEOUT):
        while not any(c.auth_begun for c in server.connections):
            await asyncio.sleep(0.05)
    return task
