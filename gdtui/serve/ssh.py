"""`gdtui serve ssh`: every SSH login gets its own gdtui, on its own pseudo-terminal.

A session is a child process on a pty (see `gdtui.serve.pty`), so one student's long run
never slows another's, and a crash takes down one screen, not the class. Children are
forked from a warm fork server where the platform allows (see `gdtui.serve.forkserver`),
else exec'd as `python -m gdtui`. The server only relays bytes: the client's keys to the
pty, the pty's output to the client, pausing the pty while the client is slow to take it
(SSH flow control), so nothing buffers without bound.

Only the app runs. A shell request with a pty starts gdtui, never a shell; exec requests,
subsystems (sftp), port forwarding and agent or X11 forwarding are refused with a message.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import hmac
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import asyncssh

from gdtui.lesson.recording import Recorder
from gdtui.serve.asyncssh_adapter import hook_channel, unhook_channel
from gdtui.serve.classroom import Hub
from gdtui.serve.forkserver import ForkServer
from gdtui.serve.limits import (
    MAX_COLUMNS,
    MAX_ROWS,
    FailureBudget,
    KeyBudget,
    clamp_size,
    shown,
)
from gdtui.serve.pool import GUESSED_TERM, AppPool
from gdtui.serve.pty import HANGUP_GRACE, POP_KEYBOARD, RESTORE_TERMINAL, ExecChild, PtyChild

#: The user name that can drive the class, with `--teacher-password`.
TEACHER = "teacher"

#: Wrong passwords or unknown keys a connection may try before it is dropped (OpenSSH's
#: MaxAuthTries).
MAX_AUTH_FAILURES = 6

#: Variables a client may set for its session (from its pty request or `SendEnv`); any
#: other variable it sends (LD_PRELOAD, PYTHON*, ...) is not even kept: asyncssh would
#: store every one (10 channels x 500 x 30 KB took the server from 55 to 499 MB).
CLIENT_VARIABLES = ("TERM", "COLORTERM", "NO_COLOR")

#: The longest value of a client's variable (and of its terminal type) that is kept.
MAX_VARIABLE = 64


#: Variables the child inherits from the server, so that `python -m gdtui` finds itself
#: and speaks the server's language. Never COLUMNS or LINES: the pty has the size.
SERVER_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONPATH", "TMPDIR")

#: Per child: numpy's BLAS must not start a thread per core in every one of 60 sessions.
CHILD_VARIABLES = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "GDTUI_SERVE": "ssh"}

#: Refused connections given a moment to finish the key exchange (to be told why in words
#: OpenSSH shows); past this many at once, more are closed at once, a flood unexplained.
TURNED_AWAY = 32

#: Seconds a refused connection has to finish the key exchange and hear why.
TURN_AWAY_WAIT = 2.0

#: A refused request's explanation ends with this.
ONLY_THE_APP = "this server runs only the gdtui app"


@dataclass
class SSHConfig:
    """How the SSH server runs.

    Attributes:
        command: The child's argv, e.g. `[sys.executable, "-m", "gdtui", "ravine"]`.
        host_key: The server's private host key.
        host: The address to bind.
        port: The port to bind (0: any free port; see `AppServer.port`).
        password: A shared class code every user must give, if set.
        authorized_keys: Public keys allowed to log in, if set.
        teacher_password: Enables follow mode: user `teacher` with this code drives.
        max_sessions: Concurrent sessions in all.
        max_per_ip: Concurrent sessions from one client address.
        idle_timeout: Seconds without a key press before a session closes (0: never).
        record_dir: A folder to save the teacher's lessons in (`--record`), or None.
        hangup_grace: Seconds a hung-up child has to exit before it is killed.
        failure_delay: Seconds before answering a wrong password (slows guessing).
        login_timeout: Seconds a client has to log in.
        max_logins: Concurrent connections that have no session yet (logging
            in, or logged in without opening one), in all; None: `max_sessions`. From one
            address, at most `max_per_ip` of them. They do not count against the session
            caps; one that has not started to log in makes way for a newcomer.
        session_wait: Seconds a logged-in connection may go without a session open
            (`ssh -N` would hold one forever).
        address_failures: Wrong passwords from one address within its budget: this many
            at once, then one forgiven every `address_failure_period` seconds. Beyond it,
            passwords from that address are refused unchecked until one is forgiven.
        address_failure_period: See `address_failures`.
        all_failures: The same budget for all addresses together, against guessing from
            many places at once.
        all_failure_period: See `all_failures`.
        fork_args: If set, each session's app is forked from a warm fork server (see
            `gdtui.serve.forkserver`) with these `gdtui` arguments, instead of `command`
            being exec'd: the same process per session, without a second of imports.
        fork_entry: The module whose `main(fork_args)` a forked child runs.
        pool: Apps to keep started ahead of logins (see `gdtui.serve.pool`); they count
            against `max_sessions`. Forked apps only, and none in a classroom.
        pooled_entry: The module whose `pooled(fork_args, socket)` an app started ahead
            runs.
        child_env: Extra variables for every child (tests, benchmarks).
    """

    command: Sequence[str]
    host_key: asyncssh.SSHKey
    host: str = "127.0.0.1"
    port: int = 2222
    password: str | None = None
    authorized_keys: asyncssh.SSHAuthorizedKeys | None = None
    teacher_password: str | None = None
    max_sessions: int = 60
    max_per_ip: int = 10
    idle_timeout: float = 900.0
    record_dir: Path | None = None
    hangup_grace: float = HANGUP_GRACE
    failure_delay: float = 0.5
    login_timeout: float = 10.0
    max_logins: int | None = None
    session_wait: float = 5.0
    # 10 at once, then 10 a minute, from one address; 100, then 5 a second, from all.
    address_failures: int = 10
    address_failure_period: float = 6.0
    all_failures: int = 100
    all_failure_period: float = 0.2
    fork_args: Sequence[str] | None = None
    fork_entry: str = "gdtui.__main__"
    pool: int = 0
    pooled_entry: str = "gdtui.serve.pool"
    child_env: dict[str, str] = field(default_factory=dict)


def same_secret(given: str, expected: str) -> bool:
    """Compare a password in constant time (digests first, so not even its length leaks)."""
    return hmac.compare_digest(
        hashlib.sha256(given.encode()).digest(), hashlib.sha256(expected.encode()).digest()
    )


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{seconds:02}"


class AppServer:
    """The SSH server: listens, authenticates, and runs one app session per login.

    Args:
        config: How to run.
        log: Where the one-line connect and disconnect records go.
    """

    def __init__(self, config: SSHConfig, log: IO[str] | None = None) -> None:
        self.config = config
        self._log = log if log is not None else sys.stderr
        self.sessions: set[AppSession] = set()
        """The sessions whose app is running (or starting)."""
        self.connections: set[_Connection] = set()
        """Connections counted: those not turned away."""
        self.turned_away: set[_Connection] = set()
        """Connections refused, that have a moment to finish the handshake and hear why."""
        self.hub: Hub | None = Hub(log=self.record) if config.teacher_password else None
        if self.hub is not None and config.record_dir is not None:
            self.hub.recorder = Recorder(config.record_dir)
        self.forkserver: ForkServer | None = None
        self.pool: AppPool | None = None
        self.launching = 0
        """Logins whose own app is starting (not from the pool)."""
        self._retired: list[ForkServer] = []
        self._listener: asyncssh.SSHAcceptor | None = None
        self._idle_task: asyncio.Task[None] | None = None
        self.address_failures = FailureBudget(
            config.address_failures, config.address_failure_period
        )
        """Wrong passwords by client address."""
        self.all_failures = FailureBudget(config.all_failures, config.all_failure_period)
        """Wrong passwords from everywhere (one key, "")."""

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind and start accepting connections.

        Raises:
            OSError: The address cannot be bound.
        """
        config = self.config
        if self.hub is not None:
            await self.hub.start()
        if config.fork_args is not None:
            forkserver = ForkServer(config.fork_args, config.fork_entry)
            base = self.child_environment("dumb", {})
            del base["TERM"]
            try:
                await forkserver.start(base)
            except OSError as error:
                self.record(f"no fork server ({error}); starting apps by exec")
            else:
                self.forkserver = forkserver
                if config.pool > 0 and self.hub is None:
                    self.pool = AppPool(
                        forkserver, config.pool, self.child_environment(GUESSED_TERM, {}),
                        room=lambda: config.max_sessions - len(self.sessions),
                        busy=lambda: self.launching > 0, record=self.record,
                        entry=config.pooled_entry,
                    )  # fmt: skip
                    self.pool.start()
        self._listener = await asyncssh.create_server(
            lambda: _Connection(self),
            config.host,
            config.port,
            server_host_keys=[config.host_key],
            # Raw bytes both ways and no line editor: a full-screen app reads every key as
            # it is typed; asyncssh's line editor would hold them until Enter.
            encoding=None,
            line_editor=False,
            agent_forwarding=False,
            x11_forwarding=False,
            sftp_factory=None,
            allow_scp=False,
            kbdint_auth=False,
            host_based_auth=False,
            gss_host=None,
            login_timeout=config.login_timeout,
            # Notice a client that vanished without closing (a laptop lid, a dropped link).
            keepalive_interval=30,
            keepalive_count_max=3,
        )
        if config.idle_timeout > 0:
            self._idle_task = asyncio.create_task(self._close_idle())

    @property
    def port(self) -> int:
        """The port actually bound."""
        assert self._listener is not None
        return self._listener.get_port()

    async def close(self, reason: str = "the server is shutting down") -> None:
        """End every session (restoring each client's terminal), then stop listening."""
        if self._listener is not None:
            self._listener.close()
        if self._idle_task is not None:
            self._idle_task.cancel()
        if self.pool is not None:
            await self.pool.close()
        await asyncio.gather(*(s.end(reason) for s in list(self.sessions)))
        for connection in list(self.connections):
            connection.close()
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.wait_closed()
            self._listener = None
        if self.hub is not None:
            await self.hub.close()
        for forkserver in (self.forkserver, *self._retired):
            if forkserver is not None:
                await forkserver.close()

    def record(self, text: str) -> None:
        """Write one log line, with the time."""
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        print(f"{stamp} {text}", file=self._log, flush=True)

    # -- admission -------------------------------------------------------------------------------

    def admit(self, session: AppSession) -> str | None:
        """Reserve a slot for a session; the reason it cannot have one, if it cannot."""
        config = self.config
        if len(self.sessions) >= config.max_sessions:
            return f"The class is full ({config.max_sessions} sessions). Try again in a while."
        same_address = sum(s.address == session.address for s in self.sessions)
        if same_address >= config.max_per_ip:
            return (f"Too many sessions from {session.address} ({config.max_per_ip}). "
                    "Close one and try again.")  # fmt: skip
        self.sessions.add(session)
        return None

    def child_environment(self, term: str, client_env: dict[str, str]) -> dict[str, str]:
        """A clean environment for a child: the server's few, the client's allowed few."""
        env = {k: os.environ[k] for k in SERVER_VARIABLES if k in os.environ}
        env.setdefault("PATH", os.defpath)
        env.setdefault("LANG", "C.UTF-8")
        env.update(CHILD_VARIABLES)
        env.update(self.config.child_env)
        env["TERM"] = term if _printable(term) else "xterm-256color"
        for name in CLIENT_VARIABLES:
            value = client_env.get(name) if name != "TERM" else None  # the pty's TERM wins
            if value is not None and _printable(value):
                env[name] = value
        return env

    async def launch(self, env: dict[str, str], columns: int, rows: int, cwd: str) -> PtyChild:
        """Start a session's app: forked if there is a fork server, else exec'd.

        Raises:
            OSError: The app could not be started either way.
        """
        if self.forkserver is not None:
            self.launching += 1
            try:
                return await self.forkserver.spawn(env, columns, rows, cwd)
            except OSError as error:
                # A dead fork server must not lock the class out: exec from now on.
                self.record(f"fork server failed ({error}); starting apps by exec")
                self._retired.append(self.forkserver)
                self.forkserver = None
                if self.pool is not None:
                    await self.pool.close()
                    self.pool = None
            finally:
                self.launching -= 1
        return ExecChild.spawn(self.config.command, env, columns, rows, cwd=cwd)

    async def _close_idle(self) -> None:
        timeout = self.config.idle_timeout
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(min(30.0, max(timeout / 10, 0.1)))
            now = loop.time()
            for session in list(self.sessions):
                if now - session.last_input < timeout:
                    continue
                if self.hub is not None and session.token and self.hub.keeps_alive(session.token):
                    session.last_input = now  # watching the teacher is not idling
                    continue
                minutes = max(round(timeout / 60), 1)
                session.spawn_end(
                    f"Closed after {minutes} minute{'s' * (minutes != 1)} without a key "
                    "press. Connect again any time."
                )


