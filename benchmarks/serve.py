"""SSH serving benchmarks: bytes per step, a class of 60 on this machine, memory per session.

The server runs as `gdtui serve ssh` in a process of its own, as in a classroom; the clients
are asyncssh connections in this process.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

import pyte

from benchmarks.common import Result

#: `fork` or `exec` to compare how apps start (`GDTUI_BENCH_SPAWN`); the server's default
#: otherwise.
SPAWN = os.environ.get("GDTUI_BENCH_SPAWN")

#: A class: how many log in, and how fast (per second) as a class arrives and in a rush.
CLASS_SIZE = 60
CLASS_ARRIVALS = 2.0
RUSH_ARRIVALS = 60.0

#: Apps the server keeps started ahead of logins (`GDTUI_BENCH_POOL`, its `--pool`): the
#: class size, as a teacher expecting the class sets it (0: none, to compare). A run starts
#: once the pool is full, as a class finds it when the server has been up for a minute.
POOL = os.environ.get("GDTUI_BENCH_POOL", str(CLASS_SIZE))


def plain(data: bytes) -> str:
    """Terminal output with escape sequences removed."""
    text = data.decode("utf-8", "replace")
    return re.sub(r"\x1b\[[0-9;?<>=$]*[A-Za-z~]|\x1b[\]P][^\x07\x1b]*(\x07|\x1b\\)?", "", text)


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of `values`, by linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class _Screen:
    """A client session that timestamps what arrives, on an emulated terminal: an update
    may send only the cells that changed (`step 1` becoming `step 2` is one digit), so
    what the screen shows is read from the terminal, not from the bytes."""

    size: tuple[int, int] = (80, 24)
    data: bytearray = field(default_factory=bytearray)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    last: float = 0.0

    def __post_init__(self) -> None:
        self.terminal = pyte.Screen(*self.size)
        self.stream = pyte.ByteStream(self.terminal)

    def received(self, data: bytes) -> None:
        self.data.extend(data)
        self.stream.feed(data)
        self.last = time.perf_counter()
        self.changed.set()

    async def wait_text(self, pattern: str, timeout: float = 60.0) -> float:
        """Wait until the screen shows `pattern`; the time it did."""
        regex = re.compile(pattern)
        async with asyncio.timeout(timeout):
            while not regex.search("\n".join(self.terminal.display)):
                self.changed.clear()
                await self.changed.wait()
        return time.perf_counter()

    async def settle(self, quiet: float = 0.4, timeout: float = 30.0) -> None:
        """Wait until nothing has arrived for `quiet` seconds."""
        async with asyncio.timeout(timeout):
            while time.perf_counter() - self.last < quiet:
                await asyncio.sleep(quiet / 4)


class _Server:
    """`gdtui serve ssh` in a subprocess, on a free port."""

    async def __aenter__(self) -> _Server:
        self.home = tempfile.TemporaryDirectory()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gdtui", "serve", "ssh", "--port", "0",
            "--max-sessions", str(CLASS_SIZE), "--max-per-ip", str(CLASS_SIZE),
            "--host-key", os.path.join(self.home.name, "key"),
            *(["--spawn", SPAWN] if SPAWN else []),
            *(["--pool", POOL] if POOL else []),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        assert self.process.stdout is not None
        while True:
            line = (await self.process.stdout.readline()).decode()
            if match := re.search(r"listening on \S+:(\d+)", line):
                self.port = int(match[1])
                break
            if not line:
                raise RuntimeError("the server did not start")
        if SPAWN != "exec" and POOL != "0":
            async with asyncio.timeout(600):  # one app at a time, on a loaded machine
                while "apps started ahead" not in line:
                    line = (await self.process.stdout.readline()).decode()
                    if not line:
                        raise RuntimeError("the server's pool did not fill")
        self._drain = asyncio.create_task(self._read_log())
        return self

    async def _read_log(self) -> None:
        assert self.process.stdout is not None
        while await self.process.stdout.readline():
            pass

    async def __aexit__(self, *exc_info: object) -> None:
        self.process.terminate()
        await self.process.wait()
        self._drain.cancel()
        self.home.cleanup()


async def _open(
    port: int, size: tuple[int, int] = (80, 24), **connect: Any
) -> tuple[Any, Any, _Screen]:
    """Log in and open an interactive session: (connection, channel, screen)."""
    import asyncssh

    screen = _Screen(size)

    class Session(asyncssh.SSHClientSession):
        def data_received(self, data: bytes, datatype: int | None) -> None:
            screen.received(data)

    conn = await asyncssh.connect("127.0.0.1", port, username="bench", known_hosts=None,
                                  client_keys=None, agent_path=None, **connect)  # fmt: skip
    chan, _ = await conn.create_session(
        Session, term_type="xterm-256color", term_size=size, encoding=None
    )
    return conn, chan, screen


# -- bytes per step ----------------------------------------------------------------------------


class _CountingProxy:
    """A TCP relay to the server that counts the bytes the client receives: what goes over
    the network, SSH framing, encryption and compression included."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.to_client = 0

    async def __aenter__(self) -> _CountingProxy:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.server.close()

    async def _relay(
        self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        server_in, server_out = await asyncio.open_connection("127.0.0.1", self.target)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, count: bool) -> None:
            while data := await src.read(65536):
                if count:
                    self.to_client += len(data)
                dst.write(data)
                await dst.drain()
            dst.close()

        await asyncio.gather(pipe(client_in, server_out, False), pipe(server_in, client_out, True),
                             return_exceptions=True)  # fmt: skip


