"""One unfriendly client cannot take the class down: each attack of issue 11, with a real
client (asyncssh's here; OpenSSH's in test_openssh.py), bounded in time and count, on
loopback. Other loopback addresses (127.0.0.2, ...) stand in for other machines."""

from __future__ import annotations

import asyncio
import gc
import json
import re
import socket
import weakref
from collections.abc import AsyncIterator
from typing import Any

import asyncssh
import pytest

from gdtui.classroom.link import LINE_LIMIT, ClassroomLink, Counts
from gdtui.lesson.actions import Step
from gdtui.serve import ssh
from gdtui.serve.classroom import Hub
from gdtui.serve.limits import KEY_BURST, KEY_RATE, MAX_COLUMNS, MAX_ROWS, PASTE_END, PASTE_START
from gdtui.serve.pty import POP_KEYBOARD, RESTORE_TERMINAL
from tests.serve.conftest import (
    GDTUI,
    TIMEOUT,
    StartServer,
    log_of,
    open_screen,
    pid_alive,
    stuck,
)

CLIENT = {"known_hosts": None, "client_keys": None, "agent_path": None}


async def ready(screen: Any) -> int:
    return int((await screen.wait_for(rb"ready:(\d+)"))[1])


@pytest.fixture
async def loop_errors() -> AsyncIterator[list[dict[str, Any]]]:
    """What reaches the event loop's exception handler (tracebacks a server would log)."""
    loop = asyncio.get_running_loop()
    errors: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _, context: errors.append(context))
    yield errors
    loop.set_exception_handler(None)


# -- 1. huge windows -----------------------------------------------------------------------------


@pytest.mark.parametrize("spawn", ["exec", "fork"])
async def test_a_huge_window_at_login_is_clamped_and_the_user_told(
    serve: StartServer, spawn: str
) -> None:
    server = await serve(spawn=spawn)
    conn, chan, screen = await open_screen(server, size=(70000, 65535))
    async with conn:
        await screen.wait_for(rb"size:(\d+)x(\d+)")
        assert re.search(rb"size:(\d+)x(\d+)", screen.data)[0] == (  # type: ignore[index]
            f"size:{MAX_COLUMNS}x{MAX_ROWS}".encode()
        )
        chan.write(b"q")
        await chan.wait_closed()
    assert chan.get_exit_status() == 3
    assert f"the app uses at most {MAX_COLUMNS}x{MAX_ROWS}".encode() in screen.errors


async def test_huge_resizes_are_clamped_and_told_once(serve: StartServer) -> None:
    server = await serve()
    conn, chan, screen = await open_screen(server)
    async with conn:
        await ready(screen)
        for size in [(65535, 65535), (2**32 - 1, 3), (120, 40)]:
            mark = len(screen.data)
            chan.change_terminal_size(*size)
            columns, rows = min(size[0], MAX_COLUMNS), min(size[1], MAX_ROWS)
            await screen.wait_for(f"size:{columns}x{rows}".encode(), mark)
        chan.write(b"q")
        await chan.wait_closed()
    assert chan.get_exit_status() == 3  # the connection lived through every size
    assert screen.errors.count(b"the app uses at most") == 1


# -- 2. keystroke floods -------------------------------------------------------------------------


async def test_a_key_flood_is_cut_to_the_budget_and_q_still_works(serve: StartServer) -> None:
    server = await serve()
    conn, chan, screen = await open_screen(server)
    async with conn:
        await ready(screen)
        chan.write(b"m")  # the child counts keys from here on
        loop = asyncio.get_running_loop()
        start = loop.time()
        chan.write(b"z" * 1_000_000)
        await asyncio.sleep(0.5)  # the budget refills a little: the next keys get through
        chan.write(b"c")
        count = int((await screen.wait_for(rb"count:(\d+)"))[1])
        elapsed = loop.time() - start
        assert KEY_BURST - 1 <= count <= KEY_BURST + KEY_RATE * elapsed
        chan.write(b"q")
        await asyncio.wait_for(chan.wait_closed(), TIMEOUT)
    assert chan.get_exit_status() == 3
    assert re.search(r"dropped \d+ bytes of keys from role=student", log_of(server))


