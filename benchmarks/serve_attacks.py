"""Memory under issue 11's attacks: `python -m benchmarks.serve_attacks [SOURCE_DIR] [NAME ...]`.

Each attack gets a fresh `gdtui serve ssh` (imported from SOURCE_DIR, default this tree, so
an older checkout can be measured the same way) on loopback; the clients are asyncssh's,
in this process. For each attack it prints the server's RSS before and at its peak, the
largest app's RSS at its peak, and what a well-behaved student saw meanwhile. Not part of
`python -m benchmarks`: an unbounded server can take gigabytes here (each attack is cut
short after a few seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncssh

#: How long an attack that grows memory runs before it is stopped.
ATTACK_SECONDS = 6.0

CLIENT: dict[str, Any] = {"known_hosts": None, "client_keys": None, "agent_path": None}


def rss_mb(pid: int) -> float:
    """A process's resident memory in MB (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(pid: int) -> list[int]:
    """Every process under `pid` (the fork server and the apps)."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as children:
                for child in map(int, children.read().split()):
                    found += [child, *descendants(child)]
    return found


class Server:
    """`gdtui serve ssh` from a source tree, its RSS sampled while an attack runs."""

    def __init__(self, source: str, *flags: str) -> None:
        self.source, self.flags = source, flags
        self.server_peak = self.app_peak = self.server_before = 0.0

    async def __aenter__(self) -> Server:
        self.home = tempfile.TemporaryDirectory()
        env = {**os.environ, "PYTHONPATH": self.source, "XDG_DATA_HOME": self.home.name}
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gdtui", "serve", "ssh", "--port", "0", *self.flags,
            cwd=self.source, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        assert self.process.stdout is not None
        banner = ""
        while "students:" not in banner:
            banner += (await self.process.stdout.readline()).decode()
        self.port = int(re.search(r"listening on [\d.]+:(\d+)", banner)[1])  # type: ignore[index]
        self._drain = asyncio.create_task(self._read_log())
        await asyncio.sleep(2)  # the fork server warms up
        self.server_before = rss_mb(self.process.pid)
        self._sampler = asyncio.create_task(self._sample())
        return self

    async def _read_log(self) -> None:
        assert self.process.stdout is not None
        while await self.process.stdout.readline():
            pass

    async def _sample(self) -> None:
        while True:
            self.server_peak = max(self.server_peak, rss_mb(self.process.pid))
            apps = [rss_mb(p) for p in descendants(self.process.pid)]
            self.app_peak = max(self.app_peak, *apps, 0.0)
            await asyncio.sleep(0.1)

    async def __aexit__(self, *exc_info: object) -> None:
        self._sampler.cancel()
        for pid in descendants(self.process.pid):
            with contextlib.suppress(OSError):
                os.kill(pid, 9)  # an app grown to gigabytes is not waited for
        self.process.kill()
        await self.process.wait()
        self._drain.cancel()
        self.home.cleanup()


class Screen(asyncssh.SSHClientSession[bytes]):
    def __init__(self) -> None:
        self.data = bytearray()

    def data_received(self, data: bytes, datatype: int | None) -> None:
        self.data += data


async def login(port: int, size: tuple[int, int] = (80, 24), **options: Any) -> Any:
    """A session on the server; (connection, channel, screen) once the app has drawn."""
    conn = await asyncssh.connect("127.0.0.1", port, username="s", **CLIENT, **options)
    env: dict[str, str] = {}
    chan, screen = await conn.create_session(
        Screen, term_type="xterm-256color", term_size=size, encoding=None, env=env
    )
    async with asyncio.timeout(60):
        while b"step" not in screen.data:
            await asyncio.sleep(0.05)
    return conn, chan, screen


async def a_student_gets_in(port: int) -> str:
    """Whether (and how fast) a student from 127.0.0.1 logs in now."""
    start = time.monotonic()
    try:
        async with asyncio.timeout(20):
            conn, _, _ = await login(port)
    except (OSError, asyncssh.Error, TimeoutError) as error:
        return f"student refused ({type(error).__name__})"
    conn.close()
    return f"student in after {time.monotonic() - start:.1f} s"


async def huge_window(server: Server) -> str:
    conn, chan, _ = await login(server.port, size=(65535, 65535))
    await asyncio.sleep(ATTACK_SECONDS)
    conn.close()
    return "65535x65535 pty"


async def key_flood(server: Server) -> str:
    conn, chan, screen = await login(server.port)
    chan.write(b"%" * 1_000_000)
    await asyncio.sleep(ATTACK_SECONDS)
    mark = len(screen.data)
    chan.write(b"q")
    try:
        async with asyncio.timeout(10):
            await chan.wait_closed()
        verdict = "q quits"
    except TimeoutError:
        verdict = f"q ignored ({len(screen.data) - mark} bytes drawn)"
    conn.close()
    return f"1 MB of unbound keys; {verdict}"


async def idle_sockets(server: Server) -> str:
    sockets = []
    for address in range(2, 9):
        for _ in range(20):
            with contextlib.suppress(OSError):
                sockets.append(
                    socket.create_connection(
                        ("127.0.0.1", server.port), source_address=(f"127.0.0.{address}", 0)
                    )
                )
    await asyncio.sleep(1)
    seen = await a_student_gets_in(server.port)
    for sock in sockets:
        sock.close()
    return f"140 idle sockets from 7 addresses; {seen}"


async def no_session(server: Server) -> str:
    conns = [
        await asyncssh.connect(
            "127.0.0.1", server.port, username="s", local_addr=(f"127.0.0.{2 + i % 2}", 0), **CLIENT
        )  # fmt: skip
        for i in range(20)
    ]
    await asyncio.sleep(ATTACK_SECONDS + 2)
    open_ = sum(not c.is_closed() for c in conns)
    for conn in conns:
        conn.close()
    return f"20 x ssh -N from 2 addresses; {open_} still open after {ATTACK_SECONDS + 2:g} s"


async def env_flood(server: Server) -> str:
    conn = await asyncssh.connect("127.0.0.1", server.port, username="s", **CLIENT)
    env = {f"JUNK{i}": "x" * 30_000 for i in range(300)}
    chans = []
    for _ in range(10):
        chan, _ = await conn.create_session(
            Screen, term_type="xterm", term_size=(80, 24), encoding=None, env=env
        )
        chans.append(chan)
    await asyncio.sleep(3)
    conn.close()
    await asyncio.sleep(2)
    after = rss_mb(server.process.pid)
    return f"10 channels x 300 x 30 KB env; server {after:.0f} MB after they closed"


async def guessing(server: Server) -> str:
    tries = 0
    stop = time.monotonic() + ATTACK_SECONDS

    async def guesser(address: str) -> None:
        nonlocal tries
        while time.monotonic() < stop:
            with contextlib.suppress(asyncssh.Error, OSError):
                async with asyncssh.connect("127.0.0.1", server.port, username="s",
                                            password="guess", local_addr=(address, 0),
                                            **CLIENT):  # fmt: skip
                    pass
            tries += 1

    async def student() -> str:
        await asyncio.sleep(ATTACK_SECONDS / 2)
        return await a_student_gets_in_with_code(server.port)

    *_, seen = await asyncio.gather(
        *(guesser(f"127.0.0.{a}") for a in range(2, 7) for _ in range(4)), student()
    )
    return f"{tries / ATTACK_SECONDS:.0f} logins/s answered from 5 addresses; {seen}"


async def a_student_gets_in_with_code(port: int) -> str:
    try:
        conn = await asyncssh.connect("127.0.0.1", port, username="s", password="letmein", **CLIENT)
    except (OSError, asyncssh.Error) as error:
        return f"meanwhile a student from a 6th address is refused ({type(error).__name__})"
    conn.close()
    return "meanwhile a student from a 6th address gets in"


ATTACKS: dict[str, tuple[Callable[[Server], Awaitable[str]], tuple[str, ...]]] = {
    "window": (huge_window, ()),
    "keys": (key_flood, ()),
    "idle": (idle_sockets, ()),
    "no-session": (no_session, ()),
    "env": (env_flood, ()),
    "guessing": (guessing, ("--password", "letmein")),
}


async def main(argv: list[str]) -> int:
    source = os.path.abspath(argv[0]) if argv and os.path.isdir(argv[0]) else os.getcwd()
    names = [a for a in argv if a in ATTACKS] or list(ATTACKS)
    print(f"source: {source}")
    for name in names:
        attack, flags = ATTACKS[name]
        async with Server(source, *flags) as server:
            try:
                what = await attack(server)
            except Exception as error:  # an attack that breaks the server is a finding
                what = f"failed: {type(error).__name__}: {error}"
            await asyncio.sleep(0.3)
        print(f"{name:11} server {server.server_before:4.0f} -> {server.server_peak:5.0f} MB  "
              f"app peak {server.app_peak:5.0f} MB  {what}", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
