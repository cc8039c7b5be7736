"""A warm parent that forks each session's app, so a login skips a second of imports.

Starting `python -m gdtui` costs about a second of CPU, nearly all of it importing Textual,
numpy and the app. Sixty students logging in at the start of a lesson would queue for half
a minute on two cores. The fork server imports all that once, then forks one child per
session: the child is still a process of its own, on its own pty, in its own session, with
the pty as its controlling terminal and a clean environment, exactly as an exec'd child
is, but it starts warm, and the pages it inherits are shared until written (lower PSS).

The server talks to the fork server over a Unix socket pair (SOCK_SEQPACKET: one message a
request). A request carries the pty's slave side (SCM_RIGHTS) and the child's arguments,
environment and folder; the reply is the child's pid, and the fork server, being the
parent, reports each child's exit status when it reaps it.

The fork server needs no threads before it forks (numpy's BLAS is told to use one), and it
exits when the server's end of the socket closes, whatever killed the server; the sessions'
apps then get SIGHUP from their ptys as usual.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import fcntl
import gc
import json
import os
import signal
import socket
import sys
import termios
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from gdtui.serve.pty import PtyChild, set_window_size, wait_for_exit

#: What the fork server imports before it forks: everything an app needs to open.
PRELOAD = (
    "gdtui.__main__",
    "gdtui.build",
    "gdtui.ui.app",
    "textual.drivers.linux_driver",  # with the key parser it imports
    "textual.pilot",
    "gdtui.serve.pool",
)

#: The largest request (arguments and environment) accepted.
MAX_MESSAGE = 64 * 1024

#: A fork takes milliseconds; a fork server silent this long is stuck.
SPAWN_TIMEOUT = 10.0


def available() -> bool:
    """Whether this platform can run the fork server (it watches children by pidfd)."""
    return sys.platform == "linux" and hasattr(os, "pidfd_open")


class ForkedChild(PtyChild):
    """A session's app forked by the fork server (its child, not the SSH server's)."""

    def __init__(self, pid: int, master: int, server: ForkServer) -> None:
        super().__init__(pid, master)
        self._server = server
        self._status: int | None = None

    @property
    def returncode(self) -> int | None:
        if self._status is None and self.pid in self._server.exits:
            self._status = self._server.exits.pop(self.pid)
        return self._status

    async def wait(self) -> int:
        if self.returncode is None:
            if await wait_for_exit(self.pid):
                # The fork server reaps it and says how it ended; if that never comes (the
                # fork server died), the child is gone all the same.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._server.exit_status(self.pid), 2.0)
            else:
                await self._server.exit_status(self.pid)
        if self.returncode is None:
            self._status = 0
        assert self._status is not None
        return self._status


class ForkServer:
    """The SSH server's handle on the fork server process.

    Args:
        args: Arguments every session's app gets (e.g. a scenario name).
        entry: The module whose `main(args)` a child runs (tests use a stand-in).
    """

    def __init__(self, args: Sequence[str] = (), entry: str = "gdtui.__main__") -> None:
        self.args = list(args)
        self.entry = entry
        self.exits: dict[int, int] = {}
        """Exit statuses the fork server reported, by pid."""
        self._process: asyncio.subprocess.Process | None = None
        self._socket: socket.socket | None = None
        self._replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._exited: dict[int, asyncio.Event] = {}
        self._lock = asyncio.Lock()

    async def start(self, env: Mapping[str, str]) -> None:
        """Start the fork server and wait until it has imported the app.

        Args:
            env: Its environment, which import-time settings see: the clean one sessions
                get, less anything a client sends.

        Raises:
            OSError: It could not start, or died while importing.
        """
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "gdtui.serve.forkserver", str(theirs.fileno()), self.entry,
                *self.args[:1],
                pass_fds=(theirs.fileno(),), env=dict(env),
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
        finally:
            theirs.close()
        ours.setblocking(False)
        self._socket = ours
        asyncio.get_running_loop().add_reader(ours.fileno(), self._readable)
        ready = await self._replies.get()
        if not ready.get("ready"):
            raise OSError("the fork server could not start")
        if ready.get("threads") != 1:
            # A fork copies only the forking thread: locks other threads held would stay
            # locked forever in every child.
            await self.close()
            raise OSError(f"the fork server runs {ready.get('threads')} threads: cannot fork")

    def _readable(self) -> None:
        assert self._socket is not None
        try:
            data = self._socket.recv(MAX_MESSAGE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            asyncio.get_running_loop().remove_reader(self._socket.fileno())
            self._replies.put_nowait({})
            return
        message = json.loads(data)
        if "exit" in message:
            pid = int(message["exit"])
            self.exits[pid] = int(message["status"])
            if (event := self._exited.get(pid)) is not None:
                event.set()
        else:
            self._replies.put_nowait(message)

    async def exit_status(self, pid: int) -> None:
        """Wait for the fork server's word on how `pid` ended (then in `exits`)."""
        if pid in self.exits:
            return
        event = self._exited.setdefault(pid, asyncio.Event())
        try:
            await event.wait()
        finally:
            self._exited.pop(pid, None)

    async def spawn(
        self,
        env: Mapping[str, str],
        columns: int,
        rows: int,
        cwd: str | None = None,
        handover: socket.socket | None = None,
        pooled_entry: str = "gdtui.serve.pool",
    ) -> ForkedChild:
        """Fork a session's app on a new pty of the given size.

        Args:
            env: The child's whole environment.
            columns: The terminal's width.
            rows: The terminal's height.
            cwd: The child's working directory.
            handover: For an app started ahead of its login (see `gdtui.serve.pool`): the
                child's end of the socket the login's terminal is handed over on. The
                child then runs `pooled(args, socket)` of `pooled_entry` instead of the
                entry's `main(args)`.
            pooled_entry: The module whose `pooled` a pooled child runs.

        Raises:
            OSError: The pty could not be made or the fork server is gone.
        """
        if self._socket is None:
            raise OSError("the fork server is not running")
        master, slave = os.openpty()
        try:
            set_window_size(slave, columns, rows)
            request: dict[str, Any] = {"args": self.args, "env": dict(env),
                                       "cwd": cwd or os.getcwd()}  # fmt: skip
            passed = [slave]
            if handover is not None:
                request["pooled"] = pooled_entry
                passed.append(handover.fileno())
            payload = json.dumps(request).encode()
            fds = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", passed))]
            # One request at a time, so each reply answers the request before it.
            async with self._lock:
                self._socket.sendmsg([payload], fds)
                try:
                    reply = await asyncio.wait_for(self._replies.get(), SPAWN_TIMEOUT)
                except TimeoutError:
                    raise OSError("the fork server does not answer") from None
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        if "pid" not in reply:
            os.close(master)
            raise OSError(reply.get("error", "the fork server is gone"))
        os.set_blocking(master, False)
        return ForkedChild(int(reply["pid"]), master, self)

    async def close(self) -> None:
        """Stop the fork server (sessions' apps are ended by the SSH server, not here)."""
        if self._socket is not None:
            with contextlib.suppress(ValueError, OSError):
                asyncio.get_running_loop().remove_reader(self._socket.fileno())
            self._socket.close()
            self._socket = None
        if self._process is not None:
            try:
                await asyncio.wait_for(self._process.wait(), 5)
            except TimeoutError:
                self._process.kill()
                await self._process.wait()