async def test_a_megabyte_paste_arrives_whole(serve: StartServer) -> None:
    server = await serve()
    conn, chan, screen = await open_screen(server)
    async with conn:
        await ready(screen)
        chan.write(b"m")
        chan.write(PASTE_START + b"p" * 1_000_000 + PASTE_END)
        chan.write(b"c")
        count = int((await screen.wait_for(rb"count:(\d+)"))[1])
        chan.write(b"q")
        await asyncio.wait_for(chan.wait_closed(), TIMEOUT)
    assert count == 1_000_000 + len(PASTE_START) + len(PASTE_END)


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return kb / 1024


async def test_gdtui_survives_a_megabyte_of_unbound_keys_and_quits(serve: StartServer) -> None:
    server = await serve(command=GDTUI)
    conn, chan, screen = await open_screen(server)
    async with conn:
        await screen.wait_for(rb"step", timeout=30)
        (session,) = server.sessions
        assert session.child is not None
        pid = session.child.pid
        before = peak = _rss_mb(pid)
        for _ in range(4):
            chan.write(b"%" * 250_000)
            await asyncio.sleep(0.5)
            peak = max(peak, _rss_mb(pid))
        await asyncio.sleep(1)
        chan.write(b"q")
        await asyncio.wait_for(chan.wait_closed(), 30)
    assert chan.get_exit_status() == 0
    # Unbudgeted, this flood grew the app to 2.4 GB; within the budget it is a few events.
    assert peak - before < 100, (before, peak)


# -- 3. idle connections before login ------------------------------------------------------------


def idle_sockets(port: int, count: int, source: str) -> list[socket.socket]:
    """TCP connections that never say a word."""
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), source_address=(source, 0))
        sockets.append(sock)
    return sockets


async def test_idle_sockets_from_other_addresses_do_not_lock_anyone_out(
    serve: StartServer,
) -> None:
    # Three addresses fill the waiting cap with idle sockets (as 120 sockets from 7
    # addresses once locked a class out for a minute).
    server = await serve(max_per_ip=3, max_logins=5)
    held = [s for a in ("127.0.0.2", "127.0.0.3", "127.0.0.4") for s in idle_sockets(
        server.port, 3, a)]  # fmt: skip
    try:
        await asyncio.sleep(0.3)
        conn, chan, screen = await open_screen(server, local_addr=("127.0.0.1", 0))
        async with conn:
            await ready(screen)
    finally:
        for sock in held:
            sock.close()


async def test_idle_sockets_make_way_for_a_real_login_from_their_address(
    serve: StartServer,
) -> None:
    # A class behind one NAT shares an address: one student's idle sockets must not stop
    # the others from logging in.
    server = await serve(max_per_ip=3, max_sessions=2)
    held = idle_sockets(server.port, 3, "127.0.0.1")
    try:
        await asyncio.sleep(0.3)
        first = await open_screen(server)
        second = await open_screen(server)
        for conn, _, screen in (first, second):
            await ready(screen)
            conn.close()
    finally:
        for sock in held:
            sock.close()
    assert "made way for a new connection" in log_of(server)


async def test_a_connection_that_does_not_log_in_is_closed_after_the_login_timeout(
    serve: StartServer,
) -> None:
    server = await serve(login_timeout=1)
    loop = asyncio.get_running_loop()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    start = loop.time()
    async with asyncio.timeout(TIMEOUT):
        while await reader.read(65536):  # the server's version line, then the end
            pass
    assert loop.time() - start < 5
    writer.close()


