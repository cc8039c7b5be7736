"""The SSH server with OpenSSH's own client, where it is installed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gdtui.serve.pty import ExecChild
from tests.serve.conftest import GDTUI, TIMEOUT, StartServer, gone, plain, stuck

SSH = shutil.which("ssh")
pytestmark = pytest.mark.skipif(SSH is None, reason="OpenSSH's ssh is not installed")


def ssh_command(port: int, *options: str, user: str = "student") -> list[str]:
    """ssh with no user config, no known_hosts and no keys: as a student's first login, at
    the default log level, so the client shows what a student would see."""
    assert SSH is not None
    return [
        SSH, "-F", "/dev/null", "-p", str(port),
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
        *options, f"{user}@127.0.0.1",
    ]  # fmt: skip


class Client:
    """A running ssh: its output so far, and keys to send."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.out = bytearray()
        self.err = bytearray()
        self.changed = asyncio.Event()
        assert process.stdout is not None and process.stderr is not None
        self._tasks = [
            asyncio.create_task(self._pump(process.stdout, self.out)),
            asyncio.create_task(self._pump(process.stderr, self.err)),
        ]

    async def _pump(self, stream: asyncio.StreamReader, into: bytearray) -> None:
        while chunk := await stream.read(65536):
            into.extend(chunk)
            self.changed.set()
        self.changed.set()

    async def wait_for(self, pattern: bytes, start: int = 0) -> re.Match:
        regex = re.compile(pattern)
        async with asyncio.timeout(TIMEOUT):
            while not (match := regex.search(self.out, start)):
                if self.process.returncode is not None and all(t.done() for t in self._tasks):
                    raise AssertionError(f"ssh ended before {pattern!r}: {bytes(self.err)!r}")
                self.changed.clear()
                await self.changed.wait()
            return match

    def send(self, keys: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(keys)

    async def finished(self) -> int:
        async with asyncio.timeout(TIMEOUT):
            status = await self.process.wait()
            await asyncio.gather(*self._tasks)
        return status


@contextlib.asynccontextmanager
async def ssh(port: int, *options: str, **env: str) -> AsyncIterator[Client]:
    process = await asyncio.create_subprocess_exec(
        *ssh_command(port, *options),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        # No agent unless the test brings one: a developer's own must not take part.
        env={**{k: v for k, v in os.environ.items() if k != "SSH_AUTH_SOCK"}, **env},
    )
    client = Client(process)
    try:
        yield client
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_gdtui_over_openssh_first_screen_step_and_quit(serve: StartServer) -> None:
    server = await serve(command=GDTUI)
    async with ssh(server.port, "-tt") as client:
        await client.wait_for(rb"step")
        await asyncio.sleep(0.5)
        assert "step 0" in plain(bytes(client.out))
        mark = len(client.out)
        client.send(b"n")
        await client.wait_for(rb"step 1", mark)
        client.send(b"q")
        assert await client.finished() == 0


async def test_resizing_the_students_terminal_resizes_the_app(serve: StartServer) -> None:
    # ssh sends a window change when its own terminal is resized: give it a real one (a pty
    # of our own), as a student's terminal window is.
    server = await serve()
    terminal = ExecChild.spawn(ssh_command(server.port), os.environ, 80, 24)
    seen = bytearray()

    async def until(pattern: bytes) -> None:
        async with asyncio.timeout(TIMEOUT):
            while not re.search(pattern, seen):
                await asyncio.sleep(0.02)
                with contextlib.suppress(BlockingIOError, OSError):
                    seen.extend(os.read(terminal.master, 65536))

    try:
        await until(rb"size:80x24")
        terminal.resize(100, 30)
        await until(rb"size:100x30")
    finally:
        await terminal.end(1.0)
        terminal.close()


async def test_a_killed_client_leaves_no_process(serve: StartServer) -> None:
    server = await serve()
    async with ssh(server.port, "-tt") as client:
        pid = int((await client.wait_for(rb"ready:(\d+)"))[1])
        client.process.send_signal(signal.SIGKILL)
        await client.process.wait()
        assert await gone(pid, within=5)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("cat", "/etc/passwd"), b"commands are not allowed"),
        (("-s", "sftp"), b'"sftp" subsystem is not available'),
        ((), b"needs a terminal"),  # stdin is not a terminal: ssh asks for no pty
    ],
    ids=["exec", "sftp", "no-pty"],
)
async def test_openssh_requests_are_refused_with_a_message(
    serve: StartServer, options: tuple[str, ...], message: bytes
) -> None:
    server = await serve()
    process = await asyncio.create_subprocess_exec(
        *ssh_command(server.port), *options,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), TIMEOUT)
    assert process.returncode == 1 and message in err and not out


