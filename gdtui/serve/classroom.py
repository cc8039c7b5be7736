"""The classroom's hub: the teacher's actions, relayed to every student's session.

The hub lives in the SSH server's process and listens on a Unix socket in a private (0700)
directory. The server starts each session's app with the socket's path, the session's role
and a random token in its environment (see `gdtui.classroom.link`, which also describes the
wire); the hub knows each token's role because the server registered it, so a child cannot
promote itself by claiming another role.

The hub keeps where the driving teacher's run stands and sends it to a student who joins or
asks to follow again, then streams new actions live to the students who follow. Where the
run stands is the teacher's latest state (a `resume` at its exact state, the few actions
that rebuild the rest of its run: see `gdtui.lesson.actions.catch_up`, and the teacher's
ghost if it has one and it fits on the line), the captions since
the teacher's `load`, and the actions since that state; before the teacher's first state it
is every action since the `load`. So a late joiner catches up from a state, not by replaying
a million steps; the recording (`--record`) still keeps every action, never a state.

A student's messages other than its status are ignored and never forwarded, so no student
can drive the teacher or anyone else. A student's prediction (`p`) is counted for the
connection it came on and only a tally of them goes to the teacher (`gdtui.classroom.answers`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from typing import Any

from gdtui.classroom.answers import Round, parse_answer
from gdtui.classroom.link import (
    ENV_ROLE,
    ENV_SOCKET,
    ENV_TOKEN,
    LINE_LIMIT,
    Counts,
    Role,
    decode_message,
    encode_message,
)
from gdtui.lesson import wire
from gdtui.lesson.actions import (
    Action,
    Caption,
    Goto,
    Load,
    Resume,
    SetAlpha,
    SetOptimizer,
    ShowGhost,
    Step,
)
from gdtui.lesson.recording import Recorder

#: A student whose app stops reading is dropped once this much is waiting for it, so one
#: frozen session cannot make the server hold the whole lesson in memory per student.
MAX_PENDING_BYTES = 4 * 1024 * 1024

#: Bad lines logged per app; past this, one more line says the rest go unlogged, so an app
#: that sends garbage in a loop cannot fill the server's log.
MAX_LOGGED_ERRORS = 5


class _Peer:
    """One app connected to the hub."""

    def __init__(self, token: str, role: Role, writer: asyncio.StreamWriter) -> None:
        self.token, self.role, self.writer = token, role, writer
        self.following = role == "student"

    def send(self, payload: bytes) -> bool:
        """Queue a line; False (and the peer dropped) if it has stopped reading."""
        if self.writer.is_closing():
            return False
        transport = self.writer.transport
        if transport.get_write_buffer_size() > MAX_PENDING_BYTES:
            self.writer.close()
            return False
        self.writer.write(payload)
        return True


class Hub:
    """The classroom's relay, run inside the SSH server.

    Args:
        directory: Where to make the private socket directory (default: the system's
            temporary directory).
        log: Where a line the hub rejects is reported (one log line each).
    """

    def __init__(
        self, directory: str | None = None, log: Callable[[str], None] | None = None
    ) -> None:
        self._log = log if log is not None else (lambda text: None)
        self._directory = tempfile.mkdtemp(prefix="gdtui-classroom-", dir=directory)
        os.chmod(self._directory, 0o700)
        self.path = os.path.join(self._directory, "hub.sock")
        self._roles: dict[str, Role] = {}
        self._peers: dict[str, _Peer] = {}
        self._driver: _Peer | None = None
        self._backlog: list[Action] = []
        self._round = Round()
        self._captions: list[Caption] = []
        self._server: asyncio.AbstractServer | None = None
        self.recorder: Recorder | None = None
        """Saves the driving teacher's actions as lessons (`serve ssh --record`), if set."""

    # -- the server's side ---------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on the socket."""
        self._server = await asyncio.start_unix_server(self._serve, self.path, limit=LINE_LIMIT)
        os.chmod(self.path, 0o600)

    async def close(self) -> None:
        """Stop listening, drop every app and remove the socket directory."""
        if self._server is not None:
            self._server.close()
            for peer in list(self._peers.values()):
                peer.writer.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None
        if self.recorder is not None:
            self.recorder.close()
        shutil.rmtree(self._directory, ignore_errors=True)

    def register(self, role: Role) -> str:
        """A fresh token for a session about to start with `role`."""
        token = secrets.token_urlsafe(32)
        self._roles[token] = role
        return token

    def unregister(self, token: str) -> None:
        """Forget a session's token; its app, if still connected, is dropped."""
        self._roles.pop(token, None)
        peer = self._peers.get(token)
        if peer is not None:
            peer.writer.close()

    def environment(self, token: str) -> dict[str, str]:
        """The variables that connect a session's app to the hub."""
        return {ENV_SOCKET: self.path, ENV_TOKEN: token, ENV_ROLE: self._roles[token]}

    def counts(self) -> Counts:
        """Students connected, and following."""
        students = [p for p in self._peers.values() if p.role == "student"]
        return Counts(len(students), sum(p.following for p in students))

    def keeps_alive(self, token: str) -> bool:
        """Whether a session counts as active without key presses: a student watching a
        teacher who is there."""
        peer = self._peers.get(token)
        return peer is not None and peer.following and self._driver is not None

    @property
    def backlog(self) -> tuple[Action, ...]:
        """What a joining student is sent: the driving teacher's latest state with the
        captions and actions since, or every action since their last load before any state."""
        return tuple(self._backlog)

    # -- the apps' side ------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer: _Peer | None = None
        try:
            hello = decode_message(await _read_line(reader) or b"")
            token = hello.get("hello") if isinstance(hello, dict) else None
            role = self._roles.get(token) if isinstance(token, str) else None
            if role is None or token in self._peers:
                self._log("hub: refused an app: no valid hello")
                return
            assert isinstance(token, str)
            peer = _Peer(token, role, writer)
            self._peers[token] = peer
            self._joined(peer)
            errors = 0
            while (line := await _read_line(reader)) != b"":
                # A bad line is dropped with one log line; the app's link stays up, since
                # a bug in one message should not cut a student off the lesson.
                problem = "longer than the line limit" if line is None else None
                if line is not None:
                    message = decode_message(line)
                    problem = (self._received(peer, message) if isinstance(message, dict)
                               else "not one JSON object")  # fmt: skip
                if problem is not None:
                    errors += 1
                    if errors <= MAX_LOGGED_ERRORS:
                        more = "; further bad lines go unlogged" * (errors == MAX_LOGGED_ERRORS)
                        self._log(f"hub: rejected a line from a {peer.role}'s app: "
                                  f"{problem}{more}")  # fmt: skip
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # a broken link ends that app's link, not the hub
        finally:
            if peer is not None and self._peers.get(peer.token) is peer:
                del self._peers[peer.token]
                self._left(peer)
            writer.close()

    def _joined(self, peer: _Peer) -> None:
        if peer.role == "teacher":
            self._driver = peer  # the latest teacher login drives
            self._send_counts()
        else:
            self._send_backlog(peer)
            self._send_counts()

    def _left(self, peer: _Peer) -> None:
        self._forget_answer(peer)
        if peer is self._driver:
            teachers = [p for p in self._peers.values() if p.role == "teacher"]
            self._driver = teachers[-1] if teachers else None
        self._send_counts()

    def _received(self, peer: _Peer, message: dict[str, Any]) -> str | None:
        """Act on one message from an app; what is wrong with it, if it is malformed."""
        if peer.role == "student":
            if "answer" in message:
                return self._answered(peer, message)
            following = message.get("following")
            if not isinstance(following, bool):
                return 'a student sends only {"following": true|false} or {"answer": ...}'
            if following != peer.following:
                peer.following = following
                self._forget_answer(peer)
                if following:
                    self._send_backlog(peer)
                self._send_counts()
            return None
        if "state" in message and len(message) == 1:
            return self._state(peer, message["state"])
        if "action" not in message:
            return 'a teacher sends only {"action": ...} or {"state": [...]}'
        try:
            action = wire.from_json(message["action"])
        except (ValueError, TypeError, KeyError, OverflowError, RecursionError) as error:
            return f"not an action ({type(error).__name__}: {str(error)[:80]!r})"
        if peer is not self._driver:
            return None  # a teacher who no longer drives: the class follows the latest
        self._record(action)
        final = self._round.follow(action)
        if final is not None:
            self._send_teachers(encode_message(final.to_json()))
        line = encode_message({"action": wire.to_json(action)})
        for student in self._students():
            if student.following:
                student.send(line)
        return None

    def _record(self, action: Action) -> None:
        if self.recorder is not None:
            try:
                self.recorder.write(action)
            except OSError:
                self.recorder = None  # a full disk ends the recording, not the class
        if isinstance(action, Load | Resume):
            self._backlog, self._captions = [action], []
            return
        if isinstance(action, Caption):
            self._captions.append(action)
        # Consecutive steps add up (a step stops early only where the next would do
        # nothing), which keeps a late joiner's catch-up short after many `n` presses.
        last = self._backlog[-1] if self._backlog else None
        if isinstance(action, Step) and isinstance(last, Step):
            self._backlog[-1] = Step(min(last.k + action.k, wire.MAX_STEPS))
        else:
            self._backlog.append(action)

    def _state(self, peer: _Peer, body: object) -> str | None:
        """Take a teacher's state as where its run stands; what is wrong with it, if
        anything (then the backlog stays as it was)."""
        try:
            if not isinstance(body, list) or not body:
                raise ValueError("a state is a non-empty list of actions")
            actions = [wire.from_json(item) for item in body]
        except (ValueError, TypeError, KeyError, OverflowError, RecursionError) as error:
            return f"not a state ({type(error).__name__}: {str(error)[:80]!r})"
        first, rest = actions[0], actions[1:]
        ghost = rest[-1:] if rest and isinstance(rest[-1], ShowGhost) else []
        rest = rest[: len(rest) - len(ghost)]
        if not isinstance(first, Resume) or not all(
            isinstance(a, Step | SetAlpha | SetOptimizer | Goto) for a in rest
        ):
            return "a state is a resume, then steps, settings and a goto, then a ghost"
        rest += ghost
        if peer is self._driver:
            self._backlog = [first, *rest, *self._captions]
        return None

    def _send_backlog(self, peer: _Peer) -> None:
        for action in self._backlog:
            if not peer.send(encode_message({"action": wire.to_json(action)})):
                return

    def _send_counts(self) -> None:
        counts = self.counts()
        for peer in list(self._peers.values()):
            if peer.role == "teacher":
                body = {"students": counts.students, "following": counts.following,
                        "driving": peer is self._driver}  # fmt: skip
                peer.send(encode_message({"counts": body}))

    def _answered(self, peer: _Peer, message: dict[str, Any]) -> str | None:
        """Count a student's answer (the last before the teacher steps counts); what is wrong
        with the message, if it is malformed."""
        try:
            answer = parse_answer(message)
        except ValueError as error:
            return str(error)
        # Exploring alone, or answering a step the teacher has left: not the class's question.
        if peer.following and self._round.answer(peer.token, answer):
            self._send_teachers(encode_message(self._round.tally().to_json()))
        return None

    def _forget_answer(self, peer: _Peer) -> None:
        if self._round.forget(peer.token):
            self._send_teachers(encode_message(self._round.tally().to_json()))

    def _send_teachers(self, line: bytes) -> None:
        for peer in list(self._peers.values()):
            if peer.role == "teacher":
                peer.send(line)

    def _students(self) -> list[_Peer]:
        return [p for p in self._peers.values() if p.role == "student"]


async def _read_line(reader: asyncio.StreamReader) -> bytes | None:
    """The next line; b"" at the end, None for a line over the limit (skipped whole)."""
    skipping = False
    while True:
        try:
            line = await reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as error:
            line = error.partial  # the last line, unterminated, or b"" at the end
            return None if skipping and line else line
        except asyncio.LimitOverrunError as error:
            # Drop what is buffered, then the rest of the line as it comes, so that its
            # tail is not taken for a line of its own.
            await reader.readexactly(error.consumed)
            skipping = True
            continue
        return None if skipping else line
