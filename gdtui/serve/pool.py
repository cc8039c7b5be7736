"""Apps started ahead of logins, so that a class logging in at once does not wait in line.

A forked app still spends about 0.2 s of CPU before its first screen, nearly all of it in
Textual (composing the screen, applying the styles, laying it out, painting it); sixty
logins in one second on two cores queue for several seconds. So the SSH server keeps a few
apps running ahead, each a process of its own on a pty of its own, forked from the fork
server as any session's app is, and hands the next login one of them.

An app started ahead runs for real, on its pty, with the server's clean environment and a
guessed terminal (`xterm-256color`, 80x24); the server reads and drops what it paints. It
knows nothing of its login until the hand-over, on a socket of its own:

1. server to app: the session's environment (TERM, COLORTERM, NO_COLOR as the client
   sent them, the rest the server's); the pty already has the client's size.
2. app: takes that environment (`os.environ` as a fresh child's), leaves the terminal's
   application mode (so everything painted so far is in the pty), and says so.
3. server: drops what the pty holds, and answers.
4. app: enters application mode again, now on the client's terminal (so Textual's
   queries reach it, and its answers come back), and repaints the whole screen.

Textual chose its colours (from TERM, COLORTERM and NO_COLOR) when the app started, and
keeps what it painted with them: only a login whose environment leads to the same choices
(most: `xterm-256color`, no NO_COLOR) gets an app from the pool; any other starts its own.

A pool never holds more apps than there is room for: apps running ahead and sessions
together stay within `--max-sessions`. An app that dies while waiting is replaced; the
pool fills one app at a time, and not while a login's own app is starting, so that
refilling never competes with a login for the CPU. Pools serve no classroom (a login's
role there decides how its screen is composed).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gdtui.serve.forkserver import ForkedChild, ForkServer

#: The size an app started ahead is given until its login's is known.
GUESSED_SIZE = (80, 24)

#: The terminal type it is given until then (any client's TERM may replace it).
GUESSED_TERM = "xterm-256color"

#: Seconds an app started ahead has to open its first screen, and to answer a hand-over.
READY_TIMEOUT = 30.0
HANDOVER_TIMEOUT = 5.0

#: The largest hand-over message.
MAX_MESSAGE = 64 * 1024


@dataclass
class _Waiting:
    """An app started ahead: its process, its hand-over socket, its working folder."""

    child: ForkedChild
    channel: socket.socket
    workdir: str
    watch: asyncio.Task[None] | None = field(default=None, repr=False)


class AppPool:
    """The server's apps started ahead of logins.

    Args:
        forkserver: Where apps are forked from.
        size: How many apps to keep waiting.
        env: Their environment until the hand-over (the server's clean one).
        room: How many more apps may run now: the session cap less the sessions (the
            pool counts its own apps against it).
        busy: Whether a login's own app is starting (the pool then waits).
        record: Where log lines go.
        entry: The module whose `pooled(args, socket)` the apps run (tests use a
            stand-in).
    """

    def __init__(
        self,
        forkserver: ForkServer,
        size: int,
        env: Mapping[str, str],
        room: Callable[[], int],
        busy: Callable[[], bool] = lambda: False,
        record: Callable[[str], None] = lambda text: None,
        entry: str = "gdtui.serve.pool",
    ) -> None:
        self.entry = entry
        self.forkserver = forkserver
        self.size = size
        self.env = dict(env)
        self.colours = colours(env)
        self.room = room
        self.busy = busy
        self.record = record
        self.waiting: list[_Waiting] = []
        """Apps ready for a login, oldest first."""
        self.starting = 0
        """Apps being started (0 or 1)."""
        self.replaced = 0
        """Apps that died while waiting."""
        self.filled = asyncio.Event()
        """Set once the pool is first as full as it may be."""
        self._wanted = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def start(self) -> None:
        """Start filling the pool in the background."""
        self._task = asyncio.create_task(self._fill())
        self._wanted.set()

    def wanted(self) -> None:
        """Look again whether the pool needs filling (a session ended, an app left)."""
        self._wanted.set()

    async def _fill(self) -> None:
        failures = 0
        while not self._closed:
            await self._wanted.wait()
            self._wanted.clear()
            while len(self.waiting) < self.size and self.room() > len(self.waiting):
                if self.busy():
                    await asyncio.sleep(0.05)
                    continue
                self.starting = 1
                try:
                    app = await self._start_one()
                except OSError as error:
                    app = None
                    self.record(f"pool: an app could not start ({error})")
                finally:
                    self.starting = 0
                if self._closed:
                    if app is not None:
                        await self._discard(app)
                    return
                if app is None:
                    failures += 1
                    await asyncio.sleep(min(30.0, 0.5 * 2**failures))
                    continue
                failures = 0
                if self.room() <= len(self.waiting):
                    # Sessions took the room while it started: the cap holds.
                    await self._discard(app)
                    break
                self.waiting.append(app)
                app.watch = asyncio.create_task(self._watch(app))
            if not self.filled.is_set():
                # As full as the room allows (less than `size` if the cap is lower).
                self.filled.set()
                self.record(f"pool: {len(self.waiting)} apps started ahead of logins")

    async def _start_one(self) -> _Waiting:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        workdir = tempfile.mkdtemp(prefix="gdtui-session-")
        child: ForkedChild | None = None
        try:
            columns, rows = GUESSED_SIZE
            child = await self.forkserver.spawn(
                self.env, columns, rows, workdir, handover=theirs, pooled_entry=self.entry
            )
            theirs.close()
            app = _Waiting(child, ours, workdir)
            loop = asyncio.get_running_loop()
            # What the app paints before its login is nobody's: read, so that it never
            # blocks on a full pty, and drop.
            loop.add_reader(child.master, _drop, child.master)
            ours.setblocking(False)
            try:
                ready = await asyncio.wait_for(loop.sock_recv(ours, MAX_MESSAGE), READY_TIMEOUT)
            except TimeoutError:
                ready = b""
            if not ready or not json.loads(ready).get("ready"):
                raise OSError("an app started ahead did not open its screen")
            return app
        except BaseException:
            theirs.close()
            ours.close()
            if child is not None:
                with contextlib.suppress(ValueError, OSError):
                    asyncio.get_running_loop().remove_reader(child.master)
                await child.end(1.0)
                child.close()
            shutil.rmtree(workdir, ignore_errors=True)
            raise

    async def _watch(self, app: _Waiting) -> None:
        """Replace an app that dies while it waits."""
        await app.child.wait()
        if app in self.waiting:
            self.waiting.remove(app)
            self.replaced += 1
            self.record(f"pool: an app waiting for a login exited ({app.child.returncode}); "
                        "starting another")  # fmt: skip
            await self._discard(app)
            self.wanted()

    async def _discard(self, app: _Waiting) -> None:
        if app.watch is not None and app.watch is not asyncio.current_task():
            app.watch.cancel()
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(app.child.master)
        app.channel.close()
        await app.child.end(1.0)
        app.child.close()
        shutil.rmtree(app.workdir, ignore_errors=True)

    async def take(
        self, env: Mapping[str, str], columns: int, rows: int
    ) -> tuple[ForkedChild, str] | None:
        """Hand a waiting app to a login: (its process, its working folder), or None if
        none is waiting, the login's colours are not the guessed ones (see `colours`), or
        the hand-over failed: the login then starts its own app."""
        if colours(env) != self.colours:
            return None
        while self.waiting:
            app = self.waiting.pop(0)
            self.wanted()
            if app.watch is not None:
                app.watch.cancel()
            if app.child.returncode is None:
                try:
                    await asyncio.wait_for(self._hand_over(app, env, columns, rows),
                                           HANDOVER_TIMEOUT)  # fmt: skip
                except (OSError, TimeoutError, ValueError) as error:
                    self.record(f"pool: a hand-over failed ({error})")
                else:
                    return app.child, app.workdir
            await self._discard(app)
        return None

    async def _hand_over(
        self, app: _Waiting, env: Mapping[str, str], columns: int, rows: int
    ) -> None:
        loop = asyncio.get_running_loop()
        app.child.resize(columns, rows)
        await loop.sock_sendall(app.channel, json.dumps({"env": dict(env)}).encode())
        left = await loop.sock_recv(app.channel, MAX_MESSAGE)
        if not left or not json.loads(left).get("left"):
            raise OSError("the app did not take its login")
        # Everything it painted for nobody is in the pty now: drop it, then let it paint
        # for the client.
        loop.remove_reader(app.child.master)
        _drop(app.child.master)
        await loop.sock_sendall(app.channel, b'{"go": true}')
        app.channel.close()

    async def close(self) -> None:
        """End every waiting app and stop filling."""
        self._closed = True
        self._wanted.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        waiting, self.waiting = self.waiting, []
        await asyncio.gather(*(self._discard(app) for app in waiting))


def _drop(master: int) -> None:
    """Read and drop what a pty holds."""
    while True:
        try:
            if not os.read(master, 65536):
                return
        except OSError:  # nothing more (EAGAIN), or the child is gone (EIO)
            return


# -- the app's side --------------------------------------------------------------------------


def pooled(args: Sequence[str], channel: socket.socket) -> int:
    """In a forked child: open the app now, and give it to the login handed over on
    `channel`. Returns the exit status, as `gdtui.__main__.main` does."""
    from gdtui import cli
    from gdtui.scenario import DEFAULT_SCENARIO

    try:
        scenario = cli.load_scenario(args[0] if args else DEFAULT_SCENARIO, [])
    except (cli.UsageError, cli.ScenarioError) as error:
        print(error)
        return cli.BAD_INPUT
    from gdtui.ui.adapters.textual import app_driver
    from gdtui.ui.app import GdtuiApp

    app = GdtuiApp(scenario)
    channel.setblocking(False)

    async def wait_for_login(pilot: Any) -> None:
        await pilot.pause()  # the first screen is painted
        loop = asyncio.get_running_loop()
        await loop.sock_sendall(channel, b'{"ready": true}')
        message = await loop.sock_recv(channel, MAX_MESSAGE)
        if not message:  # the server went away: nobody will log in here
            app.exit()
            return
        # The server hands over only logins whose colours match (`colours`): Textual's
        # choices made from the guessed environment hold.
        os.environ.clear()
        os.environ.update(json.loads(message)["env"])
        # The pty has the login's size already: lay out for it now, so that the one paint
        # the client gets is at its size (the SIGWINCH may not have been seen yet).
        columns, rows = os.get_terminal_size(1)
        if (columns, rows) != tuple(app.size):
            await pilot.resize_terminal(columns, rows)
        # A SIGWINCH already seen has resized the app but may not have laid it out and
        # repainted yet (the screen arranges and repaints after a refresh): let it finish,
        # or the one paint the client gets has panels fitted to the guessed 80 columns.
        await pilot.pause()
        await pilot.pause()
        driver = app_driver(app)
        assert driver is not None
        # Leaving application mode waits until everything painted so far is written.
        driver.suspend_application_mode()
        await loop.sock_sendall(channel, b'{"left": true}')
        if not await loop.sock_recv(channel, MAX_MESSAGE):
            app.exit()
            return
        channel.close()
        driver.resume_application_mode()
        app.refresh(layout=True, repaint=True)  # the whole screen, for the client

    asyncio.run(app.run_async(auto_pilot=wait_for_login))
    return app.return_code or 0


def colours(env: Mapping[str, str]) -> tuple[str | None, bool]:
    """What Textual decides about colour from an environment: the colour system its
    console finds (from TERM and COLORTERM, as `textual.app.App.__init__` asks Rich), and
    whether NO_COLOR is set. Apps agreeing on both paint the same bytes."""
    from rich.console import Console
    from textual import constants

    environ = dict(env)
    no_color = environ.pop("NO_COLOR", None) is not None
    console = Console(
        color_system=constants.COLOR_SYSTEM,  # type: ignore[arg-type]
        file=io.StringIO(),
        force_terminal=True,
        _environ=environ,
    )
    return console.color_system, no_color
