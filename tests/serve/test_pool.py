"""Apps started ahead of logins (`gdtui.serve.pool`): what a login gets from the pool is what
it would get from a fresh start, the pool keeps within the session cap, replaces apps that
die, and goes with the server."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest

from gdtui.serve.ssh import AppServer
from tests.serve.conftest import GDTUI, TIMEOUT, StartServer, open_screen, pid_alive, plain
from tests.serve.pool_child import PAINTED_FOR_NOBODY


async def pooled_server(serve: StartServer, pool: int, **options: Any) -> AppServer:
    options.setdefault("pooled_entry", "tests.serve.pool_child")
    server = await serve(spawn="fork", pool=pool, **options)
    assert server.pool is not None
    await asyncio.wait_for(server.pool.filled.wait(), TIMEOUT * 3)
    return server


def waiting_pids(server: AppServer) -> set[int]:
    assert server.pool is not None
    return {app.child.pid for app in server.pool.waiting}


async def env_of(server: AppServer, sent: dict[str, str], size: tuple[int, int]) -> Any:
    """The stand-in's environment, pid, size and whole output, for a login sending `sent`."""
    conn, chan, screen = await open_screen(server, size=size, env=sent)
    async with conn:
        pid = int((await screen.wait_for(rb"ready:(\d+)"))[1])
        shown_size = (await screen.wait_for(rb"size:(\d+x\d+)"))[1].decode()
        chan.write(b"e")
        env = json.loads((await screen.wait_for(rb"env:(\{.*?\})\r\n"))[1])
    return env, pid, shown_size, bytes(screen.data)


async def test_a_login_from_the_pool_gets_a_fresh_starts_environment_and_size(
    serve: StartServer,
) -> None:
    sent = {"LD_PRELOAD": "/tmp/evil.so", "PYTHONPATH": "/tmp/evil", "LANG": "xx_XX"}
    fresh = await serve(spawn="fork")
    expected, _, _, _ = await env_of(fresh, sent, (101, 33))
    server = await pooled_server(serve, 2)
    ahead = waiting_pids(server)
    env, pid, size, output = await env_of(server, sent, (101, 33))
    assert pid in ahead  # it did come from the pool
    assert size == "101x33"
    assert env == expected
    assert env["TERM"] == "xterm-256color"
    assert "LD_PRELOAD" not in env and env.get("LANG") != "xx_XX"
    assert PAINTED_FOR_NOBODY.encode() not in output


@pytest.mark.parametrize(
    "sent", [{"COLORTERM": "truecolor"}, {"NO_COLOR": "1"}, {"COLORTERM": "24bit"}]
)
async def test_a_login_with_other_colours_starts_its_own_app(
    serve: StartServer, sent: dict[str, str]
) -> None:
    server = await pooled_server(serve, 1)
    ahead = waiting_pids(server)
    env, pid, size, output = await env_of(server, sent, (90, 20))
    assert pid not in ahead and waiting_pids(server) == ahead
    assert size == "90x20" and all(env[k] == v for k, v in sent.items())


async def test_apps_ahead_and_sessions_stay_within_the_session_cap(serve: StartServer) -> None:
    server = await pooled_server(serve, 5, max_sessions=3)
    assert server.pool is not None
    assert len(server.pool.waiting) == 3
    seen: list[int] = []

    async def count() -> None:
        assert server.pool is not None
        while True:
            seen.append(len(server.sessions) + len(server.pool.waiting) + server.pool.starting)
            await asyncio.sleep(0.01)

    counting = asyncio.create_task(count())
    logins = [await open_screen(server) for _ in range(2)]
    for _, _, screen in logins:
        await screen.wait_for(rb"ready:\d+")
    await asyncio.sleep(0.5)
    counting.cancel()
    assert max(seen) <= 3
    assert len(server.sessions) == 2 and len(server.pool.waiting) <= 1
    for conn, _, _ in logins:
        conn.close()
    # Sessions gone, the pool takes their room again.
    async with asyncio.timeout(TIMEOUT * 3):
        while len(server.pool.waiting) < 3:
            await asyncio.sleep(0.05)


async def test_an_app_that_dies_while_waiting_is_replaced(serve: StartServer) -> None:
    server = await pooled_server(serve, 2)
    assert server.pool is not None
    victim = server.pool.waiting[0].child
    victim.signal(9)
    async with asyncio.timeout(TIMEOUT * 3):
        while len(server.pool.waiting) < 2 or victim.pid in waiting_pids(server):
            await asyncio.sleep(0.05)
    assert server.pool.replaced == 1
    assert not pid_alive(victim.pid)
    conn, chan, screen = await open_screen(server)  # and logins still get apps
    async with conn:
        await screen.wait_for(rb"ready:\d+")


async def test_the_servers_shutdown_ends_the_apps_waiting(serve: StartServer) -> None:
    server = await pooled_server(serve, 3)
    pids = waiting_pids(server)
    assert len(pids) == 3 and all(pid_alive(pid) for pid in pids)
    await server.close()
    assert not any(pid_alive(pid) for pid in pids)


async def test_no_pool_in_a_classroom(serve: StartServer) -> None:
    server = await serve(spawn="fork", pool=2, teacher_password="t")
    assert server.pool is None


# -- the real app ----------------------------------------------------------------------------


#: SGR codes that set one of the 16 colours (39 and 49, the defaults, are not colours).
COLOUR_CODES = {*range(30, 38), *range(40, 48), *range(90, 98), *range(100, 108)}


def colours(output: bytes) -> set[tuple[bytes, ...]]:
    """The colours a screen's escape sequences set, foreground and background (a colour
    may come with others in one sequence, or alone when only it changed)."""
    found: set[tuple[bytes, ...]] = set()
    for params in re.findall(rb"\x1b\[([0-9;]*)m", output):
        codes = params.split(b";")
        while codes:
            code = codes.pop(0)
            if code in (b"38", b"48"):  # 38;5;n or 38;2;r;g;b
                size = 2 if codes[:1] == [b"5"] else 4
                found.add((code, *codes[:size]))
                del codes[:size]
            elif code.isdigit() and int(code) in COLOUR_CODES:
                found.add((code,))
    return found


async def first_screen(server: AppServer, env: dict[str, str]) -> bytes:
    conn, chan, screen = await open_screen(server, size=(100, 30), env=env)
    async with conn:
        await screen.wait_for(rb"step 0", timeout=60)
        await screen.wait_for(rb"quit", timeout=60)
        await asyncio.sleep(1.0)
        return bytes(screen.data)


async def test_gdtui_from_the_pool_paints_as_a_fresh_start_does(serve: StartServer) -> None:
    env = {"LANG": "C.UTF-8"}
    fresh = await first_screen(await serve(spawn="fork", command=GDTUI), env)
    server = await pooled_server(serve, 1, command=GDTUI, pooled_entry="gdtui.serve.pool")
    ahead = waiting_pids(server)
    pooled = await first_screen(server, env)
    assert ahead and not ahead & waiting_pids(server)  # it came from the pool
    assert b"\x1b[30;1H" in pooled  # painted at the client's size, not the guessed 80x24
    assert colours(pooled) == colours(fresh)
    # It set up the client's terminal as a fresh start does (modes, queries), once.
    assert pooled.startswith(b"\x1b[?1049h") and pooled.count(b"\x1b[?1049h") == 1
    # Laid out at 100 columns before the one paint the client gets: the title fits there,
    # as a fresh start at 100 columns shows it, not cut as at the guessed 80.
    title = "hours studied vs passing"
    assert title in plain(fresh) and title in plain(pooled) and "vs pas…" not in plain(pooled)