async def test_stdio_forwarding_is_refused(serve: StartServer) -> None:
    server = await serve()
    async with ssh(server.port, "-W", f"127.0.0.1:{server.port}") as client:
        assert await client.finished() == 255
    assert b"administratively prohibited" in client.err and b"port forwarding" in client.err


async def test_local_forwarding_is_refused(serve: StartServer) -> None:
    server = await serve()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        local = probe.getsockname()[1]
    async with ssh(server.port, "-N", "-L", f"{local}:127.0.0.1:{server.port}") as client:
        async with asyncio.timeout(TIMEOUT):
            while True:
                with contextlib.suppress(ConnectionRefusedError):
                    _, writer = await asyncio.open_connection("127.0.0.1", local)
                    break
                await asyncio.sleep(0.1)
            while b"administratively prohibited" not in client.err:
                client.changed.clear()
                await client.changed.wait()
        writer.close()
    assert b"port forwarding (-L, -W) is off" in client.err


async def test_remote_forwarding_is_refused(serve: StartServer) -> None:
    server = await serve()
    options = ("-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:9")
    async with ssh(server.port, *options) as client:
        assert await client.finished() == 255
    assert b"remote port forwarding failed" in client.err


async def test_agent_forwarding_is_refused_with_a_message(
    serve: StartServer, tmp_path: Path
) -> None:
    agent = shutil.which("ssh-agent")
    if agent is None:
        pytest.skip("ssh-agent is not installed")
    socket_path = str(tmp_path / "agent.sock")
    process = await asyncio.create_subprocess_exec(
        agent, "-D", "-a", socket_path, stdout=asyncio.subprocess.DEVNULL
    )
    try:
        async with asyncio.timeout(TIMEOUT):
            while not os.path.exists(socket_path):
                await asyncio.sleep(0.05)
        server = await serve()
        async with ssh(server.port, "-tt", "-A", SSH_AUTH_SOCK=socket_path) as client:
            await client.wait_for(rb"ready:")
            client.send(b"q")
            assert await client.finished() == 3
        assert b"agent forwarding (-A) is not allowed" in client.out + client.err
    finally:
        process.terminate()
        await process.wait()


async def test_x11_forwarding_is_refused_with_a_message(serve: StartServer) -> None:
    server = await serve()
    async with ssh(server.port, "-tt", "-X", DISPLAY="127.0.0.1:99") as client:
        await client.wait_for(rb"ready:")
        client.send(b"q")
        await client.finished()
    assert b"X11 forwarding (-X) is not allowed" in client.out + client.err


async def test_a_client_past_the_waiting_cap_is_told_why_in_words(serve: StartServer) -> None:
    # Before the key exchange a refusal reads as "banner line contains invalid
    # characters"; the server lets the exchange finish so that ssh prints the reason.
    server = await serve(password="letmein", max_per_ip=1)
    waiting = await stuck(server)  # a login in progress: a password being typed
    try:
        async with ssh(server.port, "-tt") as client:
            assert await client.finished() == 255
    finally:
        waiting.cancel()
    assert b"the server is busy" in client.err and b"invalid characters" not in client.err


async def test_ssh_without_a_session_is_disconnected(serve: StartServer) -> None:
    server = await serve(session_wait=1)
    async with ssh(server.port, "-N") as client:
        assert await client.finished() == 255
    assert b"no session opened" in client.err
