"""The SSH bridge, through asyncssh's client: sessions, terminals, refusals, limits."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import asyncssh
import pytest

from gdtui.serve.pty import RESTORE_TERMINAL
from tests.serve.conftest import (
    GDTUI,
    SPAWNS,
    Screen,
    StartServer,
    gone,
    log_of,
    open_screen,
    pid_alive,
)


async def ready_pid(screen: Any) -> int:
    return int((await screen.wait_for(rb"ready:(\d+)"))[1])


# -- the session's terminal ----------------------------------------------------------------------


@pytest.mark.parametrize("spawn", SPAWNS)
async def test_the_child_starts_at_the_clients_size(serve: StartServer, spawn: str) -> None:
    server = await serve(spawn=spawn)
    conn, chan, screen = await open_screen(server, size=(101, 33))
    async with conn:
        await screen.wait_for(rb"size:101x33")


async def test_keys_reach_the_child_one_at_a_time(serve: StartServer) -> None:
    server = await serve()
    conn, chan, screen = await open_screen(server)
    async with conn:
        await ready_pid(screen)
        chan.write(b"z")  # no Enter: a line editor would hold it back
        await screen.wait_for(rb"key:z")


@pytest.mark.parametrize("spawn", SPAWNS)
async def test_a_resize_reaches_the_child(serve: StartServer, spawn: str) -> None:
    server = await serve(spawn=spawn)
    conn, chan, screen = await open_screen(server)
    async with conn:
        await ready_pid(screen)
        chan.change_terminal_size(120, 40)
        await screen.wait_for(rb"size:120x40")


@pytest.mark.parametrize("spawn", SPAWNS)
async def test_the_pty_is_the_childs_controlling_terminal(serve: StartServer, spawn: str) -> None:
    server = await serve(spawn=spawn)
    conn, chan, screen = await open_screen(server)
    async with conn:
        await ready_pid(screen)
        chan.write(b"t")
        facts = json.loads((await screen.wait_for(rb"tty:(\{.*?\})"))[1])
        assert facts == {"ctty": True, "foreground": True, "session_leader": True}


@pytest.mark.parametrize("spawn", SPAWNS)
async def test_the_child_gets_only_allowed_variables_from_the_client(
    serve: StartServer, spawn: str
) -> None:
    server = await serve(spawn=spawn)
    sent = {
        "COLORTERM": "truecolor",
        "NO_COLOR": "1",
        "LD_PRELOAD": "/tmp/evil.so",
        "PYTHONPATH": "/tmp/evil",
        "PYTHONSTARTUP": "/tmp/evil.py",
        "LANG": "xx_XX",
    }
    conn, chan, screen = await open_screen(server, env=sent)
    async with conn:
        await ready_pid(screen)
        chan.write(b"e")
        env = json.loads((await screen.wait_for(rb"env:(\{.*?\})\r\n"))[1])
    assert env["TERM"] == "xterm-256color"
    assert env["COLORTERM"] == "truecolor" and env["NO_COLOR"] == "1"
    assert "LD_PRELOAD" not in env and "PYTHONSTARTUP" not in env
    assert env.get("PYTHONPATH") != "/tmp/evil" and env.get("LANG") != "xx_XX"
    assert "COLUMNS" not in env and "LINES" not in env


@pytest.mark.parametrize("spawn", SPAWNS)
async def test_quitting_the_app_ends_the_session_with_its_status(
    serve: StartServer, spawn: str
) -> None:
    server = await serve(spawn=spawn)
    conn, chan, screen = await open_screen(server)
    async with conn:
        pid = await ready_pid(screen)
        chan.write(b"q")
        await chan.wait_closed()
    assert chan.get_exit_status() == 3
    assert screen.data.endswith(RESTORE_TERMINAL)
    assert await gone(pid)
    assert not server.sessions


async def test_the_app_outlives_the_end_of_the_clients_input(serve: StartServer) -> None:
    server = await serve()
    conn, chan, screen = await open_screen(server)
    async with conn:
        pid = await ready_pid(screen)
        chan.write(b"z")
        chan.write_eof()  # as `printf z | ssh -tt` does after its input
        await screen.wait_for(rb"key:z")
        await asyncio.sleep(0.3)
        assert pid_alive(pid) and server.sessions
    assert await gone(pid)


@pytest.mark.parametrize("spawn", SPAWNS)
async def test_the_server_restores_the_terminal_and_says_why_it_ended(
    serve: StartServer, spawn: str
) -> None:
    server = await serve(spawn=spawn)
    conn, chan, screen = await open_screen(server)
    async with conn:
        pid = await ready_pid(screen)
        await server.close()
        await chan.wait_closed()
    tail = bytes(screen.data[-200:])
    assert RESTORE_TERMINAL in tail and b"the server is shutting down" in tail
    assert not pid_alive(pid)


async def test_an_idle_session_closes_with_a_friendly_message(serve: StartServer) -> None:
    server = await serve(idle_timeout=1)
    conn, chan, screen = await open_screen(server)
    async with conn:
        pid = await ready_pid(screen)
        await asyncio.wait_for(chan.wait_closed(), 10)
    assert b"without a key press" in screen.data
    assert RESTORE_TERMINAL in screen.data
    assert await gone(pid)


@pytest.mark.parametrize("spawn", SPAWNS)
async def test_a_client_that_disconnects_leaves_no_process(serve: StartServer, spawn: str) -> None:
    server = await serve(spawn=spawn)
    conn, chan, screen = await open_screen(server)
    pid = await ready_pid(screen)
    conn.abort()
    assert await gone(pid, within=5)
    await asyncio.sleep(0.1)
    assert not server.sessions


async def test_output_waits_for_a_slow_client_instead_of_piling_up(serve: StartServer) -> None:
    server = await serve()
    conn, chan, screen = await open_screen(server)
    async with conn:
        await ready_pid(screen)
        chan.pause_reading()
        chan.write(b"f")  # 16 MiB, far more than the SSH window and the server's buffers
        await asyncio.sleep(1.5)
        (session,) = server.sessions
        assert session.chan is not None
        assert session.chan.get_write_buffer_size() < 1024 * 1024
        chan.resume_reading()
        await screen.wait_for(rb"flooded", timeout=30)


async def test_without_its_fork_server_the_server_starts_apps_by_exec(
    serve: StartServer,
) -> None:
    server = await serve(spawn="fork")
    assert server.forkserver is not None and server.forkserver._process is not None
    server.forkserver._process.kill()
    await server.forkserver._process.wait()
    conn, chan, screen = await open_screen(server)
    async with conn:
        await ready_pid(screen)
    assert "starting apps by exec" in log_of(server)


async def test_connect_and_disconnect_are_logged_with_user_and_duration(
    serve: StartServer,
) -> None:
    server = await serve()
    conn, chan, screen = await open_screen(server, username="ada")
    async with conn:
        await ready_pid(screen)
    await asyncio.sleep(0.2)
    log = log_of(server)
    stamp = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
    who = r'role=student user="ada" addr=127\.0\.0\.1'
    assert re.search(rf"{stamp} connect {who}$", log, re.M)
    assert re.search(rf"{stamp} disconnect {who} after \d+:\d\d:\d\d$", log, re.M)


async def test_a_long_user_name_is_shortened_in_the_log(serve: StartServer) -> None:
    # Control characters never get this far (asyncssh refuses them, as SASLprep says);
    # the log still shows at most 32 characters of whatever a client calls itself.
    server = await serve()
    conn, chan, screen = await open_screen(server, username="x" * 500)
    async with conn:
        await ready_pid(screen)
    assert "x" * 33 not in log_of(server) and "x" * 32 in log_of(server)


# -- only the app runs ---------------------------------------------------------------------------


async def test_a_command_is_refused_with_a_message(serve: StartServer) -> None:
    server = await serve()
    async with asyncssh.connect("127.0.0.1", server.port, known_hosts=None, client_keys=None,
                                agent_path=None, username="s") as conn:  # fmt: skip
        result = await conn.run("cat /etc/passwd")
    assert result.exit_status == 1
    assert "commands are not allowed" in result.stderr and not result.stdout


async def test_sftp_is_refused(serve: StartServer) -> None:
    server = await serve()
    async with asyncssh.connect("127.0.0.1", server.port, known_hosts=None, client_keys=None,
                                agent_path=None, username="s") as conn:  # fmt: skip
        with pytest.raises((asyncssh.SFTPError, asyncssh.ChannelOpenError, OSError)):
            await conn.start_sftp_client()
        result = await conn.run(subsystem="sftp")
    assert result.exit_status == 1 and '"sftp" subsystem is not available' in result.stderr


async def test_a_session_without_a_terminal_is_told_to_use_one(serve: StartServer) -> None:
    server = await serve()
    async with asyncssh.connect("127.0.0.1", server.port, known_hosts=None, client_keys=None,
                                agent_path=None, username="s") as conn:  # fmt: skip
        result = await conn.run()  # a shell request with no pty
    assert result.exit_status == 1 and "needs a terminal" in result.stderr


async def test_local_port_forwarding_is_refused(serve: StartServer) -> None:
    server = await serve()
    async with asyncssh.connect("127.0.0.1", server.port, known_hosts=None, client_keys=None,
                                agent_path=None, username="s") as conn:  # fmt: skip
        with pytest.raises(asyncssh.ChannelOpenError, match="port forwarding"):
            await conn.open_connection("127.0.0.1", server.port)


async def test_remote_port_forwarding_is_refused(serve: StartServer) -> None:
    server = await serve()
    async with asyncssh.connect("127.0.0.1", server.port, known_hosts=None, client_keys=None,
                                agent_path=None, username="s") as conn:  # fmt: skip
        with pytest.raises(asyncssh.ChannelListenError):
            await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", 9)
        chan, screen = await conn.create_session(
            Screen, term_type="xterm", term_size=(80, 24), encoding=None
        )
        await screen.wait_for(rb"ready:")
    assert b"remote port forwarding (-R) is not allowed" in screen.errors


# -- authentication ------------------------------------------------------------------------------


async def test_no_authentication_by_default(serve: StartServer) -> None:
    server = await serve()
    conn, chan, screen = await open_screen(server, username="anyone")
    async with conn:
        await ready_pid(screen)


@pytest.mark.parametrize("password", ["wrong", "", "letmein!"])
async def test_a_wrong_class_code_is_rejected(serve: StartServer, password: str) -> None:
    server = await serve(password="letmein")
    with pytest.raises(asyncssh.PermissionDenied):
        await open_screen(server, password=password)


async def test_the_right_class_code_logs_in(serve: StartServer) -> None:
    server = await serve(password="letmein")
    conn, chan, screen = await open_screen(server, password="letmein")
    async with conn:
        await ready_pid(screen)


async def test_failed_attempts_per_connection_are_limited(serve: StartServer) -> None:
    server = await serve(password="letmein")
    attempts = 0

    def guess(*_: Any) -> str:
        nonlocal attempts
        attempts += 1
        return f"guess{attempts}"

    class Guesser(asyncssh.SSHClient):
        def password_auth_requested(self) -> str:
            return guess()

    with pytest.raises((asyncssh.PermissionDenied, asyncssh.DisconnectError, ConnectionError)):
        await asyncssh.connect("127.0.0.1", server.port, known_hosts=None, client_keys=None,
                               agent_path=None, username="s", client_factory=Guesser)  # fmt: skip
    assert attempts <= 6
    assert "failed attempts" in log_of(server)


async def test_an_authorized_key_logs_in_and_an_unknown_one_does_not(
    serve: StartServer, tmp_path: Any
) -> None:
    known = asyncssh.generate_private_key("ssh-ed25519")
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    path = tmp_path / "authorized_keys"
    path.write_bytes(known.export_public_key())
    server = await serve(authorized_keys=asyncssh.read_authorized_keys(str(path)))
    conn, chan, screen = await open_screen(server, client_keys=[known])
    async with conn:
        await ready_pid(screen)
    with pytest.raises(asyncssh.PermissionDenied):
        await open_screen(server, client_keys=[stranger])
    with pytest.raises(asyncssh.PermissionDenied):
        await open_screen(server, password="anything")


async def test_the_teacher_needs_the_teacher_password(serve: StartServer) -> None:
    server = await serve(teacher_password="chalk")
    with pytest.raises(asyncssh.PermissionDenied):
        await open_screen(server, username="teacher", password="wrong")
    conn, chan, screen = await open_screen(server, username="teacher", password="chalk")
    async with conn:
        await ready_pid(screen)
        chan.write(b"e")
        env = json.loads((await screen.wait_for(rb"env:(\{.*?\})\r\n"))[1])
    assert env["GDTUI_CLASSROOM_ROLE"] == "teacher"
    assert 'connect role=teacher user="teacher"' in log_of(server)


async def test_students_need_no_password_beside_a_teacher(serve: StartServer) -> None:
    server = await serve(teacher_password="chalk")
    conn, chan, screen = await open_screen(server, username="sam")
    async with conn:
        await ready_pid(screen)
        chan.write(b"e")
        env = json.loads((await screen.wait_for(rb"env:(\{.*?\})\r\n"))[1])
    assert env["GDTUI_CLASSROOM_ROLE"] == "student"
    assert env["GDTUI_CLASSROOM_TOKEN"] and env["GDTUI_CLASSROOM"]


# -- limits --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limits", "message"),
    [({"max_sessions": 2}, b"The class is full"), ({"max_per_ip": 2}, b"Too many sessions")],
)
async def test_session_caps_hold(
    serve: StartServer, limits: dict[str, int], message: bytes
) -> None:
    server = await serve(**limits)
    first = await open_screen(server)
    second = await open_screen(server)
    await ready_pid(first[2])
    await ready_pid(second[2])
    conn, chan, screen = await open_screen(server)
    async with conn:
        await chan.wait_closed()
    assert chan.get_exit_status() == 1 and message in screen.errors
    assert len(server.sessions) == 2
    for conn, _, _ in (first, second):
        conn.close()


async def test_connections_without_a_session_have_a_cap_of_their_own(
    serve: StartServer,
) -> None:
    server = await serve(max_logins=2, max_sessions=1)
    connect = {"known_hosts": None, "client_keys": None, "agent_path": None, "username": "s"}
    kept = [await asyncssh.connect("127.0.0.1", server.port, **connect) for _ in range(2)]
    with pytest.raises(asyncssh.DisconnectError, match="the server is busy"):
        await asyncssh.connect("127.0.0.1", server.port, **connect)
    assert "too many connections logging in" in log_of(server)
    for conn in kept:
        conn.close()
    await asyncio.sleep(0.2)
    conn, chan, screen = await open_screen(server)  # their slots are free again
    async with conn:
        await ready_pid(screen)


# -- the real app --------------------------------------------------------------------------------


@pytest.mark.parametrize("spawn", SPAWNS)
async def test_gdtui_over_ssh_steps_resizes_and_quits(serve: StartServer, spawn: str) -> None:
    server = await serve(spawn=spawn, command=GDTUI)
    conn, chan, screen = await open_screen(server, size=(80, 24))
    async with conn:
        await screen.wait_for(rb"step", timeout=30)
        await asyncio.sleep(0.5)
        assert "step 0" in screen.text()
        mark = len(screen.data)
        chan.write(b"n")
        await screen.wait_for(rb"step 1", mark)
        mark = len(screen.data)
        chan.change_terminal_size(100, 30)
        # Textual addresses cells absolutely: a 30th row exists only after the resize.
        await screen.wait_for(rb"\x1b\[30;1H", mark)
        chan.write(b"q")
        await asyncio.wait_for(chan.wait_closed(), 15)
    assert chan.get_exit_status() == 0
