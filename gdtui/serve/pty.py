"""A child process on a pseudo-terminal of its own, as sshd starts a login.

The child gets a new session whose controlling terminal is the pty, so the kernel hangs it
up (SIGHUP) when the master side closes: a server that dies, however it dies, takes its
sessions with it. Window size changes go to the pty (TIOCSWINSZ), and the kernel passes
SIGWINCH on to the child, so nothing in the child's environment names a size.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import signal
import struct
import subprocess
import termios
from collections.abc import Mapping, Sequence

from gdtui.serve.limits import clamp_size

#: What leaves a full-screen app's terminal modes behind: the normal screen, a visible
#: cursor, no mouse reporting (every mode Textual may set, pixels too), no bracketed
#: paste, no focus reporting, no in-band resize reports. Each resets a mode, so writing
#: it after an app that already did is harmless.
RESTORE_TERMINAL = (
    b"\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l"
    b"\x1b[?1016l\x1b[?2004l\x1b[?1004l\x1b[?2048l"
)

#: Pops the kitty keyboard flags an app pushed (Textual pushes one set). Not idempotent:
#: written only for an app that could not pop them itself.
POP_KEYBOARD = b"\x1b[<u"

#: How long a hung-up child may take to exit before it is killed.
HANGUP_GRACE = 2.0


def set_window_size(fd: int, columns: int, rows: int) -> None:
    """Size the terminal on `fd` (either side of a pty)."""
    # Clients may send 0x0 ("unknown"), which breaks every full-screen app, or sizes that
    # do not fit the ioctl (above 65535) or that an app would grow gigabytes to fill.
    columns, rows = clamp_size(columns, rows)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def _take_terminal() -> None:
    """In the child, after setsid: make stdin (the pty) the controlling terminal.

    Only one ioctl runs between fork and exec, so the usual preexec_fn hazard (a lock held
    by another thread at fork time) does not arise.
    """
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtyChild:
    """A running child on its own pty: the server's side of it.

    `master` is the server's side of the terminal, non-blocking: read the child's output
    from it and write the user's keys to it. Subclasses say how the child is waited for.

    Args:
        pid: The child's process id (it leads its own session and process group).
        master: The pty's master side.
    """

    def __init__(self, pid: int, master: int) -> None:
        self.pid = pid
        self.master = master

    @property
    def returncode(self) -> int | None:
        """The exit status once known (negative: killed by that signal)."""
        raise NotImplementedError

    async def wait(self) -> int:
        """Wait for the child to exit, without blocking the event loop."""
        raise NotImplementedError

    def resize(self, columns: int, rows: int) -> None:
        """Resize the terminal; the kernel sends the child SIGWINCH."""
        with contextlib.suppress(OSError):
            set_window_size(self.master, columns, rows)

    def signal(self, signum: int) -> None:
        """Signal the child's whole process group."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signum)

    async def end(self, grace: float = HANGUP_GRACE) -> int:
        """Hang the child up; kill it if it is still there after `grace` seconds."""
        if self.returncode is None:
            self.signal(signal.SIGHUP)
            self.signal(signal.SIGCONT)  # a stopped child cannot act on SIGHUP
            try:
                await asyncio.wait_for(self.wait(), grace)
            except TimeoutError:
                self.signal(signal.SIGKILL)
        return await self.wait()

    def close(self) -> None:
        """Close the server's side of the terminal (idempotent)."""
        if self.master >= 0:
            with contextlib.suppress(OSError):
                os.close(self.master)
            self.master = -1


async def wait_for_exit(pid: int) -> bool:
    """Wait until process `pid` (not necessarily our child) has exited.

    Returns:
        False if that cannot be watched here (no pidfd: not Linux, or an old kernel).
    """
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True  # already gone, and reaped
    except (AttributeError, OSError):
        return False
    loop = asyncio.get_running_loop()
    exited: asyncio.Future[None] = loop.create_future()

    def on_exit() -> None:
        if not exited.done():
            exited.set_result(None)

    loop.add_reader(pidfd, on_exit)
    try:
        await exited
    finally:
        loop.remove_reader(pidfd)
        os.close(pidfd)
    return True


class ExecChild(PtyChild):
    """A child started by exec: the server's own child process."""

    def __init__(self, process: subprocess.Popen[bytes], master: int) -> None:
        super().__init__(process.pid, master)
        self.process = process

    @classmethod
    def spawn(
        cls,
        argv: Sequence[str],
        env: Mapping[str, str],
        columns: int,
        rows: int,
        cwd: str | None = None,
    ) -> ExecChild:
        """Start `argv` on a new pty of the given size.

        Args:
            argv: The program and its arguments (no shell).
            env: The child's whole environment.
            columns: The terminal's width.
            rows: The terminal's height.
            cwd: The child's working directory.

        Raises:
            OSError: The pty or the process could not be made.
        """
        master, slave = os.openpty()
        try:
            # Sized before the child starts, so its first frame already fits.
            set_window_size(slave, columns, rows)
            process = subprocess.Popen(
                list(argv),
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=dict(env),
                cwd=cwd,
                start_new_session=True,
                preexec_fn=_take_terminal,
                close_fds=True,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        return cls(process, master)

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    async def wait(self) -> int:
        if self.process.poll() is None and not await wait_for_exit(self.pid):
            # No pidfd: poll, which is cheap at this rate.
            while self.process.poll() is None:
                await asyncio.sleep(0.05)
        return self.process.wait()
