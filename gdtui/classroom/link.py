"""The app's side of the classroom: a session's link to the hub, and what they say.

The SSH server's hub relays the teacher's actions to every student's app (see
`gdtui.serve.classroom.Hub`). The server starts each session's app with the hub's socket, the
session's role and a random token in its environment (`ENV_SOCKET`, `ENV_ROLE`, `ENV_TOKEN`).

On the wire, one JSON object a line:

    app -> hub    {"hello": TOKEN}                      first, from everyone
    teacher       {"action": ACTION}                    see `gdtui.lesson.wire`
    teacher       {"state": [RESUME, ACTION...]}        where its run stands, for late joiners
    student       {"following": true|false}
    student       {"answer": {"step": S, "parameter": P, "move": "left"|"right"}}
    hub -> student {"action": ACTION}                   the backlog on joining (from the
                                                        teacher's latest state), then live
    hub -> teacher {"counts": {"students": N, "following": M, "driving": true|false}}
    hub -> teacher {"answers": {"step": S, "final": true|false, "counts": [[P, LEFT, RIGHT]]}}

(The answers are `gdtui.classroom.answers`'s: predict mode in a class.)

Headless: no textual, no rich.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from gdtui.lesson import wire
from gdtui.lesson.actions import Action

if TYPE_CHECKING:
    from gdtui.classroom.answers import StudentAnswer, Tally

#: Environment variables that tell a session's app about the classroom.
ENV_SOCKET = "GDTUI_CLASSROOM"
ENV_TOKEN = "GDTUI_CLASSROOM_TOKEN"
ENV_ROLE = "GDTUI_CLASSROOM_ROLE"

Role = Literal["teacher", "student"]

#: The longest line either side accepts: an action, or a backlog entry.
LINE_LIMIT = wire.MAX_LINE + 64


@dataclass(frozen=True)
class Counts:
    """What the teacher's screen shows about the class.

    Attributes:
        students: Students whose app is connected.
        following: Of those, how many follow the teacher (the others explore).
        driving: Whether this teacher session drives (the latest teacher login does).
    """

    students: int
    following: int
    driving: bool = True


def encode_message(message: dict[str, Any]) -> bytes:
    """A message as one line of the classroom's wire."""
    return wire.dumps(message)


