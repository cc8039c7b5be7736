"""`gdtui serve`: flags, the host key, the start-up banner, and stopping on a signal."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import signal
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from gdtui.serve import hostkey
from gdtui.serve.cli import serve
from tests.serve.conftest import TIMEOUT, Screen, gone


@pytest.mark.parametrize(
    "argv",
    [
        ["ssh", "--bogus"],
        ["ssh", "--port", "99999"],
        ["ssh", "--port", "http"],
        ["ssh", "--max-sessions", "0"],
        ["ssh", "--max-per-ip", "-1"],
        ["ssh", "--idle-timeout", "soon"],
        ["ssh", "--login-timeout", "0"],
        ["ssh", "--max-logins", "none"],
        ["ssh", "--pool", "-1"],
        ["ssh", "--pool", "many"],
        ["ssh", "--password", "a", "--authorized-keys", "keys"],
        ["ssh", "--password", ""],
        ["ssh", "--scenario", "no-such-lesson"],
        ["ssh", "--authorized-keys", "/nonexistent/authorized_keys"],
        ["web", "--host", "0.0.0.0"],
        ["telnet"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv: list[str], tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    status = serve([*argv, "--host-key", str(tmp_path / "key")] if argv[0] == "ssh" else argv,
                   out, err)  # fmt: skip
    assert status == 2
    assert err.getvalue().count("\n") == 1 and "Traceback" not in err.getvalue()


def test_the_web_help_says_there_is_no_authentication(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        serve(["web", "--help"])
    assert exit.value.code == 0
    assert "NO AUTHENTICATION" in " ".join(capsys.readouterr().out.split())


def test_an_unreadable_host_key_is_one_line(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text("not a key")
    err = io.StringIO()
    assert serve(["ssh", "--host-key", str(key)], io.StringIO(), err) == 2
    assert str(key) in err.getvalue() and err.getvalue().count("\n") == 1


def test_the_host_key_is_made_once_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "key"
    first = hostkey.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.algorithm == b"ssh-ed25519"
    again = hostkey.load_or_create(path)
    assert hostkey.fingerprint(again) == hostkey.fingerprint(first)


def test_the_host_key_lives_in_the_users_data_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert hostkey.default_path() == tmp_path / "gdtui" / "ssh_host_ed25519_key"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert hostkey.default_path() == tmp_path / ".local/share/gdtui/ssh_host_ed25519_key"


async def start_server(tmp_path: Path, *flags: str) -> tuple[asyncio.subprocess.Process, str]:
    """`gdtui serve ssh` on a free port; the process and its banner, once it listens."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gdtui", "serve", "ssh", "--port", "0",
        "--host-key", str(tmp_path / "key"), *flags,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "XDG_DATA_HOME": str(tmp_path)},
    )  # fmt: skip
    assert process.stdout is not None
    banner = ""
    async with asyncio.timeout(TIMEOUT):
        while "students:" not in banner:
            banner += (await process.stdout.readline()).decode()
    return process, banner


async def test_start_up_shows_the_fingerprint_and_reuses_the_key(tmp_path: Path) -> None:
    fingerprints = []
    for _ in range(2):
        process, banner = await start_server(tmp_path)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), TIMEOUT) == 0
        fingerprints.append(re.search(r"host key (SHA256:\S+)", banner)[1])  # type: ignore[index]
    assert fingerprints[0] == fingerprints[1]
    assert "listening on 127.0.0.1:" in banner


async def test_binding_beyond_loopback_without_a_login_warns(tmp_path: Path) -> None:
    process, banner = await start_server(tmp_path, "--host", "0.0.0.0")
    process.send_signal(signal.SIGINT)
    _, err = await asyncio.wait_for(process.communicate(), TIMEOUT)
    assert b"warning" in err and b"no authentication" in err


async def test_the_login_flags_reach_the_server(tmp_path: Path) -> None:
    process, banner = await start_server(tmp_path, "--login-timeout", "1", "--max-logins", "1")
    port = int(re.search(r"listening on 127\.0\.0\.1:(\d+)", banner)[1])  # type: ignore[index]
    loop = asyncio.get_running_loop()
    try:
        _, first = await asyncio.open_connection("127.0.0.1", port)
        await asyncio.sleep(0.2)
        # A second waiting connection is past --max-logins: the first, silent, makes way.
        reader, second = await asyncio.open_connection("127.0.0.1", port)
        start = loop.time()
        async with asyncio.timeout(TIMEOUT):
            while await reader.read(65536):  # its version line, then closed by the timeout
                pass
        assert loop.time() - start < 5
        first.close()
        second.close()
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
    assert b"made way for a new connection" in out


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
async def test_a_signal_ends_every_session_cleanly(tmp_path: Path, signum: int) -> None:
    process, banner = await start_server(tmp_path)
    port = int(re.search(r"listening on \S+:(\d+)", banner)[1])  # type: ignore[index]
    async with app_screen(port) as (chan, screen):
        process.send_signal(signum)
        await asyncio.wait_for(chan.wait_closed(), TIMEOUT)
    assert b"the server is shutting down" in screen.data
    assert b"\x1b[?1049l" in screen.data[-300:]
    assert await asyncio.wait_for(process.wait(), TIMEOUT) == 0


@contextlib.asynccontextmanager
async def app_screen(port: int) -> AsyncIterator[tuple[Any, Screen]]:
    """A login to the server on `port`, once the app's first screen has arrived."""
    async with asyncssh.connect("127.0.0.1", port, known_hosts=None, client_keys=None,
                                agent_path=None, username="s") as conn:  # fmt: skip
        chan, screen = await conn.create_session(
            Screen, term_type="xterm", term_size=(80, 24), encoding=None
        )
        await screen.wait_for(rb"step", timeout=30)
        yield chan, screen


def _descendants(pid: int) -> list[int]:
    """Every process below `pid` (the apps, and a fork server if there is one)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            with open(f"/proc/{parent}/task/{parent}/children") as children:
                kids = [int(c) for c in children.read().split()]
        except OSError:
            continue
        todo.extend(kids)
        found.extend(kids)
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize("spawn", ["fork", "exec"])
async def test_a_killed_server_takes_its_sessions_with_it(tmp_path: Path, spawn: str) -> None:
    process, banner = await start_server(tmp_path, "--spawn", spawn)
    port = int(re.search(r"listening on \S+:(\d+)", banner)[1])  # type: ignore[index]
    async with app_screen(port):
        below = _descendants(process.pid)
        assert any(os.getsid(pid) == pid for pid in below)  # an app, in its own session
        process.kill()  # SIGKILL: no clean-up of its own
        await process.wait()
        assert all([await gone(pid, within=5) for pid in below])