async def test_past_the_cap_a_client_is_told_why_in_words(serve: StartServer) -> None:
    server = await serve(password="letmein", max_per_ip=1)
    waiting = await stuck(server)
    try:
        with pytest.raises(asyncssh.DisconnectError, match="the server is busy"):
            await open_screen(server, password="letmein")
        # Another address still gets in, and sessions do not count the waiting.
        conn, chan, screen = await open_screen(
            server, password="letmein", local_addr=("127.0.0.2", 0)
        )
        async with conn:
            await ready(screen)
    finally:
        waiting.cancel()


# -- 4. logged in without a session --------------------------------------------------------------


async def test_a_connection_without_a_session_is_closed(serve: StartServer) -> None:
    server = await serve(session_wait=1)
    loop = asyncio.get_running_loop()
    conn = await asyncssh.connect("127.0.0.1", server.port, username="s", **CLIENT)
    start = loop.time()
    async with asyncio.timeout(TIMEOUT):
        await conn.wait_closed()
    assert 0.9 <= loop.time() - start < 5
    assert 'closed role=student user="s"' in log_of(server) and "no session" in log_of(server)
    assert not server.connections


async def test_a_connection_kept_after_its_session_ends_is_closed(serve: StartServer) -> None:
    server = await serve(session_wait=1)
    async with asyncssh.connect("127.0.0.1", server.port, username="s", **CLIENT) as conn:
        result = await conn.run("true")  # refused; the client keeps the connection
        assert result.exit_status == 1
        async with asyncio.timeout(TIMEOUT):
            await conn.wait_closed()


async def test_a_running_session_is_not_closed_for_want_of_one(serve: StartServer) -> None:
    server = await serve(session_wait=0.5)
    conn, chan, screen = await open_screen(server)
    async with conn:
        await ready(screen)
        await asyncio.sleep(1.5)
        chan.write(b"s")
        await screen.wait_for(rb"size:80x24", len(screen.data) - 20)
        chan.write(b"q")
        await chan.wait_closed()
    assert chan.get_exit_status() == 3


# -- 5. client environment -----------------------------------------------------------------------


async def test_the_server_keeps_only_the_clients_few_short_variables(
    serve: StartServer,
) -> None:
    server = await serve()
    env = {f"JUNK{i}": "x" * 30_000 for i in range(100)}
    env.update(COLORTERM="truecolor", NO_COLOR="y" * 1000, TERM="evil")
    conn, chan, screen = await open_screen(server, env=env)
    async with conn:
        await ready(screen)
        (session,) = server.sessions
        assert session.client_env == {"COLORTERM": "truecolor", "TERM": "evil"}
        assert session.chan is not None and not session.chan.get_environment()
        chan.write(b"e")
        child_env = json.loads((await screen.wait_for(rb"env:(\{.*?\})\r\n"))[1])
    assert child_env["TERM"] == "xterm-256color"  # the pty's type, not the variable
    assert child_env["COLORTERM"] == "truecolor" and "NO_COLOR" not in child_env