def decode_message(text: bytes) -> dict[str, Any] | None:
    """A JSON object from a line, or None for anything else (deep nesting included)."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


_END = object()


class ClassroomLink:
    """A session's app, connected to the classroom hub.

    Use it from the app's event loop (an async worker):

        link = ClassroomLink.from_environment()
        if link is not None:
            await link.connect()
            if link.role == "teacher":
                await link.publish(Step(1))     # after each operation
                link.publish_nowait(Step(1))    # the same, from a sync handler
                async for counts in link.counts(): ...   # Counts(students, following)
            else:
                async for action in link.actions(): ...  # backlog first, then live
                await link.report(following=False)       # x: explore on my own
                await link.report(following=True)        # f: the hub resends the backlog

    Args:
        path: The hub's socket.
        token: This session's token.
        role: `teacher` or `student`, as the server decided.
    """

    def __init__(self, path: str, token: str, role: Role) -> None:
        self.path, self.token, self.role = path, token, role
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._actions: asyncio.Queue[object] = asyncio.Queue()
        self._counts: asyncio.Queue[object] = asyncio.Queue()
        self.latest_counts = Counts(0, 0)
        """The last counts the hub sent (teacher)."""
        self.latest_tally: Tally | None = None
        """The last tally of the class's answers the hub sent (teacher)."""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ClassroomLink | None:
        """The link the server set up for this session, or None outside a classroom."""
        environ = os.environ if environ is None else environ
        path, token, role = (environ.get(k) for k in (ENV_SOCKET, ENV_TOKEN, ENV_ROLE))
        if not (path and token) or role not in ("teacher", "student"):
            return None
        return cls(path, token, "teacher" if role == "teacher" else "student")

    @property
    def connected(self) -> bool:
        """Whether the link to the hub is up."""
        return self._task is not None and not self._task.done()

    async def connect(self) -> None:
        """Connect and say hello; a student's backlog starts arriving at once.

        Raises:
            OSError: The hub is not there.
        """
        self._reader, self._writer = await asyncio.open_unix_connection(self.path, limit=LINE_LIMIT)
        self._writer.write(encode_message({"hello": self.token}))
        await self._writer.drain()
        self._task = asyncio.create_task(self._read())

    async def close(self) -> None:
        """Leave the classroom."""
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def __aenter__(self) -> ClassroomLink:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def publish(self, action: Action) -> None:
        """Teacher: send one operation, after performing it."""
        await self._send({"action": wire.to_json(action)})

    def publish_nowait(self, action: Action) -> None:
        """`publish` from synchronous code (a key binding's action): queued, not awaited.

        The hub reads as fast as a teacher can type, so nothing piles up.
        """
        self._send_nowait({"action": wire.to_json(action)})

    def publish_state(self, actions: Sequence[Action]) -> bool:
        """Teacher: where the run stands now, as a `Resume` and the actions after it (see
        `gdtui.lesson.actions.catch_up`; a `ShowGhost` last, for the teacher's ghost): the
        hub starts late joiners from it. Queued, not awaited; a state longer than a line is
        not sent (joiners then replay actions). Whether it was sent."""
        line = encode_message({"state": [wire.to_json(action) for action in actions]})
        if len(line) > wire.MAX_LINE:
            return False
        self._send_line(line)
        return True

    async def report(self, following: bool) -> None:
        """Student: follow the teacher (the hub resends the backlog) or explore alone."""
        await self._send({"following": following})

    def report_nowait(self, following: bool) -> None:
        """`report` from synchronous code."""
        self._send_nowait({"following": following})

    def answer_nowait(self, answer: StudentAnswer) -> None:
        """Student: this student's prediction for the teacher's step (the last one counts)."""
        self._send_nowait(answer.to_json())

    async def actions(self) -> AsyncIterator[Action]:
        """Student: the teacher's actions, the backlog first, then live; ends when the link
        does. A `Load` means: start a new session (see `gdtui.lesson.actions.open_scenario`)."""
        while (item := await self._actions.get()) is not _END:
            yield item  # type: ignore[misc]

    async def counts(self) -> AsyncIterator[Counts]:
        """Teacher: the class's counts, each time they change; ends when the link does."""
        async for item in self.news():
            if isinstance(item, Counts):
                yield item

    async def news(self) -> AsyncIterator[Counts | Tally]:
        """Teacher: the class's counts and the tallies of its answers, as they come; ends when
        the link does."""
        while (item := await self._counts.get()) is not _END:
            yield item  # type: ignore[misc]

    async def _send(self, body: dict[str, Any]) -> None:
        self._send_nowait(body)
        assert self._writer is not None
        await self._writer.drain()

    def _send_nowait(self, body: dict[str, Any]) -> None:
        self._send_line(encode_message(body))

    def _send_line(self, line: bytes) -> None:
        if self._writer is None:
            raise RuntimeError("not connected")
        if not self._writer.is_closing():  # a lost hub: the app carries on alone
            self._writer.write(line)

    async def _read(self) -> None:
        from gdtui.classroom.answers import parse_tally  # a class's, not a first screen's

        assert self._reader is not None
        try:
            while text := await self._reader.readline():
                received = decode_message(text)
                if received is None:
                    continue
                if "action" in received:
                    with contextlib.suppress(ValueError):
                        self._actions.put_nowait(wire.from_json(received["action"]))
                elif isinstance(counts := received.get("counts"), dict):
                    self.latest_counts = Counts(
                        int(counts.get("students", 0)), int(counts.get("following", 0)),
                        bool(counts.get("driving", True)),
                    )  # fmt: skip
                    self._counts.put_nowait(self.latest_counts)
                elif (tally := parse_tally(received.get("answers"))) is not None:
                    self.latest_tally = tally
                    self._counts.put_nowait(tally)
        except (ConnectionError, ValueError, asyncio.IncompleteReadError):
            pass
        finally:
            self._actions.put_nowait(_END)
            self._counts.put_nowait(_END)