async def _bytes_per_step(compression: str, steps: int = 15) -> list[int]:
    """Bytes on the wire to an 80x24 client per `n`, with the given SSH compression."""
    async with _Server() as server, _CountingProxy(server.port) as proxy:
        conn, chan, screen = await _open(proxy.port, compression_algs=[compression])
        await screen.wait_text(r"step 0")
        await screen.settle()
        sizes = []
        for k in range(1, steps + 1):
            before = proxy.to_client
            chan.write(b"n")
            await screen.wait_text(rf"step {k}\b")
            await screen.settle(0.3)
            sizes.append(proxy.to_client - before)
        conn.close()
        return sizes


def _bytes_result(compression: str, what: str) -> Result:
    sizes = asyncio.run(_bytes_per_step(compression))
    median = statistics.median(sizes)
    return Result(
        f"ssh bytes to the client per step at 80x24, {what}", median, "bytes", "<= 4096",
        median <= 4096, f"min {min(sizes)}, max {max(sizes)} over {len(sizes)} steps",
    )  # fmt: skip


def ssh_bytes_per_step() -> Result:
    """Bytes on the wire for one step (`n`) to an 80x24 client without compression, as
    OpenSSH's ssh connects by default."""
    return _bytes_result("none", "plain ssh")


def ssh_bytes_per_step_compressed() -> Result:
    """The same with SSH compression, as `ssh -C` (the start-up banner suggests it)."""
    return _bytes_result("zlib@openssh.com", "ssh -C")


# -- a class of 60 -----------------------------------------------------------------------------


@dataclass
class _ClassRun:
    arrivals_per_second: float
    first_screen: list[float] = field(default_factory=list)
    latency: list[float] = field(default_factory=list)
    pss_per_child: list[float] = field(default_factory=list)
    server_pss: float = 0.0
    failures: int = 0


def _pss(pid: int) -> float:
    """Proportional set size of one process, in MiB (Linux)."""
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(c) for c in children.read().split()]
    except OSError:
        return []


def _descendants(pid: int) -> list[int]:
    found, todo = [], _children(pid)
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(_children(child))
    return found