def _printable(value: str) -> bool:
    return 0 < len(value) <= MAX_VARIABLE and value.isprintable()


class _Connection(asyncssh.SSHServer):
    """One client connection: authentication and what it may open."""

    def __init__(self, server: AppServer) -> None:
        self.server = server
        self.conn: asyncssh.SSHServerConnection | None = None
        self.address = "?"
        self.username = ""
        self.role = "student"
        self.failures = 0
        self.started = time.monotonic()
        self.logged_in = False
        self.sessions = 0
        """Session channels open now."""
        self.had_session = False
        self.auth_begun = False
        """Whether the client got as far as asking to log in (after the key exchange)."""
        self.turned_away = ""
        """Why this connection is refused, if it is (said once the client can hear it)."""
        self.refused: list[str] = []
        """Requests refused before the session started, to explain at its start."""
        self._backing_off = False
        self._no_session: asyncio.TimerHandle | None = None

    @property
    def waiting(self) -> bool:
        """Whether this connection has no session yet (logging in, or logged in without
        opening one): it counts against the waiting caps, not the session caps."""
        return not self.had_session

    def who(self) -> str:
        """The client as the log names it: role, the name it gave (quoted), address."""
        role = self.role if self.logged_in else "-"
        return f"role={role} user={shown(self.username, 32)} addr={self.address}"

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()

    # -- connection ------------------------------------------------------------------------------

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername")
        self.address = str(peer[0]) if peer else "?"
        server = self.server
        config = server.config
        # Handshakes are cheap to start and cost the server; bound the connections that
        # have no session yet, per address and in all, before any handshake. Sessions
        # have their own caps (see `AppServer.admit`).
        waiting = [c for c in server.connections if c.waiting]
        same = [c for c in waiting if c.address == self.address]
        limit = config.max_logins or config.max_sessions
        server.connections.add(self)
        for crowd, cap, where in ((same, config.max_per_ip, f" from {self.address}"),
                                  (waiting, limit, "")):  # fmt: skip
            if len(crowd) < cap:
                continue
            # Full: a connection that has not even started to log in (an idle socket:
            # a real client gets that far in a fraction of a second) makes way.
            stalled = [c for c in crowd if not c.auth_begun]
            if not stalled:
                self._turn_away(f"too many connections logging in{where}")
                return
            min(stalled, key=lambda c: c.started)._turn_away(
                "made way for a new connection: did not start to log in"
            )

    def _turn_away(self, why: str) -> None:
        """Close a connection that has no session, saying why in words a client shows."""
        self.server.record(f"refused addr={self.address}: {why}")
        self.server.connections.discard(self)
        self.turned_away = f"gdtui: the server is busy ({why}); try again in a minute"
        if self.auth_begun or len(self.server.turned_away) >= TURNED_AWAY:
            self._disconnect()
            return
        # Before the key exchange, a disconnect reaches OpenSSH's user as "banner line
        # contains invalid characters". After it, OpenSSH prints the reason: so the
        # client may finish the exchange (a few ms of CPU), then hears why, at its first
        # request or after `TURN_AWAY_WAIT` s, whichever comes first.
        self.server.turned_away.add(self)
        loop = asyncio.get_running_loop()
        self._no_session = loop.call_later(TURN_AWAY_WAIT, self._disconnect)

    def _disconnect(self) -> None:
        self.server.turned_away.discard(self)
        if self.conn is not None:
            self.conn.disconnect(asyncssh.DISC_TOO_MANY_CONNECTIONS, self.turned_away)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        self.server.turned_away.discard(self)
        if self._no_session is not None:
            self._no_session.cancel()
            self._no_session = None
        if self.logged_in:
            took = _duration(time.monotonic() - self.started)
            self.server.record(f"disconnect {self.who()} after {took}")
        # Nothing of the connection outlives it (asyncssh's objects point back at us).
        self.conn = None

    def auth_completed(self) -> None:
        self.logged_in = True
        self.started = time.monotonic()
        self.server.record(f"connect {self.who()}")
        self._expect_session()

    def _expect_session(self) -> None:
        """Close the connection unless a session is open within `session_wait` seconds."""
        if self._no_session is not None:
            self._no_session.cancel()
        loop = asyncio.get_running_loop()
        wait = self.server.config.session_wait
        self._no_session = loop.call_later(wait, self._close_without_session)

    def _close_without_session(self) -> None:
        self._no_session = None
        if self.sessions == 0 and self.conn is not None:
            self.server.record(f"closed {self.who()}: no session")
            self.conn.disconnect(
                asyncssh.DISC_BY_APPLICATION,
                f"gdtui: no session opened in {self.server.config.session_wait:g} s: "
                f"{ONLY_THE_APP}",
            )

    def session_opened(self) -> None:
        self.sessions += 1
        self.had_session = True

    def session_closed(self) -> None:
        self.sessions -= 1
        if self.sessions == 0 and self.conn is not None:
            self._expect_session()  # a client keeping its connection after its session

    # -- authentication --------------------------------------------------------------------------

    def _is_teacher_login(self, username: str) -> bool:
        return username == TEACHER and self.server.config.teacher_password is not None

    def begin_auth(self, username: str) -> bool:
        self.username = username
        self.auth_begun = True
        if self.turned_away:
            self._disconnect()
            return True
        config = self.server.config
        if self._is_teacher_login(username):
            return True
        return config.password is not None or config.authorized_keys is not None

    def password_auth_supported(self) -> bool:
        config = self.server.config
        return config.password is not None or config.teacher_password is not None

    async def validate_password(self, username: str, password: str) -> bool:
        server, config = self.server, self.server.config
        now = time.monotonic()
        over = [
            (budget, key)
            for budget, key in ((server.address_failures, self.address), (server.all_failures, ""))
            if budget.exhausted(key, now)
        ]
        if over:
            # Guessing is over budget: answer no without checking (so a guess now is
            # worth nothing) until failures are forgiven; attempts refused so do not count.
            if not self._backing_off:
                self._backing_off = True
                wait = max(budget.backoff(key, now) for budget, key in over)
                whose = "this address" if over[0][1] else "all addresses"
                server.record(f"refused {self.who()}: too many wrong passwords from "
                              f"{whose}; not checking for {wait:.0f} s")  # fmt: skip
            await asyncio.sleep(config.failure_delay)
            await self._failed("wrong password")
            return False
        if self._is_teacher_login(username):
            assert config.teacher_password is not None
            ok = same_secret(password, config.teacher_password)
            if ok:
                self.role = "teacher"
        else:
            ok = config.password is not None and same_secret(password, config.password)
        if not ok:
            server.address_failures.fail(self.address, now)
            server.all_failures.fail("", now)
            await self._failed("wrong password")
            await asyncio.sleep(config.failure_delay)
        return ok

    def public_key_auth_supported(self) -> bool:
        return self.server.config.authorized_keys is not None

    async def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        authorized = self.server.config.authorized_keys
        if self._is_teacher_login(username):
            return False  # the teacher proves the teacher password, whatever keys they hold
        # No reverse DNS: `from=` patterns in the file match the address. An unknown key
        # is no guess (a client offers each key it holds), so it counts only here.
        ok = (
            authorized is not None
            and authorized.validate(key, self.address, self.address) is not None
        )
        if not ok:
            await self._failed("unknown key")
        return ok

    async def _failed(self, what: str) -> None:
        self.failures += 1
        if self.failures >= MAX_AUTH_FAILURES and self.conn is not None:
            self.server.record(f"refused {self.who()}: {what}, "
                               f"{self.failures} failed attempts")  # fmt: skip
            self.conn.disconnect(
                asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE, "too many failed attempts"
            )

    # -- what a client may open ------------------------------------------------------------------

    def session_requested(self) -> AppSession:
        return AppSession(self)

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> bool:
        raise asyncssh.ChannelOpenError(
            asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
            f"port forwarding (-L, -W) is off: {ONLY_THE_APP}",
        )

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        self.refused.append("remote port forwarding (-R)")
        return False

    def unix_connection_requested(self, dest_path: str) -> bool:
        raise asyncssh.ChannelOpenError(
            asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
            f"socket forwarding is off: {ONLY_THE_APP}",
        )

    def unix_server_requested(self, listen_path: str) -> bool:
        self.refused.append("remote socket forwarding (-R)")
        return False