# -- the fork server process --------------------------------------------------------------------


def _serve(channel: socket.socket, entry: str) -> None:
    """Answer requests until the SSH server goes away."""

    def reap(signum: int, frame: object) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            notice = {"exit": pid, "status": os.waitstatus_to_exitcode(status)}
            with contextlib.suppress(OSError):
                channel.send(json.dumps(notice).encode())

    signal.signal(signal.SIGCHLD, reap)
    # Ctrl-C in the server's terminal reaches this process too; the server decides.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    channel.send(json.dumps({"ready": True, "threads": threading.active_count()}).encode())
    while True:
        try:
            data, ancillary, _, _ = channel.recvmsg(MAX_MESSAGE, socket.CMSG_SPACE(8))
        except ConnectionError:
            return
        if not data:
            return
        fds = array.array("i")
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
        request = json.loads(data)
        # A terminal, and for an app started ahead, the socket it is handed over on.
        if len(fds) != (2 if request.get("pooled") else 1):
            for fd in fds:
                os.close(fd)
            channel.send(json.dumps({"error": "a request carries one terminal"}).encode())
            continue
        slave = fds[0]
        handover = fds[1] if len(fds) == 2 else None
        # Children are forked with SIGCHLD blocked, so a reap cannot interleave the reply.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        try:
            pid = os.fork()
            if pid == 0:
                _become_app(request, slave, channel, entry, handover)
            os.close(slave)
            if handover is not None:
                os.close(handover)
            channel.send(json.dumps({"pid": pid}).encode())
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})


def _become_app(
    request: dict[str, Any],
    slave: int,
    channel: socket.socket,
    entry: str,
    handover: int | None = None,
) -> None:
    """In the forked child: take the terminal, the session's environment, and run gdtui
    (or, started ahead of a login, the pooled app that waits for one on `handover`)."""
    status = 1
    try:
        channel.close()
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        # Fresh text streams on the terminal: the inherited ones were made for the fork
        # server's pipes (buffering, encoding).
        for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
            stream = open(fd, mode, encoding="utf-8", closefd=False)  # noqa: SIM115
            setattr(sys, name, stream)
            setattr(sys, f"__{name}__", stream)  # Textual's driver uses these
        import random

        random.seed()  # otherwise every session would draw the same "random" numbers
        import importlib

        sys.argv = ["gdtui", *request["args"]]
        if handover is not None:
            module = importlib.import_module(request["pooled"])
            status = module.pooled(request["args"], socket.socket(fileno=handover))
        else:
            status = importlib.import_module(entry).main(request["args"])
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


def _warm_up(args: Sequence[str]) -> None:
    """Open the app once, headless, so that children start with Textual's lazy imports done
    and its caches (CSS, cell widths) filled: about a third of a child's start-up."""
    try:
        from gdtui.scenario import DEFAULT_SCENARIO, load_scenario
        from gdtui.ui.app import GdtuiApp

        scenario = load_scenario(args[0] if args else DEFAULT_SCENARIO)

        async def run() -> None:
            async with GdtuiApp(scenario).run_test(size=(80, 24)) as pilot:
                await pilot.pause()

        asyncio.run(run())
    except Exception as error:  # a warm-up is an optimisation: the children still work
        print(f"gdtui fork server: no warm-up ({type(error).__name__}: {error})", file=sys.stderr)


def main(argv: list[str]) -> int:
    """`python -m gdtui.serve.forkserver FD ENTRY [ARG]`: import and warm up the app, then
    fork on request."""
    channel = socket.socket(fileno=int(argv[0]))
    entry = argv[1]
    import importlib

    for module in (*PRELOAD, entry):
        importlib.import_module(module)
    if entry == "gdtui.__main__":
        _warm_up(argv[2:])
    # Objects made so far are never freed in the children: keep the collector from
    # touching (and so copying) their pages.
    gc.collect()
    gc.freeze()
    _serve(channel, entry)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