def _leads_a_session(pid: int) -> bool:
    """Whether `pid` is a session's app: each leads its own session (the fork server
    does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[3]) == pid
    except OSError:
        return False


async def _student(port: int, run: _ClassRun, done: asyncio.Event) -> None:
    """Log in, then press `n` once a second until the class is done."""
    started = time.perf_counter()
    try:
        conn, chan, screen = await _open(port)
        seen = await screen.wait_text(r"step 0")
        run.first_screen.append(seen - started)
        k = 0
        while not done.is_set():
            k += 1
            tick = time.perf_counter()
            chan.write(b"n")
            shown = await screen.wait_text(rf"step {k}\b")
            run.latency.append(shown - tick)
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - tick)))
        conn.close()
    except Exception:
        run.failures += 1


async def _class_of(size: int, arrivals_per_second: float, stepping: float = 10.0) -> _ClassRun:
    """`size` students arriving at a steady rate, each stepping once a second from its first
    screen until all have stepped for `stepping` seconds together."""
    run = _ClassRun(arrivals_per_second)
    async with _Server() as server:
        done = asyncio.Event()
        students = []
        for _ in range(size):
            students.append(asyncio.create_task(_student(server.port, run, done)))
            await asyncio.sleep(1 / arrivals_per_second)
        async with asyncio.timeout(180):
            while len(run.first_screen) + run.failures < size:
                await asyncio.sleep(0.1)
        await asyncio.sleep(stepping)
        processes = _descendants(server.process.pid)
        apps = [pid for pid in processes if _leads_a_session(pid)]
        run.pss_per_child = [_pss(pid) for pid in apps]
        # The server and its fork server serve every session: their share counts too.
        run.server_pss = _pss(server.process.pid) + sum(
            _pss(pid) for pid in processes if pid not in apps
        )
        done.set()
        await asyncio.gather(*students)
    return run


_runs: dict[float, _ClassRun] = {}


def _class_run(arrivals_per_second: float) -> _ClassRun:
    # Figures share a run: 60 apps take a while to start.
    if arrivals_per_second not in _runs:
        _runs[arrivals_per_second] = asyncio.run(_class_of(CLASS_SIZE, arrivals_per_second))
    return _runs[arrivals_per_second]


def _load() -> str:
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def _first_screen(arrivals_per_second: float, what: str) -> Result:
    run = _class_run(arrivals_per_second)
    p95 = percentile(run.first_screen, 0.95)
    pool = f", pool {POOL}" if POOL else ""
    return Result(
        f"ssh time to first screen, p95, {CLASS_SIZE} {what}{pool}", p95, "s", "<= 3",
        p95 <= 3 and not run.failures,
        f"median {statistics.median(run.first_screen):.2f} s, max {max(run.first_screen):.2f} s,"
        f" {run.failures} failed, {_load()}",
    )  # fmt: skip


def ssh_class_first_screen() -> Result:
    """A class logs in over 30 s, each stepping once a second once in: p95 seconds from
    connecting to the first screen."""
    return _first_screen(CLASS_ARRIVALS, "logging in over 30 s")


def ssh_class_rush_first_screen() -> Result:
    """The worst case: all 60 log in within one second."""
    return _first_screen(RUSH_ARRIVALS, "logging in within 1 s")


def ssh_class_key_latency() -> Result:
    """The class of `ssh_class_first_screen`, each pressing `n` once a second: p95 seconds
    from the key to the new step on screen."""
    run = _class_run(CLASS_ARRIVALS)
    p95 = percentile(run.latency, 0.95)
    return Result(
        f"ssh key-to-screen latency, p95, {CLASS_SIZE} stepping 1/s", p95 * 1000, "ms",
        "<= 250", p95 <= 0.25 and not run.failures,
        f"median {statistics.median(run.latency) * 1000:.0f} ms over {len(run.latency)} steps,"
        f" {_load()}",
    )  # fmt: skip


def ssh_memory_per_session() -> Result:
    """PSS per session with 60 running: each app, plus its share of the server."""
    run = _class_run(CLASS_ARRIVALS)
    apps = len(run.pss_per_child)
    per_session = statistics.mean(run.pss_per_child) + run.server_pss / max(apps, 1)
    return Result(
        "ssh memory per session (PSS)", per_session, "MiB", "<= 40", per_session <= 40,
        f"apps {min(run.pss_per_child):.1f}..{max(run.pss_per_child):.1f} MiB, "
        f"server and fork server {run.server_pss:.1f} MiB, {apps} apps",
    )  # fmt: skip


BENCHMARKS = [
    ssh_bytes_per_step,
    ssh_bytes_per_step_compressed,
    ssh_class_first_screen,
    ssh_class_key_latency,
    ssh_memory_per_session,
    ssh_class_rush_first_screen,
]