class AppSession(asyncssh.SSHServerSession[bytes]):
    """One SSH session channel: the client's terminal, bridged to a child's pty."""

    def __init__(self, connection: _Connection) -> None:
        self.connection = connection
        self.server = connection.server
        self.address = connection.address
        self.chan: asyncssh.SSHServerChannel[bytes] | None = None
        self.term: str | None = None
        self.size = (80, 24)
        """The window size the app is given (see `limits.clamp_size`)."""
        self.client_env: dict[str, str] = {}
        """The client's variables that are kept: `CLIENT_VARIABLES`, short ones."""
        self.keys = KeyBudget()
        self._told_size = False
        self.kind = "shell"
        self.what = ""
        self.child: PtyChild | None = None
        self.token: str | None = None
        self.last_input = asyncio.get_running_loop().time()
        self._farewell = ""
        self._size_note = ""
        self._closed = False
        self._reading = False
        self._paused = False
        self._client_behind = False
        self._ending = False
        self._pending = bytearray()
        self._workdir: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._end_task: asyncio.Task[None] | None = None

    # -- the channel's requests ------------------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self.chan = chan
        self.connection.session_opened()
        # Keep only our variables of those the client sends, and hear of the agent and
        # X11 requests asyncssh refuses itself, so the client is told why.
        hook_channel(chan, self._env_requested, self._refuse_request)

    def _env_requested(self, packet: Any) -> bool:
        name = packet.get_string()
        value = packet.get_string()
        packet.check_end()
        try:
            name_text, value_text = name.decode(), value.decode()
        except UnicodeDecodeError:
            return False
        if name_text not in CLIENT_VARIABLES or not _printable(value_text):
            return False
        self.client_env[name_text] = value_text
        return True

    def _refuse_request(self, what: str) -> Callable[[Any], bool]:
        def refuse(packet: Any) -> bool:
            self.connection.refused.append(what)
            return False

        return refuse

    def pty_requested(
        self, term_type: str, term_size: tuple[int, int, int, int], term_modes: Any
    ) -> bool:
        self.term = term_type if _printable(term_type) else "xterm-256color"
        self.size = self._clamped(term_size[0], term_size[1])
        return True

    def _clamped(self, columns: int, rows: int) -> tuple[int, int]:
        """The size the app gets for the client's window; the client is told once if it
        is smaller than the window."""
        size = clamp_size(columns, rows)
        if (columns > MAX_COLUMNS or rows > MAX_ROWS) and not self._told_size:
            self._told_size = True
            self._size_note = (f"gdtui: your window is {columns}x{rows}; the app uses at "
                               f"most {MAX_COLUMNS}x{MAX_ROWS} of it.")  # fmt: skip
            if self.chan is not None and self._task is not None:
                self._say(self._size_note)
        return size

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        # Accepted only so the client can be told why nothing runs.
        self.kind, self.what = "exec", command
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        self.kind, self.what = "subsystem", subsystem
        return True

    def session_started(self) -> None:
        assert self.chan is not None
        for what in dict.fromkeys(self.connection.refused):
            self._say(f"gdtui: {what} is not allowed: {ONLY_THE_APP}.")
        self.connection.refused.clear()
        if self._size_note:
            self._say(self._size_note)
        if self.kind == "exec":
            self._refuse(f"gdtui: commands are not allowed ({shown(self.what)}): {ONLY_THE_APP}. "
                         f"Log in without a command, from a terminal.")  # fmt: skip
        elif self.kind == "subsystem":
            self._refuse(f"gdtui: the {shown(self.what)} subsystem is not available: "
                         f"{ONLY_THE_APP}.")  # fmt: skip
        elif self.term is None:
            self._refuse("gdtui needs a terminal: connect from a terminal window, "
                         "with `ssh -t` if you pass other options.")  # fmt: skip
        elif (reason := self.server.admit(self)) is not None:
            self._refuse(f"gdtui: {reason}")
        else:
            self._task = asyncio.create_task(self._run())

    def _say(self, text: str) -> None:
        assert self.chan is not None
        self.chan.write(f"{text}\r\n".encode(), asyncssh.EXTENDED_DATA_STDERR)

    def _refuse(self, text: str) -> None:
        assert self.chan is not None
        self.server.record(f"refused {self.connection.who()}: {text}")
        self._say(text)
        self.chan.exit(1)

    # -- running the app -------------------------------------------------------------------------

    async def _run(self) -> None:
        assert self.term is not None
        server = self.server
        status = 1
        try:
            hub_env: dict[str, str] = {}
            if server.hub is not None:
                self.token = server.hub.register(
                    "teacher" if self.connection.role == "teacher" else "student"
                )
                hub_env = server.hub.environment(self.token)
            env = server.child_environment(self.term, self.client_env)
            env.update(hub_env)
            if self._closed or self._ending:  # gone, or told to end, before the app started
                return
            columns, rows = self.size
            # An app started ahead, if one waits (it has a working folder of its own).
            taken = await server.pool.take(env, columns, rows) if server.pool else None
            if taken is not None:
                self.child, self._workdir = taken
            else:
                # A private working folder: whatever the app writes (exports) stays out of
                # the server's folder and other students' way, and goes with the session.
                self._workdir = tempfile.mkdtemp(prefix="gdtui-session-")
                try:
                    self.child = await server.launch(env, columns, rows, self._workdir)
                except OSError as error:
                    self._farewell = f"gdtui could not start: {error}"
                    return
            if self._closed or self._ending:  # ... or while it was starting
                await self.child.end(server.config.hangup_grace)
                return
            if not self._client_behind:
                self._start_reading()
            status = await self.child.wait()
            self._drain()
        finally:
            self._finish(status)

    def _start_reading(self) -> None:
        if self.child is not None and self.child.master >= 0 and not self._reading:
            asyncio.get_running_loop().add_reader(self.child.master, self._readable)
            self._reading = True

    def _stop_reading(self) -> None:
        if self._reading and self.child is not None and self.child.master >= 0:
            asyncio.get_running_loop().remove_reader(self.child.master)
        self._reading = False

    def _readable(self) -> None:
        assert self.child is not None
        try:
            data = os.read(self.child.master, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""  # EIO: every copy of the terminal's slave side is closed
        if not data:
            self._stop_reading()
            return
        if not self._closed and self.chan is not None:
            self.chan.write(data)

    def _drain(self) -> None:
        """Pass on what the child wrote just before it exited."""
        self._stop_reading()
        if self.child is None or self.child.master < 0:
            return
        while True:
            try:
                data = os.read(self.child.master, 65536)
            except OSError:
                return
            if not data:
                return
            if not self._closed and self.chan is not None:
                self.chan.write(data)

    def _stop_writing(self) -> None:
        """Forget keys the app will never read, and stop waiting to write them: a writer
        left on a closed fd would fire for the next session's pty that reuses the number."""
        if self._paused and self.child is not None and self.child.master >= 0:
            asyncio.get_running_loop().remove_writer(self.child.master)
            if not self._closed and self.chan is not None:
                self.chan.resume_reading()
        self._paused = False
        self._pending.clear()

    def _finish(self, status: int) -> None:
        """Restore the client's terminal, say goodbye if the server ended it, and close."""
        self._stop_reading()
        self._stop_writing()
        if self.child is not None:
            self.child.close()
        if self.token is not None and self.server.hub is not None:
            self.server.hub.unregister(self.token)
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
        self.server.sessions.discard(self)
        if self.server.pool is not None:
            self.server.pool.wanted()  # room for another app started ahead
        if self._closed or self.chan is None:
            return
        self.chan.write(RESTORE_TERMINAL)
        if self._ending or status < 0:
            # An app that quits pops the keyboard flags it pushed; one ended for it cannot.
            self.chan.write(POP_KEYBOARD)
        if self.keys.dropped:
            self.server.record(f"dropped {self.keys.dropped} bytes of keys from "
                               f"{self.connection.who()}: faster than a person types")  # fmt: skip
        if self._farewell:
            self.chan.write(f"\r\n{self._farewell}\r\n".encode())
        # A child killed by a signal exits like a shell reports it: 128 + the signal.
        self.chan.exit(status if status >= 0 else 128 - status)

    async def end(self, reason: str) -> None:
        """End the session from the server's side, with a word to the client."""
        self._ending = True
        self._farewell = self._farewell or f"gdtui: {reason}."
        if self.child is not None:
            await self.child.end(self.server.config.hangup_grace)
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task

    def spawn_end(self, reason: str) -> None:
        """`end` in the background (from a callback)."""
        if self._end_task is None:
            self._end_task = asyncio.create_task(self.end(reason))

    # -- the client's side -----------------------------------------------------------------------

    def data_received(self, data: bytes, datatype: int | None) -> None:
        now = asyncio.get_running_loop().time()
        self.last_input = now
        data = self.keys.admit(data, now)
        if self.child is None or self.child.master < 0 or not data:
            return
        self._pending += data
        self._write_pending()

    def _write_pending(self) -> None:
        assert self.child is not None
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                written = os.write(self.child.master, self._pending)
                del self._pending[:written]
        except BlockingIOError:
            pass
        except OSError as error:
            if error.errno != errno.EIO:
                raise
            self._pending.clear()  # the child is gone; its exit ends the session
        if self._pending and not self._paused:
            # The app is not reading: stop reading the client too (its window fills and
            # the client waits) until the pty takes what is pending.
            self._paused = True
            assert self.chan is not None
            self.chan.pause_reading()
            loop.add_writer(self.child.master, self._writable)

    def _writable(self) -> None:
        assert self.child is not None and self.chan is not None
        asyncio.get_running_loop().remove_writer(self.child.master)
        self._paused = False
        self._write_pending()
        if not self._paused:
            self.chan.resume_reading()

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        self.size = self._clamped(width, height)
        self.last_input = asyncio.get_running_loop().time()
        if self.child is not None:
            self.child.resize(*self.size)

    def pause_writing(self) -> None:
        # The client is behind: stop reading the pty, so the child blocks on its own output
        # instead of the server buffering it.
        self._client_behind = True
        self._stop_reading()

    def resume_writing(self) -> None:
        self._client_behind = False
        self._start_reading()

    def eof_received(self) -> bool:
        # As sshd does with a pty: no more keys will come, but the app runs on until it
        # exits or the client leaves (`printf q | ssh -tt` must still quit the app with q).
        # True keeps our side open, for the app's output and the terminal's restoration.
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._stop_reading()
        self._stop_writing()
        self.connection.session_closed()
        # The channel and this session point at each other (asyncssh's `_session`, our
        # handlers on the channel): part them, so both go as soon as the session ends
        # instead of at the cycle collector's next full pass.
        if self.chan is not None:
            unhook_channel(self.chan)
            self.chan = None
        if self.child is not None and self.child.returncode is None:
            self.spawn_end("disconnected")
        elif self._task is None:
            self.server.sessions.discard(self)