async def test_finished_sessions_are_freed_without_the_cycle_collector(
    serve: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = await serve()
    made: list[weakref.ref[Any]] = []
    original = ssh.AppSession.__init__

    def remember(self: ssh.AppSession, connection: Any) -> None:
        original(self, connection)
        made.extend((weakref.ref(self), weakref.ref(connection)))

    monkeypatch.setattr(ssh.AppSession, "__init__", remember)
    gc.collect()
    gc.disable()
    try:
        for _ in range(10):
            conn, chan, screen = await open_screen(server)
            async with conn:
                await ready(screen)
                chan.write(b"q")
                await chan.wait_closed()
        await asyncio.sleep(0.3)
        alive = [type(ref()).__name__ for ref in made if ref() is not None]
    finally:
        gc.enable()
    assert len(made) == 20 and alive == []


# -- 6. password guessing ------------------------------------------------------------------------


async def guess(server: ssh.AppServer, password: str, source: str = "127.0.0.1") -> bool:
    """One login with one password: whether it got in."""
    try:
        conn = await asyncssh.connect("127.0.0.1", server.port, username="s", password=password,
                                      local_addr=(source, 0), **CLIENT)  # fmt: skip
    except asyncssh.PermissionDenied:
        return False
    conn.close()
    return True


async def test_an_address_over_its_failure_budget_is_not_checked_until_forgiven(
    serve: StartServer,
) -> None:
    server = await serve(password="letmein", address_failures=3, address_failure_period=2.0)
    for attempt in range(3):
        assert not await guess(server, f"guess{attempt}")
    assert not await guess(server, "letmein")  # right, but from a guessing address
    assert await guess(server, "letmein", source="127.0.0.2")
    assert "too many wrong passwords from this address" in log_of(server)
    await asyncio.sleep(2.1)  # one failure forgiven
    assert await guess(server, "letmein")


async def test_guessing_from_many_addresses_meets_the_global_budget(
    serve: StartServer,
) -> None:
    server = await serve(password="letmein", all_failures=4, all_failure_period=60.0)
    for attempt in range(4):
        assert not await guess(server, f"guess{attempt}", source=f"127.0.0.{attempt + 2}")
    assert not await guess(server, "letmein", source="127.0.0.9")
    assert "too many wrong passwords from all addresses" in log_of(server)


# -- 7. logs -------------------------------------------------------------------------------------


async def test_a_user_named_like_the_teacher_does_not_log_like_the_teacher(
    serve: StartServer,
) -> None:
    server = await serve(teacher_password="chalk")
    conn, chan, screen = await open_screen(server, username="teacher (teacher)")
    async with conn:
        await ready(screen)
    conn, chan, screen = await open_screen(server, username="teacher", password="chalk")
    async with conn:
        await ready(screen)
    log = log_of(server)
    assert 'connect role=student user="teacher (teacher)" addr=' in log
    assert 'connect role=teacher user="teacher" addr=' in log
    assert log.count("role=teacher") == 1


@pytest.mark.parametrize("kind", ["subsystem", "command"])
async def test_client_strings_reach_the_log_escaped(serve: StartServer, kind: str) -> None:
    server = await serve()
    forged = 'x\x1b]0;owned\x07\n2026-01-01 00:00:00 connect role=teacher user="teacher"'
    async with asyncssh.connect("127.0.0.1", server.port, username="s", **CLIENT) as conn:
        if kind == "subsystem":
            result = await conn.run(subsystem=forged)
        else:
            result = await conn.run(forged)
        assert result.exit_status == 1
    log = log_of(server)
    assert "\x1b" not in log and "\x07" not in log
    lines = log.splitlines()
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", line) for line in lines)
    assert "role=teacher" not in "".join(line.split('"', 1)[0] for line in lines)


# -- 8. an app that dies with keys pending -------------------------------------------------------


async def test_an_app_dying_with_keys_pending_leaves_the_next_session_alone(
    serve: StartServer, loop_errors: list[dict[str, Any]]
) -> None:
    server = await serve()
    conn, chan, screen = await open_screen(server)
    async with conn:
        await ready(screen)
        (session,) = server.sessions
        assert session.child is not None
        fd = session.child.master
        chan.write(b"d")  # the child stops reading, then dies
        # More than the pty holds: the rest waits in the server when the child dies.
        chan.write(PASTE_START + b"Z" * 1_000_000 + PASTE_END)
        async with asyncio.timeout(TIMEOUT):
            while not session._paused:
                await asyncio.sleep(0.01)
        await asyncio.wait_for(chan.wait_closed(), TIMEOUT)
    assert chan.get_exit_status() == 4
    assert not asyncio.get_running_loop().remove_writer(fd)  # nobody left waiting on it
    conn, chan, screen = await open_screen(server)
    async with conn:
        await ready(screen)
        chan.write(b"y")
        await screen.wait_for(rb"key:y")
        chan.write(b"q")
        await chan.wait_closed()
    assert chan.get_exit_status() == 3 and b"key:Z" not in screen.data
    assert loop_errors == []


# -- 9. terminal modes ---------------------------------------------------------------------------


async def test_an_app_the_server_ends_leaves_no_mode_on(serve: StartServer) -> None:
    server = await serve(command=GDTUI)
    conn, chan, screen = await open_screen(server)
    async with conn:
        await screen.wait_for(rb"step", timeout=30)
        await asyncio.sleep(0.5)
        (session,) = server.sessions
        assert session.child is not None
        pid = session.child.pid
        session.child.signal(9)  # the app cannot clean up after itself
        await asyncio.wait_for(chan.wait_closed(), TIMEOUT)
    assert not pid_alive(pid)
    data = bytes(screen.data)
    turned_on = set(re.findall(rb"\x1b\[\?(\d+)h", data)) - {b"7", b"25"}  # 7, 25: on anyway
    assert turned_on >= {b"1049", b"1000", b"1004", b"2004"}  # Textual's, at the least
    tail = data[data.rfind(RESTORE_TERMINAL) :]
    assert tail.startswith(RESTORE_TERMINAL)
    assert all(b"\x1b[?" + mode + b"l" in tail for mode in turned_on)
    assert data.count(b"\x1b[>") == 1 and POP_KEYBOARD in tail  # kitty flags: one push, popped


# -- 10. the hub ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        b"not json\n",
        b"[1, 2]\n",
        b'{"action": 5}\n',
        b'{"action": {"op": "step", "k": "many"}}\n',
        b'{"action": {"op": "goto", "step": 1e999}}\n',
        b'{"action": {"op": "set_optimizer", "kind": "momentum", "params": [1]}}\n',
        b'{"action": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
        b'{"action": "' + b"x" * (3 * LINE_LIMIT) + b'"}\n',
        b'{"nothing": 1}\n',
    ],
    ids=["text", "list", "number", "k-type", "huge-float", "params-type", "deep", "huge", "other"],
)
async def test_the_hub_drops_a_bad_line_with_one_log_line_and_keeps_the_link(
    line: bytes, loop_errors: list[dict[str, Any]]
) -> None:
    logged: list[str] = []
    hub = Hub(log=logged.append)
    await hub.start()
    try:
        teacher_token = hub.register("teacher")
        student = ClassroomLink.from_environment(hub.environment(hub.register("student")))
        assert student is not None
        await student.connect()
        reader, writer = await asyncio.open_unix_connection(hub.path)
        writer.write(json.dumps({"hello": teacher_token}).encode() + b"\n")
        writer.write(line)
        writer.write(b'{"action": {"op": "step", "k": 2}}\n')  # the link still carries
        await writer.drain()
        async with asyncio.timeout(TIMEOUT):
            async for action in student.actions():
                assert action == Step(2)
                break
        writer.close()
        await student.close()
    finally:
        await hub.close()
    assert len(logged) == 1 and logged[0].startswith("hub: rejected a line from a teacher")
    assert loop_errors == []


async def test_a_student_app_sending_garbage_in_a_loop_logs_a_few_lines() -> None:
    logged: list[str] = []
    hub = Hub(log=logged.append)
    await hub.start()
    try:
        reader, writer = await asyncio.open_unix_connection(hub.path)
        writer.write(json.dumps({"hello": hub.register("student")}).encode() + b"\n")
        writer.write(b'{"following": "yes"}\n' * 1000 + b'{"following": false}\n')
        await writer.drain()
        async with asyncio.timeout(TIMEOUT):
            while hub.counts() != Counts(students=1, following=0):  # the last line, read
                await asyncio.sleep(0.01)
        writer.close()
    finally:
        await hub.close()
    assert len(logged) == 5 and "further bad lines go unlogged" in logged[-1]
